"""``gradlab.lab.grid`` and ``gradlab.lab.sweep``: grids are checked with messages that say
what is wrong, every unit is measured the same wherever it runs, and an interrupted sweep
resumes to the same files."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest

from gradlab.lab import grid as grid_mod
from gradlab.lab import sweep
from gradlab.lab.executors import make_executor
from gradlab.lab.grid import aggregate, check_grid, check_size, make_settings, run_unit, units

#: A sweep of 4 units that runs in about a second: 2 activations x 2 depths, one epoch.
TINY = {"activation": "relu,tanh", "depth": [1, 2], "width": 16, "lr": 0.01}
TINY_SETTINGS = {"epochs": 1, "target": 0.5}


def _without_timing(value):
    if isinstance(value, dict):
        return {k: _without_timing(v) for k, v in value.items() if k not in ("seconds", "timing")}
    if isinstance(value, list):
        return [_without_timing(v) for v in value]
    return value


def _results(out: Path):
    return _without_timing(json.loads((out / "results.json").read_text(encoding="utf-8")))


def _csv_without_seconds(out: Path):
    with (out / "results.csv").open(encoding="utf-8") as f:
        return [{k: v for k, v in row.items() if k != "seconds"} for row in csv.DictReader(f)]


# ---- the grid ------------------------------------------------------------------------------
def test_check_grid_fills_defaults_and_canonical_names():
    grid = check_grid({"activation": "ReLU, tanh", "lr": "1e-3,0.1", "batch_norm": "off,on"})
    assert grid["activation"] == ["relu", "tanh"]
    assert grid["lr"] == [0.001, 0.1]
    assert grid["batch_norm"] == [False, True]
    assert grid["depth"] == [grid_mod.AXES["depth"].default]
    assert grid["weight_var"] == [None]
    assert check_grid({"width": [32, 64.0], "depth": 3})["width"] == [32, 64]
    assert grid_mod.varied(grid) == ["activation", "lr", "batch_norm"]


@pytest.mark.parametrize(
    ("grid", "message"),
    [
        ({"activation": "reluu"}, r"activation: unknown activation 'reluu'; did you mean 'relu'"),
        ({"activation": "glu"}, "must keep the width"),
        ({"init": "he"}, r"init: unknown initializer 'he'.*known: glorot_uniform"),
        ({"optimizer": "adamm"}, r"optimizer: unknown optimizer 'adamm'.*known: adagrad"),
        ({"depth": []}, r"depth: no values; expected comma-separated positive whole"),
        ({"depth": ""}, "depth: no values"),
        ({"depth": "2,,4"}, "depth: an empty value"),
        ({"depth": "2,x"}, r"depth: 'x' is not a whole number.*received '2,x'"),
        ({"width": "2.5"}, "width: '2.5' is not a whole number"),
        ({"width": 0}, r"width: 0 is not positive; expected comma-separated positive whole"),
        ({"batch_size": -8}, "batch_size: -8 is not positive"),
        ({"lr": "0"}, r"lr: '0' is out of range; expected comma-separated positive numbers"),
        ({"lr": "fast"}, "lr: 'fast' is not a number"),
        ({"lr": "nan"}, "lr: 'nan' is out of range"),
        ({"lr": True}, "lr: True is not a number"),
        (
            {"bias_var": -0.1},
            r"bias_var: -0.1 is out of range; expected comma-separated numbers >= 0",
        ),
        ({"batch_norm": "maybe"}, "batch_norm: 'maybe' is not on or off"),
        ({"depth": "2,4,2"}, "depth: 2 is given twice"),
        ({"dept": "2"}, r"unknown sweep axis 'dept'; expected one of activation, init"),
        ({"init": "he_normal", "weight_var": 1.0}, "give init or weight_var, not both"),
    ],
)
def test_bad_grids_say_what_is_wrong_expected_and_received(grid, message):
    with pytest.raises(ValueError, match=message):
        check_grid(grid)


def test_command_line_names_in_messages():
    with pytest.raises(ValueError, match=r"^--batch-size: 0 is not positive"):
        check_grid({"batch_size": "0"}, flags=True)


def test_the_size_limit_names_the_axes_and_the_way_out():
    grid = check_grid({"width": "8,16,32", "depth": "1,2"})
    assert check_size(grid, [0, 1], 12) == 12
    with pytest.raises(
        ValueError,
        match=r"12 units \(3 width x 2 depth x 2 seeds\), more than the maximum of 11; narrow "
        "the grid or raise max_units",
    ):
        check_size(grid, [0, 1], 11)
    with pytest.raises(ValueError, match="raise --max-units"):
        sweep.run_sweep({"width": "8,16,32"}, seeds="0-9", max_units=5, flags=True)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"data": "digitz"}, r"data: unknown dataset 'digitz'; did you mean 'digits'"),
        ({"epochs": 0}, "epochs must be an int >= 1, got 0"),
        ({"target": 1.5}, r"target must be a finite number in \(0, 1\], got 1.5"),
        ({"test_size": 1.0}, "test_size must be"),
        ({"data": "mnist"}, "mnist is read from its IDX files: give data_dir"),
    ],
)
def test_bad_settings(settings, message):
    with pytest.raises(ValueError, match=message):
        make_settings(**settings)


def test_heatmap_axes_default_and_choice():
    grid = check_grid({"activation": "relu,tanh", "depth": "1,2", "lr": "0.1,0.01"})
    assert sweep.heatmap_axes(grid, [0]) == ("activation", "depth")
    assert sweep.heatmap_axes(grid, [0], "lr,depth") == ("lr", "depth")
    assert sweep.heatmap_axes(check_grid({"depth": "1,2"}), [0, 1]) == ("depth", "seed")
    assert sweep.heatmap_axes(check_grid({}), [0]) is None
    with pytest.raises(ValueError, match="heatmap: expected two different axes"):
        sweep.heatmap_axes(grid, [0], "depth,depth")
    with pytest.raises(ValueError, match="--heatmap: expected two different axes"):
        sweep.heatmap_axes(grid, [0], "depth,colour", flags=True)


def test_seeds_use_the_labs_syntax():
    with pytest.raises(ValueError, match="seeds: the range '3-1' is empty"):
        sweep.run_sweep(TINY, seeds="3-1", verbose=0, **TINY_SETTINGS)


# ---- one unit ------------------------------------------------------------------------------
def test_a_unit_measures_what_the_lab_measures_and_repeats_exactly():
    unit = units(check_grid(TINY), [3], make_settings(**TINY_SETTINGS))[0]
    first, second = run_unit(unit)["record"], run_unit(unit)["record"]
    assert _without_timing(first) == _without_timing(second)
    assert set(grid_mod.METRICS) <= set(first)
    assert 0.0 <= first["train_acc"] <= 1.0 and 0.0 <= first["test_acc"] <= 1.0
    assert first["epochs_to_target"] in (None, 1)
    assert 0.0 <= first["dead_frac"] <= 1.0
    assert math.isfinite(first["log10_grad_ratio"])
    assert first["diverged"] is False and first["diverged_epoch"] is None


def test_a_divergence_is_a_result():
    grid = check_grid({"optimizer": "sgd", "lr": 1000.0, "weight_var": 4.0, "depth": 3})
    row = run_unit(units(grid, [0], make_settings(epochs=2))[0])["record"]
    assert row["diverged"] is True and row["diverged_epoch"] == 1
    assert row["dead_frac"] is None  # NaN weights: nothing to measure


def test_a_target_out_of_reach_is_none():
    row = run_unit(units(check_grid(TINY), [0], make_settings(epochs=1, target=1.0))[0])["record"]
    assert row["epochs_to_target"] is None


def test_weight_and_bias_variances_set_the_initialization():
    from gradlab.layers import Dense

    grid = check_grid({"weight_var": 2.0, "bias_var": 0.5, "width": 400, "depth": 1})
    model = grid_mod._build(units(grid, [0], make_settings())[0]["point"], 0, 64, 10, "float64")
    W, b = model.layers[0].params["W"], model.layers[0].params["b"]
    assert isinstance(model.layers[0], Dense)
    # Sampling error of a variance from n draws: relative std sqrt(2/n) (n = 25600 and 400).
    assert W.var() * 64 == pytest.approx(2.0, rel=5 * math.sqrt(2 / W.size))
    assert b.var() == pytest.approx(0.5, rel=5 * math.sqrt(2 / b.size))


def test_aggregate_takes_medians_shares_and_unreached_targets():
    rows = [
        {"a": 1, "b": "x", "acc": 0.2, "epochs_to_target": 2, "diverged": False},
        {"a": 1, "b": "x", "acc": 0.4, "epochs_to_target": None, "diverged": True},
        {"a": 1, "b": "x", "acc": 0.9, "epochs_to_target": None, "diverged": False},
        {"a": 2, "b": "x", "acc": None, "epochs_to_target": 1, "diverged": False},
    ]
    xs, ys, m = aggregate(rows, "acc", "a", "b")
    assert (xs, ys) == ([1, 2], ["x"]) and m[0, 0] == 0.4 and math.isnan(m[0, 1])
    assert math.isnan(aggregate(rows, "epochs_to_target", "a", "b")[2][0, 0])  # median: never
    assert aggregate(rows, "epochs_to_target", "a", "b")[2][0, 1] == 1
    assert aggregate(rows, "diverged", "a", "b")[2][0, 0] == pytest.approx(1 / 3)


# ---- a sweep -------------------------------------------------------------------------------
def test_a_tiny_sweep_end_to_end(tmp_path):
    started = []
    rows = sweep.run_sweep(
        TINY, seeds="0-1", out=tmp_path, verbose=0, on_start=started.append, **TINY_SETTINGS
    )
    assert len(rows) == len(started) == 8
    assert [(r["activation"], r["depth"], r["seed"]) for r in rows][:3] == [
        ("relu", 1, 0),
        ("relu", 1, 1),
        ("relu", 2, 0),
    ]
    payload = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert payload["rows"] == list(rows)
    assert payload["grid"]["depth"] == [1, 2] and payload["seeds"] == [0, 1]
    assert payload["varied"] == ["activation", "depth"]
    with (tmp_path / "results.csv").open(encoding="utf-8") as f:
        table = list(csv.DictReader(f))
    assert len(table) == 8 and table[0]["activation"] == "relu"
    assert float(table[0]["train_acc"]) == rows[0]["train_acc"]
    for metric in ("train_acc", "test_acc", "epochs_to_target", "log10_grad_ratio"):
        assert (tmp_path / f"heatmap_{metric}.png").read_bytes()[:4] == b"\x89PNG"
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") >= 4
    assert "http://" not in page and "https://" not in page  # self-contained
    assert len(list((tmp_path / ".units").iterdir())) == 8


def test_resume_after_an_interruption_gives_the_same_files(tmp_path):
    whole, broken = tmp_path / "whole", tmp_path / "broken"
    sweep.run_sweep(TINY, seeds="0-1", out=whole, verbose=0, **TINY_SETTINGS)
    finished = []

    def stop_half_way(row):
        finished.append(row)
        if len(finished) == 4:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        sweep.run_sweep(
            TINY, seeds="0-1", out=broken, verbose=0, on_done=stop_half_way, **TINY_SETTINGS
        )
    assert not (broken / "results.json").exists()
    assert len(list((broken / ".units").iterdir())) == 4
    rerun = []
    sweep.run_sweep(
        TINY,
        seeds="0-1",
        out=broken,
        resume=True,
        verbose=0,
        on_start=rerun.append,
        **TINY_SETTINGS,
    )
    assert len(rerun) == 4  # only the missing units ran
    assert {u["key"] for u in rerun}.isdisjoint(r["key"] for r in finished)
    assert _results(broken) == _results(whole)
    # The page shows no timing: the same bytes. The table's only timing column is seconds.
    assert (broken / "index.html").read_bytes() == (whole / "index.html").read_bytes()
    assert _csv_without_seconds(broken) == _csv_without_seconds(whole)
    for png in whole.glob("*.png"):
        assert (broken / png.name).read_bytes() == png.read_bytes()


def test_without_resume_every_unit_runs_again(tmp_path):
    sweep.run_sweep(TINY, seeds=0, out=tmp_path, verbose=0, **TINY_SETTINGS)
    again = []
    sweep.run_sweep(TINY, seeds=0, out=tmp_path, verbose=0, on_start=again.append, **TINY_SETTINGS)
    assert len(again) == 4


def test_a_dask_cluster_gives_bit_identical_rows():
    here = sweep.run_sweep(TINY, seeds="0-1", verbose=0, **TINY_SETTINGS)
    with make_executor(dask_local=2) as cluster:
        there = sweep.run_sweep(TINY, seeds="0-1", executor=cluster, verbose=0, **TINY_SETTINGS)
    assert _without_timing(list(there)) == _without_timing(list(here))


def test_rows_show_as_a_table_in_a_notebook():
    rows = sweep.run_sweep({"depth": "1,2", "width": 8}, epochs=1, verbose=0)
    page = rows._repr_html_()
    assert "<table>" in page and "depth" in page and "train_acc" in page
