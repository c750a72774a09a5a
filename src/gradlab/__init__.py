"""gradlab: learn, check and show how neural networks learn.

The engine is NumPy; PyTorch is the test oracle.

>>> import gradlab as gl
>>> from gradlab import layers
>>> model = gl.Sequential([layers.Dense(8, "tanh"), layers.Dense(2)], input_dim=2, seed=0)
>>> model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"])

Modules: :mod:`~gradlab.activations`, :mod:`~gradlab.layers`, :mod:`~gradlab.losses`,
:mod:`~gradlab.initializers`, :mod:`~gradlab.optimizers`, :mod:`~gradlab.datasets`,
:mod:`~gradlab.callbacks`, :mod:`~gradlab.metrics`; :func:`gradcheck` checks any gradient.
"""

from __future__ import annotations

__version__ = "0.1.0"

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
from .gradcheck import gradcheck
from .model import Sequential
from .serialization import load_model
from .training import TrainingDivergedError

__all__ = [
    "Sequential",
    "TrainingDivergedError",
    "__version__",
    "activations",
    "callbacks",
    "datasets",
    "gradcheck",
    "initializers",
    "layers",
    "load_model",
    "losses",
    "metrics",
    "optimizers",
]
