"""What :mod:`gradlab.model` trains with: boundary checks, the bound training loop, finiteness
checks, the divergence diagnosis and the summary table."""

from __future__ import annotations

import copy
import itertools
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from . import losses as losses_mod
from .callbacks import Callback

Array = NDArray[np.floating]

if TYPE_CHECKING:
    from .model import Sequential

__all__ = [
    "QUIET",
    "StallMonitor",
    "TrainingDivergedError",
    "TrainingLoop",
    "TrainingStalledWarning",
    "all_finite",
    "chance_loss",
    "check_arrays",
    "checks_targets",
    "diagnose_divergence",
    "render_summary",
]


class TrainingDivergedError(FloatingPointError):
    """The loss or a gradient became NaN or infinite during training."""


class TrainingStalledWarning(UserWarning):
    """Training ran without overflowing but did not learn: the loss stayed at or above its
    starting value for several epochs, or the weights grew by orders of magnitude.

    ``Sequential.fit`` issues it once per call (``warnings.warn``), with the measured numbers
    and the usual remedies (a lower learning rate, ``clip_norm``, another initializer).
    Silence it with ``warnings.simplefilter("ignore", TrainingStalledWarning)`` where a
    diverging run is the point of the experiment.
    """


class TrainingLoop:
    """What one training step calls, bound once per ``fit`` (``Sequential._training_loop``)."""

    def __init__(
        self,
        forwards: list[Callable[[Array], Array]],
        backwards: list[Callable[[Array], Any]],
        loss_forward: Callable[[Array, NDArray], float],
        loss_backward: Callable[[], Array],
        callbacks: list[Callback],
    ) -> None:
        self.forwards, self.backwards = forwards, backwards
        self.loss_forward, self.loss_backward = loss_forward, loss_backward
        # Only the hooks a callback overrides are called, under the caller's error state.
        self.batch_begin = _hooks(callbacks, "on_batch_begin")
        self.after_backward = _hooks(callbacks, "on_after_backward")
        self.batch_end = _hooks(callbacks, "on_batch_end")
        self.errstate = np.geterr()

    def call(self, hooks: list[Callable[[int, dict], None]], batch: int, logs: dict) -> None:
        """Run callback hooks with NumPy's error state as it was when ``fit`` began."""
        with np.errstate(**self.errstate):
            for hook in hooks:
                hook(batch, logs)


#: NumPy's error state inside a training step (see ``Sequential._train_step``).
QUIET = {"over": "ignore", "invalid": "ignore", "divide": "ignore"}


def all_finite(a: Array) -> bool:
    """Whether every element of ``a`` is finite: one dot product, exact check on overflow."""
    flat = a.reshape(-1)
    return math.isfinite(float(np.dot(flat, flat))) or bool(np.isfinite(a).all())


def _hooks(callbacks: list[Callback], name: str) -> list[Callable[[int, dict], None]]:
    """Return the ``name`` hooks of the callbacks, leaving out the base class's no-ops."""
    noop = getattr(Callback, name)
    hooks = [getattr(cb, name) for cb in callbacks]
    return [hook for hook in hooks if getattr(hook, "__func__", None) is not noop]


def checks_targets(loss: losses_mod.Loss) -> bool:
    """Whether ``loss`` computes through ``check`` + ``forward_train`` (its ``forward`` is the
    base class's), so targets can be checked and converted once per ``fit``."""
    return type(loss).forward is losses_mod.Loss.forward


