"""C19: ReLU is not differentiable at 0, and which derivative is taken there does not matter."""

from __future__ import annotations

from typing import Any

import numpy as np

from gradlab import activations
from gradlab.i18n import N_, _, ngettext
from gradlab.lab.claim import Claim, Verdict
from gradlab.lab.kit.data import digits_data
from gradlab.lab.kit.figures import figure
from gradlab.lab.kit.seeds import spawn_seeds
from gradlab.lab.kit.verdicts import verdict_from_parts
from gradlab.model import mlp

#: Bins of log10|z| for the histogram of the pre-activations seen in training.
LOG10_BINS = np.arange(-12.0, 3.0, 0.5)


class ReLUAtZero(activations.ElementwiseActivation):
    """``max(x, 0)`` whose derivative at exactly 0 is ``at_zero``; counts the zeros it meets.

    Each backward pass calls :meth:`derivative` on the pre-activations, so the counters see
    every pre-activation where the choice could matter.
    """

    name = "relu_at_zero"

    def __init__(self, at_zero: float = 0.0) -> None:
        self.at_zero = float(at_zero)
        self.zeros = 0
        self.seen = 0
        self.smallest = np.inf
        self.hist = np.zeros(len(LOG10_BINS) - 1, dtype=np.int64)

    def _f(self, x: np.ndarray) -> np.ndarray:
        return np.maximum(x, 0.0)

    def _df(self, x: np.ndarray, y: np.ndarray | None) -> np.ndarray:
        zero = x == 0
        self.zeros += int(zero.sum())
        self.seen += x.size
        size = np.abs(x[~zero])
        if size.size:
            self.smallest = min(self.smallest, float(size.min()))
            self.hist += np.histogram(np.log10(size), LOG10_BINS)[0]
        d = (x > 0).astype(x.dtype)
        d[zero] = self.at_zero
        return d

    def _info(self) -> dict[str, Any]:
        kink = activations.Kink(0.0, self.at_zero, 0.0, 1.0)
        return dict(activations.get("relu")._info(), kinks=(kink,))


# --- C19: ReLU's kink at 0 ---------------------------------------------------------------------
#: Final test accuracies (loss) of relu'(0) choices count as the same within these margins.
#: Runs that never meet an exact zero are bit-identical, gap 0. A choice that does change a
#: run sends it down another path, which ends about as far away as another seed: the test
#: accuracy's standard error is sqrt(p(1-p)/n) = 0.011 at p = 0.955 on the 360 test images,
#: and seeds differ by 0.01-0.03 in accuracy and 10-30% in loss. ACC_TOL lets one image of 360
#: (0.0028) flip and flags two or more; LOSS_RTOL flags a loss moved by more than 1%.
ACC_TOL = 0.005
LOSS_RTOL = 0.01
#: ACC_TOL and LOSS_RTOL are written out in the claim's context (so that it can be
#: translated): change them together.
PART_ONE_SIDED = N_("ReLU's one-sided derivatives at 0 differ (0 on the left, 1 on the right)")
PART_USES_ZERO = N_("gradlab uses relu'(0) = 0")
PART_SAME = N_("the value taken for relu'(0) leaves training unchanged")


def _c19_train(config: dict[str, Any], data: tuple, setting: dict, act: Any, seed: int) -> dict:
    """Train one net whose hidden activations are ``act()`` (a fresh one per layer)."""
    X, y, X_test, y_test = (a.astype(setting["dtype"]) if a.dtype.kind == "f" else a for a in data)
    hidden = [act() for _ in config["hidden"]]
    model = mlp(
        config["hidden"],
        10,
        input_dim=X.shape[1],
        activation=hidden,
        init="he_normal",
        output_init="glorot_uniform",
        seed=seed,
        dtype=setting["dtype"],
    )
    optimizer = {"name": setting["optimizer"], "config": {"lr": setting["lr"]}}
    model.compile(optimizer=optimizer, loss="cross_entropy", metrics=["accuracy"])
    model.fit(X, y, epochs=config["epochs"], batch_size=32, verbose=0)
    test = model.evaluate(X_test, y_test)
    counters = [a for a in hidden if isinstance(a, ReLUAtZero)]
    return {
        "accuracy": test["accuracy"],
        "loss": test["loss"],
        "weights": model.get_weights(),
        "zeros": sum(a.zeros for a in counters),
        "seen": sum(a.seen for a in counters),
        "smallest": min((a.smallest for a in counters), default=np.inf),
        "hist": sum((a.hist for a in counters), np.zeros(len(LOG10_BINS) - 1, np.int64)),
    }


