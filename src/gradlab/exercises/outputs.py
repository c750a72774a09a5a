"""Exercises of tutorial N: outputs."""
