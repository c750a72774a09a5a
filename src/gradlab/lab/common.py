"""Shared pieces of the lab's experiments: seeds, data, model building and figures.

Experiments import from here so that every claim draws its seeds, loads digits (or real MNIST
from ``--data-dir``) and lays out its figures the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from numpy.typing import NDArray

from .. import datasets, layers
from ..model import Sequential

__all__ = [
    "STATUS_COLORS",
    "accuracy",
    "digits_data",
    "figure",
    "mlp",
    "spawn_seeds",
    "spread",
]

#: Colours of the verdicts in figures and in the report.
STATUS_COLORS = {"confirmed": "#2e7d32", "refuted": "#c62828", "nuanced": "#ef6c00"}


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
    for key, fn in (("mean", np.nanmean), ("std", np.nanstd), ("min", np.nanmin),
                    ("max", np.nanmax)):
        out = np.where(empty, np.nan, fn(filled, axis=axis))
        stats[key] = float(out) if out.ndim == 0 else out
    return stats


def accuracy(model: Sequential, X: NDArray, y: NDArray) -> float:
    """Return the share of rows whose largest output is the label (inference mode).

    Overflow in a model that training pushed to huge weights is tolerated: an infinite logit
    still has an argmax, and the accuracy is what the experiment records.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        return float(np.mean(np.argmax(model.predict(X), axis=1) == y))


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


def mlp(
    input_dim: int,
    hidden: Sequence[int],
    output: int,
    *,
    activation: Any = "relu",
    output_activation: Any = None,
    init: Any = "glorot_uniform",
    batchnorm: bool = False,
    seed: int = 0,
    dtype: str = "float32",
) -> Sequential:
    """Build a plain MLP: ``Dense(h, activation)`` per hidden width, then ``Dense(output)``.

    With ``batchnorm`` each hidden layer is ``Dense -> BatchNorm -> Activation``.
    """
    stack: list[layers.Layer] = []
    for width in hidden:
        if batchnorm:
            stack += [
                layers.Dense(width, kernel_initializer=init),
                layers.BatchNorm(),
                layers.Activation(activation),
            ]
        else:
            stack.append(layers.Dense(width, activation=activation, kernel_initializer=init))
    stack.append(layers.Dense(output, activation=output_activation, kernel_initializer=init))
    return Sequential(stack, input_dim=input_dim, seed=seed, dtype=dtype)


def figure(ncols: int = 1, nrows: int = 1, *, width: float = 4.2, height: float = 3.2, **kw: Any):
    """Return ``(fig, axes)``: a pyplot-free Figure with a grid of axes (axes squeezed).

    Figures are saved by the runner; nothing opens a window.
    """
    fig = Figure(figsize=(width * ncols, height * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=True, **kw)
    return fig, axes
