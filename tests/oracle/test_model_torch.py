"""Whole training runs against PyTorch: the same net, the same start, the same loss trajectory.

For every optimizer and option, a gradlab ``Sequential`` and the equivalent ``torch.nn`` model
start from identical float64 weights and take 25 steps on the same batches; the per-step losses
must agree to 1e-7 relative, for cross entropy and for MSE.
"""

from __future__ import annotations

import numpy as np
import pytest

import gradlab as gl
from gradlab import callbacks, layers, optimizers
from gradlab.optimizers import schedules

torch = pytest.importorskip("torch")

STEPS = 25
RTOL = 1e-7

# (id, gradlab optimizer factory, torch optimizer factory, clip_norm, clip_value)
CASES = [
    ("sgd", lambda: optimizers.SGD(lr=0.1), lambda p: torch.optim.SGD(p, lr=0.1)),
    (
        "sgd-momentum-dampening-wd",
        lambda: optimizers.SGD(lr=0.05, momentum=0.8, dampening=0.1, weight_decay=1e-3),
        lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.8, dampening=0.1, weight_decay=1e-3),
    ),
    (
        "sgd-nesterov",
        lambda: optimizers.SGD(lr=0.05, momentum=0.9, nesterov=True),
        lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True),
    ),
    (
        "momentum",
        lambda: optimizers.Momentum(lr=0.05),
        lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9),
    ),
    (
        "nesterov",
        lambda: optimizers.Nesterov(lr=0.05),
        lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True),
    ),
    (
        "adagrad",
        lambda: optimizers.Adagrad(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1),
        lambda p: torch.optim.Adagrad(p, lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1),
    ),
    ("rmsprop", lambda: optimizers.RMSprop(lr=0.01), lambda p: torch.optim.RMSprop(p, lr=0.01)),
    (
        "rmsprop-centered-momentum",
        lambda: optimizers.RMSprop(lr=0.005, centered=True, momentum=0.5, weight_decay=1e-3),
        lambda p: torch.optim.RMSprop(p, lr=0.005, centered=True, momentum=0.5, weight_decay=1e-3),
    ),
    ("adam", lambda: optimizers.Adam(lr=0.01), lambda p: torch.optim.Adam(p, lr=0.01)),
    (
        "adam-amsgrad-wd",
        lambda: optimizers.Adam(lr=0.01, amsgrad=True, weight_decay=1e-2),
        lambda p: torch.optim.Adam(p, lr=0.01, amsgrad=True, weight_decay=1e-2),
    ),
    ("adamw", lambda: optimizers.AdamW(lr=0.01), lambda p: torch.optim.AdamW(p, lr=0.01)),
    (
        "adamw-amsgrad",
        lambda: optimizers.AdamW(lr=0.01, amsgrad=True, weight_decay=0.1),
        lambda p: torch.optim.AdamW(p, lr=0.01, amsgrad=True, weight_decay=0.1),
    ),
]
CLIP_CASES = [
    (
        "sgd-clip-norm",
        lambda: optimizers.SGD(lr=0.5, clip_norm=0.5),
        lambda p: torch.optim.SGD(p, lr=0.5),
        0.5,
        None,
    ),
    (
        "adam-clip-value",
        lambda: optimizers.Adam(lr=0.02, clip_value=0.05),
        lambda p: torch.optim.Adam(p, lr=0.02),
        None,
        0.05,
    ),
    (
        "momentum-clip-both",
        lambda: optimizers.Momentum(lr=0.2, clip_value=0.2, clip_norm=0.3),
        lambda p: torch.optim.SGD(p, lr=0.2, momentum=0.9),
        0.3,
        0.2,
    ),
]


def _data(loss: str):
    rng = np.random.default_rng(7)
    X = rng.normal(size=(64, 5))
    if loss == "cross_entropy":
        y = rng.integers(0, 3, size=64)
    else:
        y = rng.normal(size=(64, 3))
    return X, y


def _pair(hidden_act: str, *, batchnorm: bool = False):
    """A gradlab model and its torch twin with the same float64 weights."""
    stack = [layers.Dense(8)]
    if batchnorm:
        stack.append(layers.BatchNorm())
    stack += [layers.Activation(hidden_act), layers.Dense(3)]
    model = gl.Sequential(stack, input_dim=5, seed=0, dtype="float64")
    acts = {"tanh": torch.nn.Tanh(), "relu": torch.nn.ReLU(), "sigmoid": torch.nn.Sigmoid()}
    modules = [torch.nn.Linear(5, 8)]
    if batchnorm:
        modules.append(torch.nn.BatchNorm1d(8))
    modules += [acts[hidden_act], torch.nn.Linear(8, 3)]
    net = torch.nn.Sequential(*modules).double()
    with torch.no_grad():
        dense = [layer for layer in model.layers if isinstance(layer, layers.Dense)]
        linears = [m for m in net if isinstance(m, torch.nn.Linear)]
        for layer, lin in zip(dense, linears, strict=True):
            lin.weight.copy_(torch.from_numpy(layer.params["W"].T.copy()))
            lin.bias.copy_(torch.from_numpy(layer.params["b"].copy()))
    return model, net


