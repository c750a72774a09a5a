"""The benchmark workloads, each written once per implementation (gradlab, PyTorch, scikit-learn).

Every function here runs *inside* a worker process (:mod:`benchmarks.worker`) whose thread
count is already fixed, and returns seconds (or a dict of them). Nothing here starts a process.

The networks (W1-W3) are :class:`Net` records; each implementation builds the same layer sizes,
activation, loss and optimizer, draws random data of the workload's shape (the time does not
depend on the values), trains a throwaway model for one untimed epoch (the first epoch of a
process pays one-off costs: allocator growth, thread start-up, lazy initialisation; measured
here at 10-40% for gradlab and torch alike), then times ``epochs`` epochs of a fresh model and
returns seconds per epoch:

* gradlab: ``model.fit(X, y, epochs=E, batch_size=B, shuffle=True, verbose=0)``, the public API.
* PyTorch: ``nn.Sequential`` of ``Linear`` + activation modules, an index ``randperm`` per epoch,
  ``zero_grad`` / ``backward`` / ``step`` per batch: the idiomatic loop without a DataLoader.
* scikit-learn: ``MLPClassifier(..., batch_size=B, max_iter=E, shuffle=True)`` with
  convergence warnings silenced (W1 only).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["NETS", "Net", "activation_times", "gemm_peak", "net_flops", "run_net"]


@dataclass(frozen=True)
class Net:
    """One training workload: an MLP, its data and how it is trained."""

    key: str
    title: str
    sizes: tuple[int, ...]  # input, hidden..., output
    activation: str  # gradlab name; torch module below
    loss: str  # "cross_entropy" or "binary_cross_entropy"
    optimizer: str  # "sgd" or "adam"
    lr: float
    batch: int
    samples: int
    epochs: int  # epochs per timed measurement (small nets: several, to time > 10 ms)
    impls: tuple[str, ...]


def _mlp(key: str, title: str, optimizer: str, lr: float, impls: tuple[str, ...]) -> Net:
    return Net(key, title, (784, 256, 256, 10), "relu", "cross_entropy", optimizer, lr, 128,
               60_000, 1, impls)  # fmt: skip


NETS: dict[str, Net] = {
    net.key: net
    for net in (
        _mlp("W1-sgd", "MLP 784-256-256-10 ReLU, SGD", "sgd", 0.01,
             ("gradlab", "torch", "sklearn")),
        _mlp("W1-adam", "MLP 784-256-256-10 ReLU, Adam", "adam", 1e-3,
             ("gradlab", "torch", "sklearn")),
        Net("W2", "tiny 2-8-8-1 tanh, BCE, SGD", (2, 8, 8, 1), "tanh", "binary_cross_entropy",
            "sgd", 0.1, 32, 1_000, 50, ("gradlab", "torch")),
        Net("W3", "deep narrow 20 x 64 ReLU, SGD", (64, *([64] * 20), 10), "relu",
            "cross_entropy", "sgd", 0.01, 64, 10_000, 2, ("gradlab", "torch")),
    )
}  # fmt: skip


def net_flops(net: Net) -> float:
    """Return the matrix-product FLOPs of one epoch: forward ``2 B in out`` per Dense,
    backward twice that, less the input gradient the first layer does not need."""
    pairs = list(zip(net.sizes[:-1], net.sizes[1:], strict=True))
    forward = sum(2 * net.samples * a * b for a, b in pairs)
    first_input_grad = 2 * net.samples * pairs[0][0] * pairs[0][1]
    return 3 * forward - first_input_grad


def _data(net: Net, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((net.samples, net.sizes[0]), dtype=np.float32)
    classes = 2 if net.loss == "binary_cross_entropy" else net.sizes[-1]
    return X, rng.integers(0, classes, net.samples)


def run_net(net: Net, impl: str) -> float:
    """Return the seconds per epoch of ``impl`` on ``net`` (after a warm-up)."""
    X, y = _data(net)
    runner = {"gradlab": _gradlab, "torch": _torch, "sklearn": _sklearn}[impl]
    return runner(net, X, y) / net.epochs


def _warmup_rows(net: Net) -> int:
    """Rows of the untimed warm-up epoch: all of them."""
    return net.samples


def _gradlab(net: Net, X: np.ndarray, y: np.ndarray) -> float:
    import gradlab as gl
    from gradlab import layers, optimizers

    hidden, out = net.sizes[1:-1], net.sizes[-1]
    init = "he_normal" if net.activation == "relu" else "glorot_uniform"

    def build() -> gl.Sequential:
        stack = [layers.Dense(h, net.activation, kernel_initializer=init) for h in hidden]
        model = gl.Sequential([*stack, layers.Dense(out)], input_dim=net.sizes[0], seed=0)
        opt = optimizers.SGD(lr=net.lr) if net.optimizer == "sgd" else optimizers.Adam(lr=net.lr)
        model.compile(optimizer=opt, loss=net.loss)
        return model

    yy = y.astype(np.float32) if net.loss == "binary_cross_entropy" else y
    w = _warmup_rows(net)
    build().fit(X[:w], yy[:w], epochs=1, batch_size=net.batch, verbose=0)
    model = build()
    start = time.perf_counter()
    model.fit(X, yy, epochs=net.epochs, batch_size=net.batch, shuffle=True, verbose=0)
    return time.perf_counter() - start


def _torch(net: Net, X: np.ndarray, y: np.ndarray) -> float:
    import torch

    act = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh}[net.activation]
    bce = net.loss == "binary_cross_entropy"
    Xt = torch.from_numpy(X)
    yt = torch.from_numpy(y.astype(np.float32)[:, None]) if bce else torch.from_numpy(y)
    loss_fn = torch.nn.BCEWithLogitsLoss() if bce else torch.nn.CrossEntropyLoss()

    def build() -> tuple[torch.nn.Module, torch.optim.Optimizer]:
        torch.manual_seed(0)
        mods: list[torch.nn.Module] = []
        for a, b in zip(net.sizes[:-2], net.sizes[1:-1], strict=True):
            mods += [torch.nn.Linear(a, b), act()]
        model = torch.nn.Sequential(*mods, torch.nn.Linear(net.sizes[-2], net.sizes[-1]))
        opt_cls = torch.optim.SGD if net.optimizer == "sgd" else torch.optim.Adam
        return model, opt_cls(model.parameters(), lr=net.lr)

    def train(model: torch.nn.Module, opt: torch.optim.Optimizer, n: int, epochs: int) -> None:
        for _ in range(epochs):
            perm = torch.randperm(n)
            for i in range(0, n, net.batch):
                idx = perm[i : i + net.batch]
                opt.zero_grad()
                loss_fn(model(Xt[idx]), yt[idx]).backward()
                opt.step()

    train(*build(), _warmup_rows(net), 1)
    model, opt = build()
    start = time.perf_counter()
    train(model, opt, net.samples, net.epochs)
    return time.perf_counter() - start


def _sklearn(net: Net, X: np.ndarray, y: np.ndarray) -> float:
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    def build(epochs: int) -> MLPClassifier:
        return MLPClassifier(
            hidden_layer_sizes=net.sizes[1:-1], activation=net.activation, solver=net.optimizer,
            alpha=0.0, batch_size=net.batch, learning_rate_init=net.lr, max_iter=epochs,
            shuffle=True, momentum=0.0, random_state=0, tol=0.0, n_iter_no_change=10**9,
        )  # fmt: skip

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        w = _warmup_rows(net)
        build(1).fit(X[:w], y[:w])
        model = build(net.epochs)
        start = time.perf_counter()
        model.fit(X, y)
        return time.perf_counter() - start


def gemm_peak(n: int = 2048, repeats: int = 10) -> dict[str, float]:
    """Return the float32 ``n x n`` matrix product rate of NumPy's BLAS, in GFLOP/s."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    c = np.empty_like(a)
    times = _times(lambda: np.matmul(a, b, out=c), repeats)
    flops = 2.0 * n**3
    return {
        "gflops_best": flops / min(times) / 1e9,
        "gflops_median": flops / statistics.median(times) / 1e9,
    }


