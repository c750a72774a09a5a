"""gradlab: learn, check and show how neural networks learn.

The engine is NumPy; PyTorch is the test oracle.

>>> import gradlab as gl
>>> from gradlab import layers
>>> model = gl.Sequential([layers.Dense(8, "tanh"), layers.Dense(2)], input_dim=2, seed=0)
>>> model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"])

Modules: :mod:`~gradlab.activations`, :mod:`~gradlab.layers`, :mod:`~gradlab.losses`,
:mod:`~gradlab.initializers`, :mod:`~gradlab.optimizers`, :mod:`~gradlab.datasets`,
:mod:`~gradlab.callbacks`, :mod:`~gradlab.metrics`; :func:`gradcheck` checks any gradient.
The heavier parts are imported on first use, so ``import gradlab`` stays fast and does not
import scikit-learn or matplotlib: after ``import gradlab``, ``gradlab.lab``,
``gradlab.estimators`` (``MLPClassifier``, ``MLPRegressor``), ``gradlab.exercises``,
``gradlab.plots`` and ``gradlab.playground`` work without an import of their own.
"""

from __future__ import annotations

from . import (
    activations,
    callbacks,
    datasets,
    diagnostics,
    initializers,
    layers,
    losses,
    metrics,
    optimizers,
)
from ._version import __version__
from .gradcheck import gradcheck
from .model import Sequential, TrainingDivergedError, TrainingStalledWarning, load_model, mlp

#: Names served by :func:`__getattr__` on first use: ``name -> (module, attribute or "")``.
_LAZY = {
    "estimators": ("estimators", ""),
    "MLPClassifier": ("estimators", "MLPClassifier"),
    "MLPRegressor": ("estimators", "MLPRegressor"),
    "lab": ("lab", ""),
    "exercises": ("exercises", ""),
    "plots": ("plots", ""),
    "playground": ("playground", ""),
}

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
    "diagnostics",
    "estimators",
    "exercises",
    "gradcheck",
    "initializers",
    "lab",
    "layers",
    "load_model",
    "losses",
    "metrics",
    "mlp",
    "optimizers",
    "playground",
    "plots",
]


def __getattr__(name: str) -> object:
    """Import a submodule (or a name from it) listed in ``_LAZY`` when it is first asked for."""
    if name not in _LAZY:
        raise AttributeError(f"module 'gradlab' has no attribute {name!r}")
    import importlib

    module_name, attr = _LAZY[name]
    module = importlib.import_module(f".{module_name}", __name__)
    return getattr(module, attr) if attr else module


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
