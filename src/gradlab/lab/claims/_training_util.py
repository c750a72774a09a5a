"""Helpers of the training claims (C7, C14, C15): seeded digit runs, seed statistics, tables."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ...callbacks import Callback
from ...model import Sequential
from ...training import TrainingDivergedError
from ..common import accuracy, mlp
from ..common import spread as spread  # re-exported for the claims

#: Most points kept of a stored curve (longer ones are thinned evenly, the last point kept).
MAX_CURVE_POINTS = 200


def thin(curve: Sequence[float], max_points: int = MAX_CURVE_POINTS) -> NDArray:
    """Return ``curve`` with at most ``max_points`` evenly spaced entries (first and last kept)."""
    c = np.asarray(curve, dtype=np.float64)
    if len(c) <= max_points:
        return c
    return c[np.unique(np.linspace(0, len(c) - 1, max_points).round().astype(int))]


def digits_model(
    config: dict[str, Any],
    seed: int,
    optimizer: Any,
    *,
    activation: str = "relu",
    init: str = "glorot_uniform",
) -> Sequential:
    """Build ``mlp(64, config["hidden"], 10)`` and compile it with ``optimizer`` and cross
    entropy (softmax fused into the loss)."""
    model = mlp(64, config["hidden"], 10, activation=activation, init=init, seed=seed)
    model.compile(optimizer=optimizer, loss="cross_entropy")
    return model


class StopAfter(Callback):
    """Stop ``fit`` after exactly ``steps`` optimisation steps (``None``: never)."""

    def __init__(self, steps: int | None) -> None:
        super().__init__()
        self.steps = steps
        self.done = 0

    def on_batch_end(self, batch: int, logs: dict[str, Any]) -> None:
        self.done += 1
        if self.steps is not None and self.done >= self.steps:
            self.model.stop_training = True


class ErrorToTarget(Callback):
    """Evaluate the training error every ``every`` steps; stop once it reaches ``target``.

    The evaluations are timed, so the caller can subtract them from the training time.
    """

    def __init__(self, X: np.ndarray, y: np.ndarray, every: int, steps: int, target: float):
        super().__init__()
        self.X, self.y, self.every, self.steps, self.target = X, y, every, steps, target
        self.errors: list[float] = []
        self.epochs: list[float] = []
        self.reached: float | None = None
        self.eval_seconds = 0.0
        self.done = 0

    def on_batch_end(self, batch: int, logs: dict[str, Any]) -> None:
        self.done += 1
        if self.done % self.every:
            return
        start = time.perf_counter()
        error = 1.0 - accuracy(self.model, self.X, self.y)
        self.eval_seconds += time.perf_counter() - start
        self.errors.append(error)
        self.epochs.append(self.done / self.steps)
        if error <= self.target:
            self.reached = self.done / self.steps
            self.model.stop_training = True


def fit_or_diverge(
    model: Sequential,
    X: NDArray,
    y: NDArray,
    *,
    epochs: int,
    batch_size: int,
    callbacks: Sequence[Callback] = (),
) -> tuple[list[float], bool, float]:
    """Fit silently; return (per-epoch training loss, whether it diverged, seconds).

    A :class:`~gradlab.TrainingDivergedError` (loss or gradient NaN/inf) is a measured outcome,
    not an error: the losses seen so far are returned with ``diverged=True``.
    """
    start = time.perf_counter()
    try:
        history = model.fit(
            X, y, epochs=epochs, batch_size=batch_size, verbose=0, callbacks=list(callbacks)
        )
        losses, diverged = list(history.history["loss"]), False
    except TrainingDivergedError:
        losses, diverged = list(model.history.history.get("loss", [])), True
    return losses, diverged, time.perf_counter() - start


def fmt_spread(s: dict[str, float], digits: int = 3) -> str:
    """``mean ± std`` for a table cell."""
    return f"{s['mean']:.{digits}f} ± {s['std']:.{digits}f}"
