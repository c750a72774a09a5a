"""Sequential: fit/evaluate/predict, seeds, save/load, callbacks, bad input, divergence."""

from __future__ import annotations

import os
import warnings

import numpy as np
import pytest

import gradlab as gl
from gradlab import callbacks, datasets, layers, optimizers


def mlp(hidden=(16,), activation="tanh", out=2, seed=0, dtype="float32", input_dim=2, **kw):
    stack = [layers.Dense(h, activation=activation) for h in hidden]
    stack.append(layers.Dense(out, **kw))
    return gl.Sequential(stack, input_dim=input_dim, seed=seed, dtype=dtype)


@pytest.fixture(scope="module")
def xor_data():
    return datasets.xor(400, noise=0.05, seed=1)


# ---- the articles' claims the engine must reproduce ------------------------------------------
def test_xor_needs_a_hidden_layer(xor_data):
    X, y = xor_data
    linear = gl.Sequential([layers.Dense(2)], input_dim=2, seed=0)
    linear.compile(optimizer=optimizers.Adam(lr=0.05), loss="cross_entropy", metrics=["accuracy"])
    with warnings.catch_warnings():  # a line cannot beat chance on XOR: fit may say so
        warnings.simplefilter("ignore", gl.TrainingStalledWarning)
        linear.fit(X, y, epochs=60, batch_size=32, verbose=0)
    hidden = mlp(hidden=(8,), activation="tanh")
    hidden.compile(optimizer=optimizers.Adam(lr=0.05), loss="cross_entropy", metrics=["accuracy"])
    with warnings.catch_warnings():
        warnings.simplefilter("error", gl.TrainingStalledWarning)
        hidden.fit(X, y, epochs=60, batch_size=32, verbose=0)
    acc_linear = linear.evaluate(X, y)["accuracy"]
    acc_hidden = hidden.evaluate(X, y)["accuracy"]
    # A line separates at most three of XOR's four clusters.
    assert acc_linear <= 0.80, acc_linear
    assert acc_hidden >= 0.97, acc_hidden


def test_loss_decreases_and_history_has_one_value_per_epoch(xor_data):
    X, y = xor_data
    model = mlp()
    model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"])
    hist = model.fit(X, y, epochs=5, batch_size=32, verbose=0, validation_split=0.25)
    assert set(hist.history) == {"loss", "accuracy", "val_loss", "val_accuracy", "lr"}
    assert all(len(v) == 5 for v in hist.history.values())
    assert hist.history["loss"][-1] < hist.history["loss"][0]
    assert hist.params["samples"] == 300


# ---- dtype ------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_dtype_is_kept_end_to_end(xor_data, dtype):
    X, y = xor_data
    model = mlp(dtype=dtype)
    model.compile(optimizer="sgd", loss="cross_entropy")
    model.fit(X.astype(np.float64), y, epochs=1, verbose=0)
    assert all(w.dtype == np.dtype(dtype) for w in model.get_weights())
    assert model.predict(X.astype(np.float64)).dtype == np.dtype(dtype)
    for layer in model.layers:
        assert all(g.dtype == np.dtype(dtype) for g in layer.grads.values())


# ---- seeds and persistence -----------------------------------------------------------------
def _trained(seed, X, y, epochs=3):
    model = gl.Sequential(
        [layers.Dense(16, "relu"), layers.Dropout(0.2), layers.Dense(2)], input_dim=2, seed=seed
    )
    model.compile(optimizer="adam", loss="cross_entropy")
    model.fit(X, y, epochs=epochs, batch_size=16, verbose=0)
    return model


def test_same_seed_gives_bit_identical_weights(xor_data):
    X, y = xor_data
    a, b, c = _trained(3, X, y), _trained(3, X, y), _trained(4, X, y)
    for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
        assert np.array_equal(wa, wb)
    assert not np.array_equal(a.get_weights()[0], c.get_weights()[0])


