"""``gradlab train``: digits accuracy, toy sets, saving, and usage errors."""

from __future__ import annotations

import re

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
    ],
)
def test_usage_errors_exit_2(argv, message, capsys):
    assert main(argv.split()) == 2
    err = capsys.readouterr().err
    assert message in err, err


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
