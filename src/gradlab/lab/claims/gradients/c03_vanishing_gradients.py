"""C3: gradients vanish through deep sigmoid and tanh stacks, far less through ReLU."""

from __future__ import annotations

from typing import Any

import numpy as np

from gradlab.i18n import N_, _
from gradlab.lab.claim import Claim, Verdict
from gradlab.lab.kit.data import digits_data
from gradlab.lab.kit.figures import figure, seed_band_panel
from gradlab.lab.kit.probes import decades, profiles_over_seeds
from gradlab.lab.kit.seeds import spawn_seeds
from gradlab.lab.kit.verdicts import verdict_from_parts

# --- C3: vanishing gradients ------------------------------------------------------------------
#: Sigmoid vanishes when its first hidden layer's kernel gradient is at least this many decades
#: (powers of ten) below the last hidden layer's.
C3_VANISH_DECADES = 2.0
#: tanh "decays less" when its first/last ratio is at least this many decades above sigmoid's.
C3_TANH_MARGIN_DECADES = 1.0
#: ReLU with He init "stays within about an order of magnitude": |log10 ratio| at most this.
C3_RELU_BAND_DECADES = 1.0
#: These are the claim's own words ("orders of magnitude", "within about one"), not noise
#: tolerances; the noise they must clear is the spread of the mean over seeds: over seeds 0-4
#: of the quick profile the three means moved by less than 0.2 decades, against margins of 1
#: to 7 decades (tests/lab/test_tolerances_gradients_training.py checks 3 standard errors).
#: The context states the three thresholds in words: change them there too.
C3_SIGMOID, C3_TANH, C3_RELU = "sigmoid, glorot_uniform", "tanh, glorot_uniform", "relu, he_normal"


def _c3_experiment(config: dict[str, Any], seed: int) -> dict[str, Any]:
    dtype, depth, n = config["dtype"], config["depth"], config["n_samples"]
    X, y = digits_data(config, seed, dtype=dtype)[:2]
    X, y = X[:n], y[:n]
    nets: dict[str, Any] = {}
    seeds = spawn_seeds(seed, config["n_seeds"])
    for act, init in config["nets"]:
        p = profiles_over_seeds([config["width"]] * depth, X, y, seeds, activation=act, init=init)
        # Hidden layers 1 .. depth; the last entry is the linear output layer.
        nets[f"{act}, {init}"] = {
            "activation": act,
            "init": init,
            **p,
            "log10_ratio": decades(p["grad_w"], 0, depth - 1),
            "log10_ratio_act": decades(p["grad_act"], 0, depth - 1),
        }
    rows = [
        [
            key,
            f"{r['log10_ratio']['mean']:+.2f} ± {r['log10_ratio']['std']:.2f}",
            f"{r['log10_ratio_act']['mean']:+.2f}",
            f"{np.exp(np.log(r['grad_w'][:, 0]).mean()):.2e}",
            f"{np.exp(np.log(r['grad_w'][:, depth - 1]).mean()):.2e}",
        ]
        for key, r in nets.items()
    ]
    return {
        "depth": depth,
        "width": config["width"],
        "n_samples": len(X),
        "n_seeds": config["n_seeds"],
        "nets": nets,
        "tables": [
            {
                # Fixed texts, translated where the report shows them (the sizes and the
                # seeds are in the configuration beside the table).
                "title": N_(
                    "Gradient at initialisation, mean over seeds (the depth, width, batch and "
                    "seeds are in the configuration)"
                ),
                "columns": [
                    N_("activation, init"),
                    N_("log10 ‖∂L/∂W₁‖/‖∂L/∂W_last‖ (mean ± sd)"),
                    N_("same for ‖∂L/∂h‖"),
                    N_("‖∂L/∂W₁‖ (geometric mean)"),
                    N_("‖∂L/∂W_last‖ (geometric mean)"),
                ],
                "rows": rows,
            }
        ],
    }


