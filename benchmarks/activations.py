"""Time every activation's forward and derivative on 1M float32 values against torch.

Run by hand: ``python -m benchmarks.activations [--size 1000000] [--repeat 7]``. gradlab's
time is ``act(x)`` plus ``act.derivative(x, y)`` (or ``vjp`` for vector activations); torch's is
the forward plus one autograd backward with a ones upstream gradient, both single-threaded.
Prints a markdown table of medians in milliseconds and the ratio gradlab / torch.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from gradlab import activations  # noqa: E402


def _median_ms(fn: Callable[[], object], repeat: int) -> float:
    fn()  # warm up
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is optional here
        torch = None
    rng = np.random.default_rng(0)
    x = (rng.standard_normal(args.size) * 3).astype(np.float32)
    rows = []
    for name in activations.names():
        act = activations.get(name)
        xin = x.reshape(-1, 8) if not act.elementwise else x

        def ours(act=act, xin=xin):
            y = act(xin)
            if act.elementwise:
                act.derivative(xin, y)
            else:
                act.vjp(xin, np.ones_like(y), y)

        t_ours = _median_ms(ours, args.repeat)
        t_torch = None
        fn = _torch_fn(torch, name) if torch is not None else None
        if fn is not None:
            torch.set_num_threads(1)
            tx = torch.from_numpy(xin.copy())

            def theirs(fn=fn, tx=tx):
                t = tx.detach().requires_grad_(True)
                y = fn(t)
                y.backward(torch.ones_like(y))

            t_torch = _median_ms(theirs, args.repeat)
        rows.append((name, t_ours, t_torch))
    print(f"| activation | gradlab ms | torch ms | gradlab/torch |  (n={args.size}, float32)")
    print("|---|---:|---:|---:|")
    for name, a, b in rows:
        ratio = f"{a / b:.2f}" if b else "-"
        print(f"| {name} | {a:.2f} | {b:.2f} | {ratio} |" if b else f"| {name} | {a:.2f} | - | - |")


def _torch_fn(torch, name: str):
    F = torch.nn.functional
    table = {
        "linear": lambda t: t * 1.0, "sigmoid": torch.sigmoid, "hard_sigmoid": F.hardsigmoid,
        "tanh": torch.tanh, "hard_tanh": F.hardtanh, "softsign": F.softsign,
        "log_sigmoid": F.logsigmoid, "exponential": torch.exp, "tanh_shrink": F.tanhshrink,
        "relu": F.relu, "relu6": F.relu6, "leaky_relu": F.leaky_relu,
        "prelu": lambda t: F.prelu(t, torch.tensor([0.25])),
        "rrelu": lambda t: F.rrelu(t, training=False), "elu": F.elu, "selu": F.selu,
        "celu": F.celu, "threshold": lambda t: F.threshold(t, 0.0, 0.0),
        "soft_shrink": F.softshrink, "hard_shrink": F.hardshrink, "softplus": F.softplus,
        "gelu": F.gelu, "silu": F.silu, "hard_silu": F.hardswish, "mish": F.mish,
        "softmax": lambda t: torch.softmax(t, -1), "log_softmax": lambda t: torch.log_softmax(t, -1),
        "softmin": lambda t: F.softmin(t, -1), "glu": lambda t: F.glu(t, -1),
    }
    return table.get(name)


if __name__ == "__main__":
    main()
