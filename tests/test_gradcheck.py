"""The gradient checker: small errors for correct gradients, large ones for wrong gradients
(so the check can fail), losses, the state it leaves behind, and its input validation."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from gradlab import layers
from gradlab.gradcheck import gradcheck, numerical_gradient, relative_error
from gradlab.layers import Activation, BatchNorm, Dense, Dropout, PReLU

X = np.random.default_rng(0).normal(size=(5, 4))


# -- deliberately broken layers ----------------------------------------------------------------
class InputGradTooLarge(PReLU):
    """``∂L/∂x`` off by a factor 1.5; ``∂L/∂α`` still right."""

    def backward(self, grad_out: Any) -> Any:
        return 1.5 * super().backward(grad_out)


class KernelGradDoubled(Dense):
    """``∂L/∂W`` off by a factor 2."""

    def backward(self, grad_out: Any) -> Any:
        dx = super().backward(grad_out)
        self.grads["W"] *= 2
        return dx


class NaiveBatchNorm(BatchNorm):
    """Backward that forgets that the mean and variance depend on x: ``γ g / sqrt(σ² + ε)``."""

    def backward(self, grad_out: Any) -> Any:
        super().backward(grad_out)
        return grad_out * self.params["gamma"] * self._cache["inv_std"]


def test_upstream_gradient_is_not_the_stream_of_a_same_seed_input() -> None:
    """R = x would make BatchNorm's objective Σ x ⊙ x̂(x) almost flat: rounding noise wins."""
    x = np.random.default_rng(0).normal(size=(5, 4))
    assert gradcheck(BatchNorm(), x, seed=0)["x"] < 1e-8


def test_correct_layers_report_tiny_errors() -> None:
    for layer in (PReLU(), Dense(3, activation="tanh"), BatchNorm(), layers.Maxout(2, pieces=3)):
        errors = gradcheck(layer, X)
        assert max(errors.values()) < 1e-8, (layer, errors)


def test_wrong_factor_gives_a_large_error_where_it_is_wrong() -> None:
    errors = gradcheck(InputGradTooLarge(), X)
    assert errors["x"] == pytest.approx(0.5 / 2.5, rel=1e-6)  # |1.5a - a| / (|a| + |1.5a|)
    assert errors["alpha"] < 1e-8
    errors = gradcheck(KernelGradDoubled(3, activation="sigmoid"), X)
    assert errors["W"] == pytest.approx(1 / 3, rel=1e-6)
    assert errors["b"] < 1e-8 and errors["x"] < 1e-8


def test_forgetting_the_batch_statistics_is_caught() -> None:
    errors = gradcheck(NaiveBatchNorm(), X)
    assert errors["x"] > 0.1
    assert errors["gamma"] < 1e-8 and errors["beta"] < 1e-8


# -- randomness and state ----------------------------------------------------------------------
def test_dropout_mask_is_held_fixed_and_the_generator_advances_by_one_forward() -> None:
    d = Dropout(0.5, seed=4)
    assert gradcheck(d, X)["x"] < 1e-8
    d.forward(X, training=True)
    reference = Dropout(0.5, seed=4)
    reference.forward(X, training=True)
    reference.forward(X, training=True)
    np.testing.assert_array_equal(d.last_mask, reference.last_mask)  # the second mask


def test_dropout_with_a_pinned_mask_keeps_it() -> None:
    d = Dropout(0.5, seed=4)
    mask = np.random.default_rng(0).random(X.shape) < 0.5
    d.set_mask(mask)
    assert gradcheck(d, X)["x"] < 1e-8
    d.forward(X, training=True)
    np.testing.assert_array_equal(d.last_mask, mask)


def test_random_activation_slopes_are_replayed() -> None:
    layer = Activation({"name": "rrelu", "config": {"seed": 0}})
    assert gradcheck(layer, X)["x"] < 1e-8


def test_layer_state_is_restored_and_grads_are_the_analytic_ones() -> None:
    bn = BatchNorm()
    bn.build(4, rng=np.random.default_rng(0), dtype="float64")
    bn.params["gamma"][...] = [0.5, 2.0, -1.0, 1.5]
    params = {k: v.copy() for k, v in bn.params.items()}
    bn.needs_input_grad = False
    gradcheck(bn, X, seed=3)
    for k, v in params.items():
        np.testing.assert_array_equal(bn.params[k], v)
    np.testing.assert_array_equal(bn.buffers["running_mean"], 0.0)
    np.testing.assert_array_equal(bn.buffers["running_var"], 1.0)
    assert bn.needs_input_grad is False and bn.cached_bytes() == 0
    fresh = BatchNorm()
    fresh.build(4, dtype="float64")
    fresh.params["gamma"][...] = bn.params["gamma"]
    y = fresh.forward(X, training=True)
    fresh.backward(np.random.default_rng([3, 1]).standard_normal(y.shape))  # gradcheck's R
    np.testing.assert_array_equal(bn.grads["gamma"], fresh.grads["gamma"])


