"""Work units and their cache: what ``gradlab reproduce`` and ``gradlab sweep`` run, and what
lets an interrupted run resume.

A unit is one experiment with everything that decides its result: for the lab, a claim, a
profile, a seed and the config (:class:`ClaimUnit`). Its :func:`unit_key` is a hash of that
description and of gradlab's version, so a result is reused only for exactly the same work.

:func:`run_claim_unit` is the function an executor runs (in this process, a worker process or
on a Dask worker): it returns the record and the figures as PNG bytes, and writes nothing, so
a worker needs no shared file system. The caller stores each finished unit in a
:class:`UnitCache` (``<out>/.units/<key>/``) as it arrives; ``--resume`` then runs only the
units that are not there.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
import traceback
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .._figure import language_fonts
from .._version import __version__
from ..i18n import _, use_language
from . import claims as claim_registry
from .claim import Claim, to_jsonable

__all__ = ["ClaimUnit", "UnitCache", "run_claim", "run_claim_unit", "unit_key"]

#: The resolution of the report's figures.
FIGURE_DPI = 110


def unit_key(description: dict[str, Any]) -> str:
    """A stable key for a unit: the hash of its description (JSON, sorted keys) and of
    gradlab's version."""
    text = json.dumps(
        {"gradlab": __version__, **to_jsonable(description)}, sort_keys=True, allow_nan=False
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


@dataclass(frozen=True)
class ClaimUnit:
    """One claim on one seed: ``claim``, ``profile``, ``seed``, the MNIST ``data_dir`` and the
    language ``lang`` of its verdict sentence and figures (``"en"`` or ``"ko"``)."""

    claim: str
    profile: str
    seed: int
    data_dir: str | None = None
    lang: str = "en"

    def config(self) -> dict[str, Any]:
        overrides = {"data_dir": self.data_dir} if self.data_dir else {}
        return claim_registry.get(self.claim).config(self.profile, **overrides)

    @property
    def key(self) -> str:
        description = {"kind": "claim", **asdict(self), "config": self.config()}
        if self.lang == "en":  # English keys as before the language existed
            del description["lang"]
        return unit_key(description)


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
            "reason": _("the experiment raised an exception; see the traceback"),
            "numbers": {},
            "profile": profile,
            "seed": seed,
            "config": to_jsonable(claim.config(profile, **overrides)),
            "results": {},
            "figures": [],
            "error": traceback.format_exc(),
        }
    record["seconds"] = time.perf_counter() - start
    return record


def _save_figures(claim: Claim, results: dict[str, Any], folder: Any) -> list[str]:
    if folder is None:
        return []
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    with language_fonts():  # Korean text needs a Hangul font, from drawing to saving
        for name, fig in claim.figures(results).items():
            path = folder / f"{claim.id}_{name}.png"
            fig.savefig(path, dpi=FIGURE_DPI)
            names.append(f"{folder.name}/{path.name}")
    return names


def run_claim_unit(unit: ClaimUnit) -> dict[str, Any]:
    """Run ``unit`` and return ``{"record": ..., "figures": {file name: PNG bytes}}``.

    The record is :func:`~gradlab.lab.runner.run_claim`'s; its ``figures`` are the names the
    report will use (``figures/<id>_<name>.png``).
    """
    folder = Path(tempfile.mkdtemp(prefix="gradlab-unit-"))
    try:
        with use_language(unit.lang):  # explicit: a worker does not inherit the caller's
            record = run_claim(
                unit.claim,
                unit.profile,
                unit.seed,
                figures_dir=folder / "figures",
                data_dir=unit.data_dir,
            )
        figures = {}
        for name in record.get("figures", []):
            figures[Path(name).name] = (folder / name).read_bytes()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    record["key"] = unit.key
    return {"record": record, "figures": figures}


class UnitCache:
    """Finished units in ``folder``: ``<key>/record.json`` and ``<key>/<figure>.png``.

    A unit is written to a temporary folder and renamed into place, so a unit is either there
    whole or not at all, even when the run is killed while writing.
    """

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)

    def load(self, key: str) -> dict[str, Any] | None:
        """Return ``{"record", "figures"}`` of unit ``key``, or ``None`` when it is not here."""
        place = self.folder / key
        try:
            record = json.loads((place / "record.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if record.get("key") != key:
            return None
        figures = {p.name: p.read_bytes() for p in sorted(place.glob("*.png"))}
        return {"record": record, "figures": figures}

    def store(self, key: str, done: dict[str, Any]) -> None:
        """Store a finished unit (the return value of :func:`run_claim_unit`)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=self.folder, prefix=f".{key}-"))
        try:
            text = json.dumps(to_jsonable(done["record"]), indent=1, allow_nan=False)
            (staging / "record.json").write_text(text, encoding="utf-8")
            for name, data in done["figures"].items():
                (staging / name).write_bytes(data)
            target = self.folder / key
            if target.exists():
                shutil.rmtree(target)
            os.replace(staging, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
