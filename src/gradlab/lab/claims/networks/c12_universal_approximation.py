"""Claim C12: one hidden layer approximates a smooth 1-D function ever better as it widens
(universal approximation), and deeper nets reach the same error with fewer units."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
from matplotlib.ticker import NullFormatter

from gradlab.lab.claim import Claim, Verdict
from gradlab.lab.kit.figures import figure
from gradlab.lab.kit.seeds import spawn_seeds
from gradlab.model import mlp

# --- C12: one hidden layer approximates a smooth function; depth needs fewer units -----------
#: The shallow net's error must fall to this fraction of the narrowest net's error ...
UA_RATIO = 0.2
#: ... with a rank correlation between width and error at most this.
UA_SPEARMAN = -0.8
#: A run whose relative error stays above this is counted as stuck on the plateau.
PLATEAU = 0.2


def _c12_target(x: np.ndarray) -> np.ndarray:
    """The function to approximate: ``sin(3x) + 0.3 x²`` on [-π, π]."""
    return np.sin(3 * x) + 0.3 * x**2


def _c12_fit(
    hidden: list[int], data: tuple[np.ndarray, ...], config: dict[str, Any], seed: int
) -> tuple[float, np.ndarray]:
    """Train a tanh MLP on the grid; return its relative RMSE on the test grid and its curve."""
    u, y, u_test, y_test = data
    model = mlp(hidden, 1, input_dim=1, activation="tanh", seed=seed)
    rng = np.random.default_rng(seed)
    weights = model.get_weights()  # spread the first layer's tanh steps over the interval
    weights[0] = rng.normal(0.0, config["first_scale"], weights[0].shape).astype(np.float32)
    weights[1] = rng.uniform(-1, 1, weights[1].shape).astype(np.float32) * config["first_scale"]
    model.set_weights(weights)
    schedule = {
        "name": "cosine",
        "config": {"T_max": config["epochs"], "eta_min": config["lr"] * 0.01},
    }
    model.compile(
        optimizer={"name": "adam", "config": {"lr": config["lr"], "schedule": schedule}}, loss="mse"
    )
    model.fit(u, y, epochs=config["epochs"], batch_size=len(u), shuffle=False, verbose=0)
    pred = model.predict(u_test)[:, 0].astype(np.float64)
    return float(np.sqrt(np.mean((pred - y_test) ** 2)) / np.std(y_test)), pred


def _params(hidden: list[int]) -> int:
    sizes = [1, *hidden, 1]
    return sum((a + 1) * b for a, b in itertools.pairwise(sizes))


def _c12_experiment(config: dict[str, Any], seed: int) -> dict[str, Any]:
    x = np.linspace(-np.pi, np.pi, config["n_train"])
    x_test = np.linspace(-np.pi, np.pi, config["n_test"])
    data = (
        (x / np.pi)[:, None].astype(np.float32),
        _c12_target(x)[:, None].astype(np.float32),
        (x_test / np.pi)[:, None].astype(np.float32),
        _c12_target(x_test),
    )
    seeds = spawn_seeds(seed, config["n_seeds"])
    archs = [(1, w) for w in config["shallow_widths"]]
    archs += [(depth, w) for depth, widths in config["deep"] for w in widths]
    keep = np.linspace(0, len(x_test) - 1, 201).astype(int)
    rows = []
    for depth, width in archs:
        fits = [_c12_fit([width] * depth, data, config, s) for s in seeds]
        errors = [e for e, _ in fits]
        best = int(np.argmin(errors))
        rows.append(
            {
                "depth": depth,
                "width": width,
                "units": depth * width,
                "params": _params([width] * depth),
                "median": float(np.median(errors)),
                "best": errors[best],
                "worst": max(errors),
                "stuck": sum(e > PLATEAU for e in errors),
                "curve": np.round(fits[best][1][keep], 4),
            }
        )
    return {
        "rows": rows,
        "x": x_test[keep],
        "f": _c12_target(x_test[keep]),
        "targets": config["targets"],
        "n_seeds": config["n_seeds"],
        "epochs": config["epochs"],
    }


def _units_needed(
    rows: list[dict[str, Any]], target: float, stat: str = "best"
) -> dict[str, Any] | None:
    """The smallest net (by units) among ``rows`` whose ``stat`` error is at most ``target``."""
    hits = sorted((r for r in rows if r[stat] <= target), key=lambda r: (r["units"], r["params"]))
    return hits[0] if hits else None


def _spearman(a: list[float], b: list[float]) -> float:
    ra, rb = np.argsort(np.argsort(a)), np.argsort(np.argsort(b))
    return float(np.corrcoef(ra, rb)[0, 1])


def _c12_verdict(r: dict[str, Any]) -> Verdict:
    shallow = [row for row in r["rows"] if row["depth"] == 1]
    deep = [row for row in r["rows"] if row["depth"] > 1]
    errors = [row["best"] for row in shallow]
    ratio = errors[-1] / errors[0]
    rho = _spearman([row["width"] for row in shallow], errors)
    ua = ratio <= UA_RATIO and rho <= UA_SPEARMAN
    numbers: dict[str, Any] = {
        "shallow_error_narrowest": errors[0],
        "shallow_error_widest": errors[-1],
        "shallow_error_ratio": ratio,
        "spearman_width_error": rho,
    }
    fewer_units, fewer_params, parts, typical = [], [], [], []
    for target in r["targets"]:
        s, d = _units_needed(shallow, target), _units_needed(deep, target)
        numbers[f"units_shallow@{target:g}"] = s and s["units"]
        numbers[f"units_deep@{target:g}"] = d and d["units"]
        sm, dm = _units_needed(shallow, target, "median"), _units_needed(deep, target, "median")
        numbers[f"median_units_shallow@{target:g}"] = sm and sm["units"]
        numbers[f"median_units_deep@{target:g}"] = dm and dm["units"]
        typical.append(
            f"{target:g}: {sm['units'] if sm else 'not reached'} vs "
            f"{dm['units'] if dm else 'not reached'}"
        )
        if s is None:
            continue
        fewer_units.append(d is not None and d["units"] < s["units"])
        fewer_params.append(d is not None and d["params"] < s["params"])
        deep_text = (
            f"{d['depth']}×{d['width']} = {d['units']} units ({d['params']} weights)"
            if d
            else "no deep net"
        )
        parts.append(
            f"error {target:g}: one layer needs {s['units']} units ({s['params']} "
            f"weights), deeper {deep_text}"
        )
    stuck = [
        sum(row["stuck"] for row in rows) / (len(rows) * r["n_seeds"]) for rows in (shallow, deep)
    ]
    numbers |= {"stuck_share_shallow": stuck[0], "stuck_share_deep": stuck[1]}
    text = (
        f"One hidden layer: the best relative error of {r['n_seeds']} seeds falls from "
        f"{errors[0]:.3f} (width {shallow[0]['width']}) to {errors[-1]:.3f} (width "
        f"{shallow[-1]['width']}), rank correlation {rho:.2f}. " + "; ".join(parts) + ". "
        f"Judged by the median run instead, units needed one layer vs deeper at error "
        f"{', '.join(typical)}. Runs stuck above {PLATEAU}: "
        f"{stuck[0]:.0%} of one-layer, {stuck[1]:.0%} of deeper ones."
    )
    if not ua:
        return Verdict(
            "refuted",
            text + " The error did not fall with width as required "
            f"(ratio <= {UA_RATIO}, correlation <= {UA_SPEARMAN}).",
            numbers,
        )
    if not fewer_units:
        return Verdict(
            "nuanced",
            text + f" No one-layer net reached the target errors {r['targets']}, so depth "
            "could not be compared.",
            numbers,
        )
    if all(fewer_units) and all(fewer_params):
        return Verdict("confirmed", text, numbers)
    if all(fewer_units):
        return Verdict(
            "nuanced", text + " Deeper nets need fewer units but as many weights or more.", numbers
        )
    return Verdict(
        "nuanced", text + " Depth did not reach every error level with fewer units.", numbers
    )


def _c12_figures(r: dict[str, Any]) -> dict[str, Any]:
    fig, (ax0, ax1) = figure(2, width=4.8)
    colors = {1: "#1f77b4", 2: "#2ca02c", 3: "#d62728", 4: "#9467bd"}
    for depth in sorted({row["depth"] for row in r["rows"]}):
        rows = [row for row in r["rows"] if row["depth"] == depth]
        units = [row["units"] for row in rows]
        ax0.plot(
            units,
            [row["best"] for row in rows],
            "o-",
            color=colors.get(depth),
            label=f"{depth} hidden layer{'s' if depth > 1 else ''}",
        )
        ax0.fill_between(
            units,
            [row["best"] for row in rows],
            [row["worst"] for row in rows],
            color=colors.get(depth),
            alpha=0.15,
        )
    for target in r["targets"]:
        ax0.axhline(target, color="k", ls=":", lw=0.8)
    ax0.set(
        xscale="log",
        yscale="log",
        xlabel="hidden units (all layers)",
        ylabel="test RMSE / std(f)",
        title=f"Error vs units (best of {r['n_seeds']} seeds; band: best to worst)",
    )
    units = [row["units"] for row in r["rows"] if row["depth"] == 1]
    ax0.set_xticks(units, labels=[str(u) for u in units], minor=False)
    ax0.xaxis.set_minor_formatter(NullFormatter())
    ax0.legend(fontsize=8)
    ax1.plot(r["x"], r["f"], color="k", lw=2.5, label="f(x) = sin 3x + 0.3x²")
    shallow = [row for row in r["rows"] if row["depth"] == 1]
    picks = (shallow[0], shallow[len(shallow) // 2], shallow[-1])
    for row, shade in zip(picks, ("#9ecae1", "#4292c6", "#08306b"), strict=True):
        ax1.plot(r["x"], row["curve"], lw=1.2, color=shade, label=f"1 layer × {row['width']}")
    deep = min((row for row in r["rows"] if row["depth"] > 1), key=lambda row: row["best"])
    ax1.plot(
        r["x"],
        deep["curve"],
        "--",
        lw=1.2,
        color="#2ca02c",
        label=f"{deep['depth']} layers × {deep['width']}",
    )
    ax1.set(xlabel="x", ylabel="f(x)", title="Best fit of each shape (over the seeds)")
    ax1.legend(fontsize=7)
    return {"error_vs_units": fig}


CLAIM = Claim(
    id="C12",
    title="Universal approximation: width suffices, depth saves units",
    statement=(
        "A network with one hidden layer can approximate a continuous function as closely "
        "as wanted given enough hidden units (the universal approximation theorem), and a "
        "deeper network reaches the same accuracy with fewer units."
    ),
    sources=("000",),
    experiment=_c12_experiment,
    verdict=_c12_verdict,
    figures=_c12_figures,
    profiles={
        "test": {
            "n_train": 200,
            "n_test": 401,
            "shallow_widths": [2, 64],
            "deep": [[2, [12]]],
            "n_seeds": 1,
            "epochs": 800,
            "lr": 0.05,
            "first_scale": 3.0,
            "targets": [0.1],
        },
        "quick": {
            "n_train": 200,
            "n_test": 1001,
            "shallow_widths": [2, 4, 8, 16, 32, 64],
            "deep": [[2, [4, 6, 8, 12]], [3, [4, 6]]],
            "n_seeds": 4,
            "epochs": 800,
            "lr": 0.05,
            "first_scale": 3.0,
            "targets": [0.1, 0.05],
        },
        "full": {
            "n_train": 200,
            "n_test": 1001,
            "shallow_widths": [2, 4, 8, 16, 32, 64, 128],
            "deep": [[2, [2, 3, 4, 6, 8, 12, 16]], [3, [2, 3, 4, 6, 8]]],
            "n_seeds": 8,
            "epochs": 3000,
            "lr": 0.02,
            "first_scale": 3.0,
            "targets": [0.1, 0.05, 0.02],
        },
    },
    context=(
        "f(x) = sin(3x) + 0.3x² on [-π, π], fed as x/π, is fitted by tanh MLPs with the "
        "mean squared error and full-batch Adam under a cosine schedule. The first "
        "layer's weights are drawn N(0, 3²) and its biases U(-3, 3) so that the tanh "
        "steps start spread over the interval (Glorot's small weights would leave every "
        "unit almost linear there). The error is the test RMSE on a finer grid divided by "
        "the standard deviation of f. The theorem promises that weights exist, not that "
        "gradient descent finds them, and many runs of every shape stop on a plateau near "
        f"0.22 (counted as 'stuck' above {PLATEAU}); so what a shape can represent is "
        "estimated by its best run over the seeds (the reason also gives the units the "
        "median run needs; the figure shows the worst). Universal approximation holds "
        "when the best error of the widest one-layer net is at most "
        f"{UA_RATIO} of the narrowest's and the rank correlation of width "
        f"and error is at most {UA_SPEARMAN}. For each target error the smallest net (by "
        "hidden units, all layers counted) that reaches it is found among one-layer and "
        "deeper nets; depth is confirmed to help when the deeper net needs fewer units and "
        "also fewer weights, nuanced when only the units are fewer or when it does not "
        "reach every target with fewer units."
    ),
    headline=("units_shallow@0.1", "units_deep@0.1"),
)
