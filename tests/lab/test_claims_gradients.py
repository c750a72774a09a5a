"""The gradient claims (C3, C4, C6, C8, C13): each runs small, and its verdict rule can flip."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from gradlab import diagnostics, lab, layers
from gradlab.lab.claims.gradients import c06_dying_relu as c06
from gradlab.lab.claims.gradients import c08_zero_centred_outputs as c08
from gradlab.model import mlp

from .helpers import run_claim


@pytest.fixture(scope="module")
def results():
    """Each claim's test-profile run (twice, for determinism), computed once per module."""
    return {cid: run_claim(cid) for cid in ("C3", "C4", "C6", "C8", "C13")}


def _verdict(claim_id, results):
    return lab.get(claim_id).verdict(results)


# --- C3 ---------------------------------------------------------------------------------------
def test_c3_sigmoid_vanishes_tanh_and_relu_do_not(results):
    result = results["C3"]
    assert result.verdict.status == "confirmed"
    n = result.verdict.numbers
    assert n["log10_ratio_sigmoid_glorot"] < -3  # 10 layers at a slope of <= 0.25 each
    assert abs(n["log10_ratio_relu_he"]) < 1
    assert n["log10_ratio_tanh_glorot"] > n["log10_ratio_sigmoid_glorot"] + 2
    nets = result.results["nets"]
    assert nets["sigmoid, glorot_uniform"]["grad_w"].shape == (2, 11)  # seeds x (10 hidden + 1)


def test_c3_rule_flips(results):
    r = copy.deepcopy(results["C3"].results)
    r["nets"]["relu, he_normal"]["log10_ratio"]["mean"] = 3.0
    assert _verdict("C3", r).status == "nuanced"
    r["nets"]["sigmoid, glorot_uniform"]["log10_ratio"]["mean"] = -0.5
    assert _verdict("C3", r).status == "refuted"


# --- C4 ---------------------------------------------------------------------------------------
def test_c4_large_weights_explode_and_clipping_keeps_learning(results):
    result = results["C4"]
    assert result.verdict.status == "confirmed"
    n = result.verdict.numbers
    assert n["log10_growth_backward_signal"] > 2
    assert abs(n["log10_ratio_kernel_gradients"]) < 0.5  # level kernels in a bias-free ReLU net
    assert n["exploded_fraction_no_clip"] == 1.0
    assert n["first_divergence_epoch_batch"][0] == 1
    assert n["learned_fraction_clip"] == 1.0
    assert n["reference_test_acc_mean"] > n["clip_test_acc_mean"]
    assert all(np.all(np.isfinite(run["loss"])) for run in result.results["runs"]["clip"])


def test_c4_rule_flips(results):
    r = copy.deepcopy(results["C4"].results)
    for run in r["runs"]["no_clip"]:
        run["diverged_at"], run["max_step_loss"] = None, run["initial_loss"]
    assert _verdict("C4", r).status == "nuanced"
    r["profiles"]["relu, large"]["log10_growth_act"]["mean"] = 0.0
    assert _verdict("C4", r).status == "refuted"


# --- C6 ---------------------------------------------------------------------------------------
def test_c6_relu_dies_variants_do_not_but_can_be_stuck(results):
    result = results["C6"]
    n = result.verdict.numbers
    assert n["relu_dead_high_lr"] >= 0.1
    assert n["relu_dead_bias_shift"] >= 0.1
    assert n["variants_dead_max"] == 0.0
    assert "leaky_relu (bias_shift)" in n["variants_stuck"]
    assert result.verdict.status == "nuanced"
    assert "stuck" in result.verdict.reason


def test_c6_rule_flips(results):
    r = copy.deepcopy(results["C6"].results)
    for cond in r["results"].values():
        for act, v in cond.items():
            v["accuracy_end"]["mean"] = 0.9
            if act == "relu":
                v["revived_share"]["mean"] = 0.0
    assert _verdict("C6", r).status == "confirmed"
    r["results"]["high_lr"]["elu"]["runs"][0]["dead_end"] = 0.5
    assert _verdict("C6", r).status == "refuted"


