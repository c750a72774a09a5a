"""Optimizers that match ``torch.optim`` step for step, with clipping and epoch schedules.

>>> import numpy as np
>>> from gradlab import optimizers
>>> w = np.array([1.0, -2.0])                   # a live parameter array, updated in place
>>> opt = optimizers.get("sgd")                 # torch's defaults: SGD(lr=1e-3)
>>> opt = optimizers.Adam(lr=0.1, clip_norm=1.0,
...                       schedule=optimizers.StepDecay(step_size=10, gamma=0.5))
>>> opt.on_epoch_begin(0)                       # the fit loop calls this every epoch
>>> opt.step([w], [2 * w])                      # gradient of |w|²
>>> opt.last_grad_norm                          # before clipping
4.47213595499958
>>> optimizers.serialize(opt)["name"]
'adam'

Every optimizer: ``step(params, grads)`` (in place, never writes ``grads``), ``lr``,
``base_lr``, ``iterations``, ``last_grad_norm``, ``on_epoch_begin(epoch)``, ``get_config`` /
``from_config``, ``get_state`` / ``set_state`` (flat arrays for ``np.savez``), ``reset``.
``names()`` lists the registry; ``get`` / ``serialize`` / ``deserialize`` round-trip.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import schedules
from .adaptive import Adagrad, Adam, AdamW, RMSprop
from .base import REGISTRY, Optimizer, global_norm
from .schedules import CosineDecay, ExponentialDecay, LambdaSchedule, Schedule, StepDecay
from .sgd import SGD, Momentum, Nesterov

__all__ = [
    "REGISTRY",
    "SGD",
    "Adagrad",
    "Adam",
    "AdamW",
    "CosineDecay",
    "ExponentialDecay",
    "LambdaSchedule",
    "Momentum",
    "Nesterov",
    "Optimizer",
    "RMSprop",
    "Schedule",
    "StepDecay",
    "deserialize",
    "get",
    "global_norm",
    "names",
    "schedules",
    "serialize",
]

Identifier = str | Mapping[str, Any] | Optimizer | type[Optimizer]


def names() -> list[str]:
    """Return the canonical name of every registered optimizer."""
    return REGISTRY.names()


def get(identifier: Identifier) -> Optimizer:
    """Return an optimizer for a name, a serialized dict or an instance.

    Args:
        identifier: A registered name (case and ``_``/``-`` ignored) -> a new instance with
            torch's defaults; a dict ``{"name": ..., "config": {...}}`` from
            :func:`serialize`; an :class:`Optimizer` (returned as is) or an optimizer class
            (instantiated with its defaults).

    Raises:
        ValueError: for an unknown name (the message suggests the closest ones) or a bad
            config.
        TypeError: for any other kind of identifier.
    """
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        return REGISTRY.lookup(identifier)()
    if isinstance(identifier, Mapping):
        return deserialize(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Optimizer):
        return identifier()
    raise TypeError(
        "optimizer must be a name (str), a dict {'name': ..., 'config': {...}} or an "
        f"Optimizer; got {type(identifier).__name__}: {identifier!r}"
    )


def serialize(optimizer: Optimizer) -> dict[str, Any]:
    """Return ``{"name": canonical name, "config": optimizer.get_config()}`` (JSON-friendly).

    Raises:
        ValueError: when the optimizer has a ``LambdaSchedule`` (a function is not JSON).
    """
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"serialize expects an Optimizer, got {type(optimizer).__name__}")
    return {"name": optimizer.name, "config": optimizer.get_config()}


def deserialize(config: str | Mapping[str, Any]) -> Optimizer:
    """Rebuild an optimizer from what :func:`serialize` returned (or a bare name)."""
    cls, params = REGISTRY.unpack(config)
    return cls.from_config(params)