def test_save_load_round_trip_and_continue_identically(tmp_path, xor_data):
    X, y = xor_data
    path = tmp_path / "model.npz"
    model = _trained(0, X, y, epochs=2)
    model.save(path)
    loaded = gl.load_model(path)
    assert np.array_equal(model.predict(X), loaded.predict(X))
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    # Continuing both must give the same weights (optimizer state and RNG restored).
    model.fit(X, y, epochs=2, batch_size=16, verbose=0)
    loaded.fit(X, y, epochs=2, batch_size=16, verbose=0)
    for wa, wb in zip(model.get_weights(), loaded.get_weights(), strict=True):
        assert np.array_equal(wa, wb)


def test_interrupted_save_leaves_previous_file_intact(tmp_path, xor_data, monkeypatch):
    X, y = xor_data
    path = tmp_path / "model.npz"
    model = _trained(0, X, y, epochs=1)
    model.save(path)
    before = path.read_bytes()
    model.fit(X, y, epochs=1, verbose=0)

    def crash(*args, **kwargs):
        raise KeyboardInterrupt("simulated crash while writing")

    monkeypatch.setattr(np, "savez", crash)
    with pytest.raises(KeyboardInterrupt):
        model.save(path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.npz"]  # no temporary file left behind


def test_load_model_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="no file"):
        gl.load_model(tmp_path / "missing.npz")
    np.savez(tmp_path / "other.npz", a=np.zeros(2))
    with pytest.raises(ValueError, match="not a gradlab model"):
        gl.load_model(tmp_path / "other.npz")


def test_set_weights_checks_shapes():
    model = mlp()
    weights = model.get_weights()
    with pytest.raises(ValueError, match="expected 4 arrays"):
        model.set_weights(weights[:3])
    weights[0] = np.zeros((3, 3))
    with pytest.raises(ValueError, match="shape"):
        model.set_weights(weights)


# ---- outputs --------------------------------------------------------------------------------
def test_predict_proba_and_fused_softmax_do_not_overflow():
    model = gl.Sequential([layers.Dense(3, activation="softmax")], input_dim=2, seed=0)
    model.compile(optimizer=optimizers.SGD(lr=0.1), loss="cross_entropy", metrics=["accuracy"])
    assert model.fused
    model.set_weights([np.array([[1e3, 0, -1e3], [0, 0, 0]]), np.zeros(3)])
    X = np.array([[5.0, 0.0], [-5.0, 1.0]])
    y = np.array([2, 0])  # the wrong classes: a saturated softmax would give log(0)
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        loss = model.train_on_batch(X, y)
    assert np.isfinite(loss) and loss > 1000
    proba = model.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)


def test_binary_output_with_sigmoid_and_logits(xor_data):
    X, y = xor_data
    for act in ("sigmoid", None):
        model = gl.Sequential(
            [layers.Dense(8, "tanh"), layers.Dense(1, activation=act)], input_dim=2, seed=0
        )
        model.compile(optimizer=optimizers.Adam(lr=0.05), loss="bce", metrics=["accuracy"])
        model.fit(X, y, epochs=40, verbose=0)
        proba = model.predict_proba(X)
        assert proba.shape == (len(X), 1) and (proba >= 0).all() and (proba <= 1).all()
        assert model.evaluate(X, y)["accuracy"] >= 0.95


def test_regression_with_mse():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (256, 1))
    y = np.sin(3 * X[:, 0])
    model = gl.Sequential([layers.Dense(32, "tanh"), layers.Dense(1)], input_dim=1, seed=0)
    model.compile(optimizer=optimizers.Adam(lr=0.01), loss="mse", metrics=["mae"])
    hist = model.fit(X, y, epochs=100, batch_size=32, verbose=0)
    assert hist.history["loss"][-1] < 0.01
    with pytest.raises(TypeError, match="classification"):
        model.predict_proba(X)


