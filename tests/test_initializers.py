"""Initializers: the scheme's spread, fans, seeds, registry, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gradlab import initializers

EXPECTED_STD = {  # for a (fan_in, fan_out) = (500, 300) kernel
    "glorot_uniform": math.sqrt(2 / 800),
    "glorot_normal": math.sqrt(2 / 800),
    "he_normal": math.sqrt(2 / 500),
    "he_uniform": math.sqrt(2 / 500),
    "lecun_normal": math.sqrt(1 / 500),
    "lecun_uniform": math.sqrt(1 / 500),
    "orthogonal": math.sqrt(1 / 500),  # semi-orthogonal 500x300: columns of unit norm
    "random_normal": 0.05,
    "random_uniform": 0.1 / math.sqrt(12),
    "variance_scaling": math.sqrt(1 / 500),
    "zeros": 0.0,
    "ones": 0.0,
    "constant": 0.0,
}


@pytest.mark.parametrize("name", initializers.names())
def test_every_initializer_has_its_scheme_spread(name):
    W = initializers.get(name)((500, 300), np.random.default_rng(0), "float64")
    assert W.shape == (500, 300) and W.dtype == np.float64
    assert W.std() == pytest.approx(EXPECTED_STD[name], rel=0.02, abs=1e-12)
    assert abs(W.mean() - {"ones": 1.0}.get(name, 0.0)) < 0.01


@pytest.mark.parametrize("name", ["he_normal", "glorot_normal", "lecun_normal"])
def test_normal_variants_are_not_truncated(name):
    """PyTorch's convention: a plain normal, so values beyond 2 std occur (~4.6%)."""
    W = initializers.get(name)((1000, 1000), np.random.default_rng(0), "float64")
    std = initializers.get(name).std((1000, 1000))
    beyond = np.mean(np.abs(W) > 2 * std)
    assert beyond == pytest.approx(0.0455, abs=0.003)


@pytest.mark.parametrize("name", ["he_uniform", "glorot_uniform", "lecun_uniform"])
def test_uniform_variants_respect_their_bound(name):
    init = initializers.get(name)
    W = init((300, 200), np.random.default_rng(0), "float64")
    limit = math.sqrt(3) * init.std((300, 200))
    assert np.abs(W).max() <= limit and np.abs(W).max() > 0.99 * limit


def test_same_seed_same_numbers_and_float32():
    a = initializers.get("he_normal")((20, 10), np.random.default_rng(5), "float32")
    b = initializers.get("he_normal")((20, 10), np.random.default_rng(5), "float32")
    assert a.dtype == np.float32 and np.array_equal(a, b)


def test_fans_and_stacks():
    assert initializers.compute_fans((784, 256)) == (784, 256)
    assert initializers.compute_fans((3, 784, 256)) == (784, 256)
    assert initializers.compute_fans((7,)) == (7, 7)
    Q = initializers.get("orthogonal")((2, 6, 4), np.random.default_rng(0), "float64")
    for q in Q:
        np.testing.assert_allclose(q.T @ q, np.eye(4), atol=1e-12)


def test_aliases_serialize_and_errors():
    assert initializers.get("kaiming_normal").name == "he_normal"
    assert initializers.get("xavier_uniform").name == "glorot_uniform"
    custom = initializers.get({"name": "he_normal", "config": {"scale": 1.0}})
    assert initializers.serialize(custom) == {"name": "he_normal", "config": {"scale": 1.0}}
    assert initializers.deserialize(initializers.serialize(custom)) == custom
    assert initializers.serialize(initializers.get("zeros")) == "zeros"
    with pytest.raises(ValueError, match="did you mean 'he_normal'"):
        initializers.get("he_normall")
    with pytest.raises(ValueError, match="scale"):
        initializers.VarianceScaling(scale=-1.0)
    with pytest.raises(ValueError, match="mode"):
        initializers.VarianceScaling(mode="fan_sum")
    with pytest.raises(TypeError, match="floating"):
        initializers.get("zeros")((2, 2), np.random.default_rng(0), "int32")
    with pytest.raises(ValueError, match="no recommended gain"):
        initializers.calculate_gain("softmax")