def _times(fn: Callable[[], object], repeats: int) -> list[float]:
    fn()  # warm up
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def activation_times(
    impl: str, size: int = 1_000_000, repeats: int = 15, names: list[str] | None = None
) -> dict[str, float]:
    """Return, per activation, the median seconds of forward + derivative on ``size`` values.

    gradlab: ``y = act(x)`` then ``act.derivative(x, y)`` (``vjp`` with ones for a vector
    activation, on rows of 8). torch: the functional forward then one autograd backward with a
    ones upstream gradient (the derivative times ones). float32, single thread.
    """
    from gradlab import activations

    rng = np.random.default_rng(0)
    x = (rng.standard_normal(size) * 3).astype(np.float32)
    out: dict[str, float] = {}
    if impl == "torch":
        import torch

        torch.set_num_threads(1)
    for name in names or activations.names():
        act = activations.get(name)
        xin = x if act.elementwise else x.reshape(-1, 8)
        if impl == "gradlab":
            fn = _gradlab_activation(act, xin)
        else:
            fn = _torch_activation(name, xin)
            if fn is None:
                continue
        out[name] = statistics.median(_times(fn, repeats))
    return out


def _gradlab_activation(act, xin: np.ndarray) -> Callable[[], object]:
    if act.elementwise:
        return lambda: act.derivative(xin, act(xin))

    ones = np.ones_like(act(xin))  # glu halves the width

    def vector() -> object:
        return act.vjp(xin, ones, act(xin))

    return vector


def _torch_activation(name: str, xin: np.ndarray) -> Callable[[], object] | None:
    import torch

    F = torch.nn.functional
    table = {
        "linear": lambda t: t * 1.0, "sigmoid": torch.sigmoid, "hard_sigmoid": F.hardsigmoid,
        "tanh": torch.tanh, "hard_tanh": F.hardtanh, "softsign": F.softsign,
        "log_sigmoid": F.logsigmoid, "exponential": torch.exp, "tanh_shrink": F.tanhshrink,
        "relu": F.relu, "relu6": F.relu6, "leaky_relu": F.leaky_relu,
        "prelu": lambda t: F.prelu(t, torch.tensor([0.25])),
        "rrelu": lambda t: F.rrelu(t, training=False), "elu": F.elu, "selu": F.selu,
        "celu": F.celu, "threshold": lambda t: F.threshold(t, 0.0, 0.0),
        "soft_shrink": F.softshrink, "hard_shrink": F.hardshrink, "softplus": F.softplus,
        "gelu": F.gelu, "silu": F.silu, "hard_silu": F.hardswish, "mish": F.mish,
        "softmax": lambda t: torch.softmax(t, -1),
        "log_softmax": lambda t: torch.log_softmax(t, -1),
        "softmin": lambda t: F.softmin(t, -1), "glu": lambda t: F.glu(t, -1),
    }  # fmt: skip
    fn = table.get(name)
    if fn is None:
        return None
    tx = torch.from_numpy(xin.copy())

    def run() -> object:
        t = tx.detach().requires_grad_(True)
        y = fn(t)
        y.backward(torch.ones_like(y))
        return t.grad

    return run
