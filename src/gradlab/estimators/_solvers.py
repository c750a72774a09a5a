"""The solvers of the estimators: scikit-learn's ``"sgd"``, ``"adam"`` and ``"lbfgs"``, and
gradlab's optimizers under their own names.

The stochastic solvers update the model's packed parameter vector ``θ`` in place from its
packed gradient ``g`` (:meth:`~gradlab.Sequential._pack_weights` keeps every weight in one
buffer), with scikit-learn's update rules, which are not torch.optim's:

``"sgd"`` (momentum ``μ``, learning rate ``η``)::

    v ← μ v − η g
    θ ← θ + v                  (nesterovs_momentum=False)
    θ ← θ + μ v − η g          (nesterovs_momentum=True, the default)

  The velocity holds steps, not gradients (torch's buffer holds gradients and is scaled by
  the current rate at each step), so the two differ once ``η`` changes: with
  ``learning_rate="invscaling"`` (``η_t = η₀ / (t + 1)^power_t``, ``t`` the samples seen) and
  ``"adaptive"`` (``η ← η / 5`` each time the loss stops improving).

``"adam"`` (Kingma & Ba's Algorithm 1, as scikit-learn writes it)::

    m ← β₁ m + (1 − β₁) g,   v ← β₂ v + (1 − β₂) g²
    η_t = η √(1 − β₂ᵗ) / (1 − β₁ᵗ)
    θ ← θ − η_t m / (√v + ε)

  torch's Adam adds ``ε`` to ``√(v / (1 − β₂ᵗ))`` instead: the same when ``ε`` is negligible,
  not to the last digit.

Written element by element in the order scikit-learn evaluates them, these updates give
scikit-learn's parameters bit for bit from the same gradient. gradlab's optimizers
(``"gradlab_sgd"``, ``"gradlab_momentum"``, ...) keep torch.optim's rules.

``"lbfgs"`` minimises the full-batch loss over the packed vector with
``scipy.optimize.minimize(method="L-BFGS-B")``, as scikit-learn does (:func:`run_lbfgs`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.optimize
from numpy.typing import NDArray

from .. import optimizers

__all__ = [
    "GRADLAB_SOLVERS",
    "SKLEARN_SOLVERS",
    "SOLVERS",
    "AdamSolver",
    "GradlabSolver",
    "SGDSolver",
    "run_lbfgs",
]

#: scikit-learn's solvers, with scikit-learn's meaning.
SKLEARN_SOLVERS = ("lbfgs", "sgd", "adam")

#: gradlab's optimizers (torch.optim's update rules), each ``"gradlab_" + its name`` so that
#: none reads as one of scikit-learn's: for each, the estimator settings it takes besides
#: ``lr=learning_rate_init`` and ``clip_norm``.
GRADLAB_SOLVERS: dict[str, tuple[str, ...]] = {
    "gradlab_sgd": (),
    "gradlab_momentum": ("momentum",),
    "gradlab_nesterov": ("momentum",),
    "gradlab_adagrad": ("eps",),
    "gradlab_rmsprop": ("eps",),
    "gradlab_adam": ("betas", "eps"),
    "gradlab_adamw": ("betas", "eps"),
}

#: Every ``solver`` the estimators accept.
SOLVERS = (*SKLEARN_SOLVERS, *GRADLAB_SOLVERS)

Array = NDArray[np.floating]


class _Solver:
    """What the training loop calls: ``update_params``, ``iteration_ends`` and
    ``trigger_stopping``; ``learning_rate`` is the current rate."""

    learning_rate: float

    def update_params(self, params: Array, grads: Array) -> None:
        raise NotImplementedError

    def iteration_ends(self, time_step: int) -> None:
        """Called after each epoch with the samples seen so far (``t_``)."""

    def trigger_stopping(self, msg: str, verbose: bool | int) -> bool:
        """The loss stopped improving: return whether to stop (True unless the solver can
        lower its learning rate instead)."""
        if verbose:
            print(f"{msg} Stopping.")
        return True


class SGDSolver(_Solver):
    """scikit-learn's ``"sgd"``: momentum on the steps, Nesterov's by default, and the
    learning-rate schedules ``"constant"``, ``"invscaling"`` and ``"adaptive"``.

    Args:
        size, dtype: Of the packed parameter vector (the velocity starts at zero).
        learning_rate_init: ``η₀``.
        lr_schedule: ``"constant"``, ``"invscaling"`` or ``"adaptive"``.
        momentum: ``μ`` in [0, 1].
        nesterov: Nesterov's momentum.
        power_t: The exponent of ``"invscaling"``.
    """

    def __init__(
        self,
        size: int,
        dtype: Any,
        *,
        learning_rate_init: float,
        lr_schedule: str = "constant",
        momentum: float = 0.9,
        nesterov: bool = True,
        power_t: float = 0.5,
    ) -> None:
        self.learning_rate_init = learning_rate_init
        self.learning_rate = float(learning_rate_init)
        self.lr_schedule, self.momentum, self.nesterov = lr_schedule, momentum, nesterov
        self.power_t = power_t
        self.velocity = np.zeros(size, dtype=dtype)

    def update_params(self, params: Array, grads: Array) -> None:
        v, mu, lr = self.velocity, self.momentum, self.learning_rate
        v *= mu
        v -= lr * grads  # v ← μ v − η g
        if self.nesterov:
            params += mu * v - lr * grads
        else:
            params += v

    def iteration_ends(self, time_step: int) -> None:
        if self.lr_schedule == "invscaling":
            self.learning_rate = float(self.learning_rate_init) / (time_step + 1) ** self.power_t

    def trigger_stopping(self, msg: str, verbose: bool | int) -> bool:
        if self.lr_schedule != "adaptive":
            return super().trigger_stopping(msg, verbose)
        if self.learning_rate <= 1e-6:
            if verbose:
                print(f"{msg} Learning rate too small. Stopping.")
            return True
        self.learning_rate /= 5.0
        if verbose:
            print(f"{msg} Setting learning rate to {self.learning_rate:f}")
        return False


class AdamSolver(_Solver):
    """scikit-learn's ``"adam"`` (``ε`` added to ``√v``, the bias corrections folded into the
    step size ``η_t``).

    Args:
        size, dtype: Of the packed parameter vector (the moments start at zero).
        learning_rate_init: ``η``.
        beta_1, beta_2, epsilon: ``β₁``, ``β₂``, ``ε``.
    """

    def __init__(
        self,
        size: int,
        dtype: Any,
        *,
        learning_rate_init: float,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
    ) -> None:
        self.learning_rate_init = learning_rate_init
        self.learning_rate = float(learning_rate_init)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.t = 0
        self.m = np.zeros(size, dtype=dtype)
        self.v = np.zeros(size, dtype=dtype)

    def update_params(self, params: Array, grads: Array) -> None:
        b1, b2 = self.beta_1, self.beta_2
        self.t += 1
        self.m *= b1
        self.m += (1 - b1) * grads
        self.v *= b2
        self.v += (1 - b2) * grads**2
        self.learning_rate = self.learning_rate_init * np.sqrt(1 - b2**self.t) / (1 - b1**self.t)
        params += -self.learning_rate * self.m / (np.sqrt(self.v) + self.epsilon)


class GradlabSolver(_Solver):
    """One of gradlab's optimizers (torch.optim's rules) stepping the model's parameters.

    The estimator's ``learning_rate`` schedule does not apply (as in scikit-learn, where it
    is a setting of ``"sgd"`` only); ``learning_rate`` reads the optimizer's rate.
    """

    def __init__(self, optimizer: optimizers.Optimizer, params: list[Array], grads: list[Array]):
        self.optimizer, self.params, self.grads = optimizer, params, grads

    @property
    def learning_rate(self) -> float:  # type: ignore[override]
        return float(self.optimizer.lr)

    def update_params(self, params: Array, grads: Array) -> None:
        # ``params`` and ``grads`` are the packed buffers the per-layer views belong to.
        self.optimizer.step(self.params, self.grads)


def gradlab_optimizer(
    solver: str,
    *,
    learning_rate_init: float,
    momentum: float,
    beta_1: float,
    beta_2: float,
    epsilon: float,
    clip_norm: float | None,
) -> optimizers.Optimizer:
    """Return the gradlab optimizer that ``solver`` (``"gradlab_<name>"``) names."""
    settings = {"momentum": momentum, "eps": epsilon, "betas": (beta_1, beta_2)}
    config: dict[str, Any] = {"lr": learning_rate_init, "clip_norm": clip_norm}
    config.update((key, settings[key]) for key in GRADLAB_SOLVERS[solver])
    return optimizers.get({"name": solver.removeprefix("gradlab_"), "config": config})


def run_lbfgs(
    fun: Callable[[Array], tuple[float, Array]],
    x0: Array,
    *,
    max_iter: int,
    max_fun: int,
    tol: float,
    on_iteration: Callable[[int, float], None] | None = None,
) -> scipy.optimize.OptimizeResult:
    """Minimise ``fun`` (returning the loss and its gradient) from ``x0`` with L-BFGS-B.

    ``max_iter`` bounds the iterations, ``max_fun`` the evaluations of ``fun`` and ``tol``
    is the projected-gradient tolerance ``gtol``, as in scikit-learn. ``on_iteration(k,
    loss)`` is called after each iteration.
    """
    count = 0

    def callback(intermediate_result: scipy.optimize.OptimizeResult) -> None:
        nonlocal count
        count += 1
        if on_iteration is not None:
            on_iteration(count, float(intermediate_result.fun))

    return scipy.optimize.minimize(
        fun,
        np.asarray(x0, dtype=np.float64),
        method="L-BFGS-B",
        jac=True,
        callback=callback,
        options={"maxfun": max_fun, "maxiter": max_iter, "gtol": tol},
    )


def clip_by_norm(grads: Array, clip_norm: float | None) -> None:
    """Scale the packed gradient in place so that its L2 norm is at most ``clip_norm``."""
    if clip_norm is None:
        return
    norm = math.sqrt(float(np.dot(grads, grads)))
    if norm > clip_norm:
        grads *= clip_norm / norm