def test_unbuilt_layer_is_built_in_float64_and_float32_layer_is_refused() -> None:
    layer = PReLU()
    gradcheck(layer, X.astype(np.float32))  # the input is copied to float64
    assert layer.dtype == np.float64
    f32 = PReLU()
    f32.build(4, dtype="float32")
    with pytest.raises(TypeError, match="built in float32; central differences need float64"):
        gradcheck(f32, X)


def test_bad_arguments() -> None:
    with pytest.raises(TypeError, match="takes one input batch x, got 2"):
        gradcheck(PReLU(), X, X)
    with pytest.raises(ValueError, match="x must be a 2-D batch"):
        gradcheck(PReLU(), X[0])
    with pytest.raises(ValueError, match="eps must be a finite number in"):
        gradcheck(PReLU(), X, eps=0)
    with pytest.raises(TypeError, match="expects a Layer, a loss"):
        gradcheck(object(), X)

    class Model:
        def __init__(self) -> None:
            self.layers: list[Any] = []

    with pytest.raises(TypeError, match="expects a Layer, a loss"):
        gradcheck(Model(), X, X)


# -- losses ------------------------------------------------------------------------------------
class SquaredErrorStandIn:
    """A minimal loss with the interface gradcheck expects: 0.5 Σ (ŷ - y)²."""

    def forward(self, y_pred: Any, y_true: Any) -> float:
        self._diff = np.asarray(y_pred) - y_true
        return float(0.5 * np.sum(self._diff**2))

    def backward(self) -> Any:
        return self._diff.copy()


class BrokenStandIn(SquaredErrorStandIn):
    def backward(self) -> Any:
        return 2 * self._diff


def test_loss_stand_in_correct_and_broken() -> None:
    y = np.random.default_rng(1).normal(size=X.shape)
    assert gradcheck(SquaredErrorStandIn(), X, y)["y_pred"] < 1e-8
    assert gradcheck(BrokenStandIn(), X, y)["y_pred"] == pytest.approx(1 / 3, rel=1e-6)
    with pytest.raises(TypeError, match="takes 2 inputs"):
        gradcheck(SquaredErrorStandIn(), X)


def _loss_inputs(name: str) -> tuple[np.ndarray, Any]:
    rng = np.random.default_rng(2)
    logits = rng.normal(size=(6, 3))
    labels = np.array([0, 2, 1, 1, 0, 2])
    return {
        "mse": (logits, rng.normal(size=(6, 3))),
        "cross_entropy": (logits, labels),
        "binary_cross_entropy": (logits, rng.integers(0, 2, size=(6, 3)).astype(float)),
        "nll": (rng.uniform(0.1, 0.9, size=(6, 3)), labels),
    }[name]


def test_every_registered_loss() -> None:
    losses = pytest.importorskip("gradlab.losses")
    for name in losses.names():
        y_pred, y_true = _loss_inputs(name)
        errors = gradcheck(losses.get(name), y_pred, y_true)
        assert errors["y_pred"] < 1e-7, (name, errors)
    soft_targets = np.random.default_rng(3).dirichlet(np.ones(3), size=5)
    assert gradcheck(losses.get("cross_entropy"), X[:, :3], soft_targets)["y_pred"] < 1e-7


# -- building blocks ---------------------------------------------------------------------------
def test_relative_error_formula() -> None:
    a = np.array([1.0, -2.0, 3.0])
    assert relative_error(a, a) == 0.0
    assert relative_error(a, np.zeros(3)) == 1.0
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(a, -a) == 1.0
    with pytest.raises(ValueError, match="shapes differ"):
        relative_error(a, a[:2])


def test_numerical_gradient_restores_the_array_exactly() -> None:
    a = np.random.default_rng(0).normal(size=(3, 2))
    before = a.copy()
    c = np.random.default_rng(1).normal(size=(3, 2))
    grad = numerical_gradient(lambda: float(np.sum(c * a**2)), a)
    np.testing.assert_allclose(grad, 2 * c * a, rtol=1e-8)
    np.testing.assert_array_equal(a, before)
    with pytest.raises(TypeError, match="float64 array"):
        numerical_gradient(lambda: 0.0, a.astype(np.float32))
