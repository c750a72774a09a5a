"""Run claims, save their figures and results, and hand them to the report.

:func:`run_claims` runs the chosen claims (in worker processes with ``jobs > 1``), saves every
figure as ``<out>/figures/<id>_<name>.png`` and writes ``<out>/results.json`` and
``<out>/index.html``. A claim whose experiment raises is reported as an error with its
traceback, and the others still run: nothing is lost.

A run writes nothing into ``<out>`` until every claim has finished. Figures, results and
page go first to a staging folder ``<out>/.reproduce-<pid>@<host>-<random>/``; at the end the
figures are moved into ``<out>/figures/`` (replacing those of the same name, keeping the
others) and ``results.json`` and ``index.html`` replace the old ones, with Ctrl-C held back
while the files move. An interrupted or failed run removes its staging folder and leaves the
previous report exactly as it was; a staging folder left by a killed run (its process is gone)
is removed by the next run into the same folder.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import socket
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from ..i18n import _, get_language, resolve_language, use_language
from . import claims as claim_registry
from .across_seeds import combine
from .executors import Executor, make_executor, sigint_held
from .units import ClaimUnit, UnitCache, run_claim, run_claim_unit

__all__ = ["load_results", "remove_stale_staging", "run_claim", "run_claims", "select"]

PACKAGES = ("gradlab", "numpy", "scipy", "matplotlib", "scikit-learn")

STAGING_PREFIX = ".reproduce-"
REPORT_FILES = ("results.json", "index.html")
#: The folder of ``out`` where finished work units are kept (for ``--resume``).
UNITS = ".units"


def select(only: str | Sequence[str] | None = None) -> list[str]:
    """Return the claim ids to run: all of them, or those named in ``only``.

    ``only`` is a list or a comma-separated string (``"C2,c3,P1"``); unknown ids raise a
    ``ValueError`` with a suggestion.
    """
    if only is None:
        return claim_registry.names()
    items = only.split(",") if isinstance(only, str) else list(only)
    ids = [claim_registry.get(item.strip()).id for item in items if item.strip()]
    if not ids:
        raise ValueError(f"no claim ids in {only!r}; known: {', '.join(claim_registry.names())}")
    return list(dict.fromkeys(ids))


def _versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for package in PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return versions


def run_claims(
    ids: Sequence[str] | None = None,
    *,
    profile: str = "quick",
    seed: int = 0,
    seeds: Sequence[int] | None = None,
    out: str | os.PathLike[str] = "report",
    jobs: int = 1,
    executor: Executor | None = None,
    resume: bool = False,
    data_dir: str | None = None,
    on_start: Callable[[str], None] | None = None,
    on_done: Callable[[dict[str, Any]], None] | None = None,
    lang: str | None = None,
) -> dict[str, Any]:
    """Run claims and write ``out/results.json``, ``out/index.html`` and ``out/figures/*.png``.

    Each (claim, seed) is a work unit (:class:`~gradlab.lab.units.ClaimUnit`); each finished
    unit is stored at once in ``out/.units/`` (see :mod:`gradlab.lab.units`), so a run that is
    interrupted can be resumed (``resume=True`` runs only the units not stored yet and gives the
    same report). The seeds of a claim are merged into one verdict by the rule of
    :func:`~gradlab.lab.across_seeds.combine`.

    The report files in ``out`` do not change until every unit has finished: they are written
    to a staging folder inside ``out`` and moved in at the end (see the module docstring), so
    an interrupted run leaves the previous report as it was.

    Args:
        ids: Claim ids (default: every registered claim), run in this order.
        profile: ``"quick"``, ``"full"`` or ``"test"``.
        seed: The seed when ``seeds`` is not given.
        seeds: The seeds every claim runs on (the first one's figures go in the report).
        out: The report folder (created if needed).
        jobs: Local worker processes when no ``executor`` is given; 1 runs here.
        executor: Where the units run (:func:`~gradlab.lab.executors.make_executor`: local
            processes or a Dask cluster); it is not closed here.
        resume: Reuse the units already stored in ``out/.units/``.
        data_dir: A folder with the MNIST IDX files for the digit claims (else the bundled
            8x8 digits). On a cluster, it must exist on every worker.
        on_start: Called with ``"C3"`` (one seed) or ``"C3 seed 1"`` when a unit starts.
        on_done: Called with each unit's record when it ends (also for a resumed unit).
        lang: The language of the report, its verdict sentences and figures (``"en"``,
            ``"ko"``; default: :func:`gradlab.i18n.get_language`).

    Returns:
        The payload written to ``results.json``.

    Raises:
        ValueError: if ``jobs`` is not a positive int or the seeds are not distinct
            non-negative ints.
        OSError: before any claim runs, if ``out`` cannot be created or written, or
            ``out/figures`` is a file or ``out/index.html``/``results.json`` a folder.
    """
    ids = list(ids) if ids is not None else claim_registry.names()
    seeds = list(seeds) if seeds is not None else [seed]
    if (
        not seeds
        or any(not isinstance(s, int) or isinstance(s, bool) or s < 0 for s in seeds)
        or len(set(seeds)) != len(seeds)
    ):
        raise ValueError(f"seeds must be distinct non-negative ints; received {seeds!r}")
    if executor is None and (not isinstance(jobs, int) or jobs < 1):
        raise ValueError(f"jobs must be a positive int; received {jobs!r}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    _check_targets(out)
    remove_stale_staging(out)
    staging = Path(tempfile.mkdtemp(dir=out, prefix=_staging_prefix(os.getpid())))
    owned = executor is None
    try:
        if executor is None:
            executor = make_executor(jobs=jobs)
        lang = resolve_language(lang) if lang else get_language()
        units = [ClaimUnit(i, profile, s, data_dir, lang) for i in ids for s in seeds]
        with use_language(lang):
            payload = _run_into(
                staging, units, UnitCache(out / UNITS), resume, executor, on_start, on_done
            )
        with sigint_held():
            _publish(staging, out)
            shutil.rmtree(staging, ignore_errors=True)
    except BaseException:  # an interrupted or failed run leaves the old report as it was
        with sigint_held():
            shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        if owned and executor is not None:
            executor.close()
    return payload


def _check_targets(out: Path) -> None:
    """Raise before any work if a report file's place in ``out`` is taken by the wrong kind."""
    if (out / "figures").exists() and not (out / "figures").is_dir():
        raise NotADirectoryError(f"{out / 'figures'} is a file; the report needs a folder there")
    for name in REPORT_FILES:
        if (out / name).is_dir():
            raise IsADirectoryError(f"{out / name} is a folder; the report writes a file there")


def _run_into(
    staging: Path,
    units: list[ClaimUnit],
    cache: UnitCache,
    resume: bool,
    executor: Executor,
    on_start: Callable[[str], None] | None,
    on_done: Callable[[dict[str, Any]], None] | None,
) -> dict[str, Any]:
    """Run the units (or take them from the cache), merge the seeds, write the report files
    into ``staging``."""
    from .report import write_html

    start = time.perf_counter()
    seeds = list(dict.fromkeys(u.seed for u in units))
    ids = list(dict.fromkeys(u.claim for u in units))
    done: dict[ClaimUnit, dict[str, Any]] = {}
    todo = []
    for unit in units:
        found = cache.load(unit.key) if resume else None
        if found is None:
            todo.append(unit)
        else:
            done[unit] = found
            if on_done:
                on_done(found["record"])

    def started(unit: ClaimUnit) -> None:
        if on_start:
            on_start(unit.claim if len(seeds) == 1 else f"{unit.claim} seed {unit.seed}")

    for unit, result in executor.map_unordered(run_claim_unit, todo, on_submit=started):
        cache.store(unit.key, result)
        done[unit] = result
        if on_done:
            on_done(result["record"])
    figures = staging / "figures"
    records = {}
    for claim_id in ids:
        mine = [done[u] for u in units if u.claim == claim_id]
        for name, data in mine[0]["figures"].items():  # the report shows the first seed's
            figures.mkdir(exist_ok=True)
            (figures / name).write_bytes(data)
        records[claim_id] = combine([m["record"] for m in mine])
    payload = {
        "title": _("gradlab: the claims of the articles, measured"),
        "lang": units[0].lang if units else get_language(),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "profile": units[0].profile if units else None,
        "seed": seeds[0] if seeds else None,
        "seeds": seeds,
        "data": (
            _("MNIST from {folder}").format(folder=units[0].data_dir)
            if units and units[0].data_dir
            else _("bundled 8x8 digits (scikit-learn)")
        ),
        "executor": executor.describe(),
        "jobs": executor.workers,
        "units": {"total": len(units), "resumed": len(units) - len(todo)},
        "seconds": time.perf_counter() - start,
        "versions": _versions(),
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count()},
        "claims": [_with_metadata(records[i]) for i in ids],
    }
    text = json.dumps(payload, indent=1, allow_nan=False)
    (staging / "results.json").write_text(text, encoding="utf-8")
    (staging / "index.html").write_text(write_html(payload, staging), encoding="utf-8")
    return payload


def _publish(staging: Path, out: Path) -> None:
    """Move the staged figures, ``results.json`` and ``index.html`` into ``out``.

    Each move is a rename within one folder tree (one file system), so no file is ever seen
    half written; the page, which embeds its figures, goes last. Figures of claims that this
    run did not run stay in ``out/figures``.
    """
    figures = staging / "figures"
    if figures.is_dir():
        target = out / "figures"
        if not target.is_dir():
            os.replace(figures, target)
        else:
            for png in sorted(figures.iterdir()):
                os.replace(png, target / png.name)
    for name in REPORT_FILES:
        os.replace(staging / name, out / name)


def _host() -> str:
    return "".join(c if c.isalnum() or c in "._" else "_" for c in socket.gethostname()) or "_"


def _staging_prefix(pid: int) -> str:
    return f"{STAGING_PREFIX}{pid}@{_host()}-"


def remove_stale_staging(out: str | os.PathLike[str]) -> list[Path]:
    """Remove the staging folders in ``out`` whose run is over, and return them.

    A staging folder is named ``.reproduce-<pid>@<host>-<random>``; it is stale when it was
    made on this host and no process has that pid any more (a run killed before it could clean
    up). Folders of a live process (a run still going), of another host (a shared folder) and
    every folder on Windows, where the check is not made, are left alone.
    """
    removed = []
    for folder in Path(out).glob(f"{STAGING_PREFIX}*@{_host()}-*"):
        pid = folder.name[len(STAGING_PREFIX) :].partition("@")[0]
        if folder.is_dir() and pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _alive(pid: int) -> bool:
    if os.name == "nt" or pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except OSError:  # it exists but belongs to someone else
        return True
    return True


def _with_metadata(record: dict[str, Any]) -> dict[str, Any]:
    claim = claim_registry.get(record["id"])
    labels = claim.labels
    return {
        "id": claim.id,
        "title": _(claim.title),
        "statement": _(claim.statement),
        "sources": claim.source_lines,
        "labels": {k: _(labels[k]) for k in record.get("numbers") or {} if k in labels},
        "family": claim.family,
        "context": _(claim.context),
        "headline": list(claim.headline),
        **{k: v for k, v in record.items() if k not in ("id", "key")},
    }


def load_results(out: str | os.PathLike[str] = "report") -> dict[str, Any]:
    """Read ``out/results.json`` written by :func:`run_claims`.

    Raises:
        FileNotFoundError: naming the file and the command that writes it.
        ValueError: if the file is not JSON or has no list of claim records.
    """
    path = Path(out) / "results.json"
    if not path.is_file():
        raise FileNotFoundError(f"no results at {path}; run `gradlab reproduce --out {out}` first")
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(
            f"{path} is not a results file of `gradlab reproduce` ({exc}); run "
            f"`gradlab reproduce --out {out}` again"
        ) from None
    claims = payload.get("claims") if isinstance(payload, dict) else None
    if not isinstance(claims, list) or not all(
        isinstance(c, dict) and isinstance(c.get("id"), str) and isinstance(c.get("verdict"), str)
        for c in claims
    ):
        raise ValueError(
            f"{path} is not a results file of `gradlab reproduce` (expected an object whose "
            f"'claims' is a list of records with an 'id' and a 'verdict'); run "
            f"`gradlab reproduce --out {out}` again"
        )
    return payload
