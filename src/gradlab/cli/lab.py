"""``gradlab reproduce`` and ``gradlab claims``: run the lab's claims and read their results.

Examples::

    gradlab reproduce --quick                 # every claim, fast profile, seeds 0-2 -> report/
    gradlab reproduce --only C2,C3 --seeds 0-9 --out my-report
    gradlab reproduce --resume                # after Ctrl-C: run only what is missing
    gradlab reproduce --dask-local 4          # on a local Dask cluster of 4 workers
    gradlab reproduce --scheduler tcp://host:8786   # on a running Dask cluster
    gradlab reproduce --data-dir ~/mnist      # digit claims on real MNIST
    gradlab claims list                       # the registry, with last verdicts if any
    gradlab claims show C2                    # one claim and its last result

``reproduce`` checks that ``--out`` can be written before it runs anything, and changes no
report file there until every claim has finished: Ctrl-C leaves the previous report as it was,
and every finished (claim, seed) unit is kept in ``OUT/.units/`` for ``--resume``.
"""

from __future__ import annotations

import argparse
import sys
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
    check_output_folder,
    executor_from_args,
)

__all__ = ["add_parser", "cmd_claims_list", "cmd_claims_show", "cmd_reproduce"]


def add_parser(groups: Any) -> None:
    """Add ``reproduce`` and ``claims`` to the ``gradlab`` sub-command group."""
    p = groups.add_parser(
        "reproduce",
        help="run every claim as an experiment and write an HTML report",
        description="Run the lab's claims (seeded experiments with computed verdicts) and "
        "write OUT/index.html, OUT/results.json and the figures as PNG. OUT is checked before "
        "anything runs, and nothing in it changes until every claim has finished: the files "
        "go to a staging folder OUT/.reproduce-* first and are moved in at the end, so "
        "Ctrl-C leaves the previous report as it was.",
    )
    p.add_argument("--quick", action="store_true", help="the fast profile (a few minutes)")
    p.add_argument(
        "--out",
        type=Path,
        default=Path("report"),
        help="report folder, created if missing (default: report)",
    )
    p.add_argument("--only", help="comma-separated claim ids, e.g. C2,C3,P1")
    p.add_argument(
        "--seeds",
        default=None,
        help="seeds every claim runs on, e.g. 0-9 or 0,3,7 (default: 0-2); one verdict per "
        "claim across them",
    )
    p.add_argument("--seed", type=int, default=None, help="one seed (the same as --seeds SEED)")
    add_executor_arguments(p)
    p.add_argument("--data-dir", type=Path, help="folder with MNIST IDX files for digit claims")
    p.add_argument("--quiet", action="store_true", help="no progress display")
    add_lang_argument(p)
    p.set_defaults(handler=cmd_reproduce)

    c = groups.add_parser(
        "claims",
        help="list the claims or show one with its last result",
        description="Read the claims registry and the results of the last `gradlab reproduce`.",
    )
    sub = c.add_subparsers(title="claims commands", metavar="ACTION")
    c.set_defaults(help_parser=c)
    ls = sub.add_parser("list", help="every claim with its sources and last verdict")
    ls.add_argument("--out", type=Path, default=Path("report"), help="report folder to read")
    add_lang_argument(ls)
    ls.set_defaults(handler=cmd_claims_list)
    show = sub.add_parser("show", help="one claim: statement, sources, last verdict, numbers")
    show.add_argument("id", help="claim id, e.g. C2")
    show.add_argument("--out", type=Path, default=Path("report"), help="report folder to read")
    add_lang_argument(show)
    show.set_defaults(handler=cmd_claims_show)


def _console() -> Any:
    from rich.console import Console

    return Console(width=None if sys.stdout.isatty() else 120, highlight=False)


#: The seeds of ``gradlab reproduce`` when neither ``--seeds`` nor ``--seed`` is given.
DEFAULT_SEEDS = "0-2"


