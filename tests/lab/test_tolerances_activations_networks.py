"""Where the tolerances of the activation and network claims come from.

Each test computes the error bound of a numerical check from its analysis (truncation and
rounding of central differences, rounding of float64 sums, sampling standard errors) on the
claim's own inputs, and shows the tolerance above it with a margin and below the size of a real
fault (a wrong derivative, a wrong bias, an unnormalised row).
"""

from __future__ import annotations

import inspect
import math

import numpy as np
import pytest

from gradlab import activations, datasets, diagnostics, lab
from gradlab.lab import trace
from gradlab.lab.claims.activations import c02_sigmoid_tanh_derivative_peaks as c02
from gradlab.lab.claims.activations import c05_relu_sparsity as c05
from gradlab.lab.claims.activations import c09_softmax_probabilities_overflow as c09
from gradlab.lab.claims.activations import c18_negative_side_gradient as c18
from gradlab.lab.claims.activations import c19_relu_kink as c19
from gradlab.lab.claims.activations import c20_output_layer_activation as c20
from gradlab.lab.claims.networks import c01_linear_layers_collapse as c01
from gradlab.lab.claims.networks import c21_three_layer_network as c21
from gradlab.lab.kit.data import digits_data
from gradlab.lab.kit.probes import central_difference
from gradlab.lab.kit.seeds import spawn_seeds
from gradlab.model import mlp

#: Unit roundoff of float64.
U = np.finfo(np.float64).eps / 2
#: The step of the kit's central differences, which C2 and C18 use.
H = inspect.signature(central_difference).parameters["h"].default


