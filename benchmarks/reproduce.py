"""W5: time ``gradlab reproduce --quick`` end to end and read its peak resident memory.

The command runs in a child process writing its report to a temporary folder. Peak memory is
``getrusage(RUSAGE_CHILDREN).ru_maxrss``: the largest resident set of any process the child
tree waited for (the lab's worker processes included), so this is run from a fresh worker
that has started nothing else.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time

__all__ = ["COMMAND", "run_reproduce"]

COMMAND = ("gradlab", "reproduce", "--quick")


def run_reproduce(threads: int, timeout: float = 3600.0) -> dict:
    """Return ``{"available", "seconds", "peak_rss_mib", ...}`` for one quick reproduction."""
    base = [sys.executable, "-m", "gradlab", *COMMAND[1:]]
    env = dict(os.environ)
    probe = subprocess.run([*base, "--help"], capture_output=True, text=True, env=env)
    result: dict = {"task": "W5", "impl": "gradlab", "threads": threads,
                    "command": " ".join(COMMAND)}  # fmt: skip
    if probe.returncode != 0:
        reason = (probe.stderr.strip().splitlines() or ["no output"])[-1]
        return result | {"available": False, "reason": reason}
    with tempfile.TemporaryDirectory(prefix="gradlab-w5-") as out:
        start = time.perf_counter()
        run = subprocess.run(
            [*base, "--out", out, "--quiet"], capture_output=True, text=True, env=env,
            cwd=out, timeout=timeout,
        )  # fmt: skip
        seconds = time.perf_counter() - start
    if run.returncode != 0:
        reason = (run.stderr.strip().splitlines() or ["no output"])[-1]
        return result | {"available": False, "reason": f"exit {run.returncode}: {reason}"}
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
    return result | {"available": True, "seconds": seconds, "peak_rss_mib": peak_kib / 1024}
