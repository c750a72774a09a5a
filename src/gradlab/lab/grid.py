"""A grid of network settings, and the training run of one of its points on one seed.

A grid names values for some of the :data:`AXES` (activation, initializer or weight and bias
variances, width, depth, optimizer, learning rate, batch size, batch norm); the others keep
their defaults (:func:`check_grid`). Every point on every seed is one *unit* (:func:`units`):
an MLP built with :func:`gradlab.model.mlp`, trained on the data of the :class:`Settings` for
``epochs`` epochs and measured by :func:`run_unit` (:data:`METRICS`): final train and test
accuracy, the first epoch at which the training accuracy reached ``target``, the share of dead
hidden units after training, the gradient norm of the first layer over the output layer's at
initialization, and whether training diverged (a divergence is a result, not a crash).
:func:`aggregate` and :func:`heatmap_panel` turn the rows into a heatmap over two axes.

``gradlab sweep`` (:mod:`gradlab.lab.sweep`) runs a grid with a cache, executors and files;
a claim (P4) runs its grid's units itself, in its experiment.

>>> grid = check_grid({"activation": "relu,tanh", "depth": [1, 2]})
>>> grid["activation"], grid["depth"], grid["width"]
(['relu', 'tanh'], [1, 2], [64])
>>> len(units(grid, [0, 1], make_settings(epochs=1)))
8
"""

from __future__ import annotations

import functools
import itertools
import math
import re
import time
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from ..i18n import N_, _
from .claim import to_jsonable

__all__ = [
    "AXES",
    "METRICS",
    "Axis",
    "Settings",
    "aggregate",
    "cell_text",
    "check_grid",
    "check_size",
    "describe_row",
    "heatmap_panel",
    "make_settings",
    "run_unit",
    "units",
    "varied",
]

#: Rows of the training set the gradient and dead-unit probes look at.
PROBE_ROWS = 256

#: Accuracy of a network that guesses one class, for the ten digit classes.
_TEN_CLASSES = 10


@dataclass(frozen=True)
class Axis:
    """One setting a grid can vary: its kind of value, default and meaning."""

    name: str
    kind: str  # "activation", "init", "optimizer", "int", "number", "bool"
    default: Any
    words: str  # the axis in words, as a heatmap labels it (marked N_: shown with _())
    example: str
    low_open: bool = True  # numbers: > 0 (True) or >= 0 (False)


#: The settings a grid can vary, in the order the rows, tables and default heatmaps use.
AXES: dict[str, Axis] = {
    a.name: a
    for a in (
        Axis(
            "activation", "activation", "relu", N_("activation of the hidden layers"), "relu,tanh"
        ),
        Axis(
            "init", "init", "glorot_uniform", N_("kernel initializer"), "glorot_uniform,he_normal"
        ),
        Axis(
            "weight_var",
            "number",
            None,
            N_("σ_w², weight variance × fan_in"),
            "1.0,1.76,4.0",
        ),
        Axis(
            "bias_var",
            "number",
            0.0,
            N_("σ_b², bias variance"),
            "0,0.05",
            low_open=False,
        ),
        Axis("width", "int", 64, N_("width, units per hidden layer"), "32,64"),
        Axis("depth", "int", 2, N_("depth, hidden layers"), "2,4,8"),
        Axis("optimizer", "optimizer", "adam", N_("optimizer"), "sgd,adam"),
        Axis("lr", "number", 0.001, N_("learning rate"), "0.001,0.01"),
        Axis("batch_size", "int", 32, N_("batch size"), "32,128"),
        Axis("batch_norm", "bool", False, N_("batch norm before each activation"), "off,on"),
    )
}

