"""Rectifiers with learnable parameters: ``PReLU`` (learned negative slope) and ``FReLU``
(learned shift of the output).

Both keep one parameter per unit (``shared=False``, the default) or one scalar for the whole
layer (``shared=True``); the gradient of a shared parameter is the sum over every unit.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._checks import check_bool, check_number
from .base import Array, Layer, register_layer

__all__ = ["FReLU", "PReLU"]


class _UnitParam(Layer):
    """A layer with one elementwise parameter, per unit ``(input_dim,)`` or shared ``(1,)``."""

    _param: str = ""

    def __init__(self, *, shared: bool = False, init: float = 0.0, name: str | None = None) -> None:
        super().__init__(name=name)
        self.shared = check_bool(shared, f"{type(self).__name__}: shared")
        self.init = check_number(init, f"{type(self).__name__}: init")

    def weight_shapes(self, input_dim: int) -> dict[str, tuple[int, ...]]:
        return {self._param: (1 if self.shared else input_dim,)}

    def _build(self, rng: np.random.Generator) -> None:
        size = 1 if self.shared else self.input_dim
        self.params[self._param] = np.full((size,), self.init, dtype=self.dtype)

    def _reduce(self, t: Array) -> Array:
        """Sum a per-element gradient down to the parameter's shape."""
        return t.sum(axis=0) if not self.shared else np.reshape(t.sum(), (1,))

    def get_config(self) -> dict[str, Any]:
        return {"shared": self.shared, "init": self.init, **super().get_config()}


@register_layer
class PReLU(_UnitParam):
    r"""Parametric ReLU (He et al. 2015) with a learned negative slope ``alpha``.

    .. math:: y = \max(0, x) + \alpha \min(0, x)

    Backward, with ``g = ∂L/∂y``::

        ∂L/∂x = g             where x > 0,     α g elsewhere (also at x = 0, as torch)
        ∂L/∂α = Σ g · min(0, x)                 (summed over the batch, and over the units
                                                 too when shared; 0 contribution at x = 0)

    ``shared=True`` is ``torch.nn.PReLU(num_parameters=1)`` (torch's default);
    ``shared=False`` (the default here, as Keras) is ``torch.nn.PReLU(num_parameters=C)``.

    Shapes: ``x`` and ``y`` (batch, units); param ``alpha`` ``(units,)`` or ``(1,)`` when shared.
    Cached for backward: ``x`` (the sign of ``x`` picks the slope, ``min(0, x)`` is ∂y/∂α).

    Args:
        shared: One slope for the whole layer instead of one per unit (default False).
        init: Initial slope (default 0.25, as ``torch.nn.PReLU``).

    Example:
        >>> import numpy as np
        >>> layer = PReLU()
        >>> layer.build(2, dtype="float64")
        >>> layer.forward(np.array([[-2.0, 3.0]]))
        array([[-0.5,  3. ]])
    """

    param_names = ("alpha",)
    _param = "alpha"

    def __init__(
        self, *, shared: bool = False, init: float = 0.25, name: str | None = None
    ) -> None:
        super().__init__(shared=shared, init=init, name=name)

    def forward(self, x: Array, training: bool = False) -> Array:
        x = self._check_input(x)
        alpha = self.params["alpha"]
        neg = np.minimum(x, 0)
        neg *= alpha
        y = np.maximum(x, 0)
        y += neg
        if training:
            self._cache = {"x": x}
        return y

    def backward(self, grad_out: Array) -> Array | None:
        (x,) = self._take_cache("x")
        g = self._check_grad_out(grad_out, x.shape)
        alpha = self.params["alpha"]
        self.grads["alpha"][...] = self._reduce(g * np.minimum(x, 0))
        if not self.needs_input_grad:
            return None
        return np.where(x > 0, g, g * alpha)

    def describe(self) -> str:
        return self.name or f"PReLU(shared={self.shared})"


@register_layer
class FReLU(_UnitParam):
    r"""Flexible ReLU (Qiu, Xu & Cai 2018, arXiv:1706.08098): ReLU plus a learned shift ``b``.

    .. math:: y = \max(0, x) + b

    The learned ``b`` moves the "rectified point" so that a unit can output negative values;
    the paper reports that trained shifts tend to become negative. The paper learns one ``b`` per
    layer (``shared=True``) or per channel; here one per unit is the default. It starts at
    ``init = 0``, so the layer begins as a plain ReLU (mlpack's ``FlexibleReLU`` also defaults
    to 0).

    Backward, with ``g = ∂L/∂y``::

        ∂L/∂x = g · [x > 0]        (0 at x = 0, as the ReLU derivative in torch)
        ∂L/∂b = Σ_batch g          (and over the units too when shared)

    Not to be confused with the *funnel* activation FReLU of Ma, Zhang & Sun (2020),
    ``max(x, T(x))`` with a depthwise convolution ``T`` over a spatial window: that one needs
    convolutions and is not this layer.

    Shapes: ``x`` and ``y`` (batch, units); param ``b`` ``(units,)`` or ``(1,)`` when shared.
    Cached for backward: the boolean mask ``x > 0`` (1 byte per element).

    Args:
        shared: One shift for the whole layer instead of one per unit (default False).
        init: Initial shift (default 0.0).

    Example:
        >>> import numpy as np
        >>> layer = FReLU(init=-0.5)
        >>> layer.build(2, dtype="float64")
        >>> layer.forward(np.array([[-2.0, 3.0]]))
        array([[-0.5,  2.5]])
    """

    param_names = ("b",)
    _param = "b"

    def forward(self, x: Array, training: bool = False) -> Array:
        x = self._check_input(x)
        y = np.maximum(x, 0)
        y += self.params["b"]
        if training:
            self._cache = {"positive": x > 0}
        return y

    def backward(self, grad_out: Array) -> Array | None:
        (positive,) = self._take_cache("positive")
        g = self._check_grad_out(grad_out, positive.shape)
        self.grads["b"][...] = self._reduce(g)
        if not self.needs_input_grad:
            return None
        return g * positive

    def describe(self) -> str:
        return self.name or f"FReLU(shared={self.shared})"