# ---- summary, plot, progress ----------------------------------------------------------------
def test_summary_reports_params_and_cached_bytes():
    model = gl.Sequential(
        [layers.Dense(64, "relu"), layers.Dense(10)], input_dim=784, seed=0, dtype="float32"
    )
    rows = model.summary_rows(batch_size=128)
    assert [r["params"] for r in rows] == [784 * 64 + 64, 64 * 10 + 10]
    # Dense+relu keeps its input, pre-activation and output: 128 x (784 + 64 + 64) float32.
    assert rows[0]["cached_bytes"] == 128 * (784 + 64 + 64) * 4
    # The second layer's cached input is the first layer's cached output: counted once.
    assert rows[1]["new_cached_bytes"] == rows[1]["cached_bytes"] - 128 * 64 * 4
    total = rows[0]["cached_bytes"] + rows[1]["new_cached_bytes"]
    lines = []
    assert model.summary(batch_size=128, print_fn=lines.append) is None  # printed, as in Keras
    [text] = lines
    assert "50,890" in text
    assert f"{total / 1024:.1f} KiB" in text


def test_history_plot_returns_a_figure(xor_data):
    X, y = xor_data
    model = mlp()
    model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"])
    hist = model.fit(X, y, epochs=2, verbose=0, validation_data=(X, y))
    fig = hist.plot()
    assert len(fig.axes) == 2
    assert [len(ax.lines) for ax in fig.axes] == [2, 2]


def test_progress_bar_prints_loss(capsys, xor_data):
    X, y = xor_data
    model = mlp()
    model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"])
    model.fit(X, y, epochs=2, verbose=1)
    out = capsys.readouterr().out
    assert "Epoch 2/2" in out and "loss" in out and "accuracy" in out
    model.fit(X, y, epochs=1, verbose=2)
    assert "Epoch 1/1" in capsys.readouterr().out


# ---- callbacks ---------------------------------------------------------------------------
def test_batch_hooks_see_gradients_before_the_update(xor_data):
    X, y = xor_data
    model = mlp()
    model.compile(optimizer=optimizers.SGD(lr=0.1), loss="cross_entropy")
    seen = []

    def after_backward(batch, logs):
        W, dW = model.layers[0].params["W"], model.layers[0].grads["W"]
        seen.append((logs["step"], W.copy(), dW.copy()))

    def batch_end(batch, logs):
        _, W_before, dW = seen[-1]
        np.testing.assert_allclose(model.layers[0].params["W"], W_before - 0.1 * dW, rtol=1e-6)

    hook = callbacks.LambdaCallback(on_after_backward=after_backward, on_batch_end=batch_end)
    model.fit(X, y, epochs=2, batch_size=100, verbose=0, callbacks=[hook])
    assert [s for s, _, _ in seen] == list(range(8))


def scripted(values, key="monitored"):
    """A callback that writes ``values[epoch]`` into the epoch logs under ``key``.

    EarlyStopping then sees a sequence chosen by the test, while the model trains for real:
    its decisions no longer hang on the last bits of a loss, which differ between CPUs."""
    return callbacks.LambdaCallback(on_epoch_end=lambda e, logs: logs.update({key: values[e]}))


@pytest.mark.parametrize(
    ("values", "patience", "min_delta", "epochs_run", "best_epoch"),
    [
        ([1.0] * 50, 2, 0.0, 3, 0),  # never improves: stops after epoch 0 + patience
        ([3.0, 2.0, 1.0, 1.5, 1.2, 1.1, 0.5, 9.0], 3, 0.0, 6, 2),  # 1.5, 1.2, 1.1 > 1.0
        ([3.0, 2.0, 1.9999, 1.9998, 1.0, 1.0], 2, 0.01, 4, 1),  # steps below min_delta
        ([5.0, 4.0, 3.0, 2.0, 1.0], 100, 0.0, 5, 4),  # keeps improving: runs every epoch
    ],
)
def test_early_stopping_follows_the_monitored_values(
    xor_data, values, patience, min_delta, epochs_run, best_epoch
):
    X, y = xor_data
    model = mlp()
    model.compile(optimizer=optimizers.Adam(lr=0.01), loss="cross_entropy")
    stop = callbacks.EarlyStopping("monitored", patience=patience, min_delta=min_delta)
    hist = model.fit(X, y, epochs=len(values), verbose=0, callbacks=[scripted(values), stop])
    assert len(hist.history["loss"]) == epochs_run
    assert stop.best_epoch == best_epoch and stop.best == values[best_epoch]
    assert stop.stopped_epoch == (epochs_run - 1 if epochs_run < len(values) else 0)
    assert model.stop_training == (epochs_run < len(values))


