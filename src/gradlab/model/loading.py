"""Load a model saved by :func:`gradlab.model.saving.save_model`, trusting nothing in it.

Loading: limits before allocation
---------------------------------
:func:`load_model` trusts nothing in the file and decides every size before it allocates
anything of that size. In order:

1. The file must be a zip archive of ``.npy`` entries (not encrypted, stored or deflated).
2. ``__config__`` may declare at most ``MAX_CONFIG_BYTES`` uncompressed; the JSON may nest at
   most ``MAX_CONFIG_DEPTH`` deep; it must fit the schema above.
3. The layers are rebuilt from their configs, unbuilt, and the weights each will create are
   worked out from the configs alone: every width must stay within ``MAX_WIDTH`` features and
   all weights together within ``max_bytes`` (default ``MAX_BYTES``, 256 MiB). Building the
   model and its training buffers takes a few times that; pass a larger ``max_bytes`` for a
   larger model you trust.
4. Each entry's uncompressed size, as the zip directory declares it, and its ``.npy`` header
   (read through :func:`numpy.lib.format.read_magic` / ``read_array_header_*``) must match
   the shape and dtype the config implies before the entry is read, so a small file cannot
   inflate into a large allocation. Entries nobody asked for are an error too.
5. Values: weights and optimizer state must be finite and BatchNorm's running variance
   non-negative; optimizer state must have the optimizer's keys and the parameters' shapes.

Every malformed file raises ``ValueError("load_model: <file>: <what is wrong>")``; a missing
file raises ``FileNotFoundError``. A custom layer class (one registered by the user, unknown
to step 3) is built before its weights can be compared with the file's, so its own config
sizes are checked only by its constructor and ``build``; so are the layers after it, whose
input width is not known until it is built.
"""

from __future__ import annotations

import json
import math
import os
import struct
import tokenize
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
from numpy.lib import format as npy_format

from .. import layers as layers_mod
from .. import losses as losses_mod
from .. import metrics as metrics_mod
from .. import optimizers as optimizers_mod
from .._checks import check_int
from .saving import (
    FORMAT,
    MAX_BYTES,
    MAX_CONFIG_BYTES,
    MAX_CONFIG_DEPTH,
    MAX_LAYERS,
    MAX_WIDTH,
    VERSION,
)
from .sequential import Sequential

__all__ = ["load_model"]

# A .npy header: 6 magic bytes, 2 version bytes, a 2- or 4-byte length and the header text,
# which numpy's reader caps at 10000 characters.
_NPY_HEADER_MAX = 12 + 10_000
# What zipfile, zlib and numpy's .npy header reader raise on a damaged archive (found by
# fuzzing saved files in tests/test_serialization.py).
_DAMAGED = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    ValueError,
    OSError,
    struct.error,
    OverflowError,
    NotImplementedError,  # an unknown zip version or feature
    SyntaxError,  # numpy's .npy header parser
    tokenize.TokenError,
)
# What constructors raise on a config they do not accept.
_REFUSED = (TypeError, ValueError, ArithmeticError, LookupError, AttributeError)


# ---- loading ------------------------------------------------------------------------------


