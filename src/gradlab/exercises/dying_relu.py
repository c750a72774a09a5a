"""Exercises of tutorial 6: dying ReLU (finding dead units; the backward passes of ELU and leaky
ReLU, which keep a gradient on the negative side)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import activations, datasets, diagnostics
from ..i18n import N_, _
from ..model import mlp
from ._core import Hint, Mistake, call, exercise, expect_array, fmt, matching, with_hint, yours

SOLUTIONS = "gradlab.exercises.solutions.dying_relu"


# --- dead_units ---------------------------------------------------------------------------


def _engine_dead(z: np.ndarray) -> np.ndarray:
    """Dead as gradlab.diagnostics counts it: ReLU's derivative is 0 on every sample."""
    return np.all(activations.get("relu").derivative(z) == 0, axis=0)


def _dead_hint(z: np.ndarray) -> Hint:
    """Name the slip behind a wrong mask of the pre-activations ``z``, if it is a known one."""
    mean = _(
        "you tested the mean pre-activation; a unit with a negative "
        "mean can still be positive on some samples, and those samples train it"
    )
    return matching(
        [
            (
                np.any(z <= 0, axis=0),
                _(
                    "a unit is dead only when it is zero for EVERY sample (use np.all over the "
                    "samples, not np.any): one sample with a positive pre-activation is enough to "
                    "pass a gradient to its weights"
                ),
            ),
            (z.mean(axis=0) <= 0, mean),
            (z.mean(axis=0) < 0, mean),
            (
                np.all(z < 0, axis=0),
                _(
                    "relu(0) = 0 and its derivative there is 0 too: a "
                    "pre-activation of exactly 0 counts as zero output (test z <= 0, not z < 0)"
                ),
            ),
            (
                np.all(z > 0, axis=0),
                _("that marks the units that are active on every sample, the opposite of dead"),
            ),
            (~np.all(z <= 0, axis=0), _("the mask is inverted: True must mean dead")),
        ]
    )


def _check_dead(answer: Any, z: np.ndarray, on: str, describe: Any) -> None:
    got = call(answer, z, what=yours("dead_units"), on=on)
    n_samples, n_units = z.shape
    arr = np.asarray(got)
    if arr.shape != (n_units,):
        if arr.shape == (n_samples,):
            detail = _(
                "one value per sample; expected {n}, one per unit (column): reduce over "
                "axis 0, the samples"
            ).format(n=n_units)
        elif arr.ndim == 0:
            detail = _("a single value ({got}); expected a mask of {n}, one per unit").format(
                got=fmt(arr), n=n_units
            )
        else:
            detail = _("expected shape ({n},), one value per unit (column)").format(n=n_units)
        raise Mistake(
            _("your mask on {on} has shape {shape}: {detail}").format(
                on=on, shape=arr.shape, detail=detail
            )
        )
    if arr.dtype != np.bool_:
        raise Mistake(
            _(
                "your mask on {on} has dtype {dtype}; return booleans (True = dead), as "
                "np.all(..., axis=0) gives"
            ).format(on=on, dtype=arr.dtype)
        )
    expected = _engine_dead(z)
    wrong = np.flatnonzero(arr != expected)
    if wrong.size:
        j = int(wrong[0])
        why = _dead_hint(z)(arr, expected)
        message = (
            _(
                "your mask says unit {unit} is dead; {column}, so it is alive "
                "({wrong} of {total} units wrong)"
            )
            if arr[j]
            else _(
                "your mask says unit {unit} is alive; {column}, so it is dead "
                "({wrong} of {total} units wrong)"
            )
        ).format(unit=j, column=describe(j), wrong=wrong.size, total=n_units)
        raise Mistake(with_hint(message, why))


