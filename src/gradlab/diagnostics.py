"""Look inside a network: activation statistics, saturation, dead units and gradient flow.

Two ways in:

- :func:`snapshot` measures a model now, on data you pass, without changing it (BatchNorm
  running statistics, dropout generators and weights are untouched: the gradients are computed
  on a copy).
- :class:`Diagnostics` is a callback that records the same numbers during ``fit``, every epoch
  or every N optimisation steps, plus what only training shows: the gradient norms of the
  training batches and the update-to-weight ratio ``‖ΔW‖ / ‖W‖`` of each step.

Per layer (one entry for every layer of ``model.layers``):

============== ===========================================================================
key            meaning
============== ===========================================================================
act_mean       mean of the layer's output over the probe samples
act_std        standard deviation of the layer's output
frac_zero      fraction of output entries that are exactly 0
frac_saturated fraction of pre-activations where ``|f'(a)| < 1%`` of the activation's largest
               ``|f'|`` (sigmoid, tanh: the flat tails); ``None`` for a layer without one
dead_frac      fraction of units whose gradient is zero for every probe sample: their output
               is constant on the data and ``f'(a) = 0`` everywhere (ReLU units stuck at 0);
               ``None`` for a layer without an activation
grad_w_norm    ``‖∂L/∂W‖₂`` of the layer's kernel(s) (every parameter of 2+ dims, else all of
               them); ``None`` for a layer without parameters or without targets
grad_act_norm  ``‖∂L/∂h‖₂`` of the gradient arriving at the layer's output ``h`` (mean over
               samples, so batch size does not scale it); ``None`` without targets
update_ratio   ``‖ΔW‖ / ‖W‖`` of the kernels over one optimizer step (callback only)
cached_bytes   bytes the layer keeps from a training forward pass of the probe data for
               its backward pass
============== ===========================================================================

>>> import numpy as np, gradlab as gl
>>> from gradlab import layers, diagnostics
>>> model = gl.Sequential([layers.Dense(8, activation="relu"), layers.Dense(2)], input_dim=3)
>>> model.compile(optimizer="sgd", loss="cross_entropy")
>>> X = np.random.default_rng(0).normal(size=(64, 3)); y = np.arange(64) % 2
>>> stats = diagnostics.snapshot(model, X, y)
>>> [s["name"] for s in stats]
['0 Dense(8, relu)', '1 Dense(2, linear)']
>>> 0.2 < stats[0]["frac_zero"] < 0.8
True
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._checks import check_int
from .callbacks import Callback, Logs
from .layers import BatchNorm, Layer, Residual
from .optimizers import global_norm

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "KEYS",
    "LABELS",
    "SATURATION_THRESHOLD",
    "Diagnostics",
    "Snapshot",
    "diagnose_divergence",
    "layer_outputs",
    "snapshot",
]

#: A unit is saturated where ``|f'(a)|`` is below this fraction of the activation's max ``|f'|``.
SATURATION_THRESHOLD = 0.01

#: The per-layer quantities, in the order tables show them.
KEYS = (
    "act_mean",
    "act_std",
    "frac_zero",
    "frac_saturated",
    "dead_frac",
    "grad_w_norm",
    "grad_act_norm",
    "update_ratio",
    "cached_bytes",
)


#: Column titles of the tables a notebook shows (what each key measures, in words).
LABELS = {
    "act_mean": "mean output",
    "act_std": "std of output",
    "frac_zero": "exactly 0",
    "frac_saturated": "saturated",
    "dead_frac": "dead units",
    "grad_w_norm": "‖∂L/∂W‖",
    "grad_act_norm": "‖∂L/∂output‖",
    "update_ratio": "update / weight",
    "cached_bytes": "cached bytes",
}


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


class Snapshot(list):  # type: ignore[type-arg]
    """The per-layer statistics of :func:`snapshot`: a list with one dict per layer.

    It is a plain list of dicts to code (``snap[0]["dead_frac"]``); a notebook shows it as a
    table with a row per layer and a column per quantity.
    """

    def table(self) -> tuple[list[str], list[list[str]]]:
        """Return ``(header, rows)``: the layer name and each of :data:`KEYS` in words."""
        keys = [k for k in KEYS if any(entry.get(k) is not None for entry in self)]
        header = ["layer", *(LABELS[k] for k in keys)]
        rows = [[entry["name"], *(_cell(entry.get(k)) for k in keys)] for entry in self]
        return header, rows

    def _repr_html_(self) -> str:
        from ._display import html_table

        header, rows = self.table()
        numeric = range(1, len(header))
        return html_table(header, rows, caption="Per-layer snapshot", numeric=numeric)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        header, rows = self.table()
        widths = [max(len(r[c]) for r in (header, *rows)) for c in range(len(header))]
        lines = [
            "  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip()
            for r in (header, *rows)
        ]
        printer.text("\n".join(lines))


def _name(index: int, layer: Layer) -> str:
    return f"{index} {layer.describe()}"


def _kernels(layer: Layer) -> list[NDArray]:
    """The parameters that count as weights: those of 2+ dims, else all of them."""
    params = list(layer.params.values())
    big = [p for p in params if p.ndim >= 2]
    return big or params


def _kernel_grads(layer: Layer) -> list[NDArray]:
    keys = [k for k, p in layer.params.items() if p.ndim >= 2] or list(layer.params)
    return [layer.grads[k] for k in keys]


def _norm(arrays: Sequence[NDArray]) -> float:
    return global_norm(arrays)  # no overflow for finite arrays, inf/NaN for non-finite ones


def _mean_std(h: NDArray) -> tuple[float, float]:
    """Mean and standard deviation in float64, finite for every finite ``h`` (a diverging
    network's outputs reach 1e300: their squares would overflow), inf/NaN if ``h`` is not."""
    with np.errstate(over="ignore", invalid="ignore"):
        mean, std = float(h.mean()), float(h.std())
        if not (math.isfinite(mean) and math.isfinite(std)) and np.isfinite(h).all():
            peak = float(np.abs(h).max())
            mean, std = peak * float((h / peak).mean()), peak * float((h / peak).std())
    return mean, std


def _activation_of(layer: Layer) -> Any:
    act = getattr(layer, "activation", None)
    if act is None or act.name == "linear":
        return None
    return act


def layer_outputs(
    model: Any, X: ArrayLike, *, batchnorm: str = "batch"
) -> list[tuple[NDArray | None, NDArray]]:
    """Run ``X`` through the model in inference mode; per layer ``(pre_activation, output)``.

    ``pre_activation`` is the input of the layer's activation (``x W + b`` for a ``Dense``,
    the layer input for an ``Activation`` layer) and ``None`` for a layer without one
    (or with the identity). Dropout is off. Nothing in the model changes.

    Args:
        batchnorm: ``"batch"`` (default) normalises with the statistics of ``X``, as training
            does (measured on a copy, so the running statistics are untouched); ``"running"``
            uses the running statistics, as inference does. A fresh ``BatchNorm`` has running
            mean 0 and variance 1, so ``"running"`` shows it normalising nothing. BatchNorm
            layers inside a :class:`~gradlab.layers.Residual` block follow the same choice.
    """
    if batchnorm not in ("batch", "running"):
        raise ValueError(f"batchnorm must be 'batch' or 'running'; received {batchnorm!r}")
    h = np.asarray(X, dtype=model.dtype)
    out: list[tuple[NDArray | None, NDArray]] = []
    for layer in model.layers:
        act = _activation_of(layer)
        if batchnorm == "batch" and isinstance(layer, BatchNorm | Residual):
            pre, h = None, _batch_statistics_forward(layer, h)
        elif act is None:
            pre, h = None, layer.forward(h, training=False)
        elif hasattr(layer, "units"):  # Dense-like: split off the activation
            pre = layer.forward(h, training=False, apply_activation=False)
            h = act(pre)
        else:
            pre, h = h, layer.forward(h, training=False)
        out.append((pre, h))
    return out


def _batch_statistics_forward(layer: Layer, h: NDArray) -> NDArray:
    """Inference forward, except that BatchNorm (also inside a ``Residual`` block) normalises
    with the statistics of ``h``, as in training; on copies, so nothing in the model moves."""
    if isinstance(layer, BatchNorm):
        return copy.deepcopy(layer).forward(h, training=True)
    if isinstance(layer, Residual):  # y = x + block(x)
        inner = h
        for sub in layer.layers:
            inner = _batch_statistics_forward(sub, inner)
        return h + inner
    return layer.forward(h, training=False)


def _activation_stats(layer: Layer, pre: NDArray | None, h: NDArray) -> dict[str, Any]:
    mean, std = _mean_std(h.astype(np.float64, copy=False))
    stats: dict[str, Any] = {
        "act_mean": mean,
        "act_std": std,
        "frac_zero": float(np.mean(h == 0)),
        "frac_saturated": None,
        "dead_frac": None,
    }
    act = _activation_of(layer)
    if act is not None and pre is not None and act.info.elementwise:
        with np.errstate(over="ignore", invalid="ignore"):  # inf/NaN pre-activations
            d = np.abs(act.derivative(pre))
        peak = act.info.max_abs_derivative
        if peak and math.isfinite(peak):
            stats["frac_saturated"] = float(np.mean(d < SATURATION_THRESHOLD * peak))
        stats["dead_frac"] = float(np.mean(np.all(d == 0, axis=0)))
    return stats


def _gradient_stats(
    model: Any, X: NDArray, y: Any
) -> tuple[list[float | None], list[float], list[int]]:
    """Kernel and output gradient norms and cached bytes per layer, measured on a copy."""
    probe = copy.deepcopy(model)
    out = probe.forward(X, training=True, logits=probe.fused)
    cached = [int(layer.cached_bytes()) for layer in probe.layers]
    probe.loss.forward(out, y)
    grad = probe.loss.backward()
    act_norms: list[float] = []
    for layer in reversed(probe.layers):
        act_norms.append(_norm([grad]) / len(X))
        grad = layer.backward(grad)
    act_norms.reverse()
    w_norms = [_norm(_kernel_grads(layer)) if layer.params else None for layer in probe.layers]
    return w_norms, act_norms, cached


def snapshot(
    model: Any,
    X: ArrayLike,
    y: ArrayLike | None = None,
    *,
    max_samples: int | None = None,
    batchnorm: str = "batch",
) -> Snapshot:
    """Measure every layer of ``model`` on ``X`` (and the loss gradients when ``y`` is given).

    Args:
        model: A built :class:`~gradlab.Sequential`; gradients need it compiled.
        X: Probe inputs, shape ``(samples, features)``.
        y: Targets for the gradient norms; ``None`` leaves ``grad_*`` as ``None``.
        max_samples: Use only the first ``max_samples`` rows. Default: all.
        batchnorm: ``"batch"`` or ``"running"`` statistics for BatchNorm layers in the
            activation statistics; see :func:`layer_outputs`.

    Returns:
        A :class:`Snapshot`: one dict per layer with ``name`` and the :data:`KEYS`
        (``update_ratio`` is ``None``: it needs an optimizer step, see :class:`Diagnostics`).
        A notebook shows it as a table.
    """
    return Snapshot(_snapshot(model, X, y, max_samples=max_samples, batchnorm=batchnorm))


def _snapshot(
    model: Any,
    X: ArrayLike,
    y: ArrayLike | None,
    *,
    max_samples: int | None = None,
    batchnorm: str = "batch",
    cached: list[int] | None = None,
) -> list[dict[str, Any]]:
    model.require_built()
    X = np.asarray(X, dtype=model.dtype)
    if X.ndim != 2 or len(X) == 0:
        raise ValueError(
            f"snapshot needs X of shape (samples, features) with samples >= 1; "
            f"received shape {X.shape}"
        )
    if max_samples is not None:
        X = X[:max_samples]
        y = None if y is None else np.asarray(y)[:max_samples]
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        outputs = layer_outputs(model, X, batchnorm=batchnorm)
        if y is not None:
            model.require_compiled()
            w_norms, act_norms, cached = _gradient_stats(model, X, y)
        else:
            w_norms = act_norms = [None] * len(model.layers)
    if cached is None:
        cached = _cached_bytes(model, X)
    stats = []
    for i, (layer, (pre, h)) in enumerate(zip(model.layers, outputs, strict=True)):
        entry = {"name": _name(i, layer), **_activation_stats(layer, pre, h)}
        entry.update(
            grad_w_norm=w_norms[i],
            grad_act_norm=act_norms[i],
            update_ratio=None,
            cached_bytes=cached[i],
        )
        stats.append(entry)
    return stats


def _cached_bytes(model: Any, X: NDArray) -> list[int]:
    """Bytes each layer caches for backward after a training forward pass of ``X``."""
    probe = copy.deepcopy(model)
    probe.forward(X, training=True)
    return [int(layer.cached_bytes()) for layer in probe.layers]


def _first_bad(arrays: dict[str, NDArray[Any]]) -> str | None:
    for key, value in arrays.items():
        if not np.all(np.isfinite(value)):
            return key
    return None


def diagnose_divergence(
    model: Any, X: NDArray[np.floating], loss: float | None, *, epoch: int, batch: int
) -> str:
    """Explain where a batch went non-finite: weights, forward outputs, then gradients."""
    findings = []
    for i, layer in enumerate(model.layers):
        key = _first_bad({**layer.params, **layer.buffers})
        if key is not None:
            findings.append(f"the weights {key!r} of layer {i} {layer.describe()} are non-finite")
            break
    h = X
    for i, layer in enumerate(copy.deepcopy(model.layers)):
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            h = layer.forward(h, training=True)
        if not np.all(np.isfinite(h)):
            findings.append(
                f"the output of layer {i} {layer.describe()} is the first non-finite one"
            )
            break
    for i in reversed(range(len(model.layers))):
        layer = model.layers[i]
        key = _first_bad(layer.grads)
        if key is not None:
            findings.append(
                f"going backward, layer {i} {layer.describe()} is the first with a non-finite "
                f"gradient ({key!r})"
            )
            break
    if not findings:
        findings.append("every weight, output and gradient is finite but the loss is not")
    lr = getattr(model.optimizer, "lr", None)
    return (
        f"training diverged at epoch {epoch + 1}, batch {batch + 1}: "
        + ("the network's output is not finite; " if loss is None else f"the loss is {loss}; ")
        + "; ".join(findings)
        + f". Remedies: lower the learning rate (now {lr}), clip gradients (clip_norm=1.0 on the "
        "optimizer), use an initializer matched to the activation (he_normal for ReLU, "
        "glorot for tanh/sigmoid), or add BatchNorm."
    )


class Diagnostics(Callback):
    """Record per-layer statistics during ``fit``, every epoch or every ``every`` steps.

    At each record the callback stores, per layer: the activation statistics of
    :func:`snapshot` on the probe data, the mean kernel-gradient norm of the training batches
    since the last record (``grad_w_norm``), the gradient norm at each layer's output on the
    probe data (``grad_act_norm``, when the probe has targets) and the update-to-weight ratio
    of the last step (``update_ratio``). Training itself is not changed: the measurements run
    on copies or in inference mode.

    Args:
        every: ``"epoch"`` (record at each epoch end) or a number of optimisation steps.
        data: Probe data, ``X`` or ``(X, y)``: the activation statistics and dead units are
            measured on it (with ``y`` also the gradient at each layer's output). A fixed
            sample of the training set is the usual choice.
        max_samples: Rows of the probe data used. Default 512.
        record_initial: Also record once before the first step. Default True.

    Attributes:
        records: One dict per record: ``{"step", "epoch", "layers": [per-layer dict]}``.
        layer_names: ``"index Layer(...)"`` per layer.

    Example:
        >>> import numpy as np, gradlab as gl
        >>> from gradlab import layers
        >>> from gradlab.diagnostics import Diagnostics
        >>> X = np.random.default_rng(0).normal(size=(128, 4)); y = (X[:, 0] > 0).astype(int)
        >>> model = gl.Sequential([layers.Dense(8, activation="tanh"), layers.Dense(2)],
        ...                       input_dim=4)
        >>> model.compile(optimizer="sgd", loss="cross_entropy")
        >>> diag = Diagnostics(every="epoch", data=(X, y))
        >>> _ = model.fit(X, y, epochs=3, verbose=0, callbacks=[diag])
        >>> diag.series("grad_w_norm").shape     # initial record + 3 epochs, 2 layers
        (4, 2)
    """

    def __init__(
        self,
        every: str | int = "epoch",
        data: Any = None,
        *,
        max_samples: int = 512,
        record_initial: bool = True,
    ) -> None:
        super().__init__()
        if every != "epoch" and not (
            isinstance(every, int) and not isinstance(every, bool) and every >= 1
        ):
            raise ValueError(f"every must be 'epoch' or a positive int; received {every!r}")
        max_samples = check_int(max_samples, "max_samples", low=1)
        self.every = every
        self.max_samples = max_samples
        self.record_initial = bool(record_initial)
        self._probe = self._split(data)
        self.records: list[dict[str, Any]] = []
        self.layer_names: list[str] = []

    def _split(self, data: Any) -> tuple[NDArray, Any]:
        if data is None:
            raise ValueError(
                "Diagnostics needs probe data: pass data=X or data=(X, y), e.g. a few hundred "
                "training samples; received None"
            )
        if isinstance(data, tuple | list) and len(data) == 2:
            X, y = data
            return np.asarray(X)[: self.max_samples], np.asarray(y)[: self.max_samples]
        return np.asarray(data)[: self.max_samples], None

    # -- callback hooks ---------------------------------------------------------------------
    def on_train_begin(self, logs: Logs) -> None:
        model = self.model
        self.layer_names = [_name(i, layer) for i, layer in enumerate(model.layers)]
        self._epoch = 0
        self._grad_sums = np.zeros(len(model.layers))
        self._grad_count = 0
        self._ratios: list[float | None] = [None] * len(model.layers)
        self._before: list[list[NDArray]] | None = None
        self._cached: list[int] | None = None
        self._steps_per_epoch = int(logs.get("steps", 0))
        if self.record_initial and not self.records:
            self._record(step=model.steps)

    def on_epoch_begin(self, epoch: int, logs: Logs) -> None:
        self._epoch = epoch

    def on_after_backward(self, batch: int, logs: Logs) -> None:
        model = self.model
        self._grad_sums += [
            _norm(_kernel_grads(layer)) if layer.params else math.nan for layer in model.layers
        ]
        self._grad_count += 1
        # Copy the kernels only before a step whose update ratio will be recorded.
        if self.every == "epoch":
            last = batch == self._steps_per_epoch - 1 or getattr(model, "stop_training", False)
        else:
            last = (model.steps + 1) % self.every == 0
        self._before = None
        if last:
            self._before = [[k.copy() for k in _kernels(layer)] for layer in model.layers]

    def on_batch_end(self, batch: int, logs: Logs) -> None:
        model = self.model
        if self._before is not None:
            self._ratios = [
                _norm([a - b for a, b in zip(_kernels(layer), before, strict=True)])
                / max(_norm(before), np.finfo(np.float64).tiny)
                if layer.params
                else None
                for layer, before in zip(model.layers, self._before, strict=True)
            ]
        step = model.steps  # already counts the step just taken
        if self.every != "epoch" and step % self.every == 0:
            self._record(step=step)

    def on_epoch_end(self, epoch: int, logs: Logs) -> None:
        if self.every == "epoch":
            self._record(step=self.model.steps)

    # -- recording and reading -----------------------------------------------------------
    def _record(self, step: int) -> None:
        X, y = self._probe
        has_loss = getattr(self.model, "loss", None) is not None
        stats = _snapshot(self.model, X, y if has_loss else None, cached=self._cached)
        self._cached = [entry["cached_bytes"] for entry in stats]  # fixed for a given probe
        if self._grad_count:
            means = self._grad_sums / self._grad_count
            for entry, g, r in zip(stats, means, self._ratios, strict=True):
                entry["grad_w_norm"] = None if math.isnan(g) else float(g)
                entry["update_ratio"] = r
        self.records.append({"step": int(step), "epoch": int(self._epoch), "layers": stats})
        self._grad_sums[:] = 0
        self._grad_count = 0

    @property
    def steps(self) -> NDArray[np.int64]:
        """The optimisation step of each record (0 = before training)."""
        return np.array([r["step"] for r in self.records], dtype=np.int64)

    def series(self, key: str) -> NDArray[np.float64]:
        """Return ``key`` as an array of shape ``(records, layers)``; ``NaN`` where undefined.

        Raises:
            ValueError: if ``key`` is not one of :data:`KEYS`.
        """
        if key not in KEYS:
            raise ValueError(f"unknown diagnostics key {key!r}; known: {', '.join(KEYS)}")
        return np.array(
            [[np.nan if e[key] is None else e[key] for e in r["layers"]] for r in self.records],
            dtype=np.float64,
        ).reshape(len(self.records), len(self.layer_names))

    def plot(
        self, keys: Sequence[str] = ("grad_w_norm", "update_ratio", "frac_saturated", "dead_frac")
    ) -> Figure:
        """Plot each key per layer against the step; norms and ratios on a log scale."""
        from .plots import diagnostics_figure  # matplotlib only when a figure is drawn

        return diagnostics_figure(self, keys)

    def last(self) -> Snapshot:
        """The per-layer statistics of the latest record, as a :class:`Snapshot`."""
        if not self.records:
            raise ValueError("Diagnostics.last: nothing recorded yet; pass it to fit() first")
        return Snapshot(self.records[-1]["layers"])

    def _repr_html_(self) -> str:
        """The latest record as a table, and the curves of :meth:`plot`."""
        from ._display import figure_img

        if not self.records:
            return "<p>Diagnostics: nothing recorded yet (pass it to <code>fit</code>).</p>"
        record = self.records[-1]
        head = (
            f"<p>{len(self.records)} records; the latest at step {record['step']} "
            f"(epoch {record['epoch']}):</p>"
        )
        curves = figure_img(self.plot(), alt="diagnostics per layer", dpi=60)
        return f"<div>{head}{self.last()._repr_html_()}{curves}</div>"
