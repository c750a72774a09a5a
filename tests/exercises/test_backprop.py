"""Exercises of tutorial 3: the reference answers pass, the usual slips are named."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from gradlab import exercises

from .helpers import wrong_message as _message

NAMES = ["dense_backward", "numerical_gradient", "chain_rule_two_layers"]


def test_registered_for_tutorial_3() -> None:
    assert set(NAMES) <= set(exercises.names(tutorial=3))


# --- dense_backward ---------------------------------------------------------------------------


def test_dense_w_instead_of_w_transposed_is_named() -> None:
    message = _message("dense_backward", lambda x, W, b, g: (g @ W, x.T @ g, g.sum(axis=0)))
    assert "your dx is" in message
    assert "dx = grad_out @ W.T" in message


def test_dense_bias_not_summed_is_named() -> None:
    message = _message("dense_backward", lambda x, W, b, g: (g @ W.T, x.T @ g, g))
    assert "your db has shape (4, 3); expected (3,)" in message
    assert "sum grad_out over the batch (axis=0)" in message


def test_dense_bias_summed_over_units_is_named() -> None:
    message = _message("dense_backward", lambda x, W, b, g: (g @ W.T, x.T @ g, g.sum(axis=1)))
    assert "you summed over the units (axis=1)" in message


def test_dense_bias_mean_is_named() -> None:
    message = _message("dense_backward", lambda x, W, b, g: (g @ W.T, x.T @ g, g.mean(axis=0)))
    assert "that is the mean over the batch" in message


def test_dense_divided_by_n_is_named() -> None:
    def divided(x, W, b, g):
        n = len(x)
        return g @ W.T, x.T @ g / n, g.sum(axis=0) / n

    message = _message("dense_backward", divided)
    assert "your dW is" in message
    assert "divided by the batch size n = 4" in message


def test_dense_transposed_weight_gradient_is_named() -> None:
    message = _message("dense_backward", lambda x, W, b, g: (g @ W.T, g.T @ x, g.sum(axis=0)))
    assert "transpose of the right one" in message


def test_dense_swapped_outputs_are_named() -> None:
    message = _message("dense_backward", lambda x, W, b, g: (x.T @ g, g @ W.T, g.sum(axis=0)))
    assert "your dx has shape (3, 3); expected (4, 3)" in message
    assert "in the order (dx, dW, db)" in message


def test_dense_crash_names_the_shapes() -> None:
    # Right on the first (square) case; on the second (4 inputs, 2 units) W without .T crashes.
    def crash(x, W, b, g):
        dx = g @ W.T if W.shape[0] == W.shape[1] else g @ W
        return dx, x.T @ g, g.sum(axis=0)

    message = _message("dense_backward", crash)
    assert "raised ValueError" in message
    assert "W (4, 2)" in message


def test_dense_wrong_count_is_named() -> None:
    message = _message("dense_backward", lambda x, W, b, g: (g @ W.T, x.T @ g))
    assert "should return the 3 arrays (dx, dW, db); it returned 2 values" in message


# --- numerical_gradient -----------------------------------------------------------------------

Fn = Callable[[np.ndarray], float]


def _forward_difference(f: Fn, x: np.ndarray, eps: float) -> np.ndarray:
    grad = np.zeros_like(x)
    fx = f(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        grad[i] = (f(x) - fx) / eps
        x[i] = old
    return grad


def _not_restored(f: Fn, x: np.ndarray, eps: float) -> np.ndarray:
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        f_plus = f(x)
        x[i] = old - eps
        f_minus = f(x)
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def _divisor_eps(f: Fn, x: np.ndarray, eps: float) -> np.ndarray:
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        f_plus = f(x)
        x[i] = old - eps
        f_minus = f(x)
        x[i] = old
        grad[i] = (f_plus - f_minus) / eps
    return grad


def _rows_only(f: Fn, x: np.ndarray, eps: float) -> np.ndarray:
    grad = np.zeros_like(x)
    for i in range(len(x)):  # fine for 1-D, nudges whole rows of a 2-D array
        old = x[i].copy()
        x[i] = old + eps
        f_plus = f(x)
        x[i] = old - eps
        f_minus = f(x)
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def _copies(f: Fn, x: np.ndarray, eps: float) -> np.ndarray:
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[i] += eps
        down[i] -= eps
        grad[i] = (f(up) - f(down)) / (2 * eps)
    return grad


def test_forward_difference_is_named() -> None:
    message = _message("numerical_gradient", _forward_difference)
    assert "at x = 2" in message
    assert "one-sided forward difference" in message
    assert "errs by about eps²" in message


def test_x_not_restored_is_named() -> None:
    message = _message("numerical_gradient", _not_restored)
    assert "did not put x back" in message
    assert "x[0] was still off by -0.001" in message


def test_divisor_eps_is_named() -> None:
    message = _message("numerical_gradient", _divisor_eps)
    assert "divide by 2 * eps" in message


def test_rows_nudged_at_once_are_named() -> None:
    message = _message("numerical_gradient", _rows_only)
    assert "nudged a whole row at once" in message
    assert "np.ndindex" in message


def test_copies_instead_of_in_place_pass() -> None:
    assert exercises.check("numerical_gradient", _copies).passed


# --- chain_rule_two_layers --------------------------------------------------------------------


def _two_layers(slip: str) -> Callable[..., tuple[np.ndarray, ...]]:
    def answer(x, W1, b1, W2, b2, g):
        a1 = x @ W1 + b1
        h = 1 / (1 + np.exp(-a1))
        dW2 = (a1 if slip == "pre-activation input" else h).T @ g
        dh = g @ W2.T
        if slip == "no derivative":
            da1 = dh
        elif slip == "derivative of a1":
            da1 = dh * a1 * (1 - a1)
        else:
            da1 = dh * h * (1 - h)
        return x.T @ da1, da1.sum(axis=0), dW2, g.sum(axis=0)

    return answer


def test_missing_sigmoid_derivative_is_named() -> None:
    message = _message("chain_rule_two_layers", _two_layers("no derivative"))
    assert "your dW1 is" in message
    assert "the sigmoid's derivative is missing" in message


def test_derivative_on_the_pre_activation_is_named() -> None:
    message = _message("chain_rule_two_layers", _two_layers("derivative of a1"))
    assert "a1 * (1 - a1) on the pre-activation" in message


def test_output_layer_with_pre_activation_is_named() -> None:
    message = _message("chain_rule_two_layers", _two_layers("pre-activation input"))
    assert "your dW2 is" in message
    assert "not the pre-activation a1" in message


def test_w2_without_transpose_names_the_shapes() -> None:
    def crash(x, W1, b1, W2, b2, g):
        return x.T @ (g @ W2), 0, 0, 0

    message = _message("chain_rule_two_layers", crash)
    assert "W2 (3, 2)" in message
    assert "dh = grad_out @ W2.T is (4, 3)" in message
