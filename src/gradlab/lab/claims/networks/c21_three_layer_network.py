"""Claim C21: the article's three-layer network, forward and backward, one matrix at a time."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib import cm
from matplotlib.colors import Normalize, SymLogNorm

from gradlab import activations
from gradlab.gradcheck import gradcheck, numerical_gradient, relative_error
from gradlab.i18n import N_, _, pgettext
from gradlab.lab import trace
from gradlab.lab.claim import Claim, Verdict
from gradlab.lab.kit.figures import figure
from gradlab.lab.kit.seeds import spawn_seeds
from gradlab.lab.kit.verdicts import verdict_from_parts

#: The article prints its output with 8 decimals, so a correct pass lies within half a unit of
#: the last one (5e-9) of it; the float64 pass adds only rounding (~1e-16). A different output
#: (another activation, another weight) is off by 1e-2 or more.
ARTICLE_TOL = 5e-9
#: The matrix computation and gradlab's Sequential evaluate the same formulas in float64, so they
#: may differ by rounding only: at most twice :func:`rounding_bound` (a first-order running
#: error bound, γ_n = n·u for a sum of n products, carried through the layers). That bound is at
#: most 1.8e-13 on the 1,000 random nets of the full profile's seeds 0-9 (and 0.066 times the
#: bound is the largest difference seen); a wrong formula is off by 1e-3 or more.
EXACT_TOL = 1e-12
#: A numerical check agrees when its relative error is at most this many times its own error
#: bound (:func:`_numeric_checks`): the bound's truncation part is a leading-order estimate, not
#: a guarantee, hence the margin. A gradient off by just 0.1% is 500 times over its bound even
#: where the gradient is 6e-5 (the hardest array of the full profile); a wrong formula, far more.
SAFETY = 10
#: (The claim's context and labels quote ARTICLE_TOL, EXACT_TOL and SAFETY as written text,
#: which translation needs: change them with these values.)
#: Unit roundoff of float64 (half the machine epsilon).
U = float(np.finfo(np.float64).eps) / 2
#: Rounding of one evaluation of an activation, its derivative, exp or log, in units of U.
FUNCTION_ULPS = 4
#: The exact comparisons of :func:`gradlab.lab.trace.check` that the verdict reads.
EXACT_CHECKS = ("forward_max_abs_diff", "loss_abs_diff", "backward_max_abs_diff")
#: The parts of the claim, as the verdict names them.
PART_ARTICLE = N_("the step-by-step pass gives the article's printed output")
PART_EXACT = N_("gradlab's Sequential computes the same values, loss and gradients")
PART_NUMERIC = N_("central differences of the loss agree with the backward pass")
PART_GRADCHECK = N_("gradlab's own gradient check agrees with the backward pass")


def _gamma(n: int) -> float:
    """``γ_n = n u / (1 - n u)``: the relative rounding error of a sum of ``n`` products."""
    return n * U / (1 - n * U)


def rounding_bound(tr: trace.Trace) -> dict[str, Any]:
    """Bound the float64 rounding error of ``tr``'s forward and backward pass, element by element.

    A first-order running error analysis (Higham, *Accuracy and Stability of Numerical
    Algorithms*, §3): ``A = Z W + B`` with ``n`` inputs per unit is off by at most
    ``|ΔZ| |W| + γ_{n+1} (|Z| |W| + |B|)``; an activation adds ``|h'(A)| |ΔA|`` and its own
    rounding (:data:`FUNCTION_ULPS` ulps); the softmax turns an error ``ε`` in its inputs into
    a relative ``2 max ε``; the backward pass is bounded the same way through its products.

    Returns:
        ``A``, ``Z``, ``dW``, ``dB``: lists of arrays of bounds like ``tr``'s; ``loss``: the
        bound on ``L`` (the rounding ``δ`` of one evaluation of the loss, which the central
        differences divide by their step); ``max``: the largest bound of them all.
    """
    act = activations.get(tr.hidden)
    n_layers = len(tr.weights)
    z, ez = tr.x, np.zeros_like(tr.x)
    e_a, e_z = [], []
    for i, (w, b) in enumerate(zip(tr.weights, tr.biases, strict=True)):
        a, z_out = tr.A[i], tr.Z[i]
        ea = ez @ np.abs(w) + _gamma(w.shape[0] + 1) * (np.abs(z) @ np.abs(w) + np.abs(b))
        if i < n_layers - 1:
            ez = np.abs(act.derivative(a)) * ea + FUNCTION_ULPS * U * np.abs(z_out)
        elif tr.output == "softmax":  # exp(a - max a) / sum: relative 2 max|Δa| + rounding
            spread = np.max(a, axis=1, keepdims=True) - np.min(a, axis=1, keepdims=True)
            own = U * (2 * spread + a.shape[1] + FUNCTION_ULPS + 2)
            ez = z_out * (2 * ea.max(axis=1, keepdims=True) + own)
        else:
            ez = ea
        e_a.append(ea)
        e_z.append(ez)
        z = z_out
    y, t, ey = tr.y, tr.target, ez
    if tr.loss == "mse":
        loss = float(np.mean(2 * np.abs(y - t) * ey)) + _gamma(y.size + 3) * tr.loss_value
        g = 2 * (y - t) / y.size
        eg = 2 * ey / y.size + 3 * U * np.abs(g)
    else:
        n = len(y)
        own = FUNCTION_ULPS * U * np.abs(np.log(y))
        loss = float(np.sum(t * (ey / y + own)) / n) + _gamma(y.size + 3) * tr.loss_value
        g = -t / y / n
        eg = t * ey / y**2 / n + 3 * U * np.abs(g)
    e_dw: list[Any] = [None] * n_layers
    e_db: list[Any] = [None] * n_layers
    for i in reversed(range(n_layers)):
        a, w, ga = tr.A[i], tr.weights[i], tr.dA[i]
        z_in, ez_in = (tr.x, np.zeros_like(tr.x)) if i == 0 else (tr.Z[i - 1], e_z[i - 1])
        if i < n_layers - 1:  # g ⊙ h'(A): h' moves by |h''| |ΔA| and is rounded itself
            slope = np.abs(act.derivative(a))
            curve = np.abs(act.derivative(a + 1e-3) - act.derivative(a - 1e-3)) / 2e-3
            ega = eg * slope + np.abs(g) * (curve * e_a[i] + FUNCTION_ULPS * U * slope)
        elif tr.output == "softmax":  # y ⊙ (g - <g, y>)
            s = np.sum(g * y, axis=1, keepdims=True)
            es = np.sum(eg * y + np.abs(g) * ey, axis=1, keepdims=True) + _gamma(
                y.shape[1]
            ) * np.sum(np.abs(g * y), axis=1, keepdims=True)
            ega = ey * np.abs(g - s) + y * (eg + es + U * np.abs(g - s))
        else:
            ega = eg
        ega = ega + U * np.abs(ga)
        rows = _gamma(len(ga))
        e_dw[i] = ez_in.T @ np.abs(ga) + np.abs(z_in).T @ ega + rows * (np.abs(z_in).T @ np.abs(ga))
        e_db[i] = ega.sum(axis=0) + rows * np.abs(ga).sum(axis=0)
        eg = ega @ np.abs(w).T + _gamma(w.shape[1]) * (np.abs(ga) @ np.abs(w).T)
        g = tr.dZ[i - 1] if i > 0 else g
    largest = max(float(np.max(e)) for e in (*e_a, *e_z, *e_dw, *e_db))
    return {"A": e_a, "Z": e_z, "dW": e_dw, "dB": e_db, "loss": loss, "max": max(largest, loss)}


def _numeric_checks(tr: trace.Trace, h: float) -> dict[str, float]:
    """Hold the backward pass of ``tr`` against central differences, each with its error bound.

    For every parameter array (``W_l``, ``B_l``) the loss is differenced with steps ``h``,
    ``2h`` and ``4h``: ``D(h) = (L(θ+h) - L(θ-h)) / 2h = L' + c h² + O(h⁴)``.

    * Central differences, Richardson-extrapolated: ``R(h) = (4 D(h) - D(2h)) / 3`` cancels
      the ``h²`` term. Its truncation error is estimated as ``|R(h) - R(2h)| / 15`` (the
      ``h⁴`` term of ``R(2h)`` is 16 times that of ``R(h)``); its rounding is at most
      ``1.5 δ / h`` per element, ``δ`` being the rounding bound of one evaluation of the loss
      (:func:`rounding_bound`).
    * gradlab's :func:`~gradlab.gradcheck.gradcheck` uses plain central differences at step
      ``h``: truncation ``|D(h) - R(h)|`` (the ``c h²`` the extrapolation removes, which is
      what a fixed tolerance mistook for an error on nets whose gradient is small), rounding
      ``δ / h`` per element.

    Both errors are relative, ``‖num - ana‖ / (‖num‖ + ‖ana‖)``, as are their bounds (norms
    over the array). Returns the worst relative error of each check, the worst ratio of
    error to bound, and the bound where that ratio is reached.
    """
    params, loss = trace.loss_function(tr)
    analytic = [g for wb in zip(tr.dW, tr.dB, strict=True) for g in wb]
    keys = [f"{i}.{name}" for i in range(len(tr.weights)) for name in ("W", "b")]
    delta = rounding_bound(tr)["loss"]

    checked = gradcheck(trace.gradlab_model(tr), tr.x, tr.target, eps=h)
    out = dict.fromkeys(NUMERIC_KEYS, 0.0)
    for p, g, key in zip(params, analytic, keys, strict=True):
        d1, d2, d4 = (numerical_gradient(loss, p, s) for s in (h, 2 * h, 4 * h))
        r1, r2 = (4 * d1 - d2) / 3, (4 * d2 - d4) / 3
        scale = max(float(np.linalg.norm(r1) + np.linalg.norm(g)), 1e-300)
        rounding = np.sqrt(p.size) * delta / h
        checks = {
            "numeric": (
                relative_error(r1, g),
                (float(np.linalg.norm(r1 - r2)) / 15 + 1.5 * rounding) / scale,
            ),
            "gradcheck": (checked[key], (float(np.linalg.norm(d1 - r1)) + rounding) / scale),
        }
        for name, (error, bound) in checks.items():
            out[f"{name}_max_rel_error"] = max(out[f"{name}_max_rel_error"], error)
            if error / bound >= out[f"{name}_error_over_bound"]:
                out[f"{name}_error_over_bound"] = error / bound
                out[f"{name}_bound"] = bound
    return out


#: What :func:`_numeric_checks` returns.
NUMERIC_KEYS = tuple(
    f"{name}_{what}"
    for name in ("numeric", "gradcheck")
    for what in ("max_rel_error", "error_over_bound", "bound")
)


def _checks(tr: trace.Trace, h: float) -> dict[str, float]:
    """The exact comparisons with gradlab, their rounding bound, and the numerical checks."""
    exact = trace.check(tr, h)
    return {
        **{k: exact[k] for k in EXACT_CHECKS},
        "rounding_bound": rounding_bound(tr)["max"],
        **_numeric_checks(tr, h),
    }


def _pass(tr: trace.Trace) -> dict[str, Any]:
    """The arrays of ``tr`` the report and the figure need (first row of the batch)."""
    return {
        "loss": tr.loss,
        "loss_value": tr.loss_value,
        "y": tr.y[0],
        "A": [a[0] for a in tr.A],
        "Z": [z[0] for z in tr.Z],
        "dA": [d[0] for d in tr.dA],
        "dW": tr.dW,
        "dB": tr.dB,
        "dX": tr.dX[0],
    }


#: Bounds reported where their check's error-to-bound ratio is worst, not as a maximum.
_BOUND_AT_WORST = ("numeric_bound", "gradcheck_bound")


def _worst(checks: list[dict[str, float]]) -> dict[str, float]:
    """The worst of several nets' checks, key by key (each ``*_bound`` at its worst ratio)."""
    worst = dict(checks[0])
    for c in checks[1:]:
        for key, value in c.items():
            if key in _BOUND_AT_WORST:
                continue
            if value > worst[key]:
                worst[key] = value
                if key.endswith("_error_over_bound"):
                    bound = key.replace("_error_over_bound", "_bound")
                    worst[bound] = c[bound]
    return worst