def _sigmoid_derivatives(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """σ', σ'' and σ''' from σ itself."""
    s = 1 / (1 + np.exp(-x))
    d1 = s * (1 - s)
    d2 = d1 * (1 - 2 * s)
    return d1, d2, d2 * (1 - 2 * s) - 2 * d1**2


# --- C2: the derivative peaks, by central differences ------------------------------------------
@pytest.mark.parametrize("profile", ["test", "quick"])
def test_c2_peak_tolerance_sits_above_the_central_difference_error(profile):
    config = lab.get("C2").config(profile)
    x = np.linspace(-config["limit"], config["limit"], config["points"])
    assert np.abs(x).min() == 0.0  # the grid holds the peak
    # f'''(0): -1/8 for the sigmoid, -2 for tanh; outputs at most 1 in absolute value.
    for name, third, peak in (("sigmoid", 1 / 8, 0.25), ("tanh", 2.0, 1.0)):
        act = activations.get(name)
        bound = H**2 / 6 * third + 2 * U * float(np.abs(act(x)).max()) / H
        measured = abs(float(central_difference(act, x).max()) - peak)
        assert measured <= bound
        assert 1e3 * bound < c02.PEAK_TOL
    assert 1e3 * c02.PEAK_TOL < 0.3 - 0.25  # the articles' 0.3 is a fault far outside


# --- C9: printed digits and row sums ------------------------------------------------------------
def test_c9_article_numbers_are_matched_to_their_printed_rounding():
    expected = np.array(c09.C9_EXPECTED)
    # 9 significant digits: half a unit of the 9th, relative to each number.
    half_unit = 0.5 * 10.0 ** (np.floor(np.log10(expected)) - 8) / expected
    assert half_unit.max() == pytest.approx(2.43e-9, rel=0.01)
    stable = activations.get("softmax")(np.array(c09.C9_LOGITS))
    assert np.all(np.abs(stable / expected - 1) <= half_unit + 1e-15)
    assert 4 * half_unit.max() < c09.EXPECTED_RTOL
    # A float32 softmax (the fault the tolerance must catch) cannot be closer than the float32
    # representation of the right answer: 2.8e-8 for these numbers, whatever the CPU's
    # kernels (measured 2.9e-8 to 1.7e-7), so it lies at least twice the tolerance away.
    exact32 = np.abs(np.asarray(expected, dtype=np.float32) / expected - 1).max()
    assert exact32 > 2 * c09.EXPECTED_RTOL
    in_float32 = activations.get("softmax")(np.array(c09.C9_LOGITS, dtype=np.float32))
    assert np.max(np.abs(in_float32 / expected - 1)) > 2 * c09.EXPECTED_RTOL


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_c9_row_sums_stay_within_their_rounding_bound(dtype):
    config = lab.get("C9").config("quick")
    k = config["n_classes"]
    z = np.random.default_rng(0).standard_normal((config["n_rows"], k))  # the logits of seed 0
    eps = float(np.finfo(dtype).eps)
    # Division (u) and row sum ((k - 1) u) in the dtype, the check's sum in float64.
    bound = (0.5 + (k - 1) / 2) + (k - 1) / 2 * float(np.finfo(np.float64).eps) / eps
    softmax = activations.get("softmax")
    for scale in config["scales"]:
        s = softmax((z * scale).astype(dtype))
        assert np.max(np.abs(s.astype(np.float64).sum(axis=1) - 1)) / eps <= bound
    assert c09.sum_tolerance_eps(k) >= 2 * bound
    s = softmax(z.astype(dtype)).astype(np.float64)
    wrong = s / (1 - s.min(axis=1, keepdims=True))  # a sum that misses its smallest term
    assert np.max(np.abs(wrong.sum(axis=1) - 1)) / eps > 1e3 * c09.sum_tolerance_eps(k)


# --- C18: the article's Swish derivative against central differences ----------------------------
@pytest.mark.parametrize("profile", ["quick", "full"])
def test_c18_formula_tolerance_sits_above_the_central_difference_error(profile):
    config = lab.get("C18").config(profile)
    limit = config["limit"]
    x = np.linspace(-limit, limit, 2 * config["points"] + 1)
    _, d2, d3 = _sigmoid_derivatives(x)
    third = float(np.abs(3 * d2 + x * d3).max())  # f''' of x·σ(x)
    assert third < 0.31
    bound = H**2 / 6 * third + 4.1 * limit * U / H
    swish = c18._article_swish_derivative(x)
    measured = np.abs(central_difference(lambda t: t * c18._stable_sigmoid(t), x) - swish)
    assert measured.max() <= bound
    assert 5 * bound < c18.FORMULA_TOL
    s = 1 / (1 + np.exp(-x))
    assert np.abs(s * (1 + x * s) - swish).max() > 1e6 * c18.FORMULA_TOL  # a wrong formula


# --- C5: the share of exact zeros at initialization ---------------------------------------------
def test_c5_half_band_is_three_standard_errors_of_the_zero_share():
    config = lab.get("C5").config("quick")
    X, _, X_test, _ = digits_data(config, 0)
    probe = X_test[: config["n_probe"]]
    per_unit = [[] for _ in config["hidden"]]  # zero share of each unit, per layer
    for s in spawn_seeds(0, config["n_seeds"]):
        model = mlp(
            config["hidden"], 10, input_dim=X.shape[1], activation="relu", init="he_normal", seed=s
        )
        for layer, (_, h) in enumerate(diagnostics.layer_outputs(model, probe)[:-1]):
            per_unit[layer].extend(np.mean(h == 0, axis=0))
    for shares in per_unit:
        shares = np.asarray(shares)
        # Symmetric zero-mean weights and zero biases: each unit is as likely to be negative
        # as positive, so the layer's mean share is 0.5 up to the spread over its units.
        se = shares.std(ddof=1) / np.sqrt(len(shares))
        assert abs(shares.mean() - 0.5) <= 3 * se
        assert 3 * se < c05.HALF_BAND
    # A bias of half a pre-activation standard deviation moves the share to Φ(-0.5) = 0.31.
    shifted = 0.5 * (1 + math.erf(-0.5 / math.sqrt(2)))
    assert abs(shifted - 0.5) > c05.HALF_BAND


# --- C19: paired runs that differ only in relu'(0) ----------------------------------------------
def test_c19_tolerances_lie_between_one_image_and_the_test_sets_standard_error():
    # Runs that meet no exact zero are bit-identical (gap 0); an effect worth the name is at
    # least the test set's own sampling error, which the tolerances stay below.
    config = lab.get("C19").config("test")
    setting = config["settings"][0]
    X, y, X_test, y_test = digits_data(config, 0, dtype=setting["dtype"])
    n = len(y_test)
    assert 1 / n < c19.ACC_TOL < 2 / n  # one image of the test set may flip, two may not
    assert c19.ACC_TOL < math.sqrt(0.955 * 0.045 / n)  # the accuracy's standard error
    model = mlp(config["hidden"], 10, input_dim=X.shape[1], init="he_normal", seed=0)
    model.compile(optimizer={"name": "sgd", "config": {"lr": setting["lr"]}}, loss="cross_entropy")
    model.fit(X, y, epochs=config["epochs"], batch_size=32, verbose=0)
    losses = -np.log(model.predict_proba(X_test)[np.arange(n), y_test])
    relative_se = losses.std(ddof=1) / np.sqrt(n) / losses.mean()
    assert 2 * c19.LOSS_RTOL < relative_se


# --- C20: mean accuracies over seeds ------------------------------------------------------------
@pytest.mark.parametrize("profile", ["quick", "full"])
def test_c20_accuracy_tolerance_exceeds_two_standard_errors(profile):
    config = lab.get("C20").config(profile)
    n_digits = len(digits_data(config, 0)[3])
    X, y = datasets.moons(2 * config["bin_n"], noise=config["bin_noise"], seed=0)
    n_moons = len(datasets.train_test_split(X, y, 0.5, seed=0)[3])
    for n in (n_digits, n_moons):
        se = math.sqrt(2 * 0.96 * 0.04 / (n * config["n_seeds"]))
        assert 2 * se < c20.ACC_TOL < 6 * se


# --- C1: the product map and the straight line --------------------------------------------------
@pytest.mark.parametrize("profile", ["quick", "full"])
def test_c1_product_map_stays_within_its_rounding_bound(profile):
    config = lab.get("C1").config(profile)
    probe, nets = c01._c1_linear_nets(config, 0)
    for model in nets:
        W, b = c01._product_map(model)
        out = model.predict(probe)
        scale = float(np.max(np.abs(out)))
        bound = c01.rounding_bound(model, probe)
        assert np.max(np.abs(out - (probe @ W + b))) / scale <= bound / 10
        # A fault: only the last bias, the earlier ones not carried through the later layers.
        last = model.layers[-1].params["b"]
        assert np.max(np.abs(out - (probe @ W + last))) / scale > 1e6 * bound


def test_c1_line_slack_covers_the_angle_grid():
    config = lab.get("C1").config("quick")
    for name in config["datasets"]:
        for s in spawn_seeds(0, config["n_seeds"]):
            X, y = datasets.load(name, n_samples=config["n_samples"], noise=config["noise"], seed=s)
            finer = c01.best_line_accuracy(X, y, n_angles=7200)
            missed = finer - c01.best_line_accuracy(X, y)
            assert 0 <= missed <= 1 / len(y) + 1e-12
            assert 2 * (missed + 1 / len(y)) < c01.LINE_SLACK


# --- C21: the article's network against gradlab and central differences --------------------------
def _c21_cases(config: dict, seed: int) -> list[trace.Trace]:
    """The nets of C21's experiment: the article's (both outputs), then the random ones."""
    x, t = np.array([config["input"]]), np.array([config["target"]])
    cases = [trace.run(x, *trace.article_network(), output=o, target=t) for o in config["outputs"]]
    rng = np.random.default_rng(seed)
    seeds = spawn_seeds(seed, config["n_random"])
    return cases + [c21._random_case(config, rng, k, s) for k, s in enumerate(seeds)]


def test_c21_gradlab_differs_by_rounding_within_the_bound_and_below_the_tolerance():
    config = lab.get("C21").config("quick")
    cases = _c21_cases(config, 0)
    for tr in cases:
        bound = c21.rounding_bound(tr)["max"]
        exact = trace.check(tr, config["eps"])
        assert max(exact[k] for k in c21.EXACT_CHECKS) <= 2 * bound  # one bound per side
        assert 4 * 2 * bound < c21.EXACT_TOL
    article = cases[0]
    assert np.max(np.abs(article.y[0] - trace.ARTICLE_OUTPUT)) <= c21.ARTICLE_TOL
    article.dW[0] = article.dW[0] * 1.001  # a gradient off by 0.1%
    assert trace.check(article, config["eps"])["backward_max_abs_diff"] > 1e3 * c21.EXACT_TOL


def test_c21_numeric_checks_hold_the_truncation_a_fixed_tolerance_called_a_fault():
    # Net 33 of the full profile's seed 5: a bias behind a one-unit bottleneck whose gradient
    # is 6e-5, where plain central differences at h = 1e-4 are off by a relative 1.1e-5.
    config = lab.get("C21").config("full")
    tr = _c21_cases(config, 5)[2 + 33]
    checks = c21._numeric_checks(tr, config["eps"])
    assert checks["gradcheck_max_rel_error"] > 1e-6  # the old fixed tolerance
    assert checks["gradcheck_error_over_bound"] <= 1.5 < c21.SAFETY
    assert checks["numeric_max_rel_error"] < 1e-7
    assert checks["numeric_error_over_bound"] <= 1
    tr.dB[1] = tr.dB[1] * 1.001  # that bias's gradient off by 0.1%: 50 times the tolerance
    assert c21._numeric_checks(tr, config["eps"])["numeric_error_over_bound"] > 10 * c21.SAFETY
