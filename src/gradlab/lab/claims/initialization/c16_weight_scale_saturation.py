"""C16: the initial weight scale decides whether activations saturate, collapse or spread well."""

from __future__ import annotations

from typing import Any

import numpy as np

from gradlab import activations, diagnostics, initializers
from gradlab.i18n import N_, _, ngettext
from gradlab.lab.claim import Claim, Verdict
from gradlab.lab.kit.figures import INITIALIZER_COLORS, figure, layer_band_panel
from gradlab.lab.kit.seeds import spawn_seeds, spread
from gradlab.lab.kit.verdicts import verdict_from_parts
from gradlab.model import Sequential, mlp

# --- C16: activation histograms per initializer ------------------------------------------------
#: The four initializations of the book's experiment, by label.
C16_INITS = {
    "std 1": initializers.RandomNormal(0.0, 1.0),
    "std 0.01": initializers.RandomNormal(0.0, 0.01),
    "xavier": initializers.get("glorot_normal"),
    "he": initializers.get("he_normal"),
}
#: The initializations as the figures and the table name them (the keys are the results' keys).
C16_INIT_WORDS = {
    "std 1": N_("std 1"),
    "std 0.01": N_("std 0.01"),
    "xavier": N_("xavier"),
    "he": N_("he"),
}
C16_ACTIVATIONS = ("sigmoid", "tanh", "relu")
#: Saturated: most outputs (>= this fraction) lie within 5% of the output range from a bound.
#: A definition, not a measurement error: with std 1 the sigmoid layers put about two thirds of
#: their outputs there, with Xavier none.
SATURATED_NEAR_BOUNDS_MIN = 0.5
#: Collapsed: the last layer's outputs have a standard deviation below this. Also a definition,
#: set 4x above what std 0.01 predicts for sigmoid (each unit sums 100 inputs near 0.5 with
#: weights of std 0.01: a pre-activation std of 0.01 * sqrt(100 * 0.25) = 0.05, times the slope
#: 1/4: 0.0125; tanh and ReLU shrink by 0.1 per layer) and below Xavier's healthy 0.12.
COLLAPSED_STD_MAX = 0.05
#: Collapsed sigmoid outputs sit near 0.5: their mean is within this of it. Tolerance: with zero
#: biases and weights symmetric about 0 the expected mean is exactly 0.5; the measured mean over
#: 1000 samples x 100 units varies through the units' own means, whose standard error
#: sd(unit means) / sqrt(100) is about 0.0013 per seed (tests/lab/test_tolerances_init_norm_
#: papers.py computes it): 0.05 is over 30 standard errors, and 0.45 short of saturation (0 or 1).
COLLAPSED_SIGMOID_MEAN_TOL = 0.05
#: Healthy: a last-layer std of at least this, and at most this fraction of saturated units.
HEALTHY_STD_MIN = 0.08
HEALTHY_SATURATED_MAX = 0.05
#: ReLU with He init keeps its spread: last/first-layer std ratio within these bounds, around the
#: expected 1. Tolerance: at width 100 each layer's fresh weights multiply the spread by a random
#: factor, so over the 4 steps from layer 1 to layer 5 the log of the ratio has a seed-to-seed sd
#: of about 0.13 (finite-width sampling; the test measures it over 16 seeds). Its standard error
#: with n seeds is 0.13 / sqrt(n); the band 1 x exp(+-ln 2) = exp(+-0.69) is 5 standard errors even
#: with one seed (the test profile), while the fault it must catch -- a variance missing its
#: factor 2, i.e. Xavier's 2^(-4/2) = 0.25 -- lies at ln 4 = 1.39, outside.
HE_RATIO_RANGE = (0.5, 2.0)
#: ... while Xavier's shrinks with depth: its ratio, expected 2^(-4/2) = 0.25 (the variance halves
#: at each of the 4 steps), falls below this. The same analysis: 0.5 is ln 2 = 0.69 above 0.25 in
#: log, 5 standard errors at one seed, and below He's 1 (an init that does not shrink).
XAVIER_RELU_RATIO_MAX = 0.5


