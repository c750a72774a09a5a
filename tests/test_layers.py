"""Every registered layer: gradient checks, the forward/backward contract, dtypes, configs,
input validation, and the behaviour specific to each layer (Dropout masks, BatchNorm running
statistics, kinks and ties)."""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
import pytest

from gradlab import layers
from gradlab.gradcheck import gradcheck
from gradlab.layers import (
    Activation,
    BatchNorm,
    Dense,
    Dropout,
    FReLU,
    Layer,
    LayerNorm,
    Maxout,
    PReLU,
    Residual,
)

#: Small constructor calls per registered layer class; every class must appear here.
CASES: dict[str, list[Callable[[], Layer]]] = {
    "Dense": [
        lambda: Dense(3),
        lambda: Dense(3, activation="relu"),
        lambda: Dense(3, activation="tanh"),
        lambda: Dense(3, activation="sigmoid"),
        lambda: Dense(3, activation="softmax"),
        lambda: Dense(3, activation="elu", use_bias=False),
    ],
    "Activation": [
        lambda: Activation("softmax"),
        lambda: Activation("glu"),
        lambda: Activation("prelu"),
        lambda: Activation({"name": "rrelu", "config": {"seed": 3}}),
        lambda: Activation("gelu"),
    ],
    "PReLU": [lambda: PReLU(), lambda: PReLU(shared=True)],
    "FReLU": [lambda: FReLU(), lambda: FReLU(shared=True, init=-0.3)],
    "BatchNorm": [lambda: BatchNorm(), lambda: BatchNorm(momentum=0.3, affine=False)],
    "LayerNorm": [lambda: LayerNorm(), lambda: LayerNorm(elementwise_affine=False)],
    "Dropout": [lambda: Dropout(0.3, seed=1), lambda: Dropout(0.0)],
    "Maxout": [lambda: Maxout(3), lambda: Maxout(3, pieces=4)],
    "Residual": [
        lambda: Residual(Dense(4, activation="tanh")),
        lambda: Residual([Dense(6, activation="relu"), Dense(4)]),
        lambda: Residual([Dense(4, use_bias=False), BatchNorm(), Activation("sigmoid")]),
        lambda: Residual([PReLU(), LayerNorm()]),
    ],
}
ALL = [(name, i, make) for name, makes in CASES.items() for i, make in enumerate(makes)]
IDS = [f"{name}-{i}" for name, i, _ in ALL]
IN_DIM, BATCH = 4, 6


def built(make: Callable[[], Layer], dtype: str = "float64", seed: int = 0) -> Layer:
    """Build the layer and give every param (and BatchNorm's buffers) random values, so that
    defaults such as gamma = 1 cannot hide a missing factor."""
    layer = make()
    rng = np.random.default_rng(seed)
    layer.build(IN_DIM, rng=rng, dtype=dtype)
    for p in layer.params.values():
        p[...] = rng.uniform(0.3, 1.5, p.shape) * rng.choice([-1, 1], p.shape)
    if "running_var" in layer.buffers:
        layer.buffers["running_mean"][...] = rng.normal(size=IN_DIM)
        layer.buffers["running_var"][...] = rng.uniform(0.5, 2.0, IN_DIM)
    return layer


def batch(dtype: str = "float64", seed: int = 1, n: int = BATCH) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, IN_DIM)).astype(dtype)


def test_every_registered_layer_has_cases() -> None:
    assert set(layers.names()) <= set(CASES), set(layers.names()) - set(CASES)


@pytest.mark.parametrize(("name", "i", "make"), ALL, ids=IDS)
def test_gradcheck(name: str, i: int, make: Callable[[], Layer]) -> None:
    errors = gradcheck(built(make), batch())
    assert set(errors) == {*built(make).params, "x"}
    assert max(errors.values()) < 1e-6, errors


@pytest.mark.parametrize(("name", "i", "make"), ALL, ids=IDS)
def test_backward_does_not_mutate_its_arguments(name: str, i: int, make: Callable[[], Layer]):
    layer, x = built(make), batch()
    x_copy = x.copy()
    y = layer.forward(x, training=True)
    g = np.random.default_rng(2).normal(size=y.shape)
    g_copy = g.copy()
    params = {k: v.copy() for k, v in layer.params.items()}
    layer.backward(g)
    np.testing.assert_array_equal(x, x_copy)
    np.testing.assert_array_equal(g, g_copy)
    for k, v in params.items():
        np.testing.assert_array_equal(layer.params[k], v)
    assert set(layer.grads) == set(layer.params)
    for k, v in layer.grads.items():
        assert v.shape == layer.params[k].shape


