"""The checks that only datasets need, built on :mod:`gradlab._checks` (the shared set).

Each returns the cleaned value or raises a ``TypeError`` (wrong kind of value) or a
``ValueError`` (right kind, wrong value) whose message names the argument, what is allowed and
what was received.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._checks import check_int, check_number

__all__ = ["Seed", "check_n_samples", "check_noise"]

Seed = int | np.random.Generator | None


def check_n_samples(n_samples: Any, n_classes: int = 1) -> int:
    """Return ``n_samples`` as a positive int, at least one point per class."""
    n = check_int(n_samples, "n_samples", low=1)
    if n < n_classes:
        raise ValueError(
            f"n_samples must be at least n_classes={n_classes} so that every class gets a "
            f"point, got {n}"
        )
    return n


def check_noise(noise: Any) -> float:
    """Return ``noise`` (a standard deviation) as a finite float >= 0."""
    return check_number(noise, "noise", low=0.0)
