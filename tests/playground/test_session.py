"""The playground session: data, model, training, the state message and the presets."""

from __future__ import annotations

import base64
import itertools
import json
import math

import numpy as np
import pytest

from gradlab.callbacks import WeightPenalty
from gradlab.layers import BatchNorm, Dense, Dropout
from gradlab.model import mlp
from gradlab.playground.config import LIMITS, ProtocolError
from gradlab.playground.data import feature_matrix, grid_points
from gradlab.playground.session import Session, _GradientNorms

G = LIMITS["grid"]


def decode(data: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(data), dtype=np.uint8)


def strip(state: dict) -> dict:
    out = dict(state)
    out.pop("compute_ms")
    return out


def train(session: Session, epochs: int) -> dict:
    for _ in range(epochs):
        session.step_epoch()
    return session.state()


def flat_weights(session: Session) -> np.ndarray:
    return np.concatenate([w.ravel() for w in session.model.get_weights()])


def dense_layers(session: Session) -> list[Dense]:
    """The model's Dense layers, input side first, inside shortcut blocks too."""
    out = []
    for layer in session.model.layers:
        inner = getattr(layer, "layers", [layer])  # a Residual holds its block in .layers
        out += [x for x in inner if isinstance(x, Dense)]
    return out


def kill_layer(session: Session, index: int) -> None:
    """Make every unit of hidden layer ``index`` (a ReLU layer) dead on every point: zero
    kernel, bias -1, so its pre-activation is -1 everywhere."""
    dense = dense_layers(session)[index]
    dense.params["W"][...] = 0.0  # in place: the model's one weight buffer
    dense.params["b"][...] = -1.0


# -- determinism, step, reset, regenerate ---------------------------------------------------------
def test_same_seed_same_numbers():
    config = {"noise": 20, "dropout": 0.2, "seed": 5}
    a, b = Session(config), Session(config)
    assert a.data_message() == b.data_message()
    assert strip(train(a, 3)) == strip(train(b, 3))


def test_other_seed_other_numbers():
    a, b = Session({"seed": 1}), Session({"seed": 2})
    assert a.data_message()["train"] != b.data_message()["train"]
    assert a.state()["layers"][0]["W"] != b.state()["layers"][0]["W"]


def test_step_increases_epoch_and_steps():
    s = Session({"n_samples": 200, "train_ratio": 50, "batch_size": 30})
    first = s.state()
    assert (first["epoch"], first["steps"], first["running"]) == (0, 0, False)
    assert s.step_epoch() is True
    st = s.state()
    assert st["epoch"] == 1 and st["steps"] == math.ceil(100 / 30)
    assert s.run_for(0.0) == 1  # at least one epoch
    assert s.state()["epoch"] == 2
    assert s.run_for(0.05) >= 1


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_training_lowers_the_loss(seed):
    # Adam, not the defaults' plain SGD at 0.03, which learns the circle slowly on some seeds
    # (seed 6: loss only 1 % lower after 30 epochs). Measured on seeds 0-9: loss down to
    # 0.3-4 % of its start, 100 % train accuracy.
    s = Session({"optimizer": "adam", "learning_rate": 0.03, "seed": seed})
    before = s.state()["train_loss"]
    after = train(s, 30)
    assert after["train_loss"] < 0.25 * before
    assert after["train_accuracy"] > 0.95


def test_reset_keeps_data_and_draws_new_weights():
    s = Session()
    data = s.data_message()
    w0 = s.state()["layers"][0]["W"]
    train(s, 2)
    s.reset()
    st = s.state()
    assert st["epoch"] == 0 and st["steps"] == 0
    assert s.data_message() == data
    assert st["layers"][0]["W"] != w0
    # the same sequence of calls gives the same weights
    t = Session()
    t.reset()
    assert t.state()["layers"][0]["W"] == st["layers"][0]["W"]


