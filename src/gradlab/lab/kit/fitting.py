"""Training runs of the experiments: silent fits, divergence recorded as a result, accuracy.

Networks come from :func:`gradlab.model.mlp`. Several claims (C3, C4, C7, C14, C15) measure
what happens when training blows up, so :func:`fit_or_diverge` records a
:class:`gradlab.TrainingDivergedError` as an outcome instead of failing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ... import TrainingDivergedError
from ...callbacks import Callback
from ...model import Sequential, mlp

__all__ = ["accuracy", "digits_model", "fit_mlp", "fit_or_diverge", "fit_with_adam"]


def accuracy(model: Sequential, X: NDArray, y: NDArray) -> float:
    """Return the share of rows whose largest output is the label (inference mode).

    Overflow in a model that training pushed to huge weights is tolerated: an infinite logit
    still has an argmax, and the accuracy is what the experiment records.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        return float(np.mean(np.argmax(model.predict(X), axis=1) == y))


class _Position(Callback):
    """Remember the epoch and batch being trained (to say where a divergence happened) and the
    loss of every step."""

    def __init__(self) -> None:
        super().__init__()
        self.epoch = self.batch = 0
        self.losses: list[float] = []

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any]) -> None:
        self.epoch = epoch

    def on_batch_begin(self, batch: int, logs: dict[str, Any]) -> None:
        self.batch = batch

    def on_batch_end(self, batch: int, logs: dict[str, Any]) -> None:
        self.losses.append(float(logs["loss"]))


def fit_or_diverge(
    model: Sequential,
    X: NDArray,
    y: NDArray,
    *,
    epochs: int,
    batch_size: int,
    callbacks: Sequence[Callback] = (),
) -> dict[str, Any]:
    """Fit the compiled ``model`` silently; a divergence is a result, not an error.

    Returns ``loss`` and ``accuracy`` (per epoch, float64 arrays; ``accuracy`` is empty
    unless the model was compiled with that metric), ``step_loss`` (the loss of every step,
    before its update) and ``diverged_at``. On :class:`gradlab.TrainingDivergedError` (loss or
    gradient NaN/inf) training stops, ``diverged_at`` holds the 1-based ``(epoch, batch)`` of
    the batch that went non-finite and the curves hold what came before it; otherwise
    ``diverged_at`` is None. Nothing is timed here (callers that report wall-clock time
    measure it around the call), so the returned results repeat exactly.
    """
    where = _Position()
    diverged_at = None
    try:
        model.fit(
            X, y, epochs=epochs, batch_size=batch_size, verbose=0, callbacks=[where, *callbacks]
        )
    except TrainingDivergedError:
        diverged_at = (where.epoch + 1, where.batch + 1)
    history = model.history.history
    return {
        "loss": np.array(history.get("loss", []), dtype=np.float64),
        "accuracy": np.array(history.get("accuracy", []), dtype=np.float64),
        "step_loss": np.array(where.losses, dtype=np.float64),
        "diverged_at": diverged_at,
    }


def fit_with_adam(
    model: Sequential,
    X: NDArray,
    y: NDArray,
    config: dict[str, Any],
    *,
    loss: str = "cross_entropy",
    callbacks: Sequence[Any] = (),
) -> dict[str, list[float]]:
    """Compile ``model`` with Adam(``config["lr"]``) and fit it silently; return the history.

    Uses ``config["epochs"]`` and ``config["batch_size"]`` (``None``: the whole set per step).
    """
    model.compile(
        optimizer={"name": "adam", "config": {"lr": config["lr"]}},
        loss=loss,
        metrics=["accuracy"] if loss != "mse" else None,
    )
    batch = config.get("batch_size") or len(X)
    history = model.fit(
        X, y, epochs=config["epochs"], batch_size=batch, verbose=0, callbacks=list(callbacks)
    )
    return history.history


def fit_mlp(
    X: NDArray,
    y: NDArray,
    *,
    hidden: Sequence[int],
    output: int,
    seed: int,
    epochs: int,
    activation: Any = "relu",
    output_activation: Any = None,
    loss: str = "cross_entropy",
    init: str = "he_normal",
    optimizer: Any = "adam",
    batch_size: int = 32,
    dtype: str = "float32",
    callbacks: Sequence[Any] = (),
) -> Sequential:
    """Build :func:`gradlab.model.mlp`, train it silently and return it."""
    model = mlp(
        hidden,
        output,
        input_dim=X.shape[1],
        activation=activation,
        output_activation=output_activation,
        init=init,
        seed=seed,
        dtype=dtype,
    )
    model.compile(optimizer=optimizer, loss=loss)
    model.fit(X, y, epochs=epochs, batch_size=batch_size, verbose=0, callbacks=list(callbacks))
    return model


def digits_model(
    config: dict[str, Any],
    seed: int,
    optimizer: Any,
    *,
    activation: str = "relu",
    init: str = "glorot_uniform",
    input_dim: int = 64,
) -> Sequential:
    """Build ``mlp(config["hidden"], 10, input_dim=input_dim)`` and compile it with
    ``optimizer`` and cross entropy (softmax fused into the loss).

    ``input_dim`` is the width of the data (64 for the bundled 8x8 digits, 784 for MNIST):
    pass ``X.shape[1]``.
    """
    model = mlp(
        config["hidden"], 10, input_dim=input_dim, activation=activation, init=init, seed=seed
    )
    model.compile(optimizer=optimizer, loss="cross_entropy")
    return model
