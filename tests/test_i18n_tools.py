"""``gradlab trace`` and ``gradlab sweep`` in Korean: ``--lang ko`` prints and writes Korean
(no English sentence left, only code names and formulas), the sweep page says ``lang="ko"``
and its figures have every Hangul glyph; ``--lang xx`` is a usage error; English stays the
default."""

from __future__ import annotations

import logging
import re
import warnings

import pytest

from gradlab import i18n
from gradlab.cli import main
from gradlab.i18n import use_language

#: A sweep of 4 units of a fraction of a second each.
GRID = ["--activation", "relu,tanh", "--depth", "1,2", "--width", "8", "--epochs", "1"]


@pytest.fixture
def clean_env(monkeypatch):
    """No language from the environment: English unless a command says otherwise."""
    for var in ("GRADLAB_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    i18n.set_language(None)
    yield monkeypatch
    i18n.set_language(None)


def latin_words(text: str) -> set[str]:
    """The words in Latin letters, without those holding digits (W1, 1e-10, 2×3) and without
    a derivative's prime (sigmoid')."""
    text = re.sub(r"\b[A-Za-z]*\d\w*", " ", text)
    return {w.rstrip("'") for w in re.findall(r"[A-Za-z][A-Za-z_']*", text)}


#: What a Korean trace may show in Latin letters: code names (the activations, the output,
#: the loss, gradlab's classes and functions) and the letters of the formulas.
TRACE_CODE = {"gradlab", "Sequential", "gradcheck", "sigmoid", "tanh", "identity", "softmax",
              "mse", "cross_entropy", "X", "W", "B", "A", "Z", "T", "L", "N", "h"}  # fmt: skip


def test_trace_in_korean(clean_env, capsys):
    assert main(["trace", "--lang", "ko"]) == 0
    out = capsys.readouterr().out
    for korean in ("신경망", "순전파", "역전파", "연쇄 법칙", "손실 L = 0.0963129 (mse)", "검산"):
        assert korean in out
    assert ["층", "단계", "모양", "값"] == re.findall(r"\S+", out.splitlines()[4])
    assert "X (입력)" in out and "(항등 출력)" in out and "Σ_행" in out
    left = latin_words(out) - TRACE_CODE
    assert not left, f"English left in the Korean trace: {sorted(left)}"
    # The numbers are the English ones.
    assert main(["trace"]) == 0
    english = capsys.readouterr().out
    assert "network, hidden sigmoid" in english and "신경망" not in english
    number = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")
    assert sorted(number.findall(english)) == sorted(number.findall(out))


def test_trace_softmax_and_errors_in_korean(clean_env, capsys):
    argv = ["trace", "--lang", "ko", "--output", "softmax", "--target", "1", "--no-check"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "-T/Z/배치크기" in out and "softmax(A3)" in out
    assert not latin_words(out) - TRACE_CODE
    assert main(["trace", "--lang", "ko", "--layers", "4"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("gradlab: 글의 가중치는") and "--seed N" in err
    assert main(["trace", "--lang", "ko", "--target", "1,2,3"]) == 2
    assert "--target에는 값이 2개" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["trace", "sweep"])
def test_an_unknown_language_is_a_usage_error(clean_env, capsys, tmp_path, command):
    assert main([command, "--lang", "xx", *(["--out", str(tmp_path)] * (command == "sweep"))]) == 2
    assert "--lang" in capsys.readouterr().err
    assert not (tmp_path / "index.html").exists()


def test_sweep_in_korean_writes_a_korean_page(clean_env, capsys, tmp_path):
    out = tmp_path / "sweep"
    records: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record):
            records.append(record.getMessage())

    handler = Collect(logging.WARNING)
    logging.getLogger("matplotlib").addHandler(handler)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a Hangul glyph missing from the font fails
            status = main(["sweep", "--lang", "ko", *GRID, "--target", "0.5", "--out", str(out)])
    finally:
        logging.getLogger("matplotlib").removeHandler(handler)
    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert not [r for r in records if "glyph" in r.lower()], records
    assert "activation=tanh depth=2 시드=0: 학습" in captured.out
    assert "작업 단위 4개(재사용 0개, 발산 0개)" in captured.out
    page = (out / "index.html").read_text(encoding="utf-8")
    assert '<html lang="ko">' in page
    assert "<h2>모든 작업 단위</h2>" in page
    assert "digits 데이터에서 작업 단위 4개, 각각 1 에포크, 시드 0." in page
    assert "마지막 에포크 뒤 학습 데이터의 정확도" in page  # the metrics' legend
    assert "units on" not in page and "Every unit" not in page
    assert (out / "heatmap_train_acc.png").read_bytes()[:4] == b"\x89PNG"
    # results.json keeps its English keys and descriptions, and says the page's language.
    import json

    payload = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert payload["lang"] == "ko"
    assert payload["metrics"]["train_acc"].startswith("accuracy on the training set")
    # The command's language ends with the command.
    assert i18n.get_language() == "en"


def test_sweep_errors_in_korean_and_english(clean_env, capsys, tmp_path):
    assert main(["sweep", "--lang", "ko", "--depth", "0", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("gradlab: --depth: 0은(는) 양수가 아닙니다. 필요한 것: 쉼표로 구분한")
    assert main(["sweep", "--depth", "0", "--out", str(tmp_path)]) == 2
    assert "--depth: 0 is not positive; expected comma-separated positive" in (
        capsys.readouterr().err
    )


def test_run_sweep_takes_a_language_for_its_page_only(clean_env, tmp_path):
    from gradlab.lab import sweep

    rows = sweep.run_sweep(
        {"depth": "1,2", "width": 8}, epochs=1, verbose=0, out=tmp_path, lang="ko"
    )
    assert '<html lang="ko">' in (tmp_path / "index.html").read_text(encoding="utf-8")
    assert i18n.get_language() == "en"
    with use_language("ko"):
        assert "작업 단위" not in rows._repr_html_()  # a table of code names and numbers
    sweep.run_sweep({"depth": "1,2", "width": 8}, epochs=1, verbose=0, out=tmp_path)
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in page and "<h2>Every unit</h2>" in page
