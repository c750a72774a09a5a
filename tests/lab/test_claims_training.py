"""The training claims (C7, C14, C15): each runs at a small size, and its rule can go both ways."""

from __future__ import annotations

import copy
import functools

import numpy as np

from gradlab import lab
from gradlab.lab.claims.training import c07_relu_trains_faster as c7
from gradlab.lab.claims.training import c14_optimizers_adam_default as c14

from .helpers import run_claim

# Each claim's test profile runs once (twice inside run_claim) for all the tests below.
run_claim = functools.cache(run_claim)


# --- C7 ---------------------------------------------------------------------------------------
def test_c7_relu_beats_sigmoid_but_not_tanh_on_digits():
    result = run_claim("C7")
    assert result.verdict.status == "nuanced"
    n = result.verdict.numbers
    # sigmoid is far slower than ReLU at a shared lr; tanh is no slower than ReLU
    assert n["same_same_lr_sigmoid_over_relu"] > c7.NEAR_ARTICLE_SPEEDUP
    assert n["tanh_over_relu_max"] < c7.FASTER_RATIO
    assert n["comparisons_near_6x"] >= 1 and n["comparisons_not_faster"] >= 1
    same = result.results["pairings"]["same"]["same_lr"]
    assert 0 < same["relu"]["epochs"]["mean"] <= result.results["max_epochs"]
    assert same["relu"]["lr"] == result.config["lr"]


def _set_ratios(results: dict, rival: str, ratio: float) -> dict:
    results = copy.deepcopy(results)
    for p in results["pairings"].values():
        for view in c7.C7_VIEWS:
            p[view][f"ratio_{rival}"]["ratio"] = ratio
            p[view][rival]["censored"] = p[view]["relu"]["censored"] = False
    return results


def test_c7_rule_confirms_six_x_and_refutes_no_speedup():
    results = run_claim("C7").results
    claim = lab.get("C7")
    fast = _set_ratios(_set_ratios(results, "tanh", 6.0), "sigmoid", 6.0)
    assert claim.verdict(fast).status == "confirmed"
    slow = _set_ratios(_set_ratios(results, "tanh", 0.9), "sigmoid", 1.1)
    assert claim.verdict(slow).status == "refuted"


# --- C14 --------------------------------------------------------------------------------------
def test_c14_paths_and_sweep():
    result = run_claim("C14")
    r = result.results
    assert set(r["paths"]) == set(c14.C14_OPTIMIZERS)
    for name, path in r["paths"].items():
        points = np.asarray(path["points"])
        assert points.shape == (result.config["path_steps"] + 1, 2)
        assert points[0].tolist() == [-7.0, 2.0]
        # every optimizer, at the book's rates, ends far below the start value f = 6.45
        assert path["final_f"] < 0.2, name
    # plain SGD at 0.95 zig-zags: y changes sign at every step (y ← (1 - 2·0.95)·y)
    y = np.asarray(r["paths"]["sgd"]["points"])[:, 1]
    assert np.all(np.sign(y[1:6]) == -np.sign(y[:5]))
    sweep = r["sweep"]
    assert sweep["adam"]["default_lr"] == 1e-3 and sweep["adagrad"]["default_lr"] == 1e-2
    for s in sweep.values():
        assert 0 <= s["width_decades"] <= np.log10(r["lrs"][-1] / r["lrs"][0]) + 1e-9
        assert s["band"][0] <= s["best_lr"] <= s["band"][1]
    assert result.verdict.status in lab.STATUSES
    assert set(result.verdict.numbers) >= {"adam_default_accuracy", "width_decades_adam"}


def test_c14_band_interpolates_and_marks_the_grid_edge():
    lrs = np.array([1e-3, 1e-2, 1e-1, 1.0])
    lo, hi, censored = c14._band(lrs, np.array([0.2, 0.9, 1.0, 0.5]), 0.95 * 1.0)
    assert not censored
    assert np.isclose(np.log10(lo), -2 + 0.5)  # halfway from 0.9 to 1.0 crosses 0.95
    assert np.isclose(np.log10(hi), -1 + 0.05 / 0.5)
    assert c14._band(lrs, np.array([1.0, 0.99, 0.2, 0.1]), 0.95)[2]


def _with_adam(results: dict, default_accuracy: float, width: float) -> dict:
    results = copy.deepcopy(results)
    adam = results["sweep"]["adam"]
    adam["default_accuracy"] = default_accuracy
    adam["best_accuracy"] = max(adam["best_accuracy"], default_accuracy)
    adam["width_decades"] = width
    return results


def test_c14_rule_goes_every_way():
    results = run_claim("C14").results
    claim = lab.get("C14")
    widest_other = max(s["width_decades"] for n, s in results["sweep"].items() if n != "adam")
    best = max(s["best_accuracy"] for s in results["sweep"].values())
    assert claim.verdict(_with_adam(results, best, widest_other + 1)).status == "confirmed"
    assert claim.verdict(_with_adam(results, 0.1, 0.0)).status == "refuted"
    narrow = widest_other - 2 * c14.WIDTH_SLACK
    assert claim.verdict(_with_adam(results, best, narrow)).status == "nuanced"


# --- C15 --------------------------------------------------------------------------------------
def test_c15_updates_memory_and_accuracy():
    result = run_claim("C15")
    r, n = result.results, result.verdict.numbers
    sizes = r["batch_sizes"]
    assert r["updates_per_epoch"] == [-(-r["n_train"] // bs) for bs in sizes]
    # the cache for backward grows in proportion to the batch
    per_row = np.array(r["cached_bytes_per_step"]) / np.array(sizes)
    assert np.all(per_row == per_row[0])
    updates = r["views"]["same_updates"]["updates"]
    assert all(u["mean"] == r["updates"] for u in updates)
    # at equal epochs and a fixed lr the smallest batch wins by far (many more updates)
    assert n["accuracy_gap_same_epochs"] > 0.1
    assert result.verdict.status == "nuanced"


def test_c15_rule_goes_every_way():
    results = run_claim("C15").results
    claim = lab.get("C15")
    flat = copy.deepcopy(results)
    for view in flat["views"].values():
        for i, acc in enumerate(view["test_accuracy"]):
            acc["mean"] = 0.9 - 0.02 * i  # smallest batch ahead by 0.04 or more: above ACC_MARGIN
    assert claim.verdict(flat).status == "confirmed"
    worse = copy.deepcopy(results)
    worse["views"]["same_epochs"]["test_accuracy"][0]["mean"] = 0.0
    assert claim.verdict(worse).status == "refuted"
    no_memory = copy.deepcopy(results)
    no_memory["cached_bytes_per_step"] = [1] * len(results["batch_sizes"])
    assert claim.verdict(no_memory).status == "refuted"
