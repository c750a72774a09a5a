"""Claim C10: Rosenblatt's perceptron learns AND, OR and NAND but never XOR; a hidden layer does."""

from __future__ import annotations

from typing import Any

import numpy as np

from gradlab import activations
from gradlab.i18n import N_, _
from gradlab.lab.claim import Claim, Verdict
from gradlab.lab.kit.figures import figure
from gradlab.lab.kit.fitting import accuracy, fit_with_adam
from gradlab.lab.kit.maps import class1_map, draw_map, grid_axis
from gradlab.lab.kit.seeds import spawn_seeds, spread
from gradlab.lab.kit.verdicts import verdict_from_parts
from gradlab.model import mlp

# --- C10: the perceptron learns AND, OR, NAND but never XOR ----------------------------------
#: The four inputs of a two-input logic gate and the targets of each gate.
BITS = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
GATES = {"AND": [0, 0, 0, 1], "OR": [0, 1, 1, 1], "NAND": [1, 1, 1, 0], "XOR": [0, 1, 1, 0]}
#: Hand-set weights of Deep Learning from Scratch ch. 2: NAND and OR units, then AND.
XOR_NET = {"W1": [[-0.5, 0.5], [-0.5, 0.5]], "b1": [0.7, -0.2], "W2": [[0.5], [0.5]], "b2": [-0.7]}
#: Share of seeds on which the trained one-hidden-layer net must solve XOR (the claim's context
#: quotes it as written text, 80%, which translation needs: change it with it).
MIN_SOLVED = 0.8
PART_LINEAR = N_("the perceptron rule learns AND, OR and NAND on every seed")
PART_NO_XOR = N_("the perceptron rule never learns XOR")
PART_HAND_SET = N_("a hand-set hidden layer (NAND and OR into AND) computes XOR")


def _perceptron(
    X: np.ndarray, t: np.ndarray, *, lr: float, max_epochs: int, rng: np.random.Generator
) -> tuple[np.ndarray, float, list[int]]:
    """Rosenblatt's rule, one sample at a time: ``y = H(w·x + b)``, ``w += lr (t - y) x``.

    Stops after the first epoch without a mistake (converged) or after ``max_epochs``.
    Returns the weights, the bias and the mistakes of every epoch.
    """
    step = activations.get("step")
    w, b = rng.uniform(-0.5, 0.5, size=2), float(rng.uniform(-0.5, 0.5))
    mistakes: list[int] = []
    while len(mistakes) < max_epochs and (not mistakes or mistakes[-1] > 0):
        wrong = 0
        for i in rng.permutation(len(X)):
            error = t[i] - float(step(np.array([X[i] @ w + b]))[0])
            if error:
                wrong += 1
                w, b = w + lr * error * X[i], b + lr * error
        mistakes.append(wrong)
    return w, b, mistakes


def _c10_experiment(config: dict[str, Any], seed: int) -> dict[str, Any]:
    seeds = spawn_seeds(seed, config["n_seeds"])
    out: dict[str, Any] = {"max_epochs": config["max_epochs"], "n_seeds": config["n_seeds"]}
    for gate, t in GATES.items():
        epochs, fewest, final = [], [], None
        for s in seeds:
            w, b, mistakes = _perceptron(
                BITS,
                np.array(t, float),
                lr=config["lr"],
                max_epochs=config["max_epochs"],
                rng=np.random.default_rng(s),
            )
            epochs.append(len(mistakes) if mistakes[-1] == 0 else None)
            fewest.append(min(mistakes))
            final = final or {"w": w, "b": b, "epochs": len(mistakes), "mistakes": mistakes[:200]}
        out[gate] = {
            "converged": sum(e is not None for e in epochs),
            "epochs_to_converge": [e for e in epochs if e is not None],
            "fewest_mistakes": min(fewest),
            "first_seed": final,
        }
    hand = mlp([2], 1, input_dim=2, activation="step", output_activation="step", dtype="float64")
    hand.set_weights([np.array(XOR_NET[k]) for k in ("W1", "b1", "W2", "b2")])
    hidden = hand.layers[0].forward(BITS)
    axis = grid_axis(-0.5, 1.5, config["grid"])
    out["hand_set"] = {
        "output": hand.predict(BITS)[:, 0],
        "nand": hidden[:, 0],
        "or": hidden[:, 1],
        "map": class1_map(hand, axis),
    }
    solved, losses = [], []
    for k, s in enumerate(seeds):
        model = mlp(
            [config["hidden"]],
            2,
            input_dim=2,
            activation=config["hidden_activation"],
            seed=s,
            dtype="float64",
        )
        history = fit_with_adam(
            model, BITS, np.array(GATES["XOR"]), {**config, "lr": config["lr_net"]}
        )
        solved.append(accuracy(model, BITS, np.array(GATES["XOR"])) == 1.0)
        losses.append(history["loss"][-1])
        if k == 0:
            out["trained_map"] = class1_map(model, axis)
            out["trained_probs"] = np.round(model.predict_proba(BITS)[:, 1], 4)
    out["trained"] = {"solved": int(sum(solved)), "final_loss": spread(losses)}
    out["grid_axis"] = axis
    return out


