"""Boundary checks shared by the dataset functions.

Each check returns the cleaned value or raises a ``TypeError`` (wrong kind of value) or a
``ValueError`` (right kind, wrong value) whose message names the argument, what is allowed and
what was received.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = [
    "check_bool",
    "check_dtype",
    "check_int",
    "check_n_samples",
    "check_noise",
    "check_real",
    "make_rng",
]

Seed = int | np.random.Generator | None


def _describe(value: Any) -> str:
    return f"{type(value).__name__} {value!r}"


def _is_int(value: Any) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_)


def _is_real(value: Any) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    )


def check_int(name: str, value: Any, low: int, high: int | None = None) -> int:
    """Return ``value`` as an int in ``[low, high]`` (``high=None``: no upper bound)."""
    allowed = f"an int >= {low}" if high is None else f"an int in {low}..{high}"
    if not _is_int(value):
        raise TypeError(f"{name} must be {allowed}, got {_describe(value)}")
    if value < low or (high is not None and value > high):
        raise ValueError(f"{name} must be {allowed}, got {value}")
    return int(value)


def check_n_samples(n_samples: Any, n_classes: int = 1) -> int:
    """Return ``n_samples`` as a positive int, at least one point per class."""
    n = check_int("n_samples", n_samples, 1)
    if n < n_classes:
        raise ValueError(
            f"n_samples must be at least n_classes={n_classes} so that every class gets a "
            f"point, got {n}"
        )
    return n


def check_real(
    name: str,
    value: Any,
    low: float = -math.inf,
    high: float = math.inf,
    *,
    open_low: bool = False,
    open_high: bool = False,
) -> float:
    """Return ``value`` as a finite float in the interval ``low..high`` (open ends on request)."""
    left, right = "(" if open_low else "[", ")" if open_high else "]"
    if math.isinf(low) and math.isinf(high):
        allowed = "a finite number"
    elif math.isinf(high):
        allowed = f"a finite number {'>' if open_low else '>='} {low:g}"
    else:
        allowed = f"a number in {left}{low:g}, {high:g}{right}"
    if not _is_real(value):
        raise TypeError(f"{name} must be {allowed}, got {_describe(value)}")
    x = float(value)
    inside = (
        math.isfinite(x)
        and (x > low if open_low else x >= low)
        and (x < high if open_high else x <= high)
    )
    if not inside:
        raise ValueError(f"{name} must be {allowed}, got {x!r}")
    return x


def check_noise(noise: Any) -> float:
    """Return ``noise`` (a standard deviation) as a finite float >= 0."""
    return check_real("noise", noise, 0.0)


def check_bool(name: str, value: Any) -> bool:
    """Return ``value`` if it is a bool (``np.bool_`` too)."""
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be True or False, got {_describe(value)}")
    return bool(value)


def check_dtype(dtype: Any) -> np.dtype:
    """Return the floating dtype named by ``dtype`` (``"float32"``, ``np.float64``, ...)."""
    allowed = "a floating dtype such as 'float32' or 'float64'"
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype must be {allowed}, got {_describe(dtype)}") from None
    if dtype is None or dt.kind != "f":
        raise ValueError(f"dtype must be {allowed}, got {dtype!r}")
    return dt


def make_rng(seed: Any) -> np.random.Generator:
    """Return ``np.random.default_rng(seed)`` for an int >= 0, a ``Generator`` or ``None``."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is not None:
        check_int("seed", seed, 0)
    return np.random.default_rng(seed)
