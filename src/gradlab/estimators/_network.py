"""From the estimator's parameters to a gradlab network: seed, layers and optimizer."""

from __future__ import annotations

from numbers import Integral
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import InvalidParameterError

from .. import activations, initializers, optimizers
from ..layers import Activation, BatchNorm, Dense, Dropout, Layer

__all__ = [
    "SOLVERS",
    "build_layers",
    "hidden_activations",
    "hidden_sizes",
    "invalid",
    "make_optimizer",
    "seed_from_random_state",
]

#: ``solver`` names, each a gradlab optimizer with ``learning_rate_init`` as its ``lr``.
SOLVERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw")


def seed_from_random_state(random_state: Any) -> int:
    """Turn scikit-learn's ``random_state`` into the int seed of ``np.random.default_rng``.

    * an int is the seed itself;
    * a ``np.random.RandomState`` gives one draw, ``random_state.randint(2**31 - 1)`` (so, as in
      scikit-learn, a shared RandomState gives a different seed at each fit, and the same
      sequence of seeds when it is re-created with the same seed);
    * ``None`` draws a fresh seed from the operating system's entropy (as scikit-learn's None,
      two fits differ).

    The estimators store the seed they used in ``seed_``: ``random_state=est.seed_`` repeats a
    fit exactly.
    """
    if random_state is None:
        return int(np.random.SeedSequence().generate_state(1)[0])
    if isinstance(random_state, Integral) and not isinstance(random_state, bool):
        return int(random_state)
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(np.iinfo(np.int32).max))
    raise InvalidParameterError(
        "random_state must be an int, a numpy RandomState or None; got "
        f"{type(random_state).__name__}: {random_state!r}"
    )


def invalid(est: BaseEstimator, name: str, expected: str, got: Any) -> InvalidParameterError:
    """Return scikit-learn's error for a bad parameter value, in scikit-learn's words."""
    return InvalidParameterError(
        f"The {name!r} parameter of {type(est).__name__} must be {expected}. Got {got!r} instead."
    )


def hidden_sizes(est: BaseEstimator) -> tuple[int, ...]:
    """Return ``hidden_layer_sizes`` as a tuple of positive ints (an int is one layer)."""
    sizes = est.hidden_layer_sizes
    sizes = [sizes] if isinstance(sizes, Integral) else list(sizes)
    for size in sizes:
        if isinstance(size, bool) or not isinstance(size, Integral) or size < 1:
            raise invalid(est, "hidden_layer_sizes", "positive ints", est.hidden_layer_sizes)
    return tuple(int(s) for s in sizes)


def hidden_activations(est: BaseEstimator, n_hidden: int) -> list[activations.Activation]:
    """Return one activation per hidden layer; each must keep the width (``glu`` does not)."""
    spec = est.activation
    per_layer = list(spec) if isinstance(spec, list | tuple) else [spec] * n_hidden
    if len(per_layer) != n_hidden:
        raise invalid(
            est,
            "activation",
            f"one activation or a list of {n_hidden} (one per hidden layer)",
            spec,
        )
    found = []
    for item in per_layer:
        try:
            act = activations.get(item)
        except (TypeError, ValueError) as exc:
            raise InvalidParameterError(
                f"The 'activation' parameter of {type(est).__name__}: {exc}"
            ) from None
        probe = np.zeros((1, 4))
        if act(probe).shape != probe.shape:
            raise invalid(est, "activation", "an activation that keeps the width", item)
        found.append(act)
    return found


def build_layers(
    est: BaseEstimator, hidden: tuple[int, ...], out_activation: str, n_outputs: int
) -> list[Layer]:
    """Return the layers: per hidden layer ``Dense(act)`` or ``Dense, BatchNorm, Activation``,
    then ``Dropout`` when asked for; last a ``Dense`` with the output activation."""
    try:
        init = initializers.get(est.kernel_initializer)
    except (TypeError, ValueError) as exc:
        raise InvalidParameterError(
            f"The 'kernel_initializer' parameter of {type(est).__name__}: {exc}"
        ) from None
    stack: list[Layer] = []
    for units, act in zip(hidden, hidden_activations(est, len(hidden)), strict=True):
        if est.batch_norm:
            stack += [Dense(units, kernel_initializer=init), BatchNorm(), Activation(act)]
        else:
            stack.append(Dense(units, act, kernel_initializer=init))
        if est.dropout:
            stack.append(Dropout(est.dropout))
    stack.append(Dense(n_outputs, out_activation, kernel_initializer=init))
    return stack


def make_optimizer(est: BaseEstimator) -> optimizers.Optimizer:
    """Return the gradlab optimizer named by ``solver``, with the estimator's settings."""
    lr, clip, eps = est.learning_rate_init, est.clip_norm, est.epsilon
    betas = (est.beta_1, est.beta_2)
    if est.solver == "nesterov" and est.momentum == 0:
        raise invalid(est, "momentum", "> 0 with solver='nesterov'", est.momentum)
    make = {
        "sgd": lambda: optimizers.SGD(lr, clip_norm=clip),
        "momentum": lambda: optimizers.Momentum(lr, est.momentum, clip_norm=clip),
        "nesterov": lambda: optimizers.Nesterov(lr, est.momentum, clip_norm=clip),
        "adagrad": lambda: optimizers.Adagrad(lr, eps=eps, clip_norm=clip),
        "rmsprop": lambda: optimizers.RMSprop(lr, eps=eps, clip_norm=clip),
        "adam": lambda: optimizers.Adam(lr, betas, eps, clip_norm=clip),
        "adamw": lambda: optimizers.AdamW(lr, betas, eps, clip_norm=clip),
    }
    return make[est.solver]()
