"""Exercises of tutorial N: backprop."""
