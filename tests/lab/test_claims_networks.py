"""The network claims (C1, C10, C11, C12, C21): each runs small, and its verdict rule can flip."""

from __future__ import annotations

import copy
import functools

import numpy as np
import pytest

from gradlab import lab
from gradlab.lab.claims.networks import c01_linear_layers_collapse as c01
from gradlab.lab.claims.networks import c10_perceptron_xor as c10
from gradlab.lab.claims.networks import c12_universal_approximation as c12
from gradlab.lab.claims.networks.c01_linear_layers_collapse import best_line_accuracy
from gradlab.model import mlp

from .helpers import run_claim

# Each claim's test profile runs once (twice, for the determinism check) per test session.
run_claim = functools.cache(run_claim)


def _flip(claim_id: str, results: dict, edit) -> str:
    """Return the status of ``claim_id``'s verdict on a deep copy of ``results`` after ``edit``."""
    changed = copy.deepcopy(results)
    edit(changed)
    return lab.get(claim_id).verdict(changed).status


# --- C1 ---------------------------------------------------------------------------------------
def test_c1_deep_linear_net_is_one_matrix_and_no_better_than_a_line():
    result = run_claim("C1")
    assert result.verdict.status == "confirmed"
    n = result.verdict.numbers
    assert n["product_max_rel_dev"] < 1e-14
    assert n["xor_deep_linear_acc"] <= n["xor_best_line_acc"] + 0.02
    assert n["xor_best_line_acc"] < 0.8  # no straight line separates XOR
    assert n["xor_deep_nonlinear_acc"] >= 0.95
    assert result.results["xor"]["product_agreement"] >= 0.99  # float32 net, float64 product


def test_c1_rule_refutes_a_deep_linear_net_that_beats_the_line():
    results = run_claim("C1").results

    def beat_line(r):
        r["xor"]["accuracy"]["deep_linear"]["mean"] = 0.99

    def no_fit(r):
        r["xor"]["accuracy"]["deep_nonlinear"]["mean"] = 0.6

    def no_collapse(r):
        r["product"][0]["rel_dev"] = 1e-3

    assert _flip("C1", results, beat_line) == "refuted"
    assert _flip("C1", results, no_collapse) == "refuted"
    assert _flip("C1", results, no_fit) == "nuanced"


def test_product_map_of_a_trained_net_and_best_line_on_separable_data():
    model = mlp([4, 3], 2, input_dim=2, activation="linear", seed=1, dtype="float64")
    X = np.random.default_rng(0).normal(size=(10, 2))
    W, b = c01._product_map(model)
    np.testing.assert_allclose(X @ W + b, model.predict(X), rtol=0, atol=1e-14)
    y = (X[:, 0] + 0.3 * X[:, 1] > 0).astype(int)
    assert best_line_accuracy(X, y) == 1.0
    assert best_line_accuracy(np.array([[0.0, 0], [1, 1], [1, 0], [0, 1]]), [0, 0, 1, 1]) == 0.75


# --- C10 --------------------------------------------------------------------------------------
def test_c10_perceptron_learns_and_or_nand_never_xor():
    result = run_claim("C10")
    assert result.verdict.status == "confirmed"
    n = result.verdict.numbers
    assert n["AND_converged"] == n["OR_converged"] == n["NAND_converged"] == n["n_seeds"]
    assert n["XOR_converged"] == 0 and n["XOR_fewest_mistakes_per_epoch"] >= 1
    assert n["hand_set_solves_xor"] and n["trained_solved_share"] >= 0.8
    assert list(result.results["hand_set"]["nand"]) == [1, 1, 1, 0]
    assert list(result.results["hand_set"]["or"]) == [0, 1, 1, 1]


def test_c10_rule_flips():
    results = run_claim("C10").results

    def xor_converges(r):
        r["XOR"]["converged"] = 1

    def hidden_fails(r):
        r["trained"]["solved"] = 0

    assert _flip("C10", results, xor_converges) == "refuted"
    assert _flip("C10", results, hidden_fails) == "nuanced"


@pytest.mark.parametrize("gate", ["AND", "OR", "NAND", "XOR"])
def test_perceptron_rule(gate):
    t = np.array(c10.GATES[gate], dtype=float)
    w, b, mistakes = c10._perceptron(
        c10.BITS, t, lr=0.1, max_epochs=300, rng=np.random.default_rng(3)
    )
    fires = (c10.BITS @ w + b > 0).astype(float)
    if gate == "XOR":
        assert len(mistakes) == 300 and min(mistakes) >= 1
        assert np.sum(fires == t) <= 3  # a line gets at most 3 of the 4 points right
    else:
        assert mistakes[-1] == 0 and np.array_equal(fires, t)