def test_regenerate_draws_new_data():
    s = Session()
    data = s.data_message()
    train(s, 2)
    s.regenerate()
    assert s.epoch == 0
    new = s.data_message()
    assert new["train"] != data["train"]
    assert len(new["train"]) == len(data["train"])


def test_bad_config_leaves_the_session_unchanged():
    s = Session()
    train(s, 2)
    before = strip(s.state())
    with pytest.raises(ProtocolError) as info:
        s.apply_config({"layers": [{"units": 99, "activation": "tanh"}]})
    assert info.value.field == "config.layers[0].units"
    assert strip(s.state()) == before


def test_config_changes_report_data_changes():
    s = Session()
    assert s.apply_config({"learning_rate": 0.1})["data_changed"] is False
    assert s.apply_config({"noise": 10})["data_changed"] is True
    assert s.apply_config({"features": ["x1", "x2", "x1x2"]})["data_changed"] is False
    assert s.model.input_dim == 3


# -- data -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("dataset", ["circle", "xor", "gauss", "spiral", "plane", "reg_gauss"])
def test_data_message(dataset):
    s = Session({"dataset": dataset, "n_samples": 300, "train_ratio": 70, "noise": 30})
    msg = s.data_message()
    assert len(msg["train"]) == 210 and len(msg["test"]) == 90
    pts = np.array(msg["train"] + msg["test"])
    assert np.all(np.abs(pts[:, :2]) <= 6.0)
    assert pts[:, :2].std() > 1.0  # spread over the square, not squeezed into [-1, 1]
    if dataset in ("plane", "reg_gauss"):
        assert msg["task"] == "regression" and msg["n_classes"] == 1
        assert np.all(np.abs(pts[:, 2]) <= 1.0) and pts[:, 2].std() > 0.05
    else:
        assert msg["task"] == "classification" and msg["n_classes"] == 2
        assert set(pts[:, 2].tolist()) == {0.0, 1.0}
    json.dumps(msg, allow_nan=False)


def test_plane_target():
    s = Session({"dataset": "plane", "noise": 0})
    pts = np.array(s.data_message()["train"])
    np.testing.assert_allclose(pts[:, 2], (pts[:, 0] + pts[:, 1]) / 12, atol=2e-4)


def test_features():
    P = np.array([[1.0, -2.0]])
    X = feature_matrix(P, ["x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2"])
    np.testing.assert_allclose(X, [[1, -2, 1, 4, -2, math.sin(1), math.sin(-2)]])


def test_grid_orientation():
    g = grid_points()
    assert g.shape == (G * G, 2)
    np.testing.assert_allclose(g[0], [-6, 6])  # row 0 at x2 = +6, column 0 at x1 = -6
    np.testing.assert_allclose(g[G - 1], [6, 6])
    np.testing.assert_allclose(g[-1], [6, -6])


# -- the state message ----------------------------------------------------------------------------
def test_state_shapes_match_the_config():
    layers = [{"units": 3, "activation": "relu"}, {"units": 5, "activation": "sigmoid"}]
    s = Session({"layers": layers, "features": ["x1", "x2", "x1x2"]})
    st = s.state()
    assert [ly["units"] for ly in st["layers"]] == [3, 5, 1]
    assert [ly["activation"] for ly in st["layers"]] == ["relu", "sigmoid", "sigmoid"]
    widths = [3, 3, 5, 1]
    for ly, (fan_in, units) in zip(st["layers"], itertools.pairwise(widths), strict=True):
        assert np.array(ly["W"]).shape == (fan_in, units)
        assert len(ly["b"]) == units == len(ly["dead"]) == len(ly["saturated"])
        assert ly["grad_norm"] > 0 and ly["weight_norm"] > 0
    hm = st["heatmaps"]
    assert hm["grid"] == G
    assert [len(layer) for layer in hm["neurons"]] == [3, 5]
    for layer in hm["neurons"]:
        for n in layer:
            assert decode(n["data"]).size == G * G and n["lo"] <= n["hi"]
    assert hm["output"]["kind"] == "binary" and hm["output"]["classes"] is None
    assert decode(hm["output"]["data"]).size == G * G
    assert st["diverged"] is None and st["compute_ms"] >= 0
    json.dumps(st, allow_nan=False)


