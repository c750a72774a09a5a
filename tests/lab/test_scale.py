"""The lab at scale: seeds as an axis, one verdict across them by a stated rule, work units
that resume, and the same results on a Dask cluster as in this process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gradlab import lab
from gradlab.lab import runner
from gradlab.lab.across_seeds import combine, parse_seeds
from gradlab.lab.executors import make_executor
from gradlab.lab.units import ClaimUnit, UnitCache, run_claim, run_claim_unit

# Fields that measure time or place, not results: left out when two runs are compared.
TIMING = {"seconds", "created", "executor", "jobs", "units", "machine", "timing"}


def _without_timing(value):
    if isinstance(value, dict):
        return {k: _without_timing(v) for k, v in value.items() if k not in TIMING}
    if isinstance(value, list):
        return [_without_timing(v) for v in value]
    return value


def _results(out: Path):
    return _without_timing(json.loads((out / "results.json").read_text(encoding="utf-8")))


def _figures(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((out / "figures").glob("*.png"))}


# ---- seeds ---------------------------------------------------------------------------------
def test_parse_seeds_ranges_and_lists():
    assert parse_seeds("0-4") == [0, 1, 2, 3, 4]
    assert parse_seeds("3") == [3]
    assert parse_seeds("0-2, 7") == [0, 1, 2, 7]
    assert parse_seeds(5) == [5]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("4-2", "counts down"),
        ("a", "not a non-negative integer"),
        ("-1", "not a non-negative integer"),
        ("0,,1", "empty item"),
        ("1,1", "given twice"),
        ("0-5000", "more than 1000 seeds"),
    ],
)
def test_parse_seeds_names_the_bad_part(text, message):
    with pytest.raises(ValueError, match=message):
        parse_seeds(text)


def _record(seed, status, value, reason="r"):
    return {
        "id": "C0",
        "seed": seed,
        "verdict": status,
        "reason": f"{reason} {seed}",
        "numbers": {"x": value, "flag": True},
        "seconds": 1.0,
    }


def test_the_same_status_on_every_seed_keeps_it_with_medians_and_ranges():
    merged = combine(
        [_record(0, "confirmed", 1.0), _record(1, "confirmed", 3.0), _record(2, "confirmed", 2.0)]
    )
    assert merged["verdict"] == "confirmed"
    assert merged["numbers"] == {"x": 2.0, "flag": True}
    assert merged["spread"] == {"x": [1.0, 3.0]}
    assert merged["tally"] == {"confirmed": [0, 1, 2]}
    assert "same verdict on all 3 seeds" in merged["reason"]
    assert [r["seed"] for r in merged["per_seed"]] == [0, 1, 2]
    assert merged["seconds"] == 3.0


def test_statuses_that_differ_give_nuanced_with_the_tally_and_what_changed():
    merged = combine(
        [
            _record(0, "confirmed", 1.0, "all good"),
            _record(1, "refuted", 9.0, "bad"),
            _record(2, "confirmed", 2.0, "all good"),
        ]
    )
    assert merged["verdict"] == "nuanced"
    assert merged["tally"] == {"confirmed": [0, 2], "refuted": [1]}
    assert merged["reason"].startswith(
        "Depends on the seed: confirmed on seeds 0, 2; refuted on seeds 1."
    )
    assert "On seed 0 (confirmed): all good 0" in merged["reason"]
    assert "On seed 1 (refuted): bad 1" in merged["reason"]


def test_a_number_missing_on_every_seed_stays_missing():
    """A deciding number that is NaN (stored as None) on the only seed, or on every seed, is
    None in the merged record (it once raised IndexError)."""
    one = combine([_record(0, "confirmed", None)])
    assert one["numbers"]["x"] is None
    both = combine([_record(0, "confirmed", None), _record(1, "confirmed", None)])
    assert both["numbers"]["x"] is None and both["verdict"] == "confirmed"


def test_an_error_on_any_seed_is_an_error():
    bad = {**_record(1, "error", 0.0), "error": "Traceback ..."}
    merged = combine([_record(0, "confirmed", 1.0), bad])
    assert merged["verdict"] == "error" and merged["error"] == "Traceback ..."


def test_no_claim_changes_verdict_between_seeds_without_saying_so():
    """Over the registry (test profile, seeds 0-4): a claim whose seeds disagree is nuanced,
    with every seed in its tally and the disagreement in its reason."""
    for claim_id in lab.names():
        records = [run_claim(claim_id, "test", seed) for seed in range(5)]
        merged = combine(records)
        statuses = {r["verdict"] for r in records}
        assert sorted(s for v in merged["tally"].values() for s in v) == list(range(5))
        if len(statuses) > 1:
            assert merged["verdict"] == "nuanced", claim_id
            assert merged["reason"].startswith("Depends on the seed"), claim_id
        else:
            assert merged["verdict"] == statuses.pop(), claim_id


# ---- units and their cache -----------------------------------------------------------------
def test_a_unit_key_changes_with_what_decides_the_result():
    base = ClaimUnit("C2", "test", 0)
    assert base.key == ClaimUnit("C2", "test", 0).key
    others = [ClaimUnit("C2", "test", 1), ClaimUnit("C2", "quick", 0), ClaimUnit("C9", "test", 0)]
    assert len({base.key, *(u.key for u in others)}) == 4


def test_the_cache_returns_a_unit_whole_or_not_at_all(tmp_path):
    cache = UnitCache(tmp_path / "units")
    unit = ClaimUnit("C9", "test", 0)
    assert cache.load(unit.key) is None
    done = run_claim_unit(unit)
    cache.store(unit.key, done)
    again = cache.load(unit.key)
    assert again["record"]["verdict"] == done["record"]["verdict"]
    assert again["figures"] == done["figures"] and done["figures"]
    (tmp_path / "units" / unit.key / "record.json").write_text("{", encoding="utf-8")
    assert cache.load(unit.key) is None  # a damaged unit is run again, not trusted


def test_a_resumed_run_gives_the_same_report_as_an_uninterrupted_one(tmp_path):
    ids, seeds = ["C2", "C9", "C19"], [0, 1]
    whole = tmp_path / "whole"
    runner.run_claims(ids, profile="test", seeds=seeds, out=whole)

    out = tmp_path / "resumed"
    finished = []

    def stop_after_three(record):
        finished.append(record["key"])
        if len(finished) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        runner.run_claims(ids, profile="test", seeds=seeds, out=out, on_done=stop_after_three)
    assert not (out / "results.json").exists()

    started = []
    payload = runner.run_claims(
        ids, profile="test", seeds=seeds, out=out, resume=True, on_start=started.append
    )
    assert payload["units"] == {"total": 6, "resumed": 3}
    assert len(started) == 3  # only the missing units ran
    assert _results(out) == _results(whole)
    assert _figures(out) == _figures(whole)


def test_without_resume_every_unit_runs_again(tmp_path):
    out = tmp_path / "rep"
    runner.run_claims(["C2"], profile="test", seeds=[0, 1], out=out)
    started = []
    payload = runner.run_claims(
        ["C2"], profile="test", seeds=[0, 1], out=out, on_start=started.append
    )
    assert payload["units"]["resumed"] == 0 and len(started) == 2


# ---- executors -----------------------------------------------------------------------------
def test_local_processes_give_the_same_results_as_this_process(tmp_path):
    here, pool = tmp_path / "here", tmp_path / "pool"
    runner.run_claims(["C2", "C9"], profile="test", seeds=[0, 1], out=here)
    runner.run_claims(["C2", "C9"], profile="test", seeds=[0, 1], out=pool, jobs=2)
    assert _results(pool) == _results(here)
    assert _figures(pool) == _figures(here)


def test_a_dask_local_cluster_gives_bit_identical_results(tmp_path):
    pytest.importorskip("distributed")
    ids, seeds = ["C2", "C9", "C21"], [0, 1]
    here, cluster = tmp_path / "here", tmp_path / "cluster"
    runner.run_claims(ids, profile="test", seeds=seeds, out=here)
    with make_executor(dask_local=2) as executor:
        assert executor.workers == 2
        assert "127.0.0.1" in executor.describe()
        payload = runner.run_claims(
            ids, profile="test", seeds=seeds, out=cluster, executor=executor
        )
    assert "Dask" in payload["executor"]
    assert _results(cluster) == _results(here)
    assert _figures(cluster) == _figures(here)


def test_make_executor_rejects_two_choices_and_bad_counts():
    with pytest.raises(ValueError, match="not both"):
        make_executor(scheduler="tcp://127.0.0.1:1", dask_local=2)
    with pytest.raises(ValueError, match="positive int"):
        make_executor(jobs=0)
    with pytest.raises(ValueError, match="positive int"):
        make_executor(dask_local=0)


# ---- the command line ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--seeds", "3-1"], "--seeds: the range '3-1' is empty"),
        (["--seeds", "x"], "is not a non-negative integer"),
        (["--seeds", "0-1", "--seed", "0"], "give --seeds or --seed, not both"),
        (["--jobs", "2", "--dask-local", "2"], "--jobs and --dask-local choose different"),
        (["--dask-local", "0"], "--dask-local must be a positive integer"),
        (["--scheduler", "tcp://127.0.0.1:9"], "cannot reach the Dask scheduler"),
    ],
)
def test_reproduce_flags_say_what_is_wrong(tmp_path, capsys, argv, message):
    from gradlab.cli import main

    code = main(["reproduce", "--quick", "--only", "C2", "--out", str(tmp_path / "r"), *argv])
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err
    assert not (tmp_path / "r" / "results.json").exists()


def test_reproduce_seeds_and_resume_on_the_command_line(tmp_path, capsys):
    from gradlab.cli import main

    out = tmp_path / "r"
    argv = ["reproduce", "--quick", "--only", "C2,C9", "--seeds", "0-1", "--out", str(out)]
    assert main([*argv, "--jobs", "1"]) == 0
    first = capsys.readouterr().out
    assert "C2 seed 1" in first and "2 claims (2 confirmed) on seeds 0-1" in first
    assert main([*argv, "--resume"]) == 0
    assert "(4 units resumed)" in capsys.readouterr().out
    payload = runner.load_results(out)
    assert payload["seeds"] == [0, 1] and payload["units"] == {"total": 4, "resumed": 4}
