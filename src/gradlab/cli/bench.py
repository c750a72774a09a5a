"""``gradlab bench``: run the benchmark suite against PyTorch and scikit-learn.

The suite lives in ``benchmarks/`` of the source checkout, not in the installed package (it
needs torch and writes ``benchmarks/RESULTS.md``), so this command finds the checkout — the
current folder or one of its parents, else the one the package was installed from in
editable mode — and runs ``python -m benchmarks`` there with the same options. The options
are defined here once and shared with ``python -m benchmarks``.

Example::

    gradlab bench                      # everything, 5 rounds: a few minutes plus W5
    gradlab bench --only W1,W2 --repeats 3 --out /tmp/bench

The output folder is checked (and created) before the suite starts. Ctrl-C stops the suite and
every process it started, with one ``gradlab: interrupted`` line.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from .common import UsageError, check_output_folder

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
        "--out", type=Path, default=None, help="folder for results.json and RESULTS.md, "
        "created if missing and checked before the suite starts (default: benchmarks/ of the "
        "checkout)"
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
    """Run ``python -m benchmarks`` in the checkout with the given options.

    The suite runs in its own process group (session), so a Ctrl-C in the terminal reaches only
    this process, which then ends the whole group (the suite and its workload processes) and
    reports one line; the suite's own exit status is returned otherwise.
    """
    root = find_checkout()
    if root is None:
        raise UsageError(
            "gradlab bench runs the suite in benchmarks/ of a gradlab source checkout, and "
            "none was found from the current folder or next to the installed package; run it "
            "inside a clone of the repository"
        )
    tasks = [t.strip() for t in args.only.split(",") if t.strip()]
    unknown = [t for t in tasks if t not in TASKS]
    if unknown or not tasks:
        raise UsageError(
            f"--only needs tasks among {', '.join(TASKS)}; got {', '.join(unknown) or 'none'}"
        )
    for flag, value, least in (
        ("--repeats", args.repeats, 1),
        ("--threads", args.threads, 1),
        ("--warmup", args.warmup, 0),
    ):
        if value < least:
            raise UsageError(f"{flag} must be an integer >= {least}, got {value}")
    check_output_folder(args.out if args.out is not None else root / "benchmarks", "--out")
    argv = ["--only", args.only, "--repeats", str(args.repeats), "--warmup", str(args.warmup),
            "--threads", str(args.threads)]  # fmt: skip
    if args.out is not None:
        argv += ["--out", str(args.out.resolve())]
    return run_suite([sys.executable, "-m", "benchmarks", *argv], root)


def run_suite(cmd: list[str], cwd: Path) -> int:
    """Run ``cmd`` in ``cwd`` and return its exit status; on Ctrl-C end it and its children.

    Raises:
        KeyboardInterrupt: after the suite's processes have ended.
    """
    posix = os.name == "posix"
    proc = subprocess.Popen(cmd, cwd=cwd, start_new_session=posix)
    try:
        return proc.wait()
    except BaseException:
        _end(proc, posix)
        raise


def _end(proc: subprocess.Popen, posix: bool) -> None:
    """End ``proc`` quietly: SIGTERM, up to 5 s to exit, then SIGKILL.

    On POSIX the signals go to its whole process group, so the workload processes the suite
    started end with it (SIGKILL also reaches any that outlived the suite).
    """
    if not posix:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:  # the group is gone: nothing left to end
        pass
    proc.wait()
