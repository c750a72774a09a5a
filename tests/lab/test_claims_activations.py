"""The activation claims: each runs at a small size, and its verdict rule can go both ways."""

from __future__ import annotations

import copy

from gradlab import lab

from .helpers import run_claim


def test_c2_sigmoid_peak_is_a_quarter_not_0_3():
    result = run_claim("C2")
    assert result.verdict.status == "confirmed"
    numbers = result.verdict.numbers
    assert abs(numbers["sigmoid_derivative_max"] - 0.25) < 1e-6
    assert numbers["sigmoid_derivative_argmax"] == 0.0
    assert abs(numbers["tanh_derivative_max"] - 1.0) < 1e-6
    assert abs(numbers["articles_0.3_relative_error"] - 0.2) < 1e-6


def test_c2_rule_refutes_a_peak_of_0_3():
    results = copy.deepcopy(run_claim("C2").results)
    results["sigmoid"]["numeric_derivative_max"] = 0.3
    assert lab.get("C2").verdict(results).status == "refuted"


# --- C5 -----------------------------------------------------------------------------------------
def test_c5_relu_half_zero_at_init_sigmoid_none():
    result = run_claim("C5")
    assert result.verdict.status == "confirmed"
    n = result.verdict.numbers
    assert 0.4 <= n["relu_init_zero_min"] <= n["relu_init_zero_max"] <= 0.6
    assert n["sigmoid_max_zero_fraction"] == 0.0
    assert 0 < n["sigmoid_smallest_output_at_init"] < 1
    assert all(0 <= v <= 1 for v in n["relu_trained_zero_by_layer"])


def test_c5_rule_flags_sigmoid_zeros_and_far_from_half():
    results = copy.deepcopy(run_claim("C5").results)
    claim = lab.get("C5")
    results["sigmoid"]["curve"][-1, 0] = 0.1
    assert claim.verdict(results).status == "nuanced"
    results["relu"]["init_digits"][0] = 0.9
    assert claim.verdict(results).status == "refuted"


# --- C9 -----------------------------------------------------------------------------------------
def test_c9_softmax_naive_overflows_stable_matches_article():
    result = run_claim("C9")
    assert result.verdict.status == "confirmed"
    n = result.verdict.numbers
    assert n["naive_result_finite"] is False
    assert n["stable_max_rel_error"] < 1e-8
    assert n["max_sum_error_eps"] <= 10
    assert n["min_argmax_agreement"] == 1.0 and n["inversions"] == 0
    assert 88 <= n["float32_naive_overflow_above"] <= 89
    assert 709 <= n["float64_naive_overflow_above"] <= 710
    digits = result.results["digits"]
    assert digits["accuracy_from_logits"] == digits["accuracy_from_probs"]


def test_c9_rule_fails_when_stable_result_or_order_is_off():
    results = copy.deepcopy(run_claim("C9").results)
    claim = lab.get("C9")
    results["stable_rel_error"] = 1e-3
    assert claim.verdict(results).status == "nuanced"
    results["random"][0]["inversions"] = 4
    results["random"][0]["sum_error_eps"] = 1e6
    results["naive"]["finite"] = True
    assert claim.verdict(results).status == "refuted"


# --- C18 ----------------------------------------------------------------------------------------
def test_c18_smooth_relus_keep_a_gradient_and_swish_formula_holds():
    result = run_claim("C18")
    assert result.verdict.status == "confirmed"
    n = result.verdict.numbers
    assert n["swish_formula_vs_central_difference"] < 1e-8
    assert n["relu_nonzero_fraction_x<0"] == 0.0
    assert n["silu_nonzero_fraction_x<0"] == n["gelu_nonzero_fraction_x<0"] == 1.0
    # From: minimise x -> sigmoid(x)(1 + x(1 - sigmoid(x))); its root is Swish's minimum point.
    assert abs(n["swish_derivative_min"] + 0.0998393) < 1e-6
    assert abs(n["swish_derivative_argmin"] + 2.39936) < 1e-3
    assert -1.29 < n["swish_negative_below"] < -1.278
    r = result.results
    assert r["elu"]["negative_fraction"] == 0.0
    assert r["gelu"]["first_exact_zero"]["float32"] > r["gelu"]["first_exact_zero"]["float64"]


def test_c18_rule_fails_on_a_wrong_formula_or_a_zero_gradient():
    results = copy.deepcopy(run_claim("C18").results)
    claim = lab.get("C18")
    results["swish_formula"]["vs_central_difference"] = 0.1
    assert claim.verdict(results).status == "nuanced"
    results["gelu"]["nonzero_fraction"] = 0.5
    assert claim.verdict(results).status == "refuted"


# --- C19 ----------------------------------------------------------------------------------------
def test_c19_relu_kink_one_sided_derivatives_and_training():
    result = run_claim("C19")
    assert result.verdict.status == "confirmed"
    n = result.verdict.numbers
    assert (n["left_derivative"], n["right_derivative"]) == (0.0, 1.0)
    assert n["gradlab_relu_derivative_at_0"] == 0.0
    assert n["preactivations_seen"] > 0
    assert 0 <= n["exact_zero_preactivations"] <= n["preactivations_seen"]
    assert all(st["custom_equals_builtin"] for st in result.results["settings"])


def test_c19_counting_relu_matches_builtin_and_counts_zeros():
    import numpy as np

    from gradlab import activations
    from gradlab.lab.claims.activations.c19_relu_kink import ReLUAtZero

    x = np.array([-1.0, 0.0, 0.0, 2.0])
    for at_zero in (0.0, 0.5, 1.0):
        act = ReLUAtZero(at_zero)
        np.testing.assert_array_equal(act(x), activations.get("relu")(x))
        np.testing.assert_array_equal(act.derivative(x), [0.0, at_zero, at_zero, 1.0])
        assert (act.zeros, act.seen) == (2, 4)


def test_c19_rule_turns_nuanced_when_the_choice_changes_accuracy():
    results = copy.deepcopy(run_claim("C19").results)
    setting = results["settings"][0]
    setting["accuracy"]["1.0"] = [a - 0.1 for a in setting["accuracy"]["1.0"]]
    assert lab.get("C19").verdict(results).status == "nuanced"


# --- C20 ----------------------------------------------------------------------------------------
def test_c20_output_layers_per_task():
    result = run_claim("C20")
    assert result.verdict.status in ("confirmed", "nuanced")
    n = result.verdict.numbers
    assert n["rmse/sigmoid + MSE"] > 2 * n["rmse/identity + MSE"]
    assert n["multiclass_softmax_mean_abs_sum_minus_1"] < 1e-5
    assert n["multiclass_sigmoid_rows_off_by_0.1"] > 0.01
    assert n["binary_identity_outside_01"] > 0
    assert n["regression_targets_outside_01"] > 0.5


def test_c20_rule_follows_the_checks():
    results = copy.deepcopy(run_claim("C20").results)
    claim = lab.get("C20")
    for task in ("multiclass", "binary"):
        for v in results[task].values():
            v["accuracy"]["mean"] = 0.9 if v["matched"] else 0.5
    assert claim.verdict(results).status == "confirmed"
    for v in results["multiclass"].values():
        v["accuracy"]["mean"] = 0.9
    assert claim.verdict(results).status == "nuanced"
    reg = results["regression"]
    reg["sigmoid + MSE"]["rmse"]["mean"] = reg["identity + MSE"]["rmse"]["mean"]
    for task in ("multiclass", "binary"):
        for v in results[task].values():
            v["accuracy"]["mean"] = 0.5 if v["matched"] else 0.9
    assert claim.verdict(results).status == "refuted"
