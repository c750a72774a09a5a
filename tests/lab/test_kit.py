"""The lab's experiment kit: seeds, the digit data (bundled or MNIST from a folder), the network
builder the claims use, and the verdict rules of claims made of parts."""

from __future__ import annotations

import numpy as np
import pytest

from gradlab.datasets import FILES, write_idx
from gradlab.lab.kit.data import digits_data
from gradlab.lab.kit.seeds import spawn_seeds
from gradlab.lab.kit.verdicts import verdict_from_parts
from gradlab.model import mlp


def test_spawn_seeds_are_distinct_and_reproducible():
    seeds = spawn_seeds(7, 4)
    assert len(set(seeds)) == 4
    assert seeds == spawn_seeds(7, 4)
    assert seeds != spawn_seeds(8, 4)


def test_digits_data_bundled_and_standardized():
    X_tr, y_tr, X_te, y_te = digits_data({}, seed=0, standardize=True)
    assert len(y_tr) == 1437 and len(y_te) == 360
    assert X_tr.shape == (1437, 64) and X_te.shape == (360, 64)
    assert X_tr.dtype == np.float32
    np.testing.assert_allclose(X_tr.mean(axis=0), 0, atol=1e-5)


def _fake_mnist(folder, n_train=50, n_test=20):
    rng = np.random.default_rng(0)
    for name, n in zip(FILES, (n_train, n_train, n_test, n_test), strict=True):
        if "images" in name:
            write_idx(folder / name, rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8))
        else:
            write_idx(folder / name, rng.integers(0, 10, size=n, dtype=np.uint8))


def test_digits_data_reads_mnist_from_data_dir_and_subsamples(tmp_path):
    _fake_mnist(tmp_path)
    config = {"data_dir": str(tmp_path), "n_train": 30, "n_test": 10}
    X_tr, y_tr, X_te, y_te = digits_data(config, seed=1)
    assert y_tr.shape == (30,) and y_te.shape == (10,)
    assert X_tr.shape == (30, 784) and X_te.shape == (10, 784)
    assert 0 <= X_tr.min() and X_tr.max() <= 1
    again = digits_data(config, seed=1)
    np.testing.assert_array_equal(X_tr, again[0])


def test_mlp_with_batchnorm_stacks_dense_batchnorm_activation():
    model = mlp([8, 8], 3, input_dim=4, activation="tanh", batch_norm=True, seed=0)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["Dense", "BatchNorm", "Activation"] * 2 + ["Dense"]
    assert model.predict(np.zeros((2, 4), np.float32)).shape == (2, 3)


def test_verdict_from_parts_states_its_rule():
    one_of_three = {"a": True, "b": False, "c": False}
    every = verdict_from_parts(one_of_three, "x", {}, refute_when="every part fails")
    most = verdict_from_parts(one_of_three, "x", {}, refute_when="more than half fail")
    assert (every.status, most.status) == ("nuanced", "refuted")
    assert every.reason == "Fails (2 of 3 parts): «b»; «c». Holds: «a». x"
    none = {"a": False, "b": False}
    assert verdict_from_parts(none, "x", {}, refute_when="every part fails").status == "refuted"
    half = {"a": True, "b": False}
    assert verdict_from_parts(half, "x", {}, refute_when="more than half fail").status == "nuanced"
    assert verdict_from_parts({"a": True}, "x", {}, refute_when="every part fails").status == (
        "confirmed"
    )
    with pytest.raises(ValueError, match="refute_when"):
        verdict_from_parts(none, "x", {}, refute_when="some fail")