def test_no_hidden_layer_state():
    st = Session({"layers": []}).state()
    assert len(st["layers"]) == 1 and st["heatmaps"]["neurons"] == []


def test_heatmaps_decode_to_the_model_outputs():
    s = Session({"layers": [{"units": 3, "activation": "tanh"}]})
    train(s, 5)
    st = s.state()
    X = feature_matrix(grid_points(), s.config["features"]).astype(np.float32)
    p = s.model.predict(X)[:, 0]
    out = decode(st["heatmaps"]["output"]["data"]) / 255.0
    assert np.max(np.abs(out - p)) <= 1 / 255 + 1e-6
    dense = s.model.layers[0]
    hidden = np.tanh(X @ dense.params["W"] + dense.params["b"])
    for j, n in enumerate(st["heatmaps"]["neurons"][0]):
        values = n["lo"] + decode(n["data"]) / 255.0 * (n["hi"] - n["lo"])
        assert np.max(np.abs(values - hidden[:, j])) <= (n["hi"] - n["lo"]) / 255 + 1e-5
        assert n["lo"] == pytest.approx(hidden[:, j].min(), abs=1e-6)


def test_state_does_not_change_training():
    config = {"dropout": 0.3, "batchnorm": True}
    a, b = Session(config), Session(config)
    for _ in range(3):
        a.step_epoch()
        a.state()
        b.step_epoch()
    sa, sb = strip(a.state()), strip(b.state())
    for st in (sa, sb):  # the mean gradient norm covers the batches since the last state
        for layer in st["layers"]:
            layer.pop("grad_norm")
    assert sa == sb


def test_grad_norm_is_the_mean_before_regularization():
    model = mlp([], 2, input_dim=3, dtype="float64")  # one Dense(2) on 3 inputs
    dense = model.layers[0]
    # the session's callbacks, in its order: the gradient norms, then the L2 penalty
    probe = _GradientNorms([dense])
    callbacks = [probe, WeightPenalty("l2", 0.5)]
    for callback in callbacks:  # as fit does
        callback.set_model(model)
        callback.on_train_begin({})
    dense.grads["W"][...] = 1.0
    W = dense.params["W"].copy()
    for callback in callbacks:
        callback.on_after_backward(0, {"size": 1})
    dense.grads["W"][...] = 2.0
    for callback in callbacks:
        callback.on_after_backward(1, {"size": 1})
    np.testing.assert_allclose(probe.take(), [(math.sqrt(6) + math.sqrt(24)) / 2])
    np.testing.assert_allclose(dense.grads["W"], 2.0 + 0.5 * W)  # the penalty, added after
    assert probe.take() is None


# -- health words, blocked layers ---------------------------------------------------------------
def test_relu_layers_go_inactive_and_never_saturate():
    s = Session(
        {"layers": [{"units": 4, "activation": "relu"}, {"units": 3, "activation": "sigmoid"}]}
    )
    relu, sig, out = s.state()["layers"]
    assert relu["health"] == "inactive" and sig["health"] == "saturated"
    assert out["health"] == "saturated"  # the binary output is a sigmoid
    # a ReLU is off on the negative side of its boundary: about half the points
    assert 0.05 < np.mean(relu["inactive"]) < 0.95
    assert relu["saturated"] == [0.0] * 4
    # sigmoid units with huge weights sit on their flat tails: saturated, not inactive
    big = Session({"layers": [{"units": 3, "activation": "sigmoid"}], "init_scale": 10})
    layer = big.state()["layers"][0]
    assert np.mean(layer["saturated"]) > 0.3 and layer["inactive"] == [0.0] * 3
    assert Session({"dataset": "plane"}).state()["layers"][-1]["health"] is None  # linear


