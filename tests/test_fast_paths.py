"""The engine's speed paths give the numbers of the plain paths, and never alias what they return.

* Sequential packs every parameter into one buffer (and every gradient into another); an
  optimizer given packed arrays updates them in one go. Both must equal per-array updates
  exactly, for every registered optimizer and its options.
* Layers' ``forward_train`` / ``backward_train`` and activations' ``forward_train`` /
  ``vjp_train`` skip checks, not maths: same values as ``forward`` / ``backward`` / ``vjp``,
  new arrays every call, arguments untouched.
* Losses split into ``check`` + ``forward_train``; ``fit`` converts targets once.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import gradlab as gl
from gradlab import activations, callbacks, layers, losses, optimizers
from test_optimizers import CONFIG_IDS, CONFIGS  # every optimizer, and options for all state

ELEMENTWISE = [n for n in activations.names() if activations.get(n).info.elementwise]


def mlp(seed: int = 0, dtype: str = "float32", activation: str = "relu") -> gl.Sequential:
    return gl.Sequential(
        [layers.Dense(16, activation), layers.Dense(8, "tanh"), layers.Dense(3)],
        input_dim=5,
        seed=seed,
        dtype=dtype,
    )


def data(n: int = 96, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, 5)), rng.integers(0, 3, n)


def twins() -> tuple[gl.Sequential, gl.Sequential]:
    """Two identical models compiled with Adam and cross entropy."""
    pair = mlp(), mlp()
    for model in pair:
        model.compile(optimizer=optimizers.Adam(lr=0.01), loss="cross_entropy")
    return pair


def assert_same_weights(a: gl.Sequential, b: gl.Sequential) -> None:
    for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
        assert np.array_equal(wa, wb)


# ---- packed weights ---------------------------------------------------------------------------
def test_model_weights_and_grads_are_views_of_one_buffer_each():
    model = mlp()
    flat_p, flat_g = model._flat_params, model._flat_grads
    assert all(p.base is flat_p for p in model._params)
    assert all(g.base is flat_g for g in model._grads)
    assert sum(p.size for p in model._params) == flat_p.size == model.count_params()
    for layer in model.layers:  # the layers write and read the same arrays
        for k in layer.params:
            assert np.shares_memory(layer.params[k], flat_p)
            assert np.shares_memory(layer.grads[k], flat_g)


def test_packing_keeps_the_initial_weights():
    model = gl.Sequential([layers.Dense(16, "relu"), layers.Dense(3)], input_dim=5, seed=3)
    rng = np.random.default_rng(np.random.SeedSequence(3).spawn(2)[0])  # the model's init rng
    loose = [layers.Dense(16, "relu"), layers.Dense(3)]
    loose[0].build(5, rng=rng, dtype="float32")
    loose[1].build(16, rng=rng, dtype="float32")
    expected = [w for layer in loose for w in layer.weights]
    for a, b in zip(model.get_weights(), expected, strict=True):
        assert np.array_equal(a, b)


@pytest.mark.parametrize(("name", "kwargs"), CONFIGS, ids=CONFIG_IDS)
@pytest.mark.parametrize("clip", [{}, {"clip_norm": 0.05, "clip_value": 0.02}], ids=["", "clip"])
def test_packed_step_equals_per_array_step(name: str, kwargs: dict[str, Any], clip: dict):
    X, y = data()
    model = mlp(dtype="float64")
    model.compile(optimizer=optimizers.get(name).__class__(**kwargs, **clip), loss="ce")
    twin = optimizers.get(name).__class__(**kwargs, **clip)
    loose = [p.copy() for p in model._params]  # separate arrays: the per-array path
    for step in range(4):
        rows = slice(24 * step, 24 * step + 24)
        model.compute_gradients(X[rows], y[rows])
        grads = [g.copy() for g in model._grads]
        model.optimizer.step(model._params, model._grads)
        twin.step(loose, grads)
        assert model.optimizer._known[2] is not None  # the packed path ran
        assert twin._known[2] is None
        for a, b in zip(model._params, loose, strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-15)
        assert model.optimizer.last_grad_norm == pytest.approx(twin.last_grad_norm, rel=1e-12)
    state, twin_state = model.optimizer.get_state(), twin.get_state()
    assert sorted(state) == sorted(twin_state)
    for key, value in state.items():
        np.testing.assert_allclose(value, twin_state[key], rtol=1e-13, atol=1e-15)


def test_packed_state_round_trips_through_set_state():
    X, y = data()
    a, b = twins()
    a.fit(X, y, epochs=1, batch_size=32, verbose=0)
    b.set_weights(a.get_weights())
    b.optimizer.set_state(a.optimizer.get_state())
    b.rng = np.random.default_rng(1)
    a.rng = np.random.default_rng(1)
    a.fit(X, y, epochs=1, batch_size=32, verbose=0)
    b.fit(X, y, epochs=1, batch_size=32, verbose=0)
    assert_same_weights(a, b)


def test_optimizer_notices_new_arrays_after_the_first_step():
    first = [np.ones(3), np.ones(2)]
    opt = optimizers.SGD(lr=0.5)
    opt.step(first, [np.ones(3), np.ones(2)])
    other = [np.zeros(3), np.zeros(2)]
    opt.step(other, [np.ones(3), np.ones(2)])
    np.testing.assert_array_equal(other[0], -0.5)
    np.testing.assert_array_equal(first[0], 0.5)
    with pytest.raises(ValueError, match="state was built for"):
        opt.step([np.ones(4)], [np.ones(4)])


def test_two_fits_of_one_epoch_equal_one_fit_of_two():
    X, y = data()
    one, two = twins()
    one.fit(X, y, epochs=2, batch_size=20, verbose=0)
    two.fit(X, y, epochs=1, batch_size=20, verbose=0)
    two.fit(X, y, epochs=1, batch_size=20, verbose=0)
    assert_same_weights(one, two)


@pytest.mark.parametrize("shuffle", [True, False])
def test_fit_matches_a_hand_written_loop_over_the_public_layer_api(shuffle: bool):
    X, y = data()
    model, ref = mlp(), mlp()
    model.compile(optimizer=optimizers.SGD(lr=0.1, momentum=0.9), loss="cross_entropy")
    model.fit(X, y, epochs=2, batch_size=40, shuffle=shuffle, verbose=0)
    loss, opt = losses.get("cross_entropy"), optimizers.SGD(lr=0.1, momentum=0.9)
    params = [p.copy() for layer in ref.layers for p in layer.weights]  # unpacked copies
    grads = []
    Xf = X.astype(np.float32)
    rng = np.random.default_rng(np.random.SeedSequence(0).spawn(2)[1])
    for _ in range(2):
        order = rng.permutation(len(X)) if shuffle else np.arange(len(X))
        for start in range(0, len(X), 40):
            rows = order[start : start + 40]
            h = Xf[rows]
            for i, layer in enumerate(ref.layers):
                layer.params["W"], layer.params["b"] = params[2 * i], params[2 * i + 1]
            for layer in ref.layers[:-1]:
                h = layer.forward(h, training=True)
            h = ref.layers[-1].forward(h, training=True)
            loss.forward(h, y[rows])
            g = loss.backward()
            for layer in reversed(ref.layers):
                g = layer.backward(g)
            grads = [layer.grads[k].copy() for layer in ref.layers for k in ("W", "b")]
            opt.step(params, grads)
    for a, b in zip(model.get_weights(), params, strict=True):
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=1e-6)


@pytest.mark.parametrize("last", ["linear", "softmax"])
def test_fit_with_a_smaller_last_batch_equals_the_public_api_bit_for_bit(last: str):
    """Plain SGD, cross entropy (fused with a softmax output or on a linear one), 96 samples in
    batches of 40 (the last has 16): the training kernels, the per-shape loss constants and the
    packed update give exactly the numbers of the checked public methods."""
    X, y = data()
    build = lambda: gl.Sequential(  # noqa: E731
        [layers.Dense(16, "relu"), layers.Dense(8, "tanh"), layers.Dense(3, last)], input_dim=5
    )
    model, ref = build(), build()
    model.compile(optimizer=optimizers.SGD(lr=0.1), loss="cross_entropy")
    model.fit(X, y, epochs=2, batch_size=40, verbose=0)
    loss, opt = losses.get("cross_entropy"), optimizers.SGD(lr=0.1)
    params = [p.copy() for layer in ref.layers for p in layer.weights]  # unpacked copies
    for i, layer in enumerate(ref.layers):
        layer.params["W"], layer.params["b"] = params[2 * i], params[2 * i + 1]
        layer.grads = {k: np.zeros_like(v) for k, v in layer.params.items()}
    Xf = X.astype(np.float32)
    rng = np.random.default_rng(np.random.SeedSequence(0).spawn(2)[1])
    for _ in range(2):
        order = rng.permutation(len(X))
        for start in range(0, len(X), 40):
            rows = order[start : start + 40]
            h = Xf[rows]
            for layer in ref.layers[:-1]:
                h = layer.forward(h, training=True)
            h = ref.layers[-1].forward(h, training=True, apply_activation=False)
            loss.forward(h, y[rows])
            g = loss.backward()
            for layer in reversed(ref.layers):
                g = layer.backward(g)
            opt.step(params, [layer.grads[k] for layer in ref.layers for k in ("W", "b")])
    for a, b in zip(model.get_weights(), params, strict=True):
        np.testing.assert_array_equal(a, b)


# ---- no aliasing ------------------------------------------------------------------------------
@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "linear", "softmax", "rrelu"])
def test_dense_outputs_and_input_grads_are_never_overwritten(activation: str):
    rng = np.random.default_rng(0)
    layer = layers.Dense(4, activation)
    layer.build(3, rng=rng, dtype="float32")
    x1, x2 = (rng.standard_normal((5, 3), dtype=np.float32) for _ in range(2))
    g1, g2 = (rng.standard_normal((5, 4), dtype=np.float32) for _ in range(2))
    keep_x1, keep_g1 = x1.copy(), g1.copy()
    y1 = layer.forward_train(x1)
    keep_y1 = y1.copy()
    d1 = layer.backward_train(g1)
    keep_d1, keep_gW = d1.copy(), layer.grads["W"].copy()
    y2 = layer.forward_train(x2)
    d2 = layer.backward_train(g2)
    assert y2 is not y1 and d2 is not d1
    np.testing.assert_array_equal(y1, keep_y1)
    np.testing.assert_array_equal(d1, keep_d1)
    assert not np.array_equal(layer.grads["W"], keep_gW)
    np.testing.assert_array_equal(x1, keep_x1)  # arguments untouched
    np.testing.assert_array_equal(g1, keep_g1)


@pytest.mark.parametrize("activation", ["relu", "tanh", "linear", "softmax"])
def test_dense_training_kernels_equal_the_checked_methods(activation: str):
    rng = np.random.default_rng(1)
    fast, slow = layers.Dense(4, activation), layers.Dense(4, activation)
    fast.build(3, rng=np.random.default_rng(0), dtype="float64")
    slow.build(3, rng=np.random.default_rng(0), dtype="float64")
    x, g = rng.standard_normal((6, 3)), rng.standard_normal((6, 4))
    x0, g0 = x.copy(), g.copy()
    np.testing.assert_array_equal(fast.forward_train(x), slow.forward(x, training=True))
    np.testing.assert_array_equal(fast.backward_train(g), slow.backward(g))
    for k in ("W", "b"):
        np.testing.assert_array_equal(fast.grads[k], slow.grads[k])
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(g, g0)
    if activation == "linear":  # the bias gradient is the column sum of grad_out
        np.testing.assert_allclose(fast.grads["b"], g.sum(axis=0), rtol=1e-14)


@pytest.mark.parametrize("layer_type", ["dense", "activation"])
def test_training_logits_equal_the_checked_forward_without_activation(layer_type: str):
    rng = np.random.default_rng(5)
    make = (
        (lambda: layers.Dense(4, "softmax"))
        if layer_type == "dense"
        else (lambda: layers.Activation("softmax"))
    )
    fast, slow = make(), make()
    fast.build(4, rng=np.random.default_rng(0), dtype="float64")
    slow.build(4, rng=np.random.default_rng(0), dtype="float64")
    x, g = rng.standard_normal((6, 4)), rng.standard_normal((6, 4))
    z = fast.forward_train_logits(x)
    np.testing.assert_array_equal(z, slow.forward(x, True, apply_activation=False))
    if layer_type == "dense":  # (an Activation without its activation is the identity)
        assert not np.shares_memory(z, x)
    np.testing.assert_array_equal(fast.backward_train(g), slow.backward(g))
    for k in fast.grads:
        np.testing.assert_array_equal(fast.grads[k], slow.grads[k])


def test_dense_backward_casts_a_float64_upstream_gradient_to_its_dtype():
    layer = layers.Dense(2)
    layer.build(3, rng=np.random.default_rng(0), dtype="float32")
    layer.forward(np.ones((4, 3), np.float32), training=True)
    grad_in = layer.backward(np.ones((4, 2)))
    assert grad_in.dtype == np.float32 and layer.grads["b"].tolist() == [4.0, 4.0]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", ELEMENTWISE)
def test_activation_training_kernels_equal_the_public_ones(name: str, dtype: str):
    act = activations.get(name)
    rng = np.random.default_rng(2)
    x = (rng.standard_normal((7, 5)) * 3).astype(dtype)
    x[0, :3] = [0.0, 1.0, -1.0]
    g = rng.standard_normal((7, 5)).astype(dtype)
    act_fast, act_slow = act, act
    if name == "rrelu":  # random while training: two twins draw the same slopes
        config = {"name": "rrelu", "config": {"seed": 0}}
        act_fast, act_slow = activations.get(config), activations.get(config)
    x0, g0 = x.copy(), g.copy()
    y_fast = act_fast.forward_train(x)
    y_slow = act_slow(x, training=True)
    np.testing.assert_array_equal(y_fast, y_slow)
    y0 = y_fast.copy()
    d_fast = act_fast.vjp_train(x, g, y_fast)
    d_slow = act_slow.vjp(x, g, y_slow, training=True)
    np.testing.assert_array_equal(d_fast, d_slow)
    assert d_fast.dtype == np.dtype(dtype)
    for arr, ref in ((x, x0), (g, g0), (y_fast, y0)):
        np.testing.assert_array_equal(arr, ref)  # arguments untouched
    assert not np.shares_memory(d_fast, x) and not np.shares_memory(d_fast, y_fast)


@pytest.mark.parametrize(
    "config",
    [{}, {"negative_slope": 0.1}, {"max_value": 6.0}, {"threshold": 0.5}],
)
def test_relu_training_forward_equals_the_public_one_bit_for_bit(config: dict):
    """The plain ReLU's own kernel and the general path for the others: same bits (the sign of
    zero included: max(-0.0, 0) is +0.0, as torch gives) and NaN kept."""
    act = activations.get({"name": "relu", "config": config})
    x = np.array([[-0.0, 0.0, -2.0, 0.5, 7.0, np.nan]], dtype=np.float32)
    got, want = act.forward_train(x), act(x, training=True)
    assert got.tobytes() == want.tobytes()
    if not config:
        assert got.tobytes() == np.array([[0, 0, 0, 0.5, 7, np.nan]], np.float32).tobytes()


# ---- losses -----------------------------------------------------------------------------------
LOSS_CASES = [
    ("cross_entropy", lambda rng: rng.integers(0, 4, 6)),
    ("cross_entropy", lambda rng: np.eye(4)[rng.integers(0, 4, 6)]),
    ("binary_cross_entropy", lambda rng: rng.integers(0, 2, (6, 4)).astype(float)),
    ("mse", lambda rng: rng.standard_normal((6, 4))),
    ("nll", lambda rng: rng.integers(0, 4, 6)),
]


@pytest.mark.parametrize(("name", "target"), LOSS_CASES, ids=[c[0] for c in LOSS_CASES])
def test_loss_check_then_forward_train_equals_forward(name: str, target):
    rng = np.random.default_rng(3)
    z = rng.standard_normal((6, 4)) * 4
    if name == "nll":
        z = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    y = target(rng)
    a, b = losses.get(name), losses.get(name)
    value = a.forward(z, y)
    z_checked, t = b.check(z, y)
    assert b.forward_train(z_checked, t) == value
    np.testing.assert_array_equal(a.backward(), b.backward())


def test_cross_entropy_per_shape_constants_follow_the_batch_size():
    """The label offsets and ones kept per (rows, classes, dtype) give, batch after batch of
    changing sizes (the last smaller batch), the numbers of a fresh loss; backward is a new
    array on every call and leaves the cached probabilities alone."""
    rng = np.random.default_rng(4)
    kept = losses.get("cross_entropy")
    for n in (8, 8, 5, 8, 1, 0, 5, *range(9, 20)):
        for dtype in (np.float32, np.float64):
            z = (rng.standard_normal((n, 4)) * 5).astype(dtype)
            y = rng.integers(0, 4, n)
            fresh = losses.get("cross_entropy")
            assert kept.forward_train(*kept.check(z, y)) == fresh.forward(z, y)
            g1, g2 = kept.backward(), kept.backward()
            assert g1 is not g2 and g1.dtype == dtype
            np.testing.assert_array_equal(g1, fresh.backward())
            np.testing.assert_array_equal(g1, g2)
            expected = np.exp(z - z.max(axis=1, keepdims=True)) if n else z
            expected = expected / expected.sum(axis=1, keepdims=True) if n else z
            expected[np.arange(n), y] -= 1
            np.testing.assert_allclose(g1, expected / max(n, 1), rtol=1e-5, atol=1e-7)
    assert len(kept._constants_by_shape) <= 8  # a bounded store, whatever the batch sizes


def test_an_unpickled_cross_entropy_makes_its_constants_again():
    import pickle

    z, y = np.random.default_rng(6).standard_normal((5, 3)), np.array([0, 2, 1, 1, 0])
    loss = losses.get("cross_entropy")
    value = loss.forward(z, y)
    state = dict(loss.__dict__)
    state.pop("_constants_by_shape")  # as pickled by a version without them
    old = pickle.loads(pickle.dumps(loss))
    old.__dict__.clear()
    old.__dict__.update(state)
    assert old.forward(z, y) == value


def test_binary_cross_entropy_is_finite_and_exact_at_extreme_logits():
    bce = losses.get("bce")
    z = np.array([[-1e4], [-50.0], [0.0], [50.0], [1e4]])
    y = np.array([1.0, 0.0, 1.0, 1.0, 0.0])
    with np.errstate(all="raise", under="ignore"):
        value = bce.forward(z, y)
        grad = bce.backward()
    assert value == pytest.approx((1e4 + np.log(2) + 1e4) / 5)
    # sigmoid(-50) = 1.9e-22 keeps its relative accuracy; sigmoid(50) rounds to 1 (as torch).
    expected = [-0.2, np.exp(-50) / (1 + np.exp(-50)) / 5, -0.1, 0.0, 0.2]
    np.testing.assert_allclose(grad[:, 0], expected, rtol=1e-12, atol=0)


# ---- error state ------------------------------------------------------------------------------
def test_callbacks_run_under_the_callers_numpy_error_state():
    X, y = data()
    model = mlp()
    model.compile(optimizer="sgd", loss="cross_entropy")
    seen = []

    def hook(batch, logs):
        seen.append(np.geterr()["over"])

    cb = callbacks.LambdaCallback(on_batch_end=hook, on_after_backward=hook)
    with np.errstate(over="raise"):
        model.fit(X, y, epochs=1, batch_size=48, verbose=0, callbacks=[cb])
    assert seen == ["raise"] * 4


def test_an_update_that_overflows_the_weights_is_diagnosed_in_the_same_epoch():
    X, y = data(n=8)  # one batch: finite loss and gradients, then W -= lr * dW overflows
    model = gl.Sequential([layers.Dense(3)], input_dim=5, seed=0)
    model.compile(optimizer=optimizers.SGD(lr=1e30), loss="cross_entropy")
    with pytest.raises(gl.TrainingDivergedError, match=r"epoch 1, batch 1: .*weights"):
        model.fit(X * 1e10, y, epochs=1, batch_size=8, verbose=0)


# ---- float32 end to end -----------------------------------------------------------------------
@pytest.mark.parametrize("loss", ["cross_entropy", "binary_cross_entropy", "mse"])
def test_a_float32_training_step_creates_no_float64_arrays(loss: str):
    X, y = data()
    out = 1 if loss == "binary_cross_entropy" else 3
    model = gl.Sequential(
        [layers.Dense(16, "relu"), layers.Dense(8, "tanh"), layers.Dense(out)], input_dim=5
    )
    model.compile(optimizer=optimizers.Adam(lr=0.01), loss=loss)
    target = {"cross_entropy": y, "binary_cross_entropy": y % 2, "mse": np.eye(3)[y]}[loss]
    model.train_on_batch(X, target)
    cached = [v for layer in model.layers for v in layer._cache.values() if hasattr(v, "dtype")]
    assert cached and all(v.dtype == np.float32 for v in cached)
    assert model.loss.backward().dtype == np.float32
    assert all(s.dtype == np.float32 for slot in model.optimizer._state.values() for s in slot)


@pytest.mark.parametrize("how", ["deepcopy", "pickle", "replaced"])
def test_a_copied_or_unpickled_model_is_packed_again_before_training(how: str):
    import copy
    import pickle

    X, y = data()
    model, twin = mlp(), mlp()
    for m in (model, twin):
        m.compile(optimizer=optimizers.SGD(lr=0.1, clip_norm=0.05), loss="cross_entropy")
    if how == "deepcopy":
        model = copy.deepcopy(model)
    elif how == "pickle":
        model = pickle.loads(pickle.dumps(model))
    else:  # a layer's array swapped for an equal one
        model.layers[1].params["W"] = model.layers[1].params["W"].copy()
    model.fit(X, y, epochs=2, batch_size=24, verbose=0)
    twin.fit(X, y, epochs=2, batch_size=24, verbose=0)
    assert model._packed()
    assert model.optimizer.last_grad_norm == twin.optimizer.last_grad_norm
    assert_same_weights(model, twin)
