"""Losses and initializer gains against PyTorch (float64)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gradlab import initializers, losses

torch = pytest.importorskip("torch")
F = torch.nn.functional


def _torch_loss(name, z, target):
    zt = torch.tensor(z, requires_grad=True)
    if name == "mse":
        value = F.mse_loss(zt, torch.tensor(target))
    elif name == "cross_entropy":
        value = F.cross_entropy(zt, torch.tensor(target))
    elif name == "binary_cross_entropy":
        value = F.binary_cross_entropy_with_logits(zt, torch.tensor(target, dtype=torch.float64))
    else:  # nll on probabilities
        value = F.nll_loss(torch.log(zt), torch.tensor(target))
    upstream = 0.7  # a non-trivial upstream gradient
    (value * upstream).backward()
    return value.item(), zt.grad.numpy() / upstream


CASES = {
    "mse": lambda rng: (rng.normal(size=(7, 3)) * 4, rng.normal(size=(7, 3))),
    "cross_entropy": lambda rng: (rng.normal(size=(7, 5)) * 10, rng.integers(0, 5, 7)),
    "cross_entropy_soft": lambda rng: (
        rng.normal(size=(7, 5)) * 10,
        rng.dirichlet(np.ones(5), size=7),
    ),
    "binary_cross_entropy": lambda rng: (
        rng.normal(size=(7, 4)) * 30,
        rng.integers(0, 2, (7, 4)).astype(float),
    ),
    "nll": lambda rng: (rng.dirichlet(np.ones(5), size=7), rng.integers(0, 5, 7)),
}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_loss_value_and_gradient_match_torch(case, seed):
    name = case.removesuffix("_soft")
    z, target = CASES[case](np.random.default_rng(seed))
    loss = losses.get(name)
    ours = loss.forward(z, target)
    grad = loss.backward()
    theirs, tgrad = _torch_loss(name, z, target)
    assert ours == pytest.approx(theirs, rel=1e-12, abs=1e-15)
    np.testing.assert_allclose(grad, tgrad, rtol=1e-10, atol=1e-15)


def test_binary_cross_entropy_one_logit_per_sample_matches_torch():
    rng = np.random.default_rng(3)
    z, y = rng.normal(size=(9, 1)) * 5, rng.integers(0, 2, 9)
    loss = losses.get("binary_cross_entropy")
    ours = loss.forward(z, y)
    theirs, tgrad = _torch_loss("binary_cross_entropy", z, y[:, None])
    assert ours == pytest.approx(theirs, rel=1e-12)
    np.testing.assert_allclose(loss.backward(), tgrad, rtol=1e-10)


@pytest.mark.parametrize(
    ("nonlinearity", "param"),
    [
        ("linear", None),
        ("sigmoid", None),
        ("tanh", None),
        ("relu", None),
        ("leaky_relu", None),
        ("leaky_relu", 0.2),
        ("selu", None),
    ],
)
def test_calculate_gain_matches_torch(nonlinearity, param):
    ours = initializers.calculate_gain(nonlinearity, param)
    assert ours == torch.nn.init.calculate_gain(nonlinearity, param)


# (our name, torch function applied to a (out, in) weight, torch kwargs)
STD_CASES = [
    ("glorot_uniform", torch.nn.init.xavier_uniform_, {}),
    ("glorot_normal", torch.nn.init.xavier_normal_, {}),
    ("he_uniform", torch.nn.init.kaiming_uniform_, {"nonlinearity": "relu"}),
    ("he_normal", torch.nn.init.kaiming_normal_, {"nonlinearity": "relu"}),
    ("lecun_normal", torch.nn.init.kaiming_normal_, {"nonlinearity": "linear"}),
    ("lecun_uniform", torch.nn.init.kaiming_uniform_, {"nonlinearity": "linear"}),
]


@pytest.mark.parametrize(("name", "fn", "kwargs"), STD_CASES, ids=[c[0] for c in STD_CASES])
def test_initializer_spread_matches_torch(name, fn, kwargs):
    fan_in, fan_out = 400, 300
    ours = initializers.get(name)((fan_in, fan_out), np.random.default_rng(0), "float64")
    torch.manual_seed(0)
    theirs = fn(torch.empty(fan_out, fan_in, dtype=torch.float64), **kwargs).numpy()
    # The same distribution: standard deviations within sampling error (n = 120,000).
    assert ours.std() == pytest.approx(theirs.std(), rel=0.02)
    if "uniform" in name:
        # Both libraries draw from U(-a, a) with the same bound a.
        assert abs(ours).max() == pytest.approx(abs(theirs).max(), rel=1e-3)
        assert abs(ours).max() <= math.sqrt(3) * initializers.get(name).std((fan_in, fan_out))


def test_orthogonal_is_orthogonal_like_torch():
    ours = initializers.get({"name": "orthogonal", "config": {"gain": 2.0}})(
        (50, 30), np.random.default_rng(0), "float64"
    )
    np.testing.assert_allclose(ours.T @ ours, 4.0 * np.eye(30), atol=1e-12)
    theirs = torch.nn.init.orthogonal_(torch.empty(30, 50, dtype=torch.float64), gain=2.0).numpy()
    np.testing.assert_allclose(theirs @ theirs.T, 4.0 * np.eye(30), atol=1e-12)
