"""scikit-learn estimators backed by the gradlab engine: ``MLPClassifier`` and ``MLPRegressor``.

They take scikit-learn's MLP parameters (``hidden_layer_sizes``, ``activation``, ``solver``,
``alpha``, ``batch_size``, ``learning_rate_init``, ``max_iter``, ``tol``, ``early_stopping``,
...) with the same defaults and meaning, any gradlab activation, seven gradlab solvers, and
gradlab's own ``kernel_initializer``, ``batch_norm``, ``dropout``, ``clip_norm`` and
``dtype``. They pass scikit-learn's estimator checks, so ``clone``, ``Pipeline``,
``GridSearchCV``, ``cross_val_score`` and pickling work as with any scikit-learn estimator.

>>> from sklearn.datasets import load_iris
>>> from gradlab.estimators import MLPClassifier
>>> X, y = load_iris(return_X_y=True)
>>> clf = MLPClassifier((16,), activation="tanh", learning_rate_init=0.01, max_iter=300,
...                     random_state=0).fit(X, y)
>>> clf.score(X, y) > 0.9
True
>>> len(clf.diagnostics_["grad_norm"]) == clf.n_iter_     # one row per epoch
True

Differences from ``sklearn.neural_network``: no ``lbfgs`` solver and no learning-rate
schedules (``learning_rate``, ``power_t``), no ``warm_start``, ``sample_weight`` or sparse
input; scikit-learn's ``solver="sgd"`` (Nesterov momentum by default) is ``"nesterov"`` here.

A fit that diverges raises :class:`EstimatorDivergedError`, both a ``ValueError`` (as
scikit-learn's MLP raises) and a :class:`gradlab.TrainingDivergedError`.
"""

from __future__ import annotations

from ._base import EstimatorDivergedError
from ._mlp import MLPClassifier, MLPRegressor
from ._network import SOLVERS, seed_from_random_state

__all__ = [
    "SOLVERS",
    "EstimatorDivergedError",
    "MLPClassifier",
    "MLPRegressor",
    "seed_from_random_state",
]
