"""Claims about activation derivatives: the negative side of smooth ReLUs, and ReLU's kink."""

from __future__ import annotations

from typing import Any

import numpy as np

from ... import activations, layers
from ...model import Sequential
from ..claim import Claim, Verdict, register
from ..common import digits_data, figure, spawn_seeds
from ._activations_util import LOG10_BINS, ReLUAtZero, central_difference, verdict_from_parts

# --- C18: Swish, GELU and ELU on the negative side ---------------------------------------------
#: The activations compared; ReLU is the reference with a zero gradient for x < 0.
C18_ACTS = ("relu", "silu", "gelu", "elu")
C18_SMOOTH = ("silu", "gelu", "elu")
#: The article's Swish derivative must match central differences to this absolute error.
FORMULA_TOL = 1e-8
#: A gradient below this size is reported as "practically zero" (not used by the rule).
PRACTICAL = 1e-3


def _stable_sigmoid(x: np.ndarray) -> np.ndarray:
    """The logistic function through tanh: no overflow, and independent of gradlab's kernel."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def _article_swish_derivative(x: np.ndarray) -> np.ndarray:
    """Swish'(x) = sigmoid(x) (1 + x (1 - sigmoid(x))), as article 001 writes it."""
    s = _stable_sigmoid(x)
    return s * (1.0 + x * (1.0 - s))


def _first_exact_zero(act: activations.Activation, far: float, dtype: str) -> float | None:
    """The negative input closest to 0 (on a log grid down to -far) where f' is exactly 0."""
    x = -np.logspace(-2, np.log10(far), 20_001).astype(dtype)
    zero = x[act.derivative(x) == 0]
    return float(zero.max()) if zero.size else None


def _refine_min(f: Any, x: np.ndarray) -> tuple[float, float]:
    """Minimum of ``f`` on grid ``x``, then on a 10001-point grid around the grid's argmin."""
    i = int(np.argmin(f(x)))
    fine = np.linspace(x[max(i - 1, 0)], x[min(i + 1, len(x) - 1)], 10_001)
    j = int(np.argmin(f(fine)))
    return float(fine[j]), float(f(fine)[j])


def _c18_experiment(config: dict[str, Any], seed: int) -> dict[str, Any]:
    limit, points = config["limit"], config["points"]
    x = np.linspace(-limit, 0.0, points, endpoint=False)
    x_plot = np.linspace(-6.0, 3.0, 181)
    x_far = np.linspace(-config["plot_far"], 0.0, 200, endpoint=False)
    out: dict[str, Any] = {"limit": limit, "points": points, "x_plot": x_plot, "x_far": x_far}
    for name in C18_ACTS:
        act = activations.get(name)
        d = act.derivative(x)
        negative = x[d < 0]
        reach = x[np.abs(d) >= PRACTICAL]
        arg_min, d_min = _refine_min(act.derivative, x)
        out[name] = {
            "nonzero_fraction": float(np.mean(d != 0)),
            "negative_fraction": float(np.mean(d < 0)),
            "negative_below": float(negative.max()) if negative.size else None,
            "derivative_min": d_min,
            "derivative_argmin": arg_min,
            "practical_down_to": float(reach.min()) if reach.size else None,
            "at": {str(v): float(act.derivative(np.float64(v))) for v in (-1, -3, -10)},
            "numeric_max_error": float(np.max(np.abs(central_difference(act, x) - d))),
            "first_exact_zero": {dt: _first_exact_zero(act, config["far"], dt)
                                 for dt in ("float32", "float64")},
            "curve": act.derivative(x_plot),
            "far_curve": np.abs(act.derivative(x_far)),
        }
    full = np.linspace(-limit, limit, 2 * points + 1)
    swish = activations.get("silu")
    formula = _article_swish_derivative(full)
    out["swish_formula"] = {
        "vs_central_difference": float(np.max(np.abs(
            central_difference(lambda t: t * _stable_sigmoid(t), full) - formula))),
        "vs_gradlab": float(np.max(np.abs(swish.derivative(full) - formula))),
        "forward_vs_gradlab": float(np.max(np.abs(swish(full) - full * _stable_sigmoid(full)))),
        "symmetry_error": float(np.max(np.abs(formula + formula[::-1] - 1.0))),
    }
    return out


