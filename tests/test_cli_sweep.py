"""``gradlab sweep``: a grid from the command line, its files, its one-line errors, and a run
killed half-way that resumes to the same results."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from gradlab.cli import main

#: 12 units of a few tenths of a second each: long enough to be stopped half-way.
GRID = ["--activation", "relu,tanh", "--depth", "1,2,3", "--width", "32", "--seeds", "0-1"]
SETTINGS = ["--epochs", "2", "--target", "0.5", "--jobs", "1"]
TIMEOUT = 180  # seconds; a hung command fails the test instead of hanging the suite


def _results(out: Path):
    payload = json.loads((out / "results.json").read_text(encoding="utf-8"))
    payload.pop("timing")
    for row in payload["rows"]:
        row.pop("seconds")
    return payload


def test_a_tiny_sweep_writes_its_files(tmp_path, capsys):
    out = tmp_path / "sweep"
    status = main(["sweep", *GRID[:4], "--epochs", "1", "--out", str(out), "--jobs", "1"])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert captured.err == ""
    assert "activation=tanh depth=2 seed=0: train" in captured.out
    assert "6 units (0 reused, 0 diverged) in" in captured.out
    assert str(out / "index.html") in captured.out
    for name in ("results.json", "results.csv", "index.html", "heatmap_train_acc.png"):
        assert (out / name).is_file()
    assert len(json.loads((out / "results.json").read_text())["rows"]) == 6


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--activation", "reluu"], "--activation: unknown activation 'reluu'; did you mean"),
        (["--depth", "0"], "--depth: 0 is not positive; expected comma-separated positive"),
        (["--lr", "0.1,fast"], "--lr: 'fast' is not a number"),
        (["--width", "64.5"], "--width: '64.5' is not a whole number"),
        (["--batch-norm", "perhaps"], "--batch-norm: 'perhaps' is not on or off"),
        (["--optimizer", "sgd,adamm"], "--optimizer: unknown optimizer 'adamm'"),
        (["--init", "he_normal", "--weight-var", "2"], "give --init or --weight-var, not both"),
        (["--seeds", "2-0"], "--seeds: the range '2-0' is empty"),
        (["--heatmap", "depth"], "--heatmap: expected two different axes"),
        (["--data", "digitz"], "--data: unknown dataset 'digitz'"),
        (["--epochs", "0"], "--epochs must be an int >= 1, got 0"),
        (["--target", "2"], "--target must be a finite number in (0, 1], got 2.0"),
        (
            ["--width", "1,2,3,4,5", "--depth", "1,2,3,4", "--seeds", "0-9"],
            "the sweep has 200 units (5 width x 4 depth x 10 seeds), more than the maximum of "
            "100; narrow the grid or raise --max-units",
        ),
        (["--jobs", "2", "--dask-local", "2"], "--jobs and --dask-local choose different"),
    ],
)
def test_bad_command_lines_end_in_one_line(tmp_path, capsys, argv, message):
    out = tmp_path / "never"
    status = main(["sweep", *argv, "--max-units", "100", "--out", str(out)])
    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith("gradlab: ") and err.count("\n") == 1, err
    assert message in err
    assert "Traceback" not in err
    assert not out.exists()  # nothing was created for a command line that cannot run


def test_an_out_that_is_a_file_is_refused_before_any_work(tmp_path, capsys):
    taken = tmp_path / "taken"
    taken.write_text("x")
    assert main(["sweep", "--out", str(taken)]) == 1
    assert "--out" in capsys.readouterr().err


def _start(argv: list[str], cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "gradlab", "sweep", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
        start_new_session=True,
        env={**os.environ, "COLUMNS": "200"},
    )


def _stop_after(proc: subprocess.Popen, units: int, sig: int) -> tuple[str, str]:
    """Send ``sig`` to ``proc``'s group once it has printed ``units`` finished units."""
    watchdog = threading.Timer(TIMEOUT, lambda: os.killpg(proc.pid, signal.SIGKILL))
    watchdog.start()
    try:
        seen = []
        assert proc.stdout is not None
        for line in proc.stdout:
            seen.append(line)
            if sum(": train " in s for s in seen) >= units:
                break
        else:
            pytest.fail(f"ended before {units} units:\n{''.join(seen)}\n{proc.stderr.read()}")
        os.killpg(proc.pid, sig)
        out, err = proc.communicate()
    finally:
        watchdog.cancel()
    return "".join(seen) + out, err


@pytest.mark.skipif(os.name != "posix", reason="sends POSIX signals")
def test_killed_half_way_then_resumed_gives_the_same_results(tmp_path, capsys):
    whole, broken = tmp_path / "whole", tmp_path / "broken"
    assert main(["sweep", *GRID, *SETTINGS, "--out", str(whole), "--quiet"]) == 0
    proc = _start([*GRID, *SETTINGS, "--out", str(broken)], tmp_path)
    _stop_after(proc, 4, signal.SIGKILL)  # no chance to clean up: a power cut
    assert proc.returncode == -signal.SIGKILL
    kept = len(list((broken / ".units").iterdir()))
    assert 4 <= kept < 12
    assert not (broken / "results.json").exists()
    capsys.readouterr()
    assert main(["sweep", *GRID, *SETTINGS, "--out", str(broken), "--resume"]) == 0
    assert f"12 units ({kept} reused, 0 diverged)" in capsys.readouterr().out
    assert _results(broken) == _results(whole)
    for png in whole.glob("*.png"):
        assert (broken / png.name).read_bytes() == png.read_bytes()


@pytest.mark.skipif(os.name != "posix", reason="sends POSIX signals")
def test_ctrl_c_says_how_to_resume(tmp_path):
    proc = _start([*GRID, *SETTINGS, "--out", str(tmp_path / "out")], tmp_path)
    out, err = _stop_after(proc, 2, signal.SIGINT)
    assert proc.returncode == 130
    assert err == "gradlab: interrupted\n"
    assert "units; `--resume` runs only the rest" in out
