"""What the experiments read off a network: per-layer gradient and activation profiles,
growth factors through depth, and derivatives measured without their formula.

The per-layer numbers come from :mod:`gradlab.diagnostics`; this module picks and shapes them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ... import diagnostics
from ...model import Sequential, mlp
from .seeds import spread

__all__ = [
    "central_difference",
    "decades",
    "depth_profile",
    "gradient_profile",
    "per_layer_factor",
    "profile_at_init",
    "profiles_over_seeds",
]


def central_difference(f: Callable[[NDArray], NDArray], x: NDArray, h: float = 1e-5) -> NDArray:
    """Return ``(f(x + h) - f(x - h)) / 2h``, the derivative measured without the formula."""
    return (f(x + h) - f(x - h)) / (2 * h)


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
    hidden: Sequence[int], X: NDArray, y: NDArray, *, activation: Any, init: Any, seed: int
) -> dict[str, NDArray]:
    """Return the :func:`gradient_profile` on ``(X, y)`` of a fresh net, before any update.

    The net is ``mlp(hidden, 10, activation=..., init=...)`` on ``X``'s features, in ``X``'s
    dtype, with the cross-entropy loss.
    """
    model = mlp(
        hidden,
        10,
        input_dim=X.shape[1],
        activation=activation,
        init=init,
        seed=seed,
        dtype=X.dtype.name,
    )
    model.compile(optimizer="sgd", loss="cross_entropy")
    return gradient_profile(model, X, y)


def profiles_over_seeds(
    hidden: Sequence[int], X: NDArray, y: NDArray, seeds: Sequence[int], **net: Any
) -> dict[str, NDArray]:
    """:func:`profile_at_init` for every seed: ``grad_w`` and ``grad_act``, (seeds, layers)."""
    profiles = [profile_at_init(hidden, X, y, seed=s, **net) for s in seeds]
    return {key: np.array([p[key] for p in profiles]) for key in ("grad_w", "grad_act")}


def decades(values: NDArray, first: int, last: int) -> dict[str, float]:
    """:func:`~.seeds.spread` over seeds of ``log10(values[:, first] / values[:, last])``."""
    return spread(np.log10(values[:, first] / values[:, last]))


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


def per_layer_factor(values: Sequence[float], first: int = 0) -> float:
    """Return the mean factor per layer from layer ``first`` on: ``(v[-1] / v[first])^(1/k)``.

    >>> per_layer_factor([1.0, 2.0, 4.0])
    2.0
    """
    v = np.asarray(values, dtype=np.float64)
    steps = len(v) - 1 - first
    return float((v[-1] / v[first]) ** (1.0 / steps))
