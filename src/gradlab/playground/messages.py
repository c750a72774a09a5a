"""The playground's messages (protocol version 1): what the page sends and what it is sent.

:func:`parse_message` checks one message from the page (its size, nesting, JSON, type, fields
and ``id``) before the server acts on it; the builders return the server's messages as plain
dicts ready for ``json.dumps``: ``hello`` (with the ``options`` and ``limits`` the page must not
hard-code), ``config``, ``data``, and the byte-encoded heatmaps of ``state`` (the session
computes its numbers). ``error`` messages come from :meth:`ProtocolError.to_message`.

Languages: the page names its language when it connects (``/ws?lang=ko``) and when the
learner switches (a ``language`` message); the server then writes its ``error`` messages in
that language. Every other text the page shows is the page's own, translated in the page.

The contract is ``docs/playground-protocol.md``; this module and :mod:`.config` are its
executable form.
"""

from __future__ import annotations

import base64
import copy
import json
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .. import activations as activations_mod
from ..i18n import LANGUAGES, N_, _
from .config import (
    DATASETS,
    FEATURES,
    LIMITS,
    MAX_ID,
    OPTIMIZERS,
    ProtocolError,
    activation_options,
    check_choice,
    check_json_integer,
    check_json_number,
    check_keys,
    check_object,
    describe_json,
    initializer_names,
)
from .presets import PRESETS, preset_config, preset_names
from .upload import CustomData

__all__ = [
    "MAX_KEEPALIVE_S",
    "MAX_WEIGHT",
    "MESSAGE_FIELDS",
    "VERSION",
    "config_message",
    "custom_data_message",
    "data_message",
    "finite",
    "hello",
    "inspect_maps",
    "limits",
    "message_too_large",
    "neuron_heatmaps",
    "options",
    "output_heatmap",
    "parse_message",
    "unit_map",
]

VERSION = 1

#: The page pings at least this often (seconds) while it is visible (see :func:`limits`).
MAX_KEEPALIVE_S = 60.0

#: Per message type: the fields it may carry besides ``type`` and ``id``, and which are required.
MESSAGE_FIELDS: dict[str, dict[str, bool]] = {
    "config": {"config": True},
    "preset": {"name": True},
    "play": {},
    "pause": {},
    "step": {},
    "reset": {},
    "regenerate": {},
    "snapshot": {},
    "ping": {},
    "language": {"lang": True},
    "inspect": {"layer": True, "unit": False},
    "weight": {"layer": True, "param": True, "row": True, "col": True, "value": True},
    "custom_data": {"task": True, "points": True},
    "upload": {"csv": True, "name": False},
}

#: Largest absolute value a ``weight`` message may set.
MAX_WEIGHT = 100.0


# -- from the page -----------------------------------------------------------------------------
def parse_message(raw: str | bytes) -> dict[str, Any]:
    """Parse and validate one message from the page.

    Returns:
        The message as a dict with ``type``, ``id`` (``None`` when absent) and its fields
        (a ``config`` message's ``config`` is left partial: see :func:`.config.merge_config`).

    Raises:
        ProtocolError: for a message that is too large, not JSON, not an object, of unknown
            type, with an unknown or missing field, or with a bad ``id``.
    """
    size = len(raw) if isinstance(raw, bytes) else len(raw.encode("utf-8", "surrogatepass"))
    if size > LIMITS["max_message_bytes"]:
        raise message_too_large(size)
    max_depth = LIMITS["max_message_depth"]
    if _nesting_exceeds(raw, max_depth):
        raise ProtocolError(
            _(
                "the message nests objects and arrays more than {depth} levels deep; messages "
                "may nest at most {depth} levels (a config message needs 4)"
            ).format(depth=max_depth)
        )
    try:
        msg = json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ProtocolError(
            _(
                "the message is not valid JSON ({error}); expected one JSON object per message"
            ).format(error=exc)
        ) from None
    if not isinstance(msg, dict):
        raise ProtocolError(
            _('a message must be a JSON object with a "type"; received {value}').format(
                value=describe_json(msg)
            )
        )
    mid = msg.get("id")
    if mid is not None:
        if isinstance(mid, bool) or not isinstance(mid, int) or not 0 <= mid < MAX_ID:
            raise ProtocolError(
                _("{field} must be an integer from {low} to {high}; received {value}").format(
                    field="id", low=0, high=MAX_ID - 1, value=describe_json(mid)
                ),
                "id",
                request=msg.get("type") if isinstance(msg.get("type"), str) else None,
            )
    kind = msg.get("type")
    if not isinstance(kind, str) or kind not in MESSAGE_FIELDS:
        raise ProtocolError(
            _("{field} must be one of {choices}; received {value}").format(
                field="type",
                choices=", ".join(map(repr, MESSAGE_FIELDS)),
                value=describe_json(kind),
            ),
            "type",
            id=mid,
        )
    fields = MESSAGE_FIELDS[kind]
    try:
        check_keys(msg, ("type", "id", *fields), "")
        for key, required in fields.items():
            if required and key not in msg:
                raise ProtocolError(
                    _("a {kind!r} message needs {key!r}").format(kind=kind, key=key), key
                )
        if kind == "preset":
            check_choice(msg["name"], "name", preset_names())
        if kind == "config":
            check_object(msg["config"], "config", N_("a partial playground config"))
        if kind == "language":
            check_choice(msg["lang"], "lang", list(LANGUAGES))
        _check_fields(kind, msg)
    except ProtocolError as exc:
        exc.request, exc.id = kind, mid
        raise
    return {**msg, "id": mid}