def _describe_unit(z: np.ndarray, values: bool = True) -> Any:
    """``describe(j)``: what column ``j`` of ``z`` holds, in words (with its values if asked)."""

    def describe(j: int) -> str:
        col = z[:, j]
        pos, zero = int((col > 0).sum()), int((col == 0).sum())
        fields = {"pos": pos, "n": len(col), "unit": j, "values": fmt(col), "mean": fmt(col.mean())}
        if pos:
            return (
                _(
                    "its pre-activation is positive on {pos} of {n} samples "
                    "(z[:, {unit}] = {values}, mean {mean})"
                )
                if values
                else _("its pre-activation is positive on {pos} of {n} samples (mean {mean})")
            ).format(**fields)
        extra = _(", {zero} of them exactly 0").format(zero=zero) if zero else ""
        shown = f" (z[:, {j}] = {fmt(col)})" if values else ""
        return _("its pre-activation is <= 0 on all {n} samples{extra}{shown}").format(
            n=len(col), extra=extra, shown=shown
        )

    return describe


def _bias_shifted_preactivations() -> np.ndarray:
    """Pre-activations of a ReLU layer on 200 digits, its biases shifted to -1 (15 of its 24
    units are dead)."""
    (X, _labels), _test = datasets.digits(seed=0, dtype="float64")
    net = mlp(
        [24],
        10,
        input_dim=X.shape[1],
        init="he_normal",
        seed=0,
        dtype="float64",
        bias_init={"name": "constant", "config": {"value": -1.0}},
    )
    pre, _ = diagnostics.layer_outputs(net, X[:200])[0]
    return pre


@exercise(
    "dead_units",
    title=N_("Find the dead ReLU units"),
    tutorial=6,
    signature="dead_units(z) -> boolean mask",
    solution=f"{SOLUTIONS}:dead_units",
    task=N_(r"""`z` holds the pre-activations of a ReLU layer on a data set, shape
    `(n_samples, n_units)`: row $i$ is sample $i$, column $j$ is unit $j$. Return a boolean
    array of shape `(n_units,)` that is `True` for the **dead** units: those whose output
    $\max(z, 0)$ is 0 for every sample. Such a unit passes no gradient back
    ($\text{relu}'(z) = 0$ for $z \le 0$), so its incoming weights stop changing.
    """),
)
def _dead_units(answer: Any, done: list[str]) -> None:
    z = np.array(
        [
            [-1.0, 0.5, 2.0, 0.0, -3.0],
            [-0.2, -1.0, 0.1, -0.5, -2.0],
            [-3.0, 2.0, 1.5, 0.0, 0.4],
            [-0.7, -0.3, 0.8, -1.2, -2.5],
            [-1.1, 1.0, 0.3, 0.0, -4.0],
            [-0.4, -2.0, 1.2, -0.1, -1.5],
        ]
    )
    _check_dead(answer, z, _("a 6 x 5 matrix z"), _describe_unit(z))
    done.append(_("dead means zero output on every sample (exact zeros included), per column"))
    z = _bias_shifted_preactivations()
    _check_dead(
        answer,
        z,
        _("the pre-activations of a Dense(24, relu) layer on 200 digits with biases at -1"),
        _describe_unit(z, values=False),
    )
    done.append(
        _(
            "on a real layer with shifted biases it finds the {dead} of {total} dead units that "
            "gradlab.diagnostics counts"
        ).format(dead=int(_engine_dead(z).sum()), total=z.shape[1])
    )


# --- elu_backward -------------------------------------------------------------------------


def _elu(alpha: float) -> Any:
    return activations.get({"name": "elu", "config": {"alpha": alpha}})


