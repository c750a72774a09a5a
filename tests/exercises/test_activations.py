"""Exercises of tutorial 2: the reference answers pass, the usual slips are named."""

from __future__ import annotations

import numpy as np

from gradlab import exercises

from .helpers import wrong_message as _message

NAMES = ["relu_backward", "sigmoid_backward", "softplus"]


def _naive_sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def test_registered_for_tutorial_2() -> None:
    assert set(NAMES) <= set(exercises.names(tutorial=2))


# --- relu_backward --------------------------------------------------------------------------


def test_relu_derivative_one_at_zero_is_named() -> None:
    message = _message("relu_backward", lambda x, g: g * (x >= 0))
    assert "at x = 0 your gradient is 1; expected 0" in message
    assert "x > 0, not x >= 0" in message


def test_relu_forward_instead_of_backward_is_named() -> None:
    message = _message("relu_backward", lambda x, g: np.maximum(x, 0))
    assert "that is ReLU itself" in message


def test_relu_without_grad_out_is_named() -> None:
    message = _message("relu_backward", lambda x, g: (x > 0) * 1.0)
    assert "multiply the derivative by grad_out" in message


# --- sigmoid_backward -----------------------------------------------------------------------


def test_sigmoid_itself_instead_of_derivative_is_named() -> None:
    message = _message("sigmoid_backward", lambda x, g: g * _naive_sigmoid(x))
    assert "that is σ(x) itself" in message
    assert "at x = 3 your gradient is 0.9526; expected 0.04518" in message


def test_sigmoid_without_grad_out_is_named() -> None:
    def forgot(x, g):
        s = _naive_sigmoid(x)
        return s * (1 - s)

    message = _message("sigmoid_backward", forgot)
    assert "multiply the derivative by grad_out" in message
    assert "grad_out = " in message


def test_sigmoid_derivative_of_x_instead_of_s_is_named() -> None:
    message = _message("sigmoid_backward", lambda x, g: g * x * (1 - x))
    assert "s(1 - s) with s = x" in message


def test_sigmoid_tanh_pattern_is_named() -> None:
    message = _message("sigmoid_backward", lambda x, g: g * (1 - _naive_sigmoid(x) ** 2))
    assert "pattern of tanh'" in message


def test_sigmoid_overflow_is_named() -> None:
    def naive(x, g):
        s = _naive_sigmoid(x)
        return g * s * (1 - s)

    message = _message("sigmoid_backward", naive)
    assert "warned: overflow encountered in exp" in message
    assert "x = [-1000, -100" in message
    assert "np.exp(-np.abs(x))" in message


def test_sigmoid_through_scipy_style_expit_passes() -> None:
    def via_logaddexp(x, g):
        s = np.exp(-np.logaddexp(0.0, -x))  # underflows to 0 far left: allowed
        return g * s * (1 - s)

    assert exercises.check("sigmoid_backward", via_logaddexp).passed


# --- softplus -------------------------------------------------------------------------------


def test_softplus_naive_overflow_is_named() -> None:
    message = _message("softplus", lambda x: np.log(1 + np.exp(x)))
    assert "warned: overflow encountered in exp" in message
    assert "e^x overflows float64 above x = 709.8" in message


def test_softplus_log1p_of_exp_still_overflows() -> None:
    message = _message("softplus", lambda x: np.log1p(np.exp(x)))
    assert "overflow encountered in exp" in message
    assert "log1p(exp(x)) or np.where do not help" in message


def test_softplus_np_where_still_overflows() -> None:
    message = _message("softplus", lambda x: np.where(x > 20, x, np.log1p(np.exp(x))))
    assert "overflow encountered in exp" in message


def test_softplus_wrong_sign_is_named() -> None:
    message = _message("softplus", lambda x: np.log1p(np.exp(-x)))
    assert "check the sign of the exponent" in message
    assert "at x = -5 your softplus is 5.007; expected 0.006715" in message


def test_softplus_relu_only_is_named() -> None:
    message = _message("softplus", lambda x: np.maximum(x, 0))
    assert "that is ReLU" in message
    assert "at x = 0 your softplus is 0; expected 0.6931" in message


def test_softplus_subtracted_correction_is_named() -> None:
    message = _message("softplus", lambda x: np.maximum(x, 0) - np.log1p(np.exp(-np.abs(x))))
    assert "added, not subtracted" in message


def test_softplus_log_instead_of_log1p_is_named() -> None:
    message = _message("softplus", lambda x: np.maximum(x, 0) + np.log(1 + np.exp(-np.abs(x))))
    assert "np.log1p(u) is accurate for tiny u" in message


def test_softplus_silenced_overflow_is_still_caught() -> None:
    def silenced(x):
        with np.errstate(over="ignore"):
            return np.log1p(np.exp(x))

    message = _message("softplus", silenced)
    assert "at x = 710 your softplus is inf; expected 710" in message


def test_softplus_logaddexp_passes() -> None:
    assert exercises.check("softplus", lambda x: np.logaddexp(0.0, x)).passed
