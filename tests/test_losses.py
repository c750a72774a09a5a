"""Losses: registry, fused stability, gradient checks, numerics, bad targets."""

from __future__ import annotations

import numpy as np
import pytest

from gradlab import gradcheck, losses


def _case(name: str, rng: np.random.Generator, dtype=np.float64):
    """Return predictions and targets suited to each loss."""
    if name == "mse":
        return rng.normal(size=(6, 3)).astype(dtype), rng.normal(size=(6, 3))
    if name == "cross_entropy":
        return rng.normal(size=(6, 4)).astype(dtype) * 3, rng.integers(0, 4, 6)
    if name == "binary_cross_entropy":
        return rng.normal(size=(6, 1)).astype(dtype) * 3, rng.integers(0, 2, 6)
    if name == "nll":
        z = rng.normal(size=(6, 4))
        p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        return p.astype(dtype), rng.integers(0, 4, 6)
    raise AssertionError(name)


@pytest.mark.parametrize("name", losses.names())
def test_every_loss_passes_gradcheck(name):
    rng = np.random.default_rng(0)
    pred, target = _case(name, rng)
    errors = gradcheck(losses.get(name), pred, target)
    assert errors and max(errors.values()) < 1e-6, errors


@pytest.mark.parametrize("name", losses.names())
def test_backward_keeps_dtype_and_shape(name):
    rng = np.random.default_rng(1)
    pred, target = _case(name, rng, np.float32)
    loss = losses.get(name)
    value = loss.forward(pred, target)
    grad = loss.backward()
    assert isinstance(value, float) and np.isfinite(value)
    assert grad.shape == pred.shape and grad.dtype == np.float32


def test_soft_targets_and_one_hot_match_labels():
    rng = np.random.default_rng(2)
    z, labels = rng.normal(size=(5, 3)), rng.integers(0, 3, 5)
    ce = losses.get("cross_entropy")
    a, ga = ce.forward(z, labels), ce.backward()
    b, gb = ce.forward(z, np.eye(3)[labels]), ce.backward()
    assert a == pytest.approx(b, rel=1e-14)
    np.testing.assert_allclose(ga, gb, rtol=1e-14, atol=1e-17)
    soft = rng.dirichlet(np.ones(3), size=5)
    assert max(gradcheck(ce, z, soft).values()) < 1e-6


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", ["cross_entropy", "binary_cross_entropy", "mse"])
def test_no_overflow_for_logits_up_to_1e4(name, dtype):
    z = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 5.0]], dtype=dtype)
    target = {
        "cross_entropy": np.array([1, 0]),
        "mse": np.zeros((2, 3)),
        "binary_cross_entropy": np.array([[0, 1, 1], [1, 0, 0]]),
    }[name]
    loss = losses.get(name)
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        value = loss.forward(z, target)
        grad = loss.backward()
    assert np.isfinite(value) and np.all(np.isfinite(grad))
    if name == "cross_entropy":
        assert value == pytest.approx(2e4, rel=1e-6)  # logsumexp - z_y, exactly 2e4 per row


def test_nll_on_a_saturated_softmax_is_finite_but_huge():
    p = np.array([[1.0, 0.0]])
    nll = losses.get("nll")
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        value = nll.forward(p, np.array([1]))
        grad = nll.backward()
    assert value == pytest.approx(-np.log(np.finfo(np.float64).tiny))
    assert np.all(np.isfinite(grad))


def test_registry_aliases_and_errors():
    assert losses.get("CE").name == "cross_entropy"
    assert losses.get("bce").name == "binary_cross_entropy"
    assert losses.get("categorical_crossentropy").fuses == "softmax"
    with pytest.raises(ValueError, match="did you mean 'mse'"):
        losses.get("mes")
    with pytest.raises(TypeError):
        losses.get(3)


@pytest.mark.parametrize(
    ("name", "pred", "target", "match"),
    [
        ("cross_entropy", np.zeros((2, 3)), np.array([0, 3]), r"\[0, 2\]"),
        ("cross_entropy", np.zeros((2, 3)), np.array([0.5, 1]), "whole numbers"),
        ("cross_entropy", np.zeros((2, 3)), np.array([0, 1, 2]), "shape"),
        ("cross_entropy", np.zeros(3), np.array([0]), "2-D"),
        ("binary_cross_entropy", np.zeros((2, 1)), np.array([0, 2]), r"\[0, 1\]"),
        ("mse", np.zeros((2, 2)), np.zeros((3, 2)), "shape"),
        ("mse", np.array([[np.nan]]), np.zeros((1, 1)), "NaN"),
        ("mse", np.zeros((1, 1)), np.array([[np.inf]]), "NaN"),
        ("nll", np.array([[0.5, 1.5]]), np.array([0]), r"\[0, 1\]"),
    ],
)
def test_bad_targets_raise_clear_errors(name, pred, target, match):
    with pytest.raises(ValueError, match=match):
        losses.get(name).forward(pred, target)


def test_backward_before_forward_is_an_error():
    with pytest.raises(RuntimeError, match="forward"):
        losses.get("mse").backward()