def check_arrays(
    X: Any, y: Any, where: str, dtype: np.dtype
) -> tuple[NDArray[np.floating], NDArray[Any] | None]:
    """Validate inputs at the API boundary and convert ``X`` to ``dtype``.

    Raises ``TypeError`` for non-numeric data and ``ValueError`` for wrong shapes, NaN/inf,
    mismatched lengths or (when ``y`` is given: training and scoring) no rows at all, naming
    the argument, what was expected and what was received.
    """
    X = _as_array(X, "X", where)
    if X.dtype.kind not in "biuf":
        raise TypeError(f"{where}: X must be numeric, got dtype {X.dtype}")
    if X.ndim != 2:
        hint = " (use X.reshape(-1, 1) for a single feature)" if X.ndim == 1 else ""
        raise ValueError(f"{where}: X must be 2-D (samples, features), got shape {X.shape}{hint}")
    if y is not None and len(X) == 0:
        raise ValueError(
            f"{where}: X has no rows (shape {X.shape}); training and scoring need at least one "
            "sample"
        )
    X = X.astype(dtype, copy=False)
    # One summing pass over X, no temporary: a finite sum means every value is finite. Only
    # when it is not (a NaN/inf, or finite values whose sum overflows) is X checked element
    # by element.
    with np.errstate(over="ignore", invalid="ignore"):
        total = float(np.add.reduce(X, axis=None))
    if not math.isfinite(total) and not np.isfinite(X).all():
        bad = ~np.isfinite(X)
        row = int(np.argwhere(bad)[0][0])
        raise ValueError(
            f"{where}: X contains NaN or inf (first at row {row}); clean the data first"
        )
    if y is None:
        return X, None
    y = _as_array(y, "y", where)
    if y.dtype.kind not in "biuf":
        raise TypeError(f"{where}: y must be numeric, got dtype {y.dtype}")
    if y.ndim == 0 or len(y) != len(X):
        got = "a scalar" if y.ndim == 0 else f"{len(y)} rows"
        raise ValueError(
            f"{where}: X and y must have the same number of rows; X has {len(X)}, y has {got}"
        )
    if y.dtype.kind == "f":
        bad = ~np.isfinite(y)
        if bad.any():
            row = int(np.argwhere(bad)[0][0])
            raise ValueError(f"{where}: y contains NaN or inf (first at row {row})")
    return X, y


def _as_array(value: Any, name: str, where: str) -> NDArray[Any]:
    """``np.asarray(value)``, with NumPy's message for ragged nested lists made readable."""
    try:
        return np.asarray(value)
    except ValueError:
        raise ValueError(
            f"{where}: {name} must be a rectangular array (every row the same length); got "
            f"nested sequences of different lengths ({type(value).__name__})"
        ) from None


def _first_bad(arrays: dict[str, NDArray[Any]]) -> str | None:
    for key, value in arrays.items():
        if not np.all(np.isfinite(value)):
            return key
    return None


