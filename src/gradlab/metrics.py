"""Metrics reported by ``Sequential.fit`` / ``evaluate``: ``accuracy``, ``mse``, ``mae``.

A metric is ``metric(y_true, y_score, *, threshold=0.5) -> float``. For accuracy the score may
be probabilities or logits: with several outputs the predicted class is the arg-max (the same
for both, since softmax keeps the order); with one output the class is ``score >= threshold``
(0.5 for probabilities, 0 for logits). Targets may be integer labels or one-hot rows.

>>> import numpy as np
>>> accuracy(np.array([0, 2]), np.array([[0.9, 0.0, 0.1], [0.2, 0.3, 0.5]]))
1.0
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from .registry import Registry

__all__ = ["REGISTRY", "accuracy", "get", "mae", "mse", "names"]

Metric = Callable[..., float]
REGISTRY: Registry[Metric] = Registry("metric")


def _labels(y_true: NDArray, y_score: NDArray, threshold: float) -> tuple[NDArray, NDArray]:
    if y_score.ndim == 2 and y_score.shape[1] > 1:
        pred = np.argmax(y_score, axis=1)
        true = np.argmax(y_true, axis=1) if y_true.ndim == 2 else y_true
        return true, pred
    pred = y_score.reshape(-1) >= threshold
    true = y_true.reshape(-1) >= 0.5
    return true, pred


def accuracy(y_true: NDArray, y_score: NDArray, *, threshold: float = 0.5) -> float:
    """Return the fraction of samples whose predicted class equals the true class."""
    true, pred = _labels(np.asarray(y_true), np.asarray(y_score), threshold)
    return float(np.mean(true == pred)) if len(true) else 0.0


def _as_2d_pair(y_true: NDArray, y_score: NDArray) -> tuple[NDArray, NDArray]:
    y_true, y_score = np.asarray(y_true), np.asarray(y_score)
    if y_true.shape != y_score.shape and y_true.size == y_score.size:
        y_true = y_true.reshape(y_score.shape)
    return y_true, y_score


def mse(y_true: NDArray, y_score: NDArray, *, threshold: float = 0.5) -> float:
    """Return the mean squared error over every element."""
    y_true, y_score = _as_2d_pair(y_true, y_score)
    return float(np.mean((y_score - y_true) ** 2))


def mae(y_true: NDArray, y_score: NDArray, *, threshold: float = 0.5) -> float:
    """Return the mean absolute error over every element."""
    y_true, y_score = _as_2d_pair(y_true, y_score)
    return float(np.mean(np.abs(y_score - y_true)))


REGISTRY.add("accuracy", accuracy, ("acc",))
REGISTRY.add("mse", mse, ("mean_squared_error",))
REGISTRY.add("mae", mae, ("mean_absolute_error",))


def names() -> list[str]:
    """Return every registered metric's canonical name."""
    return REGISTRY.names()


def get(name: str) -> Metric:
    """Return the metric function for a name or alias (its ``__name__`` is the canonical name)."""
    return REGISTRY.lookup(name)
