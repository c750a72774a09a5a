"""scikit-learn estimators backed by the gradlab engine: ``MLPClassifier`` and ``MLPRegressor``.

Drop-ins for ``sklearn.neural_network``'s: every parameter of scikit-learn 1.9's
``MLPClassifier`` and ``MLPRegressor`` with its default and meaning — ``solver`` in
``{"lbfgs", "sgd", "adam"}`` with scikit-learn's update rules (``"sgd"`` is SGD with
momentum 0.9 and Nesterov's momentum by default), the ``learning_rate`` schedules,
``power_t``, ``max_fun``, ``warm_start``, ``loss`` of the regressor (``"squared_error"``,
``"poisson"``), ``sample_weight`` in ``fit`` and ``partial_fit``, and CSR/CSC sparse input
(multiplied as sparse, never densified whole). Started from the same weights and fed the
same batches, a fit reproduces scikit-learn's ``loss_curve_`` (tested to 1e-6). They pass
scikit-learn's estimator checks and scikit-learn's own MLP test module
(``tests/sklearn_compat``), so ``clone``, ``Pipeline``, ``GridSearchCV``,
``cross_val_score`` and pickling work as with any scikit-learn estimator.

On top: any gradlab activation, gradlab's optimizers with torch.optim's rules under names
that cannot be mistaken for scikit-learn's (``"gradlab_sgd"``, ``"gradlab_momentum"``,
``"gradlab_nesterov"``, ``"gradlab_adagrad"``, ``"gradlab_rmsprop"``, ``"gradlab_adam"``,
``"gradlab_adamw"``), ``kernel_initializer``, ``batch_norm``, ``dropout``, ``clip_norm``,
``dtype``, and ``diagnostics_`` (gradient norms and dead units per epoch).

>>> from sklearn.datasets import load_iris
>>> from gradlab.estimators import MLPClassifier
>>> X, y = load_iris(return_X_y=True)
>>> clf = MLPClassifier((16,), activation="tanh", learning_rate_init=0.01, max_iter=300,
...                     random_state=0).fit(X, y)
>>> clf.score(X, y) > 0.9
True
>>> len(clf.diagnostics_["grad_norm"]) == clf.n_iter_     # one row per epoch
True

The same ``random_state`` draws scikit-learn's initial weights, shuffles and early-stopping
split (``kernel_initializer="auto"``), so on the same data a fit is scikit-learn's fit, to
rounding. Differences from ``sklearn.neural_network``: the log loss is computed from the
pre-activations (no clipping of probabilities at machine epsilon, so it differs where a
prediction is that confident); a fit that diverges raises at the first non-finite batch, not
after the last epoch; with ``early_stopping`` a diverged epoch ends training (scikit-learn
runs on with NaN weights) and the best epoch is kept, with a ``ConvergenceWarning``;
``"lbfgs"`` also records ``loss_curve_`` (the loss after each iteration).

A fit that diverges raises :class:`EstimatorDivergedError`, both a ``ValueError`` with
scikit-learn's message and a :class:`gradlab.TrainingDivergedError` with the diagnosis.
"""

from __future__ import annotations

from ._base import EstimatorDivergedError
from ._mlp import MLPClassifier, MLPRegressor
from ._network import seed_from_random_state
from ._solvers import SOLVERS

__all__ = [
    "SOLVERS",
    "EstimatorDivergedError",
    "MLPClassifier",
    "MLPRegressor",
    "seed_from_random_state",
]
