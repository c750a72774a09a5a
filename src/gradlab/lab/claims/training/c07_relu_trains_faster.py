"""C7: does ReLU train about 6x faster than sigmoid and tanh?"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.ticker import FuncFormatter, NullFormatter
from numpy.typing import NDArray

from gradlab import optimizers
from gradlab.callbacks import Callback
from gradlab.lab.claim import Claim, Verdict
from gradlab.lab.kit.data import digits_data
from gradlab.lab.kit.figures import figure
from gradlab.lab.kit.fitting import accuracy, digits_model, fit_or_diverge
from gradlab.lab.kit.seeds import spawn_seeds, spread

#: Most points kept of a stored curve (longer ones are thinned evenly, the last point kept).
MAX_CURVE_POINTS = 200


def thin(curve: Sequence[float], max_points: int = MAX_CURVE_POINTS) -> NDArray:
    """Return ``curve`` with at most ``max_points`` evenly spaced entries (first and last kept)."""
    c = np.asarray(curve, dtype=np.float64)
    if len(c) <= max_points:
        return c
    return c[np.unique(np.linspace(0, len(c) - 1, max_points).round().astype(int))]


class ErrorToTarget(Callback):
    """Evaluate the training error every ``every`` steps; stop once it reaches ``target``.

    The evaluations are timed, so the caller can subtract them from the training time.
    """

    def __init__(self, X: np.ndarray, y: np.ndarray, every: int, steps: int, target: float):
        super().__init__()
        self.X, self.y, self.every, self.steps, self.target = X, y, every, steps, target
        self.errors: list[float] = []
        self.epochs: list[float] = []
        self.reached: float | None = None
        self.eval_seconds = 0.0
        self.done = 0

    def on_batch_end(self, batch: int, logs: dict[str, Any]) -> None:
        self.done += 1
        if self.done % self.every:
            return
        start = time.perf_counter()
        error = 1.0 - accuracy(self.model, self.X, self.y)
        self.eval_seconds += time.perf_counter() - start
        self.errors.append(error)
        self.epochs.append(self.done / self.steps)
        if error <= self.target:
            self.reached = self.done / self.steps
            self.model.stop_training = True


# --- C7: ReLU trains faster than sigmoid and tanh -------------------------------------------
#: The speed-up the article (after Krizhevsky et al. 2012) gives for ReLU.
ARTICLE_SPEEDUP = 6.0
#: ReLU counts as "about as fast as the article says" against a rival when it reaches the
#: target in at most 1/3 of the rival's epochs: at least half of the 6x figure.
NEAR_ARTICLE_SPEEDUP = ARTICLE_SPEEDUP / 2
#: Below this epoch ratio ReLU is "not faster" than a rival (differences within 20%).
FASTER_RATIO = 1.2

C7_ACTIVATIONS = ("relu", "tanh", "sigmoid")
C7_RIVALS = ("tanh", "sigmoid")
C7_VIEWS = ("same_lr", "tuned_lr")
#: Tick labels as plain numbers (2, 3, 6) rather than powers of ten on the log ratio axes.
PLAIN = FuncFormatter(lambda value, _: f"{value:g}")
RATIO_TICKS = (0.1, 0.2, 0.5, 1, 2, 3, 6, 10, 20, 50, 100)
C7_COLORS = {"relu": "#2e7d32", "tanh": "#d62728", "sigmoid": "#1f77b4"}


def _c7_run(
    config: dict[str, Any],
    data: tuple[np.ndarray, np.ndarray],
    act: str,
    init: str,
    lr: float,
    seed: int,
    max_epochs: int,
) -> dict[str, Any]:
    X, y = data
    sgd = optimizers.SGD(lr=lr, momentum=config["momentum"])
    model = digits_model(config, seed, sgd, activation=act, init=init, input_dim=X.shape[1])
    steps = -(-len(X) // config["batch_size"])
    probe = ErrorToTarget(X, y, config["eval_every"], steps, config["target_error"])
    start = time.perf_counter()
    out = fit_or_diverge(
        model, X, y, epochs=max_epochs, batch_size=config["batch_size"], callbacks=[probe]
    )
    diverged = out["diverged_at"] is not None
    train_seconds = time.perf_counter() - start - probe.eval_seconds
    return {
        "epochs_to_target": probe.reached,  # None: not reached within max_epochs
        "final_error": probe.errors[-1] if probe.errors else float("nan"),
        "diverged": diverged,
        "curve_epochs": thin(probe.epochs),
        "curve_error": thin(probe.errors),
        "seconds": train_seconds,
        "seconds_per_epoch": train_seconds / max(probe.done / steps, 1e-12),
    }


def _c7_sweep(
    config: dict[str, Any],
    data: tuple[np.ndarray, np.ndarray],
    act: str,
    init: str,
    seeds: list[int],
) -> dict[float, list[dict[str, Any]]]:
    """Run every learning rate of ``config["lrs"]`` for one activation and init.

    The shared ``config["lr"]`` runs first, up to ``max_epochs``; every other rate is
    stopped at twice the best mean so far (plus one epoch): a rate that slow cannot be the
    fastest, and stalled runs would otherwise cost ``max_epochs`` each.
    """
    order = [config["lr"]] + [lr for lr in config["lrs"] if lr != config["lr"]]
    runs: dict[float, list[dict[str, Any]]] = {}
    best = float(config["max_epochs"])
    for lr in order:
        cap = (
            config["max_epochs"]
            if lr == config["lr"]
            else min(config["max_epochs"], int(np.ceil(2 * best)) + 1)
        )
        runs[lr] = [_c7_run(config, data, act, init, lr, s, cap) for s in seeds]
        best = min(best, _filled(runs[lr], config["max_epochs"]).mean())
    return runs


def _filled(runs: list[dict[str, Any]], max_epochs: int) -> np.ndarray:
    """Epochs to target per seed; a run that never got there counts as ``max_epochs``."""
    return np.array(
        [max_epochs if r["epochs_to_target"] is None else r["epochs_to_target"] for r in runs]
    )


def _c7_view(runs: list[dict[str, Any]], max_epochs: int, lr: float) -> dict[str, Any]:
    epochs = [r["epochs_to_target"] for r in runs]
    return {
        "lr": lr,
        "epochs_per_seed": epochs,
        "epochs": spread(_filled(runs, max_epochs)),
        "censored": any(e is None for e in epochs),
        "final_error": spread([r["final_error"] for r in runs]),
        "curve_epochs": runs[0]["curve_epochs"],
        "curve_error": runs[0]["curve_error"],
    }


def _fastest_lr(sweep: dict[float, list[dict[str, Any]]], cap: int) -> float:
    return min(sweep, key=lambda lr: _filled(sweep[lr], cap).mean())


def _c7_pairing(
    config: dict[str, Any], inits: dict[str, str], sweeps: dict[str, dict[float, list]]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Summarise one init pairing: each view's runs, epochs and ratios; and their timing."""
    cap = config["max_epochs"]
    summary: dict[str, Any] = {"inits": dict(inits)}
    timing: dict[str, Any] = {}
    for view in C7_VIEWS:
        lrs = {
            act: config["lr"] if view == "same_lr" else _fastest_lr(sweep, cap)
            for act, sweep in sweeps.items()
        }
        runs = {act: sweeps[act][lr] for act, lr in lrs.items()}
        v: dict[str, Any] = {act: _c7_view(runs[act], cap, lrs[act]) for act in C7_ACTIVATIONS}
        for rival in C7_RIVALS:
            v[f"ratio_{rival}"] = {
                "ratio": v[rival]["epochs"]["mean"] / v["relu"]["epochs"]["mean"],
                "per_seed": spread(_filled(runs[rival], cap) / _filled(runs["relu"], cap)),
            }
        summary[view] = v
        timing[view] = {
            act: {key: spread([r[key] for r in rs]) for key in ("seconds", "seconds_per_epoch")}
            for act, rs in runs.items()
        }
    summary["epochs_by_lr"] = {
        act: {
            str(lr): {
                "mean": float(_filled(rs, cap).mean()),
                "censored": any(r["epochs_to_target"] is None for r in rs),
            }
            for lr, rs in sweep.items()
        }
        for act, sweep in sweeps.items()
    }
    return summary, timing


