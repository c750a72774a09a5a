"""Smooth rectifiers: softplus, GELU, SiLU/Swish, Mish, and the piecewise-polynomial ones."""

from __future__ import annotations

import math
import threading
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special

from .base import INF, ElementwiseActivation, Kink, check_finite_number, register, select
from .classic import sigmoid_kernel, softplus_kernel

Array = NDArray[np.floating]

_SQRT_2 = math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_GELU_CUBIC = 0.044715

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


#: Per-thread work arrays of the kernels below (see _scratch), at most this many bytes each.
_SCRATCH_MAX_BYTES = 8 << 20
_SCRATCH = threading.local()


def _scratch(like: Array, slot: int) -> Array:
    """Return a work array shaped and typed like ``like``, with undefined contents.

    Up to ``_SCRATCH_MAX_BYTES`` it is a view of a buffer kept per thread and per ``slot``, which
    the next call with that slot overwrites: a kernel may use it for temporaries, never return
    it. Kept buffers are not freed and given back each call, so they neither page-fault nor
    leave the heap's top free for glibc to trim (the next fresh arrays would then page-fault,
    one fault per 4 KiB: more than the arithmetic of a 1M-value call). Larger: a new array.
    """
    n = like.nbytes
    if n > _SCRATCH_MAX_BYTES:
        return np.empty_like(like)
    bufs = getattr(_SCRATCH, "bufs", None)
    if bufs is None:
        bufs = _SCRATCH.bufs = {}
    buf = bufs.get(slot)
    if buf is None or buf.nbytes < n:
        buf = bufs[slot] = np.empty(n, np.uint8)
    return buf[:n].view(like.dtype).reshape(like.shape)


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
    """

    name = "softplus"
    torch = "torch.nn.functional.softplus"

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        self.beta = check_finite_number(beta, "beta", low=0.0, low_open=True)
        self.threshold = check_finite_number(threshold, "threshold")

    def _exact_without_switch(self, dtype: np.dtype) -> bool:
        """Whether above the threshold the kernels already give exactly ``x`` and ``1``.

        With ``beta = 1``, ``log(1 + e^{-x}) < e^{-t}``; once that is below a quarter of the
        dtype's epsilon it is under half an ulp of any ``x > t >= 1``, so ``x + it`` rounds to
        ``x`` and ``1 / (1 + e^{-x})`` to 1. True for float32 at the default ``t = 20``
        (``e^{-20} = 2e-9``), not for float64, which keeps the explicit switch.
        """
        t = self.threshold
        return self.beta == 1.0 and t >= 1.0 and math.exp(-t) < np.finfo(dtype).eps / 4

    def _f(self, x: Array) -> Array:
        bx = x * self.beta if self.beta != 1.0 else x
        y = softplus_kernel(bx)
        if self.beta != 1.0:
            y *= 1.0 / self.beta
        if self._exact_without_switch(x.dtype):
            return y
        return select(bx <= self.threshold, y, x, out=y)

    def _df(self, x: Array, y: Array | None) -> Array:
        bx = x * self.beta if self.beta != 1.0 else x
        s = sigmoid_kernel(bx)
        if self._exact_without_switch(x.dtype):
            return s
        return select(bx <= self.threshold, s, 1.0, out=s)

    def _info(self) -> dict[str, Any]:
        b = self.beta
        return dict(
            output_range=(0.0, INF), range_closed=(False, False), monotonic=True,
            zero_centered=False, smooth=True, max_abs_derivative=1.0,
            max_abs_derivative_at=f"reached for x > {self.threshold / b:g} (beta x > threshold)",
            max_abs_derivative_x=self.threshold / b + 1.0, kinks=(),
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

    The exact form takes ``erf`` from :func:`scipy.special.erf`, except for float32 input,
    where :func:`erf_scaled_float32` gives it to float32 precision (at most 5 ulp) ten times
    faster. With the forward output ``y`` the float32 derivative reads ``Φ(x) = y / x`` off it
    (guarded at 0) instead of computing ``erf`` again; ``φ`` is one ``exp``.
    """

    name = "gelu"
    torch = "torch.nn.functional.gelu"

    def __init__(self, approximate: str = "none") -> None:
        if isinstance(approximate, bool):
            approximate = "tanh" if approximate else "none"
        if approximate not in ("none", "tanh"):
            raise ValueError(f"approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def _inner(self, x: Array) -> Array:
        u = np.multiply(x, x)
        u *= _GELU_CUBIC
        u += 1.0
        u *= x
        u *= _SQRT_2_OVER_PI
        return np.tanh(u, out=u)

    def _erf(self, x: Array) -> Array:
        """``erf(x / √2)`` as a new array: the float32 kernel for float32, else SciPy's."""
        if x.dtype == np.float32:
            return erf_scaled_float32(x)
        return special.erf(x * (1.0 / _SQRT_2))

    def _f(self, x: Array) -> Array:
        p = self._inner(x) if self.approximate == "tanh" else self._erf(x)
        p += 1.0
        p *= 0.5  # Φ(x) first: x (1 + erf) would overflow for |x| near the largest float
        p *= x
        return p

    def _df(self, x: Array, y: Array | None) -> Array:
        if self.approximate == "tanh":
            t = self._inner(x)
            sech2 = 1.0 - t * t
            dz = _SQRT_2_OVER_PI * (1.0 + 3.0 * _GELU_CUBIC * x * x)
            return 0.5 * (1.0 + t) + 0.5 * x * sech2 * dz
        if y is not None and x.dtype == np.float32:
            cdf, pdf = self._cdf_from_output(x, y)
            sq = pdf  # |x| + g: its square is x² (see _cdf_from_output)
        else:
            cdf = self._erf(x)
            cdf += 1.0
            cdf *= 0.5
            pdf = np.empty_like(x)
            sq = x
        with np.errstate(over="ignore"):  # x² = inf for |x| > 1.8e19 (float32): exp gives 0
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
        peak, at, low = ((1.1289930686587717, 1.418504030055567, -0.17004075057125406) if tanh
                         else (1.128904145185155, _SQRT_2, -0.16997120747990369))
        return dict(
            output_range=(low, INF), range_closed=(True, False), monotonic=False,
            zero_centered=False, smooth=True, max_abs_derivative=peak,
            max_abs_derivative_at=f"x = {at:.4f}" + ("" if tanh else " (= sqrt 2)"),
            max_abs_derivative_x=at, kinks=(),
            formula=(r"f(x) = \tfrac{x}{2}\left(1 + \tanh\left(\sqrt{2/\pi}\,(x + 0.044715 x^3)"
                     r"\right)\right)") if tanh else r"f(x) = x\,\Phi(x)",
            derivative_formula=r"f'(x) = \Phi(x) + x\,\varphi(x)" if not tanh else (
                r"f'(x) = \tfrac12(1 + t) + \tfrac{x}{2}(1 - t^2)\sqrt{2/\pi}"
                r"(1 + 3 \cdot 0.044715 x^2)"),
            notes="Weights the input by the probability that a standard normal is below it: a "
            "smooth, slightly non-monotonic ReLU. Standard in transformers (BERT, GPT); costs "
            "an erf or a tanh per element.",
        )


@register
class SiLU(ElementwiseActivation):
    r"""Sigmoid-weighted linear unit, also called Swish (with ``β = 1``).

    .. math:: f(x) = x\,\sigma(x), \qquad f'(x) = \sigma(x)\,\bigl(1 + x(1 - \sigma(x))\bigr)

    The forward pass is computed as ``x / (1 + e^{-x})``.
    """

    name = "silu"
    aliases = ("swish",)
    torch = "torch.nn.functional.silu"

    def _f(self, x: Array) -> Array:
        y = np.negative(x)  # x / (1 + e^{-x}): one pass and one rounding fewer than x σ(x)
        with np.errstate(over="ignore"):  # e^{-x} = inf below about -88 (float32): y = -0
            np.exp(y, out=y)
        y += 1.0
        return np.divide(x, y, out=y)

    def _df(self, x: Array, y: Array | None) -> Array:
        s = sigmoid_kernel(x)
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
            output_range=(-0.2784645427610738, INF), range_closed=(True, False), monotonic=False,
            zero_centered=False, smooth=True, max_abs_derivative=1.099839320128867,
            max_abs_derivative_at="x = 2.3994", max_abs_derivative_x=2.399357309675992, kinks=(),
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
    """

    name = "hard_silu"
    aliases = ("hard_swish",)
    torch = "torch.nn.functional.hardswish"

    def _f(self, x: Array) -> Array:
        y = np.add(x, 3.0)
        np.clip(y, 0.0, 6.0, out=y)
        y *= x
        y *= 1.0 / 6.0
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
            output_range=(-0.375, INF), range_closed=(True, False), monotonic=False,
            zero_centered=False, smooth=False, max_abs_derivative=1.5,
            max_abs_derivative_at="approached as x -> 3 from the left", max_abs_derivative_x=None,
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
    or 30 (float64) inside these terms (see ``_MISH_CLIP``); other float dtypes take the
    softplus-and-tanh route.
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
        e = np.clip(x, -np.inf, clip, out=_scratch(x, 0))
        np.exp(e, out=e)
        n = np.add(e, 2.0)
        n *= e
        np.add(n, 2.0, out=e)
        n /= e  # tanh(softplus(x))
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
        c = np.clip(x, -np.inf, clip, out=_scratch(x, 0))
        e = np.exp(c)
        n = np.add(e, 2.0, out=_scratch(x, 1))
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
            output_range=(-0.3088434130172504, INF), range_closed=(True, False), monotonic=False,
            zero_centered=False, smooth=True, max_abs_derivative=1.088498161251728,
            max_abs_derivative_at="x = 1.4906", max_abs_derivative_x=1.4905711761728215, kinks=(),
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

    For ``x < 0`` both are evaluated in the equivalent cancellation-free forms
    ``b / (2(√(x²+b) + |x|))`` and ``b / (2√(x²+b)(√(x²+b) + |x|))``.
    """

    name = "squareplus"

    def __init__(self, b: float = 4.0) -> None:
        self.b = check_finite_number(b, "b", low=0.0, low_open=True)

    def _root(self, x: Array) -> Array:
        r = np.multiply(x, x)
        r += self.b
        return np.sqrt(r, out=r)

    def _f(self, x: Array) -> Array:
        r = self._root(x)
        neg = np.abs(x)
        neg += r
        np.divide(0.5 * self.b, neg, out=neg)
        r += x
        r *= 0.5
        return select(x >= 0, r, neg)

    def _df(self, x: Array, y: Array | None) -> Array:
        r = self._root(x)
        neg = np.abs(x)
        neg += r
        neg *= r
        np.divide(0.5 * self.b, neg, out=neg)
        pos = np.divide(x, r, out=r)
        pos += 1.0
        pos *= 0.5
        return select(x >= 0, pos, neg)

    def _info(self) -> dict[str, Any]:
        b = self.b
        return dict(
            output_range=(0.0, INF), range_closed=(False, False), monotonic=True,
            zero_centered=False, smooth=True, max_abs_derivative=1.0,
            max_abs_derivative_at="approached as x -> inf", max_abs_derivative_x=None, kinks=(),
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
            output_range=(0.0, INF), range_closed=(True, False), monotonic=True,
            zero_centered=False, smooth=True, max_abs_derivative=1.0,
            max_abs_derivative_at="x >= 1", max_abs_derivative_x=2.0, kinks=(),
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
            output_range=(0.0, 1.0), range_closed=(True, True), monotonic=True,
            zero_centered=False, smooth=False, max_abs_derivative=0.5,
            max_abs_derivative_at="-1 < x < 1", max_abs_derivative_x=0.0,
            kinks=(Kink(-1.0, 0.0, 0.0, 0.5), Kink(1.0, 0.0, 0.5, 0.0)),
            formula=r"f(x) = \min(\max((x + 1)/2, 0), 1)",
            derivative_formula=r"f'(x) = \tfrac12\,[|x| < 1]",
            notes="A sigmoid that reaches exactly 0 and 1; gives sparse probabilities but no "
            "gradient once saturated.",
        )
