"""What :class:`MLPClassifier` and :class:`MLPRegressor` share: parameters, fit and predict.

One epoch of ``fit`` is one epoch of :meth:`gradlab.Sequential.fit`. The callback
:class:`~gradlab.estimators._tracker.Tracker` rescales gradlab's loss to scikit-learn's and
applies scikit-learn's convergence rule, and a :class:`~gradlab.callbacks.WeightPenalty` adds
scikit-learn's L2 penalty, so ``loss_curve_``, the gradients and ``alpha`` have scikit-learn's
scale and meaning. The tracker counts in a :class:`~gradlab.estimators._tracker.Progress` that
the estimator keeps between ``partial_fit`` calls and copies into its fitted attributes.
"""

from __future__ import annotations

import warnings
from numbers import Integral, Real
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.base import BaseEstimator, _fit_context, is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.validation import check_is_fitted, column_or_1d

from .. import TrainingDivergedError, initializers
from ..callbacks import WeightPenalty
from ..datasets import train_test_split
from ..layers import Dense
from ._compat import validate_data
from ._docs import fill_doc
from ._network import (
    SOLVERS,
    build_network,
    hidden_sizes,
    make_optimizer,
    seed_from_random_state,
)
from ._tracker import Progress, Tracker

__all__ = ["BaseMLP", "EstimatorDivergedError"]

#: Rows of the training data on which ``diagnostics_`` measures dead units each epoch.
PROBE_SAMPLES = 256

_FLOAT_DTYPES = (np.float64, np.float32)


class EstimatorDivergedError(TrainingDivergedError, ValueError):
    """Training diverged inside ``fit`` or ``partial_fit`` of a gradlab estimator.

    It is a ``ValueError``, which is what scikit-learn's MLP raises when its solver produces
    non-finite weights, so code written for scikit-learn (``GridSearchCV(error_score=...)``,
    ``except ValueError``) handles it; and it is gradlab's
    :class:`~gradlab.TrainingDivergedError`, with the engine's diagnosis (epoch, batch, first
    non-finite layer, remedies) in its message.
    """