#: What a unit measures, each in words with its unit (in English, as ``results.json`` keeps
#: them; marked with N_: the page shows them with _()).
METRICS: dict[str, str] = {
    "train_acc": N_("accuracy on the training set after the last epoch [accuracy, 0-1]"),
    "test_acc": N_("accuracy on the test set after the last epoch [accuracy, 0-1]"),
    "final_loss": N_("training loss of the last epoch [cross entropy]"),
    "epochs_to_target": N_(
        "first epoch after which the training accuracy reached the target "
        "[epochs; empty: not reached]"
    ),
    "dead_frac": N_(
        "share of hidden units whose gradient is 0 on every probe sample after "
        "training [fraction of units]"
    ),
    "log10_grad_ratio": N_(
        "gradient norm of the first layer's weights over the output layer's, "
        "at initialization [log10 of the ratio]"
    ),
    "diverged": N_("training stopped on a non-finite loss or gradient [yes/no]"),
    "diverged_epoch": N_("epoch in which training diverged [epoch]"),
}

_TRUE = ("true", "yes", "on", "1")
_FALSE = ("false", "no", "off", "0")


@dataclass(frozen=True)
class Settings:
    """What every unit of a sweep shares: the data, the training length and the target.

    Attributes:
        data: A data set of :mod:`gradlab.datasets` (``digits``, a toy set, ``mnist``, ...).
        epochs: Training epochs of every unit.
        target: Training accuracy whose first epoch is recorded (``None``: not measured).
        test_size: Test fraction of ``digits`` and the toy sets.
        n_samples: Samples of a toy set.
        noise: Noise of a toy set (``None``: the set's default).
        data_dir: The folder of the IDX files of ``mnist`` and ``fashion_mnist``.
        standardize: Centre and scale every feature by the training statistics.
        data_seed: Seed of the train/test split and of the toy set (the same for every unit,
            so units differ only in what the grid and the unit's seed say).
        dtype: ``"float32"`` or ``"float64"``.
    """

    data: str = "digits"
    epochs: int = 5
    target: float | None = None
    test_size: float = 0.2
    n_samples: int = 1000
    noise: float | None = None
    data_dir: str | None = None
    standardize: bool = False
    data_seed: int = 0
    dtype: str = "float32"


def _flag(name: str) -> str:
    """An API name as the command line spells it: ``batch_size`` -> ``--batch-size``."""
    return "--" + name.replace("_", "-")


# --- the grid -----------------------------------------------------------------------------


def _items(raw: Any) -> list[Any]:
    """The values of one axis: a comma-separated string, one value, or a sequence of them."""
    if isinstance(raw, str):
        return [s.strip() for s in raw.split(",")]
    if isinstance(raw, Iterable) and not isinstance(raw, Mapping):
        out: list[Any] = []
        for item in raw:
            out.extend(_items(item) if isinstance(item, str) else [item])
        return out
    return [raw]


def _expected(axis: Axis) -> str:
    what = {
        "int": N_("positive whole numbers"),
        "number": N_("positive numbers") if axis.low_open else N_("numbers >= 0"),
        "bool": N_("on/off (also true/false, yes/no, 1/0)"),
        "activation": N_("activation names"),
        "init": N_("initializer names"),
        "optimizer": N_("optimizer names"),
    }[axis.kind]
    return _("comma-separated {what}, such as {example}").format(what=_(what), example=axis.example)


def _bad_value(problem: str, label: str, axis: Axis, raw: Any, **values: Any) -> ValueError:
    """The error for one value: ``label: <problem>; expected ...; received <raw>``, with
    ``problem`` a template of ``values`` (marked with N_)."""
    return ValueError(
        _("{label}: {problem}; expected {expected}; received {raw}").format(
            label=label,
            problem=_(problem).format(**values),
            expected=_expected(axis),
            raw=repr(raw),
        )
    )


