"""Save a model to one ``.npz`` file and load it back: weights, optimizer state and config.

The file is an ordinary NumPy archive (readable with ``np.load(path)``, no pickle):

* ``__config__`` — JSON: the architecture, the compile settings (optimizer, loss, metrics), the
  random generators' states and the step count, so that training can continue exactly;
* ``weights/<layer>/<k>`` — the k-th array of layer ``<layer>`` as ``get_weights`` lists it;
* ``optimizer/<key>`` — the optimizer's state (moment estimates, step counts).

Writing is atomic: the archive goes to a temporary file in the same folder which then replaces
the target with ``os.replace``, so an interrupted save leaves the previous file intact.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from . import layers as layers_mod
from . import losses as losses_mod
from . import optimizers as optimizers_mod

if TYPE_CHECKING:
    from .model import Sequential

__all__ = ["load_model", "save_model"]

FORMAT = "gradlab.Sequential"
VERSION = 1


def save_model(model: Sequential, path: str | os.PathLike[str]) -> None:
    """Write ``model`` to ``path`` (conventionally ``*.npz``) atomically."""
    from . import __version__

    model._require_built()
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(f"save: {path} is a folder; give a file name such as model.npz")
    config: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "gradlab_version": __version__,
        "model": model.get_config(),
        "compile": None,
        "rng": {
            "init": model._init_rng.bit_generator.state,
            "shuffle": model.rng.bit_generator.state,
        },
        "step": model._step,
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
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **arrays)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _json_default(value: Any) -> Any:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    raise TypeError(f"cannot save {type(value).__name__} {value!r} in the model config")


def load_model(path: str | os.PathLike[str]) -> Sequential:
    """Rebuild a model saved by :meth:`Sequential.save`, compiled and ready to continue.

    Raises:
        FileNotFoundError: if ``path`` does not exist.
        ValueError: if the file is not a gradlab model archive.
    """
    from .model import Sequential

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"load_model: no file at {path}")
    try:
        archive = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise ValueError(f"load_model: {path} is not a NumPy .npz archive ({exc})") from None
    with archive:
        if "__config__" not in archive.files:
            raise ValueError(f"load_model: {path} has no __config__ entry; not a gradlab model")
        config = json.loads(str(archive["__config__"]))
        if config.get("format") != FORMAT or config.get("version", 0) > VERSION:
            raise ValueError(
                f"load_model: {path} holds format {config.get('format')!r} version "
                f"{config.get('version')!r}; expected {FORMAT!r} version <= {VERSION}"
            )
        spec = config["model"]
        model = Sequential(
            [layers_mod.deserialize(c) for c in spec["layers"]],
            seed=spec["seed"],
            dtype=spec["dtype"],
            name=spec["name"],
        )
        model.build(spec["input_dim"])  # draws weights that the file's then replace
        model._init_rng.bit_generator.state = config["rng"]["init"]
        model.rng.bit_generator.state = config["rng"]["shuffle"]
        model._step = config.get("step", 0)
        for i, layer in enumerate(model.layers):
            layer.set_weights([archive[f"weights/{i}/{k}"] for k in range(len(layer.weights))])
        if config["compile"] is not None:
            comp = config["compile"]
            model.compile(optimizer=comp["optimizer"], loss=comp["loss"], metrics=comp["metrics"])
            state = {
                key.removeprefix("optimizer/"): archive[key]
                for key in archive.files
                if key.startswith("optimizer/")
            }
            if state:
                model.optimizer.set_state(state)
    return model
