"""Layers with explicit ``forward`` / ``backward``: the chain rule, one layer at a time.

>>> import numpy as np
>>> from gradlab import layers
>>> dense = layers.Dense(4, activation="relu")
>>> dense.build(3, rng=np.random.default_rng(0), dtype="float64")
>>> y = dense.forward(np.ones((2, 3)), training=True)
>>> dx = dense.backward(np.ones_like(y))     # fills dense.grads["W"], dense.grads["b"]
>>> dx.shape, sorted(dense.grads)
((2, 3), ['W', 'b'])
"""

from __future__ import annotations

from typing import Any

from .base import REGISTRY, Layer, register_layer
from .core import Activation, Dense
from .dropout import Dropout
from .maxout import Maxout
from .normalization import BatchNorm, LayerNorm
from .rectifiers import FReLU, PReLU
from .residual import Residual

__all__ = [
    "REGISTRY",
    "Activation",
    "BatchNorm",
    "Dense",
    "Dropout",
    "FReLU",
    "Layer",
    "LayerNorm",
    "Maxout",
    "PReLU",
    "Residual",
    "deserialize",
    "names",
    "register_layer",
    "serialize",
]


def names() -> list[str]:
    """Return the class name of every registered layer."""
    return REGISTRY.names()


def serialize(layer: Layer) -> dict[str, Any]:
    """Return ``{"name": <class name>, "config": {...}}`` for ``layer``."""
    if not isinstance(layer, Layer):
        raise TypeError(f"serialize expects a Layer, got {type(layer).__name__}")
    return {"name": type(layer).__name__, "config": layer.get_config()}


def deserialize(config: str | dict[str, Any]) -> Layer:
    """Rebuild an (unbuilt) layer from :func:`serialize`'s output."""
    cls, params = REGISTRY.unpack(config)
    return cls.from_config(params)