def _convert(axis: Axis, item: Any, label: str, raw: Any) -> Any:
    """One value of ``axis``, checked and in its canonical form."""
    from .. import activations, initializers, optimizers
    from ..model import check_hidden_activation

    if item is None and axis.default is None:  # weight_var None: the initializer decides
        return None
    if isinstance(item, str) and not item:
        raise _bad_value(N_("an empty value"), label, axis, raw)
    if axis.kind in ("activation", "init", "optimizer"):
        if not isinstance(item, str):
            raise _bad_value(N_("{item} is not a name"), label, axis, raw, item=repr(item))
        registry = {
            "activation": activations.REGISTRY,
            "init": initializers.REGISTRY,
            "optimizer": optimizers.REGISTRY,
        }[axis.kind]
        try:
            name = registry.canonical(item)
            if axis.kind == "activation":
                check_hidden_activation(name, "activation")
        except ValueError as exc:
            raise ValueError(f"{label}: {exc}") from None
        return name
    if axis.kind == "bool":
        if isinstance(item, bool | np.bool_):
            return bool(item)
        if isinstance(item, str) and item.lower() in _TRUE + _FALSE:
            return item.lower() in _TRUE
        raise _bad_value(N_("{item} is not on or off"), label, axis, raw, item=repr(item))
    if isinstance(item, bool | np.bool_):
        raise _bad_value(N_("{item} is not a number"), label, axis, raw, item=repr(item))
    if axis.kind == "int":
        value: Any = None
        if isinstance(item, int | np.integer):
            value = int(item)
        elif isinstance(item, float) and item.is_integer():
            value = int(item)
        elif isinstance(item, str) and re.fullmatch(r"[+-]?\d+", item):
            value = int(item)
        if value is None:
            raise _bad_value(N_("{item} is not a whole number"), label, axis, raw, item=repr(item))
        if value < 1:
            raise _bad_value(N_("{value} is not positive"), label, axis, raw, value=value)
        return value
    try:
        value = float(item)
    except (TypeError, ValueError):
        raise _bad_value(N_("{item} is not a number"), label, axis, raw, item=repr(item)) from None
    if not math.isfinite(value) or value < 0 or (axis.low_open and value == 0):
        raise _bad_value(N_("{item} is out of range"), label, axis, raw, item=repr(item))
    return value


def check_grid(grid: Mapping[str, Any], *, flags: bool = False) -> dict[str, list[Any]]:
    """Return every axis of :data:`AXES` with its checked values: those of ``grid``, else the
    axis's default.

    Args:
        grid: ``{axis: values}``; values are a list, one value, or a comma-separated string
            (``"relu,tanh"``, ``"0.01,0.1"``, ``"off,on"``).
        flags: Name the axes in messages as the command line does (``--batch-size``).

    Raises:
        ValueError: for an unknown axis, an empty list, an unknown name (with the known ones),
            a value that is not a number, a zero or negative size or rate, a value given twice,
            or both ``init`` and ``weight_var``; the message says what is wrong, what is
            expected and what was received.
    """
    if not isinstance(grid, Mapping):
        raise TypeError(
            _("grid must be a dict of axis -> values; received {type}").format(
                type=type(grid).__name__
            )
        )
    unknown = [k for k in grid if k not in AXES]
    if unknown:
        raise ValueError(
            _("unknown sweep axis {axis}; expected one of {names}").format(
                axis=repr(unknown[0]), names=", ".join(AXES)
            )
        )
    out: dict[str, list[Any]] = {}
    for name, axis in AXES.items():
        if name not in grid:
            out[name] = [axis.default]
            continue
        label, raw = _label(name, flags), grid[name]
        items = _items(raw)
        if not items or (len(items) == 1 and items[0] == ""):
            raise _bad_value(N_("no values"), label, axis, raw)
        values = [_convert(axis, item, label, raw) for item in items]
        repeated = [v for i, v in enumerate(values) if v in values[:i]]
        if repeated:
            raise ValueError(
                _(
                    "{label}: {value} is given twice; expected each value once; received {raw}"
                ).format(label=label, value=repr(repeated[0]), raw=repr(raw))
            )
        out[name] = values
    default_init = [AXES["init"].default]
    if out["init"] != default_init and any(v is not None for v in out["weight_var"]):
        raise ValueError(
            _(
                "give {init} or {weight_var}, not both: a weight variance draws W ~ N(0, "
                "σ_w²/fan_in) in place of the initializer; received init {init_values} and "
                "weight_var {weight_var_values}"
            ).format(
                init=_label("init", flags),
                weight_var=_label("weight_var", flags),
                init_values=repr(grid["init"]),
                weight_var_values=repr(grid["weight_var"]),
            )
        )
    return out