def test_dead_relu_layer_blocks_the_layers_before_it():
    # dying_relu's net (three ReLU layers of 8) with one more layer; layer 3 all dead
    config = {"layers": [{"units": 8, "activation": "relu"}] * 4}
    st = Session(config).state()
    assert [ly["blocked_by"] for ly in st["layers"]] == [None] * 5
    assert [ly["residual"] for ly in st["layers"]] == [False] * 5
    s = Session(config)
    kill_layer(s, 2)
    # layer 4 now gets only zeros: with its zero bias it would sit at relu's kink (f' = 0)
    # and be dead too; a positive bias keeps it alive
    dense_layers(s)[3].params["b"][...] = 0.5
    st = s.state()
    assert st["layers"][2]["dead"] == [True] * 8 and not any(st["layers"][3]["dead"])
    assert [ly["blocked_by"] for ly in st["layers"]] == [2, 2, None, None, None]
    # what it explains: no gradient reaches layers 1-3; the layers after still learn
    g = [ly["grad_norm"] for ly in st["layers"]]
    assert g[0] == g[1] == g[2] == 0.0 and g[4] > 0
    # with a dead layer further on too, the nearest one explains
    s = Session(config)
    kill_layer(s, 2)
    kill_layer(s, 3)
    assert [ly["blocked_by"] for ly in s.state()["layers"]] == [2, 2, 3, None, None]


def test_a_dead_block_with_a_shortcut_blocks_nothing():
    # the same net with shortcuts: layers 2-4 keep the width 8 and get one (layer 1 maps 2
    # features to 8: none). A dead block adds 0 to its input, and the gradient flows around it.
    config = {"layers": [{"units": 8, "activation": "relu"}] * 4, "residual": True}
    s = Session(config)
    kill_layer(s, 2)
    st = s.state()
    assert [ly["residual"] for ly in st["layers"]] == [False, True, True, True, False]
    assert st["layers"][2]["dead"] == [True] * 8
    assert not all(st["layers"][3]["dead"])  # it gets the shortcut's x, not zeros
    assert [ly["blocked_by"] for ly in st["layers"]] == [None] * 5
    g = [ly["grad_norm"] for ly in st["layers"]]
    assert g[2] == 0.0  # the dead block itself learns nothing
    assert g[0] > 0 and g[1] > 0  # but the layers before it do
    # a dead layer without a shortcut (the first) still blocks nothing before it: there is none
    s = Session(config)
    kill_layer(s, 0)
    assert [ly["blocked_by"] for ly in s.state()["layers"]] == [None] * 5


# -- shortcuts ------------------------------------------------------------------------------------
@pytest.mark.parametrize("extra", [{}, {"batchnorm": True}, {"dropout": 0.2}])
def test_residual_forward_is_the_models(extra):
    layers = [{"units": 3, "activation": "tanh"}, {"units": 3, "activation": "relu"}]
    s = Session({"layers": layers, "features": ["x1", "x2", "x1x2"], "residual": True, **extra})
    train(s, 3)
    assert [ly["residual"] for ly in s.state()["layers"]] == [True, True, False]
    X = feature_matrix(grid_points(), s.config["features"]).astype(np.float32)
    p = s.model.predict(X)[:, 0]
    out = decode(s.state()["heatmaps"]["output"]["data"]) / 255.0
    assert np.max(np.abs(out - p)) <= 1 / 255 + 1e-6
    # the first unit's map: its activation output, the block's own part (x is added after)
    h = s.model.layers[0].layers[0].forward(X, False, apply_activation=False)
    if extra.get("batchnorm"):
        h = s.model.layers[0].layers[1].forward(h, False)
    n = s.state()["heatmaps"]["neurons"][0][0]
    values = n["lo"] + decode(n["data"]) / 255.0 * (n["hi"] - n["lo"])
    assert np.max(np.abs(values - np.tanh(h[:, 0]))) <= (n["hi"] - n["lo"]) / 255 + 1e-5
    json.dumps(s.state(), allow_nan=False)


