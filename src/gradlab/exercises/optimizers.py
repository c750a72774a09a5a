"""Exercises of tutorial N: optimizers."""
