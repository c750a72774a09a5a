"""Draw figures: activation functions and their derivatives, training histories and diagnostics.

The functions here return a :class:`matplotlib.figure.Figure` built without ``pyplot``, so
nothing ever opens a window and no global state is touched; the caller saves it:

>>> from gradlab import activations
>>> from gradlab.plots import activation_figure
>>> fig = activation_figure([activations.get("relu")], derivative=True)
>>> fig.savefig("relu.png")  # doctest: +SKIP

Kinks are drawn honestly: the derivative curve is broken at every kink (no vertical segment
across a jump), the one-sided limits are open circles and the value gradlab returns there
(PyTorch autograd's) is a filled dot. A function that itself jumps (``step``) is broken and
marked the same way on the ``f(x)`` panel.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, MaxNLocator
from numpy.typing import NDArray

from ._figure import Figure
from .activations import Activation

if TYPE_CHECKING:
    from .callbacks import History
    from .diagnostics import Diagnostics

__all__ = ["activation_figure", "diagnostics_figure", "history_figure"]

#: Colour-blind-friendly, high-contrast colours (matplotlib's tab10), one per activation.
COLORS = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#ff7f0e",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#7f7f7f",
    "#bcbd22",
)
#: Line styles cycled alongside the colours, so overlapping curves (relu under leaky_relu) stay
#: visible and the figure still reads in black and white.
LINE_STYLES = ("solid", (0, (6, 2)), (0, (7, 2, 1.5, 2)), (0, (2, 1.5)))
LINE_WIDTH = 2.0
MARKER_SIZE = 6.5


def activation_figure(
    acts: Sequence[Activation],
    *,
    derivative: bool = False,
    xmin: float = -5.0,
    xmax: float = 5.0,
    num: int = 2001,
) -> Figure:
    """Plot ``f(x)`` of each activation, and ``f'(x)`` in a second panel when ``derivative``.

    Args:
        acts: Elementwise activations to draw; each keeps one colour in both panels.
        derivative: Add a right-hand panel with the derivatives, kinks and peaks marked.
        xmin, xmax: The x range shared by both panels (``xmin < xmax``, finite).
        num: Number of sample points of each curve (kink points are added exactly).

    Returns:
        A figure of 11 x 4.5 inches (6 x 4.5 without the derivative panel) at 150 dpi.

    Raises:
        ValueError: if an activation is not elementwise, or the range is empty or not finite.
    """
    if not (math.isfinite(xmin) and math.isfinite(xmax) and xmin < xmax):
        raise ValueError(f"need finite xmin < xmax, got xmin={xmin!r}, xmax={xmax!r}")
    for act in acts:
        if not act.info.elementwise:
            raise ValueError(f"{act.name} is not elementwise; it has no curve f(x) to plot")

    fig = Figure(figsize=(11.0, 4.5) if derivative else (6.0, 4.5), dpi=150, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, 2 if derivative else 1, sharex=True, squeeze=False)[0]
    ax_f = axes[0]
    ax_d = axes[1] if derivative else None
    _style(ax_f, "Activation f(x)", "f(x)")
    if ax_d is not None:
        _style(ax_d, "Derivative f'(x)", "f'(x)")

    pad = 1e-9 * max(1.0, xmax - xmin)
    peaks: list[tuple[float, float, float, str]] = []  # (x, f'(x), max |f'|, colour)
    dots: list[tuple[Axes, float, float, str, bool]] = []  # (axes, x, y, colour, filled)
    for i, act in enumerate(acts):
        color = COLORS[i % len(COLORS)]
        style = {"color": color, "ls": LINE_STYLES[i % len(LINE_STYLES)], "lw": LINE_WIDTH}
        kinks = [k for k in act.info.kinks if xmin <= k.x <= xmax]
        x = _grid(xmin, xmax, num, [k.x for k in kinks], pad)
        at_kink = np.isin(x, [k.x for k in kinks])

        y = act(x)
        jumps = [k for k in kinks if k.jump]
        y_plot = np.where(np.isin(x, [k.x for k in jumps]), np.nan, y)
        ax_f.plot(x, y_plot, **style, label=act.name, zorder=3)
        for k in jumps:  # the function itself jumps: both limits open, f(k) filled
            left, right = act(np.array([k.x - pad, k.x + pad]))
            dots += [
                (ax_f, k.x, float(left), color, False),
                (ax_f, k.x, float(right), color, False),
            ]
            dots.append((ax_f, k.x, float(act(np.array([k.x]))[0]), color, True))

        if ax_d is None:
            continue
        d = act.derivative(x)
        ax_d.plot(x, np.where(at_kink, np.nan, d), **style, zorder=3)
        for k in kinks:
            dots += [(ax_d, k.x, k.left, color, False), (ax_d, k.x, k.right, color, False)]
            dots.append((ax_d, k.x, k.derivative, color, True))
        peak = _peak(act, xmin, xmax)
        if peak is not None:
            peaks.append((*peak, act.info.max_abs_derivative, color))
    if ax_d is not None:
        _annotate_peaks(ax_d, peaks)

    handles, labels = ax_f.get_legend_handles_labels()
    for ax in axes:
        ax.set_xlim(xmin, xmax)
        ax.margins(y=0.1)
    _draw_dots(dots)
    if dots:
        dot = {"ls": "none", "marker": "o", "ms": MARKER_SIZE, "color": "0.3", "mew": 1.6}
        handles += [Line2D([], [], mfc="white", **dot), Line2D([], [], **dot)]
        labels += ["one-sided limit", "value taken at the kink"]
    _add_legend(fig, handles, labels)
    return fig


def _add_legend(fig: Figure, handles: list[Any], labels: list[str]) -> None:
    """Put one legend below the panels, in as many columns as fit the figure's width."""
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    for ncol in range(len(labels), 0, -1):
        legend = fig.legend(
            handles, labels, loc="outside lower center", ncol=ncol, frameon=False, fontsize=10
        )
        if ncol == 1 or legend.get_window_extent(renderer).width <= 0.98 * fig.bbox.width:
            return
        legend.remove()


