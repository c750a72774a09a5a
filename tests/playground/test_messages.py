"""The playground messages: hello's limits and options, parsing what the page sends."""

from __future__ import annotations

import json

import pytest

from gradlab.playground import messages
from gradlab.playground.config import LIMITS, ProtocolError
from gradlab.playground.messages import parse_message
from gradlab.playground.presets import preset_names


# -- hello ----------------------------------------------------------------------------------------
def test_limits_match_the_doc():
    lim = messages.limits(12.5)
    assert lim == {
        "max_layers": 6,
        "max_units": 8,
        "max_samples": 2000,
        "grid": 50,
        "max_message_bytes": 65536,
        "max_message_depth": 16,
        "max_updates_per_second": 20,
        "max_upload_bytes": 60000,
        "idle_timeout_s": 12.5,
        "keepalive_s": 12.5 / 3,
    }
    assert messages.limits(900)["keepalive_s"] == 60.0  # at most a minute between pings


def test_options_lists():
    opts = messages.options()
    names = [a["name"] for a in opts["activations"]]
    for excluded in ("softmax", "log_softmax", "softmin", "sparsemax", "glu"):
        assert excluded not in names
    for wanted in ("relu", "tanh", "sigmoid", "linear", "leaky_relu", "gelu"):
        assert wanted in names
    assert all(set(a) == {"name", "label", "formula"} for a in opts["activations"])
    assert set(opts["optimizers"]) == {"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"}
    assert set(opts["optimizers"]["adam"]["params"]) == {"beta1", "beta2", "eps"}
    assert set(opts["optimizers"]["rmsprop"]["params"]) == {"alpha", "eps"}
    for spec in opts["optimizers"]["adam"]["params"].values():
        assert set(spec) == {"default", "min", "max", "step"}
    assert "glorot_uniform" in opts["initializers"] and "constant" not in opts["initializers"]
    assert opts["datasets"]["gauss"]["classes"] == [2, 3, 4]
    assert opts["datasets"]["plane"]["task"] == "regression"
    assert [f["name"] for f in opts["features"]] == [
        "x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2"
    ]  # fmt: skip
    assert [p["name"] for p in opts["presets"]] == preset_names()
    json.dumps(opts, allow_nan=False)  # JSON as it is


# -- messages -------------------------------------------------------------------------------------
def parse_error(raw):
    with pytest.raises(ProtocolError) as info:
        parse_message(raw)
    return info.value


def test_parse_good_messages():
    assert parse_message('{"type": "play"}') == {"type": "play", "id": None}
    assert parse_message('{"type": "ping", "id": 7}')["id"] == 7
    msg = parse_message(json.dumps({"type": "config", "id": 3, "config": {"noise": 5}}))
    assert msg["config"] == {"noise": 5}
    assert parse_message(b'{"type": "preset", "name": "xor_hidden"}')["name"] == "xor_hidden"
    for kind in ("pause", "step", "reset", "regenerate", "snapshot"):
        assert parse_message(json.dumps({"type": kind}))["type"] == kind


def test_malformed_json():
    err = parse_error("{not json")
    assert "not valid JSON" in err.message and err.field is None and err.request is None
    err = parse_error('{"type": "ping", "id": NaN}')
    assert "JSON" in err.message


def test_non_object():
    for raw in ("[1, 2]", '"ping"', "3", "null"):
        err = parse_error(raw)
        assert "JSON object" in err.message


def test_unknown_or_missing_type():
    err = parse_error('{"type": "dance", "id": 4}')
    assert err.field == "type" and err.id == 4 and "'ping'" in err.message
    assert parse_error('{"id": 4}').field == "type"
    assert parse_error('{"type": 5}').field == "type"


@pytest.mark.parametrize("bad", [-1, 2**31, 1.5, True, "1"], ids=repr)
def test_bad_ids(bad):
    err = parse_error(json.dumps({"type": "ping", "id": bad}))
    assert err.field == "id" and err.request == "ping"


def test_unknown_and_missing_fields():
    err = parse_error('{"type": "play", "speed": 2, "id": 1}')
    assert err.field == "speed" and err.request == "play" and err.id == 1
    err = parse_error('{"type": "config", "id": 2}')
    assert err.field == "config" and err.request == "config" and err.id == 2
    err = parse_error('{"type": "config", "config": [1]}')
    assert err.field == "config"
    err = parse_error('{"type": "preset"}')
    assert err.field == "name"
    err = parse_error('{"type": "preset", "name": "bogus"}')
    assert err.field == "name" and "xor_hidden" in err.message