def _c10_verdict(r: dict[str, Any]) -> Verdict:
    n = r["n_seeds"]
    linear_ok = all(r[g]["converged"] == n for g in ("AND", "OR", "NAND"))
    xor_never = r["XOR"]["converged"] == 0 and r["XOR"]["fewest_mistakes"] >= 1
    hand_ok = list(np.asarray(r["hand_set"]["output"]).astype(int)) == GATES["XOR"]
    share = r["trained"]["solved"] / n
    numbers = {f"{g}_converged": r[g]["converged"] for g in GATES} | {
        "n_seeds": n,
        "max_epochs": r["max_epochs"],
        "AND_OR_NAND_max_epochs": max(
            max(r[g]["epochs_to_converge"], default=0) for g in ("AND", "OR", "NAND")
        ),
        "XOR_fewest_mistakes_per_epoch": r["XOR"]["fewest_mistakes"],
        "hand_set_solves_xor": hand_ok,
        "trained_solved_share": share,
    }
    single_layer = _(
        "Over {n} seeds the perceptron rule converged on AND, OR and NAND "
        "{and_}/{or_}/{nand} times (at most {epochs} epochs) and on XOR {xor} times in "
        "{max_epochs} epochs (never fewer than {fewest} mistake(s) per epoch);"
    ).format(
        n=n,
        and_=r["AND"]["converged"],
        or_=r["OR"]["converged"],
        nand=r["NAND"]["converged"],
        epochs=numbers["AND_OR_NAND_max_epochs"],
        xor=r["XOR"]["converged"],
        max_epochs=r["max_epochs"],
        fewest=r["XOR"]["fewest_mistakes"],
    )
    hidden_layer = (
        _(
            "the hand-set NAND+OR→AND net computes XOR and a trained one-hidden-layer net "
            "solved it on {share:.0%} of seeds."
        )
        if hand_ok
        else _(
            "the hand-set NAND+OR→AND net does not compute XOR and a trained "
            "one-hidden-layer net solved it on {share:.0%} of seeds."
        )
    ).format(share=share)
    text = f"{single_layer} {hidden_layer}"
    parts = {
        PART_LINEAR: linear_ok,
        PART_NO_XOR: xor_never,
        PART_HAND_SET: hand_ok,
        _("a trained hidden layer solves XOR on at least {share:.0%} of seeds").format(
            share=MIN_SOLVED
        ): share >= MIN_SOLVED,
    }
    verdict = verdict_from_parts(parts, text, numbers, refute_when="every part fails")
    # The single-layer facts are the core: if either fails the claim is refuted; if only the
    # hidden-layer parts fail it holds in part.
    single = linear_ok and xor_never
    status = verdict.status if single else "refuted"
    return Verdict(status, verdict.reason, numbers)


def _c10_figures(r: dict[str, Any]) -> dict[str, Any]:
    fig, axes = figure(2, 2, width=3.4, height=3.1)
    xs = np.linspace(-0.5, 1.5, 201)
    for ax, (gate, t) in zip(axes.flat, GATES.items(), strict=True):
        first = r[gate]["first_seed"]
        w, b = np.asarray(first["w"]), first["b"]
        fires = (w[0] * xs[None, :] + w[1] * xs[:, None] + b > 0).astype(float)
        ax.contourf(xs, xs, fires, levels=[-0.5, 0.5, 1.5], colors=["#d6e4f5", "#f7d4d4"])
        ax.contour(xs, xs, fires, levels=[0.5], colors="k", linewidths=1.5)
        ax.scatter(
            BITS[:, 0],
            BITS[:, 1],
            c=["#b2182b" if v else "#1f4e99" for v in t],
            s=80,
            edgecolors="k",
            zorder=3,
        )
        ok = first["mistakes"][-1] == 0
        ax.set(
            title=(
                _("{gate}: converged after {epochs} epochs")
                if ok
                else _("{gate}: no convergence after {epochs} epochs")
            ).format(gate=gate, epochs=first["epochs"]),
            xlim=(-0.5, 1.5),
            ylim=(-0.5, 1.5),
            xlabel="$x_1$",
            ylabel="$x_2$",
        )
        ax.title.set_fontsize(9)
        ax.set_aspect("equal")
    fig.suptitle(
        _(
            "Perceptron on the first seed: red points should output 1, blue 0;\n"
            "shaded: where the trained unit outputs 1 (red) or 0 (blue)"
        ),
        fontsize=9,
    )
    curves, ax = figure(1, width=5.5)
    for gate in GATES:
        m = r[gate]["first_seed"]["mistakes"]
        ax.plot(np.arange(1, len(m) + 1), m, marker="o", ms=3, label=gate)
    ax.set(
        xlabel=_("epoch (first 200 shown)"),
        ylabel=_("mistakes in the epoch (of 4)"),
        xscale="log",
        title=_("Perceptron rule: XOR never has a mistake-free epoch"),
    )
    ax.legend(title=_("gate"), loc="center left", bbox_to_anchor=(1.01, 0.5))
    hidden, (ax0, ax1) = figure(2, width=3.6, height=3.5)
    pts = {"X": BITS, "y": GATES["XOR"]}
    draw_map(
        ax0,
        r["grid_axis"],
        r["hand_set"]["map"],
        pts,
        _("hand-set NAND, OR → AND\n(step)"),
        size=80,
    )
    draw_map(
        ax1,
        r["grid_axis"],
        r["trained_map"],
        pts,
        _("trained, one hidden layer\n(solved {solved}/{n})").format(
            solved=r["trained"]["solved"], n=r["n_seeds"]
        ),
        size=80,
    )
    return {"perceptron": fig, "mistakes": curves, "hidden_layer": hidden}


