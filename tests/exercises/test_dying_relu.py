"""Exercises of tutorial 6: the reference answers pass, the usual slips are named."""

from __future__ import annotations

import numpy as np

from gradlab import activations, exercises

from .helpers import wrong_message as _message


def test_registered_for_tutorial_6() -> None:
    assert {"dead_units", "elu_backward", "leaky_relu_backward"} <= set(exercises.names(tutorial=6))


# --- dead_units ---------------------------------------------------------------------------


def test_dead_units_through_relu_passes() -> None:
    relu = activations.get("relu")
    assert exercises.check("dead_units", lambda z: np.all(relu(z) == 0, axis=0)).passed


def test_dead_if_zero_on_any_sample_is_named() -> None:
    message = _message("dead_units", lambda z: np.any(z <= 0, axis=0))
    assert "zero for EVERY sample" in message
    assert "unit 1 is dead" in message


def test_dead_by_the_mean_is_named() -> None:
    message = _message("dead_units", lambda z: z.mean(axis=0) < 0)
    assert "mean pre-activation" in message
    assert "unit 4" in message


def test_dead_units_wrong_axis_is_named() -> None:
    message = _message("dead_units", lambda z: np.all(z <= 0, axis=1))
    assert "one value per sample" in message
    assert "axis 0" in message


def test_dead_units_strict_inequality_is_named() -> None:
    message = _message("dead_units", lambda z: np.all(z < 0, axis=0))
    assert "exactly 0 counts as zero output" in message


def test_dead_units_fraction_instead_of_mask_is_named() -> None:
    message = _message("dead_units", lambda z: np.all(z <= 0, axis=0).mean())
    assert "a single value" in message


def test_dead_units_as_floats_is_named() -> None:
    message = _message("dead_units", lambda z: np.all(z <= 0, axis=0).astype(float))
    assert "return booleans" in message


# --- elu_backward -------------------------------------------------------------------------


def _elu_backward(at_zero: str = "negative", alpha_factor: bool = True, safe: bool = True):
    """An ELU backward pass with the given slips switched on."""

    def backward(x, grad_out, alpha=1.0):
        neg = np.minimum(x, 0.0) if safe else x
        side = (alpha if alpha_factor else 1.0) * np.exp(neg)
        positive = x >= 0 if at_zero == "positive" else x > 0
        return grad_out * np.where(positive, 1.0, side)

    return backward


def test_elu_variant_written_differently_passes() -> None:
    elu = activations.get("elu")

    def backward(x, grad_out, alpha=1.0):
        # f'(x) = f(x) + alpha on the negative side, from the output
        out = np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))
        return grad_out * np.where(x > 0, 1.0, out + alpha)

    assert elu.name == "elu"
    assert exercises.check("elu_backward", backward).passed


def test_elu_derivative_at_zero_is_named() -> None:
    message = _message("elu_backward", _elu_backward(at_zero="positive"))
    assert "at x = 0 your gradient is 1; expected 0.5" in message
    assert "negative branch" in message


def test_elu_without_alpha_is_named() -> None:
    assert "alpha is missing" in _message("elu_backward", _elu_backward(alpha_factor=False))


def test_elu_overflow_in_the_unused_branch_is_named() -> None:
    message = _message("elu_backward", _elu_backward(safe=False))
    assert "overflow encountered in exp" in message
    assert "np.minimum(x, 0)" in message


def test_elu_function_instead_of_derivative_is_named() -> None:
    def backward(x, grad_out, alpha=1.0):
        return grad_out * np.where(x > 0, 1.0, alpha * np.expm1(np.minimum(x, 0.0)))

    assert "its derivative is alpha * exp(x)" in _message("elu_backward", backward)


def test_elu_without_grad_out_is_named() -> None:
    def backward(x, grad_out, alpha=1.0):
        return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0.0)))

    assert "multiply the derivative by grad_out" in _message("elu_backward", backward)


def test_elu_as_relu_is_named() -> None:
    def backward(x, grad_out, alpha=1.0):
        return grad_out * (x > 0)

    assert "that is ReLU's backward pass" in _message("elu_backward", backward)


def test_elu_wrong_default_alpha_is_named() -> None:
    def backward(x, grad_out, alpha=0.5):
        return grad_out * np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0.0)))

    assert "your default alpha is 0.5" in _message("elu_backward", backward)


# --- leaky_relu_backward ------------------------------------------------------------------


def test_leaky_slope_at_zero_is_named() -> None:
    def backward(x, grad_out, negative_slope=0.01):
        return grad_out * np.where(x >= 0, 1.0, negative_slope)

    message = _message("leaky_relu_backward", backward)
    assert "at x = 0 your gradient is 1; expected 0.1" in message
    assert "x > 0, not x >= 0" in message


def test_leaky_without_grad_out_is_named() -> None:
    def backward(x, grad_out, negative_slope=0.01):
        return np.where(x > 0, 1.0, negative_slope)

    assert "multiply the derivative by grad_out" in _message("leaky_relu_backward", backward)


def test_leaky_slope_on_the_positive_side_is_named() -> None:
    def backward(x, grad_out, negative_slope=0.01):
        return grad_out * np.where(x > 0, negative_slope, 1.0)

    assert "the slopes are swapped" in _message("leaky_relu_backward", backward)


def test_leaky_hard_coded_slope_is_named() -> None:
    def backward(x, grad_out, negative_slope=0.01):
        return grad_out * np.where(x > 0, 1.0, 0.01)

    assert "0.01 whatever negative_slope is" in _message("leaky_relu_backward", backward)


def test_leaky_slope_times_x_is_named() -> None:
    def backward(x, grad_out, negative_slope=0.01):
        return grad_out * np.where(x > 0, 1.0, negative_slope * x)

    assert "the derivative of a x is a" in _message("leaky_relu_backward", backward)


def test_leaky_as_relu_is_named() -> None:
    def backward(x, grad_out, negative_slope=0.01):
        return grad_out * (x > 0)

    assert "that is ReLU's backward pass" in _message("leaky_relu_backward", backward)


def test_leaky_keras_default_is_named() -> None:
    def backward(x, grad_out, negative_slope=0.2):
        return grad_out * np.where(x > 0, 1.0, negative_slope)

    assert "default negative_slope is 0.01" in _message("leaky_relu_backward", backward)
