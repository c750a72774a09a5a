"""``Residual``: an identity skip connection around a block of layers, ``y = x + block(x)``."""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import DTypeLike

from .._checks import check_dtype, check_int
from .base import Array, Layer, register_layer, set_stacked_weights

__all__ = ["Residual", "flatten_blocks"]


class _Prefixed(MutableMapping[str, Array]):
    """The inner layers' ``params``, ``grads`` or ``buffers`` seen as one dict, under the keys
    ``"<i>.<name>"`` (``"0.W"`` is ``layers[0].params["W"]``).

    Nothing is copied: reading a key reads the inner layer's dict and writing a key writes it.
    So when a model rebinds ``residual.params["0.W"]`` to a view of its one weight buffer
    (``Sequential`` does, to update every weight at once), the inner ``Dense`` computes with
    that very view, and its ``backward`` fills the model's gradient buffer.
    """

    def __init__(self, layers: list[Layer], attr: str) -> None:
        self._layers = layers
        self._attr = attr  # "params", "grads" or "buffers"

    def _inner(self, key: Any) -> tuple[dict[str, Array], str]:
        """Return the inner layer's dict and the name in it for ``key``, or raise KeyError."""
        if isinstance(key, str):
            index, dot, name = key.partition(".")
            if dot and index.isdigit() and str(int(index)) == index:
                if int(index) < len(self._layers):
                    return getattr(self._layers[int(index)], self._attr), name
        raise KeyError(key)

    def __getitem__(self, key: str) -> Array:
        inner, name = self._inner(key)
        if name not in inner:
            raise KeyError(key)
        return inner[name]

    def __setitem__(self, key: str, value: Array) -> None:
        inner, name = self._inner(key)
        inner[name] = value

    def __delitem__(self, key: str) -> None:
        inner, name = self._inner(key)
        if name not in inner:
            raise KeyError(key)
        del inner[name]

    def __iter__(self) -> Iterator[str]:
        for i, layer in enumerate(self._layers):
            for name in getattr(layer, self._attr):
                yield f"{i}.{name}"

    def __len__(self) -> int:
        return sum(len(getattr(layer, self._attr)) for layer in self._layers)

    def __repr__(self) -> str:
        return repr(dict(self))