def _check_fields(kind: str, msg: Mapping[str, Any]) -> None:
    """Check the fields of the messages that edit or inspect the network and of those that
    bring the learner's data, as far as they do not depend on the session: types and the
    protocol's bounds. The session checks the rest (the layer and unit exist; the points,
    :func:`.upload.check_points`; the file, :func:`.upload.parse_csv`)."""
    layers = LIMITS["max_layers"]  # index of the output layer with the most hidden layers
    units = LIMITS["max_units"]
    if kind == "inspect":
        if msg["layer"] is not None:
            check_json_integer(msg["layer"], "layer", 0, layers)
            if msg.get("unit") is None:
                raise ProtocolError(
                    _(
                        "an 'inspect' message with a layer needs 'unit' (an integer from 0 to "
                        "{high}); received {value}"
                    ).format(high=units - 1, value=describe_json(msg.get("unit"))),
                    "unit",
                )
            check_json_integer(msg["unit"], "unit", 0, units - 1)
    elif kind == "weight":
        check_json_integer(msg["layer"], "layer", 0, layers)
        check_choice(msg["param"], "param", ["W", "b"])
        check_json_integer(msg["row"], "row", 0, max(len(FEATURES), units) - 1)
        check_json_integer(msg["col"], "col", 0, units - 1)
        check_json_number(msg["value"], "value", -MAX_WEIGHT, MAX_WEIGHT)
    elif kind == "custom_data":
        check_choice(msg["task"], "task", ["classification", "regression"])
        if not isinstance(msg["points"], list):
            raise ProtocolError(
                _("{field} must be a list of [x1, x2, y] points; received {value}").format(
                    field="points", value=describe_json(msg["points"])
                ),
                "points",
            )
    elif kind == "upload":
        if not isinstance(msg["csv"], str):
            raise ProtocolError(
                _("{field} must be the text of a CSV file; received {value}").format(
                    field="csv", value=describe_json(msg["csv"])
                ),
                "csv",
            )
        name = msg.get("name")
        if name is not None and not isinstance(name, str):
            raise ProtocolError(
                _("{field} must be a file name (a string) or null; received {value}").format(
                    field="name", value=describe_json(name)
                ),
                "name",
            )


def message_too_large(size: int) -> ProtocolError:
    """Return the error for a message of ``size`` bytes, over ``max_message_bytes``."""
    limit = LIMITS["max_message_bytes"]
    return ProtocolError(
        _("the message is {size} bytes; messages may be at most {limit} bytes").format(
            size=size, limit=limit
        )
    )


