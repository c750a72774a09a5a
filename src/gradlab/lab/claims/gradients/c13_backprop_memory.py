"""C13: backpropagation needs more memory than the forward pass (it keeps what backward needs)."""

from __future__ import annotations

import copy
import gc
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np

from gradlab.i18n import N_, _
from gradlab.lab.claim import Claim, Verdict
from gradlab.lab.kit.figures import figure
from gradlab.lab.kit.verdicts import verdict_from_parts
from gradlab.model import mlp

# --- C13: backpropagation needs more memory than the forward pass -----------------------------
#: Training "needs more memory" when the bytes it keeps for backward are at least this multiple
#: of the activations inference must hold at once (the context states it in words: change it
#: there too).
C13_RATIO_MIN = 1.5


def _net(config: dict[str, Any], depth: int, seed: int) -> Any:
    model = mlp(
        [config["width"]] * depth,
        10,
        input_dim=config["input_dim"],
        activation=config["activation"],
        init="he_normal",
        seed=seed,
    )
    model.compile(optimizer="sgd", loss="cross_entropy")
    return model


def _walk(model: Any, X: np.ndarray, training: bool) -> dict[str, Any]:
    """Forward ``X`` layer by layer through a copy of ``model``; what each layer keeps.

    Returns per layer the bytes of its output and of each array in its backward cache, the
    cache total (``Layer.cached_bytes``), and over all layers the cached bytes counted once
    per array (a layer's cached input is the previous layer's cached output) and the largest
    input + output pair, the activations inference must hold at the same time.
    """
    layers = copy.deepcopy(model.layers)
    h, seen, unique, live = X, set(), 0, 0
    rows = []
    for layer in layers:
        out = layer.forward(h, training=training)
        kept = layer.cached_arrays()
        for v in kept.values():
            if id(v) not in seen:
                seen.add(id(v))
                unique += v.nbytes
        live = max(live, h.nbytes + out.nbytes)
        rows.append(
            {
                "layer": layer.describe(),
                "output_bytes": out.nbytes,
                "params_bytes": sum(p.nbytes for p in layer.params.values()),
                "cached": {k: v.nbytes for k, v in kept.items()},
                "cached_bytes": layer.cached_bytes(),
            }
        )
        h = out
    return {
        "layers": rows,
        "unique_cached": unique,
        "live_pair": live,
        "cached_sum": sum(r["cached_bytes"] for r in rows),
    }


def _peak(fn: Callable[[], Any]) -> int:
    """Peak bytes allocated (tracemalloc) while ``fn`` runs, above what was allocated before."""
    fn()  # warm-up: first calls allocate caches of their own
    gc.collect()
    already = tracemalloc.is_tracing()  # leave a caller's tracing running
    if not already:
        tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        fn()
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        if not already:
            tracemalloc.stop()


