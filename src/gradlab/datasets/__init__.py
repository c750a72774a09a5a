"""Datasets to train on: seeded 2-D toy sets, scikit-learn's digits, MNIST and Fashion-MNIST.

Toy sets (the TensorFlow Playground's, in ``[-1, 1]^2``), each
``name(n_samples=200, noise=..., seed=0, *, dtype="float32") -> (X, y)`` with ``X`` of shape
``(n_samples, 2)``, ``y`` int64 and the classes balanced:

======================  =================================================================
:func:`xor`             quadrants labelled by ``sign(x1) * sign(x2)``
:func:`circles`         inner disc vs outer ring (``factor=0.5``)
:func:`moons`           two interleaving half circles
:func:`spirals`         2-4 interleaved spiral arms (``n_classes=2``, ``turns=1.75``)
:func:`gauss`           2-4 Gaussian blobs at fixed centres (``n_classes=2``)
:func:`linear`          two halves of the square split by a line through the origin
======================  =================================================================

``noise`` is the standard deviation of Gaussian noise added to both coordinates; the labels
come from the noise-free geometry. :func:`toy_names` lists the sets, :func:`load` calls one by
name. :func:`train_test_split` splits any ``(X, y)``, stratified and seeded.

Image sets return ``((X_train, y_train), (X_test, y_test))`` like Keras' ``load_data``:
:func:`digits` (8x8, bundled with scikit-learn), :func:`mnist` and :func:`fashion_mnist` (from
the four IDX files in a folder of yours; downloaded only with ``download=True``).
:func:`read_idx` / :func:`write_idx` read and write IDX files.

Every data set by name: :data:`REGISTRY` holds the image sets (:data:`IMAGE_SETS`) and the toy
sets with their aliases; :func:`names` lists them and :func:`get` returns a set's function.
Every look-up by name (:func:`get`, :func:`load`, ``gradlab train --data``) goes through it, so
an unknown name is answered the same way everywhere: with the closest names and all of them.

>>> from gradlab import datasets
>>> X, y = datasets.load("spirals", n_samples=300, noise=0.1, n_classes=3, seed=0)
>>> X_train, X_test, y_train, y_test = datasets.train_test_split(X, y, test_size=0.2, seed=0)
>>> X_train.shape, X_test.shape
((240, 2), (60, 2))
>>> datasets.get("Fashion-MNIST") is datasets.fashion_mnist
True
>>> datasets.get("digts")
Traceback (most recent call last):
    ...
ValueError: unknown dataset 'digts'; did you mean 'digits'? known: digits, mnist, \
fashion_mnist, xor, circles, moons, spirals, gauss, linear
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..registry import Registry
from . import toy
from .idx import read_idx, write_idx
from .split import train_test_split
from .toy import ToySet, circles, gauss, gauss_centres, linear, moons, spirals, toy_names, xor
from .vision import FILES, default_folder, digits, fashion_mnist, mnist

__all__ = [
    "FILES",
    "IMAGE_SETS",
    "REGISTRY",
    "circles",
    "default_folder",
    "digits",
    "fashion_mnist",
    "gauss",
    "gauss_centres",
    "get",
    "linear",
    "load",
    "mnist",
    "moons",
    "names",
    "read_idx",
    "spirals",
    "toy_names",
    "train_test_split",
    "write_idx",
    "xor",
]

#: The image sets, each ``name(...) -> ((X_train, y_train), (X_test, y_test))``.
IMAGE_SETS = ("digits", "mnist", "fashion_mnist")

#: Every data set by name: the image sets, then the toy sets with their aliases.
REGISTRY: Registry[Callable[..., Any]] = Registry("dataset")
for _name, _function in zip(IMAGE_SETS, (digits, mnist, fashion_mnist), strict=True):
    REGISTRY.add(_name, _function)
for _name in toy_names():
    REGISTRY.add(_name, toy.REGISTRY.lookup(_name), toy.REGISTRY.aliases(_name))


def names() -> list[str]:
    """Return the name of every data set: the image sets, then the toy sets."""
    return REGISTRY.names()


def get(name: str) -> Callable[..., Any]:
    """Return the function that makes the data set ``name`` (or an alias; case, ``_``, ``-``
    and spaces are ignored).

    A toy set's function returns ``(X, y)``, an image set's
    ``((X_train, y_train), (X_test, y_test))``; :data:`IMAGE_SETS` says which is which.

    Raises:
        TypeError: if ``name`` is not a string.
        ValueError: for an unknown name; the message suggests the closest names and lists all.
    """
    return REGISTRY.lookup(name)


def load(name: str, **kwargs: Any) -> ToySet:
    """Return the toy set called ``name`` (or an alias) as ``(X, y)``, passing ``kwargs`` on.

    Args:
        name: One of :func:`toy_names` or an alias (``"blobs"``, ``"two_moons"``, ...); case,
            ``_``, ``-`` and spaces are ignored.
        **kwargs: Arguments of that set (``n_samples``, ``noise``, ``seed``, ``dtype``, ...).

    Raises:
        ValueError: for an unknown name (the message suggests the closest of every data set
            and lists them all), or for an image set, which comes already split: call its
            function (``datasets.digits(...)``) or :func:`get`.

    Example:
        >>> X, y = load("two-moons", n_samples=50, seed=3)
        >>> X.shape
        (50, 2)
    """
    canonical = REGISTRY.canonical(name)
    if canonical in IMAGE_SETS:
        raise ValueError(
            f"load returns a toy set as (X, y), and {canonical!r} is an image set that comes "
            f"split in two: call datasets.{canonical}(...), which returns "
            "((X_train, y_train), (X_test, y_test))"
        )
    return toy.load(canonical, **kwargs)
