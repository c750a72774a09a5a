"""Where the tolerances of C16, P1, P2 and P3 come from: the error analysis, on the claims' nets.

A verdict rule that compares a measured statistic with its expected value allows a tolerance.
What a run measures differs from the expectation by a bias (finite width, Jensen's inequality)
and by a scatter from seed to seed, whose standard error over the S seeds a profile averages is
sd / sqrt(S). Each test measures both on the claim's own nets and inputs, over ``REPEATS``
independent seeds, and shows that

* the tolerance holds ``|bias| + 3 standard errors`` ``MARGIN`` times over, for the number of
  seeds of every profile the configuration applies to, and
* the fault the rule must catch (a missing factor 2, wrong SELU constants, the other init) lies
  outside the tolerance by more than 3 standard errors.

C17 has no tolerance of this kind: its thresholds define the claim's words, and its one
comparison of two measured losses asks every seed to agree (tests/lab/test_claims_initialization).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from gradlab import diagnostics, lab
from gradlab.lab.claims.initialization import c16_weight_scale_saturation as c16
from gradlab.lab.claims.papers import p01_glorot_bengio_saturation as p01
from gradlab.lab.claims.papers import p02_he_init_variance as p02
from gradlab.lab.claims.papers import p03_selu_self_normalization as p03
from gradlab.lab.kit.data import digits_data
from gradlab.lab.kit.probes import depth_profile, per_layer_factor
from gradlab.lab.kit.seeds import spawn_seeds

#: Independent seeds behind each measured bias and scatter.
REPEATS = 12
#: A tolerance must hold |bias| + 3 standard errors this many times over.
MARGIN = 1.5
PROFILES = ("test", "quick", "full")
#: Seeds for the repeats, apart from the seeds the claims' own tests use.
ANALYSIS_SEED = 20260


def _seeds(n: int = REPEATS) -> list[int]:
    return spawn_seeds(ANALYSIS_SEED, n)


def check_band(
    lo: float,
    hi: float,
    expected: float,
    values: np.ndarray,
    n_seeds: int,
    faults: tuple[float, ...] = (),
) -> None:
    """``[lo, hi]`` holds the mean of ``n_seeds`` draws like ``values`` around ``expected``.

    Both sides must hold the bias (mean of ``values`` minus ``expected``) plus 3 standard
    errors ``MARGIN`` times over; each fault must lie outside by more than 3 standard errors.
    One-sided bands pass ``-inf`` or ``inf``.
    """
    v = np.asarray(values, dtype=np.float64)
    bias = float(v.mean() - expected)
    se = float(v.std(ddof=1) / math.sqrt(n_seeds))
    assert hi - expected >= MARGIN * max(bias + 3 * se, 0.0), (hi, expected, bias, se)
    assert expected - lo >= MARGIN * max(3 * se - bias, 0.0), (lo, expected, bias, se)
    for fault in faults:
        assert fault + 3 * se < lo or fault - 3 * se > hi, (fault, lo, hi, se)


# --- C16 ----------------------------------------------------------------------------------------
def test_c16_relu_spread_bands_hold_the_finite_width_scatter():
    """He's std ratio last/first layer (expected 1) and Xavier's (expected 2^-(depth-1)/2)."""
    claim = lab.get("C16")
    config = claim.config("test")  # the nets are the same in every profile; the seeds differ
    assert all(
        claim.config(p)[k] == config[k] for p in PROFILES for k in ("width", "depth", "n_samples")
    )
    logs = {"he": [], "xavier": []}
    for s in _seeds():
        for init in logs:
            model, X = c16.network_and_inputs("relu", init, config, s)
            std = depth_profile(model, X)["std"]
            logs[init].append(math.log(std[-1] / std[0]))
    he, xavier = np.array(logs["he"]), np.array(logs["xavier"])
    shrink = (config["depth"] - 1) / 2 * math.log(0.5)  # ln 0.25 for 5 layers
    # The same draws scaled: ReLU is positively homogeneous, so Xavier is He shifted exactly.
    np.testing.assert_allclose(xavier, he + shrink, atol=1e-9)
    # The scatter the constants' comments quote: about 0.13 at width 100 over 4 steps.
    assert 0.08 < he.std(ddof=1) < 0.2
    lo, hi = map(math.log, c16.HE_RATIO_RANGE)
    for profile in PROFILES:
        n = claim.config(profile)["n_seeds"]
        check_band(lo, hi, 0.0, he, n, faults=(shrink,))  # fault: the factor 2 missing
        check_band(-math.inf, math.log(c16.XAVIER_RELU_RATIO_MAX), shrink, xavier, n, (0.0,))


def test_c16_collapsed_sigmoid_mean_tolerance():
    """With std 0.01 the last sigmoid layer averages 0.5 up to the units' standard error."""
    config = lab.get("C16").config("test")
    means, unit_se = [], []
    for s in _seeds(6):
        model, X = c16.network_and_inputs("sigmoid", "std 0.01", config, s)
        h = diagnostics.layer_outputs(model, X)[-1][1]
        means.append(h.mean())
        unit_se.append(h.mean(axis=0).std(ddof=1) / math.sqrt(h.shape[1]))
    assert max(unit_se) < 0.003  # the constant's comment: about 0.0013 per seed
    tol = c16.COLLAPSED_SIGMOID_MEAN_TOL
    # One seed (the test profile) is the worst case; saturation would sit 0.5 away.
    check_band(0.5 - tol, 0.5 + tol, 0.5, np.array(means), 1, faults=(0.0, 1.0))


