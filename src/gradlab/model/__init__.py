"""The model: a ``Sequential`` stack of layers, how it is built, trained, summarised and saved.

======================= =================================================================
module                  what lives there
======================= =================================================================
``sequential``          :class:`Sequential`: compile, fit, evaluate, predict, weights
``mlp``                 :func:`mlp`, the one builder of a multi-layer perceptron
``inputs``              boundary checks of the data given to ``fit``/``evaluate``/``predict``
``loop``                the bound training loop, the finiteness check, the training errors
``stall``               :class:`StallMonitor` and :func:`chance_loss`: did training learn?
``summary``             the text of ``Sequential.summary()``
``saving``              :func:`save_model` / :func:`load_model`: the ``.npz`` model file
======================= =================================================================
"""

from __future__ import annotations

from .loading import load_model
from .loop import TrainingDivergedError, TrainingStalledWarning
from .mlp import check_hidden_activation, mlp
from .saving import save_model
from .sequential import Sequential

__all__ = [
    "Sequential",
    "TrainingDivergedError",
    "TrainingStalledWarning",
    "check_hidden_activation",
    "load_model",
    "mlp",
    "save_model",
]
