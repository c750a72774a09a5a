"""Bad input to Sequential gets an error that says what is wrong, expected and received."""

from __future__ import annotations

import numpy as np
import pytest

import gradlab as gl
from gradlab import callbacks, layers


@pytest.fixture
def model():
    net = gl.Sequential([layers.Dense(4, "relu"), layers.Dense(2)], input_dim=4, seed=0)
    net.compile(optimizer="sgd", loss="cross_entropy", metrics=["accuracy"])
    return net


EMPTY_X, EMPTY_Y = np.zeros((0, 4)), np.zeros(0, dtype=int)
ROWS_X, ROWS_Y = np.ones((6, 4)), np.array([0, 1] * 3)


@pytest.mark.parametrize(
    ("call", "where"),
    [
        (lambda m: m.fit(EMPTY_X, EMPTY_Y, verbose=0), "fit"),  # was UnboundLocalError 'xb'
        (lambda m: m.evaluate(EMPTY_X, EMPTY_Y), "evaluate"),  # was loss 0.0, accuracy 0.0
        (lambda m: m.train_on_batch(EMPTY_X, EMPTY_Y), "train_on_batch"),  # was loss 0.0
        (
            lambda m: m.fit(ROWS_X, ROWS_Y, verbose=0, validation_data=(EMPTY_X, EMPTY_Y)),
            "validation_data",  # was val_loss 0.0
        ),
    ],
)
def test_empty_data_is_refused(model, call, where):
    before = model.get_weights()
    with pytest.raises(ValueError, match=rf"^{where}: X has no rows \(shape \(0, 4\)\)"):
        call(model)
    for a, b in zip(before, model.get_weights(), strict=True):
        assert np.array_equal(a, b)  # refused before any update


def test_predict_on_no_rows_returns_no_rows(model):
    assert model.predict(EMPTY_X).shape == (0, 2)


def test_set_weights_with_strings_names_the_weight_and_dtype(model):
    weights = model.get_weights()
    weights[0] = np.full((4, 4), "a")
    with pytest.raises(TypeError, match=r"weight 0 \('W'\) must be numeric, got .*<U1"):
        model.set_weights(weights)


def test_set_weights_with_ragged_lists_names_the_weight_and_shape(model):
    weights = model.get_weights()
    weights[1] = [[1.0, 2.0], [3.0]]
    with pytest.raises(ValueError, match=r"weight 1 \('b'\) must be a rectangular array of shape"):
        model.set_weights(weights)


@pytest.mark.parametrize("which", ["X", "y"])
def test_ragged_training_data_is_named(model, which):
    X = [[1, 2, 3, 4], [1, 2]] if which == "X" else ROWS_X
    y = [[0, 1], [1]] * 3 if which == "y" else ROWS_Y
    with pytest.raises(ValueError, match=rf"fit: {which} must be a rectangular array"):
        model.fit(X, y, verbose=0)


@pytest.mark.parametrize(
    ("value", "match"),
    [
        ([object()], r"callbacks\[0\] must be a gradlab.callbacks.Callback .*got object"),
        ([callbacks.History(), "early"], r"callbacks\[1\] must be .*got str"),
        (callbacks.History(), r"got one History; wrap it in a list"),
        ("early", r"callbacks must be a list of Callback objects, got str"),
        (42, r"callbacks must be a list of Callback objects, got int"),
    ],
)
def test_callbacks_must_be_callbacks(model, value, match):
    with pytest.raises(TypeError, match=match):  # was AttributeError: set_model
        model.fit(ROWS_X, ROWS_Y, verbose=0, callbacks=value)


def test_callbacks_accept_any_iterable(model):
    seen = []
    cb = callbacks.LambdaCallback(on_epoch_end=lambda e, logs: seen.append(e))
    model.fit(ROWS_X, ROWS_Y, epochs=2, verbose=0, callbacks=(c for c in [cb]))
    assert seen == [0, 1]
