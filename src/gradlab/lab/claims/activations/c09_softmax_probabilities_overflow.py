"""Claim C9: softmax gives ordered probabilities, and needs the max subtracted to stay finite."""

from __future__ import annotations

from typing import Any

import numpy as np

from gradlab import activations
from gradlab.i18n import N_, _
from gradlab.lab.claim import Claim, Verdict
from gradlab.lab.kit.data import digits_data
from gradlab.lab.kit.figures import figure
from gradlab.lab.kit.fitting import fit_mlp
from gradlab.lab.kit.verdicts import verdict_from_parts

# --- C9: softmax -------------------------------------------------------------------------------
#: The article's example logits and the stable result it prints (9 significant digits).
C9_LOGITS = (1010.0, 1000.0, 990.0)
C9_EXPECTED = (9.99954600e-01, 4.53978686e-05, 2.06106005e-09)
#: Relative tolerance for the printed numbers. They carry 9 significant digits, so each is
#: rounded by at most half a unit of the 9th: a relative 5e-10, 1.1e-9 and 2.4e-9 for the three
#: (5e-9 at worst for any 9-digit number); float64 adds ~1e-16. A float32 softmax is already
#: off by 1.7e-7, the naive formula by NaN.
EXPECTED_RTOL = 1e-8
#: A row of k probabilities sums to 1 within SUM_MARGIN times its rounding bound. To first
#: order the rounding of each exp(x_i - m) cancels between the numerator and the sum it is
#: divided by; what is left is the division (u) and the row sum (γ_(k-1) = (k-1)u) in the
#: dtype, and the check's own float64 sum: (k - 1/2) machine epsilons for float64 rows,
#: k/2 for float32 ones (u = eps/2). An unnormalised or wrongly normalised row misses by
#: 1e3 eps or more.
SUM_MARGIN = 2
#: EXPECTED_RTOL and SUM_MARGIN are written out in the claim's context and labels (so that the
#: texts can be translated): change them together.
PART_NAIVE = N_("the naive formula overflows")
PART_STABLE = N_("subtracting the maximum gives the article's numbers and stays finite")
PART_SUM = N_("every softmax row sums to 1")
PART_ORDER = N_("softmax keeps the order of the logits and the argmax")


def sum_tolerance_eps(k: int) -> float:
    """The tolerance of ``|row sum - 1|`` for ``k`` classes, in machine epsilons."""
    return SUM_MARGIN * (k - 0.5)


_DTYPES = ("float32", "float64")


def _naive_softmax(x: np.ndarray) -> np.ndarray:
    """``exp(x) / sum(exp(x))`` as written, overflow and 0/0 allowed (they are the outcome)."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        e = np.exp(x)
        return e / e.sum(axis=-1, keepdims=True)


def _c9_shift_sweep(config: dict[str, Any]) -> dict[str, Any]:
    """Logits ``[c, c - 10, c - 20]`` for c on a grid: where does the naive formula fail?"""
    n = round(config["shift_limit"] / config["shift_step"])
    c = np.round(np.arange(-n, n + 1) * config["shift_step"], 9)
    rows = c[:, None] - np.array(C9_LOGITS)[0] + np.array(C9_LOGITS)
    softmax = activations.get("softmax")
    out: dict[str, Any] = {}
    stride = max(1, len(c) // 200)
    for dt in _DTYPES:
        x = rows.astype(dt)
        ok = np.isfinite(_naive_softmax(x)).all(axis=1)
        out[dt] = {
            "naive_ok_from": float(c[ok].min()),
            "naive_ok_to": float(c[ok].max()),
            "stable_all_finite": bool(np.isfinite(softmax(x)).all()),
            "naive_ok_curve": ok[::stride].astype(np.int8),
        }
    out["shift_curve"] = c[::stride]
    return out


def _order_stats(x: np.ndarray, s: np.ndarray) -> dict[str, Any]:
    """Argmax agreement, inversions and ties of ``s = softmax(x)`` in the logits' order."""
    order = np.argsort(x, axis=1, kind="stable")
    xs, ss = np.take_along_axis(x, order, 1), np.take_along_axis(s, order, 1)
    distinct = np.diff(xs, axis=1) > 0
    ds = np.diff(ss, axis=1)
    return {
        "argmax_agreement": float(np.mean(s.argmax(axis=1) == x.argmax(axis=1))),
        "inversions": int(np.sum(distinct & (ds < 0))),
        "tie_fraction": float(np.sum(distinct & (ds == 0)) / max(1, distinct.sum())),
        "zero_fraction": float(np.mean(s == 0)),
    }


