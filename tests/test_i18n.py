"""gradlab in Korean: the language switch, the catalogs, and the lab's report in Korean.

The Korean report is checked the way a reader would: its visible text holds no English words
but code names, proper names, units and formulas (``ENGLISH_ALLOWED``); its figures render
Hangul (matplotlib's "Glyph ... missing" warning is a failure); and every claim's verdict
sentence, judged from the same results in both languages, quotes the same numbers.
"""

from __future__ import annotations

import importlib.util
import logging
import re
import string
import sys
import threading
import warnings
from html.parser import HTMLParser
from pathlib import Path

import pytest

from gradlab import TrainingStalledWarning, i18n
from gradlab.i18n import _, use_language

ROOT = Path(__file__).resolve().parents[1]


# -- choosing the language -----------------------------------------------------------------
@pytest.fixture
def clean_env(monkeypatch):
    for var in ("GRADLAB_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    i18n.set_language(None)
    yield monkeypatch
    i18n.set_language(None)


def test_language_comes_from_flag_env_locale_then_english(clean_env):
    assert i18n.resolve_language() == "en"
    clean_env.setenv("LANG", "ko_KR.UTF-8")
    assert i18n.resolve_language() == "ko"
    clean_env.setenv("LC_ALL", "de_DE.UTF-8")  # LC_ALL wins over LANG, and asks for nothing
    assert i18n.resolve_language() == "en"
    clean_env.setenv("GRADLAB_LANG", "ko")
    assert i18n.resolve_language() == "ko"
    assert i18n.resolve_language("en") == "en"  # the flag wins
    clean_env.setenv("GRADLAB_LANG", "fr")
    with pytest.raises(ValueError, match=r"unknown language 'fr'.*en, ko"):
        i18n.resolve_language()


def test_use_language_is_local_to_the_block_and_the_thread(clean_env):
    assert _("confirmed") == "confirmed"
    seen = []
    with use_language("ko"):
        assert _("confirmed") == "확인됨"
        thread = threading.Thread(target=lambda: seen.append(_("confirmed")))
        thread.start()
        thread.join()
    assert seen == ["confirmed"] and _("confirmed") == "confirmed"
    i18n.set_language("ko")
    assert i18n.get_language() == "ko" and _("refuted") == "반박됨"
    with pytest.raises(ValueError, match="unknown language"):
        i18n.set_language("xx")


def test_cli_lang_flag_and_a_bad_environment(clean_env, tmp_path, capsys):
    from gradlab.cli import main

    assert main(["claims", "list", "--lang", "ko", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "주장 목록" in out and "결과가 없습니다" in out
    clean_env.setenv("GRADLAB_LANG", "xx")
    assert main(["claims", "list", "--out", str(tmp_path)]) == 2
    assert "GRADLAB_LANG" in capsys.readouterr().err


# -- the catalogs --------------------------------------------------------------------------
def _tools():
    pytest.importorskip("babel")
    spec = importlib.util.spec_from_file_location("gradlab_i18n_tools", ROOT / "tools/i18n.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_every_message_has_a_korean_translation_and_the_catalogs_are_compiled():
    """Babel extracts every marked message of the package; each needs a Korean translation
    (not fuzzy) in one of the catalogs, and each .mo must be the compiled .po."""
    problems = _tools().problems()
    assert not problems, "\n".join(problems[:40])


def test_no_message_is_marked_inside_an_f_string():
    """Babel does not look inside f-strings: ``f"{_('x')}"`` would be shown untranslated and
    missed by the completeness test. Take the message out into a variable first."""
    pattern = re.compile(r"""\{(?:_|N_|ngettext|pgettext)\(\s*['"]""")
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in sorted((ROOT / "src/gradlab").rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert not found, found


def _fields(text: str) -> frozenset[str]:
    return frozenset(
        f"{name}:{spec}" for _, name, spec, _ in string.Formatter().parse(text) if name
    )


def test_translations_keep_every_placeholder_and_format():
    """A Korean template prints the same numbers as the English one: the same placeholders
    with the same format specs (each may appear a different number of times). Messages that
    are not templates (LaTeX braces in an exercise's statement) are skipped."""
    from babel.messages.pofile import read_po

    bad, checked = [], 0
    for po in sorted((ROOT / "src/gradlab/locale/ko/LC_MESSAGES").glob("*.po")):
        with po.open("rb") as fh:
            catalog = read_po(fh, locale="ko")
        for m in catalog:
            if not m.id or not m.string or po.stem == "playground":
                continue  # the playground's templates are filled in JavaScript, checked there
            ids = [m.id] if isinstance(m.id, str) else list(m.id)
            strings = [m.string] if isinstance(m.string, str) else list(m.string)
            try:
                wanted = {_fields(i) for i in ids}
            except ValueError:
                continue  # not a str.format template
            names = {f.split(":")[0] for w in wanted for f in w}
            if any(not re.fullmatch(r"[A-Za-z_]\w*", n) for n in names):
                continue  # braces of LaTeX, not placeholders
            checked += 1
            for text in filter(None, strings):
                try:
                    got = _fields(text)
                except ValueError as exc:
                    bad.append(f"{po.name}: {ids[0]!r} -> {text!r}: {exc}")
                    continue
                if got not in wanted:
                    bad.append(f"{po.name}: {ids[0]!r} -> {text!r}")
    assert checked > 500
    assert not bad, "\n".join(bad[:30])


# -- the lab in Korean ---------------------------------------------------------------------
#: Words a Korean report may show in Latin letters: code names (activations, initializers,
#: optimizers, profiles, dtypes), proper names (people, libraries, data sets, the articles'
#: own titles), units and math. Anything else in Latin letters is English left untranslated.
ENGLISH_ALLOWED = {
    # proper names: libraries, data, people, methods named after them
    "gradlab",
    "PyTorch",
    "torch",
    "Keras",
    "NumPy",
    "SciPy",
    "scikit",
    "learn",
    "MNIST",
    "Dask",
    "Python",
    "Glorot",
    "Bengio",
    "He",
    "Kaiming",
    "Xavier",
    "LeCun",
    "Ioffe",
    "Szegedy",
    "Klambauer",
    "Schoenholz",
    "Poole",
    "Hochreiter",
    "Cybenko",
    "Hornik",
    "Rosenblatt",
    "Minsky",
    "Papert",
    "Kingma",
    "Ba",
    "Nesterov",
    "Adam",
    "AdamW",
    "RMSprop",
    "Adagrad",
    "AdaGrad",
    "SGD",
    "BatchNorm",
    "BN",
    "XOR",
    "AND",
    "OR",
    "NAND",
    "NOT",
    "ReLU",
    "ReLUs",
    "ELU",
    "SELU",
    "GELU",
    "PReLU",
    "LeakyReLU",
    "Leaky",
    "Swish",
    "SiLU",
    "Mish",
    "Maxout",
    "Softplus",
    "Softsign",
    "Hardswish",
    "Hardtanh",
    "CELU",
    "GLU",
    "Edge",
    "Chaos",
    "CPU",
    "CPUs",
    "GPU",
    "BLAS",
    "OpenBLAS",
    "SIMD",
    "IEEE",
    "JSON",
    "PNG",
    "HTML",
    "CSV",
    "Jacobian",
    "UTC",
    # the articles' own titles (cited as written)
    "Activation",
    "Function",
    "deep",
    "learning",
    "theory",
    "post",
    # units and math
    "s",
    "ms",
    "MB",
    "KB",
    "GB",
    "MiB",
    "KiB",
    "ln",
    "log",
    "exp",
    "max",
    "min",
    "argmax",
    "mean",
    "std",
    "var",
    "sqrt",
    "tanh",
    "sigmoid",
    "softmax",
    "relu",
    "sin",
    "cos",
    "dx",
    "dy",
    "dz",
    "x",
    "y",
    "z",
    "f",
    "e",
    "i",
    "j",
    "k",
    "n",
    "W",
    "b",
    "h",
    "t",
    "inf",
    "nan",
    "NaN",
    "float32",
    "float64",
    "dtype",
    "eps",
    "lr",
}


ENGLISH_ALLOWED |= {"sum", "erf", "limit", "autograd", "identity", "mse", "Bertoin", "NeurIPS",
                    "JAX", "Var", "Cov", "Dense", "Sequential", "RMSProp", "Nesterov's",
                    "Krizhevsky", "Sutskever", "Hinton", "CIFAR", "ImageNet", "Shapeset", "Gauss",
                    "Hermite", "Brent", "Gilmer", "Ganguli", "Sohl", "Dickstein"}  # fmt: skip


def _allowed_code_names() -> set[str]:
    from gradlab import activations, initializers, optimizers

    names = set()
    for registry in (activations, initializers, optimizers):
        for name in registry.names():
            names.update(re.findall(r"[A-Za-z]+", name))
    return names | {"test", "quick", "full"}


class _VisibleText(HTMLParser):
    """The text a reader sees but code and citations (titles and references are quoted as
    written): not inside <style>, <script>, <code>, <pre>, <cite>."""

    HIDDEN = frozenset({"style", "script", "code", "pre", "cite"})

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if not self.depth:
            self.parts.append(data)


def english_words(page: str) -> list[str]:
    """The words of ``page``'s visible text written in Latin letters that are not allowed."""
    parser = _VisibleText()
    parser.feed(page)
    text = " ".join(parser.parts)
    text = re.sub(r"`[^`]*`", " ", text)  # inline code
    text = re.sub(r"“[^”]*”", " ", text)  # a title quoted as written
    text = re.sub(r"\b[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+", " ", text)  # np.errstate, gradlab.x
    text = re.sub(r"\S+\.(txt|png|json|html|npz|py)\b", " ", text)  # file names
    text = re.sub(r"\$[^$]*\$", " ", text)  # formulas
    text = re.sub(r"\b[A-Za-z]*\d\w*", " ", text)  # ids and names with digits (C2, p04, 8x8)
    text = re.sub(r"\S*_\S*", " ", text)  # code names and subscripts (he_normal, n_in)
    allowed = ENGLISH_ALLOWED | _allowed_code_names()
    words = re.findall(r"[A-Za-z][A-Za-z'’]*", text)

    def foreign(word: str) -> bool:
        bare = word.strip("'’")
        if len(bare) == 1 or bare in allowed:
            return False  # a variable of a formula, a code or proper name
        return not (bare.isupper() and len(bare) <= 5)  # acronyms: MSE, RMSE, MLP, BCE

    return [w for w in words if foreign(w)]


@pytest.fixture(scope="module")
def korean_report(tmp_path_factory):
    """Every claim, test profile, seed 0, in Korean: the payload, the page, the warnings and
    the log records emitted while the figures were drawn."""
    from gradlab.lab import runner

    out = tmp_path_factory.mktemp("report_ko")
    handler = _Collect()
    logger = logging.getLogger("matplotlib")
    logger.addHandler(handler)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            payload = runner.run_claims(profile="test", seeds=[0], out=out, lang="ko")
    finally:
        logger.removeHandler(handler)
    page = (out / "index.html").read_text(encoding="utf-8")
    return payload, page, [str(w.message) for w in caught], handler.messages


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def test_korean_report_is_korean(korean_report):
    payload, page, _warnings, _logs = korean_report
    assert '<html lang="ko">' in page
    assert payload["lang"] == "ko" and "확인됨" in page
    assert not [c["id"] for c in payload["claims"] if c["verdict"] == "error"]
    left = english_words(page)
    counts: dict[str, int] = {}
    for word in left:
        counts[word] = counts.get(word, 0) + 1
    top = sorted(counts.items(), key=lambda kv: -kv[1])[:60]
    assert not left, f"{len(left)} English words in the Korean report: {top}"


def test_korean_figures_have_every_glyph(korean_report):
    _payload, _page, caught, logs = korean_report
    missing = [m for m in caught + logs if "missing from font" in m or "does not have a glyph" in m]
    assert not missing, missing[:10]


def test_verdicts_quote_the_same_numbers_in_both_languages(korean_report):
    """Each claim's verdict, judged in English and in Korean from the same results, quotes
    the same numbers with the same digits: the sentences are templates filled alike."""
    from gradlab.lab import claims as registry

    payload, *_ = korean_report
    number = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")
    differ = []
    for record in payload["claims"]:
        claim = registry.get(record["id"])
        with warnings.catch_warnings():  # stalled runs are what some claims measure
            warnings.simplefilter("ignore", TrainingStalledWarning)
            results = claim.experiment(dict(claim.profiles["test"]), 0)
        with use_language("en"):
            en = claim.verdict(results).reason
        with use_language("ko"):
            ko = claim.verdict(results).reason
        assert re.search("[가-힣]", ko), f"{record['id']}: no Korean in {ko!r}"
        if sorted(number.findall(en)) != sorted(number.findall(ko)):
            differ.append(f"{record['id']}:\n  en: {en}\n  ko: {ko}")
    assert not differ, "\n".join(differ)
