"""P4 (Schoenholz et al. 2017): the mean-field depth scale against values derived by hand, and
the claim's run, verdict rule and figure."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest

from gradlab import lab
from gradlab.lab.claims.papers import p04_edge_of_chaos_depth as p04

from .helpers import run_claim


def identity(x):
    return x


def one(x):
    return np.ones_like(x)


# ---- mean-field theory -------------------------------------------------------------------------
@pytest.mark.parametrize("sigma_w2", [0.25, 0.5, 0.9])
def test_without_biases_the_ordered_signal_dies_and_chi1_is_sigma_w2(sigma_w2):
    # σ_b² = 0, σ_w² <= 1: the length map q -> σ_w² E[tanh(√q z)²] <= σ_w² q has only q* = 0,
    # where tanh'(0) = 1, so χ₁ = σ_w² exactly and ξ_c = -1 / ln σ_w².
    assert p04.length_fixed_point(sigma_w2, 0.0) == 0.0
    assert p04.chi_1(sigma_w2, 0.0) == pytest.approx(sigma_w2, rel=1e-12)
    assert p04.correlation_fixed_point(sigma_w2, 0.0) == 1.0
    assert p04.depth_scale(sigma_w2, 0.0) == pytest.approx(-1 / math.log(sigma_w2), rel=1e-12)


@pytest.mark.parametrize(("sigma_w2", "sigma_b2"), [(0.5, 0.05), (0.8, 0.3)])
def test_a_linear_network_has_the_closed_form_fixed_point(sigma_w2, sigma_b2):
    # φ(x) = x: q = σ_w² q + σ_b², so q* = σ_b² / (1 - σ_w²); φ' = 1, so χ₁ = σ_w².
    q = p04.length_fixed_point(sigma_w2, sigma_b2, phi=identity)
    assert q == pytest.approx(sigma_b2 / (1 - sigma_w2), rel=1e-12)
    assert p04.chi_1(sigma_w2, sigma_b2, phi=identity, dphi=one) == pytest.approx(sigma_w2)


def test_the_critical_point_is_the_papers_and_chi1_is_one_there():
    critical = p04.critical_weight_var(0.05)
    assert p04.chi_1(critical, 0.05) == pytest.approx(1.0, abs=1e-10)
    assert critical == pytest.approx(p04.PAPER_CRITICAL_SIGMA_W2, abs=0.005)  # "≈ 1.76"
    # Without biases the transition is at σ_w² = 1 (q* = 0 and tanh'(0) = 1). Just above 1,
    # q* ~ (σ_w² - 1) / 2 is found from g(q) = map(q) - q, whose values there are O(q²) ~ 1e-16
    # for σ_w² - 1 ~ 1e-8: the root is located to about that, not to brentq's 1e-12.
    assert p04.critical_weight_var(0.0) == pytest.approx(1.0, abs=1e-6)


def test_the_depth_scale_diverges_at_the_critical_point_from_both_sides():
    critical = p04.critical_weight_var(0.05)
    below = [p04.depth_scale(critical * f) for f in (0.5, 0.8, 0.95, 0.99)]
    above = [p04.depth_scale(critical * f) for f in (2.0, 1.25, 1.05, 1.01)]
    assert below == sorted(below) and above == sorted(above)
    assert min(below[-1], above[-1]) > 50
    assert p04.correlation_fixed_point(critical * 0.9, 0.05) == 1.0  # ordered: inputs merge
    c = p04.correlation_fixed_point(critical * 2, 0.05)
    assert 0.0 < c < 1.0  # chaotic: they stay apart


def test_the_chaotic_correlation_is_a_fixed_point_of_the_map():
    sigma_w2, sigma_b2 = 4.0, 0.05
    q = p04.length_fixed_point(sigma_w2, sigma_b2)
    c = p04.correlation_fixed_point(sigma_w2, sigma_b2)
    u1, u2, w2 = p04._pair(q, c, p04.QUADRATURE_NODES)
    mapped = (sigma_w2 * np.sum(w2 * np.tanh(u1) * np.tanh(u2)) + sigma_b2) / q
    assert mapped == pytest.approx(c, abs=1e-12)
    # and q* is one of the length map: σ_w² E[tanh(√q z)²] + σ_b² = q
    z, w = p04._gauss()
    assert sigma_w2 * np.sum(w * np.tanh(math.sqrt(q) * z) ** 2) + sigma_b2 == pytest.approx(q)


@pytest.mark.parametrize(
    ("sigma_w2", "rel"), [(0.44, 1e-12), (1.25, 1e-12), (2.49, 1e-9), (4.98, 1e-4), (7.04, 1e-3)]
)
def test_the_quadrature_is_accurate_where_the_claim_uses_it(sigma_w2, rel):
    # tanh'(√q z) narrows as q* grows, so 101 Gauss-Hermite nodes lose digits on the chaotic
    # side; 301 nodes are converged (they agree with 201 to 1e-6 at σ_w² = 7.04). The verdict
    # compares depths with 6 ξ_c to a factor 2 or more, far above 1e-3.
    assert p04.depth_scale(sigma_w2, nodes=301) == pytest.approx(p04.depth_scale(sigma_w2), rel=rel)


# ---- the claim ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def result():
    return run_claim("P4")


def test_the_test_profile_confirms_with_a_margin(result):
    assert result.verdict.status == "confirmed"
    n = result.verdict.numbers
    assert n["peak_distance_in_columns"] <= 0.5  # tolerance: 1 column
    assert n["largest_distance_to_6xi_in_depth_steps"] <= 0.7  # tolerance: 1 step
    assert n["deepest_trainable_depth_smallest_weight_var"] < n["deepest_trainable_depth_at_peak"]
    assert n["deepest_trainable_depth_largest_weight_var"] < n["deepest_trainable_depth_at_peak"]
    claim = lab.get("P4")
    assert set(n) <= set(claim.labels)
    assert all("[" in claim.labels[k] for k in n)


@pytest.mark.parametrize("seed", [1, 2])
def test_other_seeds_confirm_with_the_same_margins(seed):
    n = lab.get("P4").run("test", seed=seed).verdict.numbers
    assert n["peak_distance_in_columns"] <= 0.5  # tolerance 1
    assert n["largest_distance_to_6xi_in_depth_steps"] <= 0.7  # tolerance 1; seeds 0-4: <= 0.42
    assert n["deepest_trainable_depth_largest_weight_var"] < n["deepest_trainable_depth_at_peak"]


def _with_median(results, median):
    r = copy.deepcopy(results)
    r["train_acc"] = np.asarray(median, dtype=np.float64)[None]
    r["seeds"] = r["seeds"][:1]
    return r


def test_the_rule_flips_when_the_peak_moves_or_does_not_fall(result):
    claim = lab.get("P4")
    r = result.results
    n_depths, n_cols = len(r["depths"]), len(r["weight_vars"])
    # Only the largest σ_w² trains deep: the peak is at the edge, far from 1.76, and nothing
    # falls on its far side.
    median = np.full((n_depths, n_cols), 0.1)
    median[0, :] = 0.95
    median[:, -1] = 0.95
    verdict = claim.verdict(_with_median(r, median))
    assert verdict.status == "refuted"
    assert verdict.reason.startswith("Fails (")
    assert "«the deepest trainable networks sit at the critical weight variance»" in verdict.reason
    # Every column trains to the deepest depth: nothing falls, and 6 ξ_c is not followed.
    verdict = claim.verdict(_with_median(r, np.full((n_depths, n_cols), 0.95)))
    assert verdict.status in ("nuanced", "refuted")
    assert "«the trainable depth falls on both sides of the critical point»" in verdict.reason


def test_the_phase_diagram_is_drawn(result, tmp_path):
    figures = lab.get("P4").figures(result.results)
    assert set(figures) == {"phase_diagram"}
    figures["phase_diagram"].savefig(tmp_path / "p4.png", dpi=110)
    assert (tmp_path / "p4.png").stat().st_size > 10_000
