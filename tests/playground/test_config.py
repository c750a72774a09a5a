"""The playground config: defaults, presets, every field's checks (docs/playground-protocol.md)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gradlab import activations
from gradlab.diagnostics import SATURATION_THRESHOLD
from gradlab.playground.config import (
    DEFAULT_CONFIG,
    RECTIFIERS,
    ProtocolError,
    activation_health,
    hidden_activations,
    merge_config,
    validate_config,
)
from gradlab.playground.presets import PRESETS, preset_config


def merged(**changes):
    return merge_config(DEFAULT_CONFIG, changes)


def reject(changes, field, *words):
    """Assert that ``changes`` over the defaults is rejected, naming ``field``."""
    with pytest.raises(ProtocolError) as info:
        merge_config(DEFAULT_CONFIG, changes)
    assert info.value.field == field, info.value.message
    for word in words:
        assert word in info.value.message
    return info.value


# -- defaults and options -------------------------------------------------------------------------
def test_defaults_are_valid_and_normalized():
    cfg = validate_config(DEFAULT_CONFIG)
    assert cfg == DEFAULT_CONFIG
    assert cfg is not DEFAULT_CONFIG


def test_presets_are_valid_full_configs():
    for p in PRESETS:
        cfg = preset_config(p["name"])
        assert validate_config(cfg) == cfg
        assert p["title"] and p["description"]
    with pytest.raises(ProtocolError) as info:
        preset_config("nope")
    assert info.value.field == "name"


# -- activation health: which flat-region word a layer gets ----------------------------------------
def test_rectifiers_are_hidden_activations():
    assert RECTIFIERS <= set(hidden_activations())  # no typo, no stale name


@pytest.mark.parametrize("name", hidden_activations())
def test_every_hidden_activation_has_the_right_health_word(name):
    # A new activation is classified by this loop: bounded ones saturate, the rectifier
    # family goes inactive, and only an activation without any flat region gets null.
    act = activations.get(name)
    z = np.linspace(-20, 20, 4001)
    d = np.abs(act.derivative(z))
    peak = act.info.max_abs_derivative
    if not (peak and math.isfinite(peak)):
        peak = float(d[np.isfinite(d)].max())
    has_flat_part = peak == 0 or bool(np.any(d < SATURATION_THRESHOLD * peak))
    low, high = act.info.output_range
    health = activation_health(name)
    if name in RECTIFIERS:
        # the leaky ones keep a slope of at least 1 % on purpose: inactive fractions of 0
        leaky = name in ("leaky_relu", "prelu", "rrelu")
        assert health == "inactive" and (has_flat_part or leaky)
    elif math.isfinite(low) and math.isfinite(high):
        assert health == "saturated" and has_flat_part
    else:
        assert health is None and not has_flat_part, f"{name} has a flat part: classify it"


def test_output_activations_health():
    assert activation_health("sigmoid") == "saturated"
    assert activation_health("relu") == "inactive"
    assert activation_health("linear") is None
    assert activation_health("softmax") is None  # not element-wise: no per-unit flat region


# -- every field: good values ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"dataset": "xor"}, {"dataset": "xor", "classes": 2}),
        ({"dataset": "spiral", "classes": 3}, {"classes": 3}),
        ({"dataset": "gauss", "classes": 4.0}, {"classes": 4}),
        ({"dataset": "plane"}, {"dataset": "plane", "classes": 2}),
        ({"noise": 25}, {"noise": 25.0}),
        ({"noise": 0}, {"noise": 0.0}),
        ({"noise": 50}, {"noise": 50.0}),
        ({"train_ratio": 10}, {"train_ratio": 10.0}),
        ({"train_ratio": 90.0}, {"train_ratio": 90.0}),
        ({"n_samples": 100}, {"n_samples": 100}),
        ({"n_samples": 2000.0}, {"n_samples": 2000}),
        ({"batch_size": 1}, {"batch_size": 1}),
        ({"batch_size": 100}, {"batch_size": 100}),
        ({"features": ["sinx2", "x1"]}, {"features": ["x1", "sinx2"]}),
        ({"layers": []}, {"layers": []}),
        (
            {"layers": [{"units": 8, "activation": "relu"}] * 6},
            {"layers": [{"units": 8, "activation": "relu"}] * 6},
        ),
        ({"learning_rate": 1e-5}, {"learning_rate": 1e-5}),
        ({"learning_rate": 10}, {"learning_rate": 10.0}),
        ({"optimizer": {"name": "adam"}}, {"optimizer": {"name": "adam", "beta1": 0.9,
                                                          "beta2": 0.999, "eps": 1e-8}}),
        ({"optimizer": "momentum"}, {"optimizer": {"name": "momentum", "momentum": 0.9}}),
        ({"optimizer": {"name": "rmsprop", "alpha": 0.9}},
         {"optimizer": {"name": "rmsprop", "alpha": 0.9, "eps": 1e-8}}),
        ({"optimizer": {"name": "sgd"}}, {"optimizer": {"name": "sgd"}}),
        ({"regularization": "l1", "reg_rate": 0.5}, {"regularization": "l1", "reg_rate": 0.5}),
        ({"regularization": "l2", "reg_rate": 10}, {"reg_rate": 10.0}),
        ({"initializer": "he_normal"}, {"initializer": "he_normal"}),
        ({"init_scale": 0.01}, {"init_scale": 0.01}),
        ({"init_scale": 10}, {"init_scale": 10.0}),
        ({"batchnorm": True}, {"batchnorm": True}),
        ({"residual": True}, {"residual": True}),
        ({"dataset": "custom", "classes": 3}, {"dataset": "custom", "classes": 3}),
        ({"dropout": 0.9}, {"dropout": 0.9}),
        ({"clip_norm": 1}, {"clip_norm": 1.0}),
        ({"clip_norm": None}, {"clip_norm": None}),
        ({"seed": 2**31 - 1}, {"seed": 2**31 - 1}),
        ({"seed": 0}, {"seed": 0}),
    ],
)  # fmt: skip
def test_good_values_are_normalized(changes, expected):
    cfg = merged(**changes)
    for key, value in expected.items():
        assert cfg[key] == value
        assert type(cfg[key]) is type(value)
    assert validate_config(cfg) == cfg  # normalized configs are fixed points


def test_changing_dataset_falls_back_to_an_allowed_class_count():
    spiral = merged(dataset="spiral", classes=4)
    assert merge_config(spiral, {"dataset": "circle"})["classes"] == 2
    assert merge_config(spiral, {"dataset": "gauss"})["classes"] == 4


# -- every field: bad values ----------------------------------------------------------------------
NOT_NUMBERS = [True, False, "1", None, [1], {"a": 1}]
NON_FINITE = [math.nan, math.inf, -math.inf]

RANGES = {
    "noise": (0, 50),
    "train_ratio": (10, 90),
    "n_samples": (100, 2000),
    "batch_size": (1, 100),
    "learning_rate": (1e-5, 10),
    "reg_rate": (0, 10),
    "init_scale": (0.01, 10),
    "dropout": (0, 0.9),
    "seed": (0, 2**31 - 1),
    "classes": (2, 4),
}


@pytest.mark.parametrize("key", sorted(RANGES))
@pytest.mark.parametrize("bad", NOT_NUMBERS, ids=repr)
def test_numbers_reject_other_types(key, bad):
    if key == "classes":
        base = {"dataset": "spiral"}
    else:
        base = {}
    err = reject({**base, key: bad}, f"config.{key}", "received")
    assert "must be" in err.message


@pytest.mark.parametrize("key", sorted(RANGES))
@pytest.mark.parametrize("bad", NON_FINITE, ids=repr)
def test_numbers_reject_non_finite(key, bad):
    reject({key: bad}, f"config.{key}")


@pytest.mark.parametrize("key", sorted(RANGES))
def test_numbers_reject_out_of_range(key):
    low, high = RANGES[key]
    base = {"dataset": "spiral"} if key == "classes" else {}
    below = low - 1 if isinstance(low, int) and key != "dropout" else low / 2 - 1
    reject({**base, key: below}, f"config.{key}", str(below)[:4])
    above = high + 1
    reject({**base, key: above}, f"config.{key}")


@pytest.mark.parametrize("key", ["n_samples", "batch_size", "seed", "classes"])
def test_integers_reject_fractions(key):
    base = {"dataset": "spiral"} if key == "classes" else {}
    reject({**base, key: 2.5 if key == "classes" else 100.5}, f"config.{key}", "integer")


def test_classes_must_be_allowed_by_the_dataset():
    reject({"dataset": "spiral", "classes": 5}, "config.classes")
    # circle allows only 2: an explicit other count is normalized, not an error
    assert merged(dataset="circle", classes=3)["classes"] == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"dataset": "moons"}, "config.dataset"),
        ({"dataset": 1}, "config.dataset"),
        ({"features": []}, "config.features"),
        ({"features": "x1"}, "config.features"),
        ({"features": ["x1", "x3"]}, "config.features[1]"),
        ({"features": ["x1", 2]}, "config.features[1]"),
        ({"features": ["x1", "x1"]}, "config.features"),
        ({"layers": {"units": 4}}, "config.layers"),
        ({"layers": [{"units": 4, "activation": "tanh"}] * 7}, "config.layers"),
        ({"layers": [4]}, "config.layers[0]"),
        ({"layers": [{"units": 9, "activation": "tanh"}]}, "config.layers[0].units"),
        ({"layers": [{"units": 0, "activation": "tanh"}]}, "config.layers[0].units"),
        ({"layers": [{"units": True, "activation": "tanh"}]}, "config.layers[0].units"),
        (
            {"layers": [{"units": 2, "activation": "tanh"}, {"units": 2.5, "activation": "tanh"}]},
            "config.layers[1].units",
        ),
        ({"layers": [{"units": 2, "activation": "softmax"}]}, "config.layers[0].activation"),
        ({"layers": [{"units": 2, "activation": "glu"}]}, "config.layers[0].activation"),
        ({"layers": [{"units": 2, "activation": "nope"}]}, "config.layers[0].activation"),
        ({"layers": [{"units": 2}]}, "config.layers[0].activation"),
        ({"layers": [{"activation": "tanh"}]}, "config.layers[0].units"),
        ({"layers": [{"units": 2, "activation": "tanh", "x": 1}]}, "config.layers[0].x"),
        ({"optimizer": {"name": "lbfgs"}}, "config.optimizer.name"),
        ({"optimizer": {}}, "config.optimizer.name"),
        ({"optimizer": 3}, "config.optimizer"),
        ({"optimizer": {"name": "sgd", "momentum": 0.9}}, "config.optimizer.momentum"),
        ({"optimizer": {"name": "adam", "beta1": 1.5}}, "config.optimizer.beta1"),
        ({"optimizer": {"name": "adam", "beta2": True}}, "config.optimizer.beta2"),
        ({"optimizer": {"name": "rmsprop", "eps": math.nan}}, "config.optimizer.eps"),
        ({"optimizer": {"name": "nesterov", "momentum": 0}}, "config.optimizer.momentum"),
        ({"regularization": "l3"}, "config.regularization"),
        ({"regularization": None}, "config.regularization"),
        ({"initializer": "constant"}, "config.initializer"),
        ({"initializer": "nope"}, "config.initializer"),
        ({"batchnorm": 1}, "config.batchnorm"),
        ({"batchnorm": "true"}, "config.batchnorm"),
        ({"residual": 1}, "config.residual"),
        ({"residual": None}, "config.residual"),
        ({"batchnorm": True, "batch_size": 1}, "config.batch_size"),
        ({"clip_norm": 0}, "config.clip_norm"),
        ({"clip_norm": 101}, "config.clip_norm"),
        ({"clip_norm": "1"}, "config.clip_norm"),
        ({"clip_norm": math.inf}, "config.clip_norm"),
        ({"colour": "red"}, "config.colour"),
    ],
)
def test_bad_values_are_rejected_with_their_field(changes, field):
    err = reject(changes, field)
    assert "received" in err.message or "unknown" in err.message or "needs" in err.message


def test_error_text_says_what_was_expected_and_received():
    err = reject({"noise": True}, "config.noise")
    assert "number from 0 to 50" in err.message and "boolean true" in err.message
    err = reject({"learning_rate": 11}, "config.learning_rate")
    assert "1e-05 to 10" in err.message and "11" in err.message
    err = reject({"colour": 1}, "config.colour")
    assert "unknown key 'colour'" in err.message and "'dataset'" in err.message


def test_config_must_be_an_object():
    for bad in ([], "x", 3, None):
        with pytest.raises(ProtocolError) as info:
            merge_config(DEFAULT_CONFIG, bad)
        assert info.value.field == "config"


def test_full_config_needs_every_key():
    partial = dict(DEFAULT_CONFIG)
    del partial["seed"]
    with pytest.raises(ProtocolError) as info:
        validate_config(partial)
    assert info.value.field == "config.seed"


def test_error_message_shape():
    err = ProtocolError("bad", "config.noise", request="config", id=3)
    assert err.to_message() == {
        "type": "error",
        "message": "bad",
        "field": "config.noise",
        "request": "config",
        "id": 3,
    }
