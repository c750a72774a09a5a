"""Model files: every malformed file is a clear ValueError, sizes are checked before they are
allocated, saves are atomic, clean up after killed saves and follow the umask.

Crafted files are written with ``zipfile`` and ``numpy.lib.format`` directly, so that each test
changes one thing of a file ``Sequential.save`` wrote.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import selectors
import signal
import stat
import subprocess
import sys
import time
import tracemalloc
import urllib.request
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.lib import format as npy_format

import gradlab as gl
from gradlab import datasets, layers
from gradlab.datasets import vision
from gradlab.model import saving

POSIX = os.name == "posix"
LINUX = sys.platform.startswith("linux")


# ---- helpers --------------------------------------------------------------------------------


def _model(seed: int = 0) -> gl.Sequential:
    """A small trained model with params, buffers and Adam state."""
    X, y = datasets.xor(64, noise=0.05, seed=0)
    model = gl.Sequential(
        [layers.Dense(8, "tanh"), layers.BatchNorm(), layers.Dense(2)], input_dim=2, seed=seed
    )
    model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"])
    model.fit(X, y, epochs=1, batch_size=16, verbose=0)
    return model


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("saved") / "model.npz"
    _model().save(path)
    return path


def _contents(path: Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Return the config and the arrays of a saved model file."""
    with np.load(path) as archive:
        arrays = {key: archive[key] for key in archive.files}
    return json.loads(str(arrays.pop("__config__"))), arrays


def _npy(array: Any) -> bytes:
    buf = io.BytesIO()
    npy_format.write_array(buf, np.asanyarray(array), allow_pickle=False)
    return buf.getvalue()


def _write(
    path: Path,
    config: Any,
    arrays: dict[str, Any],
    *,
    raw_config: str | None = None,
    compression: int = zipfile.ZIP_STORED,
) -> Path:
    """Write a model archive: ``config`` as JSON (or ``raw_config`` as is) and ``arrays``."""
    text = json.dumps(config) if raw_config is None else raw_config
    with zipfile.ZipFile(path, "w") as zf:
        for name, array in {"__config__": np.array(text), **arrays}.items():
            zf.writestr(name + ".npy", _npy(array), compress_type=compression)
    return path


def _edited(saved: Path, out: Path, edit: Callable[[dict, dict], Any]) -> Path:
    """Write to ``out`` the saved model with ``edit(config, arrays)`` applied."""
    config, arrays = _contents(saved)
    edit(config, arrays)
    return _write(out, config, arrays)


