"""Claim C20: which activation the output layer needs, and what a mismatch breaks."""

from __future__ import annotations

from typing import Any

import numpy as np

from gradlab import datasets
from gradlab.i18n import N_, _, pgettext
from gradlab.lab.claim import Claim, Verdict
from gradlab.lab.kit.data import digits_data
from gradlab.lab.kit.figures import figure
from gradlab.lab.kit.fitting import fit_mlp
from gradlab.lab.kit.seeds import spawn_seeds, spread
from gradlab.lab.kit.verdicts import verdict_from_parts

#: A matched output may trail a mismatched one by at most this much accuracy, and a mismatch
#: "costs accuracy" when the best matched output beats the best mismatched one by more. Both
#: compare means over the seeds of test accuracies, whose difference has a sampling standard
#: error of sqrt(2 p (1 - p) / (n_test n_seeds)): at p = 0.96, 0.0084 on the digits' 360 test
#: images and 0.0072 on 500 moons points with 3 seeds (quick), 0.0065 and 0.0039 with 5 seeds
#: (full). 0.02 is 2.4 to 5 standard errors: a smaller gap is not told apart from noise.
ACC_TOL = 0.02
#: A sigmoid regression output counts as broken when its RMSE is this many times the identity's.
RMSE_RATIO = 2.0
#: Outputs "do not sum to 1" when more than ROWS_OFF of the rows miss 1 by more than SUM_DEFECT.
SUM_DEFECT = 0.1
ROWS_OFF = 0.01
#: Bins for the histograms of row sums (multi-class) and outputs (binary).
SUM_BINS = np.linspace(0.0, 2.5, 51)
OUT_BINS = np.linspace(-0.5, 1.5, 41)
#: Where the sigmoid-with-rescaled-targets variant maps the target range.
SCALED = (0.1, 0.9)
#: RMSE_RATIO, ACC_TOL, SUM_DEFECT and ROWS_OFF are written out in the claim's context and
#: labels (so that they can be translated): change them together.

#: (label, output activation, loss, target kind, matched?) per task. The labels are keys of
#: the results and numbers; they are shown translated (``_(label)``).
MULTI = (
    (N_("softmax + CE"), "softmax", "cross_entropy", "labels", True),
    (N_("sigmoid + BCE"), "sigmoid", "binary_cross_entropy", "onehot", False),
    (N_("identity + MSE"), None, "mse", "onehot", False),
)
BINARY = (
    (N_("sigmoid + BCE"), "sigmoid", "binary_cross_entropy", "float", True),
    (N_("softmax(2) + CE"), "softmax", "cross_entropy", "labels", True),
    (N_("identity + MSE"), None, "mse", "float", False),
)
REGRESSION = (
    (N_("identity + MSE"), None, "raw", True),
    (N_("sigmoid + MSE"), "sigmoid", "raw", False),
    (N_("sigmoid + MSE, scaled targets"), "sigmoid", "scaled", True),
)


def _targets(y: np.ndarray, kind: str, classes: int) -> np.ndarray:
    if kind == "labels":
        return y
    if kind == "onehot":
        return np.eye(classes, dtype=np.float32)[y]
    return y.astype(np.float32)


def _classification(
    config: dict[str, Any], data: tuple, variants: tuple, seed: int, epochs: int, lr: float
) -> dict[str, dict[str, Any]]:
    X, y, X_test, y_test = data
    classes = int(y.max()) + 1
    out = {}
    for label, act, loss, kind, _matched in variants:
        units = 1 if classes == 2 and act != "softmax" else classes
        model = fit_mlp(
            X,
            _targets(y, kind, classes),
            hidden=config["hidden"],
            output=units,
            output_activation=act,
            loss=loss,
            seed=seed,
            epochs=epochs,
            optimizer={"name": "adam", "config": {"lr": lr}},
        )
        p = model.predict(X_test)
        pred = (p[:, 0] > 0.5).astype(int) if units == 1 else p.argmax(axis=1)
        shown = p[:, 0] if units == 1 else (p[:, 1] if classes == 2 else p)
        out[label] = {
            "accuracy": float(np.mean(pred == y_test)),
            "sum_error": float(np.mean(np.abs(p.sum(axis=1) - 1))) if units > 1 else None,
            "rows_off": float(np.mean(np.abs(p.sum(axis=1) - 1) > SUM_DEFECT))
            if units > 1
            else None,
            "outside_01": float(np.mean((shown < 0) | (shown > 1))),
            "sum_hist": np.histogram(p.sum(axis=1), SUM_BINS)[0] if units > 2 else None,
            "out_hist": np.histogram(shown, OUT_BINS)[0] if classes == 2 else None,
        }
    return out


