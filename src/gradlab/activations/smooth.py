"""Smooth rectifiers: softplus, GELU, SiLU/Swish, Mish, and the piecewise-polynomial ones."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special

from .._checks import check_number
from .base import (
    INF,
    ElementwiseActivation,
    Kink,
    clip_ufunc,
    largest,
    register,
    select,
    work_array,
)
from .classic import sigmoid_kernel, softplus_kernel

Array = NDArray[np.floating]

_SQRT_2 = math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_GELU_CUBIC = 0.044715
_FLOAT32_64 = (np.dtype(np.float32), np.dtype(np.float64))
#: Squareplus squares min(|x|, 2^60): no overflow in float32 (2^120 < 2^128); beyond, the root
#: is |x| to the last bit for any b up to 2^40 (b / 2x² < 2^-81). Larger b take np.hypot.
_SQUAREPLUS_SPLIT = 2.0**60
_SQUAREPLUS_MAX_B = 2.0**40
#: The tanh form of GELU clips x to ±30 inside tanh: there √(2/π)(x + 0.044715 x³) = ±987,
#: whose tanh is ±1 in every float dtype, and x² cannot overflow.
_GELU_TANH_CLIP = 30.0

# erf(x / √2) ≈ tanh(x P(x²) / Q(x²)) for float32 x, x² clipped to 36: coefficients fitted here
# (weighted minimax of atanh(erf(x/√2)) / x on [0, 6.01] by linear programming, P of degree 4,
# Q = 1 + q1 s + q2 s², rounded to float32). Q is evaluated in place as (s + h)² + k, with P
# divided by q2 to match. See erf_scaled_float32.
_ERF32_CLIP = np.float32(6.0)
#: P / q2, constant term first.
_ERF32_P = tuple(np.float32(c) for c in (
    166.0719757080078, 18.50054931640625, 1.288403868675232, 0.024888992309570312,
    -0.00013356895942706615,
))  # fmt: skip
#: h and k of Q / q2 = (s + h)² + k (q1 = 0.06586117297410965, q2 = 0.004804450552910566).
_ERF32_H, _ERF32_K = np.float32(6.854183662501276), np.float32(161.1605122327204)
#: Guard of ``Φ(x) = y / x`` at ``x = 0`` (see GELU._df): tiny against ``x²`` wherever float32
#: ``Φ(x)`` differs from 1/2 (``|x| > 2^-26``), yet a normal float32.
_PHI_GUARD = np.float32(2.0**-100)


def erf_scaled_float32(x: Array) -> Array:
    r"""Return ``erf(x / √2)`` for a float32 array ``x``, as a new float32 array.

    .. math:: \mathrm{erf}(x/\sqrt2) \approx \tanh\!\left(x\,\frac{P(s)}{Q(s)}\right),
              \qquad s = \min(x^2, 36),

    with ``P`` of degree 4 and ``Q = 1 + q_1 s + q_2 s^2`` fitted here: the tanh absorbs the
    saturation, so seven coefficients reach float32 precision where a plain rational needs
    twelve. For ``|x| >= 6`` the argument is at least 10 and NumPy's float32 tanh gives exactly
    ±1, as does the correctly rounded ``erf`` (an overflow of the argument beyond ``|x| ~ 1e35``
    gives ±inf and again ±1). Evaluated in float32 with 17 in-place NumPy passes and two new
    arrays (about ten times faster than ``scipy.special.erf``, which loops over scalars).
    Error against float64 ``scipy.special.erf``, measured over every float32 ``x`` in [0, 7)
    (1.09e9 values): at most 5.01 ulp, at ``x = 0.0783`` where the value lies just below
    ``2^-4`` (its ulp halves there while the tanh argument's does not); mean 0.45 ulp. Exactly
    odd; NaN stays NaN; ``±inf`` gives ±1. ``tests/test_activation_kernels.py`` checks the
    bound on a dense grid.
    """
    s = np.clip(x, -_ERF32_CLIP, _ERF32_CLIP)
    s *= s
    p4, p3, p2, p1, p0 = _ERF32_P[::-1]
    p = np.multiply(s, p4)
    for coef in (p3, p2, p1):
        p += coef
        p *= s
    p += p0
    with np.errstate(over="ignore"):  # |x| > 1e35: ±inf, and tanh gives ±1
        p *= x
    s += _ERF32_H  # Q / q2 = (s + h)² + k, in place
    s *= s
    s += _ERF32_K
    p /= s
    return np.tanh(p, out=p)


@register
class Softplus(ElementwiseActivation):
    r"""Softplus with PyTorch's ``beta`` and ``threshold``.

    .. math::
        f(x) = \begin{cases} \frac{1}{\beta}\log(1 + e^{\beta x}) & \beta x \le t \\
        x & \beta x > t \end{cases}, \qquad f'(x) = \sigma(\beta x)\ (1 \text{ above } t)

    Defaults ``beta = 1``, ``threshold = 20`` (PyTorch). Above the threshold the exact value
    differs from ``x`` by less than ``e^{-20}/β``, so the switch is numerical, not a kink.
    ``f(-inf) = 0``, ``f(+inf) = inf`` with derivatives 0 and 1, as PyTorch; ``β x`` beyond the
    largest float is ``inf`` (then ``f = x``), without an overflow warning.
    """

    name = "softplus"
    torch = "torch.nn.functional.softplus"

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        self.beta = check_number(beta, "beta", low=0.0, low_open=True)
        self.threshold = check_number(threshold, "threshold")

    def _exact_without_switch(self, dtype: np.dtype) -> bool:
        """Whether above the threshold the kernels already give exactly ``x`` and ``1``.

        With ``beta = 1``, ``log(1 + e^{-x}) < e^{-t}``; once that is below a quarter of the
        dtype's epsilon it is under half an ulp of any ``x > t >= 1``, so ``x + it`` rounds to
        ``x`` and ``1 / (1 + e^{-x})`` to 1. True for float32 at the default ``t = 20``
        (``e^{-20} = 2e-9``), not for float64, which keeps the explicit switch.
        """
        t = self.threshold
        return self.beta == 1.0 and t >= 1.0 and math.exp(-t) < np.finfo(dtype).eps / 4

    def _scaled(self, x: Array) -> Array:
        """Return ``β x`` (``x`` itself for ``β = 1``); ``inf`` where it overflows."""
        if self.beta == 1.0:
            return x
        if self.beta < 1.0:
            return x * self.beta
        with np.errstate(over="ignore"):
            return x * self.beta

    def _f(self, x: Array) -> Array:
        bx = self._scaled(x)
        y = softplus_kernel(bx)
        if self.beta != 1.0:
            y *= 1.0 / self.beta
        if self._exact_without_switch(x.dtype):
            return y
        return select(bx <= self.threshold, y, x, out=y)  # NaN fails bx <= t: x = NaN

    def _df(self, x: Array, y: Array | None) -> Array:
        bx = self._scaled(x)
        s = sigmoid_kernel(bx)
        if self._exact_without_switch(x.dtype):
            return s
        return select(bx > self.threshold, 1.0, s, out=s)  # NaN fails bx > t: σ(NaN) = NaN

    def _info(self) -> dict[str, Any]:
        b = self.beta
        return dict(
            output_range=(0.0, INF),
            range_closed=(False, False),
            monotonic=True,
            zero_centered=False,
            smooth=True,
            max_abs_derivative=1.0,
            max_abs_derivative_at=f"reached for x > {self.threshold / b:g} (beta x > threshold)",
            max_abs_derivative_x=self.threshold / b + 1.0,
            kinks=(),
            formula=rf"f(x) = \frac{{1}}{{{b:g}}} \log(1 + e^{{{b:g} x}})",
            derivative_formula=rf"f'(x) = \sigma({b:g} x)",
            notes="A smooth ReLU whose derivative is the sigmoid; never exactly zero, so no dead "
            "units and no sparsity. Used to keep outputs positive (scales, variances).",
        )


@register
class GELU(ElementwiseActivation):
    r"""Gaussian error linear unit (Hendrycks & Gimpel 2016).

    .. math::
        f(x) = x\,\Phi(x) = \tfrac{x}{2}\bigl(1 + \mathrm{erf}(x/\sqrt{2})\bigr), \qquad
        f'(x) = \Phi(x) + x\,\varphi(x)

    ``approximate="none"`` (default, as PyTorch) is exact; ``approximate="tanh"`` uses
    ``x/2 (1 + tanh(√(2/π)(x + 0.044715 x³)))``. Keras 3's ``gelu`` defaults to the tanh form
    (``approximate=True``); ``True``/``False`` are accepted here too and mean "tanh"/"none".

    The exact form takes ``Φ`` from :func:`scipy.special.ndtr`, which keeps its relative
    accuracy in both tails (to about ``x²`` ulps far left, the condition number of ``Φ``
    there), where ``(1 + erf(x/√2)) / 2`` loses it for ``x < -1``: ``1 + erf`` cancels, and is
    exactly 0 below ``x = -8.3``, where ``x Φ(x)`` is still about ``-4e-16``; except for
    float32 input, where ``(1 + erf) / 2`` with :func:`erf_scaled_float32` gives it to float32
    precision in absolute terms (erf at most 5 ulp) ten times faster. With the forward output
    ``y`` the float32 derivative reads ``Φ(x) = y / x`` off it (guarded at 0) instead of
    computing ``erf`` again; ``φ`` is one ``exp``.

    Limits: ``f(+inf) = inf``, ``f'(+inf) = 1``, ``f'(-inf) = 0`` and ``f(-inf) = 0``, but the
    exact form returns NaN at ``x = -inf`` (``0 · (-inf)``) and for ``f'(±inf)`` (``φ · x``), as
    PyTorch does, without a warning: avoiding it would cost a pass over the array in a hot
    kernel. The tanh form clips its argument to ``±30`` (beyond, ``tanh`` is ``±1`` in float32
    and float64), so it has the limits everywhere, also at ``±inf``, and never overflows.
    """

    name = "gelu"
    torch = "torch.nn.functional.gelu"

    def __init__(self, approximate: str = "none") -> None:
        if isinstance(approximate, bool):
            approximate = "tanh" if approximate else "none"
        if approximate not in ("none", "tanh"):
            raise ValueError(f"approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    @staticmethod
    def _inner(z: Array, out: Array | None = None) -> Array:
        """``tanh(√(2/π)(z + 0.044715 z³))`` (``z`` clipped to ±30 by callers), into ``out``."""
        u = np.multiply(z, z, out=out)
        u *= _GELU_CUBIC
        u += 1.0
        u *= z
        u *= _SQRT_2_OVER_PI
        return np.tanh(u, out=u)

    @staticmethod
    def _cdf(x: Array) -> Array:
        """``Φ(x)`` as a new array: ``(1 + erf(x/√2)) / 2`` from the float32 kernel for float32,
        else :func:`scipy.special.ndtr` (in the dtype of ``x``)."""
        if x.dtype == np.float32:
            p = erf_scaled_float32(x)
            p += 1.0
            p *= 0.5
            return p
        return special.ndtr(x).astype(x.dtype, copy=False)

    def _f(self, x: Array) -> Array:
        if self.approximate == "tanh":
            z = clip_ufunc(x, -_GELU_TANH_CLIP, _GELU_TANH_CLIP, out=work_array(x, 0))
            p = self._inner(z)
            p += 1.0
            p *= 0.5
            # x <= -30: 1 + t is exactly 0, so f = 0 · max(x, -30) = -0 (0 · (-inf) is NaN)
            p *= clip_ufunc(x, -_GELU_TANH_CLIP, np.inf, out=z)
            return p
        p = self._cdf(x)  # Φ(x) first: x (1 + erf) would overflow near the largest float
        with np.errstate(invalid="ignore"):  # x = -inf: 0 · (-inf) = NaN, as PyTorch
            p *= x
        return p

    def _df(self, x: Array, y: Array | None) -> Array:
        if self.approximate == "tanh":
            # (1 + t)/2 + z (1 - t²) √(2/π) (1 + 3 c z²)/2, z = x clipped to ±30 (beyond:
            # t = ±1 and 1 - t² = 0); temporaries in work arrays, one new array
            z = clip_ufunc(x, -_GELU_TANH_CLIP, _GELU_TANH_CLIP, out=work_array(x, 0))
            t = self._inner(z, out=work_array(x, 1))
            d = np.multiply(t, t)
            np.subtract(1.0, d, out=d)  # sech²
            d *= z
            np.multiply(z, z, out=z)
            z *= 3.0 * _GELU_CUBIC
            z += 1.0
            z *= 0.5 * _SQRT_2_OVER_PI
            d *= z
            t += 1.0
            t *= 0.5
            d += t
            return d
        # over: x² = inf for |x| > 1.8e19 (float32), exp gives 0; invalid: at x = ±inf the
        # forward's inf / inf and φ · x = 0 · inf give NaN, as PyTorch
        with np.errstate(over="ignore", invalid="ignore"):
            if y is not None and x.dtype == np.float32:
                cdf, pdf = self._cdf_from_output(x, y)
                sq = pdf  # |x| + g: its square is x² (see _cdf_from_output)
            else:
                cdf = self._cdf(x)
                pdf = np.empty_like(x)
                sq = x
            np.multiply(sq, sq, out=pdf)
            pdf *= -0.5
            np.exp(pdf, out=pdf)
            pdf *= _INV_SQRT_2PI
            pdf *= x
        return np.add(cdf, pdf, out=cdf)

    @staticmethod
    def _cdf_from_output(x: Array, y: Array) -> tuple[Array, Array]:
        """Return ``Φ(x) = y / x`` from the forward output (float32), and ``|x| + g``.

        Computed as ``(|y| + g/2) / (|x| + g)`` with ``g = 2^-100`` (``y = x Φ(x)`` has the sign
        of ``x``): exactly 1/2 at ``x = 0`` and for tiny ``x`` (where ``y = x/2``, or has lost its
        digits for subnormal ``x``), elsewhere within ``g / |x|`` of ``y / x``, and ``y / x``
        rounded once where ``|x|`` and ``|y|`` are at least ``2^-75``. There ``|x| + g`` is
        ``|x|``, so the square of the second array is ``x²`` bit for bit; below, both squares are
        at most the smallest subnormal and ``e^{-x²/2}`` rounds to 1 either way. Nothing
        overflows. Five passes (``abs`` instead of a clip and two products) for a second erf.
        """
        cdf = np.abs(y)
        cdf += _PHI_GUARD * np.float32(0.5)
        a = np.abs(x)
        a += _PHI_GUARD
        cdf /= a
        return cdf, a

    def _info(self) -> dict[str, Any]:
        tanh = self.approximate == "tanh"
        # From: scipy.optimize.minimize_scalar on f' and f (xatol 1e-12).
        peak, at, low = (
            (1.1289930686587717, 1.418504030055567, -0.17004075057125406)
            if tanh
            else (1.128904145185155, _SQRT_2, -0.16997120747990369)
        )
        return dict(
            output_range=(low, INF),
            range_closed=(True, False),
            monotonic=False,
            zero_centered=False,
            smooth=True,
            max_abs_derivative=peak,
            max_abs_derivative_at=f"x = {at:.4f}" + ("" if tanh else " (= sqrt 2)"),
            max_abs_derivative_x=at,
            kinks=(),
            formula=(
                r"f(x) = \tfrac{x}{2}\left(1 + \tanh\left(\sqrt{2/\pi}\,(x + 0.044715 x^3)"
                r"\right)\right)"
            )
            if tanh
            else r"f(x) = x\,\Phi(x)",
            derivative_formula=r"f'(x) = \Phi(x) + x\,\varphi(x)"
            if not tanh
            else (
                r"f'(x) = \tfrac12(1 + t) + \tfrac{x}{2}(1 - t^2)\sqrt{2/\pi}"
                r"(1 + 3 \cdot 0.044715 x^2)"
            ),
            notes="Weights the input by the probability that a standard normal is below it: a "
            "smooth, slightly non-monotonic ReLU. Standard in transformers (BERT, GPT); costs "
            "an erf or a tanh per element.",
        )


@register
class SiLU(ElementwiseActivation):
    r"""Sigmoid-weighted linear unit, also called Swish (with ``β = 1``).

    .. math:: f(x) = x\,\sigma(x), \qquad f'(x) = \sigma(x)\,\bigl(1 + x(1 - \sigma(x))\bigr)

    The forward pass is computed as ``x / (1 + e^{-x})``. Limits: ``f(+inf) = inf``; ``f(-inf)``
    is NaN (``-inf / inf``) and so is ``f'(±inf)`` (``0 · inf``), as in PyTorch, without a
    warning: the limits (0; 0 and 1) would cost a pass over the array in a hot kernel.
    """

    name = "silu"
    aliases = ("swish",)
    torch = "torch.nn.functional.silu"

    def _f(self, x: Array) -> Array:
        y = np.negative(x)  # x / (1 + e^{-x}): one pass and one rounding fewer than x σ(x)
        # over: e^{-x} = inf below about -88 (float32), y = -0; invalid: x = -inf gives
        # -inf / inf = NaN, as PyTorch
        with np.errstate(over="ignore", invalid="ignore"):
            np.exp(y, out=y)
            y += 1.0
            return np.divide(x, y, out=y)

    def _df(self, x: Array, y: Array | None) -> Array:
        s = sigmoid_kernel(x)
        with np.errstate(invalid="ignore"):  # x = ±inf: 0 · inf = NaN, as PyTorch
            if y is None:  # s (1 + x (1 - s))
                d = np.subtract(1.0, s)
                d *= x
                d += 1.0
                d *= s
                return d
            d = np.subtract(1.0, s)  # the same as s + y (1 - s), one pass fewer
            d *= y
            d += s
            return d

    def _info(self) -> dict[str, Any]:
        return dict(
            output_range=(-0.2784645427610738, INF),
            range_closed=(True, False),
            monotonic=False,
            zero_centered=False,
            smooth=True,
            max_abs_derivative=1.099839320128867,
            max_abs_derivative_at="x = 2.3994",
            max_abs_derivative_x=2.399357309675992,
            kinks=(),
            formula=r"f(x) = x\,\sigma(x)",
            derivative_formula=r"f'(x) = \sigma(x)\,(1 + x\,(1 - \sigma(x)))",
            notes="Smooth and non-monotonic (a small negative dip near x = -1.28); found by "
            "automated search (Ramachandran et al. 2017) and often a little better than ReLU in "
            "deep nets. Needs a sigmoid per element.",
        )


@register
class HardSiLU(ElementwiseActivation):
    r"""Hard SiLU / hard swish (MobileNetV3): ``x · relu6(x + 3) / 6``.

    .. math:: f(x) = x\,\frac{\min(\max(x + 3, 0), 6)}{6}

    Derivative at the kinks as PyTorch autograd (``hardswish``): 0 at ``x = -3`` and 1 at
    ``x = 3`` (the left limit there is 1.5).

    The forward multiplies ``x`` by ``relu6(x + 3) / 6 <= 1``, so it cannot overflow (``x``
    times ``relu6(x + 3)`` did, for ``x > max/6``). ``f(+inf) = inf``; ``f(-inf)`` is
    ``0 · (-inf)`` = NaN, as PyTorch, without a warning (0 would cost a pass in a hot kernel).
    """

    name = "hard_silu"
    aliases = ("hard_swish",)
    torch = "torch.nn.functional.hardswish"

    def _f(self, x: Array) -> Array:
        y = np.add(x, 3.0)
        np.clip(y, 0.0, 6.0, out=y)
        y *= 1.0 / 6.0  # before the product: x · 6 overflows near the largest float
        with np.errstate(invalid="ignore"):  # x = -inf: 0 · (-inf) = NaN, as PyTorch
            y *= x
        return y

    def _df(self, x: Array, y: Array | None) -> Array:
        # v = -clip(x, -3, 3) / 3 and t = trunc(v): 1 at x <= -3, -1 at x >= 3, ±0 between, so
        # (0.5 + 0.5 t) - v is x/3 + 0.5 inside (rounded as PyTorch's), 0 at x <= -3 and 1 at
        # x >= 3: six passes (trunc costs a multiplication) instead of two comparisons and six.
        v = np.clip(x, -3.0, 3.0)
        v /= -3.0
        d = np.trunc(v)
        d *= 0.5
        d += 0.5
        d -= v
        return d

    def _info(self) -> dict[str, Any]:
        return dict(
            output_range=(-0.375, INF),
            range_closed=(True, False),
            monotonic=False,
            zero_centered=False,
            smooth=False,
            max_abs_derivative=1.5,
            max_abs_derivative_at="approached as x -> 3 from the left",
            max_abs_derivative_x=None,
            kinks=(Kink(-3.0, 0.0, 0.0, -0.5), Kink(3.0, 1.0, 1.5, 1.0)),
            formula=r"f(x) = x\,\frac{\mathrm{ReLU6}(x + 3)}{6}",
            derivative_formula=r"f'(x) = \begin{cases} 0 & x \le -3 \\ (2x + 3)/6 & -3 < x < 3 "
            r"\\ 1 & x \ge 3 \end{cases}",
            notes="A piecewise-quadratic SiLU without exponentials, built for phones. Its "
            "derivative jumps at ±3.",
        )


#: Mish kernels clip x here: beyond, tanh(softplus(x)) is 1 to the dtype's precision and the
#: derivative's second term (below 4 x e^{-2x}) vanishes against 1, while (e^{2x})² stays finite.
_MISH_CLIP = {np.dtype(np.float32): 20.0, np.dtype(np.float64): 30.0}


@register
class Mish(ElementwiseActivation):
    r"""Mish (Misra 2019): ``x · tanh(softplus(x))``.

    .. math:: f(x) = x \tanh(\zeta(x)), \qquad
              f'(x) = \tanh(\zeta(x)) + x\,\sigma(x)\,\bigl(1 - \tanh^2(\zeta(x))\bigr)

    with ``ζ(x) = log(1 + e^x)``. With ``E = e^x`` and ``n = E (E + 2)`` everything is rational
    in ``E``, which needs one ``exp`` and no ``log`` or ``tanh``:

    .. math:: \tanh(\zeta) = \frac{(1 + E)^2 - 1}{(1 + E)^2 + 1} = \frac{n}{n + 2}, \qquad
              \sigma(x)\,(1 - \tanh^2(\zeta)) = \frac{4 E (1 + E)}{(n + 2)^2}

    (no cancellation for ``x < 0``, where ``n ≈ 2E``). ``x`` is clipped above at 20 (float32)
    or 30 (float64) inside these terms (see ``_MISH_CLIP``), and below at the largest negative
    float (so ``x σ(x)`` at ``-inf`` is ``0 · (-max) = 0``); other float dtypes take the
    softplus-and-tanh route. Limits: ``f(+inf) = inf``, ``f'(+inf) = 1``, ``f'(-inf) = 0``;
    ``f(-inf)`` is ``0 · (-inf)`` = NaN, as PyTorch, without a warning.
    """

    name = "mish"
    torch = "torch.nn.functional.mish"

    def _f(self, x: Array) -> Array:
        clip = _MISH_CLIP.get(x.dtype)
        if clip is None:
            y = softplus_kernel(x)
            np.tanh(y, out=y)
            y *= x
            return y
        e = np.clip(x, -np.inf, clip, out=work_array(x, 0))
        np.exp(e, out=e)
        n = np.add(e, 2.0)
        n *= e
        np.add(n, 2.0, out=e)
        n /= e  # tanh(softplus(x))
        with np.errstate(invalid="ignore"):  # x = -inf: 0 · (-inf) = NaN, as PyTorch
            n *= x
        return n

    def _df(self, x: Array, y: Array | None) -> Array:
        clip = _MISH_CLIP.get(x.dtype)
        if clip is None:
            t = softplus_kernel(x)
            s = np.subtract(x, t)  # sigmoid(x) = exp(x - softplus(x)), exp of a number <= 0
            np.exp(s, out=s)
            np.tanh(t, out=t)
            d = np.multiply(t, t)
            np.subtract(1.0, d, out=d)
            d *= s
            d *= x
            d += t
            return d
        # c and n in this thread's work arrays: one new array (the result) instead of three
        c = np.clip(x, -largest(x.dtype), clip, out=work_array(x, 0))  # c e: never 0 · inf
        e = np.exp(c)
        n = np.add(e, 2.0, out=work_array(x, 1))
        n *= e  # n = E (E + 2)
        np.subtract(n, e, out=e)  # E (1 + E)
        e *= c
        u = np.add(n, 2.0, out=c)
        n /= u  # tanh(softplus(x))
        e /= u
        e /= u
        e *= 4.0  # x sigmoid(x) (1 - tanh²)
        e += n
        return e

    def _info(self) -> dict[str, Any]:
        return dict(
            output_range=(-0.3088434130172504, INF),
            range_closed=(True, False),
            monotonic=False,
            zero_centered=False,
            smooth=True,
            max_abs_derivative=1.088498161251728,
            max_abs_derivative_at="x = 1.4906",
            max_abs_derivative_x=1.4905711761728215,
            kinks=(),
            formula=r"f(x) = x \tanh(\log(1 + e^{x}))",
            derivative_formula=r"f'(x) = \tanh(\zeta) + x\,\sigma(x)\,(1 - \tanh^2(\zeta)),\ "
            r"\zeta = \log(1 + e^{x})",
            notes="Close to SiLU with a slightly deeper negative dip; smooth and unbounded above. "
            "Among the most expensive of the common activations (written naively: softplus, "
            "tanh and sigmoid; here one exp and a rational function of it).",
        )


@register
class Squareplus(ElementwiseActivation):
    r"""Squareplus (Barron 2021), Keras 3: ``(x + √(x² + b)) / 2`` with ``b = 4``.

    .. math:: f(x) = \frac{x + \sqrt{x^2 + b}}{2}, \qquad
              f'(x) = \frac12\left(1 + \frac{x}{\sqrt{x^2 + b}}\right)

    Written as it stands, this fails twice: ``x²`` overflows for ``|x| > 1.8e19`` (float32) or
    ``1.3e154`` (float64), and for ``x < 0`` the sum ``x + √(x² + b)`` cancels (the root is
    ``|x|`` to all but ``log2(4x²/b)`` bits). Here, with

    .. math:: r = \sqrt{x^2 + b}, \qquad h = \frac{r + |x|}{2} = \frac r2 + \frac{|x|}2

    (``r`` is formed as ``√(min(|x|, 2^60)² + b) + max(|x| - 2^60, 0)``, which never squares
    anything near the overflow threshold and equals ``√(x² + b)`` to an ulp, since beyond
    ``2^60`` the root is ``|x|`` to the last bit; the halves are added so that the sum cannot
    overflow either):

    * ``x >= 0``: ``f(x) = h``, a sum of two positive terms.
    * ``x < 0``: multiply by ``(r - x) / (r - x)``:
      ``f(x) = (r² - x²) / (2 (r - x)) = b / (2 (r + |x|)) = (b/4) / h``, no subtraction.

    The derivative likewise: for ``x < 0``,
    ``f'(x) = (1 - |x|/r) / 2 = (r - |x|) / (2r) = b / (2 r (r + |x|)) = ((b/8) / (r/2)) / h =: q``,
    and ``f'(x) + f'(-x) = 1`` gives ``f'(x) = 1 - q(-x)`` for ``x >= 0``, where ``q <= 1/2``, so
    nothing cancels there either; ``(b/8) / (r/2) / h`` is never ``r (r + |x|)``, which would
    overflow. Accurate to a few ulp relative over the whole float range, in both dtypes:
    ``f(x) ≈ b / (4|x|)`` and ``f'(x) ≈ b / (4x²)`` for ``x → -∞`` (down to the subnormals),
    ``f(x) ≈ x`` and ``f' → 1`` for ``x → +∞``; at ``±inf`` the limits ``0`` / ``inf`` and
    ``0`` / ``1``. NaN stays NaN.
    """

    name = "squareplus"

    def __init__(self, b: float = 4.0) -> None:
        self.b = check_number(b, "b", low=0.0, low_open=True)

    def _halves(self, x: Array) -> tuple[Array, Array]:
        """Return ``r / 2`` (in a work array) and ``h = (r + |x|) / 2`` (a new array)."""
        if x.dtype not in _FLOAT32_64 or self.b > _SQUAREPLUS_MAX_B:
            r = np.hypot(x, math.sqrt(self.b))  # exact for any b, but a slow scalar loop
            a = np.abs(x)
        else:
            # r = √(min(|x|, L)² + b) + max(|x| - L, 0), L = 2^60: the square cannot overflow,
            # and beyond L, √(x² + b) = |x| (1 + b / 2x²) is |x| to the last bit, which is
            # what L + (|x| - L) rounds to (within an ulp)
            a = np.abs(x, out=work_array(x, 0))
            r = clip_ufunc(a, 0.0, _SQUAREPLUS_SPLIT, out=work_array(x, 1))
            beyond = np.subtract(a, r, out=work_array(x, 2))
            np.multiply(r, r, out=r)
            r += self.b
            np.sqrt(r, out=r)
            r += beyond
        r *= 0.5
        h = np.multiply(a, 0.5)
        h += r
        return r, h

    def _f(self, x: Array) -> Array:
        r, h = self._halves(x)
        neg = np.divide(0.25 * self.b, h, out=r)  # x < 0: (b/4) / h
        return select(x >= 0, h, neg, out=h)  # NaN fails x >= 0: (b/4) / NaN = NaN

    def _df(self, x: Array, y: Array | None) -> Array:
        r, h = self._halves(x)
        q = np.divide(0.125 * self.b, r, out=r)
        q /= h  # f'(-|x|)
        pos = np.subtract(1.0, q, out=h)
        return select(x >= 0, pos, q, out=pos)

    def _info(self) -> dict[str, Any]:
        b = self.b
        return dict(
            output_range=(0.0, INF),
            range_closed=(False, False),
            monotonic=True,
            zero_centered=False,
            smooth=True,
            max_abs_derivative=1.0,
            max_abs_derivative_at="approached as x -> inf",
            max_abs_derivative_x=None,
            kinks=(),
            formula=rf"f(x) = \frac{{x + \sqrt{{x^2 + {b:g}}}}}{{2}}",
            derivative_formula=(
                rf"f'(x) = \frac12\left(1 + \frac{{x}}{{\sqrt{{x^2 + {b:g}}}}}\right)"
            ),
            notes="A softplus look-alike built from a square root instead of exp and log: "
            "cheap and smooth; b sets the curvature at 0 (b = 0 gives ReLU).",
        )


@register
class SparsePlus(ElementwiseActivation):
    r"""Sparse plus (Keras 3): 0 below -1, ``(x + 1)²/4`` on ``(-1, 1)``, ``x`` above 1.

    .. math:: f'(x) = \mathrm{clip}\bigl((x + 1)/2,\ 0,\ 1\bigr)

    The derivative is continuous (C¹), so there is no kink; PyTorch has no such function.
    """

    name = "sparse_plus"

    def _f(self, x: Array) -> Array:
        q = np.clip(x, -1.0, 1.0)
        q += 1.0
        np.multiply(q, q, out=q)
        q *= 0.25
        return select(x >= 1.0, x, q)

    def _df(self, x: Array, y: Array | None) -> Array:
        d = np.add(x, 1.0)
        d *= 0.5
        return np.clip(d, 0.0, 1.0, out=d)

    def _info(self) -> dict[str, Any]:
        return dict(
            output_range=(0.0, INF),
            range_closed=(True, False),
            monotonic=True,
            zero_centered=False,
            smooth=True,
            max_abs_derivative=1.0,
            max_abs_derivative_at="x >= 1",
            max_abs_derivative_x=2.0,
            kinks=(),
            formula=r"f(x) = \begin{cases} 0 & x \le -1 \\ \tfrac14 (x + 1)^2 & -1 < x < 1 \\ x & "
            r"x \ge 1 \end{cases}",
            derivative_formula=r"f'(x) = \min(\max((x + 1)/2, 0), 1)",
            notes="A softplus with exact zeros: smooth like softplus near 0, sparse like ReLU "
            "below -1 (Blondel et al.).",
        )


@register
class SparseSigmoid(ElementwiseActivation):
    r"""Sparse sigmoid (Keras 3): ``clip((x + 1)/2, 0, 1)``, the derivative of sparse plus.

    .. math:: f'(x) = \tfrac12 \ \text{on}\ (-1, 1),\ 0 \ \text{elsewhere}

    PyTorch has no such function; at the kinks ``x = ±1`` we use 0, as PyTorch does for the
    same shape of function (``hardtanh``, ``hardsigmoid``).
    """

    name = "sparse_sigmoid"

    def _f(self, x: Array) -> Array:
        y = np.add(x, 1.0)
        y *= 0.5
        return np.clip(y, 0.0, 1.0, out=y)

    def _df(self, x: Array, y: Array | None) -> Array:
        d = np.less(np.abs(x), 1.0, out=np.empty_like(x))
        d *= 0.5
        return d

    def _info(self) -> dict[str, Any]:
        return dict(
            output_range=(0.0, 1.0),
            range_closed=(True, True),
            monotonic=True,
            zero_centered=False,
            smooth=False,
            max_abs_derivative=0.5,
            max_abs_derivative_at="-1 < x < 1",
            max_abs_derivative_x=0.0,
            kinks=(Kink(-1.0, 0.0, 0.0, 0.5), Kink(1.0, 0.0, 0.5, 0.0)),
            formula=r"f(x) = \min(\max((x + 1)/2, 0), 1)",
            derivative_formula=r"f'(x) = \tfrac12\,[|x| < 1]",
            notes="A sigmoid that reaches exactly 0 and 1; gives sparse probabilities but no "
            "gradient once saturated.",
        )
