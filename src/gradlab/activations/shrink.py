"""Thresholding and shrinkage: threshold, soft and hard shrink, tanh shrink."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .base import (
    INF,
    ElementwiseActivation,
    Kink,
    above,
    abs_above,
    check_finite_number,
    register,
    select,
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
        self.threshold = check_finite_number(threshold, "threshold")
        self.value = check_finite_number(value, "value")

    def _f(self, x: Array) -> Array:
        return select(x <= self.threshold, self.value, x)

    def _df(self, x: Array, y: Array | None) -> Array:
        return above(x, self.threshold)

    def _info(self) -> dict[str, Any]:
        th, v = self.threshold, self.value
        return dict(
            output_range=(min(v, th), INF), range_closed=(v <= th, False), monotonic=v <= th,
            zero_centered=False, smooth=False, max_abs_derivative=1.0,
            max_abs_derivative_at=f"x > {th:g}", max_abs_derivative_x=th + 1.0,
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
        self.lambd = check_finite_number(lambd, "lambd", low=0.0)

    def _f(self, x: Array) -> Array:
        lam = self.lambd
        return np.subtract(x, np.clip(x, -lam, lam))

    def _df(self, x: Array, y: Array | None) -> Array:
        return abs_above(x, self.lambd)

    def _info(self) -> dict[str, Any]:
        lam = self.lambd
        return dict(
            output_range=(-INF, INF), range_closed=(False, False), monotonic=True,
            zero_centered=True, smooth=lam == 0.0, max_abs_derivative=1.0,
            max_abs_derivative_at=f"|x| > {lam:g}", max_abs_derivative_x=lam + 1.0,
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


@register
class TanhShrink(ElementwiseActivation):
    r"""``x - tanh(x)``: near zero around 0, close to identity for large ``|x|``.

    .. math:: f(x) = x - \tanh(x), \qquad f'(x) = \tanh^2(x)
    """

    name = "tanh_shrink"
    torch = "torch.nn.functional.tanhshrink"

    def _f(self, x: Array) -> Array:
        return np.subtract(x, np.tanh(x))

    def _df(self, x: Array, y: Array | None) -> Array:
        t = np.tanh(x)
        return np.multiply(t, t, out=t)

    def _info(self) -> dict[str, Any]:
        return dict(
            output_range=(-INF, INF), range_closed=(False, False), monotonic=True,
            zero_centered=True, smooth=True, max_abs_derivative=1.0,
            max_abs_derivative_at="approached as |x| -> inf", max_abs_derivative_x=None, kinks=(),
            formula=r"f(x) = x - \tanh(x)", derivative_formula=r"f'(x) = \tanh^2(x)",
            notes="A smooth shrinkage: small inputs are squashed towards 0 (f'(0) = 0), large "
            "ones pass almost unchanged. Used in sparse coding, seldom in MLPs.",
        )
