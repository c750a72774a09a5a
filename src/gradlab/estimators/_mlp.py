"""``MLPClassifier`` and ``MLPRegressor``: scikit-learn estimators trained by gradlab."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.base import ClassifierMixin, RegressorMixin, _fit_context
from sklearn.metrics import accuracy_score, r2_score
from sklearn.preprocessing import LabelBinarizer
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
    term with the chosen gradlab optimizer.

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

    def _targets(self, y: NDArray[Any], *, incremental: bool, reset: bool) -> NDArray[Any]:
        check_classification_targets(y)
        if not incremental:
            self._label_binarizer = LabelBinarizer().fit(y)
            self.classes_ = self._label_binarizer.classes_
        else:
            new = np.setdiff1d(unique_labels(y), self.classes_, assume_unique=True)
            if len(new):
                raise ValueError(
                    f"y has classes not in classes_: classes_ is {self.classes_}, y has "
                    f"{unique_labels(y)}"
                )
        indicator = self._label_binarizer.transform(y)
        if self._label_binarizer.y_type_ == "multiclass":
            return indicator.argmax(axis=1)
        return indicator.astype(np.float64)

    def _output(self, targets: NDArray[Any]) -> tuple[str, str, float, float, int]:
        if targets.ndim == 1:
            return "softmax", "cross_entropy", 1.0, 1.0, len(self.classes_)
        k = targets.shape[1]
        return "sigmoid", "binary_cross_entropy", k, k, k

    def _decode(self, out: NDArray[np.floating]) -> NDArray[Any]:
        return self._label_binarizer.inverse_transform(out.ravel() if out.shape[1] == 1 else out)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(
        self, X: ArrayLike, y: ArrayLike, classes: ArrayLike | None = None
    ) -> MLPClassifier:
        """Train for one epoch on ``(X, y)``, continuing from the previous calls.

        Parameters
        ----------
        {X}
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            The labels.
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
        return self._fit(X, y, incremental=True)

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
    Dropout) and a linear output unit per target (several for a 2-D ``y``). It minimises half
    the squared error plus ``alpha``'s L2 term with the chosen gradlab optimizer.

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
    >>> reg = MLPRegressor((32, 32), activation="tanh", learning_rate_init=0.01,
    ...                    max_iter=300, random_state=0).fit(X, y)
    >>> reg.score(X, y) > 0.95
    True
    """

    _metric = staticmethod(r2_score)

    def _targets(self, y: NDArray[Any], *, incremental: bool, reset: bool) -> NDArray[Any]:
        targets = y.reshape(-1, 1) if y.ndim == 1 else y
        if not reset and targets.shape[1] != self.n_outputs_:
            raise ValueError(
                f"y has {targets.shape[1]} target column(s), but {type(self).__name__} was "
                f"fitted with {self.n_outputs_}"
            )
        return targets

    def _output(self, targets: NDArray[Any]) -> tuple[str, str, float, float, int]:
        k = targets.shape[1]
        return "linear", "mse", 0.5, k / 2, k

    def _decode(self, out: NDArray[np.floating]) -> NDArray[np.floating]:
        return out.ravel() if out.shape[1] == 1 else out

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X: ArrayLike, y: ArrayLike) -> MLPRegressor:
        """Train for one epoch on ``(X, y)``, continuing from the previous calls.

        ``X`` and ``y`` are as in :meth:`fit`; every call after the first must have as many
        features and targets as the first. ``early_stopping`` is not supported. Returns
        ``self``.
        """
        return self._fit(X, y, incremental=True)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def _more_tags(self) -> dict[str, Any]:  # scikit-learn < 1.6
        return {"multioutput": True}