def test_residual_toggle_keeps_the_initial_weights():
    a = Session({"layers": [{"units": 2, "activation": "tanh"}] * 3})
    b = Session({"layers": [{"units": 2, "activation": "tanh"}] * 3, "residual": True})
    np.testing.assert_array_equal(flat_weights(a), flat_weights(b))
    assert a.state()["train_loss"] != b.state()["train_loss"]  # not the same function


# -- editing a weight ---------------------------------------------------------------------------
def test_weight_edit_shows_in_the_next_state_and_in_predictions():
    s = Session({"layers": [{"units": 3, "activation": "tanh"}]})
    train(s, 2)
    X = feature_matrix(grid_points(), s.config["features"]).astype(np.float32)
    before = s.model.predict(X)
    s.set_weight(0, "W", 1, 2, 3.5)
    s.set_weight(1, "b", 0, 0, -0.75)
    st = s.state()
    assert st["layers"][0]["W"][1][2] == 3.5 and st["layers"][1]["b"][0] == -0.75
    hidden, out = dense_layers(s)
    assert hidden.params["W"][1, 2] == 3.5 and out.params["b"][0] == -0.75
    after = s.model.predict(X)
    assert np.max(np.abs(after - before)) > 0.01
    h = np.tanh(X @ hidden.params["W"] + hidden.params["b"])
    expected = 1 / (1 + np.exp(-(h @ out.params["W"] + out.params["b"])))
    np.testing.assert_allclose(after, expected, atol=1e-5)
    p = decode(st["heatmaps"]["output"]["data"]) / 255.0  # the page's map follows
    assert np.max(np.abs(p - after[:, 0])) <= 1 / 255 + 1e-6


def test_weight_edit_keeps_the_optimizer_state():
    # Adam's moments: a session whose weight was "edited" to its own value trains on exactly
    # like an untouched twin (an edit that rebound the array, or reset the optimizer, would
    # not: the moments would restart, or the update would miss the layer).
    config = {"optimizer": "adam", "learning_rate": 0.03, "n_samples": 200}
    a, b = Session(config), Session(config)
    train(a, 2)
    train(b, 2)
    w = float(dense_layers(a)[0].params["W"][0, 1])
    a.set_weight(0, "W", 0, 1, w)
    train(a, 2)
    train(b, 2)
    np.testing.assert_array_equal(flat_weights(a), flat_weights(b))
    # a real edit: training goes on from the new value
    a.set_weight(0, "W", 0, 1, 50.0)
    a.step_epoch()
    assert abs(float(dense_layers(a)[0].params["W"][0, 1]) - 50.0) < 5.0


def test_weight_edit_while_playing_and_fresh_gradient():
    s = Session({"layers": [{"units": 4, "activation": "relu"}] * 2})
    s.running = True
    g0 = s.state()["layers"][0]["grad_norm"]
    # kill the second layer by hand: no gradient reaches the first one any more
    for unit in range(4):
        s.set_weight(1, "b", 0, unit, -50.0)
    st = s.state()
    assert st["running"] is True
    assert st["layers"][1]["dead"] == [True] * 4 and st["layers"][0]["blocked_by"] == 1
    assert g0 > 0 and st["layers"][0]["grad_norm"] == 0.0  # measured at the edited weights


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ((2, "W", 0, 0, 1.0), "layer"),  # one hidden layer and the output: 0 or 1
        ((-1, "W", 0, 0, 1.0), "layer"),
        ((0, "c", 0, 0, 1.0), "param"),
        ((0, "W", 2, 0, 1.0), "row"),  # 2 inputs: rows 0 and 1
        ((0, "b", 1, 0, 1.0), "row"),  # a bias has row 0 only
        ((0, "W", 0, 3, 1.0), "col"),  # 3 units
        ((1, "b", 0, 1, 1.0), "col"),  # one output unit
        ((0, "W", 0, 0, 100.5), "value"),
        ((0, "W", 0, 0, math.nan), "value"),
        ((0, "W", 0, 0, True), "value"),
        ((0, "W", 0.5, 0, 1.0), "row"),
    ],
)
def test_bad_weight_edits_name_their_field(args, field):
    s = Session({"layers": [{"units": 3, "activation": "tanh"}]})
    before = flat_weights(s)
    with pytest.raises(ProtocolError) as info:
        s.set_weight(*args)
    assert info.value.field == field
    assert "received" in info.value.message
    np.testing.assert_array_equal(flat_weights(s), before)


