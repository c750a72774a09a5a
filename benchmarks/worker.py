"""One measurement in a fresh process: ``python -m benchmarks.worker TASK IMPL --threads N``.

The thread count is fixed before NumPy (or torch) is imported: the usual environment
variables for OpenMP, OpenBLAS and MKL, then :func:`threadpoolctl.threadpool_limits` and
``torch.set_num_threads``. The result is printed as one JSON line on stdout, with the thread
pools the process actually had (``threadpoolctl.threadpool_info``).

Tasks: a key of :data:`benchmarks.workloads.NETS` (seconds per epoch), ``W4`` (activation
times of one implementation, single thread), ``gemm`` (NumPy float32 GEMM rate), ``W5``
(``gradlab reproduce --quick`` in a child process: wall time and peak RSS) and ``info``
(library versions and thread pools).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys

THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("task")
    parser.add_argument("impl", nargs="?", default="gradlab")
    parser.add_argument("--threads", type=int, required=True)
    args = parser.parse_args(argv)
    threads = 1 if args.task == "W4" else args.threads
    for var in THREAD_VARS:
        os.environ[var] = str(threads)
    if args.task == "W5":  # nothing heavy is imported here: the child is what is measured
        from .reproduce import run_reproduce

        result = run_reproduce(threads)
    else:
        result = _run(args.task, args.impl, threads)
    print(json.dumps(result))


def _run(task: str, impl: str, threads: int) -> dict:
    import numpy as np  # noqa: F401  (loads the BLAS before the limits are set)
    from threadpoolctl import threadpool_info, threadpool_limits

    threadpool_limits(threads)
    if impl == "torch" or task == "info":
        import torch

        torch.set_num_threads(threads)
    from . import workloads

    result: dict = {"task": task, "impl": impl, "threads": threads}
    if task in workloads.NETS:
        result["seconds"] = workloads.run_net(workloads.NETS[task], impl)
    elif task == "W4":
        result["seconds"] = workloads.activation_times(impl)
    elif task == "gemm":
        result.update(workloads.gemm_peak())
    elif task == "info":
        result.update(_versions())
    else:
        raise SystemExit(f"unknown task {task!r}")
    result["threadpools"] = [
        {k: p.get(k) for k in ("internal_api", "prefix", "version", "num_threads", "architecture")}
        for p in threadpool_info()
    ]
    return result


def _versions() -> dict:
    import platform

    import numpy as np
    import scipy
    import sklearn
    import torch

    import gradlab

    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "torch": torch.__version__,
        "sklearn": sklearn.__version__,
        "gradlab": gradlab.__version__,
        "torch_blas": _torch_blas(torch),
        "platform": platform.platform(),
    }


def _torch_blas(torch) -> str:
    found = re.search(r"BLAS_INFO=(\w+)", torch.__config__.show())
    return found.group(1) if found else "unknown"


if __name__ == "__main__":
    sys.exit(main())
