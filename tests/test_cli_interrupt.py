"""Ctrl-C ends every ``gradlab`` command with one line and exit status 130.

Each test starts ``python -m gradlab ...`` in its own session (process group), waits until the
command has printed progress (so the interrupt lands in the middle of real work), and sends
SIGINT to the whole group, as a terminal does on Ctrl-C, or to the main process alone, as
``kill -INT`` does.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from gradlab.cli import main

pytestmark = pytest.mark.skipif(os.name != "posix", reason="sends POSIX signals")

TIMEOUT = 180  # seconds; a hung command fails the test instead of hanging the suite


def interrupt_when(
    argv: list[str], marker: str, *, group: bool = True, cwd: Path | None = None
) -> tuple[int, str, str, int]:
    """Run ``python -m gradlab argv``; send SIGINT once a stdout line contains ``marker``.

    Returns:
        (exit status, stdout, stderr, process group id).
    """
    proc = subprocess.Popen(
        [sys.executable, "-m", "gradlab", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
        start_new_session=True,
    )
    watchdog = threading.Timer(TIMEOUT, lambda: os.killpg(proc.pid, signal.SIGKILL))
    watchdog.start()
    try:
        seen = []
        assert proc.stdout is not None
        for line in proc.stdout:
            seen.append(line)
            if marker in line:
                break
        else:
            out, err = proc.communicate()
            pytest.fail(f"ended (status {proc.returncode}) before printing {marker!r}:\n{err}")
        if group:
            os.killpg(proc.pid, signal.SIGINT)
        else:
            proc.send_signal(signal.SIGINT)
        out, err = proc.communicate()
    finally:
        watchdog.cancel()
    return proc.returncode, "".join(seen) + out, err, proc.pid


def running(pid: int) -> bool:
    """Whether process ``pid`` exists and is not a zombie waiting to be reaped."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().rpartition(")")[2].split()[0] != "Z"
    except OSError:  # it ended just now, or there is no /proc (macOS): trust kill
        return not Path("/proc").is_dir()


def assert_one_line(err: str) -> None:
    assert err == "gradlab: interrupted\n", err


def assert_group_gone(pgid: int) -> None:
    """No process of the command's group is left (no orphaned worker)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    pytest.fail(f"processes of group {pgid} still run after the command ended")


def tree(folder: Path) -> dict[str, str]:
    """Every file of the report under ``folder`` (hidden ones too, but not the finished units
    kept in ``.units/`` for ``--resume``) with the SHA-256 of its bytes."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not str(p.relative_to(folder)).startswith(".units/")
    }


@pytest.mark.parametrize("group", [True, False], ids=["terminal", "kill-INT"])
def test_ctrl_c_during_training(group: bool) -> None:
    argv = "train --data digits --layers 256,256 --epochs 500".split()
    code, out, err, pgid = interrupt_when(argv, "Epoch 1/500", group=group)
    assert code == 130
    assert_one_line(err)
    assert "train accuracy" not in out  # it did stop
    assert_group_gone(pgid)


@pytest.mark.parametrize("jobs", [1, 2])
def test_ctrl_c_during_reproduce_keeps_the_previous_report(tmp_path: Path, jobs: int) -> None:
    """The report of the first run (C2) is byte for byte the same after an interrupted second
    run whose first claim (C9, with a figure) had finished; workers print nothing."""
    out = tmp_path / "report"
    assert main(["reproduce", "--quick", "--only", "C2", "--out", str(out), "--quiet"]) == 0
    before = tree(out)
    assert "figures/C2_curves.png" in before
    argv = ["reproduce", "--quick", "--only", "C9,C7,C17,C4", "--seed", "0", "--out", str(out)]
    code, out_text, err, pgid = interrupt_when([*argv, "--jobs", str(jobs)], "C9 confirmed")
    assert code == 130
    assert_one_line(err)  # neither the main process nor a worker printed a traceback
    assert "claims (" not in out_text  # it did not get to the summary
    assert tree(out) == before  # no new figure, no staging folder, old files untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]
    assert_group_gone(pgid)


def test_reproduce_interrupted_in_the_main_process_only(tmp_path: Path) -> None:
    """`kill -INT` reaches the main process alone: it still ends its workers itself."""
    out = tmp_path / "report"
    argv = ["reproduce", "--quick", "--only", "C9,C7,C17,C4", "--seed", "0", "--out", str(out)]
    argv += ["--jobs", "2"]
    code, _, err, pgid = interrupt_when(argv, "C9 confirmed", group=False)
    assert code == 130
    assert_one_line(err)
    assert_group_gone(pgid)
    assert tree(out) == {}  # the folder was made up front, and nothing was published


def test_ctrl_c_during_bench_ends_the_suite_and_its_children(tmp_path: Path) -> None:
    """A stand-in checkout whose suite prints, starts a child and sleeps; the suite runs in its
    own session, so only `gradlab bench` sees the terminal's Ctrl-C, and it ends them all."""
    suite = tmp_path / "benchmarks"
    suite.mkdir()
    (suite / "suite.py").write_text("")
    (suite / "__main__.py").write_text(
        "import subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
        "print(f'child {child.pid}', flush=True)\n"
        "time.sleep(600)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "gradlab", "bench", "--out", str(tmp_path / "out")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        start_new_session=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.startswith("child "), line
    child = int(line.split()[1])
    os.killpg(proc.pid, signal.SIGINT)  # the terminal's group: gradlab only
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert_one_line(err)
    deadline = time.monotonic() + 10
    while running(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    if running(child):
        os.kill(child, signal.SIGKILL)
        pytest.fail("the suite's child process outlived the interrupt")
