"""``layers.Residual`` (``y = x + block(x)``): gradient checks, the fast paths, validation, and
everything a layer does inside a ``Sequential`` (training, weights, files, copies, summary,
callbacks, diagnostics), plus ``mlp(residual=True)`` and the gradient flow it buys."""

from __future__ import annotations

import copy
import json
import statistics
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

import gradlab as gl
from gradlab import callbacks, datasets, diagnostics, layers, optimizers
from gradlab.gradcheck import gradcheck
from gradlab.layers import (
    Activation,
    BatchNorm,
    Dense,
    Dropout,
    Layer,
    LayerNorm,
    PReLU,
    Residual,
)
from gradlab.model import mlp

D, B = 5, 7


def x_batch(seed: int = 1, n: int = B, d: int = D, dtype: str = "float64") -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, d)).astype(dtype)


def pinned_dropout(p: float = 0.4, seed: int = 3, shape: tuple[int, int] = (B, D)) -> Dropout:
    """A Dropout whose mask is pinned: gradcheck rewinds the generators of the layer it checks,
    not those of layers nested in a block, so a nested Dropout needs a fixed mask."""
    drop = Dropout(p)
    drop.set_mask(np.random.default_rng(seed).random(shape) >= p)
    return drop


BLOCKS: dict[str, Callable[[], Residual]] = {
    "tanh": lambda: Residual(Dense(D, "tanh")),
    "relu": lambda: Residual([Dense(D, "relu")]),
    "sigmoid": lambda: Residual([Dense(D, "sigmoid")]),
    "two-dense": lambda: Residual([Dense(8, "tanh"), Dense(D)]),
    "batchnorm": lambda: Residual([Dense(D, use_bias=False), BatchNorm(), Activation("tanh")]),
    "prelu-layernorm": lambda: Residual([Dense(D), PReLU(), LayerNorm()]),
    "dropout": lambda: Residual([Dense(D, "sigmoid"), pinned_dropout()]),
    "nested": lambda: Residual([Residual(Dense(D, "tanh")), Dense(D, "elu")]),
}


def randomized(layer: Layer, seed: int = 0) -> Layer:
    """Build in float64 and give every param random values (gamma = 1 hides missing factors)."""
    rng = np.random.default_rng(seed)
    layer.build(D, rng=rng, dtype="float64")
    for p in layer.params.values():
        p[...] = rng.uniform(0.3, 1.2, p.shape) * rng.choice([-1, 1], p.shape)
    return layer


# -- gradients ---------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", list(BLOCKS))
def test_gradcheck_input_and_every_inner_param(kind: str) -> None:
    layer = randomized(BLOCKS[kind]())
    errors = gradcheck(layer, x_batch())
    assert set(errors) == {*layer.params, "x"}
    assert all("." in k for k in layer.params)  # "<inner index>.<name>"
    assert max(errors.values()) < 1e-7, errors


def test_a_bias_before_batchnorm_gets_a_zero_gradient() -> None:
    """BatchNorm subtracts the batch mean, so a bias in front of it has ∂L/∂b = 0 exactly: the
    relative error is meaningless there (noise over 0); the absolute gradient is checked."""
    layer = randomized(Residual([Dense(D), BatchNorm(), Activation("sigmoid")]))
    errors = gradcheck(layer, x_batch())
    assert max(v for k, v in errors.items() if k != "0.b") < 1e-7, errors
    np.testing.assert_allclose(layer.grads["0.b"], 0.0, atol=1e-12)


def test_backward_is_identity_plus_block_jacobian() -> None:
    """∂L/∂x = g + block.backward(g): the block alone, run separately, plus g."""
    res = randomized(Residual([Dense(D, "sigmoid"), Dense(D, "tanh")]))
    twins = [copy.deepcopy(inner) for inner in res.layers]
    x, g = x_batch(), x_batch(seed=5)
    y = res.forward(x, training=True)
    h = x
    for inner in twins:
        h = inner.forward(h, training=True)
    np.testing.assert_array_equal(y, x + h)
    dh = g
    for inner in reversed(twins):
        dh = inner.backward(dh)
    np.testing.assert_array_equal(res.backward(g), g + dh)
    for i, inner in enumerate(twins):
        for k, v in inner.grads.items():
            np.testing.assert_array_equal(res.grads[f"{i}.{k}"], v)


