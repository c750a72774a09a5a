"""Shared checks for the claim tests: run a claim's test profile, twice, and draw it."""

from __future__ import annotations

from typing import Any

from matplotlib.figure import Figure

from gradlab import lab
from gradlab.lab.claim import ClaimResult, to_jsonable


def _without_timing(results: dict[str, Any]) -> Any:
    return to_jsonable({k: v for k, v in results.items() if k != "timing"})


def run_claim(claim_id: str, seed: int = 0, **overrides: Any) -> ClaimResult:
    """Run ``claim_id``'s ``test`` profile twice with ``seed``; assert the same numbers both times,
    a JSON-ready result, and figures that are matplotlib Figures. Return the first run."""
    claim = lab.get(claim_id)
    first = claim.run("test", seed=seed, **overrides)
    second = claim.run("test", seed=seed, **overrides)
    assert _without_timing(first.results) == _without_timing(second.results), (
        f"{claim_id}: the same seed gave different results"
    )
    assert first.verdict == second.verdict
    payload = first.to_dict()
    assert payload["verdict"] in lab.STATUSES
    assert payload["numbers"], f"{claim_id}: a verdict must name the numbers that decided it"
    missing = [k for k in claim.headline if k not in payload["numbers"]]
    assert not missing, f"{claim_id}: headline keys {missing} are not among the verdict's numbers"
    figures = claim.figures(first.results)
    assert all(isinstance(f, Figure) for f in figures.values())
    return first
