"""Run the whole benchmark suite: every workload, every implementation, in alternating processes.

``python -m benchmarks [--only W1,W2,W3,W4,W5,gemm] [--repeats 5] [--threads N] [--out DIR]``
(or ``gradlab bench`` with the same options).

Each measurement is a fresh ``python -m benchmarks.worker`` process (so no implementation
inherits another's warm caches, thread pools or allocator state), and the implementations
take turns: gradlab, torch, sklearn, gradlab, torch, sklearn, ... A first round is run and
discarded (``--warmup``), then ``--repeats`` rounds are kept; the tables show the median and
the min-max. Writes ``results.json`` (every raw number) and ``RESULTS.md`` (the tables,
the targets and the machine) into ``--out`` (default: this folder).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from gradlab.cli.bench import TASKS, add_arguments

from . import report
from .workloads import NETS, net_flops

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.splitlines()[0]
    )
    add_arguments(parser)
    args = parser.parse_args(argv)
    args.out = HERE if args.out is None else args.out
    tasks = [t.strip() for t in args.only.split(",") if t.strip()]
    unknown = sorted(set(tasks) - set(TASKS))
    if unknown:
        parser.error(f"unknown task(s) {unknown}; choose among {', '.join(TASKS)}")
    if args.repeats < 1 or args.threads < 1 or args.warmup < 0:
        parser.error("--repeats and --threads must be >= 1 and --warmup >= 0")

    results: dict[str, Any] = {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": "python -m benchmarks " + " ".join(argv if argv is not None else sys.argv[1:]),
        "threads": args.threads,
        "repeats": args.repeats,
        "warmup": args.warmup,
        "load_start": _loadavg(),
        "machine": machine(args.threads),
        "nets": {},
    }
    gemm: list[float] = []
    for key, net in NETS.items():
        if key.split("-")[0] not in tasks:
            continue
        # The GEMM peak takes its turn in the W1 rounds, so that it is measured under the
        # same conditions as the epochs it is compared with.
        extra = [("gemm", "numpy")] if key.startswith("W1") else []
        runs = alternate([(key, impl) for impl in net.impls] + extra, args)
        peaks = [r["gflops_best"] for r in runs.pop(("gemm", "numpy"), [])]
        gemm += peaks
        results["nets"][key] = {
            "gemm_gflops": summarize(peaks) if peaks else None,
            "title": net.title,
            "flops_per_epoch": net_flops(net),
            "batch": net.batch,
            "samples": net.samples,
            "epochs_timed": net.epochs,
            "impls": {
                impl: summarize([r["seconds"] for r in rs]) for (_, impl), rs in runs.items()
            },
        }
    if "gemm" in tasks and not gemm:
        gemm = [r["gflops_best"] for r in alternate([("gemm", "numpy")], args)[("gemm", "numpy")]]
    if gemm:
        results["gemm"] = {"n": 2048, "gflops": statistics.median(gemm), "best": max(gemm),
                           "runs": gemm}  # fmt: skip
    if "W4" in tasks:
        runs = alternate([("W4", "gradlab"), ("W4", "torch")], args)
        results["activations"] = {
            impl: {name: summarize([r["seconds"][name] for r in rs]) for name in rs[0]["seconds"]}
            for (_, impl), rs in runs.items()
        }
    if "W5" in tasks:
        results["reproduce"] = worker("W5", "gradlab", args.threads)
    results["load_end"] = _loadavg()
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    text = report.render(results)
    (args.out / "RESULTS.md").write_text(text)
    print(text)
    print(f"wrote {args.out / 'results.json'} and {args.out / 'RESULTS.md'}", file=sys.stderr)
    return 0


def alternate(
    runs: list[tuple[str, str]], args: argparse.Namespace
) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """Run each ``(task, implementation)`` in turn, round after round, each in a fresh process;
    return the results of the rounds after the ``--warmup`` ones."""
    kept: dict[tuple[str, str], list[dict[str, Any]]] = {run: [] for run in runs}
    for round_ in range(args.warmup + args.repeats):
        for task, impl in runs:
            result = worker(task, impl, args.threads)
            label = "warm-up" if round_ < args.warmup else f"round {round_ - args.warmup + 1}"
            value = result.get("seconds", result.get("gflops_best"))
            shown = f"{value:.4f}" if isinstance(value, float) else "done"
            print(f"  {task:8s} {impl:8s} {label}: {shown}", file=sys.stderr, flush=True)
            if round_ >= args.warmup:
                kept[(task, impl)].append(result)
    return kept


def worker(task: str, impl: str, threads: int) -> dict[str, Any]:
    """Run one measurement in a fresh process and return its JSON result."""
    cmd = [sys.executable, "-m", "benchmarks.worker", task, impl, "--threads", str(threads)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def summarize(times: list[float]) -> dict[str, Any]:
    """Return the median, min, max and every value."""
    return {"median": statistics.median(times), "min": min(times), "max": max(times),
            "runs": times}  # fmt: skip


def _loadavg() -> list[float] | None:
    """The 1, 5 and 15-minute load averages (other jobs make the timings noisy)."""
    try:
        return [float(v) for v in Path("/proc/loadavg").read_text().split()[:3]]
    except (OSError, ValueError):
        return None


def machine(threads: int) -> dict[str, Any]:
    """Describe the machine: CPU, cores, memory, library versions, BLAS and thread pools."""
    info = worker("info", "gradlab", threads)
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    info.pop("task", None)
    info.pop("impl", None)
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": mem, **info}


if __name__ == "__main__":
    sys.exit(main())
