"""Reference answers to the exercises of tutorial 3 (forward and backward by hand)."""

from __future__ import annotations

import numpy as np


def dense_backward(
    x: np.ndarray, W: np.ndarray, b: np.ndarray, grad_out: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of y = x @ W + b: each has the shape of what it differentiates."""
    dx = grad_out @ W.T  # (n, out) @ (out, in) -> (n, in)
    dW = x.T @ grad_out  # (in, n) @ (n, out) -> (in, out)
    db = grad_out.sum(axis=0)  # b is added to every row, so every row contributes
    return dx, dW, db


def numerical_gradient(f, x: np.ndarray, eps: float) -> np.ndarray:
    """Central differences of the scalar function f(x), one element at a time.

    x is nudged in place and put back, so it ends as it started.
    """
    grad = np.zeros_like(x, dtype=float)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + eps
        f_plus = f(x)
        x[idx] = old - eps
        f_minus = f(x)
        x[idx] = old  # restore before moving on
        grad[idx] = (f_plus - f_minus) / (2 * eps)
    return grad


def chain_rule_two_layers(
    x: np.ndarray,
    W1: np.ndarray,
    b1: np.ndarray,
    W2: np.ndarray,
    b2: np.ndarray,
    grad_out: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Forward (keeping h), then backward: output layer, sigmoid, first layer."""
    a1 = x @ W1 + b1
    h = 1.0 / (1.0 + np.exp(-a1))
    # The output layer y = h @ W2 + b2 (identity activation).
    dW2 = h.T @ grad_out
    db2 = grad_out.sum(axis=0)
    dh = grad_out @ W2.T
    # Through the sigmoid: sigma'(a1) = h * (1 - h).
    da1 = dh * h * (1 - h)
    # The first layer.
    dW1 = x.T @ da1
    db1 = da1.sum(axis=0)
    return dW1, db1, dW2, db2
