"""``Maxout``: the maximum of several affine maps, a learned piecewise-linear activation."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import initializers
from .._checks import check_int
from .base import Array, Layer, register_layer

__all__ = ["Maxout"]


@register_layer
class Maxout(Layer):
    r"""Maxout units (Goodfellow et al. 2013): each output is the largest of ``pieces`` affine maps.

    .. math:: z_k = x W_k + b_k \quad (k = 1..K), \qquad y_j = \max_k z_{k,j}

    Backward: only the winning piece ``k*(i, j) = argmax_k z_{k,ij}`` of each output receives
    the gradient. With ``δ_k = g ⊙ [k* = k]`` (``g = ∂L/∂y``)::

        ∂L/∂W_k = xᵀ δ_k,   ∂L/∂b_k = Σ_batch δ_k,   ∂L/∂x = Σ_k δ_k W_kᵀ

    Ties go to the first maximal piece (``np.argmax``), like the gradient of PyTorch's
    ``torch.max(z, dim)``, which returns the index of the first maximum; ``torch.amax`` would
    instead share the gradient evenly between tied pieces.

    Shapes: ``x`` (batch, in); ``W`` ``(pieces, in, units)``, a stack of Dense kernels, so each
    piece's initializer sees the fans ``(in, units)``; ``b`` ``(pieces, units)``; ``y``
    (batch, units). The equivalent PyTorch module is ``nn.Linear(in, pieces * units)`` followed
    by ``.view(-1, pieces, units).max(dim=1)``, with
    ``weight = W.transpose(0, 2, 1).reshape(pieces * units, in)`` and ``bias = b.reshape(-1)``.

    Cached for backward: ``x`` and the index of the winning piece of every output (``uint8``
    when ``pieces <= 256``, 1 byte per output).

    Args:
        units: Output features.
        pieces: Affine maps per output, ``K >= 1`` (default 2; ``K = 1`` is a Dense layer).
        kernel_initializer: Initializer of ``W`` (default ``glorot_uniform``).
        bias_initializer: Initializer of ``b`` (default ``zeros``).

    Example:
        >>> import numpy as np
        >>> layer = Maxout(3, pieces=4)
        >>> layer.build(2, rng=np.random.default_rng(0), dtype="float64")
        >>> layer.params["W"].shape, layer.forward(np.ones((5, 2))).shape
        ((4, 2, 3), (5, 3))
    """

    param_names = ("W", "b")

    def __init__(
        self,
        units: int,
        pieces: int = 2,
        *,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        name: str | None = None,
    ) -> None:
        super().__init__(name=name)
        self.units = check_int(units, "units", low=1)
        self.pieces = check_int(pieces, "Maxout: pieces", low=1)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)

    def _build(self, rng: np.random.Generator) -> None:
        shape = (self.pieces, self.input_dim, self.units)
        self.params["W"] = self.kernel_initializer(shape, rng, self.dtype)
        self.params["b"] = self.bias_initializer((self.pieces, self.units), rng, self.dtype)

    def weight_shapes(self, input_dim: int) -> dict[str, tuple[int, ...]]:
        return {"W": (self.pieces, input_dim, self.units), "b": (self.pieces, self.units)}

    def output_width(self, input_dim: int) -> int:
        return self.units

    @property
    def output_dim(self) -> int:
        return self.units

    def forward(self, x: Array, training: bool = False) -> Array:
        x = self._check_input(x)
        z = np.matmul(x, self.params["W"])  # (pieces, batch, units)
        z += self.params["b"][:, None, :]
        if not training:
            return z.max(axis=0)
        winner = z.argmax(axis=0)
        self._cache = {
            "x": x,
            "winner": winner.astype(np.uint8 if self.pieces <= 256 else np.intp),
        }
        return np.take_along_axis(z, winner[None], axis=0)[0]

    def backward(self, grad_out: Array) -> Array | None:
        x, winner = self._take_cache("x", "winner")
        g = self._check_grad_out(grad_out, winner.shape)
        W = self.params["W"]
        dx = None
        for k in range(self.pieces):
            delta = g * (winner == k)
            np.matmul(x.T, delta, out=self.grads["W"][k])
            np.sum(delta, axis=0, out=self.grads["b"][k])
            if self.needs_input_grad:
                part = delta @ W[k].T
                dx = part if dx is None else np.add(dx, part, out=dx)
        return dx

    def get_config(self) -> dict[str, Any]:
        return {
            "units": self.units,
            "pieces": self.pieces,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            **super().get_config(),
        }

    def describe(self) -> str:
        return self.name or f"Maxout({self.units}, pieces={self.pieces})"
