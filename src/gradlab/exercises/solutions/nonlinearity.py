"""Reference answers to the exercises of tutorial 1 (why a nonlinearity)."""

from __future__ import annotations

import numpy as np


def collapse_linear(
    W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The one linear layer equal to two: (x W1 + b1) W2 + b2 = x (W1 W2) + (b1 W2 + b2)."""
    W = W1 @ W2
    b = b1 @ W2 + b2
    return W, b


def perceptron_gates() -> dict[str, tuple[np.ndarray, float]]:
    """Hand-set perceptrons: y = step(w·x + b), with step(0) = 0.

    AND fires only when both inputs are on (1 + 1 - 1.5 > 0, but 1 - 1.5 < 0); OR when at least
    one is (1 - 0.5 > 0); NAND is AND with every sign flipped.
    """
    return {
        "AND": (np.array([1.0, 1.0]), -1.5),
        "OR": (np.array([1.0, 1.0]), -0.5),
        "NAND": (np.array([-1.0, -1.0]), 1.5),
    }


def xor_from_gates() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """XOR = AND(OR(x1, x2), NAND(x1, x2)): two hidden step units, then an AND unit.

    Column 0 of W1 is the OR unit, column 1 the NAND unit (the perceptrons of
    ``perceptron_gates``); the output unit is the AND perceptron applied to them.
    """
    W1 = np.array([[1.0, -1.0], [1.0, -1.0]])  # columns: OR, NAND
    b1 = np.array([-0.5, 1.5])
    W2 = np.array([[1.0], [1.0]])  # AND of the two hidden units
    b2 = np.array([-1.5])
    return W1, b1, W2, b2