def _c19_kink() -> dict[str, Any]:
    relu = activations.get("relu")
    hs = (1e-1, 1e-4, 1e-8, 1e-300)
    kink = relu.info.kinks[0]
    return {
        "h": hs,
        "right": [float((relu(np.float64(h)) - relu(np.float64(0))) / h) for h in hs],
        "left": [float((relu(np.float64(0)) - relu(np.float64(-h))) / h) for h in hs],
        "gradlab_at_0": float(relu.derivative(np.float64(0.0))),
        "gradlab_at_tiny": [float(relu.derivative(np.float64(v))) for v in (-5e-324, 5e-324)],
        "kink": {"derivative": kink.derivative, "left": kink.left, "right": kink.right},
    }


def _c19_experiment(config: dict[str, Any], seed: int) -> dict[str, Any]:
    data = digits_data(config, seed, dtype="float64")
    settings = []
    for setting in config["settings"]:
        runs: dict[str, list] = {str(v): [] for v in config["values"]}
        matches = []
        for s in spawn_seeds(seed, config["n_seeds"]):
            base = _c19_train(config, data, setting, lambda: "relu", s)
            for v in config["values"]:
                run = _c19_train(config, data, setting, lambda v=v: ReLUAtZero(v), s)
                if v == 0.0:
                    matches.append(
                        all(
                            np.array_equal(a, b)
                            for a, b in zip(run["weights"], base["weights"], strict=True)
                        )
                    )
                runs[str(v)].append(run)
        ref = runs[str(config["values"][0])]
        settings.append(
            {
                **setting,
                "accuracy": {k: [r["accuracy"] for r in rs] for k, rs in runs.items()},
                "loss": {k: [r["loss"] for r in rs] for k, rs in runs.items()},
                "max_weight_diff": max(
                    float(np.max(np.abs(a - b)))
                    for rs in runs.values()
                    for r, r0 in zip(rs, ref, strict=True)
                    for a, b in zip(r["weights"], r0["weights"], strict=True)
                ),
                "zeros": sum(r["zeros"] for rs in runs.values() for r in rs),
                "seen": sum(r["seen"] for rs in runs.values() for r in rs),
                "smallest_nonzero": min(r["smallest"] for rs in runs.values() for r in rs),
                "hist": sum(r["hist"] for r in ref),
                "custom_equals_builtin": all(matches),
            }
        )
    return {
        "kink": _c19_kink(),
        "settings": settings,
        "values": config["values"],
        "epochs": config["epochs"],
        "n_seeds": config["n_seeds"],
        "log10_bins": LOG10_BINS,
    }


def _c19_verdict(r: dict[str, Any]) -> Verdict:
    k = r["kink"]
    one_sided = all(v == 1.0 for v in k["right"]) and all(v == 0.0 for v in k["left"])
    uses_zero = k["gradlab_at_0"] == 0.0 and k["kink"]["derivative"] == 0.0
    acc_gap = loss_gap = 0.0
    ref = str(r["values"][0])
    for st in r["settings"]:
        for v in map(str, r["values"][1:]):
            acc = np.subtract(st["accuracy"][v], st["accuracy"][ref])
            loss = np.divide(st["loss"][v], st["loss"][ref]) - 1
            acc_gap = max(acc_gap, float(np.max(np.abs(acc))))
            loss_gap = max(loss_gap, float(np.max(np.abs(loss))))
    zeros, seen = sum(st["zeros"] for st in r["settings"]), sum(st["seen"] for st in r["settings"])
    same = acc_gap <= ACC_TOL and loss_gap <= LOSS_RTOL
    numbers = {
        "right_derivative": k["right"][0],
        "left_derivative": k["left"][0],
        "gradlab_relu_derivative_at_0": k["gradlab_at_0"],
        "exact_zero_preactivations": zeros,
        "preactivations_seen": seen,
        "smallest_nonzero_abs_preactivation": min(st["smallest_nonzero"] for st in r["settings"]),
        "max_test_accuracy_gap": acc_gap,
        "max_test_loss_rel_gap": loss_gap,
        "max_weight_diff": max(st["max_weight_diff"] for st in r["settings"]),
    }
    where = "; ".join(
        _("{zeros} of {seen:,} ({dtype} {optimizer}, weights apart by {diff:.2g})").format(
            zeros=st["zeros"],
            seen=st["seen"],
            dtype=st["dtype"],
            optimizer=st["optimizer"],
            diff=st["max_weight_diff"],
        )
        for st in r["settings"]
    )
    kink = _(
        "The one-sided difference quotients at 0 are {left:g} (left) and {right:g} (right) for "
        "every h down to {h:g}, and gradlab uses relu'(0) = {at_zero:g}."
    ).format(left=k["left"][0], right=k["right"][0], h=k["h"][-1], at_zero=k["gradlab_at_0"])
    training = ngettext(
        "Training digits nets for {epochs} epochs ({seeds} seed) with relu'(0) in {values}, "
        "the backward passes met exactly-zero pre-activations {where}; the smallest non-zero "
        "|z| was {smallest:.1e}.",
        "Training digits nets for {epochs} epochs ({seeds} seeds) with relu'(0) in {values}, "
        "the backward passes met exactly-zero pre-activations {where}; the smallest non-zero "
        "|z| was {smallest:.1e}.",
        r["n_seeds"],
    ).format(
        epochs=r["epochs"],
        seeds=r["n_seeds"],
        values=r["values"],
        where=where,
        smallest=numbers["smallest_nonzero_abs_preactivation"],
    )
    gaps = _(
        "Test accuracy differs by at most {acc:.4f} and test loss by {loss:.2%} between the "
        "choices."
    ).format(acc=acc_gap, loss=loss_gap)
    text = f"{kink} {training} {gaps}"
    parts = {PART_ONE_SIDED: one_sided, PART_USES_ZERO: uses_zero, PART_SAME: same}
    return verdict_from_parts(parts, text, numbers, refute_when="every part fails")


