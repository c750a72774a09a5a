"""Exercises of tutorial 3: forward and backward passes by hand, and checking gradients.

Every gradient here is compared with what gradlab's own :class:`~gradlab.layers.Dense` layers
compute in float64, and :func:`~gradlab.gradcheck.numerical_gradient` is the reference for
central differences.

When the learner's code raises, the message lists the shapes of the arrays (a matrix product
of the wrong shapes is the usual crash in a backward pass), and a gradient of the wrong shape is
told the likely slip (transposed, not summed, summed over the wrong axis) before its values are
compared.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .. import layers
from ..gradcheck import numerical_gradient
from ..i18n import N_, _
from ._core import Mistake, call, exercise, expect_array, fmt, matching, unpack, yours

SOLUTIONS = "gradlab.exercises.solutions.backprop"

#: The tolerance of the gradient comparisons: float64 backward passes agree to about 1e-15.
RTOL = 1e-7
ATOL = 1e-10


# -- helpers ------------------------------------------------------------------------------------
def _batch_slips(expected: np.ndarray, n: int) -> list[tuple[np.ndarray, str]]:
    """A gradient divided by the batch size ``n``, or multiplied by it, for :func:`matching`."""
    return [
        (
            expected / n,
            _(
                "your value is the expected one divided by the batch size n = {n}: the layer "
                "must not divide (the loss's 1/n is already inside grad_out)"
            ).format(n=n),
        ),
        (
            expected * n,
            _("your value is n = {n} times too large: is there a spurious factor of n?").format(
                n=n
            ),
        ),
    ]


def _dense_engine(
    x: np.ndarray, W: np.ndarray, b: np.ndarray, grad_out: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(dx, dW, db)`` from gradlab's own Dense layer (float64, no activation)."""
    layer = layers.Dense(W.shape[1])
    layer.build(W.shape[0], rng=np.random.default_rng(0), dtype="float64")
    layer.set_weights([W, b])
    layer.forward(x, training=True)
    dx = layer.backward(grad_out)
    return dx, layer.grads["W"].copy(), layer.grads["b"].copy()