def _seeds(args: argparse.Namespace) -> list[int]:
    """The seeds from ``--seeds`` / ``--seed`` (one of them), as a list."""
    from ..lab.across_seeds import parse_seeds

    if args.seeds is not None and args.seed is not None:
        raise UsageError("give --seeds or --seed, not both")
    if args.seed is not None:
        if args.seed < 0:
            raise UsageError(f"--seed must be a non-negative integer, got {args.seed}")
        return [args.seed]
    try:
        return parse_seeds(args.seeds if args.seeds is not None else DEFAULT_SEEDS)
    except ValueError as exc:
        raise UsageError(f"--{exc}") from None


def cmd_reproduce(args: argparse.Namespace) -> int:
    """Run the claims on every seed with a progress display and write the report."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from ..lab import runner

    lang = apply_lang(args)
    try:
        ids = runner.select(args.only)
    except (ValueError, TypeError) as exc:
        raise UsageError(str(exc)) from None
    seeds = _seeds(args)
    if args.data_dir is not None and not args.data_dir.is_dir():
        raise UsageError(f"--data-dir {args.data_dir} is not a folder")
    check_output_folder(args.out, "--out")
    profile = "quick" if args.quick else "full"
    console = _console()
    start = time.perf_counter()
    running: list[str] = []
    progress = Progress(
        TextColumn("[bold]units"),
        BarColumn(bar_width=24),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=console,
        disable=args.quiet,
    )

    def started(label: str) -> None:
        running.append(label)
        progress.update(task, description=_running(running))

    def done(record: dict[str, Any]) -> None:
        label = (
            record["id"]
            if len(seeds) == 1
            else _("{id} seed {seed}").format(id=record["id"], seed=record["seed"])
        )
        if label in running:
            running.remove(label)
        progress.advance(task)
        progress.update(task, description=_running(running))
        if not args.quiet:
            # The whole reason (rich wraps it at word boundaries) on the first seed; the
            # other seeds add their status, and the report has every seed's reason.
            reason = escape(record["reason"]) if record["seed"] == seeds[0] else ""
            progress.console.print(
                f"{label:>4} {_styled(record['verdict'])} "
                f"[dim]{record['seconds']:.1f} s[/dim]  {reason}".rstrip()
            )

    executor = executor_from_args(args, len(ids) * len(seeds))
    try:
        with progress:
            task = progress.add_task("", total=len(ids) * len(seeds))
            try:
                payload = runner.run_claims(
                    ids,
                    profile=profile,
                    seeds=seeds,
                    out=args.out,
                    executor=executor,
                    resume=args.resume,
                    data_dir=str(args.data_dir) if args.data_dir else None,
                    on_start=started,
                    on_done=done,
                    lang=lang,
                )
            except OSError as exc:
                raise FileError(
                    _("cannot write the report in {out}: {error}").format(out=args.out, error=exc)
                ) from None
    finally:
        executor.close()
    counts: dict[str, int] = {}
    for c in payload["claims"]:
        counts[c["verdict"]] = counts.get(c["verdict"], 0) + 1
    summary = ", ".join(f"{n} {_(s)}" for s, n in sorted(counts.items()))
    resumed = payload["units"]["resumed"]
    seeds_text = (
        _("seed {seed}").format(seed=seeds[0])
        if len(seeds) == 1
        else _("seeds {seeds}").format(seeds=args.seeds or DEFAULT_SEEDS)
    )
    console.print(
        _("{n} claims ({summary}) on {seeds} in {seconds:.1f} s").format(
            n=len(payload["claims"]),
            summary=summary,
            seeds=seeds_text,
            seconds=time.perf_counter() - start,
        )
        + (" " + _("({n} units resumed)").format(n=resumed) if resumed else "")
        + "; "
        + _("report: {path}").format(path=args.out / "index.html")
    )
    errors = [c["id"] for c in payload["claims"] if c["verdict"] == "error"]
    if errors:
        message = _("experiments failed: {ids}").format(ids=", ".join(errors))
        print(f"gradlab: {message}", file=sys.stderr)
        return 1
    return 0


def _running(labels: list[str]) -> str:
    """The units running now, shortened to the first few."""
    if not labels:
        return ""
    shown = ", ".join(labels[:3])
    if len(labels) > 3:
        return _("running {units} and {n} more").format(units=shown, n=len(labels) - 3)
    return _("running {units}").format(units=shown)


def _styled(status: str) -> str:
    color = {"confirmed": "green", "refuted": "red", "nuanced": "dark_orange", "error": "magenta"}
    return f"[bold {color.get(status, 'white')}]{_(status):<9}[/]"


def _last_results(out: Path) -> dict[str, dict[str, Any]]:
    from ..lab import runner

    try:
        payload = runner.load_results(out)
    except FileNotFoundError:
        return {}
    except ValueError as exc:
        raise FileError(str(exc)) from None
    lang = payload.get("lang", "en")
    return {
        c["id"]: {**c, "_profile": payload.get("profile"), "_lang": lang} for c in payload["claims"]
    }


def cmd_claims_list(args: argparse.Namespace) -> int:
    """Print every registered claim, its sources and its last verdict."""
    from rich.table import Table

    from .. import lab

    apply_lang(args)
    last = _last_results(args.out)
    table = Table(title=_("gradlab claims"), show_lines=False)
    for col in (_("id"), _("claim"), _("family"), _("sources"), _("last verdict")):
        table.add_column(col, overflow="fold")
    for claim_id in lab.names():
        claim = lab.get(claim_id)
        record = last.get(claim_id)
        not_run = _("not run")
        verdict = _styled(record["verdict"]) if record else f"[dim]{not_run}[/dim]"
        table.add_row(claim_id, _(claim.title), claim.family, ", ".join(claim.sources), verdict)
    console = _console()
    console.print(table)
    if not last:
        console.print(
            _("No results in {out}; run `gradlab reproduce --quick` to fill them.").format(
                out=args.out
            )
        )
    return 0


def cmd_claims_show(args: argparse.Namespace) -> int:
    """Print one claim: statement, sources, context and its last verdict with numbers."""
    from rich.table import Table

    from .. import lab
    from ..lab.report import format_value

    try:
        claim = lab.get(args.id)
    except (ValueError, TypeError) as exc:
        raise UsageError(str(exc)) from None
    lang = apply_lang(args)
    console = _console()
    console.print(f"[bold]{claim.id} · {escape(_(claim.title))}[/bold]  ({claim.family})")
    console.print(escape(_(claim.statement)))
    sources_word, background_word = _("Sources:"), _("Background:")
    console.print(f"[dim]{sources_word}[/dim] {escape('; '.join(claim.source_lines))}")
    if claim.context:
        console.print(f"[dim]{background_word}[/dim] {escape(_(claim.context))}")
    record = _last_results(args.out).get(claim.id)
    if record is None:
        console.print(
            _("Not run yet in {out}; run `gradlab reproduce --only {id} --out {out}`.").format(
                out=args.out, id=claim.id
            )
        )
        return 0
    seconds = record.get("seconds")
    took = f"{seconds:.1f} s" if isinstance(seconds, int | float) else _("time unknown")
    console.print(
        _("Last result ({profile} profile, seed {seed}, {took}):").format(
            profile=record["_profile"], seed=record.get("seed"), took=took
        )
        + f" {_styled(record['verdict'])}"
    )
    reason = str(record.get("reason", ""))
    if record.get("_lang", "en") != lang and record.get("results") and record["verdict"] != "error":
        # The report was written in another language: judge the stored numbers again here,
        # which gives the same verdict sentence in this language (for the first seed).
        try:
            reason = claim.verdict(record["results"]).reason
            reason += " " + _("(seed {seed}; recomputed from the stored numbers)").format(
                seed=record.get("seed")
            )
        except Exception:  # an older results.json: keep its sentence
            pass
    console.print(escape(reason))
    labels = record.get("labels") if record.get("_lang", "en") == lang else None
    labels = labels or {k: _(v) for k, v in claim.labels.items()}
    table = Table(_("deciding number"), _("value"))
    numbers = record.get("numbers")
    for key, value in (numbers if isinstance(numbers, dict) else {}).items():
        table.add_row(f"{escape(labels.get(key, key))} [dim]{key}[/dim]", format_value(value))
    console.print(table)
    for fig in record.get("figures", []):
        console.print(_("figure: {path}").format(path=args.out / fig))
    return 0