def _run_gradlab(model, opt, loss, X, y, batch_size, epochs):
    model.compile(optimizer=opt, loss=loss)
    losses = []
    rec = callbacks.LambdaCallback(on_batch_end=lambda b, logs: losses.append(logs["loss"]))
    model.fit(X, y, epochs=epochs, batch_size=batch_size, shuffle=False, verbose=0, callbacks=[rec])
    return np.array(losses)


def _run_torch(
    net, opt, loss, X, y, batch_size, epochs, clip_norm=None, clip_value=None, scheduler=None
):
    fn = torch.nn.CrossEntropyLoss() if loss == "cross_entropy" else torch.nn.MSELoss()
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    losses = []
    for _ in range(epochs):
        for i in range(0, len(X), batch_size):
            opt.zero_grad()
            value = fn(net(Xt[i : i + batch_size]), yt[i : i + batch_size])
            value.backward()
            if clip_value is not None:
                torch.nn.utils.clip_grad_value_(net.parameters(), clip_value)
            if clip_norm is not None:
                torch.nn.utils.clip_grad_norm_(net.parameters(), clip_norm)
            opt.step()
            losses.append(value.item())
        if scheduler is not None:
            scheduler.step()
    return np.array(losses)


@pytest.mark.parametrize("loss", ["cross_entropy", "mse"])
@pytest.mark.parametrize(("name", "make", "make_torch"), CASES, ids=[c[0] for c in CASES])
def test_loss_trajectory_matches_torch(name, make, make_torch, loss):
    X, y = _data(loss)
    model, net = _pair("tanh")
    ours = _run_gradlab(model, make(), loss, X, y, batch_size=64, epochs=STEPS)
    theirs = _run_torch(net, make_torch(net.parameters()), loss, X, y, 64, STEPS)
    assert len(ours) == len(theirs) == STEPS
    assert theirs[-1] != theirs[0]  # training moved
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=0)


@pytest.mark.parametrize(
    ("name", "make", "make_torch", "clip_norm", "clip_value"),
    CLIP_CASES,
    ids=[c[0] for c in CLIP_CASES],
)
def test_clipped_trajectory_matches_torch(name, make, make_torch, clip_norm, clip_value):
    X, y = _data("cross_entropy")
    model, net = _pair("relu")
    ours = _run_gradlab(model, make(), "cross_entropy", X, y, batch_size=16, epochs=7)
    theirs = _run_torch(
        net,
        make_torch(net.parameters()),
        "cross_entropy",
        X,
        y,
        16,
        7,
        clip_norm=clip_norm,
        clip_value=clip_value,
    )
    assert len(ours) == 28
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=0)


def test_mini_batches_with_batchnorm_match_torch():
    X, y = _data("cross_entropy")
    model, net = _pair("sigmoid", batchnorm=True)
    ours = _run_gradlab(model, optimizers.Adam(lr=0.02), "cross_entropy", X, y, 16, 6)
    theirs = _run_torch(
        net, torch.optim.Adam(net.parameters(), lr=0.02), "cross_entropy", X, y, 16, 6
    )
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=0)
    bn = next(m for m in net if isinstance(m, torch.nn.BatchNorm1d))
    ours_bn = next(layer for layer in model.layers if isinstance(layer, layers.BatchNorm))
    np.testing.assert_allclose(ours_bn.buffers["running_var"], bn.running_var.numpy(), rtol=1e-10)
    # Inference uses the running statistics in both. Outputs are O(1); after 24 Adam steps the
    # two runs' rounding differs by about 1e-11 absolute, hence an absolute tolerance.
    net.eval()
    np.testing.assert_allclose(
        model.predict(X), net(torch.from_numpy(X)).detach().numpy(), rtol=0, atol=1e-9
    )


def test_step_schedule_trajectory_matches_torch():
    X, y = _data("mse")
    model, net = _pair("tanh")
    opt = optimizers.SGD(lr=0.1, momentum=0.5, schedule=schedules.StepDecay(step_size=5, gamma=0.5))
    ours = _run_gradlab(model, opt, "mse", X, y, batch_size=32, epochs=12)
    topt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.5)
    sched = torch.optim.lr_scheduler.StepLR(topt, step_size=5, gamma=0.5)
    theirs = _run_torch(net, topt, "mse", X, y, 32, 12, scheduler=sched)
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=0)
