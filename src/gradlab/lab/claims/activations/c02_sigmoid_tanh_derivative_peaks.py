"""C2: the sigmoid squashes into (0, 1) with a derivative peak of 0.25 at 0; tanh into (-1, 1),
peak 1."""

from __future__ import annotations

from typing import Any

import numpy as np

from gradlab import activations
from gradlab.i18n import N_, _
from gradlab.lab.claim import Claim, Verdict
from gradlab.lab.kit.figures import figure
from gradlab.lab.kit.probes import central_difference
from gradlab.lab.kit.verdicts import verdict_from_parts


# --- C2: sigmoid and tanh ---------------------------------------------------------------------
def _c2_experiment(config: dict[str, Any], seed: int) -> dict[str, Any]:
    x = np.linspace(-config["limit"], config["limit"], config["points"])
    out: dict[str, Any] = {"x_limit": config["limit"], "points": config["points"]}
    for name in ("sigmoid", "tanh"):
        act = activations.get(name)
        y, d = act(x), act.derivative(x)
        numeric = central_difference(act, x)
        i = int(np.argmax(d))
        out[name] = {
            "min": float(y.min()),
            "max": float(y.max()),
            "derivative_max": float(d[i]),
            "derivative_argmax": float(x[i]),
            "numeric_derivative_max": float(numeric.max()),
            "max_derivative_error": float(np.max(np.abs(numeric - d))),
        }
    return out


#: The measured peaks must equal 0.25 and 1 to this absolute error. Central differences with
#: step h = 1e-5 (kit.probes.central_difference) are off by the truncation h²/6·|f‴(x)| (at
#: most 2.1e-12 for the sigmoid, whose f‴(0) = -1/8, and 3.3e-11 for tanh, f‴(0) = -2) plus
#: rounding of about 2u·|f|/h (below 2.3e-11, u = 1.1e-16); the grids hold x = 0 exactly (an odd
#: number of points, symmetric), where the peak is. Correct derivatives come within 1e-10; the
#: articles' 0.3 is 0.05 away.
PEAK_TOL = 1e-6
PART_SIGMOID = N_("the sigmoid's derivative peaks at 0.25")
PART_TANH = N_("tanh's derivative peaks at 1")
PART_RANGES = N_("the sigmoid stays inside (0, 1) and tanh inside (-1, 1)")


def _c2_verdict(r: dict[str, Any]) -> Verdict:
    s, t = r["sigmoid"], r["tanh"]
    parts = {
        PART_SIGMOID: abs(s["numeric_derivative_max"] - 0.25) < PEAK_TOL,
        PART_TANH: abs(t["numeric_derivative_max"] - 1.0) < PEAK_TOL,
        PART_RANGES: 0 < s["min"] and s["max"] < 1 and -1 < t["min"] and t["max"] < 1,
    }
    article_error = abs(0.3 - s["numeric_derivative_max"]) / s["numeric_derivative_max"]
    numbers = {
        "sigmoid_derivative_max": s["numeric_derivative_max"],
        "sigmoid_derivative_argmax": s["derivative_argmax"],
        "tanh_derivative_max": t["numeric_derivative_max"],
        "sigmoid_range": [s["min"], s["max"]],
        "tanh_range": [t["min"], t["max"]],
        "articles_0.3_relative_error": article_error,
    }
    text = _(
        "On {points} points in [-{limit:g}, {limit:g}] the sigmoid stays in "
        "({sig_low:.2e}, 1 - {sig_gap:.2e}) and tanh in (-1 + {tanh_low:.2e}, "
        "1 - {tanh_gap:.2e}); the sigmoid's numerical derivative peaks at {sig_peak:.6f} at "
        "x = {sig_at:g} and tanh's at {tanh_peak:.6f}. The 'about 0.3' some articles give is "
        "{error:.0%} too high."
    ).format(
        points=r["points"],
        limit=r["x_limit"],
        sig_low=s["min"],
        sig_gap=1 - s["max"],
        tanh_low=1 + t["min"],
        tanh_gap=1 - t["max"],
        sig_peak=s["numeric_derivative_max"],
        sig_at=s["derivative_argmax"],
        tanh_peak=t["numeric_derivative_max"],
        error=article_error,
    )
    verdict = verdict_from_parts(parts, text, numbers, refute_when="every part fails")
    # These are facts about two functions: a part that fails refutes the claim.
    return Verdict("confirmed" if all(parts.values()) else "refuted", verdict.reason, numbers)