def _c18_verdict(r: dict[str, Any]) -> Verdict:
    f = r["swish_formula"]
    formula_ok = f["vs_central_difference"] <= FORMULA_TOL and f["vs_gradlab"] <= FORMULA_TOL
    nonzero = {name: r[name]["nonzero_fraction"] for name in C18_ACTS}
    nonzero_ok = all(nonzero[n] == 1.0 for n in C18_SMOOTH) and nonzero["relu"] == 0.0
    sw, ge, el = r["silu"], r["gelu"], r["elu"]
    numbers = {
        "swish_formula_vs_central_difference": f["vs_central_difference"],
        "swish_formula_vs_gradlab": f["vs_gradlab"],
        **{f"{n}_nonzero_fraction_x<0": v for n, v in nonzero.items()},
        "swish_derivative_min": sw["derivative_min"],
        "swish_derivative_argmin": sw["derivative_argmin"],
        "swish_negative_below": sw["negative_below"],
        "gelu_derivative_min": ge["derivative_min"],
        "gelu_negative_below": ge["negative_below"],
    }
    text = (
        f"On {r['points']} points of [-{r['limit']:g}, 0) the derivative is non-zero at "
        f"{', '.join(f'{nonzero[n]:.0%} ({n})' for n in C18_ACTS)} of them. The article's "
        f"Swish' matches central differences to {f['vs_central_difference']:.1e} and gradlab "
        f"to {f['vs_gradlab']:.1e}. The sign is not what article 001 says: Swish' is negative "
        f"only below x = {sw['negative_below']:.4f} (minimum {sw['derivative_min']:.4f} at "
        f"x = {sw['derivative_argmin']:.4f}) and positive between there and 0; GELU' is "
        f"negative below {ge['negative_below']:.4f} (min {ge['derivative_min']:.4f} at "
        f"{ge['derivative_argmin']:.4f}); ELU' = e^x > 0. Non-zero is not large: |f'| stays "
        f"above {PRACTICAL:g} only down to x = {sw['practical_down_to']:.2f} (Swish), "
        f"{ge['practical_down_to']:.2f} (GELU), {el['practical_down_to']:.2f} (ELU), and in "
        f"float32 it is exactly 0 below {sw['first_exact_zero']['float32']:.4g}, "
        f"{ge['first_exact_zero']['float32']:.4g} and {el['first_exact_zero']['float32']:.4g}."
    )
    parts = {"the article's Swish formula": formula_ok,
             "a non-zero gradient for x < 0 (zero for ReLU)": nonzero_ok}
    return verdict_from_parts(parts, text, numbers)


_C18_COLORS = {"relu": "#7f7f7f", "silu": "#1f77b4", "gelu": "#2ca02c", "elu": "#d62728"}
_C18_LABELS = {"relu": "ReLU", "silu": "Swish (SiLU)", "gelu": "GELU", "elu": "ELU"}


def _c18_figures(r: dict[str, Any]) -> dict[str, Any]:
    fig, (ax0, ax1) = figure(2, width=4.6)
    for name in C18_ACTS:
        ax0.plot(r["x_plot"], r[name]["curve"], color=_C18_COLORS[name], label=_C18_LABELS[name])
    sw = r["silu"]
    ax0.plot([sw["derivative_argmin"]], [sw["derivative_min"]], "o", color=_C18_COLORS["silu"])
    ax0.annotate(f"min {sw['derivative_min']:.4f}\nat x = {sw['derivative_argmin']:.3f}",
                 (sw["derivative_argmin"], sw["derivative_min"]), xytext=(-5.8, 0.35),
                 fontsize=8, arrowprops={"arrowstyle": "->"})
    ax0.axhline(0, color="k", lw=0.6)
    ax0.set(title="f'(x): the negative side", xlabel="x", ylabel="f'(x)")
    ax0.legend(fontsize=8, loc="upper left")
    for name in C18_SMOOTH:
        y = np.asarray(r[name]["far_curve"], dtype=float)
        keep = y > 0
        ax1.plot(np.asarray(r["x_far"])[keep], y[keep], color=_C18_COLORS[name],
                 label=_C18_LABELS[name])
        zero = r[name]["first_exact_zero"]["float32"]
        if zero is not None and zero >= r["x_far"][0]:
            ax1.axvline(zero, color=_C18_COLORS[name], ls=":", lw=1,
                        label=f"{_C18_LABELS[name]}' = 0 in float32")
    ax1.axhline(PRACTICAL, color="#7f7f7f", ls="--", lw=1, label=f"|f'| = {PRACTICAL:g}")
    ax1.set(yscale="log", title="|f'(x)| far out, float64 (ReLU: exactly 0)", xlabel="x",
            ylabel="|f'(x)|", ylim=(1e-40, 10))
    ax1.legend(fontsize=7, loc="lower right")
    for ax in (ax0, ax1):
        ax.grid(alpha=0.3)
    return {"negative_gradients": fig}


