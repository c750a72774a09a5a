"""Tests of the ``gradlab`` command line: ``act list``, ``act show``, ``act plot`` and errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import matplotlib.image
import numpy as np
import pytest

import gradlab
from gradlab import activations
from gradlab.cli import key_points, main, parse_params
from gradlab.plots import activation_figure

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
VECTOR_NAMES = [n for n in activations.names() if not activations.get(n).info.elementwise]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Call ``main(argv)`` and return (exit status, stdout, stderr)."""
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def table_rows(out: str) -> list[list[str]]:
    """Return the cells of every body row of the rich tables in ``out``."""
    rows = []
    for line in out.splitlines():
        cells = [c.strip() for c in line.split("│")[1:-1]]
        if cells:
            rows.append(cells)
    return rows


def value_rows(out: str) -> dict[str, list[str]]:
    """Return the ``show`` value table as ``{x: [f(x), f'(x), kink note]}``."""
    return {cells[0]: cells[1:] for cells in table_rows(out) if len(cells) == 4}


def _reject_constant(token: str) -> None:
    raise AssertionError(f"invalid JSON constant {token}")


# ---- act list ---------------------------------------------------------------------------------
def test_list_shows_every_activation(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "act", "list")
    assert code == 0
    words = set(out.split())
    missing = [name for name in activations.names() if name not in words]
    assert not missing
    assert "swish" in out  # aliases are listed next to their canonical name


def test_list_json_is_strict_json_with_one_entry_per_name(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "act", "list", "--json")
    assert code == 0
    entries = json.loads(out, parse_constant=_reject_constant)  # no Infinity / NaN tokens
    assert [e["name"] for e in entries] == activations.names()
    for entry in entries:
        assert entry["range"] == activations.get(entry["name"]).info.range_text
    by_name = {e["name"]: e for e in entries}
    assert by_name["relu"]["range"] == "[0, inf)"
    assert by_name["relu"]["output_range"] == [0.0, "inf"]
    assert by_name["relu"]["kinks"] == [
        {"x": 0.0, "derivative": 0.0, "left": 0.0, "right": 1.0, "jump": False}
    ]
    assert by_name["sigmoid"]["max_abs_derivative"] == 0.25
    assert by_name["exponential"]["max_abs_derivative"] == "inf"
    assert by_name["softmax"]["monotonic"] is None


# ---- act show ---------------------------------------------------------------------------------
def test_show_sigmoid_prints_formulas_and_values(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "act", "show", "sigmoid")
    assert code == 0
    info = activations.get("sigmoid").info
    assert info.formula in out
    assert info.derivative_formula in out
    assert info.torch in out
    rows = value_rows(out)
    assert list(rows) == ["-3", "-1", "0", "1", "3"]
    assert rows["0"][:2] == ["0.5", "0.25"]  # sigma(0) = 1/2, sigma'(0) = 1/4
    assert rows["-3"][:2] == ["0.0474259", "0.0451767"]  # From: torch.sigmoid(-3.0) and grad


def test_show_relu_marks_its_kink(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "act", "show", "relu")
    assert code == 0
    rows = value_rows(out)
    assert rows["0"][:2] == ["0", "0"]  # f'(0) = 0, as torch.relu's autograd
    assert "f'(0-) = 0, f'(0+) = 1" in rows["0"][2]
    assert rows["1"] == ["1", "1", ""]


def test_show_tabulates_every_kink(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "act", "show", "hard_shrink")
    assert code == 0
    assert list(value_rows(out)) == ["-3", "-1", "-0.5", "0", "0.5", "1", "3"]
    assert "f jumps here" in out
    assert key_points(activations.get("relu6").info) == [-3.0, -1.0, 0.0, 1.0, 3.0, 6.0]


def test_show_with_params(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "act", "show", "leaky_relu", "--param", "negative_slope=0.2")
    assert code == 0
    assert "negative_slope=0.2" in out
    rows = value_rows(out)
    assert rows["-1"][:2] == ["-0.2", "0.2"]
    assert rows["0"][1] == "0.2"  # PyTorch: leaky_relu'(0) = negative_slope


def test_show_alias_and_missing_torch(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "act", "show", "swish")
    assert code == 0
    assert out.startswith("silu")
    code, out, _ = run(capsys, "act", "show", "squareplus")
    assert code == 0
    assert "none in PyTorch" in out
    assert "b=4.0" in out