def _c9_random(config: dict[str, Any], seed: int) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((config["n_rows"], config["n_classes"]))
    softmax = activations.get("softmax")
    rows = []
    for dt in _DTYPES:
        for scale in config["scales"]:
            x = (z * scale).astype(dt)
            s = softmax(x)
            err = float(np.max(np.abs(s.astype(np.float64).sum(axis=1) - 1)))
            rows.append(
                {
                    "dtype": dt,
                    "scale": scale,
                    "sum_error": err,
                    "sum_error_eps": err / float(np.finfo(dt).eps),
                    **_order_stats(x, s),
                }
            )
    return rows


def _c9_experiment(config: dict[str, Any], seed: int) -> dict[str, Any]:
    a = np.array(C9_LOGITS)
    with np.errstate(over="ignore"):
        exp_a = np.exp(a)
    naive = _naive_softmax(a)
    stable = activations.get("softmax")(a)
    by_hand = np.exp(a - a.max()) / np.exp(a - a.max()).sum()
    expected = np.array(C9_EXPECTED)
    X, y, X_test, y_test = digits_data(config, seed)
    model = fit_mlp(
        X,
        y,
        hidden=[32],
        output=10,
        output_activation="softmax",
        seed=seed,
        epochs=config["epochs"],
    )
    logits = model.forward(X_test, logits=True)
    probs = model.predict(X_test)
    random = _c9_random(config, seed)
    return {
        "naive": {
            "exp_overflowed": bool(np.isinf(exp_a).any()),
            "result": naive,
            "finite": bool(np.isfinite(naive).all()),
        },
        "stable": stable,
        "stable_by_hand": by_hand,
        "stable_rel_error": float(np.max(np.abs(stable / expected - 1))),
        "by_hand_rel_error": float(np.max(np.abs(by_hand / expected - 1))),
        "float32_rel_error": float(
            np.max(np.abs(activations.get("softmax")(a.astype(np.float32)) / expected - 1))
        ),
        "sweep": _c9_shift_sweep(config),
        "random": random,
        "n_classes": config["n_classes"],
        "digits": {
            "argmax_agreement": float(np.mean(logits.argmax(1) == probs.argmax(1))),
            "accuracy_from_logits": float(np.mean(logits.argmax(1) == y_test)),
            "accuracy_from_probs": float(np.mean(probs.argmax(1) == y_test)),
            "n_test": len(y_test),
        },
        "tables": [
            {
                "title": N_("Softmax of random logits (standard normal times the scale)"),
                "columns": [
                    "dtype",
                    N_("scale"),
                    N_("max |sum - 1| (eps)"),
                    N_("argmax agreement"),
                    N_("inversions"),
                    N_("tied pairs"),
                    N_("exact zeros"),
                ],
                "rows": [
                    [
                        row["dtype"],
                        row["scale"],
                        round(row["sum_error_eps"], 2),
                        row["argmax_agreement"],
                        row["inversions"],
                        round(row["tie_fraction"], 4),
                        round(row["zero_fraction"], 4),
                    ]
                    for row in random
                ],
            }
        ],
    }


