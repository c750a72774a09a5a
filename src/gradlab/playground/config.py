"""The playground's config: limits, the options catalogue, defaults, and validation.

A config is what the page sets (data set, features, network, optimizer, regulariser, seed).
Everything the page may send passes the checks here before a session sees it. Validation
either returns a *normalized* config (every field present, numbers as ``int``/``float``,
features in the canonical order, the optimizer with all its hyperparameters) or raises
:class:`ProtocolError` whose message says what is wrong, what was expected and what was
received, and whose ``field`` is the dotted path of the culprit (``config.layers[2].units``).

Error messages are translated (:mod:`gradlab.i18n`) into the language in effect where they
are raised: the server raises them in the language of the page that sent the message. The
checks speak the page's language (JSON): an integral float such as ``100.0`` is an integer
(JavaScript has one number type) and a received value is described as JSON
(``the boolean true``, ``the string 'x'``); gradlab's own validators (:mod:`gradlab._checks`)
speak Python's, so the wire keeps these. The messages built from configs are
:mod:`~gradlab.playground.messages`; the contract is ``docs/playground-protocol.md``.
"""

from __future__ import annotations

import copy
import itertools
import math
from collections.abc import Mapping
from typing import Any

from .. import activations as activations_mod
from .. import initializers as initializers_mod
from ..i18n import N_, _

__all__ = [
    "DATASETS",
    "DATA_FIELDS",
    "DEFAULT_CONFIG",
    "FEATURES",
    "LIMITS",
    "MAX_ID",
    "MAX_SESSION_BYTES",
    "OPTIMIZERS",
    "RECTIFIERS",
    "ProtocolError",
    "activation_health",
    "activation_options",
    "check_choice",
    "check_json_bool",
    "check_json_integer",
    "check_json_number",
    "check_keys",
    "check_object",
    "describe_json",
    "estimate_session_bytes",
    "hidden_activations",
    "initializer_names",
    "merge_config",
    "validate_config",
]

#: Sizes the server enforces (``hello``'s ``limits`` adds ``idle_timeout_s`` and
#: ``keepalive_s``: :func:`gradlab.playground.messages.limits`). ``max_message_depth``: objects
#: and arrays nested in a message (the deepest the protocol uses is 4:
#: ``{"config": {"layers": [{...}]}}``). ``max_upload_bytes``: the text of an uploaded CSV
#: file (below ``max_message_bytes``, so that the file fits in one ``upload`` message).
LIMITS: dict[str, Any] = {
    "max_layers": 6,
    "max_units": 8,
    "max_samples": 2000,
    "grid": 50,
    "max_message_bytes": 65536,
    "max_message_depth": 16,
    "max_updates_per_second": 20,
    "max_upload_bytes": 60000,
}

#: A session's arrays may not exceed this many bytes (checked when a config is accepted).
MAX_SESSION_BYTES = 16 * 1024 * 1024

#: Largest integer id a message may carry (exclusive).
MAX_ID = 2**31

DEFAULT_CONFIG: dict[str, Any] = {
    "dataset": "circle",
    "classes": 2,
    "noise": 0.0,
    "train_ratio": 50.0,
    "n_samples": 500,
    "batch_size": 10,
    "features": ["x1", "x2"],
    "layers": [{"units": 4, "activation": "tanh"}, {"units": 2, "activation": "tanh"}],
    "learning_rate": 0.03,
    "optimizer": {"name": "sgd"},
    "regularization": "none",
    "reg_rate": 0.0,
    "initializer": "glorot_uniform",
    "init_scale": 1.0,
    "batchnorm": False,
    "residual": False,
    "dropout": 0.0,
    "clip_norm": None,
    "seed": 0,
}

#: Data sets: task and the class counts they allow. The labels are English (marked with
#: ``N_``); the page shows them in its own language. ``custom`` is the learner's own data
#: (:mod:`.upload`): its task is that of the points (``None`` here) and the session sets its
#: ``classes`` from them.
DATASETS: dict[str, dict[str, Any]] = {
    "circle": {"label": N_("Circle"), "task": "classification", "classes": [2]},
    "xor": {"label": N_("Exclusive or"), "task": "classification", "classes": [2]},
    "gauss": {"label": N_("Gaussian"), "task": "classification", "classes": [2, 3, 4]},
    "spiral": {"label": N_("Spiral"), "task": "classification", "classes": [2, 3, 4]},
    "plane": {"label": N_("Plane"), "task": "regression", "classes": []},
    "reg_gauss": {"label": N_("Multi Gaussian"), "task": "regression", "classes": []},
    # The learner's own points (drawn, or a CSV file): task and class count come from them.
    "custom": {"label": N_("Your data"), "task": None, "classes": [2, 3, 4]},
}

