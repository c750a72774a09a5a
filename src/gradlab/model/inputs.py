"""Boundary checks of ``Sequential``: the data of ``fit``/``evaluate``/``predict`` and the
arguments that are not data (callbacks, positive ints)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .. import losses as losses_mod
from .._checks import as_array

__all__ = ["check_arrays", "checks_targets"]


def checks_targets(loss: losses_mod.Loss) -> bool:
    """Whether ``loss`` computes through ``check`` + ``forward_train`` (its ``forward`` is the
    base class's), so targets can be checked and converted once per ``fit``."""
    return type(loss).forward is losses_mod.Loss.forward


def check_arrays(
    X: Any, y: Any, where: str, dtype: np.dtype
) -> tuple[NDArray[np.floating], NDArray[Any] | None]:
    """Validate inputs at the API boundary and convert ``X`` to ``dtype``.

    Raises ``TypeError`` for non-numeric data and ``ValueError`` for wrong shapes, NaN/inf,
    mismatched lengths or (when ``y`` is given: training and scoring) no rows at all, naming
    the argument, what was expected and what was received.
    """
    X = as_array(X, f"{where}: X")
    if X.dtype.kind not in "biuf":
        raise TypeError(f"{where}: X must be numeric, got dtype {X.dtype}")
    if X.ndim != 2:
        hint = " (use X.reshape(-1, 1) for a single feature)" if X.ndim == 1 else ""
        raise ValueError(f"{where}: X must be 2-D (samples, features), got shape {X.shape}{hint}")
    if y is not None and len(X) == 0:
        raise ValueError(
            f"{where}: X has no rows (shape {X.shape}); training and scoring need at least one "
            "sample"
        )
    X = X.astype(dtype, copy=False)
    # One summing pass over X, no temporary: a finite sum means every value is finite. Only
    # when it is not (a NaN/inf, or finite values whose sum overflows) is X checked element
    # by element.
    with np.errstate(over="ignore", invalid="ignore"):
        total = float(np.add.reduce(X, axis=None))
    if not math.isfinite(total) and not np.isfinite(X).all():
        bad = ~np.isfinite(X)
        row = int(np.argwhere(bad)[0][0])
        raise ValueError(
            f"{where}: X contains NaN or inf (first at row {row}); clean the data first"
        )
    if y is None:
        return X, None
    y = as_array(y, f"{where}: y")
    if y.dtype.kind not in "biuf":
        raise TypeError(f"{where}: y must be numeric, got dtype {y.dtype}")
    if y.ndim == 0 or len(y) != len(X):
        got = "a scalar" if y.ndim == 0 else f"{len(y)} rows"
        raise ValueError(
            f"{where}: X and y must have the same number of rows; X has {len(X)}, y has {got}"
        )
    if y.dtype.kind == "f":
        bad = ~np.isfinite(y)
        if bad.any():
            row = int(np.argwhere(bad)[0][0])
            raise ValueError(f"{where}: y contains NaN or inf (first at row {row})")
    return X, y
