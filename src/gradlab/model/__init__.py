"""The model: a ``Sequential`` stack of layers, how it is built, trained, summarised and saved.

* :mod:`~gradlab.model.sequential` — :class:`Sequential` (compile, fit, evaluate, predict);
* :mod:`~gradlab.model.mlp` — :func:`mlp`, the one builder of a multi-layer perceptron.
"""

from __future__ import annotations

from .mlp import check_hidden_activation, mlp
from .sequential import Sequential

__all__ = ["Sequential", "check_hidden_activation", "mlp"]