#: Rows of the checks table: (key, what it is). The table is data of ``results.json``, kept in
#: English; the texts are marked for the report to translate where it shows them.
_TABLE_ROWS = (
    ("forward_max_abs_diff", N_("A, Z and y against gradlab [max abs difference]")),
    ("loss_abs_diff", N_("loss against gradlab [abs difference]")),
    ("backward_max_abs_diff", N_("∂L/∂W, ∂L/∂B against gradlab [max abs difference]")),
    ("rounding_bound", N_("rounding bound of those values [abs]")),
    ("numeric_max_rel_error", N_("central differences, extrapolated [relative error]")),
    ("numeric_error_over_bound", N_("  the same over its error bound [ratio]")),
    ("gradcheck_max_rel_error", N_("gradlab's gradcheck [relative error]")),
    ("gradcheck_error_over_bound", N_("  the same over its error bound [ratio]")),
)


def _random_case(
    config: dict[str, Any], rng: np.random.Generator, k: int, seed: int
) -> trace.Trace:
    """The ``k``-th random net and batch of the experiment, drawn from ``rng`` (in order) and
    ``seed``: 1-5 units per layer, ``depth`` layers, identity/mse and softmax/cross entropy in
    turn, the hidden activations of ``config["hidden"]`` in turn."""
    sizes = [int(v) for v in rng.integers(1, 6, size=config["depth"] + 1)]
    output = ("identity", "softmax")[k % 2]
    sizes[-1] = max(sizes[-1], 2)
    X = rng.normal(size=(config["batch"], sizes[0]))
    labels = rng.integers(0, sizes[-1], size=config["batch"])
    target = (
        np.eye(sizes[-1])[labels]
        if output == "softmax"
        else rng.normal(size=(config["batch"], sizes[-1]))
    )
    return trace.run(
        X,
        *trace.random_network(sizes, seed),
        hidden=config["hidden"][k % 2],
        output=output,
        target=target,
    )