def _c9_verdict(r: dict[str, Any]) -> Verdict:
    rand = r["random"]
    worst_sum = max(row["sum_error_eps"] for row in rand)
    agree = min([row["argmax_agreement"] for row in rand] + [r["digits"]["argmax_agreement"]])
    inversions = sum(row["inversions"] for row in rand)
    ties = {(row["dtype"], row["scale"]): row["tie_fraction"] for row in rand}
    sum_tol = sum_tolerance_eps(r["n_classes"])
    parts = {
        PART_NAIVE: not r["naive"]["finite"] and r["naive"]["exp_overflowed"],
        PART_STABLE: (
            r["stable_rel_error"] <= EXPECTED_RTOL
            and all(r["sweep"][dt]["stable_all_finite"] for dt in _DTYPES)
        ),
        PART_SUM: worst_sum <= sum_tol,
        PART_ORDER: agree == 1.0 and inversions == 0,
    }
    numbers = {
        "naive_result_finite": r["naive"]["finite"],
        "stable_max_rel_error": r["stable_rel_error"],
        "max_sum_error_eps": worst_sum,
        "sum_tolerance_eps": sum_tol,
        "min_argmax_agreement": agree,
        "inversions": inversions,
        "float32_naive_overflow_above": r["sweep"]["float32"]["naive_ok_to"],
        "float64_naive_overflow_above": r["sweep"]["float64"]["naive_ok_to"],
        "max_tie_fraction": max(ties.values()),
    }
    s32, s64 = r["sweep"]["float32"], r["sweep"]["float64"]
    worst_tie = max(ties, key=ties.get)
    naive_text = _(
        "Naive exp(x)/sum on {logits} gives {result}; with [c, c-10, c-20] it stays finite "
        "only for c in [{from32:g}, {to32:g}] (float32) and [{from64:g}, {to64:g}] (float64)."
    ).format(
        logits=list(C9_LOGITS),
        result=np.asarray(r["naive"]["result"]),
        from32=s32["naive_ok_from"],
        to32=s32["naive_ok_to"],
        from64=s64["naive_ok_from"],
        to64=s64["naive_ok_to"],
    )
    stable_text = _(
        "Subtracting the max gives {result}, within {error:.1e} of the article."
    ).format(
        result=np.array2string(np.asarray(r["stable"]), precision=8),
        error=r["stable_rel_error"],
    )
    random_text = _(
        "On random logits rows sum to 1 within {worst:.1f} machine epsilons (rounding can "
        "reach {bound:g}; tolerance {tol:g}), argmax agrees on {agree:.0%} of rows (and on the "
        "trained digits net), with {inversions} order inversions; rounding does merge values, "
        "up to {tied:.0%} of distinct pairs tied ({dtype}, scale {scale:g}), mostly "
        "probabilities that underflow to exactly 0."
    ).format(
        worst=worst_sum,
        bound=sum_tol / SUM_MARGIN,
        tol=sum_tol,
        agree=agree,
        inversions=inversions,
        tied=ties[worst_tie],
        dtype=worst_tie[0],
        scale=worst_tie[1],
    )
    text = f"{naive_text} {stable_text} {random_text}"
    return verdict_from_parts(parts, text, numbers, refute_when="every part fails")


#: One colour per dtype in every panel; the stable softmax in grey, the article in black.
_DTYPE_COLORS = {"float32": "#1f77b4", "float64": "#d62728"}


def _c9_figures(r: dict[str, Any]) -> dict[str, Any]:
    fig, axes = figure(2, 2, width=4.1, height=2.9)
    (ax0, ax1), (ax2, ax3) = axes
    grid = ax2.get_gridspec()
    ax2.remove()
    ax3.remove()
    ax2 = fig.add_subplot(grid[1, :])
    c = np.asarray(r["sweep"]["shift_curve"])
    for dt, offset in (("float32", 0.03), ("float64", -0.03)):
        ok = np.asarray(r["sweep"][dt]["naive_ok_curve"]) + offset
        ax0.step(
            c, ok, where="mid", color=_DTYPE_COLORS[dt], label=_("naive, {dtype}").format(dtype=dt)
        )
    ax0.axhline(1.0, color="#7f7f7f", lw=4, alpha=0.35, label=_("max subtracted, both"))
    ax0.axvline(C9_LOGITS[0], color="k", ls=":", label=_("article's example"))
    ax0.set(
        title=_("Logits [c, c-10, c-20]: finite result?"),
        xlabel="c",
        yticks=[0, 1],
        yticklabels=["NaN", _("finite")],
        ylim=(-0.2, 1.9),
    )
    ax0.legend(fontsize=8, loc="upper center", ncols=2, columnspacing=0.8)
    idx = np.arange(3)
    ax1.bar(idx, r["stable"], color="#bdbdbd", label=_("max subtracted (gradlab)"))
    ax1.plot(idx, C9_EXPECTED, "k_", ms=25, mew=2, label=_("article"))
    ax1.set(
        yscale="log",
        title=f"softmax({[int(v) for v in C9_LOGITS]})",
        xticks=idx,
        xticklabels=[f"{v:g}" for v in C9_LOGITS],
        xlabel=_("logit"),
        ylabel=_("probability"),
    )
    ax1.legend(fontsize=8)
    for dt, color in _DTYPE_COLORS.items():
        rows = [row for row in r["random"] if row["dtype"] == dt]
        scales = [row["scale"] for row in rows]
        ax2.plot(
            scales,
            [row["tie_fraction"] for row in rows],
            marker="o",
            color=color,
            label=_("{dtype}: pairs of different logits that tie").format(dtype=dt),
        )
        ax2.plot(
            scales,
            [row["zero_fraction"] for row in rows],
            marker="x",
            ls=":",
            color=color,
            label=_("{dtype}: probabilities exactly 0").format(dtype=dt),
        )
    ax2.set(
        xscale="log",
        title=_("Random logits: no pair changes order, but rounding merges values"),
        xlabel=_("logit scale (standard normal logits times this)"),
        ylabel=_("fraction"),
        ylim=(-0.03, 1),
    )
    ax2.legend(fontsize=8, loc="upper left")
    for ax in (ax0, ax1, ax2):
        ax.grid(alpha=0.3)
    return {"softmax": fig}


