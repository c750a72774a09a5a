"""The seven tutorial notebooks run top to bottom in a real kernel: no error, nothing on stderr,
every exercise graded (with the learner's stubs in place), every figure a picture.

Their Korean editions (``docs/ko/tutorials/``, whichever exist) pass the same checks, in
Korean: gradlab set to Korean in the first code cell, the exercises graded in Korean, the lab
claims linked from one folder deeper, and no figure with a glyph missing from its font."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .helpers import execute, nbformat, outputs, problems

DOCS = Path(__file__).resolve().parents[2] / "docs"
TUTORIALS = DOCS / "tutorials"
NOTEBOOKS = sorted(TUTORIALS.glob("[0-9][0-9]_*.ipynb"))
KO_TUTORIALS = DOCS / "ko" / "tutorials"
KO_NOTEBOOKS = sorted(KO_TUTORIALS.glob("[0-9][0-9]_*.ipynb"))

#: What matplotlib writes when a text needs a glyph its font lacks: the warning of text
#: ("Glyph 54620 (\N{HANGUL SYLLABLE HAN}) missing from font(s) DejaVu Sans.") and mathtext's
#: ("Font 'default' does not have a glyph for '\u2212' [U+2212], ...").
HANGUL = re.compile("[\uac00-\ud7a3]")
MISSING_GLYPH = re.compile(r"Glyph .{0,80}missing from font|does not have a glyph for")


def test_there_are_seven_tutorials():
    assert [p.name[:2] for p in NOTEBOOKS] == [f"{i:02d}" for i in range(1, 8)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_tutorial_runs_cleanly(path, tmp_path):
    nb = nbformat.read(path, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), (
        f"{path.name} is committed with outputs; clear them"
    )
    execute(nb, cwd=tmp_path, timeout=240)
    assert missing_glyphs(nb) == []
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


def missing_glyphs(nb) -> list[str]:
    """Every output that reports a glyph missing from a font, with the start of its cell."""
    found = []
    for cell in nb.cells:
        for out in outputs(cell):
            text = out.get("text", "") + str(out.get("data", {}).get("text/plain", ""))
            match = MISSING_GLYPH.search(text)
            if match:
                found.append(f"{cell.source[:60]!r}: {match.group(0)}")
    return found


def _shown(cell) -> str:
    return " ".join(
        o.get("data", {}).get("text/plain", "") + o.get("text", "") for o in outputs(cell)
    )


def _graded(nb) -> list[str]:
    """The exercises the notebook grades, in order."""
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    return re.findall(r"\bexercises\.check\(\s*[\"']([a-z_0-9]+)[\"']", text)


def test_every_korean_tutorial_has_its_english_original():
    for path in KO_NOTEBOOKS:
        assert (TUTORIALS / path.name).is_file(), f"{path.name}: no docs/tutorials/{path.name}"


@pytest.mark.parametrize("path", KO_NOTEBOOKS, ids=[f"ko-{p.stem}" for p in KO_NOTEBOOKS])
def test_korean_tutorial_runs_cleanly(path, tmp_path):
    from gradlab.i18n import _, use_language

    nb = nbformat.read(path, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), (
        f"{path.name} is committed with outputs; clear them"
    )
    first = next(c for c in nb.cells if c.cell_type == "code")
    assert re.search(r"set_language\(\s*[\"']ko[\"']\s*\)", first.source), (
        "the first code cell must switch gradlab to Korean: gradlab.i18n.set_language('ko')"
    )
    untranslated = [
        c.source[:60] for c in nb.cells if c.cell_type == "markdown" and not HANGUL.search(c.source)
    ]
    assert untranslated == [], "Markdown cells with no Korean"
    english = nbformat.read(TUTORIALS / path.name, as_version=4)
    assert _graded(nb) == _graded(english), "the Korean edition grades other exercises"
    text = "\n".join(c.source for c in nb.cells)
    # One folder deeper than the English pages: ko/tutorials/NAME/ -> lab/ID/.
    assert re.search(r"\]\(\.\./\.\./\.\./lab/[CP]\d+/\)", text), "no link to a lab claim"
    assert not re.search(r"\]\(\.\./\.\./lab/", text), "a lab link one folder too shallow"

    execute(nb, cwd=tmp_path, timeout=240)
    glyphs = missing_glyphs(nb)
    assert glyphs == [], "a figure is missing glyphs (a Hangul font?)"
    assert problems(nb) == []
    with use_language("ko"):
        verdicts = {_("not yet"), _("correct")}
    for cell in (c for c in nb.cells if re.search(r"\bexercises\.check\(", c.source)):
        shown = _shown(cell)
        assert any(v in shown for v in verdicts), (cell.source, shown[:300])