# -- options of the engine ------------------------------------------------------------------------
@pytest.mark.parametrize("reg", ["l1", "l2"])
def test_regularization_shrinks_weights(reg):
    base = {"layers": [{"units": 8, "activation": "tanh"}] * 2, "learning_rate": 0.1}
    plain = train(Session(base), 20)
    shrunk = train(Session({**base, "regularization": reg, "reg_rate": 0.05}), 20)
    for a, b in zip(plain["layers"], shrunk["layers"], strict=True):
        assert b["weight_norm"] < a["weight_norm"]
    # a rate of 0 is the same as none
    zero = train(Session({**base, "regularization": reg, "reg_rate": 0}), 20)
    assert strip(zero)["layers"] == strip(plain)["layers"]


def test_l1_makes_weights_sparse():
    base = {"layers": [{"units": 8, "activation": "tanh"}], "learning_rate": 0.1}
    plain = train(Session(base), 20)
    l1 = train(Session({**base, "regularization": "l1", "reg_rate": 0.03}), 20)
    small = [np.mean(np.abs(np.array(st["layers"][0]["W"])) < 0.05) for st in (plain, l1)]
    assert small[1] > small[0]


def test_clipping_bounds_every_update():
    config = {"learning_rate": 1.0, "clip_norm": 0.01, "batch_size": 25, "n_samples": 100}
    s = Session(config)
    before = flat_weights(s)
    s.step_epoch()
    steps = s.state()["steps"]
    moved = np.linalg.norm(flat_weights(s) - before)
    assert moved <= steps * 1.0 * 0.01 * (1 + 1e-4)
    free = Session({**config, "clip_norm": None})
    free.step_epoch()
    assert np.linalg.norm(flat_weights(free) - before) > moved * 2


def test_dropout():
    s = Session({"dropout": 0.5, "layers": [{"units": 8, "activation": "relu"}]})
    assert any(isinstance(layer, Dropout) for layer in s.model.layers)
    plain = Session({"layers": [{"units": 8, "activation": "relu"}]})
    train(s, 2)
    train(plain, 2)
    assert s.state()["layers"][0]["W"] != plain.state()["layers"][0]["W"]
    # inference has no dropout: two states in a row draw the same maps
    assert s.state()["heatmaps"] == s.state()["heatmaps"]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_batchnorm(seed):
    config = {"batchnorm": True, "layers": [{"units": 4, "activation": "tanh"}] * 2}
    # Adam: with the defaults' SGD at 0.03 five epochs took the loss anywhere from 51 to 99 %
    # of its start (seeds 0-9); with Adam 12-32 %, train accuracy 92-100 %.
    s = Session({**config, "optimizer": "adam", "learning_rate": 0.03, "seed": seed})
    assert sum(isinstance(layer, BatchNorm) for layer in s.model.layers) == 2
    bn = next(layer for layer in s.model.layers if isinstance(layer, BatchNorm))
    assert np.all(bn.buffers["running_mean"] == 0)
    before = s.state()["train_loss"]
    st = train(s, 5)
    assert np.any(bn.buffers["running_mean"] != 0)
    assert [ly["units"] for ly in st["layers"]] == [4, 4, 1]
    assert st["train_loss"] < 0.6 * before and st["train_accuracy"] > 0.85
    json.dumps(st, allow_nan=False)