#: One colour per value of relu'(0) (gradlab's 0 in red), one per training setting.
_VALUE_COLORS = ("#d62728", "#9467bd", "#8c564b", "#e377c2")
_SETTING_COLORS = ("#2ca02c", "#ff7f0e", "#17becf", "#7f7f7f")


def _c19_figures(r: dict[str, Any]) -> dict[str, Any]:
    fig, axes = figure(2, 2, width=4.1, height=3.0)
    (ax0, ax1), (ax2, ax3) = axes
    grid = ax2.get_gridspec()
    ax2.remove()
    ax3.remove()
    ax2 = fig.add_subplot(grid[1, :])
    k = r["kink"]
    ax0.plot([-1, 0], [k["kink"]["left"]] * 2, color="k", lw=2, label="relu'(x)")
    ax0.plot([0, 1], [k["kink"]["right"]] * 2, color="k", lw=2)
    ax0.plot(
        [0, 0],
        [k["kink"]["left"], k["kink"]["right"]],
        "o",
        mfc="white",
        color="k",
        label=_("one-sided limits"),
    )
    ax0.plot(
        [0], [k["gradlab_at_0"]], "o", color=_VALUE_COLORS[0], label=_("value gradlab uses at 0")
    )
    ax0.set(
        title=_("ReLU's slope has no value at 0"), xlabel="x", ylabel="relu'(x)", ylim=(-0.2, 1.2)
    )
    ax0.legend(fontsize=8, loc="center left")
    bins = np.asarray(r["log10_bins"])
    for st, color in zip(r["settings"], _SETTING_COLORS, strict=False):
        ax1.stairs(st["hist"], bins, color=color, label=f"{st['dtype']}, {st['optimizer']}")
    ax1.set(
        yscale="log",
        title=_("|pre-activation| met in backward"),
        xlabel="log10 |z|",
        ylabel=_("count (relu'(0) = 0 runs)"),
    )
    zeros = "\n".join(f"{st['dtype']} {st['optimizer']}: {st['zeros']}" for st in r["settings"])
    ax1.text(
        0.03,
        0.97,
        _("exactly 0, all runs:\n{zeros}").format(zeros=zeros),
        transform=ax1.transAxes,
        fontsize=8,
        va="top",
    )
    ax1.legend(fontsize=8, loc="center left")
    width = 0.8 / len(r["values"])
    for j, v in enumerate(r["values"]):
        means = [np.mean(st["accuracy"][str(v)]) for st in r["settings"]]
        errs = [np.std(st["accuracy"][str(v)]) for st in r["settings"]]
        ax2.bar(
            np.arange(len(means)) + (j - (len(r["values"]) - 1) / 2) * width,
            means,
            width,
            yerr=errs,
            color=_VALUE_COLORS[j % len(_VALUE_COLORS)],
            label=f"relu'(0) = {v:g}",
        )
    ax2.set(
        title=_("Test accuracy after training, by the value taken for relu'(0)"),
        ylabel=_("accuracy (mean, std over seeds)"),
        xticks=range(len(r["settings"])),
        xticklabels=[f"{st['dtype']}, {st['optimizer']}" for st in r["settings"]],
    )
    lo = min(min(np.min(a) for a in st["accuracy"].values()) for st in r["settings"])
    ax2.set_ylim(max(0.0, lo - 0.05), 1.0)
    ax2.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
    for ax in (ax0, ax1, ax2):
        ax.grid(alpha=0.3)
    return {"kink": fig}