def _columns() -> list[str]:
    """The columns of the trace tables, in the run's language."""
    return [
        pgettext("table column", "layer"),
        pgettext("table column", "step"),
        pgettext("table column", "shape"),
        pgettext("table column", "value"),
    ]


def _c21_experiment(config: dict[str, Any], seed: int) -> dict[str, Any]:
    weights, biases = trace.article_network()
    x, t = np.array([config["input"]]), np.array([config["target"]])
    out: dict[str, Any] = {
        "weights": weights,
        "biases": biases,
        "x": x[0],
        "target": t[0],
        "expected": trace.ARTICLE_OUTPUT,
        "eps": config["eps"],
        "tables": [],
    }
    for output in config["outputs"]:
        tr = trace.run(x, weights, biases, output=output, target=t)
        out[output] = _pass(tr) | {"check": _checks(tr, config["eps"])}
        if output == config["outputs"][0]:
            out["tables"].append(
                {
                    "title": _(
                        "Forward pass: A = X·W + B, Z = h(A) (sigmoid hidden layers, `{output}` "
                        "output)"
                    ).format(output=output),
                    "columns": _columns(),
                    "rows": trace.forward_rows(tr),
                }
            )
        out["tables"].append(
            {
                "title": _(
                    "Backward pass, `{output}` output, loss `{loss}` = {value:.6g} for target "
                    "{target}"
                ).format(
                    output=output, loss=tr.loss, value=tr.loss_value, target=trace.format_matrix(t)
                ),
                "columns": _columns(),
                "rows": trace.backward_rows(tr),
            }
        )
    # Random networks and batches: the same agreement must hold beyond the article's example.
    rng = np.random.default_rng(seed)
    checks = [
        _checks(_random_case(config, rng, k, s), config["eps"])
        for k, s in enumerate(spawn_seeds(seed, config["n_random"]))
    ]
    worst = _worst(checks)
    out["random"] = {"n": config["n_random"], "worst": worst}
    out["tables"].append(
        {
            "title": _(
                "Checks: the matrix computation against gradlab and central differences "
                "(step {eps:g})"
            ).format(eps=config["eps"]),
            "columns": [
                pgettext("table column", "comparison"),
                *(f"`{o}`" for o in config["outputs"]),
                _("{n} random networks").format(n=config["n_random"]),
            ],
            "rows": [
                [
                    text,
                    *(f"{out[o]['check'][key]:.2e}" for o in config["outputs"]),
                    f"{worst[key]:.2e}",
                ]
                for key, text in _TABLE_ROWS
            ],
        }
    )
    return out