def test_batchnorm_with_a_last_batch_of_one_sample():
    s = Session({"batchnorm": True, "n_samples": 102, "train_ratio": 50, "batch_size": 10})
    assert len(s.data["train"][1]) % 10 == 1
    assert s.step_epoch() is True


@pytest.mark.parametrize("dataset", ["gauss", "spiral"])
def test_multiclass(dataset):
    s = Session({"dataset": dataset, "classes": 3, "optimizer": "adam", "learning_rate": 0.03})
    assert s.data_message()["n_classes"] == 3
    st = train(s, 10)
    assert st["layers"][-1]["units"] == 3 and st["layers"][-1]["activation"] == "softmax"
    out = st["heatmaps"]["output"]
    assert out["kind"] == "multiclass"
    classes, conf = decode(out["classes"]), decode(out["data"])
    assert set(classes.tolist()) <= {0, 1, 2} and classes.size == G * G
    assert conf.min() >= 255 // 3  # the largest of 3 probabilities is at least 1/3
    if dataset == "gauss":
        assert st["train_accuracy"] > 0.9
        assert len(set(classes.tolist())) == 3


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("dataset", ["plane", "reg_gauss"])
def test_regression(dataset, seed):
    # Adam: with SGD at 0.01 the plane's loss after 20 epochs ranged 0.004-0.026 over seeds
    # 0-9 (so "< 0.01" held on seed 0 only by luck); with Adam 0.0006-0.0036, and reg_gauss
    # ended at 1-36 % of its first loss.
    s = Session({"dataset": dataset, "optimizer": "adam", "learning_rate": 0.01, "seed": seed})
    first = s.state()
    st = train(s, 20)
    assert st["train_accuracy"] is None and st["test_accuracy"] is None
    assert st["layers"][-1]["activation"] == "linear"
    assert st["heatmaps"]["output"]["kind"] == "regression"
    assert st["train_loss"] < 0.7 * first["train_loss"]
    if dataset == "plane":
        assert st["train_loss"] < 0.01


def test_divergence_is_reported_not_raised():
    s = Session(
        {
            "dataset": "plane",
            "layers": [{"units": 8, "activation": "exponential"}] * 3,
            "learning_rate": 10,
            "init_scale": 10,
        }
    )
    s.running = True
    assert s.run_for(5.0) >= 1  # stops at the divergence, long before 5 s
    assert s.diverged is not None and "diverged" in s.diverged
    assert s.running is False
    st = s.state()
    assert st["diverged"] == s.diverged and st["running"] is False
    json.dumps(st, allow_nan=False)  # the weights before the failed epoch: finite numbers
    s.reset()
    assert s.state()["diverged"] is None


def test_all_hidden_activations_give_a_finite_state():
    from gradlab.playground.config import hidden_activations

    for name in hidden_activations():
        s = Session({"layers": [{"units": 3, "activation": name}], "n_samples": 100})
        s.step_epoch()
        json.dumps(s.state(), allow_nan=False)


# -- presets do what they say ---------------------------------------------------------------------
def preset(name: str, seed: int = 0) -> Session:
    s = Session()
    s.apply_preset(name)
    if seed:
        s.apply_config({"seed": seed})
    return s


def test_preset_vanishing_sigmoid():
    st = train(preset("vanishing_sigmoid"), 10)
    g = [ly["grad_norm"] for ly in st["layers"]]
    assert len(g) == 7
    assert g[-1] / g[0] > 100  # orders of magnitude from the output back to the input
    assert all(a < b for a, b in itertools.pairwise(g))  # falls monotonically toward the input


