"""``gradlab train``: build an MLP from flags, train it on a bundled data set, report accuracy.

Example::

    gradlab train --data digits --layers 64,64 --activation relu --optimizer adam \\
        --lr 1e-3 --epochs 20 --batch-size 32 --init he_normal --seed 0 --save model.npz
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from .common import UsageError

__all__ = ["add_parser", "build_model", "cmd_train"]

TOY_SETS = ("xor", "circles", "moons", "spirals", "gauss", "linear")
IMAGE_SETS = ("digits", "mnist", "fashion_mnist")


def add_parser(groups: Any) -> None:
    """Add ``train`` to the ``gradlab`` sub-command group."""
    p = groups.add_parser(
        "train",
        help="train an MLP on a data set and report train/test accuracy",
        description="Train a multi-layer perceptron with the chosen activation, optimizer, "
        "initializer and remedies, then print train and test accuracy and the time taken.",
    )
    p.add_argument("--data", default="digits", help=f"one of {', '.join(IMAGE_SETS + TOY_SETS)}")
    p.add_argument("--data-dir", type=Path, help="folder with the IDX files (mnist, fashion_mnist)")
    p.add_argument("--n-samples", type=int, default=1000, help="toy sets: samples (default 1000)")
    p.add_argument("--noise", type=float, default=None, help="toy sets: noise (default per set)")
    p.add_argument("--test-size", type=float, default=0.2, help="toy sets/digits: test fraction")
    p.add_argument("--layers", default="64,64", help="hidden sizes, e.g. 64,64 ('' for none)")
    p.add_argument("--activation", default="relu", help="any gradlab activation (default relu)")
    p.add_argument(
        "--optimizer",
        default="adam",
        help="sgd, momentum, nesterov, adagrad, rmsprop, adam, adamw (default adam)",
    )
    p.add_argument("--lr", type=float, default=None, help="learning rate (default: optimizer's)")
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument(
        "--init",
        default="glorot_uniform",
        help="kernel initializer (default glorot_uniform; he_normal suits relu)",
    )
    p.add_argument("--batchnorm", action="store_true", help="BatchNorm before each activation")
    p.add_argument(
        "--dropout", type=float, default=0.0, help="dropout rate after each hidden layer"
    )
    p.add_argument("--clip-norm", type=float, default=None, help="clip the global gradient norm")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    p.add_argument("--save", type=Path, help="write the trained model to this .npz file")
    p.add_argument("--quiet", action="store_true", help="no progress bar, only the final line")
    p.set_defaults(handler=cmd_train)


def _hidden_sizes(spec: str) -> list[int]:
    try:
        sizes = [int(s) for s in spec.replace(" ", "").split(",") if s]
    except ValueError:
        raise UsageError(f"--layers must be comma-separated positive ints, got {spec!r}") from None
    if any(s < 1 for s in sizes):
        raise UsageError(f"--layers must be comma-separated positive ints, got {spec!r}")
    return sizes


def load_data(args: argparse.Namespace) -> tuple[Any, Any, Any, Any]:
    """Return ``X_train, y_train, X_test, y_test`` for ``--data``."""
    from .. import datasets

    name = args.data.lower().replace("-", "_")
    if name == "digits":
        (Xtr, ytr), (Xte, yte) = datasets.digits(test_size=args.test_size, seed=args.seed)
    elif name in ("mnist", "fashion_mnist"):
        loader = getattr(datasets, name)
        (Xtr, ytr), (Xte, yte) = loader(args.data_dir)
    else:
        kwargs: dict[str, Any] = {"n_samples": args.n_samples, "seed": args.seed}
        if args.noise is not None:
            kwargs["noise"] = args.noise
        X, y = datasets.load(name, **kwargs)
        Xtr, Xte, ytr, yte = datasets.train_test_split(
            X, y, test_size=args.test_size, seed=args.seed
        )
    return Xtr, ytr, Xte, yte


def build_model(args: argparse.Namespace, input_dim: int, n_classes: int) -> Any:
    """Return the compiled :class:`~gradlab.Sequential` the flags describe."""
    from .. import optimizers
    from ..layers import Activation, BatchNorm, Dense, Dropout
    from ..model import Sequential

    stack: list[Any] = []
    for units in _hidden_sizes(args.layers):
        if args.batchnorm:
            stack += [
                Dense(units, kernel_initializer=args.init),
                BatchNorm(),
                Activation(args.activation),
            ]
        else:
            stack.append(Dense(units, activation=args.activation, kernel_initializer=args.init))
        if args.dropout:
            stack.append(Dropout(args.dropout))
    stack.append(Dense(n_classes, kernel_initializer=args.init))
    model = Sequential(stack, input_dim=input_dim, seed=args.seed, dtype=args.dtype)
    config: dict[str, Any] = {}
    if args.lr is not None:
        config["lr"] = args.lr
    if args.clip_norm is not None:
        config["clip_norm"] = args.clip_norm
    name = optimizers.REGISTRY.canonical(args.optimizer)
    optimizer = optimizers.get({"name": name, "config": config})
    model.compile(optimizer=optimizer, loss="cross_entropy", metrics=["accuracy"])
    return model


def cmd_train(args: argparse.Namespace) -> int:
    """Train and print ``train accuracy … test accuracy … time …``."""
    from ..training import TrainingDivergedError

    try:
        Xtr, ytr, Xte, yte = load_data(args)
        n_classes = int(max(ytr.max(), yte.max())) + 1
        model = build_model(args, Xtr.shape[1], n_classes)
    except FileNotFoundError as exc:
        print(f"gradlab: {exc}", file=sys.stderr)
        return 1
    except (ValueError, TypeError) as exc:
        raise UsageError(str(exc)) from None
    if not args.quiet:
        model.summary()
    start = time.perf_counter()
    try:
        model.fit(
            Xtr,
            ytr,
            epochs=args.epochs,
            batch_size=args.batch_size,
            validation_data=(Xte, yte),
            verbose=0 if args.quiet else 1,
        )
    except (ValueError, TypeError) as exc:
        raise UsageError(str(exc)) from None
    except TrainingDivergedError as exc:
        print(f"gradlab: {exc}", file=sys.stderr)
        return 1
    took = time.perf_counter() - start
    train_acc = model.evaluate(Xtr, ytr)["accuracy"]
    test_acc = model.evaluate(Xte, yte)["accuracy"]
    print(
        f"train accuracy {train_acc:.4f}  test accuracy {test_acc:.4f}  time {took:.2f}s "
        f"({args.epochs} epochs, {len(Xtr)} train / {len(Xte)} test samples)"
    )
    if args.save:
        try:
            model.save(args.save)
        except OSError as exc:
            print(f"gradlab: cannot write {args.save}: {exc}", file=sys.stderr)
            return 1
        print(f"saved to {args.save}")
    return 0