# -- dense_backward -----------------------------------------------------------------------------
@exercise(
    "dense_backward",
    title=N_("The backward pass of a dense layer"),
    tutorial=3,
    signature="dense_backward(x, W, b, grad_out) -> (dx, dW, db)",
    solution=f"{SOLUTIONS}:dense_backward",
    task=N_(r"""A dense layer computes $y = xW + b$ for a batch `x` of shape (n, in), with `W` of
    shape (in, out) and `b` of shape (out,). Given `grad_out` $= \partial L/\partial y$, shape
    (n, out), return the tuple `(dx, dW, db)`:

    $$\frac{\partial L}{\partial x} = g\,W^\top, \qquad
      \frac{\partial L}{\partial W} = x^\top g, \qquad
      \frac{\partial L}{\partial b} = \sum_{\text{rows}} g$$

    where $g$ is `grad_out`. Each gradient has the shape of the array it differentiates.
    Do not divide by the batch size: if the loss is a mean, its $1/n$ is already in `grad_out`.
    """),
)
def _dense_backward(answer: Any, done: list[str]) -> None:
    rng = np.random.default_rng(0)
    cases = (
        (4, 3, 3, _("a batch of 4 rows, 3 inputs, 3 units")),
        (5, 4, 2, _("a batch of 5 rows, 4 inputs, 2 units")),
    )
    for n, n_in, n_out, words in cases:
        x = rng.normal(size=(n, n_in))
        W = rng.normal(size=(n_in, n_out))
        b = rng.normal(size=n_out)
        g = rng.normal(size=(n, n_out))
        shapes = _(
            "x {x}, W {W}, b {b}, grad_out {g}; so dx = grad_out @ W.T is {x}, "
            "dW = x.T @ grad_out is {W} and db is {b}"
        ).format(x=x.shape, W=W.shape, b=b.shape, g=g.shape)
        got = call(
            answer,
            x,
            W,
            b,
            g,
            what=yours("dense_backward"),
            on=words,
            hint={"raised": _("The shapes here: {shapes}").format(shapes=shapes)},
        )
        dx, dW, db = unpack(got, ("dx", "dW", "db"), yours("dense_backward"))
        e_dx, e_dW, e_db = _dense_engine(x, W, b, g)
        order = _("return them in the order (dx, dW, db)")
        no_transpose = _(
            "that is grad_out @ W; the chain rule needs W transposed: dx = grad_out @ W.T"
        )
        expect_array(
            dx,
            e_dx,
            what=_("your dx"),
            shape_of="x",
            shape_hints={
                W.shape: _("that is W's shape; {order}").format(order=order),
                (n, n_out): _("that is grad_out's shape: multiply by W.T (dx = grad_out @ W.T)"),
            },
            hint=matching(  # g @ W exists only for a square W
                ([(g @ W, no_transpose)] if n_in == n_out else []) + _batch_slips(e_dx, n)
            ),
            at=lambda i: _("row {row}, input {input}").format(row=i[0], input=i[1]),
            rtol=RTOL,
            atol=ATOL,
        )
        expect_array(
            dW,
            e_dW,
            what=_("your dW"),
            shape_of="W",
            shape_hints={
                (n_out, n_in): _("it is transposed: dW = x.T @ grad_out, not grad_out.T @ x"),
                x.shape: _("that is x's shape; {order}").format(order=order),
                b.shape: _("that is b's shape; {order}").format(order=order),
            },
            hint=matching(
                [
                    (
                        e_dW.T,
                        _(
                            "your dW is the transpose of the right one: dW = x.T @ grad_out, not "
                            "grad_out.T @ x"
                        ),
                    ),
                    *_batch_slips(e_dW, n),
                ]
            ),
            at=lambda i: f"W[{i[0]}, {i[1]}]",
            rtol=RTOL,
            atol=ATOL,
        )
        expect_array(
            db,
            e_db,
            what=_("your db"),
            shape_of="b",
            shape_hints={
                (n, n_out): _(
                    "one row per sample: sum grad_out over the batch (axis=0), since "
                    "the same b is added to every row"
                ),
                (n,): _("you summed over the units (axis=1); sum over the batch (axis=0)"),
                (): _(
                    "you summed every element; sum over the batch only (axis=0), one number "
                    "per unit"
                ),
                (1, n_out): _("keep b's shape: sum with axis=0 and no keepdims"),
            },
            hint=matching(
                [
                    (
                        e_db / n,
                        _(
                            "that is the mean over the batch; the bias gradient is the sum over "
                            "the {n} rows (each row adds its own share)"
                        ).format(n=n),
                    ),
                    _batch_slips(e_db, n)[1],
                ]
            ),
            at=lambda i: f"b[{i[0]}]",
            rtol=RTOL,
            atol=ATOL,
        )
        done.append(
            _("dx, dW and db agree with gradlab's Dense layer on {input}").format(input=words)
        )


# -- numerical_gradient -------------------------------------------------------------------------
class _Recorder:
    """Wrap ``f(x)``: remember every point it is evaluated at, and the array objects passed."""

    def __init__(self, f: Callable[[np.ndarray], float]) -> None:
        self.f = f
        self.points: list[np.ndarray] = []
        self.objects: list[Any] = []

    def __call__(self, x: Any) -> float:
        arr = np.array(x, dtype=np.float64)
        self.points.append(arr)
        self.objects.append(x)
        return float(self.f(arr))


def _index(idx: tuple[int, ...]) -> str:
    return "x[" + ", ".join(str(i) for i in idx) + "]"