def _c7_experiment(config: dict[str, Any], seed: int) -> dict[str, Any]:
    X, y, _, _ = digits_data(config, seed)
    seeds = spawn_seeds(seed, config["n_seeds"])
    out: dict[str, Any] = {
        "target_error": config["target_error"],
        "max_epochs": config["max_epochs"],
        "lr": config["lr"],
        "lrs": list(config["lrs"]),
        "pairings": {},
        "timing": {},
    }
    done: dict[tuple[str, str], dict[float, list[dict[str, Any]]]] = {}  # pairings share runs
    for pairing, inits in config["pairings"].items():
        for act in C7_ACTIVATIONS:
            if (act, inits[act]) not in done:
                done[act, inits[act]] = _c7_sweep(config, (X, y), act, inits[act], seeds)
        sweeps = {act: done[act, inits[act]] for act in C7_ACTIVATIONS}
        out["pairings"][pairing], out["timing"][pairing] = _c7_pairing(config, inits, sweeps)
    out["tables"] = _c7_tables(out)
    return out


def _c7_cases(r: dict[str, Any]) -> list[tuple[str, str, str, float, bool, bool]]:
    """Every comparison: (pairing, view, rival, epoch ratio, rival censored, relu censored)."""
    return [
        (
            pairing,
            view,
            rival,
            p[view][f"ratio_{rival}"]["ratio"],
            p[view][rival]["censored"],
            p[view]["relu"]["censored"],
        )
        for pairing, p in r["pairings"].items()
        for view in C7_VIEWS
        for rival in C7_RIVALS
    ]


