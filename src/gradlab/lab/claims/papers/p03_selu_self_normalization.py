"""P3: Klambauer et al. (2017): SELU nets self-normalize to mean 0, variance 1 through depth."""

from __future__ import annotations

from typing import Any

import numpy as np

from gradlab import activations
from gradlab.lab.claim import Claim, Verdict
from gradlab.lab.kit.figures import INITIALIZER_COLORS, figure
from gradlab.lab.kit.probes import depth_profile
from gradlab.lab.kit.seeds import spawn_seeds, spread
from gradlab.model import mlp

#: SELU counts as normalized when, over the last quarter of the layers, the mean is within
#: this of 0 ...
SELU_MEAN_TOL = 0.1
#: ... and the variance within this of 1, from every starting point.
SELU_VAR_TOL = 0.15
#: Another activation "does not self-normalize" when its last-layer variance is off 1 by more.
OTHER_VAR_OFF_MIN = 0.5
P3_ACTIVATIONS = ("selu", "elu", "tanh")
#: The standard-normal grid the mean-field map integrates on.
_Z = np.linspace(-10.0, 10.0, 8001)
_PDF = np.exp(-0.5 * _Z**2) / np.sqrt(2 * np.pi) * (_Z[1] - _Z[0])


def mean_field(act_name: str, second_moment: float, depth: int) -> dict[str, np.ndarray]:
    """Predict the pooled mean and variance per layer for infinitely wide LeCun-normal layers.

    With ``W ~ N(0, 1/n)`` a pre-activation is ``N(0, q)``, ``q`` the second moment of the
    layer's input pooled over units; then ``q' = E[f(z)²]``, mean ``E[f(z)]``, variance
    ``q' - E[f(z)]²`` (numerical integration on a grid).
    """
    act = activations.get(act_name)
    q, means, variances = float(second_moment), [], []
    for _ in range(depth):
        h = act(np.sqrt(q) * _Z)
        m, q = float(np.sum(h * _PDF)), float(np.sum(h * h * _PDF))
        means.append(m)
        variances.append(q - m * m)
    return {"mean": np.array(means), "var": np.array(variances)}


