"""C5: ReLU outputs are sparse (about half exact zeros at init), sigmoid outputs dense."""

from __future__ import annotations

from typing import Any

import numpy as np

from gradlab import diagnostics
from gradlab.i18n import N_, _, ngettext
from gradlab.lab.claim import Claim, Verdict
from gradlab.lab.kit.data import digits_data
from gradlab.lab.kit.figures import figure
from gradlab.lab.kit.seeds import spawn_seeds, spread
from gradlab.lab.kit.verdicts import verdict_from_parts
from gradlab.model import mlp

# --- C5: ReLU gives exact zeros, the sigmoid none ----------------------------------------------
#: ReLU's fraction of exact zeros counts as "about half" within this distance of 0.5 (the
#: claim's context quotes it: change both together).
HALF_BAND = 0.1
PART_RELU = N_("ReLU outputs are about half zeros")
PART_SIGMOID = N_("the sigmoid gives no exact zeros")
#: (activation, initializer) of the nets compared: He for ReLU, Glorot for the sigmoid.
C5_NETS = (("relu", "he_normal"), ("sigmoid", "glorot_uniform"))


def _c5_one(config: dict[str, Any], data: tuple, act: str, init: str, seed: int) -> dict:
    X, y, X_test, y_test, gauss = data
    probe = X_test[: config["n_probe"]]
    model = mlp(config["hidden"], 10, input_dim=X.shape[1], activation=act, init=init, seed=seed)
    on_gauss = diagnostics.snapshot(model, gauss)[:-1]
    outputs = diagnostics.layer_outputs(model, probe)[:-1]
    diag = diagnostics.Diagnostics(every="epoch", data=probe)
    model.compile(optimizer="adam", loss="cross_entropy")
    model.fit(X, y, epochs=config["epochs"], batch_size=32, verbose=0, callbacks=[diag])
    zero, dead = diag.series("frac_zero")[:, :-1], diag.series("dead_frac")[:, :-1]
    return {
        "curve": zero,
        "init_gauss": [e["frac_zero"] for e in on_gauss],
        "dead_init": dead[0],
        "dead_trained": dead[-1],
        "min_abs_init": min(float(np.abs(h).min()) for _, h in outputs),
        "accuracy": float(np.mean(model.predict(X_test).argmax(axis=1) == y_test)),
    }


def _c5_experiment(config: dict[str, Any], seed: int) -> dict[str, Any]:
    X, y, X_test, y_test = digits_data(config, seed)
    gauss = np.random.default_rng(seed).standard_normal((config["n_probe"], X.shape[1]))
    data = (X, y, X_test, y_test, gauss.astype(X.dtype))
    out: dict[str, Any] = {k: config[k] for k in ("hidden", "epochs", "n_seeds", "n_probe")}
    for act, init in C5_NETS:
        runs = [_c5_one(config, data, act, init, s) for s in spawn_seeds(seed, config["n_seeds"])]
        curves = np.stack([r["curve"] for r in runs])  # (seeds, records, layers)
        out[act] = {
            "init": init,
            "init_digits": curves[:, 0].mean(axis=0),
            "init_gauss": np.mean([r["init_gauss"] for r in runs], axis=0),
            "trained": curves[:, -1].mean(axis=0),
            "trained_std": curves[:, -1].std(axis=0),
            "curve": curves.mean(axis=0),
            "dead_init": np.mean([r["dead_init"] for r in runs], axis=0),
            "dead_trained": np.mean([r["dead_trained"] for r in runs], axis=0),
            "min_abs_init": min(r["min_abs_init"] for r in runs),
            "accuracy": spread([r["accuracy"] for r in runs]),
        }
    return out