CLAIM = Claim(
    id="C10",
    title=N_("Perceptrons learn AND, OR, NAND but not XOR"),
    statement=N_(
        "Rosenblatt's perceptron (a step unit trained by the perceptron learning rule) "
        "learns the AND, OR and NAND gates but never XOR, because no straight line "
        "separates XOR's classes; one hidden layer solves XOR."
    ),
    sources=("003",),
    experiment=_c10_experiment,
    verdict=_c10_verdict,
    figures=_c10_figures,
    profiles={
        "test": {
            "n_seeds": 3,
            "lr": 0.1,
            "max_epochs": 100,
            "hidden": 4,
            "hidden_activation": "tanh",
            "epochs": 200,
            "batch_size": 4,
            "lr_net": 0.1,
            "grid": 21,
        },
        "quick": {
            "n_seeds": 10,
            "lr": 0.1,
            "max_epochs": 1000,
            "hidden": 4,
            "hidden_activation": "tanh",
            "epochs": 300,
            "batch_size": 4,
            "lr_net": 0.1,
            "grid": 61,
        },
        "full": {
            "n_seeds": 50,
            "lr": 0.1,
            "max_epochs": 10000,
            "hidden": 4,
            "hidden_activation": "tanh",
            "epochs": 500,
            "batch_size": 4,
            "lr_net": 0.1,
            "grid": 61,
        },
    },
    context=N_(
        "The perceptron is written out here (gradlab's 'step' activation for the unit): "
        "weights and bias start uniform in [-0.5, 0.5], samples are visited in a seeded "
        "random order, and each mistake moves the weights by lr·(t - y)·x. Training stops "
        "after the first epoch without a mistake. By the perceptron convergence theorem "
        "this happens for any linearly separable gate; for XOR the verdict needs that no "
        "seed ever has a mistake-free epoch within the cap. The hidden-layer part uses the "
        "hand-set weights of Deep Learning from Scratch ch. 2 (the book article 003 "
        "retells): a NAND unit (w = (-0.5, -0.5), b = 0.7) and an OR unit (0.5, 0.5; "
        "-0.2) feeding an AND unit (0.5, 0.5; -0.7), all step units, and a gradlab MLP "
        "with one tanh hidden layer trained with Adam on the four XOR points, which must "
        "reach 100% on at least 80% of seeds. Confirmed when all four parts "
        "hold, nuanced when only the hidden-layer parts fail, refuted when a single-layer "
        "part fails."
    ),
    headline=("XOR_converged", "AND_converged"),
    labels={
        "AND_converged": N_(
            "seeds on which the perceptron rule learned AND (an epoch without a mistake) "
            "[count of seeds]"
        ),
        "OR_converged": N_(
            "seeds on which the perceptron rule learned OR (an epoch without a mistake) "
            "[count of seeds]"
        ),
        "NAND_converged": N_(
            "seeds on which the perceptron rule learned NAND (an epoch without a mistake) "
            "[count of seeds]"
        ),
        "XOR_converged": N_(
            "seeds on which the perceptron rule learned XOR (an epoch without a mistake) "
            "[count of seeds]"
        ),
        "n_seeds": N_("seeds tried [count]"),
        "max_epochs": N_("epochs the perceptron rule may run on each seed [epochs]"),
        "AND_OR_NAND_max_epochs": N_(
            "most epochs the rule needed to learn AND, OR or NAND [epochs]"
        ),
        "XOR_fewest_mistakes_per_epoch": N_(
            "fewest mistakes in any epoch on XOR, over all seeds [count of the 4 inputs]"
        ),
        "hand_set_solves_xor": N_("whether the hand-set NAND, OR → AND net outputs XOR [yes/no]"),
        "trained_solved_share": N_(
            "share of seeds on which a trained one-hidden-layer net gets "
            "all four XOR inputs right [fraction of seeds]"
        ),
    },
    source_parts={
        "003": N_(
            "“3.1.0 퍼셉트론” (Rosenblatt's perceptron; XOR cannot be separated by one line, "
            "hence the multi-layer perceptron); AND, OR and NAND are not discussed there (the "
            "hand-set XOR net is from the book the article retells)"
        ),
    },
)