def load_model(path: str | os.PathLike[str], *, max_bytes: int = MAX_BYTES) -> Sequential:
    """Rebuild a model saved by :meth:`Sequential.save`, compiled and ready to continue.

    The file is checked against the format and the limits of the module docstring before
    anything its config asks for is allocated.

    Args:
        path: The ``.npz`` file.
        max_bytes: The most bytes all the model's weights may take (params and buffers in the
            model's dtype), as the file's config describes them. Default ``MAX_BYTES``
            (256 MiB, 64 million float32 weights).

    Raises:
        FileNotFoundError: if ``path`` does not exist.
        IsADirectoryError: if ``path`` is a folder.
        ValueError: if the file is not a gradlab model archive, is damaged, does not fit the
            format or exceeds the limits; the message names the file and the problem.
    """

    path = Path(path)
    check_int(max_bytes, "load_model: max_bytes", low=1)
    if not path.exists():
        raise FileNotFoundError(f"load_model: no file at {path}")
    if path.is_dir():
        raise IsADirectoryError(f"load_model: {path} is a folder; give the .npz file's path")
    if not path.is_file():
        raise ValueError(f"load_model: {path} is not a regular file; expected a .npz file")
    with open(path, "rb") as fh, _Archive(path, fh) as archive:
        config = _read_config(archive)
        spec = config["model"]
        dtype = np.dtype(spec["dtype"])
        layers = [_rebuild_layer(archive, i, c) for i, c in enumerate(spec["layers"])]
        plans = _plan(archive, layers, spec["input_dim"], dtype, max_bytes)
        headers = _check_weight_entries(archive, layers, plans, dtype, max_bytes)
        compiled = _rebuild_compile(archive, config["compile"], dtype)
        state = sorted(key for key in archive.entries if key.startswith("optimizer/"))
        if compiled is None and state:
            raise archive.error(
                f"holds optimizer state {state[:10]} but its config says the model was not "
                "compiled (compile is null)"
            )
        for which in ("init", "shuffle"):
            _check_rng_state(archive, f"rng.{which}", config["rng"][which])
        model = Sequential(layers, seed=spec["seed"], dtype=dtype, name=spec["name"])
        try:
            model.build(spec["input_dim"])  # draws weights that the file's then replace
        except _REFUSED as exc:
            raise archive.error(f"cannot build the model its config describes: {exc}") from None
        for i, layer in enumerate(model.layers):
            _load_layer_weights(archive, i, layer, plans[i], headers)
        model.init_rng.bit_generator.state = config["rng"]["init"]
        model.rng.bit_generator.state = config["rng"]["shuffle"]
        model.steps = config["step"]
        if compiled is not None:
            optimizer, loss, metrics, slots = compiled
            model.compile(optimizer=optimizer, loss=loss, metrics=metrics)
            _load_optimizer_state(archive, model, slots)
    return model


@dataclass(frozen=True)
class _Header:
    """What a ``.npy`` entry's header announces, and where its data starts."""

    shape: tuple[int, ...]
    fortran: bool
    dtype: np.dtype[Any]
    offset: int

    @property
    def nbytes(self) -> int:
        return math.prod(self.shape) * self.dtype.itemsize