C18 = register(
    Claim(
        id="C18",
        title="Swish, GELU, ELU: gradient for negative inputs",
        statement=(
            "Unlike ReLU, whose gradient is 0 for every negative input, Swish, GELU and ELU "
            "keep a non-zero gradient there, which is meant to stop units from dying. The "
            "derivative of Swish, x sigmoid(x), is sigmoid(x) (1 + x (1 - sigmoid(x))). "
            "(Article 001 adds that Swish's gradient stays negative for negative inputs.)"
        ),
        sources=("001",),
        experiment=_c18_experiment,
        verdict=_c18_verdict,
        figures=_c18_figures,
        profiles={
            "test": {"limit": 10.0, "points": 2_001, "far": 1_000.0, "plot_far": 20.0},
            "quick": {"limit": 10.0, "points": 200_001, "far": 1_000.0, "plot_far": 20.0},
            "full": {"limit": 20.0, "points": 2_000_001, "far": 1_000.0, "plot_far": 20.0},
        },
        context=(
            "Swish here is gradlab's 'silu' (x sigmoid(x), Swish with beta = 1), GELU the exact "
            "erf form, ELU with alpha = 1. The article's Swish' is evaluated with a sigmoid "
            "written through tanh, so it shares no code with gradlab, and checked against "
            "central differences of x sigmoid(x) and against gradlab's derivative. Rule: "
            f"confirmed when that formula matches both within {FORMULA_TOL:g} and Swish, GELU "
            "and ELU have a non-zero derivative at every grid point of [-limit, 0) while "
            "ReLU's is 0 at every one; nuanced when only one of the two holds. Reported, not "
            "judged: where the derivative changes sign, how small it gets (|f'| < "
            f"{PRACTICAL:g}), and where it underflows to exactly 0 in float32 and float64. "
            "Swish' and its mirror image add up to 1 (f'(x) + f'(-x) = 1, because "
            "f(x) - f(-x) = x), so its minimum on the left is 1 minus its maximum on the right."
        ),
        family="activations",
    )
)


