"""One forward and one backward pass of a small MLP, written out matrix by matrix.

Every layer ``l`` computes, for a batch ``X`` of row vectors (``Z_0 = X``)::

    A_l = Z_{l-1} W_l + B_l,      Z_l = h_l(A_l)

and the backward pass walks the layers in reverse with the chain rule::

    ∂L/∂A_l = ∂L/∂Z_l ⊙ h_l'(A_l)          (the softmax output: its vector-Jacobian product)
    ∂L/∂W_l = Z_{l-1}ᵀ ∂L/∂A_l,   ∂L/∂B_l = Σ_rows ∂L/∂A_l,   ∂L/∂Z_{l-1} = ∂L/∂A_l W_lᵀ

:func:`run` does exactly these NumPy products (nothing from the layers or the model), so that
:func:`check` can hold gradlab's :class:`~gradlab.Sequential` and central differences against
it. Claim C21 and ``gradlab trace`` both print what it returns (:func:`forward_rows`,
:func:`backward_rows`).

>>> weights, biases = article_network()
>>> tr = run(np.array([[1.0, 0.5]]), weights, biases, target=np.array([[0.0, 1.0]]))
>>> np.round(tr.y, 8)
array([[0.31682708, 0.69627909]])
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .. import activations, losses
from ..diagnostics import layer_outputs
from ..gradcheck import gradcheck, numerical_gradient, relative_error
from ..i18n import _
from ..model import Sequential, mlp

__all__ = [
    "ARTICLE_INPUT",
    "ARTICLE_OUTPUT",
    "LOSSES",
    "OUTPUTS",
    "Trace",
    "article_network",
    "backward_rows",
    "check",
    "format_matrix",
    "forward_rows",
    "loss_function",
    "random_network",
    "run",
]

F64 = NDArray[np.float64]

#: The example input of *Deep Learning from Scratch* §3.4.3, which article 003 retells.
ARTICLE_INPUT = (1.0, 0.5)
#: The book's printed output of that network with the identity output (8 decimals).
ARTICLE_OUTPUT = (0.31682708, 0.69627909)
#: Output activations the trace supports, and the losses.
OUTPUTS = ("identity", "softmax")
LOSSES = ("mse", "cross_entropy")


def article_network() -> tuple[list[F64], list[F64]]:
    """Return the book's ``init_network()`` weights and biases: 2 → 3 → 2 → 2 (fresh copies)."""
    weights = [
        np.array([[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]]),
        np.array([[0.1, 0.4], [0.2, 0.5], [0.3, 0.6]]),
        np.array([[0.1, 0.3], [0.2, 0.4]]),
    ]
    biases = [np.array([0.1, 0.2, 0.3]), np.array([0.1, 0.2]), np.array([0.1, 0.2])]
    return weights, biases


def random_network(sizes: Sequence[int], seed: int) -> tuple[list[F64], list[F64]]:
    """Return seeded weights and biases for layer widths ``sizes`` (inputs first).

    Weights are Glorot-uniform, ``U(±sqrt(6 / (fan_in + fan_out)))``; biases ``U(-0.5, 0.5)``
    (not zero, so that they show up in the trace).
    """
    rng = np.random.default_rng(seed)
    weights, biases = [], []
    for fan_in, fan_out in itertools.pairwise(sizes):
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        weights.append(rng.uniform(-limit, limit, size=(fan_in, fan_out)))
        biases.append(rng.uniform(-0.5, 0.5, size=fan_out))
    return weights, biases


@dataclass
class Trace:
    """Everything one forward/backward pass computed, layer by layer (lists index layer - 1).

    Attributes:
        x, target: The input batch and the target rows.
        weights, biases: ``W_l`` (in, out) and ``B_l`` (out,).
        hidden, output, loss: Names of the hidden activation, the output activation, the loss.
        A, Z: Pre-activations and activations per layer (``Z[-1]`` is the output, :attr:`y`).
        loss_value: ``L``.
        dZ, dA, dW, dB: ``∂L/∂Z_l``, ``∂L/∂A_l``, ``∂L/∂W_l``, ``∂L/∂B_l`` per layer.
        dX: ``∂L/∂X``, the input gradient (``dZ`` of layer 0).
    """

    x: F64
    target: F64
    weights: list[F64]
    biases: list[F64]
    hidden: str
    output: str
    loss: str
    A: list[F64] = field(default_factory=list)
    Z: list[F64] = field(default_factory=list)
    loss_value: float = float("nan")
    dZ: list[F64] = field(default_factory=list)
    dA: list[F64] = field(default_factory=list)
    dW: list[F64] = field(default_factory=list)
    dB: list[F64] = field(default_factory=list)
    dX: F64 | None = None

    @property
    def y(self) -> F64:
        """The network's output ``Z_L``."""
        return self.Z[-1]

    @property
    def sizes(self) -> list[int]:
        """Layer widths, inputs first (``[2, 3, 2, 2]`` for the article)."""
        return [self.weights[0].shape[0], *(w.shape[1] for w in self.weights)]


