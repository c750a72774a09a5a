"""Diagnostics: each quantity against a direct computation, and no effect on training."""

from __future__ import annotations

import math

import numpy as np
import pytest
from matplotlib.figure import Figure

import gradlab as gl
from gradlab import diagnostics, layers, optimizers
from gradlab.diagnostics import Diagnostics


def _data(n=96, d=5, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = (X[:, 0] + X[:, 1] > 0).astype(np.int64)
    return X, y


def _model(stack=None, dtype="float64", lr=0.1):
    stack = stack or [
        layers.Dense(16, activation="relu"),
        layers.BatchNorm(),
        layers.Dropout(0.2),
        layers.Dense(8, activation="sigmoid"),
        layers.Dense(2),
    ]
    model = gl.Sequential(stack, input_dim=5, seed=3, dtype=dtype)
    model.compile(optimizer=optimizers.SGD(lr=lr), loss="cross_entropy")
    return model


def test_snapshot_leaves_the_model_untouched():
    X, y = _data()
    model = _model()
    model.fit(X, y, epochs=1, batch_size=32, verbose=0)
    before = [w.copy() for w in model.get_weights()]
    rng_state = model.rng.bit_generator.state
    diagnostics.snapshot(model, X, y)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights(), strict=True))
    assert model.rng.bit_generator.state == rng_state


