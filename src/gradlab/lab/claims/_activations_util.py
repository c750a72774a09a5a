"""Helpers shared by the activation claims: finite differences, seed summaries, small MLPs, and
a ReLU that counts the exact zeros its derivative meets."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ... import activations
from ...model import Sequential
from ..claim import Verdict
from ..common import mlp
from ..common import spread as spread  # re-exported for the claims


def central_difference(
    f: Callable[[NDArray], NDArray], x: NDArray, h: float = 1e-5
) -> NDArray:
    """Return ``(f(x + h) - f(x - h)) / 2h``, the derivative measured without the formula."""
    return (f(x + h) - f(x - h)) / (2 * h)


def verdict_from_parts(parts: dict[str, bool], text: str, numbers: dict[str, Any]) -> Verdict:
    """Confirmed when every part holds, refuted when none does, else nuanced naming the failures."""
    failed = [name for name, ok in parts.items() if not ok]
    if not failed:
        return Verdict("confirmed", text, numbers)
    status = "refuted" if len(failed) == len(parts) else "nuanced"
    return Verdict(status, f"Fails: {'; '.join(failed)}. {text}", numbers)


def fit_mlp(
    X: NDArray,
    y: NDArray,
    *,
    hidden: Sequence[int],
    output: int,
    seed: int,
    epochs: int,
    activation: Any = "relu",
    output_activation: Any = None,
    loss: str = "cross_entropy",
    init: str = "he_normal",
    optimizer: Any = "adam",
    batch_size: int = 32,
    dtype: str = "float32",
    callbacks: Sequence[Any] = (),
) -> Sequential:
    """Build :func:`~gradlab.lab.common.mlp`, train it silently and return it."""
    model = mlp(
        X.shape[1], hidden, output, activation=activation, output_activation=output_activation,
        init=init, seed=seed, dtype=dtype,
    )
    model.compile(optimizer=optimizer, loss=loss)
    model.fit(X, y, epochs=epochs, batch_size=batch_size, verbose=0, callbacks=list(callbacks))
    return model


#: Bins of log10|z| for the histogram of the pre-activations seen in training.
LOG10_BINS = np.arange(-12.0, 3.0, 0.5)


class ReLUAtZero(activations.ElementwiseActivation):
    """``max(x, 0)`` whose derivative at exactly 0 is ``at_zero``; counts the zeros it meets.

    Each backward pass calls :meth:`derivative` on the pre-activations, so the counters see
    every pre-activation where the choice could matter.
    """

    name = "relu_at_zero"

    def __init__(self, at_zero: float = 0.0) -> None:
        self.at_zero = float(at_zero)
        self.zeros = 0
        self.seen = 0
        self.smallest = np.inf
        self.hist = np.zeros(len(LOG10_BINS) - 1, dtype=np.int64)

    def _f(self, x: np.ndarray) -> np.ndarray:
        return np.maximum(x, 0.0)

    def _df(self, x: np.ndarray, y: np.ndarray | None) -> np.ndarray:
        zero = x == 0
        self.zeros += int(zero.sum())
        self.seen += x.size
        size = np.abs(x[~zero])
        if size.size:
            self.smallest = min(self.smallest, float(size.min()))
            self.hist += np.histogram(np.log10(size), LOG10_BINS)[0]
        d = (x > 0).astype(x.dtype)
        d[zero] = self.at_zero
        return d

    def _info(self) -> dict[str, Any]:
        kink = activations.Kink(0.0, self.at_zero, 0.0, 1.0)
        return dict(activations.get("relu")._info(), kinks=(kink,))