def test_oversized_message():
    limit = LIMITS["max_message_bytes"]
    text = json.dumps({"type": "ping", "pad": "x" * limit})
    err = parse_error(text)
    assert str(limit) in err.message and str(len(text)) in err.message
    # multi-byte characters count as bytes
    ok = json.dumps({"type": "ping"}) + " " * (limit - 20)
    assert parse_message(ok)["type"] == "ping"
    err = parse_error('{"type": "ping"}' + " " * (limit // 2) + "é" * (limit // 2))
    assert "bytes" in err.message


def nested(depth: int, inner: str = "1") -> str:
    """A ``ping`` whose ``pad`` holds arrays and objects nested ``depth`` levels below it."""
    text = inner
    for level in range(depth):
        text = f"[{text}]" if level % 2 else f'{{"k": {text}}}'
    return f'{{"type": "ping", "pad": {text}}}'  # the message itself is one more level


@pytest.mark.parametrize("depth", [16, 100, 20_000])
def test_deep_nesting_is_refused_before_parsing(depth):
    # 20,000 levels fit in 40 kB and would raise RecursionError out of json.loads
    text = nested(depth) if depth < 1000 else '{"pad": ' + "[" * depth + "]" * depth + "}"
    assert len(text.encode()) <= LIMITS["max_message_bytes"]
    err = parse_error(text)
    assert "16 levels" in err.message and "nests" in err.message and err.field is None
    err = parse_error(text.encode())  # bytes too
    assert "16 levels" in err.message


def test_nesting_within_the_bound_and_brackets_in_strings_are_fine():
    err = parse_error(nested(15))  # 16 levels: parsed, then refused for its unknown key
    assert err.field == "pad"
    brackets = "[{" * 20_000
    err = parse_error(json.dumps({"type": "ping", "pad": brackets + '\\"]'}))
    assert err.field == "pad"  # brackets (and escaped quotes) inside a string do not nest
    msg = {"type": "config", "id": 1, "config": {"layers": [{"units": 2, "activation": "relu"}]}}
    assert parse_message(json.dumps(msg))["config"]["layers"][0]["units"] == 2
    assert "JSON object" in parse_error("[" * 10 + "]" * 10).message


# -- inspect, weight, custom_data, upload ---------------------------------------------------------
@pytest.mark.parametrize(
    "message",
    [
        {"type": "inspect", "layer": 0, "unit": 3},
        {"type": "inspect", "layer": 6, "unit": 7.0},
        {"type": "inspect", "layer": None},
        {"type": "inspect", "layer": None, "unit": None},
        {"type": "weight", "layer": 1, "param": "W", "row": 7, "col": 0, "value": -100},
        {"type": "weight", "layer": 0, "param": "b", "row": 0, "col": 7, "value": 2.5},
        {"type": "custom_data", "task": "regression", "points": [[0, 0, 0.5]]},
        {"type": "upload", "csv": "1,2,0\n", "name": "mine.csv"},
        {"type": "upload", "csv": ""},  # an empty file is the session's error, not a bad message
    ],
    ids=repr,
)
def test_parse_new_messages(message):
    parsed = parse_message(json.dumps({**message, "id": 9}))
    assert parsed == {**message, "id": 9}


@pytest.mark.parametrize(
    ("message", "field", "words"),
    [
        ({"type": "inspect"}, "layer", ["needs 'layer'"]),
        ({"type": "inspect", "layer": 0}, "unit", ["needs 'unit'", "null"]),
        ({"type": "inspect", "layer": 7, "unit": 0}, "layer", ["from 0 to 6", "7"]),
        ({"type": "inspect", "layer": "0", "unit": 0}, "layer", ["integer", "string '0'"]),
        ({"type": "inspect", "layer": 0, "unit": -1}, "unit", ["from 0 to 7", "-1"]),
        ({"type": "inspect", "layer": 0, "unit": 1.5}, "unit", ["integer", "1.5"]),
        ({"type": "inspect", "layer": 0, "unit": 0, "x": 1}, "x", ["unknown key 'x'"]),
        ({"type": "weight", "layer": 0, "param": "W", "row": 0, "col": 0}, "value", ["needs"]),
        ({"type": "weight", "layer": 0, "param": "w", "row": 0, "col": 0, "value": 1},
         "param", ["'W', 'b'", "string 'w'"]),
        ({"type": "weight", "layer": True, "param": "W", "row": 0, "col": 0, "value": 1},
         "layer", ["boolean true"]),
        ({"type": "weight", "layer": 0, "param": "W", "row": 8, "col": 0, "value": 1},
         "row", ["from 0 to 7", "8"]),
        ({"type": "weight", "layer": 0, "param": "W", "row": 0, "col": 8, "value": 1},
         "col", ["from 0 to 7", "8"]),
        ({"type": "weight", "layer": 0, "param": "W", "row": 0, "col": 0, "value": 101},
         "value", ["from -100 to 100", "101"]),
        ({"type": "weight", "layer": 0, "param": "W", "row": 0, "col": 0, "value": "1"},
         "value", ["number", "string '1'"]),
        ({"type": "custom_data", "points": []}, "task", ["needs 'task'"]),
        ({"type": "custom_data", "task": "clustering", "points": []}, "task",
         ["'classification', 'regression'", "clustering"]),
        ({"type": "custom_data", "task": "regression", "points": {"x": 1}}, "points",
         ["list of [x1, x2, y]", "object"]),
        ({"type": "upload", "name": "a.csv"}, "csv", ["needs 'csv'"]),
        ({"type": "upload", "csv": ["1,2,3"]}, "csv", ["text of a CSV file", "list"]),
        ({"type": "upload", "csv": "", "name": 3}, "name", ["file name", "number 3"]),
    ],
    ids=repr,
)  # fmt: skip
def test_new_messages_reject_bad_fields(message, field, words):
    err = parse_error(json.dumps({**message, "id": 4}))
    assert err.field == field, err.message
    assert err.request == message["type"] and err.id == 4
    for word in words:
        assert word in err.message, err.message