def _c21_verdict(r: dict[str, Any]) -> Verdict:
    outputs = [k for k in ("identity", "softmax") if k in r]
    checks = [r[o]["check"] for o in outputs] + [r["random"]["worst"]]
    worst = _worst(checks)
    exact = max(worst[k] for k in EXACT_CHECKS)
    article = float(np.max(np.abs(np.asarray(r["identity"]["y"]) - r["expected"])))
    parts = {
        PART_ARTICLE: article <= ARTICLE_TOL,
        PART_EXACT: exact <= EXACT_TOL,
        PART_NUMERIC: worst["numeric_error_over_bound"] <= SAFETY,
        PART_GRADCHECK: worst["gradcheck_error_over_bound"] <= SAFETY,
    }
    numbers = {
        "output_identity": list(r["identity"]["y"]),
        "article_output": r["expected"],
        "article_max_abs_diff": article,
        "gradlab_max_abs_diff": exact,
        "gradlab_rounding_bound": worst["rounding_bound"],
        "numeric_max_rel_error": worst["numeric_max_rel_error"],
        "numeric_error_over_bound": worst["numeric_error_over_bound"],
        "gradcheck_max_rel_error": worst["gradcheck_max_rel_error"],
        "gradcheck_error_over_bound": worst["gradcheck_error_over_bound"],
        "random_nets": r["random"]["n"],
    }
    y = r["identity"]["y"]
    text = " ".join(
        (
            _(
                "The step-by-step pass gives y = ({y1:.8f}, {y2:.8f}) against the article's "
                "({article1}, {article2}), {gap:.1e} apart (the article rounds to 8 decimals)."
            ).format(
                y1=y[0], y2=y[1], article1=r["expected"][0], article2=r["expected"][1], gap=article
            ),
            _(
                "On the identity/mse and softmax/cross-entropy outputs and {n} random networks, "
                "gradlab's Sequential differs from it by at most {exact:.1e} on every A, Z, the "
                "loss, ∂L/∂W and ∂L/∂B (rounding allows {rounding:.1e}, tolerance "
                "{tolerance:g}); extrapolated central differences (step {eps:g}) differ from "
                "the backward pass by a relative {numeric:.1e} at most, {numeric_ratio:.2g} "
                "times their own error bound, and gradlab's gradcheck by {gradcheck:.1e}, "
                "{gradcheck_ratio:.2g} times its bound (a check fails above {safety} times)."
            ).format(
                n=r["random"]["n"],
                exact=exact,
                rounding=worst["rounding_bound"],
                tolerance=EXACT_TOL,
                eps=r["eps"],
                numeric=worst["numeric_max_rel_error"],
                numeric_ratio=worst["numeric_error_over_bound"],
                gradcheck=worst["gradcheck_max_rel_error"],
                gradcheck_ratio=worst["gradcheck_error_over_bound"],
                safety=SAFETY,
            ),
        )
    )
    verdict = verdict_from_parts(parts, text, numbers, refute_when="every part fails")
    # Only the printed output missing leaves a consistent computation: nuanced; a computation
    # that disagrees with the library or with the derivative is refuted.
    failed = [name for name, ok in parts.items() if not ok]
    status = verdict.status if failed in ([], [PART_ARTICLE]) else "refuted"
    return Verdict(status, verdict.reason, numbers)


