"""Claims about the initial weight scale and what it does to the activations."""