@pytest.mark.parametrize(("name", "i", "make"), ALL, ids=IDS)
def test_cache_only_when_training(name: str, i: int, make: Callable[[], Layer]) -> None:
    layer, x = built(make), batch()
    layer.forward(x)
    assert layer.cached_bytes() == 0
    with pytest.raises(RuntimeError, match="training=True"):
        layer.backward(np.ones((BATCH, layer.output_dim)))
    layer.forward(x, training=True)
    if not (isinstance(layer, Dropout) and layer.p == 0):
        assert layer.cached_bytes() > 0
    layer.clear_cache()
    assert layer.cached_bytes() == 0


@pytest.mark.parametrize(("name", "i", "make"), ALL, ids=IDS)
def test_float32_stays_float32(name: str, i: int, make: Callable[[], Layer]) -> None:
    layer, x = built(make, "float32"), batch("float32")
    assert layer.forward(x).dtype == np.float32
    y = layer.forward(x, training=True)
    assert y.dtype == np.float32
    dx = layer.backward(np.ones_like(y))
    assert dx.dtype == np.float32
    assert all(g.dtype == np.float32 for g in layer.grads.values())
    assert all(b.dtype == np.float32 for b in layer.buffers.values())


@pytest.mark.parametrize(("name", "i", "make"), ALL, ids=IDS)
def test_needs_input_grad_false_returns_none_and_same_param_grads(
    name: str, i: int, make: Callable[[], Layer]
) -> None:
    grads = []
    for needs in (True, False):
        layer, x = built(make), batch()
        layer.needs_input_grad = needs
        y = layer.forward(x, training=True)
        dx = layer.backward(np.random.default_rng(2).normal(size=y.shape))
        # The contract lets a layer skip ∂L/∂x ("may"); Activation (lead's core.py) computes it.
        assert (dx is None) == (not needs) or (isinstance(layer, Activation) and dx is not None)
        grads.append({k: v.copy() for k, v in layer.grads.items()})
    for k in grads[0]:
        np.testing.assert_array_equal(grads[0][k], grads[1][k])


@pytest.mark.parametrize(("name", "i", "make"), ALL, ids=IDS)
def test_config_round_trip(name: str, i: int, make: Callable[[], Layer]) -> None:
    layer = make()
    config = layer.get_config()
    json.dumps(config)
    again = type(layer).from_config(config)
    assert again.get_config() == config
    restored = layers.deserialize(json.loads(json.dumps(layers.serialize(layer))))
    assert type(restored) is type(layer) and restored.get_config() == config
    named = type(layer).from_config({**config, "name": "mine"})
    assert named.describe() == "mine" and named.get_config()["name"] == "mine"


@pytest.mark.parametrize(("name", "i", "make"), ALL, ids=IDS)
def test_bad_input_is_refused_clearly(name: str, i: int, make: Callable[[], Layer]) -> None:
    layer = built(make)
    with pytest.raises(ValueError, match=f"expected {IN_DIM} input features, got 5"):
        layer.forward(np.ones((2, 5)))
    with pytest.raises(ValueError, match="expected a 2-D batch"):
        layer.forward(np.ones(IN_DIM))
    with pytest.raises(TypeError, match="dtype float64, got float32"):
        layer.forward(np.ones((2, IN_DIM), dtype=np.float32))
    y = layer.forward(batch(), training=True)
    with pytest.raises(ValueError, match="grad_out must have the output's shape"):
        layer.backward(np.ones((y.shape[0] + 1, y.shape[1])))


# -- PReLU and FReLU ---------------------------------------------------------------------------
def test_prelu_forward_and_kink_at_zero() -> None:
    layer = PReLU(init=0.25)
    layer.build(3, dtype="float64")
    x = np.array([[-2.0, 0.0, 3.0]])
    np.testing.assert_array_equal(layer.forward(x, training=True), [[-0.5, 0.0, 3.0]])
    dx = layer.backward(np.array([[1.0, 1.0, 1.0]]))
    np.testing.assert_array_equal(dx, [[0.25, 0.25, 1.0]])  # x = 0 takes the slope, as torch
    np.testing.assert_array_equal(layer.grads["alpha"], [-2.0, 0.0, 0.0])  # min(0, x)


def test_prelu_and_frelu_shapes_and_validation() -> None:
    for cls, key in ((PReLU, "alpha"), (FReLU, "b")):
        per_unit, shared = cls(), cls(shared=True)
        per_unit.build(5, dtype="float64")
        shared.build(5, dtype="float64")
        assert per_unit.params[key].shape == (5,) and shared.params[key].shape == (1,)
        with pytest.raises(TypeError, match="shared must be a bool"):
            cls(shared=1)
        with pytest.raises(ValueError, match="init must be a finite number"):
            cls(init=float("nan"))
    assert PReLU().params == {} and float(FReLU().init) == 0.0