@fill_doc
class BaseMLP(BaseEstimator):
    """Parameters, network construction and the training loop of both estimators.

    Subclasses provide ``_targets`` (the validated ``y`` turned into what the network is
    trained on: class indices or a float matrix), ``_output`` (output activation, loss, the
    scales of its value and gradient, and the number of outputs), ``_decode`` (network output
    to predictions) and ``_metric`` (the score function, also used by ``early_stopping``).
    """

    _metric: Any = None  # accuracy_score or r2_score

    _parameter_constraints: dict[str, list[Any]] = {  # noqa: RUF012 (scikit-learn's API)
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [str, dict, list, tuple],
        "solver": [StrOptions(set(SOLVERS))],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [
            Interval(Integral, 1, None, closed="left"),
            Options(Real, {np.inf}),
        ],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
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
        learning_rate_init: float = 1e-3,
        max_iter: int = 200,
        shuffle: bool = True,
        random_state: int | np.random.RandomState | None = None,
        tol: float = 1e-4,
        verbose: bool | int = False,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        n_iter_no_change: int | float = 10,
        momentum: float = 0.9,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        kernel_initializer: Any = "glorot_uniform",
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
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.momentum = momentum
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.kernel_initializer = kernel_initializer
        self.batch_norm = batch_norm
        self.dropout = dropout
        self.clip_norm = clip_norm
        self.dtype = dtype

    # -- hooks of the subclasses -------------------------------------------------------------
    def _targets(self, y: NDArray[Any], *, incremental: bool, reset: bool) -> NDArray[Any]:
        raise NotImplementedError

    def _output(self, targets: NDArray[Any]) -> tuple[str, str, float, float, int]:
        raise NotImplementedError

    def _decode(self, out: NDArray[np.floating]) -> NDArray[Any]:
        raise NotImplementedError

    def _score_validated(self, X: NDArray[np.floating], y: NDArray[Any], epoch: int) -> float:
        """The validation score of ``early_stopping``: accuracy or R², as ``score``.

        Raises :class:`~gradlab.TrainingDivergedError` when the network's outputs on the
        validation rows, or the score itself, are not finite, which can happen while every
        training batch stayed finite (a diverging regressor's predictions overflow first on
        unseen rows, or grow so large that R² overflows to -inf)."""
        with np.errstate(over="ignore", invalid="ignore"):  # checked just below
            out = self.model_.predict(X)
            score = float(self._metric(y, self._decode(out))) if np.isfinite(out).all() else None
        if score is None or not np.isfinite(score):
            what = "are not finite" if score is None else f"give a validation score of {score}"
            raise TrainingDivergedError(
                f"training diverged at epoch {epoch}: the network's outputs on the "
                f"validation split (early_stopping) {what}, although the training batches "
                f"stayed finite. Remedies: lower learning_rate_init (now "
                f"{self.learning_rate_init}), clip gradients (clip_norm=1.0), or scale the "
                "features and targets."
            )
        return score

    # -- fitting ---------------------------------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: ArrayLike, y: ArrayLike) -> BaseMLP:
        """Fit the network to ``(X, y)`` for up to ``max_iter`` epochs.

        Parameters
        ----------
        {X}
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Class labels (a 2-D 0/1 indicator matrix for multi-label classification) or
            regression targets.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, y, incremental=False)

    def _fit(self, X: Any, y: Any, *, incremental: bool) -> BaseMLP:
        first = not incremental or not hasattr(self, "model_")
        if self.early_stopping and incremental:
            raise ValueError("partial_fit does not support early_stopping=True")
        X, y, targets = self._validate_input(X, y, incremental=incremental, reset=first)
        if first:
            self._initialize(X, targets)
        self._train(X, y, targets, incremental=incremental)
        return self

    def _validate_input(
        self, X: Any, y: Any, *, incremental: bool, reset: bool
    ) -> tuple[NDArray[np.floating], NDArray[Any], NDArray[Any]]:
        """Return ``X`` and ``y`` validated by scikit-learn, and the network's targets."""
        X, y = validate_data(
            self,
            X,
            y,
            multi_output=True,
            y_numeric=not is_classifier(self),
            dtype=_FLOAT_DTYPES,
            reset=reset,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        return X, y, self._targets(y, incremental=incremental, reset=reset)

    def _initialize(self, X: NDArray[np.floating], targets: NDArray[Any]) -> None:
        out_activation, loss, value_scale, grad_scale, n_outputs = self._output(targets)
        hidden = hidden_sizes(self)
        self.seed_ = seed_from_random_state(self.random_state)
        model_seed, self._split_seed, self._probe_seed = (
            int(s) for s in np.random.SeedSequence(self.seed_).generate_state(3)
        )
        dtype = self.dtype or (np.float32 if X.dtype == np.float32 else np.float64)
        model = build_network(
            self,
            hidden,
            out_activation,
            n_outputs,
            input_dim=X.shape[1],
            seed=model_seed,
            dtype=dtype,
        )
        model.compile(
            optimizer=make_optimizer(self),
            loss=loss,
        )
        self.model_ = model
        self._loss_scales = (value_scale, grad_scale)
        dense = [layer for layer in model.layers if isinstance(layer, Dense)]
        self.coefs_ = [layer.params["W"] for layer in dense]
        self.intercepts_ = [layer.params["b"] for layer in dense]
        self.n_outputs_ = n_outputs
        self.n_layers_ = len(hidden) + 2
        self.out_activation_ = {"sigmoid": "logistic", "linear": "identity"}.get(
            out_activation, out_activation
        )
        self._progress = Progress.start(validation=self.early_stopping)
        self._publish(self._progress)
        self.diagnostics_: dict[str, list[Any]] = {
            "layers": [f"{i} {layer.describe()}" for i, layer in enumerate(model.layers)],
            "epoch": [],
            "grad_norm": [],
            "dead_fraction": [],
        }

    def _train(
        self, X: NDArray[np.floating], y: NDArray[Any], targets: NDArray[Any], *, incremental: bool
    ) -> None:
        from ..diagnostics import Diagnostics  # imports matplotlib: only when training

        X_val = y_val = None
        if self.early_stopping:
            X, y, targets, X_val, y_val = self._validation_split(X, y, targets)
        n = len(X)
        if self.batch_size == "auto":
            batch_size = min(200, n)
        else:
            if self.batch_size > n:
                warnings.warn(
                    f"batch_size={self.batch_size} is larger than the {n} training samples; "
                    f"it is clipped to {n}",
                    UserWarning,
                    stacklevel=3,
                )
            batch_size = min(int(self.batch_size), n)
        probe_rng = np.random.default_rng(self._probe_seed)
        probe = X[np.sort(probe_rng.permutation(n)[:PROBE_SAMPLES])]
        diag = Diagnostics(
            every="epoch", data=probe, max_samples=PROBE_SAMPLES, record_initial=False
        )
        progress = self._progress
        progress.n_iter = 0
        penalty = WeightPenalty("l2", self.alpha, per_sample=True)

        def score(epoch: int) -> float:
            return self._score_validated(X_val, y_val, epoch)

        tracker = Tracker(
            progress,
            n_samples=n,
            loss_scales=self._loss_scales,
            penalty=penalty,
            tol=self.tol,
            n_iter_no_change=self.n_iter_no_change,
            score=None if X_val is None else score,
            verbose=self.verbose,
        )
        try:
            self.model_.fit(
                X,
                targets,
                epochs=1 if incremental else self.max_iter,
                batch_size=batch_size,
                shuffle=self.shuffle,
                callbacks=[tracker, penalty, diag],  # rescale the gradients, then add the penalty
                verbose=0,
            )
        except TrainingDivergedError as exc:
            raise EstimatorDivergedError(
                f"{type(self).__name__}: {exc} Large input values diverge easily: scaling "
                "the features (sklearn.preprocessing.StandardScaler) often helps."
            ) from None
        finally:
            self._publish(progress)
        first_epoch = len(self.diagnostics_["epoch"]) + 1
        self.diagnostics_["epoch"] += list(range(first_epoch, first_epoch + len(diag.records)))
        self.diagnostics_["grad_norm"] += diag.series("grad_w_norm").tolist()
        self.diagnostics_["dead_fraction"] += diag.series("dead_frac").tolist()
        if tracker.best_weights is not None:
            self.model_.set_weights(tracker.best_weights)
        if not incremental and not tracker.converged and self.n_iter_ == self.max_iter:
            warnings.warn(
                f"{type(self).__name__}: the maximum number of epochs (max_iter="
                f"{self.max_iter}) was reached and the optimization has not converged yet "
                f"(the {tracker.watched} still improved by more than tol={self.tol} within "
                f"the last n_iter_no_change={self.n_iter_no_change} epochs); raise max_iter "
                "or tol to silence this warning.",
                ConvergenceWarning,
                stacklevel=3,
            )

    def _publish(self, progress: Progress) -> None:
        """Copy the tracker's counts into the fitted attributes (``n_iter_``, ``loss_curve_``,
        ...)."""
        self.n_iter_ = progress.n_iter
        self.t_ = progress.t
        if progress.loss is not None:
            self.loss_ = progress.loss
        self.loss_curve_ = list(progress.loss_curve)
        self.best_loss_ = progress.best_loss
        scores = progress.validation_scores
        self.validation_scores_ = None if scores is None else list(scores)
        self.best_validation_score_ = progress.best_validation_score

    def _validation_split(self, X: NDArray[np.floating], y: NDArray[Any], targets: Any) -> tuple:
        """Hold out ``validation_fraction`` of the rows, stratified for single-label classes."""
        labels = np.zeros(len(X), dtype=np.intp)
        stratify = False
        if is_classifier(self) and y.ndim == 1:
            labels = np.unique(y, return_inverse=True)[1]
            stratify = bool(np.bincount(labels).min() >= 2)
        train, val, _, _ = train_test_split(
            np.arange(len(X)),
            labels,
            test_size=self.validation_fraction,
            seed=self._split_seed,
            stratify=stratify,
        )
        if len(val) < 2:
            raise ValueError(
                f"The validation set is too small: validation_fraction="
                f"{self.validation_fraction} of {len(X)} samples gives {len(val)}; it needs "
                "at least 2. Increase validation_fraction or the size of the dataset."
            )
        return X[train], y[train], targets[train], X[val], y[val]

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
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=_FLOAT_DTYPES)
        return self.model_.predict(X)
