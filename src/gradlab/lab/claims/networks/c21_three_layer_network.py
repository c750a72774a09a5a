"""Claim C21: the article's three-layer network, forward and backward, one matrix at a time."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib import cm
from matplotlib.colors import Normalize, SymLogNorm

from gradlab.lab import trace
from gradlab.lab.claim import Claim, Verdict
from gradlab.lab.kit.figures import figure
from gradlab.lab.kit.seeds import spawn_seeds

#: The article's printed output has 8 decimals: a match is within half a unit of the last one.
ARTICLE_TOL = 5e-9
#: The matrix computation and gradlab's Sequential must agree to rounding.
EXACT_TOL = 1e-12
#: Central differences must agree to this relative error (per parameter array).
NUMERIC_TOL = 1e-6
CHECKS = (
    "forward_max_abs_diff",
    "loss_abs_diff",
    "backward_max_abs_diff",
    "gradcheck_max_rel_error",
    "numeric_max_rel_error",
)


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


def _c21_experiment(config: dict[str, Any], seed: int) -> dict[str, Any]:
    weights, biases = trace.article_network()
    x, t = np.array([config["input"]]), np.array([config["target"]])
    out: dict[str, Any] = {
        "weights": weights,
        "biases": biases,
        "x": x[0],
        "target": t[0],
        "expected": trace.ARTICLE_OUTPUT,
        "tables": [],
    }
    for output in config["outputs"]:
        tr = trace.run(x, weights, biases, output=output, target=t)
        out[output] = _pass(tr) | {"check": trace.check(tr, config["eps"])}
        if output == config["outputs"][0]:
            out["tables"].append(
                {
                    "title": f"Forward pass: A = X·W + B, Z = h(A) (sigmoid hidden, {output} "
                    "output)",
                    "columns": ["layer", "step", "shape", "value"],
                    "rows": trace.forward_rows(tr),
                }
            )
        out["tables"].append(
            {
                "title": f"Backward pass, {output} output, loss {tr.loss} = "
                f"{tr.loss_value:.6g} for target {trace.format_matrix(t)}",
                "columns": ["layer", "step", "shape", "value"],
                "rows": trace.backward_rows(tr),
            }
        )
    # Random networks and batches: the same agreement must hold beyond the article's example.
    rng = np.random.default_rng(seed)
    worst = dict.fromkeys(CHECKS, 0.0)
    for k, s in enumerate(spawn_seeds(seed, config["n_random"])):
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
        tr = trace.run(
            X,
            *trace.random_network(sizes, s),
            hidden=config["hidden"][k % 2],
            output=output,
            target=target,
        )
        for key, v in trace.check(tr, config["eps"]).items():
            worst[key] = max(worst[key], v)
    out["random"] = {"n": config["n_random"], "worst": worst}
    out["tables"].append(
        {
            "title": "Checks: the matrix computation against gradlab and central differences",
            "columns": ["comparison", *config["outputs"], f"{config['n_random']} random nets"],
            "rows": [
                [
                    key,
                    *(f"{out[o]['check'][key]:.2e}" for o in config["outputs"]),
                    f"{worst[key]:.2e}",
                ]
                for key in CHECKS
            ],
        }
    )
    return out


def _c21_verdict(r: dict[str, Any]) -> Verdict:
    outputs = [k for k in ("identity", "softmax") if k in r]
    checks = [r[o]["check"] for o in outputs] + [r["random"]["worst"]]
    exact = max(c[k] for c in checks for k in CHECKS[:3])
    numeric = max(c[k] for c in checks for k in CHECKS[3:])
    article = float(np.max(np.abs(np.asarray(r["identity"]["y"]) - r["expected"])))
    numbers = {
        "output_identity": list(r["identity"]["y"]),
        "article_output": r["expected"],
        "article_max_abs_diff": article,
        "gradlab_max_abs_diff": exact,
        "numeric_max_rel_error": numeric,
        "random_nets": r["random"]["n"],
    }
    text = (
        f"The step-by-step pass gives y = ({r['identity']['y'][0]:.8f}, "
        f"{r['identity']['y'][1]:.8f}) against the article's ({r['expected'][0]}, "
        f"{r['expected'][1]}) (max |Δ| {article:.1e}); gradlab's Sequential agrees on every "
        f"A, Z, the loss, ∂L/∂W and ∂L/∂B to {exact:.1e} and central differences to a "
        f"relative "
        f"{numeric:.1e}, for the identity/mse and softmax/cross-entropy outputs and "
        f"{r['random']['n']} random networks."
    )
    if exact <= EXACT_TOL and numeric <= NUMERIC_TOL:
        if article <= ARTICLE_TOL:
            return Verdict("confirmed", text, numbers)
        return Verdict(
            "nuanced",
            text + " The computation is consistent, but the article's "
            "printed output is not reproduced.",
            numbers,
        )
    return Verdict("refuted", text, numbers)


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
    for layer, ys_l in enumerate(ys):
        ax.scatter([layer] * len(ys_l), ys_l, s=1400, c="white", edgecolors="k", zorder=2)
        for y, text in zip(ys_l, node_text[layer], strict=True):
            ax.text(layer, y, text, ha="center", va="center", fontsize=6.5, zorder=3)
    ax.set(
        title=title,
        xlim=(-0.5, len(sizes) - 0.5),
        ylim=(-1.8, 1.8),
        xticks=range(len(sizes)),
        xticklabels=["input", *(f"layer {k}" for k in range(1, len(sizes)))],
    )
    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)


def _c21_figures(r: dict[str, Any]) -> dict[str, Any]:
    fig, (ax0, ax1) = figure(2, width=5.6, height=3.8)
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
        "Forward: a = Σ z·w + b, z = h(a)\n(edge colour and width: weight)",
    )
    fig.colorbar(cm.ScalarMappable(norm=norm, cmap=cm.Blues), ax=ax0, label="W", shrink=0.7)
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
        f"Backward ({f['loss']}, target {trace.format_matrix(r['target'])}):\n"
        "edge colour: ∂L/∂W (symmetric log scale)",
    )
    bar = fig.colorbar(
        cm.ScalarMappable(norm=gnorm, cmap=cm.RdBu_r), ax=ax1, label="∂L/∂W", shrink=0.7
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
    title="The three-layer network, computed step by step",
    statement=(
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
    profiles={
        "test": {**_C21_BASE, "n_random": 2, "depth": 3, "batch": 3},
        "quick": {**_C21_BASE, "n_random": 10, "depth": 3, "batch": 4},
        "full": {**_C21_BASE, "n_random": 100, "depth": 4, "batch": 8},
    },
    context=(
        "Article 003 retells chapter 3 of Deep Learning from Scratch; its weights come "
        "from the book's init_network() (W1 = [[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]], "
        "b1 = [0.1, 0.2, 0.3], W2 = [[0.1, 0.4], [0.2, 0.5], [0.3, 0.6]], b2 = [0.1, 0.2], "
        "W3 = [[0.1, 0.3], [0.2, 0.4]], b3 = [0.1, 0.2]) with input x = (1.0, 0.5), and "
        "the book prints the identity output (0.31682708, 0.69627909). The forward and "
        "backward passes are plain NumPy products in gradlab.lab.trace (the same code "
        "prints them in the terminal: gradlab trace). The backward pass needs a loss: "
        "gradlab's mse (mean over the outputs) against the target (0, 1) for the "
        "identity output, and cross entropy with class 1 for the softmax output, whose "
        "∂L/∂A = y - t comes out of the softmax's vector-Jacobian product. The verdict "
        f"needs the article's output to {ARTICLE_TOL:g}, gradlab's Sequential "
        f"(predict, loss, compute_gradients) to {EXACT_TOL:g} and central differences "
        f"(step 1e-4) to a relative {NUMERIC_TOL:g}, also on random networks and "
        "batches."
    ),
)