def _draw_net(
    ax: Any,
    sizes: list[int],
    edge_values: list[Any],
    node_text: list[list[str]],
    norm: Any,
    cmap: Any,
    title: str,
) -> None:
    """Draw a layered network: edges coloured by ``edge_values[l][i, j]``, nodes labelled."""
    ys = [np.linspace((n - 1) / 2, -(n - 1) / 2, n) for n in sizes]  # unit 1 on top
    for layer, values in enumerate(edge_values):
        values = np.asarray(values)
        for i, y0 in enumerate(ys[layer]):
            for j, y1 in enumerate(ys[layer + 1]):
                ax.plot(
                    [layer, layer + 1],
                    [y0, y1],
                    color=cmap(norm(values[i, j])),
                    lw=1 + 4 * abs(norm(values[i, j]) - norm(0.0)),
                    zorder=1,
                )
    for layer, ys_l in enumerate(ys):  # each node a box around its numbers
        for y, text in zip(ys_l, node_text[layer], strict=True):
            ax.text(
                layer,
                y,
                text,
                ha="center",
                va="center",
                fontsize=9,
                zorder=3,
                bbox={"boxstyle": "round,pad=0.3", "fc": "white", "ec": "k"},
            )
    ax.set(
        title=title,
        xlim=(-0.4, len(sizes) - 0.6),
        ylim=(-1.5, 1.5),
        xticks=range(len(sizes)),
        xticklabels=[_("input"), *(_("layer {k}").format(k=k) for k in range(1, len(sizes)))],
    )
    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)


