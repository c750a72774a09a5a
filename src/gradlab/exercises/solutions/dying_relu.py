"""Reference answers to the exercises of tutorial 6 (dying ReLU)."""

from __future__ import annotations

import numpy as np


def dead_units(z: np.ndarray) -> np.ndarray:
    """True for each unit (column) whose ReLU output is 0 on every sample (row)."""
    return np.all(z <= 0, axis=0)  # relu(z) = max(z, 0) is 0 exactly when z <= 0


def elu_backward(x: np.ndarray, grad_out: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    """dL/dx of ELU: grad_out where x > 0, alpha * exp(x) * grad_out elsewhere (x = 0
    included, as PyTorch)."""
    negative_side = alpha * np.exp(np.minimum(x, 0.0))  # exp of x <= 0 only: no overflow
    return grad_out * np.where(x > 0, 1.0, negative_side)


def leaky_relu_backward(
    x: np.ndarray, grad_out: np.ndarray, negative_slope: float = 0.01
) -> np.ndarray:
    """dL/dx of leaky ReLU: grad_out where x > 0, negative_slope * grad_out elsewhere (x = 0
    included, as PyTorch)."""
    return grad_out * np.where(x > 0, 1.0, negative_slope)
