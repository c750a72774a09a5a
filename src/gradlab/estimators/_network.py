"""From the estimator's parameters to a gradlab network: seed, network and optimizer."""

from __future__ import annotations

from numbers import Integral
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import InvalidParameterError

from .. import activations, initializers, optimizers
from .._checks import check_int
from ..model import Sequential, check_hidden_activation, mlp

__all__ = [
    "SOLVERS",
    "build_network",
    "hidden_activations",
    "hidden_sizes",
    "invalid",
    "make_optimizer",
    "seed_from_random_state",
]

#: For each ``solver`` (a gradlab optimizer's name), the estimator's settings it takes besides
#: ``lr=learning_rate_init`` and ``clip_norm``.
_SOLVER_SETTINGS: dict[str, tuple[str, ...]] = {
    "sgd": (),
    "momentum": ("momentum",),
    "nesterov": ("momentum",),
    "adagrad": ("eps",),
    "rmsprop": ("eps",),
    "adam": ("betas", "eps"),
    "adamw": ("betas", "eps"),
}

#: ``solver`` names, each a gradlab optimizer with ``learning_rate_init`` as its ``lr``.
SOLVERS = tuple(_SOLVER_SETTINGS)


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
    try:
        return tuple(check_int(size, "hidden_layer_sizes", low=1) for size in sizes)
    except (TypeError, ValueError):
        raise invalid(est, "hidden_layer_sizes", "positive ints", est.hidden_layer_sizes) from None


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
        try:
            found.append(check_hidden_activation(act, "activation"))
        except ValueError:
            raise invalid(est, "activation", "an activation that keeps the width", item) from None
    return found


def build_network(
    est: BaseEstimator,
    hidden: tuple[int, ...],
    out_activation: str,
    n_outputs: int,
    *,
    input_dim: int,
    seed: int,
    dtype: Any,
) -> Sequential:
    """Return the network (:func:`gradlab.model.mlp`): per hidden layer ``Dense(act)`` or
    ``Dense, BatchNorm, Activation``, then ``Dropout`` when asked for; last a ``Dense`` with
    the output activation."""
    try:
        init = initializers.get(est.kernel_initializer)
    except (TypeError, ValueError) as exc:
        raise InvalidParameterError(
            f"The 'kernel_initializer' parameter of {type(est).__name__}: {exc}"
        ) from None
    return mlp(
        hidden,
        n_outputs,
        input_dim=input_dim,
        activation=hidden_activations(est, len(hidden)),
        output_activation=out_activation,
        init=init,
        batch_norm=est.batch_norm,
        dropout=est.dropout,
        seed=seed,
        dtype=dtype,
    )


def make_optimizer(est: BaseEstimator) -> optimizers.Optimizer:
    """Return the gradlab optimizer named by ``solver``, with the estimator's settings."""
    if est.solver == "nesterov" and est.momentum == 0:
        raise invalid(est, "momentum", "> 0 with solver='nesterov'", est.momentum)
    settings = {
        "momentum": est.momentum,
        "eps": est.epsilon,
        "betas": (est.beta_1, est.beta_2),
    }
    config = {"lr": est.learning_rate_init, "clip_norm": est.clip_norm}
    config.update((key, settings[key]) for key in _SOLVER_SETTINGS[est.solver])
    return optimizers.get({"name": est.solver, "config": config})
