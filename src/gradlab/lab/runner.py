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

import contextlib
import json
import multiprocessing
import os
import platform
import shutil
import signal
import socket
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from . import claim as claim_mod
from . import claims as claim_registry

__all__ = ["load_results", "remove_stale_staging", "run_claim", "run_claims", "select"]

PACKAGES = ("gradlab", "numpy", "scipy", "matplotlib", "scikit-learn")

STAGING_PREFIX = ".reproduce-"
REPORT_FILES = ("results.json", "index.html")


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


def run_claim(
    claim_id: str,
    profile: str = "quick",
    seed: int = 0,
    *,
    figures_dir: str | os.PathLike[str] | None = None,
    data_dir: str | None = None,
    blas_threads: int = 1,
) -> dict[str, Any]:
    """Run one claim and return its JSON-ready record; save its figures in ``figures_dir``.

    The experiment runs with ``blas_threads`` BLAS threads (default 1).

    The record has ``id``, ``verdict``, ``reason``, ``numbers``, ``config``, ``seed``,
    ``seconds``, ``results`` and ``figures`` (file names relative to the report folder). If the
    experiment, the verdict or a figure raises, ``verdict`` is ``"error"`` and ``error`` holds
    the traceback.
    """
    import matplotlib
    from threadpoolctl import threadpool_limits

    matplotlib.use("Agg")
    claim = claim_registry.get(claim_id)
    overrides = {"data_dir": data_dir} if data_dir else {}
    start = time.perf_counter()
    try:
        # The lab's nets are small: one BLAS thread per claim is faster than threads fighting
        # over the cores (and parallelism comes from running claims side by side).
        with threadpool_limits(limits=blas_threads, user_api="blas"):
            result = claim.run(profile, seed=seed, **overrides)
        record = result.to_dict()
        record["figures"] = _save_figures(claim, result.results, figures_dir)
    except Exception:  # report it and go on with the other claims
        record = {
            "id": claim.id,
            "verdict": "error",
            "reason": "the experiment raised an exception; see the traceback",
            "numbers": {},
            "profile": profile,
            "seed": seed,
            "config": claim_mod.to_jsonable(claim.config(profile, **overrides)),
            "results": {},
            "figures": [],
            "error": traceback.format_exc(),
        }
    record["seconds"] = time.perf_counter() - start
    return record


