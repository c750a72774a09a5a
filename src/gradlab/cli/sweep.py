"""``gradlab sweep``: train an MLP at every point of a grid of settings, on every seed, and
write the measurements as tables, heatmaps and a page.

Examples::

    gradlab sweep --data digits --activation relu,tanh --depth 2,4,8 --lr 0.01,0.1 \\
        --seeds 0-2 --epochs 5 --out sweep-out
    gradlab sweep ... --out sweep-out --resume          # after Ctrl-C: only the missing units
    gradlab sweep ... --dask-local 4                    # on a local Dask cluster
    gradlab sweep --activation tanh --weight-var 1,1.76,3 --bias-var 0.05 --depth 5,10,20 \\
        --optimizer sgd --lr 0.02 --heatmap weight_var,depth

Every value list is checked before anything runs (an unknown name lists the known ones; a
size must be a positive whole number), and so is ``--out``. A grid of more than
``--max-units`` units (default 1000) is refused until the limit is raised. Each finished unit
is kept in ``OUT/.units/``, so ``--resume`` after an interruption runs only what is missing and
writes the same files as an uninterrupted run (timing aside).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from rich.markup import escape

from ..i18n import _
from .common import (
    FileError,
    UsageError,
    add_executor_arguments,
    add_lang_argument,
    apply_lang,
    check_executor_args,
    check_output_folder,
    executor_from_args,
    stdout_console,
)

__all__ = ["add_parser", "cmd_sweep"]


def add_parser(groups: Any) -> None:
    """Add ``sweep`` to the ``gradlab`` sub-command group."""
    from ..lab.grid import AXES
    from ..lab.sweep import DEFAULT_MAX_UNITS

    p = groups.add_parser(
        "sweep",
        help="train one MLP per point of a grid of settings and seeds; tables and heatmaps",
        description="Train an MLP at every point of a grid (the comma-separated values of the "
        "options below; the options not given keep their defaults) on every seed, and "
        "measure each run: final train and test accuracy, epochs to --target, the share of "
        "dead hidden units, the gradient norm of the first layer over the output layer's at "
        "initialization, and whether training diverged. Writes OUT/results.json, "
        "OUT/results.csv, heatmaps over two axes (OUT/heatmap_*.png; the other axes and the "
        "seeds by their median) and OUT/index.html.",
    )
    grid = p.add_argument_group("the grid (comma-separated values)")
    drawn = {
        "weight_var": " (W ~ N(0, σ_w²/fan_in), in place of --init)",
        "bias_var": " (b ~ N(0, σ_b²))",
    }
    for axis in AXES.values():
        default = "from --init" if axis.default is None else _shown(axis.default)
        grid.add_argument(
            "--" + axis.name.replace("_", "-"),
            default=None,
            metavar="VALUES",
            help=f"{axis.words}{drawn.get(axis.name, '')}, e.g. {axis.example} (default {default})",
        )
    grid.add_argument("--seeds", default="0", help="seeds of every point, e.g. 0-2 (default 0)")
    data = p.add_argument_group("data and training")
    data.add_argument("--data", default="digits", help="a gradlab data set (default digits)")
    data.add_argument("--data-dir", type=Path, help="folder with the IDX files (mnist, ...)")
    data.add_argument("--n-samples", type=int, default=1000, help="toy sets: samples (1000)")
    data.add_argument("--noise", type=float, default=None, help="toy sets: noise")
    data.add_argument("--test-size", type=float, default=0.2, help="test fraction (0.2)")
    data.add_argument("--standardize", action="store_true", help="centre and scale every feature")
    data.add_argument("--epochs", type=int, default=5, help="epochs of every unit (5)")
    data.add_argument(
        "--target",
        type=float,
        default=None,
        help="training accuracy whose first epoch is recorded, e.g. 0.9",
    )
    run = p.add_argument_group("where and how")
    run.add_argument(
        "--out", type=Path, default=Path("sweep"), help="output folder (default: sweep)"
    )
    add_executor_arguments(run)
    run.add_argument(
        "--max-units",
        type=int,
        default=DEFAULT_MAX_UNITS,
        help=f"refuse a larger sweep (default {DEFAULT_MAX_UNITS})",
    )
    run.add_argument("--heatmap", metavar="X,Y", help="the two axes of the heatmaps, e.g. depth,lr")
    run.add_argument("--quiet", action="store_true", help="no progress display")
    add_lang_argument(run)
    p.set_defaults(handler=cmd_sweep)


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


def cmd_sweep(args: argparse.Namespace) -> int:
    """Check the grid and ``--out``, run the units with a progress display, write the files."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from ..lab import sweep
    from ..lab.across_seeds import parse_seeds
    from ..lab.grid import AXES, check_grid, check_size, describe_row, make_settings, varied

    apply_lang(args)
    raw = {a: getattr(args, a) for a in AXES if getattr(args, a) is not None}
    settings = {
        "data": args.data,
        "epochs": args.epochs,
        "target": args.target,
        "test_size": args.test_size,
        "n_samples": args.n_samples,
        "noise": args.noise,
        "data_dir": str(args.data_dir) if args.data_dir else None,
        "standardize": args.standardize,
    }
    try:
        grid = check_grid(raw, flags=True)
        try:
            seeds = parse_seeds(args.seeds)
        except ValueError as exc:
            raise ValueError(f"--{exc}") from None
        make_settings(flags=True, **settings)
        sweep.heatmap_axes(grid, seeds, args.heatmap, flags=True)
        if args.max_units < 1:
            raise ValueError(
                _("--max-units must be a positive integer, got {n}").format(n=args.max_units)
            )
        total = check_size(grid, seeds, args.max_units, flags=True)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args.data_dir is not None and not args.data_dir.is_dir():
        raise UsageError(_("--data-dir {folder} is not a folder").format(folder=args.data_dir))
    check_executor_args(args)
    check_output_folder(args.out, "--out")
    console = stdout_console()
    progress = Progress(
        TextColumn("[bold]" + escape(_("units"))),
        BarColumn(bar_width=24),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=args.quiet,
    )
    finished = 0
    shown = varied(grid)

    def done(row: dict[str, Any]) -> None:
        nonlocal finished
        finished += 1
        progress.advance(task)
        if not args.quiet:
            progress.console.print(escape(describe_row(row, shown)))

    start = time.perf_counter()
    executor = executor_from_args(args, total)
    try:
        with progress:
            task = progress.add_task("", total=total)
            try:
                rows = sweep.run_sweep(
                    grid,
                    seeds=seeds,
                    out=args.out,
                    resume=args.resume,
                    executor=executor,
                    max_units=args.max_units,
                    heatmap=args.heatmap,
                    verbose=0,
                    on_done=done,
                    flags=True,
                    **settings,
                )
            except ValueError as exc:
                raise UsageError(str(exc)) from None
            except OSError as exc:
                raise FileError(
                    _("cannot write the sweep in {out}: {error}").format(out=args.out, error=exc)
                ) from None
            except KeyboardInterrupt:
                console.print(
                    escape(
                        _(
                            "stopped after {finished} of {total} units; `--resume` runs only "
                            "the rest"
                        ).format(finished=finished, total=total)
                    )
                )
                raise
    finally:
        executor.close()
    diverged = sum(1 for r in rows if r["diverged"])
    console.print(
        escape(
            _(
                "{units} units ({reused} reused, {diverged} diverged) in {seconds:.1f} s; "
                "results: {page}"
            ).format(
                units=len(rows),
                reused=total - finished,
                diverged=diverged,
                seconds=time.perf_counter() - start,
                page=args.out / "index.html",
            )
        )
    )
    return 0
