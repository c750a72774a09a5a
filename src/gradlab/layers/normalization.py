"""Normalisation layers: ``BatchNorm`` (over the batch) and ``LayerNorm`` (over the features).

Both standardise and then scale and shift, ``y = γ x̂ + β`` with ``x̂ = (x - μ) / sqrt(σ² + ε)``;
they differ in the axis the statistics are taken over. Their backward passes share one compact
formula: for ``x̂`` standardised over ``n`` values along an axis, and ``h = γ g`` the gradient
reaching ``x̂``,

    ∂L/∂x = (1 / (n · sqrt(σ² + ε))) · (n h - Σ h - x̂ Σ (h x̂))          (sums along the axis)

which comes from differentiating through ``μ`` and ``σ²`` as well as ``x``. Only ``x̂`` and
``1 / sqrt(σ² + ε)`` are cached; ``x`` itself is not needed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._checks import check_bool, check_number
from .base import Array, Layer, register_layer

__all__ = ["BatchNorm", "LayerNorm"]


def _standardize(x: Array, axis: int, eps: float) -> tuple[Array, Array, Array, Array]:
    """Return ``x̂, mean, biased variance, 1/sqrt(var + eps)`` along ``axis`` (keepdims)."""
    mean = x.mean(axis=axis, keepdims=True)
    x_hat = x - mean
    var = np.mean(np.square(x_hat), axis=axis, keepdims=True)
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat *= inv_std
    return x_hat, mean, var, inv_std


def _standardize_vjp(h: Array, x_hat: Array, inv_std: Array, axis: int) -> Array:
    """Return ``∂L/∂x`` given ``h = ∂L/∂x̂`` (the compact formula in the module docstring)."""
    n = x_hat.shape[axis]
    dx = h * n
    dx -= h.sum(axis=axis, keepdims=True)
    dx -= x_hat * np.sum(h * x_hat, axis=axis, keepdims=True)
    dx *= inv_std / n
    return dx


class _Normalization(Layer):
    """Shared arguments, affine parameters (``gamma`` ones, ``beta`` zeros) and the backward.

    Subclasses set ``_axis``, the axis the statistics are taken over (0: the batch, as
    BatchNorm; 1: the features, as LayerNorm), and cache ``x_hat`` and ``inv_std`` in forward.
    """

    param_names = ("gamma", "beta")
    _axis: int = 0

    def __init__(self, *, eps: float, affine: bool, name: str | None) -> None:
        super().__init__(name=name)
        self.eps = check_number(eps, f"{type(self).__name__}: eps", low=0.0, low_open=True)
        self._affine = check_bool(affine, f"{type(self).__name__}: affine")

    def weight_shapes(self, input_dim: int) -> dict[str, tuple[int, ...]]:
        names = (self.param_names if self._affine else ()) + self.buffer_names
        return {name: (input_dim,) for name in names}

    def _build(self, rng: np.random.Generator) -> None:
        if self._affine:
            self.params["gamma"] = np.ones((self.input_dim,), dtype=self.dtype)
            self.params["beta"] = np.zeros((self.input_dim,), dtype=self.dtype)

    def _scale_shift(self, x_hat: Array) -> Array:
        if not self._affine:
            return x_hat
        y = x_hat * self.params["gamma"]
        y += self.params["beta"]
        return y

    def _affine_backward(self, g: Array, x_hat: Array) -> Array:
        """Fill ``grads`` and return ``h = ∂L/∂x̂ = γ g``."""
        if not self._affine:
            return g
        self.grads["gamma"][...] = np.sum(g * x_hat, axis=0)
        self.grads["beta"][...] = g.sum(axis=0)
        return g * self.params["gamma"]

    def backward(self, grad_out: Array) -> Array | None:
        x_hat, inv_std = self._take_cache("x_hat", "inv_std")
        g = self._check_grad_out(grad_out, x_hat.shape)
        h = self._affine_backward(g, x_hat)
        if not self.needs_input_grad:
            return None
        return _standardize_vjp(h, x_hat, inv_std, axis=self._axis)


@register_layer
class BatchNorm(_Normalization):
    r"""Batch normalisation (Ioffe & Szegedy 2015) with ``torch.nn.BatchNorm1d`` semantics.

    Training (statistics of the batch, per feature ``j``, over ``n`` samples)::

        μ_j = mean_i x_ij,   σ²_j = mean_i (x_ij - μ_j)²          (biased, to normalise)
        x̂ = (x - μ) / sqrt(σ² + ε),   y = γ ⊙ x̂ + β
        running_mean ← (1 - momentum) · running_mean + momentum · μ
        running_var  ← (1 - momentum) · running_var  + momentum · σ² · n / (n - 1)   (unbiased)

    Inference: ``y = γ ⊙ (x - running_mean) / sqrt(running_var + ε) + β``.

    Backward (training), with ``g = ∂L/∂y`` and sums over the batch::

        ∂L/∂γ = Σ g ⊙ x̂,   ∂L/∂β = Σ g,
        ∂L/∂x = γ / (n sqrt(σ² + ε)) ⊙ (n g - Σ g - x̂ ⊙ Σ (g ⊙ x̂))

    Shapes: ``x``, ``y`` (batch, features); ``gamma``, ``beta``, ``running_mean``,
    ``running_var`` (features,). Running statistics start at 0 and 1 and are buffers (saved,
    not trained). Cached for backward: ``x̂`` (batch, features) and ``1/sqrt(σ² + ε)``
    (features,).

    Args:
        momentum: Weight of the new batch in the running statistics (default 0.1, as torch;
            Keras's ``momentum=0.99`` is torch's ``0.01``).
        eps: Added to the variance before the square root (default 1e-5).
        affine: Learn ``gamma`` (init 1) and ``beta`` (init 0) (default True); without them the
            layer has no params.

    Raises:
        ValueError: in training on a batch of one sample (its variance is 0, as torch refuses).

    Example:
        >>> import numpy as np
        >>> bn = BatchNorm()
        >>> bn.build(2, dtype="float64")
        >>> y = bn.forward(np.array([[1.0, 10.0], [3.0, 30.0]]), training=True)
        >>> y.round(4), bn.buffers["running_mean"]
        (array([[-1., -1.],
               [ 1.,  1.]]), array([0.2, 2. ]))
    """

    buffer_names = ("running_mean", "running_var")
    nonnegative_weights = ("running_var",)

    def __init__(
        self,
        momentum: float = 0.1,
        eps: float = 1e-5,
        affine: bool = True,
        *,
        name: str | None = None,
    ) -> None:
        super().__init__(eps=eps, affine=affine, name=name)
        self.momentum = check_number(momentum, "BatchNorm: momentum", low=0.0, high=1.0)

    @property
    def affine(self) -> bool:
        return self._affine

    def _build(self, rng: np.random.Generator) -> None:
        super()._build(rng)
        self.buffers["running_mean"] = np.zeros((self.input_dim,), dtype=self.dtype)
        self.buffers["running_var"] = np.ones((self.input_dim,), dtype=self.dtype)

    def forward(self, x: Array, training: bool = False) -> Array:
        x = self._check_input(x)
        if not training:
            inv_std = 1.0 / np.sqrt(self.buffers["running_var"] + self.eps)
            return self._scale_shift((x - self.buffers["running_mean"]) * inv_std)
        n = x.shape[0]
        if n < 2:
            raise ValueError(
                f"{self.describe()}: training needs more than 1 sample per batch to estimate "
                f"a variance (as torch.nn.BatchNorm1d); got a batch of shape {x.shape}"
            )
        x_hat, mean, var, inv_std = _standardize(x, self._axis, self.eps)
        m = self.momentum
        running_mean, running_var = self.buffers["running_mean"], self.buffers["running_var"]
        running_mean *= 1.0 - m
        running_mean += m * mean[0]
        running_var *= 1.0 - m
        running_var += (m * n / (n - 1)) * var[0]
        self._cache = {"x_hat": x_hat, "inv_std": inv_std[0]}
        return self._scale_shift(x_hat)

    def get_config(self) -> dict[str, Any]:
        return {
            "momentum": self.momentum,
            "eps": self.eps,
            "affine": self._affine,
            **super().get_config(),
        }


@register_layer
class LayerNorm(_Normalization):
    r"""Layer normalisation (Ba, Kiros & Hinton 2016) over the features, as ``torch.nn.LayerNorm``.

    Each sample is standardised over its own ``d`` features, so training and inference compute
    the same function and there are no running statistics::

        μ_i = mean_j x_ij,   σ²_i = mean_j (x_ij - μ_i)²   (biased),
        x̂ = (x - μ) / sqrt(σ² + ε),   y = γ ⊙ x̂ + β

    Backward, with ``g = ∂L/∂y``, ``h = γ ⊙ g`` and row sums over the features::

        ∂L/∂γ = Σ_batch g ⊙ x̂,   ∂L/∂β = Σ_batch g,
        ∂L/∂x = 1 / (d sqrt(σ² + ε)) ⊙ (d h - Σ_j h - x̂ ⊙ Σ_j (h ⊙ x̂))

    Shapes: ``x``, ``y`` (batch, features); ``gamma``, ``beta`` (features,). Cached for backward:
    ``x̂`` (batch, features) and ``1/sqrt(σ² + ε)`` (batch, 1).

    Args:
        eps: Added to the variance before the square root (default 1e-5).
        elementwise_affine: Learn ``gamma`` (init 1) and ``beta`` (init 0) (default True).

    Example:
        >>> import numpy as np
        >>> ln = LayerNorm()
        >>> ln.forward(np.array([[1.0, 3.0], [10.0, 30.0]])).round(4)
        array([[-1.,  1.],
               [-1.,  1.]])
    """

    _axis = 1

    def __init__(
        self, eps: float = 1e-5, elementwise_affine: bool = True, *, name: str | None = None
    ) -> None:
        super().__init__(eps=eps, affine=elementwise_affine, name=name)

    @property
    def elementwise_affine(self) -> bool:
        return self._affine

    def forward(self, x: Array, training: bool = False) -> Array:
        x = self._check_input(x)
        x_hat, _, _, inv_std = _standardize(x, self._axis, self.eps)
        if training:
            self._cache = {"x_hat": x_hat, "inv_std": inv_std}
        return self._scale_shift(x_hat)

    def get_config(self) -> dict[str, Any]:
        return {"eps": self.eps, "elementwise_affine": self._affine, **super().get_config()}