def _save_figures(claim: claim_mod.Claim, results: dict[str, Any], folder: Any) -> list[str]:
    if folder is None:
        return []
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for name, fig in claim.figures(results).items():
        path = folder / f"{claim.id}_{name}.png"
        fig.savefig(path, dpi=110)
        names.append(f"{folder.name}/{path.name}")
    return names


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
    out: str | os.PathLike[str] = "report",
    jobs: int = 1,
    data_dir: str | None = None,
    on_start: Callable[[str], None] | None = None,
    on_done: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Run claims and write ``out/results.json``, ``out/index.html`` and ``out/figures/*.png``.

    Nothing in ``out`` changes until every claim has finished: the files are written to a
    staging folder inside ``out`` and moved in at the end (see the module docstring), so an
    interrupted run (``KeyboardInterrupt``) leaves the previous report as it was.

    Args:
        ids: Claim ids (default: every registered claim), run in this order.
        profile: ``"quick"``, ``"full"`` or ``"test"``.
        seed: The base seed every experiment derives its randomness from.
        out: The report folder (created if needed).
        jobs: Worker processes; 1 runs everything in this process.
        data_dir: A folder with the MNIST IDX files for the digit claims (else the bundled
            8x8 digits).
        on_start, on_done: Called with a claim id when it starts and with its record when it
            ends (progress display).

    Returns:
        The payload written to ``results.json``.

    Raises:
        ValueError: if ``jobs`` is not a positive int.
        OSError: before any claim runs, if ``out`` cannot be created or written, or
            ``out/figures`` is a file or ``out/index.html``/``results.json`` a folder.
    """
    ids = list(ids) if ids is not None else claim_registry.names()
    if not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"jobs must be a positive int; received {jobs!r}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    _check_targets(out)
    remove_stale_staging(out)
    staging = Path(tempfile.mkdtemp(dir=out, prefix=_staging_prefix(os.getpid())))
    try:
        payload = _run_into(staging, ids, profile, seed, jobs, data_dir, on_start, on_done)
        with _sigint_held():
            _publish(staging, out)
            shutil.rmtree(staging, ignore_errors=True)
    except BaseException:  # an interrupted or failed run leaves the old report as it was
        with _sigint_held():
            shutil.rmtree(staging, ignore_errors=True)
        raise
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
    ids: list[str],
    profile: str,
    seed: int,
    jobs: int,
    data_dir: str | None,
    on_start: Callable[[str], None] | None,
    on_done: Callable[[dict[str, Any]], None] | None,
) -> dict[str, Any]:
    """Run the claims and write figures, ``results.json`` and ``index.html`` into ``staging``."""
    from .report import write_html

    start = time.perf_counter()
    kwargs = {"figures_dir": str(staging / "figures"), "data_dir": data_dir}
    records: dict[str, dict[str, Any]] = {}
    if jobs == 1:
        for claim_id in ids:
            if on_start:
                on_start(claim_id)
            records[claim_id] = run_claim(claim_id, profile, seed, **kwargs)
            if on_done:
                on_done(records[claim_id])
    else:
        before = {child.pid for child in multiprocessing.active_children()}
        pool = ProcessPoolExecutor(max_workers=jobs, initializer=_ignore_sigint)
        try:
            pending: dict[Future, str] = {}
            queue = list(ids)
            while queue or pending:
                while queue and len(pending) < jobs:
                    claim_id = queue.pop(0)
                    if on_start:
                        on_start(claim_id)
                    pending[pool.submit(run_claim, claim_id, profile, seed, **kwargs)] = claim_id
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    record = future.result()
                    records[pending.pop(future)] = record
                    if on_done:
                        on_done(record)
        except BaseException:  # Ctrl-C or a broken pool: stop the workers, then raise
            with _sigint_held():
                _stop_workers(pool, before)
            raise
        pool.shutdown()
    payload = {
        "title": "gradlab: the claims of the articles, measured",
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "profile": profile,
        "seed": seed,
        "data": f"MNIST from {data_dir}" if data_dir else "bundled 8x8 digits (scikit-learn)",
        "jobs": jobs,
        "seconds": time.perf_counter() - start,
        "versions": _versions(),
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count()},
        "claims": [_with_metadata(records[i]) for i in ids],
    }
    text = json.dumps(payload, indent=1, allow_nan=False)
    (staging / "results.json").write_text(text, encoding="utf-8")
    (staging / "index.html").write_text(write_html(payload, staging), encoding="utf-8")
    return payload


def _ignore_sigint() -> None:
    """Worker initializer: leave Ctrl-C to the parent, which stops the workers itself.

    Without it a Ctrl-C in the terminal reaches every worker too, and each idle one prints its
    own ``KeyboardInterrupt`` traceback.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _stop_workers(pool: ProcessPoolExecutor, before: set[int | None]) -> None:
    """Cancel what has not started and end the pool's worker processes now.

    The workers are the child processes that did not exist before the pool was made; they get
    SIGTERM (quiet: Python prints nothing for it) and are waited for, so none is still
    writing into the staging folder when it is removed.
    """
    pool.shutdown(wait=False, cancel_futures=True)
    workers = [c for c in multiprocessing.active_children() if c.pid not in before]
    for worker in workers:
        worker.terminate()
    for worker in workers:
        worker.join(timeout=5)
        if worker.is_alive():
            worker.kill()
            worker.join(timeout=5)


@contextlib.contextmanager
def _sigint_held() -> Iterator[None]:
    """Hold back Ctrl-C inside the block and raise ``KeyboardInterrupt`` after it, if pressed.

    Only the main thread receives signals; elsewhere the block runs unguarded.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pressed: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: pressed.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous if previous is not None else signal.SIG_DFL)
    if pressed and callable(previous):  # default_int_handler raises KeyboardInterrupt
        previous(signal.SIGINT, None)


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
    return {
        "id": claim.id,
        "title": claim.title,
        "statement": claim.statement,
        "sources": claim.source_lines,
        "labels": {key: claim.label(key) for key in record.get("numbers") or {}},
        "family": claim.family,
        "context": claim.context,
        "headline": list(claim.headline),
        **{k: v for k, v in record.items() if k != "id"},
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
