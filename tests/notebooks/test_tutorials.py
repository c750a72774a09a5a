"""The seven tutorial notebooks run top to bottom in a real kernel: no error, nothing on stderr,
every exercise graded (with the learner's stubs in place), every figure a picture."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .helpers import execute, nbformat, outputs, problems

TUTORIALS = Path(__file__).resolve().parents[2] / "docs" / "tutorials"
NOTEBOOKS = sorted(TUTORIALS.glob("[0-9][0-9]_*.ipynb"))


def test_there_are_seven_tutorials():
    assert [p.name[:2] for p in NOTEBOOKS] == [f"{i:02d}" for i in range(1, 8)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_tutorial_runs_cleanly(path, tmp_path):
    nb = nbformat.read(path, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), (
        f"{path.name} is committed with outputs; clear them"
    )
    execute(nb, cwd=tmp_path, timeout=240)
    assert problems(nb) == []
    text = "\n".join(c.source for c in nb.cells)
    # It links the lab claims it touches and ends with exercises that gradlab grades.
    assert re.search(r"\]\(\.\./\.\./lab/[CP]\d+/\)", text), "no link to a lab claim"
    checks = [c for c in nb.cells if re.search(r"\bexercises\.check\(", c.source)]
    assert checks, "no exercise is graded"
    for cell in checks:
        shown = " ".join(
            o.get("data", {}).get("text/plain", "") + o.get("text", "") for o in outputs(cell)
        )
        assert "not yet" in shown or "correct" in shown, cell.source
