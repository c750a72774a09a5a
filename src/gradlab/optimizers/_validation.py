"""Checks for optimizer and schedule hyper-parameters, with messages that name the argument.

Every check returns the value as a plain Python type (``float``, ``int`` or ``bool``). Python
floats are "weak" under NumPy 2's promotion rules, so a float32 array times a checked
hyper-parameter stays float32; a NumPy ``float64`` scalar would silently upcast it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = [
    "check_bool",
    "check_config",
    "check_int",
    "check_number",
    "check_optional_positive",
]

INF = math.inf


def check_number(
    value: Any,
    name: str,
    *,
    low: float = 0.0,
    high: float = INF,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """Return ``value`` as a Python float after checking it is a finite real in the interval.

    Args:
        value: The received value.
        name: Argument name used in the error message.
        low, high: Bounds of the allowed interval (closed unless ``low_open`` / ``high_open``).

    Raises:
        TypeError: if ``value`` is not a real number (``bool`` is refused too).
        ValueError: if it is not finite or lies outside the interval.
    """
    if isinstance(value, bool | np.bool_) or not isinstance(
        value, int | float | np.integer | np.floating
    ):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}: {value!r}")
    number = float(value)
    below = number <= low if low_open else number < low
    above = number >= high if high_open else number > high
    if not math.isfinite(number) or below or above:
        left = "(" if low_open or math.isinf(low) else "["
        right = ")" if high_open or math.isinf(high) else "]"
        raise ValueError(
            f"{name} must be a finite number in {left}{low:g}, {high:g}{right}, got {value!r}"
        )
    return number


def check_optional_positive(value: Any, name: str) -> float | None:
    """Return ``None`` unchanged, else ``value`` checked to be a finite number ``> 0``."""
    if value is None:
        return None
    return check_number(value, name, low_open=True)


def check_int(value: Any, name: str, *, low: int = 0) -> int:
    """Return ``value`` as a Python int after checking it is an integer ``>= low``."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}: {value!r}")
    if value < low:
        raise ValueError(f"{name} must be an int >= {low}, got {value!r}")
    return int(value)


def check_bool(value: Any, name: str) -> bool:
    """Return ``value`` as a Python bool; anything but ``True``/``False`` is a ``TypeError``."""
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be a bool, got {type(value).__name__}: {value!r}")
    return bool(value)


def check_config(config: Any, owner: str, accepted: Any) -> None:
    """Check that ``config`` is a mapping whose keys are all among ``accepted``."""
    if not isinstance(config, Mapping):
        raise TypeError(f"config must be a dict, got {type(config).__name__}: {config!r}")
    extra = set(config) - set(accepted)
    if extra:
        raise ValueError(
            f"{owner} got unexpected argument(s) {sorted(extra)}; it accepts {sorted(accepted)}"
        )
