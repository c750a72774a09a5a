"""Boundary checks of ``Sequential``: the data of ``fit``/``evaluate``/``predict`` and the
callbacks of ``fit`` (plain numbers go through :mod:`gradlab._checks`)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .. import losses as losses_mod
from .._checks import as_array
from ..callbacks import Callback

__all__ = ["check_arrays", "check_callbacks", "checks_targets"]


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


def check_callbacks(callbacks: Any) -> list[Callback]:
    """Return ``callbacks`` as a list after checking that each one is a ``Callback``."""
    if callbacks is None:
        return []
    if isinstance(callbacks, Callback):
        raise TypeError(
            f"callbacks must be a list of Callback objects, got one {type(callbacks).__name__}; "
            "wrap it in a list: callbacks=[...]"
        )
    if isinstance(callbacks, str | bytes) or not isinstance(callbacks, Iterable):
        raise TypeError(
            f"callbacks must be a list of Callback objects, got {type(callbacks).__name__}"
        )
    callbacks = list(callbacks)
    for i, cb in enumerate(callbacks):
        if not isinstance(cb, Callback):
            raise TypeError(
                f"callbacks[{i}] must be a gradlab.callbacks.Callback (subclass it and override "
                f"the on_* hooks you need), got {type(cb).__name__}: {cb!r}"
            )
    return callbacks