def _constant(value):
    return {"name": "constant", "config": {"value": value}}


def test_c6_dead_units_agree_with_diagnostics():
    X = np.random.default_rng(0).normal(size=(200, 64)).astype(np.float32)
    model = mlp(
        [32, 32],
        10,
        input_dim=64,
        activation="relu",
        init="he_normal",
        bias_init=_constant(-0.5),
        seed=0,
    )
    dead, negative = c06._unit_state(model, X)
    snap = diagnostics.snapshot(model, X)
    assert dead[:32].mean() == snap[0]["dead_frac"] and dead[32:].mean() == snap[1]["dead_frac"]
    assert np.array_equal(dead, negative)  # for ReLU, f' = 0 everywhere iff z <= 0 everywhere
    prelu = mlp(
        [32],
        10,
        input_dim=64,
        activation=layers.PReLU,
        init="he_normal",
        bias_init=_constant(-5.0),
        seed=0,
    )
    dead, negative = c06._unit_state(prelu, X)
    assert not dead.any() and negative.mean() > 0.9  # slope 0.25 on the negative side


# --- C8 ---------------------------------------------------------------------------------------
def test_c8_premise_exact_per_sample_and_tanh_faster(results):
    result = results["C8"]
    n = result.verdict.numbers
    assert n["one_sign_per_sample"]["sigmoid"] == 1.0
    assert n["one_sign_per_sample"]["relu"] == 1.0
    assert n["one_sign_per_sample"]["tanh"] == 0.0
    assert n["speedup_sigmoid_over_tanh"] > 2
    assert n["all_reached_target"]
    assert n["centring_share_of_speedup"] < 0.5
    assert result.verdict.status == "nuanced"


def test_c8_rule_flips(results):
    r = copy.deepcopy(results["C8"].results)
    nets = r["nets"]
    nets["sigmoid-0.5"]["epochs_to_target"] = nets["tanh"]["epochs_to_target"]
    nets["tanh+1"]["epochs_to_target"] = nets["sigmoid"]["epochs_to_target"]
    assert _verdict("C8", r).status == "confirmed"
    nets["tanh"]["epochs_to_target"] = nets["sigmoid"]["epochs_to_target"]
    assert _verdict("C8", r).status == "refuted"


def test_c8_one_sign_fraction_by_hand():
    x = np.array([[1.0, 2.0], [3.0, 1.0]])  # positive inputs, as from a sigmoid
    delta = np.array([[1.0, -1.0], [-2.0, 1.0]])
    assert c08._one_sign_fraction(x, delta, 1) == 1.0
    # Summed: column 0 = 1*[1, 2] - 2*[3, 1] = [-5, 0]: one sign; column 1 = [2, -1]: mixed.
    assert c08._one_sign_fraction(x, delta, 2) == 0.5
    assert c08._one_sign_fraction(x - 2.0, delta, 1) == 0.5  # zeros do not count


def test_c8_shifted_activations_keep_the_slope():
    x = np.linspace(-4, 4, 81)
    centred = c08.Shifted("sigmoid", -0.5)
    np.testing.assert_allclose(centred(x), np.tanh(x / 2) / 2, atol=1e-15)
    np.testing.assert_allclose(c08.Shifted("tanh", 1.0)(x), 2 / (1 + np.exp(-2 * x)), atol=1e-15)
    numeric = (centred(x + 1e-6) - centred(x - 1e-6)) / 2e-6
    np.testing.assert_allclose(centred.derivative(x), numeric, atol=1e-9)
    assert centred.info.zero_centered and not c08.Shifted("tanh", 1.0).info.zero_centered


