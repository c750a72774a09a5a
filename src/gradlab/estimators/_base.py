"""What :class:`MLPClassifier` and :class:`MLPRegressor` share: parameters, fit and predict.

The training loop is scikit-learn's (``sklearn.neural_network``), step for step, run on the
gradlab engine: the network is a :class:`gradlab.Sequential` built by
:func:`gradlab.model.mlp`, whose layers do the forward and backward passes, and whose packed
parameter vector the solvers of :mod:`._solvers` update. What makes it scikit-learn's:

* **the loss** of a batch ``B`` with sample weights ``s`` (ones by default)::

      L_B = Σ_{i∈B} s_i ℓ(y_i, f(x_i)) / Σ_{i∈B} s_i  +  α / (2 Σ_{i∈B} s_i) · Σ_layers ‖W‖²

  with ``ℓ`` the log loss summed over the outputs (softmax for several classes, one
  logistic unit per output for two classes or several labels), half the squared error
  averaged over the targets, or half the Poisson deviance summed over them (log link).
  The gradient at the output's pre-activation ``z`` is ``(f(z) − y) s_i / Σ s`` for every
  pair (canonical links), summed over the targets also for the squared error — as
  scikit-learn does, whose reported squared error is averaged over the targets but whose
  gradient is that of their sum;
* **an epoch** visits the (shuffled) samples in batches of ``batch_size``; its loss is the
  batch losses weighted by batch length; ``t_`` counts the samples seen;
* **convergence**: more than ``n_iter_no_change`` epochs in a row without the loss falling
  by ``tol`` (or the validation score rising by ``tol`` with ``early_stopping``) stop
  training — or divide the rate by 5 with ``learning_rate="adaptive"``;
* **fitted attributes are the model**: ``coefs_`` and ``intercepts_`` are views of the
  network's weights; arrays assigned to them are copied in before the next prediction or
  fit, as scikit-learn reads them.
"""

from __future__ import annotations

import itertools
import warnings
from numbers import Integral, Real
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray
from scipy.special import expit, xlogy
from sklearn.base import BaseEstimator, _fit_context, is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import _safe_indexing, check_random_state
from sklearn.utils import shuffle as shuffle_rows
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, column_or_1d

from .. import TrainingDivergedError, initializers
from ..layers import Dense
from ._compat import validate_data
from ._docs import fill_doc
from ._network import (
    build_network,
    engine_seed,
    hidden_sizes,
    invalid,
    is_auto,
    sklearn_weights,
)
from ._solvers import (
    GRADLAB_SOLVERS,
    SOLVERS,
    AdamSolver,
    GradlabSolver,
    SGDSolver,
    clip_by_norm,
    gradlab_optimizer,
    run_lbfgs,
)

__all__ = ["BaseMLP", "EstimatorDivergedError"]

#: Rows of the training data on which ``diagnostics_`` measures dead units each epoch.
PROBE_SAMPLES = 256

_FLOAT_DTYPES = (np.float64, np.float32)

#: scikit-learn's name of each output activation -> gradlab's.
OUTPUT_ACTIVATIONS = {
    "softmax": "softmax",
    "logistic": "sigmoid",
    "identity": "linear",
    "exp": "exponential",
}

#: scikit-learn's words for a fit that ends with non-finite weights; the message of
#: :class:`EstimatorDivergedError` starts with them.
NONFINITE_MESSAGE = (
    "Solver produced non-finite parameter weights. The input data may contain large values "
    "and need to be preprocessed."
)


class EstimatorDivergedError(TrainingDivergedError, ValueError):
    """Training diverged inside ``fit`` or ``partial_fit`` of a gradlab estimator.

    It is a ``ValueError`` with scikit-learn's message ("Solver produced non-finite parameter
    weights..."), which is what scikit-learn's MLP raises, so code written for scikit-learn
    (``GridSearchCV(error_score=...)``, ``except ValueError``) handles it; and it is
    gradlab's :class:`~gradlab.TrainingDivergedError`, with the engine's diagnosis (epoch,
    batch, first non-finite layer, remedies) after scikit-learn's words.
    """


