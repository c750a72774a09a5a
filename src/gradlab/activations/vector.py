"""Activations that mix a whole axis: softmax, log-softmax, softmin, sparsemax and GLU.

They have no elementwise derivative; each gives the vector-Jacobian product ``vjp`` (what
back-propagation needs) and, for a 1-D input, the full ``jacobian``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from .base import INF, VectorActivation, register
from .classic import sigmoid_kernel

Array = NDArray[np.floating]


def shifted_by_max(x: Array, axis: int) -> Array:
    """Return ``x - max(x)`` along ``axis`` as a new array, with the limits of infinite maxima.

    A row whose maximum is finite is shifted as it is; ``x - max`` below the largest negative
    float (a row that spans more than the float range) is ``-inf``, which is what every caller
    needs (``e^{-inf} = 0``), so that overflow is not reported. A row whose maximum is
    ``+inf`` has a limit only if exactly one entry is ``+inf``: softmax, log-softmax and
    sparsemax then tend to the one-hot vector at that entry, so the row becomes 0 there and
    ``-inf`` elsewhere (PyTorch returns NaN: ``inf - inf``). Rows with several ``+inf``
    entries (no limit: it depends on how they grow), rows of ``-inf`` only and rows with a NaN
    become NaN, as in PyTorch. No warnings.
    """
    m = np.max(x, axis=axis, keepdims=True)
    if not np.isfinite(m).all():
        x, m = _limit_rows(x, axis, m)
    with np.errstate(over="ignore"):
        return np.subtract(x, m)


def _limit_rows(x: Array, axis: int, m: Array) -> tuple[Array, Array]:
    """Replace the rows of ``x`` whose maximum ``m`` is not finite (see shifted_by_max)."""
    top = x == np.inf
    single = (m == np.inf) & (np.sum(top, axis=axis, keepdims=True) == 1)
    undefined = ~np.isfinite(m) & ~single
    stand_in = np.where(top, 0.0, -np.inf)  # the one-hot limit's logits
    x = np.where(single, stand_in, np.where(undefined, np.nan, x)).astype(x.dtype, copy=False)
    return x, np.where(single, 0.0, np.where(undefined, np.nan, m)).astype(x.dtype, copy=False)


def softmax_kernel(x: Array, axis: int) -> Array:
    """Return ``exp(x - max) / sum(exp(x - max))`` along ``axis`` (never overflows).

    A row with one ``+inf`` gives its limit, the one-hot vector there (see shifted_by_max).
    """
    e = shifted_by_max(x, axis)
    np.exp(e, out=e)
    e /= np.sum(e, axis=axis, keepdims=True)
    return e


def softmax_vjp(s: Array, g: Array, axis: int) -> Array:
    """Return ``s * (g - <g, s>)``, the vector-Jacobian product of softmax at output ``s``."""
    out = np.subtract(g, np.sum(g * s, axis=axis, keepdims=True))
    out *= s
    return out


_SOFTMAX_INFO: dict[str, Any] = dict(
    output_range=(0.0, 1.0),
    range_closed=(False, False),
    monotonic=None,
    zero_centered=False,
    smooth=True,
    max_abs_derivative=0.25,
    max_abs_derivative_at="diagonal entry s_i (1 - s_i) when s_i = 1/2",
    max_abs_derivative_x=None,
    kinks=(),
)


@register
class Softmax(VectorActivation):
    r"""Softmax along ``axis`` (default -1): exponentiate and normalise to sum 1.

    .. math:: s_i = \frac{e^{x_i - m}}{\sum_j e^{x_j - m}},\ m = \max_j x_j, \qquad
              \frac{\partial s_i}{\partial x_j} = s_i(\delta_{ij} - s_j)

    Subtracting the maximum changes nothing mathematically and keeps ``exp`` from overflowing:
    ``softmax([1010, 1000, 990])`` is ``[9.99954600e-01, 4.53978686e-05, 2.06106005e-09]``. The
    order of the inputs is kept, so ``argmax`` can be taken on the logits at inference.
    ``-inf`` entries get probability 0; a single ``+inf`` entry takes all of it (the limit;
    PyTorch gives NaN); rows with several ``+inf``, only ``-inf`` or a NaN are NaN, as PyTorch.
    """

    name = "softmax"
    torch = "torch.softmax"

    def _f(self, x: Array) -> Array:
        return softmax_kernel(x, self.axis)

    def _vjp(self, x: Array, g: Array, y: Array) -> Array:
        return softmax_vjp(y, g, self.axis)

    def _info(self) -> dict[str, Any]:
        return dict(
            _SOFTMAX_INFO,
            formula=r"s_i = \frac{e^{x_i}}{\sum_j e^{x_j}}",
            derivative_formula=r"\frac{\partial s_i}{\partial x_j} = s_i(\delta_{ij} - s_j),\quad "
            r"\bar{x} = s \odot (\bar{s} - \langle \bar{s}, s \rangle)",
            notes="Turns scores into a probability distribution for multi-class outputs; pair it "
            "with cross-entropy on the logits (fused) for a stable loss and the simple gradient "
            "s - onehot.",
        )


@register
class LogSoftmax(VectorActivation):
    r"""Log of softmax via log-sum-exp along ``axis``.

    .. math:: \ell_i = x_i - m - \log \sum_j e^{x_j - m}, \qquad
              \bar{x} = \bar{\ell} - \mathrm{softmax}(x) \sum_j \bar{\ell}_j

    Infinite entries as softmax: a single ``+inf`` gives 0 there and ``-inf`` elsewhere.
    """

    name = "log_softmax"
    torch = "torch.log_softmax"

    def _f(self, x: Array) -> Array:
        z = shifted_by_max(x, self.axis)  # a single +inf: 0 there, -inf elsewhere (the limit)
        z -= np.log(np.sum(np.exp(z), axis=self.axis, keepdims=True))
        return z

    def _vjp(self, x: Array, g: Array, y: Array) -> Array:
        return g - np.exp(y) * np.sum(g, axis=self.axis, keepdims=True)

    def _info(self) -> dict[str, Any]:
        return dict(
            output_range=(-INF, 0.0),
            range_closed=(False, False),
            monotonic=None,
            zero_centered=False,
            smooth=True,
            max_abs_derivative=1.0,
            max_abs_derivative_at="entry 1 - s_i approached as s_i -> 0",
            max_abs_derivative_x=None,
            kinks=(),
            formula=r"\ell_i = x_i - \log \sum_j e^{x_j}",
            derivative_formula=r"\frac{\partial \ell_i}{\partial x_j} = \delta_{ij} - s_j",
            notes="Log-probabilities without computing tiny probabilities first; what negative "
            "log-likelihood losses consume.",
        )


@register
class Softmin(VectorActivation):
    r"""Softmin along ``axis``: ``softmax(-x)``, so the smallest input gets the largest weight.

    .. math:: s_i = \frac{e^{-x_i}}{\sum_j e^{-x_j}}, \qquad
              \frac{\partial s_i}{\partial x_j} = -s_i(\delta_{ij} - s_j)
    """

    name = "softmin"
    torch = "torch.nn.functional.softmin"

    def _f(self, x: Array) -> Array:
        return softmax_kernel(np.negative(x), self.axis)

    def _vjp(self, x: Array, g: Array, y: Array) -> Array:
        out = softmax_vjp(y, g, self.axis)
        return np.negative(out, out=out)

    def _info(self) -> dict[str, Any]:
        return dict(
            _SOFTMAX_INFO,
            formula=r"s_i = \frac{e^{-x_i}}{\sum_j e^{-x_j}}",
            derivative_formula=r"\frac{\partial s_i}{\partial x_j} = -s_i(\delta_{ij} - s_j)",
            notes="Softmax of the negated input: a soft arg-min, e.g. for weighting by distance.",
        )


@register
class Sparsemax(VectorActivation):
    r"""Sparsemax (Martins & Astudillo 2016): the Euclidean projection onto the simplex.

    .. math:: p = \arg\min_{q \in \Delta} \lVert q - x \rVert^2 = \max(x - \tau, 0)

    where ``τ`` makes ``p`` sum to 1. Unlike softmax it gives exact zeros. On the support
    ``S = {i : p_i > 0}`` the Jacobian is ``I - 1 1ᵀ/|S|``, zero elsewhere, so the
    vector-Jacobian product is ``[i ∈ S] (ḡ_i - mean_{j∈S} ḡ_j)``. PyTorch has no sparsemax.
    ``-inf`` entries get 0; a single ``+inf`` entry gets 1 (the limit); rows with several
    ``+inf``, only ``-inf`` or a NaN are NaN (see :func:`shifted_by_max`).
    """

    name = "sparsemax"

    def _f(self, x: Array) -> Array:
        z = shifted_by_max(np.moveaxis(x, self.axis, -1), -1)
        srt = -np.sort(-z, axis=-1)
        k = np.arange(1, z.shape[-1] + 1, dtype=z.dtype)
        with np.errstate(over="ignore"):  # sums of huge negative entries: -inf, never chosen
            cums = np.cumsum(srt, axis=-1)
            support = 1.0 + k * srt > cums
        size = np.sum(support, axis=-1, keepdims=True)
        # a NaN row has an empty support: take its first entry (NaN) instead of index -1
        tau = np.take_along_axis(cums, np.maximum(size - 1, 0), axis=-1) - 1.0
        tau /= np.maximum(size, 1).astype(z.dtype)
        p = np.maximum(z - tau, 0.0)
        return np.moveaxis(p, -1, self.axis)

    def _vjp(self, x: Array, g: Array, y: Array) -> Array:
        on = (y > 0).astype(g.dtype)
        with np.errstate(invalid="ignore"):  # a NaN row has no support: 0 / 0, NaN throughout
            mean = np.sum(g * on, axis=self.axis, keepdims=True) / np.sum(
                on, axis=self.axis, keepdims=True
            )
        return on * (g - mean)

    def _info(self) -> dict[str, Any]:
        return dict(
            output_range=(0.0, 1.0),
            range_closed=(True, True),
            monotonic=None,
            zero_centered=False,
            smooth=False,
            max_abs_derivative=1.0,
            max_abs_derivative_at="diagonal entry 1 - 1/|S| approached as the support grows",
            max_abs_derivative_x=None,
            kinks=(),
            formula=r"p_i = \max(x_i - \tau(x), 0),\ \sum_i p_i = 1",
            derivative_formula=r"\frac{\partial p_i}{\partial x_j} = [i, j \in S]\,(\delta_{ij} - "
            r"1/|S|)",
            notes="Sparse probabilities: low scores get exactly zero, useful for attention you "
            "want to read. Piecewise linear, so the Jacobian changes when an entry enters or "
            "leaves the support.",
        )


@register
class GLU(VectorActivation):
    r"""Gated linear unit (Dauphin et al. 2017): split ``x`` in halves ``a, b`` along ``axis``.

    .. math:: \mathrm{glu}(a, b) = a \odot \sigma(b), \qquad
              \bar a = \bar y\,\sigma(b), \quad \bar b = \bar y\,a\,\sigma(b)(1 - \sigma(b))

    The size along ``axis`` must be even; the output has half of it. An infinite ``a`` whose
    gate ``σ(b)`` is 0 (``b = -inf``, or below about -745 in float64) gives ``inf · 0`` = NaN,
    as PyTorch, without a warning: there is no limit (it depends on how fast each grows).
    """

    name = "glu"
    torch = "torch.nn.functional.glu"

    def _halves(self, x: Array) -> tuple[Array, Array]:
        n = x.shape[self.axis]
        if n % 2:
            raise ValueError(
                f"glu splits axis {self.axis} into two halves, so its size must be even; got "
                f"shape {x.shape}"
            )
        a, b = np.split(x, 2, axis=self.axis)
        return a, b

    def _f(self, x: Array) -> Array:
        a, b = self._halves(x)
        y = sigmoid_kernel(b)
        with np.errstate(invalid="ignore"):  # a = ±inf where σ(b) = 0: NaN, as PyTorch
            y *= a
        return y

    def _vjp(self, x: Array, g: Array, y: Array) -> Array:
        a, b = self._halves(x)
        s = sigmoid_kernel(b)
        ga = g * s
        # invalid: as in the forward; over: g a σ'(b) above the largest float is ±inf
        with np.errstate(invalid="ignore", over="ignore"):
            gb = ga * a
            gb *= 1.0 - s
        return np.concatenate([ga, gb], axis=self.axis)

    def _info(self) -> dict[str, Any]:
        return dict(
            output_range=(-INF, INF),
            range_closed=(False, False),
            monotonic=None,
            zero_centered=True,
            smooth=True,
            max_abs_derivative=INF,
            max_abs_derivative_at="unbounded: da/db entry a sigma'(b) grows with |a|",
            max_abs_derivative_x=None,
            kinks=(),
            formula=r"\mathrm{glu}(a, b) = a \odot \sigma(b)",
            derivative_formula=r"\bar a = \bar y \odot \sigma(b),\ \bar b = \bar y \odot a \odot "
            r"\sigma'(b)",
            notes="One half of the features gates the other: a learned, multiplicative on/off "
            "switch. The basis of the GLU variants (SwiGLU, GeGLU) in modern transformers.",
        )