def _c7_verdict(r: dict[str, Any]) -> Verdict:
    cases = _c7_cases(r)
    near = [c for c in cases if c[3] >= NEAR_ARTICLE_SPEEDUP and not c[5]]
    slower = [c for c in cases if c[3] < FASTER_RATIO and not c[4]]
    numbers: dict[str, Any] = {}
    ranges = []
    for rival in C7_RIVALS:
        ratios = [c[3] for c in cases if c[2] == rival]
        bound = ">= " if any(c[4] for c in cases if c[2] == rival) else ""
        numbers[f"{rival}_over_relu_min"], numbers[f"{rival}_over_relu_max"] = (
            min(ratios),
            max(ratios),
        )
        ranges.append(f"{rival} {bound}{min(ratios):.1f}-{max(ratios):.1f}x")
    numbers["comparisons_near_6x"], numbers["comparisons_not_faster"] = len(near), len(slower)
    numbers |= {f"{pg}_{vw}_{rv}_over_relu": ratio for pg, vw, rv, ratio, _, _ in cases}
    measured = (
        f"Epochs to {r['target_error']:.0%} training error, as multiples of ReLU's, over "
        f"{len(cases) // len(C7_RIVALS)} settings (init pairing x shared or tuned lr): "
        + ", ".join(ranges)
        + "."
    )
    if len(near) == len(cases):
        return Verdict(
            "confirmed",
            f"{measured} ReLU needs at most 1/{NEAR_ARTICLE_SPEEDUP:g} of the epochs of both "
            f"rivals in every setting, in the range of the {ARTICLE_SPEEDUP:g}x figure.",
            numbers,
        )
    if len(slower) == len(cases):
        return Verdict(
            "refuted",
            f"{measured} ReLU is not faster (ratio < {FASTER_RATIO:g}) than either rival in "
            f"any setting; the {ARTICLE_SPEEDUP:g}x figure does not carry over to this MLP.",
            numbers,
        )

    def names(group: list[tuple[str, str, str, float, bool, bool]]) -> str:
        by_rival = {rv: sum(1 for c in group if c[2] == rv) for rv in C7_RIVALS}
        return (
            ", ".join(
                f"{rv} in {k} of {len(cases) // len(C7_RIVALS)}" for rv, k in by_rival.items() if k
            )
            or "none"
        )

    return Verdict(
        "nuanced",
        f"{measured} ReLU reaches the target at least {NEAR_ARTICLE_SPEEDUP:g}x sooner (the range "
        f"of the {ARTICLE_SPEEDUP:g}x figure) against {names(near)}; it is not faster "
        f"(< {FASTER_RATIO:g}x) against {names(slower)}.",
        numbers,
    )