def _near_bounds(act_name: str, h: np.ndarray) -> float:
    """Fraction of outputs within 5% of the output range from either bound (bounded acts)."""
    low, high = activations.get(act_name).info.output_range
    margin = 0.05 * (high - low)
    return float(np.mean((h < low + margin) | (h > high - margin)))


def _histograms(act_name: str, outputs: list[np.ndarray], bins: int) -> dict[str, Any]:
    """Counts per layer over a range shared by the layers (ReLU: its positive outputs)."""
    if act_name == "relu":
        positive = np.concatenate([h[h > 0] for h in outputs])
        top = float(np.quantile(positive, 0.995)) if positive.size else 1.0
        edges = np.linspace(0.0, top, bins + 1)
        counts = [np.histogram(h[h > 0], edges)[0] for h in outputs]
    else:
        low, high = activations.get(act_name).info.output_range
        edges = np.linspace(low, high, bins + 1)
        counts = [np.histogram(h, edges)[0] for h in outputs]
    return {
        "edges": edges,
        "counts": np.array(counts, dtype=np.int64),
        "frac_zero": np.array([float(np.mean(h == 0)) for h in outputs]),
    }


def network_and_inputs(
    act: str, init: str, config: dict[str, Any], seed: int
) -> tuple[Sequential, np.ndarray]:
    """The net of one run and its inputs: ``depth`` layers Dense(width, ``act``) with the
    ``init`` of :data:`C16_INITS` (the last layer as the "output"), and ``n_samples``
    standard-normal inputs of ``width`` features, both from ``seed``."""
    n, width, depth = config["n_samples"], config["width"], config["depth"]
    X = np.random.default_rng(seed).standard_normal((n, width))
    model = mlp(
        [width] * (depth - 1),
        width,
        input_dim=width,
        activation=act,
        output_activation=act,
        init=C16_INITS[init],
        seed=seed,
        dtype="float64",
    )
    return model, X


def _c16_experiment(config: dict[str, Any], seed: int) -> dict[str, Any]:
    n, width, depth = config["n_samples"], config["width"], config["depth"]
    seeds = spawn_seeds(seed, config["n_seeds"])
    stats: dict[str, Any] = {}
    hists: dict[str, Any] = {}
    for act in C16_ACTIVATIONS:
        stats[act], hists[act] = {}, {}
        for label in C16_INITS:
            per_seed: dict[str, list] = {"std": [], "mean": [], "frac_saturated": []}
            if act != "relu":
                per_seed["near"] = []
            for k, s in enumerate(seeds):
                model, X = network_and_inputs(act, label, config, s)
                outputs = [h for _, h in diagnostics.layer_outputs(model, X)]
                snap = diagnostics.snapshot(model, X)
                per_seed["std"].append([e["act_std"] for e in snap])
                per_seed["mean"].append([e["act_mean"] for e in snap])
                per_seed["frac_saturated"].append([e["frac_saturated"] for e in snap])
                if "near" in per_seed:
                    per_seed["near"].append([_near_bounds(act, h) for h in outputs])
                if k == 0:
                    hists[act][label] = _histograms(act, outputs, config["bins"])
            stats[act][label] = {key: spread(v) for key, v in per_seed.items()}
    rows = [
        [
            act,
            label,
            float(s["std"]["mean"][0]),
            float(s["std"]["mean"][-1]),
            float(s["mean"]["mean"][-1]),
            float(s["frac_saturated"]["mean"][-1]),
            float(s["near"]["mean"][-1]) if "near" in s else None,
        ]
        for act in C16_ACTIVATIONS
        for label, s in stats[act].items()
    ]
    return {
        "n_samples": n,
        "width": width,
        "depth": depth,
        "n_seeds": len(seeds),
        "stats": stats,
        "histograms": hists,
        "tables": [
            {
                # Fixed texts, translated where the report shows them (the sizes are in the
                # configuration beside the table).
                "title": N_("Last hidden layer (mean over the seeds)"),
                "columns": [
                    N_("activation"),
                    N_("init"),
                    N_("std layer 1"),
                    N_("std last layer"),
                    N_("mean last layer"),
                    N_("frac saturated"),
                    N_("frac near bounds"),
                ],
                "rows": rows,
            }
        ],
    }