def _c21_figures(r: dict[str, Any]) -> dict[str, Any]:
    fig, (ax0, ax1) = figure(1, 2, width=8.0, height=3.6)
    weights = [np.asarray(w) for w in r["weights"]]
    sizes = [weights[0].shape[0], *(w.shape[1] for w in weights)]
    f = r["identity"]
    fwd_text = [[f"x={v:.2f}" for v in r["x"]]] + [
        [f"a={a:.3f}\nz={z:.3f}" for a, z in zip(f["A"][k], f["Z"][k], strict=True)]
        for k in range(len(weights))
    ]
    wmax = max(float(np.abs(w).max()) for w in weights)
    norm = Normalize(0, wmax)
    _draw_net(
        ax0,
        sizes,
        weights,
        fwd_text,
        norm,
        cm.Blues,
        _("Forward pass: a = Σ z·w + b, z = h(a) (edge colour and width: the weight)"),
    )
    fig.colorbar(
        cm.ScalarMappable(norm=norm, cmap=cm.Blues), ax=ax0, label=_("weight W"), shrink=0.8
    )
    bwd_text = [[f"∂L/∂x\n{d:.2e}" for d in f["dX"]]] + [
        [f"∂L/∂a\n{d:.2e}" for d in f["dA"][k]] for k in range(len(weights))
    ]
    grads = [np.asarray(g) for g in f["dW"]]
    gmax = max(float(np.abs(g).max()) for g in grads)
    gnorm = SymLogNorm(linthresh=gmax * 1e-3, vmin=-gmax, vmax=gmax)
    _draw_net(
        ax1,
        sizes,
        grads,
        bwd_text,
        gnorm,
        cm.RdBu_r,
        _("Backward pass ({loss} loss, target {target}): edge colour and width: ∂L/∂W").format(
            loss=f["loss"], target=trace.format_matrix(r["target"])
        ),
    )
    bar = fig.colorbar(
        cm.ScalarMappable(norm=gnorm, cmap=cm.RdBu_r),
        ax=ax1,
        label=_("∂L/∂W (symmetric log scale)"),
        shrink=0.8,
    )
    ticks = [-gmax, -gmax * 1e-2, 0.0, gmax * 1e-2, gmax]
    bar.set_ticks(ticks, labels=[f"{v:.0e}" if v else "0" for v in ticks])
    return {"network": fig}


#: What every profile shares: the article's input and target, both outputs, the random nets.
_C21_BASE = {
    "input": [1.0, 0.5],
    "target": [0.0, 1.0],
    "outputs": ["identity", "softmax"],
    "eps": 1e-4,
    "hidden": ["sigmoid", "tanh"],
}