def _check_points(rec: _Recorder, x: np.ndarray, eps: float, what: str) -> None:
    """Say where the learner evaluated ``f`` at a point that is not x with one element nudged."""
    if not rec.points:
        raise Mistake(
            _("{what} never called f: evaluate f(x) with one element nudged at a time").format(
                what=what
            )
        )
    for p in rec.points:
        if p.shape != x.shape:
            raise Mistake(
                _(
                    "{what} called f with an array of shape {got}; x has shape {shape}: "
                    "nudge elements of x in place (or of a copy), keeping its shape"
                ).format(what=what, got=p.shape, shape=x.shape)
            )
        moved = np.abs(p - x) > 1e-3 * eps
        if moved.sum() <= 1:
            continue
        idxs = [tuple(int(i) for i in ix) for ix in np.argwhere(moved)]
        offsets = [float(p[ix] - x[ix]) for ix in idxs]
        if x.ndim == 2 and len({ix[0] for ix in idxs}) == 1 and len(idxs) == x.shape[1]:
            raise Mistake(
                _(
                    "{what} nudged a whole row at once ({row} moved by {offset}): x[i] of a 2-D "
                    "array is a row. Nudge one element at a time, for any shape: loop over "
                    "np.ndindex(x.shape)"
                ).format(what=what, row=_index(idxs[0][:1]), offset=fmt(offsets[0]))
            )
        first, later = idxs[0], idxs[-1]
        raise Mistake(
            _(
                "{what} did not put x back: when it evaluated f with {later} nudged, {first} "
                "was still off by {offset}. Restore each element to its old value before "
                "nudging the next"
            ).format(what=what, later=_index(later), first=_index(first), offset=fmt(offsets[0]))
        )
    if len({id(o) for o in rec.objects}) == 1:  # nudged in place: is x as it was at the end?
        final = np.asarray(rec.objects[0], dtype=np.float64)
        if final.shape == x.shape and not np.array_equal(final, x):
            ix = tuple(int(i) for i in np.argwhere(final != x)[0])
            raise Mistake(
                _(
                    "{what} left x changed: after it returned {element} was {after}, it was "
                    "{before} before. Restore each element after nudging it"
                ).format(what=what, element=_index(ix), after=fmt(final[ix]), before=fmt(x[ix]))
            )


def _difference_slips(
    f: Callable[[np.ndarray], float],
    x: np.ndarray,
    eps: float,
    expected: np.ndarray,
    exact: np.ndarray | None,
) -> list[tuple[np.ndarray, str]]:
    """One-sided differences and a divisor of eps or 4 eps instead of 2 eps, for matching."""

    def one_sided(sign: float) -> np.ndarray:
        grad = np.zeros_like(x)
        fx = f(x)
        for idx in np.ndindex(x.shape):
            p = x.copy()
            p[idx] += sign * eps
            grad[idx] = sign * (f(p) - fx) / eps
        return grad

    def one_sided_slip(sign: float, name: str, formula: str) -> tuple[np.ndarray, str]:
        value = one_sided(sign)
        size = float(np.max(np.abs(value - (exact if exact is not None else expected))))
        return value, _(
            "that is {name} {formula}, whose error shrinks only like eps (here up to "
            "{size:.1g}); the central difference (f(x + eps) - f(x - eps)) / (2 eps) errs by "
            "about eps²"
        ).format(name=name, formula=formula, size=size)

    return [
        one_sided_slip(1.0, _("the one-sided forward difference"), "(f(x + eps) - f(x)) / eps"),
        one_sided_slip(-1.0, _("the one-sided backward difference"), "(f(x) - f(x - eps)) / eps"),
        (2 * expected, _("divide by 2 * eps: x + eps and x - eps are 2 eps apart")),
        (expected / 2, _("your values are half the right ones: divide by 2 * eps, not 4 * eps")),
    ]


def _grade_estimate(
    answer: Any,
    f: Callable[[np.ndarray], float],
    x: np.ndarray,
    eps: float,
    *,
    on: str,
    at: Callable[[tuple[int, ...]], str],
    exact: np.ndarray | None,
) -> None:
    """Run the learner's numerical_gradient on ``f`` at ``x``: where it evaluates f, what it
    returns (against gradlab's central differences)."""
    what = yours("numerical_gradient")
    rec = _Recorder(f)
    got = call(answer, rec, x, eps, what=what, on=on)
    _check_points(rec, x, eps, what)
    a = x.copy()
    expected = numerical_gradient(lambda: f(a), a, eps)
    expect_array(
        got,
        expected,
        what=_("your gradient"),
        at=at,
        rtol=1e-6,
        atol=1e-9,
        hint=matching(_difference_slips(f, x, eps, expected, exact), atol=1e-9),
    )