def _c5_verdict(r: dict[str, Any]) -> Verdict:
    relu, sig = r["relu"], r["sigmoid"]
    at_init = np.concatenate([relu["init_digits"], relu["init_gauss"]])
    sig_zero = float(
        max(np.max(sig["init_digits"]), np.max(sig["init_gauss"]), np.max(sig["curve"]))
    )
    relu_half = bool(np.all(np.abs(at_init - 0.5) <= HALF_BAND))
    sig_dense = sig_zero == 0.0
    numbers = {
        "relu_init_zero_min": float(at_init.min()),
        "relu_init_zero_max": float(at_init.max()),
        "relu_trained_zero_by_layer": [round(float(v), 4) for v in relu["trained"]],
        "relu_dead_units_init": float(np.mean(relu["dead_init"])),
        "relu_dead_units_trained": float(np.mean(relu["dead_trained"])),
        "sigmoid_max_zero_fraction": sig_zero,
        "sigmoid_smallest_output_at_init": sig["min_abs_init"],
    }
    after = ngettext(
        "After {epochs} epoch of Adam the ReLU layers hold {zeros} zeros (layer by layer) and "
        "{dead:.1%} of the units are dead on the probe set ({dead_init:.1%} at "
        "initialization).",
        "After {epochs} epochs of Adam the ReLU layers hold {zeros} zeros (layer by layer) and "
        "{dead:.1%} of the units are dead on the probe set ({dead_init:.1%} at "
        "initialization).",
        r["epochs"],
    ).format(
        epochs=r["epochs"],
        zeros=", ".join(f"{v:.0%}" for v in relu["trained"]),
        dead=np.mean(relu["dead_trained"]),
        dead_init=np.mean(relu["dead_init"]),
    )
    init_text = ngettext(
        "At initialization {low:.1%} to {high:.1%} of the ReLU outputs are exactly 0 in every "
        "hidden layer (digits and Gaussian inputs, mean of {seeds} seed); the sigmoid's "
        "largest zero fraction is {sig_zero:g} and its smallest output {sig_min:.2g}.",
        "At initialization {low:.1%} to {high:.1%} of the ReLU outputs are exactly 0 in every "
        "hidden layer (digits and Gaussian inputs, mean of {seeds} seeds); the sigmoid's "
        "largest zero fraction is {sig_zero:g} and its smallest output {sig_min:.2g}.",
        r["n_seeds"],
    ).format(
        low=at_init.min(),
        high=at_init.max(),
        seeds=r["n_seeds"],
        sig_zero=sig_zero,
        sig_min=sig["min_abs_init"],
    )
    parts = {PART_RELU: relu_half, PART_SIGMOID: sig_dense}
    text = f"{init_text} {after}"
    return verdict_from_parts(parts, text, numbers, refute_when="every part fails")


def _c5_figures(r: dict[str, Any]) -> dict[str, Any]:
    fig, (ax0, ax1) = figure(2, width=4.1, height=3.4)
    relu, sig = r["relu"], r["sigmoid"]
    layers = np.arange(1, len(relu["init_digits"]) + 1)
    bars = (
        (_("ReLU at init, digits"), relu["init_digits"], "#9ecae1"),
        (_("ReLU at init, Gaussian"), relu["init_gauss"], "#3182bd"),
        (
            ngettext("ReLU after {epochs} epoch", "ReLU after {epochs} epochs", r["epochs"]).format(
                epochs=r["epochs"]
            ),
            relu["trained"],
            "#08519c",
        ),
    )
    for k, (label, values, color) in enumerate(bars):
        ax0.bar(layers + (k - 1) * 0.25, values, 0.25, label=label, color=color)
    ax0.axhspan(
        0.5 - HALF_BAND,
        0.5 + HALF_BAND,
        color="#7f7f7f",
        alpha=0.15,
        lw=0,
        label=_("'about half': 0.5 ± {band:g}").format(band=HALF_BAND),
    )
    ax0.text(
        0.03,
        0.94,
        _("sigmoid: {zero:g} in every layer").format(zero=np.max(sig["curve"])),
        transform=ax0.transAxes,
        fontsize=8,
        color="#d62728",
    )
    ax0.set(
        title=_("Fraction of hidden outputs exactly 0"),
        xlabel=_("hidden layer"),
        ylabel=_("fraction exactly 0"),
        xticks=layers,
        ylim=(0, 1.15),
    )
    ax0.legend(fontsize=8, loc="upper right")
    epochs = np.arange(relu["curve"].shape[0])
    for j in range(relu["curve"].shape[1]):  # one blue for ReLU, a marker per layer
        ax1.plot(
            epochs,
            relu["curve"][:, j],
            marker="osD^v"[j % 5],
            ms=4,
            color="#2171b5",
            ls=("-", "--", ":", "-.")[j % 4],
            label=_("ReLU layer {layer}").format(layer=j + 1),
        )
    ax1.plot(
        epochs,
        sig["curve"].max(axis=1),
        color="#d62728",
        ls="--",
        label=_("sigmoid (all layers)"),
    )
    ax1.set(
        title=_("Exact zeros while training (test digits)"),
        xlabel=_("epoch"),
        ylabel=_("fraction exactly 0"),
        ylim=(-0.02, 1),
    )
    ax1.xaxis.get_major_locator().set_params(integer=True)
    for ax in (ax0, ax1):
        ax.grid(alpha=0.3)
    ax1.legend(fontsize=8)
    return {"sparsity": fig}


