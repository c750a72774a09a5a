"""``gradlab.model.mlp``: the one network builder builds what a hand-written stack builds."""

from __future__ import annotations

import numpy as np
import pytest

from gradlab import Sequential, activations, layers
from gradlab.model import check_hidden_activation, mlp


def _kinds(model: Sequential) -> list[str]:
    return [type(layer).__name__ for layer in model.layers]


def test_plain_stack_matches_the_hand_written_one_weight_for_weight() -> None:
    built = mlp([16, 8], 3, input_dim=5, activation="tanh", init="he_normal", seed=4)
    by_hand = Sequential(
        [
            layers.Dense(16, "tanh", kernel_initializer="he_normal"),
            layers.Dense(8, "tanh", kernel_initializer="he_normal"),
            layers.Dense(3, kernel_initializer="he_normal"),
        ],
        input_dim=5,
        seed=4,
    )
    assert _kinds(built) == _kinds(by_hand)
    for a, b in zip(built.get_weights(), by_hand.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    ("kwargs", "kinds"),
    [
        ({}, ["Dense", "Dense", "Dense"]),
        (
            {"batch_norm": True},
            ["Dense", "BatchNorm", "Activation", "Dense", "BatchNorm", "Activation", "Dense"],
        ),
        ({"dropout": 0.25}, ["Dense", "Dropout", "Dense", "Dropout", "Dense"]),
        ({"activation": layers.PReLU}, ["Dense", "PReLU", "Dense", "PReLU", "Dense"]),
        (
            {"batch_norm": True, "dropout": 0.1},
            ["Dense", "BatchNorm", "Activation", "Dropout"] * 2 + ["Dense"],
        ),
    ],
)
def test_options_build_the_documented_blocks(kwargs: dict, kinds: list[str]) -> None:
    assert _kinds(mlp([6, 6], 2, input_dim=3, **kwargs)) == kinds


def test_output_layer_options() -> None:
    net = mlp(
        [4],
        3,
        input_dim=2,
        output_activation="softmax",
        init="zeros",
        output_init="ones",
        bias_init={"name": "constant", "config": {"value": 0.5}},
    )
    hidden, out = net.layers
    assert out.activation.name == "softmax"
    assert np.all(hidden.params["W"] == 0) and np.all(hidden.params["b"] == 0.5)
    assert np.all(out.params["W"] == 1) and np.all(out.params["b"] == 0)


def test_one_activation_per_hidden_layer() -> None:
    net = mlp([4, 4], 1, input_dim=2, activation=["relu", activations.get("elu")])
    assert [layer.activation.name for layer in net.layers] == ["relu", "elu", "linear"]
    with pytest.raises(ValueError, match=r"a list of 2 .* got a list of 3"):
        mlp([4, 4], 1, activation=["relu"] * 3)


def test_unbuilt_without_input_dim_and_dtype_kept() -> None:
    net = mlp([4], 2, dtype="float64")
    assert not net.built
    net.build(3)
    assert net.layers[0].params["W"].dtype == np.float64


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"hidden": [4, 0]}, ValueError, r"hidden\[1\] must be an int >= 1, got 0"),
        ({"hidden": [2.5]}, TypeError, r"hidden\[0\] must be an int >= 1"),
        ({"output": 0}, ValueError, "output must be an int >= 1"),
        ({"dropout": 1.0}, ValueError, r"dropout must be a finite number in \[0, 1\)"),
        ({"batch_norm": "yes"}, TypeError, "batch_norm must be a bool"),
        ({"activation": "glu"}, ValueError, "glu maps 4 features to 2"),
        ({"activation": "reluu"}, ValueError, "did you mean 'relu'"),
    ],
)
def test_bad_arguments_are_named(kwargs: dict, error: type, match: str) -> None:
    args = {"hidden": [4], "output": 2} | kwargs
    with pytest.raises(error, match=match):
        mlp(args.pop("hidden"), args.pop("output"), **args)


def test_check_hidden_activation_accepts_softmax_and_layer_classes() -> None:
    assert check_hidden_activation("softmax").name == "softmax"  # keeps the width
    assert check_hidden_activation(layers.PReLU) is layers.PReLU