# --- C19: ReLU's kink at 0 ---------------------------------------------------------------------
#: Final test accuracies (loss) of relu'(0) choices count as the same within these margins.
ACC_TOL = 0.005
LOSS_RTOL = 0.01
def _c19_train(config: dict[str, Any], data: tuple, setting: dict, act: Any, seed: int) -> dict:
    """Train one net whose hidden activations are ``act()`` (a fresh one per layer)."""
    X, y, X_test, y_test = (a.astype(setting["dtype"]) if a.dtype.kind == "f" else a
                            for a in data)
    hidden = [act() for _ in config["hidden"]]
    model = Sequential(
        [*(layers.Dense(w, a, kernel_initializer="he_normal")
           for w, a in zip(config["hidden"], hidden, strict=True)), layers.Dense(10)],
        input_dim=X.shape[1], seed=seed, dtype=setting["dtype"],
    )
    optimizer = {"name": setting["optimizer"], "config": {"lr": setting["lr"]}}
    model.compile(optimizer=optimizer, loss="cross_entropy", metrics=["accuracy"])
    model.fit(X, y, epochs=config["epochs"], batch_size=32, verbose=0)
    test = model.evaluate(X_test, y_test)
    counters = [a for a in hidden if isinstance(a, ReLUAtZero)]
    return {
        "accuracy": test["accuracy"], "loss": test["loss"], "weights": model.get_weights(),
        "zeros": sum(a.zeros for a in counters), "seen": sum(a.seen for a in counters),
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
                    matches.append(all(np.array_equal(a, b) for a, b in
                                       zip(run["weights"], base["weights"], strict=True)))
                runs[str(v)].append(run)
        ref = runs[str(config["values"][0])]
        settings.append({
            **setting,
            "accuracy": {k: [r["accuracy"] for r in rs] for k, rs in runs.items()},
            "loss": {k: [r["loss"] for r in rs] for k, rs in runs.items()},
            "max_weight_diff": max(
                float(np.max(np.abs(a - b))) for rs in runs.values()
                for r, r0 in zip(rs, ref, strict=True)
                for a, b in zip(r["weights"], r0["weights"], strict=True)),
            "zeros": sum(r["zeros"] for rs in runs.values() for r in rs),
            "seen": sum(r["seen"] for rs in runs.values() for r in rs),
            "smallest_nonzero": min(r["smallest"] for rs in runs.values() for r in rs),
            "hist": sum(r["hist"] for r in ref),
            "custom_equals_builtin": all(matches),
        })
    return {"kink": _c19_kink(), "settings": settings, "values": config["values"],
            "epochs": config["epochs"], "n_seeds": config["n_seeds"], "log10_bins": LOG10_BINS}


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
        "right_derivative": k["right"][0], "left_derivative": k["left"][0],
        "gradlab_relu_derivative_at_0": k["gradlab_at_0"],
        "exact_zero_preactivations": zeros, "preactivations_seen": seen,
        "smallest_nonzero_abs_preactivation": min(st["smallest_nonzero"] for st in r["settings"]),
        "max_test_accuracy_gap": acc_gap, "max_test_loss_rel_gap": loss_gap,
        "max_weight_diff": max(st["max_weight_diff"] for st in r["settings"]),
    }
    where = "; ".join(
        f"{st['zeros']} of {st['seen']:,} ({st['dtype']} {st['optimizer']}, weights apart by "
        f"{st['max_weight_diff']:.2g})" for st in r["settings"])
    text = (
        f"The one-sided difference quotients at 0 are {k['left'][0]:g} (left) and "
        f"{k['right'][0]:g} (right) for every h down to {k['h'][-1]:g}, and gradlab uses "
        f"relu'(0) = {k['gradlab_at_0']:g}. Training digits nets for {r['epochs']} epochs "
        f"({r['n_seeds']} seeds) with relu'(0) in {r['values']}, the backward passes met "
        f"exactly-zero pre-activations {where}; the smallest non-zero |z| was "
        f"{numbers['smallest_nonzero_abs_preactivation']:.1e}. Test accuracy differs by at most "
        f"{acc_gap:.4f} and test loss by {loss_gap:.2%} between the choices."
    )
    parts = {"one-sided derivatives 0 and 1": one_sided, "gradlab uses relu'(0) = 0": uses_zero,
             "the choice leaves training unchanged": same}
    return verdict_from_parts(parts, text, numbers)