class _Archive:
    """The ``.npy`` entries of a zip file, read only after their sizes have been checked."""

    def __init__(self, path: Path, fh: IO[bytes]) -> None:
        self.path = path
        try:
            self.zip = zipfile.ZipFile(fh)
            infos = self.zip.infolist()
        except _DAMAGED as exc:
            raise self.error(_not_a_zip(fh, exc)) from None
        self.entries: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            name = info.filename
            if not name.endswith(".npy"):
                raise self.error(
                    f"holds an entry {name!r} that is not a .npy array; a model archive holds "
                    "only __config__.npy, weights/*.npy and optimizer/*.npy"
                )
            if name[:-4] in self.entries:
                raise self.error(f"holds the entry {name!r} twice; the archive is damaged")
            self.entries[name[:-4]] = info

    def __enter__(self) -> _Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.zip.close()

    def error(self, problem: str) -> ValueError:
        return ValueError(f"load_model: {self.path}: {problem}")

    def header(self, key: str, limit: int, what: str) -> _Header:
        """Read entry ``key``'s ``.npy`` header, after checking that its declared size is at
        most ``limit`` data bytes (``what`` names the data in the message)."""
        info = self.entries[key]
        if info.flag_bits & 0x1:
            raise self.error(f"entry {key!r} is encrypted; model archives are not")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise self.error(
                f"entry {key!r} uses zip compression method {info.compress_type}; expected "
                "stored or deflated (what np.savez and np.savez_compressed write)"
            )
        if info.file_size > limit + _NPY_HEADER_MAX:
            raise self.error(
                f"entry {key!r} declares {info.file_size} bytes uncompressed, but {what} takes "
                f"{limit} bytes (plus a .npy header of at most {_NPY_HEADER_MAX}); refusing to "
                "read it"
            )
        try:
            with self.zip.open(info) as fh:
                version = npy_format.read_magic(fh)
                if version == (1, 0):
                    shape, fortran, dtype = npy_format.read_array_header_1_0(fh)
                elif version == (2, 0):
                    shape, fortran, dtype = npy_format.read_array_header_2_0(fh)
                else:
                    shape = None
                offset = fh.tell()
        except _DAMAGED as exc:
            raise self.error(f"entry {key!r} is not a readable .npy array ({exc})") from None
        if shape is None:
            raise self.error(f"entry {key!r} has .npy format {version}; expected 1.0 or 2.0")
        dtype = np.dtype(dtype)
        if dtype.hasobject or dtype.itemsize == 0:
            raise self.error(f"entry {key!r} holds {dtype}; a model archive holds numbers and text")
        if any(n < 0 for n in shape):
            raise self.error(f"entry {key!r} has a negative dimension in its shape {shape}")
        return _Header(tuple(int(n) for n in shape), bool(fortran), dtype, offset)

    def read(self, key: str, header: _Header) -> np.ndarray:
        """Return entry ``key``'s array (read-only) once its size matches ``header`` exactly."""
        info = self.entries[key]
        size = info.file_size - header.offset
        if size != header.nbytes:
            raise self.error(
                f"entry {key!r} holds {size} bytes of data, but its header announces "
                f"{header.dtype} of shape {header.shape}, {header.nbytes} bytes"
            )
        try:
            with self.zip.open(info) as fh:
                fh.seek(header.offset)
                data = fh.read(header.nbytes)
        except _DAMAGED as exc:
            raise self.error(f"entry {key!r} is damaged ({exc})") from None
        if len(data) != header.nbytes:
            raise self.error(
                f"entry {key!r} is truncated: {len(data)} of {header.nbytes} bytes of data"
            )
        flat = np.frombuffer(data, dtype=header.dtype)
        return flat.reshape(header.shape, order="F" if header.fortran else "C")


def _not_a_zip(fh: IO[bytes], exc: Exception) -> str:
    """Say what the file is instead of a zip archive, from its first bytes."""
    fh.seek(0)
    head = fh.read(8)
    expected = "expected a .npz archive written by Sequential.save"
    if not head:
        return f"is empty (0 bytes); {expected}"
    known = {
        b"\x93NUMPY": "a single NumPy array (.npy), not a .npz archive",
        b"\x89PNG": "a PNG image",
        b"\x1f\x8b": "a gzip file",
        b"\x80": "a Python pickle (load_model never unpickles)",
    }
    for magic, what in known.items():
        if head.startswith(magic):
            return f"is {what}; {expected}"
    if head.startswith(b"PK"):
        return f"is a truncated or damaged zip archive ({exc}); {expected}"
    return f"is not a zip archive (it starts with {head!r}, a .npz file with b'PK'); {expected}"


def _describe(value: Any) -> str:
    text = repr(value)
    if len(text) > 80:
        text = text[:77] + "..."
    return f"{text} ({type(value).__name__})"


def _is_int(value: Any, low: int, high: int | None = None) -> bool:
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and value >= low
        and (high is None or value <= high)
    )


def _need(archive: _Archive, ok: bool, where: str, expected: str, value: Any) -> None:
    if not ok:
        raise archive.error(f"config field {where} must be {expected}, got {_describe(value)}")


def _keys(archive: _Archive, value: Any, where: str, keys: tuple[str, ...]) -> None:
    """Check that ``value`` is a JSON object with exactly ``keys``."""
    _need(archive, isinstance(value, dict), where, f"an object with keys {list(keys)}", value)
    missing = [k for k in keys if k not in value]
    extra = sorted(k for k in value if k not in keys)
    if missing:
        raise archive.error(
            f"config field {where} has no {missing}; format version {VERSION} needs keys "
            f"{list(keys)}, found {sorted(value)}"
        )
    if extra:
        raise archive.error(
            f"config field {where} has unexpected keys {extra}; format version {VERSION} has "
            f"exactly {list(keys)}"
        )