def _c7_figures(r: dict[str, Any]) -> dict[str, Any]:
    pairings = list(r["pairings"])
    cols = max(len(pairings), 2)
    fig, axes = figure(cols, 2, width=4.6, height=3.4)
    for ax in axes[0, len(pairings) :]:
        ax.set_axis_off()
    for ax, pairing in zip(axes[0], pairings, strict=False):
        p = r["pairings"][pairing]
        for view, style in zip(C7_VIEWS, ("-", "--"), strict=True):
            for act in C7_ACTIVATIONS:
                v = p[view][act]
                ax.plot(
                    v["curve_epochs"],
                    np.maximum(v["curve_error"], 1e-3),
                    style,
                    color=C7_COLORS[act],
                    label=f"{act}, lr {v['lr']:g}",
                )
        ax.axhline(r["target_error"], color="k", ls=":", lw=0.8, label="target")
        ax.set(
            title=f"Training error, {pairing} init (first seed)",
            xlabel="epoch",
            ylabel="training error",
            yscale="log",
            xscale="log",
        )
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=6, ncol=2)
    settings = [(pg, vw) for pg in pairings for vw in C7_VIEWS]
    width = 0.8 / len(settings)
    epoch_ax, time_ax = axes[1, 0], axes[1, 1]
    for k, (pairing, view) in enumerate(settings):
        v, t = r["pairings"][pairing][view], r["timing"][pairing][view]
        xs = np.arange(len(C7_RIVALS)) + (k - (len(settings) - 1) / 2) * width
        label = f"{pairing} init, {view.replace('_', ' ')}"
        ratios = np.array([v[f"ratio_{rv}"]["ratio"] for rv in C7_RIVALS])
        lo = np.array([v[f"ratio_{rv}"]["per_seed"]["min"] for rv in C7_RIVALS])
        hi = np.array([v[f"ratio_{rv}"]["per_seed"]["max"] for rv in C7_RIVALS])
        epoch_ax.bar(xs, ratios, width, label=label, alpha=0.85)
        epoch_ax.errorbar(
            xs,
            ratios,
            yerr=[np.maximum(ratios - lo, 0), np.maximum(hi - ratios, 0)],
            fmt="none",
            color="k",
            capsize=2,
        )
        seconds = [
            t[rv]["seconds"]["mean"] / max(t["relu"]["seconds"]["mean"], 1e-9) for rv in C7_RIVALS
        ]
        time_ax.bar(xs, seconds, width, label=label, alpha=0.85)
    for ax, what in ((epoch_ax, "Epochs"), (time_ax, "Seconds (timing)")):
        ax.axhline(
            ARTICLE_SPEEDUP, color="#7f7f7f", ls="--", label=f"article: {ARTICLE_SPEEDUP:g}x"
        )
        ax.axhline(1.0, color="k", lw=0.8)
        ax.set_xticks(np.arange(len(C7_RIVALS)), [f"{rv} / relu" for rv in C7_RIVALS])
        ax.set(title=f"{what} to target / ReLU's", ylabel="ratio", yscale="log")
        ax.grid(alpha=0.3, axis="y", which="both")
        lo, hi = ax.get_ylim()
        ax.set_yticks([t for t in RATIO_TICKS if lo <= t <= hi])
        ax.yaxis.set_major_formatter(PLAIN)
        ax.yaxis.set_minor_formatter(NullFormatter())
    epoch_ax.set_ylabel("epoch ratio (bars: seed range)")
    epoch_ax.legend(fontsize=6)
    return {"speed": fig}


