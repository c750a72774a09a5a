"""W1-W3 in one process, for quick iteration: ``python -m benchmarks.mlp_epoch W1-sgd [--torch]``.

Times the workload's epochs with gradlab (and torch, same process, same threads) and prints
the median and min-max; the suite runs them in separate, alternating processes.
"""

from __future__ import annotations

import argparse
import statistics

from .workloads import NETS, run_net


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workload", nargs="?", default="W1-sgd", choices=sorted(NETS))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--torch", action="store_true", help="also time PyTorch")
    args = parser.parse_args(argv)
    net = NETS[args.workload]
    for impl in ("gradlab", "torch") if args.torch else ("gradlab",):
        times = [run_net(net, impl) for _ in range(args.repeats)]
        print(
            f"{impl:8s} {net.key}: median {statistics.median(times):.4f} s per epoch "
            f"(min {min(times):.4f}, max {max(times):.4f}, {args.repeats} repeats)"
        )


if __name__ == "__main__":
    main()