def _grid(xmin: float, xmax: float, num: int, kinks: list[float], pad: float) -> NDArray:
    """Return sample points with every kink and a point just either side of it."""
    extra = [v for k in kinks for v in (k - pad, k, k + pad) if xmin <= v <= xmax]
    return np.unique(np.concatenate([np.linspace(xmin, xmax, num), extra]))


def _style(ax: Axes, title: str, ylabel: str) -> None:
    """Give an axes the house look: title, labels, light grid, thin axis lines through 0."""
    ax.set_title(title, fontsize=12)
    ax.set_xlabel("x", fontsize=11)
    ax.set_ylabel(ylabel, fontsize=11)
    ax.grid(True, color="0.88", lw=0.6, zorder=0)
    ax.axhline(0.0, color="0.45", lw=0.8, zorder=1)
    ax.axvline(0.0, color="0.45", lw=0.8, zorder=1)
    ax.tick_params(labelsize=9)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _draw_dots(dots: list[tuple[Axes, float, float, str, bool]]) -> None:
    """Draw kink markers: open circles (limits) under filled dots (values taken).

    A marker that lands on another curve's marker (relu and leaky_relu at 0) is drawn larger
    and underneath, so both show as concentric rings instead of one hiding the other.
    """
    for i, (ax, x, y, color, filled) in enumerate(dots):
        (y_lo, y_hi), (x_lo, x_hi) = ax.get_ylim(), ax.get_xlim()
        below = {
            c
            for a, xo, yo, c, _ in dots[:i]
            if a is ax
            and c != color
            and abs(xo - x) < 0.01 * (x_hi - x_lo)
            and abs(yo - y) < 0.02 * (y_hi - y_lo)
        }
        ax.plot(
            [x],
            [y],
            ls="none",
            marker="o",
            ms=MARKER_SIZE + 2.5 * len(below),
            mfc=color if filled else "white",
            mec=color,
            mew=1.6,
            zorder=(5 if filled else 4) - 0.01 * len(below),
        )


def _peak(act: Activation, xmin: float, xmax: float) -> tuple[float, float] | None:
    """Return ``(x, f'(x))`` at a strict peak of ``|f'|`` in range, else ``None``.

    Plateaus (ReLU's ``f' = 1`` for every ``x > 0``) are not peaks: the flat line says it all.
    """
    x0 = act.info.max_abs_derivative_x
    if x0 is None or not math.isfinite(x0) or not xmin <= x0 <= xmax:
        return None
    h = 0.02 * (xmax - xmin)
    d_mid, *d_sides = act.derivative(np.array([x0, x0 - h, x0 + h]))
    if not all(abs(side) < abs(d_mid) - 1e-6 for side in d_sides):
        return None
    return x0, float(d_mid)


def _annotate_peaks(ax: Axes, peaks: list[tuple[float, float, float, str]]) -> None:
    """Write "max 0.25" by each peak; the left half of the labels go left, the rest right."""
    peaks = sorted(peaks, key=lambda p: p[0])
    for i, (x0, y0, value, color) in enumerate(peaks):
        left = i < len(peaks) // 2
        ax.annotate(
            f"max {value:.3g}",
            xy=(x0, y0),
            xytext=(-8 if left else 8, 12),
            textcoords="offset points",
            fontsize=8,
            color=color,
            ha="right" if left else "left",
            va="bottom",
            zorder=6,
            arrowprops={"arrowstyle": "-", "color": color, "lw": 0.8, "shrinkA": 0, "shrinkB": 2},
        )


def _plain_tick(value: float, _pos: int) -> str:
    return f"{value:g}"


