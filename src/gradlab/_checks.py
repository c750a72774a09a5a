"""The validators every part of gradlab uses at its boundary: one set, one argument order.

Each check takes ``(value, name, ...)``, returns the value cleaned into a plain Python type
(``float``, ``int``, ``bool``) or a ``np.dtype``, and otherwise raises

* ``TypeError`` when the value is the wrong kind of thing (a string where a number belongs;
  ``bool`` is never accepted as a number), or
* ``ValueError`` when it is the right kind with a wrong value (out of range, not finite),

with a message that names the argument, says what is allowed and shows what was received::

    >>> check_number(1.5, "test_size", low=0, high=1, low_open=True, high_open=True)
    Traceback (most recent call last):
    ...
    ValueError: test_size must be a finite number in (0, 1), got 1.5

Plain Python floats are returned on purpose: under NumPy 2's promotion rules a Python float is
"weak", so ``float32_array * checked_lr`` stays float32, where a NumPy ``float64`` scalar would
silently upcast it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

__all__ = [
    "as_array",
    "check_bool",
    "check_config",
    "check_dtype",
    "check_int",
    "check_number",
    "check_optional_positive",
    "check_seed",
    "describe",
    "make_rng",
]

INF = math.inf


def describe(value: Any) -> str:
    """Return ``"<type> <repr>"`` of a received value, for error messages."""
    return f"{type(value).__name__} {value!r}"


def _is_real(value: Any) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    )


def _is_int(value: Any) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_)


def _interval(low: float, high: float, low_open: bool, high_open: bool) -> str:
    """Say which numbers ``low..high`` allows: "a finite number in [0, 1)" (an infinite bound
    is open), or just "a finite number" when both are infinite."""
    if math.isinf(low) and math.isinf(high):
        return "a finite number"
    left = "(" if low_open or math.isinf(low) else "["
    right = ")" if high_open or math.isinf(high) else "]"
    return f"a finite number in {left}{low:g}, {high:g}{right}"


def check_number(
    value: Any,
    name: str,
    *,
    low: float = -INF,
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

    Example:
        >>> check_number(-0.1, "noise", low=0.0)
        Traceback (most recent call last):
        ...
        ValueError: noise must be a finite number in [0, inf), got -0.1
    """
    allowed = _interval(low, high, low_open, high_open)
    if not _is_real(value):
        raise TypeError(f"{name} must be a real number, got {describe(value)}")
    number = float(value)
    below = number <= low if low_open else number < low
    above = number >= high if high_open else number > high
    if not math.isfinite(number) or below or above:
        raise ValueError(f"{name} must be {allowed}, got {number!r}")
    return number


def check_optional_positive(value: Any, name: str) -> float | None:
    """Return ``None`` unchanged, else ``value`` checked to be a finite number ``> 0``."""
    if value is None:
        return None
    return check_number(value, name, low=0.0, low_open=True)


def check_int(value: Any, name: str, *, low: int = 0, high: int | None = None) -> int:
    """Return ``value`` as a Python int in ``[low, high]`` (``high=None``: no upper bound).

    The message says "an int >= low", or "an int in low..high" for a closed range.
    """
    allowed = f"an int >= {low}" if high is None else f"an int in {low}..{high}"
    if not _is_int(value):
        raise TypeError(f"{name} must be {allowed}, got {describe(value)}")
    if value < low or (high is not None and value > high):
        raise ValueError(f"{name} must be {allowed}, got {value!r}")
    return int(value)


def check_bool(value: Any, name: str) -> bool:
    """Return ``value`` as a Python bool; anything but ``True``/``False`` is a ``TypeError``."""
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be a bool, got {describe(value)}")
    return bool(value)


def check_dtype(
    value: Any, name: str = "dtype", *, allowed: Iterable[Any] = ("float32", "float64")
) -> np.dtype:
    """Return ``np.dtype(value)`` when it is one of ``allowed`` (float32 and float64 by default).

    Raises:
        TypeError: if ``value`` names no dtype at all (``"flaot32"``, ``None``).
        ValueError: if it names a dtype outside ``allowed`` (``"int32"``, ``"float16"``).
    """
    options = [np.dtype(a) for a in allowed]
    wanted = " or ".join(repr(str(o)) for o in options)
    try:
        dt = np.dtype(value) if value is not None else None
    except TypeError:
        dt = None
    if dt is None:
        raise TypeError(f"{name} must be {wanted}, got {describe(value)}")
    if dt not in options:
        raise ValueError(f"{name} must be {wanted}, got {str(dt)!r}")
    return dt


def check_config(config: Any, owner: str, accepted: Iterable[str]) -> None:
    """Check that ``config`` is a mapping whose keys are all among ``accepted``."""
    if not isinstance(config, Mapping):
        raise TypeError(f"config must be a dict, got {type(config).__name__}: {config!r}")
    accepted = list(accepted)
    extra = set(config) - set(accepted)
    if extra:
        raise ValueError(
            f"{owner} got unexpected argument(s) {sorted(extra)}; it accepts {sorted(accepted)}"
        )


def as_array(value: Any, name: str, shape: tuple[int, ...] | None = None) -> np.ndarray:
    """``np.asarray(value)``, with NumPy's error for ragged nested lists made readable.

    Raises:
        ValueError: "<name> must be a rectangular array [of shape <shape>] (every row the same
            length); got nested sequences of different lengths (<type>)".
    """
    try:
        return np.asarray(value)
    except ValueError:
        of_shape = "" if shape is None else f" of shape {shape}"
        raise ValueError(
            f"{name} must be a rectangular array{of_shape} (every row the same length); got "
            f"nested sequences of different lengths ({type(value).__name__})"
        ) from None


def check_seed(value: Any, name: str = "seed") -> int | None:
    """Return ``None`` or an int ``>= 0`` usable by ``np.random.default_rng``."""
    if value is None:
        return None
    return check_int(value, name, low=0)


def make_rng(seed: Any, name: str = "seed") -> np.random.Generator:
    """Return ``np.random.default_rng(seed)`` for an int >= 0, a ``Generator`` or ``None``."""
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(check_seed(seed, name))