def test_frelu_shift_and_zero_gradient_at_kink() -> None:
    layer = FReLU(init=-0.5)
    layer.build(3, dtype="float64")
    y = layer.forward(np.array([[-2.0, 0.0, 3.0], [1.0, -1.0, 0.5]]), training=True)
    np.testing.assert_array_equal(y, [[-0.5, -0.5, 2.5], [0.5, -0.5, 0.0]])
    dx = layer.backward(np.full((2, 3), 2.0))
    np.testing.assert_array_equal(dx, [[0.0, 0.0, 2.0], [2.0, 0.0, 2.0]])
    np.testing.assert_array_equal(layer.grads["b"], [4.0, 4.0, 4.0])


# -- BatchNorm and LayerNorm -------------------------------------------------------------------
def test_batchnorm_running_statistics_follow_torch_rule() -> None:
    bn = BatchNorm(momentum=0.2)
    bn.build(IN_DIM, dtype="float64")
    rm, rv = np.zeros(IN_DIM), np.ones(IN_DIM)
    for seed in range(3):
        x = batch(seed=seed) * 3 + 1
        bn.forward(x, training=True)
        rm = 0.8 * rm + 0.2 * x.mean(axis=0)
        rv = 0.8 * rv + 0.2 * x.var(axis=0, ddof=1)  # unbiased
    np.testing.assert_allclose(bn.buffers["running_mean"], rm, rtol=1e-14)
    np.testing.assert_allclose(bn.buffers["running_var"], rv, rtol=1e-14)
    x = batch(seed=9)
    expected = (x - rm) / np.sqrt(rv + 1e-5) * bn.params["gamma"] + bn.params["beta"]
    np.testing.assert_allclose(bn.forward(x), expected, rtol=1e-14)
    np.testing.assert_allclose(bn.buffers["running_mean"], rm, rtol=1e-14)  # eval: untouched


