"""The lab's shared helpers: seeds, the digit data (bundled or MNIST from a folder), models."""

from __future__ import annotations

import numpy as np

from gradlab.datasets import FILES, write_idx
from gradlab.lab import common


def test_spawn_seeds_are_distinct_and_reproducible():
    seeds = common.spawn_seeds(7, 4)
    assert len(set(seeds)) == 4
    assert seeds == common.spawn_seeds(7, 4)
    assert seeds != common.spawn_seeds(8, 4)


def test_digits_data_bundled_and_standardized():
    X_tr, y_tr, X_te, y_te = common.digits_data({}, seed=0, standardize=True)
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
    X_tr, y_tr, X_te, y_te = common.digits_data(config, seed=1)
    assert y_tr.shape == (30,) and y_te.shape == (10,)
    assert X_tr.shape == (30, 784) and X_te.shape == (10, 784)
    assert 0 <= X_tr.min() and X_tr.max() <= 1
    again = common.digits_data(config, seed=1)
    np.testing.assert_array_equal(X_tr, again[0])


def test_mlp_with_batchnorm_stacks_dense_batchnorm_activation():
    model = common.mlp(4, [8, 8], 3, activation="tanh", batchnorm=True, seed=0)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["Dense", "BatchNorm", "Activation"] * 2 + ["Dense"]
    assert model.predict(np.zeros((2, 4), np.float32)).shape == (2, 3)
