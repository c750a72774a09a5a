"""C2: the sigmoid squashes into (0, 1) with a derivative peak of 0.25 at 0; tanh into (-1, 1),
peak 1."""

from __future__ import annotations

from typing import Any

import numpy as np

from gradlab import activations
from gradlab.lab.claim import Claim, Verdict
from gradlab.lab.kit.figures import figure
from gradlab.lab.kit.probes import central_difference


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


def _c2_verdict(r: dict[str, Any]) -> Verdict:
    s, t = r["sigmoid"], r["tanh"]
    sig_peak_ok = abs(s["numeric_derivative_max"] - 0.25) < 1e-6
    tanh_peak_ok = abs(t["numeric_derivative_max"] - 1.0) < 1e-6
    ranges_ok = 0 < s["min"] and s["max"] < 1 and -1 < t["min"] and t["max"] < 1
    article_error = abs(0.3 - s["numeric_derivative_max"]) / s["numeric_derivative_max"]
    numbers = {
        "sigmoid_derivative_max": s["numeric_derivative_max"],
        "sigmoid_derivative_argmax": s["derivative_argmax"],
        "tanh_derivative_max": t["numeric_derivative_max"],
        "sigmoid_range": [s["min"], s["max"]],
        "tanh_range": [t["min"], t["max"]],
        "articles_0.3_relative_error": article_error,
    }
    if sig_peak_ok and tanh_peak_ok and ranges_ok:
        return Verdict(
            "confirmed",
            f"On {r['points']} points in [-{r['x_limit']:g}, {r['x_limit']:g}] the sigmoid "
            f"stays in ({s['min']:.2e}, 1 - {1 - s['max']:.2e}) and its numerical derivative "
            f"peaks at {s['numeric_derivative_max']:.6f} at x = {s['derivative_argmax']:g}; "
            f"tanh's peaks at {t['numeric_derivative_max']:.6f}. The 'about 0.3' some "
            f"articles give is {article_error:.0%} too high.",
            numbers,
        )
    return Verdict(
        "refuted",
        f"Measured: sigmoid derivative peak {s['numeric_derivative_max']:.6f}, tanh derivative "
        f"peak {t['numeric_derivative_max']:.6f}, ranges sigmoid [{s['min']:.3g}, "
        f"{s['max']:.3g}], tanh [{t['min']:.3g}, {t['max']:.3g}].",
        numbers,
    )


def _c2_figures(r: dict[str, Any]) -> dict[str, Any]:
    fig, (ax0, ax1) = figure(2)
    x = np.linspace(-6, 6, 601)
    for name, color in (("sigmoid", "#1f77b4"), ("tanh", "#d62728")):
        act = activations.get(name)
        ax0.plot(x, act(x), color=color, label=name)
        ax1.plot(x, act.derivative(x), color=color, label=f"{name}'")
    ax0.set(title="f(x)", xlabel="x")
    ax1.axhline(0.25, color="#1f77b4", lw=0.8, ls=":")
    ax1.axhline(0.3, color="#7f7f7f", lw=1, ls="--", label="'about 0.3' (articles)")
    ax1.annotate(
        f"peak {r['sigmoid']['numeric_derivative_max']:.4f}",
        (0, 0.25),
        xytext=(1.2, 0.42),
        arrowprops={"arrowstyle": "->"},
    )
    ax1.set(title="f'(x)", xlabel="x")
    for ax in (ax0, ax1):
        ax.grid(alpha=0.3)
        ax.legend(loc="upper left", fontsize=8)
    return {"curves": fig}


CLAIM = Claim(
    id="C2",
    title="Sigmoid and tanh: ranges and derivative peaks",
    statement=(
        "The sigmoid squashes every input into (0, 1) and its derivative is largest at "
        "x = 0, where it equals 0.25 (several articles say about 0.3, which is wrong); "
        "tanh squashes into (-1, 1) and its derivative peaks at 1."
    ),
    sources=("000", "001", "002", "003", "004"),
    experiment=_c2_experiment,
    verdict=_c2_verdict,
    figures=_c2_figures,
    profiles={
        "test": {"limit": 15.0, "points": 3001},
        "quick": {"limit": 15.0, "points": 300_001},
        "full": {"limit": 15.0, "points": 3_000_001},
    },
    context=(
        "The derivative is measured by central differences on the grid, not read from the "
        "formula, so the check does not assume what it tests. The grid stops at |x| = 15 "
        "because floating point rounds tanh to exactly 1.0 from about x = 19.1 (sigmoid "
        "from about 36.7) in float64, far earlier in float32: the open interval is a "
        "property of the mathematics, not of the stored numbers."
    ),
)