def run(
    x: Any,
    weights: Sequence[Any],
    biases: Sequence[Any],
    *,
    hidden: str = "sigmoid",
    output: str = "identity",
    loss: str | None = None,
    target: Any = None,
) -> Trace:
    """Compute the forward and backward pass of the MLP step by step in float64.

    Args:
        x: Input batch, shape (batch, inputs).
        weights, biases: ``W_l`` of shape (in, out) and ``B_l`` of shape (out,), input first.
        hidden: Elementwise activation of every hidden layer (default ``"sigmoid"``).
        output: ``"identity"`` or ``"softmax"``.
        loss: ``"mse"`` (gradlab's: mean over every element) or ``"cross_entropy"`` (mean over
            the batch of ``-Σ t log y``; softmax output only). Default: ``mse`` for the identity
            output, ``cross_entropy`` for softmax.
        target: Target rows, shape (batch, outputs) (one-hot rows for cross entropy). Default:
            zeros with a 1 in the last column.

    Raises:
        ValueError: for unknown names, a non-elementwise hidden activation, mismatched shapes,
            or cross entropy without a softmax output.
    """
    if output not in OUTPUTS:
        raise ValueError(
            _("output must be one of {names}; received {output}").format(
                names=", ".join(OUTPUTS), output=repr(output)
            )
        )
    loss = loss or ("cross_entropy" if output == "softmax" else "mse")
    if loss not in LOSSES:
        raise ValueError(
            _("loss must be one of {names}; received {loss}").format(
                names=", ".join(LOSSES), loss=repr(loss)
            )
        )
    if loss == "cross_entropy" and output != "softmax":
        raise ValueError(
            _(
                "cross_entropy needs the softmax output (it reads the outputs as "
                "probabilities); received output {output}"
            ).format(output=repr(output))
        )
    act = activations.get(hidden)
    if not act.info.elementwise:
        raise ValueError(
            _("the hidden activation must be elementwise; received {hidden}").format(
                hidden=repr(hidden)
            )
        )
    weights = [np.array(w, dtype=np.float64) for w in weights]
    biases = [np.array(b, dtype=np.float64) for b in biases]
    x = np.atleast_2d(np.array(x, dtype=np.float64))
    _check_shapes(x, weights, biases)
    n_out = weights[-1].shape[1]
    if target is None:
        target = np.zeros((len(x), n_out))
        target[:, -1] = 1.0
    target = np.broadcast_to(np.array(target, dtype=np.float64), (len(x), n_out)).copy()
    tr = Trace(x, target, weights, biases, act.name, output, loss)

    z = x
    for i, (w, b) in enumerate(zip(weights, biases, strict=True)):
        a = z @ w + b
        last = i == len(weights) - 1
        z = (_softmax(a) if output == "softmax" else a.copy()) if last else act(a)
        tr.A.append(a)
        tr.Z.append(z)
    y, n = tr.Z[-1], len(x)
    if loss == "mse":
        tr.loss_value = float(np.mean((y - target) ** 2))
        grad_z = 2.0 * (y - target) / y.size
    else:
        tr.loss_value = float(-np.sum(target * np.log(y)) / n)
        grad_z = -target / y / n + 0.0  # + 0.0 turns -0.0 (where t = 0) into 0.0

    dZ, dA, dW, dB = [], [], [], []
    for i in reversed(range(len(weights))):
        a, z_in = tr.A[i], (x if i == 0 else tr.Z[i - 1])
        if i < len(weights) - 1:
            grad_a = grad_z * act.derivative(a)
        elif output == "softmax":  # Jᵀ g for softmax: y ⊙ (g - <g, y>)
            grad_a = y * (grad_z - np.sum(grad_z * y, axis=1, keepdims=True))
        else:
            grad_a = grad_z.copy()
        dZ.append(grad_z)
        dA.append(grad_a)
        dW.append(z_in.T @ grad_a)
        dB.append(grad_a.sum(axis=0))
        grad_z = grad_a @ weights[i].T
    tr.dZ, tr.dA, tr.dW, tr.dB = dZ[::-1], dA[::-1], dW[::-1], dB[::-1]
    tr.dX = grad_z
    return tr