def test_show_softmax_prints_its_jacobian(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "act", "show", "softmax")
    assert code == 0
    assert "Jacobian J[i, j] = ∂f_i/∂x_j" in out
    jac = activations.get("softmax").jacobian(np.array([1.0, 2.0, 3.0]))
    rows = {cells[0]: cells[1:] for cells in table_rows(out)}
    assert rows["∂f_0"] == [f"{v:.6g}" for v in jac[0]]
    assert float(rows["∂f_1"][1]) == pytest.approx(jac[1, 1], rel=1e-5)
    assert "values at key points" not in out


@pytest.mark.parametrize("name", VECTOR_NAMES)
def test_show_every_vector_activation(capsys: pytest.CaptureFixture[str], name: str) -> None:
    code, out, _ = run(capsys, "act", "show", name)
    assert code == 0
    n_out = 2 if name == "glu" else 3
    n_in = 4 if name == "glu" else 3
    rows = [cells for cells in table_rows(out) if cells[0].startswith("∂f_")]
    assert len(rows) == n_out
    assert all(len(cells) == n_in + 1 for cells in rows)


@pytest.mark.parametrize("name", activations.names())
def test_show_every_activation(capsys: pytest.CaptureFixture[str], name: str) -> None:
    code, out, err = run(capsys, "act", "show", name)
    assert (code, err) == (0, "")
    assert activations.get(name).info.notes.split()[0] in out