def _c2_figures(r: dict[str, Any]) -> dict[str, Any]:
    fig, (ax0, ax1) = figure(2, width=4.1)
    x = np.linspace(-6, 6, 601)
    for name, color in (("sigmoid", "#1f77b4"), ("tanh", "#d62728")):
        act = activations.get(name)
        ax0.plot(x, act(x), color=color, label=name)
        ax1.plot(x, act.derivative(x), color=color, label=f"{name}'")
    ax0.set(title=_("The functions: ranges (0, 1) and (-1, 1)"), xlabel="x", ylabel="f(x)")
    ax1.axhline(0.25, color="#1f77b4", lw=0.8, ls=":")
    ax1.axhline(0.3, color="#7f7f7f", lw=1, ls="--", label=_("'about 0.3' (articles)"))
    ax1.annotate(
        _("peak {peak:.4f}").format(peak=r["sigmoid"]["numeric_derivative_max"]),
        (0, 0.25),
        xytext=(1.2, 0.42),
        arrowprops={"arrowstyle": "->"},
    )
    ax1.set(title=_("Their derivatives: peaks 0.25 and 1"), xlabel="x", ylabel="f'(x)")
    for ax in (ax0, ax1):
        ax.grid(alpha=0.3)
        ax.legend(loc="upper left", fontsize=8)
    return {"curves": fig}


CLAIM = Claim(
    id="C2",
    title=N_("Sigmoid and tanh: ranges and derivative peaks"),
    statement=N_(
        "The sigmoid squashes every input into (0, 1) and its derivative is largest at "
        "x = 0, where it equals 0.25 (several articles say about 0.3, which is wrong); "
        "tanh squashes into (-1, 1) and its derivative peaks at 1."
    ),
    sources=("000", "001", "002", "003", "004"),
    experiment=_c2_experiment,
    verdict=_c2_verdict,
    figures=_c2_figures,
    labels={
        "sigmoid_derivative_max": N_(
            "largest slope of the sigmoid, measured by central differences [slope]"
        ),
        "sigmoid_derivative_argmax": N_("where the sigmoid's slope is largest [x]"),
        "tanh_derivative_max": N_("largest slope of tanh, measured by central differences [slope]"),
        "sigmoid_range": N_("smallest and largest sigmoid output on the grid [output value]"),
        "tanh_range": N_("smallest and largest tanh output on the grid [output value]"),
        "articles_0.3_relative_error": N_(
            "how far the articles' 'about 0.3' is above the true peak [relative error]"
        ),
    },
    source_parts={
        "000": N_(
            "“활성화 함수의 종류” (sigmoid and tanh, their ranges and largest slopes; the "
            "sigmoid's given as below 0.3)"
        ),
        "001": N_(
            "“2. Activation function 종류” (the ranges) and “3. Vanishing Gradient / "
            "Exploding Gradient” (largest slopes 0.25 and 1)"
        ),
        "002": N_(
            "“2) Vanishing Gradient (a가 0보다 클 때 / a>0)” (the sigmoid's slope peaks at "
            "0.25, its outputs lie strictly between 0 and 1); tanh appears only as a formula "
            "and plots, under “추가, tanh”"
        ),
        "003": N_(
            "“3.2.3 하이퍼볼릭 탄젠트 함수” (the table of ranges and largest slopes: 0.3 for "
            "the sigmoid, 1 for tanh)"
        ),
        "004": N_(
            "“sigmoid의 문제점” (the sigmoid's slope peaks at about 0.3; tanh is not discussed)"
        ),
    },
    profiles={
        "test": {"limit": 15.0, "points": 3001},
        "quick": {"limit": 15.0, "points": 300_001},
        "full": {"limit": 15.0, "points": 3_000_001},
    },
    context=N_(
        "The derivative is measured by central differences on the grid, not read from the "
        "formula, so the check does not assume what it tests. The grid stops at |x| = 15 "
        "because floating point rounds tanh to exactly 1.0 from about x = 19.1 (sigmoid "
        "from about 36.7) in float64, far earlier in float32: the open interval is a "
        "property of the mathematics, not of the stored numbers."
    ),
)
