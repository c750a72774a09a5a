"""Run claims, save their figures and results, and hand them to the report.

:func:`run_claims` runs the chosen claims (in worker processes with ``jobs > 1``), saves every
figure as ``<out>/figures/<id>_<name>.png`` and writes ``<out>/results.json`` and
``<out>/index.html``. A claim whose experiment raises is reported as an error with its
traceback, and the others still run: nothing is lost.
"""

from __future__ import annotations

import json
import os
import platform
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from . import claim as claim_mod

__all__ = ["load_results", "run_claim", "run_claims", "select"]

PACKAGES = ("gradlab", "numpy", "scipy", "matplotlib", "scikit-learn")


def select(only: str | Sequence[str] | None = None) -> list[str]:
    """Return the claim ids to run: all of them, or those named in ``only``.

    ``only`` is a list or a comma-separated string (``"C2,c3,P1"``); unknown ids raise a
    ``ValueError`` with a suggestion.
    """
    if only is None:
        return claim_mod.names()
    items = only.split(",") if isinstance(only, str) else list(only)
    ids = [claim_mod.get(item.strip()).id for item in items if item.strip()]
    if not ids:
        raise ValueError(f"no claim ids in {only!r}; known: {', '.join(claim_mod.names())}")
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
    claim = claim_mod.get(claim_id)
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
    """
    from .report import write_html

    ids = list(ids) if ids is not None else claim_mod.names()
    if not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"jobs must be a positive int; received {jobs!r}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    figures_dir = out / "figures"
    start = time.perf_counter()
    kwargs = {"figures_dir": str(figures_dir), "data_dir": data_dir}
    records: dict[str, dict[str, Any]] = {}
    if jobs == 1:
        for claim_id in ids:
            if on_start:
                on_start(claim_id)
            records[claim_id] = run_claim(claim_id, profile, seed, **kwargs)
            if on_done:
                on_done(records[claim_id])
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
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
    _write_atomic(out / "results.json", json.dumps(payload, indent=1, allow_nan=False))
    _write_atomic(out / "index.html", write_html(payload, out))
    return payload


def _with_metadata(record: dict[str, Any]) -> dict[str, Any]:
    claim = claim_mod.get(record["id"])
    return {
        "id": claim.id,
        "title": claim.title,
        "statement": claim.statement,
        "sources": claim.source_files,
        "family": claim.family,
        "context": claim.context,
        "headline": list(claim.headline),
        **{k: v for k, v in record.items() if k != "id"},
    }


def _write_atomic(path: Path, text: str) -> None:
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=path.parent, delete=False, suffix=".tmp"
    ) as tmp:
        tmp.write(text)
    os.replace(tmp.name, path)


def load_results(out: str | os.PathLike[str] = "report") -> dict[str, Any]:
    """Read ``out/results.json`` written by :func:`run_claims`.

    Raises:
        FileNotFoundError: naming the file and the command that writes it.
    """
    path = Path(out) / "results.json"
    if not path.is_file():
        raise FileNotFoundError(
            f"no results at {path}; run `gradlab reproduce --out {out}` first"
        )
    return json.loads(path.read_text(encoding="utf-8"))