def _label(name: str, flags: bool) -> str:
    return _flag(name) if flags else name


def make_settings(*, flags: bool = False, **values: Any) -> Settings:
    """Return checked :class:`Settings` (``flags``: name them as the command line does).

    Raises:
        ValueError: for an unknown data set (with the known ones), a non-positive number of
            epochs or samples, a target outside (0, 1], a test size outside (0, 1), or an image
            set without ``data_dir``.
    """
    from .. import datasets
    from .._checks import check_int, check_number

    unknown = [k for k in values if k not in Settings.__dataclass_fields__]
    if unknown:
        raise TypeError(
            _("unknown sweep setting {setting}; expected one of {names}").format(
                setting=repr(unknown[0]), names=", ".join(Settings.__dataclass_fields__)
            )
        )
    s = Settings(**values)

    def name(field: str) -> str:
        return _label(field, flags)

    try:
        data = datasets.REGISTRY.canonical(s.data)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name('data')}: {exc}") from None
    try:
        epochs = check_int(s.epochs, name("epochs"), low=1)
        target = (
            None
            if s.target is None
            else check_number(s.target, name("target"), low=0.0, high=1.0, low_open=True)
        )
        test_size = check_number(
            s.test_size, name("test_size"), low=0.0, high=1.0, low_open=True, high_open=True
        )
        n_samples = check_int(s.n_samples, name("n_samples"), low=2)
        noise = None if s.noise is None else check_number(s.noise, name("noise"), low=0.0)
        data_seed = check_int(s.data_seed, name("data_seed"), low=0)
    except TypeError as exc:
        raise ValueError(str(exc)) from None
    if s.dtype not in ("float32", "float64"):
        raise ValueError(
            _("{dtype}: expected float32 or float64; received {value}").format(
                dtype=name("dtype"), value=repr(s.dtype)
            )
        )
    if data in ("mnist", "fashion_mnist") and not s.data_dir:
        raise ValueError(
            _(
                "{flag} {data} is read from its IDX files: give {dir_flag} (the folder that "
                "holds them)"
            ).format(flag=name("data"), data=data, dir_flag=name("data_dir"))
        )
    return Settings(
        data=data,
        epochs=epochs,
        target=target,
        test_size=test_size,
        n_samples=n_samples,
        noise=noise,
        data_dir=str(s.data_dir) if s.data_dir else None,
        standardize=bool(s.standardize),
        data_seed=data_seed,
        dtype=s.dtype,
    )


def check_size(
    grid: Mapping[str, Sequence[Any]], seeds: Sequence[int], max_units: int, *, flags: bool = False
) -> int:
    """Return the number of units (grid points x seeds) of a checked grid.

    Raises:
        ValueError: when there are more than ``max_units``, naming the sizes of the axes.
    """
    units = math.prod(len(v) for v in grid.values()) * len(seeds)
    if units > max_units:
        sizes = " x ".join(f"{len(grid[a])} {a}" for a in varied(grid)) or _("1 point")
        raise ValueError(
            _(
                "the sweep has {units} units ({sizes} x {seeds} seeds), more than the maximum "
                "of {max_units}; narrow the grid or raise {flag}"
            ).format(
                units=units,
                sizes=sizes,
                seeds=len(seeds),
                max_units=max_units,
                flag=_label("max_units", flags),
            )
        )
    return units


def varied(grid: Mapping[str, Sequence[Any]]) -> list[str]:
    """The axes of a checked grid with more than one value, in :data:`AXES` order."""
    return [name for name in AXES if len(grid[name]) > 1]


# --- the units ----------------------------------------------------------------------------


