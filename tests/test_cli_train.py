"""``gradlab train``: digits accuracy, toy sets, saving, and usage errors."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pytest

import gradlab as gl
from gradlab import datasets
from gradlab.cli import main


def _accuracies(out: str) -> tuple[float, float]:
    match = re.search(r"train accuracy ([\d.]+)\s+test accuracy ([\d.]+)\s+time", out)
    assert match, out
    return float(match.group(1)), float(match.group(2))


def test_digits_relu_adam_reaches_97_percent(capsys, tmp_path):
    """The issue's command, over five seeds (split and weights): mean >= 97%, none below 96.5%.

    One seed's 360-image test set moves in steps of 0.28%, so a single run is too coarse to
    certify 97%; the mean over seeds is the honest measure.
    """
    accuracies = []
    for seed in range(5):
        path = tmp_path / f"digits{seed}.npz"
        argv = (
            "train --data digits --layers 64,64 --activation relu --optimizer adam --lr 1e-3 "
            f"--epochs 30 --batch-size 32 --init he_normal --seed {seed} --save {path}"
        ).split()
        assert main(argv) == 0
        out = capsys.readouterr().out
        train_acc, test_acc = _accuracies(out)
        assert train_acc >= test_acc - 0.01
        assert "Epoch 30/30" in out and "Trainable params" in out
        accuracies.append(test_acc)
    assert np.mean(accuracies) >= 0.97, accuracies
    assert min(accuracies) >= 0.965, accuracies
    # The saved model reproduces the reported test accuracy.
    (_, _), (Xte, yte) = datasets.digits(seed=4)
    model = gl.load_model(path)
    assert model.evaluate(Xte, yte)["accuracy"] == pytest.approx(accuracies[-1], abs=5e-5)


def test_xor_with_and_without_hidden_layer(capsys):
    base = "train --data xor --n-samples 400 --noise 0.05 --optimizer adam --lr 0.05 --quiet"
    assert main([*base.split(), "--layers", "", "--epochs", "40"]) == 0
    _, linear_acc = _accuracies(capsys.readouterr().out)
    assert main([*base.split(), "--layers", "8", "--activation", "tanh", "--epochs", "40"]) == 0
    _, hidden_acc = _accuracies(capsys.readouterr().out)
    assert linear_acc <= 0.8 < 0.95 <= hidden_acc


def test_batchnorm_dropout_and_clipping_flags(capsys):
    argv = (
        "train --data circles --n-samples 300 --layers 16,16 --activation elu --optimizer sgd "
        "--lr 0.1 --epochs 15 --batchnorm --dropout 0.1 --clip-norm 1.0 --dtype float64 --quiet"
    ).split()
    assert main(argv) == 0
    _, test_acc = _accuracies(capsys.readouterr().out)
    assert test_acc >= 0.9


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ("train --data digits --activation reluu --epochs 1", "did you mean 'relu'"),
        ("train --data digits --optimizer adamm --epochs 1", "did you mean 'adam'"),
        ("train --data spiralz --epochs 1", "did you mean 'spirals'"),
        ("train --data digits --layers 64,x --epochs 1", "--layers"),
        ("train --data digits --dropout 1.0 --epochs 1", "p"),
        ("train --data digits --lr -1 --epochs 1", "lr"),
        ("train --data digits --activation glu --epochs 1", "glu maps 4 features to 2"),
    ],
)
def test_usage_errors_exit_2(argv, message, capsys):
    assert main(argv.split()) == 2
    err = capsys.readouterr().err
    assert message in err, err
    assert err.startswith("gradlab: ") and err.count("\n") == 1


def test_missing_mnist_files_say_where_to_put_them(tmp_path, capsys):
    assert main(["train", "--data", "mnist", "--data-dir", str(tmp_path), "--epochs", "1"]) == 1
    err = capsys.readouterr().err
    assert "train-images-idx3-ubyte" in err and str(tmp_path) in err


def test_mnist_from_idx_files(tmp_path, capsys):
    rng = np.random.default_rng(0)
    for prefix, n in (("train", 40), ("t10k", 20)):
        labels = np.arange(n) % 2
        images = (rng.random((n, 28, 28)) * 60 + labels[:, None, None] * 150).astype(np.uint8)
        datasets.write_idx(tmp_path / f"{prefix}-images-idx3-ubyte", images)
        datasets.write_idx(tmp_path / f"{prefix}-labels-idx1-ubyte", labels.astype(np.uint8))
    argv = ["train", "--data", "mnist", "--data-dir", str(tmp_path)]
    argv += "--layers 8 --activation tanh --epochs 20".split()
    assert main(argv) == 0
    _, test_acc = _accuracies(capsys.readouterr().out)
    assert test_acc == 1.0


# ---- unknown data set names -------------------------------------------------------------------
def test_unknown_data_set_lists_every_set_and_suggests_the_closest(capsys):
    assert main(["train", "--data", "digts", "--epochs", "1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("gradlab: --data: unknown dataset 'digts'; did you mean 'digits'?")
    assert err.count("\n") == 1
    for name in datasets.names():
        assert name in err
    assert {"digits", "mnist", "fashion_mnist", "moons"} <= set(datasets.names())


def test_data_names_are_read_like_every_other_registry(capsys):
    """Case, '-' and aliases as the registry reads them: `Fashion-MNIST`, `two-moons`."""
    assert main(["train", "--data", "Two-Moons", "--n-samples", "100", "--layers", "4",
                 "--epochs", "1", "--quiet"]) == 0  # fmt: skip
    assert "train accuracy" in capsys.readouterr().out
    assert main(["train", "--data", "Fashion-MNIST", "--data-dir", "/nonexistent-gradlab"]) == 1
    assert "train-images-idx3-ubyte" in capsys.readouterr().err


# ---- output paths are checked before any work ---------------------------------------------------
def _no_training(monkeypatch):
    """Make loading the data fail the test: the command must stop before it."""
    from gradlab.cli import train

    monkeypatch.setattr(train, "load_data", lambda args: pytest.fail("the data was loaded"))


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("missing/model.npz", "the folder {tmp}/missing does not exist"),
        ("file.txt/model.npz", "{tmp}/file.txt is a file, not a folder"),
        ("", "is a folder"),
    ],
    ids=["missing-folder", "folder-is-a-file", "path-is-a-folder"],
)
def test_save_path_is_checked_before_training(tmp_path, capsys, monkeypatch, where, message):
    (tmp_path / "file.txt").write_text("x")
    _no_training(monkeypatch)
    assert main(["train", "--save", str(tmp_path / where), "--epochs", "1"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"gradlab: --save {tmp_path / where}")
    assert message.format(tmp=tmp_path) in captured.err and captured.err.count("\n") == 1


@pytest.mark.skipif(not Path("/sys").is_dir(), reason="needs a read-only system folder")
def test_save_into_a_folder_that_takes_no_files(capsys, monkeypatch):
    """/sys refuses new files even to root, so this holds whoever runs the tests."""
    _no_training(monkeypatch)
    assert main(["train", "--save", "/sys/model.npz", "--epochs", "1"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("gradlab: --save /sys/model.npz: cannot create files in /sys")


# ---- stalled training is said, and the run still counts as finished -----------------------------
def _fit_that_stalls(monkeypatch, *extra_warnings):
    """Make Sequential.fit issue TrainingStalledWarning (and ``extra_warnings``) after training,
    as the engine does for a run that does not learn, whatever the run really did."""
    real_fit = gl.Sequential.fit

    def fit(self, *args, **kwargs):
        history = real_fit(self, *args, **kwargs)
        for category, text in extra_warnings:
            warnings.warn(text, category, stacklevel=2)
        warnings.warn(
            "training stalled at epoch 3: the loss stayed at or above 2.30 [x]",
            gl.TrainingStalledWarning,
            stacklevel=2,
        )
        return history

    monkeypatch.setattr(gl.Sequential, "fit", fit)


@pytest.mark.parametrize("quiet", [True, False])
def test_a_stalled_run_ends_with_one_warning_line_and_status_0(capsys, monkeypatch, quiet):
    _fit_that_stalls(monkeypatch)
    argv = "train --data xor --n-samples 100 --layers 4 --epochs 2".split()
    assert main([*argv, *(["--quiet"] if quiet else [])]) == 0
    captured = capsys.readouterr()
    _accuracies(captured.out)  # the run's result is still printed
    lines = captured.err.splitlines()
    assert lines == [
        "gradlab: warning: training stalled at epoch 3: the loss stayed at or above 2.30 [x]"
    ]


def test_the_stall_warning_stays_on_one_line_on_a_narrow_terminal(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "40")
    _fit_that_stalls(monkeypatch)
    assert main("train --data xor --n-samples 100 --layers 4 --epochs 1 --quiet".split()) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("gradlab: warning: training stalled")


def test_other_warnings_of_fit_pass_through_unchanged(capsys, monkeypatch):
    _fit_that_stalls(monkeypatch, (UserWarning, "something else"))
    argv = "train --data xor --n-samples 100 --layers 4 --epochs 1 --quiet".split()
    with pytest.warns(UserWarning) as record:
        assert main(argv) == 0
    assert [str(w.message) for w in record] == ["something else"]  # the stall is not among them
    err = capsys.readouterr().err
    assert err.count("gradlab: warning: training stalled") == 1


def test_stall_as_an_error_when_warnings_are_errors(capsys, monkeypatch):
    """`python -W error::gradlab.TrainingStalledWarning`: then it ends the command, in one line."""
    _fit_that_stalls(monkeypatch)
    with warnings.catch_warnings():
        warnings.simplefilter("error", gl.TrainingStalledWarning)
        assert main("train --data xor --n-samples 100 --layers 4 --epochs 1 --quiet".split()) == 1
    err = capsys.readouterr().err
    assert err.startswith("gradlab: training stalled at epoch 3") and err.count("\n") == 1


def test_the_stalling_command_of_the_issue_says_so(capsys):
    """The real engine's detection on the issue's command: sigmoid at lr 10 does not learn.
    8 epochs, as the engine's own test of this command: reported at epoch 3 or 4 on seeds 0-9
    under both CPU settings of the CI."""
    argv = "train --data digits --activation sigmoid --lr 10 --optimizer sgd --epochs 8 --quiet"
    assert main(argv.split()) == 0
    captured = capsys.readouterr()
    _, test_acc = _accuracies(captured.out)
    assert test_acc < 0.6  # it really did not learn
    (line,) = captured.err.splitlines()
    assert line.startswith("gradlab: warning: training stalled at epoch")
    assert "now 10.0" in line  # the message names the learning rate to lower