def test_batchnorm_training_normalises_with_the_biased_batch_variance() -> None:
    bn = BatchNorm()
    x = batch() * 5 - 2
    y = bn.forward(x, training=True)
    np.testing.assert_allclose(y.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(y.var(axis=0), x.var(axis=0) / (x.var(axis=0) + 1e-5))


def test_batchnorm_refuses_batch_of_one_in_training_only() -> None:
    bn = built(lambda: BatchNorm())
    with pytest.raises(ValueError, match="more than 1 sample per batch"):
        bn.forward(batch(n=1), training=True)
    assert bn.forward(batch(n=1)).shape == (1, IN_DIM)


def test_normalization_argument_validation() -> None:
    with pytest.raises(ValueError, match="momentum must be a finite number in"):
        BatchNorm(momentum=1.5)
    with pytest.raises(ValueError, match="eps must be a finite number in"):
        LayerNorm(eps=0.0)
    with pytest.raises(TypeError, match="affine must be a bool"):
        BatchNorm(affine="yes")
    assert BatchNorm(affine=False).get_config()["affine"] is False
    assert LayerNorm(elementwise_affine=False).elementwise_affine is False


def test_layernorm_standardises_each_row() -> None:
    ln = LayerNorm()
    y = ln.forward(batch() * 4 + 3)
    np.testing.assert_allclose(y.mean(axis=1), 0, atol=1e-12)
    assert set(ln.params) == {"gamma", "beta"}


# -- Dropout -----------------------------------------------------------------------------------
def test_dropout_rejects_bad_p_and_seed() -> None:
    for p in (1, 1.0, -0.1, float("nan")):
        with pytest.raises(ValueError, match=r"p \(the drop probability\) must be in \[0, 1\)"):
            Dropout(p)
    with pytest.raises(TypeError, match="p must be a number"):
        Dropout("0.5")
    with pytest.raises(TypeError, match="seed must be an int"):
        Dropout(seed=1.5)


def test_dropout_same_seed_same_mask_and_dtype_independent() -> None:
    x = np.ones((8, IN_DIM))
    masks = []
    for seed, dtype in ((7, "float64"), (7, "float64"), (7, "float32"), (8, "float64")):
        d = Dropout(0.5, seed=seed)
        d.forward(x.astype(dtype), training=True)
        masks.append(d.last_mask)
    np.testing.assert_array_equal(masks[0], masks[1])
    np.testing.assert_array_equal(masks[0], masks[2])
    assert not np.array_equal(masks[0], masks[3])


def test_dropout_uses_the_build_rng_unless_seeded() -> None:
    x = np.ones((8, IN_DIM))
    masks = []
    for _ in range(2):
        d = Dropout(0.5)
        d.build(IN_DIM, rng=np.random.default_rng(11), dtype="float64")
        d.forward(x, training=True)
        masks.append(d.last_mask)
    np.testing.assert_array_equal(*masks)
    rng = np.random.default_rng(11)
    d = Dropout(0.5, seed=3)
    d.build(IN_DIM, rng=rng, dtype="float64")
    d.forward(x, training=True)
    np.testing.assert_array_equal(d.last_mask, Dropout(0.5, seed=3).forward(x, True) != 0)


def test_dropout_preserves_the_mean_and_drops_a_fraction_p() -> None:
    d = Dropout(0.3, seed=0)
    y = d.forward(np.ones((2000, 50)), training=True)
    assert abs(y.mean() - 1.0) < 0.01  # std of the mean ≈ 0.002
    assert abs((y == 0).mean() - 0.3) < 0.005
    np.testing.assert_allclose(np.unique(y), [0.0, 1 / 0.7])
    g = np.random.default_rng(0).normal(size=y.shape)
    np.testing.assert_array_equal(d.backward(g), g * (y != 0) * (1 / 0.7))  # scale as torch


def test_dropout_identity_at_inference_and_for_p_zero() -> None:
    x = batch()
    assert Dropout(0.5, seed=0).forward(x) is x
    d = Dropout(0.0)
    assert d.forward(x, training=True) is x
    g = np.ones_like(x)
    assert d.backward(g) is g
    assert d.cached_bytes() == 0 and d.last_mask is None


def test_dropout_fixed_mask() -> None:
    d = Dropout(0.5, seed=0)
    mask = np.random.default_rng(1).random((BATCH, IN_DIM)) < 0.5
    d.set_mask(mask.astype(int))
    x = batch()
    for _ in range(2):
        np.testing.assert_array_equal(d.forward(x, training=True), x * mask / 0.5)
    with pytest.raises(ValueError, match="pinned mask has shape"):
        d.forward(np.ones((2, IN_DIM)), training=True)
    with pytest.raises(ValueError, match="booleans or 0/1"):
        d.set_mask(np.full((2, 2), 0.5))
    with pytest.raises(ValueError, match="mask must be 2-D"):
        d.set_mask(np.ones(3, dtype=bool))
    d.set_mask(None)
    d.forward(x, training=True)
    assert not np.array_equal(d.last_mask, mask) or mask.all()


# -- Maxout ------------------------------------------------------------------------------------
def test_maxout_shapes_and_validation() -> None:
    layer = Maxout(5, pieces=3)
    layer.build(IN_DIM, rng=np.random.default_rng(0), dtype="float64")
    assert layer.params["W"].shape == (3, IN_DIM, 5) and layer.params["b"].shape == (3, 5)
    assert layer.output_dim == 5 and layer.count_params() == 3 * IN_DIM * 5 + 15
    with pytest.raises(ValueError, match="pieces must be an int >= 1, got 0"):
        Maxout(3, pieces=0)
    with pytest.raises(TypeError, match="pieces must be an int"):
        Maxout(3, pieces=2.0)
    with pytest.raises(ValueError, match="units must be an int >= 1"):
        Maxout(0)


def test_maxout_is_the_max_of_its_pieces_and_ties_go_to_the_first() -> None:
    layer = built(lambda: Maxout(3, pieces=2))
    x = batch()
    z = np.stack([x @ layer.params["W"][k] + layer.params["b"][k] for k in range(2)])
    np.testing.assert_allclose(layer.forward(x), z.max(axis=0), rtol=1e-15)
    layer.params["W"][1] = layer.params["W"][0]  # every output is a tie
    layer.params["b"][1] = layer.params["b"][0]
    layer.forward(x, training=True)
    layer.backward(np.ones((BATCH, 3)))
    assert np.all(layer.grads["W"][1] == 0) and np.all(layer.grads["b"][1] == 0)
    np.testing.assert_allclose(layer.grads["b"][0], BATCH)


# -- memory ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda: PReLU(), 128 * 256 * 4),  # x
        (lambda: FReLU(), 128 * 256),  # bool mask
        (lambda: BatchNorm(), 128 * 256 * 4 + 256 * 4),  # x_hat, inv_std per feature
        (lambda: LayerNorm(), 128 * 256 * 4 + 128 * 4),  # x_hat, inv_std per sample
        (lambda: Dropout(0.5, seed=0), 128 * 256),  # bool mask
        (lambda: Maxout(256), 128 * 256 * 4 + 128 * 256),  # x, uint8 winner
    ],
    ids=["PReLU", "FReLU", "BatchNorm", "LayerNorm", "Dropout", "Maxout"],
)
def test_cached_bytes_for_a_128x256_float32_batch(make: Callable[[], Layer], expected: int):
    layer = make()
    layer.forward(np.ones((128, 256), dtype=np.float32), training=True)
    assert layer.cached_bytes() == expected
