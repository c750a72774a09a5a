"""``gradlab bench``: run the benchmark suite against PyTorch and scikit-learn.

The suite lives in ``benchmarks/`` of the source checkout, not in the installed package (it
needs torch and writes ``benchmarks/RESULTS.md``), so this command finds the checkout — the
current folder or one of its parents, else the one the package was installed from in
editable mode — and runs ``python -m benchmarks`` there with the same options. The options
are defined here once and shared with ``python -m benchmarks``.

Example::

    gradlab bench                      # everything, 5 rounds: a few minutes plus W5
    gradlab bench --only W1,W2 --repeats 3 --out /tmp/bench
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from .common import UsageError

__all__ = ["TASKS", "add_arguments", "add_parser", "cmd_bench", "find_checkout"]

#: The suite's tasks: W1 (MLP 784-256-256-10, SGD and Adam), W2 (2-8-8-1), W3 (20 x 64),
#: W4 (activations), W5 (``gradlab reproduce --quick``), gemm (the float32 GEMM peak).
TASKS = ("W1", "W2", "W3", "W4", "W5", "gemm")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the suite's options (shared by ``gradlab bench`` and ``python -m benchmarks``)."""
    parser.add_argument(
        "--only",
        default=",".join(TASKS),
        help=f"comma-separated tasks among {', '.join(TASKS)} (default: all; W5 takes minutes)",
    )
    parser.add_argument("--repeats", type=int, default=5, help="kept rounds per workload (5)")
    parser.add_argument("--warmup", type=int, default=1, help="discarded first rounds (1)")
    parser.add_argument(
        "--threads",
        type=int,
        default=os.cpu_count() or 1,
        help="threads for every implementation (default: every core)",
    )
    parser.add_argument(
        "--out", type=Path, default=None, help="folder for results.json and RESULTS.md "
        "(default: benchmarks/ of the checkout)"
    )  # fmt: skip


def add_parser(groups: Any) -> None:
    """Add ``bench`` to the ``gradlab`` sub-command group."""
    p = groups.add_parser(
        "bench",
        help="time gradlab against PyTorch and scikit-learn (needs the source checkout)",
        description="Run the benchmark suite of the source checkout (python -m benchmarks): "
        "every workload in fresh, alternating processes; writes results.json and RESULTS.md.",
    )
    add_arguments(p)
    p.set_defaults(handler=cmd_bench)


def find_checkout(start: Path | None = None) -> Path | None:
    """Return the source checkout holding ``benchmarks/suite.py``, or None."""
    start = Path.cwd() if start is None else start
    here = Path(__file__).resolve().parents[3]  # src/gradlab/cli/bench.py -> checkout
    for folder in (start, *start.parents, here):
        if (folder / "benchmarks" / "suite.py").is_file():
            return folder
    return None


def cmd_bench(args: argparse.Namespace) -> int:
    """Run ``python -m benchmarks`` in the checkout with the given options."""
    root = find_checkout()
    if root is None:
        raise UsageError(
            "gradlab bench runs the suite in benchmarks/ of a gradlab source checkout, and "
            "none was found from the current folder or next to the installed package; run it "
            "inside a clone of the repository"
        )
    argv = ["--only", args.only, "--repeats", str(args.repeats), "--warmup", str(args.warmup),
            "--threads", str(args.threads)]  # fmt: skip
    if args.out is not None:
        argv += ["--out", str(args.out.resolve())]
    return subprocess.call([sys.executable, "-m", "benchmarks", *argv], cwd=root)
