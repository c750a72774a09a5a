"""C18: Swish, GELU and ELU keep a gradient for negative inputs, where ReLU's is zero."""

from __future__ import annotations

from typing import Any

import numpy as np

from gradlab import activations
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
    parts = {
        "the article's Swish formula": formula_ok,
        "a non-zero gradient for x < 0 (zero for ReLU)": nonzero_ok,
    }
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
        f"min {sw['derivative_min']:.4f}\nat x = {sw['derivative_argmin']:.3f}",
        (sw["derivative_argmin"], sw["derivative_min"]),
        xytext=(-5.8, 0.35),
        fontsize=8,
        arrowprops={"arrowstyle": "->"},
    )
    ax0.axhline(0, color="k", lw=0.6)
    ax0.set(title="f'(x): the negative side", xlabel="x", ylabel="f'(x)")
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
                label=f"{_C18_LABELS[name]}' = 0 in float32",
            )
    ax1.axhline(PRACTICAL, color="k", ls="--", lw=1, label=f"|f'| = {PRACTICAL:g}")
    ax1.set(
        yscale="log",
        title="|f'(x)| far out, float64 (ReLU: exactly 0)",
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
    labels={
        "swish_formula_vs_central_difference": "largest gap between article 001's formula for "
        "Swish' and central differences of x·sigmoid(x) [absolute error]",
        "swish_formula_vs_gradlab": "largest gap between that formula and gradlab's Swish "
        "derivative [absolute error]",
        **{
            f"{name}_nonzero_fraction_x<0": f"share of the grid points x < 0 where {label}'s "
            "derivative is not exactly 0 [fraction of points]"
            for name, label in _C18_LABELS.items()
        },
        "swish_derivative_min": "smallest slope of Swish [slope]",
        "swish_derivative_argmin": "where Swish's slope is smallest [x]",
        "swish_negative_below": "Swish's slope is negative only left of this point [x]",
        "gelu_derivative_min": "smallest slope of GELU [slope]",
        "gelu_negative_below": "GELU's slope is negative only left of this point [x]",
    },
    source_parts={
        "001": "“2. Activation function 종류”, the Swish item (its formula, its derivative, a "
        "slope kept for negative inputs and said to stay negative there); ELU is only named "
        "in “4. Appendix” and GELU not at all: the lab adds both for comparison",
    },
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
)