def _c19_figures(r: dict[str, Any]) -> dict[str, Any]:
    fig, (ax0, ax1, ax2) = figure(3, width=4.0)
    k = r["kink"]
    ax0.plot([-1, 0], [k["kink"]["left"]] * 2, color="#1f77b4", lw=2, label="relu'(x)")
    ax0.plot([0, 1], [k["kink"]["right"]] * 2, color="#1f77b4", lw=2)
    ax0.plot([0, 0], [k["kink"]["left"], k["kink"]["right"]], "o", mfc="white",
             color="#1f77b4", label="one-sided limits")
    ax0.plot([0], [k["gradlab_at_0"]], "o", color="#d62728", label="value used at 0 (gradlab)")
    ax0.set(title="ReLU's derivative has no value at 0", xlabel="x", ylabel="relu'(x)",
            ylim=(-0.2, 1.2))
    ax0.legend(fontsize=7, loc="center left")
    bins = np.asarray(r["log10_bins"])
    for st in r["settings"]:
        ax1.stairs(st["hist"], bins, label=f"{st['dtype']}, {st['optimizer']}")
    ax1.set(yscale="log", title="|pre-activation| met in backward", xlabel="log10 |z|",
            ylabel="count (relu'(0) = 0 runs)")
    zeros = "\n".join(f"{st['dtype']} {st['optimizer']}: {st['zeros']}" for st in r["settings"])
    ax1.text(0.03, 0.97, f"exactly 0, all runs:\n{zeros}", transform=ax1.transAxes, fontsize=7,
             va="top")
    ax1.legend(fontsize=7, loc="center left")
    width = 0.8 / len(r["values"])
    for j, v in enumerate(r["values"]):
        means = [np.mean(st["accuracy"][str(v)]) for st in r["settings"]]
        errs = [np.std(st["accuracy"][str(v)]) for st in r["settings"]]
        ax2.bar(np.arange(len(means)) + (j - (len(r["values"]) - 1) / 2) * width, means, width,
                yerr=errs, label=f"relu'(0) = {v:g}")
    ax2.set(title="Test accuracy after training", ylabel="accuracy (mean, std over seeds)",
            xticks=range(len(r["settings"])),
            xticklabels=[f"{st['dtype']}\n{st['optimizer']}" for st in r["settings"]])
    lo = min(min(np.min(a) for a in st["accuracy"].values()) for st in r["settings"])
    ax2.set_ylim(max(0.0, lo - 0.05), 1.0)
    ax2.legend(fontsize=7, loc="lower right")
    for ax in (ax0, ax1, ax2):
        ax.grid(alpha=0.3)
    return {"kink": fig}


C19 = register(
    Claim(
        id="C19",
        title="ReLU at 0: not differentiable, and it does not matter",
        statement=(
            "ReLU has no derivative at 0 (the slope jumps from 0 to 1); back-propagation works "
            "anyway because frameworks simply use 0 there, and which value is used makes no "
            "difference to training in practice."
        ),
        sources=("002",),
        experiment=_c19_experiment,
        verdict=_c19_verdict,
        figures=_c19_figures,
        profiles={
            "test": {"hidden": [32], "epochs": 2, "n_seeds": 1, "values": [0.0, 1.0],
                     "settings": [{"dtype": "float32", "optimizer": "sgd", "lr": 0.1}]},
            "quick": {"hidden": [64, 64], "epochs": 10, "n_seeds": 3, "values": [0.0, 1.0, 0.5],
                      "settings": [{"dtype": "float32", "optimizer": "sgd", "lr": 0.1},
                                   {"dtype": "float32", "optimizer": "adam", "lr": 0.001}]},
            "full": {"hidden": [128, 128, 128], "epochs": 30, "n_seeds": 5,
                     "values": [0.0, 1.0, 0.5],
                     "settings": [{"dtype": "float32", "optimizer": "sgd", "lr": 0.1},
                                  {"dtype": "float32", "optimizer": "adam", "lr": 0.001},
                                  {"dtype": "float64", "optimizer": "sgd", "lr": 0.1}]},
        },
        context=(
            "gradlab's relu'(0) is 0, as PyTorch autograd's (the engine's oracle tests check "
            "it) and JAX's. The experiment trains the same seeded MLP on the digits several "
            "times, changing only the value relu'(0) takes, with an activation that counts how "
            "often a backward pass meets a pre-activation that is exactly 0; the run with 0 is "
            "checked to be bit-identical to gradlab's own relu. A pre-activation is x W + b "
            "with continuous weights, so an exact 0 needs an exact cancellation; when none "
            "occurs the runs cannot differ at all. Rule: confirmed when the one-sided "
            "derivatives are 0 and 1, gradlab uses 0, and every choice ends within "
            f"{ACC_TOL} test accuracy and {LOSS_RTOL:.0%} test loss of relu'(0) = 0; nuanced "
            "when the choice changed training beyond that. Bertoin et al. (NeurIPS 2021, "
            "'Numerical influence of ReLU'(0) on backpropagation') found exact zeros, and an "
            "effect of the choice, common in 16-bit and in large 32-bit convolutional nets "
            "trained with plain SGD, vanishing in 64-bit; this small float32 MLP is not that "
            "regime."
        ),
        family="activations",
        headline=("exact_zero_preactivations", "max_test_accuracy_gap"),
    )
)
