"""The learner's own data: drawn points (``custom_data``), CSV files (``upload``), the split."""

from __future__ import annotations

import builtins
import io
import json
import logging
import random
import warnings

import numpy as np
import pytest

from gradlab.playground import commands
from gradlab.playground.config import LIMITS, ProtocolError
from gradlab.playground.messages import options, parse_message
from gradlab.playground.session import Session
from gradlab.playground.upload import check_points, parse_csv


def csv_error(text: str) -> ProtocolError:
    with pytest.raises(ProtocolError) as info:
        parse_csv(text)
    assert info.value.field == "csv"
    return info.value


def send(session: Session, message: dict) -> list[dict]:
    """Parse ``message`` as the server does and return the session's replies."""
    return commands.handle(session, parse_message(json.dumps(message)))


def rescaled(column, span: float) -> np.ndarray:
    v = np.asarray(column, dtype=np.float64)
    return (v - v.min()) / (v.max() - v.min()) * 2 * span - span


# -- CSV: good files --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "x1,x2,label\n1,10,0\n2,20,1\n4,30,1\n",
        "1,10,0\n2,20,1\n4,30,1",  # no header
        "x1;x2;label\r\n1;10;0\r\n2;20;1\r\n4;30;1\r\n",  # semicolons, CRLF
        "x1\tx2\tlabel\n1\t10\t0\n\n2\t20\t1\n   \n4\t30\t1\n",  # tabs, blank lines
        '\ufeff"x1","x2","label"\n"1","10","0"\n 2 , 20 , 1 \n4,3e1,1.0\n',  # BOM, quotes, spaces
        "x1;x2;label\n1,0;10;0\n2;20,0;1\n4;30;1\n",  # decimal commas with semicolons
    ],
    ids=["header", "no header", "semicolon", "tab", "quoted", "decimal comma"],
)
def test_good_classification_files(text):
    data = parse_csv(text)
    assert data.task == "classification" and data.n_classes == 2
    assert data.source == "upload" and data.rescaled is True
    np.testing.assert_allclose(data.points[:, 0], rescaled([1, 2, 4], 5), atol=1e-4)
    np.testing.assert_allclose(data.points[:, 1], [-5, 0, 5])
    assert data.y.tolist() == [0, 1, 1] and data.y.dtype == np.int64
    assert data.rows()[1] == [pytest.approx(-5 + 10 / 3, abs=1e-4), 0.0, 1]


def test_regression_files_and_target_rescaling():
    data = parse_csv("0,0,0.5\n1,1,2.5\n2,4,-1.5\n")  # a non-integer third column
    assert data.task == "regression" and data.n_classes == 1
    np.testing.assert_allclose(data.y, [0.0, 1.0, -1.0])  # min..max -> -1..1
    assert data.points[:, 1].tolist() == [-5.0, -2.5, 5.0]
    # integer targets are a regression when the header says so
    data = parse_csv("a,b,target\n0,0,10\n1,1,20\n2,2,30\n")
    assert data.task == "regression" and data.y.tolist() == [-1.0, 0.0, 1.0]
    assert parse_csv("a;b; Y_Value \n0;0;3\n1;1;4\n").task == "regression"


def test_classes_constant_columns_and_rounding():
    data = parse_csv("5,1,3\n5,2,0\n5,3,2\n")
    assert data.n_classes == 4 and data.y.tolist() == [3, 0, 2]
    assert data.points[:, 0].tolist() == [0.0, 0.0, 0.0]  # a constant column -> 0
    one = parse_csv("1,2,0\n")  # one point, one class: still a two-class problem
    assert one.n_classes == 2 and one.rows() == [[0.0, 0.0, 0]]
    thirds = parse_csv("0,0,0\n1,1,1\n3,3,0\n")
    assert thirds.points[1].tolist() == [round(-5 + 10 / 3, 4)] * 2  # 4 decimals
    # a file that spans -5..5 exactly is kept as it is
    assert parse_csv("-5,-5,0\n5,5,1\n").rescaled is False
    # huge values: rescaled without overflow
    wide = parse_csv("-1e308,1e308,0\n1e308,-1e308,1\n")
    assert wide.points.tolist() == [[-5.0, 5.0], [5.0, -5.0]]


