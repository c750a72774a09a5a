"""From the estimator's parameters to a gradlab network: seed, network and optimizer."""

from __future__ import annotations

import itertools
from numbers import Integral
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import InvalidParameterError

from .. import activations, initializers
from .._checks import check_int
from ..model import Sequential, check_hidden_activation, mlp

__all__ = [
    "build_network",
    "engine_seed",
    "hidden_activations",
    "hidden_sizes",
    "invalid",
    "is_auto",
    "seed_from_random_state",
    "sklearn_weights",
]


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


def is_auto(kernel_initializer: Any) -> bool:
    """Whether ``kernel_initializer`` asks for scikit-learn's initialisation."""
    return isinstance(kernel_initializer, str) and kernel_initializer == "auto"


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
    auto = is_auto(est.kernel_initializer)
    try:
        init = initializers.get("glorot_uniform" if auto else est.kernel_initializer)
    except (TypeError, ValueError) as exc:
        raise InvalidParameterError(
            f"The 'kernel_initializer' parameter of {type(est).__name__}: {exc}"
        ) from None
    model = mlp(
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
    return model


def sklearn_weights(
    units: list[int], activation: Any, random_state: np.random.RandomState, dtype: Any
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Draw the weights as scikit-learn's MLP does (``kernel_initializer="auto"``).

    For each layer, the kernel, then the bias, uniform on ``±√(f / (fan_in + fan_out))``
    with ``f = 2`` for a logistic hidden activation and 6 otherwise (Glorot & Bengio's
    bound; scikit-learn draws the biases from it too), from scikit-learn's ``RandomState``:
    the same ``random_state`` gives scikit-learn's very numbers.
    """
    factor = 2.0 if activation in ("logistic", "sigmoid") else 6.0
    coefs, intercepts = [], []
    for fan_in, fan_out in itertools.pairwise(units):
        bound = np.sqrt(factor / (fan_in + fan_out))
        coefs.append(random_state.uniform(-bound, bound, (fan_in, fan_out)).astype(dtype))
        intercepts.append(random_state.uniform(-bound, bound, fan_out).astype(dtype))
    return coefs, intercepts


def engine_seed(random_state: Any) -> int:
    """The seed of what scikit-learn does not draw (dropout masks, the probe rows of
    ``diagnostics_``, gradlab initializers): an int is itself, ``None`` fresh entropy, and a
    ``RandomState`` gives a seed computed from its state without drawing from it (a draw
    would shift the numbers scikit-learn's own draws take from it)."""
    if isinstance(random_state, np.random.RandomState):
        key = random_state.get_state()[1]
        return int(np.random.SeedSequence(key.tolist()).generate_state(1)[0])
    return seed_from_random_state(random_state)
