"""``gradlab sweep``: train one network per point of a grid of settings, on every seed, and
write what each run measured as tables, heatmaps and a page.

The grid and what one unit measures are :mod:`gradlab.lab.grid`'s: a grid names values for some
of its :data:`~gradlab.lab.grid.AXES` (the others keep their defaults), and every point on
every seed is one unit, an MLP trained and measured by :func:`~gradlab.lab.grid.run_unit`
(:data:`~gradlab.lab.grid.METRICS`: final train and test accuracy, epochs to a target, dead
units, the first layer's gradient over the output layer's at initialization, divergence).
This module runs the units of a grid and writes the results.

>>> rows = run_sweep({"activation": "relu,tanh", "depth": [1, 2]}, seeds="0-1", epochs=1,
...                  verbose=0)  # doctest: +SKIP
>>> len(rows), sorted(rows[0])[:3]  # doctest: +SKIP
(8, ['activation', 'batch_norm', 'batch_size'])

With ``out`` the sweep writes ``results.json`` and ``results.csv`` (one row per unit, plus the
grid), one heatmap per metric over two axes of the grid (``heatmap_<metric>.png``; the other
axes and the seeds aggregated by their median) and a self-contained ``index.html``. Each
finished unit is also stored in ``<out>/.units/`` (:class:`~gradlab.lab.units.UnitCache`,
keyed by :func:`~gradlab.lab.units.unit_key` of the unit's full description), so a sweep run
again with ``resume=True`` (``--resume``) runs only the units that are missing, and writes the
same files as an uninterrupted run (timing fields aside).

Units run through an :class:`~gradlab.lab.executors.Executor` (this process, local worker
processes, or a Dask cluster) with one BLAS thread each, so a unit's numbers do not depend on
where it ran.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import json
import os
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from .._figure import language_fonts
from .._version import __version__
from ..i18n import N_, _, get_language, use_language
from .across_seeds import parse_seeds
from .claim import to_jsonable
from .grid import (
    AXES,
    METRICS,
    Settings,
    aggregate,
    cell_text,
    check_grid,
    check_size,
    describe_row,
    heatmap_panel,
    make_settings,
    run_unit,
    units,
    varied,
)

__all__ = [
    "DEFAULT_MAX_UNITS",
    "SweepRows",
    "heatmap_axes",
    "heatmap_figures",
    "plan",
    "run_sweep",
    "write_outputs",
]

#: A sweep larger than this many units is refused unless ``max_units`` (``--max-units``) is
#: raised: a typo such as ``--width 8,16,32,64,128,256,512`` times five other axes should
#: cost a message, not a week.
DEFAULT_MAX_UNITS = 1000

#: The metrics drawn as heatmaps, with colour map and range (None: from the data).
_HEATMAPS: dict[str, tuple[str, str, str, float | None, float | None]] = {
    # metric: (title, unit, colour map, low, high); None: from the data
    "train_acc": (
        N_("training accuracy after the last epoch"),
        N_("accuracy, 0-1"),
        "viridis",
        0,
        1,
    ),
    "test_acc": (N_("test accuracy after the last epoch"), N_("accuracy, 0-1"), "viridis", 0, 1),
    "epochs_to_target": (
        N_("first epoch with training accuracy >= {target:g} (–: not reached)"),
        N_("epochs"),
        "viridis_r",
        None,
        None,
    ),
    "dead_frac": (
        N_("share of dead hidden units after training"),
        N_("fraction"),
        "magma_r",
        0,
        1,
    ),
    "log10_grad_ratio": (
        N_("gradient norm of the first layer / the output layer, at init"),
        N_("log10 of the ratio"),
        "RdBu_r",
        None,
        None,
    ),
    "diverged": (N_("share of units whose training diverged"), N_("fraction"), "Reds", 0, 1),
}


def heatmap_axes(
    grid: Mapping[str, Sequence[Any]],
    seeds: Sequence[int],
    choice: str | Sequence[str] | None = None,
    *,
    flags: bool = False,
) -> tuple[str, str] | None:
    """The two axes the heatmaps use: ``choice`` (``"depth,lr"``), else the first two axes that
    vary; with one varied axis the seeds are the other; ``None`` when nothing varies.

    Raises:
        ValueError: for a choice that is not two different axes of the grid (or ``seed``).
    """
    label = "--heatmap" if flags else "heatmap"
    known = [*AXES, "seed"]
    if choice is not None:
        items = [c.strip() for c in choice.split(",")] if isinstance(choice, str) else list(choice)
        if len(items) != 2 or items[0] == items[1] or any(i not in known for i in items):
            raise ValueError(
                _(
                    "{label}: expected two different axes as x,y out of {names}; received {choice}"
                ).format(label=label, names=", ".join(known), choice=repr(choice))
            )
        return items[0], items[1]
    axes = varied(grid)
    if len(seeds) > 1:
        axes.append("seed")
    if len(axes) >= 2:
        return axes[0], axes[1]
    if len(axes) == 1:
        return axes[0], "seed"
    return None


# --- the sweep ----------------------------------------------------------------------------


def plan(
    grid: Mapping[str, Sequence[Any]], seeds: Sequence[int], settings: Settings
) -> list[dict[str, Any]]:
    """The units of :func:`~gradlab.lab.grid.units`, each with its ``key``
    (:func:`~gradlab.lab.units.unit_key` of everything else), the name of its place in the
    cache."""
    from .units import unit_key

    return [{**unit, "key": unit_key(unit)} for unit in units(grid, seeds, settings)]


class SweepRows(list):  # type: ignore[type-arg]
    """The rows of a sweep (a list of dicts), shown in a notebook as a table."""

    def _repr_html_(self) -> str:
        from .._display import html_table

        if not self:
            return "<p>" + html.escape(_("no units")) + "</p>"
        axes = [a for a in AXES if len({repr(r[a]) for r in self}) > 1]
        header = [*axes, "seed", "train_acc", "test_acc", "diverged"]
        return html_table(header, ([cell_text(r[h]) for h in header] for r in self))


def run_sweep(
    grid: Mapping[str, Any],
    *,
    seeds: Any = 0,
    out: str | os.PathLike[str] | None = None,
    resume: bool = False,
    executor: Any = None,
    jobs: int = 1,
    max_units: int = DEFAULT_MAX_UNITS,
    heatmap: str | Sequence[str] | None = None,
    verbose: int = 1,
    on_start: Callable[[dict[str, Any]], None] | None = None,
    on_done: Callable[[dict[str, Any]], None] | None = None,
    flags: bool = False,
    lang: str | None = None,
    **settings: Any,
) -> SweepRows:
    """Run every unit of a grid of network settings and return the rows, in grid order.

    Args:
        grid: ``{axis: values}`` over :data:`AXES` (see :func:`check_grid`); axes left out
            keep their defaults.
        seeds: The seeds of every grid point (``"0-2"``, ``[0, 1]``, ``3``; see
            :func:`~gradlab.lab.across_seeds.parse_seeds`).
        out: A folder for ``results.json``, ``results.csv``, the heatmaps and ``index.html``,
            and for the cache of finished units (``.units/``); ``None`` writes nothing.
        resume: Reuse the units already in ``out/.units`` and run only the missing ones.
        executor: Where units run (:func:`~gradlab.lab.executors.make_executor`); default:
            ``jobs`` local processes. An executor passed in is left open.
        jobs: Worker processes when no ``executor`` is given (1: this process).
        max_units: Refuse a larger sweep (units = grid points x seeds).
        heatmap: Two axes ``"x,y"`` for the heatmaps (default: the first two that vary).
        verbose: 0 silent; 1 a line per unit (a progress line updated in place in a notebook).
        on_start, on_done: Called with a unit when it starts and with its row when it ends.
        flags: Name settings in error messages as the command line does (``--batch-size``).
        lang: The language of the messages, the page and the figures (``"en"``, ``"ko"``);
            default: the current one (:func:`gradlab.i18n.get_language`). The units measure
            numbers only, so where they run needs no language.
        **settings: The fields of :class:`Settings` (``data="digits"``, ``epochs=5``,
            ``target=None``, ...).

    Returns:
        The rows (:class:`SweepRows`, a list of dicts), one per unit in grid order.

    Raises:
        ValueError: for a bad grid, seed list or setting, or more than ``max_units`` units.
    """
    with use_language(lang):
        return _run_sweep(
            grid,
            seeds=seeds,
            out=out,
            resume=resume,
            executor=executor,
            jobs=jobs,
            max_units=max_units,
            heatmap=heatmap,
            verbose=verbose,
            on_start=on_start,
            on_done=on_done,
            flags=flags,
            **settings,
        )


def _run_sweep(
    grid: Mapping[str, Any],
    *,
    seeds: Any,
    out: str | os.PathLike[str] | None,
    resume: bool,
    executor: Any,
    jobs: int,
    max_units: int,
    heatmap: str | Sequence[str] | None,
    verbose: int,
    on_start: Callable[[dict[str, Any]], None] | None,
    on_done: Callable[[dict[str, Any]], None] | None,
    flags: bool,
    **settings: Any,
) -> SweepRows:
    from .._checks import check_int

    grid = check_grid(grid, flags=flags)
    try:
        seeds = parse_seeds(list(seeds) if isinstance(seeds, tuple | range) else seeds)
    except ValueError as exc:
        raise ValueError(f"--{exc}" if flags else str(exc)) from None
    config = make_settings(flags=flags, **settings)
    max_units = check_int(max_units, "--max-units" if flags else "max_units", low=1)
    verbose = check_int(verbose, "verbose", low=0, high=2)
    axes = heatmap_axes(grid, seeds, heatmap, flags=flags)
    check_size(grid, seeds, max_units, flags=flags)
    units = plan(grid, seeds, config)
    cache = None
    if out is not None:
        from .units import UnitCache

        Path(out).mkdir(parents=True, exist_ok=True)
        cache = UnitCache(Path(out) / ".units")
    rows: dict[str, dict[str, Any]] = {}
    if resume and cache is not None:
        for unit in units:
            done = cache.load(unit["key"])
            if done is not None:
                rows[unit["key"]] = done["record"]
    todo = [u for u in units if u["key"] not in rows]
    progress = _Progress(len(units), len(rows), verbose, varied(grid))
    start = time.perf_counter()

    def started(unit: dict[str, Any]) -> None:
        if on_start:
            on_start(unit)

    own = executor is None
    if own:
        from .executors import make_executor

        executor = make_executor(jobs=jobs)
    try:
        for unit, done in executor.map_unordered(run_unit, todo, on_submit=started):
            if cache is not None:
                cache.store(unit["key"], done)
            rows[unit["key"]] = done["record"]
            progress.done(done["record"])
            if on_done:
                on_done(done["record"])
    finally:
        if own:
            executor.close()
        progress.close()
    ordered = SweepRows(rows[u["key"]] for u in units)
    if out is not None:
        timing = {
            "seconds": time.perf_counter() - start,
            "units_run": len(todo),
            "units_reused": len(units) - len(todo),
            "where": executor.describe(),
        }
        write_outputs(Path(out), grid, seeds, config, ordered, axes, timing)
    return ordered


class _Progress:
    """A line per finished unit in a terminal, or one line updated in place in a notebook."""

    def __init__(self, total: int, reused: int, verbose: int, axes: Sequence[str]) -> None:
        from .._display import NotebookProgress, in_notebook

        self.total, self.count, self.verbose, self.axes = total, reused, verbose, axes
        self.bar = NotebookProgress("sweep", total) if verbose and in_notebook() else None
        if self.bar is not None:
            self.bar.update(reused, _("{n} reused").format(n=reused), force=True)

    def done(self, row: dict[str, Any]) -> None:
        self.count += 1
        text = describe_row(row, self.axes)
        if self.bar is not None:
            self.bar.update(self.count, text)
        elif self.verbose:
            print(f"[{self.count}/{self.total}] {text}", flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


# --- what a sweep writes --------------------------------------------------------------------


def _axis_words(name: str) -> str:
    return _("seed") if name == "seed" else _(AXES[name].words)


def heatmap_figures(
    rows: Sequence[Mapping[str, Any]], axes: tuple[str, str], settings: Settings
) -> dict[str, Any]:
    """One heatmap figure per metric of ``_HEATMAPS`` over the axes ``(x, y)``: the median of
    the units in each cell (see :func:`~gradlab.lab.grid.aggregate`)."""
    from .kit.figures import figure

    x, y = axes
    others = [a for a in AXES if a not in axes and len({repr(r[a]) for r in rows}) > 1]
    if y != "seed" and x != "seed" and len({r["seed"] for r in rows}) > 1:
        others.append(_("seeds"))
    if others:
        over = _("median over {names}").format(names=", ".join(others))
    else:
        over = _("one unit per cell")
    figures = {}
    for metric, (title, unit, cmap, vmin, vmax) in _HEATMAPS.items():
        if metric == "epochs_to_target" and settings.target is None:
            continue
        if metric == "dead_frac" and all(r[metric] in (None, 0.0) for r in rows):
            continue
        if metric == "diverged" and not any(r["diverged"] for r in rows):
            continue
        xs, ys, matrix = aggregate(rows, metric, x, y)
        width = min(9.0, max(5.0, 1.0 + 0.75 * len(xs)))
        height = min(7.0, max(3.2, 1.6 + 0.45 * len(ys)))
        fig, ax = figure(width=width, height=height)
        words = _(title).format(target=settings.target or 0)
        setup = _("{data}, {epochs} epochs; {over}").format(
            data=settings.data, epochs=settings.epochs, over=over
        )
        heatmap_panel(
            ax,
            matrix,
            xs,
            ys,
            xlabel=_axis_words(x),
            ylabel=_axis_words(y),
            title=f"{words}\n{setup}",
            cbar_label=f"{metric} [{_(unit)}]",
            cmap=cmap,
            vmin=vmin,
            vmax=vmax,
            fmt="{:.3g}" if metric == "epochs_to_target" else "{:.2f}",
        )
        ax.title.set_fontsize(10)
        figures[f"heatmap_{metric}"] = fig
    return figures


def _png(fig: Any) -> bytes:
    """A figure as PNG bytes at the report's resolution."""
    from .units import FIGURE_DPI

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=FIGURE_DPI)
    return buf.getvalue()