def _plain_minor_tick(value: float, _pos: int) -> str:
    """Label the minor ticks 2 and 5 of each decade only, so the labels never crowd."""
    mantissa = value / 10 ** math.floor(math.log10(value)) if value > 0 else 0.0
    return f"{value:g}" if round(mantissa, 6) in (2.0, 5.0) else ""


def history_figure(history: History, keys: list[str] | None = None) -> Figure:
    """Draw a :class:`~gradlab.callbacks.History`: one panel per quantity, ``val_`` twin alongside
    (what :meth:`History.plot <gradlab.callbacks.History.plot>` returns)."""
    if not history.history:
        raise ValueError("History.plot: nothing recorded yet; call fit() first")
    base = keys or [k for k in history.history if not k.startswith("val_") and k != "lr"]
    fig = Figure(figsize=(4.2 * len(base), 3.2), layout="constrained")
    axes = fig.subplots(1, len(base), squeeze=False)[0]
    epochs = np.asarray(history.epoch) + 1
    for ax, key in zip(axes, base, strict=True):
        if key not in history.history:
            raise ValueError(f"History.plot: no {key!r}; recorded: {sorted(history.history)}")
        ax.plot(epochs, history.history[key], marker="o", ms=3, label="train")
        if f"val_{key}" in history.history:
            ax.plot(epochs, history.history[f"val_{key}"], marker="o", ms=3, label="validation")
        values = [v for v in history.history[key] if math.isfinite(v)]
        if key == "loss" and values and min(values) > 0 and max(values) > 10 * min(values):
            # A loss that falls by decades reads best on a log axis, with plain tick labels
            # ("0.3", not "3×10⁻¹"); one that moves less stays linear.
            ax.set_yscale("log")
            ax.yaxis.set_major_formatter(FuncFormatter(_plain_tick))
            ax.yaxis.set_minor_formatter(FuncFormatter(_plain_minor_tick))
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(key)
        ax.grid(alpha=0.3)
        ax.legend()
    return fig


#: The y-axis label of each diagnostics quantity: what is measured and in which unit.
_DIAG_YLABELS = {
    "act_mean": "mean of the layer's output",
    "act_std": "std of the layer's output",
    "frac_zero": "fraction of outputs exactly 0",
    "frac_saturated": "fraction with |f'| < 1% of max",
    "dead_frac": "fraction of units dead on the probe",
    "grad_w_norm": "norm of the weight gradient",
    "grad_act_norm": "norm of the gradient at the output",
    "update_ratio": "‖update‖ / ‖weights‖",
    "cached_bytes": "bytes cached for backward",
}


def diagnostics_figure(
    diag: Diagnostics,
    keys: Sequence[str] = ("grad_w_norm", "update_ratio", "frac_saturated", "dead_frac"),
) -> Figure:
    """Draw a :class:`~gradlab.diagnostics.Diagnostics` record: each key per layer against the
    epoch (or the optimisation step when recorded every ``n`` steps), norms and ratios on a
    log scale (what ``Diagnostics.plot`` returns). Epoch 0 is the record before training."""
    from .diagnostics import LABELS

    fig = Figure(figsize=(4.2 * len(keys), 3.3), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(keys)))
    steps = diag.steps
    per_epoch = diag.every == "epoch"
    if per_epoch:  # records at epoch ends (and one before training): count in epochs
        steps = np.arange(len(steps)) + (0 if diag.record_initial else 1)
    for ax, key in zip(axes, keys, strict=True):
        values = diag.series(key)
        for j, name in enumerate(diag.layer_names):
            if np.isfinite(values[:, j]).any():
                ax.plot(steps, values[:, j], marker=".", label=name)
        positive = values[np.isfinite(values) & (values > 0)]
        if (
            key in ("grad_w_norm", "grad_act_norm", "update_ratio")
            and positive.size
            and positive.max() > 10 * positive.min()
        ):  # norms that spread over decades on a log axis; within one decade, linear
            ax.set_yscale("log")
            ax.yaxis.set_major_formatter(FuncFormatter(_plain_tick))
            ax.yaxis.set_minor_formatter(FuncFormatter(_plain_minor_tick))
        elif key.startswith("frac_") or key == "dead_frac":
            ax.set_ylim(-0.03, 1.03)  # fractions: the whole [0, 1], so "none" looks like none
        ax.set(
            title=f"{LABELS.get(key, key)}  ({key})",
            xlabel="epoch" if per_epoch else "optimisation step",
            ylabel=_DIAG_YLABELS.get(key, key),
        )
        if per_epoch:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
    # One legend for the figure, below the panels, with every layer any panel drew (a layer
    # without weights has no gradient-norm curve, a linear one no saturation curve).
    labels: dict[str, Any] = {}
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            labels.setdefault(label, handle)
    if labels:
        fig.legend(
            list(labels.values()),
            list(labels),
            loc="outside lower center",
            ncols=min(len(labels), 4),
            fontsize=8,
            frameon=False,
        )
    return fig
