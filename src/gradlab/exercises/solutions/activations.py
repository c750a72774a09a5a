"""Reference answers to the exercises of tutorial 2 (activation functions)."""

from __future__ import annotations

import numpy as np


def relu_backward(x: np.ndarray, grad_out: np.ndarray) -> np.ndarray:
    """dL/dx of ReLU: grad_out where x > 0, else 0 (the derivative at 0 is taken as 0)."""
    return grad_out * (x > 0)


def sigmoid_backward(x: np.ndarray, grad_out: np.ndarray) -> np.ndarray:
    """dL/dx of the sigmoid: grad_out · σ(x)(1 - σ(x)), the derivative taken at s = σ(x).

    σ is computed so that exp only sees -|x| <= 0 and cannot overflow: for x < 0,
    1 / (1 + e^-x) is rewritten as e^x / (1 + e^x).
    """
    e = np.exp(-np.abs(x))  # in (0, 1]
    s = np.where(x >= 0, 1 / (1 + e), e / (1 + e))  # σ(x)
    return grad_out * s * (1 - s)


def softplus(x: np.ndarray) -> np.ndarray:
    """log(1 + e^x) = max(x, 0) + log(1 + e^-|x|): exp never sees a positive number, and
    log1p keeps the tiny values far left (softplus(-40) ≈ e^-40, not 0)."""
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))
