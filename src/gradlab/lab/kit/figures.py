"""Figures of the lab: pyplot-free figures, the colours series keep across figures, and the
per-layer panels several claims draw.

Figures are saved by the runner; nothing opens a window.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..._figure import Figure
from ...i18n import _

__all__ = [
    "ACTIVATION_COLORS",
    "INITIALIZER_COLORS",
    "figure",
    "layer_band_panel",
    "seed_band_panel",
]

#: Colours per activation in the gradient figures (C3, C4, C6, C8).
ACTIVATION_COLORS = {
    "sigmoid": "#1f77b4",
    "tanh": "#d62728",
    "relu": "#2ca02c",
    "leaky_relu": "#9467bd",
    "elu": "#ff7f0e",
    "prelu": "#8c564b",
}

#: Colours per initializer (and per activation for the SELU comparison) in the initialization
#: figures (C16, P1, P2, P3).
INITIALIZER_COLORS = {
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


def figure(ncols: int = 1, nrows: int = 1, *, width: float = 4.2, height: float = 3.2, **kw: Any):
    """Return ``(fig, axes)``: a pyplot-free Figure with a grid of axes (axes squeezed)."""
    fig = Figure(figsize=(width * ncols, height * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=True, **kw)
    return fig, axes


def seed_band_panel(
    ax: Any,
    curves: dict[str, NDArray],
    *,
    title: str,
    ylabel: str,
    xlabel: str | None = None,
    labels: dict[str, str] | None = None,
) -> None:
    """Draw per-layer curves (``seeds x layers`` arrays): geometric mean and min-max band, log y.

    Keys are ``"activation"`` or ``"activation, init"``, coloured by
    :data:`ACTIVATION_COLORS`; a repeated activation is dashed.
    """
    seen: set[str] = set()
    for key, values in curves.items():
        v = np.atleast_2d(np.asarray(values, dtype=np.float64))
        x = np.arange(1, v.shape[1] + 1)
        act = key.split(",")[0].strip()
        color, ls = ACTIVATION_COLORS.get(act), "--" if act in seen else "-"
        seen.add(act)
        label = (labels or {}).get(key, key)
        mean = np.exp(np.log(v).mean(axis=0))
        ax.plot(x, mean, marker=".", ls=ls, color=color, label=label)
        ax.fill_between(x, v.min(axis=0), v.max(axis=0), color=color, alpha=0.2, lw=0)
    ax.set_yscale("log")
    if xlabel is None:
        xlabel = _("layer (1 = next to the input)")
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=7)


def layer_band_panel(
    ax: Any,
    curves: dict[str, Any],
    *,
    ylabel: str,
    title: str,
    log: bool = True,
    start: int = 1,
) -> None:
    """Draw per-layer curves already summarised over seeds: ``{label: spread}``.

    Each value holds ``"mean"`` (the line) and optionally ``"min"`` and ``"max"`` (the band),
    per layer; layers count from ``start``; colours from :data:`INITIALIZER_COLORS`.
    """
    for label, c in curves.items():
        mean = np.asarray(c["mean"], dtype=np.float64)
        x = np.arange(start, start + len(mean))
        color = INITIALIZER_COLORS.get(label)
        ax.plot(x, mean, marker=".", color=color, label=label)
        if "min" in c and "max" in c:
            ax.fill_between(x, c["min"], c["max"], color=color, alpha=0.2, lw=0)
    if log:
        ax.set_yscale("log")
    ax.set(title=title, xlabel=_("layer"), ylabel=ylabel)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