CLAIM = Claim(
    id="C9",
    title=N_("Softmax: probabilities, order, overflow"),
    statement=N_(
        "Softmax turns scores into probabilities that sum to 1 without changing their "
        "order, so the argmax (and the predicted class) is the same with or without it and "
        "inference can skip it. Written naively as exp(x)/sum(exp(x)) it overflows on "
        "[1010, 1000, 990]; subtracting the maximum first gives "
        "[9.99954600e-01, 4.53978686e-05, 2.06106005e-09]."
    ),
    sources=("003", "000"),
    experiment=_c9_experiment,
    verdict=_c9_verdict,
    figures=_c9_figures,
    labels={
        "naive_result_finite": N_(
            "whether exp(x) / sum(exp(x)), as written, gives finite numbers on "
            "[1010, 1000, 990] [yes/no]"
        ),
        "stable_max_rel_error": N_(
            "largest difference between the max-subtracted softmax and the article's printed "
            "numbers [relative error]"
        ),
        "max_sum_error_eps": N_(
            "largest |row sum - 1| over the random logits [machine epsilons of the row's dtype]"
        ),
        "sum_tolerance_eps": N_(
            "the largest |row sum - 1| rounding allows, with a margin of 2 [machine epsilons]"
        ),
        "min_argmax_agreement": N_(
            "lowest share of rows whose largest logit is also the largest probability "
            "[fraction of rows]"
        ),
        "inversions": N_(
            "pairs of different logits whose probabilities come out in the opposite order [count]"
        ),
        "float32_naive_overflow_above": N_(
            "largest c for which the naive formula stays finite on [c, c - 10, c - 20] in "
            "float32 [logit]"
        ),
        "float64_naive_overflow_above": N_(
            "largest c for which the naive formula stays finite on [c, c - 10, c - 20] in "
            "float64 [logit]"
        ),
        "max_tie_fraction": N_(
            "largest share of pairs of different logits whose probabilities round to the same "
            "number [fraction of pairs]"
        ),
    },
    source_parts={
        "003": N_(
            "“3.4.2 소프트맥스 함수” (the overflow on [1010, 1000, 990], subtracting the "
            "maximum and its printed result, the sum of 1, the unchanged order)"
        ),
        "000": N_(
            "“소프트맥스 연산” (outputs read as probabilities; at inference the class with "
            "the largest output is taken, without softmax)"
        ),
    },
    profiles={
        "test": {
            "n_rows": 500,
            "n_classes": 10,
            "scales": [1, 100, 1000],
            "shift_limit": 1100,
            "shift_step": 0.5,
            "epochs": 2,
        },
        "quick": {
            "n_rows": 20_000,
            "n_classes": 10,
            "scales": [1, 10, 100, 1000],
            "shift_limit": 1100,
            "shift_step": 0.01,
            "epochs": 10,
        },
        "full": {
            "n_rows": 200_000,
            "n_classes": 10,
            "scales": [0.1, 1, 10, 100, 1000],
            "shift_limit": 1100,
            "shift_step": 0.001,
            "epochs": 30,
        },
    },
    # i18n: 1e-08 is EXPECTED_RTOL and 2 is SUM_MARGIN, written out so that the text can be
    # translated.
    context=N_(
        "The naive formula is run on purpose under np.errstate, so its overflow (exp(1010) "
        "is inf, inf/inf is NaN) is recorded as the outcome instead of raising a warning; "
        "very negative logits fail the other way (every exp underflows to 0, 0/0). exp "
        "overflows above 88.72 in float32 and 709.78 in float64. Rules: the article's "
        "numbers must be matched to a relative 1e-08 (they are printed with 9 "
        "digits, which round them by at most a relative 2.4e-9); a row of k probabilities "
        "sums to 1 within 2 x (k - 1/2) machine epsilons, twice what the "
        "division and the sum can round to; order means no "
        "pair of logits comes out reversed and the argmax agrees on every row, of random "
        "logits and of a trained digits net. Ties are reported, not judged: rounding can "
        "make two different logits give the same probability (most often both exactly 0), "
        "which never changes the argmax of the largest logit but does mean the order is "
        "kept only weakly in floating point. Confirmed when all four parts hold, refuted "
        "when none does, nuanced otherwise."
    ),
    headline=("stable_max_rel_error", "naive_result_finite"),
)