def _last(r: dict[str, Any], act: str, init: str, key: str) -> float:
    return float(r["stats"][act][init][key]["mean"][-1])


def _c16_verdict(r: dict[str, Any]) -> Verdict:
    std = {(a, i): _last(r, a, i, "std") for a in C16_ACTIVATIONS for i in C16_INITS}
    first = {
        (a, i): float(r["stats"][a][i]["std"]["mean"][0])
        for a in C16_ACTIVATIONS
        for i in C16_INITS
    }
    near = _last(r, "sigmoid", "std 1", "near")
    sat_xavier = max(_last(r, a, "xavier", "frac_saturated") for a in ("sigmoid", "tanh"))
    sig_mean = _last(r, "sigmoid", "std 0.01", "mean")
    he_ratio = std["relu", "he"] / first["relu", "he"]
    xavier_ratio = std["relu", "xavier"] / first["relu", "xavier"]
    collapsed = max(std[a, "std 0.01"] for a in C16_ACTIVATIONS)
    xavier_std = min(std[a, "xavier"] for a in ("sigmoid", "tanh"))
    parts = {
        N_("weights of std 1 push most sigmoid outputs onto 0 and 1"): near
        >= SATURATED_NEAR_BOUNDS_MIN,
        N_(
            "weights of std 0.01 squeeze every layer's outputs into a narrow band (sigmoid near "
            "0.5)"
        ): collapsed < COLLAPSED_STD_MAX and abs(sig_mean - 0.5) < COLLAPSED_SIGMOID_MEAN_TOL,
        N_("Xavier init keeps a healthy spread for sigmoid and tanh"): sat_xavier
        <= HEALTHY_SATURATED_MAX
        and xavier_std >= HEALTHY_STD_MIN,
        N_("He init keeps the spread of ReLU outputs through depth, where Xavier's shrinks"): (
            HE_RATIO_RANGE[0] <= he_ratio <= HE_RATIO_RANGE[1]
            and xavier_ratio < XAVIER_RELU_RATIO_MAX
        ),
    }
    numbers = {
        "sigmoid_std1_frac_near_bounds": near,
        "sigmoid_std1_frac_saturated": _last(r, "sigmoid", "std 1", "frac_saturated"),
        "std001_max_last_std": collapsed,
        "sigmoid_std001_last_mean": sig_mean,
        "xavier_sigmoid_tanh_min_last_std": xavier_std,
        "xavier_sigmoid_tanh_max_frac_saturated": sat_xavier,
        "relu_he_std_ratio_last_first": he_ratio,
        "relu_xavier_std_ratio_last_first": xavier_ratio,
        "parts_holding": sum(parts.values()),
    }
    d = r["depth"]
    where = ngettext(
        "In layer {layer} (mean of {n} seed):",
        "In layer {layer} (mean of {n} seeds):",
        r["n_seeds"],
    ).format(layer=d, n=r["n_seeds"])
    found = _(
        "with weights of std 1, {near:.0%} of the sigmoid outputs lie within 0.05 of 0 or 1; "
        "with std 0.01 the outputs' std is at most {collapsed:.3f} for every activation and "
        "the sigmoid outputs average {sig_mean:.3f}; with Xavier the sigmoid and tanh outputs "
        "keep a std of at least {xavier_std:.3f}, with {sat_xavier:.1%} of units saturated. "
        "The std of ReLU outputs in layer {layer} over layer 1 is {he_ratio:.2f} with He and "
        "{xavier_ratio:.2f} with Xavier (expected 1 and {expected:.2f})."
    ).format(
        near=near,
        collapsed=collapsed,
        sig_mean=sig_mean,
        xavier_std=xavier_std,
        sat_xavier=sat_xavier,
        layer=d,
        he_ratio=he_ratio,
        xavier_ratio=xavier_ratio,
        expected=0.5 ** ((d - 1) / 2),
    )
    measured = f"{where} {found}"
    return verdict_from_parts(parts, measured, numbers, refute_when="more than half fail")


