"""Rectifiers: ReLU and its family (capped, leaky, parametric, randomized, exponential)."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._checks import check_number
from .base import (
    INF,
    ElementwiseActivation,
    Kink,
    above,
    as_float_array,
    clip_ufunc,
    mask,
    positive_part,
    register,
    select,
)

Array = NDArray[np.floating]


@register
class ReLU(ElementwiseActivation):
    r"""Rectified linear unit with Keras 3's options.

    .. math::
        f(x) = \begin{cases} \min(x, m) & x > \theta \\ s\,(x - \theta) & x \le \theta \end{cases}

    with ``s = negative_slope`` (default 0), ``m = max_value`` (default none) and
    ``θ = threshold`` (default 0). With the defaults this is ``max(x, 0)``.

    Derivative at the kinks, as PyTorch autograd: at ``x = θ`` it is ``s`` (0 for plain ReLU,
    as ``torch.relu``; ``s`` for the leaky form, as ``torch.nn.functional.leaky_relu``); at
    ``x = m`` it is 0 (as ``torch.nn.functional.relu6`` at 6).

    Keras differs in one corner: with a negative ``threshold`` *and* a ``max_value`` it clips
    the values between ``θ`` and 0 up to 0; here they stay ``x``.

    At ``±inf`` the result is the limit, as PyTorch: ``f(-inf) = -inf · s`` (``-inf`` for
    ``s > 0``, ``+inf`` for ``s < 0``, 0 for ``s = 0``), ``f(+inf) = min(inf, m)``. Where
    ``s (x - θ)`` lies beyond the largest float it is ``±inf``, without an overflow warning
    (that is the correctly rounded value). NaN stays NaN.

    Args:
        negative_slope: Slope for ``x <= threshold``.
        max_value: Saturation value, ``None`` for no cap; must exceed ``threshold``.
        threshold: Inputs at or below it are treated as "negative".
    """

    name = "relu"
    torch = "torch.relu"

    def __init__(
        self, negative_slope: float = 0.0, max_value: float | None = None, threshold: float = 0.0
    ) -> None:
        self.negative_slope = check_number(negative_slope, "negative_slope")
        self.threshold = check_number(threshold, "threshold")
        self.max_value = None if max_value is None else check_number(max_value, "max_value")
        if self.max_value is not None and self.max_value <= max(self.threshold, 0.0):
            raise ValueError(
                f"max_value must be greater than max(threshold, 0) = {max(self.threshold, 0.0)}, "
                f"got {self.max_value}"
            )

    @property
    def _plain(self) -> bool:
        return self.negative_slope == 0.0 and self.threshold == 0.0

    def _f(self, x: Array) -> Array:
        if self._plain:
            if self.max_value is None:
                return positive_part(x)
            y = np.clip(x, 0.0, self.max_value)  # one vectorised pass (see positive_part)
            y += 0.0
            return y
        s, th = self.negative_slope, self.threshold
        if s:
            with np.errstate(over="ignore"):  # |s (x - θ)| above the largest float: ±inf
                y = select(x > th, x, s * (x - th))
        else:
            y = select(x <= th, 0.0, x)  # NaN fails "x <= θ", so it takes the x side
        if self.max_value is not None:
            np.clip(y, -np.inf, self.max_value, out=y)
        return y

    def forward_train(self, x: Array) -> Array:
        # The plain ReLU without the generic path's calls: a deep narrow net calls this once
        # per layer and step, where the calls cost as much as the arithmetic.
        if self._plain and self.max_value is None:
            return positive_part(x)
        return self._f(x)

    def _df(self, x: Array, y: Array | None) -> Array:
        if self._plain and self.max_value is None:
            return above(x, 0.0)
        active = x > self.threshold
        if self.max_value is not None:
            active &= x < self.max_value
        d = mask(active, x)
        if self.negative_slope:
            d += self.negative_slope * (x <= self.threshold)
        return d

    def _info(self) -> dict[str, Any]:
        s, th, m = self.negative_slope, self.threshold, self.max_value
        top = INF if m is None else m
        lo = -INF if s > 0 else min(0.0, th)
        hi = INF if s < 0 else top
        kinks = [Kink(th, s, s, 1.0, jump=th != 0.0)]
        if m is not None:
            kinks.append(Kink(m, 0.0, 1.0, 0.0))
        best = max(1.0, abs(s))
        where = f"x > {th:g}" if abs(s) <= 1 else f"x < {th:g}"
        where_x = (th + min(top, th + 2.0)) / 2 if abs(s) <= 1 else th - 1.0
        upper = "x" if m is None else rf"\min(x, {m:g})"
        lower = "0" if s == 0 else rf"{s:g}\,x" if th == 0 else rf"{s:g}\,(x - {th:g})"
        formula = (
            r"f(x) = \max(x, 0)"
            if self._plain and m is None
            else (
                rf"f(x) = \begin{{cases}} {upper} & x > {th:g} \\ {lower} & x \le {th:g} "
                r"\end{cases}"
            )
        )
        return dict(
            output_range=(lo, hi),
            range_closed=(lo == 0.0 or lo == th, m is not None and s >= 0),
            monotonic=s >= 0 and th >= 0,
            zero_centered=s == 1.0 and th == 0.0 and m is None,
            smooth=s == 1.0 and th == 0.0 and m is None,
            max_abs_derivative=best,
            max_abs_derivative_at=where,
            max_abs_derivative_x=where_x,
            kinks=tuple(kinks),
            formula=formula,
            derivative_formula=rf"f'(x) = \begin{{cases}} 1 & {th:g} < x"
            + ("" if m is None else rf" < {m:g}")
            + rf" \\ {s:g} & x \le {th:g}"
            + ("" if m is None else r" \\ 0 & x \ge " + f"{m:g}")
            + r" \end{cases}",
            notes="The default hidden activation: one comparison to compute, gradient exactly 1 "
            "for active units (no shrinking through depth) and exact zeros for the rest (sparse "
            "activity). Units whose input stays negative get no gradient and can die for good.",
        )


@register
class ReLU6(ReLU):
    r"""ReLU capped at 6: ``min(max(x, 0), 6)`` (PyTorch ``relu6``, MobileNet).

    Derivative 0 at both kinks ``x = 0`` and ``x = 6``, as PyTorch autograd.
    """

    name = "relu6"
    torch = "torch.nn.functional.relu6"

    def __init__(self) -> None:
        super().__init__(max_value=6.0)

    def get_config(self) -> dict[str, Any]:
        return {}


@register
class LeakyReLU(ElementwiseActivation):
    r"""Leaky ReLU: ``x`` for ``x > 0``, ``a x`` otherwise.

    .. math:: f(x) = \max(x, 0) + a \min(x, 0)

    Default ``a = negative_slope = 0.01`` as PyTorch; Keras 3's ``leaky_relu`` defaults to 0.2
    (and tf.keras 2's ``LeakyReLU`` layer to 0.3). At ``x = 0`` the derivative is ``a``, as
    PyTorch autograd.

    At ``±inf`` the result is the limit: ``f(+inf) = inf`` and ``f(-inf) = -inf · a`` for any
    slope, as PyTorch (``+inf`` for ``a < 0``). With ``a = 0`` the function is 0 on the whole
    negative half-line, so ``f(-inf) = 0``, where PyTorch computes ``0 · (-inf)`` = NaN.
    ``a x`` beyond the largest float (``|a| > 1``) is ``±inf`` without an overflow warning.
    """

    name = "leaky_relu"
    torch = "torch.nn.functional.leaky_relu"

    def __init__(self, negative_slope: float = 0.01) -> None:
        self.negative_slope = check_number(negative_slope, "negative_slope")

    def _slope(self) -> float:
        return self.negative_slope

    def _f(self, x: Array) -> Array:
        a = self._slope()
        if a == 0.0:
            return positive_part(x)  # not max(x, 0 x): 0 · (-inf) is NaN
        if 0.0 < a <= 1.0:
            return np.maximum(x, a * x)
        with np.errstate(over="ignore"):  # |a x| above the largest float: ±inf
            return select(x > 0, x, a * x)

    def _df(self, x: Array, y: Array | None) -> Array:
        d = above(x, 0.0)
        d *= 1.0 - self._slope()
        d += self._slope()
        return d

    def _info(self) -> dict[str, Any]:
        a = self._slope()
        return dict(
            output_range=(-INF if a > 0 else 0.0, INF),
            range_closed=(a == 0.0, False),
            monotonic=a >= 0,
            zero_centered=a == 1.0,
            smooth=a == 1.0,
            max_abs_derivative=max(1.0, abs(a)),
            max_abs_derivative_at="x > 0" if abs(a) <= 1 else "x < 0",
            max_abs_derivative_x=1.0 if abs(a) <= 1 else -1.0,
            kinks=(Kink(0.0, a, a, 1.0),),
            formula=rf"f(x) = \begin{{cases}} x & x > 0 \\ {a:g}\,x & x \le 0 \end{{cases}}",
            derivative_formula=rf"f'(x) = \begin{{cases}} 1 & x > 0 \\ {a:g} & x \le 0 "
            r"\end{cases}",
            notes=self._notes(),
        )

    def _notes(self) -> str:
        return (
            "Keeps a small gradient for negative inputs so units cannot die; costs as "
            "little as ReLU. The slope is a hyper-parameter (PyTorch 0.01, Keras 0.2)."
        )


@register
class PReLU(LeakyReLU):
    r"""Parametric ReLU with a fixed slope (default 0.25, PyTorch's ``nn.PReLU`` init).

    The same function as leaky ReLU; in a network the slope is learned (the ``PReLU`` layer).
    At ``x = 0`` the derivative is the slope, as ``torch.nn.functional.prelu``.
    """

    name = "prelu"
    torch = "torch.nn.functional.prelu"

    def __init__(self, negative_slope: float = 0.25) -> None:
        super().__init__(negative_slope)

    def _notes(self) -> str:
        return (
            "Leaky ReLU whose negative slope is learned per layer or per unit (He et al. "
            "2015); as a fixed function it is leaky ReLU with slope 0.25."
        )


@register
class RReLU(LeakyReLU):
    r"""Randomized leaky ReLU (Xu et al. 2015), PyTorch semantics.

    While training, each negative input gets its own slope drawn from ``U(lower, upper)``;
    otherwise the slope is the mean ``(lower + upper) / 2``. Slopes come from the activation's
    own generator ``np.random.default_rng(seed)``, so a seed gives the same draws.

    ``derivative`` / ``vjp`` with ``training=True`` use the slopes of the latest training
    forward call (PyTorch keeps them as its ``noise`` tensor); the input must have the same
    shape. At ``x = 0`` the derivative is the slope (PyTorch: ``x <= 0`` takes the slope).
    """

    name = "rrelu"
    torch = "torch.nn.functional.rrelu"

    def __init__(self, lower: float = 1.0 / 8.0, upper: float = 1.0 / 3.0, seed: int | None = None):
        self.lower = check_number(lower, "lower")
        self.upper = check_number(upper, "upper")
        if self.upper < self.lower:
            raise ValueError(f"upper must be >= lower, got lower={self.lower}, upper={self.upper}")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise TypeError(f"seed must be an int or None, got {type(seed).__name__}: {seed!r}")
        self.seed = seed
        self.negative_slope = (self.lower + self.upper) / 2
        self._rng = np.random.default_rng(seed)
        self.last_slopes: Array | None = None

    def get_config(self) -> dict[str, Any]:
        return {"lower": self.lower, "upper": self.upper, "seed": self.seed}

    def __call__(self, x: ArrayLike, *, training: bool = False) -> Array:
        if not training:
            return super().__call__(x)
        x = as_float_array(x)
        slopes = self._rng.uniform(self.lower, self.upper, size=x.shape).astype(x.dtype)
        slopes[x > 0] = 1.0
        self.last_slopes = slopes
        return x * slopes

    def derivative(
        self, x: ArrayLike, y: ArrayLike | None = None, *, training: bool = False
    ) -> Array:
        if not training:
            return super().derivative(x, y)
        x = as_float_array(x)
        if self.last_slopes is None or self.last_slopes.shape != x.shape:
            got = None if self.last_slopes is None else self.last_slopes.shape
            raise ValueError(
                f"rrelu derivative with training=True needs a training forward call on an input "
                f"of the same shape first; x has shape {x.shape}, the last slopes {got}"
            )
        return self.last_slopes.copy()

    def _notes(self) -> str:
        return (
            "Random negative slopes while training act as a regulariser; at inference it "
            "is leaky ReLU with the mean slope."
        )


class _ExponentialLinear(ElementwiseActivation):
    """Shared kernel of ELU, SELU and CELU: ``scale * (x if x > 0 else alpha * expm1(x / c))``.

    ``min(x, 0)`` is clipped below at ``-746 c`` when ``c < 1``: beyond, ``e^{x/c}`` is 0 in
    every float dtype (``e^{-746}`` is below half the smallest float64 subnormal), so nothing
    changes, and ``x / c`` cannot overflow. At ``x = -inf`` the limits ``-scale·alpha`` and
    derivative 0 come out as they are; a ``scale · x`` above the largest float (SELU at the
    top of the range) is ``inf`` without an overflow warning.
    """

    def _abc(self) -> tuple[float, float, float]:
        """Return ``(scale, alpha, c)``."""
        raise NotImplementedError

    @staticmethod
    def _negative(x: Array, c: float) -> Array:
        """Return ``min(x, 0) / c`` as a new array, clipped so that it cannot overflow."""
        neg = clip_ufunc(x, -746.0 * c if c < 1.0 else -np.inf, 0.0)
        if c != 1.0:
            neg *= 1.0 / c
        return neg

    def _f(self, x: Array) -> Array:
        # max(x, 0) + alpha * expm1(min(x, 0) / c): each term vanishes on the other side of 0,
        # so no branch selection is needed.
        scale, alpha, c = self._abc()
        neg = self._negative(x, c)
        np.expm1(neg, out=neg)
        neg *= alpha
        neg += positive_part(x)
        if scale != 1.0:
            with np.errstate(over="ignore"):  # scale x above the largest float: inf
                neg *= scale
        return neg

    def _df(self, x: Array, y: Array | None) -> Array:
        scale, alpha, c = self._abc()
        neg = self._negative(x, c)
        np.exp(neg, out=neg)
        k = scale * alpha / c
        neg *= k
        if k == scale:  # elu with alpha = 1, celu: exp(0) * k already equals the x > 0 slope
            return neg
        return select(x > 0, scale, neg, out=neg)  # NaN fails x > 0: exp(NaN) k = NaN


@register
class ELU(_ExponentialLinear):
    r"""Exponential linear unit (Clevert et al. 2015).

    .. math:: f(x) = \begin{cases} x & x > 0 \\ \alpha (e^{x} - 1) & x \le 0 \end{cases}

    Default ``alpha = 1``. At ``x = 0`` the derivative is ``alpha`` (PyTorch autograd takes the
    ``x <= 0`` branch); for ``alpha = 1`` the function is C¹ and there is no kink.
    """

    name = "elu"
    torch = "torch.nn.functional.elu"

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = check_number(alpha, "alpha", low=0.0)

    def _abc(self) -> tuple[float, float, float]:
        return 1.0, self.alpha, 1.0

    def _info(self) -> dict[str, Any]:
        a = self.alpha
        return dict(
            output_range=(-a, INF),
            range_closed=(a == 0.0, False),
            monotonic=True,
            zero_centered=False,
            smooth=a == 1.0,
            max_abs_derivative=max(1.0, a),
            max_abs_derivative_at="x > 0" if a <= 1 else "x = 0",
            max_abs_derivative_x=(1.0 if a <= 1 else 0.0),
            kinks=() if a == 1.0 else (Kink(0.0, a, a, 1.0),),
            formula=rf"f(x) = \begin{{cases}} x & x > 0 \\ {a:g}\,(e^{{x}} - 1) & x \le 0 "
            r"\end{cases}",
            derivative_formula=rf"f'(x) = \begin{{cases}} 1 & x > 0 \\ {a:g}\,e^{{x}} = "
            rf"f(x) + {a:g} & x \le 0 \end{{cases}}",
            notes="Negative outputs pull the mean activation towards zero and the smooth negative "
            "side keeps a gradient, so units do not die; costs an exponential.",
        )


@register
class SELU(_ExponentialLinear):
    r"""Scaled ELU (Klambauer et al. 2017) with the self-normalising constants.

    .. math:: f(x) = \lambda \begin{cases} x & x > 0 \\ \alpha (e^{x} - 1) & x \le 0 \end{cases}

    ``λ ≈ 1.0507``, ``α ≈ 1.6733``: a standard normal input gives output mean 0 and variance 1.
    At ``x = 0`` the derivative is ``λα ≈ 1.7581`` (PyTorch autograd's value).
    """

    name = "selu"
    torch = "torch.nn.functional.selu"
    ALPHA = 1.6732632423543772848170429916717
    SCALE = 1.0507009873554804934193349852946

    def _abc(self) -> tuple[float, float, float]:
        return self.SCALE, self.ALPHA, 1.0

    def _info(self) -> dict[str, Any]:
        la = self.SCALE * self.ALPHA
        return dict(
            output_range=(-la, INF),
            range_closed=(False, False),
            monotonic=True,
            zero_centered=True,
            smooth=False,
            max_abs_derivative=la,
            max_abs_derivative_at="x = 0 (from the left)",
            max_abs_derivative_x=0.0,
            kinks=(Kink(0.0, la, la, self.SCALE),),
            formula=r"f(x) = \lambda \begin{cases} x & x > 0 \\ \alpha (e^{x} - 1) & x \le 0 "
            r"\end{cases}",
            derivative_formula=r"f'(x) = \lambda \begin{cases} 1 & x > 0 \\ \alpha e^{x} & x \le 0 "
            r"\end{cases}",
            notes="With LeCun-normal init and no batch norm, activations keep mean 0 and variance "
            "1 through depth (self-normalising). The guarantee needs those conditions; with "
            "dropout use alpha-dropout.",
        )


@register
class CELU(_ExponentialLinear):
    r"""Continuously differentiable ELU (Barron 2017).

    .. math:: f(x) = \max(0, x) + \min(0, \alpha (e^{x/\alpha} - 1))

    ``f'(0) = 1`` from both sides for every ``alpha > 0``, so there is no kink.
    """

    name = "celu"
    torch = "torch.nn.functional.celu"

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = check_number(alpha, "alpha", low=0.0, low_open=True)

    def _abc(self) -> tuple[float, float, float]:
        return 1.0, self.alpha, self.alpha

    def _info(self) -> dict[str, Any]:
        a = self.alpha
        return dict(
            output_range=(-a, INF),
            range_closed=(False, False),
            monotonic=True,
            zero_centered=False,
            smooth=True,
            max_abs_derivative=1.0,
            max_abs_derivative_at="x >= 0",
            max_abs_derivative_x=1.0,
            kinks=(),
            formula=rf"f(x) = \max(0, x) + \min(0, {a:g}\,(e^{{x/{a:g}}} - 1))",
            derivative_formula=rf"f'(x) = \begin{{cases}} 1 & x > 0 \\ e^{{x/{a:g}}} & x \le 0 "
            r"\end{cases}",
            notes="ELU re-parameterised so that the derivative is continuous at 0 for any alpha.",
        )