def grad_ratio(state: dict) -> float:
    """The last hidden layer's gradient norm over the first's."""
    g = [ly["grad_norm"] for ly in state["layers"]]
    return g[-2] / g[0]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_preset_residual_sigmoid_reaches_the_first_layer(seed):
    # Measured on seeds 0-19, after 1 epoch: the ratio is 360-1670 without shortcuts and
    # 0.97-3.8 with them (0.5-2.4 after 10 and 30 epochs); with them train accuracy reached
    # 95 % within 25-50 epochs, without them it stayed at 50 % for 200 epochs.
    res = preset("residual_sigmoid", seed)
    assert res.config["residual"] is True
    plain = Session({**res.config, "residual": False})  # the toggle switched off
    assert {**plain.config, "residual": True} == res.config
    assert plain.config == preset("vanishing_sigmoid", seed).config
    for epochs in (1, 10):
        ratio_plain = grad_ratio(train(plain, epochs - plain.epoch))
        ratio_res = grad_ratio(train(res, epochs - res.epoch))
        assert ratio_plain > 100, (epochs, ratio_plain)
        assert 0.1 < ratio_res < 10, (epochs, ratio_res)
    st = train(res, 90)
    assert st["train_accuracy"] > 0.9 and st["test_accuracy"] > 0.9
    assert train(plain, 90)["train_accuracy"] < 0.75


def test_preset_dying_relu():
    st = train(preset("dying_relu"), 10)
    dead = [sum(ly["dead"]) for ly in st["layers"][:-1]]
    assert sum(dead) >= 6
    assert st["diverged"] is None


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_preset_xor_without_hidden_layer_is_stuck(seed):
    # A line cannot separate XOR: logistic regression (a convex problem, so every CPU ends
    # near the same optimum) stays at chance. Measured on seeds 0-9 after 100 epochs: loss
    # 0.683-0.696 (ln 2 = 0.693), accuracy 0.46-0.62 (train) and 0.39-0.60 (test).
    st = train(preset("xor_no_hidden", seed), 100)
    assert st["train_loss"] > 0.65
    assert 0.3 < st["train_accuracy"] < 0.7
    assert 0.3 < st["test_accuracy"] < 0.7


#: The issue's bound: the XOR-with-a-hidden-layer preset reaches it on every seed 0-9.
XOR_SOLVED = 0.95


def test_preset_xor_with_hidden_layer_is_solved_on_every_seed():
    # Measured after 60 epochs: 97.6-99.4 % test accuracy on seeds 0-9, at least 97.0 % on
    # seeds 0-39, the same with NumPy's AVX2/AVX-512 kernels off and OpenBLAS on Sandybridge
    # kernels, and unchanged when the initial weights are scaled by 1 +- 0.1 % noise.
    worst = []
    for seed in range(10):
        st = train(preset("xor_hidden", seed), 60)
        worst.append((min(st["train_accuracy"], st["test_accuracy"]), seed))
    assert min(worst)[0] >= XOR_SOLVED, sorted(worst)[:3]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_preset_batchnorm_rescues_a_saturated_net(seed):
    # Measured on seeds 0-9 after 20 epochs: without BatchNorm loss 0.62-0.69 (ln 2 = 0.693,
    # chance) and accuracy 0.47-0.69; with it loss 0.12-0.16 and accuracy 0.98-1.
    off = train(preset("batchnorm_off", seed), 20)
    on = train(preset("batchnorm_on", seed), 20)
    assert on["train_loss"] < 0.3 < 0.5 < off["train_loss"]
    assert off["train_accuracy"] < 0.8 < 0.9 < on["train_accuracy"]
    sat_off = np.mean(off["layers"][0]["saturated"])
    sat_on = np.mean(on["layers"][0]["saturated"])
    assert sat_off > 0.2 and sat_on < sat_off


def test_preset_spiral_multiclass():
    s = preset("spiral_multiclass")
    assert s.config["classes"] == 3 and s.config["optimizer"]["name"] == "adam"
    st = train(s, 100)
    assert st["train_accuracy"] > 0.85