def _c16_histogram_figure(r: dict[str, Any]) -> Any:
    """One panel per (init, activation): the histogram of each layer, light to dark grey.

    Grey shades are the layers; the colour of a panel's title is its initializer.
    """
    depth = r["depth"]
    fig, axes = figure(len(C16_ACTIVATIONS), len(C16_INITS), width=2.85, height=2.2)
    shades = [str(0.75 - 0.75 * k / max(depth - 1, 1)) for k in range(depth)]
    for row, label in enumerate(C16_INITS):
        for col, act in enumerate(C16_ACTIVATIONS):
            ax = axes[row, col]
            h = r["histograms"][act][label]
            edges = np.asarray(h["edges"], dtype=np.float64)
            for k in range(depth):
                ax.stairs(
                    np.asarray(h["counts"][k]),
                    edges,
                    color=shades[k],
                    lw=1.2,
                    label=_("layer {layer}").format(layer=k + 1),
                )
            init = _(C16_INIT_WORDS[label])
            title = f"{act}, {init}"
            if act == "relu":
                title = _("{act}, {init} ({share:.0%} zeros in layer {layer})").format(
                    act=act, init=init, share=h["frac_zero"][-1], layer=depth
                )
            ax.set_title(title, fontsize=9, color=INITIALIZER_COLORS[label])
            ax.tick_params(labelsize=8)
            ax.ticklabel_format(axis="both", style="sci", scilimits=(-3, 3))
            ax.yaxis.get_offset_text().set_fontsize(8)
            ax.xaxis.get_offset_text().set_fontsize(8)
            if col == 0:
                ax.set_ylabel(_("count"), fontsize=9)
            if row == len(C16_INITS) - 1:
                xlabel = _("{act} output (> 0 only)") if act == "relu" else _("{act} output")
                ax.set_xlabel(xlabel.format(act=act), fontsize=9)
    handles, names = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, names, loc="outside lower center", ncol=depth, fontsize=9)
    fig.suptitle(
        _(
            "Outputs of {depth} layers of {width} units, {n_samples} Gaussian inputs (one seed)"
        ).format(depth=depth, width=r["width"], n_samples=r["n_samples"]),
        fontsize=11,
    )
    return fig


def _c16_figures(r: dict[str, Any]) -> dict[str, Any]:
    figs = {"histograms": _c16_histogram_figure(r)}
    fig, axes = figure(len(C16_ACTIVATIONS), width=2.85, height=2.9)
    for ax, act in zip(axes, C16_ACTIVATIONS, strict=True):
        layer_band_panel(
            ax,
            {label: r["stats"][act][label]["std"] for label in C16_INITS},
            ylabel=_("std of the layer's outputs"),
            title=act,
        )
        ax.set_xlabel(_("layer"))
        ax.get_legend().remove()
    handles, names = axes[0].get_legend_handles_labels()
    names = [_(C16_INIT_WORDS.get(name, name)) for name in names]
    fig.legend(handles, names, loc="outside lower center", ncol=len(names), fontsize=9)
    fig.suptitle(
        _("Spread of the outputs per layer (mean of {n} seed(s), band: their range)").format(
            n=r["n_seeds"]
        ),
        fontsize=11,
    )
    figs["spread"] = fig
    return figs


