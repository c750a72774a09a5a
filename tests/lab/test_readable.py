"""A student can read a verdict: every deciding number has a label in words with its unit,
every seed article is cited with the part the claim comes from, and a failing part never
reads as a finding."""

from __future__ import annotations

import re

import pytest

from gradlab import lab
from gradlab.lab import SOURCES
from gradlab.lab.units import run_claim

IDS = lab.names()


@pytest.mark.parametrize("claim_id", IDS)
def test_every_deciding_number_has_a_label_with_a_unit(claim_id):
    claim = lab.get(claim_id)
    keys = set()
    for seed in (0, 1):
        keys |= set(run_claim(claim_id, "test", seed)["numbers"])
    missing = sorted(keys - set(claim.labels))
    assert not missing, f"{claim_id}: no label for {missing}"
    for key, label in claim.labels.items():
        assert re.search(r"\[[^\]]+\]\s*$", label), f"{claim_id}.{key}: no [unit] in {label!r}"
        assert label != key and len(label.split()) >= 3, f"{claim_id}.{key}: {label!r}"


@pytest.mark.parametrize("claim_id", IDS)
def test_every_seed_article_is_cited_with_its_part(claim_id):
    claim = lab.get(claim_id)
    for source in claim.sources:
        if source in SOURCES:
            assert claim.source_parts.get(source), f"{claim_id}: no part given for {source}"
    for line in claim.source_lines:
        assert "“" in line or not line.endswith(".txt")  # articles by title, not file name