# --- P1 -----------------------------------------------------------------------------------------
def _tanh_std_mean_field(P: np.ndarray, weight_variances: list[float]) -> list[float]:
    """The pooled std per tanh layer at infinite width, sample by sample: a sample's
    pre-activation variance is n Var[w] times its input's mean square; tanh is odd, so the
    pooled mean is 0 and the pooled variance the mean square."""
    q = np.mean(np.square(P, dtype=np.float64), axis=1)
    stds = []
    for wv in weight_variances:
        mf = [p03.mean_field("tanh", float(m2), 1, weight_variance=wv) for m2 in q]
        q = np.array([m["var"][0] + m["mean"][0] ** 2 for m in mf])
        stds.append(math.sqrt(q.mean()))
    return stds


def test_p1_tanh_factor_bands_hold_the_prediction_and_the_scatter():
    claim = lab.get("P1")
    for profile in PROFILES:
        config = claim.config(profile)
        X, y, _, _ = digits_data(config, 0)
        probe = X[: config["probe"]]
        n_in, width, depth = X.shape[1], config["width"], config["tanh_depth"]
        # n Var[w] per layer: standard 1/3 everywhere; Glorot 2 n_in / (n_in + n_out).
        glorot = [2 * n_in / (n_in + width)] + [1.0] * (depth - 1)
        expected = {
            "standard": per_layer_factor(_tanh_std_mean_field(probe, [1 / 3] * depth)),
            "normalized": per_layer_factor(_tanh_std_mean_field(probe, glorot)),
        }
        # The constants' comment: sqrt(1/3) = 0.577 squashed a little by tanh, and 0.91.
        assert expected["standard"] == pytest.approx(0.57, abs=0.01)
        assert expected["normalized"] == pytest.approx(0.91, abs=0.01)
        logs = {"standard": [], "normalized": []}
        for s in _seeds():
            out = p01.tanh_at_init(config, s, X, y)
            for label in logs:
                logs[label].append(math.log(per_layer_factor(out[label]["std"])))
        assert np.std(logs["standard"], ddof=1) < 0.06  # the comment: about 0.04
        e_std, e_norm = (math.log(expected[k]) for k in ("standard", "normalized"))
        n = config["tanh_seeds"]
        high = math.log(p01.STANDARD_FACTOR_MAX)
        check_band(-math.inf, high, e_std, logs["standard"], n, faults=(e_norm,))
        lo, hi = map(math.log, p01.NORMALIZED_FACTOR_RANGE)
        check_band(lo, hi, e_norm, logs["normalized"], n, faults=(e_std,))


