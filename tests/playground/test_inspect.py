"""Inspecting one unit: the ``inspect`` message and ``state.inspect`` (its maps over the grid)."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest

from gradlab.layers import BatchNorm, Dense
from gradlab.playground import commands
from gradlab.playground.config import LIMITS, ProtocolError
from gradlab.playground.data import feature_matrix, grid_points
from gradlab.playground.messages import parse_message
from gradlab.playground.session import Session

G = LIMITS["grid"]


def decode(data: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(data), dtype=np.uint8)


def dequantize(image: dict) -> np.ndarray:
    return image["min"] + decode(image["data"]) / 255.0 * (image["max"] - image["min"])


def assert_map(image: dict, expected: np.ndarray) -> None:
    """The image decodes to ``expected`` within one quantization step, over its full range."""
    values = dequantize(image)
    assert values.shape == (G * G,)
    span = image["max"] - image["min"]
    assert np.max(np.abs(values - expected)) <= span / 255 + 1e-5
    assert image["min"] == pytest.approx(expected.min(), abs=1e-5)
    assert image["max"] == pytest.approx(expected.max(), abs=1e-5)


def grid_inputs(session: Session) -> np.ndarray:
    return feature_matrix(grid_points(), session.config["features"]).astype(np.float32)


def send(session: Session, message: dict) -> list[dict]:
    """Parse ``message`` as the server does and return the session's replies."""
    return commands.handle(session, parse_message(json.dumps(message)))


def test_no_inspect_by_default():
    assert Session().state()["inspect"] is None


def test_hidden_unit_maps_are_the_models_own_forward():
    s = Session(
        {"layers": [{"units": 3, "activation": "tanh"}, {"units": 2, "activation": "relu"}]}
    )
    for _ in range(3):
        s.step_epoch()
    (reply,) = send(s, {"type": "inspect", "id": 7, "layer": 1, "unit": 1})
    assert reply["type"] == "state" and reply["id"] == 7
    ins = reply["inspect"]
    assert (ins["layer"], ins["unit"], ins["health"]) == (1, 1, "inactive")
    X = grid_inputs(s)
    d0, d1 = [layer for layer in s.model.layers if isinstance(layer, Dense)][:2]
    h0 = np.tanh(X @ d0.params["W"] + d0.params["b"])
    z = (h0 @ d1.params["W"] + d1.params["b"])[:, 1]
    assert_map(ins["pre"], z)
    assert_map(ins["out"], np.maximum(z, 0))
    flat = decode(ins["flat"])
    assert set(flat.tolist()) <= {0, 1}
    # relu'(z) = 0 for z <= 0 (flat), 1 above; leave out points within rounding of the kink
    clear = np.abs(z) > 1e-4
    np.testing.assert_array_equal(flat[clear], (z[clear] <= 0).astype(np.uint8))
    assert ins["flat_fraction"] == pytest.approx(flat.mean(), abs=1e-4)
    json.dumps(reply, allow_nan=False)


def test_output_unit_maps_are_the_models_output():
    s = Session({"dataset": "spiral", "classes": 3, "optimizer": "adam"})
    s.step_epoch()
    s.inspect(2, 2)  # two hidden layers; the output layer's third unit
    ins = s.state()["inspect"]
    X = grid_inputs(s)
    assert ins["health"] is None  # softmax: not element-wise, no flat side of its own
    assert_map(ins["out"], s.model.predict(X)[:, 2])
    assert_map(ins["pre"], s.model.forward(X, logits=True)[:, 2])
    assert decode(ins["flat"]).sum() == 0 and ins["flat_fraction"] == 0.0


