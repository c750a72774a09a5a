"""Exercises of tutorial 2: activation functions and their derivatives."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import activations
from ..i18n import N_, _
from ._core import Hint, call, exercise, expect_array, fmt, matching, yours

SOLUTIONS = "gradlab.exercises.solutions.activations"


@exercise(
    "relu_backward",
    title=N_("ReLU's backward pass, with the derivative at 0"),
    tutorial=2,
    signature="relu_backward(x, grad_out) -> grad_in",
    solution=f"{SOLUTIONS}:relu_backward",
    task=N_(r"""Write the backward pass of $f(x) = \max(x, 0)$: given the input `x` and the gradient
    `grad_out` $= \partial L/\partial f$ (same shape), return $\partial L/\partial x$.

    ReLU has a kink at 0 where it has no derivative; the convention here, as in PyTorch, is
    $f'(0) = 0$.
    """),
)
def _relu_backward(answer: Any, done: list[str]) -> None:
    relu = activations.get("relu")
    x = np.array([-2.0, -0.5, 0.0, 0.5, 3.0])
    ones = np.ones_like(x)
    got = call(answer, x, ones, what=yours("relu_backward"), on=f"x = {fmt(x)}")
    expect_array(
        got,
        relu.vjp(x, ones),
        what=_("your gradient"),
        at=lambda i: f"x = {fmt(x[i])}",
        hint=_relu_hint(x),
    )
    done.append(_("the derivative is 0 for x < 0, 0 at x = 0 and 1 for x > 0"))
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 3))
    g = rng.normal(size=(4, 3))
    got = call(answer, x, g, what=yours("relu_backward"), on=_("a 4 x 3 batch"))
    expect_array(
        got,
        relu.vjp(x, g),
        what=_("your gradient"),
        at=lambda i: f"x = {fmt(x[i])}, grad_out = {fmt(g[i])}",
        hint=matching(
            [((x > 0) * 1.0, _("multiply the derivative by grad_out (the chain rule)"))], atol=1e-9
        ),
    )
    done.append(_("grad_out is multiplied elementwise (the chain rule), on a 4 x 3 batch"))


def _relu_hint(x: np.ndarray) -> Hint:
    """For grad_out = 1: the slips of ReLU's backward pass, by what they give."""
    return matching(
        [
            (
                (x >= 0) * 1.0,
                _("the convention here and in PyTorch is f'(0) = 0 (use x > 0, not x >= 0)"),
            ),
            (np.maximum(x, 0), _("that is ReLU itself, not its derivative times grad_out")),
        ],
        atol=1e-9,
    )


# ---- sigmoid_backward ----------------------------------------------------------------------
@exercise(
    "sigmoid_backward",
    title=N_("The sigmoid's backward pass"),
    tutorial=2,
    signature="sigmoid_backward(x, grad_out) -> grad_in",
    solution=f"{SOLUTIONS}:sigmoid_backward",
    task=N_(r"""Write the backward pass of the sigmoid $\sigma(x) = 1 / (1 + e^{-x})$: given the
    input `x` and the gradient `grad_out` (same shape) that arrives from above, return
    $\partial L/\partial x$: `grad_out` times $\sigma'(x) = \sigma(x)\,(1 - \sigma(x))$,
    elementwise.

    Compute $\sigma$ with NumPy so that it does not overflow for large negative `x`
    (`np.exp(-x)` overflows for $x < -709$): no NumPy warning is allowed for $|x|$ up to 1000.
    """),
)
def _sigmoid_backward(answer: Any, done: list[str]) -> None:
    sigmoid = activations.get("sigmoid")
    what = yours("sigmoid_backward")
    x = np.array([-3.0, -1.0, 0.0, 1.0, 3.0])
    ones = np.ones_like(x)
    got = call(answer, x, ones, what=what, on=f"x = {fmt(x)}")
    expect_array(
        got,
        sigmoid.vjp(x, ones),
        what=_("your gradient"),
        at=lambda i: f"x = {fmt(x[i])}",
        hint=_sigmoid_hint(x, ones),
    )
    done.append(_("σ'(x) = σ(x)(1 - σ(x)), 0.25 at x = 0"))

    rng = np.random.default_rng(0)
    x = rng.normal(0.0, 2.0, size=(4, 3))
    g = rng.normal(size=(4, 3))
    got = call(answer, x, g, what=what, on=_("a 4 x 3 batch"))
    expect_array(
        got,
        sigmoid.vjp(x, g),
        what=_("your gradient"),
        at=lambda i: f"x = {fmt(x[i])}, grad_out = {fmt(g[i])}",
        hint=_sigmoid_hint(x, g),
    )
    done.append(_("grad_out is multiplied elementwise (the chain rule), on a 4 x 3 batch"))

    x = np.array([-1000.0, -100.0, -30.0, 30.0, 100.0, 1000.0])
    ones = np.ones_like(x)
    overflow = _(
        "1 / (1 + np.exp(-x)) overflows for x below -709; compute σ so that exp only sees "
        "numbers <= 0, e.g. e = np.exp(-np.abs(x)), then σ = 1 / (1 + e) for x >= 0 and "
        "e / (1 + e) for x < 0"
    )
    got = call(answer, x, ones, what=what, on=f"x = {fmt(x)}", hint={"overflow": overflow})
    expect_array(
        got,
        sigmoid.vjp(x, ones),
        what=_("your gradient"),
        at=lambda i: f"x = {fmt(x[i])}",
    )
    done.append(_("no overflow and the right (tiny) gradients for |x| up to 1000"))