def test_p1_first_layer_mean_tolerance():
    """At init the first sigmoid layer averages 0.5 up to the units' standard error."""
    config = lab.get("P1").config("test")
    X, _, _, _ = digits_data(config, 0)
    probe = X[: config["probe"]]
    offsets, unit_se = [], []
    for s in _seeds(6):
        h = diagnostics.layer_outputs(p01.sigmoid_net(config, s, X.shape[1]), probe)[0][1]
        offsets.append(abs(float(h.mean()) - 0.5))
        unit_se.append(h.mean(axis=0).std(ddof=1) / math.sqrt(h.shape[1]))
    assert max(unit_se) < 0.02  # the constant's comment: about 0.01
    bound = max(offsets) + 3 * max(unit_se)
    assert p01.BOTTOM_MEAN_TOL >= MARGIN * bound
    assert 0.5 - p01.TOP_SATURATED_MEAN - p01.BOTTOM_MEAN_TOL > 3 * max(unit_se)  # vs saturated


# --- P2 -----------------------------------------------------------------------------------------
def test_p2_factor_and_ratio_bands_hold_the_finite_width_scatter():
    claim = lab.get("P2")
    by_shape: dict[tuple[int, int], list[str]] = {}
    for profile in PROFILES:
        c = claim.config(profile)
        by_shape.setdefault((c["depth"], c["width"]), []).append(profile)
    for (depth, width), profiles in by_shape.items():
        # The scatter comes from the weights: 100 samples measure it as well as 2000 (the
        # sds at 100 and 200 samples agree within 2%), so the repeats use at most 100.
        config = {"depth": depth, "width": width, "n_samples": 100}
        log_factor, log_ratio = [], []
        for s in _seeds():
            std = p02.pre_activation_stds("he", config, s)
            log_factor.append(math.log(per_layer_factor(np.square(std), first=1)))
            log_ratio.append(math.log(std[-1] / std[1]))
        xavier = p02.pre_activation_stds("xavier", config, s)
        k = depth - 2  # steps from layer 2 to the last
        np.testing.assert_allclose(
            math.log(per_layer_factor(np.square(xavier), first=1)),
            log_factor[-1] + math.log(0.5),
            atol=1e-4,  # the same draws scaled by 1/sqrt(2), in float32
        )
        half, missing_2 = math.log(0.5), k / 2 * math.log(0.5)
        for profile in profiles:
            n = claim.config(profile)["n_seeds"]
            lo, hi = map(math.log, p02.HE_FACTOR_RANGE)
            check_band(lo, hi, 0.0, np.array(log_factor), n, faults=(half,))
            lo, hi = map(math.log, p02.XAVIER_FACTOR_RANGE)
            check_band(lo, hi, half, np.array(log_factor) + half, n, faults=(0.0,))
            lo, hi = map(math.log, p02.HE_RATIO_RANGE)
            check_band(lo, hi, 0.0, np.array(log_ratio), n, faults=(missing_2,))


# --- P3 -----------------------------------------------------------------------------------------
def _selu(lam: float, alpha: float):
    return lambda x: lam * np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))


#: SELU's constants (Klambauer et al. 2017, eq. 14).
LAMBDA, ALPHA = 1.0507009873554805, 1.6732632423543772


def _selu_fault_variances() -> list[float]:
    """The variance SELU layers settle at (infinite width) after a plausible slip: lambda = 1,
    or weights of variance 0.9/n or 1.1/n instead of 1/n."""
    slips = ((_selu(1.0, ALPHA), 1.0), (_selu(LAMBDA, ALPHA), 0.9), (_selu(LAMBDA, ALPHA), 1.1))
    return [float(p03.mean_field(f, 1.0, 200, weight_variance=wv)["var"][-1]) for f, wv in slips]


