"""The initialization claims (C16, C17, P1, P2, P3): each runs small, and its rule can flip."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest

from gradlab import lab
from gradlab.lab.claims.papers import p03_selu_self_normalization as p03

from .helpers import run_claim


@pytest.fixture(scope="module")
def results():
    """Each claim's test-profile run (run twice by ``run_claim`` for determinism), once."""
    cache = {}

    def get(claim_id):
        if claim_id not in cache:
            cache[claim_id] = run_claim(claim_id)
        return cache[claim_id]

    return get


def _set_last(stats, key, value):
    stats[key]["mean"] = np.asarray(stats[key]["mean"], dtype=np.float64).copy()
    stats[key]["mean"][-1] = value


def test_c16_saturation_collapse_and_healthy_spread(results):
    result = results("C16")
    assert result.verdict.status == "confirmed"
    n = result.verdict.numbers
    assert n["sigmoid_std1_frac_near_bounds"] > 0.5
    assert n["std001_max_last_std"] < 0.05
    assert abs(n["sigmoid_std001_last_mean"] - 0.5) < 0.01
    assert n["xavier_sigmoid_tanh_max_frac_saturated"] < 0.01
    # He and Xavier draw the same directions, so for ReLU their ratio is exactly 2^(4/2) = 4.
    assert n["relu_he_std_ratio_last_first"] == pytest.approx(
        4 * n["relu_xavier_std_ratio_last_first"], rel=1e-9
    )
    hist = result.results["histograms"]["sigmoid"]["std 1"]
    assert hist["counts"].shape == (5, 30)
    assert hist["counts"][0].sum() == 1000 * 100  # every sigmoid output lies in [0, 1]


def test_c16_rule_flips_when_patterns_disappear(results):
    r = copy.deepcopy(results("C16").results)
    _set_last(r["stats"]["sigmoid"]["std 1"], "near", 0.1)
    assert lab.get("C16").verdict(r).status == "nuanced"
    _set_last(r["stats"]["tanh"]["std 0.01"], "std", 0.3)
    assert lab.get("C16").verdict(r).status == "nuanced"
    _set_last(r["stats"]["relu"]["xavier"], "std", 0.6)  # Xavier no longer shrinks ReLU
    assert lab.get("C16").verdict(r).status == "refuted"


def test_c17_batchnorm_removes_saturation_and_trains_faster(results):
    result = results("C17")
    n = result.verdict.numbers
    assert n["sigmoid_bn_max_saturated_init"] < 0.01
    assert n["sigmoid_plain_saturated_init_at_largest"] > 0.3
    assert n["sigmoid_bn_loss_at_glorot"] < n["sigmoid_plain_loss_at_glorot"]
    # In 3 epochs the plain sigmoid nets barely move, so the BN nets' spread over the scales
    # is the larger one: this tiny profile is nuanced.
    assert result.verdict.status == "nuanced"
    assert "less sensitive" in result.verdict.reason


def _set_final_loss(summary, value):
    """Every seed of a run ends at ``value`` (its mean, lowest and highest final loss)."""
    for key in ("mean", "min", "max"):
        summary["loss"][key] = [*summary["loss"][key][:-1], value]


def test_c17_rule_flips(results):
    r = copy.deepcopy(results("C17").results)
    plain = r["runs"]["sigmoid"]["plain"]
    for k, s in enumerate(plain):  # make the plain nets' losses spread far more widely
        _set_final_loss(s, 0.5 + 10 * k)
    assert lab.get("C17").verdict(r).status == "confirmed"
    for k, s in enumerate(r["runs"]["sigmoid"]["bn"]):  # saturated, slower, as scattered
        s["sat_init"]["mean"] = 0.5
        _set_final_loss(s, 30 + 10 * k)
    verdict = lab.get("C17").verdict(r)
    assert verdict.status == "refuted"
    # The failing parts are quoted as failing, the measured losses follow.
    assert verdict.reason.startswith("Fails (3 of 4 parts): «BN keeps the sigmoid units out")
    assert "40.000 with BN" in verdict.reason