def _read_config(archive: _Archive) -> dict[str, Any]:
    """Read ``__config__`` and check it against the schema of the module docstring."""
    if "__config__" not in archive.entries:
        raise archive.error(
            f"has no __config__ entry; not a gradlab model (entries: "
            f"{sorted(archive.entries)[:10]})"
        )
    header = archive.header("__config__", MAX_CONFIG_BYTES, "the config's limit")
    if header.shape != () or header.dtype.kind != "U":
        raise archive.error(
            f"entry '__config__' must be a 0-d unicode array (JSON text), got {header.dtype} of "
            f"shape {header.shape}"
        )
    raw = archive.read("__config__", header)
    codes = raw.reshape(1).view(np.dtype("u4").newbyteorder(header.dtype.byteorder))
    if codes.size and codes.max() > 0x10FFFF:  # NumPy would build an invalid str from these
        raise archive.error("__config__ holds code points beyond U+10FFFF; it is damaged")
    text = raw.item()
    try:
        config = json.loads(text)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError
        raise archive.error(f"__config__ is not valid JSON ({type(exc).__name__}: {exc})") from None
    if _depth(config) > MAX_CONFIG_DEPTH:
        raise archive.error(f"__config__ nests deeper than {MAX_CONFIG_DEPTH} levels")
    _need(archive, isinstance(config, dict), "__config__", "a JSON object", config)
    if config.get("format") != FORMAT:
        raise archive.error(
            f"holds format {config.get('format')!r}; expected {FORMAT!r} (not a gradlab model)"
        )
    version = config.get("version")
    _need(archive, _is_int(version, 1), "version", "an int >= 1", version)
    if version > VERSION:
        raise archive.error(
            f"holds format version {version}, newer than this gradlab reads ({VERSION}); "
            "upgrade gradlab to load it"
        )
    top = ("format", "version", "gradlab_version", "model", "compile", "rng", "step")
    _keys(archive, config, "__config__", top)
    value = config["gradlab_version"]
    _need(archive, isinstance(value, str), "gradlab_version", "a str", value)
    _need(archive, _is_int(config["step"], 0), "step", "an int >= 0", config["step"])
    spec = config["model"]
    _keys(archive, spec, "model", ("name", "input_dim", "seed", "dtype", "layers"))
    value = spec["name"]
    _need(archive, value is None or isinstance(value, str), "model.name", "a str or null", value)
    value = spec["input_dim"]
    _need(
        archive,
        _is_int(value, 1, MAX_WIDTH),
        "model.input_dim",
        f"an int in [1, {MAX_WIDTH}]",
        value,
    )
    value = spec["seed"]
    _need(archive, value is None or _is_int(value, 0), "model.seed", "an int >= 0 or null", value)
    value = spec["dtype"]
    _need(archive, value in ("float32", "float64"), "model.dtype", "'float32' or 'float64'", value)
    value = spec["layers"]
    _need(
        archive,
        isinstance(value, list) and 1 <= len(value) <= MAX_LAYERS,
        "model.layers",
        f"a list of 1 to {MAX_LAYERS} layers",
        value,
    )
    for i, layer in enumerate(value):
        _keys(archive, layer, f"model.layers[{i}]", ("class_name", "config"))
        _need(
            archive,
            isinstance(layer["class_name"], str),
            f"model.layers[{i}].class_name",
            "a str",
            layer["class_name"],
        )
        _need(
            archive,
            isinstance(layer["config"], dict),
            f"model.layers[{i}].config",
            "an object",
            layer["config"],
        )
    comp = config["compile"]
    if comp is not None:
        _keys(archive, comp, "compile", ("optimizer", "loss", "metrics"))
        value = comp["optimizer"]
        _need(
            archive,
            isinstance(value, str | dict),
            "compile.optimizer",
            "a name or an object {'name': ..., 'config': {...}}",
            value,
        )
        _need(archive, isinstance(comp["loss"], str), "compile.loss", "a str", comp["loss"])
        value = comp["metrics"]
        _need(
            archive,
            isinstance(value, list) and all(isinstance(m, str) for m in value),
            "compile.metrics",
            "a list of str",
            value,
        )
    _keys(archive, config["rng"], "rng", ("init", "shuffle"))
    return config