CLAIM = Claim(
    id="C19",
    title=N_("ReLU at 0: not differentiable, and it does not matter"),
    statement=N_(
        "ReLU has no derivative at 0 (the slope jumps from 0 to 1); back-propagation works "
        "anyway because frameworks simply use 0 there, and which value is used makes no "
        "difference to training in practice."
    ),
    sources=("002",),
    experiment=_c19_experiment,
    verdict=_c19_verdict,
    figures=_c19_figures,
    profiles={
        "test": {
            "hidden": [32],
            "epochs": 2,
            "n_seeds": 1,
            "values": [0.0, 1.0],
            "settings": [{"dtype": "float32", "optimizer": "sgd", "lr": 0.1}],
        },
        "quick": {
            "hidden": [64, 64],
            "epochs": 10,
            "n_seeds": 3,
            "values": [0.0, 1.0, 0.5],
            "settings": [
                {"dtype": "float32", "optimizer": "sgd", "lr": 0.1},
                {"dtype": "float32", "optimizer": "adam", "lr": 0.001},
            ],
        },
        "full": {
            "hidden": [128, 128, 128],
            "epochs": 30,
            "n_seeds": 5,
            "values": [0.0, 1.0, 0.5],
            "settings": [
                {"dtype": "float32", "optimizer": "sgd", "lr": 0.1},
                {"dtype": "float32", "optimizer": "adam", "lr": 0.001},
                {"dtype": "float64", "optimizer": "sgd", "lr": 0.1},
            ],
        },
    },
    # i18n: 0.005 is ACC_TOL and 1% is LOSS_RTOL, written out so that the text can be translated.
    context=N_(
        "gradlab's relu'(0) is 0, as PyTorch autograd's (the engine's oracle tests check "
        "it) and JAX's. The experiment trains the same seeded MLP on the digits several "
        "times, changing only the value relu'(0) takes, with an activation that counts how "
        "often a backward pass meets a pre-activation that is exactly 0; the run with 0 is "
        "checked to be bit-identical to gradlab's own relu. A pre-activation is x W + b "
        "with continuous weights, so an exact 0 needs an exact cancellation; when none "
        "occurs the runs cannot differ at all. Rule: confirmed when the one-sided "
        "derivatives are 0 and 1, gradlab uses 0, and every choice ends within "
        "0.005 test accuracy and 1% test loss of relu'(0) = 0; nuanced "
        "when the choice changed training beyond that. Bertoin et al. (NeurIPS 2021, "
        "'Numerical influence of ReLU'(0) on backpropagation') found exact zeros, and an "
        "effect of the choice, common in 16-bit and in large 32-bit convolutional nets "
        "trained with plain SGD, vanishing in 64-bit; this small float32 MLP is not that "
        "regime."
    ),
    headline=("exact_zero_preactivations", "max_test_accuracy_gap"),
    labels={
        "right_derivative": N_("slope of ReLU just right of 0, (relu(h) - relu(0)) / h [slope]"),
        "left_derivative": N_("slope of ReLU just left of 0, (relu(0) - relu(-h)) / h [slope]"),
        "gradlab_relu_derivative_at_0": N_(
            "the value gradlab's ReLU uses for its derivative at exactly 0 [slope]"
        ),
        "exact_zero_preactivations": N_(
            "pre-activations exactly 0 met by the backward passes of all runs [count]"
        ),
        "preactivations_seen": N_("pre-activations the backward passes of all runs met [count]"),
        "smallest_nonzero_abs_preactivation": N_(
            "smallest non-zero |pre-activation| met [absolute value]"
        ),
        "max_test_accuracy_gap": N_(
            "largest test-accuracy gap between a run with relu'(0) = 0 and the same run with "
            "another value [accuracy, 0-1]"
        ),
        "max_test_loss_rel_gap": N_(
            "largest test-loss gap between those runs [relative difference]"
        ),
        "max_weight_diff": N_(
            "largest difference of any trained weight between those runs [absolute difference]"
        ),
    },
    source_parts={
        "002": N_(
            "“추가질문 1. ReLU는 미분 불가능한데 BP(backpropagation)가 어떻게 가능한가요?” "
            "(the question only) and “relu 함수의 역전파(Back Propagation)는 어떻게 될까요??” "
            "(the derivative taken as 0 for x ≤ 0); that the choice does not matter is the "
            "lab's test of the answer, not a sentence of the article"
        ),
    },
)