@pytest.mark.parametrize("kind", list(BLOCKS))
def test_fast_paths_equal_forward_and_backward(kind: str) -> None:
    plain, fast = randomized(BLOCKS[kind]()), randomized(BLOCKS[kind]())
    x, g = x_batch(), x_batch(seed=4)
    np.testing.assert_array_equal(plain.forward(x, training=True), fast.forward_train(x))
    np.testing.assert_array_equal(plain.backward(g), fast.backward_train(g))
    for k in plain.params:
        np.testing.assert_array_equal(plain.grads[k], fast.grads[k])
    for k in plain.buffers:
        np.testing.assert_array_equal(plain.buffers[k], fast.buffers[k])


def test_needs_input_grad_reaches_the_first_inner_layer() -> None:
    res = randomized(Residual([Dense(D, "tanh"), Dense(D)]))
    res.needs_input_grad = False
    assert res.layers[0].needs_input_grad is False and res.layers[1].needs_input_grad is True
    res.forward(x_batch(), training=True)
    assert res.backward(x_batch(seed=2)) is None
    res.needs_input_grad = True
    assert res.layers[0].needs_input_grad is True


def test_outputs_are_new_arrays_even_for_an_identity_block() -> None:
    res = Residual(Dropout(0.0))
    x, g = x_batch(), x_batch(seed=2)
    y = res.forward(x, training=True)
    np.testing.assert_array_equal(y, 2 * x)
    dx = res.backward(g)
    np.testing.assert_array_equal(dx, 2 * g)
    assert not np.shares_memory(y, x) and not np.shares_memory(dx, g)


# -- validation --------------------------------------------------------------------------------
def test_a_block_that_changes_the_width_is_refused_naming_both_widths() -> None:
    with pytest.raises(ValueError, match=r"input width 2, output width 8"):
        Residual(Dense(8)).build(2)
    with pytest.raises(ValueError, match=r"maps 4 input features to 2"):
        gl.Sequential([Dense(4), Residual([Dense(4), Activation("glu")])], input_dim=3)
    res = Residual([Dense(8), Dense(3)])
    with pytest.raises(ValueError, match=r"input width 5, output width 3"):
        res.forward(np.ones((2, 5)))
    assert not any(inner.built for inner in res.layers)  # refused before drawing weights


def test_bad_blocks_are_refused_clearly() -> None:
    with pytest.raises(TypeError, match="block must be a Layer or a list of Layers, got str"):
        Residual("dense")
    with pytest.raises(TypeError, match="got list"):
        Residual([Dense(3), "relu"])
    with pytest.raises(ValueError, match="at least one layer"):
        Residual([])
    dense = Dense(3)
    with pytest.raises(ValueError, match="appears twice"):
        Residual([dense, dense])
    with pytest.raises(RuntimeError, match="training=True"):
        Residual(Dense(3)).backward(np.ones((2, 3)))


def test_a_prebuilt_inner_layer_must_fit_its_place() -> None:
    dense = Dense(4)
    dense.build(3, dtype="float64")
    with pytest.raises(ValueError, match="already built for 3 features"):
        Residual([dense]).build(4, dtype="float64")


# -- configs -----------------------------------------------------------------------------------
def test_config_nests_the_inner_layers_and_round_trips() -> None:
    res = Residual([Dense(8, "relu"), BatchNorm(momentum=0.2), Dropout(0.1, seed=2)], name="blk")
    config = res.get_config()
    assert [spec["name"] for spec in config["block"]] == ["Dense", "BatchNorm", "Dropout"]
    assert config["block"][1]["config"]["momentum"] == 0.2
    again = layers.deserialize(json.loads(json.dumps(layers.serialize(res))))
    assert isinstance(again, Residual) and again.get_config() == config
    assert again.describe() == "blk"
    nested = Residual([Residual(Dense(3, "tanh")), Dense(3)])
    assert layers.deserialize(layers.serialize(nested)).get_config() == nested.get_config()
    with pytest.raises(TypeError, match="'block' must be a list"):
        Residual.from_config({"block": "Dense"})