def test_p3_faults_move_the_selu_fixed_point_beyond_the_tolerance():
    """The right constants give (0, 1); the slips land at least 2 tolerances away."""
    right = p03.mean_field(_selu(LAMBDA, ALPHA), 1.0, 200)
    assert abs(right["mean"][-1]) < 1e-4 and abs(right["var"][-1] - 1) < 1e-4
    faults = _selu_fault_variances()
    assert faults == pytest.approx([0.63, 0.68, 1.41], abs=0.01)  # the constants' comment
    assert all(abs(v - 1) > 2 * p03.SELU_VAR_TOL for v in faults)


def test_p3_selu_tail_bands_hold_the_finite_width_scatter():
    claim = lab.get("P3")
    faults = tuple(_selu_fault_variances())
    for profile, repeats in (("test", REPEATS), ("quick", 8)):
        config = claim.config(profile)
        n, depth = config["n_seeds"], config["depth"]
        for start in map(tuple, config["starts"]):
            tail_mean, tail_var = [], []
            for s in _seeds(repeats):
                m = p03.layer_moments("selu", start, config, s)
                tail_mean.append(m["mean"][p03.tail(depth)].mean())
                tail_var.append(m["var"][p03.tail(depth)].mean())
            tol_m, tol_v = p03.SELU_MEAN_TOL, p03.SELU_VAR_TOL
            check_band(-tol_m, tol_m, 0.0, np.array(tail_mean), n)
            check_band(1 - tol_v, 1 + tol_v, 1.0, np.array(tail_var), n, faults=faults)
            # SELU sits far inside the "does not self-normalize" threshold of the others.
            spread_v = abs(np.mean(tail_var) - 1) + 3 * np.std(tail_var, ddof=1) / math.sqrt(n)
            assert MARGIN * spread_v < p03.OTHER_VAR_OFF_MIN


def test_p3_elu_and_tanh_stay_far_from_variance_1():
    config = lab.get("P3").config("test")
    depth = config["depth"]
    for start in map(tuple, config["starts"]):
        for act in ("elu", "tanh"):
            predicted = p03.mean_field(act, start[0] ** 2 + start[1], depth)["var"][-1]
            measured = [p03.layer_moments(act, start, config, s)["var"][-1] for s in _seeds(4)]
            assert np.mean(measured) == pytest.approx(predicted, abs=0.01)
            off = abs(np.mean(measured) - 1) - 3 * np.std(measured, ddof=1)  # one seed's worst
            assert off > MARGIN * p03.OTHER_VAR_OFF_MIN


def test_the_backgrounds_quote_the_tolerances_the_rules_use():
    # The backgrounds are translated texts (gettext looks them up as they stand), so they write
    # the constants' values out: a changed constant must change its background too.
    p1, p2, p3 = (lab.get(i).context for i in ("P1", "P2", "P3"))
    assert f"falls below {p01.TOP_SATURATED_MEAN} while" in p1
    assert f"stays within {p01.BOTTOM_MEAN_TOL} of 0.5" in p1
    assert f"below {p01.STANDARD_FACTOR_MAX} for the standard init" in p1
    assert f"within {p01.NORMALIZED_FACTOR_RANGE} for the normalized one" in p1
    assert f"within {p02.HE_FACTOR_RANGE} and" in p2
    assert f"within 1/{1 / p02.HE_RATIO_RANGE[0]:g} to {p02.HE_RATIO_RANGE[1]:g};" in p2
    assert f"Xavier's factor within {p02.XAVIER_FACTOR_RANGE}." in p2
    assert f"|mean| <= {p03.SELU_MEAN_TOL} and |variance - 1| <= {p03.SELU_VAR_TOL}," in p3
    assert f"off 1 by more than {p03.OTHER_VAR_OFF_MIN} from every start" in p3
    # ... and P3's labels name each start of the full profile, and its second part the others.
    labels = lab.get("P3").labels
    for k, (mu, var) in enumerate(lab.get("P3").profiles["full"]["starts"]):
        assert f"inputs of mean {mu:g} and variance {var:g} [" in labels[f"selu_tail_var_start{k}"]
    others = [a for a in p03.P3_ACTIVATIONS if a != "selu"]
    assert p03.PART_OTHERS.startswith(" and ".join(others) + " do not")