# -- CSV: bad files ---------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["", "\n\n  \n", "\ufeff"])
def test_empty_file(text):
    assert "empty" in csv_error(text).message


def test_header_without_rows():
    assert "no data rows" in csv_error("x1,x2,label\n\n").message


def test_too_large_is_checked_first():
    limit = LIMITS["max_upload_bytes"]
    assert limit == 60000
    text = "x" * (limit + 1)  # not even CSV: the size is checked before anything is parsed
    err = csv_error(text)
    assert str(limit + 1) in err.message and str(limit) in err.message and "bytes" in err.message
    err = csv_error("1,2,0\n" + "é" * (limit // 2))  # bytes of UTF-8, not characters
    assert "bytes" in err.message
    assert len(parse_csv("1,2,0\n" + " " * (limit - 6)).y) == 1  # at the limit: fine


def test_too_many_rows():
    limit = LIMITS["max_samples"]
    ok = "x,y,c\n" + "0,0,1\n" * limit
    assert len(parse_csv(ok).y) == limit
    err = csv_error("0,0,1\n" * (limit + 1))
    assert str(limit + 1) in err.message and str(limit) in err.message and "rows" in err.message


@pytest.mark.parametrize(
    ("text", "line", "count"),
    [
        ("1,2,0\n3,4\n", 2, 2),
        ("1,2,0\n\n3,4,1,5\n", 3, 4),  # blank lines count, as in an editor
        ("1,2\n3,4\n", 1, 2),
        ("x,y\n1,2\n", 1, 2),  # a header of two names
        ("1;2;0\n3,4,5\n", 2, 1),  # the first row decides the separator
    ],
)
def test_wrong_number_of_columns(text, line, count):
    err = csv_error(text)
    assert f"line {line} has {count} column" in err.message
    assert "expected 3: x1, x2, label" in err.message


def test_non_numeric_cell():
    err = csv_error("x,y,label\n1,2,0\n\n3,four,1\n")
    assert "line 4, column 2" in err.message and "'four'" in err.message
    assert "expected a number" in err.message
    err = csv_error("1,2,0\n3,4," + "z" * 500 + "\n")
    assert "line 2, column 3" in err.message and "z" * 17 + "..." in err.message
    assert "z" * 21 not in err.message  # the cell is shortened
    assert "line 1, column 1" in csv_error("1_0,2,0\n").message  # Python's underscores: no
    assert "line 1, column 3" in csv_error("1,2,\n").message  # an empty cell


@pytest.mark.parametrize("cell", ["nan", "NaN", "inf", "-Infinity", "1e999"])
def test_non_finite_values(cell):
    err = csv_error(f"1,2,0\n3,{cell},1\n")
    assert "line 2, column 2" in err.message and "finite" in err.message


@pytest.mark.parametrize(("label", "line"), [("7", 2), ("-1", 2), ("4", 2)])
def test_integer_label_outside_0_to_3(label, line):
    err = csv_error(f"1,2,0\n3,4,{label}\n")
    assert "class labels must be 0 to 3" in err.message
    assert f"line {line} has {label}" in err.message and "target" in err.message


def test_any_text_is_an_error_or_data_never_a_crash():
    rng = random.Random(0)
    alphabet = "0123456789.,;\t\n\r -+eE\"'xnaif\x00é"
    for _ in range(500):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 60)))
        try:
            data = parse_csv(text)
        except ProtocolError as exc:
            assert exc.field == "csv" and exc.message
        else:
            assert np.all(np.abs(data.points) <= 5) and len(data.y) >= 1


# -- drawn points -----------------------------------------------------------------------------
def test_drawn_points_are_kept_as_drawn():
    data = check_points("classification", [[1.23456, -6, 2], [6.0, 0, 0]])
    assert data.source == "drawn" and data.rescaled is False and data.n_classes == 3
    assert data.rows() == [[1.2346, -6.0, 2], [6.0, 0.0, 0]]
    data = check_points("regression", [[0, 0, -1], [1, 1, 0.25]])
    assert data.n_classes == 1 and data.y.tolist() == [-1.0, 0.25]


