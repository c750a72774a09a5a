"""Every common activation function with its exact derivative, checked against PyTorch.

Look one up by name, call it, differentiate it:

>>> from gradlab import activations
>>> act = activations.get("leaky_relu")
>>> act([-2.0, 0.0, 3.0])
array([-0.02,  0.  ,  3.  ])
>>> act.derivative([-2.0, 0.0, 3.0])      # at the kink x = 0: the slope, as PyTorch
array([0.01, 0.01, 1.  ])
>>> activations.relu([-1.0, 2.0])         # functional shortcut
array([0., 2.])
>>> activations.get({"name": "leaky_relu", "config": {"negative_slope": 0.2}})
LeakyReLU(negative_slope=0.2)

``names()`` lists the canonical names; ``serialize`` / ``deserialize`` round-trip an
activation through a JSON-friendly value. Each activation's :attr:`~Activation.info` holds its
range, monotonicity, zero-centring, smoothness, largest derivative, kinks, formulas and notes.
"""

from __future__ import annotations

import functools
from typing import Any

from numpy.typing import ArrayLike, NDArray

from . import classic, rectifiers, shrink, smooth, vector  # noqa: F401  (register them)
from .base import (
    REGISTRY,
    Activation,
    ActivationInfo,
    ElementwiseActivation,
    Kink,
    VectorActivation,
    as_float_array,
)

__all__ = [
    "Activation",
    "ActivationInfo",
    "ElementwiseActivation",
    "Kink",
    "VectorActivation",
    "as_float_array",
    "deserialize",
    "get",
    "names",
    "serialize",
]

Identifier = str | dict[str, Any] | Activation | None


def names() -> list[str]:
    """Return the canonical name of every registered activation, in a stable order."""
    return REGISTRY.names()


def aliases() -> dict[str, str]:
    """Return ``{alias: canonical name}`` for every registered alias."""
    return {alias: name for name in REGISTRY.names() for alias in REGISTRY.aliases(name)}


def get(identifier: Identifier) -> Activation:
    """Return an activation for a name, a serialized dict, an instance, or ``None``.

    Args:
        identifier: A canonical name or alias (case and ``_``/``-`` are ignored), a dict
            ``{"name": ..., "config": {...}}`` from :func:`serialize`, an :class:`Activation`
            (returned as is), or ``None`` (the identity, ``linear``).

    Returns:
        A new activation instance (an instance passed in is returned unchanged).

    Raises:
        ValueError: for an unknown name (the message suggests the closest ones) or bad config.
        TypeError: for any other kind of identifier.
    """
    if identifier is None:
        return REGISTRY.lookup("linear")()
    if isinstance(identifier, Activation):
        return identifier
    if isinstance(identifier, str):
        return REGISTRY.lookup(identifier)()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Activation):
        return identifier()
    raise TypeError(
        "activation must be a name (str), a dict {'name': ..., 'config': {...}}, an Activation "
        f"or None; got {type(identifier).__name__}: {identifier!r}"
    )


def serialize(activation: Activation) -> str | dict[str, Any]:
    """Return the name alone when every parameter has its default, else ``{name, config}``."""
    if not isinstance(activation, Activation):
        raise TypeError(f"serialize expects an Activation, got {type(activation).__name__}")
    return REGISTRY.pack(activation.name, activation.get_config(), type(activation).defaults())


def deserialize(config: str | dict[str, Any]) -> Activation:
    """Rebuild an activation from what :func:`serialize` returned."""
    cls, params = REGISTRY.unpack(config)
    allowed = cls.defaults()
    extra = set(params) - set(allowed)
    if extra:
        raise ValueError(
            f"{cls.name} got unexpected parameter(s) {sorted(extra)}; it accepts "
            f"{sorted(allowed) or 'none'}"
        )
    return cls(**params)


def _functional(name: str) -> Any:
    cls = REGISTRY.lookup(name)

    @functools.lru_cache(maxsize=1)
    def default() -> Activation:
        return cls()

    def apply(x: ArrayLike, *, training: bool = False, **config: Any) -> NDArray[Any]:
        act = deserialize({"name": name, "config": config}) if config else default()
        return act(x, training=training)

    apply.__name__ = apply.__qualname__ = name
    # The docstring (and its examples) belongs to the class; doctest runs them there.
    apply.__module__ = cls.__module__
    apply.__doc__ = (
        f"Apply the ``{cls.name}`` activation to ``x``; keyword arguments are its parameters "
        f"({', '.join(cls.defaults()) or 'none'}).\n\n{cls.__doc__ or ''}"
    )
    return apply


# Functional shortcuts: activations.relu(x), activations.leaky_relu(x, negative_slope=0.2), ...
for _name in [*names(), *aliases()]:
    globals()[_name] = _functional(_name)
    __all__.append(_name)
del _name
