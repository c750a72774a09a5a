"""The classic squashing activations: step, linear, sigmoid, tanh and their cheap cousins."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._checks import check_number
from .base import (
    INF,
    ElementwiseActivation,
    Kink,
    clip_ufunc,
    largest,
    register,
)

Array = NDArray[np.floating]


def sigmoid_kernel(x: Array) -> Array:
    """Return ``1 / (1 + exp(-x))`` in four in-place passes, accurate to a few ulp relative.

    For ``x`` below about -88 (float32) or -709 (float64) ``exp(-x)`` overflows to ``inf`` and
    the result is ``1 / inf = 0``, which is the correctly underflowed answer, so that overflow
    is silenced here. The faster ``0.5 * tanh(x / 2) + 0.5`` is only accurate in absolute
    terms: it loses all relative accuracy in the left tail (sigmoid(-30) ~ 9.4e-14 comes out
    with a 1e-4 relative error), which would spoil small gradients, so it is not used.
    """
    y = np.negative(x)
    with np.errstate(over="ignore"):
        np.exp(y, out=y)
    y += 1.0
    return np.divide(1.0, y, out=y)  # vectorised, unlike np.reciprocal (twice as slow)


def softplus_kernel(x: Array) -> Array:
    """Return ``log(1 + e^x)`` without overflow as ``max(x, 0) + log1p(exp(-|x|))``.

    Ten times faster than ``np.logaddexp(0, x)`` and as accurate.
    """
    y = np.abs(x)
    np.negative(y, out=y)
    np.exp(y, out=y)
    np.log1p(y, out=y)
    y += np.clip(x, 0.0, np.inf)  # max(x, 0); see positive_part
    return y


@register
class Step(ElementwiseActivation):
    r"""Heaviside step: 1 for ``x > 0``, else 0 (Rosenblatt's perceptron unit).

    .. math:: H(x) = [x > 0]

    The value at 0 is 0, as in *Deep Learning from Scratch* (``x > 0``). The derivative is 0
    everywhere it exists; at 0 we return 0 too. PyTorch has ``torch.heaviside(x, values)`` but
    no autograd rule for it: the step passes no gradient, which is why gradient descent needs a
    smooth replacement such as the sigmoid.

    Example:
        >>> Step()([-1.0, 0.0, 2.0])
        array([0., 0., 1.])
    """

    name = "step"
    aliases = ("heaviside", "binary_step")
    torch = "torch.heaviside(x, 0)"

    def _f(self, x: Array) -> Array:
        return np.greater(x, 0, out=np.empty_like(x))

    def _df(self, x: Array, y: Array | None) -> Array:
        return np.zeros_like(x)

    def _info(self) -> dict[str, Any]:
        return dict(
            output_range=(0.0, 1.0),
            range_closed=(True, True),
            monotonic=True,
            zero_centered=False,
            smooth=False,
            max_abs_derivative=0.0,
            max_abs_derivative_at="everywhere (f' = 0 wherever it exists)",
            max_abs_derivative_x=1.0,
            kinks=(Kink(0.0, 0.0, 0.0, 0.0, jump=True),),
            formula=r"H(x) = \begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases}",
            derivative_formula=r"H'(x) = 0 \quad (x \ne 0)",
            notes="The original perceptron unit: a hard yes/no decision. Its derivative is zero "
            "almost everywhere, so backpropagation cannot train through it; the sigmoid is its "
            "smooth stand-in.",
        )


@register
class Linear(ElementwiseActivation):
    r"""Identity: ``f(x) = x``, ``f'(x) = 1``. ``activations.get(None)`` returns it.

    A stack of linear layers with this activation is still one linear map.
    """

    name = "linear"
    aliases = ("identity",)
    torch = "torch.nn.Identity"

    def _f(self, x: Array) -> Array:
        return x.copy()

    def _df(self, x: Array, y: Array | None) -> Array:
        return np.ones_like(x)

    def _info(self) -> dict[str, Any]:
        return dict(
            output_range=(-INF, INF),
            range_closed=(False, False),
            monotonic=True,
            zero_centered=True,
            smooth=True,
            max_abs_derivative=1.0,
            max_abs_derivative_at="everywhere",
            max_abs_derivative_x=0.0,
            kinks=(),
            formula=r"f(x) = x",
            derivative_formula=r"f'(x) = 1",
            notes="Used for regression outputs. Between hidden layers it adds nothing: "
            "linear maps compose into one linear map, so depth buys no expressiveness.",
        )


@register
class Sigmoid(ElementwiseActivation):
    r"""Logistic sigmoid.

    .. math:: \sigma(x) = \frac{1}{1 + e^{-x}}, \qquad \sigma'(x) = \sigma(x)\,(1 - \sigma(x))

    The derivative peaks at ``x = 0`` with value exactly 1/4 (not "about 0.3"), so every sigmoid
    layer scales a back-propagated gradient by at most 0.25. See :func:`sigmoid_kernel` for
    how it is computed; the derivative reuses ``y`` when given.

    Example:
        >>> float(Sigmoid().derivative(0.0))
        0.25
    """

    name = "sigmoid"
    aliases = ("logistic",)
    torch = "torch.sigmoid"

    def _f(self, x: Array) -> Array:
        return sigmoid_kernel(x)

    def _df(self, x: Array, y: Array | None) -> Array:
        s = sigmoid_kernel(x) if y is None else y
        d = np.subtract(1.0, s)
        d *= s
        return d

    def _info(self) -> dict[str, Any]:
        return dict(
            output_range=(0.0, 1.0),
            range_closed=(False, False),
            monotonic=True,
            zero_centered=False,
            smooth=True,
            max_abs_derivative=0.25,
            max_abs_derivative_at="x = 0",
            max_abs_derivative_x=0.0,
            kinks=(),
            formula=r"\sigma(x) = \frac{1}{1 + e^{-x}}",
            derivative_formula=r"\sigma'(x) = \sigma(x)\,(1 - \sigma(x))",
            notes="Reads as a probability, so it suits binary outputs. As a hidden activation it "
            "saturates (f' near 0 for |x| > 5), its derivative is at most 0.25 so deep stacks "
            "shrink gradients geometrically, and its outputs are all positive (not zero-centred).",
        )


@register
class HardSigmoid(ElementwiseActivation):
    r"""Piecewise-linear sigmoid, PyTorch / Keras 3 form: ``relu6(x + 3) / 6``.

    .. math:: f(x) = \min(\max(x/6 + 1/2,\ 0),\ 1)

    Libraries disagree: tf.keras 2 used ``clip(0.2 x + 0.5, 0, 1)`` (slope 0.2, kinks at ±2.5);
    PyTorch and Keras 3 use slope 1/6 with kinks at ±3, as here. At the kinks ``x = ±3`` the
    derivative is 0 (PyTorch's ``hardsigmoid`` backward).
    """

    name = "hard_sigmoid"
    torch = "torch.nn.functional.hardsigmoid"

    def _f(self, x: Array) -> Array:
        y = np.multiply(x, 1.0 / 6.0)
        y += 0.5
        return np.clip(y, 0.0, 1.0, out=y)

    def _df(self, x: Array, y: Array | None) -> Array:
        d = np.abs(x)
        np.less(d, 3.0, out=d)
        d *= 1.0 / 6.0
        return d

    def _info(self) -> dict[str, Any]:
        return dict(
            output_range=(0.0, 1.0),
            range_closed=(True, True),
            monotonic=True,
            zero_centered=False,
            smooth=False,
            max_abs_derivative=1.0 / 6.0,
            max_abs_derivative_at="-3 < x < 3",
            max_abs_derivative_x=0.0,
            kinks=(Kink(-3.0, 0.0, 0.0, 1.0 / 6.0), Kink(3.0, 0.0, 1.0 / 6.0, 0.0)),
            formula=r"f(x) = \frac{\mathrm{ReLU6}(x + 3)}{6}",
            derivative_formula=r"f'(x) = \begin{cases} 1/6 & |x| < 3 \\ 0 & |x| \ge 3 \end{cases}",
            notes="Cheap (no exponential), used in mobile nets. Flat outside [-3, 3], so it "
            "passes no gradient there at all; tf.keras 2's version has slope 0.2 instead.",
        )


@register
class Tanh(ElementwiseActivation):
    r"""Hyperbolic tangent.

    .. math:: \tanh(x) = \frac{e^x - e^{-x}}{e^x + e^{-x}} = 2\sigma(2x) - 1, \qquad
              \tanh'(x) = 1 - \tanh^2(x)

    The derivative peaks at 1 (``x = 0``); it reuses ``y`` when given.
    """

    name = "tanh"
    torch = "torch.tanh"

    def _f(self, x: Array) -> Array:
        return np.tanh(x)

    def _df(self, x: Array, y: Array | None) -> Array:
        t = np.tanh(x) if y is None else y
        d = np.multiply(t, t)
        np.subtract(1.0, d, out=d)
        return d

    def _info(self) -> dict[str, Any]:
        return dict(
            output_range=(-1.0, 1.0),
            range_closed=(False, False),
            monotonic=True,
            zero_centered=True,
            smooth=True,
            max_abs_derivative=1.0,
            max_abs_derivative_at="x = 0",
            max_abs_derivative_x=0.0,
            kinks=(),
            formula=r"\tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}",
            derivative_formula=r"\tanh'(x) = 1 - \tanh^2(x)",
            notes="Zero-centred and four times steeper than the sigmoid at 0, so it usually "
            "trains faster. It still saturates for large |x|, so deep tanh nets also lose "
            "gradient, only more slowly.",
        )


@register
class HardTanh(ElementwiseActivation):
    r"""Clip to ``[min_val, max_val]`` (PyTorch ``hardtanh``; defaults -1 and 1).

    .. math:: f(x) = \min(\max(x, a), b)

    At ``x = a`` and ``x = b`` the derivative is 0, as PyTorch's ``hardtanh`` backward.
    """

    name = "hard_tanh"
    torch = "torch.nn.functional.hardtanh"

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0) -> None:
        self.min_val = check_number(min_val, "min_val")
        self.max_val = check_number(max_val, "max_val")
        if self.max_val <= self.min_val:
            raise ValueError(
                f"max_val must be greater than min_val, got min_val={self.min_val}, "
                f"max_val={self.max_val}"
            )

    def _f(self, x: Array) -> Array:
        return np.clip(x, self.min_val, self.max_val)

    def _df(self, x: Array, y: Array | None) -> Array:
        d = np.greater(x, self.min_val, out=np.empty_like(x))
        d *= np.less(x, self.max_val, out=np.empty_like(x))  # floats: a vectorised product
        return d

    def _info(self) -> dict[str, Any]:
        a, b = self.min_val, self.max_val
        return dict(
            output_range=(a, b),
            range_closed=(True, True),
            monotonic=True,
            zero_centered=a == -b,
            smooth=False,
            max_abs_derivative=1.0,
            max_abs_derivative_at=f"{a:g} < x < {b:g}",
            max_abs_derivative_x=(a + b) / 2,
            kinks=(Kink(a, 0.0, 0.0, 1.0), Kink(b, 0.0, 1.0, 0.0)),
            formula=rf"f(x) = \min(\max(x, {a:g}), {b:g})",
            derivative_formula=rf"f'(x) = [{a:g} < x < {b:g}]",
            notes="A piecewise-linear tanh: identity in the middle, flat outside. Cheap, but "
            "units pushed past the ends get no gradient.",
        )


@register
class Softsign(ElementwiseActivation):
    r"""Softsign: ``x / (1 + |x|)``, a tanh-like curve with polynomial tails.

    .. math:: f(x) = \frac{x}{1 + |x|}, \qquad f'(x) = \frac{1}{(1 + |x|)^2}

    ``x`` is clipped to ``±2^60`` first: beyond ``2^54`` the quotient is ``±1`` in float32 and
    float64 anyway, and at ``±inf`` it would be ``inf / inf`` = NaN (PyTorch's value there);
    so ``f(±inf) = ±1``, the limit. The derivative is ``(1 / (1 + |x|)) / (1 + |x|)``, which
    underflows to 0 for huge ``|x|`` where ``(1 + |x|)²`` overflowed; ``f'(±inf) = 0``.
    """

    name = "softsign"
    torch = "torch.nn.functional.softsign"

    def _f(self, x: Array) -> Array:
        big = min(2.0**60, largest(x.dtype))  # float16's largest is 65504
        c = clip_ufunc(x, -big, big)
        d = np.abs(c)
        d += 1.0
        return np.divide(c, d, out=d)

    def _df(self, x: Array, y: Array | None) -> Array:
        d = np.abs(x)
        d += 1.0
        r = np.divide(1.0, d)
        return np.divide(r, d, out=r)

    def _info(self) -> dict[str, Any]:
        return dict(
            output_range=(-1.0, 1.0),
            range_closed=(False, False),
            monotonic=True,
            zero_centered=True,
            smooth=True,
            max_abs_derivative=1.0,
            max_abs_derivative_at="x = 0",
            max_abs_derivative_x=0.0,
            kinks=(),
            formula=r"f(x) = \frac{x}{1 + |x|}",
            derivative_formula=r"f'(x) = \frac{1}{(1 + |x|)^2}",
            notes="Like tanh but approaches ±1 polynomially, so it saturates more gently; no "
            "exponential to compute.",
        )


@register
class LogSigmoid(ElementwiseActivation):
    r"""Logarithm of the sigmoid, computed without overflow as ``-softplus(-x)``.

    .. math:: f(x) = \log \sigma(x) = -\log(1 + e^{-x}), \qquad f'(x) = \sigma(-x) = 1 - \sigma(x)
    """

    name = "log_sigmoid"
    torch = "torch.nn.functional.logsigmoid"

    def _f(self, x: Array) -> Array:
        # -softplus(-x) = min(x, 0) - log(1 + exp(-|x|))
        y = np.abs(x)
        np.negative(y, out=y)
        np.exp(y, out=y)
        np.log1p(y, out=y)
        return np.subtract(np.clip(x, -np.inf, 0.0), y, out=y)

    def _df(self, x: Array, y: Array | None) -> Array:
        # sigmoid(-x) = 1 / (1 + exp(x)); exp(x) = inf above ~88 (float32) gives the exact 0
        with np.errstate(over="ignore"):
            d = np.exp(x)
        d += 1.0
        return np.divide(1.0, d, out=d)

    def _info(self) -> dict[str, Any]:
        return dict(
            output_range=(-INF, 0.0),
            range_closed=(False, False),
            monotonic=True,
            zero_centered=False,
            smooth=True,
            max_abs_derivative=1.0,
            max_abs_derivative_at="approached as x -> -inf",
            max_abs_derivative_x=None,
            kinks=(),
            formula=r"f(x) = \log \frac{1}{1 + e^{-x}}",
            derivative_formula=r"f'(x) = 1 - \sigma(x)",
            notes="The numerically safe way to get log-probabilities from a logit (binary "
            "cross-entropy); rarely a hidden activation.",
        )


@register
class Exponential(ElementwiseActivation):
    r"""Exponential: ``f(x) = e^x`` with ``f'(x) = e^x`` (Keras ``exponential``).

    Overflows to ``inf`` for ``x > 709`` (float64) or ``x > 88`` (float32): that is the true
    answer, so the overflow warning is left on.
    """

    name = "exponential"
    torch = "torch.exp"

    def _f(self, x: Array) -> Array:
        return np.exp(x)

    def _df(self, x: Array, y: Array | None) -> Array:
        return np.exp(x) if y is None else y.copy()

    def _info(self) -> dict[str, Any]:
        return dict(
            output_range=(0.0, INF),
            range_closed=(False, False),
            monotonic=True,
            zero_centered=False,
            smooth=True,
            max_abs_derivative=INF,
            max_abs_derivative_at="unbounded as x -> inf",
            max_abs_derivative_x=None,
            kinks=(),
            formula=r"f(x) = e^{x}",
            derivative_formula=r"f'(x) = e^{x}",
            notes="Maps to positive numbers (rates, scales, Poisson means). As a hidden "
            "activation it explodes: the gradient grows as fast as the output.",
        )