def _softmax(a: F64) -> F64:
    e = np.exp(a - a.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _check_shapes(x: F64, weights: list[F64], biases: list[F64]) -> None:
    if not weights or len(weights) != len(biases):
        raise ValueError(
            _(
                "need one bias per weight matrix; received {weights} weights, {biases} biases"
            ).format(weights=len(weights), biases=len(biases))
        )
    width = x.shape[1]
    for i, (w, b) in enumerate(zip(weights, biases, strict=True), start=1):
        if w.ndim != 2 or w.shape[0] != width or b.shape != (w.shape[1],):
            raise ValueError(
                _(
                    "layer {layer}: W must be ({width}, out) and B (out,); received W {w_shape}, "
                    "B {b_shape}"
                ).format(layer=i, width=width, w_shape=w.shape, b_shape=b.shape)
            )
        width = w.shape[1]


# -- checks against gradlab ------------------------------------------------------------------
def loss_function(tr: Trace) -> tuple[list[F64], Callable[[], float]]:
    """Return copies of ``tr``'s parameters (``W_1, B_1, W_2, ...``) and the function that
    runs ``tr``'s network on them and returns its loss: nudge an array of the list in place
    and call the function, as :func:`gradlab.gradcheck.numerical_gradient` does.
    """
    params = [p.copy() for wb in zip(tr.weights, tr.biases, strict=True) for p in wb]

    def loss() -> float:
        return run(
            tr.x,
            params[0::2],
            params[1::2],
            hidden=tr.hidden,
            output=tr.output,
            loss=tr.loss,
            target=tr.target,
        ).loss_value

    return params, loss


def gradlab_model(tr: Trace) -> Sequential:
    """Return a compiled float64 :class:`~gradlab.Sequential` holding ``tr``'s weights."""
    model = mlp(
        [w.shape[1] for w in tr.weights[:-1]],
        tr.weights[-1].shape[1],
        input_dim=tr.sizes[0],
        activation=tr.hidden,
        output_activation="softmax" if tr.output == "softmax" else None,
        dtype="float64",
    )
    model.set_weights([p for wb in zip(tr.weights, tr.biases, strict=True) for p in wb])
    model.compile(optimizer="sgd", loss=losses.get(tr.loss))
    return model


def check(tr: Trace, eps: float = 1e-4) -> dict[str, float]:
    """Compare the step-by-step pass with gradlab and with central differences.

    The step ``eps`` = 1e-4 balances the truncation error (of order ``eps²``) against
    rounding (of order ``1e-16 L / eps``) for gradients as small as 1e-3, as the article's
    first layer has them: the relative errors come out near 1e-10 (1e-6 gives 1e-8).

    Returns:
        ``forward_max_abs_diff`` (every ``A_l`` and ``Z_l`` against gradlab's layer outputs,
        :func:`gradlab.diagnostics.layer_outputs`, and ``predict`` against ``Z_L``),
        ``loss_abs_diff``,
        ``backward_max_abs_diff`` (gradlab's ``compute_gradients`` vs ``∂L/∂W_l``, ``∂L/∂B_l``),
        ``gradcheck_max_rel_error`` (gradlab's own :func:`~gradlab.gradcheck`) and
        ``numeric_max_rel_error`` (central differences of :func:`run`'s loss vs its
        ``∂L/∂W_l``, ``∂L/∂B_l``).
    """
    model = gradlab_model(tr)
    forward = float(np.max(np.abs(model.predict(tr.x) - tr.y)))
    for (pre, z), a_mine, z_mine in zip(layer_outputs(model, tr.x), tr.A, tr.Z, strict=True):
        forward = max(forward, float(np.max(np.abs(z - z_mine))))
        if pre is not None:  # None where the layer's activation is the identity
            forward = max(forward, float(np.max(np.abs(pre - a_mine))))
    loss = model.compute_gradients(tr.x, tr.target)
    grads = [g for layer in model.layers for g in (layer.grads["W"], layer.grads["b"])]
    mine = [g for wb in zip(tr.dW, tr.dB, strict=True) for g in wb]
    backward = max(float(np.max(np.abs(g - m))) for g, m in zip(grads, mine, strict=True))
    grad_errors = gradcheck(model, tr.x, tr.target, eps=eps)

    params, objective = loss_function(tr)

    numeric = max(
        relative_error(numerical_gradient(objective, p, eps), m)
        for p, m in zip(params, mine, strict=True)
    )
    return {
        "forward_max_abs_diff": forward,
        "loss_abs_diff": abs(loss - tr.loss_value),
        "backward_max_abs_diff": backward,
        "gradcheck_max_rel_error": max(grad_errors.values()),
        "numeric_max_rel_error": numeric,
    }


# -- presentation ------------------------------------------------------------------------------
def format_matrix(a: Any, precision: int = 6, row_sep: str = "; ") -> str:
    """Return ``a`` as ``[v, v; v, v]`` (rows joined by ``row_sep``), ``precision`` digits.

    With a newline in ``row_sep`` each row gets its own line, columns right-aligned.

    >>> format_matrix([[0.1, 0.3], [0.2, 0.4]])
    '[0.1, 0.3; 0.2, 0.4]'
    """
    a = np.atleast_2d(np.asarray(a, dtype=np.float64))
    cells = [[f"{v + 0.0:.{precision}g}" for v in row] for row in a]  # + 0.0: no "-0"
    if "\n" in row_sep:  # one line per row: align the columns, drop the brackets
        width = max(len(c) for row in cells for c in row)
        return row_sep.join("  ".join(c.rjust(width) for c in row) for row in cells)
    return "[" + row_sep.join(", ".join(row) for row in cells) + "]"


def _shape(a: F64) -> str:
    a = np.atleast_2d(a) if a.ndim < 2 else a
    return "×".join(str(s) for s in a.shape)


def forward_rows(tr: Trace, precision: int = 6, row_sep: str = "; ") -> list[list[str]]:
    """Return ``[layer, step, shape, value]`` rows of the forward pass, input first."""
    fmt = lambda a: format_matrix(a, precision, row_sep)  # noqa: E731
    rows = [["0", _("X (input)"), _shape(tr.x), fmt(tr.x)]]
    for i in range(len(tr.weights)):
        k, prev = i + 1, ("X" if i == 0 else f"Z{i}")
        h = tr.output if i == len(tr.weights) - 1 else tr.hidden
        rows += [
            [str(k), f"W{k}", _shape(tr.weights[i]), fmt(tr.weights[i])],
            [str(k), f"B{k}", _shape(tr.biases[i][None]), fmt(tr.biases[i])],
            [str(k), f"A{k} = {prev}·W{k} + B{k}", _shape(tr.A[i]), fmt(tr.A[i])],
            [str(k), f"Z{k} = {h}(A{k})", _shape(tr.Z[i]), fmt(tr.Z[i])],
        ]
    return rows


def backward_rows(tr: Trace, precision: int = 6, row_sep: str = "; ") -> list[list[str]]:
    """Return ``[layer, step, shape, value]`` rows of the backward pass, output layer first."""
    fmt = lambda a: format_matrix(a, precision, row_sep)  # noqa: E731
    n = len(tr.weights)
    # i18n: the derivative of the mean cross entropy: -T / Z divided by the batch size
    rule = {"mse": "2(Z - T)/N", "cross_entropy": _("-T/Z/batch")}[tr.loss]
    rows = []
    for i in reversed(range(n)):
        k, prev = i + 1, ("X" if i == 0 else f"Z{i}")
        if i == n - 1:
            dz = f"∂L/∂Z{k} = {rule} ({tr.loss})"
            da = (
                f"∂L/∂A{k} = Z{k} ⊙ (∂L/∂Z{k} - Σ ∂L/∂Z{k} ⊙ Z{k})"
                if tr.output == "softmax"
                else _("∂L/∂A{k} = ∂L/∂Z{k} (identity)").format(k=k)
            )
        else:
            dz = f"∂L/∂Z{k} = ∂L/∂A{k + 1}·W{k + 1}ᵀ"
            da = f"∂L/∂A{k} = ∂L/∂Z{k} ⊙ {tr.hidden}'(A{k})"
        rows += [
            [str(k), dz, _shape(tr.dZ[i]), fmt(tr.dZ[i])],
            [str(k), da, _shape(tr.dA[i]), fmt(tr.dA[i])],
            [str(k), f"∂L/∂W{k} = {prev}ᵀ·∂L/∂A{k}", _shape(tr.dW[i]), fmt(tr.dW[i])],
            [
                str(k),
                # i18n: the bias gradient is the sum of ∂L/∂A over the rows (the batch)
                _("∂L/∂B{k} = Σ_rows ∂L/∂A{k}").format(k=k),
                _shape(tr.dB[i][None]),
                fmt(tr.dB[i]),
            ],
        ]
    rows.append(["0", "∂L/∂X = ∂L/∂A1·W1ᵀ", _shape(tr.dX), fmt(tr.dX)])
    return rows
