"""Exercises of tutorial 5: the reference answers pass, the usual slips are named."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gradlab import exercises
from gradlab.exercises import gradients
from gradlab.exercises.solutions import gradients as solutions

from .helpers import wrong_message as _message


def test_registered_for_tutorial_5() -> None:
    assert {"clip_by_global_norm", "init_scale", "batchnorm_forward"} <= set(
        exercises.names(tutorial=5)
    )
    assert "clip_by_global_norm" in exercises.solution("clip_by_global_norm")


# --- clip_by_global_norm ------------------------------------------------------------------


def _norm(grads: list[np.ndarray]) -> float:
    return math.sqrt(sum(float(np.sum(g**2)) for g in grads))


def test_clip_without_the_1e6_of_torch_passes() -> None:
    def clip(grads, max_norm):
        norm = _norm(grads)
        return [g * min(1.0, max_norm / norm) for g in grads]

    assert exercises.check("clip_by_global_norm", clip).passed


def test_clip_always_rescaling_is_named() -> None:
    def clip(grads, max_norm):
        return [g * (max_norm / _norm(grads)) for g in grads]

    assert "should come back unchanged" in _message("clip_by_global_norm", clip)


def test_clip_each_array_by_its_own_norm_is_named() -> None:
    def clip(grads, max_norm):
        return [g * min(1.0, max_norm / np.linalg.norm(g)) for g in grads]

    assert "each array by its own norm" in _message("clip_by_global_norm", clip)


def test_clip_by_value_is_named() -> None:
    def clip(grads, max_norm):
        return [np.clip(g, -max_norm, max_norm) for g in grads]

    assert "clipping by value" in _message("clip_by_global_norm", clip)


def test_clip_to_unit_norm_is_named() -> None:
    def clip(grads, max_norm):
        norm = _norm(grads)
        return [g / norm if norm > max_norm else g for g in grads]

    assert "did not multiply by max_norm" in _message("clip_by_global_norm", clip)


def test_clip_returning_the_norm_is_named() -> None:
    def clip(grads, max_norm):
        return _norm(grads)  # what torch's clip_grad_norm_ returns

    assert "returned a single number" in _message("clip_by_global_norm", clip)


def test_clip_reference_matches_the_optimizer_clip_norm() -> None:
    rng = np.random.default_rng(1)
    grads = [rng.normal(size=(4, 3)) * 5, rng.normal(size=3)]
    ours = solutions.clip_by_global_norm([g.copy() for g in grads], 1.0)
    engine = gradients._engine_clip(grads, 1.0)
    for a, b in zip(ours, engine, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    assert _norm(ours) == pytest.approx(1.0, rel=1e-5)


# --- init_scale ---------------------------------------------------------------------------


def _scale(variances: dict[str, object], uniform_factor: float = math.sqrt(3.0)):
    """An init_scale built from per-family variances ``fn(fan_in, fan_out)``."""

    def init_scale(scheme, fan_in, fan_out):
        family, distribution = scheme.split("_")
        std = math.sqrt(variances[family](fan_in, fan_out))
        return std * uniform_factor if distribution == "uniform" else std

    return init_scale


RIGHT = {
    "glorot": lambda i, o: 2 / (i + o),
    "he": lambda i, o: 2 / i,
    "lecun": lambda i, o: 1 / i,
}


def test_init_he_with_fan_out_is_named() -> None:
    answer = _scale({**RIGHT, "he": lambda i, o: 2 / o})
    assert "scales by fan_in" in _message("init_scale", answer)


def test_init_he_without_the_factor_2_is_named() -> None:
    answer = _scale({**RIGHT, "he": lambda i, o: 1 / i})
    assert "the factor 2 is missing" in _message("init_scale", answer)


def test_init_std_for_a_uniform_scheme_is_named() -> None:
    answer = _scale(RIGHT, uniform_factor=1.0)
    message = _message("init_scale", answer)
    assert "glorot_uniform" in message
    assert "that is the standard deviation" in message


def test_init_limit_for_a_normal_scheme_is_named() -> None:
    def answer(scheme, fan_in, fan_out):
        return _scale(RIGHT)(scheme.replace("normal", "uniform"), fan_in, fan_out)

    assert "limit of the uniform variant" in _message("init_scale", answer)


def test_init_glorot_without_the_2_is_named() -> None:
    answer = _scale({**RIGHT, "glorot": lambda i, o: 1 / (i + o)})
    assert "the 2 is missing" in _message("init_scale", answer)


def test_init_variance_instead_of_std_is_named() -> None:
    def answer(scheme, fan_in, fan_out):
        return _scale(RIGHT)(scheme, fan_in, fan_out) ** 2

    assert "that is the variance" in _message("init_scale", answer)


def test_init_slips_never_coincide_with_the_right_value() -> None:
    # A hint must not fire on a right answer: every slip value is away from the expected one.
    for fan_in, fan_out in ((200, 50), (64, 10)):
        for scheme in gradients.SCHEMES:
            expected = gradients._engine_scale(scheme, fan_in, fan_out)
            for value, why in gradients._scale_slips(scheme, fan_in, fan_out):
                assert not math.isclose(value, expected, rel_tol=1e-3), (scheme, why)


# --- batchnorm_forward --------------------------------------------------------------------


def test_batchnorm_unbiased_variance_is_named() -> None:
    def bn(x, gamma, beta, eps=1e-5):
        return gamma * (x - x.mean(0)) / np.sqrt(x.var(0, ddof=1) + eps) + beta

    assert "unbiased variance" in _message("batchnorm_forward", bn)


def test_batchnorm_wrong_axis_is_named() -> None:
    def bn(x, gamma, beta, eps=1e-5):
        mean, var = x.mean(1, keepdims=True), x.var(1, keepdims=True)
        return gamma * (x - mean) / np.sqrt(var + eps) + beta

    assert "layer normalization" in _message("batchnorm_forward", bn)


def test_batchnorm_eps_outside_the_sqrt_is_named() -> None:
    def bn(x, gamma, beta, eps=1e-5):
        return gamma * (x - x.mean(0)) / (np.sqrt(x.var(0)) + eps) + beta

    assert "eps belongs inside the square root" in _message("batchnorm_forward", bn)


def test_batchnorm_without_eps_is_named() -> None:
    def bn(x, gamma, beta, eps=1e-5):
        return gamma * (x - x.mean(0)) / np.sqrt(x.var(0)) + beta

    assert "eps is missing" in _message("batchnorm_forward", bn)


def test_batchnorm_without_gamma_and_beta_is_named() -> None:
    def bn(x, gamma, beta, eps=1e-5):
        return (x - x.mean(0)) / np.sqrt(x.var(0) + eps)

    assert "gamma and the shift beta are missing" in _message("batchnorm_forward", bn)


def test_batchnorm_ignoring_the_eps_argument_is_caught() -> None:
    def bn(x, gamma, beta, eps=1e-5):
        return gamma * (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5) + beta

    message = _message("batchnorm_forward", bn)
    assert "feature 2 is constant, eps = 1e-3" in message
    assert "you used eps = 1e-5 whatever eps is passed" in message
