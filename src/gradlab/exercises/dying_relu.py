"""Exercises of tutorial N: dying_relu."""
