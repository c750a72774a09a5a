"""W4 in one process, for quick iteration on kernels: ``python -m benchmarks.activations``.

Times every activation's forward + derivative on 1M float32 values for gradlab and torch in
this process, single-threaded, and prints a markdown table (the suite runs the same
measurement in separate, alternating processes: ``python -m benchmarks --only W4``).
"""

from __future__ import annotations

import argparse
import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

from .workloads import activation_times  # noqa: E402  (after the thread variables)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--only", default="", help="comma-separated activation names")
    args = parser.parse_args(argv)
    names = [n for n in args.only.split(",") if n] or None
    ours = activation_times("gradlab", args.size, args.repeat, names)
    theirs = activation_times("torch", args.size, args.repeat, names)
    print(f"| activation | gradlab ms | torch ms | gradlab/torch |  (n={args.size}, float32)")
    print("|---|---:|---:|---:|")
    for name, t in ours.items():
        if name in theirs:
            print(f"| {name} | {t * 1e3:.2f} | {theirs[name] * 1e3:.2f} | {t / theirs[name]:.2f} |")
        else:
            print(f"| {name} | {t * 1e3:.2f} | - | - |")


if __name__ == "__main__":
    main()