def diagnose_divergence(
    model: Sequential, X: NDArray[np.floating], loss: float | None, *, epoch: int, batch: int
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


def chance_loss(loss_name: str, y: NDArray[Any], output_dim: int) -> tuple[float, str] | None:
    """Return the loss of the best *constant* prediction for targets ``y``, and what that
    prediction is; ``None`` for a loss without such a baseline.

    A network that does no better has learned nothing about its inputs:

    * cross entropy (and ``nll``): predict the class frequencies :math:`\\bar t`; the loss is
      their entropy :math:`-\\sum_c \\bar t_c \\log \\bar t_c` (:math:`\\log C` for balanced
      classes);
    * binary cross entropy: predict each output's rate of ones :math:`q`; the loss is the mean
      binary entropy :math:`-[q \\log q + (1-q) \\log(1-q)]`;
    * mean squared error: predict each output's mean; the loss is the mean of their variances.
    """
    t = np.asarray(y, dtype=np.float64)
    if loss_name in ("cross_entropy", "nll"):
        if t.ndim == 1:
            labels = np.asarray(y).astype(np.intp)
            t_bar = np.bincount(labels, minlength=output_dim) / len(labels)
        else:
            t_bar = t.mean(axis=0)
        total = float(t_bar.sum())
        if total <= 0:
            return None
        used = t_bar > 0
        value = -float(np.sum(t_bar[used] * np.log(t_bar[used] / total)))
        return value, "predicting the class frequencies"
    if loss_name == "binary_cross_entropy":
        q = t.reshape(len(t), -1).mean(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            h = -(
                np.where(q > 0, q * np.log(q), 0.0) + np.where(q < 1, (1 - q) * np.log1p(-q), 0.0)
            )
        return float(h.mean()), "predicting the rate of ones"
    if loss_name == "mse":
        return float(t.reshape(len(t), -1).var(axis=0).mean()), "predicting the mean target"
    return None


class StallMonitor:
    """Notice a run that stays finite but does not learn, and say so once.

    ``Sequential.fit`` gives it, before the first update, the loss the network starts from
    :math:`L_0` (training mode, on up to 2048 rows of the training data), the *chance* loss
    :math:`L_c` of the best constant prediction (:func:`chance_loss`: :math:`\\log 10` for
    ten balanced classes) and the global L2 norm of all parameters :math:`\\|\\theta_0\\|`;
    after every epoch :math:`e`, the epoch's mean training loss :math:`L_e` and
    :math:`\\|\\theta_e\\|`. The run is *stalled* when one of these holds (``patience`` = 3
    epochs in a row):

    1. **the loss does not fall**: :math:`L_e \\ge L_0` for ``patience`` epochs;
    2. **hovering above chance**: :math:`L_e \\ge L_c` for ``patience`` epochs, and within the
       last ``patience`` epochs the loss rose from one to the next: it goes up and down above
       what a constant prediction gets instead of falling. A slow run whose loss falls every
       epoch, however little, is not caught by it;
    3. **the weights explode**: :math:`\\|\\theta_e\\| \\ge 1000\\,\\|\\theta_0\\|`;
    4. **the weights grow while the loss stays put**: :math:`\\|\\theta_e\\| \\ge
       10\\,\\|\\theta_0\\|` and :math:`L_e \\ge 0.95\\,L_0` for ``patience`` epochs
       (typically a learning rate so large that every ReLU died after one jump).

    Measured on the bundled digits (one or two hidden layers of 64, 5 epochs, seeds 0-2,
    sigmoid/tanh/ReLU, SGD and Adam): of the 104 runs at lr 10, 1e3 and 1e6 that stayed
    finite, 102 are flagged; the two left are sigmoid nets that do learn (28% and 72% test
    accuracy). Of the 108 runs at lr 0.01-1 (SGD) or 1e-3-0.1 (Adam), the 4 flagged are
    two-layer nets at SGD lr 1 that ended at 10-15% accuracy; the others grew their weights
    at most 8.8-fold. Slow runs whose loss falls every epoch are left alone by design, also
    when they are still near chance after 5 epochs.
    """

    def __init__(
        self,
        *,
        patience: int = 3,
        tolerance: float = 0.05,
        grew: float = 10.0,
        exploded: float = 1e3,
    ) -> None:
        self.patience, self.tolerance = patience, tolerance
        self.grew, self.exploded = grew, exploded
        self.start_loss: float | None = None
        self.chance: tuple[float, str] | None = None
        self.start_norm = 0.0
        # The current run of epochs that meet each loss condition (their losses).
        self.above: list[float] = []  # L_e >= L_0
        self.chance_streak: list[float] = []  # L_e >= L_c
        self.near: list[float] = []  # L_e >= (1 - tolerance) L_0
        self.message: str | None = None

    def begin(
        self, norm: float, loss: float | None, chance: tuple[float, str] | None = None
    ) -> None:
        """Record, before the first update, the parameters' global norm, the starting loss
        and the chance loss with its description (``None``: unknown)."""
        self.start_norm = norm
        self.start_loss = loss if loss is not None and math.isfinite(loss) else None
        self.chance = chance if chance is not None and math.isfinite(chance[0]) else None

    def check(self, epoch: int, loss: float, norm: float, lr: Any) -> str | None:
        """Return the warning text the first time a rule holds, else ``None``."""
        if self.message is not None:
            return None
        start = self.start_loss
        if start is not None and start > 0:
            self.above = [*self.above, loss] if loss >= start else []
            near = loss >= (1.0 - self.tolerance) * start
            self.near = [*self.near, loss] if near else []
        if self.chance is not None:
            above_chance = loss >= self.chance[0]
            self.chance_streak = [*self.chance_streak, loss] if above_chance else []
        streak = self.chance_streak
        hovering = len(streak) >= self.patience and any(
            b > a for a, b in itertools.pairwise(streak[-self.patience :])
        )
        growth = norm / self.start_norm if self.start_norm > 0 else 1.0
        weights = (
            f"the weights grew {growth:.3g}-fold (global L2 norm {self.start_norm:.4g} -> "
            f"{norm:.4g})"
        )
        if len(self.above) >= self.patience:
            finding = self._streak(epoch, self.above, f"at or above its starting value {start:.4g}")
        elif self.chance is not None and hovering:
            value, baseline = self.chance
            finding = (
                self._streak(
                    epoch,
                    streak,
                    f"at or above {value:.4g}, the loss of {baseline} whatever the input,",
                )
                + ", going up and down instead of falling"
            )
        elif growth >= self.exploded:
            finding = weights
        elif growth >= self.grew and len(self.near) >= self.patience:
            finding = (
                weights
                + " while "
                + self._streak(
                    epoch, self.near, f"within {self.tolerance:.0%} of its starting value"
                )
            )
        else:
            return None
        if growth >= self.grew and not finding.startswith("the weights"):
            finding += " and " + weights
        self.message = (
            f"training stalled at epoch {epoch + 1}: {finding}. The run is finite but is not "
            f"learning. Remedies: lower the learning rate (now {lr}), clip gradients "
            "(clip_norm=1.0 on the optimizer), use an initializer matched to the activation "
            "(he_normal for ReLU, glorot for tanh/sigmoid), or add BatchNorm; if the weights did "
            "not grow and the loss falls only slowly, the learning rate may be too small instead."
        )
        return self.message

    def _streak(self, epoch: int, losses: list[float], relation: str) -> str:
        first = epoch + 2 - len(losses)
        values = ", ".join(f"{v:.4g}" for v in losses)
        return (
            f"the mean training loss stayed {relation} for {len(losses)} epochs in a row "
            f"(epochs {first}-{epoch + 1}: {values})"
        )


def _fmt_bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"


def render_summary(model: Sequential, rows: list[dict[str, Any]], batch_size: int) -> str:
    """Return the model summary as a plain-text table."""
    header = ("#", "Layer", "Output shape", "Params", f"Cached for backward (batch {batch_size})")
    body = [
        (
            str(i),
            r["layer"],
            str(r["output_shape"]),
            f"{r['params']:,}",
            _fmt_bytes(r["cached_bytes"]),
        )
        for i, r in enumerate(rows)
    ]
    widths = [max(len(row[c]) for row in (header, *body)) for c in range(len(header))]
    line = "  ".join("-" * w for w in widths)

    def fmt(row: tuple[str, ...]) -> str:
        return "  ".join(
            cell.rjust(w) if c in (0, 3, 4) else cell.ljust(w)
            for c, (cell, w) in enumerate(zip(row, widths, strict=True))
        ).rstrip()

    params = model.count_params()
    cached = sum(r["new_cached_bytes"] for r in rows)  # shared arrays counted once
    weights = sum(w.nbytes for layer in model.layers for w in layer.weights)
    live = max((r["input_bytes"] + r["output_bytes"] for r in rows), default=0)
    title = (
        f"Sequential {model.name or ''}".rstrip() + f" (input_dim={model.input_dim}, {model.dtype})"
    )
    return "\n".join(
        [
            title,
            line,
            fmt(header),
            line,
            *map(fmt, body),
            line,
            f"Trainable params: {params:,} ({_fmt_bytes(weights)} with buffers)",
            f"Cached for backward per batch of {batch_size}: {_fmt_bytes(cached)} "
            f"(inference holds at most one layer's input and output, {_fmt_bytes(live)})",
        ]
    )
