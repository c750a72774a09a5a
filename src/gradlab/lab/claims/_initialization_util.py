"""Helpers shared by the initialization claims (C16, C17, P1, P2, P3).

Deep stacks of ``Dense`` layers with one initializer, their per-layer statistics read through
:mod:`gradlab.diagnostics`, seed summaries, per-layer growth factors and the depth-profile
panel the figures share.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ... import diagnostics, initializers, layers
from ...model import Sequential
from ..claim import Verdict
from ..common import spread as spread  # re-exported for the claims

#: Colours per initializer (and per activation for the SELU comparison), shared by the figures.
COLORS = {
    "std 1": "#c62828",
    "std 0.01": "#7f7f7f",
    "xavier": "#1f77b4",
    "he": "#2ca02c",
    "standard": "#c62828",
    "normalized": "#1f77b4",
    "selu": "#2ca02c",
    "elu": "#ff7f0e",
    "tanh": "#d62728",
}

#: The "standard" initialization of Glorot & Bengio (2010): ``W ~ U(-1/sqrt(n_in), 1/sqrt(n_in))``,
#: i.e. variance ``1 / (3 n_in)``, written as a variance-scaling rule.
STANDARD_INIT = initializers.VarianceScaling(1.0 / 3.0, "fan_in", "uniform")


def dense_stack(
    depth: int,
    width: int,
    activation: Any,
    init: Any,
    *,
    input_dim: int,
    seed: int,
    output: int | None = None,
    dtype: str = "float64",
) -> Sequential:
    """Return ``depth`` layers ``Dense(width, activation)`` with ``init`` and zero biases.

    With ``output`` a linear ``Dense(output)`` (same initializer) closes the stack, for training.
    """
    stack = [layers.Dense(width, activation, kernel_initializer=init) for _ in range(int(depth))]
    if output:
        stack.append(layers.Dense(int(output), kernel_initializer=init))
    return Sequential(stack, input_dim=input_dim, seed=seed, dtype=dtype)


def depth_profile(model: Sequential, X: NDArray, n_layers: int | None = None) -> dict[str, NDArray]:
    """Per layer (the first ``n_layers``), from :func:`gradlab.diagnostics.layer_outputs`.

    Returns arrays ``pre_std`` (std of the pre-activations ``x W + b``), ``mean``, ``var`` and
    ``std`` of the outputs, each pooled over samples and units, in float64.
    """
    outputs = diagnostics.layer_outputs(model, X)[: n_layers or len(model.layers)]
    pre = [np.asarray(p if p is not None else h, dtype=np.float64) for p, h in outputs]
    out = [np.asarray(h, dtype=np.float64) for _, h in outputs]
    var = np.array([h.var() for h in out])
    return {
        "pre_std": np.array([p.std() for p in pre]),
        "mean": np.array([h.mean() for h in out]),
        "var": var,
        "std": np.sqrt(var),
    }


def geometric_mean(values: Any) -> float:
    """Return ``exp(mean(log values))`` of positive ``values`` (ratios averaged over seeds)."""
    return float(np.exp(np.mean(np.log(np.asarray(values, dtype=np.float64)))))


def per_layer_factor(values: Sequence[float], first: int = 0) -> float:
    """Return the mean factor per layer from layer ``first`` on: ``(v[-1] / v[first])^(1/k)``."""
    v = np.asarray(values, dtype=np.float64)
    steps = len(v) - 1 - first
    return float((v[-1] / v[first]) ** (1.0 / steps))


def train_mode_snapshot(model: Sequential, X: NDArray) -> list[dict[str, Any]]:
    """Return :func:`gradlab.diagnostics.snapshot` as the next training step would see ``X``.

    ``snapshot`` runs in inference mode, where a fresh ``BatchNorm`` uses its initial running
    statistics (mean 0, variance 1) and normalises nothing. On a copy, every BatchNorm takes
    momentum 1 and sees ``X`` once in training mode, so its running statistics become the batch
    statistics of ``X``; the model itself is not touched.
    """
    probe = copy.deepcopy(model)
    for layer in probe.layers:
        if isinstance(layer, layers.BatchNorm):
            layer.momentum = 1.0
    probe.forward(np.asarray(X, dtype=probe.dtype), training=True)
    for layer in probe.layers:
        layer.clear_cache()
    return diagnostics.snapshot(probe, X)


def verdict_from_parts(parts: dict[str, bool], measured: str, numbers: dict[str, Any]) -> Verdict:
    """Judge a claim made of several parts, each a named boolean.

    Every part holds: confirmed. At most half of them fail: nuanced, and the reason names the
    failing parts. More fail: refuted. ``measured`` is the sentence of measured numbers.
    """
    failed = [name for name, ok in parts.items() if not ok]
    if not failed:
        return Verdict("confirmed", measured, numbers)
    status = "nuanced" if len(failed) <= len(parts) // 2 else "refuted"
    return Verdict(status, f"Does not hold: {'; '.join(failed)}. {measured}", numbers)


def profile_panel(
    ax: Any,
    curves: dict[str, Any],
    *,
    ylabel: str,
    title: str,
    log: bool = True,
    start: int = 1,
) -> None:
    """Draw per-layer curves ``{label: {"mean": [...], "min": [...], "max": [...]}}``.

    The line is the mean over seeds, the band the seeds' range; layers count from ``start``.
    """
    for label, c in curves.items():
        mean = np.asarray(c["mean"], dtype=np.float64)
        x = np.arange(start, start + len(mean))
        color = COLORS.get(label)
        ax.plot(x, mean, marker=".", color=color, label=label)
        if "min" in c and "max" in c:
            ax.fill_between(x, c["min"], c["max"], color=color, alpha=0.2, lw=0)
    if log:
        ax.set_yscale("log")
    ax.set(title=title, xlabel="layer", ylabel=ylabel)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