CLAIM = Claim(
    id="C16",
    title=N_("Weight scale decides saturation, collapse or a healthy spread"),
    statement=N_(
        "Weights drawn with standard deviation 1 push sigmoid outputs onto 0 and 1 "
        "(saturation); a standard deviation of 0.01 squeezes every layer's outputs into a "
        "narrow band (sigmoid near 0.5, tanh and ReLU near 0); Xavier initialization keeps "
        "a healthy spread for sigmoid and tanh, and He initialization does so for ReLU, "
        "where Xavier's spread shrinks with depth."
    ),
    sources=("001",),
    source_parts={
        "001": N_("section “4. Appendix”, note (3) ③ Weight Initialization"),
    },
    labels={
        "sigmoid_std1_frac_near_bounds": N_(
            "share of the last sigmoid layer's outputs within 0.05 "
            "of 0 or 1, weights of std 1 [fraction of outputs]"
        ),
        "sigmoid_std1_frac_saturated": N_(
            "share of saturated units (slope below 1% of its peak) in "
            "the last sigmoid layer, weights of std 1 [fraction of outputs]"
        ),
        "std001_max_last_std": N_(
            "largest spread of the last layer's outputs over sigmoid, tanh "
            "and ReLU, weights of std 0.01 [standard deviation]"
        ),
        "sigmoid_std001_last_mean": N_(
            "average output of the last sigmoid layer, weights of std 0.01 [output value, 0-1]"
        ),
        "xavier_sigmoid_tanh_min_last_std": N_(
            "smaller spread of the last layer's outputs of "
            "sigmoid and tanh, Xavier init [standard deviation]"
        ),
        "xavier_sigmoid_tanh_max_frac_saturated": N_(
            "larger share of saturated units in the last "
            "layer of sigmoid and tanh, Xavier init [fraction of outputs]"
        ),
        "relu_he_std_ratio_last_first": N_(
            "spread of ReLU outputs in the last layer over the "
            "first, He init [ratio of standard deviations, 1 = kept]"
        ),
        "relu_xavier_std_ratio_last_first": N_(
            "spread of ReLU outputs in the last layer over the "
            "first, Xavier init [ratio of standard deviations, 1 = kept]"
        ),
        "parts_holding": N_("parts of the claim that hold [count, of 4]"),
    },
    experiment=_c16_experiment,
    verdict=_c16_verdict,
    figures=_c16_figures,
    profiles={
        "test": {"n_samples": 1000, "width": 100, "depth": 5, "bins": 30, "n_seeds": 1},
        "quick": {"n_samples": 1000, "width": 100, "depth": 5, "bins": 30, "n_seeds": 5},
        "full": {"n_samples": 1000, "width": 100, "depth": 5, "bins": 30, "n_seeds": 20},
    },
    # The thresholds are written out (SATURATED_NEAR_BOUNDS_MIN, COLLAPSED_STD_MAX,
    # COLLAPSED_SIGMOID_MEAN_TOL, HEALTHY_STD_MIN, HEALTHY_SATURATED_MAX, HE_RATIO_RANGE,
    # XAVIER_RELU_RATIO_MAX): a translated text is one fixed message, not an f-string.
    context=N_(
        "The experiment of chapter 6 of 'Deep Learning from Scratch': 1000 standard-normal "
        "inputs of 100 features through 5 fully connected layers of 100 units with zero "
        "biases, no training. Within a seed the four initializers scale the same random draws, "
        "so only the scale differs. Xavier is glorot_normal, whose std sqrt(2/(n_in+n_out)) "
        "equals the book's 1/sqrt(n) for equal widths; He is he_normal, sqrt(2/n). Article "
        "001 names weight initialization as a way to keep activations out of the saturated "
        "region. Verdict rule, on the last layer, means over seeds: saturation = at least "
        "50% of sigmoid outputs within 0.05 of 0 or 1 with "
        "std 1; collapse = every activation's output std below 0.05 with "
        "std 0.01 and the sigmoid mean within 0.05 of 0.5; healthy "
        "Xavier = output std >= 0.08 and at most "
        "5% saturated units (|f'| below 1% of its peak, the "
        "diagnostics definition) for sigmoid and tanh; ReLU = the std ratio last/first "
        "layer within (0.5, 2.0) with He and below 0.5 with "
        "Xavier (expected 1 and 2^(-(depth-1)/2) = 0.25; the bands are 5 standard errors of "
        "the finite-width spread of that ratio, see the constants). All four: confirmed; one "
        "or two missing: nuanced; more: refuted. The ReLU "
        "histograms leave out the exact zeros (their share is in each panel's title); for "
        "ReLU the 'saturated' share of the table is its flat side, the zeros."
    ),
)
