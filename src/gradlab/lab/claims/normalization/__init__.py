"""Claims about normalising the pre-activations inside the network (batch normalization)."""