def test_binary_output_unit_is_a_sigmoid_that_saturates():
    s = Session({"layers": [], "init_scale": 10})
    s.inspect(0, 0)
    ins = s.state()["inspect"]
    X = grid_inputs(s)
    assert ins["health"] == "saturated"
    z = s.model.forward(X, logits=True)[:, 0]
    assert_map(ins["out"], 1 / (1 + np.exp(-z.astype(np.float64))))
    # sigmoid' < 1 % of its peak 1/4 beyond |z| = 6.0 (about): flat there, not near 0
    flat = decode(ins["flat"]).astype(bool)
    assert np.all(flat[np.abs(z) > 6.2]) and not np.any(flat[np.abs(z) < 5.8])
    assert 0.05 < ins["flat_fraction"] < 0.95


def test_with_batchnorm_the_pre_activation_is_after_batchnorm():
    s = Session({"batchnorm": True, "layers": [{"units": 4, "activation": "sigmoid"}]})
    for _ in range(3):
        s.step_epoch()
    s.inspect(0, 3)
    ins = s.state()["inspect"]
    dense, bn = s.model.layers[0], s.model.layers[1]
    assert isinstance(bn, BatchNorm)
    z = bn.forward(dense.forward(grid_inputs(s), False, apply_activation=False), False)[:, 3]
    assert_map(ins["pre"], z)  # running statistics, as the heatmaps use
    assert_map(ins["out"], 1 / (1 + np.exp(-z.astype(np.float64))))


def test_inspect_survives_training_and_configs_that_keep_the_unit():
    s = Session({"layers": [{"units": 4, "activation": "tanh"}] * 2})
    s.inspect(1, 3)
    s.step_epoch()
    assert s.state()["inspect"]["unit"] == 3
    s.apply_config({"learning_rate": 0.1, "noise": 10})
    s.reset()
    s.regenerate()
    assert (s.state()["inspect"]["layer"], s.state()["inspect"]["unit"]) == (1, 3)
    s.apply_config({"layers": [{"units": 2, "activation": "tanh"}] * 2})  # unit 3 is gone
    assert s.inspected is None and s.state()["inspect"] is None
    s.inspect(2, 0)
    s.apply_config({"layers": []})  # the output layer is now layer 0: layer 2 is gone
    assert s.state()["inspect"] is None
    s.inspect(0, 0)
    (reply,) = send(s, {"type": "inspect", "layer": None})
    assert reply["inspect"] is None and s.inspected is None


@pytest.mark.parametrize(
    ("message", "field", "words"),
    [
        ({"layer": 3, "unit": 0}, "layer", ["from 0 to 2", "3"]),  # two hidden + output
        ({"layer": 0, "unit": 4}, "unit", ["from 0 to 3", "4"]),  # 4 units in layer 0
        ({"layer": 2, "unit": 1}, "unit", ["from 0 to 0", "1"]),  # one output unit
    ],
)
def test_inspect_of_a_unit_the_network_lacks_is_an_error(message, field, words):
    s = Session()
    s.inspect(0, 1)
    (reply,) = send(s, {"type": "inspect", "id": 3, **message})
    assert reply["type"] == "error" and reply["field"] == field
    assert reply["request"] == "inspect" and reply["id"] == 3
    for word in words:
        assert word in reply["message"]
    assert "received" in reply["message"]
    assert s.inspected == (0, 1)  # unchanged
    with pytest.raises(ProtocolError):
        s.inspect(message["layer"], message["unit"])


def test_a_unit_inside_a_shortcut_block():
    layers = [{"units": 2, "activation": "tanh"}, {"units": 2, "activation": "sigmoid"}]
    s = Session({"layers": layers, "residual": True})
    s.step_epoch()
    s.inspect(1, 0)
    ins = s.state()["inspect"]
    X = grid_inputs(s)
    first, second = (block.layers[0] for block in s.model.layers[:2])  # both wrapped: 2 -> 2
    h = X + np.tanh(X @ first.params["W"] + first.params["b"])  # the shortcut adds x
    z = (h @ second.params["W"] + second.params["b"])[:, 0]
    assert_map(ins["pre"], z)
    assert_map(ins["out"], 1 / (1 + np.exp(-z.astype(np.float64))))  # the block's own output