def write_outputs(
    out: Path,
    grid: Mapping[str, Sequence[Any]],
    seeds: Sequence[int],
    settings: Settings,
    rows: Sequence[Mapping[str, Any]],
    axes: tuple[str, str] | None,
    timing: Mapping[str, Any],
) -> None:
    """Write ``results.json``, ``results.csv``, the heatmaps and ``index.html`` into ``out``,
    the page and the figures in the current language.

    Each file is written to a temporary name and renamed into place, so a file is either the
    old one or the new one, never half of it.
    """
    import matplotlib

    matplotlib.use("Agg")
    payload = {
        "title": "gradlab sweep",
        "gradlab": __version__,
        "lang": get_language(),
        "settings": asdict(settings),
        "grid": dict(grid),
        "varied": varied(grid),
        "seeds": list(seeds),
        "metrics": METRICS,
        "heatmap": list(axes) if axes else None,
        "rows": list(rows),
        "timing": dict(timing),
    }
    _write(out / "results.json", json.dumps(to_jsonable(payload), indent=1, allow_nan=False))
    buf = io.StringIO()
    columns = ["key", *AXES, "seed", *METRICS, "seconds"]
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else row[c] for c in columns])
    _write(out / "results.csv", buf.getvalue())
    figures = {}
    if axes is not None and rows:
        with language_fonts():  # a figure takes its font when drawn: make and save it inside
            for name, fig in heatmap_figures(rows, axes, settings).items():
                figures[f"{name}.png"] = _png(fig)
                _write(out / f"{name}.png", figures[f"{name}.png"])
    _write(out / "index.html", _html(payload, figures))


