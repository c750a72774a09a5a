"""The training loop's parts: the bound per-``fit`` loop, NumPy's error state inside a step,
the finiteness check and the two ways a run can go wrong (it diverges, or it stalls)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..callbacks import Callback

Array = NDArray[np.floating]

__all__ = [
    "QUIET",
    "TrainingDivergedError",
    "TrainingLoop",
    "TrainingStalledWarning",
    "all_finite",
]


class TrainingDivergedError(FloatingPointError):
    """The loss or a gradient became NaN or infinite during training."""


class TrainingStalledWarning(UserWarning):
    """Training ran without overflowing but did not learn: the loss stayed at or above its
    starting value for several epochs, or the weights grew by orders of magnitude.

    ``Sequential.fit`` issues it once per call (``warnings.warn``), with the measured numbers
    and the usual remedies (a lower learning rate, ``clip_norm``, another initializer).
    Silence it with ``warnings.simplefilter("ignore", TrainingStalledWarning)`` where a
    diverging run is the point of the experiment.
    """


class TrainingLoop:
    """What one training step calls, bound once per ``fit`` (``Sequential._training_loop``)."""

    def __init__(
        self,
        forwards: list[Callable[[Array], Array]],
        backwards: list[Callable[[Array], Any]],
        loss_forward: Callable[[Array, NDArray], float],
        loss_backward: Callable[[], Array],
        callbacks: list[Callback],
    ) -> None:
        self.forwards, self.backwards = forwards, backwards
        self.loss_forward, self.loss_backward = loss_forward, loss_backward
        # Only the hooks a callback overrides are called, under the caller's error state.
        self.batch_begin = _hooks(callbacks, "on_batch_begin")
        self.after_backward = _hooks(callbacks, "on_after_backward")
        self.batch_end = _hooks(callbacks, "on_batch_end")
        self.errstate = np.geterr()

    def call(self, hooks: list[Callable[[int, dict], None]], batch: int, logs: dict) -> None:
        """Run callback hooks with NumPy's error state as it was when ``fit`` began."""
        with np.errstate(**self.errstate):
            for hook in hooks:
                hook(batch, logs)


#: NumPy's error state inside a training step (see ``Sequential._train_step``).
QUIET = {"over": "ignore", "invalid": "ignore", "divide": "ignore"}


def all_finite(a: Array) -> bool:
    """Whether every element of ``a`` is finite: one dot product, exact check on overflow."""
    flat = a.reshape(-1)
    return math.isfinite(float(np.dot(flat, flat))) or bool(np.isfinite(a).all())


def _hooks(callbacks: list[Callback], name: str) -> list[Callable[[int, dict], None]]:
    """Return the ``name`` hooks of the callbacks, leaving out the base class's no-ops."""
    noop = getattr(Callback, name)
    hooks = [getattr(cb, name) for cb in callbacks]
    return [hook for hook in hooks if getattr(hook, "__func__", None) is not noop]
