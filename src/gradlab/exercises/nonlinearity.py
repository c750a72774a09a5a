"""Exercises of tutorial 1: why a network needs a nonlinearity.

Three tasks: collapse two linear layers into one (``collapse_linear``), set a perceptron's
weights by hand for AND, OR and NAND (``perceptron_gates``), and wire a two-layer step network
that computes XOR (``xor_from_gates``). The graders run the answers through gradlab's own
``Dense`` layers and ``step`` activation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .. import activations, layers
from ..i18n import N_, _
from ..model import Sequential
from ._core import (
    Mistake,
    call,
    describe,
    exercise,
    expect_array,
    fmt,
    matching,
    unpack,
    with_hint,
    yours,
)

SOLUTIONS = "gradlab.exercises.solutions.nonlinearity"

#: The four inputs of a two-input logic gate, in truth-table order.
BITS = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])

#: Truth tables computed from NumPy's logic functions on the two input bits.
_A, _B = BITS[:, 0] > 0, BITS[:, 1] > 0
TABLES: dict[str, np.ndarray] = {
    "AND": np.logical_and(_A, _B),
    "OR": np.logical_or(_A, _B),
    "NAND": ~np.logical_and(_A, _B),
    "NOR": ~np.logical_or(_A, _B),
    "XOR": np.logical_xor(_A, _B),
    "XNOR": ~np.logical_xor(_A, _B),
}
GATES = ("AND", "OR", "NAND")


def _bits(row: int) -> str:
    """The input of truth-table row ``row`` as ``(1, 0)``."""
    a, b = BITS[row].astype(int)
    return f"({a}, {b})"


def _table_name(out: np.ndarray) -> str | None:
    """The name of the gate whose truth table ``out`` is (0/1 per row), if it is a known one."""
    bits = np.asarray(out) > 0.5
    if not bits.any():
        return _("the constant 0")
    if bits.all():
        return _("the constant 1")
    return next((name for name, table in TABLES.items() if np.array_equal(bits, table)), None)


# ---- collapse_linear -----------------------------------------------------------------------
@exercise(
    "collapse_linear",
    title=N_("Two linear layers are one: collapse them"),
    tutorial=1,
    signature="collapse_linear(W1, b1, W2, b2) -> (W, b)",
    solution=f"{SOLUTIONS}:collapse_linear",
    task=N_(r"""Two `Dense` layers without activation compute $h = x W_1 + b_1$ and then
    $y = h W_2 + b_2$, where `x` is a row vector (a batch is one row per sample), `W1` has shape
    `(n_in, n_hidden)` and `W2` has shape `(n_hidden, n_out)`, as in gradlab and Keras.

    Return the weight matrix `W` and the bias `b` of the **single** linear layer
    $y = x W + b$ that computes exactly the same thing, as a pair `(W, b)`.
    """),
)
def _collapse_linear(answer: Any, done: list[str]) -> None:
    # Square, non-commuting matrices first: a reversed product is then a wrong value, not a
    # shape error, and the message can say so.
    W1 = np.array([[1.0, 2.0], [0.0, 1.0]])
    b1 = np.array([1.0, -1.0])
    W2 = np.array([[0.0, 1.0], [2.0, 3.0]])
    b2 = np.array([0.5, 2.0])
    _check_collapse(answer, W1, b1, W2, b2, _("the 2 x 2 layers"))
    done.append(_("W = W1 W2 and b = b1 W2 + b2 on two 2 x 2 layers"))

    rng = np.random.default_rng(0)
    W1, b1 = rng.normal(size=(3, 4)), rng.normal(size=4)
    W2, b2 = rng.normal(size=(4, 2)), rng.normal(size=2)
    W, b = _check_collapse(answer, W1, b1, W2, b2, _("layers 3 -> 4 -> 2"))
    done.append(_("shapes (3, 2) and (2,) for layers 3 -> 4 -> 2"))

    x = rng.normal(size=(5, 3))
    single = Sequential([layers.Dense(2)], input_dim=3, dtype="float64")
    single.set_weights([W, b])
    expect_array(
        single.predict(x),
        _linear_stack(W1, b1, W2, b2).predict(x),
        what=_("the output of one Dense layer with your (W, b)"),
        at=lambda i: _("sample {sample}, output {output}").format(sample=i[0], output=i[1]),
    )
    done.append(_("one Dense layer with (W, b) gives the two-layer stack's outputs on 5 inputs"))


def _linear_stack(W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray) -> Sequential:
    """Two gradlab Dense layers without activation, with the given weights (float64)."""
    model = Sequential(
        [layers.Dense(W1.shape[1]), layers.Dense(W2.shape[1])],
        input_dim=W1.shape[0],
        dtype="float64",
    )
    model.set_weights([W1, b1, W2, b2])
    return model


def _check_collapse(
    answer: Any, W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray, which: str
) -> tuple[np.ndarray, np.ndarray]:
    what = yours("collapse_linear")
    got = call(answer, W1, b1, W2, b2, what=what, on=which)
    W, b = unpack(got, ("W", "b"), what, on=which)
    # What the engine's two layers compute: the image of 0 is the bias, and the image of each
    # unit vector, minus the bias, is a row of W.
    stack = _linear_stack(W1, b1, W2, b2)
    n_in = W1.shape[0]
    b_exp = stack.predict(np.zeros((1, n_in)))[0]
    W_exp = stack.predict(np.eye(n_in)) - b_exp

    # The slips, each where its arrays fit together (W2 @ W1 needs n_out = n_in, for one).
    w_slips = []
    if W2.shape[1] == W1.shape[0]:
        w_slips.append(
            (
                W2 @ W1,
                _(
                    "that is W2 @ W1, the order is reversed: x meets W1 first (x W1, then W2), "
                    "so W = W1 @ W2"
                ),
            )
        )
    if W1.shape == W2.shape:
        w_slips += [
            (
                W1 * W2,
                _("that is the elementwise product W1 * W2; layers compose by matrix product @"),
            ),
            (W1 + W2, _("that is W1 + W2; layers compose by matrix product, W = W1 @ W2")),
        ]
    expect_array(
        W,
        W_exp,
        what=_("your W"),
        at=lambda i: _on(f"W[{i[0]}, {i[1]}]", which) if len(i) == 2 else which,
        hint=matching(w_slips, atol=1e-9),
    )

    b_slips = [
        (
            b2,
            _(
                "that is b2 alone; b1 is added before the second layer, so it goes through W2 "
                "too: b = b1 @ W2 + b2"
            ),
        )
    ]
    if b1.shape == b2.shape:
        b_slips.append(
            (b1 + b2, _("that is b1 + b2; b1 is multiplied by W2 on its way: b = b1 @ W2 + b2"))
        )
    if W2.shape[1] == b1.shape[0]:
        b_slips.append(
            (
                W2 @ b1 + b2,
                _(
                    "that is W2 @ b1 + b2; with row vectors (x W) the bias goes through as "
                    "b1 @ W2, not W2 @ b1"
                ),
            )
        )
    expect_array(
        b,
        b_exp,
        what=_("your b"),
        at=lambda i: _on(f"b[{i[0]}]", which) if i else which,
        hint=matching(b_slips, atol=1e-9),
    )
    return np.asarray(W, dtype=np.float64), np.asarray(b, dtype=np.float64)


def _on(element: str, which: str) -> str:
    """An element of an array on one input, "W[0, 1] on the 2 x 2 layers"."""
    return _("{element} on {input}").format(element=element, input=which)


# ---- perceptron_gates ----------------------------------------------------------------------
@exercise(
    "perceptron_gates",
    title=N_("AND, OR and NAND with one perceptron each"),
    tutorial=1,
    signature="perceptron_gates() -> {'AND': (w, b), 'OR': (w, b), 'NAND': (w, b)}",
    solution=f"{SOLUTIONS}:perceptron_gates",
    task=N_(r"""A perceptron with two inputs outputs $y = H(w_1 x_1 + w_2 x_2 + b)$, where $H$
    is the step function: $H(z) = 1$ for $z > 0$ and $H(z) = 0$ for $z \le 0$ (gradlab's `"step"`;
    note $H(0) = 0$).

    Choose the weights `w` (two numbers) and the bias `b` (one number) by hand for the gates
    AND, OR and NAND, and return them as a dict `{"AND": (w, b), "OR": (w, b), "NAND": (w, b)}`.
    Each gate is checked on its truth table, the four inputs $(0,0), (1,0), (0,1), (1,1)$.
    """),
)
def _perceptron_gates(answer: Any, done: list[str]) -> None:
    what = yours("perceptron_gates")
    got = call(answer, what=what)
    if not isinstance(got, Mapping):
        raise Mistake(
            _("{what} should return a dict {shape}; it returned {got}").format(
                what=what, shape="{'AND': (w, b), ...}", got=describe(got)
            )
        )
    by_name = {str(k).upper(): v for k, v in got.items()}
    step = activations.get("step")
    for gate in GATES:
        if gate not in by_name:
            keys = ", ".join(repr(k) for k in got) or _("none")
            raise Mistake(
                _(
                    "your dict has no {gate} entry; expected the keys 'AND', 'OR' and 'NAND' "
                    "(yours: {keys})"
                ).format(gate=repr(gate), keys=keys)
            )
        w, b = _weights_and_bias(by_name[gate], gate)
        z = BITS @ w + b
        out = step(z)
        table = TABLES[gate]
        wrong = np.flatnonzero(out != table)
        if wrong.size:
            row = int(wrong[0])
            message = _(
                "{gate}: at x = {x} your perceptron outputs {got}; expected {expected} "
                "(w·x + b = {z})"
            ).format(
                gate=gate, x=_bits(row), got=int(out[row]), expected=int(table[row]), z=fmt(z[row])
            )
            raise Mistake(with_hint(message, _gate_hint(gate, out, z, row)))
        done.append(_("{gate}: all four rows of the truth table").format(gate=gate))


def _weights_and_bias(value: Any, gate: str) -> tuple[np.ndarray, float]:
    """Unpack ``(w, b)`` of one gate, with messages for the usual shape slips."""
    if not isinstance(value, tuple | list) or len(value) != 2:
        raise Mistake(
            _("{gate} should be a pair (w, b) with w two numbers and b one; got {got}").format(
                gate=gate, got=describe(value)
            )
        )
    try:
        w = np.asarray(value[0], dtype=np.float64).reshape(-1)
        b = np.asarray(value[1], dtype=np.float64)
    except (TypeError, ValueError):
        raise Mistake(
            _("{gate}: w and b should be numbers; got {got}").format(
                gate=gate, got=f"{value!r:.80}"
            )
        ) from None
    if w.shape != (2,):
        raise Mistake(
            _("{gate}: w should hold two weights (one per input); got {got}").format(
                gate=gate, got=fmt(w)
            )
        )
    if b.size != 1:
        raise Mistake(
            _("{gate}: b should be one number (the bias); got {got}").format(gate=gate, got=fmt(b))
        )
    if not (np.isfinite(w).all() and np.isfinite(b).all()):
        raise Mistake(
            _("{gate}: w and b should be finite; got w = {w}, b = {b}").format(
                gate=gate, w=fmt(w), b=fmt(b)
            )
        )
    return w, float(b.reshape(-1)[0])


def _gate_hint(gate: str, out: np.ndarray, z: np.ndarray, row: int) -> str | None:
    """A likely cause for a wrong gate, or ``None``."""
    if z[row] == 0 and TABLES[gate][row]:
        return _(
            "w·x + b is exactly 0 there, and the step gives H(0) = 0; move the bias so the "
            "sum is clearly positive for the inputs that should give 1"
        )
    name = _table_name(out)
    if gate == "NAND" and name == "AND":
        return _("that is AND's truth table; NAND is NOT AND, so negate w and b")
    if name is not None:
        return _("your weights compute {name}'s truth table instead of {gate}'s").format(
            name=name, gate=gate
        )
    return None


# ---- xor_from_gates ------------------------------------------------------------------------
@exercise(
    "xor_from_gates",
    title=N_("XOR with a hidden layer of step units"),
    tutorial=1,
    signature="xor_from_gates() -> (W1, b1, W2, b2)",
    solution=f"{SOLUTIONS}:xor_from_gates",
    task=N_(r"""No single perceptron computes XOR, but two layers of them do. Return the weights of
    the network

    $$h = H(x W_1 + b_1), \qquad y = H(h W_2 + b_2)$$

    as `(W1, b1, W2, b2)`: `W1` of shape `(2, n_hidden)` (one column per hidden unit), `b1` of
    shape `(n_hidden,)`, `W2` of shape `(n_hidden, 1)` and `b2` of shape `(1,)`. $H$ is the
    step function with $H(0) = 0$. Hint: XOR is "OR, but not AND"; you know those gates.

    It is checked on the four inputs $(0,0), (1,0), (0,1), (1,1)$, through gradlab's own
    `Dense(n_hidden, "step")` and `Dense(1, "step")` layers.
    """),
)
def _xor_from_gates(answer: Any, done: list[str]) -> None:
    what = yours("xor_from_gates")
    got = call(answer, what=what)
    if isinstance(got, tuple | list) and len(got) == 2:
        raise Mistake(
            _(
                "{what} returned 2 arrays, one layer's (w, b): no single line separates XOR, so "
                "a single perceptron cannot compute it; return the four arrays "
                "(W1, b1, W2, b2) of a network with a hidden layer"
            ).format(what=what)
        )
    W1, b1, W2, b2 = _xor_arrays(unpack(got, ("W1", "b1", "W2", "b2"), what))
    model = _step_net(W1, b1, W2, b2)
    out = model.predict(BITS)[:, 0]
    hidden = model.layers[0].forward(BITS)
    table = TABLES["XOR"]
    wrong = np.flatnonzero(out != table)
    if wrong.size:
        row = int(wrong[0])
        message = _(
            "at x = {x} your network outputs {got}; expected {expected} "
            "(the hidden units give {hidden})"
        ).format(x=_bits(row), got=int(out[row]), expected=int(table[row]), hidden=fmt(hidden[row]))
        raise Mistake(with_hint(message, _xor_hint(W1, b1, W2, b2, out, hidden)))
    done.append(_("XOR on all four inputs, through Dense(n, 'step') and Dense(1, 'step')"))
    single = [_table_name(hidden[:, j]) for j in range(hidden.shape[1])]
    named = [
        _("unit {unit}: {name}").format(unit=j, name=name)
        for j, name in enumerate(single)
        if name is not None
    ]
    if named:
        done.append(_("hidden units: {units}").format(units=", ".join(named)))


def _xor_arrays(got: Any) -> tuple[np.ndarray, ...]:
    """Check the shapes of (W1, b1, W2, b2); accept W2 as (n,) and b2 as a scalar."""
    names = ("W1", "b1", "W2", "b2")
    try:
        W1, b1, W2, b2 = (np.asarray(a, dtype=np.float64) for a in got)
    except (TypeError, ValueError):
        raise Mistake(
            _("W1, b1, W2 and b2 should be arrays of numbers; got {got}").format(got=f"{got!r:.80}")
        ) from None
    for name, a in zip(names, (W1, b1, W2, b2), strict=True):
        if not np.isfinite(a).all():
            raise Mistake(_("{name} should be finite; got {got}").format(name=name, got=fmt(a)))
    if W1.ndim != 2 or 2 not in W1.shape:
        raise Mistake(
            _("W1 should have shape (2, n_hidden); yours has shape {shape}").format(shape=W1.shape)
        )
    if W1.shape[0] != 2:
        raise Mistake(
            _(
                "W1 has shape {shape}; x @ W1 needs shape (2, n_hidden), one column per "
                "hidden unit: transpose it"
            ).format(shape=W1.shape)
        )
    n = W1.shape[1]
    if b1.reshape(-1).shape != (n,):
        raise Mistake(
            _("b1 should hold one bias per hidden unit, shape ({n},); got {shape}").format(
                n=n, shape=b1.shape
            )
        )
    if W2.size != n:
        raise Mistake(
            _("W2 should have shape ({n}, 1): one weight per hidden unit; got {shape}").format(
                n=n, shape=W2.shape
            )
        )
    if b2.size != 1:
        raise Mistake(_("b2 should be one number, shape (1,); got {shape}").format(shape=b2.shape))
    return W1, b1.reshape(n), W2.reshape(n, 1), b2.reshape(1)


def _step_net(W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray) -> Sequential:
    """gradlab's two-layer step network with the given weights (float64)."""
    model = Sequential(
        [layers.Dense(W1.shape[1], "step"), layers.Dense(1, "step")],
        input_dim=2,
        dtype="float64",
    )
    model.set_weights([W1, b1, W2, b2])
    return model