# --- C11 --------------------------------------------------------------------------------------
def test_c11_step_net_gets_no_gradient_sigmoid_net_learns():
    result = run_claim("C11")
    assert result.verdict.status == "confirmed"
    n = result.verdict.numbers
    assert n["step_derivative_max_abs"] == 0.0
    assert n["step_hidden_grad_max"] == 0.0 and n["all_step_hidden_grad_max"] == 0.0
    assert n["step_hidden_weights_unchanged"] and n["all_step_loss_change"] == 0.0
    assert n["step_hidden_dead_frac"] == 1.0
    assert n["sigmoid_hidden_grad_max"] > 1e-3
    assert n["sigmoid_accuracy"] >= 0.9 > n["step_accuracy"]
    assert result.results["derivative"]["numeric_at_0"] == pytest.approx(0.5 / 1e-4)


def test_c11_rule_flips():
    results = run_claim("C11").results

    def gradient_leaks(r):
        r["step"]["hidden_grad_max"] = 1e-3

    def sigmoid_fails(r):
        r["sigmoid"]["accuracy"]["mean"] = 0.55

    assert _flip("C11", results, gradient_leaks) == "refuted"
    assert _flip("C11", results, sigmoid_fails) == "nuanced"


# --- C12 --------------------------------------------------------------------------------------
def test_c12_error_falls_with_width_depth_saves_units_not_weights():
    result = run_claim("C12")
    n = result.verdict.numbers
    # One seed, tiny budget: the width-64 net and the 2×12 net both reach 0.1 (at seed 0),
    # with the same 193 weights, so the rule says "nuanced" (fewer units, not fewer weights).
    assert result.verdict.status == "nuanced"
    assert n["shallow_error_ratio"] < 0.2 and n["spearman_width_error"] == pytest.approx(-1.0)
    assert n["units_shallow@0.1"] in (64, None) and n["units_deep@0.1"] in (24, None)
    rows = {(r["depth"], r["width"]): r for r in result.results["rows"]}
    assert rows[(1, 64)]["params"] == rows[(2, 12)]["params"] == 193
    assert rows[(1, 64)]["best"] < 0.1 < rows[(1, 2)]["best"]


def test_c12_rule_flips():
    results = run_claim("C12").results

    def widening_hurts(r):
        for row in r["rows"]:
            if row["depth"] == 1:
                row["best"] = 0.5 if row["width"] == 2 else 0.6

    def deep_cheaper(r):
        for row in r["rows"]:
            if row["depth"] > 1:
                row["params"] = 50

    assert _flip("C12", results, widening_hurts) == "refuted"

    def nothing_reached(r):
        r["targets"] = [1e-4]

    assert _flip("C12", results, deep_cheaper) == "confirmed"
    assert _flip("C12", results, nothing_reached) == "nuanced"
    assert (
        "No one-layer net reached" in lab.get("C12").verdict({**results, "targets": [1e-4]}).reason
    )
    assert c12._params([3]) == 10 and c12._params([2, 2]) == 13


# --- C21 --------------------------------------------------------------------------------------
def test_c21_article_network_step_by_step():
    result = run_claim("C21")
    assert result.verdict.status == "confirmed"
    n = result.verdict.numbers
    np.testing.assert_allclose(n["output_identity"], [0.31682708, 0.69627909], atol=5e-9)
    assert n["gradlab_max_abs_diff"] < 1e-15 and n["numeric_max_rel_error"] < 1e-7
    r = result.results
    np.testing.assert_allclose(r["identity"]["A"][0], [0.3, 0.7, 1.1], atol=1e-15)
    # softmax + cross entropy: ∂L/∂A3 = y - t
    np.testing.assert_allclose(r["softmax"]["dA"][2], r["softmax"]["y"] - r["target"], atol=1e-15)
    titles = [t["title"] for t in r["tables"]]
    assert len(titles) == 4 and titles[0].startswith("Forward")
    assert ["3", "A3 = Z2·W3 + B3", "1×2", "[0.316827, 0.696279]"] in r["tables"][0]["rows"]


def test_c21_rule_flips():
    results = run_claim("C21").results

    def other_output(r):
        r["identity"]["y"] = [0.3168, 0.6963]

    def gradient_off(r):
        r["softmax"]["check"]["backward_max_abs_diff"] = 1e-6

    assert _flip("C21", results, other_output) == "nuanced"
    assert _flip("C21", results, gradient_off) == "refuted"