def test_describe_and_repr() -> None:
    res = Residual([Dense(8), BatchNorm(), Activation("tanh"), Dropout(0.1)])
    chain = "Dense(8, linear) -> BatchNorm -> Activation(tanh) -> Dropout(0.1)"
    assert res.describe() == f"Residual({chain})"
    assert repr(Residual(Dropout(0.5))) == "Residual([Dropout(p=0.5, seed=None)])"
    assert Residual(Dense(3)).layers[0].units == 3


def test_weight_shapes_match_what_build_creates() -> None:
    res = Residual([Dense(7, "relu"), BatchNorm(), Dense(D), PReLU()])
    promised = res.weight_shapes(D)
    res.build(D, dtype="float64")
    assert promised == dict(zip(res.weight_names, (w.shape for w in res.weights), strict=True))
    assert res.weight_names == ["0.W", "0.b", "1.gamma", "1.beta", "1.running_mean",
                                "1.running_var", "2.W", "2.b", "3.alpha"]  # fmt: skip
    assert res.nonnegative_weights == ("1.running_var",)
    assert res.count_params() == 5 * 7 + 7 + 2 * 7 + 7 * 5 + 5 + 5


# -- inside a Sequential -------------------------------------------------------------------------
def residual_model(dtype: str = "float32", seed: int = 0, dropout: float = 0.1) -> gl.Sequential:
    return gl.Sequential(
        [
            Dense(8, "tanh"),
            Residual([Dense(8), BatchNorm(), Activation("relu"), Dropout(dropout)]),
            Residual(Dense(8, "sigmoid")),
            Dense(3),
        ],
        input_dim=2,
        seed=seed,
        dtype=dtype,
    )


XS, YS = datasets.spirals(96, n_classes=3, seed=0)
X64 = XS.astype(np.float64)


def test_training_updates_the_inner_weights_by_the_optimizer_rule() -> None:
    model = residual_model("float64", dropout=0.0)
    model.compile(optimizer=optimizers.SGD(lr=0.5), loss="cross_entropy")
    before = model.get_weights()
    model.compute_gradients(X64, YS)
    grads = [model.layers[i].grads[k].copy() for i in range(4) for k in model.layers[i].params]
    params = [model.layers[i].params[k].copy() for i in range(4) for k in model.layers[i].params]
    model.train_on_batch(XS, YS)
    after = [model.layers[i].params[k] for i in range(4) for k in model.layers[i].params]
    for p0, g, p1 in zip(params, grads, after, strict=True):
        np.testing.assert_allclose(p1, p0 - 0.5 * g, rtol=1e-12, atol=1e-15)
    inner = model.layers[2].layers[0]
    assert inner.params["W"] is model.layers[2].params["0.W"]
    assert not np.array_equal(inner.params["W"], before[10])  # 8+2 weights before it


OPTIMIZERS: dict[str, Callable[[], optimizers.Optimizer]] = {
    "sgd": lambda: optimizers.SGD(lr=0.1),
    "momentum": lambda: optimizers.Momentum(lr=0.05),
    "nesterov": lambda: optimizers.Nesterov(lr=0.05),
    "adagrad": lambda: optimizers.Adagrad(lr=0.05),
    "rmsprop": lambda: optimizers.RMSprop(lr=0.005),
    "adam": lambda: optimizers.Adam(lr=0.01),
    "adamw": lambda: optimizers.AdamW(lr=0.01),
}


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_fit_with_each_optimizer_lowers_the_loss(name: str) -> None:
    model = residual_model(seed=3)
    model.compile(optimizer=OPTIMIZERS[name](), loss="cross_entropy")
    start = model.evaluate(XS, YS)["loss"]
    model.fit(XS, YS, epochs=30, batch_size=16, verbose=0)
    assert model.evaluate(XS, YS)["loss"] < 0.8 * start  # measured: 0.53 to 0.54 of start
    assert all(layer.cached_bytes() == 0 for layer in model.layers[1].layers)  # cleared