# --- C13 --------------------------------------------------------------------------------------
def test_c13_training_keeps_activations_inference_keeps_nothing(results):
    result = results["C13"]
    assert result.verdict.status == "confirmed"
    n = result.verdict.numbers
    assert n["inference_cached_bytes"] == 0
    assert n["every_layer_caches"]
    assert n["train_cached_unique_bytes"] < n["train_cached_sum_bytes"]
    assert n["ratio_cached_to_inference_live"] > 1.5
    layers = result.results["main"]["train"]["layers"]
    assert layers[0]["cached"] == {"x": 32 * 64 * 4, "z": 32 * 64 * 4, "y": 32 * 64 * 4}


def test_c13_rule_flips(results):
    r = copy.deepcopy(results["C13"].results)
    r["main"]["ratio_activations"] = 1.1
    assert _verdict("C13", r).status == "nuanced"
    r["main"]["inference"]["layers"][0]["cached_bytes"] = 8
    assert _verdict("C13", r).status == "refuted"


# --- the English texts the catalogs translate -------------------------------------------------
def test_the_backgrounds_and_labels_quote_the_thresholds_the_rules_use():
    # Backgrounds and labels are translated texts (gettext looks them up as they stand), so they
    # write the constants' values out: a changed constant must change its text too.
    from gradlab.lab.claims.gradients import c03_vanishing_gradients as c03
    from gradlab.lab.claims.gradients import c04_exploding_gradients as c04
    from gradlab.lab.claims.gradients import c13_backprop_memory as c13

    c3, c4, c6, c8, c13_ = (lab.get(i) for i in ("C3", "C4", "C6", "C8", "C13"))
    assert f"at least {c03.C3_VANISH_DECADES:g} decades, tanh" in c3.context
    assert f"at least {c03.C3_TANH_MARGIN_DECADES:g} decade less" in c3.context
    assert f"within ±{c03.C3_RELU_BAND_DECADES:g} decade." in c3.context
    assert f"at most {c04.C4_LEARN_LOSS_FACTOR:g} of the initial loss" in c4.context
    assert f"up by at least {c04.C4_LEARN_ACC_GAIN:.0%}." in c4.context
    assert f"reaches {c04.C4_EXPLODE_LOSS_FACTOR:g}x the initial loss" in c4.context
    assert f"in {c04.C4_EXPLODE_FRACTION:.0%} of seeds and {c04.C4_GROWTH_DECADES:g} decade" in (
        c4.context
    )
    assert (
        f"reached {c04.C4_EXPLODE_LOSS_FACTOR:g} times its start"
        in (c4.labels["exploded_fraction_no_clip"])
    )
    assert f"at least {c06.C6_DEAD_MIN:.0%} under both" in c6.context
    assert f"at most {c06.C6_REVIVED_MAX:.0%} of dead units revived" in c6.context
    assert f"accuracy at least {c06.C6_LEARN_ACC:g}; chance" in c6.context
    assert f"over seeds reaches {c06.C6_DEAD_MIN:.0%}." in c6.context
    assert f"below {c06.C6_LEARN_ACC:g} training accuracy" in c6.labels["variants_stuck"]
    assert f"speed-up at least {c08.C8_SPEEDUP_MIN:g}x;" in c8.context
    assert f"per sample at least {c08.C8_PER_SAMPLE_MIN:.0%};" in c8.context
    assert f"mini-batch at least {c08.C8_PER_BATCH_MIN:.0%};" in c8.context
    assert f"centring share at least {c08.C8_CENTRING_SHARE_MIN:.0%}." in c8.context
    assert f"with threshold {c13.C13_RATIO_MIN:g}x." in c13_.context
    # Labels written out per profile value: every batch size and group size has its own.
    for p in c13_.profiles.values():
        for b in p["batches"]:
            assert f"batch of {b} [ratio]" in c13_.labels[f"total_ratio_batch_{b}"]
    for p in c8.profiles.values():
        bs = p["batch_size"]
        assert f"mini-batch of {bs} samples" in c8.labels[f"one_sign_per_batch_{bs}"]
        for g in p["groups"]:
            assert c08._C8_ONE_SIGN_COLUMNS[g].endswith(f" {g} sample{'s' if g > 1 else ''}")
