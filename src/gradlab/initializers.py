"""Weight initializers with Keras's names and PyTorch's sampling, plus ``calculate_gain``.

Every initializer is a callable ``init(shape, rng, dtype) -> array``. The scaled schemes are
parameterisations of one :class:`VarianceScaling` rule: with ``n`` the fan chosen by ``mode``,

* ``distribution="normal"``:  ``W ~ N(0, σ²)`` with ``σ = sqrt(scale / n)``;
* ``distribution="uniform"``: ``W ~ U(-a, a)`` with ``a = sqrt(3 · scale / n)`` (same variance).

=================  =========  ==========  ======================================
name               scale      mode        PyTorch equivalent
=================  =========  ==========  ======================================
``glorot_*``       1          fan_avg     ``xavier_normal_`` / ``xavier_uniform_``
``he_*``           2          fan_in      ``kaiming_*_(nonlinearity="relu")``
``lecun_*``        1          fan_in      ``kaiming_*_(nonlinearity="linear")``
=================  =========  ==========  ======================================

The normal variants draw from a plain normal distribution with exactly the scheme's standard
deviation, as PyTorch does. Keras instead draws from a normal truncated at two standard
deviations and rescales it (stddev / 0.8796...) so that the variance still matches; the
difference only shows in the tails.

Fans follow the Keras layout of a dense kernel, ``(fan_in, fan_out)``. For shapes with more than
two axes (a stack of kernels such as Maxout's ``(pieces, fan_in, fan_out)``) the last two axes
are the fans and the leading axes count separate matrices.

>>> import numpy as np
>>> from gradlab import initializers
>>> W = initializers.get("he_normal")((784, 256), np.random.default_rng(0), "float32")
>>> W.shape, W.dtype
((784, 256), dtype('float32'))
>>> round(initializers.calculate_gain("leaky_relu", 0.2), 6)
1.38675
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import DTypeLike, NDArray

from ._checks import check_number
from .registry import Registry

__all__ = [
    "Constant",
    "Initializer",
    "Ones",
    "Orthogonal",
    "RandomNormal",
    "RandomUniform",
    "VarianceScaling",
    "Zeros",
    "calculate_gain",
    "compute_fans",
    "deserialize",
    "get",
    "names",
    "serialize",
]

REGISTRY: Registry[Callable[..., Initializer]] = Registry("initializer")
Shape = tuple[int, ...]


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """Return PyTorch's recommended gain for an activation (``torch.nn.init.calculate_gain``).

    ========================  =====================================
    nonlinearity              gain
    ========================  =====================================
    linear, identity, sigmoid 1
    tanh                      5/3
    relu                      √2
    leaky_relu                √(2 / (1 + negative_slope²)), slope 0.01 by default
    selu                      3/4
    ========================  =====================================

    Args:
        nonlinearity: Name of the activation (case and ``_``/``-`` ignored).
        param: The negative slope for ``leaky_relu``; ignored otherwise.

    Raises:
        ValueError: for an activation without a recommended gain, or a bad slope.
    """
    key = str(nonlinearity).lower().replace("-", "_")
    if key in ("linear", "identity", "sigmoid", "conv1d", "conv2d", "conv3d"):
        return 1.0
    if key == "tanh":
        return 5.0 / 3.0
    if key == "relu":
        return math.sqrt(2.0)
    if key in ("leaky_relu", "leakyrelu"):
        slope = 0.01 if param is None else param
        if (
            isinstance(slope, bool)
            or not isinstance(slope, int | float)
            or not math.isfinite(slope)
        ):
            raise ValueError(
                f"calculate_gain: param (negative slope) must be a finite number, got {slope!r}"
            )
        return math.sqrt(2.0 / (1.0 + slope**2))
    if key == "selu":
        return 0.75
    raise ValueError(
        f"calculate_gain: no recommended gain for {nonlinearity!r}; expected one of linear, "
        "identity, sigmoid, tanh, relu, leaky_relu, selu"
    )


def compute_fans(shape: Shape) -> tuple[int, int]:
    """Return ``(fan_in, fan_out)`` of a kernel of ``shape``.

    ``()`` -> (1, 1); ``(n,)`` -> (n, n); ``(fan_in, fan_out)``; for more axes the last two are
    the fans of each matrix in the stack.
    """
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    return shape[-2], shape[-1]


def _check_shape(shape: Any) -> Shape:
    if isinstance(shape, int | np.integer):
        shape = (int(shape),)
    try:
        dims = tuple(int(d) for d in shape)
    except TypeError:
        raise TypeError(f"shape must be a tuple of ints, got {shape!r}") from None
    if any(d < 0 for d in dims) or any(int(d) != d for d in shape):
        raise ValueError(f"shape must hold non-negative ints, got {shape!r}")
    return dims


class Initializer:
    """Base class: ``init(shape, rng, dtype)`` returns a new array of ``shape``."""

    name: str = ""
    #: Other names that find the initializer in the registry (``xavier_uniform``, ...).
    aliases: tuple[str, ...] = ()

    def __call__(
        self, shape: Shape, rng: np.random.Generator | None = None, dtype: DTypeLike = "float32"
    ) -> NDArray[np.floating]:
        shape = _check_shape(shape)
        dtype = np.dtype(dtype)
        if dtype.kind != "f":
            raise TypeError(f"dtype must be a floating dtype, got {dtype}")
        if rng is None:
            rng = np.random.default_rng()
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"rng must be a numpy Generator, got {type(rng).__name__}")
        return np.asarray(self._sample(shape, rng), dtype=dtype)

    def _sample(self, shape: Shape, rng: np.random.Generator) -> NDArray[np.float64]:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        """Return the constructor arguments (JSON-friendly)."""
        return {}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.get_config() == self.get_config()

    __hash__ = None  # type: ignore[assignment]


class Zeros(Initializer):
    """Fill with 0 (``torch.nn.init.zeros_``)."""

    name = "zeros"

    def _sample(self, shape: Shape, rng: np.random.Generator) -> NDArray[np.float64]:
        return np.zeros(shape)


class Ones(Initializer):
    """Fill with 1 (``torch.nn.init.ones_``)."""

    name = "ones"

    def _sample(self, shape: Shape, rng: np.random.Generator) -> NDArray[np.float64]:
        return np.ones(shape)


class Constant(Initializer):
    """Fill with ``value`` (``torch.nn.init.constant_``)."""

    name = "constant"

    def __init__(self, value: float = 0.0) -> None:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise ValueError(f"Constant: value must be a finite number, got {value!r}")
        self.value = float(value)

    def _sample(self, shape: Shape, rng: np.random.Generator) -> NDArray[np.float64]:
        return np.full(shape, self.value)

    def get_config(self) -> dict[str, Any]:
        return {"value": self.value}


class RandomNormal(Initializer):
    """Draw ``W ~ N(mean, stddev²)`` (Keras defaults: mean 0, stddev 0.05)."""

    name = "random_normal"

    def __init__(self, mean: float = 0.0, stddev: float = 0.05) -> None:
        self.mean = float(mean)
        self.stddev = check_number(stddev, "RandomNormal: stddev", low=0.0)

    def _sample(self, shape: Shape, rng: np.random.Generator) -> NDArray[np.float64]:
        return rng.normal(self.mean, self.stddev, size=shape)

    def get_config(self) -> dict[str, Any]:
        return {"mean": self.mean, "stddev": self.stddev}


class RandomUniform(Initializer):
    """Draw ``W ~ U(minval, maxval)`` (Keras defaults: -0.05, 0.05)."""

    name = "random_uniform"

    def __init__(self, minval: float = -0.05, maxval: float = 0.05) -> None:
        if not (math.isfinite(minval) and math.isfinite(maxval)) or minval > maxval:
            raise ValueError(
                f"RandomUniform: expected finite minval <= maxval, got {minval!r}, {maxval!r}"
            )
        self.minval, self.maxval = float(minval), float(maxval)

    def _sample(self, shape: Shape, rng: np.random.Generator) -> NDArray[np.float64]:
        return rng.uniform(self.minval, self.maxval, size=shape)

    def get_config(self) -> dict[str, Any]:
        return {"minval": self.minval, "maxval": self.maxval}


class VarianceScaling(Initializer):
    """Draw with variance ``scale / n``, ``n`` = fan_in, fan_out or their mean (``mode``).

    ``normal``: ``N(0, scale / n)``; ``uniform``: ``U(-a, a)``, ``a = sqrt(3 · scale / n)``.
    To use a PyTorch gain ``g`` (see :func:`calculate_gain`), pass ``scale = g²``.
    """

    name = "variance_scaling"
    _modes = ("fan_in", "fan_out", "fan_avg")
    _distributions = ("normal", "uniform")

    def __init__(
        self, scale: float = 1.0, mode: str = "fan_in", distribution: str = "normal"
    ) -> None:
        self.scale = check_number(scale, f"{type(self).__name__}: scale", low=0.0, low_open=True)
        if mode not in self._modes:
            raise ValueError(
                f"{type(self).__name__}: mode must be one of {self._modes}, got {mode!r}"
            )
        if distribution not in self._distributions:
            raise ValueError(
                f"{type(self).__name__}: distribution must be one of {self._distributions}, "
                f"got {distribution!r}"
            )
        self.mode, self.distribution = mode, distribution

    def std(self, shape: Shape) -> float:
        """Return the standard deviation this scheme gives a kernel of ``shape``."""
        fan_in, fan_out = compute_fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        return math.sqrt(self.scale / max(1.0, n))

    def _sample(self, shape: Shape, rng: np.random.Generator) -> NDArray[np.float64]:
        std = self.std(shape)
        if self.distribution == "normal":
            return rng.normal(0.0, std, size=shape)
        limit = math.sqrt(3.0) * std
        return rng.uniform(-limit, limit, size=shape)

    def get_config(self) -> dict[str, Any]:
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution}


def _scheme(name: str, scale: float, mode: str, distribution: str, doc: str) -> type:
    def __init__(self: VarianceScaling, scale: float = scale) -> None:
        VarianceScaling.__init__(self, scale, mode, distribution)

    def get_config(self: VarianceScaling) -> dict[str, Any]:
        return {"scale": self.scale}

    cls_name = "".join(part.capitalize() for part in name.split("_"))
    return type(
        cls_name,
        (VarianceScaling,),
        {"name": name, "__init__": __init__, "get_config": get_config, "__doc__": doc},
    )


GlorotNormal = _scheme(
    "glorot_normal",
    1.0,
    "fan_avg",
    "normal",
    "Glorot/Xavier normal: ``N(0, 2 / (fan_in + fan_out))`` (torch ``xavier_normal_``).",
)
GlorotUniform = _scheme(
    "glorot_uniform",
    1.0,
    "fan_avg",
    "uniform",
    "Glorot/Xavier uniform: ``U(±sqrt(6 / (fan_in + fan_out)))`` (torch ``xavier_uniform_``).",
)
HeNormal = _scheme(
    "he_normal",
    2.0,
    "fan_in",
    "normal",
    "He/Kaiming normal: ``N(0, 2 / fan_in)`` (torch ``kaiming_normal_``, relu gain).",
)
HeUniform = _scheme(
    "he_uniform",
    2.0,
    "fan_in",
    "uniform",
    "He/Kaiming uniform: ``U(±sqrt(6 / fan_in))`` (torch ``kaiming_uniform_``, relu gain).",
)
LecunNormal = _scheme(
    "lecun_normal",
    1.0,
    "fan_in",
    "normal",
    "LeCun normal: ``N(0, 1 / fan_in)``; the init SELU's self-normalisation assumes.",
)
LecunUniform = _scheme(
    "lecun_uniform",
    1.0,
    "fan_in",
    "uniform",
    "LeCun uniform: ``U(±sqrt(3 / fan_in))``.",
)


class Orthogonal(Initializer):
    """A (semi-)orthogonal matrix times ``gain``, as ``torch.nn.init.orthogonal_``.

    The QR decomposition of a standard normal matrix, with the signs of ``R``'s diagonal
    folded into ``Q`` so the result is uniformly distributed (Saxe et al. 2014). For stacks the
    last two axes form each matrix.
    """

    name = "orthogonal"

    def __init__(self, gain: float = 1.0) -> None:
        self.gain = check_number(gain, "Orthogonal: gain", low=0.0, low_open=True)

    def _sample(self, shape: Shape, rng: np.random.Generator) -> NDArray[np.float64]:
        if len(shape) < 2:
            raise ValueError(f"Orthogonal needs a shape with at least 2 axes, got {shape}")
        rows, cols = shape[-2], shape[-1]
        mats = []
        for _ in range(math.prod(shape[:-2])):
            a = rng.standard_normal((max(rows, cols), min(rows, cols)))
            q, r = np.linalg.qr(a)
            q *= np.sign(np.diag(r)) + (np.diag(r) == 0)
            mats.append(q if rows >= cols else q.T)
        return self.gain * np.reshape(mats, shape)

    def get_config(self) -> dict[str, Any]:
        return {"gain": self.gain}


_ALIASES = {
    "glorot_normal": ("xavier_normal",),
    "glorot_uniform": ("xavier_uniform",),
    "he_normal": ("kaiming_normal",),
    "he_uniform": ("kaiming_uniform",),
    "random_normal": ("normal",),
    "random_uniform": ("uniform",),
}
for _cls in (
    GlorotUniform,
    GlorotNormal,
    HeNormal,
    HeUniform,
    LecunNormal,
    LecunUniform,
    Orthogonal,
    Zeros,
    Ones,
    Constant,
    RandomNormal,
    RandomUniform,
    VarianceScaling,
):
    _cls.aliases = _ALIASES.get(_cls.name, ())
    REGISTRY.add_class(_cls)

__all__ += [
    c.__name__
    for c in (GlorotNormal, GlorotUniform, HeNormal, HeUniform, LecunNormal, LecunUniform)
]


def names() -> list[str]:
    """Return every registered initializer's canonical name."""
    return REGISTRY.names()


def get(identifier: str | dict[str, Any] | Initializer | Callable[..., Any]) -> Initializer:
    """Return an initializer for a name, a ``{"name", "config"}`` dict or an instance.

    Raises:
        ValueError: for an unknown name (with suggestions) or a bad config.
        TypeError: for anything else.
    """
    if isinstance(identifier, Initializer):
        return identifier
    if isinstance(identifier, str):
        return REGISTRY.lookup(identifier)()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    raise TypeError(
        "initializer must be a name, a {'name': ..., 'config': {...}} dict or an Initializer, "
        f"got {type(identifier).__name__}: {identifier!r}"
    )


def serialize(init: Initializer) -> str | dict[str, Any]:
    """Return the name of ``init`` when it has default arguments, else ``{"name", "config"}``."""
    return REGISTRY.pack(init.name, init.get_config(), type(init)().get_config())


def deserialize(config: str | dict[str, Any]) -> Initializer:
    """Inverse of :func:`serialize`."""
    cls, params = REGISTRY.unpack(config)
    try:
        return cls(**params)
    except TypeError as exc:
        raise ValueError(f"bad config for initializer {cls.name!r}: {exc}") from None
