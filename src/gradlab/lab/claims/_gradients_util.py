"""Helpers shared by the gradient claims (C3, C4, C6, C8, C13).

Nets with a chosen initializer and bias, per-layer gradient norms from :mod:`gradlab.diagnostics`,
training that records a divergence as an outcome instead of failing, seed statistics and the
per-layer profile panel the figures share.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ... import diagnostics, layers
from ...callbacks import Callback
from ...model import Sequential
from ...training import TrainingDivergedError
from ..common import spread

#: Colours per activation, the same in every figure of the family.
COLORS = {
    "sigmoid": "#1f77b4",
    "tanh": "#d62728",
    "relu": "#2ca02c",
    "leaky_relu": "#9467bd",
    "elu": "#ff7f0e",
    "prelu": "#8c564b",
}


def build_net(
    hidden: Sequence[int],
    *,
    activation: Any,
    init: Any,
    bias: float = 0.0,
    seed: int,
    input_dim: int = 64,
    output: int = 10,
    dtype: str = "float32",
) -> Sequential:
    """Return an MLP ``Dense(h, activation)`` per hidden width, then a linear ``Dense(output)``.

    ``activation="prelu"`` builds ``Dense(h) -> PReLU()`` (one learned slope per unit, starting
    at 0.25). ``bias`` is the constant the hidden biases start at (0 as usual; negative values
    shift every hidden unit towards its flat side). The output layer keeps a zero bias.
    """
    bias_init: Any = {"name": "constant", "config": {"value": float(bias)}} if bias else "zeros"
    stack: list[layers.Layer] = []
    for width in hidden:
        if activation == "prelu":
            stack += [
                layers.Dense(width, kernel_initializer=init, bias_initializer=bias_init),
                layers.PReLU(),
            ]
        else:
            stack.append(
                layers.Dense(
                    width, activation, kernel_initializer=init, bias_initializer=bias_init
                )
            )
    stack.append(layers.Dense(output, kernel_initializer=init))
    return Sequential(stack, input_dim=input_dim, seed=seed, dtype=dtype)


def gradient_profile(model: Sequential, X: NDArray, y: NDArray) -> dict[str, NDArray]:
    """Per layer with weights, from :func:`gradlab.diagnostics.snapshot` at the current weights.

    Returns ``grad_w``: ``‖∂L/∂W‖`` of each kernel; ``grad_act``: the norm of the gradient
    arriving at each layer's output (mean over samples), input layer first.
    """
    stats = diagnostics.snapshot(model, X, y)
    with_weights = [s for s, layer in zip(stats, model.layers, strict=True) if layer.params]
    return {
        "grad_w": np.array([s["grad_w_norm"] for s in with_weights]),
        "grad_act": np.array([s["grad_act_norm"] for s in with_weights]),
    }


def profile_at_init(
    hidden: Sequence[int], X: NDArray, y: NDArray, **net: Any
) -> dict[str, NDArray]:
    """Build ``build_net(hidden, **net)`` and return its :func:`gradient_profile` on ``(X, y)``
    with the cross-entropy loss, before any update."""
    model = build_net(hidden, dtype=X.dtype.name, **net)
    model.compile(optimizer="sgd", loss="cross_entropy")
    return gradient_profile(model, X, y)


def profiles_over_seeds(
    hidden: Sequence[int], X: NDArray, y: NDArray, seeds: Sequence[int], **net: Any
) -> dict[str, NDArray]:
    """:func:`profile_at_init` for every seed: ``grad_w`` and ``grad_act``, (seeds, layers)."""
    profiles = [profile_at_init(hidden, X, y, seed=s, **net) for s in seeds]
    return {key: np.array([p[key] for p in profiles]) for key in ("grad_w", "grad_act")}


def decades(values: NDArray, first: int, last: int) -> dict[str, float]:
    """:func:`spread` over seeds of ``log10(values[:, first] / values[:, last])``."""
    return spread(np.log10(values[:, first] / values[:, last]))


class _Position(Callback):
    """Remember the epoch and batch being trained (to say where a divergence happened) and the
    loss of every step."""

    def __init__(self) -> None:
        super().__init__()
        self.epoch = self.batch = 0
        self.losses: list[float] = []

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any]) -> None:
        self.epoch = epoch

    def on_batch_begin(self, batch: int, logs: dict[str, Any]) -> None:
        self.batch = batch

    def on_batch_end(self, batch: int, logs: dict[str, Any]) -> None:
        self.losses.append(float(logs["loss"]))


def train(
    model: Sequential,
    X: NDArray,
    y: NDArray,
    *,
    epochs: int,
    batch_size: int,
    callbacks: Sequence[Callback] = (),
) -> dict[str, Any]:
    """Fit ``model`` and return its per-epoch ``loss`` and ``accuracy``; a divergence is a result.

    ``step_loss`` is the loss of every step (before its update). On
    :class:`gradlab.TrainingDivergedError` training stops and ``diverged_at`` holds the 1-based
    ``(epoch, batch)`` of the batch that went non-finite; the curves hold what came before it.
    """
    where = _Position()
    diverged_at = None
    try:
        model.fit(
            X, y, epochs=epochs, batch_size=batch_size, verbose=0, callbacks=[where, *callbacks]
        )
    except TrainingDivergedError:
        diverged_at = (where.epoch + 1, where.batch + 1)
    history = model.history.history
    return {
        "loss": np.array(history.get("loss", []), dtype=np.float64),
        "accuracy": np.array(history.get("accuracy", []), dtype=np.float64),
        "step_loss": np.array(where.losses, dtype=np.float64),
        "diverged_at": diverged_at,
    }


def profile_panel(
    ax: Any,
    curves: dict[str, NDArray],
    *,
    title: str,
    ylabel: str,
    xlabel: str = "layer (1 = next to the input)",
    labels: dict[str, str] | None = None,
) -> None:
    """Draw per-layer curves (``seeds x layers`` arrays): geometric mean and min-max band, log y.

    Keys are ``"activation"`` or ``"activation, init"``; a repeated activation is dashed.
    """
    seen: set[str] = set()
    for key, values in curves.items():
        v = np.atleast_2d(np.asarray(values, dtype=np.float64))
        x = np.arange(1, v.shape[1] + 1)
        act = key.split(",")[0].strip()
        color, ls = COLORS.get(act), "--" if act in seen else "-"
        seen.add(act)
        label = (labels or {}).get(key, key)
        mean = np.exp(np.log(v).mean(axis=0))
        ax.plot(x, mean, marker=".", ls=ls, color=color, label=label)
        ax.fill_between(x, v.min(axis=0), v.max(axis=0), color=color, alpha=0.2, lw=0)
    ax.set_yscale("log")
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=7)