def _p3_experiment(config: dict[str, Any], seed: int) -> dict[str, Any]:
    depth, width = config["depth"], config["width"]
    starts = [tuple(map(float, s)) for s in config["starts"]]
    seeds = spawn_seeds(seed, config["n_seeds"])
    runs: dict[str, Any] = {}
    for k, (mu, var) in enumerate(starts):
        key = f"start{k}"
        runs[key] = {"input_mean": mu, "input_var": var}
        for act in P3_ACTIVATIONS:
            means, variances = [], []
            for s in seeds:
                X = mu + np.sqrt(var) * np.random.default_rng(s).standard_normal(
                    (config["n_samples"], width)
                )
                # ``depth`` layers Dense(width, act), the last one as the "output".
                model = mlp(
                    [width] * (depth - 1), width, input_dim=width, activation=act,
                    output_activation=act, init="lecun_normal", seed=s, dtype="float32",
                )
                prof = depth_profile(model, X.astype(np.float32))
                means.append(prof["mean"])
                variances.append(prof["var"])
            tail = slice(depth - max(1, depth // 4), depth)
            runs[key][act] = {
                "mean": spread(means),
                "var": spread(variances),
                "tail_mean": float(np.mean(np.asarray(means)[:, tail])),
                "tail_var": float(np.mean(np.asarray(variances)[:, tail])),
                "mean_field": mean_field(act, mu * mu + var, depth),
            }
    return {"depth": depth, "width": width, "n_seeds": len(seeds), "starts": starts, "runs": runs}


def _p3_verdict(r: dict[str, Any]) -> Verdict:
    runs = list(r["runs"].values())
    selu_mean = max(abs(run["selu"]["tail_mean"]) for run in runs)
    selu_var = max(abs(run["selu"]["tail_var"] - 1) for run in runs)
    others = {
        act: min(abs(float(run[act]["var"]["mean"][-1]) - 1) for run in runs)
        for act in P3_ACTIVATIONS
        if act != "selu"
    }
    numbers = {
        "selu_tail_max_abs_mean": selu_mean,
        "selu_tail_max_abs_var_minus_1": selu_var,
        **{f"{act}_last_min_abs_var_minus_1": v for act, v in others.items()},
        **{f"selu_tail_var_start{k}": run["selu"]["tail_var"] for k, run in enumerate(runs)},
    }
    selu_ok = selu_mean <= SELU_MEAN_TOL and selu_var <= SELU_VAR_TOL
    others_off = [act for act, v in others.items() if v > OTHER_VAR_OFF_MIN]
    starts = ", ".join(f"({mu:g}, {var:g})" for mu, var in r["starts"])
    measured = (
        f"From inputs with (mean, variance) {starts}, over the last quarter of {r['depth']} "
        f"LeCun-normal layers of width {r['width']}, SELU's mean stays within {selu_mean:.3f} of "
        f"0 and its variance within {selu_var:.3f} of 1; in the last layer the variance is off "
        f"1 by at least " + ", ".join(f"{v:.2f} for {a}" for a, v in others.items()) + "."
    )
    if selu_ok and len(others_off) == len(others):
        return Verdict("confirmed", measured, numbers)
    if selu_ok:
        return Verdict(
            "nuanced",
            f"SELU normalizes, but so does "
            f"{', '.join(a for a in others if a not in others_off)}. {measured}",
            numbers,
        )
    return Verdict("refuted", f"SELU does not reach mean 0 and variance 1. {measured}", numbers)


def _p3_figures(r: dict[str, Any]) -> dict[str, Any]:
    fig, axes = figure(2, width=4.8)
    styles = ("-", "--", "-.", ":")
    x = np.arange(1, r["depth"] + 1)
    for k, run in enumerate(r["runs"].values()):
        for act in P3_ACTIVATIONS:
            for ax, key in zip(axes, ("mean", "var"), strict=True):
                ax.plot(
                    x,
                    run[act][key]["mean"],
                    styles[k % len(styles)],
                    color=INITIALIZER_COLORS[act],
                    label=f"{act}, input ({run['input_mean']:g}, {run['input_var']:g})",
                )
                ax.plot(x, run[act]["mean_field"][key], ".", color=INITIALIZER_COLORS[act], ms=2.5)
    axes[0].axhline(0, color="k", lw=0.6)
    axes[1].axhline(1, color="k", lw=0.6)
    axes[0].set(title="Mean of the outputs per layer", xlabel="layer", ylabel="mean")
    axes[1].set(
        title="Variance of the outputs per layer", xlabel="layer", ylabel="variance", yscale="log"
    )
    for ax in axes:
        ax.grid(alpha=0.3)
    axes[1].legend(fontsize=7)
    fig.suptitle(
        f"LeCun-normal init, width {r['width']}: lines measured (mean of "
        f"{r['n_seeds']} seeds), dots the infinite-width prediction"
    )
    return {"mean_variance": fig}


CLAIM = Claim(
    id="P3",
    title="Klambauer et al.: SELU self-normalizes to mean 0, variance 1",
    statement=(
        "With LeCun-normal weights, SELU layers drive the mean of the activations to 0 "
        "and their variance to 1 as depth grows, whatever mean and variance the inputs "
        "start from; ELU and tanh do not hold the variance at 1."
    ),
    sources=("paper:Klambauer et al. 2017", "003"),
    experiment=_p3_experiment,
    verdict=_p3_verdict,
    figures=_p3_figures,
    profiles={
        "test": {
            "depth": 24,
            "width": 128,
            "n_samples": 200,
            "n_seeds": 1,
            "starts": [[1.0, 3.0], [-0.5, 0.2]],
        },
        "quick": {
            "depth": 32,
            "width": 256,
            "n_samples": 400,
            "n_seeds": 2,
            "starts": [[1.0, 3.0], [-0.5, 0.2]],
        },
        "full": {
            "depth": 64,
            "width": 256,
            "n_samples": 1000,
            "n_seeds": 5,
            "starts": [[1.0, 3.0], [-0.5, 0.2], [0.0, 10.0]],
        },
    },
    context=(
        "The fixed point of Klambauer et al. (2017), Theorem 1, at (mean, variance) = "
        "(0, 1). Measured on Gaussian inputs with the given mean and variance through "
        "equal-width Dense layers with zero biases and LeCun-normal kernels (float32, no "
        "training); mean and variance pooled over samples and units, per layer, from "
        "diagnostics.layer_outputs. With random weights the input mean reaches a layer only "
        "through the second moment, so the dots show the infinite-width map q' = "
        "E[f(z)^2], z ~ N(0, q), started at q = mean^2 + variance. Verdict rule: over the "
        f"last quarter of the layers and every start SELU's |mean| <= {SELU_MEAN_TOL} and "
        f"|variance - 1| <= {SELU_VAR_TOL}, and the last-layer variance of ELU and tanh "
        f"off 1 by more than {OTHER_VAR_OFF_MIN} from every start: confirmed; SELU alone "
        "holding: nuanced; SELU failing: refuted. Article 003 lists SELU in the ReLU "
        "family but does not describe this property."
    ),
)