def _measure(config: dict[str, Any], depth: int, batch: int, seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((batch, config["input_dim"])).astype(np.float32)
    model = _net(config, depth, seed)
    train, infer = _walk(model, X, True), _walk(model, X, False)
    params = sum(r["params_bytes"] for r in train["layers"])
    return {
        "depth": depth,
        "batch": batch,
        "train": train,
        "inference": infer,
        "params_bytes": params,
        # Training also holds one gradient per parameter.
        "train_total": 2 * params + train["unique_cached"],
        "inference_total": params + infer["live_pair"],
        "ratio_activations": train["unique_cached"] / infer["live_pair"],
    }


def _traced(config: dict[str, Any], depth: int, batch: int, seed: int) -> dict[str, int]:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((batch, config["input_dim"])).astype(np.float32)
    y = rng.integers(0, 10, batch)
    model = _net(config, depth, seed)
    out = {
        "forward_only": _peak(lambda: model.forward(X, training=False)),
        "forward_backward": _peak(lambda: model.compute_gradients(X, y)),
    }
    for layer in model.layers:
        layer.clear_cache()
    return out


def _c13_experiment(config: dict[str, Any], seed: int) -> dict[str, Any]:
    depth, batch = config["depth"], config["batch"]
    main = _measure(config, depth, batch, seed)
    by_depth = [_measure(config, d, batch, seed) for d in config["depths"]]
    by_batch = [_measure(config, depth, b, seed) for b in config["batches"]]
    rows = [
        [
            r["layer"],
            r["params_bytes"],
            r["output_bytes"],
            ", ".join(f"{k} {v}" for k, v in r["cached"].items()) or "-",
            r["cached_bytes"],
            i["cached_bytes"],
        ]
        for r, i in zip(main["train"]["layers"], main["inference"]["layers"], strict=True)
    ]
    return {
        "width": config["width"],
        "activation": config["activation"],
        "main": main,
        "by_depth": [
            {k: m[k] for k in ("depth", "ratio_activations")}
            | {
                "unique_cached": m["train"]["unique_cached"],
                "live_pair": m["inference"]["live_pair"],
            }
            for m in by_depth
        ],
        "by_batch": [
            {k: m[k] for k in ("batch", "train_total", "inference_total")} for m in by_batch
        ],
        "tables": [
            {
                # Fixed texts, translated where the report shows them (batch, depth, width and
                # activation are in the configuration beside the table).
                "title": N_(
                    "Bytes per layer, float32 (batch, depth, width and activation are in the "
                    "configuration)"
                ),
                "columns": [
                    N_("layer"),
                    N_("parameters"),
                    N_("output"),
                    N_("cached for backward (training)"),
                    N_("cached, training"),
                    N_("cached, inference"),
                ],
                "rows": rows,
            }
        ],
        "timing": {
            "tracemalloc_peak_bytes": [
                {"depth": d, **_traced(config, d, batch, seed)} for d in config["depths"]
            ]
        },
    }


def _c13_verdict(r: dict[str, Any]) -> Verdict:
    m = r["main"]
    train_layers, infer_layers = m["train"]["layers"], m["inference"]["layers"]
    all_cache = all(x["cached_bytes"] > 0 for x in train_layers if x["params_bytes"])
    infer_cached = sum(x["cached_bytes"] for x in infer_layers)
    ratio = m["ratio_activations"]
    small, large = r["by_batch"][0], r["by_batch"][-1]
    numbers = {
        "train_cached_unique_bytes": m["train"]["unique_cached"],
        "train_cached_sum_bytes": m["train"]["cached_sum"],
        "inference_cached_bytes": infer_cached,
        "inference_live_pair_bytes": m["inference"]["live_pair"],
        "ratio_cached_to_inference_live": ratio,
        "every_layer_caches": all_cache,
        f"total_ratio_batch_{small['batch']}": small["train_total"] / small["inference_total"],
        f"total_ratio_batch_{large['batch']}": large["train_total"] / large["inference_total"],
    }
    small_ratio = numbers[f"total_ratio_batch_{small['batch']}"]
    large_ratio = numbers[f"total_ratio_batch_{large['batch']}"]
    measured = (
        _(
            "A training forward pass of a batch of {batch} through {depth} hidden layers keeps "
            "{cached:.0f} KiB for backward (each layer's input, pre-activation and output; "
            "{cached_sum:.0f} KiB if every layer's cached_bytes is summed, because a layer's "
            "input is its predecessor's output); inference keeps {infer_cached} bytes and needs "
            "at most {live:.0f} KiB of activations at once, {ratio:.1f} times less."
        ).format(
            batch=m["batch"],
            depth=m["depth"],
            cached=m["train"]["unique_cached"] / 1024,
            cached_sum=m["train"]["cached_sum"] / 1024,
            infer_cached=infer_cached,
            live=m["inference"]["live_pair"] / 1024,
            ratio=ratio,
        )
        + " "
        + _(
            "Counting parameters and their gradients too, training needs {small_ratio:.1f} "
            "times the memory of inference at batch {small_batch} and {large_ratio:.1f} times "
            "at batch {large_batch}."
        ).format(
            small_ratio=small_ratio,
            small_batch=small["batch"],
            large_ratio=large_ratio,
            large_batch=large["batch"],
        )
    )
    # Byte counts are exact integers: no tolerance enters these comparisons.
    parts = {
        N_("every layer with weights keeps arrays for backward in a training forward pass"): (
            all_cache
        ),
        N_("an inference forward pass keeps nothing for backward"): infer_cached == 0,
        _("training keeps at least {ratio:g} times the activations inference holds at once").format(
            ratio=C13_RATIO_MIN
        ): ratio >= C13_RATIO_MIN,
    }
    verdict = verdict_from_parts(parts, measured, numbers, refute_when="every part fails")
    if not (all_cache and infer_cached == 0):
        # Without a cache in training, or with one in inference, the mechanism is not there.
        return Verdict("refuted", verdict.reason, numbers)
    return verdict


def _c13_figures(r: dict[str, Any]) -> dict[str, Any]:
    fig, (ax0, ax1) = figure(2, width=4.1, height=4.0)
    layers = r["main"]["train"]["layers"]
    names = {
        "x": _("input x (the previous f(z))"),
        "z": _("pre-activation z"),
        "y": _("output f(z)"),
    }
    # The arrays in the cache: colours of their own (red and green are training and inference
    # in the other panel).
    colors = {"x": "#4c72b0", "z": "#dd8452", "y": "#8172b3"}
    bottom = np.zeros(len(layers))
    for key, name in names.items():
        vals = np.array([x["cached"].get(key, 0) for x in layers]) / 1024
        ax0.bar(np.arange(len(layers)), vals, bottom=bottom, color=colors[key], label=name)
        bottom += vals
    ax0.plot(
        np.arange(len(layers)),
        [x["cached_bytes"] / 1024 for x in r["main"]["inference"]["layers"]],
        "k_",
        ms=14,
        mew=2,
        label=_("inference: nothing cached"),
    )
    ax0.set_xticks(
        np.arange(len(layers)), [x["layer"] for x in layers], rotation=25, ha="right", fontsize=8
    )
    ax0.set_ylim(0, 1.45 * bottom.max())  # room for the legend above the bars
    ax0.set(
        title=_("Cached for backward, batch {batch}").format(batch=r["main"]["batch"]),
        ylabel=_("KiB (training forward pass)"),
    )
    ax0.legend(fontsize=8, loc="upper center", ncols=2)
    depths = [d["depth"] for d in r["by_depth"]]
    ax1.plot(
        depths,
        [d["unique_cached"] / 1024 for d in r["by_depth"]],
        marker="o",
        color="#c62828",
        label=_("training: kept for backward"),
    )
    ax1.plot(
        depths,
        [d["live_pair"] / 1024 for d in r["by_depth"]],
        marker="o",
        color="#2e7d32",
        label=_("inference: largest input+output pair"),
    )
    traced = r.get("timing", {}).get("tracemalloc_peak_bytes", [])
    if traced:
        ax1.plot(
            [t["depth"] for t in traced],
            [t["forward_backward"] / 1024 for t in traced],
            ls="--",
            marker="x",
            color="#c62828",
            label=_("tracemalloc peak, forward + backward"),
        )
        ax1.plot(
            [t["depth"] for t in traced],
            [t["forward_only"] / 1024 for t in traced],
            ls="--",
            marker="x",
            color="#2e7d32",
            label=_("tracemalloc peak, forward only"),
        )
    ax1.set_xticks(depths)
    ax1.set(
        title=_("Activation memory against depth"),
        xlabel=_("hidden layers"),
        ylabel=_("KiB (batch {batch})").format(batch=r["main"]["batch"]),
    )
    ax1.set_ylim(0, 1.35 * ax1.get_ylim()[1])  # room for the legend above the lines
    for ax in (ax0, ax1):
        ax.grid(alpha=0.3)
    ax1.legend(fontsize=8, loc="upper left")
    return {"memory": fig}


_C13_PROFILES = {
    "test": {
        "input_dim": 64,
        "width": 64,
        "depth": 3,
        "batch": 32,
        "activation": "relu",
        "depths": [1, 2, 3],
        "batches": [1, 32],
    },
    "quick": {
        "input_dim": 64,
        "width": 256,
        "depth": 4,
        "batch": 256,
        "activation": "relu",
        "depths": [1, 2, 4, 8],
        "batches": [1, 32, 256],
    },
    "full": {
        "input_dim": 784,
        "width": 512,
        "depth": 4,
        "batch": 512,
        "activation": "relu",
        "depths": [1, 2, 4, 8, 16],
        "batches": [1, 32, 256, 1024],
    },
}
#: The label of ``total_ratio_batch_<size>`` for each batch size of the profiles (written out
#: whole, one translatable message each; a new batch size needs its label here).
_C13_TOTAL_RATIO_LABELS = {
    1: N_(
        "whole memory of training (parameters, their gradients, the backward cache) over that "
        "of inference, batch of 1 [ratio]"
    ),
    32: N_(
        "whole memory of training (parameters, their gradients, the backward cache) over that "
        "of inference, batch of 32 [ratio]"
    ),
    256: N_(
        "whole memory of training (parameters, their gradients, the backward cache) over that "
        "of inference, batch of 256 [ratio]"
    ),
    1024: N_(
        "whole memory of training (parameters, their gradients, the backward cache) over that "
        "of inference, batch of 1024 [ratio]"
    ),
}
_C13_LABELS = {
    "train_cached_unique_bytes": N_(
        "memory a training forward pass keeps for backward, each array counted once [bytes]"
    ),
    "train_cached_sum_bytes": N_(
        "the same memory summed layer by layer, so an array shared by two layers counts twice "
        "[bytes]"
    ),
    "inference_cached_bytes": N_("memory an inference forward pass keeps for backward [bytes]"),
    "inference_live_pair_bytes": N_(
        "largest input plus output of one layer, what inference must hold at once [bytes]"
    ),
    "ratio_cached_to_inference_live": N_(
        "memory training keeps for backward over the activations inference holds at once [ratio]"
    ),
    "every_layer_caches": N_(
        "every layer with weights keeps arrays for backward when training [yes/no]"
    ),
    **{
        f"total_ratio_batch_{b}": _C13_TOTAL_RATIO_LABELS[b]
        for b in sorted({b for p in _C13_PROFILES.values() for b in p["batches"]})
    },
}

CLAIM = Claim(
    id="C13",
    title=N_("Backpropagation needs more memory than the forward pass"),
    statement=N_(
        "Training with backpropagation needs more memory than running the network forward, "
        "because what the backward pass needs has to be stored during the forward pass."
    ),
    sources=("000",),
    experiment=_c13_experiment,
    verdict=_c13_verdict,
    figures=_c13_figures,
    profiles=_C13_PROFILES,
    # The threshold is written out (C13_RATIO_MIN): a translated text is one fixed message,
    # not an f-string.
    context=N_(
        "Measured on gradlab's own layers: after a training forward pass each layer's "
        "cached_bytes() reports the arrays it keeps for backward (a Dense layer keeps its "
        "input x, its pre-activation z and its output f(z)); after an inference forward "
        "pass nothing is kept. Summing cached_bytes over layers counts every hidden output "
        "twice (it is also the next layer's input), so the deciding number counts each "
        "array once. Inference must at least hold one layer's input and output at the same "
        "time; the deciding ratio is the training cache over that pair, with threshold "
        "1.5x. The whole-memory ratios add the parameters and, for "
        "training, one gradient array per parameter (optimizer state such as Adam's two "
        "moments would add two more). What is stored is forward values, not derivatives "
        "as some articles put it: the derivative is computed from them during backward. "
        "tracemalloc peaks (forward only vs forward + backward, in the figure) depend on "
        "allocator details and are kept under 'timing', outside the verdict."
    ),
    headline=("ratio_cached_to_inference_live",),
    labels=_C13_LABELS,
    source_parts={"000": N_("“# 역전파 알고리즘” (the last paragraph, on memory)")},
)