def _elu_hint(x: np.ndarray, g: np.ndarray, alpha: float, default: bool = False) -> Hint:
    act = _elu(alpha)
    neg = np.minimum(x, 0.0)
    slip = matching(
        [
            (
                g * np.where(x >= 0, 1.0, alpha * np.exp(neg)),
                _(
                    "at x = 0 gradlab and PyTorch take the negative branch, f'(0) = alpha "
                    "(here {alpha:g}; test x > 0 for the slope 1, not x >= 0)"
                ).format(alpha=alpha),
            ),
            (
                g * np.where(x > 0, 1.0, np.exp(neg)),
                _("alpha is missing: on the negative side the derivative is alpha * exp(x)"),
            ),
            (
                g * np.where(x > 0, 1.0, alpha * np.expm1(neg)),
                _(
                    "you used f(x) = alpha (exp(x) - 1) on the negative side; its derivative is "
                    "alpha * exp(x), which is f(x) + alpha"
                ),
            ),
            (act.derivative(x), _("multiply the derivative by grad_out (the chain rule)")),
            (act(x), _("that is ELU itself, not its derivative times grad_out")),
            (
                g * (x > 0),
                _(
                    "that is ReLU's backward pass; ELU passes alpha * exp(x) * grad_out for "
                    "x <= 0, the gradient that keeps its units from dying"
                ),
            ),
            (
                g,
                _("that is grad_out unchanged; on the negative side multiply it by alpha * exp(x)"),
            ),
        ]
    )

    def hint(got: np.ndarray, expected: np.ndarray) -> str | None:
        if default and np.allclose(got[x > 0], g[x > 0]):
            # The same shape on the negative side with another alpha: the default is off.
            neg = (x <= 0) & (g != 0)
            ratio = got[neg] / (g[neg] * np.exp(x[neg]))
            if ratio.size and np.allclose(ratio, ratio[0]) and not np.isclose(ratio[0], alpha):
                return _(
                    "your default alpha is {alpha:.4g}; PyTorch's and gradlab's is 1.0"
                ).format(alpha=ratio[0])
        return slip(got, expected)

    return hint


def _check_elu(
    answer: Any, x: np.ndarray, g: np.ndarray, alpha: float | None, on: str, at: Any
) -> None:
    args = (x, g) if alpha is None else (x, g, alpha)
    used = 1.0 if alpha is None else alpha
    overflow = _(
        "np.where computes both branches on every element, so exp(x) overflows for the large "
        "positive x even though that branch is thrown away; take the exponential of "
        "np.minimum(x, 0)"
    )
    got = call(answer, *args, what=yours("elu_backward"), on=on, hint={"overflow": overflow})
    expect_array(
        got,
        _elu(used).vjp(x, g),
        what=_("your gradient"),
        at=at,
        hint=_elu_hint(x, g, used, default=alpha is None),
    )


@exercise(
    "elu_backward",
    title=N_("ELU's backward pass: a gradient on the negative side"),
    tutorial=6,
    signature="elu_backward(x, grad_out, alpha=1.0) -> grad_in",
    solution=f"{SOLUTIONS}:elu_backward",
    task=N_(r"""Write the backward pass of ELU,
    $$f(x) = \begin{cases} x & x > 0 \\ \alpha\,(e^{x} - 1) & x \le 0 \end{cases}$$
    with $\alpha$ = `alpha` (default 1.0, as PyTorch). Given the input `x` and the upstream
    gradient `grad_out` $= \partial L/\partial f$ (same shape), return
    $\partial L/\partial x$. At $x = 0$ use the negative branch, $f'(0) = \alpha$, as PyTorch
    and gradlab do. Your code must not warn (no overflow) for large positive `x`.
    """),
)
def _elu_backward(answer: Any, done: list[str]) -> None:
    x = np.array([-2.0, -0.5, 0.0, 0.5, 3.0])
    ones = np.ones_like(x)
    _check_elu(answer, x, ones, 0.5, f"x = {fmt(x)}, alpha = 0.5", lambda i: f"x = {fmt(x[i])}")
    done.append(_("the derivative is alpha * exp(x) for x <= 0 (x = 0 included) and 1 for x > 0"))
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 3)) * 2
    g = rng.normal(size=(4, 3))
    _check_elu(
        answer,
        x,
        g,
        1.5,
        _("a 4 x 3 batch, alpha = 1.5"),
        lambda i: f"x = {fmt(x[i])}, grad_out = {fmt(g[i])}",
    )
    done.append(_("grad_out is multiplied elementwise (the chain rule), on a 4 x 3 batch"))
    x = np.array([-30.0, -1.0, 0.0, 1.0, 1000.0])
    g = np.array([1.0, -2.0, 0.5, 3.0, -1.0])
    _check_elu(
        answer,
        x,
        g,
        None,
        _("x = {x} without alpha").format(x=fmt(x)),
        lambda i: _("x = {x}, grad_out = {g} (alpha left at its default)").format(
            x=fmt(x[i]), g=fmt(g[i])
        ),
    )
    done.append(_("alpha defaults to 1, and x = 1000 gives no overflow"))


# --- leaky_relu_backward ------------------------------------------------------------------