def units(
    grid: Mapping[str, Sequence[Any]], seeds: Sequence[int], settings: Settings
) -> list[dict[str, Any]]:
    """Every unit of a checked grid, in grid order (the axes as in :data:`AXES`, seeds
    innermost): plain dicts with ``kind``, ``settings``, ``point`` (one value per axis) and
    ``seed``, ready for :func:`run_unit` in any process.
    """
    out = []
    names = list(AXES)
    for values in itertools.product(*(grid[n] for n in names)):
        point = dict(zip(names, values, strict=True))
        for seed in seeds:
            out.append(
                {"kind": "sweep", "settings": asdict(settings), "point": point, "seed": seed}
            )
    return out


@functools.lru_cache(maxsize=4)
def _data(settings: Settings) -> tuple[Any, Any, Any, Any]:
    """``X_train, y_train, X_test, y_test`` of a sweep (loaded once per process)."""
    from .. import datasets

    if settings.data == "digits":
        (Xtr, ytr), (Xte, yte) = datasets.digits(
            test_size=settings.test_size, seed=settings.data_seed, dtype=settings.dtype
        )
    elif settings.data in datasets.IMAGE_SETS:
        (Xtr, ytr), (Xte, yte) = datasets.get(settings.data)(
            settings.data_dir, dtype=settings.dtype
        )
    else:
        kwargs: dict[str, Any] = {"n_samples": settings.n_samples, "seed": settings.data_seed}
        if settings.noise is not None:
            kwargs["noise"] = settings.noise
        X, y = datasets.load(settings.data, dtype=settings.dtype, **kwargs)
        Xtr, Xte, ytr, yte = datasets.train_test_split(
            X, y, test_size=settings.test_size, seed=settings.data_seed
        )
    if settings.standardize:
        mean, std = Xtr.mean(axis=0), Xtr.std(axis=0)
        std[std == 0] = 1
        Xtr = ((Xtr - mean) / std).astype(settings.dtype)
        Xte = ((Xte - mean) / std).astype(settings.dtype)
    for array in (Xtr, ytr, Xte, yte):
        array.setflags(write=False)  # shared by every unit of this process
    return Xtr, ytr, Xte, yte


def _build(point: Mapping[str, Any], seed: int, input_dim: int, classes: int, dtype: str) -> Any:
    """The compiled MLP of a grid point."""
    from .. import initializers
    from ..model import mlp

    if point["weight_var"] is not None:
        init: Any = initializers.VarianceScaling(point["weight_var"], "fan_in", "normal")
    else:
        init = point["init"]
    bias = point["bias_var"]
    bias_init = initializers.RandomNormal(0.0, math.sqrt(bias)) if bias > 0 else "zeros"
    model = mlp(
        [point["width"]] * point["depth"],
        classes,
        input_dim=input_dim,
        activation=point["activation"],
        init=init,
        bias_init=bias_init,
        batch_norm=point["batch_norm"],
        seed=seed,
        dtype=dtype,
    )
    model.compile(
        optimizer={"name": point["optimizer"], "config": {"lr": point["lr"]}},
        loss="cross_entropy",
    )
    return model


def _gradient_ratio(model: Any, X: Any, y: Any) -> float | None:
    """``log10(‖∂L/∂W_first‖ / ‖∂L/∂W_output‖)`` of the Dense layers, now."""
    from .. import diagnostics
    from ..layers import Dense

    stats = diagnostics.snapshot(model, X, y)
    norms = [
        s["grad_w_norm"]
        for s, layer in zip(stats, model.layers, strict=True)
        if isinstance(layer, Dense)
    ]
    first, last = norms[0], norms[-1]
    if not (first and last and math.isfinite(first) and math.isfinite(last)):
        return None
    return math.log10(first / last)


def _dead_fraction(model: Any, X: Any) -> float | None:
    """Share of hidden units with a zero gradient on every row of ``X`` (mean over layers)."""
    from .. import diagnostics

    stats = diagnostics.snapshot(model, X)[:-1]  # the output layer has no hidden units
    values = [s["dead_frac"] for s in stats if s["dead_frac"] is not None]
    return float(np.mean(values)) if values else None