@register_layer
class Residual(Layer):
    r"""An identity skip connection (He et al. 2016): ``y = x + block(x)``.

    ``block`` is one layer or a list of layers applied in order, e.g. ``[Dense(8, "sigmoid")]``
    or ``[Dense(8), BatchNorm(), Activation("tanh"), Dropout(0.1)]``; it must give as many
    features as it takes (the shortcut adds ``x`` unchanged, with no projection).

    Backward: the Jacobian of ``y`` is the identity plus the block's,

    .. math:: \frac{\partial y}{\partial x} = I + \frac{\partial\,\mathrm{block}}{\partial x},
        \qquad \frac{\partial L}{\partial x} = g + \mathrm{block.backward}(g),
        \quad g = \frac{\partial L}{\partial y}

    where ``block.backward`` chains the inner layers' backward passes in reverse, and fills
    their parameter gradients on the way. This is why gradients reach the first layers of a
    deep residual network: in a plain stack the gradient reaching layer 1 is a product of L
    Jacobians, each of which can shrink it (a sigmoid's derivative is at most 1/4), while
    here every block passes ``g`` through its identity term untouched, so the product
    ``Π (I + J_k)`` expands into a sum whose first term is ``g`` itself.

    Weights: ``params``, ``grads`` and ``buffers`` hold the inner layers' arrays under
    ``"<i>.<name>"`` keys (``"0.W"``, ``"1.running_var"``), the same arrays, not copies;
    :attr:`weights` (and so ``get_weights`` / ``save``) lists every inner layer's weights, layer
    by layer, as a flat stack of those layers would.

    Shapes: ``x`` and ``y`` (batch, features). Cached for backward: what the inner layers cache
    (nothing of its own).

    Args:
        block: A :class:`~gradlab.layers.Layer` or a non-empty list of layers (unbuilt, or built
            for the widths they will receive).

    Attributes:
        layers: The inner layers, input side first.

    Raises:
        ValueError: at build time, when the block's output width differs from its input width.

    Example:
        >>> import numpy as np
        >>> from gradlab.layers import Dense, Residual
        >>> res = Residual([Dense(3, "tanh")])
        >>> res.build(3, rng=np.random.default_rng(0), dtype="float64")
        >>> x = np.ones((2, 3))
        >>> y = res.forward(x, training=True)
        >>> bool(np.allclose(y, x + np.tanh(x @ res.params["0.W"])))
        True
        >>> dx = res.backward(np.ones_like(y))       # ∂L/∂x = g + block.backward(g)
        >>> sorted(res.grads), res.count_params()
        (['0.W', '0.b'], 12)
    """

    def __init__(self, block: Layer | Sequence[Layer], *, name: str | None = None) -> None:
        super().__init__(name=name)
        inner = [block] if isinstance(block, Layer) else block
        if not isinstance(inner, list | tuple) or not all(isinstance(x, Layer) for x in inner):
            raise TypeError(
                "Residual: block must be a Layer or a list of Layers, got "
                f"{type(block).__name__}: {block!r}"
            )
        if not inner:
            raise ValueError("Residual: block must hold at least one layer, got an empty list")
        if len({id(x) for x in inner}) != len(inner):
            raise ValueError(
                "Residual: the same layer object appears twice in the block; create one "
                "layer per position"
            )
        self.layers: list[Layer] = list(inner)
        self.params = _Prefixed(self.layers, "params")  # type: ignore[assignment]
        self.grads = _Prefixed(self.layers, "grads")  # type: ignore[assignment]
        self.buffers = _Prefixed(self.layers, "buffers")  # type: ignore[assignment]
        self.needs_input_grad = True

    # -- construction -------------------------------------------------------------------
    @property
    def needs_input_grad(self) -> bool:
        """Whether ``backward`` returns ``∂L/∂x``; the block's first layer follows it (without
        ``∂L/∂x`` of the block nothing needs its input gradient either)."""
        return self._needs_input_grad

    @needs_input_grad.setter
    def needs_input_grad(self, value: bool) -> None:
        self._needs_input_grad = bool(value)
        if self.__dict__.get("layers"):  # Layer.__init__ sets it before the block exists
            self.layers[0].needs_input_grad = bool(value)

    def build(
        self,
        input_dim: int,
        *,
        rng: np.random.Generator | None = None,
        dtype: DTypeLike = "float32",
    ) -> None:
        """Build the inner layers in order on ``input_dim`` features (one ``rng`` for all)."""
        input_dim = check_int(input_dim, "input_dim", low=1)
        dtype = check_dtype(dtype)
        self.output_width(input_dim)  # a width mismatch is refused before any weight is drawn
        rng = np.random.default_rng() if rng is None else rng
        width = input_dim
        for layer in self.layers:
            if layer.built and (layer.input_dim != width or layer.dtype != dtype):
                raise ValueError(
                    f"{self.describe()}: {layer.describe()} is already built for "
                    f"{layer.input_dim} features of {layer.dtype}; the block feeds it {width} "
                    f"features of {dtype}"
                )
            if not layer.built:
                layer.build(width, rng=rng, dtype=dtype)
            width = layer.output_dim
        self.input_dim, self.dtype = input_dim, dtype
        self.needs_input_grad = self._needs_input_grad  # hand it to the first inner layer
        self.built = True

    def output_width(self, input_dim: int) -> int:
        width = input_dim
        for layer in self.layers:
            width = layer.output_width(width)
        if width != input_dim:
            raise ValueError(
                f"{self.describe()}: y = x + block(x) needs a block that keeps the width, but "
                f"this block maps {input_dim} input features to {width} output features "
                f"(input width {input_dim}, output width {width}); make its last layer give "
                f"{input_dim} features"
            )
        return input_dim

    def weight_shapes(self, input_dim: int) -> dict[str, tuple[int, ...]] | None:
        shapes: dict[str, tuple[int, ...]] = {}
        width = input_dim
        for i, layer in enumerate(self.layers):
            inner = layer.weight_shapes(width)
            if inner is None:
                return None
            shapes |= {f"{i}.{k}": shape for k, shape in inner.items()}
            width = layer.output_width(width)
        self.output_width(input_dim)
        return shapes

    # -- computation: the textbook pair -------------------------------------------------
    def forward(self, x: Array, training: bool = False) -> Array:
        """Return ``x + block(x)``; when training the inner layers cache what they need."""
        x = self._check_input(x)
        h = x
        for layer in self.layers:
            h = layer.forward(h, training)
        if training:
            self._cache = {"shape": x.shape}
        return x + h  # a new array: h may be an inner layer's cached output

    def backward(self, grad_out: Array) -> Array | None:
        """Return ``∂L/∂x = g + block.backward(g)`` (``g = ∂L/∂y``), filling the inner grads."""
        (shape,) = self._take_cache("shape")
        g = self._check_grad_out(grad_out, shape).astype(self.dtype, copy=False)
        dh = g
        for layer in reversed(self.layers):
            dh = layer.backward(dh)
        if not self._needs_input_grad:
            return None
        return g + dh  # the identity path plus the block's path (a new array)

    # ---- fast paths: what Sequential's training loop calls (same maths, no checks) -------
    # tests/test_residual.py checks them equal to forward / backward above.
    def forward_train(self, x: Array) -> Array:
        # FAST PATH: forward(x, training=True) through the inner layers' own fast paths.
        h = x
        for layer in self.layers:
            h = layer.forward_train(h)
        self._cache = {"shape": x.shape}
        return x + h

    def backward_train(self, grad_out: Array) -> Array | None:
        # FAST PATH: backward(grad_out) through the inner layers' own fast paths.
        if not self._cache:
            self._take_cache()  # raises: no training forward
        dh = grad_out
        for layer in reversed(self.layers):
            dh = layer.backward_train(dh)
        return grad_out + dh if self._needs_input_grad else None

    # -- bookkeeping -------------------------------------------------------------------
    def cached_arrays(self) -> dict[str, Array]:
        return {
            f"{i}.{k}": v
            for i, layer in enumerate(self.layers)
            for k, v in layer.cached_arrays().items()
        }

    def clear_cache(self) -> None:
        self._cache = {}
        for layer in self.layers:
            layer.clear_cache()

    @property
    def weight_names(self) -> list[str]:
        """Every inner layer's weight names, prefixed with its index (``"0.W"``), in order."""
        return [f"{i}.{k}" for i, layer in enumerate(self.layers) for k in layer.weight_names]

    @property
    def weights(self) -> list[Array]:
        """Every inner layer's :attr:`~gradlab.layers.Layer.weights`, layer by layer."""
        return [w for layer in self.layers for w in layer.weights]

    @property
    def nonnegative_weights(self) -> tuple[str, ...]:  # type: ignore[override]
        return tuple(
            f"{i}.{k}" for i, layer in enumerate(self.layers) for k in layer.nonnegative_weights
        )

    def set_weights(self, weights: list[Any]) -> None:
        """Copy ``weights`` (as :attr:`weights` lists them) into the inner layers."""
        self._require_built()
        set_stacked_weights(self.layers, weights, self.describe())

    def get_config(self) -> dict[str, Any]:
        from . import serialize  # the package's one serializer (it imports this module)

        return {"block": [serialize(layer) for layer in self.layers], **super().get_config()}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Layer:
        from . import deserialize

        config = dict(config)
        block = config.pop("block", None)
        if not isinstance(block, list):
            raise TypeError(
                "Residual config: 'block' must be a list of serialized layers, got "
                f"{type(block).__name__}"
            )
        return cls([deserialize(spec) for spec in block], **config)

    def describe(self) -> str:
        return self.name or f"Residual({' -> '.join(x.describe() for x in self.layers)})"

    def __repr__(self) -> str:
        name = f", name={self.name!r}" if self.name is not None else ""
        return f"Residual([{', '.join(repr(x) for x in self.layers)}]{name})"


def flatten_blocks(layers: Sequence[Layer]) -> list[tuple[Layer, bool]]:
    """``layers`` in order with the insides of :class:`Residual` blocks spelled out (nested
    ones too), each with whether it sits inside a block (``y = x + block(x)``).

    What walks a model layer by layer (a penalty on every ``Dense`` kernel, a forward that
    records each layer) sees the block's layers where they compute.
    """
    flat: list[tuple[Layer, bool]] = []
    for layer in layers:
        if isinstance(layer, Residual):
            flat += [(inner, True) for inner, _ in flatten_blocks(layer.layers)]
        else:
            flat.append((layer, False))
    return flat
