"""Reference answers to the exercises of tutorial 5 (vanishing and exploding gradients)."""

from __future__ import annotations

import numpy as np


def clip_by_global_norm(grads: list[np.ndarray], max_norm: float) -> list[np.ndarray]:
    """Scale all gradients by one factor so that their global L2 norm is at most max_norm."""
    norm = np.sqrt(sum(np.sum(g**2) for g in grads))  # one norm over every array together
    if norm <= max_norm:
        return [g.copy() for g in grads]
    factor = max_norm / (norm + 1e-6)  # + 1e-6 as torch.nn.utils.clip_grad_norm_
    return [g * factor for g in grads]


def init_scale(scheme: str, fan_in: int, fan_out: int) -> float:
    """The std of a *_normal scheme, or the limit a of U(-a, a) of a *_uniform one."""
    family, distribution = scheme.split("_")
    variance = {
        "glorot": 2.0 / (fan_in + fan_out),
        "he": 2.0 / fan_in,
        "lecun": 1.0 / fan_in,
    }[family]
    std = np.sqrt(variance)
    if distribution == "uniform":
        return float(np.sqrt(3.0) * std)  # U(-a, a) has variance a² / 3
    return float(std)


def batchnorm_forward(
    x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float = 1e-5
) -> np.ndarray:
    """Standardize each feature over the batch (biased variance), then scale and shift."""
    mean = x.mean(axis=0)  # one mean per feature
    var = x.var(axis=0)  # biased: divides by n
    x_hat = (x - mean) / np.sqrt(var + eps)
    return gamma * x_hat + beta