@exercise(
    "numerical_gradient",
    title=N_("Central differences: a gradient without calculus"),
    tutorial=3,
    signature="numerical_gradient(f, x, eps) -> grad",
    solution=f"{SOLUTIONS}:numerical_gradient",
    task=N_(r"""Estimate the gradient of a scalar function `f` at the array `x` (any shape) by
    central differences with step `eps`: for every element $x_i$,

    $$\frac{\partial f}{\partial x_i} \approx \frac{f(x + \varepsilon e_i) - f(x - \varepsilon
      e_i)}{2\varepsilon}$$

    where $x \pm \varepsilon e_i$ is `x` with only element $i$ moved by $\pm$`eps`. Return an
    array of `x`'s shape. You may nudge `x` in place, but put every element back before moving
    on, and leave `x` as you found it.
    """),
)
def _numerical_gradient(answer: Any, done: list[str]) -> None:

    def cubic(v: np.ndarray) -> float:
        return float(np.sum(v**3))

    x = np.array([0.5, -1.0, 2.0])
    eps = 1e-3
    _grade_estimate(
        answer,
        cubic,
        x,
        eps,
        on=f"f(x) = sum(x**3), x = {fmt(x)}, eps = {eps}",
        at=lambda i: f"x = {fmt(x[i])} (f(x) = sum(x**3), eps = {eps})",
        exact=3 * x**2,
    )
    done.append(
        _(
            "central differences of sum(x**3) with eps = 1e-3: accurate to about eps², where "
            "one-sided differences are off by about eps"
        )
    )

    rng = np.random.default_rng(0)
    inputs = rng.normal(size=(4, 3))
    upstream = rng.normal(size=(4, 2))

    def layer_loss(w: np.ndarray) -> float:
        return float(np.sum(upstream * np.tanh(inputs @ w)))

    W = rng.normal(size=(3, 2))
    eps = 1e-5
    _grade_estimate(
        answer,
        layer_loss,
        W,
        eps,
        on=_("a 3 x 2 weight matrix x, f(x) = sum(R * tanh(X @ x)), eps = {eps}").format(eps=eps),
        at=lambda i: _("{element} of the 3 x 2 weight matrix").format(element=_index(i)),
        exact=None,
    )
    done.append(
        _(
            "works on a 2-D array (a 3 x 2 weight matrix), one element at a time, leaving x "
            "unchanged"
        )
    )