def test_early_stopping_restores_the_weights_of_the_best_epoch(xor_data):
    X, y = xor_data
    model = mlp()
    model.compile(optimizer=optimizers.Adam(lr=0.05), loss="cross_entropy")
    snapshots = []
    rec = callbacks.LambdaCallback(
        on_epoch_end=lambda e, logs: snapshots.append(model.get_weights())
    )
    values = [3.0, 2.0, 0.5, 1.0, 1.0, 1.0, 1.0]  # best at epoch 2, stops at epoch 4
    stop = callbacks.EarlyStopping("monitored", patience=2, restore_best_weights=True, mode="min")
    model.fit(X, y, epochs=len(values), verbose=0, callbacks=[scripted(values), rec, stop])
    assert stop.best_epoch == 2 and stop.stopped_epoch == 4 and len(snapshots) == 5
    for a, b in zip(model.get_weights(), snapshots[2], strict=True):
        assert np.array_equal(a, b)
    # Adam at lr 0.05 moves every weight between epochs 2 and 4: the restore is visible.
    assert not all(np.array_equal(a, b) for a, b in zip(snapshots[2], snapshots[4], strict=True))


def test_early_stopping_on_a_real_loss_with_a_margin(xor_data):
    X, y = xor_data
    # lr 0: the loss is the same in every epoch up to the summation order of shuffled batches
    # (last bits, CPU-dependent); a min_delta far above that makes "no improvement" certain.
    model = mlp()
    model.compile(optimizer=optimizers.SGD(lr=0.0), loss="cross_entropy")
    stop = callbacks.EarlyStopping(monitor="loss", patience=2, min_delta=1e-4)
    with warnings.catch_warnings():  # lr 0 learns nothing, and fit may rightly say so
        warnings.simplefilter("ignore", gl.TrainingStalledWarning)
        hist = model.fit(X, y, epochs=50, verbose=0, callbacks=[stop])
    assert len(hist.history["loss"]) == 3 and stop.stopped_epoch == 2

    model = mlp()
    model.compile(optimizer=optimizers.Adam(lr=0.05), loss="cross_entropy")
    best = callbacks.EarlyStopping(monitor="val_loss", patience=100, restore_best_weights=True)
    hist = model.fit(X, y, epochs=8, verbose=0, validation_data=(X[:50], y[:50]), callbacks=[best])
    assert not model.stop_training and len(hist.history["val_loss"]) == 8
    assert best.best == min(hist.history["val_loss"])
    with pytest.raises(ValueError, match="not in the epoch logs"):
        model.fit(X, y, epochs=1, verbose=0, callbacks=[callbacks.EarlyStopping("val_loss")])


# ---- divergence and bad input -----------------------------------------------------------------
def test_divergence_stops_with_a_diagnosis(xor_data):
    X, y = xor_data
    model = gl.Sequential(
        [layers.Dense(32, "relu", kernel_initializer="ones"), layers.Dense(2)], input_dim=2, seed=0
    )
    model.compile(optimizer=optimizers.SGD(lr=1e30), loss="mse")
    with pytest.raises(gl.TrainingDivergedError) as info:
        model.fit(X, np.eye(2)[y], epochs=5, verbose=0)
    msg = str(info.value)
    assert "epoch 1, batch" in msg and "layer" in msg
    assert "clip_norm" in msg and "learning rate" in msg