def run_unit(unit: Mapping[str, Any]) -> dict[str, Any]:
    """Train and measure one unit of :func:`plan`; return ``{"record": row, "figures": {}}``.

    The row holds the unit's ``key``, its point (one column per axis), ``seed``, the
    :data:`METRICS` and ``seconds`` (wall-clock, the only field that differs between two runs
    of the same unit). Pure apart from that: the same unit gives the same row anywhere.
    """
    from threadpoolctl import threadpool_limits

    from .. import TrainingStalledWarning
    from ..callbacks import Callback
    from .kit.fitting import accuracy, fit_or_diverge

    start = time.perf_counter()
    settings = Settings(**unit["settings"])
    point = unit["point"]
    Xtr, ytr, Xte, yte = _data(settings)
    classes = int(max(ytr.max(), yte.max())) + 1
    probe = slice(0, PROBE_ROWS)

    class EpochAccuracy(Callback):
        def __init__(self) -> None:
            super().__init__()
            self.curve: list[float] = []

        def on_epoch_end(self, epoch: int, logs: dict[str, Any]) -> None:
            self.curve.append(accuracy(self.model, Xtr, ytr))

    with threadpool_limits(limits=1, user_api="blas"), warnings.catch_warnings():
        warnings.simplefilter("ignore", TrainingStalledWarning)  # a result, recorded below
        model = _build(point, unit["seed"], Xtr.shape[1], classes, settings.dtype)
        ratio = _gradient_ratio(model, Xtr[probe], ytr[probe])
        curve = EpochAccuracy()
        fit = fit_or_diverge(
            model,
            Xtr,
            ytr,
            epochs=settings.epochs,
            batch_size=point["batch_size"],
            callbacks=[curve],
        )
        diverged = fit["diverged_at"] is not None
        reached = None
        if settings.target is not None:
            reached = next((i + 1 for i, a in enumerate(curve.curve) if a >= settings.target), None)
        row = {
            "key": unit.get("key"),
            **point,
            "seed": unit["seed"],
            "train_acc": accuracy(model, Xtr, ytr),
            "test_acc": accuracy(model, Xte, yte),
            "final_loss": float(fit["loss"][-1]) if len(fit["loss"]) else None,
            "epochs_to_target": reached,
            "dead_frac": None if diverged else _dead_fraction(model, Xtr[probe]),
            "log10_grad_ratio": ratio,
            "diverged": diverged,
            "diverged_epoch": fit["diverged_at"][0] if diverged else None,
        }
    row["seconds"] = time.perf_counter() - start
    return {"record": to_jsonable(row), "figures": {}}


# --- the sweep ----------------------------------------------------------------------------


def describe_row(row: Mapping[str, Any], axes: Sequence[str] | None = None) -> str:
    """One line for a finished unit: its point (the ``axes`` given, default every axis), its
    seed and what it measured."""
    names = list(AXES) if axes is None else axes
    point = " ".join(f"{a}={cell_text(row[a])}" for a in names if row.get(a) is not None)
    if row.get("diverged"):
        result = _("train {train:.3f} test {test:.3f}, diverged in epoch {epoch}").format(
            train=row["train_acc"], test=row["test_acc"], epoch=row["diverged_epoch"]
        )
    else:
        result = _("train {train:.3f} test {test:.3f}").format(
            train=row["train_acc"], test=row["test_acc"]
        )
    return (
        _("{point} seed={seed}: {result} ({seconds:.1f} s)")
        .format(point=point, seed=row["seed"], result=result, seconds=row["seconds"])
        .lstrip()
    )