def test_dropout_and_batchnorm_inside_follow_the_training_flag() -> None:
    model = residual_model("float64", dropout=0.5)
    block = model.layers[1]
    bn = block.layers[1]
    X = X64[:32]
    first = model.predict(X)
    np.testing.assert_array_equal(model.predict(X), first)  # inference: no dropout
    np.testing.assert_array_equal(bn.buffers["running_mean"], 0.0)  # predict moves nothing
    train_a = model.forward(X, training=True)
    train_b = model.forward(X, training=True)
    assert not np.array_equal(train_a, train_b)  # a new mask each training pass
    assert block.layers[3].last_mask is not None
    assert np.any(bn.buffers["running_mean"] != 0)  # training passes update the statistics
    assert block.buffers["1.running_mean"] is bn.buffers["running_mean"]


def test_gradcheck_of_a_whole_model_with_residual_blocks() -> None:
    model = gl.Sequential(
        [
            Residual([Dense(2, "tanh"), Dense(2)]),  # first layer: needs no input gradient
            Dense(6, "sigmoid"),
            Residual([Dense(6), BatchNorm(), Activation("relu"), pinned_dropout(0.3, 1, (12, 6))]),
            Dense(3),
        ],
        input_dim=2,
        seed=0,
        dtype="float64",
    )
    model.compile(optimizer="sgd", loss="cross_entropy")
    errors = gradcheck(model, XS[:12], YS[:12])
    assert "0.0.W" in errors and "2.1.gamma" in errors
    assert max(v for k, v in errors.items() if k != "2.0.b") < 1e-6, errors  # b before BN: 0
    assert model.layers[0].layers[0].needs_input_grad is False