#: Input features, in the canonical order (the order of the network's input columns).
FEATURES: dict[str, str] = {
    "x1": "X₁",
    "x2": "X₂",
    "x1sq": "X₁²",
    "x2sq": "X₂²",
    "x1x2": "X₁X₂",
    "sinx1": "sin(X₁)",
    "sinx2": "sin(X₂)",
}

#: Optimizers and their hyperparameters besides the learning rate.
OPTIMIZERS: dict[str, dict[str, Any]] = {
    "sgd": {"label": "SGD", "params": {}},
    "momentum": {
        "label": N_("Momentum"),
        "params": {"momentum": {"default": 0.9, "min": 0.0, "max": 0.999, "step": 0.01}},
    },
    "nesterov": {
        "label": "Nesterov",
        "params": {"momentum": {"default": 0.9, "min": 0.01, "max": 0.999, "step": 0.01}},
    },
    "adagrad": {
        "label": "Adagrad",
        "params": {"eps": {"default": 1e-10, "min": 1e-12, "max": 0.01, "step": 1e-10}},
    },
    "rmsprop": {
        "label": "RMSProp",
        "params": {
            "alpha": {"default": 0.99, "min": 0.0, "max": 0.9999, "step": 0.01},
            "eps": {"default": 1e-8, "min": 1e-12, "max": 0.01, "step": 1e-8},
        },
    },
    "adam": {
        "label": "Adam",
        "params": {
            "beta1": {"default": 0.9, "min": 0.0, "max": 0.999, "step": 0.01},
            "beta2": {"default": 0.999, "min": 0.0, "max": 0.9999, "step": 0.001},
            "eps": {"default": 1e-8, "min": 1e-12, "max": 0.01, "step": 1e-8},
        },
    },
}

#: Activations that are not element-wise (or mix units) and so cannot be a hidden activation.
_NOT_HIDDEN = {"softmax", "log_softmax", "softmin", "sparsemax", "glu"}

#: Activations whose flat region is an *off* state rather than a saturated bound: the unit
#: passes (almost) nothing and gets (almost) no gradient, on its negative side (the rectifier
#: family, and ``exponential``, ``log_sigmoid`` mirrored) or in a dead zone around 0 (the
#: shrink functions). The page calls such a unit *inactive* there; a ReLU does not *saturate*
#: (its output is unbounded above), and teaching both words for the same thing confuses.
#: Bounded activations (sigmoid, tanh, ...) *saturate*; the rest (linear) has no flat region.
#: See :func:`activation_health`; ``tests/playground/test_config.py`` checks every hidden
#: activation falls in one of the three.
RECTIFIERS = frozenset(
    {
        "relu",
        "relu6",
        "leaky_relu",
        "prelu",
        "rrelu",
        "elu",
        "selu",
        "celu",
        "gelu",
        "silu",
        "hard_silu",
        "mish",
        "softplus",
        "squareplus",
        "sparse_plus",
        "threshold",
        "exponential",
        "log_sigmoid",
        "soft_shrink",
        "hard_shrink",
        "tanh_shrink",
    }
)

#: The config fields whose change rebuilds the data set (the others only change the model).
DATA_FIELDS = ("dataset", "classes", "noise", "train_ratio", "n_samples", "seed")