def cell_text(value: Any) -> str:
    """A value as a table or tick label shows it (``on``/``off``, 4 significant digits)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def aggregate(
    rows: Sequence[Mapping[str, Any]], metric: str, x: str, y: str
) -> tuple[list[Any], list[Any], np.ndarray]:
    """Return ``(x values, y values, matrix)``: ``matrix[i, j]`` is the median of ``metric``
    over the rows with ``y = ys[i]`` and ``x = xs[j]`` (the other axes and the seeds).

    ``diverged`` is averaged instead (the share of diverged units); ``epochs_to_target``
    counts a unit that never reached the target as infinitely slow (a cell whose median is
    such a unit is NaN). Missing numbers (a diverged unit's dead fraction) are skipped.
    """
    xs = list(dict.fromkeys(r[x] for r in rows))
    ys = list(dict.fromkeys(r[y] for r in rows))
    matrix = np.full((len(ys), len(xs)), np.nan)
    for i, yv in enumerate(ys):
        for j, xv in enumerate(xs):
            cell = [r[metric] for r in rows if r[x] == xv and r[y] == yv]
            if metric == "diverged":
                matrix[i, j] = float(np.mean(cell)) if cell else np.nan
            elif metric == "epochs_to_target":
                v = np.array([math.inf if c is None else c for c in cell], dtype=np.float64)
                med = float(np.median(v)) if len(v) else math.nan
                matrix[i, j] = med if math.isfinite(med) else np.nan
            else:
                v = np.array([c for c in cell if c is not None], dtype=np.float64)
                matrix[i, j] = float(np.median(v)) if len(v) else np.nan
    return xs, ys, matrix


def heatmap_panel(
    ax: Any,
    matrix: Any,
    xs: Sequence[Any],
    ys: Sequence[Any],
    *,
    xlabel: str,
    ylabel: str,
    title: str,
    cbar_label: str,
    cmap: str = "viridis",
    vmin: float | None = None,
    vmax: float | None = None,
    fmt: str = "{:.2f}",
    annotate: bool = True,
) -> Any:
    """Draw ``matrix`` (rows: ``ys``, bottom up; columns: ``xs``) as cells with their values;
    return the colour-bar. NaN cells are grey and marked with a dash."""
    matrix = np.asarray(matrix, dtype=np.float64)
    if vmin is None or vmax is None:
        finite = matrix[np.isfinite(matrix)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        if cmap == "RdBu_r":  # centred on 0
            lo, hi = -max(abs(lo), abs(hi), 1e-3), max(abs(lo), abs(hi), 1e-3)
        vmin = lo if vmin is None else vmin
        vmax = (hi if hi > lo else lo + 1.0) if vmax is None else vmax
    colours = _colormap(cmap)
    image = ax.imshow(
        np.ma.masked_invalid(matrix),
        origin="lower",
        aspect="auto",
        cmap=colours,
        vmin=vmin,
        vmax=vmax,
        interpolation="nearest",
    )
    ax.set_xticks(range(len(xs)), [cell_text(v) for v in xs])
    ax.set_yticks(range(len(ys)), [cell_text(v) for v in ys])
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    ax.tick_params(labelsize=9)
    if annotate and len(xs) <= 16 and len(ys) <= 16:
        size = 9 if len(xs) <= 8 else 8
        for i in range(len(ys)):
            for j in range(len(xs)):
                v = matrix[i, j]
                if not math.isfinite(v):
                    ax.text(
                        j, i, "–", ha="center", va="center", fontsize=size, color="#333", zorder=4
                    )
                    continue
                r, g, b, _ = colours((v - vmin) / (vmax - vmin) if vmax > vmin else 0.5)
                dark = 0.299 * r + 0.587 * g + 0.114 * b < 0.5
                ax.text(
                    j,
                    i,
                    fmt.format(v),
                    ha="center",
                    va="center",
                    fontsize=size,
                    color="white" if dark else "black",
                    zorder=4,  # above lines drawn over the cells
                )
    bar = ax.figure.colorbar(image, ax=ax, shrink=0.9)
    bar.set_label(cbar_label, fontsize=9)
    bar.ax.tick_params(labelsize=8)
    return bar


def _colormap(name: str) -> Any:
    import matplotlib

    return matplotlib.colormaps[name].with_extremes(bad="#d9d9d9")
