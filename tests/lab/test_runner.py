"""The runner, the HTML report and the `gradlab reproduce` / `gradlab claims` commands."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from gradlab import lab
from gradlab.cli import main
from gradlab.lab import claim as claim_mod
from gradlab.lab import claims as claim_registry
from gradlab.lab import runner

UNITS = runner.UNITS  # the finished units kept for resume


def test_select_dedups_and_is_case_insensitive():
    assert runner.select("c2, C2") == ["C2"]
    assert runner.select(None) == lab.names()


def test_select_rejects_unknown_ids_with_a_suggestion():
    with pytest.raises(ValueError, match="did you mean"):
        runner.select("C2,C2x")


@pytest.mark.parametrize("jobs", [1, 2])
def test_run_claims_writes_json_html_and_figures(tmp_path, jobs):
    payload = runner.run_claims(["C2"], profile="test", out=tmp_path, jobs=jobs)
    saved = json.loads((tmp_path / "results.json").read_text())
    assert saved == json.loads(json.dumps(payload))
    (record,) = saved["claims"]
    assert record["id"] == "C2" and record["verdict"] == "confirmed"
    article = "“활성함수와 순전파&역전파” (Korean, 000_c77bacea4f3f253a.txt"
    assert record["sources"][0].startswith(article)
    assert saved["versions"]["numpy"]
    assert (tmp_path / record["figures"][0]).is_file()
    page = (tmp_path / "index.html").read_text()
    assert "data:image/png;base64," in page  # self-contained
    assert "http://" not in page and "https://" not in page
    assert 'id="C2"' in page and "confirmed" in page


def test_a_failing_experiment_is_reported_and_the_others_still_run(tmp_path, monkeypatch):
    broken = claim_mod.Claim(
        id="C99",
        title="broken",
        statement="an experiment that raises",
        sources=("000",),
        experiment=lambda config, seed: 1 / 0,
        verdict=lambda results: claim_mod.Verdict("confirmed", "never", {"x": 1}),
        profiles={"test": {}, "quick": {}, "full": {}},
    )
    real_get = claim_registry.get
    monkeypatch.setattr(claim_registry, "get", lambda i: broken if i == "C99" else real_get(i))
    payload = runner.run_claims(["C99", "C2"], profile="test", out=tmp_path)
    first, second = payload["claims"]
    assert first["verdict"] == "error" and "ZeroDivisionError" in first["error"]
    assert second["verdict"] == "confirmed"
    assert "ZeroDivisionError" in (tmp_path / "index.html").read_text()


def test_reproduce_and_claims_commands(tmp_path, capsys):
    out = str(tmp_path / "rep")
    assert main(["claims", "show", "C2", "--out", out]) == 0
    assert "Not run yet" in capsys.readouterr().out
    assert main(["reproduce", "--quick", "--only", "C2,C9", "--out", out, "--quiet"]) == 0
    assert "2 claims (2 confirmed)" in capsys.readouterr().out
    assert main(["claims", "show", "C9", "--out", out]) == 0
    assert "[nan nan nan]" in capsys.readouterr().out  # printed as text, not as rich markup
    assert main(["claims", "show", "c2", "--out", out]) == 0
    shown = capsys.readouterr().out
    assert "confirmed" in shown and "sigmoid_derivative_max" in shown
    assert main(["claims", "list", "--out", out]) == 0
    assert "C2" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [
        ["reproduce", "--only", "C2x"],
        ["reproduce", "--only", "C2", "--jobs", "0"],
        ["reproduce", "--only", "C2", "--seed", "-1"],
        ["claims", "show", "nope"],
    ],
)
def test_bad_command_lines_exit_2_with_a_message(argv, capsys, tmp_path):
    assert main([*argv, "--out", str(tmp_path)]) == 2
    assert "gradlab:" in capsys.readouterr().err


def test_verdict_rejects_unknown_status():
    with pytest.raises(ValueError, match="confirmed"):
        lab.Verdict("true", "x")


# ---- publishing: nothing in the report folder changes until the run is over ----------------------
def _tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (hidden ones too) with the SHA-256 of its bytes."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_a_clean_run_leaves_no_staging_folder(tmp_path):
    out = tmp_path / "rep"
    runner.run_claims(["C2", "C9"], profile="test", out=out)
    assert sorted(p.name for p in out.iterdir()) == [
        ".units",
        "figures",
        "index.html",
        "results.json",
    ]
    assert [p.name for p in tmp_path.iterdir()] == ["rep"]
    # Files get the permissions open() gives (umask), not a temporary file's 0o600.
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE((out / "results.json").stat().st_mode) == 0o666 & ~umask


def _report_files(folder: Path) -> dict[str, str]:
    """The report's files (``results.json``, ``index.html``, ``figures/``), without the units
    kept for ``resume``."""
    return {k: v for k, v in _tree(folder).items() if not k.startswith(runner.UNITS + "/")}


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_interrupted_run_leaves_the_previous_report_as_it_was(tmp_path, jobs):
    """Ctrl-C after C9 finished (its figure saved): no new figure, no staging folder; the
    finished unit is kept for a resume."""
    out = tmp_path / "rep"
    runner.run_claims(["C2"], profile="test", out=out)
    before = _report_files(out)
    finished = []

    def interrupt(record):
        assert record["figures"]  # a figure of this run exists somewhere
        finished.append(record["key"])
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        runner.run_claims(["C9", "C2"], profile="test", out=out, jobs=jobs, on_done=interrupt)
    assert _report_files(out) == before
    [key] = finished  # the unit that finished is kept, ready for resume=True
    assert (out / UNITS / key / "record.json").is_file()
    assert not multiprocessing.active_children()  # the workers were ended


def test_ctrl_c_while_files_move_is_held_until_they_are_in_place(tmp_path, monkeypatch):
    out = tmp_path / "rep"
    publish = runner._publish

    def publish_with_ctrl_c(staging, target):
        os.kill(os.getpid(), signal.SIGINT)  # arrives before the first file moves
        publish(staging, target)

    monkeypatch.setattr(runner, "_publish", publish_with_ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        runner.run_claims(["C9"], profile="test", out=out)
    saved = runner.load_results(out)  # the whole report is there
    assert [c["id"] for c in saved["claims"]] == ["C9"]
    assert (out / saved["claims"][0]["figures"][0]).is_file()
    assert sorted(p.name for p in out.iterdir()) == [
        ".units",
        "figures",
        "index.html",
        "results.json",
    ]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_stale_staging_of_a_dead_run_is_removed_and_a_live_one_kept(tmp_path):
    out = tmp_path / "rep"
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        host = runner._host()
        stale = out / f".reproduce-{finished.pid}@{host}-abcd1234"
        running = out / f".reproduce-{live.pid}@{host}-efgh5678"
        elsewhere = out / f".reproduce-{finished.pid}@another-host-ijkl9012"
        for folder in (stale, running, elsewhere):
            (folder / "figures").mkdir(parents=True)
            (folder / "figures" / "C2_curves.png").write_bytes(b"half written")
        runner.run_claims(["C2"], profile="test", out=out)
        assert not stale.exists()
        assert running.is_dir() and elsewhere.is_dir()
    finally:
        live.kill()
        live.wait()


def test_figures_of_other_claims_and_other_files_stay(tmp_path):
    out = tmp_path / "rep"
    runner.run_claims(["C2"], profile="test", out=out)
    (out / "figures" / "mine.png").write_bytes(b"not gradlab's")
    runner.run_claims(["C9"], profile="test", out=out)
    names = sorted(p.name for p in (out / "figures").iterdir())
    assert names == ["C2_curves.png", "C9_softmax.png", "mine.png"]
    assert [c["id"] for c in runner.load_results(out)["claims"]] == ["C9"]


def _out_is_a_file(tmp: Path) -> Path:
    (tmp / "rep").write_text("x")
    return tmp / "rep"


def _parent_is_a_file(tmp: Path) -> Path:
    (tmp / "f").write_text("x")
    return tmp / "f" / "rep"


def _index_is_a_folder(tmp: Path) -> Path:
    (tmp / "rep" / "index.html").mkdir(parents=True)
    return tmp / "rep"


def _figures_is_a_file(tmp: Path) -> Path:
    (tmp / "rep").mkdir()
    (tmp / "rep" / "figures").write_text("x")
    return tmp / "rep"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_out_is_a_file, "is a file"),
        (_parent_is_a_file, "cannot create the folder"),
        (_index_is_a_folder, "is a folder"),
        (_figures_is_a_file, "is a file"),
    ],
)
def test_reproduce_checks_its_output_before_running_anything(
    tmp_path, capsys, monkeypatch, make, message
):
    out = make(tmp_path)
    monkeypatch.setattr(runner, "run_claim", lambda *a, **k: pytest.fail("a claim ran"))
    code = main(["reproduce", "--quick", "--only", "C2", "--out", str(out), "--quiet"])
    captured = capsys.readouterr()
    assert code == 1
    err = captured.err
    assert err.startswith("gradlab: ") and err.count("\n") == 1 and message in err, err
    assert "Traceback" not in err and captured.out == ""


@pytest.mark.skipif(not Path("/sys").is_dir(), reason="needs a read-only system folder")
def test_reproduce_into_a_folder_that_takes_no_files(capsys):
    code = main(["reproduce", "--quick", "--only", "C2", "--out", "/sys/gradlab-report"])
    err = capsys.readouterr().err
    assert code == 1 and err.startswith("gradlab: --out /sys/gradlab-report") and "\n" == err[-1]


@pytest.mark.parametrize(
    "content", ["not json", "[1, 2]", '{"claims": [{"id": "C2"}]}'], ids=["text", "list", "record"]
)
def test_claims_commands_reject_a_broken_results_file(tmp_path, capsys, content):
    (tmp_path / "results.json").write_text(content)
    for argv in (["claims", "list"], ["claims", "show", "C2"]):
        assert main([*argv, "--out", str(tmp_path)]) == 1
        err = capsys.readouterr().err
        assert "is not a results file of `gradlab reproduce`" in err and err.count("\n") == 1
    with pytest.raises(ValueError, match="not a results file"):
        runner.load_results(tmp_path)
