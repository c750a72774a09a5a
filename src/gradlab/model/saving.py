"""Save a model to one ``.npz`` file: weights, optimizer state and config (the file format).

:mod:`gradlab.model.loading` reads it back and checks it.

File format (version 1)
-----------------------
An ordinary NumPy archive (``np.load(path)`` reads it, nothing is pickled): a zip file whose
entries are ``.npy`` arrays, stored (as ``np.savez`` writes them) or deflated.

* ``__config__`` — a 0-d unicode array holding one JSON object, described below;
* ``weights/<i>/<k>`` — the k-th array of layer ``i`` as :attr:`Layer.weights` lists it
  (params in ``param_names`` order, then buffers), with the shape the layer builds and the
  model's dtype;
* ``optimizer/iterations`` (0-d int) and ``optimizer/lr`` (0-d float), when the model was
  compiled; once the optimizer has taken a step also ``optimizer/<slot>/<j>`` for every state
  slot of the optimizer (``exp_avg``, ``momentum_buffer``, ...) and every parameter ``j``, in
  the order the model hands its parameters to the optimizer, each of that parameter's shape
  and dtype.

The JSON object has exactly these keys (a missing or an extra one is an error)::

    format           "gradlab.Sequential"
    version          int, 1 <= version <= VERSION (1)
    gradlab_version  str: the gradlab that wrote the file (not checked against this one)
    model            {"name": str or null,
                      "input_dim": int in [1, MAX_WIDTH],
                      "seed": int >= 0 or null,
                      "dtype": "float32" or "float64",
                      "layers": 1 to MAX_LAYERS of {"class_name": a registered layer,
                                                     "config": {...} (its constructor args)}}
    compile          null, or {"optimizer": a name or {"name": str, "config": {...}},
                               "loss": str, "metrics": [str, ...]}
    rng              {"init": PCG64 state, "shuffle": PCG64 state}, where a PCG64 state is
                     {"bit_generator": "PCG64",
                      "state": {"state": int in [0, 2**128), "inc": odd int in [0, 2**128)},
                      "has_uint32": 0 or 1, "uinteger": int in [0, 2**32)}
    step             int >= 0: optimisation steps taken over every fit

Saving: atomic writes and the cleanup rule
------------------------------------------
:func:`save_model` writes the archive to a temporary file in the target's folder, named
``.<name>.<host>.<pid>.<8 hex digits>.tmp`` (``<name>`` is the target's name, cut to 100
characters), and then moves it over the target with ``os.replace``: the target is always
either the previous file or the new one, whatever interrupts the save. The temporary file is
created with mode ``0o666``, so the umask (or the folder's default ACL) applies to it as to
any file ``open`` creates.

A save killed before its rename (SIGKILL, power cut) leaves its temporary file behind. The next
save to the same target removes such leftovers, and only those: the files named as above for
that target that were written on this host by a process that no longer exists (its pid in
the name; a live process's file is never touched), and those it cannot check that are older
than ``STALE_AFTER_S`` (24 hours): written on another host sharing the folder, or by an older
gradlab whose names ``.<name>.<8 characters>.tmp`` carry no pid. (On a system without POSIX
signals only the age rule applies.)
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import losses as losses_mod
from .. import optimizers as optimizers_mod
from .._files import create_temp_file
from .._version import __version__

if TYPE_CHECKING:
    from .sequential import Sequential

__all__ = [
    "MAX_BYTES",
    "MAX_CONFIG_BYTES",
    "MAX_CONFIG_DEPTH",
    "MAX_LAYERS",
    "MAX_WIDTH",
    "STALE_AFTER_S",
    "save_model",
]

FORMAT = "gradlab.Sequential"
VERSION = 1

#: Default of ``load_model(max_bytes=...)``: the most bytes all weights of a loaded model may
#: take (the file's config decides the sizes; this is checked before anything is built).
MAX_BYTES = 2**28
#: The most features any layer of a loaded model may take or give.
MAX_WIDTH = 2**20
#: The most layers a loaded model may have.
MAX_LAYERS = 10_000
#: The most bytes ``__config__`` may declare (its text is stored as UTF-32, 4 bytes a character).
MAX_CONFIG_BYTES = 2**25
#: The deepest nesting of JSON arrays and objects the config may have.
MAX_CONFIG_DEPTH = 32
#: Age after which a save removes a temporary file whose writer it cannot check (seconds).
STALE_AFTER_S = 24 * 3600


# ---- saving -------------------------------------------------------------------------------


def save_model(model: Sequential, path: str | os.PathLike[str]) -> None:
    """Write ``model`` to ``path`` (conventionally ``*.npz``) atomically.

    See the module docstring for the format, the temporary file and the cleanup rule.

    Raises:
        RuntimeError: if the model is not built.
        IsADirectoryError: if ``path`` is a folder.
        FileNotFoundError, NotADirectoryError, PermissionError: if the folder of ``path`` does
            not exist, is not a folder or does not let us create files; the message names it.
    """

    model.require_built()
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(f"save: {path} is a folder; give a file name such as model.npz")
    folder = path.parent
    _check_folder(folder, path)
    config: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "gradlab_version": __version__,
        "model": _file_model_config(model),
        "compile": None,
        "rng": {
            "init": model.init_rng.bit_generator.state,
            "shuffle": model.rng.bit_generator.state,
        },
        "step": model.steps,
    }
    arrays: dict[str, np.ndarray] = {}
    for i, layer in enumerate(model.layers):
        for k, w in enumerate(layer.weights):
            arrays[f"weights/{i}/{k}"] = w
    if model.compiled:
        config["compile"] = {
            "optimizer": optimizers_mod.serialize(model.optimizer),
            "loss": losses_mod.serialize(model.loss),
            "metrics": list(model.metric_names),
        }
        for key, value in model.optimizer.get_state().items():
            arrays[f"optimizer/{key}"] = np.asarray(value)
    arrays["__config__"] = np.array(json.dumps(config, default=_json_default))
    _remove_stale_temp_files(path)
    try:
        fd, tmp = create_temp_file(folder, f".{path.name[:100]}.{_host()}.{os.getpid()}.", ".tmp")
    except (FileNotFoundError, NotADirectoryError):  # the folder went away since the check
        _check_folder(folder, path)
        raise
    except PermissionError as exc:
        raise PermissionError(
            f"save: cannot write {path}: no permission to create files in the folder "
            f"{folder} ({exc.strerror}); choose a folder you can write to"
        ) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **arrays)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_folder(folder)


def _file_model_config(model: Sequential) -> dict[str, Any]:
    """``model.get_config()`` with each layer as format version 1 writes it: the serialized
    ``{"name", "config"}`` under the file's key ``"class_name"``."""
    config = model.get_config()
    config["layers"] = [
        {"class_name": spec["name"], "config": spec["config"]} for spec in config["layers"]
    ]
    return config