def _leaky(slope: float) -> Any:
    return activations.get({"name": "leaky_relu", "config": {"negative_slope": slope}})


def _leaky_hint(x: np.ndarray, g: np.ndarray, slope: float) -> Hint:
    act = _leaky(slope)
    return matching(
        [
            (
                g * np.where(x >= 0, 1.0, slope),
                _(
                    "at x = 0 gradlab and PyTorch use the negative slope (the test is x > 0, "
                    "not x >= 0)"
                ),
            ),
            (act.derivative(x), _("multiply the derivative by grad_out (the chain rule)")),
            (
                g * np.where(x > 0, slope, 1.0),
                _("the slopes are swapped: 1 for x > 0, negative_slope for x <= 0"),
            ),
            (act(x), _("that is leaky ReLU itself, not its derivative times grad_out")),
            (
                g * act(x),
                _(
                    "you multiplied grad_out by f(x); use the derivative f'(x), which is 1 or "
                    "negative_slope"
                ),
            ),
            (g * np.where(x > 0, 1.0, slope * x), _("the derivative of a x is a, not a x")),
            (
                g * (x > 0),
                _(
                    "that is ReLU's backward pass: on the negative side the gradient is "
                    "negative_slope * grad_out, not 0; that small gradient is what keeps the unit "
                    "from dying"
                ),
            ),
            (
                g * np.where(x > 0, 1.0, 0.01),
                _("you used the slope 0.01 whatever negative_slope is (here {slope:g})").format(
                    slope=slope
                ),
            ),
        ]
    )


def _check_leaky(
    answer: Any, x: np.ndarray, g: np.ndarray, slope: float | None, on: str, at: Any
) -> None:
    args = (x, g) if slope is None else (x, g, slope)
    used = 0.01 if slope is None else slope
    got = call(answer, *args, what=yours("leaky_relu_backward"), on=on)
    expect_array(
        got, _leaky(used).vjp(x, g), what=_("your gradient"), at=at, hint=_leaky_hint(x, g, used)
    )


@exercise(
    "leaky_relu_backward",
    title=N_("Leaky ReLU's backward pass"),
    tutorial=6,
    signature="leaky_relu_backward(x, grad_out, negative_slope=0.01) -> grad_in",
    solution=f"{SOLUTIONS}:leaky_relu_backward",
    task=N_(r"""Write the backward pass of leaky ReLU, $f(x) = x$ for $x > 0$ and
    $f(x) = a\,x$ otherwise, with $a$ = `negative_slope` (default 0.01, as PyTorch; Keras uses
    0.2).

    Given the input `x` and the upstream gradient `grad_out` $= \partial L/\partial f$ (same
    shape), return $\partial L/\partial x$. At the kink $x = 0$ use the slope of the negative
    side, $a$, as PyTorch and gradlab do.
    """),
)
def _leaky_relu_backward(answer: Any, done: list[str]) -> None:
    x = np.array([-2.0, -0.5, 0.0, 0.5, 3.0])
    ones = np.ones_like(x)
    _check_leaky(
        answer, x, ones, 0.1, f"x = {fmt(x)}, negative_slope = 0.1", lambda i: f"x = {fmt(x[i])}"
    )
    done.append(_("the derivative is negative_slope for x <= 0 (x = 0 included) and 1 for x > 0"))
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 3))
    g = rng.normal(size=(4, 3))
    _check_leaky(
        answer,
        x,
        g,
        0.2,
        _("a 4 x 3 batch, negative_slope = 0.2"),
        lambda i: f"x = {fmt(x[i])}, grad_out = {fmt(g[i])}",
    )
    done.append(_("grad_out is multiplied elementwise (the chain rule), on a 4 x 3 batch"))
    try:
        _check_leaky(
            answer,
            x,
            g,
            None,
            _("a 4 x 3 batch without negative_slope"),
            lambda i: f"x = {fmt(x[i])}, grad_out = {fmt(g[i])}",
        )
    except Mistake as m:
        raise Mistake(
            _("{message} (the default negative_slope is 0.01, as PyTorch; Keras uses 0.2)").format(
                message=m
            )
        ) from None
    done.append(_("negative_slope defaults to 0.01"))
