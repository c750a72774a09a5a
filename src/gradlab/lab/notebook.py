"""``gradlab.lab.reproduce``: run the claims from Python, with progress where you are.

The command line has ``gradlab reproduce``; in a notebook (or a script) the same run is

>>> from gradlab import lab
>>> report = lab.reproduce(["C2", "C9"], quick=True, out="report")  # doctest: +SKIP
>>> report  # a table of verdicts in a notebook  # doctest: +SKIP

In a notebook the progress is one line updated in place (no widgets needed); in a terminal
one line is printed per finished claim; ``verbose=0`` is silent.
"""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .._checks import check_int
from .._display import NotebookProgress, html_table, in_notebook

__all__ = ["Reproduction", "reproduce"]


class Reproduction(dict):  # type: ignore[type-arg]
    """The payload of ``results.json`` (a dict), shown in a notebook as a table of verdicts."""

    def _repr_html_(self) -> str:
        from .report import badge, format_value

        rows = []
        for c in self.get("claims", []):
            numbers = c.get("numbers") or {}
            first = next(iter(numbers.items()), None)
            deciding = f"{first[0]} = {format_value(first[1])}" if first else ""
            rows.append((c["id"], c.get("title", ""), c["verdict"], deciding))
        table = html_table(("claim", "title", "verdict", "a deciding number"), rows)
        for status in ("confirmed", "refuted", "nuanced", "error"):  # badges for the verdicts
            table = table.replace(
                f"<td style='text-align:left'>{status}</td>", f"<td>{badge(status)}</td>"
            )
        where = html.escape(str(self.get("out", "")))
        return f"<div>{table}<p>Report: <code>{where}</code></p></div>"


def reproduce(
    only: str | Sequence[str] | None = None,
    *,
    quick: bool = True,
    seeds: str | int | Sequence[int] = 0,
    out: str | os.PathLike[str] = "report",
    jobs: int = 1,
    scheduler: str | None = None,
    dask_local: int | None = None,
    resume: bool = False,
    data_dir: str | None = None,
    verbose: int = 1,
    lang: str | None = None,
) -> Reproduction:
    """Run claims and write the report, as ``gradlab reproduce`` does, showing progress.

    Args:
        only: Claim ids (``"C3,C6"`` or a list); default every claim.
        quick: The quick profile (default; ``False`` runs the full one, several minutes).
        seeds: The seeds, ``0``, ``"0-4"`` or a list; one verdict per claim across them.
        out: The report folder: ``index.html``, ``results.json``, ``figures/``.
        jobs: Local worker processes.
        scheduler: Run on the Dask cluster at this address instead.
        dask_local: Run on a local Dask cluster of this many workers instead.
        resume: Reuse the units an interrupted run left in ``out/.units``.
        data_dir: A folder with the MNIST IDX files for the digit claims.
        verbose: 0 silent; 1 progress (a line updated in place in a notebook, one line per
            claim elsewhere).
        lang: The report's language, ``"en"`` or ``"ko"`` (default: the current one,
            :func:`gradlab.i18n.get_language`).

    Returns:
        The payload of ``results.json``, which a notebook shows as a table of verdicts.
    """
    from . import runner
    from .across_seeds import parse_seeds
    from .executors import make_executor

    ids = runner.select(only)
    seed_list = parse_seeds(list(seeds) if not isinstance(seeds, str | int) else seeds)
    verbose = check_int(verbose, "verbose", low=0, high=2)
    bar: NotebookProgress | None = None
    running: list[str] = []
    finished: list[str] = []

    def started(claim_id: str) -> None:
        running.append(claim_id)
        if bar is not None:
            bar.update(len(finished), f"running {', '.join(running)}", force=True)

    def done(record: dict[str, Any]) -> None:
        label = record["id"] if len(seed_list) == 1 else f"{record['id']} seed {record['seed']}"
        if label in running:
            running.remove(label)
        finished.append(f"{label} {record['verdict']}")
        if bar is not None:
            bar.update(len(finished), "; ".join(finished[-4:]), force=True)
        elif verbose:
            print(f"{label:>4} {record['verdict']:<9} {record['seconds']:6.1f} s", flush=True)

    if verbose and in_notebook():
        bar = NotebookProgress("units", len(ids) * len(seed_list))
    with make_executor(jobs=jobs, scheduler=scheduler, dask_local=dask_local) as executor:
        payload = runner.run_claims(
            ids,
            profile="quick" if quick else "full",
            seeds=seed_list,
            out=out,
            executor=executor,
            resume=resume,
            data_dir=data_dir,
            on_start=started,
            on_done=done,
            lang=lang,
        )
    if bar is not None:
        bar.close(f"done: {'; '.join(finished[-4:])}")
    return Reproduction({**payload, "out": str(Path(out) / "index.html")})
