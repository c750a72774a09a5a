"""The playground's data: the toy data sets, their input features and the heatmap grid.

Points live in ``[-6, 6]^2`` as in TensorFlow Playground; the data sets are gradlab's toy sets
(:mod:`gradlab.datasets.toy`) scaled there, plus TensorFlow Playground's two regression sets,
plus the learner's own points (:mod:`.upload`), split here like the others.
The network's inputs are features of a point (``x1``, ``x1x2``, ``sin(x1)``, ...) in the
canonical order of :data:`~gradlab.playground.config.FEATURES`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..datasets import toy
from .config import DATASETS, LIMITS
from .upload import CustomData

__all__ = ["RANGE", "feature_matrix", "grid_points", "make_data", "split_custom", "train_count"]

#: Coordinates live in [-RANGE, RANGE]^2, as in TensorFlow Playground.
RANGE = 6.0

#: Standard deviation of the noise (in gradlab's unit square) at 100 % noise, per data set;
#: gauss also has a floor so that its blobs are blobs at 0 % (as TensorFlow Playground's).
_NOISE_SCALE = {"circle": 0.5, "xor": 0.5, "spiral": 0.5, "gauss": 0.7}
_GAUSS_FLOOR = 0.12

#: TensorFlow Playground's regress-gauss: centres (x, y) and signs.
_REG_GAUSSIANS = np.array(
    [[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]],
    dtype=np.float64,
)


def make_data(config: dict[str, Any], seed: int) -> dict[str, Any]:
    """Draw the data set of ``config`` and split it.

    Returns:
        ``{"task", "n_classes", "train": (P, y), "test": (P, y)}`` with ``P`` the points in
        ``[-6, 6]^2`` (float64, shape (n, 2)) and ``y`` int64 labels or float64 targets in
        ``[-1, 1]``.
    """
    name = config["dataset"]
    n = config["n_samples"]
    noise = config["noise"] / 100.0
    rng = np.random.default_rng(seed)
    task = DATASETS[name]["task"]
    if task == "classification":
        k = config["classes"]
        std = noise * _NOISE_SCALE[name]
        if name == "circle":
            P, y = toy.circles(n, std, rng, dtype="float64")
        elif name == "xor":
            P, y = toy.xor(n, std, rng, dtype="float64")
        elif name == "gauss":
            P, y = toy.gauss(n, _GAUSS_FLOOR + std, rng, n_classes=k, dtype="float64")
        else:
            P, y = toy.spirals(n, std, rng, n_classes=k, dtype="float64")
        P = np.clip(P * RANGE, -RANGE, RANGE)
        n_classes = k if name in ("gauss", "spiral") else 2
    else:
        # As TensorFlow Playground: uniform points; the label is taken at a point moved by
        # uniform noise of up to noise * 6 per coordinate.
        P = rng.uniform(-RANGE, RANGE, size=(n, 2))
        moved = P + rng.uniform(-RANGE, RANGE, size=(n, 2)) * noise
        if name == "plane":
            y = np.clip((moved[:, 0] + moved[:, 1]) / (2 * RANGE), -1.0, 1.0)
        else:
            y = _reg_gauss(moved)
        n_classes = 1
    order = rng.permutation(n)
    n_train = min(n - 1, train_count(n, config["train_ratio"]))
    train, test = order[:n_train], order[n_train:]
    return {
        "task": task,
        "n_classes": n_classes,
        "train": (P[train], y[train]),
        "test": (P[test], y[test]),
    }


def train_count(n: int, train_ratio: float) -> int:
    """How many of ``n`` points train: ``train_ratio`` percent of them, rounded, at least one
    (and at most ``n``: with few points the test set may be empty)."""
    return min(n, max(1, round(n * train_ratio / 100.0)))


def split_custom(custom: CustomData, train_ratio: float, seed: int) -> dict[str, Any]:
    """Split the learner's data set (:mod:`.upload`) as :func:`make_data` splits its own.

    A shuffle seeded by ``seed`` (the data seed: ``regenerate`` draws the next one), then the
    first ``train_ratio`` percent train (at least one point) and the rest test (possibly
    none). Every point is kept. Returns :func:`make_data`'s dict.
    """
    n = len(custom.y)
    order = np.random.default_rng(seed).permutation(n)
    n_train = train_count(n, train_ratio)
    train, test = order[:n_train], order[n_train:]
    P, y = custom.points, custom.y
    return {
        "task": custom.task,
        "n_classes": custom.n_classes,
        "train": (P[train], y[train]),
        "test": (P[test], y[test]),
    }


def _reg_gauss(P: NDArray[np.float64]) -> NDArray[np.float64]:
    """TensorFlow Playground's regress-gauss label: the strongest signed bump at each point."""
    d = np.hypot(P[:, None, 0] - _REG_GAUSSIANS[:, 0], P[:, None, 1] - _REG_GAUSSIANS[:, 1])
    values = _REG_GAUSSIANS[:, 2] * np.clip(1.0 - d / 2.0, 0.0, 1.0)
    pick = np.argmax(np.abs(values), axis=1)
    return values[np.arange(len(P)), pick]


def feature_matrix(P: NDArray[np.floating], features: list[str]) -> NDArray[np.float64]:
    """Return the input columns ``features`` (canonical order) for points ``P`` (n, 2)."""
    x1, x2 = P[:, 0], P[:, 1]
    columns = {
        "x1": lambda: x1,
        "x2": lambda: x2,
        "x1sq": lambda: x1 * x1,
        "x2sq": lambda: x2 * x2,
        "x1x2": lambda: x1 * x2,
        "sinx1": lambda: np.sin(x1),
        "sinx2": lambda: np.sin(x2),
    }
    return np.column_stack([columns[f]() for f in features]).astype(np.float64)


def grid_points(g: int = LIMITS["grid"]) -> NDArray[np.float64]:
    """The heatmap's ``g * g`` points, row-major: row 0 at x2 = +6, column 0 at x1 = -6."""
    x1 = np.linspace(-RANGE, RANGE, g)
    x2 = np.linspace(RANGE, -RANGE, g)
    X1, X2 = np.meshgrid(x1, x2)
    return np.column_stack([X1.ravel(), X2.ravel()])
