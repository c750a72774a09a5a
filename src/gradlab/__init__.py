"""gradlab: learn, check and show how neural networks learn.

The engine is NumPy; PyTorch is the test oracle.

>>> import gradlab as gl
>>> from gradlab import layers
>>> model = gl.Sequential([layers.Dense(8, "tanh"), layers.Dense(2)], input_dim=2, seed=0)
>>> model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"])

Modules: :mod:`~gradlab.activations`, :mod:`~gradlab.layers`, :mod:`~gradlab.losses`,
:mod:`~gradlab.initializers`, :mod:`~gradlab.optimizers`, :mod:`~gradlab.datasets`,
:mod:`~gradlab.callbacks`, :mod:`~gradlab.metrics`; :func:`gradcheck` checks any gradient.
:mod:`~gradlab.estimators` (``MLPClassifier``, ``MLPRegressor``) is imported on first use, so
``import gradlab`` does not import scikit-learn.
"""

from __future__ import annotations

from . import (
    activations,
    callbacks,
    datasets,
    initializers,
    layers,
    losses,
    metrics,
    optimizers,
)
from ._version import __version__
from .gradcheck import gradcheck
from .model import Sequential, TrainingDivergedError, TrainingStalledWarning, load_model

#: Names served by :func:`__getattr__` on first use (they import scikit-learn).
_LAZY = {"estimators": "", "MLPClassifier": "estimators", "MLPRegressor": "estimators"}

__all__ = [
    "MLPClassifier",
    "MLPRegressor",
    "Sequential",
    "TrainingDivergedError",
    "TrainingStalledWarning",
    "__version__",
    "activations",
    "callbacks",
    "datasets",
    "estimators",
    "gradcheck",
    "initializers",
    "layers",
    "load_model",
    "losses",
    "metrics",
    "optimizers",
]


def __getattr__(name: str) -> object:
    """Import :mod:`gradlab.estimators` when it or one of its estimators is first asked for."""
    if name not in _LAZY:
        raise AttributeError(f"module 'gradlab' has no attribute {name!r}")
    import importlib

    module = importlib.import_module(".estimators", __name__)
    return getattr(module, name) if _LAZY[name] else module