def _c3_verdict(r: dict[str, Any]) -> Verdict:
    nets = r["nets"]
    sig, tanh, relu = (nets[k]["log10_ratio"]["mean"] for k in (C3_SIGMOID, C3_TANH, C3_RELU))
    numbers = {
        "log10_ratio_sigmoid_glorot": sig,
        "log10_ratio_tanh_glorot": tanh,
        "log10_ratio_relu_he": relu,
        **{
            f"log10_ratio_{k.replace(', ', '_')}": v["log10_ratio"]["mean"]
            for k, v in nets.items()
            if k not in (C3_SIGMOID, C3_TANH, C3_RELU)
        },
        "depth": r["depth"],
    }
    vanishes = sig <= -C3_VANISH_DECADES
    tanh_less = tanh - sig >= C3_TANH_MARGIN_DECADES
    relu_flat = abs(relu) <= C3_RELU_BAND_DECADES
    measured = _(
        "Gradient norm of the first hidden layer's weights over the last hidden layer's, "
        "{depth} hidden layers, mean of {n_seeds} seeds: sigmoid (Glorot init) {sigmoid}; "
        "tanh (Glorot) {tanh}; ReLU (He) {relu}."
    ).format(
        depth=r["depth"],
        n_seeds=r["n_seeds"],
        sigmoid=_times(sig),
        tanh=_times(tanh),
        relu=_times(relu),
    )
    if vanishes and tanh_less and relu_flat and abs(tanh) < 0.5:
        tanh_act = nets[C3_TANH]["log10_ratio_act"]["mean"]
        measured += " " + _(
            "tanh barely decays at initialisation: its kernel gradients are level, and the "
            "gradient at the first hidden layer's output over that at the last one's is {ratio}."
        ).format(ratio=_times(tanh_act))
    parts = {
        _(
            "sigmoid's gradient shrinks by at least {decades:g} powers of ten from the last "
            "hidden layer to the first"
        ).format(decades=C3_VANISH_DECADES): vanishes,
        _("tanh's shrinks by at least {decades:g} power of ten less than sigmoid's").format(
            decades=C3_TANH_MARGIN_DECADES
        ): tanh_less,
        _(
            "ReLU with He init keeps the first layer's gradient within a factor {factor:g} of "
            "the last's"
        ).format(factor=10**C3_RELU_BAND_DECADES): relu_flat,
    }
    verdict = verdict_from_parts(parts, measured, numbers, refute_when="every part fails")
    if not vanishes:
        # Vanishing through sigmoid is the claim's core: without it the rest compares nothing.
        return Verdict("refuted", verdict.reason, numbers)
    return verdict


def _times(log10_ratio: float) -> str:
    """A ratio given as its log10, for a reader: ``10^-8.9 (8.9 powers of ten smaller)``."""
    if log10_ratio <= -1:
        template = _("10^{log10:+.1f} ({decades:.1f} powers of ten smaller)")
    elif log10_ratio >= 1:
        template = _("10^{log10:+.1f} ({decades:.1f} powers of ten larger)")
    else:
        return f"10^{log10_ratio:+.1f}"
    return template.format(log10=log10_ratio, decades=abs(log10_ratio))


def _c3_figures(r: dict[str, Any]) -> dict[str, Any]:
    fig, (ax0, ax1) = figure(2, width=4.1, height=4.0)
    nets = r["nets"]
    labels = {
        k: _("{activation}, {init} init").format(
            activation=v["activation"], init=_C3_INIT_WORDS.get(v["init"], v["init"])
        )
        for k, v in nets.items()
    }
    seed_band_panel(
        ax0,
        {k: v["grad_w"] for k, v in nets.items()},
        title=_("‖∂L/∂W‖ per layer at init ({n_seeds} seeds)").format(n_seeds=r["n_seeds"]),
        ylabel=_("kernel gradient norm"),
        labels=labels,
    )
    seed_band_panel(
        ax1,
        {k: v["grad_act"] for k, v in nets.items()},
        title=_("‖∂L/∂h‖ at each layer's output"),
        ylabel=_("mean gradient norm per sample"),
        labels=labels,
    )
    for ax in (ax0, ax1):
        ax.get_legend().remove()  # one legend for both panels, below them
        ax.axvline(r["depth"] + 0.5, color="#7f7f7f", lw=0.8, ls=":")
        ax.annotate(
            _("output\nlayer"),
            (r["depth"] + 0.6, 0.03),
            xycoords=("data", "axes fraction"),
            fontsize=8,
            color="#555555",
        )
    fig.legend(
        *ax0.get_legend_handles_labels(),
        loc="outside lower center",
        ncols=3,
        fontsize=8,
        title=_("line: geometric mean over seeds; band: seed range")
        + (_("; dashed: the other init") if len(nets) > len(_C3_USUAL) else ""),
        title_fontsize=8,
    )
    return {"profile": fig}


#: Each activation with the initialiser it is usually paired with, then the pairs swapped.
_C3_USUAL = [["sigmoid", "glorot_uniform"], ["tanh", "glorot_uniform"], ["relu", "he_normal"]]
_C3_SWAPPED = [["sigmoid", "he_normal"], ["relu", "glorot_uniform"]]
_C3_INIT_WORDS = {"glorot_uniform": "Glorot", "he_normal": "He"}