@pytest.mark.parametrize(
    ("task", "points", "field", "words"),
    [
        ("classification", [], "points", ["1 to 2000", "list of 0"]),
        ("classification", [[0, 0, 0]] * 2001, "points", ["1 to 2000", "2001"]),
        ("classification", [[0, 0, 0], [0, 0]], "points[1]", ["[x1, x2, y]", "list of 2"]),
        ("classification", [[0, 0, 0], 5], "points[1]", ["[x1, x2, y]", "number 5"]),
        ("classification", [[6.5, 0, 0]], "points[0][0]", ["from -6 to 6", "6.5"]),
        ("classification", [[0, "1", 0]], "points[0][1]", ["number", "string '1'"]),
        ("classification", [[0, float("nan"), 0]], "points[0][1]", ["finite"]),
        ("classification", [[0, 0, 1.5]], "points[0][2]", ["integer from 0 to 3", "1.5"]),
        ("classification", [[0, 0, 4]], "points[0][2]", ["from 0 to 3", "4"]),
        ("classification", [[0, 0, True]], "points[0][2]", ["boolean true"]),
        ("regression", [[0, 0, 1.5]], "points[0][2]", ["from -1 to 1", "1.5"]),
        ("clustering", [[0, 0, 0]], "task", ["'classification', 'regression'"]),
    ],
)
def test_bad_points_name_their_field(task, points, field, words):
    with pytest.raises(ProtocolError) as info:
        check_points(task, points)
    assert info.value.field == field
    for word in words:
        assert word in info.value.message, info.value.message
    assert "received" in info.value.message


# -- the session ------------------------------------------------------------------------------
def blobs(n: int = 200, seed: int = 0) -> list[list[float]]:
    """Two separable blobs, as a learner might draw them."""
    rng = np.random.default_rng(seed)
    points = []
    for i in range(n):
        c = i % 2
        x, y = rng.normal(-3 if c else 3, 0.8, 2)
        points.append([round(float(np.clip(x, -6, 6)), 3), round(float(np.clip(y, -6, 6)), 3), c])
    return points


def test_custom_data_message_replies_and_split():
    s = Session({"train_ratio": 70})
    points = blobs(200)
    replies = send(s, {"type": "custom_data", "id": 5, "task": "classification", "points": points})
    assert [r["type"] for r in replies] == ["custom_data", "config", "data", "state"]
    assert all(r["id"] == 5 for r in replies)
    echo, config, data, state = replies
    assert echo["points"] == points and echo["source"] == "drawn" and echo["rescaled"] is False
    assert echo["task"] == "classification"
    assert config["config"]["dataset"] == "custom" and config["config"]["classes"] == 2
    assert data["n_classes"] == 2 and len(data["train"]) == 140 and len(data["test"]) == 60
    kept = sorted(map(tuple, data["train"] + data["test"]))
    assert kept == sorted(map(tuple, points))  # every point kept, once
    assert state["epoch"] == 0
    json.dumps(replies, allow_nan=False)


def test_upload_message_replies():
    s = Session()
    text = "x,y,class\n" + "".join(f"{i},{i % 7},{i % 3}\n" for i in range(30))
    replies = send(s, {"type": "upload", "id": 2, "csv": text, "name": "mine.csv"})
    assert [r["type"] for r in replies] == ["custom_data", "config", "data", "state"]
    echo = replies[0]
    assert echo["source"] == "upload" and echo["rescaled"] is True and len(echo["points"]) == 30
    assert replies[1]["config"]["classes"] == 3 and replies[2]["n_classes"] == 3
    assert replies[3]["layers"][-1]["units"] == 3  # softmax over the file's classes


def test_bad_upload_leaves_the_session_as_it_was():
    s = Session({"noise": 10})
    before = s.data_message()
    (reply,) = send(s, {"type": "upload", "id": 8, "csv": "1,2,0\n3,x,1\n"})
    assert reply["type"] == "error" and reply["field"] == "csv"
    assert reply["request"] == "upload" and reply["id"] == 8
    assert "line 2, column 2" in reply["message"]
    assert s.config["dataset"] == "circle" and s.data_message() == before
    (reply,) = send(s, {"type": "custom_data", "task": "regression", "points": [[0, 0, 2]]})
    assert reply["type"] == "error" and reply["field"] == "points[0][2]"