@pytest.mark.parametrize(
    ("X", "y", "error", "match"),
    [
        (np.array([[0.0, np.nan]]), np.array([0]), ValueError, "NaN or inf"),
        (np.zeros((3, 2)), np.array([0, 1]), ValueError, "same number of rows"),
        (np.zeros((2, 2)), np.array([0, 2]), ValueError, r"labels must lie in \[0, 1\]"),
        (np.zeros((2, 2)), np.array([0, -1]), ValueError, "labels must lie"),
        (np.zeros(4), np.array([0, 1, 0, 1]), ValueError, "2-D"),
        (
            np.zeros((2, 3)),
            np.array([0, 1]),
            ValueError,
            "3 features, but the model was built for 2",
        ),
        (np.array([["a", "b"]]), np.array([0]), TypeError, "numeric"),
        (np.zeros((1, 2)), np.array([np.inf]), ValueError, "y contains NaN"),
    ],
)
def test_fit_rejects_bad_input(X, y, error, match):
    model = mlp()
    model.compile(optimizer="sgd", loss="cross_entropy")
    with pytest.raises(error, match=match):
        model.fit(X, y, verbose=0)


def test_predict_rejects_wrong_width_and_compile_names():
    model = mlp()
    with pytest.raises(ValueError, match="5 features"):
        model.predict(np.zeros((1, 5)))
    with pytest.raises(ValueError, match="did you mean 'adam'"):
        model.compile(optimizer="adamm")
    with pytest.raises(ValueError, match="unknown loss"):
        model.compile(loss="crossentropyy")
    with pytest.raises(RuntimeError, match="compile"):
        model.fit(np.zeros((2, 2)), np.zeros(2), verbose=0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"epochs": 0}, "epochs"),
        ({"batch_size": -1}, "batch_size"),
        ({"validation_split": 1.5}, "validation_split"),
        ({"verbose": 3}, "verbose"),
    ],
)
def test_fit_rejects_bad_arguments(kwargs, match, xor_data):
    X, y = xor_data
    model = mlp()
    model.compile(optimizer="sgd", loss="cross_entropy")
    with pytest.raises(ValueError, match=match):
        model.fit(X, y, **{"verbose": 0, **kwargs})


# ---- gradient check of whole models ----------------------------------------------------------
@pytest.mark.parametrize(
    ("loss", "out_act", "out_dim"),
    [
        ("cross_entropy", "softmax", 3),
        ("cross_entropy", None, 3),
        ("mse", "tanh", 3),
        ("binary_cross_entropy", "sigmoid", 1),
        ("nll", "softmax", 3),
    ],
)
def test_gradcheck_of_a_model_with_every_layer(loss, out_act, out_dim):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(12, 4))
    y = {"mse": rng.normal(size=(12, 3)), "binary_cross_entropy": rng.integers(0, 2, 12)}.get(
        loss, rng.integers(0, 3, 12)
    )
    model = gl.Sequential(
        [
            layers.Dense(6, use_bias=False),
            layers.BatchNorm(),
            layers.PReLU(),
            layers.Dropout(0.3),
            layers.Maxout(5, pieces=3),
            layers.LayerNorm(),
            layers.FReLU(),
            layers.Dense(6, activation="elu"),
            layers.Dense(out_dim, activation=out_act),
        ],
        input_dim=4,
        seed=0,
        dtype="float64",
    )
    model.compile(optimizer="sgd", loss=loss)
    errors = gl.gradcheck(model, X, y)
    # A bias right before BatchNorm has an exactly zero gradient (BN removes it), which a
    # relative error cannot judge: the usual practice, use_bias=False, is used instead.
    assert len(errors) == 1 + 2 + 1 + 2 + 2 + 1 + 2 + 2
    assert max(errors.values()) < 1e-6, errors


def test_gradcheck_of_a_model_catches_a_wrong_layer():
    class Broken(layers.Dense):
        def backward(self, grad_out):
            grad_in = super().backward(grad_out)
            self.grads["W"] *= 1.1
            return grad_in

    model = gl.Sequential([Broken(4, "tanh"), layers.Dense(2)], input_dim=3, dtype="float64")
    model.compile(loss="cross_entropy")
    X = np.random.default_rng(0).normal(size=(5, 3))
    errors = gl.gradcheck(model, X, np.array([0, 1, 1, 0, 1]))
    assert errors["0.W"] > 0.03 and errors["1.W"] < 1e-6
    with pytest.raises(TypeError, match="float64"):
        gl.gradcheck(mlp(), X[:, :2], np.array([0, 1, 1, 0, 1]))
