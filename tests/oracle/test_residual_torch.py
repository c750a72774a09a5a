"""``layers.Residual`` against PyTorch (CPU, float64): ``x + block(x)`` with the same weights
gives the same output, input gradient and parameter gradients for a random upstream gradient
(not ``.sum()``), alone and inside a model, and SGD / Adam steps stay equal to torch.optim."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import gradlab as gl
from gradlab import optimizers
from gradlab.layers import Activation, BatchNorm, Dense, Layer, Residual

torch = pytest.importorskip("torch")

RTOL = 1e-12
B, D = 9, 5
ACTS = ["tanh", "relu", "sigmoid"]
TORCH_ACTS = {"tanh": torch.nn.Tanh, "relu": torch.nn.ReLU, "sigmoid": torch.nn.Sigmoid}


class TorchResidual(torch.nn.Module):
    """``x + block(x)``, the block a ``torch.nn.Sequential``."""

    def __init__(self, *modules: Any) -> None:
        super().__init__()
        self.block = torch.nn.Sequential(*modules)

    def forward(self, x: Any) -> Any:
        return x + self.block(x)


def close(ours: Any, theirs: Any, what: str = "") -> None:
    """Assert ``max |ours - theirs| <= RTOL · max(1, max |theirs|)``."""
    theirs = theirs.detach().numpy() if hasattr(theirs, "detach") else np.asarray(theirs)
    assert ours.shape == theirs.shape, what
    scale = max(1.0, float(np.max(np.abs(theirs), initial=0.0)))
    err = float(np.max(np.abs(ours - theirs), initial=0.0))
    assert err <= RTOL * scale, f"{what}: max abs diff {err:.3g} (scale {scale:.3g})"


def flat_layers(stack: list[Layer]) -> list[Layer]:
    """gradlab layers with weights, in order, descending into Residual blocks."""
    found: list[Layer] = []
    for layer in stack:
        if isinstance(layer, Residual):
            found += flat_layers(layer.layers)
        elif isinstance(layer, Dense | BatchNorm):
            found.append(layer)
    return found


def flat_modules(module: Any) -> list[Any]:
    """torch modules with weights, in order (``modules()`` walks depth-first, in order)."""
    return [m for m in module.modules() if isinstance(m, torch.nn.Linear | torch.nn.BatchNorm1d)]


def pairs(stack: list[Layer], module: Any) -> list[tuple[Layer, Any]]:
    ours, theirs = flat_layers(stack), flat_modules(module)
    assert [type(o).__name__ for o in ours] == [
        "Dense" if isinstance(t, torch.nn.Linear) else "BatchNorm" for t in theirs
    ]
    return list(zip(ours, theirs, strict=True))


def copy_weights(stack: list[Layer], module: Any, seed: int = 3) -> None:
    """Give gradlab's biases, gammas and betas random values, then copy every weight into the
    torch twin (gradlab's kernel is torch's weight transposed)."""
    rng = np.random.default_rng(seed)
    with torch.no_grad():
        for ours, theirs in pairs(stack, module):
            if isinstance(ours, Dense):
                ours.params["b"][...] = rng.normal(scale=0.3, size=ours.params["b"].shape)
                theirs.weight.copy_(torch.from_numpy(ours.params["W"].T.copy()))
                theirs.bias.copy_(torch.from_numpy(ours.params["b"].copy()))
            else:
                ours.params["gamma"][...] = rng.uniform(0.5, 1.5, ours.params["gamma"].shape)
                ours.params["beta"][...] = rng.normal(scale=0.3, size=ours.params["beta"].shape)
                theirs.weight.copy_(torch.from_numpy(ours.params["gamma"].copy()))
                theirs.bias.copy_(torch.from_numpy(ours.params["beta"].copy()))


def compare_grads(stack: list[Layer], module: Any) -> None:
    for i, (ours, theirs) in enumerate(pairs(stack, module)):
        if isinstance(ours, Dense):
            close(ours.grads["W"], theirs.weight.grad.T, f"layer {i} grad W")
            close(ours.grads["b"], theirs.bias.grad, f"layer {i} grad b")
        else:
            close(ours.grads["gamma"], theirs.weight.grad, f"layer {i} grad gamma")
            close(ours.grads["beta"], theirs.bias.grad, f"layer {i} grad beta")
            close(ours.buffers["running_mean"], theirs.running_mean, f"layer {i} running mean")
            close(ours.buffers["running_var"], theirs.running_var, f"layer {i} running var")


def run_block(layer: Residual, module: Any, seed: int = 0) -> None:
    """One training forward and backward through both; compare y, dx and every gradient."""
    layer.build(D, rng=np.random.default_rng(seed), dtype="float64")
    module = module.double().train()
    copy_weights([layer], module)
    x = np.random.default_rng(seed + 1).normal(size=(B, D))
    x[0, :] = 0.0  # a row at relu's kink, as far as the pre-activation lets it
    g = np.random.default_rng(seed + 2).normal(size=(B, D))
    y = layer.forward(x, training=True)
    dx = layer.backward(g)
    tx = torch.tensor(x, requires_grad=True)
    ty = module(tx)
    ty.backward(torch.from_numpy(g))
    close(y, ty, "forward")
    close(dx, tx.grad, "input grad")
    compare_grads([layer], module)


@pytest.mark.parametrize("act", ACTS)
def test_one_dense_block(act: str) -> None:
    run_block(Residual(Dense(D, act)), TorchResidual(torch.nn.Linear(D, D), TORCH_ACTS[act]()))


@pytest.mark.parametrize("act", ACTS)
def test_two_dense_block(act: str) -> None:
    run_block(
        Residual([Dense(8, act), Dense(D)]),
        TorchResidual(torch.nn.Linear(D, 8), TORCH_ACTS[act](), torch.nn.Linear(8, D)),
    )


@pytest.mark.parametrize("act", ACTS)
def test_batchnorm_block_in_training_mode(act: str) -> None:
    run_block(
        Residual([Dense(D), BatchNorm(momentum=0.3), Activation(act)]),
        TorchResidual(
            torch.nn.Linear(D, D), torch.nn.BatchNorm1d(D, momentum=0.3), TORCH_ACTS[act]()
        ),
    )


def test_nested_blocks() -> None:
    run_block(
        Residual([Residual(Dense(D, "tanh")), Dense(D, "sigmoid")]),
        TorchResidual(
            TorchResidual(torch.nn.Linear(D, D), torch.nn.Tanh()),
            torch.nn.Linear(D, D),
            torch.nn.Sigmoid(),
        ),
    )


# -- a model with residual blocks ------------------------------------------------------------------
def model_pair(act: str) -> tuple[gl.Sequential, Any]:
    """``Dense(8, act) -> Residual(Dense(8, act)) -> Residual(Dense, BatchNorm, act) ->
    Residual(Dense(12, act), Dense(8)) -> Dense(3)``, in gradlab and in torch."""
    model = gl.Sequential(
        [
            Dense(8, act),
            Residual(Dense(8, act)),
            Residual([Dense(8), BatchNorm(), Activation(act)]),
            Residual([Dense(12, act), Dense(8)]),
            Dense(3),
        ],
        input_dim=4,
        seed=0,
        dtype="float64",
    )
    a = TORCH_ACTS[act]
    net = torch.nn.Sequential(
        torch.nn.Linear(4, 8),
        a(),
        TorchResidual(torch.nn.Linear(8, 8), a()),
        TorchResidual(torch.nn.Linear(8, 8), torch.nn.BatchNorm1d(8), a()),
        TorchResidual(torch.nn.Linear(8, 12), a(), torch.nn.Linear(12, 8)),
        torch.nn.Linear(8, 3),
    ).double()
    copy_weights(model.layers, net)
    return model, net


def data(n: int = 48) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    return rng.normal(size=(n, 4)), rng.integers(0, 3, size=n)


@pytest.mark.parametrize("act", ACTS)
def test_model_loss_and_every_gradient_match(act: str) -> None:
    model, net = model_pair(act)
    model.compile(optimizer="sgd", loss="cross_entropy")
    X, y = data()
    loss = model.compute_gradients(X, y)
    theirs = torch.nn.functional.cross_entropy(net(torch.from_numpy(X)), torch.from_numpy(y))
    theirs.backward()
    assert abs(loss - theirs.item()) <= RTOL * max(1.0, abs(theirs.item()))
    compare_grads(model.layers, net)


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (lambda: optimizers.SGD(lr=0.1), lambda p: torch.optim.SGD(p, lr=0.1)),
        (
            lambda: optimizers.SGD(lr=0.05, momentum=0.9, nesterov=True),
            lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True),
        ),
        (lambda: optimizers.Adam(lr=0.01), lambda p: torch.optim.Adam(p, lr=0.01)),
    ],
    ids=["sgd", "sgd-nesterov", "adam"],
)
def test_training_steps_stay_equal_to_torch_optim(ours: Any, theirs: Any) -> None:
    model, net = model_pair("tanh")
    model.compile(optimizer=ours(), loss="cross_entropy")
    opt = theirs(net.parameters())
    X, y = data()
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    for step in range(8):
        rows = slice(16 * (step % 3), 16 * (step % 3) + 16)
        loss = model.train_on_batch(X[rows], y[rows])
        opt.zero_grad()
        value = torch.nn.functional.cross_entropy(net(Xt[rows]), yt[rows])
        value.backward()
        opt.step()
        np.testing.assert_allclose(loss, value.item(), rtol=1e-10, atol=0)
    # After 8 steps the weights agree to rounding, except the bias in front of BatchNorm: its
    # true gradient is 0 (BatchNorm subtracts the batch mean), so both runs hold rounding
    # noise of ~1e-17 there, which Adam divides by sqrt(v) + eps ≈ 1e-8 (measured: 2.7e-10
    # apart after 8 Adam steps; 1e-16 for SGD). The same shift moves the running mean, so the
    # predictions agree to 3e-10.
    before_bn = model.layers[2].layers[0]
    for i, (layer, module) in enumerate(pairs(model.layers, net)):
        names = ("W", "b") if isinstance(layer, Dense) else ("gamma", "beta")
        for name, theirs_w in zip(names, (module.weight, module.bias), strict=True):
            theirs_w = theirs_w.detach().numpy()
            atol = 1e-8 if layer is before_bn and name == "b" else 1e-13
            np.testing.assert_allclose(
                layer.params[name],
                theirs_w.T if name == "W" else theirs_w,
                rtol=0,
                atol=atol,
                err_msg=f"layer {i} {name}",
            )
    net.eval()
    np.testing.assert_allclose(model.predict(X), net(Xt).detach().numpy(), rtol=0, atol=1e-8)
