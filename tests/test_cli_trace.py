"""``gradlab trace``: the article's network step by step, other shapes, and usage errors."""

from __future__ import annotations

import pytest

from gradlab.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["trace", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def rows(out: str) -> list[list[str]]:
    """Return the cells of the table rows (columns split on two or more spaces)."""
    import re

    return [re.split(r"\s{2,}", line.strip()) for line in out.splitlines() if line.strip()]


def test_default_is_the_article_network(capsys):
    code, out, err = run(capsys)
    assert code == 0 and err == ""
    assert "2 → 3 → 2 → 2 network, hidden sigmoid, output identity, loss mse" in out
    cells = rows(out)
    assert ["1", "A1 = X·W1 + B1", "1×3", "0.3", "0.7", "1.1"] in cells
    assert ["1", "Z1 = sigmoid(A1)", "1×3", "0.574443", "0.668188", "0.75026"] in cells
    assert ["3", "Z3 = identity(A3)", "1×2", "0.316827", "0.696279"] in cells
    assert ["1", "W1", "2×3", "0.1", "0.3", "0.5"] in cells  # first row of W1 ...
    assert ["0.2", "0.4", "0.6"] in cells  # ... and its second row on the next line
    assert ["3", "∂L/∂W3 = Z2ᵀ·∂L/∂A3", "2×2", "0.198413", "-0.190205"] in cells
    assert "loss L = 0.0963129 (mse)" in out
    checks = {c[0]: float(c[-1]) for c in cells if len(c) == 2 and c[0].startswith("grad")}
    assert checks["gradlab gradients vs ∂L/∂W, ∂L/∂B, max |Δ|"] < 1e-15
    assert checks["gradlab gradcheck (central differences), max rel. error"] < 1e-7


def test_softmax_class_index_and_precision(capsys):
    code, out, _ = run(capsys, "--output", "softmax", "--target", "1", "--precision", "4")
    assert code == 0
    cells = rows(out)
    assert ["3", "Z3 = softmax(A3)", "1×2", "0.4063", "0.5937"] in cells
    # softmax + cross entropy: ∂L/∂A3 = y - t
    assert ["3", "∂L/∂A3 = Z3 ⊙ (∂L/∂Z3 - Σ ∂L/∂Z3 ⊙ Z3)", "1×2", "0.4063", "-0.4063"] in cells
    assert "loss cross_entropy" in out and "-0 " not in out


def test_random_weights_other_shapes(capsys):
    argv = ["--layers", "4", "--activation", "tanh", "--input", "1,-1,0.5", "--seed", "3"]
    code, out, _ = run(capsys, *argv, "--outputs", "3", "--no-check")
    assert code == 0
    assert "3 → 4 → 3 network, hidden tanh" in out and "random weights, seed 3" in out
    cells = rows(out)
    assert any(c[:3] == ["1", "A1 = X·W1 + B1", "1×4"] for c in cells)
    assert any(c[:3] == ["2", "∂L/∂W2 = Z1ᵀ·∂L/∂A2", "4×3"] for c in cells)
    assert "Checks" not in out
    assert main(["trace", *argv, "--outputs", "3", "--no-check"]) == 0
    assert capsys.readouterr().out == out  # the seed fixes the weights


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--layers", "4"], "the article's weights exist only for 2 inputs, --layers 3,2"),
        (["--input", "1,2,3"], "the article's weights exist only"),
        (["--layers", "3,x"], "--layers must be comma-separated positive ints"),
        (["--input", "1,abc"], "--input must be comma-separated numbers"),
        (["--target", "0,1,2"], "--target needs 2 values"),
        (["--output", "softmax", "--target", "5"], "class index must be one of 0..1"),
        (["--activation", "reluu"], "unknown activation 'reluu'"),
        (["--activation", "softmax"], "hidden activation must be elementwise"),
        (["--loss", "cross_entropy"], "cross_entropy needs the softmax output"),
        (["--precision", "0"], "--precision must be between 1 and 17"),
        (["--outputs", "0", "--seed", "1"], "--outputs must be a positive int"),
        (["--seed", "-1"], "--seed must be a non-negative integer, got -1"),
    ],
)
def test_usage_errors_exit_2_with_a_message(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.startswith("gradlab: ") and message in err


@pytest.mark.parametrize(
    "argv", [["--article", "--seed", "1"], ["--output", "sigmoid"], ["--seed", "x"]]
)
def test_argparse_errors_exit_2(capsys, argv):
    code, _, err = run(capsys, *argv)
    assert code == 2 and "usage: gradlab trace" in err