# -- chain_rule_two_layers ----------------------------------------------------------------------
@exercise(
    "chain_rule_two_layers",
    title=N_("The chain rule through two layers"),
    tutorial=3,
    signature="chain_rule_two_layers(x, W1, b1, W2, b2, grad_out) -> (dW1, db1, dW2, db2)",
    solution=f"{SOLUTIONS}:chain_rule_two_layers",
    task=N_(r"""A network with one sigmoid hidden layer and an identity output computes

    $$a_1 = x W_1 + b_1, \quad h = \sigma(a_1), \quad y = h W_2 + b_2 .$$

    Given `grad_out` $= \partial L/\partial y$ (shape (n, out)), return the tuple
    `(dW1, db1, dW2, db2)` of $\partial L/\partial W_1$, $\partial L/\partial b_1$,
    $\partial L/\partial W_2$, $\partial L/\partial b_2$. Walk backwards: the output layer
    first, then through the sigmoid, whose derivative is $\sigma'(a) = \sigma(a)(1-\sigma(a))$,
    then the first layer. No division by the batch size.
    """),
)
def _chain_rule_two_layers(answer: Any, done: list[str]) -> None:
    rng = np.random.default_rng(1)
    n, n_in, n_hid, n_out = 4, 2, 3, 2
    x = rng.normal(size=(n, n_in))
    W1, b1 = rng.normal(size=(n_in, n_hid)), rng.normal(size=n_hid)
    W2, b2 = rng.normal(size=(n_hid, n_out)), rng.normal(size=n_out)
    g = rng.normal(size=(n, n_out))
    words = _("a batch of 4 rows through 2 -> 3 (sigmoid) -> 2 (identity)")
    shapes = _(
        "x {x}, W1 {W1}, b1 {b1}, h {h}, W2 {W2}, b2 {b2}, grad_out {g}; "
        "dh = grad_out @ W2.T is {h}"
    ).format(x=x.shape, W1=W1.shape, b1=b1.shape, h=(n, n_hid), W2=W2.shape, b2=b2.shape, g=g.shape)
    got = call(
        answer,
        x,
        W1,
        b1,
        W2,
        b2,
        g,
        what=yours("chain_rule_two_layers"),
        on=words,
        hint={"raised": _("The shapes here: {shapes}").format(shapes=shapes)},
    )
    dW1, db1, dW2, db2 = unpack(got, ("dW1", "db1", "dW2", "db2"), yours("chain_rule_two_layers"))

    hidden, output = layers.Dense(n_hid, "sigmoid"), layers.Dense(n_out)
    hidden.build(n_in, rng=rng, dtype="float64")
    output.build(n_hid, rng=rng, dtype="float64")
    hidden.set_weights([W1, b1])
    output.set_weights([W2, b2])
    output.forward(hidden.forward(x, training=True), training=True)
    hidden.backward(output.backward(g))

    a1 = x @ W1 + b1  # the pre-activation, for recognising slips (the reference is the layers)
    dh = g @ W2.T
    first_layer = (  # da1 as a slip computes it, and the sentence that names the slip
        (
            dh,  # no sigmoid derivative at all
            _(
                "the sigmoid's derivative is missing: multiply dh = grad_out @ W2.T by "
                "σ'(a1) = h * (1 - h) before the first layer"
            ),
        ),
        (
            dh * a1 * (1 - a1),  # σ'(a) written with a instead of σ(a)
            _(
                "you computed a1 * (1 - a1) on the pre-activation a1 = x @ W1 + b1; "
                "σ'(a1) = h * (1 - h) uses the sigmoid's output h = σ(a1)"
            ),
        ),
    )

    expect_array(
        dW2,
        output.grads["W"],
        what=_("your dW2"),
        shape_of="W2",
        shape_hints={(n_out, n_hid): _("it is transposed: dW2 = h.T @ grad_out")},
        hint=matching(
            [
                (
                    a1.T @ g,
                    _(
                        "dW2 = h.T @ grad_out takes the output layer's input h = σ(a1), not the "
                        "pre-activation a1"
                    ),
                ),
                *_batch_slips(output.grads["W"], n),
            ]
        ),
        at=lambda i: f"W2[{i[0]}, {i[1]}]",
        rtol=RTOL,
        atol=ATOL,
    )
    expect_array(
        db2,
        output.grads["b"],
        what=_("your db2"),
        shape_of="b2",
        shape_hints={(n, n_out): _("sum grad_out over the batch (axis=0)")},
        hint=matching(_batch_slips(output.grads["b"], n)),
        at=lambda i: f"b2[{i[0]}]",
        rtol=RTOL,
        atol=ATOL,
    )
    done.append(_("the output layer: dW2 = h.T @ grad_out and db2 = column sums of grad_out"))
    expect_array(
        dW1,
        hidden.grads["W"],
        what=_("your dW1"),
        shape_of="W1",
        shape_hints={(n_hid, n_in): _("it is transposed: dW1 = x.T @ da1")},
        hint=matching(
            [(x.T @ da, slip) for da, slip in first_layer] + _batch_slips(hidden.grads["W"], n)
        ),
        at=lambda i: f"W1[{i[0]}, {i[1]}]",
        rtol=RTOL,
        atol=ATOL,
    )
    expect_array(
        db1,
        hidden.grads["b"],
        what=_("your db1"),
        shape_of="b1",
        shape_hints={(n, n_hid): _("sum da1 over the batch (axis=0)")},
        hint=matching(
            [(da.sum(axis=0), slip) for da, slip in first_layer]
            + _batch_slips(hidden.grads["b"], n)
        ),
        at=lambda i: f"b1[{i[0]}]",
        rtol=RTOL,
        atol=ATOL,
    )
    done.append(_("through the sigmoid: da1 = (grad_out @ W2.T) * h * (1 - h), then dW1 and db1"))
