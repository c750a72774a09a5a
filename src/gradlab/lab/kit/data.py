"""The data of the digit experiments: the bundled 8x8 digits, or real MNIST from ``--data-dir``."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from ... import datasets

__all__ = ["digits_data"]


def digits_data(
    config: dict[str, Any], seed: int, *, standardize: bool = False, dtype: str = "float32"
) -> tuple[NDArray, NDArray, NDArray, NDArray]:
    """Return ``X_train, y_train, X_test, y_test`` for the digit experiments.

    The bundled 8x8 digits (pixels in [0, 1]) by default. With ``config["data_dir"]`` set
    (``gradlab reproduce --data-dir DIR``) real MNIST is read from the IDX files in ``DIR``,
    and ``config["n_train"]`` / ``config["n_test"]``, when given, take seeded subsets of it.
    With ``standardize`` each feature is centred and scaled by the training statistics.
    """
    data_dir = config.get("data_dir")
    if data_dir:
        (X_tr, y_tr), (X_te, y_te) = datasets.mnist(data_dir, dtype=dtype)
        rng = np.random.default_rng(seed)
        n_train, n_test = config.get("n_train"), config.get("n_test")
        if n_train and n_train < len(X_tr):
            keep = rng.choice(len(X_tr), int(n_train), replace=False)
            X_tr, y_tr = X_tr[keep], y_tr[keep]
        if n_test and n_test < len(X_te):
            keep = rng.choice(len(X_te), int(n_test), replace=False)
            X_te, y_te = X_te[keep], y_te[keep]
    else:
        (X_tr, y_tr), (X_te, y_te) = datasets.digits(seed=seed, dtype=dtype)
    if standardize:
        mean = X_tr.mean(axis=0)
        std = X_tr.std(axis=0)
        std[std == 0] = 1
        X_tr = (X_tr - mean) / std
        X_te = (X_te - mean) / std
    return X_tr, y_tr, X_te, y_te
