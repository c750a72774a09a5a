"""Seeded two-dimensional toy classification sets, as in the TensorFlow Playground.

Every set has the signature ``name(n_samples=200, noise=..., seed=0, *, ..., dtype="float32")``
and returns ``(X, y)``: ``X`` of shape ``(n_samples, 2)`` in ``dtype``, ``y`` of shape
``(n_samples,)`` with ``np.int64`` labels ``0 .. n_classes - 1``.

How every set is drawn, from ``rng = np.random.default_rng(seed)``:

1. Labels: the classes get ``n_samples // n_classes`` points each, and the first
   ``n_samples % n_classes`` classes one more (balanced as evenly as possible).
2. Noise-free points ``P`` on the set's geometry (described in each docstring). All sets live in
   about the square ``[-1, 1]^2`` (moons: ``[-1, 2] x [-0.5, 1]``), so one noise level means
   about the same thing for each of them.
3. ``X = P + noise * Z`` with ``Z`` standard normal, drawn even when ``noise == 0``: the
   label of a point comes from the noise-free geometry, and for a given seed ``P`` and ``y`` do
   not depend on ``noise`` (only the spread around them does).
4. The rows are shuffled.

``noise`` is therefore the standard deviation of isotropic Gaussian noise in the same units as
the coordinates. ``toy_names()`` lists the sets and ``load(name, **kwargs)`` calls one by name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import DTypeLike, NDArray

from .._checks import check_dtype, check_int, check_number, make_rng
from ..registry import Registry
from ._checks import Seed, check_n_samples, check_noise

__all__ = ["REGISTRY", "circles", "gauss", "linear", "load", "moons", "spirals", "toy_names", "xor"]

ToySet = tuple[NDArray[np.floating], NDArray[np.int64]]

REGISTRY: Registry[Callable[..., ToySet]] = Registry("dataset")

_TWO_PI = 2.0 * np.pi


def _balanced_labels(n: int, n_classes: int) -> NDArray[np.int64]:
    """Return ``n`` labels, class ``c`` repeated ``n // n_classes (+1 for c < n % n_classes)``."""
    counts = np.full(n_classes, n // n_classes)
    counts[: n % n_classes] += 1
    return np.repeat(np.arange(n_classes, dtype=np.int64), counts)


def _finish(
    rng: np.random.Generator, points: NDArray, y: NDArray, noise: float, dtype: np.dtype
) -> ToySet:
    """Add ``noise * N(0, 1)`` to ``points``, shuffle the rows, cast ``X`` to ``dtype``."""
    X = points + noise * rng.standard_normal(points.shape)
    order = rng.permutation(len(y))
    return X[order].astype(dtype), y[order]


def _start(n_samples: Any, noise: Any, seed: Seed, dtype: DTypeLike, n_classes: int = 2):
    """Validate the common arguments; return ``(rng, labels, noise, dtype)``."""
    n = check_n_samples(n_samples, n_classes)
    noise = check_noise(noise)
    dt = check_dtype(dtype)
    rng = make_rng(seed)
    return rng, _balanced_labels(n, n_classes), noise, dt


@REGISTRY.register("xor", aliases=("exclusive_or",))
def xor(
    n_samples: int = 200, noise: float = 0.1, seed: Seed = 0, *, dtype: DTypeLike = "float32"
) -> ToySet:
    """Return the XOR set: the square's quadrants labelled by the sign of ``x1 * x2``.

    Points are uniform in the square ``[-1, 1]^2``; class 1 fills the first and third quadrants
    and class 0 the second and fourth (the TensorFlow Playground's "exclusive or"):

    .. math:: y = [x_1 x_2 > 0]

    No straight line separates the classes; a network needs a hidden layer.

    Args:
        n_samples: Number of points, split evenly over the 2 classes. Default 200.
        noise: Standard deviation of the Gaussian noise added to each coordinate (the square
            has side 2). Default 0.1.
        seed: Seed (or ``Generator``) for ``np.random.default_rng``. Default 0.
        dtype: Floating dtype of ``X``. Default ``"float32"``.

    Returns:
        ``(X, y)``: ``X`` of shape ``(n_samples, 2)``, ``y`` of shape ``(n_samples,)`` int64.

    Example:
        >>> X, y = xor(100, noise=0.0, seed=1)
        >>> bool(np.all(y == (X[:, 0] * X[:, 1] > 0)))
        True
    """
    rng, y, noise, dt = _start(n_samples, noise, seed, dtype)
    P = rng.uniform(-1.0, 1.0, size=(len(y), 2))
    wrong = (P[:, 0] * P[:, 1] > 0) != (y == 1)
    P[wrong, 0] *= -1.0  # mirror into a quadrant of the right class; stays uniform there
    return _finish(rng, P, y, noise, dt)


@REGISTRY.register("circles", aliases=("circle",))
def circles(
    n_samples: int = 200,
    noise: float = 0.05,
    seed: Seed = 0,
    *,
    factor: float = 0.5,
    dtype: DTypeLike = "float32",
) -> ToySet:
    r"""Return an inner disc (class 1) inside an outer ring (class 0).

    Points are uniform by area: class 1 in the disc ``r <= factor``, class 0 in the ring
    ``(1 + factor) / 2 <= r <= 1``, so the empty gap between them is as wide as the ring:

    .. math:: r = \sqrt{u}, \quad u \sim U(r_{lo}^2, r_{hi}^2), \quad
              \theta \sim U(0, 2\pi), \quad P = r (\cos\theta, \sin\theta)

    Labels follow scikit-learn's ``make_circles`` (0 outer, 1 inner).

    Args:
        n_samples: Number of points, split evenly over the 2 classes. Default 200.
        noise: Standard deviation of the Gaussian noise added to each coordinate (outer radius
            1, gap ``(1 - factor) / 2``). Default 0.05.
        seed: Seed (or ``Generator``) for ``np.random.default_rng``. Default 0.
        factor: Radius of the inner disc relative to the outer radius, in ``(0, 1)``.
            Default 0.5.
        dtype: Floating dtype of ``X``. Default ``"float32"``.

    Returns:
        ``(X, y)``: ``X`` of shape ``(n_samples, 2)``, ``y`` of shape ``(n_samples,)`` int64.

    Example:
        >>> X, y = circles(100, noise=0.0, dtype="float64")
        >>> r = np.hypot(X[:, 0], X[:, 1])
        >>> bool(r[y == 1].max() <= 0.5 < 0.75 <= r[y == 0].min())
        True
    """
    factor = check_number(factor, "factor", low=0.0, high=1.0, low_open=True, high_open=True)
    rng, y, noise, dt = _start(n_samples, noise, seed, dtype)
    lo = np.where(y == 1, 0.0, (1.0 + factor) / 2.0)
    hi = np.where(y == 1, factor, 1.0)
    r = np.sqrt(rng.uniform(lo**2, hi**2))
    theta = rng.uniform(0.0, _TWO_PI, size=len(y))
    P = np.column_stack([r * np.cos(theta), r * np.sin(theta)])
    return _finish(rng, P, y, noise, dt)


@REGISTRY.register("moons", aliases=("moon", "two_moons"))
def moons(
    n_samples: int = 200, noise: float = 0.1, seed: Seed = 0, *, dtype: DTypeLike = "float32"
) -> ToySet:
    r"""Return two interleaving half circles of radius 1 (scikit-learn's ``make_moons``).

    With ``t ~ U(0, pi)``, class 0 is the upper arc and class 1 the lower arc, shifted so that
    each arc's tip reaches into the other's hollow:

    .. math:: P_0 = (\cos t, \sin t), \qquad P_1 = (1 - \cos t, \tfrac12 - \sin t)

    Args:
        n_samples: Number of points, split evenly over the 2 classes. Default 200.
        noise: Standard deviation of the Gaussian noise added to each coordinate (the arcs
            have radius 1). Default 0.1.
        seed: Seed (or ``Generator``) for ``np.random.default_rng``. Default 0.
        dtype: Floating dtype of ``X``. Default ``"float32"``.

    Returns:
        ``(X, y)``: ``X`` of shape ``(n_samples, 2)``, ``y`` of shape ``(n_samples,)`` int64.

    Example:
        >>> X, y = moons(100, noise=0.0, dtype="float64")
        >>> bool(np.allclose(np.hypot(X[y == 0, 0], X[y == 0, 1]), 1.0))
        True
    """
    rng, y, noise, dt = _start(n_samples, noise, seed, dtype)
    t = rng.uniform(0.0, np.pi, size=len(y))
    upper = y == 0
    P = np.column_stack(
        [
            np.where(upper, np.cos(t), 1.0 - np.cos(t)),
            np.where(upper, np.sin(t), 0.5 - np.sin(t)),
        ]
    )
    return _finish(rng, P, y, noise, dt)


@REGISTRY.register("spirals", aliases=("spiral",))
def spirals(
    n_samples: int = 200,
    noise: float = 0.05,
    seed: Seed = 0,
    *,
    n_classes: int = 2,
    turns: float = 1.75,
    dtype: DTypeLike = "float32",
) -> ToySet:
    r"""Return ``n_classes`` interleaved Archimedean spiral arms, one per class.

    Arm ``c`` of ``k = n_classes`` is the spiral ``r = t`` rotated by ``2 pi c / k``, with
    ``t ~ U(0, 1)``; the arms wind ``turns`` times around the origin:

    .. math:: \theta = 2\pi\,(\text{turns} \cdot t + c / k), \qquad
              P = t\,(\cos\theta, \sin\theta)

    Neighbouring arms are ``1 / (turns * k)`` apart along a ray (0.29 for the default two
    arms), so noise above about half of that blurs them into each other.

    Args:
        n_samples: Number of points, split evenly over the classes. Default 200.
        noise: Standard deviation of the Gaussian noise added to each coordinate (outer radius
            1). Default 0.05.
        seed: Seed (or ``Generator``) for ``np.random.default_rng``. Default 0.
        n_classes: Number of arms, 2 to 4. Default 2.
        turns: Number of turns of each arm, > 0. Default 1.75 (as the TensorFlow Playground).
        dtype: Floating dtype of ``X``. Default ``"float32"``.

    Returns:
        ``(X, y)``: ``X`` of shape ``(n_samples, 2)``, ``y`` of shape ``(n_samples,)`` int64.

    Example:
        >>> X, y = spirals(300, n_classes=3, seed=0)
        >>> X.shape, np.bincount(y).tolist()
        ((300, 2), [100, 100, 100])
    """
    k = check_int(n_classes, "n_classes", low=2, high=4)
    turns = check_number(turns, "turns", low=0.0, low_open=True)
    rng, y, noise, dt = _start(n_samples, noise, seed, dtype, n_classes=k)
    t = rng.uniform(0.0, 1.0, size=len(y))
    theta = _TWO_PI * (turns * t + y / k)
    P = np.column_stack([t * np.cos(theta), t * np.sin(theta)])
    return _finish(rng, P, y, noise, dt)


def gauss_centres(n_classes: int = 2) -> NDArray[np.float64]:
    """Return the fixed blob centres of :func:`gauss`, shape ``(n_classes, 2)``.

    Centre ``c`` lies on the unit circle at angle ``pi/4 + 2 pi c / n_classes``.
    """
    k = check_int(n_classes, "n_classes", low=2, high=4)
    angle = np.pi / 4 + _TWO_PI * np.arange(k) / k
    return np.column_stack([np.cos(angle), np.sin(angle)])


@REGISTRY.register("gauss", aliases=("gaussian", "blobs"))
def gauss(
    n_samples: int = 200,
    noise: float = 0.25,
    seed: Seed = 0,
    *,
    n_classes: int = 2,
    dtype: DTypeLike = "float32",
) -> ToySet:
    r"""Return ``n_classes`` isotropic Gaussian blobs at fixed, well-separated centres.

    Class ``c`` is centred at ``mu_c`` on the unit circle (see :func:`gauss_centres`) and
    ``noise`` is the blobs' standard deviation; with ``noise = 0`` every point sits on its centre:

    .. math:: \mu_c = (\cos\phi_c, \sin\phi_c), \quad \phi_c = \pi/4 + 2\pi c / k,
              \qquad X = \mu_y + \text{noise} \cdot \mathcal{N}(0, I_2)

    Neighbouring centres are ``2 sin(pi / k)`` apart: 2 for two blobs, 1.41 for four.

    Args:
        n_samples: Number of points, split evenly over the classes. Default 200.
        noise: Standard deviation of each blob, per coordinate. Default 0.25.
        seed: Seed (or ``Generator``) for ``np.random.default_rng``. Default 0.
        n_classes: Number of blobs, 2 to 4. Default 2.
        dtype: Floating dtype of ``X``. Default ``"float32"``.

    Returns:
        ``(X, y)``: ``X`` of shape ``(n_samples, 2)``, ``y`` of shape ``(n_samples,)`` int64.

    Example:
        >>> X, y = gauss(8, noise=0.0, n_classes=4, dtype="float64")
        >>> bool(np.allclose(X, gauss_centres(4)[y]))
        True
    """
    centres = gauss_centres(n_classes)
    rng, y, noise, dt = _start(n_samples, noise, seed, dtype, n_classes=len(centres))
    return _finish(rng, centres[y], y, noise, dt)


@REGISTRY.register("linear", aliases=("linearly_separable",))
def linear(
    n_samples: int = 200,
    noise: float = 0.1,
    seed: Seed = 0,
    *,
    angle: float = 45.0,
    dtype: DTypeLike = "float32",
) -> ToySet:
    r"""Return a linearly separable set: the square split by a line through the origin.

    Points are uniform in the square ``[-1, 1]^2``; the boundary is the line through the origin
    perpendicular to the unit normal ``w`` at ``angle`` degrees, and class 1 lies on the side
    ``w`` points to:

    .. math:: w = (\cos\alpha, \sin\alpha), \qquad y = [w \cdot x > 0]

    With the default 45 degrees class 1 is the upper-right half, above ``x2 = -x1``.
    A single neuron (logistic regression, a perceptron) separates it exactly when ``noise = 0``.

    Args:
        n_samples: Number of points, split evenly over the 2 classes. Default 200.
        noise: Standard deviation of the Gaussian noise added to each coordinate (the square
            has side 2). Default 0.1.
        seed: Seed (or ``Generator``) for ``np.random.default_rng``. Default 0.
        angle: Direction of the normal ``w`` in degrees. Default 45.
        dtype: Floating dtype of ``X``. Default ``"float32"``.

    Returns:
        ``(X, y)``: ``X`` of shape ``(n_samples, 2)``, ``y`` of shape ``(n_samples,)`` int64.

    Example:
        >>> X, y = linear(100, noise=0.0, dtype="float64")
        >>> bool(np.all(y == (X.sum(axis=1) > 0)))
        True
    """
    alpha = np.deg2rad(check_number(angle, "angle"))
    rng, y, noise, dt = _start(n_samples, noise, seed, dtype)
    w = np.array([np.cos(alpha), np.sin(alpha)])
    P = rng.uniform(-1.0, 1.0, size=(len(y), 2))
    wrong = (P @ w > 0) != (y == 1)
    P[wrong] *= -1.0  # p -> -p maps the square onto itself and swaps the two halves
    return _finish(rng, P, y, noise, dt)


def toy_names() -> list[str]:
    """Return the canonical names of the toy sets, in a stable order."""
    return REGISTRY.names()


def load(name: str, **kwargs: Any) -> ToySet:
    """Return the toy set called ``name`` (or an alias), passing ``kwargs`` on to it.

    Args:
        name: One of :func:`toy_names` or an alias (``"blobs"``, ``"two_moons"``, ...); case,
            ``_``, ``-`` and spaces are ignored.
        **kwargs: Arguments of that set (``n_samples``, ``noise``, ``seed``, ``dtype``, ...).

    Raises:
        ValueError: for an unknown name; the message suggests the closest known ones.

    Example:
        >>> X, y = load("two-moons", n_samples=50, seed=3)
        >>> X.shape
        (50, 2)
    """
    return REGISTRY.lookup(name)(**kwargs)