CLAIM = Claim(
    id="C5",
    title=N_("ReLU outputs are sparse, sigmoid outputs dense"),
    statement=N_(
        "A ReLU network is sparse: at initialization about half of its hidden activations "
        "are exactly zero, whereas a sigmoid never outputs an exact zero, so its "
        "activations are dense."
    ),
    sources=("002",),
    experiment=_c5_experiment,
    verdict=_c5_verdict,
    figures=_c5_figures,
    labels={
        "relu_init_zero_min": N_(
            "smallest share of ReLU outputs that are exactly 0 at initialization, over the "
            "hidden layers and both inputs [fraction]"
        ),
        "relu_init_zero_max": N_(
            "largest share of ReLU outputs that are exactly 0 at initialization, over the "
            "hidden layers and both inputs [fraction]"
        ),
        "relu_trained_zero_by_layer": N_(
            "share of ReLU outputs exactly 0 after training, hidden layer by layer [fraction]"
        ),
        "relu_dead_units_init": N_(
            "share of ReLU units that output 0 for every probe image at initialization "
            "[fraction of units]"
        ),
        "relu_dead_units_trained": N_(
            "share of ReLU units that output 0 for every probe image after training "
            "[fraction of units]"
        ),
        "sigmoid_max_zero_fraction": N_(
            "largest share of sigmoid outputs exactly 0, in any layer, before or during "
            "training [fraction]"
        ),
        "sigmoid_smallest_output_at_init": N_(
            "smallest sigmoid output seen at initialization [output value]"
        ),
    },
    source_parts={
        "002": N_(
            "“1) Sparsity (a(활성화값)가 0보다 작을 때 / a≤0)” (ReLU outputs are sparse, the "
            "sigmoid's dense); the share 'about half' is not in the article: it is what a "
            "zero-bias, symmetric initialization gives"
        ),
    },
    profiles={
        "test": {"hidden": [32, 32], "epochs": 2, "n_seeds": 2, "n_probe": 128},
        "quick": {"hidden": [64, 64, 64], "epochs": 20, "n_seeds": 4, "n_probe": 360},
        "full": {"hidden": [128, 128, 128, 128], "epochs": 40, "n_seeds": 8, "n_probe": 360},
    },
    # i18n: the band 0.5 +/- 0.1 is HALF_BAND, written out so that the text can be translated.
    context=N_(
        "MLPs on the 8x8 digits (ReLU with He-normal weights, sigmoid with Glorot-uniform, "
        "zero biases), measured with gradlab.diagnostics on held-out digit images and on "
        "standard-normal inputs. With zero biases and weights drawn symmetrically around 0, "
        "each pre-activation is as likely to be negative as positive, whatever the input, "
        "so half the ReLU outputs are 0. Rule: confirmed when every hidden layer's mean "
        "zero fraction lies within 0.5 +/- 0.1 and no sigmoid output is exactly 0, "
        "nuanced when only one of the two holds. What training does to the sparsity is "
        "reported, not judged: the claim is about the start."
    ),
    headline=("relu_init_zero_min", "sigmoid_max_zero_fraction"),
)