def _json_default(value: Any) -> Any:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    raise TypeError(f"cannot save {type(value).__name__} {value!r} in the model config")


def _check_folder(folder: Path, target: Path) -> None:
    """Raise a clear error naming ``folder`` when a file cannot be created in it."""
    if not folder.exists():
        raise FileNotFoundError(
            f"save: cannot write {target}: the folder {folder} does not exist; create it first "
            f"(for example Path({str(folder)!r}).mkdir(parents=True)) or save somewhere else"
        )
    if not folder.is_dir():
        raise NotADirectoryError(
            f"save: cannot write {target}: {folder} is a file, not a folder; choose a path "
            "inside an existing folder"
        )


def _host() -> str:
    """This machine's name as it appears in temporary file names (letters, digits and '-')."""
    return re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname())[:32] or "host"


def _remove_stale_temp_files(target: Path) -> list[Path]:
    """Remove what killed saves to ``target`` left behind (the module docstring's rule)."""
    ours = re.compile(
        rf"\.{re.escape(target.name[:100])}\.([A-Za-z0-9-]{{1,32}})\.([0-9]{{1,10}})"
        r"\.[0-9a-f]{8}\.tmp"
    )
    legacy = re.compile(rf"\.{re.escape(target.name)}\.[a-z0-9_]{{8}}\.tmp")  # tempfile.mkstemp
    host, signals = _host(), os.name == "posix"
    removed: list[Path] = []
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return removed
    for entry in entries:
        match = ours.fullmatch(entry.name)
        if match is None and legacy.fullmatch(entry.name) is None:
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            if match is not None and signals and match[1] == host:
                stale = not _process_exists(int(match[2]))
            else:
                stale = time.time() - entry.stat(follow_symlinks=False).st_mtime > STALE_AFTER_S
            if stale:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:  # removed meanwhile by another save, or not ours to remove
            continue
    return removed


def _process_exists(pid: int) -> bool:
    """Whether a process ``pid`` exists on this host (signal 0 checks without sending)."""
    if not 0 < pid < 2**31:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: it exists but belongs to someone else
        return True
    return True


def _fsync_folder(folder: Path) -> None:
    """Flush the folder entry of the renamed file to disk (POSIX; best effort)."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