def test_get_and_set_weights() -> None:
    model = residual_model()
    ws = model.get_weights()
    expected = [(2, 8), (8,), (8, 8), (8,), (8,), (8,), (8,), (8,), (8, 8), (8,), (8, 3), (3,)]
    assert [w.shape for w in ws] == expected
    other = residual_model(seed=5)
    assert not np.array_equal(other.get_weights()[2], ws[2])
    other.set_weights(ws)
    for a, b in zip(other.get_weights(), ws, strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(other.predict(XS), model.predict(XS))
    with pytest.raises(ValueError, match="expected 6 arrays, got 5"):
        model.layers[1].set_weights(ws[2:7])
    with pytest.raises(ValueError, match=r"weight 0 \('W'\) must have shape \(8, 8\)"):
        model.layers[1].set_weights([np.ones((8, 3)), *ws[3:8]])


@pytest.mark.filterwarnings("ignore::gradlab.TrainingStalledWarning")
def test_save_load_round_trip(tmp_path: Path) -> None:
    model = residual_model()
    model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"])
    model.fit(XS, YS, epochs=3, batch_size=16, verbose=0)
    model.save(tmp_path / "res.npz")
    loaded = gl.load_model(tmp_path / "res.npz")
    assert [type(layer).__name__ for layer in loaded.layers] == [
        "Dense", "Residual", "Residual", "Dense"
    ]  # fmt: skip
    for a, b in zip(model.get_weights(), loaded.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(model.predict(XS), loaded.predict(XS))
    state, restored = model.optimizer.get_state(), loaded.optimizer.get_state()
    assert sorted(state) == sorted(restored)
    for key, value in state.items():
        np.testing.assert_array_equal(value, restored[key])
    # training on continues identically (weights, optimizer state and generators restored)
    model.fit(XS, YS, epochs=1, batch_size=16, verbose=0)
    loaded.fit(XS, YS, epochs=1, batch_size=16, verbose=0)
    for a, b in zip(model.get_weights(), loaded.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_load_checks_the_weights_inside_a_block(tmp_path: Path) -> None:
    model = residual_model()
    model.save(tmp_path / "res.npz")
    with np.load(tmp_path / "res.npz") as archive:
        arrays = {key: archive[key] for key in archive.files}
    k = model.layers[1].weight_names.index("1.running_var")
    arrays[f"weights/1/{k}"] = -np.ones(8, dtype=np.float32)
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(ValueError, match=r"1\.running_var.*must be >= 0"):
        gl.load_model(tmp_path / "bad.npz")
    config = json.loads(str(arrays.pop("__config__")))
    config["model"]["layers"][2]["config"]["block"][0]["config"]["units"] = 5
    arrays["__config__"] = np.array(json.dumps(config))
    np.savez(tmp_path / "wide.npz", **arrays)
    with pytest.raises(ValueError, match="input width 8, output width 5"):
        gl.load_model(tmp_path / "wide.npz")


def test_deepcopy_is_independent_and_keeps_the_shared_arrays() -> None:
    model = residual_model()
    model.compile(optimizer="adam", loss="cross_entropy")
    twin = copy.deepcopy(model)
    np.testing.assert_array_equal(twin.predict(XS), model.predict(XS))
    block = twin.layers[2]
    assert block.params["0.W"] is block.layers[0].params["W"]
    assert block.grads["0.W"] is block.layers[0].grads["W"]
    before = model.get_weights()
    twin.fit(XS, YS, epochs=1, batch_size=32, verbose=0)
    assert not np.array_equal(twin.get_weights()[8], before[8])
    for a, b in zip(model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(a, b)


def test_summary_lists_the_block_with_its_params() -> None:
    model = residual_model()
    lines: list[str] = []
    model.summary(print_fn=lines.append)
    text = lines[0]
    assert "Residual(Dense(8, linear) -> BatchNorm -> Activation(relu) -> Dropout(0.1))" in text
    assert "Residual(Dense(8, sigmoid))" in text
    rows = model.summary_rows()
    assert [r["params"] for r in rows] == [24, 72 + 16, 72, 27]
    assert sum(r["params"] for r in rows) == model.count_params() == 211
    assert rows[2]["cached_bytes"] > 0


def test_weight_penalty_reaches_the_kernels_inside_blocks() -> None:
    model = residual_model("float64", dropout=0.0)
    model.compile(optimizer=optimizers.SGD(lr=0.0), loss="cross_entropy")
    penalty = callbacks.WeightPenalty("l2", 0.1)
    model.fit(XS, YS, epochs=1, batch_size=len(XS), verbose=0, callbacks=[penalty])
    kernels = [model.layers[0].params["W"], model.layers[1].params["0.W"]]
    kernels += [model.layers[2].params["0.W"], model.layers[3].params["W"]]
    expected = 0.5 * 0.1 * len(XS) * sum(float(np.vdot(w, w)) for w in kernels)
    assert penalty.take_penalty() == pytest.approx(expected, rel=1e-12)


def test_diagnostics_measure_a_block_as_one_layer() -> None:
    model = residual_model("float64")
    model.compile(optimizer="sgd", loss="cross_entropy")
    stats = diagnostics.snapshot(model, XS, YS)
    assert [s["name"] for s in stats][1].startswith("1 Residual(Dense(8, linear)")
    assert stats[1]["grad_w_norm"] > 0 and stats[2]["grad_w_norm"] > 0
    bn = model.layers[1].layers[1]
    np.testing.assert_array_equal(bn.buffers["running_mean"], 0.0)  # measured on copies
    # "batch" statistics reach the BatchNorm inside the block: its output is standardised
    batch_out = diagnostics.layer_outputs(model, XS)[1][1]
    running_out = diagnostics.layer_outputs(model, XS, batchnorm="running")[1][1]
    h = model.layers[0].forward(X64)
    z = model.layers[1].layers[0].forward(h)
    standardised = np.maximum(BatchNorm().forward(z, training=True), 0)
    np.testing.assert_allclose(batch_out, h + standardised, rtol=1e-4, atol=1e-9)
    assert not np.allclose(batch_out, running_out)


def test_a_non_finite_inner_weight_is_named_in_the_divergence_report() -> None:
    model = residual_model("float64", dropout=0.0)
    model.compile(optimizer="sgd", loss="cross_entropy")
    model.layers[2].params["0.W"][0, 0] = np.nan
    with pytest.raises(gl.TrainingDivergedError, match=r"weights '0.W' of layer 2 Residual"):
        model.train_on_batch(XS, YS)


# -- mlp(residual=True) --------------------------------------------------------------------------
def kinds(model: gl.Sequential) -> list[str]:
    return [
        f"Residual[{','.join(type(x).__name__ for x in layer.layers)}]"
        if isinstance(layer, Residual)
        else type(layer).__name__
        for layer in model.layers
    ]


@pytest.mark.parametrize(
    ("hidden", "input_dim", "kwargs", "expected"),
    [
        ([8, 8, 8], 2, {}, ["Dense", "Residual[Dense]", "Residual[Dense]", "Dense"]),
        ([8, 8, 8], 8, {}, ["Residual[Dense]"] * 3 + ["Dense"]),
        ([8, 8, 8], None, {}, ["Dense", "Residual[Dense]", "Residual[Dense]", "Dense"]),
        ([8, 4, 4], 2, {}, ["Dense", "Dense", "Residual[Dense]", "Dense"]),
        (
            [6, 6],
            3,
            {"batch_norm": True, "dropout": 0.1},
            [
                *["Dense", "BatchNorm", "Activation", "Dropout"],
                *["Residual[Dense,BatchNorm,Activation,Dropout]", "Dense"],
            ],
        ),
        ([6, 6], 6, {"activation": layers.PReLU}, ["Residual[Dense,PReLU]"] * 2 + ["Dense"]),
        ([], 4, {}, ["Dense"]),
    ],
)
def test_mlp_wraps_the_blocks_that_keep_their_width(hidden, input_dim, kwargs, expected) -> None:
    net = mlp(hidden, 2, input_dim=input_dim, residual=True, **kwargs)
    assert kinds(net) == expected
    if input_dim is None:
        net.build(2)


def test_mlp_residual_draws_the_same_weights_and_is_validated() -> None:
    plain = mlp([8, 8, 8], 3, input_dim=2, activation="tanh", batch_norm=True, seed=3)
    res = mlp([8, 8, 8], 3, input_dim=2, activation="tanh", batch_norm=True, seed=3, residual=True)
    assert plain.count_params() == res.count_params()
    for a, b in zip(plain.get_weights(), res.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(TypeError, match="residual must be a bool"):
        mlp([8], 2, residual="yes")


@pytest.mark.filterwarnings("ignore::gradlab.TrainingStalledWarning")
def test_residual_connections_keep_the_first_layer_gradient_of_a_deep_sigmoid_net() -> None:
    """10 sigmoid layers: in the plain stack the first kernel's gradient is a product of nine
    factors of at most 1/4 times ‖W‖; the skip connections add an identity path around each.
    Measured ratios (5 seeds, after 3 epochs of SGD): 3.8e5 to 1.2e6; asserted: 1e3 (median)
    and 1e2 (every seed)."""
    X, y = datasets.spirals(256, n_classes=2, seed=0)

    def first_kernel_grad_norm(residual: bool, seed: int) -> float:
        net = mlp([16] * 10, 2, input_dim=2, activation="sigmoid", residual=residual, seed=seed)
        net.compile(optimizer=optimizers.SGD(lr=0.1), loss="cross_entropy")
        net.fit(X, y, epochs=3, batch_size=32, verbose=0)
        net.compute_gradients(X.astype(np.float32), y)
        return float(np.linalg.norm(net.layers[0].grads["W"]))

    ratios = [first_kernel_grad_norm(True, s) / first_kernel_grad_norm(False, s) for s in range(5)]
    assert statistics.median(ratios) > 1e3, ratios
    assert min(ratios) > 1e2, ratios
