"""One verdict from several seeds: the stated rule, and the ``--seeds`` syntax.

A claim run on seeds ``s_1 … s_n`` gets one record per seed. :func:`combine` merges them by
this rule:

* **the same status on every seed** → that status. Each numeric deciding number is reported as
  its median over the seeds, with its range (``spread``); the reason is the first seed's,
  followed by "the same on all n seeds".
* **statuses that differ** → ``nuanced``. The reason starts with the tally ("depends on the
  seed: confirmed on seeds 0, 1, 2; nuanced on seeds 3, 4") and then gives, for each status,
  the reason on its first seed, so it names what changed.
* **an error on any seed** → ``error``.

Every seed's verdict, reason and numbers stay in the record (``per_seed``) and in
``results.json``; figures and results are the first seed's.

>>> parse_seeds("0-2,5")
[0, 1, 2, 5]
"""

from __future__ import annotations

import statistics
from typing import Any

from ..i18n import _

__all__ = ["combine", "parse_seeds"]

#: Seeds a single parse may produce (a typo such as 0-99999 is an error, not an hour's run).
MAX_SEEDS = 1000


def parse_seeds(text: str | int | list[int]) -> list[int]:
    """Parse ``"0-4"``, ``"0,3,7"``, ``"0-2,5"`` (or an int, or a list) into seeds.

    Raises:
        ValueError: naming the bad part: not a non-negative integer, an empty or reversed
            range, a repeat, or more than :data:`MAX_SEEDS` seeds.
    """
    if isinstance(text, int) and not isinstance(text, bool):
        text = str(text)
    if isinstance(text, list):
        text = ",".join(str(s) for s in text)
    if not isinstance(text, str):
        raise TypeError(f"seeds must be a string such as '0-4', got {type(text).__name__}")
    seeds: list[int] = []
    for part in text.replace(" ", "").split(","):
        if not part:
            raise ValueError(f"seeds: empty item in {text!r}; expected e.g. '0-4' or '0,3,7'")
        low, dash, high = part.partition("-")
        if not low.isdigit() or (dash and not high.isdigit()):
            raise ValueError(
                f"seeds: {part!r} is not a non-negative integer or a range such as '0-4' "
                f"(in {text!r})"
            )
        first, last = int(low), int(high) if dash else int(low)
        if last < first:
            raise ValueError(f"seeds: the range {part!r} is empty (it counts down)")
        if last - first + len(seeds) >= MAX_SEEDS:
            raise ValueError(f"seeds: {text!r} gives more than {MAX_SEEDS} seeds")
        seeds.extend(range(first, last + 1))
    repeated = sorted({s for s in seeds if seeds.count(s) > 1})
    if repeated:
        raise ValueError(f"seeds: {repeated} given twice in {text!r}")
    return seeds


def _numeric(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _seed_list(seeds: list[int]) -> str:
    return ", ".join(str(s) for s in seeds)


def combine(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Merge one claim's per-seed records (in seed order) into one record (module docstring).

    The result is the first seed's record with ``verdict``, ``reason``, ``numbers`` replaced by
    the combined ones, and ``seeds``, ``spread``, ``tally`` and ``per_seed`` added; ``seconds``
    is the total over the seeds.
    """
    if not records:
        raise ValueError("combine needs at least one record")
    first = records[0]
    seeds = [r["seed"] for r in records]
    per_seed = [
        {k: r.get(k) for k in ("seed", "verdict", "reason", "numbers", "seconds", "key")}
        for r in records
    ]
    statuses = [r["verdict"] for r in records]
    tally: dict[str, list[int]] = {}
    for record in records:
        tally.setdefault(record["verdict"], []).append(record["seed"])
    keys = list(dict.fromkeys(k for r in records for k in (r.get("numbers") or {})))
    numbers: dict[str, Any] = {}
    spread: dict[str, list[float]] = {}
    for key in keys:
        values = [(r.get("numbers") or {}).get(key) for r in records]
        present = [v for v in values if v is not None]
        if present and all(_numeric(v) for v in present):
            numbers[key] = statistics.median(present)
            if len(present) > 1:
                spread[key] = [min(present), max(present)]
        elif present and all(v == present[0] for v in present):
            numbers[key] = present[0]
        elif len(records) == 1 or not present:  # one seed, or no seed has a value (NaN)
            numbers[key] = values[0]
        else:
            numbers[key] = _mixed(values, seeds)
    combined = dict(first)
    n = len(records)
    if "error" in tally:
        status = "error"
        reason = _(
            "the experiment raised an exception on seed(s) {seeds}; see the traceback"
        ).format(seeds=_seed_list(tally["error"]))
    elif len(tally) == 1:
        status = statuses[0]
        reason = first["reason"]
        if n > 1:
            reason += " " + _(
                "The same verdict on all {n} seeds ({seeds}); the deciding numbers are "
                "medians over the seeds, with their range."
            ).format(n=n, seeds=_seed_list(seeds))
    else:
        status = "nuanced"
        counts = "; ".join(
            _("{status} on seeds {seeds}").format(status=_(s), seeds=_seed_list(v))
            for s, v in tally.items()
        )
        details = " ".join(
            _("On seed {seed} ({status}): {reason}").format(
                seed=v[0],
                status=_(s),
                reason=next(r["reason"] for r in records if r["seed"] == v[0]),
            )
            for s, v in tally.items()
        )
        reason = _("Depends on the seed: {counts}. {details}").format(
            counts=counts, details=details
        )
    combined.update(
        verdict=status,
        reason=reason,
        numbers=numbers,
        seeds=seeds,
        spread=spread,
        tally={s: v for s, v in tally.items()},
        per_seed=per_seed,
        seconds=sum(r.get("seconds", 0.0) for r in records),
    )
    if "error" in tally:
        combined["error"] = next(r["error"] for r in records if r["verdict"] == "error")
    return combined


def _mixed(values: list[Any], seeds: list[int]) -> str:
    """Describe a non-numeric deciding number that differs between seeds."""
    return "; ".join(
        _("seed {seed}: {value}").format(seed=s, value=v)
        for s, v in zip(seeds, values, strict=True)
    )
