"""``Dense`` (an affine map with an optional activation) and ``Activation`` (any activation).

Both accept ``apply_activation=False`` in ``forward``: the model uses it to hand the
pre-activation (the logits) of its last layer to a cross-entropy loss that applies the
softmax or sigmoid itself, so that nothing overflows.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import activations, initializers
from .._checks import check_bool, check_int
from .base import Array, Layer, register_layer

__all__ = ["Activation", "Dense"]


class _Activated(Layer):
    """Shared activation handling: ``y = f(z)`` forward, ``∂L/∂z = vjp_f(z, ∂L/∂y)`` back."""

    def __init__(self, activation: Any = None, *, name: str | None = None) -> None:
        super().__init__(name=name)
        self.activation = activations.get(activation)
        self._is_linear = self.activation.name == "linear"

    def _activate(self, z: Array, training: bool, apply_activation: bool) -> Array:
        """Apply the activation to ``z`` and cache what its backward needs when training."""
        if not apply_activation or self._is_linear:
            if training:
                self._cache["fused"] = True
            return z
        if not training:
            return self.activation(z)
        y = self.activation.forward_train(z)
        self._cache["z"], self._cache["y"] = z, y
        return y

    def forward_train_logits(self, x: Array) -> Array:
        """``forward(x, training=True, apply_activation=False)`` for a model's training loop,
        which has already checked ``x``: the pre-activation, for a loss that applies the
        activation itself (layers may skip their checks)."""
        return self.forward(x, True, apply_activation=False)

    def _activation_vjp(self, grad_out: Array) -> Array:
        """Return ``∂L/∂z`` (a new array, or ``grad_out`` itself when there is no activation)."""
        cache = self._cache
        if "y" not in cache:
            if not cache:
                self._take_cache()  # raises: no training forward
            return grad_out
        return self.activation.vjp_train(cache["z"], grad_out, cache["y"])

    def get_config(self) -> dict[str, Any]:
        return {"activation": activations.serialize(self.activation), **super().get_config()}


@register_layer
class Dense(_Activated):
    """A fully connected layer: ``y = f(x W + b)``.

    Shapes: ``x`` (batch, in), ``W`` (in, units), ``b`` (units,), ``y`` (batch, units). The
    kernel is stored as Keras stores it, ``(in, out)``; PyTorch's ``Linear.weight`` is its
    transpose. In the training fast paths (``forward_train``, ``forward_train_logits``,
    ``backward_train``) ``x`` may also be a scipy.sparse matrix, as the first layer of the
    scikit-learn estimators receives it: ``x W`` and ``xᵀ δ`` are then sparse products.

    Backward, with ``δ = ∂L/∂z = f'(z) ⊙ ∂L/∂y``::

        ∂L/∂W = xᵀ δ,   ∂L/∂b = Σ_batch δ,   ∂L/∂x = δ Wᵀ

    Cached for backward: ``x`` (and ``z``, ``f(z)`` when there is an activation).

    Args:
        units: Output features.
        activation: Any registered activation (name, dict or instance); ``None`` = linear.
        use_bias: Add the bias ``b``.
        kernel_initializer: Initializer of ``W`` (default ``glorot_uniform``, as Keras).
        bias_initializer: Initializer of ``b`` (default ``zeros``).

    Example:
        >>> import numpy as np
        >>> layer = Dense(3, activation="relu")
        >>> layer.build(2, rng=np.random.default_rng(0), dtype="float64")
        >>> layer.forward(np.ones((4, 2))).shape
        (4, 3)
    """

    param_names = ("W", "b")

    def __init__(
        self,
        units: int,
        activation: Any = None,
        *,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        name: str | None = None,
    ) -> None:
        super().__init__(activation, name=name)
        self.units = check_int(units, "units", low=1)
        self.use_bias = check_bool(use_bias, "use_bias")
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self._ones: dict[int, Array] = {}  # batch size -> a vector of ones (bias gradients)

    def _build(self, rng: np.random.Generator) -> None:
        self.params["W"] = self.kernel_initializer((self.input_dim, self.units), rng, self.dtype)
        if self.use_bias:
            self.params["b"] = self.bias_initializer((self.units,), rng, self.dtype)

    def weight_shapes(self, input_dim: int) -> dict[str, tuple[int, ...]]:
        shapes = {"W": (input_dim, self.units)}
        return shapes | {"b": (self.units,)} if self.use_bias else shapes

    def output_width(self, input_dim: int) -> int:
        return self.units

    @property
    def output_dim(self) -> int:
        return self.units  # known before the layer is built

    # ---- the textbook pair: forward keeps what backward needs ---------------------------
    def forward(self, x: Array, training: bool = False, *, apply_activation: bool = True) -> Array:
        """Return ``f(x W + b)`` (``x W + b`` with ``apply_activation=False``); when training,
        keep ``x`` (and ``z``, ``f(z)``) for :meth:`backward`."""
        x = self._check_input(x)
        z = self._affine(x)
        if training:
            self._cache = {"x": x}
        return self._activate(z, training, apply_activation)

    def backward(self, grad_out: Array) -> Array | None:
        """Return ``∂L/∂x = δ Wᵀ`` and fill ``grads``: ``∂L/∂W = xᵀ δ``, ``∂L/∂b = Σ_batch δ``,
        where ``δ = ∂L/∂z = f'(z) ⊙ ∂L/∂y`` (see :meth:`backward_train`)."""
        (x,) = self._take_cache("x")
        grad_out = self._check_grad_out(grad_out, (x.shape[0], self.units))
        return self.backward_train(grad_out.astype(self.dtype, copy=False))

    def backward_train(self, grad_out: Array) -> Array | None:
        cache = self._cache
        y = cache.get("y")
        if y is not None:  # δ = f'(z) ⊙ ∂L/∂y (_activation_vjp inlined)
            delta = self.activation.vjp_train(cache["z"], grad_out, y)
        elif cache:
            delta = grad_out  # no activation, or fused with the loss: δ = ∂L/∂z
        else:
            self._take_cache()  # raises: no training forward
        x = cache["x"]
        grads = self.grads
        if type(x) is np.ndarray:
            np.dot(x.T, delta, out=grads["W"])  # ∂L/∂W = xᵀ δ
        else:  # a scipy.sparse batch (first layer of an estimator): sparse xᵀ times dense δ
            grads["W"][...] = x.T @ delta
        if self.use_bias:  # ∂L/∂b = Σ_batch δ, as one matrix-vector product: 2x np.sum's speed
            n = delta.shape[0]
            ones = self._ones.get(n)
            if ones is None:
                ones = self._ones[n] = np.ones(n, dtype=delta.dtype)
            np.dot(ones, delta, out=grads["b"])
        if not self.needs_input_grad:
            return None
        return np.dot(delta, self.params["W"].T)  # ∂L/∂x = δ Wᵀ

    def _affine(self, x: Array) -> Array:
        """``z = x W + b``; ``x`` may be a scipy.sparse matrix (the product is dense)."""
        # np.dot: less per-call overhead than matmul for 2-D; it cannot take a sparse x.
        z = np.dot(x, self.params["W"]) if type(x) is np.ndarray else x @ self.params["W"]
        if self.use_bias:
            z += self.params["b"]
        return z

    # ---- fast paths: what Sequential's training loop calls (same maths, no checks) -------
    # tests/test_fast_paths.py checks them equal to forward / backward above.
    def forward_train(self, x: Array) -> Array:
        # FAST PATH: forward(x, training=True) with _affine and _activate inlined: two calls
        # per layer and step fewer, which shows on deep narrow networks (W3: 20 layers of 64).
        z = np.dot(x, self.params["W"]) if type(x) is np.ndarray else x @ self.params["W"]
        if self.use_bias:
            z += self.params["b"]
        if self._is_linear:
            self._cache = {"x": x, "fused": True}
            return z
        y = self.activation.forward_train(z)
        self._cache = {"x": x, "z": z, "y": y}
        return y

    def forward_train_logits(self, x: Array) -> Array:
        # FAST PATH: the pre-activation only, for a loss fused with the output activation.
        z = self._affine(x)
        self._cache = {"x": x, "fused": True}
        return z

    def get_config(self) -> dict[str, Any]:
        return {
            "units": self.units,
            **super().get_config(),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
        }

    def describe(self) -> str:
        return self.name or f"Dense({self.units}, {self.activation.name})"


