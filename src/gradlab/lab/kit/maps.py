"""Decision maps of 2-D classifiers (C1, C10): P(class 1) on a grid, the points, the drawing.

Maps and points are stored rounded to :data:`MAP_DECIMALS` decimals, enough to draw them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ...i18n import _
from ...model import Sequential

__all__ = ["MAP_DECIMALS", "class1_map", "draw_map", "grid_axis", "points"]

#: Decimals kept in stored decision maps and points (enough to draw them).
MAP_DECIMALS = 3


def grid_axis(lo: float, hi: float, n: int) -> NDArray:
    """Return ``n`` evenly spaced points from ``lo`` to ``hi`` (one axis of a square grid)."""
    return np.linspace(lo, hi, n)


def class1_map(model: Sequential, axis: NDArray) -> NDArray:
    """Return P(class 1) (softmax of the two outputs) on the square grid ``axis × axis``.

    Row ``i`` holds ``x2 = axis[i]``, column ``j`` ``x1 = axis[j]`` (as ``imshow`` and
    ``contourf`` expect). Rounded to :data:`MAP_DECIMALS` decimals.
    """
    x1, x2 = np.meshgrid(axis, axis)
    out = model.predict(np.stack([x1.ravel(), x2.ravel()], axis=1).astype(model.dtype))
    out = out.astype(np.float64)
    if out.shape[1] == 1:  # one unit: its value is the score of class 1
        p = out[:, 0]
    else:
        p = 1.0 / (1.0 + np.exp(np.clip(out[:, 0] - out[:, 1], -700, 700)))
    return np.round(p.reshape(len(axis), len(axis)), MAP_DECIMALS)


def points(X: NDArray, y: NDArray, n: int) -> dict[str, Any]:
    """Return the first ``n`` points (rounded) and labels, for scatter plots."""
    return {
        "X": np.round(np.asarray(X[:n], dtype=np.float64), MAP_DECIMALS),
        "y": np.asarray(y[:n]),
    }


def draw_map(
    ax: Any, axis: Sequence[float], probs: Any, pts: dict[str, Any], title: str, size: float = 9
) -> None:
    """Draw a P(class 1) map with the decision boundary (P = 0.5) and the points on ``ax``."""
    axis = np.asarray(axis)
    probs = np.asarray(probs, dtype=np.float64)
    ax.contourf(axis, axis, probs, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.55)
    if probs.min() < 0.5 < probs.max():
        ax.contour(axis, axis, probs, levels=[0.5], colors="k", linewidths=1.2)
    X, y = np.asarray(pts["X"]), np.asarray(pts["y"])
    for label, color in ((0, "#1f4e99"), (1, "#b2182b")):
        sel = y == label
        ax.scatter(
            X[sel, 0],
            X[sel, 1],
            s=size,
            c=color,
            edgecolors="white",
            linewidths=0.3,
            label=_("class {label}").format(label=label),
        )
    ax.set(
        title=title,
        xlabel="$x_1$",
        ylabel="$x_2$",
        xlim=(axis[0], axis[-1]),
        ylim=(axis[0], axis[-1]),
    )
    ax.set_aspect("equal")
