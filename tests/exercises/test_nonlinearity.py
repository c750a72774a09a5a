"""Exercises of tutorial 1: the reference answers pass, the usual slips are named."""

from __future__ import annotations

import numpy as np

from gradlab import exercises
from gradlab.exercises.solutions import nonlinearity as solutions

from .helpers import wrong_message as _message

NAMES = ["collapse_linear", "perceptron_gates", "xor_from_gates"]


def test_registered_for_tutorial_1() -> None:
    assert set(NAMES) <= set(exercises.names(tutorial=1))


# --- collapse_linear ------------------------------------------------------------------------


def test_collapse_reversed_product_is_named() -> None:
    message = _message("collapse_linear", lambda W1, b1, W2, b2: (W2 @ W1, b1 @ W2 + b2))
    assert "W2 @ W1, the order is reversed" in message
    assert "your W is" in message


def test_collapse_bias_without_b1_is_named() -> None:
    message = _message("collapse_linear", lambda W1, b1, W2, b2: (W1 @ W2, b2))
    assert "that is b2 alone" in message


def test_collapse_biases_added_is_named() -> None:
    message = _message("collapse_linear", lambda W1, b1, W2, b2: (W1 @ W2, b1 + b2))
    assert "that is b1 + b2" in message


def test_collapse_column_convention_bias_is_named() -> None:
    message = _message("collapse_linear", lambda W1, b1, W2, b2: (W1 @ W2, W2 @ b1 + b2))
    assert "not W2 @ b1" in message


def test_collapse_elementwise_product_is_named() -> None:
    message = _message("collapse_linear", lambda W1, b1, W2, b2: (W1 * W2, b1 @ W2 + b2))
    assert "elementwise product" in message


def test_collapse_without_bias_is_asked_for_a_pair() -> None:
    message = _message("collapse_linear", lambda W1, b1, W2, b2: W1 @ W2)
    assert "should return a pair (W, b)" in message


# --- perceptron_gates -----------------------------------------------------------------------

GATES = solutions.perceptron_gates()


def test_gates_sum_exactly_zero_is_named() -> None:
    message = _message("perceptron_gates", lambda: {**GATES, "AND": (np.array([1.0, 1.0]), -2.0)})
    assert "AND: at x = (1, 1) your perceptron outputs 0; expected 1" in message
    assert "H(0) = 0" in message


def test_gates_nand_as_and_is_named() -> None:
    message = _message("perceptron_gates", lambda: {**GATES, "NAND": GATES["AND"]})
    assert "NAND: at x = (0, 0)" in message
    assert "NAND is NOT AND" in message


def test_gates_and_computing_or_is_named() -> None:
    message = _message("perceptron_gates", lambda: {**GATES, "AND": GATES["OR"]})
    assert "compute OR's truth table instead of AND's" in message
    assert "w·x + b = 0.5" in message


def test_gates_missing_key_is_named() -> None:
    message = _message("perceptron_gates", lambda: {"AND": GATES["AND"], "OR": GATES["OR"]})
    assert "no 'NAND' entry" in message


def test_gates_three_weights_is_named() -> None:
    message = _message("perceptron_gates", lambda: {**GATES, "OR": ([1, 1, 1], 0)})
    assert "w should hold two weights" in message


def test_gates_lower_case_keys_and_lists_pass() -> None:
    answer = {"and": ([1, 1], -1.5), "or": ([1, 1], -0.5), "nand": ([-1, -1], 1.5)}
    assert exercises.check("perceptron_gates", lambda: answer).passed


# --- xor_from_gates -------------------------------------------------------------------------

W1, B1, W2, B2 = solutions.xor_from_gates()


def test_xor_single_layer_is_named() -> None:
    message = _message("xor_from_gates", lambda: (np.array([1.0, 1.0]), -0.5))
    assert "no single line separates XOR" in message


def test_xor_xnor_is_named() -> None:
    message = _message("xor_from_gates", lambda: (W1, B1, -W2, -B2))
    assert "computes XNOR" in message
    assert "at x = (0, 0) your network outputs 1; expected 0" in message


def test_xor_transposed_w1_is_named() -> None:
    message = _message("xor_from_gates", lambda: (W1.T, B1, W2, B2))
    assert "W1 looks transposed" in message


def test_xor_identical_hidden_units_is_named() -> None:
    same = np.array([[1.0, 1.0], [1.0, 1.0]])
    message = _message("xor_from_gates", lambda: (same, np.array([-0.5, -0.5]), W2, B2))
    assert "all hidden units give the same outputs" in message


def test_xor_output_sum_on_the_step_is_named() -> None:
    message = _message("xor_from_gates", lambda: (W1, B1, W2, np.array([-2.0])))
    assert "exactly 0" in message
    assert "the hidden units give [1, 1]" in message


def test_xor_wrong_w1_shape_is_named() -> None:
    message = _message("xor_from_gates", lambda: (np.ones((3, 2)), B1, W2, B2))
    assert "transpose it" in message


def test_xor_flat_w2_and_scalar_b2_pass() -> None:
    assert exercises.check("xor_from_gates", lambda: (W1, B1, W2.ravel(), -1.5)).passed


def test_xor_three_hidden_units_pass() -> None:
    # OR, NAND and a unit the output ignores
    w1 = np.array([[1.0, -1.0, 1.0], [1.0, -1.0, -1.0]])
    b1 = np.array([-0.5, 1.5, 0.0])
    w2 = np.array([[1.0], [1.0], [0.0]])
    assert exercises.check("xor_from_gates", lambda: (w1, b1, w2, np.array([-1.5]))).passed