@register_layer
class Activation(_Activated):
    """Apply any registered activation: ``y = f(x)``; backward ``∂L/∂x = vjp_f(x, ∂L/∂y)``.

    Elementwise activations keep the width; ``glu`` halves it. Cached for backward: ``x`` and
    ``f(x)``.

    Example:
        >>> import numpy as np
        >>> Activation("tanh").forward(np.zeros((1, 3)))
        array([[0., 0., 0.]])
    """

    def __init__(self, activation: Any, *, name: str | None = None) -> None:
        super().__init__(activation, name=name)

    def weight_shapes(self, input_dim: int) -> dict[str, tuple[int, ...]]:
        return {}

    def output_width(self, input_dim: int) -> int:
        # The width of the activation's output for one row (glu halves it).
        return int(self.activation(np.zeros((1, input_dim))).shape[1])

    def forward(self, x: Array, training: bool = False, *, apply_activation: bool = True) -> Array:
        x = self._check_input(x)
        if training:
            self._cache = {}
        return self._activate(x, training, apply_activation)

    def backward(self, grad_out: Array) -> Array | None:
        if not self._cache:
            self._take_cache()
        if self._cache.get("fused"):
            return grad_out
        y = self._cache["y"]
        return self._activation_vjp(self._check_grad_out(grad_out, y.shape))

    def describe(self) -> str:
        return self.name or f"Activation({self.activation.name})"
