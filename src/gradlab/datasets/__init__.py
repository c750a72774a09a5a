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

>>> from gradlab import datasets
>>> X, y = datasets.load("spirals", n_samples=300, noise=0.1, n_classes=3, seed=0)
>>> X_train, X_test, y_train, y_test = datasets.train_test_split(X, y, test_size=0.2, seed=0)
>>> X_train.shape, X_test.shape
((240, 2), (60, 2))
"""

from __future__ import annotations

from .idx import read_idx, write_idx
from .split import train_test_split
from .toy import circles, gauss, gauss_centres, linear, load, moons, spirals, toy_names, xor
from .vision import FILES, default_folder, digits, fashion_mnist, mnist

__all__ = [
    "FILES",
    "circles",
    "default_folder",
    "digits",
    "fashion_mnist",
    "gauss",
    "gauss_centres",
    "linear",
    "load",
    "mnist",
    "moons",
    "read_idx",
    "spirals",
    "toy_names",
    "train_test_split",
    "write_idx",
    "xor",
]
