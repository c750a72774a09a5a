"""Thresholding and shrinkage: threshold, soft and hard shrink, tanh shrink."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._checks import check_number
from .base import (
    INF,
    ElementwiseActivation,
    Kink,
    above,
    abs_above,
    clip_ufunc,
    register,
    select,
    work_array,
)

Array = NDArray[np.floating]


@register
class Threshold(ElementwiseActivation):
    r"""``x`` above a threshold, a constant ``value`` otherwise (PyTorch ``nn.Threshold``).

    .. math:: f(x) = \begin{cases} x & x > \theta \\ v & x \le \theta \end{cases}

    PyTorch requires both arguments; our defaults ``threshold=0, value=0`` give ReLU. At
    ``x = θ`` the derivative is 0, as PyTorch autograd. ``f(-inf) = v`` and ``f(+inf) = inf``;
    NaN stays NaN (PyTorch's rule is "``v`` where ``x <= θ``, else ``x``", and NaN fails the
    comparison).
    """

    name = "threshold"
    torch = "torch.nn.functional.threshold"

    def __init__(self, threshold: float = 0.0, value: float = 0.0) -> None:
        self.threshold = check_number(threshold, "threshold")
        self.value = check_number(value, "value")

    def _f(self, x: Array) -> Array:
        return select(x <= self.threshold, self.value, x)

    def _df(self, x: Array, y: Array | None) -> Array:
        return above(x, self.threshold)

    def _info(self) -> dict[str, Any]:
        th, v = self.threshold, self.value
        return dict(
            output_range=(min(v, th), INF),
            range_closed=(v <= th, False),
            monotonic=v <= th,
            zero_centered=False,
            smooth=False,
            max_abs_derivative=1.0,
            max_abs_derivative_at=f"x > {th:g}",
            max_abs_derivative_x=th + 1.0,
            kinks=(Kink(th, 0.0, 0.0, 1.0, jump=v != th),),
            formula=rf"f(x) = \begin{{cases}} x & x > {th:g} \\ {v:g} & x \le {th:g} \end{{cases}}",
            derivative_formula=rf"f'(x) = [x > {th:g}]",
            notes="A generalised ReLU gate; a jump when value differs from threshold.",
        )


@register
class SoftShrink(ElementwiseActivation):
    r"""Soft thresholding: move ``x`` towards 0 by ``lambd`` and clip at 0 (PyTorch default 0.5).

    .. math:: f(x) = \mathrm{sign}(x)\,\max(|x| - \lambda, 0)

    Derivative 0 at ``x = ±λ``, as PyTorch autograd.
    """

    name = "soft_shrink"
    torch = "torch.nn.functional.softshrink"

    def __init__(self, lambd: float = 0.5) -> None:
        self.lambd = check_number(lambd, "lambd", low=0.0)

    def _f(self, x: Array) -> Array:
        lam = self.lambd
        return np.subtract(x, np.clip(x, -lam, lam))

    def _df(self, x: Array, y: Array | None) -> Array:
        return abs_above(x, self.lambd)

    def _info(self) -> dict[str, Any]:
        lam = self.lambd
        return dict(
            output_range=(-INF, INF),
            range_closed=(False, False),
            monotonic=True,
            zero_centered=True,
            smooth=lam == 0.0,
            max_abs_derivative=1.0,
            max_abs_derivative_at=f"|x| > {lam:g}",
            max_abs_derivative_x=lam + 1.0,
            kinks=() if lam == 0 else (Kink(-lam, 0.0, 1.0, 0.0), Kink(lam, 0.0, 0.0, 1.0)),
            formula=rf"f(x) = \mathrm{{sign}}(x)\,\max(|x| - {lam:g}, 0)",
            derivative_formula=rf"f'(x) = [|x| > {lam:g}]",
            notes="The proximal operator of the L1 norm (LASSO, ISTA): produces exact zeros "
            "around the origin.",
        )


@register
class HardShrink(SoftShrink):
    r"""Hard thresholding: keep ``x`` when ``|x| > lambd``, else 0 (PyTorch default 0.5).

    .. math:: f(x) = x\,[|x| > \lambda]

    Same derivative as soft shrink; the function itself jumps at ``±λ``, and the derivative
    there is 0, as PyTorch autograd.
    """

    name = "hard_shrink"
    torch = "torch.nn.functional.hardshrink"

    def _f(self, x: Array) -> Array:
        y = abs_above(x, self.lambd)
        y *= x
        return y

    def _info(self) -> dict[str, Any]:
        lam = self.lambd
        return dict(
            super()._info(),
            kinks=tuple(replace(k, jump=True) for k in super()._info()["kinks"]),
            formula=rf"f(x) = x\,[|x| > {lam:g}]",
            notes="Keeps large values untouched and zeroes small ones; the jump makes it "
            "unsuitable where a continuous response is needed.",
        )


#: |x| up to this: tanh_shrink from its series (see TanhShrink); beyond, x - tanh(x).
_TANH_SHRINK_SWITCH = 1.5
#: 2 / (π/2)² and (π/2)², in each dtype: the pole term K / (s + P) of TanhShrink.
#: Then the coefficients of h(s) = g(s) - K / (s + P) on [0, 2.25], constant term first:
#: Chebyshev interpolation of h in 60-digit arithmetic (``mpmath.chebyfit``), error
#: 5.7e-11 (float32, 5 terms) and 5.4e-19 (float64, 10 terms) against g >= 0.176 there.
_TANH_SHRINK = {
    np.dtype(np.float32): (np.float32(0.8105694651603699), np.float32(2.4674010276794434), tuple(
        np.float32(c) for c in (
            0.00482189329341054, -0.00019265629816800356, 8.364467248611618e-06,
            -3.6476768627835554e-07, 1.2942009242067343e-08,
        ))),
    np.dtype(np.float64): (0.8105694691387022, 2.4674011002723395, (
        0.004821901183434573, -0.00019266475146416918, 8.373441664490904e-06,
        -3.7267953872933787e-07, 1.671467686243673e-08, -7.515988042522819e-10,
        3.380912457923176e-11, -1.5100527085413272e-12, 6.340535630541278e-14,
        -1.8951108480477448e-15,
    )),
}  # fmt: skip


def tanh_shrink_kernel(x: Array) -> Array:
    """Return ``x - tanh(x)`` to a few ulp relative everywhere, as a new array (see TanhShrink).

    float32 and float64 have their own coefficients; other float dtypes are computed in
    float64 and rounded back.
    """
    consts = _TANH_SHRINK.get(x.dtype)
    if consts is None:
        return tanh_shrink_kernel(x.astype(np.float64)).astype(x.dtype)
    k, pole, coefs = consts
    c = _TANH_SHRINK_SWITCH
    # temporaries in this thread's work arrays: fresh 4 MB arrays page-fault on every call
    xc = clip_ufunc(x, -c, c, out=work_array(x, 0))
    s = np.multiply(xc, xc, out=work_array(x, 1))
    h = np.multiply(s, coefs[-1], out=work_array(x, 2))
    for coef in coefs[-2:0:-1]:
        h += coef
        h *= s
    h += coefs[0]
    h *= s  # s h(s)
    with np.errstate(divide="ignore", over="ignore"):  # P / s = inf at s = 0 (f = 0 there)
        q = np.divide(pole, s)
    q += 1.0
    np.divide(k, q, out=q)  # K s / (s + P), written so that it grows with s in floating point
    q += h  # s g(s) = 1 - tanh(x) / x
    q *= xc  # the series side, for |x| <= c
    t = np.tanh(x, out=h)
    np.subtract(x, t, out=t)  # the plain side, for |x| >= c (NaN and ±inf go here)
    return select(np.equal(xc, x, out=work_array(x, 3, np.bool_)), q, t, out=q)


@register
class TanhShrink(ElementwiseActivation):
    r"""``x - tanh(x)``: near zero around 0, close to identity for large ``|x|``.

    .. math:: f(x) = x - \tanh(x), \qquad f'(x) = \tanh^2(x)

    **Near 0** the subtraction cancels: ``f(x) ≈ x³/3``, while ``x`` and ``tanh x`` agree in
    all but ``log2(3/x²)`` of their bits, so the plain formula's relative error is about
    ``ε · tanh(x) / f(x) ≈ 3ε / x²`` for a ``tanh`` correct to ``ε``: 1e-4 to 3e-4 at
    ``x = 0.02`` in float32 (1e-13 in float64), and for ``|x|`` below ``2^-12`` (float32) or
    ``2^-26`` (float64) nothing but rounding noise of ``x``'s size, not even monotone. For
    ``|x| <= c = 1.5`` it is computed from ``g(s) = f(x) / x³``, ``s = x²``, instead.
    ``g`` has no cancellation: the partial fractions of ``tanh`` (Mittag-Leffler),
    ``tanh x = Σ_k 2x / (x² + a_k²)`` with ``a_k = (k + ½)π`` and ``Σ_k 2 / a_k² = 1``, give

    .. math:: x - \tanh x = \sum_{k \ge 0} 2x\left(\frac{1}{a_k^2} - \frac{1}{x^2 + a_k^2}
              \right), \qquad g(s) = \sum_{k \ge 0} \frac{2}{a_k^2 (s + a_k^2)},

    a sum of positive terms (its Taylor series ``1/3 - 2s/15 + 17s²/315 - 62s³/2835 + ...``
    is that of ``x - tanh x`` divided by ``x³``). The ``k = 0`` term, a pole at ``s = -π²/4``,
    limits any polynomial in ``s`` on ``[0, 2.25]`` (its Taylor terms shrink only by
    ``(2/π)² s`` each, 0.9 at ``s = 2.25``); it is kept in closed form, ``K / (s + P)`` with
    ``K = 8/π²``, ``P = π²/4``, and the rest, ``h(s) = g(s) - K / (s + P)``, whose nearest
    singularity is ``s = -9π²/4``, is a short polynomial (5 terms for float32, 10 for float64,
    fitted to ``h`` with ``K`` and ``P`` as rounded; fit error under 1/100 ulp). So

    .. math:: f(x) = x \left(\frac{K}{1 + P/s} + s\,h(s)\right)

    a sum and products of positive terms: no cancellation, only the roundings of about seven
    operations. The first term, 98 % of the bracket, is written as ``K / (1 + P/s)`` rather
    than ``K s / (s + P)`` because each of its roundings is then monotone in ``s``, which
    keeps the computed ``f`` non-decreasing from one float to the next nearly everywhere
    (over every float32 in ``[1e-4, 1.5]``: 5 decreases by one ulp in 1.2e8 neighbours;
    ``K s / (s + P)`` had thousands).

    **Beyond** ``c``, ``x - tanh x`` is used as it is. The switch point comes from its error:
    for ``1.5 <= x <= 1.9``, ``tanh x >= x/2``, so the subtraction is exact and the only error
    is ``tanh``'s, ``δ · ulp(tanh x)`` (``δ <= 1`` ulp for NumPy's SIMD ``tanh``, 2 for its
    generic one); since ``f(1.5) = 0.595 >= 1/2`` while ``tanh x < 1``, an ulp of ``tanh x``
    is at most an ulp of ``f``: the error stays ``δ`` ulp of ``f`` (plus half an ulp where the
    subtraction rounds, ``x > 1.9``). A lower switch point costs bits (``f(1) = 0.238``: 4 ulp
    of ``f`` per ulp of ``tanh``); a higher one costs polynomial terms. Measured: at most 4.2
    ulp over every float32 in ``[1e-30, 1e5]`` (against the float64 kernel), 3 ulp in float64
    against 60-digit references (``tests/test_activation_accuracy.py`` holds both to 5).

    ``f`` is odd, exactly (both sides are); ``±inf`` gives ``±inf``, NaN gives NaN. The
    derivative ``tanh² x`` has no cancellation (``tanh`` is relatively accurate near 0).
    """

    name = "tanh_shrink"
    torch = "torch.nn.functional.tanhshrink"

    def _f(self, x: Array) -> Array:
        return tanh_shrink_kernel(x)

    def _df(self, x: Array, y: Array | None) -> Array:
        t = np.tanh(x)
        return np.multiply(t, t, out=t)

    def _info(self) -> dict[str, Any]:
        return dict(
            output_range=(-INF, INF),
            range_closed=(False, False),
            monotonic=True,
            zero_centered=True,
            smooth=True,
            max_abs_derivative=1.0,
            max_abs_derivative_at="approached as |x| -> inf",
            max_abs_derivative_x=None,
            kinks=(),
            formula=r"f(x) = x - \tanh(x)",
            derivative_formula=r"f'(x) = \tanh^2(x)",
            notes="A smooth shrinkage: small inputs are squashed towards 0 (f'(0) = 0), large "
            "ones pass almost unchanged. Used in sparse coding, seldom in MLPs.",
        )