def test_the_callback_does_not_change_the_training_trajectory():
    X, y = _data()
    plain, watched = _model(), _model()
    plain.fit(X, y, epochs=3, batch_size=16, verbose=0)
    diag = Diagnostics(every=2, data=(X, y))
    watched.fit(X, y, epochs=3, batch_size=16, verbose=0, callbacks=[diag])
    for a, b in zip(plain.get_weights(), watched.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_activation_statistics_against_a_direct_computation():
    X, y = _data()
    model = _model([layers.Dense(7, activation="tanh"), layers.Dense(2)])
    stats = diagnostics.snapshot(model, X, y)
    W, b = model.layers[0].params["W"], model.layers[0].params["b"]
    a = X @ W + b
    h = np.tanh(a)
    assert stats[0]["act_mean"] == pytest.approx(h.mean())
    assert stats[0]["act_std"] == pytest.approx(h.std())
    saturated = (1 - h**2) < 0.01
    assert stats[0]["frac_saturated"] == pytest.approx(saturated.mean())
    assert stats[0]["dead_frac"] == 0.0
    assert stats[1]["frac_saturated"] is None and stats[1]["dead_frac"] is None


def test_huge_but_finite_activations_give_finite_statistics_without_warnings():
    """A diverging network's outputs reach 1e200: their squares overflow float64. Before, the
    snapshot raised 'overflow encountered in square' (an error under this suite's config)
    from inside NumPy's std, in the middle of an estimator's fit."""
    X, y = _data()
    model = _model([layers.Dense(7, activation="relu"), layers.Dense(2)])
    model.layers[0].params["W"][...] *= 1e200
    stats = diagnostics.snapshot(model, X, y)  # RuntimeWarnings are errors here
    h = np.maximum(X @ model.layers[0].params["W"] + model.layers[0].params["b"], 0)
    scale = np.abs(h).max()
    assert math.isfinite(stats[0]["act_std"]) and stats[0]["act_std"] > 1e199
    assert stats[0]["act_std"] == pytest.approx(scale * (h / scale).std())
    assert stats[0]["act_mean"] == pytest.approx(h.mean())
    assert not math.isnan(stats[0]["grad_w_norm"])  # a norm, possibly inf, never NaN


def test_dead_relu_units_and_saturated_sigmoids_are_counted():
    X, y = _data()
    model = _model(
        [layers.Dense(6, activation="relu"), layers.Dense(6, activation="sigmoid"), layers.Dense(2)]
    )
    b = model.layers[0].params["b"]
    b[:3] = -100.0  # three units can never fire on this data
    model.layers[1].params["W"][...] *= 1e4
    model.layers[0].params["b"][3:] = 1.0
    stats = diagnostics.snapshot(model, X, y)
    assert stats[0]["dead_frac"] == pytest.approx(0.5)
    assert stats[0]["frac_zero"] >= 0.5
    assert stats[1]["frac_saturated"] > 0.9
    assert stats[1]["dead_frac"] < 1.0  # saturated is not dead: f' is tiny, not zero


def test_gradient_norms_match_compute_gradients():
    X, y = _data()
    model = _model([layers.Dense(9, activation="relu"), layers.Dense(2)])
    stats = diagnostics.snapshot(model, X, y)
    model.compute_gradients(X, y)
    for entry, layer in zip(stats, model.layers, strict=True):
        assert entry["grad_w_norm"] == pytest.approx(np.linalg.norm(layer.grads["W"]))
    # output gradient of the last layer: softmax(z) - onehot, over n, mean-normalised
    z = model.forward(X, logits=True)
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1
    expected = np.linalg.norm(p / len(y)) / len(y)
    assert stats[-1]["grad_act_norm"] == pytest.approx(expected)


def test_snapshot_without_targets_leaves_gradients_out():
    X, _ = _data()
    model = _model()
    stats = diagnostics.snapshot(model, X)
    assert all(s["grad_w_norm"] is None and s["grad_act_norm"] is None for s in stats)
    assert stats[1]["cached_bytes"] > 0  # BatchNorm keeps its normalised input


def test_records_every_n_steps_and_update_ratio_of_plain_sgd():
    X, y = _data(n=64)
    lr = 0.05
    model = _model([layers.Dense(4, activation="tanh"), layers.Dense(2)], lr=lr)
    diag = Diagnostics(every=2, data=(X, y))
    model.fit(X, y, epochs=1, batch_size=16, shuffle=False, verbose=0, callbacks=[diag])
    assert diag.steps.tolist() == [0, 2, 4]
    assert diag.series("grad_w_norm").shape == (3, 2)
    # the last step: ΔW = -lr g, so the ratio is lr ‖g‖ / ‖W_before‖
    W_after = model.layers[0].params["W"]
    model.compute_gradients(X[48:64], y[48:64])  # gradient at W_after, not the one used
    ratio = diag.series("update_ratio")[-1, 0]
    assert 0 < ratio < 0.5
    W_before = W_after + lr * _grad_of_last_batch(X, y, lr)
    assert ratio == pytest.approx(
        np.linalg.norm(W_after - W_before) / np.linalg.norm(W_before), rel=1e-9
    )


def _grad_of_last_batch(X, y, lr):
    model = _model([layers.Dense(4, activation="tanh"), layers.Dense(2)], lr=lr)
    model.fit(X[:48], y[:48], epochs=1, batch_size=16, shuffle=False, verbose=0)
    model.compute_gradients(X[48:64], y[48:64])
    return model.layers[0].grads["W"]


def test_epoch_records_and_plot():
    X, y = _data()
    model = _model()
    diag = Diagnostics(data=X)
    model.fit(X, y, epochs=2, batch_size=32, verbose=0, callbacks=[diag])
    assert [r["epoch"] for r in diag.records] == [0, 0, 1]
    assert diag.layer_names[0] == "0 Dense(16, relu)"
    assert math.isnan(diag.series("grad_act_norm")[0, 0])  # no targets in the probe
    assert isinstance(diag.plot(), Figure)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"every": 0, "data": np.zeros((2, 5))}, "every"),
        ({"every": "batch", "data": np.zeros((2, 5))}, "every"),
        ({"data": None}, "probe data"),
        ({"data": np.zeros((2, 5)), "max_samples": 0}, "max_samples"),
    ],
)
def test_bad_arguments_are_explained(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Diagnostics(**kwargs)


def test_unknown_series_key():
    diag = Diagnostics(data=np.zeros((2, 5)))
    with pytest.raises(ValueError, match="grad_w_norm"):
        diag.series("gradnorm")


def test_batchnorm_is_measured_with_batch_statistics_by_default():
    X, _ = _data()
    model = _model(
        [
            layers.Dense(8, kernel_initializer="random_normal"),
            layers.BatchNorm(),
            layers.Activation("sigmoid"),
            layers.Dense(2),
        ]
    )
    model.layers[0].params["W"][...] *= 1e3  # huge pre-activations, only BN rescues them
    running = model.layers[1].buffers["running_mean"].copy()
    by_batch = diagnostics.snapshot(model, X, batchnorm="batch")
    by_running = diagnostics.snapshot(model, X, batchnorm="running")
    assert by_batch[2]["frac_saturated"] < 0.05
    assert by_running[2]["frac_saturated"] > 0.5
    np.testing.assert_array_equal(running, model.layers[1].buffers["running_mean"])
    with pytest.raises(ValueError, match="batchnorm"):
        diagnostics.snapshot(model, X, batchnorm="train")


def test_update_ratio_is_recorded_in_epoch_mode():
    X, y = _data()
    model = _model([layers.Dense(4, activation="tanh"), layers.Dense(2)])
    diag = Diagnostics(data=X)
    model.fit(X, y, epochs=2, batch_size=32, verbose=0, callbacks=[diag])
    ratios = diag.series("update_ratio")
    assert np.isnan(ratios[0]).all()  # before training there is no step
    assert (ratios[1:] > 0).all()
