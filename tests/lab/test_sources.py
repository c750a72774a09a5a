"""The seed articles' titles, as the lab shows them, are the titles the articles give."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from gradlab.lab import SOURCES

REPO = Path(__file__).resolve().parents[2]


def _seeds() -> Path | None:
    for candidate in (os.environ.get("GRADLAB_SEEDS", ""), REPO.parent / "shared" / "seeds"):
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return None


@pytest.mark.parametrize("key", sorted(SOURCES))
def test_title_matches_the_article(key):
    folder = _seeds()
    if folder is None:
        pytest.skip("the seed articles (../shared/seeds) are not beside the repository")
    source = SOURCES[key]
    head = (folder / source.file).read_text(encoding="utf-8", errors="replace")[:2000]
    front = re.search(r"^title\s*:\s*(.+)$", head, re.M) if head.startswith("---") else None
    found = front[1].strip().strip("\"'") if front else head.strip().splitlines()[0].strip()
    assert found == source.title
    assert source.language == "Korean"
    assert re.search("[가-힣]", head), "the article's text is Korean"


def test_describe_names_title_language_file_and_part():
    line = SOURCES["000"].describe("the part on backpropagation")
    assert "활성함수와 순전파&역전파" in line and "Korean" in line
    assert SOURCES["000"].file in line and "the part on backpropagation" in line