def _output_loss(
    out_activation: str, z: NDArray[np.floating], Y: NDArray[np.floating]
) -> tuple[NDArray[np.floating], NDArray[np.floating]]:
    """Return ``f(z)`` and the loss of every sample, computed from the pre-activation ``z``.

    From ``z`` the losses need no clipping and cannot overflow: the log loss of a softmax is
    ``logsumexp(z) − Σ_k y_k z_k``, of a logistic unit ``log(1 + eᶻ) − y z``; half the Poisson
    deviance with ``μ = eᶻ`` is ``y log y − y z − y + μ``.
    """
    if out_activation == "softmax":
        top = z.max(axis=1, keepdims=True)
        e = np.exp(z - top)
        total = e.sum(axis=1, keepdims=True)
        per_sample = (top + np.log(total)).ravel() - np.einsum("ij,ij->i", Y, z)
        return e / total, per_sample
    if out_activation == "logistic":
        return expit(z), (np.logaddexp(0, z) - Y * z).sum(axis=1)
    if out_activation == "identity":
        return z, 0.5 * ((Y - z) ** 2).mean(axis=1)
    mu = np.exp(z)  # "exp": Poisson
    return mu, (xlogy(Y, Y) - Y * z - Y + mu).sum(axis=1)


@fill_doc
class BaseMLP(BaseEstimator):
    """Parameters, network construction and the training loops of both estimators.

    Subclasses provide ``_targets`` (the validated ``y`` as the 2-D float matrix the network
    is trained on, and what stratifies the early-stopping split), ``_out_activation``
    (scikit-learn's name of the output activation) and ``_decode`` (network output to
    predictions); ``_metric`` is the score function of ``early_stopping``.
    """

    _metric: Any = None  # accuracy_score or r2_score

    _parameter_constraints: dict[str, list[Any]] = {  # noqa: RUF012 (scikit-learn's API)
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [str, dict, list, tuple],
        "solver": [StrOptions(set(SOLVERS))],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [
            Interval(Integral, 1, None, closed="left"),
            Options(Real, {np.inf}),
        ],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "kernel_initializer": [str, dict, initializers.Initializer],
        "batch_norm": ["boolean"],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "clip_norm": [Interval(Real, 0, None, closed="neither"), None],
        "dtype": [StrOptions({"float32", "float64"}), None],
    }

    def __init__(
        self,
        hidden_layer_sizes: int | tuple[int, ...] | list[int] = (100,),
        activation: str | dict[str, Any] | list[Any] | tuple[Any, ...] = "relu",
        *,
        solver: str = "adam",
        alpha: float = 1e-4,
        batch_size: int | str = "auto",
        learning_rate: str = "constant",
        learning_rate_init: float = 1e-3,
        power_t: float = 0.5,
        max_iter: int = 200,
        shuffle: bool = True,
        random_state: int | np.random.RandomState | None = None,
        tol: float = 1e-4,
        verbose: bool | int = False,
        warm_start: bool = False,
        momentum: float = 0.9,
        nesterovs_momentum: bool = True,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        n_iter_no_change: int | float = 10,
        max_fun: int = 15000,
        kernel_initializer: Any = "auto",
        batch_norm: bool = False,
        dropout: float = 0.0,
        clip_norm: float | None = None,
        dtype: str | None = None,
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.kernel_initializer = kernel_initializer
        self.batch_norm = batch_norm
        self.dropout = dropout
        self.clip_norm = clip_norm
        self.dtype = dtype

    # -- hooks of the subclasses -------------------------------------------------------------
    def _targets(
        self, y: NDArray[Any], *, incremental: bool
    ) -> tuple[NDArray[np.floating], NDArray[Any] | None]:
        """Return the 2-D training targets and what stratifies the validation split."""
        raise NotImplementedError

    def _out_activation(self) -> str:
        raise NotImplementedError

    def _decode(self, out: NDArray[np.floating]) -> NDArray[Any]:
        raise NotImplementedError

    def _check_solver(self) -> bool:
        """``partial_fit`` exists for the stochastic solvers only (not ``"lbfgs"``)."""
        if self.solver == "lbfgs":
            raise AttributeError(
                f"partial_fit is only available for stochastic solvers; {self.solver!r} is "
                "not stochastic."
            )
        return True

    # -- fitting ---------------------------------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: ArrayLike, y: ArrayLike, sample_weight: ArrayLike | None = None) -> BaseMLP:
        """Fit the network to ``(X, y)``: up to ``max_iter`` epochs (``"lbfgs"``: iterations).

        With ``warm_start=True`` a fitted estimator continues from its weights (and its
        ``t_``, ``loss_curve_`` and best scores); the solver's state starts afresh.

        Parameters
        ----------
        {X}
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Class labels (a 2-D 0/1 indicator matrix for multi-label classification) or
            regression targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample in the loss (each batch's loss is the weighted mean).

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight, incremental=False)

    def _fit(self, X: Any, y: Any, sample_weight: Any, *, incremental: bool) -> BaseMLP:
        hidden = hidden_sizes(self)
        if self.solver == "lbfgs" and (self.dropout or self.batch_norm):
            raise invalid(
                self,
                "solver",
                "a stochastic solver when dropout or batch_norm is on ('lbfgs' needs a loss "
                "that is a fixed function of the weights; dropout masks and batch statistics "
                "change at every evaluation)",
                self.solver,
            )
        first_pass = not hasattr(self, "coefs_") or (not self.warm_start and not incremental)
        X, y = self._validate_input(X, y, reset=first_pass)
        Y, stratify = self._targets(y, incremental=incremental)
        dtype = np.dtype(self.dtype or X.dtype)
        X, Y = X.astype(dtype, copy=False), Y.astype(dtype, copy=False)
        if sp.issparse(X):
            X = X.tocsr()  # row batches
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=dtype)
        # As scikit-learn: the initial weights, the validation split and the shuffles are
        # drawn from this RandomState, in this order (so a seed gives scikit-learn's numbers).
        self._random_state = check_random_state(self.random_state)
        if first_pass:
            self._initialize(X, Y, hidden, dtype)
        else:
            self._network(n_outputs=Y.shape[1])
        if self.solver == "lbfgs":
            self._fit_lbfgs(X, Y, sample_weight)
        else:
            self._fit_stochastic(X, y, Y, stratify, sample_weight, incremental=incremental)
        if not np.isfinite(self.model_._flat_params).all():
            raise EstimatorDivergedError(
                f"{NONFINITE_MESSAGE} {type(self).__name__} (solver={self.solver!r}) ended "
                "with non-finite weights."
            )
        return self

    def _validate_input(self, X: Any, y: Any, *, reset: bool) -> tuple[Any, NDArray[Any]]:
        """Return ``X`` (dense or CSR/CSC) and ``y`` validated by scikit-learn."""
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            multi_output=True,
            y_numeric=not is_classifier(self),
            dtype=_FLOAT_DTYPES,
            reset=reset,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        return X, y

    def _initialize(
        self, X: Any, Y: NDArray[np.floating], hidden: tuple[int, ...], dtype: np.dtype
    ) -> None:
        """Draw a new network and reset every fitted attribute (a first fit)."""
        self.n_outputs_ = Y.shape[1]
        self.n_layers_ = len(hidden) + 2
        self.out_activation_ = self._out_activation()
        self.n_iter_ = 0
        self.t_ = 0
        drawn = None
        if is_auto(self.kernel_initializer):  # scikit-learn's draws, before anything else
            units = [X.shape[1], *hidden, self.n_outputs_]
            drawn = sklearn_weights(units, self.activation, self._random_state, dtype)
        self.seed_ = engine_seed(self.random_state)
        model = build_network(
            self,
            hidden,
            OUTPUT_ACTIVATIONS[self.out_activation_],
            self.n_outputs_,
            input_dim=X.shape[1],
            seed=self._seeds()[0],
            dtype=dtype,
        )
        if drawn is not None:
            dense = [layer for layer in model.layers if isinstance(layer, Dense)]
            for layer, W, b in zip(dense, *drawn, strict=True):
                layer.params["W"][...] = W
                layer.params["b"][...] = b
        self._adopt(model)
        self._best_params = model._flat_params.copy()
        self.loss_curve_: list[float] = []
        self._no_improvement_count = 0
        if self.early_stopping:
            self.validation_scores_: list[float] | None = []
            self.best_validation_score_: float | None = -np.inf
            self.best_loss_: float | None = None
        else:
            self.best_loss_ = np.inf
            self.validation_scores_ = None
            self.best_validation_score_ = None
        self.diagnostics_: dict[str, list[Any]] = {
            "layers": [f"{i} {layer.describe()}" for i, layer in enumerate(model.layers)],
            "epoch": [],
            "grad_norm": [],
            "dead_fraction": [],
        }
        if hasattr(self, "_optimizer"):
            del self._optimizer

    def _seeds(self) -> tuple[int, int]:
        """The seeds of what scikit-learn does not draw, both from ``seed_``: the network's
        (gradlab initializers, dropout masks) and the probe rows of ``diagnostics_``."""
        if not hasattr(self, "seed_"):
            self.seed_ = engine_seed(self.random_state)
        model, _, probe = np.random.SeedSequence(self.seed_).generate_state(3)
        return int(model), int(probe)

    def _adopt(self, model: Any) -> None:
        """Make ``model`` the estimator's network: ``coefs_`` and ``intercepts_`` become views
        of its ``Dense`` kernels and biases."""
        self.model_ = model
        dense = [layer for layer in model.layers if isinstance(layer, Dense)]
        self.coefs_ = [layer.params["W"] for layer in dense]
        self.intercepts_ = [layer.params["b"] for layer in dense]

    def _network(self, n_outputs: int | None = None) -> Any:
        """Return ``model_`` holding the current ``coefs_`` and ``intercepts_``.

        Arrays assigned to ``coefs_``/``intercepts_`` (or to their items) after a fit, or on
        an estimator never fitted (scikit-learn's own tests set the weights by hand), are
        copied into the network — which is built from their shapes when there is none or
        its shapes differ — so that predictions and further training read them.
        """
        model = getattr(self, "model_", None)
        coefs, intercepts = list(self.coefs_), list(self.intercepts_)
        width = np.shape(coefs[-1])[-1] if coefs else None
        if n_outputs is not None and width is not None and width != n_outputs:
            raise ValueError(
                f"{type(self).__name__}: the network has {width} output(s) (coefs_[-1] is "
                f"{np.shape(coefs[-1])}) but y needs {n_outputs}; fit anew (warm_start=False) "
                "to change the targets"
            )
        if model is not None and model._packed():
            dense = [layer for layer in model.layers if isinstance(layer, Dense)]
            if len(dense) == len(coefs) == len(intercepts) and all(
                layer.params["W"] is c and layer.params["b"] is b
                for layer, c, b in zip(dense, coefs, intercepts, strict=True)
            ):
                return model
        coefs = [np.asarray(c) for c in coefs]
        intercepts = [np.asarray(b).reshape(-1) for b in intercepts]
        shapes = [c.shape for c in coefs]
        chained = (
            len(coefs) == len(intercepts) >= 1
            and all(len(s) == 2 for s in shapes)
            and all(a[1] == b[0] for a, b in itertools.pairwise(shapes))
            and all(len(b) == s[1] for b, s in zip(intercepts, shapes, strict=True))
        )
        if not chained:
            raise ValueError(
                f"{type(self).__name__}: coefs_ and intercepts_ must be lists of the same "
                "length, coefs_[i] of shape (n_in, n_out) with each n_out the next n_in and "
                "intercepts_[i] of length n_out; got coefs_ of shapes "
                f"{shapes} and intercepts_ of lengths {[len(b) for b in intercepts]}"
            )

        def dense_layers(net: Any) -> list[Dense]:
            return [] if net is None else [x for x in net.layers if isinstance(x, Dense)]

        if [layer.params["W"].shape for layer in dense_layers(model)] != shapes:
            dtype = coefs[0].dtype if coefs[0].dtype in _FLOAT_DTYPES else np.float64
            model = build_network(
                self,
                tuple(s[1] for s in shapes[:-1]),
                OUTPUT_ACTIVATIONS[self.out_activation_],
                shapes[-1][1],
                input_dim=shapes[0][0],
                seed=self._seeds()[0],
                dtype=dtype,
            )
        if not model._packed():
            model._pack_weights()
        dense = dense_layers(model)
        for layer, c, b in zip(dense, coefs, intercepts, strict=True):
            layer.params["W"][...] = c
            layer.params["b"][...] = b
        self._adopt(model)
        self.n_layers_ = len(coefs) + 1
        self.n_outputs_ = shapes[-1][1]
        if getattr(self, "_best_params", np.empty(0)).shape != model._flat_params.shape:
            self._best_params = model._flat_params.copy()
        return model

    # -- the loss and its gradient ----------------------------------------------------------
    def _backprop(
        self, X: Any, Y: NDArray[np.floating], sample_weight: NDArray[np.floating] | None
    ) -> float:
        """Return the loss (with the L2 term) of the batch ``(X, Y)`` and leave its gradient
        in the network's packed gradient ``model_._flat_grads``."""
        model = self.model_
        layers = model.layers
        h = X
        for layer in layers[:-1]:
            h = layer.forward_train(h)
        z = layers[-1].forward_train_logits(h)
        out, per_sample = _output_loss(self.out_activation_, z, Y)
        weights = np.ones(len(z), dtype=z.dtype) if sample_weight is None else sample_weight
        total = weights.sum()
        kernels = [layer.params["W"] for layer in layers if isinstance(layer, Dense)]
        squares = sum(float(np.dot(w.ravel(), w.ravel())) for w in kernels)
        loss = float(np.dot(weights, per_sample) / total) + 0.5 * self.alpha * squares / total
        grad = out - Y
        grad *= (weights / total)[:, None]
        for layer in reversed(layers):
            grad = layer.backward_train(grad)
        if self.alpha:
            for layer in layers:
                if isinstance(layer, Dense):
                    layer.grads["W"] += (self.alpha / total) * layer.params["W"]
        return loss

    def _pack_order(self) -> NDArray[np.intp]:
        """Positions in the model's packed vector of scikit-learn's packing: every kernel,
        then every bias (then any other parameter: BatchNorm's)."""
        model = self.model_
        offsets, start = {}, 0
        for param in model._params:  # packed one after the other, in this order
            offsets[id(param)] = start
            start += param.size
        pieces = [
            np.arange(offsets[id(a)], offsets[id(a)] + a.size)
            for a in (*self.coefs_, *self.intercepts_)
        ]
        taken = np.concatenate(pieces)
        rest = np.setdiff1d(np.arange(start), taken, assume_unique=True)
        return np.concatenate([taken, rest]).astype(np.intp)

    def _loss_grad_lbfgs(
        self,
        packed_coef_inter: NDArray[np.floating],
        X: Any,
        y: NDArray[np.floating],
        sample_weight: NDArray[np.floating] | None = None,
        *buffers: Any,
    ) -> tuple[float, NDArray[np.floating]]:
        """Return the loss and its gradient at the weights ``packed_coef_inter``.

        The vector is packed as scikit-learn packs it (every kernel flattened, then every
        bias), ``y`` is the 2-D target matrix (one-hot or 0/1 columns for a classifier). The
        weights are left at ``packed_coef_inter``. ``buffers`` (scikit-learn's work arrays)
        are accepted and ignored.
        """
        model = self.model_
        order = self._order
        model._flat_params[order] = packed_coef_inter
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            loss = self._backprop(X, np.asarray(y, dtype=model.dtype), sample_weight)
        grad = model._flat_grads[order].astype(np.float64)
        if not np.isfinite(loss):
            loss = np.inf  # L-BFGS-B's line search backs off from an infinite loss
        return loss, grad

    # -- L-BFGS ------------------------------------------------------------------------------
    def _fit_lbfgs(
        self, X: Any, Y: NDArray[np.floating], sample_weight: NDArray[np.floating] | None
    ) -> None:
        model = self.model_
        self._order = self._pack_order()
        curve: list[float] = []

        def on_iteration(k: int, loss: float) -> None:
            curve.append(loss)
            if self.verbose:
                print(f"Iteration {k}, loss = {loss:.8f}")

        result = run_lbfgs(
            lambda theta: self._loss_grad_lbfgs(theta, X, Y, sample_weight),
            model._flat_params[self._order],
            max_iter=self.max_iter,
            max_fun=self.max_fun,
            tol=self.tol,
            on_iteration=on_iteration,
        )
        model._flat_params[self._order] = result.x
        self.n_iter_ = min(int(result.nit), self.max_iter)
        self.loss_ = float(result.fun)
        self.loss_curve_ = curve
        model.steps += int(result.nit)
        if result.status != 0:
            message = result.message
            message = message.decode() if isinstance(message, bytes) else str(message)
            warnings.warn(
                f"{type(self).__name__}: lbfgs failed to converge after {result.nit} "
                f"iteration(s) and {result.nfev} loss evaluations (status={result.status}: "
                f"{message}). Increase max_iter (now {self.max_iter}) or max_fun (now "
                f"{self.max_fun}), or scale the data (sklearn.preprocessing.StandardScaler).",
                ConvergenceWarning,
                stacklevel=5,
            )

    # -- the stochastic solvers --------------------------------------------------------------
    def _make_solver(self) -> Any:
        model = self.model_
        size, dtype = model._flat_params.size, model.dtype
        if self.solver == "sgd":
            return SGDSolver(
                size,
                dtype,
                learning_rate_init=self.learning_rate_init,
                lr_schedule=self.learning_rate,
                momentum=self.momentum,
                nesterov=self.nesterovs_momentum,
                power_t=self.power_t,
            )
        if self.solver == "adam":
            return AdamSolver(
                size,
                dtype,
                learning_rate_init=self.learning_rate_init,
                beta_1=self.beta_1,
                beta_2=self.beta_2,
                epsilon=self.epsilon,
            )
        if self.solver in ("gradlab_momentum", "gradlab_nesterov") and self.momentum == 0:
            raise invalid(self, "momentum", f"> 0 with solver={self.solver!r}", self.momentum)
        optimizer = gradlab_optimizer(
            self.solver,
            learning_rate_init=self.learning_rate_init,
            momentum=self.momentum,
            beta_1=self.beta_1,
            beta_2=self.beta_2,
            epsilon=self.epsilon,
            clip_norm=self.clip_norm,
        )
        return GradlabSolver(optimizer, model._params, model._grads)

    def _fit_stochastic(
        self,
        X: Any,
        y: NDArray[Any],
        Y: NDArray[np.floating],
        stratify: NDArray[Any] | None,
        sample_weight: NDArray[np.floating] | None,
        *,
        incremental: bool,
    ) -> None:
        from ..diagnostics import Diagnostics  # imports matplotlib: only when training

        model = self.model_
        if not incremental or not hasattr(self, "_optimizer"):
            self._optimizer = self._make_solver()
        if self.early_stopping and incremental:
            raise ValueError("partial_fit does not support early_stopping=True")
        X_val = y_val = sw_val = None
        if self.early_stopping:
            if self.validation_scores_ is None:  # a warm start of a fit without early stopping
                self.validation_scores_, self.best_validation_score_ = [], -np.inf
                self.best_loss_ = None
            X, Y, sample_weight, X_val, y_val, sw_val = self._validation_split(
                X, y, Y, stratify, sample_weight
            )
        n = X.shape[0]
        if self.batch_size == "auto":
            batch_size = min(200, n)
        else:
            if self.batch_size > n:
                warnings.warn(
                    f"batch_size={self.batch_size} is larger than the {n} training samples; "
                    f"it is clipped to {n}",
                    UserWarning,
                    stacklevel=5,
                )
            batch_size = min(int(self.batch_size), n)
        steps = -(-n // batch_size)
        probe_rows = np.sort(np.random.default_rng(self._seeds()[1]).permutation(n)[:PROBE_SAMPLES])
        probe = X[probe_rows]
        diag = Diagnostics(
            every="epoch",
            data=probe.toarray() if sp.issparse(probe) else probe,
            max_samples=PROBE_SAMPLES,
            record_initial=False,
        )
        diag.set_model(model)
        diag.on_train_begin({"steps": steps})
        params, grads = model._flat_params, model._flat_grads
        solver = self._optimizer
        clip = self.clip_norm if self.solver not in GRADLAB_SOLVERS else None
        records = 0
        order = np.arange(n)
        self.n_iter_ = 0
        try:
            for epoch in range(self.max_iter):
                diag.on_epoch_begin(epoch, {})
                if self.shuffle:  # scikit-learn reshuffles the previous order
                    order = shuffle_rows(order, random_state=self._random_state)
                accumulated = 0.0
                for batch in range(steps):
                    start = batch * batch_size
                    rows: Any = (
                        order[start : start + batch_size]
                        if self.shuffle
                        else slice(start, start + batch_size)
                    )
                    xb, yb = X[rows], Y[rows]
                    swb = None if sample_weight is None else sample_weight[rows]
                    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                        loss = self._backprop(xb, yb, swb)
                        square = float(np.dot(grads, grads))
                    if not (np.isfinite(loss) and np.isfinite(square)):
                        self._diverged(xb, loss, epoch, batch)  # raises, or ends the epoch
                        accumulated = np.nan
                        break
                    diag.on_after_backward(batch, {})
                    clip_by_norm(grads, clip)
                    with np.errstate(over="ignore", invalid="ignore"):
                        solver.update_params(params, grads)
                    model.steps += 1
                    diag.on_batch_end(batch, {})
                    accumulated += loss * (len(yb))
                self.n_iter_ += 1
                self.loss_ = float(accumulated / n)
                self.t_ += n
                self.loss_curve_.append(self.loss_)
                if self.verbose:
                    print(f"Iteration {self.n_iter_}, loss = {self.loss_:.8f}")
                if not (np.isfinite(self.loss_) and np.isfinite(params).all()):
                    # With early_stopping, as in scikit-learn, a diverged epoch scores NaN and
                    # the best epoch's weights are restored below; training stops here.
                    self._diverged(xb, self.loss_, epoch, batch)
                    self.validation_scores_.append(np.nan)
                    self._warn_diverged(epoch)
                    break
                diag.on_epoch_end(epoch, {})
                records += 1
                self._update_no_improvement_count(X_val, y_val, sw_val)
                solver.iteration_ends(self.t_)
                if self._no_improvement_count > self.n_iter_no_change:
                    watched = "Validation score" if self.early_stopping else "Training loss"
                    msg = (
                        f"{watched} did not improve more than tol={self.tol:f} for "
                        f"{self.n_iter_no_change} consecutive epochs."
                    )
                    if solver.trigger_stopping(msg, self.verbose):
                        break
                    self._no_improvement_count = 0
                if incremental:
                    break
                if self.n_iter_ == self.max_iter:
                    warnings.warn(
                        f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached "
                        f"and the optimization hasn't converged yet: {type(self).__name__}'s "
                        f"{'validation score' if self.early_stopping else 'training loss'} "
                        f"still changed by more than tol={self.tol} within the last "
                        f"n_iter_no_change={self.n_iter_no_change} epochs. Raise max_iter or "
                        "tol to silence this warning.",
                        ConvergenceWarning,
                        stacklevel=5,
                    )
        except KeyboardInterrupt:
            warnings.warn(
                f"Training interrupted by user after {self.n_iter_} epoch(s); the weights "
                "are those of the last finished step.",
                UserWarning,
                stacklevel=5,
            )
        finally:
            for layer in model.layers:
                layer.clear_cache()
        if self.early_stopping:
            params[...] = self._best_params
        self._record_diagnostics(diag, records)

    def _record_diagnostics(self, diag: Any, records: int) -> None:
        if not records:
            return
        if "layers" not in getattr(self, "diagnostics_", {}):
            self.diagnostics_ = {
                "layers": list(diag.layer_names),
                "epoch": [],
                "grad_norm": [],
                "dead_fraction": [],
            }
        first = len(self.diagnostics_["epoch"]) + 1
        self.diagnostics_["epoch"] += list(range(first, first + len(diag.records)))
        self.diagnostics_["grad_norm"] += diag.series("grad_w_norm").tolist()
        self.diagnostics_["dead_fraction"] += diag.series("dead_frac").tolist()

    def _diverged(self, xb: Any, loss: float, epoch: int, batch: int) -> None:
        """A batch went non-finite: raise :class:`EstimatorDivergedError` (with
        ``early_stopping`` return, and the epoch ends with a NaN score)."""
        if self.early_stopping:
            return
        from ..diagnostics import diagnose_divergence

        dense = xb.toarray() if sp.issparse(xb) else xb
        detail = diagnose_divergence(self.model_, dense, loss, epoch=epoch, batch=batch)
        detail = detail.split(". Remedies:")[0]
        raise EstimatorDivergedError(
            f"{NONFINITE_MESSAGE} {type(self).__name__} (solver={self.solver!r}): {detail}. "
            f"Remedies: lower learning_rate_init (now {self.learning_rate_init}), clip "
            "gradients (clip_norm=1.0), or scale the features and targets "
            "(sklearn.preprocessing.StandardScaler); early_stopping=True keeps the best "
            "epoch's weights instead of raising."
        )

    def _warn_diverged(self, epoch: int) -> None:
        best = self.best_validation_score_
        kept = (
            "the initial weights were kept (no epoch had a finite validation score)"
            if best is None or not np.isfinite(best)
            else f"the weights of the best epoch (validation score {best:.6g}) were kept"
        )
        warnings.warn(
            f"{type(self).__name__}: training diverged in epoch {epoch + 1} (the loss or the "
            f"weights became non-finite); {kept}. Lower learning_rate_init (now "
            f"{self.learning_rate_init}) or scale the data.",
            ConvergenceWarning,
            stacklevel=6,
        )

    def _validation_split(
        self,
        X: Any,
        y: NDArray[Any],
        Y: NDArray[np.floating],
        stratify: NDArray[Any] | None,
        sample_weight: NDArray[np.floating] | None,
    ) -> tuple[Any, ...]:
        """Hold out ``validation_fraction`` of the rows (stratified for one output column,
        as scikit-learn does), with scikit-learn's ``train_test_split``."""
        train, val = train_test_split(
            np.arange(X.shape[0]),
            random_state=self._random_state,
            test_size=self.validation_fraction,
            stratify=stratify,
        )
        if len(val) < 2:
            raise ValueError(
                "The validation set is too small. Increase 'validation_fraction' or the size "
                f"of your dataset: validation_fraction={self.validation_fraction} of "
                f"{X.shape[0]} samples gives {len(val)}, and early_stopping needs at least 2."
            )
        sw = (None, None) if sample_weight is None else (sample_weight[train], sample_weight[val])
        return (
            _safe_indexing(X, train),
            Y[train],
            sw[0],
            _safe_indexing(X, val),
            _safe_indexing(y, val),
            sw[1],
        )

    def _score_validation(self, X: Any, y: Any, sample_weight: Any) -> float:
        """The validation score (accuracy or R²); NaN when the predictions are not finite."""
        with np.errstate(over="ignore", invalid="ignore"):
            out = self._raw_predict(X)
        if not np.isfinite(out).all():
            return np.nan
        return float(self._metric(y, self._decode(out), sample_weight=sample_weight))

    def _update_no_improvement_count(self, X_val: Any, y_val: Any, sw_val: Any) -> None:
        """scikit-learn's convergence count, on the validation score or the training loss."""
        if self.early_stopping:
            score = self._score_validation(X_val, y_val, sw_val)
            self.validation_scores_.append(score)
            if self.verbose:
                print(f"Validation score: {score:f}")
            if score < self.best_validation_score_ + self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            if score > self.best_validation_score_:
                self.best_validation_score_ = score
                self._best_params = self.model_._flat_params.copy()
        else:
            if self.loss_curve_[-1] > self.best_loss_ - self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            if self.loss_curve_[-1] < self.best_loss_:
                self.best_loss_ = self.loss_curve_[-1]

    # -- prediction --------------------------------------------------------------------------
    def predict(self, X: ArrayLike) -> NDArray[Any]:
        """Predict the class (regressor: the target values) of every sample.

        Parameters
        ----------
        {X}

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Class labels (a 0/1 indicator row per sample for multi-label classification) or
            predicted values.
        """
        return self._decode(self._forward(X))

    def _forward(self, X: ArrayLike) -> NDArray[np.floating]:
        """Validate ``X`` against the fit and return the network's output."""
        check_is_fitted(self, "coefs_")
        X = validate_data(self, X, accept_sparse=["csr", "csc"], reset=False, dtype=_FLOAT_DTYPES)
        return self._raw_predict(X)

    def _raw_predict(self, X: Any) -> NDArray[np.floating]:
        """The network's output (after the output activation) on validated ``X``."""
        model = self._network()
        h = X.astype(model.dtype, copy=False)
        for layer in model.layers:
            if isinstance(layer, Dense):
                h = layer._activate(layer._affine(h), False, True)
            else:
                h = layer.forward(h, False)
        return h

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