def test_custom_dataset_needs_points_first():
    s = Session()
    with pytest.raises(ProtocolError) as info:
        s.apply_config({"dataset": "custom"})
    assert info.value.field == "config.dataset"
    assert "draw points or upload a CSV first" in info.value.message
    with pytest.raises(ProtocolError):
        Session({"dataset": "custom"})
    # once it has points, the data set can be left and chosen again
    s.set_custom_data(check_points("classification", blobs(20)))
    s.apply_config({"dataset": "xor"})
    assert s.apply_config({"dataset": "custom"})["data_changed"] is True
    assert len(s.data["train"][1]) + len(s.data["test"][1]) == 20


def test_split_follows_train_ratio_seed_and_regenerate():
    s = Session()
    s.set_custom_data(check_points("classification", blobs(100)))
    first = s.data_message()
    assert len(first["train"]) == 50
    s.regenerate()  # reshuffles the split
    again = s.data_message()
    assert again["train"] != first["train"] and len(again["train"]) == 50
    assert sorted(map(tuple, again["train"] + again["test"])) == sorted(
        map(tuple, first["train"] + first["test"])
    )
    assert s.apply_config({"train_ratio": 80})["data_changed"] is True
    assert len(s.data_message()["train"]) == 80
    s.apply_config({"seed": 3})
    assert s.data_message()["train"] != again["train"]
    # noise and n_samples mean nothing for one's own points
    assert s.apply_config({"noise": 30, "n_samples": 1000})["data_changed"] is False
    assert len(s.data_message()["train"]) == 80
    # the same seed and calls give the same split
    t = Session()
    t.set_custom_data(check_points("classification", blobs(100)))
    assert t.data_message() == first


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_an_empty_test_set_reports_null(task):
    y = 1 if task == "classification" else 0.5
    s = Session({"train_ratio": 90, "layers": [{"units": 2, "activation": "relu"}]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "mean of empty slice", no NaN
        s.set_custom_data(check_points(task, [[1, 2, y]]))
        assert s.data_message()["test"] == []
        assert s.step_epoch() is True
        s.inspect(0, 1)
        st = s.state()
    assert st["test_loss"] is None and st["test_accuracy"] is None
    assert st["train_loss"] is not None
    json.dumps(st, allow_nan=False)


def test_batchnorm_with_a_single_training_point_is_refused():
    s = Session({"batchnorm": True})
    with pytest.raises(ProtocolError) as info:
        s.set_custom_data(check_points("classification", [[1, 2, 0]]))
    assert info.value.field == "points" and "at least 2 training points" in info.value.message
    assert s.config["dataset"] == "circle"
    s = Session()
    s.set_custom_data(check_points("classification", [[1, 2, 0], [2, 1, 1]]))
    with pytest.raises(ProtocolError) as info:
        s.apply_config({"batchnorm": True})  # 50 % of 2 points: one training point
    assert info.value.field == "config.batchnorm"
    s.apply_config({"batchnorm": True, "train_ratio": 90})
    assert s.step_epoch() is True


def test_a_network_learns_drawn_points():
    s = Session({"optimizer": "adam", "learning_rate": 0.03})
    s.set_custom_data(check_points("classification", blobs(200)))
    for _ in range(20):
        s.step_epoch()
    st = s.state()
    assert st["train_accuracy"] > 0.95 and st["test_accuracy"] > 0.9


def test_the_data_is_never_written_or_logged(monkeypatch, caplog):
    def refuse(*args, **kwargs):
        raise AssertionError(f"the session opened a file: {args!r}")

    monkeypatch.setattr(builtins, "open", refuse)
    monkeypatch.setattr(io, "open", refuse)
    caplog.set_level(logging.DEBUG)
    s = Session()
    text = "x,y,label\n1.2345,7.777,0\n2.5,8.888,1\n"
    replies = send(s, {"type": "upload", "csv": text, "name": "secret.csv"})
    assert replies[0]["type"] == "custom_data"
    send(s, {"type": "upload", "csv": "1,2,9\n"})  # an error
    for record in caplog.records:
        assert "7.777" not in record.getMessage() and "secret" not in record.getMessage()


def test_options_list_custom_last():
    datasets = options()["datasets"]
    assert list(datasets)[-1] == "custom"
    assert datasets["custom"] == {"label": "Your data", "task": None, "classes": [2, 3, 4]}