def _bomb(path: Path, config: dict, arrays: dict, key: str, nbytes: int) -> Path:
    """Write a model archive whose entry ``key`` is ``nbytes`` of deflated zeros (a float32
    vector of that size) and the rest as given: a small file that inflates hugely."""
    header = io.BytesIO()
    npy_format.write_array_header_1_0(
        header, {"descr": "<f4", "fortran_order": False, "shape": (nbytes // 4,)}
    )
    with zipfile.ZipFile(path, "w") as zf:
        for name, array in {"__config__": np.array(json.dumps(config)), **arrays}.items():
            if name != key:
                zf.writestr(name + ".npy", _npy(array))
                continue
            info = zipfile.ZipInfo(name + ".npy")
            info.compress_type = zipfile.ZIP_DEFLATED
            with zf.open(info, "w", force_zip64=True) as out:
                out.write(header.getvalue())
                zeros = bytes(1 << 22)
                for start in range(0, nbytes, len(zeros)):
                    out.write(zeros[: min(len(zeros), nbytes - start)])
    return path


def _load_error(path: Path, **kwargs: Any) -> str:
    """Load ``path``, expecting a ValueError that names the file; return its message."""
    with pytest.raises(ValueError) as info:
        gl.load_model(path, **kwargs)
    message = str(info.value)
    assert message.startswith(f"load_model: {path}: "), message
    return message


def _same_model(a: gl.Sequential, b: gl.Sequential) -> None:
    for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
        assert wa.dtype == wb.dtype
        np.testing.assert_array_equal(wa, wb)


# ---- round trips ----------------------------------------------------------------------------


def test_round_trip_restores_everything(saved: Path) -> None:
    model, loaded = _model(), gl.load_model(saved)
    _same_model(model, loaded)
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    state, restored = model.optimizer.get_state(), loaded.optimizer.get_state()
    assert sorted(state) == sorted(restored)
    for key, value in state.items():
        np.testing.assert_array_equal(value, restored[key])
    assert loaded.metric_names == ["accuracy"]
    assert loaded.rng.bit_generator.state == model.rng.bit_generator.state


def _every_layer() -> list[layers.Layer]:
    """One instance per gradlab layer class, in configurations that change their weights."""
    return [
        layers.Dense(6, "relu", use_bias=False),
        layers.PReLU(shared=True),
        layers.Maxout(5, pieces=3),
        layers.BatchNorm(affine=False),
        layers.FReLU(),
        layers.Dense(8),
        layers.Activation("glu"),  # halves the width: 8 -> 4
        layers.Residual([layers.Dense(4), layers.BatchNorm(), layers.Activation("tanh")]),
        layers.LayerNorm(elementwise_affine=False),
        layers.Dropout(0.2),
        layers.LayerNorm(),
        layers.BatchNorm(),
        layers.PReLU(),
        layers.Dense(3, "softmax"),
    ]


def test_weight_shapes_and_output_width_match_what_build_creates() -> None:
    width = 5
    for layer in _every_layer():
        promised = layer.weight_shapes(width)
        out = layer.output_width(width)
        layer.build(width, rng=np.random.default_rng(0), dtype="float64")
        made = dict(zip(layer.weight_names, (w.shape for w in layer.weights), strict=True))
        assert promised == made, (layer.describe(), promised, made)
        assert list(promised) == list(made)  # the order get_weights / the file use
        assert out == layer.output_dim, layer.describe()
        width = out


def test_every_layer_class_has_a_size_rule_and_round_trips(tmp_path: Path) -> None:
    ours = {layers.REGISTRY.lookup(name) for name in layers.names()}
    ours = {cls for cls in ours if cls.__module__.startswith("gradlab.")}
    # load_model works out each layer's weights from its config before building: a new layer
    # class must say what it creates (Layer.weight_shapes), or its sizes go unchecked until it
    # is built.
    unsized = {cls for cls in ours if cls.weight_shapes is layers.Layer.weight_shapes}
    assert not unsized, unsized
    assert {type(layer) for layer in _every_layer()} == ours
    X, y = datasets.spirals(90, n_classes=3, seed=0)
    for dtype in ("float32", "float64"):
        model = gl.Sequential(_every_layer(), input_dim=2, seed=3, dtype=dtype)
        model.compile(optimizer="rmsprop", loss="cross_entropy")
        model.fit(X, y, epochs=2, batch_size=30, verbose=0)
        model.save(tmp_path / f"{dtype}.npz")
        loaded = gl.load_model(tmp_path / f"{dtype}.npz")
        _same_model(model, loaded)
        np.testing.assert_array_equal(model.predict(X), loaded.predict(X))
        model.fit(X, y, epochs=1, batch_size=30, verbose=0)
        loaded.fit(X, y, epochs=1, batch_size=30, verbose=0)
        _same_model(model, loaded)  # dropout masks, shuffling and optimizer state restored


def test_uncompiled_model_and_numpy_written_variants_load(tmp_path: Path, saved: Path) -> None:
    model = gl.Sequential([layers.Dense(4)], input_dim=3, seed=None, name="plain")
    model.save(tmp_path / "plain.npz")
    loaded = gl.load_model(tmp_path / "plain.npz")
    assert not loaded.compiled and loaded.name == "plain" and loaded.seed is None
    _same_model(model, loaded)
    # np.savez_compressed's deflated entries and Fortran-ordered arrays are valid .npy too.
    config, arrays = _contents(saved)
    arrays = {k: np.asfortranarray(v) if v.ndim > 1 else v for k, v in arrays.items()}
    _write(tmp_path / "deflated.npz", config, arrays, compression=zipfile.ZIP_DEFLATED)
    _same_model(gl.load_model(saved), gl.load_model(tmp_path / "deflated.npz"))


# ---- malformed files ------------------------------------------------------------------------


def _raw(data: Callable[[bytes], bytes]) -> Callable[[Path, Path], Path]:
    def make(saved: Path, out: Path) -> Path:
        out.write_bytes(data(saved.read_bytes()))
        return out

    return make


def _config(edit: Callable[[dict], Any]) -> Callable[[Path, Path], Path]:
    return lambda saved, out: _edited(saved, out, lambda config, arrays: edit(config))


def _arrays(edit: Callable[[dict], Any]) -> Callable[[Path, Path], Path]:
    return lambda saved, out: _edited(saved, out, lambda config, arrays: edit(arrays))


def _raw_config(text: str) -> Callable[[Path, Path], Path]:
    return lambda saved, out: _write(out, None, _contents(saved)[1], raw_config=text)


def _damage_crc(data: bytes) -> bytes:
    """Zero 64 bytes of the config's data (not its header), so its CRC no longer matches."""
    start = data.index('{"'.encode("utf-32-le"))  # the config's JSON text, after its header
    return data[:start] + bytes(64) + data[start + 64 :]


def _set(path: str, value: Any) -> Callable[[dict], None]:
    """An edit that sets the config field at ``path`` (dots; [i] for list items)."""
    keys: list[Any] = [int(k) if k.isdigit() else k for k in re.split(r"\.|\[|\]\.?", path) if k]

    def edit(config: dict) -> None:
        node = config
        for key in keys[:-1]:
            node = node[key]
        node[keys[-1]] = value

    return edit


def _savez_bytes(**arrays: Any) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def _drop(path: str) -> Callable[[dict], None]:
    *parents, last = path.split(".")

    def edit(config: dict) -> None:
        node = config
        for key in parents:
            node = node[key]
        del node[last]

    return edit


def _rezip(
    config_npy: bytes | None = None,
    extra: dict[str, bytes] | None = None,
    compression: int = zipfile.ZIP_STORED,
) -> Callable[[Path, Path], Path]:
    """A maker of the saved file with its ``__config__.npy`` replaced by ``config_npy`` and/or
    compressed with ``compression``, plus the ``extra`` entries (names as in the zip)."""

    def make(saved: Path, out: Path) -> Path:
        with zipfile.ZipFile(saved) as source, zipfile.ZipFile(out, "w") as zf:
            for info in source.infolist():
                data = source.read(info)
                if info.filename == "__config__.npy":
                    data = data if config_npy is None else config_npy
                    zf.writestr(info.filename, data, compress_type=compression)
                else:
                    zf.writestr(info.filename, data)
            for name, data in (extra or {}).items():
                zf.writestr(name, data)
        return out

    return make


MALFORMED: dict[str, tuple[Callable[[Path, Path], Path], str]] = {
    # what the file is, as a whole
    "empty": (_raw(lambda data: b""), r"is empty \(0 bytes\)"),
    "truncated": (_raw(lambda data: data[: len(data) // 2]), r"truncated or damaged zip"),
    "crc": (_raw(_damage_crc), r"entry '__config__' is damaged \(Bad CRC-32"),
    "npy": (_raw(lambda data: _npy(np.zeros(3))), r"single NumPy array \(\.npy\)"),
    "png": (_raw(lambda data: b"\x89PNG\r\n\x1a\n" + bytes(100)), r"is a PNG image"),
    "pickle": (_raw(lambda data: b"\x80\x04K\x01."), r"Python pickle"),
    "text": (_raw(lambda data: b"hello"), r"not a zip archive \(it starts with b'hello'"),
    "other npz": (
        _raw(lambda data: _savez_bytes(a=np.zeros(2))),
        r"no __config__ entry; not a gradlab model",
    ),
    "non-npy entry": (_rezip(extra={"notes.txt": b"hi"}), r"'notes.txt' that is not a \.npy"),
    "unknown entry": (
        _rezip(extra={"extra.npy": _npy(np.zeros(1))}),
        r"unexpected entries \['extra'",
    ),
    "bzip2 config": (
        _rezip(compression=zipfile.ZIP_BZIP2),
        r"compression method 12; expected stored or deflated",
    ),
    # the config text
    "bad json": (_raw_config("{not json"), r"__config__ is not valid JSON \(JSONDecodeError"),
    "deep json": (_raw_config("[" * 100_000 + "]" * 100_000), r"not valid JSON \(RecursionError"),
    "deep but parseable": (_raw_config("[" * 40 + "]" * 40), r"nests deeper than 32 levels"),
    "json list": (_raw_config("[1, 2]"), r"__config__ must be a JSON object, got \[1, 2\]"),
    "bytes config": (
        _rezip(_npy(np.array(b"{}"))),
        r"'__config__' must be a 0-d unicode array \(JSON text\), got \|S2",
    ),
    "code points": (
        _rezip(_npy(np.array("{}"))[:-8] + b"\xff" * 8),
        r"code points beyond U\+10FFFF",
    ),
    # the schema
    "format": (_config(_set("format", "keras")), r"holds format 'keras'.*not a gradlab model"),
    "version newer": (_config(_set("version", 2)), r"version 2, newer than this gradlab reads"),
    "version text": (_config(_set("version", "1")), r"field version must be an int >= 1, got '1'"),
    "missing model": (_config(_drop("model")), r"__config__ has no \['model'\]"),
    "extra key": (_config(_set("stepp", 1)), r"unexpected keys \['stepp'\]"),
    "step text": (_config(_set("step", "abc")), r"step must be an int >= 0, got 'abc' \(str\)"),
    "step negative": (_config(_set("step", -1)), r"step must be an int >= 0, got -1"),
    "step float": (_config(_set("step", 1.5)), r"step must be an int >= 0, got 1\.5 \(float\)"),
    "step bool": (_config(_set("step", True)), r"step must be an int >= 0, got True \(bool\)"),
    "gradlab_version": (_config(_set("gradlab_version", 1)), r"gradlab_version must be a str"),
    "name": (_config(_set("model.name", 3)), r"model\.name must be a str or null, got 3"),
    "input_dim zero": (_config(_set("model.input_dim", 0)), r"model\.input_dim must be an int in"),
    "input_dim huge": (_config(_set("model.input_dim", 10**9)), r"in \[1, 1048576\], got 10+ "),
    "seed": (_config(_set("model.seed", -1)), r"model\.seed must be an int >= 0 or null, got -1"),
    "dtype": (_config(_set("model.dtype", "float16")), r"model\.dtype must be 'float32' or"),
    "no layers": (_config(_set("model.layers", [])), r"model\.layers must be a list of 1 to"),
    "layer keys": (_config(_set("model.layers[0].extra", 1)), r"layers\[0\] has unexpected keys"),
    "layer class": (
        _config(_set("model.layers[0].class_name", "Dense2")),
        r"model\.layers\[0\] \('Dense2'\) cannot be rebuilt.*unknown layer 'Dense2'; did you mean",
    ),
    "layer config": (
        _config(_set("model.layers[0].config.units", -3)),
        r"model\.layers\[0\] \('Dense'\) cannot be rebuilt.*units must be an int >= 1",
    ),
    "layer kwarg": (
        _config(_set("model.layers[1].config.colour", 1)),
        r"\('BatchNorm'\) cannot be rebuilt.*unexpected keyword argument 'colour'",
    ),
    "dropout p huge int": (
        _config(_set("model.layers[1]", {"class_name": "Dropout", "config": {"p": 10**400}})),
        r"\('Dropout'\) cannot be rebuilt",
    ),
    "loss": (_config(_set("compile.loss", "mse2")), r"compile does not describe.*unknown loss"),
    "metric": (_config(_set("compile.metrics", ["acc", 3])), r"compile\.metrics must be a list"),
    "optimizer": (
        _config(_set("compile.optimizer.config.lr", -1)),
        r"compile does not describe a valid setup: lr must be a finite number",
    ),
    "rng missing": (_config(_drop("rng.init.uinteger")), r"rng\.init has no \['uinteger'\]"),
    "rng generator": (
        _config(_set("rng.init.bit_generator", "MT19937")),
        r"rng\.init\.bit_generator must be 'PCG64', got 'MT19937'",
    ),
    "rng state text": (
        _config(_set("rng.shuffle.state.state", "x")),
        r"rng\.shuffle\.state\.state must be an int in \[0, 2\*\*128\), got 'x'",
    ),
    "rng state huge": (_config(_set("rng.init.state.state", 2**200)), r"state\.state must be"),
    "rng inc even": (_config(_set("rng.init.state.inc", 4)), r"state\.inc must be an odd int"),
    "rng has_uint32": (_config(_set("rng.init.has_uint32", 5)), r"has_uint32 must be 0 or 1"),
    # the arrays
    "missing weight": (
        _arrays(lambda arrays: arrays.pop("weights/0/1")),
        r"has no entry 'weights/0/1'; the config needs layer 0 Dense\(8, tanh\)'s b of shape",
    ),
    "extra weight": (
        _arrays(lambda arrays: arrays.__setitem__("weights/0/2", np.zeros(8, np.float32))),
        r"holds entries \['weights/0/2'\] that no layer of its config has",
    ),
    "weight shape": (
        _arrays(lambda arrays: arrays.__setitem__("weights/2/0", np.zeros((8, 3), np.float32))),
        r"entry 'weights/2/0' has shape \(8, 3\); the config needs layer 2 .*W of shape \(8, 2\)",
    ),
    "weight dtype": (
        _arrays(lambda arrays: arrays.__setitem__("weights/0/1", np.zeros(8))),
        r"entry 'weights/0/1' holds float64; the model's dtype is float32",
    ),
    "weight kind": (
        _arrays(lambda arrays: arrays.__setitem__("weights/0/1", np.zeros(8, np.int32))),
        r"entry 'weights/0/1' holds int32; the model's dtype is float32",
    ),
    "weight nan": (
        _arrays(lambda arrays: arrays["weights/2/1"].__setitem__(0, np.nan)),
        r"'weights/2/1' \(layer 2 Dense\(2, linear\)'s b\) holds NaN or inf",
    ),
    "negative variance": (
        _arrays(lambda arrays: arrays["weights/1/3"].__setitem__(0, -1.0)),
        r"'weights/1/3' \(layer 1 BatchNorm's running_var\) must be >= 0, found -1\.0",
    ),
    "optimizer slot missing": (
        _arrays(lambda arrays: arrays.pop("optimizer/exp_avg_sq/2")),
        r"optimizer state does not fit Adam.*missing \['optimizer/exp_avg_sq/2'\]",
    ),
    "optimizer slot unknown": (
        _arrays(lambda arrays: arrays.__setitem__("optimizer/momentum/0", np.zeros(1))),
        r"unexpected \['optimizer/momentum/0'\].*iterations, lr, exp_avg/<j>, exp_avg_sq/<j>",
    ),
    "optimizer shape": (
        _arrays(lambda arrays: arrays.__setitem__("optimizer/exp_avg/0", np.zeros(3, "f4"))),
        r"'optimizer/exp_avg/0' has shape \(3,\); parameter 0 of the model has shape \(2, 8\)",
    ),
    "optimizer nan": (
        _arrays(lambda arrays: arrays["optimizer/exp_avg/1"].__setitem__(0, np.inf)),
        r"entry 'optimizer/exp_avg/1' holds NaN or inf",
    ),
    "optimizer iterations": (
        _arrays(lambda arrays: arrays.__setitem__("optimizer/iterations", np.array(-2))),
        r"the optimizer refuses its saved state: state\['iterations'\] must be a 0-d int >= 0",
    ),
    "optimizer lr": (
        _arrays(lambda arrays: arrays.__setitem__("optimizer/lr", np.array([0.1]))),
        r"entry 'optimizer/lr' must be a 0-d float, got float64 of shape \(1,\)",
    ),
    "state without compile": (
        _config(_set("compile", None)),
        r"holds optimizer state \[.*\] but its config says the model was not compiled",
    ),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_file_is_a_value_error_naming_file_and_problem(
    case: str, saved: Path, tmp_path: Path
) -> None:
    make, expected = MALFORMED[case]
    path = make(saved, tmp_path / "bad.npz")
    message = _load_error(path)
    assert re.search(expected, message), message
    assert "pickled" not in message


def test_missing_file_and_folder_keep_their_own_errors(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no file at"):
        gl.load_model(tmp_path / "missing.npz")
    with pytest.raises(IsADirectoryError, match="is a folder"):
        gl.load_model(tmp_path)
    with pytest.raises(ValueError, match="max_bytes must be an int >= 1"):
        gl.load_model(tmp_path / "missing.npz", max_bytes=0)


def _config_paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path (tuple of keys and indexes) to a node of a JSON value."""
    paths = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            paths += _config_paths(child, (*prefix, key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            paths += _config_paths(child, (*prefix, i))
    return paths


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=8)
    | st.sampled_from(["Dense", "relu", "adam", "float64", "PCG64"]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_config_edit_loads_or_is_a_value_error(
    data: st.DataObject, saved: Path, tmp_path: Path
) -> None:
    config, arrays = _contents(saved)
    where = data.draw(st.sampled_from(_config_paths(config)[1:]), label="field")
    node = config
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = data.draw(JSON, label="value")
    path = _write(tmp_path / "fuzzed.npz", config, arrays)
    try:
        gl.load_model(path)
    except ValueError as exc:
        assert str(exc).startswith(f"load_model: {path}: ")


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_damaged_byte_loads_or_is_a_value_error(
    data: st.DataObject, saved: Path, tmp_path: Path
) -> None:
    raw = bytearray(saved.read_bytes())
    for _ in range(data.draw(st.integers(1, 4), label="bytes changed")):
        at = data.draw(st.integers(0, len(raw) - 1), label="offset")
        raw[at] = data.draw(st.integers(0, 255), label="byte")
    path = tmp_path / "damaged.npz"
    path.write_bytes(bytes(raw))
    try:
        gl.load_model(path)
    except ValueError as exc:
        assert str(exc).startswith(f"load_model: {path}: ")


# ---- limits before allocation ---------------------------------------------------------------


def test_inflating_entry_is_refused_before_it_is_read(saved: Path, tmp_path: Path) -> None:
    config, arrays = _contents(saved)
    size = 64 * 2**20
    path = _bomb(tmp_path / "bomb.npz", config, arrays, "weights/0/0", size)
    assert path.stat().st_size < size / 200  # deflated zeros: a small file
    tracemalloc.start()
    try:
        message = _load_error(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert re.search(r"'weights/0/0' declares \d+ bytes uncompressed, but layer 0", message)
    assert peak < 8 * 2**20, f"loading allocated {peak / 2**20:.1f} MiB before refusing"


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        (
            "model.layers[0].config.units",
            2**20,
            r"'weights/0/0' has shape \(2, 8\); .*\(2, 1048576\)",
        ),
        ("model.input_dim", 2**20, r"'weights/0/0' has shape \(2, 8\); .*\(1048576, 8\)"),
    ],
)
def test_config_sizes_are_compared_with_the_file_before_building(
    saved: Path, tmp_path: Path, field: str, value: int, expected: str
) -> None:
    path = _edited(saved, tmp_path / "big.npz", lambda config, arrays: _set(field, value)(config))
    tracemalloc.start()
    try:
        message = _load_error(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert re.search(expected, message), message
    # Building would draw at least 8 MiB of weights (and their float64 draws, gradients, ...).
    assert peak < 4 * 2**20, f"loading allocated {peak / 2**20:.1f} MiB before refusing"


def test_max_bytes_caps_the_model_a_file_may_describe(tmp_path: Path) -> None:
    model = gl.Sequential([layers.Dense(512), layers.Dense(512)], input_dim=512, seed=0)
    path = tmp_path / "model.npz"
    model.save(path)  # 2 * 512 * 513 float32 weights: 2.0 MiB
    message = _load_error(path, max_bytes=2**20)
    assert re.search(r"describes weights of 2101248 bytes \(2\.0 MiB of float32\); "
                     r"load_model\(max_bytes=1048576\) allows 1\.0 MiB", message)  # fmt: skip
    _same_model(model, gl.load_model(path, max_bytes=2101248))


MEMORY_CHILD = r"""
import json, resource, sys
import gradlab as gl

with open("/proc/self/status") as status:
    vm = next(int(line.split()[1]) for line in status if line.startswith("VmSize:")) * 1024
hard = resource.getrlimit(resource.RLIMIT_AS)[1]
resource.setrlimit(resource.RLIMIT_AS, (vm + 2 * 2**30, hard))  # MemoryError beyond 2 GiB more
results = []
for path in sys.argv[1:]:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        gl.load_model(path)
        outcome = ["loaded", ""]
    except Exception as exc:
        outcome = [type(exc).__name__, str(exc)]
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    results.append([*outcome, (after - before) / 1024])
print(json.dumps(results))
"""


@pytest.mark.skipif(not LINUX, reason="reads /proc and relies on RLIMIT_AS and KiB maxrss")
def test_crafted_files_do_not_grow_memory(saved: Path, tmp_path: Path) -> None:
    """Each crafted file is refused with the child's peak RSS grown by less than 32 MiB (it
    grew by 380 MiB to 6 GiB before the checks); the 2 GiB address-space limit turns an
    unchecked allocation into a MemoryError instead of exhausting the machine."""
    config, arrays = _contents(saved)
    wide = json.loads(json.dumps(config))
    _set("model.layers[0].config.units", 2**20)(wide)
    huge = json.loads(json.dumps(config))  # 2**30 float32 weights: 4 GiB, over MAX_BYTES
    _set("model.input_dim", 2**10)(huge)
    _set("model.layers[0].config.units", 2**20)(huge)
    files = [
        _bomb(tmp_path / "bomb.npz", config, arrays, "weights/0/0", 256 * 2**20),
        _write(tmp_path / "wide.npz", wide, arrays),
        _write(tmp_path / "huge.npz", huge, arrays),
    ]
    result = subprocess.run(
        [sys.executable, "-c", MEMORY_CHILD, str(saved), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    (good, *crafted) = json.loads(result.stdout)
    assert good[0] == "loaded", good
    for path, (kind, message, grown) in zip(files, crafted, strict=True):
        assert kind == "ValueError", (path.name, kind, message)
        assert grown < 32, f"{path.name}: peak RSS grew by {grown:.0f} MiB"
    assert re.search(r"describes weights of \d+ bytes \(4\d{3}\.\d MiB of float32\)", crafted[2][1])


# ---- saving ---------------------------------------------------------------------------------


def test_save_into_missing_folder_names_the_folder(tmp_path: Path) -> None:
    model = gl.Sequential([layers.Dense(2)], input_dim=2)
    target = tmp_path / "no" / "such" / "model.npz"
    with pytest.raises(FileNotFoundError) as info:
        model.save(target)
    message = str(info.value)
    assert f"the folder {target.parent} does not exist" in message
    assert "mkdir(parents=True)" in message and ".tmp" not in message
    (tmp_path / "file").write_text("")
    with pytest.raises(NotADirectoryError, match=r"is a file, not a folder"):
        model.save(tmp_path / "file" / "model.npz")
    assert sorted(os.listdir(tmp_path)) == ["file"]


@pytest.mark.skipif(not POSIX or os.geteuid() == 0, reason="root may write anywhere")
def test_save_into_read_only_folder_names_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(PermissionError, match=rf"create files in the folder {folder}"):
            gl.Sequential([layers.Dense(2)], input_dim=2).save(folder / "model.npz")
    finally:
        folder.chmod(0o755)


def test_save_without_permission_names_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same error when the OS refuses the temporary file (root ignores folder modes)."""
    real_open = os.open

    def refuse(path: Any, *args: Any, **kwargs: Any) -> int:
        if str(path).endswith(".tmp"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(PermissionError) as info:
        gl.Sequential([layers.Dense(2)], input_dim=2).save(tmp_path / "model.npz")
    assert f"no permission to create files in the folder {tmp_path}" in str(info.value)
    assert ".tmp" not in str(info.value)


@pytest.mark.skipif(not POSIX, reason="POSIX file modes")
@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_saved_file_follows_the_umask(tmp_path: Path, umask: int) -> None:
    model = gl.Sequential([layers.Dense(2)], input_dim=2)
    old = os.umask(umask)
    try:
        model.save(tmp_path / "model.npz")
        (tmp_path / "figure.png").write_bytes(b"")  # how any other file is created
    finally:
        os.umask(old)
    mode = stat.S_IMODE((tmp_path / "model.npz").stat().st_mode)
    assert mode == 0o666 & ~umask == stat.S_IMODE((tmp_path / "figure.png").stat().st_mode)


@pytest.mark.skipif(not POSIX, reason="POSIX file modes")
def test_downloaded_file_follows_the_umask(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    payload = b"idx bytes"
    monkeypatch.setattr(urllib.request, "urlopen", lambda url, timeout=None: io.BytesIO(payload))
    old = os.umask(0o022)
    try:
        vision._fetch(
            "https://mirror.test/f.gz", tmp_path / "f.gz", hashlib.md5(payload).hexdigest()
        )
    finally:
        os.umask(old)
    assert (tmp_path / "f.gz").read_bytes() == payload
    assert stat.S_IMODE((tmp_path / "f.gz").stat().st_mode) == 0o644
    assert os.listdir(tmp_path) == ["f.gz"]


STALLED_SAVE = r"""
import os, sys, time
import gradlab as gl
from gradlab import layers

def stall(src, dst):  # the save has written its temporary file and waits before the rename
    print(src, flush=True)
    time.sleep(300)

os.replace = stall
gl.Sequential([layers.Dense(3)], input_dim=2, seed=1).save(sys.argv[1])
"""


def _start_stalled_save(target: Path) -> tuple[subprocess.Popen, Path]:
    """Start a child process whose save to ``target`` stops just before the rename; return it
    and its temporary file."""
    child = subprocess.Popen(
        [sys.executable, "-c", STALLED_SAVE, str(target)], stdout=subprocess.PIPE, text=True
    )
    with selectors.DefaultSelector() as selector:
        selector.register(child.stdout, selectors.EVENT_READ)
        ready = selector.select(timeout=120)
    line = child.stdout.readline().strip() if ready else ""
    if not line:
        child.kill()
        child.wait()
        pytest.fail("the child did not reach the rename")
    return child, Path(line)


@pytest.mark.skipif(not POSIX, reason="SIGKILL and pid checks are POSIX")
def test_killed_save_keeps_target_and_next_save_removes_its_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "model.npz"
    model = gl.Sequential([layers.Dense(2)], input_dim=2, seed=0)
    model.save(target)
    before = target.read_bytes()
    child, temp = _start_stalled_save(target)
    try:
        assert temp.parent == tmp_path and temp.exists()
        assert temp.name.startswith(".model.npz.") and f".{child.pid}." in temp.name
        # another save while the child is alive leaves the child's file alone
        model.save(target)
        assert temp.exists()
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
        child.stdout.close()
    assert temp.exists()  # what a killed save leaves behind
    assert target.read_bytes() == before  # the target is intact
    model.save(target)
    assert sorted(os.listdir(tmp_path)) == ["model.npz"]
    _same_model(model, gl.load_model(target))


@pytest.mark.skipif(not POSIX, reason="pid checks are POSIX")
def test_cleanup_rule_removes_only_stale_temp_files_of_the_target(tmp_path: Path) -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # a pid that no longer exists (reused within this test only by bad luck)
    host = saving._host()
    day = saving.STALE_AFTER_S
    files = {
        # name: (age in seconds, removed?)
        f".model.npz.{host}.{gone.pid}.0123abcd.tmp": (0, True),  # writer dead
        f".model.npz.{host}.{os.getpid()}.0123abcd.tmp": (2 * day, False),  # writer alive
        ".model.npz.otherhost.1.0123abcd.tmp": (0, False),  # cannot check: young
        ".model.npz.otherhost.2.0123abcd.tmp": (day + 60, True),  # cannot check: old
        ".model.npz.k2x_9abc.tmp": (0, False),  # older gradlab (mkstemp): young
        ".model.npz.k2x_9abd.tmp": (day + 60, True),  # older gradlab: old
        f".other.npz.{host}.{gone.pid}.0123abcd.tmp": (0, False),  # another target
        ".model.npz.notes": (2 * day, False),  # not a temporary file
        "model.npz.bak": (2 * day, False),
    }
    now = time.time()
    for name, (age, _) in files.items():
        (tmp_path / name).write_bytes(b"partial")
        os.utime(tmp_path / name, (now - age, now - age))
    gl.Sequential([layers.Dense(2)], input_dim=2).save(tmp_path / "model.npz")
    kept = {name for name, (_, removed) in files.items() if not removed}
    assert set(os.listdir(tmp_path)) == kept | {"model.npz"}
