"""Exercises of tutorial N: gradients."""
