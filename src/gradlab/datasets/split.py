"""Seeded, optionally stratified train/test split."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._checks import check_bool, check_number, make_rng
from ._checks import Seed

__all__ = ["train_test_split"]


def _stratified_test_counts(counts: NDArray[np.int64], n_test: int) -> NDArray[np.int64]:
    """Share ``n_test`` over the classes in proportion to ``counts`` (largest remainder)."""
    exact = counts * n_test / counts.sum()
    share = np.floor(exact).astype(np.int64)
    remainder = n_test - int(share.sum())
    # Ties go to the lower class index (stable sort), so the split is a function of the seed.
    share[np.argsort(share - exact, kind="stable")[:remainder]] += 1
    return share


def train_test_split(
    X: ArrayLike,
    y: ArrayLike,
    test_size: float = 0.2,
    seed: Seed = 0,
    stratify: bool = True,
) -> tuple[NDArray[Any], NDArray[Any], NDArray[Any], NDArray[Any]]:
    """Split ``(X, y)`` into shuffled train and test parts, in scikit-learn's order.

    The test part gets ``ceil(test_size * n)`` rows, as in scikit-learn. With ``stratify``,
    class ``c`` with ``n_c`` rows sends ``n_c * n_test / n`` of them to the test part (rounded
    by largest remainder so the shares add up to ``n_test``), so every class keeps its
    proportion in both parts to within one row. Rows are picked and then shuffled with
    ``np.random.default_rng(seed)``.

    Args:
        X: Samples, shape ``(n, ...)``.
        y: Labels, shape ``(n,)``.
        test_size: Fraction of the rows for the test part, in ``(0, 1)``. Default 0.2.
        seed: Seed (or ``Generator``) for ``np.random.default_rng``. Default 0.
        stratify: Keep the class proportions of ``y`` in both parts. Default True.

    Returns:
        ``(X_train, X_test, y_train, y_test)``, as ``sklearn.model_selection.train_test_split``.

    Raises:
        ValueError: if ``X`` and ``y`` differ in length, ``y`` is not 1-D, ``test_size`` is
            outside ``(0, 1)``, a part would be empty, or (``stratify``) a class has fewer
            than 2 rows.

    Example:
        >>> X, y = np.arange(20).reshape(10, 2), np.array([0] * 5 + [1] * 5)
        >>> X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, seed=0)
        >>> X_tr.shape, np.bincount(y_te).tolist()
        ((8, 2), [1, 1])
    """
    X, y = np.asarray(X), np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D (one label per row of X), got shape {y.shape}")
    if X.ndim == 0 or len(X) != len(y):
        raise ValueError(
            f"X and y must have the same number of rows, got X of shape {X.shape} and y of "
            f"shape {y.shape}"
        )
    test_size = check_number(
        test_size, "test_size", low=0.0, high=1.0, low_open=True, high_open=True
    )
    stratify = check_bool(stratify, "stratify")
    rng = make_rng(seed)
    n = len(y)
    n_test = math.ceil(test_size * n)
    if n_test >= n:
        raise ValueError(
            f"test_size={test_size} of {n} rows leaves no training rows; use a smaller "
            "test_size or more rows"
        )
    if stratify:
        classes, inverse, counts = np.unique(y, return_inverse=True, return_counts=True)
        if counts.min() < 2:
            rare = classes[np.argmin(counts)].item()
            raise ValueError(
                f"stratify=True needs at least 2 rows per class, but class {rare!r} has "
                f"{counts.min()}; pass stratify=False or add rows"
            )
        share = _stratified_test_counts(counts, n_test)
        is_test = np.zeros(n, dtype=bool)
        for c, k in enumerate(share):
            members = np.flatnonzero(inverse == c)
            is_test[rng.choice(members, size=k, replace=False)] = True
        test_idx = rng.permutation(np.flatnonzero(is_test))
        train_idx = rng.permutation(np.flatnonzero(~is_test))
    else:
        order = rng.permutation(n)
        test_idx, train_idx = order[:n_test], order[n_test:]
    return X[train_idx], X[test_idx], y[train_idx], y[test_idx]
