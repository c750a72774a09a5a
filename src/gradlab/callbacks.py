"""Callbacks for ``Sequential.fit``: History, EarlyStopping, per-batch hooks, progress bar.

The fit loop calls, in order::

    on_train_begin(logs)
      on_epoch_begin(epoch, logs)
        on_batch_begin(batch, logs)
        on_after_backward(batch, logs)   # gradients are in layer.grads, weights not yet updated
        on_batch_end(batch, logs)        # weights updated; logs hold "loss" and "size"
      on_epoch_end(epoch, logs)          # logs hold "loss", metrics, "val_*", "lr"
    on_train_end(logs)

``on_after_backward`` is where diagnostics read gradient norms; ``on_batch_end`` is where they
read update-to-weight ratios. Any callback may set ``self.model.stop_training = True``.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from ._checks import check_bool, check_int, check_number
from .i18n import _, ngettext
from .layers import Dense
from .layers.residual import flatten_blocks

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from .model import Sequential

__all__ = [
    "Callback",
    "EarlyStopping",
    "History",
    "LambdaCallback",
    "ProgressBar",
    "WeightPenalty",
]

Logs = dict[str, Any]


class Callback:
    """Base class; override the hooks you need. ``self.model`` is set by ``fit``."""

    def __init__(self) -> None:
        self.model: Sequential | None = None

    def set_model(self, model: Sequential) -> None:
        self.model = model

    def on_train_begin(self, logs: Logs) -> None: ...
    def on_train_end(self, logs: Logs) -> None: ...
    def on_epoch_begin(self, epoch: int, logs: Logs) -> None: ...
    def on_epoch_end(self, epoch: int, logs: Logs) -> None: ...
    def on_batch_begin(self, batch: int, logs: Logs) -> None: ...
    def on_after_backward(self, batch: int, logs: Logs) -> None: ...
    def on_batch_end(self, batch: int, logs: Logs) -> None: ...


class History(Callback):
    """Record every epoch's logs: ``history.history["loss"]`` is one mean loss per epoch.

    Attributes:
        history: ``{"loss": [...], "accuracy": [...], "val_loss": [...], "lr": [...], ...}``.
        epoch: The epoch indices recorded.
        params: ``{"epochs", "batch_size", "steps", "samples"}`` of the run.
        stalled: The text of the :class:`~gradlab.TrainingStalledWarning` the run issued, or
            ``None`` when it learned.
    """

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []
        self.params: dict[str, Any] = {}
        self.stalled: str | None = None

    def on_epoch_end(self, epoch: int, logs: Logs) -> None:
        self.epoch.append(epoch)
        for key, value in logs.items():
            self.history.setdefault(key, []).append(value)

    def plot(self, keys: list[str] | None = None) -> Figure:
        """Return a matplotlib figure: one panel per quantity, training and validation together.

        Args:
            keys: Quantities to draw (default: every recorded one except ``lr``, with its
                ``val_`` twin on the same panel).
        """
        from .plots import history_figure  # matplotlib is imported only when a figure is drawn

        return history_figure(self, keys)

    def _rows(self) -> list[tuple[str, str, str, str]]:
        """``(quantity, first, last, best)`` per recorded quantity (``lr``: first and last)."""
        rows = []
        for key, values in self.history.items():
            finite = [v for v in values if math.isfinite(v)]
            if not finite:
                rows.append((key, f"{values[0]:.4g}", f"{values[-1]:.4g}", "—"))
                continue
            lower = "loss" in key or key.endswith(("error", "mse", "mae"))
            best = "—" if key == "lr" else f"{(min if lower else max)(finite):.4g}"
            rows.append((key, f"{values[0]:.4g}", f"{values[-1]:.4g}", best))
        return rows

    def __repr__(self) -> str:
        if not self.epoch:
            return "History(no epochs recorded yet)"
        parts = [f"{k} {first} -> {last}" for k, first, last, _ in self._rows() if k != "lr"]
        return f"History({len(self.epoch)} epochs: {', '.join(parts)})"

    def _repr_html_(self) -> str:
        """A table of each quantity's first, last and best value, and the curves."""
        from ._display import figure_img, html_table

        if not self.epoch:
            return "<p>" + _("History: no epochs recorded yet (call <code>fit</code>).") + "</p>"
        n = len(self.epoch)
        caption = ngettext("History of {n} epoch", "History of {n} epochs", n).format(n=n)
        if self.stalled:
            caption += " " + _("(stalled: {why})").format(why=self.stalled)
        table = html_table(
            (_("quantity"), _("epoch {n}").format(n=1), _("epoch {n}").format(n=n), _("best")),
            self._rows(),
            caption=caption,
            numeric=(1, 2, 3),
        )
        if not any(k != "lr" for k in self.history):
            return table
        curves = figure_img(self.plot(), alt="training curves", dpi=72)
        return f"<div>{table}{curves}</div>"


