"""Seeds for several runs of one experiment, and what the runs did over those seeds.

All randomness of an experiment comes from its one ``seed``; :func:`spawn_seeds` derives the
independent seeds of its repeated runs, and :func:`spread` / :func:`geometric_mean` summarise
what the runs measured.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["geometric_mean", "spawn_seeds", "spread"]


def spawn_seeds(seed: int, n: int) -> list[int]:
    """Return ``n`` independent integer seeds derived from ``seed`` (``SeedSequence.spawn``).

    >>> spawn_seeds(0, 2) == spawn_seeds(0, 2)
    True
    """
    children = np.random.SeedSequence(int(seed)).spawn(int(n))
    return [int(c.generate_state(1)[0]) for c in children]


def spread(values: Any, axis: int = 0) -> dict[str, Any]:
    """Return ``mean``, ``std``, ``min`` and ``max`` of ``values`` over ``axis`` (the seeds).

    NaN entries (a run that produced no number) are ignored; where every entry is NaN the
    result is NaN. Scalars come back as floats, per-position statistics as arrays.

    >>> spread([1.0, 3.0, float("nan")])
    {'mean': 2.0, 'std': 1.0, 'min': 1.0, 'max': 3.0}
    """
    v = np.asarray(values, dtype=np.float64)
    stats = {}
    empty = np.isnan(v).all(axis=axis)
    filled = np.where(np.isnan(v).all(axis=axis, keepdims=True), 0.0, v)
    for key, fn in (
        ("mean", np.nanmean),
        ("std", np.nanstd),
        ("min", np.nanmin),
        ("max", np.nanmax),
    ):
        out = np.where(empty, np.nan, fn(filled, axis=axis))
        stats[key] = float(out) if out.ndim == 0 else out
    return stats


def geometric_mean(values: Any) -> float:
    """Return ``exp(mean(log values))`` of positive ``values`` (ratios averaged over seeds).

    >>> geometric_mean([0.5, 2.0])
    1.0
    """
    return float(np.exp(np.mean(np.log(np.asarray(values, dtype=np.float64)))))
