"""``Dropout``: zero random units while training, scale the rest so the mean is unchanged."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .._checks import check_seed
from .base import Array, Layer, register_layer

__all__ = ["Dropout"]


@register_layer
class Dropout(Layer):
    r"""Inverted dropout (Srivastava et al. 2014), as ``torch.nn.Dropout``.

    Training: each element is kept with probability ``1 - p`` (mask ``m``, 1 = keep) and the
    kept ones are scaled up, so that ``E[y] = x`` and inference needs no rescaling::

        y = x ⊙ m / (1 - p),        ∂L/∂x = ∂L/∂y ⊙ m / (1 - p)

    Inference: ``y = x`` (the input itself is returned).

    Randomness: the mask is drawn from ``np.random.default_rng(seed)`` when the layer has its
    own ``seed``; otherwise from the generator passed to :meth:`build` (a model passes its own,
    so one model seed fixes every mask). Uniform numbers are drawn in float64 and compared with
    ``p``, so a float32 and a float64 layer with the same seed drop the same units.

    Fixed mask: :meth:`set_mask` pins a mask that every training forward then uses (for
    gradient checks and comparisons with PyTorch, whose generator cannot be shared);
    ``set_mask(None)`` goes back to random masks. :attr:`last_mask` is the mask of the last
    training forward.

    Shapes: ``x``, ``y`` (batch, features). Cached for backward: the boolean keep mask, 1 byte
    per element (nothing at all when ``p = 0`` and no mask is pinned).

    Args:
        p: Probability of dropping each element, in ``[0, 1)`` (default 0.5). ``p = 1`` is
            refused: nothing would be kept and the scale ``1 / (1 - p)`` is infinite.
        seed: Seed of the layer's own generator (default None: use the generator from
            :meth:`build`).

    Example:
        >>> import numpy as np
        >>> drop = Dropout(0.5, seed=0)
        >>> y = drop.forward(np.ones((2, 4)), training=True)
        >>> sorted(set(y.ravel().tolist())) in ([0.0, 2.0], [0.0], [2.0])
        True
        >>> drop.forward(np.ones((2, 4))).sum()               # inference: identity
        np.float64(8.0)
    """

    def __init__(self, p: float = 0.5, *, seed: int | None = None, name: str | None = None) -> None:
        super().__init__(name=name)
        if isinstance(p, bool) or not isinstance(p, int | float | np.integer | np.floating):
            raise TypeError(f"Dropout: p must be a number in [0, 1), got {type(p).__name__}: {p!r}")
        if not (math.isfinite(p) and 0.0 <= p < 1.0):
            raise ValueError(
                f"Dropout: p (the drop probability) must be in [0, 1), got {p!r}; p = 1 would "
                "drop every unit"
            )
        self.p = float(p)
        self.seed = check_seed(seed, "Dropout: seed")
        self._rng: np.random.Generator | None = None
        self._fixed_mask: np.ndarray | None = None

    def weight_shapes(self, input_dim: int) -> dict[str, tuple[int, ...]]:
        return {}

    def _build(self, rng: np.random.Generator) -> None:
        self._rng = np.random.default_rng(self.seed) if self.seed is not None else rng

    def set_mask(self, mask: ArrayLike | None) -> None:
        """Pin the keep mask (True / 1 = keep) used by every training forward; None unpins it.

        The mask must have the batch's shape at each forward (checked there) and hold only
        booleans or 0/1 values.
        """
        if mask is None:
            self._fixed_mask = None
            return
        m = np.asarray(mask)
        if m.ndim != 2:
            raise ValueError(
                f"{self.describe()}: mask must be 2-D (batch, features), got shape {m.shape}"
            )
        if m.dtype != np.bool_:
            if m.dtype.kind not in "iuf" or not np.all((m == 0) | (m == 1)):
                raise ValueError(
                    f"{self.describe()}: mask must hold booleans or 0/1 values, got dtype {m.dtype}"
                )
            m = m != 0
        self._fixed_mask = m.copy()

    @property
    def last_mask(self) -> np.ndarray | None:
        """The boolean keep mask of the last training forward (None if none, or if ``p = 0``)."""
        return self._cache.get("keep")

    def forward(self, x: Array, training: bool = False) -> Array:
        x = self._check_input(x)
        if not training:
            return x
        keep = self._fixed_mask
        if keep is not None and keep.shape != x.shape:
            raise ValueError(
                f"{self.describe()}: the pinned mask has shape {keep.shape}, but the batch has "
                f"shape {x.shape}; call set_mask with a matching mask or set_mask(None)"
            )
        if keep is None and self.p == 0.0:
            self._cache = {"keep": None, "shape": x.shape}
            return x
        if keep is None:
            keep = self._rng.random(x.shape) >= self.p
        self._cache = {"keep": keep}
        y = x * keep
        y *= 1.0 / (1.0 - self.p)
        return y

    def backward(self, grad_out: Array) -> Array | None:
        (keep,) = self._take_cache("keep")
        if not self.needs_input_grad:
            return None
        if keep is None:  # p = 0: the identity
            return self._check_grad_out(grad_out, self._cache["shape"])
        g = self._check_grad_out(grad_out, keep.shape)
        dx = g * keep
        dx *= 1.0 / (1.0 - self.p)
        return dx

    def get_config(self) -> dict[str, Any]:
        return {"p": self.p, "seed": self.seed, **super().get_config()}

    def describe(self) -> str:
        return self.name or f"Dropout({self.p:g})"
