"""The layer contract: ``forward`` caches what ``backward`` needs; ``backward`` returns ``grad_in``.

Every layer works on 2-D batches ``(batch, features)`` and follows one pattern:

* ``build(input_dim, rng=..., dtype=...)`` creates ``params`` (trainable arrays), ``grads``
  (same keys, same shapes, filled by ``backward``) and ``buffers`` (state that is saved but not
  trained, such as BatchNorm's running statistics).
* ``forward(x, training=False)`` returns the output. With ``training=True`` it also keeps, in
  ``self._cache``, exactly the arrays ``backward`` will need — nothing is cached at inference.
* ``backward(grad_out)`` returns ``∂L/∂x`` given ``∂L/∂y``, writes ``∂L/∂θ`` into ``grads``
  and never modifies ``grad_out``. When ``needs_input_grad`` is False (the first layer of a
  model) it may skip the input gradient and return ``None``.
* ``cached_bytes()`` reports the bytes held for backward, so the memory cost of training over
  inference can be measured.
* ``forward_train(x)`` / ``backward_train(grad_out)`` are what a model's training loop calls:
  the same computation as ``forward(x, training=True)`` / ``backward(grad_out)`` on arrays the
  model has already checked, so a layer may skip its per-call checks there (``Dense`` does).
  Like the public methods they return new arrays and never modify their arguments.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import DTypeLike, NDArray

from .._checks import as_array, check_dtype, check_int
from ..registry import Registry

__all__ = ["REGISTRY", "Layer", "register_layer", "set_stacked_weights"]

REGISTRY: Registry[type[Layer]] = Registry("layer")
Array = NDArray[np.floating]


def set_stacked_weights(layers: Sequence[Layer], weights: Sequence[Any], owner: str) -> None:
    """Copy ``weights`` into ``layers`` in order, each taking as many arrays as it lists in
    :attr:`Layer.weights` (a model's or a block's ``set_weights``); ``owner`` names the
    stack in the error for a wrong number of arrays."""
    weights = list(weights)
    expected = sum(len(layer.weights) for layer in layers)
    if len(weights) != expected:
        raise ValueError(f"{owner}: expected {expected} arrays, got {len(weights)}")
    start = 0
    for layer in layers:
        count = len(layer.weights)
        layer.set_weights(weights[start : start + count])
        start += count


def register_layer(cls: type[Layer]) -> type[Layer]:
    """Class decorator: register a layer class under its class name (for save/load)."""
    return REGISTRY.add_class(cls)


class Layer:
    """Base class of every layer.

    Attributes:
        params: Trainable arrays by name (e.g. ``{"W": ..., "b": ...}``).
        grads: Gradients of the loss with respect to ``params``, same keys and shapes.
        buffers: Non-trainable state that is saved with the model.
        needs_input_grad: Whether ``backward`` must return ``∂L/∂x`` (False for a first layer).
        input_dim, output_dim: Feature counts, known once built.
    """

    #: Names of trainable params, in the order ``get_weights`` lists them.
    param_names: tuple[str, ...] = ()
    #: Names of buffers, listed after the params by ``get_weights``.
    buffer_names: tuple[str, ...] = ()
    #: Weights that may never hold negative numbers (checked when a model file is loaded).
    nonnegative_weights: tuple[str, ...] = ()

    def __init__(self, *, name: str | None = None) -> None:
        if name is not None and not isinstance(name, str):
            raise TypeError(f"name must be a str, got {type(name).__name__}")
        self.name = name
        self.params: dict[str, Array] = {}
        self.grads: dict[str, Array] = {}
        self.buffers: dict[str, Array] = {}
        self.built = False
        self.input_dim: int | None = None
        self.dtype: np.dtype | None = None
        self.needs_input_grad = True
        self._cache: dict[str, Any] = {}

    # -- construction -------------------------------------------------------------------
    def build(
        self,
        input_dim: int,
        *,
        rng: np.random.Generator | None = None,
        dtype: DTypeLike = "float32",
    ) -> None:
        """Create the parameters for inputs of ``input_dim`` features."""
        self.input_dim = check_int(input_dim, "input_dim", low=1)
        self.dtype = check_dtype(dtype)
        rng = np.random.default_rng() if rng is None else rng
        self._build(rng)
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self.built = True

    def _build(self, rng: np.random.Generator) -> None:
        """Create ``self.params`` and ``self.buffers`` (subclasses)."""

    def weight_shapes(self, input_dim: int) -> dict[str, tuple[int, ...]] | None:
        """Return the shape of every weight ``build(input_dim)`` creates, without building.

        The keys are in :attr:`weights` order (params, then buffers). ``None`` means the layer
        cannot tell before it is built (the default, for a layer class of your own);
        :func:`gradlab.load_model` uses the shapes to check a file's sizes before it allocates.
        """
        return None

    def output_width(self, input_dim: int) -> int:
        """Return how many features the layer gives for ``input_dim`` input features."""
        return input_dim

    @property
    def output_dim(self) -> int:
        """Number of output features, once built."""
        self._require_built()
        return self.output_width(self.input_dim)  # type: ignore[arg-type]

    # -- computation ----------------------------------------------------------------------
    def __call__(self, x: Array, training: bool = False) -> Array:
        return self.forward(x, training=training)

    def forward(self, x: Array, training: bool = False) -> Array:
        """Return the layer's output for a batch ``x`` of shape ``(batch, input_dim)``."""
        raise NotImplementedError

    def backward(self, grad_out: Array) -> Array | None:
        """Return ``∂L/∂x`` for ``grad_out = ∂L/∂y`` and fill ``grads``."""
        raise NotImplementedError

    def forward_train(self, x: Array) -> Array:
        """``forward(x, training=True)`` for a model's training loop, which has already checked
        ``x`` (a 2-D batch of this layer's width and dtype); layers may skip their checks."""
        return self.forward(x, training=True)

    def backward_train(self, grad_out: Array) -> Array | None:
        """``backward(grad_out)`` for a model's training loop, right after ``forward_train``
        (``grad_out`` has the output's shape and dtype); layers may skip their checks."""
        return self.backward(grad_out)

    def _check_input(self, x: Any) -> Array:
        """Build on first use and check that ``x`` is a float batch of the right width/dtype."""
        x = np.asarray(x)
        if x.ndim != 2:
            raise ValueError(
                f"{self.describe()}: expected a 2-D batch (batch, features), got shape {x.shape}"
            )
        if not self.built:
            self.build(x.shape[1], dtype=x.dtype if x.dtype.kind == "f" else "float32")
        if x.shape[1] != self.input_dim:
            raise ValueError(
                f"{self.describe()}: expected {self.input_dim} input features, got {x.shape[1]}"
            )
        if x.dtype != self.dtype:
            raise TypeError(
                f"{self.describe()}: expected input of dtype {self.dtype}, got {x.dtype}; "
                f"cast it first (no silent up- or down-casts)"
            )
        return x

    def _take_cache(self, *keys: str) -> tuple[Any, ...]:
        """Return the cached arrays of the last training forward, or a clear error."""
        if not self._cache:
            raise RuntimeError(
                f"{self.describe()}: backward() needs forward(x, training=True) first "
                "(nothing is cached at inference)"
            )
        return tuple(self._cache[k] for k in keys)

    def _check_grad_out(self, grad_out: Any, shape: tuple[int, ...]) -> Array:
        grad_out = np.asarray(grad_out)
        if grad_out.shape != shape:
            raise ValueError(
                f"{self.describe()}: grad_out must have the output's shape {shape}, "
                f"got {grad_out.shape}"
            )
        return grad_out

    # -- bookkeeping -------------------------------------------------------------------
    def cached_arrays(self) -> dict[str, Array]:
        """Return the arrays the last training forward kept for ``backward``, by name."""
        return {k: v for k, v in self._cache.items() if isinstance(v, np.ndarray)}

    def cached_bytes(self) -> int:
        """Return the bytes of the arrays kept for ``backward`` by the last forward."""
        return sum(v.nbytes for v in self.cached_arrays().values())

    def clear_cache(self) -> None:
        """Drop what the last training forward kept."""
        self._cache = {}

    def count_params(self) -> int:
        """Return the number of trainable scalars."""
        return sum(v.size for v in self.params.values())

    @property
    def weight_names(self) -> list[str]:
        """Names of the params then the buffers the layer holds, in :attr:`weights` order."""
        return [k for k in self.param_names if k in self.params] + [
            k for k in self.buffer_names if k in self.buffers
        ]

    @property
    def weights(self) -> list[Array]:
        """Params then buffers, in ``param_names`` / ``buffer_names`` order."""
        return [self.params[k] if k in self.params else self.buffers[k] for k in self.weight_names]

    def set_weights(self, weights: list[Any]) -> None:
        """Copy ``weights`` (as listed by :attr:`weights`) into the layer, checking shapes."""
        self._require_built()
        targets = self.weights
        if len(weights) != len(targets):
            raise ValueError(
                f"{self.describe()}: expected {len(targets)} arrays, got {len(weights)}"
            )
        names = self.weight_names
        for i, (dst, src) in enumerate(zip(targets, weights, strict=True)):
            what = f"{self.describe()}: weight {i} ({names[i]!r})"
            src = as_array(src, what, dst.shape)
            if src.dtype.kind not in "biuf":
                raise TypeError(f"{what} must be numeric, got an array of dtype {src.dtype}")
            if src.shape != dst.shape:
                raise ValueError(f"{what} must have shape {dst.shape}, got {src.shape}")
            if not np.all(np.isfinite(src)):
                raise ValueError(f"{what} contains NaN or inf")
            dst[...] = src

    def get_config(self) -> dict[str, Any]:
        """Return the constructor arguments (JSON-friendly)."""
        return {"name": self.name} if self.name is not None else {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Layer:
        """Rebuild a layer from :meth:`get_config`."""
        return cls(**config)

    def describe(self) -> str:
        """Return a short label such as ``Dense(64)`` or the user-given name."""
        return self.name or type(self).__name__

    def _require_built(self) -> None:
        if not self.built:
            raise RuntimeError(f"{self.describe()} is not built yet; call build(input_dim)")

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"
