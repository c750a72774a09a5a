"""``gradlab train``: build an MLP from flags, train it on a bundled data set, report accuracy.

Example::

    gradlab train --data digits --layers 64,64 --activation relu --optimizer adam \\
        --lr 1e-3 --epochs 20 --batch-size 32 --init he_normal --seed 0 --save model.npz

``--save`` is checked before training starts (its folder must exist and accept files). A run
that finishes without learning (``Sequential.fit`` issues
:class:`~gradlab.TrainingStalledWarning`) ends with one ``gradlab: warning: training
stalled ...`` line on stderr after the accuracies, and exit status 0: the run did finish, and
the model is saved as asked.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path
from typing import Any

from .common import FileError, UsageError, check_output_file, parse_widths

__all__ = ["add_parser", "build_model", "cmd_train", "load_data"]


def add_parser(groups: Any) -> None:
    """Add ``train`` to the ``gradlab`` sub-command group."""
    p = groups.add_parser(
        "train",
        help="train an MLP on a data set and report train/test accuracy",
        description="Train a multi-layer perceptron with the chosen activation, optimizer, "
        "initializer and remedies, then print train and test accuracy and the time taken. "
        "If the run does not learn (the loss stays at or above its start, or the weights grow "
        "by orders of magnitude), a yellow 'warning: training stalled' line says so on stderr; "
        "the exit status stays 0. A diverged run (non-finite loss) exits with status 1.",
    )
    from .. import datasets

    p.add_argument("--data", default="digits", help=f"one of {', '.join(datasets.names())}")
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
    p.add_argument(
        "--save",
        type=Path,
        help="write the trained model to this .npz file (its folder must exist; checked "
        "before training)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar, only the final line")
    p.set_defaults(handler=cmd_train)


def load_data(args: argparse.Namespace) -> tuple[Any, Any, Any, Any]:
    """Return ``X_train, y_train, X_test, y_test`` for ``--data``."""
    from .. import datasets

    try:
        name = datasets.REGISTRY.canonical(args.data)
    except ValueError as exc:
        raise UsageError(f"--data: {exc}") from None
    if name == "digits":
        (Xtr, ytr), (Xte, yte) = datasets.digits(test_size=args.test_size, seed=args.seed)
    elif name in datasets.IMAGE_SETS:
        (Xtr, ytr), (Xte, yte) = datasets.get(name)(args.data_dir)
    else:
        kwargs: dict[str, Any] = {"n_samples": args.n_samples, "seed": args.seed}
        if args.noise is not None:
            kwargs["noise"] = args.noise
        X, y = datasets.load(name, **kwargs)
        Xtr, Xte, ytr, yte = datasets.train_test_split(
            X, y, test_size=args.test_size, seed=args.seed
        )
    return Xtr, ytr, Xte, yte


def _check_hidden_activation(name: str) -> None:
    """Raise :class:`UsageError` if activation ``name`` changes the width of a row (``glu``
    halves it), which no hidden layer of an MLP allows; an unknown name raises ValueError."""
    from .. import activations
    from ..model import check_hidden_activation

    act = activations.get(name)
    try:
        check_hidden_activation(act, "--activation")
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def build_model(args: argparse.Namespace, input_dim: int, n_classes: int) -> Any:
    """Return the compiled :class:`~gradlab.Sequential` the flags describe
    (:func:`gradlab.model.mlp` with a linear output layer, trained on the cross entropy)."""
    from .. import optimizers
    from ..model import mlp

    hidden = parse_widths(args.layers)
    if hidden:
        _check_hidden_activation(args.activation)
    model = mlp(
        hidden,
        n_classes,
        input_dim=input_dim,
        activation=args.activation,
        init=args.init,
        batch_norm=args.batchnorm,
        dropout=args.dropout,
        seed=args.seed,
        dtype=args.dtype,
    )
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
    """Train and print ``train accuracy … test accuracy … time …``.

    Checks ``--save`` first, then loads the data and builds the model, then trains; a
    :class:`~gradlab.TrainingStalledWarning` from ``fit`` is printed as one warning
    line after the accuracies (exit status 0), other warnings pass through unchanged.
    """
    from .. import TrainingDivergedError, TrainingStalledWarning

    if args.save is not None:
        check_output_file(args.save, "--save")
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
        with warnings.catch_warnings(record=True) as caught:
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
    except TrainingStalledWarning as exc:  # raised, not issued: -W error::...TrainingStalled...
        print(f"gradlab: {exc}", file=sys.stderr)
        return 1
    stalled = [w for w in caught if issubclass(w.category, TrainingStalledWarning)]
    for w in caught:  # record=True caught every warning: issue the others again, unchanged
        if w not in stalled:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, source=w.source)
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
        except OSError as exc:  # the folder changed since the check, or the disk is full
            message = str(exc)
            if str(args.save) not in message:
                message = f"cannot write {args.save}: {message}"
            raise FileError(message) from None
        print(f"saved to {args.save}")
    for w in stalled[:1]:  # fit issues it at most once per call
        _warn_stalled(str(w.message))
    return 0


def _warn_stalled(message: str) -> None:
    """Print ``gradlab: warning: training stalled ...`` in bold yellow on stderr, one line."""
    from rich.console import Console
    from rich.text import Text

    text = message if message.startswith("training stalled") else f"training stalled: {message}"
    console = Console(stderr=True, highlight=False, soft_wrap=True)
    console.print(Text(f"gradlab: warning: {text}", style="bold yellow"))