class ProtocolError(ValueError):
    """A message or config the server rejects.

    Attributes:
        message: What is wrong, what was expected and what was received.
        field: Dotted path of the offending field (``config.layers[2].units``) or ``None``.
        request: The rejected message's ``type`` when known.
        id: The rejected message's ``id`` when it had a valid one.
    """

    def __init__(
        self,
        message: str,
        field: str | None = None,
        *,
        request: str | None = None,
        id: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.request = request
        self.id = id

    def to_message(self) -> dict[str, Any]:
        """Return the ``error`` message the server sends for this error."""
        return {
            "type": "error",
            "message": self.message,
            "field": self.field,
            "request": self.request,
            "id": self.id,
        }


# -- value checks ------------------------------------------------------------------------------
def describe_json(value: Any) -> str:
    """Return a short description of a received JSON value for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return _("the boolean {value}").format(value=str(value).lower())
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "..."
        return _("the string {value!r}").format(value=text)
    if isinstance(value, int | float):
        return _("the number {value!r}").format(value=value)
    if isinstance(value, list):
        return _("a list of {n} item(s)").format(n=len(value))
    if isinstance(value, dict):
        return _("an object with keys {keys}").format(keys=sorted(map(str, value))[:8])
    return _("a {type}").format(type=type(value).__name__)


def check_json_number(value: Any, field: str, low: float, high: float) -> float:
    """Return the JSON value ``value`` as a finite float in ``[low, high]`` or raise (a
    boolean is not a number; the message says what was received)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProtocolError(
            _("{field} must be a number from {low:g} to {high:g}; received {value}").format(
                field=field, low=low, high=high, value=describe_json(value)
            ),
            field,
        )
    if not math.isfinite(value):
        raise ProtocolError(
            _(
                "{field} must be a finite number from {low:g} to {high:g}; received {value!r}"
            ).format(field=field, low=low, high=high, value=value),
            field,
        )
    if not low <= value <= high:
        raise ProtocolError(
            _("{field} must be from {low:g} to {high:g}; received {value!r}").format(
                field=field, low=low, high=high, value=value
            ),
            field,
        )
    return float(value)


def check_json_integer(value: Any, field: str, low: int, high: int) -> int:
    """Return the JSON value ``value`` as an int in ``[low, high]`` (an integral float such
    as 100.0 is accepted, since JavaScript has one number type) or raise."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProtocolError(
            _("{field} must be an integer from {low} to {high}; received {value}").format(
                field=field, low=low, high=high, value=describe_json(value)
            ),
            field,
        )
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        raise ProtocolError(
            _("{field} must be an integer from {low} to {high}; received {value!r}").format(
                field=field, low=low, high=high, value=value
            ),
            field,
        )
    if not low <= value <= high:
        raise ProtocolError(
            _("{field} must be from {low} to {high}; received {value!r}").format(
                field=field, low=low, high=high, value=value
            ),
            field,
        )
    return int(value)


def check_json_bool(value: Any, field: str) -> bool:
    """Return ``value`` when it is ``true`` or ``false`` (not 0 or 1, not a string), else
    raise."""
    if not isinstance(value, bool):
        raise ProtocolError(
            _("{field} must be true or false; received {value}").format(
                field=field, value=describe_json(value)
            ),
            field,
        )
    return value


def check_choice(value: Any, field: str, allowed: list[str]) -> str:
    """Return ``value`` when it is one of the strings ``allowed``, else raise."""
    if not isinstance(value, str) or value not in allowed:
        raise ProtocolError(
            _("{field} must be one of {choices}; received {value}").format(
                field=field, choices=", ".join(map(repr, allowed)), value=describe_json(value)
            ),
            field,
        )
    return value


def check_object(value: Any, field: str, what: str) -> dict[str, Any]:
    """Return ``value`` when it is a JSON object, else raise (``what`` says what was expected;
    marked with ``N_`` where it is written, translated here)."""
    if not isinstance(value, dict):
        raise ProtocolError(
            _("{field} must be an object ({what}); received {value}").format(
                field=field, what=_(what), value=describe_json(value)
            ),
            field,
        )
    return value


def check_keys(obj: Mapping[str, Any], allowed: Any, field: str) -> None:
    """Raise for the first key of ``obj`` (sorted) that is not in ``allowed``.

    ``field`` is the path of ``obj`` (``""``: the message itself).
    """
    unknown = sorted(set(obj) - set(allowed))
    if unknown:
        key = unknown[0]
        where = f"{field}.{key}" if field else key
        raise ProtocolError(
            _("unknown key {key!r} in {where}; expected only {allowed}").format(
                key=key,
                where=field or _("the message"),
                allowed=", ".join(map(repr, allowed)),
            ),
            where,
        )


# -- the options catalogue ----------------------------------------------------------------------
def hidden_activations() -> list[str]:
    """Return the gradlab activations offered for hidden layers (the element-wise ones)."""
    out = []
    for name in activations_mod.names():
        act = activations_mod.get(name)
        if name not in _NOT_HIDDEN and act.info.elementwise:
            out.append(name)
    return out


def initializer_names() -> list[str]:
    """Return the gradlab initializers that need no argument (``constant`` is ``zeros``)."""
    out = []
    for name in initializers_mod.names():
        if name == "constant":
            continue
        try:
            initializers_mod.get(name)
        except (TypeError, ValueError):
            continue
        out.append(name)
    return out


_LABELS = {
    "relu": "ReLU",
    "relu6": "ReLU6",
    "leaky_relu": "Leaky ReLU",
    "prelu": "PReLU",
    "rrelu": "RReLU",
    "elu": "ELU",
    "selu": "SELU",
    "celu": "CELU",
    "gelu": "GELU",
    "silu": "SiLU",
    "hard_silu": "hard SiLU",
}


def activation_options() -> list[dict[str, str]]:
    """Return the hidden activations as the page lists them: name, label and formula."""
    out = []
    for name in hidden_activations():
        label = _LABELS.get(name, name.replace("_", " "))
        out.append(
            {"name": name, "label": label, "formula": activations_mod.get(name).info.formula}
        )
    return out


def activation_health(name: str) -> str | None:
    """Return which flat-region notion activation ``name`` has, as ``state`` reports it.

    ``"inactive"`` for :data:`RECTIFIERS` (the flat side means the unit is off),
    ``"saturated"`` for the other activations bounded on both sides (sigmoid, tanh, step,
    ...: the flat tails are the saturated bounds), ``None`` for the rest (linear) and for
    activations that are not element-wise (softmax).
    """
    act = activations_mod.get(name)
    if not act.info.elementwise:
        return None
    if name in RECTIFIERS:
        return "inactive"
    low, high = act.info.output_range
    if math.isfinite(low) and math.isfinite(high):
        return "saturated"
    return None


# -- config ------------------------------------------------------------------------------------
def _layers(value: Any, field: str, allowed: list[str]) -> list[dict[str, Any]]:
    max_layers, max_units = LIMITS["max_layers"], LIMITS["max_units"]
    if not isinstance(value, list):
        raise ProtocolError(
            _(
                '{field} must be a list of 0 to {max_layers} hidden layers ({{"units", '
                '"activation"}}); received {value}'
            ).format(field=field, max_layers=max_layers, value=describe_json(value)),
            field,
        )
    if len(value) > max_layers:
        raise ProtocolError(
            _("{field} may hold at most {max_layers} hidden layers; received {n}").format(
                field=field, max_layers=max_layers, n=len(value)
            ),
            field,
        )
    out = []
    for i, layer in enumerate(value):
        where = f"{field}[{i}]"
        layer = check_object(layer, where, N_('a hidden layer {"units": 1-8, "activation": name}'))
        check_keys(layer, ("units", "activation"), where)
        for key in ("units", "activation"):
            if key not in layer:
                raise ProtocolError(
                    _("{where} needs {key!r}; received only {keys}").format(
                        where=where, key=key, keys=sorted(layer)
                    ),
                    f"{where}.{key}",
                )
        units = check_json_integer(layer["units"], f"{where}.units", 1, max_units)
        act = check_choice(layer["activation"], f"{where}.activation", allowed)
        out.append({"units": units, "activation": act})
    return out


def _optimizer(value: Any, field: str) -> dict[str, Any]:
    if isinstance(value, str):
        value = {"name": value}
    value = check_object(value, field, N_('{"name": ..., hyperparameters...}'))
    if "name" not in value:
        raise ProtocolError(
            _("{field} needs 'name' (one of {choices}); received {value}").format(
                field=field, choices=", ".join(map(repr, OPTIMIZERS)), value=describe_json(value)
            ),
            f"{field}.name",
        )
    name = check_choice(value["name"], f"{field}.name", list(OPTIMIZERS))
    params = OPTIMIZERS[name]["params"]
    check_keys(value, ("name", *params), field)
    out: dict[str, Any] = {"name": name}
    for key, spec in params.items():
        raw = value.get(key, spec["default"])
        out[key] = check_json_number(raw, f"{field}.{key}", spec["min"], spec["max"])
    return out


def validate_config(config: Any, field: str = "config") -> dict[str, Any]:
    """Validate a *complete* config and return it normalized.

    Raises:
        ProtocolError: naming the first offending field.
    """
    config = check_object(config, field, N_("a playground config"))
    check_keys(config, DEFAULT_CONFIG, field)
    missing = [k for k in DEFAULT_CONFIG if k not in config]
    if missing:
        raise ProtocolError(
            _("{field} is missing {missing}; a full config has {keys}").format(
                field=field, missing=missing, keys=list(DEFAULT_CONFIG)
            ),
            f"{field}.{missing[0]}",
        )
    f = f"{field}."
    out: dict[str, Any] = {}
    out["dataset"] = check_choice(config["dataset"], f + "dataset", list(DATASETS))
    classes = check_json_integer(config["classes"], f + "classes", 2, 4)
    allowed_classes = DATASETS[out["dataset"]]["classes"]
    if len(allowed_classes) > 1 and classes not in allowed_classes:
        raise ProtocolError(
            _("{field} must be one of {allowed} for {dataset}; received {value}").format(
                field=f + "classes", allowed=allowed_classes, dataset=out["dataset"], value=classes
            ),
            f + "classes",
        )
    # Data sets with a fixed class count (and regression) normalize it to 2.
    out["classes"] = classes if len(allowed_classes) > 1 else 2
    out["noise"] = check_json_number(config["noise"], f + "noise", 0, 50)
    out["train_ratio"] = check_json_number(config["train_ratio"], f + "train_ratio", 10, 90)
    out["n_samples"] = check_json_integer(
        config["n_samples"], f + "n_samples", 100, LIMITS["max_samples"]
    )
    out["batch_size"] = check_json_integer(config["batch_size"], f + "batch_size", 1, 100)
    features = config["features"]
    if not isinstance(features, list) or not features:
        raise ProtocolError(
            _("{field} must be a non-empty list of names among {names}; received {value}").format(
                field=f + "features", names=list(FEATURES), value=describe_json(features)
            ),
            f + "features",
        )
    for i, name in enumerate(features):
        check_choice(name, f"{f}features[{i}]", list(FEATURES))
    if len(set(features)) != len(features):
        dup = next(n for n in features if features.count(n) > 1)
        raise ProtocolError(
            _("{field} must not repeat a feature; received {name!r} twice").format(
                field=f + "features", name=dup
            ),
            f + "features",
        )
    out["features"] = [name for name in FEATURES if name in features]
    out["layers"] = _layers(config["layers"], f + "layers", hidden_activations())
    out["learning_rate"] = check_json_number(config["learning_rate"], f + "learning_rate", 1e-5, 10)
    out["optimizer"] = _optimizer(config["optimizer"], f + "optimizer")
    out["regularization"] = check_choice(
        config["regularization"], f + "regularization", ["none", "l1", "l2"]
    )
    out["reg_rate"] = check_json_number(config["reg_rate"], f + "reg_rate", 0, 10)
    out["initializer"] = check_choice(config["initializer"], f + "initializer", initializer_names())
    out["init_scale"] = check_json_number(config["init_scale"], f + "init_scale", 0.01, 10)
    out["batchnorm"] = check_json_bool(config["batchnorm"], f + "batchnorm")
    out["residual"] = check_json_bool(config["residual"], f + "residual")
    if out["batchnorm"] and out["batch_size"] < 2:
        raise ProtocolError(
            _(
                "{field} must be at least 2 with batchnorm (the variance of one sample is 0); "
                "received {value}"
            ).format(field=f + "batch_size", value=out["batch_size"]),
            f + "batch_size",
        )
    out["dropout"] = check_json_number(config["dropout"], f + "dropout", 0, 0.9)
    clip = config["clip_norm"]
    out["clip_norm"] = None if clip is None else check_json_number(clip, f + "clip_norm", 0.01, 100)
    out["seed"] = check_json_integer(config["seed"], f + "seed", 0, MAX_ID - 1)
    size = estimate_session_bytes(out)
    if size > MAX_SESSION_BYTES:  # cannot happen within the limits above; kept as a guard
        raise ProtocolError(
            _("{field} needs about {size} bytes; a session may use at most {limit}").format(
                field=field, size=size, limit=MAX_SESSION_BYTES
            ),
            field,
        )
    return out


def merge_config(current: Mapping[str, Any], partial: Any, field: str = "config") -> dict:
    """Put the top-level keys of ``partial`` over ``current`` and validate the result.

    When ``partial`` changes the data set but not ``classes``, and the current class count is
    not allowed for the new data set, ``classes`` falls back to the new set's first allowed
    count (so switching from a 3-class spiral to the circle just works).
    """
    partial = check_object(partial, field, N_("a partial playground config"))
    check_keys(partial, DEFAULT_CONFIG, field)
    merged = {**copy.deepcopy(dict(current)), **copy.deepcopy(partial)}
    if "classes" not in partial and isinstance(merged.get("dataset"), str):
        allowed = DATASETS.get(merged["dataset"], {}).get("classes") or [2]
        if merged.get("classes") not in allowed:
            merged["classes"] = allowed[0]
    return validate_config(merged, field)


def estimate_session_bytes(config: Mapping[str, Any]) -> int:
    """Return a generous estimate of the bytes a session holds for ``config``."""
    n = int(config["n_samples"])
    d = len(config["features"])
    widths = [d, *(layer["units"] for layer in config["layers"]), 4]
    grid = LIMITS["grid"] ** 2
    data = n * (d + 3) * 8
    activations = (n + grid) * sum(widths) * 8 * 4  # forward caches, pre-activations, outputs
    weights = sum(a * b + b for a, b in itertools.pairwise(widths)) * 8 * 6
    return data + activations + weights