class EarlyStopping(Callback):
    """Stop when a monitored quantity has stopped improving (Keras semantics).

    An epoch improves when ``value < best - min_delta`` (mode ``min``) or
    ``value > best + min_delta`` (mode ``max``); training stops after ``patience`` epochs
    without improvement. ``mode="auto"`` picks ``max`` for accuracy-like names, else ``min``.

    Args:
        monitor: A key of the epoch logs, e.g. ``"val_loss"`` or ``"accuracy"``.
        min_delta: Smallest change that counts as an improvement (>= 0).
        patience: Epochs without improvement before stopping (>= 0).
        mode: ``"auto"``, ``"min"`` or ``"max"``.
        restore_best_weights: Put back the weights of the best epoch when stopping.
        baseline: A value the monitored quantity must beat within ``patience`` epochs.

    Attributes:
        stopped_epoch: The epoch after which training stopped (0 if it did not stop early).
        best, best_epoch: The best value and when it was reached.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        *,
        min_delta: float = 0.0,
        patience: int = 0,
        mode: str = "auto",
        restore_best_weights: bool = False,
        baseline: float | None = None,
    ) -> None:
        super().__init__()
        patience = check_int(patience, "EarlyStopping: patience", low=0)
        min_delta = check_number(min_delta, "EarlyStopping: min_delta", low=0.0)
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"EarlyStopping: mode must be 'auto', 'min' or 'max', got {mode!r}")
        if mode == "auto":
            mode = "max" if any(s in monitor for s in ("acc", "auc", "score")) else "min"
        self.monitor, self.min_delta, self.patience, self.mode = monitor, min_delta, patience, mode
        self.restore_best_weights, self.baseline = restore_best_weights, baseline

    def _better(self, value: float, reference: float) -> bool:
        if self.mode == "min":
            return value < reference - self.min_delta
        return value > reference + self.min_delta

    def on_train_begin(self, logs: Logs) -> None:
        self.wait, self.stopped_epoch, self.best_epoch = 0, 0, 0
        worst = math.inf if self.mode == "min" else -math.inf
        self.best = worst if self.baseline is None else float(self.baseline)
        self.best_weights: list[np.ndarray] | None = None

    def on_epoch_end(self, epoch: int, logs: Logs) -> None:
        if self.monitor not in logs:
            raise ValueError(
                f"EarlyStopping: monitor {self.monitor!r} is not in the epoch logs "
                f"{sorted(logs)}; pass validation data to monitor 'val_*' quantities"
            )
        value = float(logs[self.monitor])
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = [w.copy() for w in self.model.get_weights()]
        if self._better(value, self.best):
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best_weights:
                self.best_weights = [w.copy() for w in self.model.get_weights()]
            return
        self.wait += 1
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True
            if self.restore_best_weights and self.best_weights is not None:
                self.model.set_weights(self.best_weights)


class LambdaCallback(Callback):
    """Run plain functions at the fit loop's hooks, e.g. a per-batch diagnostic probe.

    Each argument is a function taking the hook's arguments: ``on_batch_end(batch, logs)``,
    ``on_epoch_end(epoch, logs)``, ``on_train_begin(logs)``, ... ``every`` calls the batch hooks
    only on every n-th global step (the step count is in ``logs["step"]``).

    Example:
        >>> norms = []
        >>> probe = LambdaCallback(on_after_backward=lambda b, logs: norms.append(logs["step"]))
    """

    _hooks = (
        "on_train_begin",
        "on_train_end",
        "on_epoch_begin",
        "on_epoch_end",
        "on_batch_begin",
        "on_after_backward",
        "on_batch_end",
    )

    def __init__(self, every: int = 1, **hooks: Callable[..., Any]) -> None:
        super().__init__()
        unknown = set(hooks) - set(self._hooks)
        if unknown:
            raise TypeError(
                f"LambdaCallback: unknown hook(s) {sorted(unknown)}; known: {self._hooks}"
            )
        every = check_int(every, "LambdaCallback: every", low=1)
        self.every = every
        for hook, fn in hooks.items():
            if not callable(fn):
                raise TypeError(f"LambdaCallback: {hook} must be callable, got {fn!r}")
            batch_hook = hook.startswith("on_batch") or hook == "on_after_backward"
            setattr(self, hook, self._every(fn) if batch_hook else fn)

    def _every(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        def call(batch: int, logs: Logs) -> None:
            if logs.get("step", 0) % self.every == 0:
                fn(batch, logs)

        return call


class WeightPenalty(Callback):
    r"""Add an L2 or L1 penalty on every ``Dense`` kernel to the gradients, after each backward.

    Kernels of ``Dense`` layers inside a :class:`~gradlab.layers.Residual` block count too.

    With rate :math:`\lambda` (divided by the batch size ``n`` when ``per_sample=True``, as
    scikit-learn's ``alpha`` is):

    * ``"l2"``: :math:`\Omega = \tfrac{\lambda}{2}\sum\lVert W\rVert^2`, so
      :math:`\partial\Omega/\partial W = \lambda W` (weight decay);
    * ``"l1"``: :math:`\Omega = \lambda\sum|W|`, so :math:`\partial\Omega/\partial W =
      \lambda\,\mathrm{sign}(W)` (0 at W = 0, as ``torch.sign``).

    Biases and BatchNorm's scale and shift are not penalised. The fit loop's reported loss does
    not include :math:`\Omega`; the callback adds up ``n * Ω`` of every batch, and
    :meth:`take_penalty` returns that sum and starts a new one (divide it by the number of
    samples for the epoch's mean penalty).

    Args:
        kind: ``"l2"`` or ``"l1"``.
        rate: :math:`\lambda \ge 0` (0 turns the callback off).
        per_sample: Divide the rate by the batch size (scikit-learn's convention).

    Example:
        >>> penalty = WeightPenalty("l2", 1e-4)
    """

    def __init__(self, kind: str = "l2", rate: float = 0.0, *, per_sample: bool = False) -> None:
        super().__init__()
        if kind not in ("l1", "l2"):
            raise ValueError(f"WeightPenalty: kind must be 'l1' or 'l2', got {kind!r}")
        rate = check_number(rate, "WeightPenalty: rate", low=0.0)
        self.kind, self.rate = kind, rate
        self.per_sample = check_bool(per_sample, "WeightPenalty: per_sample")
        self._total = 0.0
        self._kernels: list[tuple[Any, Any]] = []

    def on_train_begin(self, logs: Logs) -> None:
        dense = [
            layer for layer, _ in flatten_blocks(self.model.layers) if isinstance(layer, Dense)
        ]
        self._kernels = [(layer.params["W"], layer.grads["W"]) for layer in dense]

    def on_after_backward(self, batch: int, logs: Logs) -> None:
        if not self.rate:
            return
        size = logs["size"]
        rate = self.rate / size if self.per_sample else self.rate
        total = 0.0
        for W, grad in self._kernels:
            if self.kind == "l2":
                grad += rate * W
                total += float(np.vdot(W, W))
            else:
                grad += rate * np.sign(W)
                total += float(np.abs(W).sum())
        # n * Ω of this batch: n * (rate/2) Σ‖W‖² (L2) or n * rate Σ|W| (L1)
        n_rate = self.rate if self.per_sample else self.rate * size
        self._total += (0.5 * n_rate if self.kind == "l2" else n_rate) * total

    def take_penalty(self) -> float:
        """Return the sum of ``batch size × penalty`` since the last call, and reset it."""
        total, self._total = self._total, 0.0
        return total


class ProgressBar(Callback):
    """A progress bar per epoch with the running loss and metrics (``verbose=1``).

    ``verbose=2`` prints one line per epoch instead. In a terminal the bar is rich's; in a
    Jupyter notebook it is a line updated in place through a display handle (no ipywidgets,
    no warnings). Output goes to ``sys.stdout`` as it is when training starts (so it can be
    captured).
    """

    def __init__(self, verbose: int = 1) -> None:
        super().__init__()
        self.verbose = verbose

    def on_train_begin(self, logs: Logs) -> None:
        from rich.console import Console

        from ._display import in_notebook

        self._notebook = in_notebook()
        # 120 columns when the output is not a terminal, so the bar is not squeezed away.
        width = None if sys.stdout.isatty() else 120
        self.console = Console(file=sys.stdout, highlight=False, width=width, force_jupyter=False)
        self.epochs, self.steps = logs["epochs"], logs["steps"]
        self._progress: Any = None

    def on_epoch_begin(self, epoch: int, logs: Logs) -> None:
        self._start = time.perf_counter()
        self._seen, self._loss_sum, self._last = 0, 0.0, 0.0
        if self.verbose == 1 and self._notebook:
            from ._display import NotebookProgress

            self._progress = NotebookProgress(f"Epoch {epoch + 1}/{self.epochs}", self.steps)
            self._task = None
        elif self.verbose == 1:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            self._progress = Progress(
                TextColumn(f"Epoch {epoch + 1}/{self.epochs}"),
                BarColumn(bar_width=24),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("{task.fields[stats]}"),
                console=self.console,
                transient=False,
                refresh_per_second=8,
            )
            self._progress.start()
            self._task = self._progress.add_task("train", total=self.steps, stats="")

    def on_batch_end(self, batch: int, logs: Logs) -> None:
        self._seen += logs["size"]
        self._loss_sum += logs["loss"] * logs["size"]
        if self._progress is not None:
            now = time.perf_counter()
            if now - self._last > 0.1 or batch + 1 == self.steps:
                self._last = now
                stats = f"loss {self._loss_sum / self._seen:.4f}"
                if self._notebook:
                    self._progress.update(batch + 1, stats)
                else:
                    self._progress.update(self._task, completed=batch + 1, stats=stats)

    def on_epoch_end(self, epoch: int, logs: Logs) -> None:
        stats = "  ".join(f"{k} {v:.4g}" for k, v in logs.items() if k != "lr")
        if self._progress is not None:
            self._finish(stats)
        else:
            took = time.perf_counter() - self._start
            line = f"Epoch {epoch + 1}/{self.epochs}  {took:.2f}s  {stats}"
            if self._notebook:
                print(line, flush=True)
            else:
                self.console.print(line)

    def on_train_end(self, logs: Logs) -> None:
        if self._progress is not None:
            self._finish("")

    def _finish(self, stats: str) -> None:
        """Show the bar's final state and let it go."""
        if self._notebook:
            self._progress.close(stats)
        else:
            if stats:
                self._progress.update(self._task, completed=self.steps, stats=stats)
            self._progress.stop()
        self._progress = None
