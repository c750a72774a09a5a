"""The runner, the HTML report and the `gradlab reproduce` / `gradlab claims` commands."""

from __future__ import annotations

import json

import pytest

from gradlab import lab
from gradlab.cli import main
from gradlab.lab import claim as claim_mod
from gradlab.lab import runner


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
    assert record["sources"][0] == "000_c77bacea4f3f253a.txt"
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
    real_get = claim_mod.get
    monkeypatch.setattr(claim_mod, "get", lambda i: broken if i == "C99" else real_get(i))
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