def _depth(value: Any) -> int:
    """Return how deeply JSON arrays and objects nest in ``value`` (without recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            if deepest > MAX_CONFIG_DEPTH:
                break
            stack.extend((child, depth + 1) for child in children)
    return deepest


def _check_rng_state(archive: _Archive, where: str, state: Any) -> None:
    """Check a PCG64 state (the module docstring's schema) and that NumPy accepts it."""
    _keys(archive, state, where, ("bit_generator", "state", "has_uint32", "uinteger"))
    value = state["bit_generator"]
    _need(archive, value == "PCG64", f"{where}.bit_generator", "'PCG64'", value)
    _keys(archive, state["state"], f"{where}.state", ("state", "inc"))
    value = state["state"]["state"]
    _need(
        archive,
        _is_int(value, 0, 2**128 - 1),
        f"{where}.state.state",
        "an int in [0, 2**128)",
        value,
    )
    value = state["state"]["inc"]
    _need(
        archive,
        _is_int(value, 0, 2**128 - 1) and value % 2 == 1,
        f"{where}.state.inc",
        "an odd int in [0, 2**128)",
        value,
    )
    value = state["has_uint32"]
    _need(archive, _is_int(value, 0, 1), f"{where}.has_uint32", "0 or 1", value)
    value = state["uinteger"]
    _need(archive, _is_int(value, 0, 2**32 - 1), f"{where}.uinteger", "an int in [0, 2**32)", value)
    try:
        np.random.PCG64().state = state
    except _REFUSED as exc:
        raise archive.error(
            f"config field {where} is not a PCG64 state NumPy accepts: {exc}"
        ) from None


def _rebuild_layer(archive: _Archive, i: int, spec: dict[str, Any]) -> layers_mod.Layer:
    try:  # the file's key "class_name" (format version 1) is the serialized "name"
        return layers_mod.deserialize({"name": spec["class_name"], "config": spec["config"]})
    except _REFUSED as exc:
        raise archive.error(
            f"model.layers[{i}] ({spec['class_name']!r}) cannot be rebuilt from its config "
            f"{_describe(spec['config'])}: {exc}"
        ) from None


def _rebuild_compile(
    archive: _Archive, comp: dict[str, Any] | None, dtype: np.dtype[Any]
) -> tuple[optimizers_mod.Optimizer, losses_mod.Loss, list[str], list[str]] | None:
    """Return the optimizer, loss, metric names and the optimizer's state slots, or None."""
    if comp is None:
        return None
    try:
        optimizer = optimizers_mod.deserialize(comp["optimizer"])
        loss = losses_mod.get(comp["loss"])
        metrics = [metrics_mod.get(name).__name__ for name in comp["metrics"]]
        slots = _state_slots(comp["optimizer"], dtype)
    except _REFUSED as exc:
        raise archive.error(
            f"config field compile does not describe a valid setup: {exc}"
        ) from None
    return optimizer, loss, metrics, slots


def _state_slots(config: Any, dtype: np.dtype[Any]) -> list[str]:
    """Return the names of the per-parameter state arrays the optimizer keeps, by asking a
    fresh copy of it to take one step on one number (the optimizer's public API only)."""
    probe = optimizers_mod.deserialize(config)
    with np.errstate(all="ignore"):
        probe.step([np.zeros(1, dtype)], [np.ones(1, dtype)])
    return sorted({key.rpartition("/")[0] for key in probe.get_state() if "/" in key})


# ---- the weights a layer's config implies, before it is built ------------------------------


@dataclass(frozen=True)
class _Plan:
    """What building one layer on ``width`` inputs creates: its weights in
    :attr:`Layer.weights` order and its output width; ``nonnegative`` names weights that may
    not hold negative numbers."""

    names: tuple[str, ...]
    shapes: tuple[tuple[int, ...], ...]
    output_dim: int
    nonnegative: tuple[str, ...] = ()


def _plan(
    archive: _Archive,
    layers: list[layers_mod.Layer],
    input_dim: int,
    dtype: np.dtype[Any],
    max_bytes: int,
) -> list[_Plan | None]:
    """Work out every layer's weights from the configs alone and check widths and bytes.

    Each layer says what it will create (:meth:`Layer.weight_shapes` and
    :meth:`Layer.output_width`); a layer that cannot tell (a class of your own), and every
    layer after it, gets ``None``.
    """
    plans: list[_Plan | None] = []
    width: int | None = input_dim
    total = 0
    for i, layer in enumerate(layers):
        if width is None:
            plans.append(None)
            continue
        try:
            shapes = layer.weight_shapes(width)
            if shapes is None:
                plans.append(None)
                width = None
                continue
            plan = _Plan(
                tuple(shapes),
                tuple(shapes.values()),
                layer.output_width(width),
                layer.nonnegative_weights,
            )
        except _REFUSED as exc:
            raise archive.error(
                f"layer {i} {layer.describe()} cannot take {width} features: {exc}"
            ) from None
        if not 1 <= plan.output_dim <= MAX_WIDTH:
            raise archive.error(
                f"layer {i} {layer.describe()} gives {plan.output_dim} features; a loadable "
                f"model has 1 to MAX_WIDTH={MAX_WIDTH} features per layer"
            )
        total += sum(math.prod(shape) for shape in plan.shapes) * dtype.itemsize
        plans.append(plan)
        width = plan.output_dim
    if total > max_bytes:
        raise archive.error(
            f"its config describes weights of {total} bytes ({total / 2**20:.1f} MiB of "
            f"{dtype}); load_model(max_bytes={max_bytes}) allows {max_bytes / 2**20:.1f} MiB. "
            "Pass a larger max_bytes if you trust this file"
        )
    return plans


def _check_weight_entries(
    archive: _Archive,
    layers: list[layers_mod.Layer],
    plans: list[_Plan | None],
    dtype: np.dtype[Any],
    max_bytes: int,
) -> dict[str, _Header]:
    """Check every ``weights/*`` entry's declared size and header against the plans."""
    headers: dict[str, _Header] = {}
    budget = max_bytes - sum(
        math.prod(shape) * dtype.itemsize for plan in plans if plan for shape in plan.shapes
    )
    for i, (layer, plan) in enumerate(zip(layers, plans, strict=True)):
        if plan is None:  # a custom layer: sizes known after build; bounded by the budget
            k = 0
            while (key := f"weights/{i}/{k}") in archive.entries:
                header = archive.header(key, budget, f"the remaining max_bytes of {budget}")
                budget -= header.nbytes
                if budget < 0:
                    raise archive.error(
                        f"its weights take more than load_model(max_bytes={max_bytes}) "
                        f"allows (at entry {key!r}); pass a larger max_bytes if you trust it"
                    )
                _check_dtype(archive, key, header, dtype)
                headers[key] = header
                k += 1
            continue
        for k, (name, shape) in enumerate(zip(plan.names, plan.shapes, strict=True)):
            key = f"weights/{i}/{k}"
            what = f"layer {i} {layer.describe()}'s {name} of shape {shape} ({dtype})"
            if key not in archive.entries:
                raise archive.error(f"has no entry {key!r}; the config needs {what} there")
            header = archive.header(key, math.prod(shape) * dtype.itemsize, what)
            if header.shape != shape:
                raise archive.error(
                    f"entry {key!r} has shape {header.shape}; the config needs {what} there"
                )
            _check_dtype(archive, key, header, dtype)
            headers[key] = header
    extra = sorted(k for k in archive.entries if k.startswith("weights/") and k not in headers)
    if extra:
        raise archive.error(
            f"holds entries {extra[:10]} that no layer of its config has (weights/<layer>/<k> "
            f"for {len(layers)} layers)"
        )
    unknown = sorted(
        k
        for k in archive.entries
        if k != "__config__" and not k.startswith(("weights/", "optimizer/"))
    )
    if unknown:
        raise archive.error(
            f"holds unexpected entries {unknown[:10]}; a model archive holds __config__, "
            "weights/* and optimizer/*"
        )
    return headers


def _check_dtype(archive: _Archive, key: str, header: _Header, dtype: np.dtype[Any]) -> None:
    if header.dtype.newbyteorder("=") != dtype:
        raise archive.error(f"entry {key!r} holds {header.dtype}; the model's dtype is {dtype}")


def _load_layer_weights(
    archive: _Archive,
    i: int,
    layer: layers_mod.Layer,
    plan: _Plan | None,
    headers: dict[str, _Header],
) -> None:
    """Compare the built layer with the file's entries, check the values and copy them in."""
    built = [w.shape for w in layer.weights]
    keys = [f"weights/{i}/{k}" for k in range(len(built))]
    found = [headers[key].shape for key in keys if key in headers]
    count = sum(1 for key in headers if key.startswith(f"weights/{i}/"))
    if found != built or count != len(built):
        raise archive.error(
            f"layer {i} {layer.describe()} was built with weights of shapes {built}; the file "
            f"holds shapes {[h.shape for k, h in headers.items() if k.startswith(f'weights/{i}/')]}"
        )
    names = layer.weight_names
    arrays = []
    for key, name in zip(keys, names, strict=True):
        array = archive.read(key, headers[key])
        if not np.isfinite(array).all():
            raise archive.error(
                f"entry {key!r} (layer {i} {layer.describe()}'s {name}) holds NaN or inf; "
                "saved weights are finite"
            )
        if plan is not None and name in plan.nonnegative and array.size and array.min() < 0:
            raise archive.error(
                f"entry {key!r} (layer {i} {layer.describe()}'s {name}) must be >= 0, found "
                f"{array.min()}"
            )
        arrays.append(array)
    try:
        layer.set_weights(arrays)
    except _REFUSED as exc:
        raise archive.error(f"layer {i} refuses the file's weights: {exc}") from None


def _load_optimizer_state(archive: _Archive, model: Sequential, slots: list[str]) -> None:
    """Check the ``optimizer/*`` entries against the optimizer and the model, then restore."""
    shapes = [p.shape for layer in model.layers for p in layer.params.values()]
    dtype = model.dtype
    present = {
        key.removeprefix("optimizer/") for key in archive.entries if key.startswith("optimizer/")
    }
    arrays = {f"{slot}/{j}": shape for slot in slots for j, shape in enumerate(shapes)}
    expected = {"iterations", "lr"} | (set(arrays) if present & set(arrays) else set())
    if present != expected:
        missing, extra = sorted(expected - present), sorted(present - expected)
        raise archive.error(
            f"its optimizer state does not fit {model.optimizer!r} on this model: missing "
            f"{['optimizer/' + k for k in missing][:10]}, unexpected "
            f"{['optimizer/' + k for k in extra][:10]} (the optimizer keeps iterations, lr"
            f"{''.join(', ' + s + '/<j>' for s in slots)} for j < {len(shapes)})"
        )
    state = {}
    for key in sorted(present):
        entry = f"optimizer/{key}"
        if key in ("iterations", "lr"):
            header = archive.header(entry, 8, "a 0-d number")
            kinds = "iu" if key == "iterations" else "f"
            if header.shape != () or header.dtype.kind not in kinds or header.dtype.itemsize > 8:
                raise archive.error(
                    f"entry {entry!r} must be a 0-d {'int' if kinds == 'iu' else 'float'}, got "
                    f"{header.dtype} of shape {header.shape}"
                )
        else:
            shape = arrays[key]
            header = archive.header(entry, math.prod(shape) * dtype.itemsize, f"shape {shape}")
            if header.shape != shape:
                raise archive.error(
                    f"entry {entry!r} has shape {header.shape}; parameter {key.rpartition('/')[2]}"
                    f" of the model has shape {shape}"
                )
            _check_dtype(archive, entry, header, dtype)
        value = archive.read(entry, header)
        if value.dtype.kind == "f" and not np.isfinite(value).all():
            raise archive.error(f"entry {entry!r} holds NaN or inf")
        state[key] = value
    try:
        model.optimizer.set_state(state)
    except _REFUSED as exc:
        raise archive.error(f"the optimizer refuses its saved state: {exc}") from None