def test_c17_faster_needs_every_seed(results):
    """Part 2 compares two measured losses: a lower mean with seeds that overlap is no win."""
    r = copy.deepcopy(results("C17").results)
    ref = r["multipliers"].index(1.0)
    bn, plain = r["runs"]["sigmoid"]["bn"][ref], r["runs"]["sigmoid"]["plain"][ref]
    faster = "«with BN the sigmoid net trains faster at the Glorot scale»"

    def holds(reason):
        return faster in reason.partition("Holds:")[2]

    _set_final_loss(bn, 1.0)
    _set_final_loss(plain, 1.2)
    assert holds(lab.get("C17").verdict(r).reason)
    bn["loss"]["max"][-1] = 1.3  # one BN seed ends above the best plain seed
    verdict = lab.get("C17").verdict(r)
    assert not holds(verdict.reason) and faster in verdict.reason
    n = verdict.numbers
    assert n["sigmoid_bn_loss_at_glorot"] < n["sigmoid_plain_loss_at_glorot"]  # the means


def test_p1_top_layer_saturates_and_normalized_init_keeps_spread(results):
    result = results("P1")
    assert result.verdict.status == "confirmed"
    n = result.verdict.numbers
    assert abs(n["top_layer_mean_at_init"] - 0.5) < 0.05
    assert n["top_layer_mean_min_worst_seed"] < 0.1
    assert n["first_layer_max_distance_from_half"] < 0.05
    assert n["final_loss"] > 0.9 * math.log(10)  # stuck near chance meanwhile
    # Standard init: std x sqrt(1/3) per layer in the linear regime of tanh.
    assert abs(n["tanh_std_factor_per_layer_standard"] - math.sqrt(1 / 3)) < 0.05
    assert n["tanh_std_factor_per_layer_normalized"] > 0.8


def test_p1_rule_flips(results):
    r = copy.deepcopy(results("P1").results)
    r["tanh"]["normalized"]["factor"]["mean"] = 0.5
    assert lab.get("P1").verdict(r).status == "nuanced"
    r["top_first_below_epoch"] = [None] * r["n_seeds"]
    r["top_mean_min"] = [0.4] * r["n_seeds"]
    assert lab.get("P1").verdict(r).status == "refuted"


def test_p2_he_keeps_variance_xavier_halves_it(results):
    result = results("P2")
    assert result.verdict.status == "confirmed"
    n = result.verdict.numbers
    assert 0.9 < n["he_var_factor_per_layer"] < 1.1
    assert n["xavier_var_factor_per_layer"] == pytest.approx(0.5, abs=0.05)
    assert n["xavier_std_ratio_last_second"] < 1e-3


def test_p2_rule_flips(results):
    r = copy.deepcopy(results("P2").results)
    r["xavier"]["var_factor"] = 0.9
    assert lab.get("P2").verdict(r).status == "nuanced"
    r["he"]["var_factor"] = 0.5
    assert lab.get("P2").verdict(r).status == "refuted"


def test_p3_selu_reaches_mean_0_variance_1(results):
    result = results("P3")
    assert result.verdict.status == "confirmed"
    n = result.verdict.numbers
    assert n["selu_tail_max_abs_mean"] < 0.1
    assert n["selu_tail_max_abs_var_minus_1"] < 0.15
    # The two starts come from opposite sides of variance 1.
    assert result.results["runs"]["start0"]["selu"]["var"]["mean"][0] > 1.5
    assert result.results["runs"]["start1"]["selu"]["var"]["mean"][0] < 0.8


def test_p3_rule_flips(results):
    r = copy.deepcopy(results("P3").results)
    r["runs"]["start0"]["elu"]["var"]["mean"][-1] = 1.1
    assert lab.get("P3").verdict(r).status == "nuanced"
    r["runs"]["start1"]["selu"]["tail_var"] = 0.5
    assert lab.get("P3").verdict(r).status == "refuted"


def test_selu_mean_field_fixed_point_is_0_1():
    # From: Klambauer et al. 2017, Theorem 1 (fixed point (0, 1) for lambda ~ 1.0507,
    # alpha ~ 1.6733); the map itself knows only the activation.
    mf = p03.mean_field("selu", 1.0, 3)
    np.testing.assert_allclose(mf["mean"], 0.0, atol=1e-4)
    np.testing.assert_allclose(mf["var"], 1.0, atol=1e-4)
    relu = p03.mean_field("relu", 2.0, 1)  # E[relu(z)^2] = q/2, E[relu(z)] = sqrt(q/2pi)
    assert relu["mean"][0] == pytest.approx(math.sqrt(2 / (2 * math.pi)), rel=1e-6)
    assert relu["var"][0] == pytest.approx(1.0 - 2 / (2 * math.pi), rel=1e-6)
