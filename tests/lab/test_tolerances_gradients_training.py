"""Where the tolerances of the gradient and training claims come from, checked on their inputs.

Each test computes the bound its error analysis gives, on the inputs the claim really uses, and
shows the tolerance sits above that bound with a margin, and below the size of a real fault:

* C8 adds per-sample gradients in float64 and compares them with the engine's float32 batch
  gradient: rounding of a sum of n products (γ_n, Higham §3.1);
* C8's control activations are checked against a central difference: truncation O(h²)·|f'''|
  plus rounding ~eps·|f|/h;
* C14, C15 and C7 compare means over seeds of a test accuracy or an epoch count: sampling
  standard error (binomial for an accuracy on the held-out images), and for C7 the resolution
  of the error checks.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

from gradlab import lab, optimizers
from gradlab.lab.claims.gradients import c03_vanishing_gradients as c03
from gradlab.lab.claims.gradients import c06_dying_relu as c06
from gradlab.lab.claims.gradients import c08_zero_centred_outputs as c08
from gradlab.lab.claims.training import c07_relu_trains_faster as c07
from gradlab.lab.claims.training import c14_optimizers_adam_default as c14
from gradlab.lab.claims.training import c15_batch_size as c15
from gradlab.lab.kit.data import digits_data
from gradlab.model import mlp

# --- C3, C6: thresholds on estimates over seeds and over units ---------------------------------


def test_c3_thresholds_clear_the_seed_noise():
    r = lab.get("C3").run("test", seed=0).results
    nets, n = r["nets"], r["n_seeds"]

    def mean_se(key):
        ratio = nets[key]["log10_ratio"]
        # the spread of the seeds, with a floor of 0.05 decades (two seeds can agree by chance)
        return ratio["mean"], max(ratio["std"], 0.05) / np.sqrt(n)

    sig, se_sig = mean_se(c03.C3_SIGMOID)
    tanh, se_tanh = mean_se(c03.C3_TANH)
    relu, se_relu = mean_se(c03.C3_RELU)
    assert -c03.C3_VANISH_DECADES - sig >= 3 * se_sig
    assert (tanh - sig) - c03.C3_TANH_MARGIN_DECADES >= 3 * np.hypot(se_sig, se_tanh)
    assert c03.C3_RELU_BAND_DECADES - abs(relu) >= 3 * se_relu


def test_c6_shares_clear_the_sampling_of_units():
    r = lab.get("C6").run("test", seed=0).results
    units = r["width"] * r["depth"]
    for cond in c06.C6_KILLERS:
        dead = r["results"][cond]["relu"]["dead_for_good"]["mean"]
        se = np.sqrt(max(dead * (1 - dead), 0.05) / units)  # binomial over the hidden units
        assert dead - c06.C6_DEAD_MIN >= 3 * se


# --- C8: per-sample gradients against the engine's batch gradient ----------------------------


def _c8_net(act: str, config: dict) -> object:
    init = "he_normal" if act == "relu" else "glorot_uniform"
    model = mlp(
        [config["width"]] * config["depth"],
        10,
        input_dim=64,
        activation=c08._activation(act),
        init=init,
        seed=0,
    )
    model.compile(optimizer=optimizers.SGD(lr=config["lr"]), loss="cross_entropy")
    return model


def _engine_gradients(model, X, y) -> list[np.ndarray]:
    probe = copy.deepcopy(model)
    out = probe.forward(X, training=True, logits=probe.fused)
    probe.loss.forward(out, y)
    grad = probe.loss.backward()
    for layer in reversed(probe.layers):
        grad = layer.backward(grad)
    return [layer.grads["W"] for layer in probe.layers]


@pytest.mark.parametrize("profile", ["test", "quick"])
def test_c8_sum_tolerance_above_rounding_below_a_wrong_derivative(profile):
    config = c08.CLAIM.config(profile)
    X, y, _, _ = digits_data(config, 0)
    X, y = X[: config["n_probe"]], y[: config["n_probe"]]
    for act in config["activations"]:
        model = _c8_net(act, config)
        parts = c08._per_sample_parts(model, X, y)
        for (x, delta), engine in zip(parts, _engine_gradients(model, X, y), strict=True):
            n, u = len(x), np.finfo(engine.dtype).eps / 2
            scale = np.abs(x.astype(np.float64)).T @ np.abs(delta.astype(np.float64))
            error = np.abs(x.astype(np.float64).T @ delta - engine)
            # The analysis: the engine's float32 sum is off by at most γ_n Σ|x||δ| (n·u), a
            # few u more for its own δ. On the claim's nets the error stays inside that bound...
            bound = (n + 2) * u * scale
            assert np.all(error <= bound)
            # ... the check allows C8_SUM_SLACK times the bound: a margin of 2 at least ...
            assert c08.C8_SUM_SLACK >= 2
            assert c08.sum_mismatch(x, delta, engine) <= 1 / c08.C8_SUM_SLACK
        # ... and a real fault, δ without the activation's derivative f'(z), is caught by
        # orders of magnitude (the first hidden layer: x are the pixels, δ = g instead of f'·g).
        if act == "relu":
            continue  # ReLU's f' is 0 or 1: dropping it changes only the inactive units
        (x, delta), engine = parts[0], _engine_gradients(model, X, y)[0]
        first = model.layers[0]
        z = x @ first.params["W"] + first.params["b"]
        without_derivative = delta / first.activation.derivative(z)
        assert c08.sum_mismatch(x, without_derivative, engine) > 100


#: The central difference of ``test_c8_shifted_activations_keep_the_slope``.
CENTRAL_H, CENTRAL_ATOL = 1e-6, 1e-9


def test_c8_central_difference_tolerance():
    x = np.linspace(-4, 4, 81)
    centred = c08.Shifted("sigmoid", -0.5)
    # Truncation: h²/6 · max|f'''|; f = sigmoid - 0.5, |f'''| <= 1/8 (its maximum, at 0).
    fine = np.linspace(-4, 4, 8001)
    s = 1 / (1 + np.exp(-fine))
    third = s * (1 - s) * (1 - 6 * s + 6 * s**2)
    assert np.abs(third).max() <= 1 / 8
    truncation = CENTRAL_H**2 / 6 * np.abs(third).max()
    # Rounding: sigmoid is evaluated to about eps (its values are at most 1) at both points,
    # and x ± h is itself rounded by eps/2·|x ± h|, which moves f by f'·that; both over 2h.
    eps, slope = np.finfo(float).eps, np.abs(centred.derivative(x)).max()
    evaluation = 2 * eps * 1.0 / (2 * CENTRAL_H)
    argument = slope * 2 * (eps / 2) * (np.abs(x).max() + CENTRAL_H) / (2 * CENTRAL_H)
    bound = truncation + evaluation + argument
    numeric = (centred(x + CENTRAL_H) - centred(x - CENTRAL_H)) / (2 * CENTRAL_H)
    assert np.abs(numeric - centred.derivative(x)).max() <= bound
    assert CENTRAL_ATOL >= 2.5 * bound  # the tolerance sits above the bound with margin
    # A real fault: the derivative of the unshifted tanh(x) in place of tanh(x/2)/2's.
    wrong = 1 - np.tanh(x) ** 2
    assert np.abs(numeric - wrong).max() > 1e6 * CENTRAL_ATOL


# --- C14, C15: test accuracy, a mean over seeds -----------------------------------------------


def _accuracy_se(n_test: int, n_seeds: int, p: float) -> float:
    """Binomial standard error of a test accuracy ``p``, averaged over ``n_seeds`` runs."""
    return float(np.sqrt(p * (1 - p) / (n_test * n_seeds)))


@pytest.mark.parametrize("profile", ["quick", "full"])
def test_c14_tolerance_above_sampling_noise(profile):
    config = c14.CLAIM.config(profile)
    _, _, _, y_test = digits_data(config, 0)
    # Adam's default is compared with the best of any optimizer: two means over the seeds of
    # test accuracies near 0.95 on the held-out images. The standard error of their difference:
    se = np.sqrt(2) * _accuracy_se(len(y_test), config["n_seeds"], 0.95)
    allowed = c14.TOLERANCE * 0.95  # what 'within TOLERANCE of the best' allows at 0.95
    assert allowed >= 3 * se
    # A real fault, an optimizer or rate that does not train, is tens of points below the best
    # (chance is 0.1); the tolerance stays well under it.
    assert allowed < 0.2


@pytest.mark.parametrize("profile", ["quick", "full"])
def test_c15_margin_above_sampling_noise(profile):
    config = c15.CLAIM.config(profile)
    _, _, _, y_test = digits_data(config, 0)
    # Smallest against largest batch: two means over the seeds of accuracies near 0.93.
    se = np.sqrt(2) * _accuracy_se(len(y_test), config["n_seeds"], 0.93)
    assert c15.ACC_MARGIN >= 3 * se
    assert c15.ACC_MARGIN < 0.2  # well below the gap of a batch that did not train


# --- C7: epochs to a target error -------------------------------------------------------------


@pytest.mark.parametrize("profile", ["quick", "full"])
def test_c7_faster_ratio_above_the_resolution_of_the_error_checks(profile):
    config = c07.CLAIM.config(profile)
    X, y, _, _ = digits_data(config, 0)
    steps = -(-len(X) // config["batch_size"])
    # The error is checked every eval_every steps: a run reaches the target at most that many
    # steps before it is seen, so its epochs come out late by up to `resolution`, and a ratio of
    # two runs of at least T epochs is off by up to about resolution / T.
    resolution = config["eval_every"] / steps
    # The claim's own runs at the shared learning rate, where ReLU and tanh are compared.
    lengths = []
    for act, init in (("relu", "glorot_uniform"), ("tanh", "glorot_uniform")):
        run = c07._c7_run(config, (X, y), act, init, config["lr"], 0, config["max_epochs"])
        lengths.append(run["epochs_to_target"])
    worst = resolution / min(lengths)
    assert c07.FASTER_RATIO - 1 >= 1.5 * worst
    # A real speed-up, the article's 6x, is far above the 'not faster' line.
    assert c07.ARTICLE_SPEEDUP > 3 * c07.FASTER_RATIO