CLAIM = Claim(
    id="C21",
    title=N_("The three-layer network, computed step by step"),
    statement=N_(
        "The article's three-layer network (2 inputs, sigmoid hidden layers of 3 and 2 "
        "units, 2 outputs) is computed layer by layer as A = XW + B and Z = h(A), and "
        "back-propagation runs the chain rule through the same matrices in reverse; "
        "written out with the article's weights, the step-by-step matrices give the "
        "article's output and the same values and gradients as a library network."
    ),
    sources=("003", "000"),
    experiment=_c21_experiment,
    verdict=_c21_verdict,
    figures=_c21_figures,
    labels={
        "output_identity": N_("output y of the step-by-step pass, identity output [output value]"),
        "article_output": N_("the output the article's source prints [output value]"),
        "article_max_abs_diff": N_("largest gap between the two [absolute difference]"),
        "gradlab_max_abs_diff": N_(
            "largest gap between the step-by-step pass and gradlab's "
            "Sequential, over A, Z, the loss and the gradients [absolute difference]"
        ),
        "gradlab_rounding_bound": N_(
            "the largest gap float64 rounding can cause in one of them [absolute difference]"
        ),
        "numeric_max_rel_error": N_(
            "largest gap between extrapolated central differences and "
            "the backward pass, per weight or bias array [relative error]"
        ),
        "numeric_error_over_bound": N_(
            "that gap over the check's own error bound, worst array [ratio, fails above 10]"
        ),
        "gradcheck_max_rel_error": N_(
            "largest gap between gradlab's gradcheck (plain central "
            "differences) and the backward pass [relative error]"
        ),
        "gradcheck_error_over_bound": N_(
            "that gap over its error bound, worst array [ratio, fails above 10]"
        ),
        "random_nets": N_("random networks and batches checked besides the article's [count]"),
    },
    source_parts={
        "003": N_(
            "“3.3 3층 신경망 구현” (the notation A = XW + B, Z = h(A), layer by layer; the "
            "weights and the printed output are those of the book it retells, not in the "
            "article's text)"
        ),
        "000": N_(
            "“역전파 알고리즘” (back-propagation applies the chain rule from the output "
            "layer back to the input)"
        ),
    },
    profiles={
        "test": {**_C21_BASE, "n_random": 2, "depth": 3, "batch": 3},
        "quick": {**_C21_BASE, "n_random": 10, "depth": 3, "batch": 4},
        "full": {**_C21_BASE, "n_random": 100, "depth": 4, "batch": 8},
    },
    context=N_(
        "Article 003 retells chapter 3 of Deep Learning from Scratch; its weights come "
        "from the book's init_network() (W1 = [[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]], "
        "b1 = [0.1, 0.2, 0.3], W2 = [[0.1, 0.4], [0.2, 0.5], [0.3, 0.6]], b2 = [0.1, 0.2], "
        "W3 = [[0.1, 0.3], [0.2, 0.4]], b3 = [0.1, 0.2]) with input x = (1.0, 0.5), and "
        "the book prints the identity output (0.31682708, 0.69627909). The forward and "
        "backward passes are plain NumPy products in gradlab.lab.trace (the same code "
        "prints them in the terminal: gradlab trace). The backward pass needs a loss: "
        "gradlab's mse (mean over the outputs) against the target (0, 1) for the "
        "identity output, and cross entropy with class 1 for the softmax output, whose "
        "∂L/∂A = y - t comes out of the softmax's vector-Jacobian product. Each check has "
        "a tolerance from its error analysis. The article's output must be matched to "
        "5e-09, half a unit of its 8th decimal. gradlab's Sequential (predict, loss, "
        "compute_gradients) evaluates the same formulas in float64, so it may differ by "
        "rounding only; a running error bound of the pass (about 1e-13 at most on these "
        "nets) puts the tolerance at 1e-12. Central differences "
        "D(h) = (L(θ+h) - L(θ-h))/2h carry a truncation error c·h² and a rounding error "
        "δ/h (δ: the rounding of one evaluation of L); with h = 1e-4 the truncation alone "
        "reaches a relative 1e-5 where a gradient is as small as 1e-4 (a unit behind a "
        "1-unit bottleneck), so a fixed tolerance of 1e-6 once refuted a correct pass. The "
        "check therefore extrapolates, R(h) = (4D(h) - D(2h))/3, which removes the h² term, "
        "and estimates what is left (truncation |R(h) - R(2h)|/15, rounding 1.5δ/h); "
        "gradlab's gradcheck, plain central differences at step h, is held to its own "
        "truncation |D(h) - R(h)| plus δ/h. A check agrees when its relative error is at "
        "most 10 times its bound; a gradient off by just 0.1% misses by a factor of 500 or "
        "more. Confirmed when every part holds, nuanced when only the article's printed "
        "output is missed, refuted when the computation disagrees with gradlab or with the "
        "derivatives."
    ),
)
