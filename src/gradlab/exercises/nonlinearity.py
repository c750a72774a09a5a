"""Exercises of tutorial N: nonlinearity."""