def _regression_data(n: int, noise: float, rng: np.random.Generator) -> tuple:
    x = rng.uniform(-3.0, 3.0, (n, 1))
    y = 2.0 * np.sin(x[:, 0]) + 0.5 * x[:, 0] + noise * rng.standard_normal(n)
    return x.astype(np.float32), y.astype(np.float32)


def _regression(config: dict[str, Any], seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    X, y = _regression_data(config["reg_n"], config["reg_noise"], rng)
    X_test, y_test = _regression_data(config["reg_n"], config["reg_noise"], rng)
    lo, hi = float(y.min()), float(y.max())
    a, b = SCALED
    order = np.argsort(X_test[:, 0])[:: max(1, config["reg_n"] // 200)]
    out: dict[str, Any] = {
        "target_range": [lo, hi],
        "unreachable": float(np.mean((y_test <= 0) | (y_test >= 1))),
        "curve_x": X_test[order, 0],
        "curve_y": y_test[order],
    }
    for label, act, kind, _matched in REGRESSION:
        t = y if kind == "raw" else a + (y - lo) / (hi - lo) * (b - a)
        model = fit_mlp(
            X,
            t,
            hidden=config["hidden"],
            output=1,
            output_activation=act,
            activation="tanh",
            init="glorot_uniform",
            loss="mse",
            seed=seed,
            epochs=config["reg_epochs"],
            optimizer={"name": "adam", "config": {"lr": config["toy_lr"]}},
        )
        p = model.predict(X_test)[:, 0]
        if kind == "scaled":
            p = lo + (p - a) / (b - a) * (hi - lo)
        out[label] = {
            "rmse": float(np.sqrt(np.mean((p - y_test) ** 2))),
            "pred_range": [float(p.min()), float(p.max())],
            "curve": p[order],
        }
    return out


def _mean_over(runs: list[dict], label: str, key: str) -> Any:
    values = [r[label][key] for r in runs]
    if values[0] is None:
        return None
    if isinstance(values[0], np.ndarray):
        return np.sum(values, axis=0)
    return spread(values)


def _c20_experiment(config: dict[str, Any], seed: int) -> dict[str, Any]:
    seeds = spawn_seeds(seed, config["n_seeds"])
    multi, binary, reg = [], [], []
    for s in seeds:
        multi.append(
            _classification(config, digits_data(config, s), MULTI, s, config["digits_epochs"], 1e-3)
        )
        Xb, yb = datasets.moons(2 * config["bin_n"], noise=config["bin_noise"], seed=s)
        Xb, Xb_test, yb, yb_test = datasets.train_test_split(Xb, yb, 0.5, seed=s)
        binary.append(
            _classification(
                config,
                (Xb, yb, Xb_test, yb_test),
                BINARY,
                s,
                config["bin_epochs"],
                config["toy_lr"],
            )
        )
        reg.append(_regression(config, s))
    out: dict[str, Any] = {"n_seeds": config["n_seeds"]}
    for task, runs, variants in (("multiclass", multi, MULTI), ("binary", binary, BINARY)):
        out[task] = {
            v[0]: {k: _mean_over(runs, v[0], k) for k in runs[0][v[0]]} | {"matched": v[4]}
            for v in variants
        }
    out["regression"] = {
        v[0]: {
            "rmse": spread([r[v[0]]["rmse"] for r in reg]),
            "pred_range": reg[0][v[0]]["pred_range"],
            "curve": reg[0][v[0]]["curve"],
            "matched": v[3],
        }
        for v in REGRESSION
    }
    out["regression"].update({k: reg[0][k] for k in ("curve_x", "curve_y", "target_range")})
    out["regression"]["unreachable"] = spread([r["unreachable"] for r in reg])
    out["tables"] = [_c20_table(out)]
    return out


def _c20_table(r: dict[str, Any]) -> dict[str, Any]:
    """The table of every variant, in the run's language (the unit runs in it)."""
    rows = []
    for task in ("multiclass", "binary"):
        for label, v in r[task].items():
            rows.append(
                [
                    _dataset(task),
                    label,
                    N_("yes") if v["matched"] else N_("no"),
                    _("accuracy {mean:.3f} ± {std:.3f}").format(
                        mean=v["accuracy"]["mean"], std=v["accuracy"]["std"]
                    ),
                    "-" if v["sum_error"] is None else f"{v['sum_error']['mean']:.3f}",
                    f"{v['outside_01']['mean']:.3f}",
                ]
            )
    for label, v in r["regression"].items():
        if isinstance(v, dict) and "rmse" in v:
            rows.append(
                [
                    pgettext("task", "regression"),
                    label,
                    N_("yes") if v["matched"] else N_("no"),
                    _("RMSE {mean:.3f} ± {std:.3f}").format(
                        mean=v["rmse"]["mean"], std=v["rmse"]["std"]
                    ),
                    "-",
                    _("range [{low:.2f}, {high:.2f}]").format(
                        low=v["pred_range"][0], high=v["pred_range"][1]
                    ),
                ]
            )
    return {
        "title": N_("Output layer and loss per task (test set, mean over seeds)"),
        "columns": [
            N_("task"),
            N_("output + loss"),
            N_("matched"),
            N_("score"),
            N_("mean |sum - 1|"),
            N_("outside [0, 1] / predicted range"),
        ],
        "rows": rows,
    }


def _dataset(task: str) -> str:
    """The name of the data set of ``task`` (``"multiclass"`` or ``"binary"``), translated."""
    if task == "multiclass":
        return pgettext("data set", "digits")
    return pgettext("data set", "moons")


def _c20_checks(r: dict[str, Any]) -> dict[str, bool]:
    """The deciding checks: matched outputs never clearly worse, every mismatch visibly broken."""
    checks = {}
    reg = r["regression"]
    ratio = reg["sigmoid + MSE"]["rmse"]["mean"] / reg["identity + MSE"]["rmse"]["mean"]
    checks[
        _(
            "a sigmoid output fails at regression (RMSE at least {ratio:g} times the identity's)"
        ).format(ratio=RMSE_RATIO)
    ] = ratio >= RMSE_RATIO
    for task in ("multiclass", "binary"):
        variants = r[task]
        best = max(v["accuracy"]["mean"] for v in variants.values() if v["matched"])
        for label, v in variants.items():
            if v["matched"]:
                continue
            as_accurate = _(
                "{dataset}: the matched output is as accurate as {label} (within {tol:g})"
            ).format(dataset=_dataset(task), label=_(label), tol=ACC_TOL)
            checks[as_accurate] = best >= v["accuracy"]["mean"] - ACC_TOL
            sums_off = v["rows_off"] is not None and v["rows_off"]["mean"] > ROWS_OFF
            not_probabilities = _("{dataset}: the outputs of {label} are not probabilities").format(
                dataset=_dataset(task), label=_(label)
            )
            checks[not_probabilities] = sums_off or v["outside_01"]["mean"] > 0
    return checks


def _c20_verdict(r: dict[str, Any]) -> Verdict:
    checks = _c20_checks(r)
    reg, mc, bi = r["regression"], r["multiclass"], r["binary"]
    rmse = {k: v["rmse"]["mean"] for k, v in reg.items() if isinstance(v, dict) and "rmse" in v}
    acc = {
        f"{t}/{k}": v["accuracy"]["mean"] for t in ("multiclass", "binary") for k, v in r[t].items()
    }
    numbers = {
        **{f"rmse/{k}": v for k, v in rmse.items()},
        **{f"accuracy/{k}": v for k, v in acc.items()},
        "multiclass_sigmoid_mean_abs_sum_minus_1": mc["sigmoid + BCE"]["sum_error"]["mean"],
        "multiclass_softmax_mean_abs_sum_minus_1": mc["softmax + CE"]["sum_error"]["mean"],
        f"multiclass_sigmoid_rows_off_by_{SUM_DEFECT:g}": mc["sigmoid + BCE"]["rows_off"]["mean"],
        "multiclass_identity_outside_01": mc["identity + MSE"]["outside_01"]["mean"],
        "binary_identity_outside_01": bi["identity + MSE"]["outside_01"]["mean"],
        "regression_targets_outside_01": reg["unreachable"]["mean"],
    }
    gaps = {
        t: max(v["accuracy"]["mean"] for v in r[t].values() if v["matched"])
        - max(v["accuracy"]["mean"] for v in r[t].values() if not v["matched"])
        for t in ("multiclass", "binary")
    }
    numbers.update({f"accuracy_gap_matched_minus_mismatched/{t}": g for t, g in gaps.items()})
    regression = _(
        "Regression ({unreachable:.0%} of targets outside (0, 1)): RMSE {identity:.3f} with the "
        "identity, {sigmoid:.3f} with a sigmoid (predictions stuck in [{low:.2g}, {high:.2g}]), "
        "{scaled:.3f} once the targets are rescaled into {into}."
    ).format(
        unreachable=reg["unreachable"]["mean"],
        identity=rmse["identity + MSE"],
        sigmoid=rmse["sigmoid + MSE"],
        low=reg["sigmoid + MSE"]["pred_range"][0],
        high=reg["sigmoid + MSE"]["pred_range"][1],
        scaled=rmse["sigmoid + MSE, scaled targets"],
        into=SCALED,
    )
    # i18n: one accuracy of the digits, with its output layer and loss ({label}).
    digits_acc = _("{accuracy:.3f} (multiclass/{label})")
    # i18n: one accuracy of the two moons, with its output layer and loss ({label}).
    moons_acc = _("{accuracy:.3f} (binary/{label})")
    digits = _(
        "Digits: accuracy {accuracies}; softmax rows sum to 1 within {softmax_sum:.1e}, sigmoid "
        "rows are off by {sigmoid_sum:.2f} on average ({rows_off:.0%} of them by more than "
        "{defect:g}) and {outside:.0%} of identity outputs lie outside [0, 1]."
    ).format(
        accuracies=", ".join(
            digits_acc.format(accuracy=v["accuracy"]["mean"], label=_(k)) for k, v in mc.items()
        ),
        softmax_sum=numbers["multiclass_softmax_mean_abs_sum_minus_1"],
        sigmoid_sum=numbers["multiclass_sigmoid_mean_abs_sum_minus_1"],
        rows_off=mc["sigmoid + BCE"]["rows_off"]["mean"],
        defect=SUM_DEFECT,
        outside=numbers["multiclass_identity_outside_01"],
    )
    moons = _(
        "Moons: accuracy {accuracies}, {outside:.0%} of identity outputs outside [0, 1]."
    ).format(
        accuracies=", ".join(
            moons_acc.format(accuracy=v["accuracy"]["mean"], label=_(k)) for k, v in bi.items()
        ),
        outside=numbers["binary_identity_outside_01"],
    )
    best = _(
        "Best matched minus best mismatched accuracy: {digits:+.3f} (digits), {moons:+.3f} "
        "(moons); for classification a mismatch mostly breaks the reading of the outputs as "
        "probabilities, not the predicted class."
    ).format(digits=gaps["multiclass"], moons=gaps["binary"])
    text = f"{regression} {digits} {moons} {best}"
    costly = {
        _("{dataset}: a mismatched output costs more than {tol:g} accuracy").format(
            dataset=_dataset(t), tol=ACC_TOL
        ): g > ACC_TOL
        for t, g in gaps.items()
    }
    verdict = verdict_from_parts(checks | costly, text, numbers, refute_when="every part fails")
    if all(checks.values()):  # a mismatch that breaks everything but the accuracy: nuanced
        status = "confirmed" if all(costly.values()) else "nuanced"
    else:
        status = verdict_from_parts(checks, text, numbers, refute_when="more than half fail").status
    return Verdict(status, verdict.reason, numbers)


#: One colour per output activation in every panel (the sigmoid's range shaded in its colour);
#: a mismatched output is hatched in the accuracy panel.
_OUTPUT_COLORS = {"identity": "#1f77b4", "sigmoid": "#ff7f0e", "softmax": "#9467bd"}


def _color(label: str) -> str:
    return _OUTPUT_COLORS[label.split()[0].split("(")[0]]


def _c20_figures(r: dict[str, Any]) -> dict[str, Any]:
    fig, axes = figure(2, 2, width=4.1, height=3.3)
    (ax0, ax1), (ax2, ax3) = axes
    reg = r["regression"]
    ax0.scatter(reg["curve_x"], reg["curve_y"], s=6, color="#bbbbbb", label=_("test targets"))
    ax0.axhspan(0, 1, color=_OUTPUT_COLORS["sigmoid"], alpha=0.12, label=_("sigmoid's range"))
    for label, *_rest in REGRESSION:
        ls = "--" if "scaled" in label else "-"
        ax0.plot(reg["curve_x"], reg[label]["curve"], color=_color(label), ls=ls, label=_(label))
    ax0.set(title=_("Regression: y = 2 sin x + x/2"), xlabel="x", ylabel="y")
    ax0.legend(fontsize=8, loc="lower right")
    for label, *_rest in MULTI:
        counts = r["multiclass"][label]["sum_hist"]
        if counts is not None:
            ax1.stairs(np.maximum(counts, 0.8), SUM_BINS, color=_color(label), label=_(label))
    ax1.set(
        yscale="log",
        title=_("Digits: sum of the 10 outputs"),
        xlabel=_("row sum"),
        ylabel=_("images (all seeds)"),
        ylim=(0.9, None),
    )
    ax1.legend(fontsize=8)
    for label, *_rest in BINARY:
        ax2.stairs(
            np.maximum(r["binary"][label]["out_hist"], 0.8),
            OUT_BINS,
            color=_color(label),
            label=_(label),
        )
    for edge in (0, 1):
        ax2.axvline(edge, color="k", ls=":")
    ax2.set(
        yscale="log",
        title=_("Moons: output for class 1"),
        xlabel=_("output"),
        ylabel=_("points (all seeds)"),
        ylim=(0.9, 5e4),
    )
    ax2.legend(fontsize=8, loc="upper center")
    labels, means, stds, colors, hatches = [], [], [], [], []
    for task in ("multiclass", "binary"):
        for label, v in r[task].items():
            labels.append(f"{_dataset(task)}: {_(label)}")
            means.append(v["accuracy"]["mean"])
            stds.append(v["accuracy"]["std"])
            colors.append(_color(label))
            hatches.append("" if v["matched"] else "//")
    bars = ax3.barh(range(len(labels)), means, xerr=stds, color=colors, edgecolor="k")
    for bar, hatch in zip(bars, hatches, strict=True):
        bar.set_hatch(hatch)
    ax3.set(
        yticks=range(len(labels)),
        xlim=(max(0.0, min(means) - 0.1), 1.0),
        title=_("Accuracy (hatched: mismatched)"),
        xlabel=_("test accuracy"),
    )
    ax3.set_yticklabels(labels, fontsize=8)
    for ax in (ax0, ax1, ax2, ax3):
        ax.grid(alpha=0.3)
    return {"outputs": fig}


CLAIM = Claim(
    id="C20",
    title=N_("Output activation: identity, sigmoid or softmax"),
    statement=N_(
        "The output layer's activation follows the task: the identity for regression, a "
        "sigmoid for two classes (or a two-way softmax) and a softmax for several classes; "
        "picking the wrong one hurts."
    ),
    sources=("003",),
    experiment=_c20_experiment,
    verdict=_c20_verdict,
    figures=_c20_figures,
    profiles={
        "test": {
            "n_seeds": 1,
            "hidden": [16],
            "digits_epochs": 3,
            "bin_n": 200,
            "bin_noise": 0.2,
            "bin_epochs": 20,
            "reg_n": 200,
            "reg_noise": 0.1,
            "reg_epochs": 60,
            "toy_lr": 0.01,
        },
        "quick": {
            "n_seeds": 3,
            "hidden": [32, 32],
            "digits_epochs": 20,
            "bin_n": 500,
            "bin_noise": 0.2,
            "bin_epochs": 40,
            "reg_n": 500,
            "reg_noise": 0.1,
            "reg_epochs": 80,
            "toy_lr": 0.01,
        },
        "full": {
            "n_seeds": 5,
            "hidden": [64, 64],
            "digits_epochs": 40,
            "bin_n": 1000,
            "bin_noise": 0.2,
            "bin_epochs": 80,
            "reg_n": 1000,
            "reg_noise": 0.1,
            "reg_epochs": 200,
            "toy_lr": 0.01,
        },
    },
    # i18n: 2 is RMSE_RATIO, 0.02 ACC_TOL, 1% ROWS_OFF and 0.1 SUM_DEFECT, written out so that
    # the text can be translated.
    context=N_(
        "Three tasks, each trained with the matched output and with mismatched ones "
        "(Adam, same seeds): the digits (10 classes: softmax + cross entropy vs ten "
        "independent sigmoids + binary cross entropy vs identity + MSE on one-hot targets), "
        "two moons (sigmoid + BCE, a two-way softmax + CE, identity + MSE on 0/1), and a "
        "1-D regression y = 2 sin x + x/2 + noise with targets in about [-3, 3] (identity "
        "vs sigmoid, and a sigmoid with the targets rescaled into (0.1, 0.9) as the usual "
        "fix). Rule: confirmed when the sigmoid's regression RMSE is at least 2"
        " times the identity's, every matched classifier is within 0.02 accuracy of "
        "(or better than) each mismatched one, and every mismatched classifier's outputs "
        "fail as probabilities (more than 1% of the rows miss a sum of 1 by "
        "more than 0.1, or values "
        "outside [0, 1]). When all of that holds, the verdict is confirmed if in both "
        "classification tasks the best matched output also beats the best mismatched one "
        "by more than 0.02 accuracy, and nuanced if not (the mismatch then breaks the "
        "probabilities but not the predicted class). Refuted when more than half of the "
        "checks fail, nuanced otherwise."
    ),
    headline=("rmse/identity + MSE", "rmse/sigmoid + MSE"),
    labels={
        # One label per variant of REGRESSION, MULTI and BINARY (written out, to be translated).
        "rmse/identity + MSE": N_(
            "test RMSE of the regression, identity + MSE output [target units]"
        ),
        "rmse/sigmoid + MSE": N_(
            "test RMSE of the regression, sigmoid + MSE output [target units]"
        ),
        "rmse/sigmoid + MSE, scaled targets": N_(
            "test RMSE of the regression, sigmoid + MSE, scaled targets output [target units]"
        ),
        "accuracy/multiclass/softmax + CE": N_(
            "test accuracy on digits, softmax + CE [accuracy, 0-1]"
        ),
        "accuracy/multiclass/sigmoid + BCE": N_(
            "test accuracy on digits, sigmoid + BCE [accuracy, 0-1]"
        ),
        "accuracy/multiclass/identity + MSE": N_(
            "test accuracy on digits, identity + MSE [accuracy, 0-1]"
        ),
        "accuracy/binary/sigmoid + BCE": N_(
            "test accuracy on moons, sigmoid + BCE [accuracy, 0-1]"
        ),
        "accuracy/binary/softmax(2) + CE": N_(
            "test accuracy on moons, softmax(2) + CE [accuracy, 0-1]"
        ),
        "accuracy/binary/identity + MSE": N_(
            "test accuracy on moons, identity + MSE [accuracy, 0-1]"
        ),
        "multiclass_sigmoid_mean_abs_sum_minus_1": N_(
            "digits: mean |sum of the 10 outputs - 1| with ten sigmoids [probability]"
        ),
        "multiclass_softmax_mean_abs_sum_minus_1": N_(
            "digits: mean |sum of the 10 outputs - 1| with softmax [probability]"
        ),
        f"multiclass_sigmoid_rows_off_by_{SUM_DEFECT:g}": N_(
            "digits: share of images whose ten sigmoid outputs sum to 1 ± more than 0.1 "
            "[fraction of images]"
        ),
        "multiclass_identity_outside_01": N_(
            "digits: share of identity outputs outside [0, 1] [fraction of outputs]"
        ),
        "binary_identity_outside_01": N_(
            "moons: share of identity outputs outside [0, 1] [fraction of points]"
        ),
        "regression_targets_outside_01": N_(
            "share of regression targets a sigmoid cannot reach, outside (0, 1) "
            "[fraction of targets]"
        ),
        "accuracy_gap_matched_minus_mismatched/multiclass": N_(
            "digits: best matched minus best mismatched test accuracy [accuracy difference]"
        ),
        "accuracy_gap_matched_minus_mismatched/binary": N_(
            "moons: best matched minus best mismatched test accuracy [accuracy difference]"
        ),
    },
    source_parts={
        "003": N_(
            "“3.3.3 출력층으로의 신호전달 구현” (identity for regression, sigmoid or softmax "
            "for two classes, softmax for several) and “3.4 출력층 설계하기”; that a wrong "
            "choice hurts is the lab's test, not a sentence of the article"
        ),
    },
)
