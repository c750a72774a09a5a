"""C18: Swish, GELU and ELU keep a gradient for negative inputs, where ReLU's is zero."""

from __future__ import annotations

from typing import Any

import numpy as np

from gradlab import activations
from gradlab.i18n import N_, _
from gradlab.lab.claim import Claim, Verdict
from gradlab.lab.kit.figures import figure
from gradlab.lab.kit.probes import central_difference
from gradlab.lab.kit.verdicts import verdict_from_parts

# --- C18: Swish, GELU and ELU on the negative side ---------------------------------------------
#: The activations compared; ReLU is the reference with a zero gradient for x < 0.
C18_ACTS = ("relu", "silu", "gelu", "elu")
C18_SMOOTH = ("silu", "gelu", "elu")
#: The article's Swish derivative must match central differences to this absolute error.
#: Central differences (step h = 1e-5) of f(x) = x·sigmoid(x) on [-L, L] are off by the
#: truncation h²/6·max|f‴| (below 1e-11: |f‴| < 0.31) plus rounding: one evaluation of f
#: (through tanh) is off by about u(|x| + 2|f|) (u = 1.1e-16), and x ± h is rounded, which
#: changes the step by up to 2u|x|; together u(|x|(1 + |f'|) + 2|f|)/h ≤ 4.1·L·u/h, 4.5e-10
#: for L = 10 and 9.1e-10 for L = 20. Against gradlab both sides are formulas, a few ulps
#: apart. A wrong formula (sigmoid(x)(1 + x sigmoid(x)), say) is off by more than 0.1.
FORMULA_TOL = 1e-8
#: A gradient below this size is reported as "practically zero" (not used by the rule).
PRACTICAL = 1e-3
#: FORMULA_TOL and PRACTICAL are written out in the claim's context (so that it can be
#: translated): change them together.
PART_FORMULA = N_("the article's Swish formula")
PART_NONZERO = N_("a non-zero gradient for x < 0 (zero for ReLU)")


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
            "first_exact_zero": {
                dt: _first_exact_zero(act, config["far"], dt) for dt in ("float32", "float64")
            },
            "curve": act.derivative(x_plot),
            "far_curve": np.abs(act.derivative(x_far)),
        }
    full = np.linspace(-limit, limit, 2 * points + 1)
    swish = activations.get("silu")
    formula = _article_swish_derivative(full)
    out["swish_formula"] = {
        "vs_central_difference": float(
            np.max(np.abs(central_difference(lambda t: t * _stable_sigmoid(t), full) - formula))
        ),
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
    grid = _(
        "On {points} points of [-{limit:g}, 0) the derivative is non-zero at {shares} of them."
    )
    formula = _(
        "The article's Swish' matches central differences to {vs_central:.1e} and gradlab to "
        "{vs_gradlab:.1e}."
    )
    sign = _(
        "The sign is not what article 001 says: Swish' is negative only below "
        "x = {swish_below:.4f} (minimum {swish_min:.4f} at x = {swish_at:.4f}) and positive "
        "between there and 0; GELU' is negative below {gelu_below:.4f} (min {gelu_min:.4f} at "
        "{gelu_at:.4f}); ELU' = e^x > 0."
    )
    size = _(
        "Non-zero is not large: |f'| stays above {practical:g} only down to "
        "x = {swish_reach:.2f} (Swish), {gelu_reach:.2f} (GELU), {elu_reach:.2f} (ELU), and in "
        "float32 it is exactly 0 below {swish_zero:.4g}, {gelu_zero:.4g} and {elu_zero:.4g}."
    )
    text = " ".join(
        (
            grid.format(
                points=r["points"],
                limit=r["limit"],
                shares=", ".join(f"{nonzero[n]:.0%} ({n})" for n in C18_ACTS),
            ),
            formula.format(vs_central=f["vs_central_difference"], vs_gradlab=f["vs_gradlab"]),
            sign.format(
                swish_below=sw["negative_below"],
                swish_min=sw["derivative_min"],
                swish_at=sw["derivative_argmin"],
                gelu_below=ge["negative_below"],
                gelu_min=ge["derivative_min"],
                gelu_at=ge["derivative_argmin"],
            ),
            size.format(
                practical=PRACTICAL,
                swish_reach=sw["practical_down_to"],
                gelu_reach=ge["practical_down_to"],
                elu_reach=el["practical_down_to"],
                swish_zero=sw["first_exact_zero"]["float32"],
                gelu_zero=ge["first_exact_zero"]["float32"],
                elu_zero=el["first_exact_zero"]["float32"],
            ),
        )
    )
    parts = {PART_FORMULA: formula_ok, PART_NONZERO: nonzero_ok}
    return verdict_from_parts(parts, text, numbers, refute_when="every part fails")


_C18_COLORS = {"relu": "#7f7f7f", "silu": "#1f77b4", "gelu": "#2ca02c", "elu": "#d62728"}
_C18_LABELS = {"relu": "ReLU", "silu": "Swish (SiLU)", "gelu": "GELU", "elu": "ELU"}


def _c18_figures(r: dict[str, Any]) -> dict[str, Any]:
    fig, (ax0, ax1) = figure(2, width=4.1, height=3.3)
    for name in C18_ACTS:
        ax0.plot(r["x_plot"], r[name]["curve"], color=_C18_COLORS[name], label=_C18_LABELS[name])
    sw = r["silu"]
    ax0.plot([sw["derivative_argmin"]], [sw["derivative_min"]], "o", color=_C18_COLORS["silu"])
    ax0.annotate(
        _("min {value:.4f}\nat x = {at:.3f}").format(
            value=sw["derivative_min"], at=sw["derivative_argmin"]
        ),
        (sw["derivative_argmin"], sw["derivative_min"]),
        xytext=(-5.8, 0.35),
        fontsize=8,
        arrowprops={"arrowstyle": "->"},
    )
    ax0.axhline(0, color="k", lw=0.6)
    ax0.set(title=_("f'(x): the negative side"), xlabel="x", ylabel="f'(x)")
    ax0.legend(fontsize=8, loc="upper left")
    for name in C18_SMOOTH:
        y = np.asarray(r[name]["far_curve"], dtype=float)
        keep = y > 0
        ax1.plot(
            np.asarray(r["x_far"])[keep], y[keep], color=_C18_COLORS[name], label=_C18_LABELS[name]
        )
        zero = r[name]["first_exact_zero"]["float32"]
        if zero is not None and zero >= r["x_far"][0]:
            ax1.axvline(
                zero,
                color=_C18_COLORS[name],
                ls=":",
                lw=1,
                label=_("{name}' = 0 in float32").format(name=_C18_LABELS[name]),
            )
    ax1.axhline(PRACTICAL, color="k", ls="--", lw=1, label=f"|f'| = {PRACTICAL:g}")
    ax1.set(
        yscale="log",
        title=_("|f'(x)| far out, float64 (ReLU: exactly 0)"),
        xlabel="x",
        ylabel="|f'(x)|",
        ylim=(1e-40, 10),
    )
    ax1.set_xticks(np.arange(r["x_far"][0], 0.1, 5.0))
    ax1.legend(fontsize=8, loc="lower right")
    for ax in (ax0, ax1):
        ax.grid(alpha=0.3)
    return {"negative_gradients": fig}


CLAIM = Claim(
    id="C18",
    title=N_("Swish, GELU, ELU: gradient for negative inputs"),
    statement=N_(
        "Unlike ReLU, whose gradient is 0 for every negative input, Swish, GELU and ELU "
        "keep a non-zero gradient there, which is meant to stop units from dying. The "
        "derivative of Swish, x sigmoid(x), is sigmoid(x) (1 + x (1 - sigmoid(x))). "
        "(Article 001 adds that Swish's gradient stays negative for negative inputs.)"
    ),
    sources=("001",),
    experiment=_c18_experiment,
    verdict=_c18_verdict,
    figures=_c18_figures,
    labels={
        "swish_formula_vs_central_difference": N_(
            "largest gap between article 001's formula for Swish' and central differences of "
            "x·sigmoid(x) [absolute error]"
        ),
        "swish_formula_vs_gradlab": N_(
            "largest gap between that formula and gradlab's Swish derivative [absolute error]"
        ),
        # One label per activation of C18_ACTS (their names as _C18_LABELS gives them).
        "relu_nonzero_fraction_x<0": N_(
            "share of the grid points x < 0 where ReLU's derivative is not exactly 0 "
            "[fraction of points]"
        ),
        "silu_nonzero_fraction_x<0": N_(
            "share of the grid points x < 0 where Swish (SiLU)'s derivative is not exactly 0 "
            "[fraction of points]"
        ),
        "gelu_nonzero_fraction_x<0": N_(
            "share of the grid points x < 0 where GELU's derivative is not exactly 0 "
            "[fraction of points]"
        ),
        "elu_nonzero_fraction_x<0": N_(
            "share of the grid points x < 0 where ELU's derivative is not exactly 0 "
            "[fraction of points]"
        ),
        "swish_derivative_min": N_("smallest slope of Swish [slope]"),
        "swish_derivative_argmin": N_("where Swish's slope is smallest [x]"),
        "swish_negative_below": N_("Swish's slope is negative only left of this point [x]"),
        "gelu_derivative_min": N_("smallest slope of GELU [slope]"),
        "gelu_negative_below": N_("GELU's slope is negative only left of this point [x]"),
    },
    source_parts={
        "001": N_(
            "“2. Activation function 종류”, the Swish item (its formula, its derivative, a "
            "slope kept for negative inputs and said to stay negative there); ELU is only "
            "named in “4. Appendix” and GELU not at all: the lab adds both for comparison"
        ),
    },
    profiles={
        "test": {"limit": 10.0, "points": 2_001, "far": 1_000.0, "plot_far": 20.0},
        "quick": {"limit": 10.0, "points": 200_001, "far": 1_000.0, "plot_far": 20.0},
        "full": {"limit": 20.0, "points": 2_000_001, "far": 1_000.0, "plot_far": 20.0},
    },
    # i18n: 1e-08 is FORMULA_TOL and 0.001 is PRACTICAL, written out so that the text can be
    # translated.
    context=N_(
        "Swish here is gradlab's 'silu' (x sigmoid(x), Swish with beta = 1), GELU the exact "
        "erf form, ELU with alpha = 1. The article's Swish' is evaluated with a sigmoid "
        "written through tanh, so it shares no code with gradlab, and checked against "
        "central differences of x sigmoid(x) and against gradlab's derivative. Rule: "
        "confirmed when that formula matches both within 1e-08 and Swish, GELU "
        "and ELU have a non-zero derivative at every grid point of [-limit, 0) while "
        "ReLU's is 0 at every one; nuanced when only one of the two holds. Reported, not "
        "judged: where the derivative changes sign, how small it gets (|f'| < "
        "0.001), and where it underflows to exactly 0 in float32 and float64. "
        "Swish' and its mirror image add up to 1 (f'(x) + f'(-x) = 1, because "
        "f(x) - f(-x) = x), so its minimum on the left is 1 minus its maximum on the right."
    ),
)