def _computes_xor(W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray) -> bool:
    """Whether the step network with these weights computes XOR on the four inputs."""
    return np.array_equal(_step_net(W1, b1, W2, b2).predict(BITS)[:, 0], TABLES["XOR"])


def _xor_hint(
    W1: np.ndarray,
    b1: np.ndarray,
    W2: np.ndarray,
    b2: np.ndarray,
    out: np.ndarray,
    hidden: np.ndarray,
) -> str | None:
    """A likely cause for a network that does not compute XOR, or ``None``."""
    if W1.shape == (2, 2) and _computes_xor(W1.T, b1, W2, b2):
        return _(
            "W1 looks transposed; in x @ W1 each column of W1 is one hidden unit's two "
            "weights (with W1.T your network computes XOR)"
        )
    name = _table_name(out)
    if name == "XNOR":
        return _("your network computes XNOR, the negation of XOR; negate W2 and b2")
    if hidden.shape[1] > 1 and all(np.array_equal(hidden[:, 0], c) for c in hidden.T):
        return _(
            "all hidden units give the same outputs, so they draw the same line; XOR needs "
            "two different lines (for example OR and NAND)"
        )
    z_hidden = BITS @ W1 + b1
    z_out = hidden @ W2[:, 0] + b2[0]
    if (z_hidden == 0).any() or (z_out == 0).any():
        return _(
            "some weighted sum is exactly 0, where the step gives H(0) = 0; shift that "
            "bias a little"
        )
    if name is not None:
        return _("your network computes {name}").format(name=name)
    return None