def _write(path: Path, data: str | bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the results are for reading
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _html(payload: Mapping[str, Any], figures: Mapping[str, bytes]) -> str:
    """A self-contained page: the grid, the heatmaps (embedded PNG) and every row, in the
    current language."""
    from .._display import html_table

    esc = html.escape
    settings = payload["settings"]
    grid = payload["grid"]
    from_init = _("from init")  # weight_var's default: the initializer decides
    fixed = ", ".join(
        f"{a} {from_init if grid[a][0] is None else cell_text(grid[a][0])}"
        for a in AXES
        if len(grid[a]) == 1
    )
    swept = "; ".join(
        f"{a}: {', '.join(cell_text(v) for v in grid[a])}" for a in payload["varied"]
    ) or _("nothing (one grid point)")
    rows = payload["rows"]
    target = settings["target"]
    images = "".join(
        f"<figure><img src='data:image/png;base64,{base64.b64encode(data).decode('ascii')}' "
        f"alt='{esc(name)}' style='max-width:100%'></figure>"
        for name, data in figures.items()
    )
    columns = [*payload["varied"], "seed", "train_acc", "test_acc", "final_loss"]
    if target is not None:
        columns.append("epochs_to_target")
    columns += ["dead_frac", "log10_grad_ratio", "diverged"]
    table = html_table(
        columns,
        ([cell_text(r[c]) for c in columns] for r in rows),
        numeric=range(len(payload["varied"]), len(columns)),
    )
    legend = "".join(
        f"<li><code>{esc(k)}</code>: {esc(_(v))}</li>" for k, v in METRICS.items() if k in columns
    )
    summary = esc(
        _(
            "{units} units on {data}, {epochs} epochs each, seeds {seeds}. Swept: {swept}. "
            "Fixed: {fixed}."
        )
    ).format(
        units=len(rows),
        data=esc(settings["data"]),
        epochs=settings["epochs"],
        seeds=esc(", ".join(map(str, payload["seeds"]))),
        swept=esc(swept),
        fixed=esc(fixed),
    )
    footer = esc(_("gradlab {version}; results.json and results.csv hold the same rows.")).format(
        version=esc(payload["gradlab"])
    )
    lang = esc(get_language())
    every_unit = esc(_("Every unit"))
    return f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>gradlab sweep</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 1000px; margin: 1.5em auto;
        padding: 0 1em; color: #222; }}
table {{ border-collapse: collapse; font-size: 0.85em; }}
td, th {{ border-bottom: 1px solid #ddd; padding: 0.2em 0.6em; }}
.figures {{ display: flex; flex-wrap: wrap; gap: 0.5em 1.5em; }}
figure {{ margin: 0.5em 0; max-width: 100%; }}
</style></head><body>
<h1>gradlab sweep</h1>
<p>{summary}</p>
<div class="figures">{images}</div>
<h2>{every_unit}</h2>
<ul>{legend}</ul>
{table}
<p style="color:#666">{footer}</p>
</body></html>
"""