#: A JSON string literal (the unrolled form of ``"(\\.|[^"\\])*"``, linear time).
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def _nesting_exceeds(raw: str | bytes, limit: int) -> bool:
    """Whether the JSON text ``raw`` nests objects/arrays more than ``limit`` deep.

    Checked before parsing: ``json.loads`` recurses once per level and raises
    ``RecursionError`` near a thousand levels, which a 64 KiB message can exceed 30 times over.
    Brackets inside strings do not count. Text that is not JSON is left to ``json.loads`` to
    reject. Bytes are read as Latin-1, which keeps every ASCII byte (quotes, backslashes,
    brackets) where it is in UTF-8.
    """
    text = raw.decode("latin-1") if isinstance(raw, bytes) else raw
    if text.count("[") + text.count("{") <= limit:  # the common case: nothing to scan
        return False
    depth = 0
    for c in _NOT_BRACKET.sub("", _JSON_STRING.sub("", text)):
        if c in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def _reject_constant(name: str) -> Any:
    raise ValueError(_("{name} is not valid JSON (numbers must be finite)").format(name=name))


# -- to the page -------------------------------------------------------------------------------
def limits(idle_timeout_s: float = 900.0) -> dict[str, Any]:
    """Return the ``limits`` object of ``hello``.

    ``keepalive_s`` is how often the page pings while it is visible:
    ``min(idle_timeout_s / 3, 60)``, so that two pings can be lost before the session idles out.
    """
    idle = float(idle_timeout_s)
    return {**LIMITS, "idle_timeout_s": idle, "keepalive_s": min(idle / 3.0, MAX_KEEPALIVE_S)}


def options() -> dict[str, Any]:
    """Return the ``options`` object of ``hello`` (lists the page must not hard-code)."""
    return {
        "activations": activation_options(),
        "optimizers": copy.deepcopy(OPTIMIZERS),
        "initializers": initializer_names(),
        "datasets": {
            name: {"label": d["label"], "task": d["task"], "classes": list(d["classes"])}
            for name, d in DATASETS.items()
        },
        "features": [{"name": k, "label": v} for k, v in FEATURES.items()],
        "presets": [
            {
                "name": p["name"],
                "title": p["title"],
                "description": p["description"],
                "config": preset_config(p["name"]),
            }
            for p in PRESETS
        ],
    }


def hello(
    session: str, config: Mapping[str, Any], idle_timeout_s: float, lang: str = "en"
) -> dict[str, Any]:
    """Return the ``hello`` message that opens session ``session`` with ``config``.

    ``lang`` is the language the server speaks to this page (its error messages); the texts
    of ``options`` (data set labels, preset titles and descriptions) are always English, which
    the page looks up in its catalog (``GET /i18n/<lang>.json``).
    """
    return {
        "type": "hello",
        "version": VERSION,
        "session": session,
        "lang": lang,
        "languages": list(LANGUAGES),
        "options": options(),
        "limits": limits(idle_timeout_s),
        "config": config,
    }


def config_message(config: Mapping[str, Any], id: int | None = None) -> dict[str, Any]:
    """Return the ``config`` message: the normalized config in force."""
    return {"type": "config", "id": id, "config": copy.deepcopy(dict(config))}


def data_message(data: Mapping[str, Any], id: int | None = None) -> dict[str, Any]:
    """Return the ``data`` message of a data set from :func:`~.data.make_data`.

    Each point is ``[x1, x2, label]`` with the coordinates rounded to 4 decimals, and the label
    a class index or, for regression, the target rounded to 4 decimals.
    """
    regression = data["task"] == "regression"

    def rows(P: NDArray, y: NDArray) -> list[list[float]]:
        P = np.round(P, 4)
        yy = np.round(y, 4).tolist() if regression else y.astype(int).tolist()
        return [[a, b, t] for (a, b), t in zip(P.tolist(), yy, strict=True)]

    return {
        "type": "data",
        "id": id,
        "task": data["task"],
        "n_classes": data["n_classes"],
        "train": rows(*data["train"]),
        "test": rows(*data["test"]),
    }


def custom_data_message(custom: CustomData, id: int | None = None) -> dict[str, Any]:
    """Return the ``custom_data`` message: the learner's points as the server keeps them
    (after rescaling, rounded to 4 decimals), so the page draws what is trained on."""
    return {
        "type": "custom_data",
        "id": id,
        "task": custom.task,
        "points": custom.rows(),
        "source": custom.source,
        "rescaled": custom.rescaled,
    }


def finite(x: float) -> float | None:
    """Return ``x`` as a float, or ``None`` (JSON null) when it is NaN or infinite."""
    x = float(x)
    return x if math.isfinite(x) else None


def _b64(a: NDArray) -> str:
    return base64.b64encode(np.ascontiguousarray(a, dtype=np.uint8).tobytes()).decode("ascii")


