"""Tutorial 7's exercises: the reference answers pass, the usual slips are named."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from gradlab import exercises
from gradlab.exercises.solutions import optimizers as solutions

NAMES = ("momentum_step", "rmsprop_step", "adam_step")


@pytest.mark.parametrize("name", NAMES)
def test_registered_for_tutorial_7_with_a_readable_solution(name: str) -> None:
    assert name in exercises.names(7)
    assert f"def {name}(" in exercises.solution(name)


def rejected(name: str, answer: Callable[..., Any], *fragments: str) -> str:
    report = exercises.check(name, answer)
    assert not report.passed
    for fragment in fragments:
        assert fragment in report.message, report.message
    return report.message


# ---- momentum_step --------------------------------------------------------------------------
def momentum_velocity_form(param, grad, buf, lr=1e-3, momentum=0.9):
    v = momentum * buf - lr * grad  # the textbook velocity: right steps at constant lr only
    return param + v, v


def momentum_dampened(param, grad, buf, lr=1e-3, momentum=0.9):
    buf = momentum * buf + (1 - momentum) * grad
    return param - lr * buf, buf


def momentum_buffer_not_returned(param, grad, buf, lr=1e-3, momentum=0.9):
    new = momentum * buf + grad
    return param - lr * new, buf


def momentum_old_buffer(param, grad, buf, lr=1e-3, momentum=0.9):
    return param - lr * buf, momentum * buf + grad


def momentum_plain_sgd(param, grad, buf, lr=1e-3, momentum=0.9):
    return param - lr * grad, momentum * buf + grad


def momentum_nesterov(param, grad, buf, lr=1e-3, momentum=0.9):
    buf = momentum * buf + grad
    return param - lr * (grad + momentum * buf), buf


def momentum_hard_coded(param, grad, buf, lr=1e-3, momentum=0.9):
    buf = 0.9 * buf + grad
    return param - lr * buf, buf


def test_momentum_velocity_form_is_named_with_the_reason() -> None:
    message = rejected(
        "momentum_step", momentum_velocity_form, "your new buf is -0.075; expected 1.5"
    )
    assert "v = μv − lr·grad" in message
    assert "same steps only while lr never changes" in message


def test_momentum_velocity_form_differs_once_lr_changes() -> None:
    """Why the buffer matters: with a schedule the velocity form takes other steps."""
    rng = np.random.default_rng(0)
    p_torch = p_v = rng.normal(size=3)
    buf, v = np.zeros(3), np.zeros(3)
    for lr in (0.1, 0.1, 0.01):
        g = rng.normal(size=3)
        p_torch, buf = solutions.momentum_step(p_torch, g, buf, lr, 0.9)
        p_v, v = momentum_velocity_form(p_v, g, v, lr, 0.9)
    assert not np.allclose(p_torch, p_v, rtol=1e-3)


def test_momentum_dampening_is_named() -> None:
    rejected("momentum_step", momentum_dampened, "first-step update", "dampening = μ")


def test_momentum_buffer_not_updated_is_named() -> None:
    rejected("momentum_step", momentum_buffer_not_returned, "your buffer was not updated")


def test_momentum_step_with_the_old_buffer_is_named() -> None:
    rejected("momentum_step", momentum_old_buffer, "you stepped with the old buffer")


def test_momentum_plain_sgd_is_named_on_the_later_step() -> None:
    rejected("momentum_step", momentum_plain_sgd, "later-step update", "plain SGD")


def test_momentum_nesterov_is_named() -> None:
    rejected("momentum_step", momentum_nesterov, "Nesterov's step")


def test_momentum_hard_coded_default_is_named() -> None:
    rejected("momentum_step", momentum_hard_coded, "default momentum 0.9", "passed in, 0.8")


def test_momentum_wrong_return_shapes() -> None:
    rejected("momentum_step", lambda p, g, b, lr, mu: p - lr * g, "returned one ndarray")
    rejected("momentum_step", lambda p, g, b, lr, mu: None, "did you forget `return`")


# ---- rmsprop_step ---------------------------------------------------------------------------
def rmsprop_eps_inside(param, grad, square_avg, lr=1e-2, alpha=0.99, eps=1e-8):
    square_avg = alpha * square_avg + (1 - alpha) * grad**2
    return param - lr * grad / np.sqrt(square_avg + eps), square_avg


def rmsprop_bias_corrected(param, grad, square_avg, lr=1e-2, alpha=0.99, eps=1e-8):
    square_avg = alpha * square_avg + (1 - alpha) * grad**2
    return param - lr * grad / (np.sqrt(square_avg / (1 - alpha)) + eps), square_avg


def rmsprop_swapped_alpha(param, grad, square_avg, lr=1e-2, alpha=0.99, eps=1e-8):
    square_avg = (1 - alpha) * square_avg + alpha * grad**2
    return param - lr * grad / (np.sqrt(square_avg) + eps), square_avg


def rmsprop_grad_not_squared(param, grad, square_avg, lr=1e-2, alpha=0.99, eps=1e-8):
    square_avg = alpha * square_avg + (1 - alpha) * grad
    return param - lr * grad / (np.sqrt(square_avg) + eps), square_avg


def rmsprop_no_root(param, grad, square_avg, lr=1e-2, alpha=0.99, eps=1e-8):
    square_avg = alpha * square_avg + (1 - alpha) * grad**2
    return param - lr * grad / (square_avg + eps), square_avg


def test_rmsprop_eps_inside_the_root_is_named() -> None:
    rejected("rmsprop_step", rmsprop_eps_inside, "at grad = 2e-05", "outside the square root")


def test_rmsprop_bias_correction_is_named() -> None:
    rejected("rmsprop_step", rmsprop_bias_corrected, "has no bias correction")


def test_rmsprop_swapped_alpha_is_named() -> None:
    rejected("rmsprop_step", rmsprop_swapped_alpha, "new square_avg", "weights are swapped")


def test_rmsprop_grad_instead_of_its_square_is_named_not_the_sqrt_warning() -> None:
    message = rejected("rmsprop_step", rmsprop_grad_not_squared, "use grad**2, not grad")
    assert "warned" not in message


def test_rmsprop_missing_root_is_named() -> None:
    rejected("rmsprop_step", rmsprop_no_root, "not by v itself")


# ---- adam_step ------------------------------------------------------------------------------
def adam_with(**slip: Any) -> Callable[..., Any]:
    """An Adam step with one slip switched on (each keyword is one slip)."""

    def adam_step(param, grad, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        beta1, beta2 = (0.9, 0.999) if slip.get("default_betas") else betas
        m = beta1 * m + (1 - beta1) * grad
        v = beta2 * v + (1 - beta2) * (grad if slip.get("grad_in_v") else grad**2)
        t = t + slip.get("t_shift", 0)
        if slip.get("no_bias_correction"):
            m_hat, v_hat = m, v
        else:
            m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
        if slip.get("eps_inside"):
            den = np.sqrt(v_hat + eps)
        else:
            den = np.sqrt(v_hat) + eps
        new_param = param - lr * m_hat / den
        if slip.get("return_corrected"):
            return new_param, m_hat, v_hat
        return new_param, m, v

    return adam_step


def test_adam_missing_bias_correction_names_the_real_numbers() -> None:
    rejected(
        "adam_step",
        adam_with(no_bias_correction=True),
        "step-1 update (param − new_param) is -0.06325; expected -0.02",
        "bias correction missing",
        "1 − β₁ᵗ = 0.1",
        "1 − β₂ᵗ = 0.001",
    )


def test_adam_eps_inside_the_root_is_named() -> None:
    rejected("adam_step", adam_with(eps_inside=True), "at grad = 0.0002", "outside the square root")


def test_adam_grad_instead_of_its_square_is_named_not_the_sqrt_warning() -> None:
    message = rejected("adam_step", adam_with(grad_in_v=True), "your new v", "use grad**2")
    assert "warned" not in message


@pytest.mark.parametrize("shift", [-1, 1])
def test_adam_step_count_off_by_one_is_named(shift: int) -> None:
    rejected(
        "adam_step",
        adam_with(t_shift=shift),
        f"uses step {1 + shift}, not t = 1",
        "t is already 1-based",
    )


def test_adam_returning_the_corrected_moments_is_named() -> None:
    rejected("adam_step", adam_with(return_corrected=True), "bias-corrected m")


def test_adam_hard_coded_betas_are_named() -> None:
    rejected(
        "adam_step",
        adam_with(default_betas=True),
        "default betas (0.9, 0.999)",
        "passed in, (0.8, 0.99)",
    )


def test_adam_raw_gradient_in_the_numerator_is_named_on_a_later_step() -> None:
    def adam_step(param, grad, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        beta1, beta2 = betas
        m = beta1 * m + (1 - beta1) * grad
        v = beta2 * v + (1 - beta2) * grad**2
        return param - lr * grad / (np.sqrt(v / (1 - beta2**t)) + eps), m, v

    rejected("adam_step", adam_step, "step-3 update", "not the raw gradient")


def test_hard_coded_learning_rates_are_named() -> None:
    def momentum_step(param, grad, buf, lr=1e-3, momentum=0.9):
        buf = momentum * buf + grad
        return param - 1e-3 * buf, buf

    rejected("momentum_step", momentum_step, "default lr 0.001", "passed in, 0.05")


def test_adam_paper_eps_placement_is_named() -> None:
    def adam_step(param, grad, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        beta1, beta2 = betas
        m = beta1 * m + (1 - beta1) * grad
        v = beta2 * v + (1 - beta2) * grad**2
        step = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)
        return param - step * m / (np.sqrt(v) + eps), m, v

    rejected("adam_step", adam_step, "ε before the bias correction of the root")


def test_adam_exception_names_the_input() -> None:
    def adam_step(param, grad, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        beta1, beta2, beta3 = betas  # a pair has no third value: ValueError
        return param * beta1 * beta2 * beta3, m, v

    rejected("adam_step", adam_step, "raised ValueError", "t = 1")
