"""Claims about what a network of a given shape can compute and how it computes it."""
