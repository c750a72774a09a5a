"""Every layer against PyTorch (CPU, float64): forward, input gradient and parameter gradients
for a random upstream gradient (not ``.sum()``), BatchNorm's running statistics over several
steps, and the exact values at kinks and ties."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from gradlab.layers import (
    Activation,
    BatchNorm,
    Dense,
    Dropout,
    FReLU,
    Layer,
    LayerNorm,
    Maxout,
    PReLU,
)

torch = pytest.importorskip("torch")
F = torch.nn.functional

RTOL = 1e-12
B, D = 7, 5


def close(ours: Any, theirs: Any, what: str = "") -> None:
    """Assert ``max |ours - theirs| <= RTOL · max(1, max |theirs|)``."""
    theirs = theirs.detach().numpy() if hasattr(theirs, "detach") else np.asarray(theirs)
    assert ours.shape == theirs.shape, what
    scale = max(1.0, float(np.max(np.abs(theirs), initial=0.0)))
    err = float(np.max(np.abs(ours - theirs), initial=0.0))
    assert err <= RTOL * scale, f"{what}: max abs diff {err:.3g} (scale {scale:.3g})"


def data(seed: int = 0, shape: tuple[int, int] = (B, D), zeros: bool = False) -> np.ndarray:
    x = np.random.default_rng(seed).normal(size=shape)
    if zeros:
        x[0, :] = 0.0  # the kink
    return x


def leaf(a: np.ndarray) -> Any:
    return torch.tensor(a, dtype=torch.float64, requires_grad=True)


def run_both(
    layer: Layer,
    x: np.ndarray,
    torch_fn: Callable[[Any], Any],
    torch_params: dict[str, Any],
    seed: int = 1,
) -> None:
    """Forward and backward through ``layer`` and ``torch_fn``; compare y, dx and every grad.

    ``torch_params`` maps each of the layer's param names to the torch leaf it corresponds to
    and a function that maps the torch grad into the layer's layout.
    """
    y = layer.forward(x, training=True)
    g = np.random.default_rng(seed).normal(size=y.shape)
    dx = layer.backward(g)
    tx = leaf(x)
    ty = torch_fn(tx)
    ty.backward(torch.from_numpy(g))
    close(y, ty, "forward")
    close(dx, tx.grad, "input grad")
    assert set(torch_params) == set(layer.params)
    for name, (tp, to_ours) in torch_params.items():
        close(layer.grads[name], to_ours(tp.grad), f"grad {name}")


def build(layer: Layer, dim: int = D, seed: int = 0) -> Layer:
    layer.build(dim, rng=np.random.default_rng(seed), dtype="float64")
    return layer


def same(t: Any) -> Any:
    return t


# -- Dense and Activation ----------------------------------------------------------------------
TORCH_ACT: dict[str | None, Callable[[Any], Any]] = {
    None: lambda t: t,
    "relu": F.relu,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "softmax": lambda t: torch.softmax(t, dim=-1),
    "gelu": F.gelu,
}


@pytest.mark.parametrize("act", list(TORCH_ACT))
def test_dense_matches_linear(act: str | None) -> None:
    layer = build(Dense(4, activation=act))
    layer.params["b"][...] = np.random.default_rng(5).normal(size=4)
    W = leaf(layer.params["W"].T.copy())
    b = leaf(layer.params["b"].copy())
    run_both(
        layer,
        data(zeros=True),
        lambda t: TORCH_ACT[act](F.linear(t, W, b)),
        {"W": (W, lambda g: g.T), "b": (b, same)},
    )


@pytest.mark.parametrize(
    ("act", "fn", "width"),
    [
        ("softmax", lambda t: torch.softmax(t, dim=-1), D),
        ("log_softmax", lambda t: torch.log_softmax(t, dim=-1), D),
        ("glu", lambda t: F.glu(t, dim=-1), 6),
        ("prelu", lambda t: F.prelu(t, torch.tensor([0.25], dtype=t.dtype)), D),
        ("leaky_relu", F.leaky_relu, D),
        ("elu", F.elu, D),
        ("mish", F.mish, D),
    ],
)
def test_activation_layer_matches_functional(act: str, fn: Callable[[Any], Any], width: int):
    run_both(build(Activation(act), width), data(shape=(B, width), zeros=True), fn, {})


# -- PReLU and FReLU ---------------------------------------------------------------------------
@pytest.mark.parametrize("shared", [True, False])
def test_prelu_matches_nn_prelu(shared: bool) -> None:
    layer = build(PReLU(shared=shared))
    alpha = layer.params["alpha"]
    alpha[...] = np.random.default_rng(3).uniform(-0.5, 0.8, alpha.shape)
    module = torch.nn.PReLU(num_parameters=1 if shared else D).double()
    with torch.no_grad():
        module.weight.copy_(torch.from_numpy(layer.params["alpha"]))
    run_both(layer, data(zeros=True), module, {"alpha": (module.weight, same)})


@pytest.mark.parametrize("shared", [True, False])
def test_frelu_matches_relu_plus_shift(shared: bool) -> None:
    layer = build(FReLU(shared=shared))
    layer.params["b"][...] = np.random.default_rng(3).normal(size=layer.params["b"].shape)
    b = leaf(layer.params["b"].copy())
    run_both(layer, data(zeros=True), lambda t: F.relu(t) + b, {"b": (b, same)})


# -- BatchNorm and LayerNorm -------------------------------------------------------------------
@pytest.mark.parametrize("affine", [True, False])
def test_batchnorm_matches_batchnorm1d_over_several_steps_then_eval(affine: bool) -> None:
    layer = build(BatchNorm(momentum=0.3, affine=affine))
    module = torch.nn.BatchNorm1d(D, momentum=0.3, affine=affine).double()
    params: dict[str, Any] = {}
    if affine:
        rng = np.random.default_rng(4)
        layer.params["gamma"][...] = rng.uniform(0.5, 2.0, D)
        layer.params["beta"][...] = rng.normal(size=D)
        with torch.no_grad():
            module.weight.copy_(torch.from_numpy(layer.params["gamma"]))
            module.bias.copy_(torch.from_numpy(layer.params["beta"]))
        params = {"gamma": (module.weight, same), "beta": (module.bias, same)}
    module.train()
    for step in range(4):
        if affine:
            module.zero_grad()
        x = data(seed=10 + step) * (step + 1) + step
        run_both(layer, x, module, params, seed=step)
        close(layer.buffers["running_mean"], module.running_mean, f"running_mean {step}")
        close(layer.buffers["running_var"], module.running_var, f"running_var {step}")
    module.eval()
    x = data(seed=99)
    close(layer.forward(x), module(torch.from_numpy(x)), "eval forward")


def test_batchnorm_batch_of_one_is_refused_like_torch() -> None:
    with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
        torch.nn.BatchNorm1d(D).double()(torch.zeros(1, D, dtype=torch.float64))
    with pytest.raises(ValueError, match="more than 1 sample per batch"):
        BatchNorm().forward(np.zeros((1, D)), training=True)


@pytest.mark.parametrize("affine", [True, False])
def test_layernorm_matches_nn_layernorm(affine: bool) -> None:
    layer = build(LayerNorm(elementwise_affine=affine))
    module = torch.nn.LayerNorm(D, elementwise_affine=affine).double()
    params: dict[str, Any] = {}
    if affine:
        rng = np.random.default_rng(4)
        layer.params["gamma"][...] = rng.uniform(0.5, 2.0, D)
        layer.params["beta"][...] = rng.normal(size=D)
        with torch.no_grad():
            module.weight.copy_(torch.from_numpy(layer.params["gamma"]))
            module.bias.copy_(torch.from_numpy(layer.params["beta"]))
        params = {"gamma": (module.weight, same), "beta": (module.bias, same)}
    run_both(layer, data() * 3 + 1, module, params)


# -- Dropout -----------------------------------------------------------------------------------
def test_dropout_matches_mask_over_keep_probability() -> None:
    p = 0.4
    keep = np.random.default_rng(8).random((B, D)) >= p
    layer = build(Dropout(p))
    layer.set_mask(keep)
    mask = torch.from_numpy(keep.astype(np.float64))
    run_both(layer, data(), lambda t: t * mask / (1 - p), {})


def test_dropout_statistics_match_torch() -> None:
    """Different generators, same law: the kept fraction and the scale agree."""
    torch.manual_seed(0)
    y_torch = F.dropout(torch.ones(400, 250, dtype=torch.float64), p=0.25, training=True)
    y = Dropout(0.25, seed=0).forward(np.ones((400, 250)), training=True)
    assert set(np.unique(y)) == set(np.unique(y_torch.numpy()))
    assert abs((y == 0).mean() - (y_torch.numpy() == 0).mean()) < 0.01


# -- Maxout ------------------------------------------------------------------------------------
def torch_maxout(layer: Maxout) -> tuple[Callable[[Any], Any], dict[str, Any]]:
    """``nn.Linear(in, pieces * units) -> view(-1, pieces, units) -> max(dim=1)``."""
    k, d_in, u = layer.params["W"].shape
    weight = leaf(layer.params["W"].transpose(0, 2, 1).reshape(k * u, d_in).copy())
    bias = leaf(layer.params["b"].reshape(-1).copy())

    def fn(t: Any) -> Any:
        return F.linear(t, weight, bias).view(-1, k, u).max(dim=1).values

    params = {
        "W": (weight, lambda g: g.reshape(k, u, d_in).transpose(1, 2)),
        "b": (bias, lambda g: g.reshape(k, u)),
    }
    return fn, params


@pytest.mark.parametrize("pieces", [1, 2, 4])
def test_maxout_matches_linear_view_max(pieces: int) -> None:
    layer = build(Maxout(3, pieces=pieces))
    layer.params["b"][...] = np.random.default_rng(6).normal(size=layer.params["b"].shape)
    fn, params = torch_maxout(layer)
    run_both(layer, data(), fn, params)


def test_maxout_ties_give_the_gradient_to_the_first_piece_like_torch_max() -> None:
    """Small integers make every sum exact, so pieces 0 and 2 tie exactly in both engines."""
    rng = np.random.default_rng(7)
    layer = build(Maxout(3, pieces=3))
    layer.params["W"][...] = rng.integers(-3, 4, size=layer.params["W"].shape)
    layer.params["b"][...] = rng.integers(-3, 4, size=layer.params["b"].shape)
    layer.params["W"][2] = layer.params["W"][0]  # pieces 0 and 2 tie everywhere ...
    layer.params["b"][2] = layer.params["b"][0]
    layer.params["b"][1] = layer.params["b"][0] - 100.0  # ... and piece 1 never wins
    x = rng.integers(-3, 4, size=(B, D)).astype(np.float64)
    fn, params = torch_maxout(layer)
    run_both(layer, x, fn, params)
    assert np.all(layer.grads["W"][2] == 0) and np.any(layer.grads["W"][0] != 0)
    # torch.amax instead splits a tie's gradient evenly: not the rule used here.
    weight, bias = params["W"][0], params["b"][0]
    weight.grad = bias.grad = None
    F.linear(leaf(x), weight, bias).view(-1, 3, 3).amax(dim=1).backward(
        torch.ones(B, 3, dtype=torch.float64)
    )
    np.testing.assert_array_equal(bias.grad.view(3, 3)[0].numpy(), B / 2)
