"""``gradlab bench`` finds the checkout and forwards its options; the suite's report marks targets.

Nothing here times anything: the suite itself is run by hand (``python -m benchmarks``).
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

from gradlab.cli import bench, main

ROOT = Path(__file__).resolve().parents[1]


def test_find_checkout_from_the_repository_and_from_elsewhere(tmp_path: Path) -> None:
    assert bench.find_checkout(ROOT / "src") == ROOT
    # From an unrelated folder it falls back to the checkout the package was loaded from.
    assert bench.find_checkout(tmp_path) in (ROOT, None)


def test_bench_forwards_its_options_to_the_suite(monkeypatch, tmp_path: Path) -> None:
    calls = []
    monkeypatch.setattr(bench, "run_suite", lambda cmd, cwd: calls.append((cmd, cwd)) or 0)
    code = main(["bench", "--only", "W2,W3", "--repeats", "2", "--threads", "1",
                 "--out", str(tmp_path)])  # fmt: skip
    assert code == 0
    ((cmd, cwd),) = calls
    assert cmd[:3] == [sys.executable, "-m", "benchmarks"] and Path(cwd) == ROOT
    assert cmd[3:] == ["--only", "W2,W3", "--repeats", "2", "--warmup", "1", "--threads", "1",
                       "--out", str(tmp_path.resolve())]  # fmt: skip


@pytest.mark.parametrize("out", ["file.txt", "file.txt/sub"], ids=["a-file", "under-a-file"])
def test_bench_checks_its_output_folder_before_the_suite_starts(
    monkeypatch, capsys, tmp_path: Path, out: str
) -> None:
    (tmp_path / "file.txt").write_text("x")
    monkeypatch.setattr(bench, "run_suite", lambda cmd, cwd: pytest.fail("the suite started"))
    assert main(["bench", "--out", str(tmp_path / out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"gradlab: --out {tmp_path / out}") and err.count("\n") == 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--only", "W9,W1"], "--only needs tasks among W1, W2, W3, W4, W5, gemm; got W9"),
        (["--only", ","], "--only needs tasks among W1, W2, W3, W4, W5, gemm; got none"),
        (["--repeats", "0"], "--repeats must be an integer >= 1, got 0"),
        (["--threads", "0"], "--threads must be an integer >= 1, got 0"),
        (["--warmup", "-1"], "--warmup must be an integer >= 0, got -1"),
    ],
)
def test_bench_options_are_checked_in_one_line(monkeypatch, capsys, argv, message) -> None:
    monkeypatch.setattr(bench, "run_suite", lambda cmd, cwd: pytest.fail("the suite started"))
    assert main(["bench", *argv]) == 2
    err = capsys.readouterr().err
    assert err == f"gradlab: {message}\n"


def test_bench_returns_the_suite_status(tmp_path: Path) -> None:
    assert bench.run_suite([sys.executable, "-c", "raise SystemExit(3)"], tmp_path) == 3


def test_bench_without_a_checkout_is_a_usage_error(monkeypatch, capsys) -> None:
    monkeypatch.setattr(bench, "find_checkout", lambda: None)
    assert main(["bench"]) == 2
    assert "source checkout" in capsys.readouterr().err


@pytest.fixture
def report():
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.syspath_prepend(str(ROOT))
    yield importlib.import_module("benchmarks.report")
    monkeypatch.undo()


def _net(gradlab: float, torch: float, sklearn: float | None = None) -> dict:
    impls = {"gradlab": {"median": gradlab, "min": gradlab, "max": gradlab, "runs": [gradlab]},
             "torch": {"median": torch, "min": torch, "max": torch, "runs": [torch]}}  # fmt: skip
    if sklearn is not None:
        impls["sklearn"] = {"median": sklearn, "min": sklearn, "max": sklearn, "runs": [sklearn]}
    return {"title": "t", "flops_per_epoch": 72.8e9, "batch": 128, "samples": 60_000,
            "epochs_timed": 1, "impls": impls}  # fmt: skip


def test_report_marks_each_target_met_or_not(report) -> None:
    results = {
        "date": "today",
        "command": "python -m benchmarks",
        "threads": 2,
        "repeats": 5,
        "warmup": 1,
        "machine": {"cpu": "CPU", "cores": 2, "threadpools": []},
        "gemm": {"n": 2048, "gflops": 200.0, "runs": [200.0]},
        "nets": {"W1-sgd": _net(0.6, 0.8, 1.5), "W2": _net(0.003, 0.005)},
        "activations": {
            "gradlab": {"relu": {"median": 1e-3, "min": 1e-3, "max": 1e-3, "runs": [1e-3]}},
            "torch": {"relu": {"median": 1e-3, "min": 1e-3, "max": 1e-3, "runs": [1e-3]}},
        },
        "reproduce": {"command": "gradlab reproduce --quick", "available": False, "reason": "x"},
    }
    text = report.render(results)
    assert "| W1-sgd gradlab / torch | 0.75 | <= 0.9 | met |" in text
    assert "| W1-sgd gradlab / sklearn | 0.40 | <= 0.5 | met |" in text
    assert "| W2 gradlab / torch | 0.60 | <= 0.2 | **not met** |" in text
    assert "| W1-sgd share of the GEMM peak | 61% | >= 55% | met |" in text
    assert "W4 worst activation gradlab / torch (relu) | 1.00" in text
    assert "Not available: x" in text