#: One label per pair measured (written out whole, so that each is one translatable message).
_C3_LABELS = {
    "log10_ratio_sigmoid_glorot": N_(
        "gradient norm of the first hidden layer's weights over the last hidden layer's, "
        "sigmoid with Glorot init, mean over seeds [log10 of the ratio]"
    ),
    "log10_ratio_tanh_glorot": N_(
        "gradient norm of the first hidden layer's weights over the last hidden layer's, "
        "tanh with Glorot init, mean over seeds [log10 of the ratio]"
    ),
    "log10_ratio_relu_he": N_(
        "gradient norm of the first hidden layer's weights over the last hidden layer's, "
        "relu with He init, mean over seeds [log10 of the ratio]"
    ),
    "log10_ratio_sigmoid_he_normal": N_(
        "gradient norm of the first hidden layer's weights over the last hidden layer's, "
        "sigmoid with He init, mean over seeds [log10 of the ratio]"
    ),
    "log10_ratio_relu_glorot_uniform": N_(
        "gradient norm of the first hidden layer's weights over the last hidden layer's, "
        "relu with Glorot init, mean over seeds [log10 of the ratio]"
    ),
    "depth": N_("hidden layers in each net [count]"),
}

CLAIM = Claim(
    id="C3",
    title=N_("Vanishing gradients: sigmoid vs tanh vs ReLU with depth"),
    statement=N_(
        "In a deep MLP with sigmoid units the gradient that reaches the first layer is "
        "orders of magnitude smaller than at the last layer; tanh loses less on the way; "
        "ReLU with He initialisation keeps the gradient within about one order of "
        "magnitude across depth."
    ),
    sources=("000", "001", "002", "003", "004"),
    experiment=_c3_experiment,
    verdict=_c3_verdict,
    figures=_c3_figures,
    profiles={
        "test": {
            "depth": 10,
            "width": 32,
            "n_samples": 128,
            "n_seeds": 2,
            "dtype": "float64",
            "nets": _C3_USUAL,
        },
        "quick": {
            "depth": 15,
            "width": 64,
            "n_samples": 512,
            "n_seeds": 5,
            "dtype": "float64",
            "nets": _C3_USUAL + _C3_SWAPPED,
        },
        "full": {
            "depth": 20,
            "width": 128,
            "n_samples": 1437,
            "n_seeds": 10,
            "dtype": "float64",
            "nets": _C3_USUAL + _C3_SWAPPED,
        },
    },
    # The thresholds are written out (C3_VANISH_DECADES, C3_TANH_MARGIN_DECADES,
    # C3_RELU_BAND_DECADES): a translated text is one fixed message, not an f-string.
    context=N_(
        "Each net is measured at initialisation, before any update, on a fixed batch of "
        "digits (pixels in [0, 1]) with the cross-entropy loss, through "
        "gradlab.diagnostics.snapshot. The deciding number is log10 of the ratio of the "
        "first hidden layer's kernel-gradient norm to the last hidden layer's (both hidden "
        "layers, so the comparison is not distorted by the 10-unit output layer), averaged "
        "over seeds. Each activation gets the initialiser it is usually paired with "
        "(Glorot for sigmoid and tanh, He for ReLU); the extra pairs show how much of the "
        "effect is the initialiser. Thresholds: sigmoid must lose at least "
        "2 decades, tanh at least 1 decade "
        "less than sigmoid, ReLU must stay within ±1 decade. "
        "Sigmoid shrinks the backward signal by its slope (at most 0.25) at every layer, "
        "so with Glorot weights the loss per layer is about a factor 4; tanh's slope is "
        "close to 1 near 0, which is why Glorot's scheme keeps it nearly flat."
    ),
    labels=_C3_LABELS,
    source_parts={
        "000": N_("“## 활성화 함수의 종류” (sigmoid and tanh derivatives, ReLU's gradient of 1)"),
        "001": N_(
            "“## 3. Vanishing Gradient / Exploding Gradient”, its part “기울기 소실 "
            "(Vanishing Gradient)”"
        ),
        "002": N_(
            "“### 2) Vanishing Gradient (a가 0보다 클 때 / a>0)”, and “### [ReLU의 대표적인 "
            "장점]” on tanh only easing the problem"
        ),
        "003": N_(
            "“3.2.2 시그모이드 함수” (its drawbacks), “3.2.3 하이퍼볼릭 탄젠트 함수” and "
            "“3.2.0 ReLU를 쓰자..”"
        ),
        "004": N_(
            "“## 기울기 소실(Vanishing Gradient)” and “### sigmoid의 문제점” (sigmoid only: "
            "the article does not compare tanh or ReLU)"
        ),
    },
)
