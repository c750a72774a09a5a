"""Time one training epoch of a 784-256-256-10 ReLU MLP on 60,000 float32 samples.

``python -m benchmarks.mlp_epoch [--optimizer sgd|adam] [--repeats 3] [--torch]``

Random data (the time does not depend on the values), cross entropy, batch 128, shuffled. With
``--torch`` the same epoch is timed in PyTorch on the same number of threads, in the same
process (the full, process-separated comparison is the performance issue's suite).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import gradlab as gl
from gradlab import layers, optimizers

N, D, H, C, BATCH = 60_000, 784, 256, 10, 128


def data(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.standard_normal((N, D), dtype=np.float32), rng.integers(0, C, N)


def gradlab_epoch(X: np.ndarray, y: np.ndarray, optimizer: str) -> float:
    model = gl.Sequential(
        [
            layers.Dense(H, "relu", kernel_initializer="he_normal"),
            layers.Dense(H, "relu", kernel_initializer="he_normal"),
            layers.Dense(C),
        ],
        input_dim=D,
        seed=0,
    )
    opt = optimizers.SGD(lr=0.01) if optimizer == "sgd" else optimizers.Adam(lr=1e-3)
    model.compile(optimizer=opt, loss="cross_entropy")
    start = time.perf_counter()
    model.fit(X, y, epochs=1, batch_size=BATCH, verbose=0)
    return time.perf_counter() - start


def torch_epoch(X: np.ndarray, y: np.ndarray, optimizer: str) -> float:
    import torch

    torch.manual_seed(0)
    net = torch.nn.Sequential(
        torch.nn.Linear(D, H),
        torch.nn.ReLU(),
        torch.nn.Linear(H, H),
        torch.nn.ReLU(),
        torch.nn.Linear(H, C),
    )
    opt = (
        torch.optim.SGD(net.parameters(), lr=0.01)
        if optimizer == "sgd"
        else torch.optim.Adam(net.parameters(), lr=1e-3)
    )
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    loss_fn = torch.nn.CrossEntropyLoss()
    start = time.perf_counter()
    perm = torch.randperm(N)
    for i in range(0, N, BATCH):
        idx = perm[i : i + BATCH]
        opt.zero_grad()
        loss_fn(net(Xt[idx]), yt[idx]).backward()
        opt.step()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--optimizer", choices=("sgd", "adam"), default="sgd")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--torch", action="store_true", help="also time PyTorch")
    args = parser.parse_args()
    X, y = data()
    runs = {"gradlab": gradlab_epoch}
    if args.torch:
        runs["torch"] = torch_epoch
    for name, fn in runs.items():
        times = [fn(X, y, args.optimizer) for _ in range(args.repeats)]
        print(
            f"{name:8s} {args.optimizer}: median {statistics.median(times):.2f} s per epoch "
            f"(min {min(times):.2f}, max {max(times):.2f}, {args.repeats} repeats)"
        )


if __name__ == "__main__":
    main()