def _c7_tables(r: dict[str, Any]) -> list[dict[str, Any]]:
    rows, by_lr = [], []
    for pairing, p in r["pairings"].items():
        for view in C7_VIEWS:
            for act in C7_ACTIVATIONS:
                v, e = p[view][act], p[view][act]["epochs"]
                ratio = 1.0 if act == "relu" else p[view][f"ratio_{act}"]["ratio"]
                rows.append(
                    [
                        pairing,
                        view,
                        act,
                        p["inits"][act],
                        v["lr"],
                        f"{'>= ' if v['censored'] else ''}{e['mean']:.2f} ± {e['std']:.2f}",
                        f"{ratio:.2f}",
                    ]
                )
        for act, epochs in p["epochs_by_lr"].items():
            by_lr.append([pairing, act, *(_censored_cell(epochs[str(lr)]) for lr in r["lrs"])])
    return [
        {
            "title": f"Epochs to {r['target_error']:.0%} training error (mean ± std over seeds); "
            "wall-clock seconds are in the figure",
            "columns": [
                "pairing",
                "lr choice",
                "activation",
                "init",
                "lr",
                "epochs",
                "ratio to relu",
            ],
            "rows": rows,
        },
        {
            "title": "Mean epochs to target by learning rate ('not reached': some seed missed the "
            "target within its cap; rates after the shared one stop at twice the best)",
            "columns": ["pairing", "activation", *(f"lr {lr:g}" for lr in r["lrs"])],
            "rows": by_lr,
        },
    ]


def _censored_cell(entry: dict[str, Any]) -> str:
    return "not reached" if entry["censored"] else f"{entry['mean']:.2f}"


_C7_PAIRINGS = {
    "same": {"relu": "glorot_uniform", "tanh": "glorot_uniform", "sigmoid": "glorot_uniform"},
    "matched": {"relu": "he_normal", "tanh": "glorot_uniform", "sigmoid": "glorot_uniform"},
}
_C7_BASE = {
    "hidden": [64, 64],
    "lr": 0.01,
    "lrs": [0.01, 0.03, 0.1, 0.3, 1.0],
    "momentum": 0.9,
    "batch_size": 32,
    "eval_every": 5,
    "pairings": _C7_PAIRINGS,
}

CLAIM = Claim(
    id="C7",
    title="ReLU trains about 6x faster than sigmoid and tanh",
    statement=(
        "Networks with ReLU hidden units train much faster with SGD than the same networks "
        "with sigmoid or tanh units: about six times faster, because ReLU's gradient is 1 "
        "for every positive input and it is cheap to compute."
    ),
    sources=(
        "003",
        "paper:Krizhevsky, Sutskever & Hinton 2012, ImageNet Classification "
        "with Deep Convolutional Neural Networks (NeurIPS), Figure 1",
    ),
    experiment=_c7_experiment,
    verdict=_c7_verdict,
    figures=_c7_figures,
    profiles={
        "test": {
            **_C7_BASE,
            "hidden": [32],
            "lrs": [0.01, 0.1],
            "target_error": 0.25,
            "max_epochs": 5,
            "n_seeds": 1,
            "pairings": {"same": _C7_PAIRINGS["same"]},
        },
        "quick": {**_C7_BASE, "target_error": 0.1, "max_epochs": 60, "n_seeds": 3},
        "full": {**_C7_BASE, "target_error": 0.03, "max_epochs": 300, "n_seeds": 10},
    },
    context=(
        "The 'six times' comes from Krizhevsky et al. (2012, Figure 1): a four-layer "
        "convolutional network on CIFAR-10 reached 25% training error six times faster "
        "with ReLU than with tanh (SGD, no regularisation, each net with its own best "
        "learning rate). The article repeats it for sigmoid and tanh alike. Here: an MLP "
        "64-64-64-10 (two hidden layers) on the 8x8 digits, SGD with momentum 0.9, "
        "lr 0.01, batch 32, the same lr for all three activations and the same seeds "
        "(weights, shuffling) across activations. Speed is the number of epochs until the "
        "error on the whole training set drops to the target, checked four times per "
        "epoch; a run that never gets there counts as max_epochs, so its ratio is a lower "
        "bound (marked >=). Two init pairings: 'same' (Glorot uniform for all, the Keras "
        "default) and 'matched' (He normal for ReLU, Glorot for sigmoid and tanh). "
        "Rule: confirmed if ReLU needs at most 1/3 of a rival's epochs (half the 6x "
        "figure or more) against both rivals under both pairings; refuted if it is not "
        "faster (ratio below 1.2) than either under any; nuanced otherwise. Wall-clock "
        "seconds (training only, evaluations excluded) are reported under 'timing' and "
        "are not part of the rule."
    ),
    headline=("tanh_over_relu_min", "sigmoid_over_relu_min"),
)