# ---- act plot ---------------------------------------------------------------------------------
def test_plot_writes_a_png(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "acts.png"
    code, out, _ = run(
        capsys, "act", "plot", "sigmoid", "relu", "step", "--derivative", "-o", str(path)
    )
    assert code == 0
    assert str(path) in out
    assert path.read_bytes()[:8] == PNG_SIGNATURE
    image = matplotlib.image.imread(path)
    height, width = image.shape[:2]
    assert height > 0 and width > 0
    assert width > 2 * height  # two panels side by side (11 x 4.5 inches)


def test_plot_without_derivative_has_one_panel(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "f.png"
    code, _, _ = run(capsys, "act", "plot", "tanh", "-o", str(path), "--xmin", "-2", "--xmax", "2")
    assert code == 0
    height, width = matplotlib.image.imread(path).shape[:2]
    assert height < width < 2 * height


def test_plot_breaks_curves_at_kinks_and_marks_them() -> None:
    relu, step = activations.get("relu"), activations.get("step")
    fig = activation_figure([relu, step], derivative=True)
    ax_f, ax_d = fig.axes
    assert (ax_f.get_title(), ax_d.get_title()) == ("Activation f(x)", "Derivative f'(x)")
    relu_d = next(ln for ln in ax_d.lines if len(ln.get_xdata()) > 100)  # the first curve
    x, d = np.asarray(relu_d.get_xdata()), np.asarray(relu_d.get_ydata())
    assert np.count_nonzero(x == 0.0) == 1
    assert np.isnan(d[x == 0.0]).all()  # no vertical segment across the jump of f'
    assert np.nanmax(d) == 1.0 and np.nanmin(d) == 0.0
    dots = [
        (float(x), float(y), ln.get_markerfacecolor())
        for ln in ax_d.lines
        if ln.get_marker() == "o"
        for x, y in zip(ln.get_xdata(), ln.get_ydata(), strict=True)
    ]
    relu_color = relu_d.get_color()
    assert (0.0, 0.0, "white") in dots and (0.0, 1.0, "white") in dots  # one-sided limits
    assert (0.0, 0.0, relu_color) in dots  # relu'(0) = 0 as used (PyTorch): a filled dot
    assert (0.0, 1.0, relu_color) not in dots
    step_f = next(ln for ln in ax_f.lines if ln.get_label() == "step")
    x, y = np.asarray(step_f.get_xdata()), np.asarray(step_f.get_ydata())
    assert np.isnan(y[x == 0.0]).all() and np.nanmax(y) == 1.0  # f itself jumps at 0


def test_plot_annotates_the_peak_of_sigmoid_derivative() -> None:
    fig = activation_figure([activations.get("sigmoid"), activations.get("relu")], derivative=True)
    labels = [t.get_text() for t in fig.axes[1].texts]
    assert labels == ["max 0.25"]  # relu's plateau f' = 1 is not labelled


@pytest.mark.parametrize("name", VECTOR_NAMES)
def test_plot_refuses_vector_activations(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str
) -> None:
    path = tmp_path / "v.png"
    code, _, err = run(capsys, "act", "plot", "relu", name, "-o", str(path))
    assert code == 2
    assert "not elementwise" in err and f"act show {name}" in err
    assert not path.exists()


def test_plot_rejects_an_empty_range(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(
        capsys, "act", "plot", "relu", "-o", str(tmp_path / "x.png"), "--xmin", "1", "--xmax", "1"
    )
    assert code == 2
    assert "--xmin < --xmax" in err


def _no_drawing(monkeypatch: pytest.MonkeyPatch) -> None:
    import gradlab.plots

    monkeypatch.setattr(
        gradlab.plots, "activation_figure", lambda *a, **k: pytest.fail("it drew the figure")
    )


def test_plot_checks_the_image_format_before_drawing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _no_drawing(monkeypatch)
    path = tmp_path / "curves.xyz"
    code, out, err = run(capsys, "act", "plot", "relu", "-o", str(path))
    assert code == 2 and out == ""
    assert err.startswith(f"gradlab: --output {path}: cannot write images of type .xyz")
    assert ".png" in err and ".svg" in err and err.count("\n") == 1
    assert not path.exists()


@pytest.mark.parametrize(
    ("where", "message"),
    [("missing/f.png", "does not exist"), ("file.txt/f.png", "is a file"), ("", "is a folder")],
    ids=["missing-folder", "folder-is-a-file", "path-is-a-folder"],
)
def test_plot_checks_its_output_path_before_drawing(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    where: str,
    message: str,
) -> None:
    (tmp_path / "file.txt").write_text("x")
    _no_drawing(monkeypatch)
    code, out, err = run(capsys, "act", "plot", "relu", "-o", str(tmp_path / where))
    assert code == 1 and out == ""
    assert err.startswith(f"gradlab: --output {tmp_path / where}") and message in err
    assert err.count("\n") == 1


# ---- errors and global options ----------------------------------------------------------------
@pytest.mark.parametrize(
    "argv", [["act", "show", "reluu"], ["act", "plot", "reluu", "-o", "never.png"]]
)
def test_unknown_name_suggests_the_closest(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert err.startswith("gradlab: unknown activation 'reluu'; did you mean 'relu'")
    assert "Traceback" not in err and out == ""
    assert not Path("never.png").exists()


@pytest.mark.parametrize(
    ("param", "message"),
    [
        ("negative_slope=abc", "negative_slope must be a real number"),
        ("slope=0.2", "unexpected parameter"),
        ("negative_slope", "key=value"),
    ],
)
def test_bad_param_exits_2(capsys: pytest.CaptureFixture[str], param: str, message: str) -> None:
    code, out, err = run(capsys, "act", "show", "leaky_relu", "--param", param)
    assert code == 2
    assert message in err and out == ""


def test_parse_params_converts_values() -> None:
    parsed = parse_params(["a=3", "b=0.5", "c=1e-3", "d=None", "e=true", "f=tanh", "g='x y'"])
    assert parsed == {"a": 3, "b": 0.5, "c": 1e-3, "d": None, "e": True, "f": "tanh", "g": "x y"}
    assert type(parsed["a"]) is int


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--version")
    assert code == 0
    assert out.strip() == f"gradlab {gradlab.__version__}"


@pytest.mark.parametrize("argv", [[], ["act"]])
def test_no_command_prints_help_and_returns_2(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    code, out, _ = run(capsys, *argv)
    assert code == 2
    assert out.startswith("usage: gradlab")


def _handler_raising(monkeypatch: pytest.MonkeyPatch, exc: BaseException) -> None:
    """Make `gradlab act list` raise ``exc`` from inside the command."""
    from gradlab.cli import act

    def raise_it(args: object) -> int:
        raise exc

    monkeypatch.setattr(act, "cmd_list", raise_it)


def test_ctrl_c_in_any_command_is_one_line_and_status_130(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The in-process side; tests/test_cli_interrupt.py sends real signals to real commands."""
    _handler_raising(monkeypatch, KeyboardInterrupt())
    code, out, err = run(capsys, "act", "list")
    assert (code, out, err) == (130, "", "gradlab: interrupted\n")


def test_a_closed_stdout_ends_quietly(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`gradlab act list | head -1`: the reader left; no traceback, status 1."""
    _handler_raising(monkeypatch, BrokenPipeError(32, "Broken pipe"))
    code, _, err = run(capsys, "act", "list")
    assert code == 1 and err == ""


def test_help_states_the_exit_statuses(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0
    text = " ".join(out.split())
    assert "130 interrupted (Ctrl-C)" in text and "checked before any work" in text


def test_python_dash_m_gradlab() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "gradlab", "act", "list"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "relu" in result.stdout.split() and "softmax" in result.stdout.split()


def test_show_vector_activation_with_an_axis_the_example_lacks(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, "act", "show", "softmax", "--param", "axis=1")
    assert code == 2
    assert out == ""  # nothing half-printed before the error
    assert "example vector [1, 2, 3]" in err and "axis=1" in err