def _sigmoid_hint(x: np.ndarray, g: np.ndarray) -> Hint:
    s = activations.get("sigmoid")(x)
    itself = _("that is σ(x) itself (times grad_out); the derivative is σ(x)(1 - σ(x))")
    of_x = _("you computed s(1 - s) with s = x; apply it to s = σ(x)")
    return matching(
        [
            (s * g, itself),
            (s, itself),
            (x * (1 - x) * g, of_x),
            (x * (1 - x), of_x),
            (s * (1 - s), _("multiply the derivative by grad_out (the chain rule)")),
            (
                (1 - s**2) * g,
                _("1 - σ² is the pattern of tanh' (1 - tanh²); for the sigmoid it is σ(1 - σ)"),
            ),
        ],
        atol=1e-9,
    )


# ---- softplus ------------------------------------------------------------------------------
@exercise(
    "softplus",
    title=N_("A softplus that never overflows"),
    tutorial=2,
    signature="softplus(x) -> y",
    solution=f"{SOLUTIONS}:softplus",
    task=N_(r"""Write $\operatorname{softplus}(x) = \log(1 + e^{x})$ for a float64 array `x`, so
    that it

    * gives the right value for every $x$ up to $\pm 10^4$, with no NumPy warning: `np.exp(x)`
      overflows above $x \approx 709.8$;
    * stays accurate far left, where softplus(x) is close to $e^{x}$: tiny but not 0
      (at $x = -40$ it is about $4.2 \cdot 10^{-18}$), to a relative $10^{-6}$.

    Hint: $\log(1 + e^{x}) = \max(x, 0) + \log(1 + e^{-|x|})$, and `np.log1p(u)` computes
    $\log(1 + u)$ accurately for tiny $u$.
    """),
)
def _softplus(answer: Any, done: list[str]) -> None:
    softplus = activations.get("softplus")
    what = yours("softplus")
    x = np.array([-5.0, -1.0, 0.0, 0.5, 1.0, 5.0])
    got = call(answer, x, what=what, on=f"x = {fmt(x)}")
    expect_array(
        got,
        softplus(x),
        what=yours("softplus"),
        at=lambda i: f"x = {fmt(x[i])}",
        hint=_softplus_hint(x),
    )
    done.append(_("log(1 + e^x) for x from -5 to 5 (log 2 at 0)"))

    rng = np.random.default_rng(0)
    x = rng.normal(0.0, 3.0, size=(4, 3))
    got = call(answer, x, what=what, on=_("a 4 x 3 batch"))
    expect_array(
        got,
        softplus(x),
        what=yours("softplus"),
        at=lambda i: f"x = {fmt(x[i])}",
        hint=_softplus_hint(x),
    )
    done.append(_("elementwise on a 4 x 3 batch, shape kept"))

    x = np.array([-1e4, -1000.0, -710.0, 710.0, 1000.0, 1e4])
    overflow = _(
        "e^x overflows float64 above x = 709.8, and log1p(exp(x)) or np.where do not help "
        "(np.where computes both branches); use max(x, 0) + log1p(exp(-|x|)), where exp only "
        "sees numbers <= 0"
    )
    got = call(answer, x, what=what, on=f"x = {fmt(x)}", hint={"overflow": overflow})
    expect_array(
        got,
        softplus(x),
        what=yours("softplus"),
        at=lambda i: f"x = {fmt(x[i])}",
        hint=lambda a, e: (
            _(
                "softplus(x) is about x for large x, and about e^x (tiny, not inf) for very "
                "negative x"
            )
            if not np.isfinite(a).all()
            else None
        ),
    )
    done.append(
        _("no overflow or warning for |x| up to 1e4: softplus(1e4) = 1e4, softplus(-1e4) = 0")
    )

    x = np.array([-20.0, -30.0, -40.0, -50.0])
    got = call(answer, x, what=what, on=f"x = {fmt(x)}")
    expect_array(
        got,
        softplus(x),
        what=yours("softplus"),
        at=lambda i: f"x = {fmt(x[i])}",
        rtol=1e-6,
        atol=0.0,
        hint=matching(
            [
                (
                    np.log(1 + np.exp(x)),
                    _(
                        "log(1 + e^x) loses e^x to rounding: 1 + e^x keeps 16 digits and is "
                        "exactly 1 once e^x < 1.1e-16 (x < -36.7), which gives 0; np.log1p(u) is "
                        "accurate for tiny u"
                    ),
                )
            ],
            atol=0.0,
        ),
    )
    done.append(_("accurate far left: softplus(-40) = 4.25e-18, not 0"))


def _softplus_hint(x: np.ndarray) -> Hint:
    return matching(
        [
            (
                activations.get("softplus")(-x),
                _("that is softplus(-x) = log(1 + e^-x): check the sign of the exponent"),
            ),
            (
                np.maximum(x, 0),
                _("that is ReLU, max(x, 0); the term log(1 + e^-|x|) is missing (log 2 at 0)"),
            ),
            (
                activations.get("sigmoid")(x),
                _("that is the sigmoid, softplus's derivative, not softplus itself"),
            ),
            (
                np.maximum(x, 0) - np.log1p(np.exp(-np.abs(x))),
                _("the correction log(1 + e^-|x|) is added, not subtracted"),
            ),
        ],
        atol=1e-9,
    )
