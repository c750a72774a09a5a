"""``MLPClassifier`` and ``MLPRegressor``: scikit-learn estimators trained by gradlab."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.base import ClassifierMixin, RegressorMixin, _fit_context
from sklearn.metrics import accuracy_score, r2_score
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import (
    _check_partial_fit_first_call,
    check_classification_targets,
    type_of_target,
    unique_labels,
)

from ._base import BaseMLP
from ._docs import fill_doc

__all__ = ["MLPClassifier", "MLPRegressor"]


@fill_doc
class MLPClassifier(ClassifierMixin, BaseMLP):
    """A multi-layer perceptron classifier trained by gradlab, with scikit-learn's API.

    The network is ``Dense -> activation`` per hidden layer (with optional BatchNorm and
    Dropout) and an output layer chosen from the targets as scikit-learn does: one logistic
    unit for two classes, a softmax over the classes for more, one logistic unit per label
    for a 2-D indicator ``y`` (multi-label). It minimises the log loss plus ``alpha``'s L2
    term with the chosen solver, step for step as scikit-learn's ``MLPClassifier``.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels (for multi-label ``y``: ``0 .. n_labels - 1``).

    {attributes}

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.model_selection import train_test_split
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from gradlab.estimators import MLPClassifier
    >>> X_train, X_test, y_train, y_test = train_test_split(
    ...     *load_digits(return_X_y=True), random_state=0)
    >>> clf = make_pipeline(StandardScaler(),
    ...                     MLPClassifier((32,), activation="gelu", max_iter=300, random_state=0))
    >>> clf.fit(X_train, y_train).score(X_test, y_test) > 0.9
    True
    """

    _metric = staticmethod(accuracy_score)

    def _targets(
        self, y: NDArray[Any], *, incremental: bool
    ) -> tuple[NDArray[np.floating], NDArray[Any] | None]:
        check_classification_targets(y)
        if not hasattr(self, "classes_") or (not self.warm_start and not incremental):
            self._label_binarizer = LabelBinarizer().fit(y)
            self.classes_ = self._label_binarizer.classes_
        else:
            classes = unique_labels(y)
            if self.warm_start:
                if set(classes) != set(self.classes_):
                    raise ValueError(
                        "warm_start can only be used where `y` has the same classes as in the "
                        f"previous call to fit. Previously got {self.classes_}, `y` has "
                        f"{classes}"
                    )
            elif len(np.setdiff1d(classes, self.classes_, assume_unique=True)):
                raise ValueError(
                    f"`y` has classes not in `self.classes_`. `self.classes_` has "
                    f"{self.classes_}. 'y' has {classes}."
                )
        # One column per class (softmax), or one 0/1 column per label or for two classes.
        indicator = self._label_binarizer.transform(y).astype(bool)
        stratify = indicator if indicator.shape[1] == 1 else None  # as scikit-learn
        return indicator.astype(np.float64), stratify

    def _out_activation(self) -> str:
        return "softmax" if self._label_binarizer.y_type_ == "multiclass" else "logistic"

    def _decode(self, out: NDArray[np.floating]) -> NDArray[Any]:
        return self._label_binarizer.inverse_transform(out.ravel() if out.shape[1] == 1 else out)

    @available_if(lambda est: est._check_solver())
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(
        self,
        X: ArrayLike,
        y: ArrayLike,
        sample_weight: ArrayLike | None = None,
        classes: ArrayLike | None = None,
    ) -> MLPClassifier:
        """Train for one epoch on ``(X, y)``, continuing from the previous calls.

        Parameters
        ----------
        {X}
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            The labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample in the loss.
        classes : array-like of shape (n_classes,), default=None
            Every class of all calls; required on the first call (``np.unique(y_all)``), may
            be left out afterwards. ``y`` need not contain every class.

        Returns
        -------
        self : object
            The updated estimator.
        """
        if _check_partial_fit_first_call(self, classes):
            self._label_binarizer = LabelBinarizer()
            if type_of_target(y).startswith("multilabel"):
                self._label_binarizer.fit(y)
            else:
                self._label_binarizer.fit(classes)
        return self._fit(X, y, sample_weight, incremental=True)

    def predict_proba(self, X: ArrayLike) -> NDArray[np.floating]:
        """Return the probability of every class (multi-label: of every label).

        Parameters
        ----------
        {X}

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities in the order of ``classes_``.
        """
        out = self._forward(X)
        if out.shape[1] == 1:
            p = out.ravel()
            return np.column_stack([1 - p, p])
        return out

    def predict_log_proba(self, X: ArrayLike) -> NDArray[np.floating]:
        """Return ``log(predict_proba(X))``, of shape (n_samples, n_classes).

        A probability that rounded to 0 gives ``-inf``, as in scikit-learn.
        """
        proba = self.predict_proba(X)
        with np.errstate(divide="ignore"):
            return np.log(proba, out=proba)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags

    def _more_tags(self) -> dict[str, Any]:  # scikit-learn < 1.6
        return {"multilabel": True}


@fill_doc
class MLPRegressor(RegressorMixin, BaseMLP):
    """A multi-layer perceptron regressor trained by gradlab, with scikit-learn's API.

    The network is ``Dense -> activation`` per hidden layer (with optional BatchNorm and
    Dropout) and an output unit per target (several for a 2-D ``y``): linear for
    ``loss="squared_error"``, exponential for ``loss="poisson"``. It minimises half the
    squared error (or half the Poisson deviance) plus ``alpha``'s L2 term with the chosen
    solver, step for step as scikit-learn's ``MLPRegressor``.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    Examples
    --------
    >>> import numpy as np
    >>> from gradlab.estimators import MLPRegressor
    >>> X = np.random.default_rng(0).uniform(-1, 1, size=(400, 2))
    >>> y = X[:, 0] ** 2 + np.sin(3 * X[:, 1])
    >>> reg = MLPRegressor(hidden_layer_sizes=(32, 32), activation="tanh", learning_rate_init=0.01,
    ...                    max_iter=300, random_state=0).fit(X, y)
    >>> reg.score(X, y) > 0.95
    True
    """

    _metric = staticmethod(r2_score)

    _parameter_constraints: dict[str, list[Any]] = {  # noqa: RUF012 (scikit-learn's API)
        **BaseMLP._parameter_constraints,
        "loss": [StrOptions({"squared_error", "poisson"})],
    }

    def __init__(
        self,
        loss: str = "squared_error",
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
        # scikit-learn's MLPRegressor takes ``loss`` first, so the signature is spelled out.
        super().__init__(
            hidden_layer_sizes,
            activation,
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
            kernel_initializer=kernel_initializer,
            batch_norm=batch_norm,
            dropout=dropout,
            clip_norm=clip_norm,
            dtype=dtype,
        )
        self.loss = loss

    def _targets(
        self, y: NDArray[Any], *, incremental: bool
    ) -> tuple[NDArray[np.floating], NDArray[Any] | None]:
        targets = y.reshape(-1, 1) if y.ndim == 1 else y
        if self.loss == "poisson" and (targets < 0).any():
            raise ValueError(
                f"loss='poisson' needs targets >= 0 (counts or rates): y has "
                f"{int((targets < 0).sum())} negative value(s), the smallest "
                f"{targets.min():g}. Use loss='squared_error' for signed targets."
            )
        return targets, None

    def _out_activation(self) -> str:
        return "exp" if self.loss == "poisson" else "identity"

    def _decode(self, out: NDArray[np.floating]) -> NDArray[np.floating]:
        return out.ravel() if out.shape[1] == 1 else out

    @available_if(lambda est: est._check_solver())
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(
        self, X: ArrayLike, y: ArrayLike, sample_weight: ArrayLike | None = None
    ) -> MLPRegressor:
        """Train for one epoch on ``(X, y)``, continuing from the previous calls.

        ``X``, ``y`` and ``sample_weight`` are as in :meth:`fit`; every call after the first
        must have as many features and targets as the first. ``early_stopping`` is not
        supported. Returns ``self``.
        """
        return self._fit(X, y, sample_weight, incremental=True)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def _more_tags(self) -> dict[str, Any]:  # scikit-learn < 1.6
        return {"multioutput": True}