def _quantize(values: NDArray, lo: NDArray, hi: NDArray) -> NDArray[np.uint8]:
    """Map ``values`` (rows = points, columns = units) to bytes between ``lo`` and ``hi``."""
    span = np.where(hi > lo, hi - lo, 1.0)
    q = np.rint((values - lo) / span * 255.0)
    return np.clip(q, 0, 255).astype(np.uint8)


def neuron_heatmaps(outputs: Sequence[NDArray]) -> list[list[dict[str, Any]]]:
    """Return ``state``'s ``heatmaps.neurons``: per hidden layer, per unit, its grid image.

    Args:
        outputs: Per hidden layer, its activation's output on the grid points, shape
            ``(grid * grid, units)``.

    Returns:
        Per layer and unit ``{"lo", "hi", "data"}``: ``data`` is the base64 of one byte per grid
        point, 0 at the unit's lowest value ``lo`` and 255 at its highest ``hi``.
    """
    neurons = []
    for h in outputs:
        # One row per unit: its bytes are contiguous to encode (3x faster than columns), and
        # NaN/inf replaced only when there are some.
        H = np.ascontiguousarray(h.T, dtype=np.float64)
        if not np.isfinite(H).all():
            H = np.nan_to_num(H, nan=0.0, posinf=1e30, neginf=-1e30)
        lo, hi = H.min(axis=1), H.max(axis=1)
        q = _quantize(H, lo[:, None], hi[:, None])
        neurons.append(
            [
                {"lo": float(lo[j]), "hi": float(hi[j]), "data": _b64(q[j])}
                for j in range(H.shape[0])
            ]
        )
    return neurons


def unit_map(values: NDArray) -> dict[str, Any]:
    """Return one grid image of an inspected unit: ``{"data", "min", "max"}``, ``data`` the
    base64 of one byte per grid point (value = min + byte/255 * (max - min)), as
    :func:`neuron_heatmaps` quantizes."""
    v = np.nan_to_num(values.astype(np.float64), nan=0.0, posinf=1e30, neginf=-1e30)
    lo, hi = v.min(), v.max()
    return {"data": _b64(_quantize(v, lo, hi)), "min": float(lo), "max": float(hi)}


def inspect_maps(
    layer: int, unit: int, health: str | None, pre: NDArray, out: NDArray, flat: NDArray
) -> dict[str, Any]:
    """Return ``state``'s ``inspect``: one unit's pre-activation and output over the grid.

    Args:
        layer: Index into ``state.layers``; unit: the unit in it.
        health: The layer's ``health`` word.
        pre: The activation's input at each grid point, shape ``(grid * grid,)``.
        out: The unit's output there (for the output layer, the model's output).
        flat: Booleans, where the unit is on a flat part of its activation.
    """
    flat = np.asarray(flat, dtype=bool)
    return {
        "layer": layer,
        "unit": unit,
        "health": health,
        "pre": unit_map(pre),
        "out": unit_map(out),
        "flat": _b64(flat),
        "flat_fraction": round(float(flat.mean()), 4) if flat.size else 0.0,
    }


def output_heatmap(kind: str, logits: NDArray) -> dict[str, Any]:
    """Return ``state``'s ``heatmaps.output`` from the output layer's logits on the grid.

    ``kind`` ``"binary"``: one byte per point, the probability of class 1 times 255;
    ``"regression"``: the prediction clipped to [-1, 1], mapped to 0..255; ``"multiclass"``:
    the winning probability times 255 and, in ``classes``, the winning class per point.
    """
    output: dict[str, Any] = {"kind": kind, "classes": None}
    if kind == "binary":
        p = 1.0 / (1.0 + np.exp(-logits[:, 0].astype(np.float64)))
        output["data"] = _b64(np.rint(np.nan_to_num(p, nan=0.5) * 255))
    elif kind == "regression":
        v = np.clip(np.nan_to_num(logits[:, 0].astype(np.float64)), -1.0, 1.0)
        output["data"] = _b64(np.rint((v + 1.0) / 2.0 * 255))
    else:
        probs = activations_mod.get("softmax")(logits.astype(np.float64))
        probs = np.nan_to_num(probs, nan=1.0 / probs.shape[1])
        output["data"] = _b64(np.rint(probs.max(axis=1) * 255))
        output["classes"] = _b64(probs.argmax(axis=1))
    return output
