"""scikit-learn's estimator checks and behaviour tests for gradlab.estimators."""

from __future__ import annotations

import pickle
import re
import subprocess
import sys
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits, load_iris, make_multilabel_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split
from sklearn.neural_network import MLPClassifier as SkMLPClassifier
from sklearn.neural_network import MLPRegressor as SkMLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

import gradlab
from gradlab import initializers
from gradlab.estimators import MLPClassifier, MLPRegressor, seed_from_random_state

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


# scikit-learn's checks fit on unscaled data (features around 100) where Adam oscillates:
# fit rightly warns that such a run is not learning; it is not what these checks test.
@pytest.mark.filterwarnings("ignore::gradlab.TrainingStalledWarning")
@parametrize_with_checks([MLPClassifier(), MLPRegressor()])
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


# -- data -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="module")
def regression():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(200, 3))
    Y = np.column_stack([X[:, 0] ** 2 + X[:, 1], np.sin(2 * X[:, 2]) - X[:, 0]])
    return X, Y


def small_clf(**params):
    defaults = {"hidden_layer_sizes": (16,), "max_iter": 20, "random_state": 0}
    return MLPClassifier(**{**defaults, **params})


# -- scikit-learn's loss, gradient and penalty -------------------------------------------
class Fixed(initializers.Initializer):
    """Hand out given kernels by shape (the test's shapes are all different)."""

    name = "fixed"

    def __init__(self, kernels):
        self.kernels = {k.shape: k for k in kernels}

    def _sample(self, shape, rng):
        return self.kernels[shape].copy()


CASES = {
    "binary": lambda X, rng: (X[:, 0] > 0).astype(int),
    "multiclass": lambda X, rng: np.digitize(X[:, 0] + X[:, 1], [-0.5, 0.5]),
    "multilabel": lambda X, rng: (X[:, :3] + 0.3 * rng.normal(size=(len(X), 3)) > 0).astype(int),
    "regression": lambda X, rng: X[:, 0] * X[:, 1] + X[:, 2],
    "multi-output regression": lambda X, rng: X[:, :2] ** 2,
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("alpha", [0.0, 0.5])
def test_one_sgd_step_matches_sklearn(case, alpha):
    """Same weights, one full-batch SGD step: same loss and same new weights as sklearn."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 4))
    y = CASES[case](X, rng)
    regression = "regression" in case
    n_out = {"binary": 1, "multiclass": 3, "multilabel": 3}.get(case, 1 if y.ndim == 1 else 2)
    kernels = [rng.normal(size=(4, 7)) * 0.5, rng.normal(size=(7, n_out)) * 0.5]
    lr = 0.1
    ours_cls, sk_cls = (
        (MLPRegressor, SkMLPRegressor) if regression else (MLPClassifier, SkMLPClassifier)
    )
    same = dict(
        hidden_layer_sizes=(7,), activation="tanh", solver="sgd", alpha=alpha,
        learning_rate_init=lr, max_iter=1, shuffle=False, momentum=0.0,
        nesterovs_momentum=False,
    )  # fmt: skip
    ours = ours_cls(**same, kernel_initializer=Fixed(kernels), dtype="float64").fit(X, y)
    sk = sk_cls(**same, warm_start=True).fit(X, y)
    sk.coefs_ = [k.copy() for k in kernels]
    sk.intercepts_ = [np.zeros(7), np.zeros(n_out)]
    sk.fit(X, y)  # warm start: one step from our initial weights
    assert ours.loss_curve_[0] == pytest.approx(sk.loss_curve_[-1], rel=1e-10)
    theirs = sk.coefs_ + sk.intercepts_
    for mine, expected in zip(ours.coefs_ + ours.intercepts_, theirs, strict=True):
        np.testing.assert_allclose(mine, expected, rtol=1e-10, atol=1e-12)


def test_convergence_rule_matches_sklearn(iris):
    X, y = iris
    params = dict(hidden_layer_sizes=(8,), tol=10.0, n_iter_no_change=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        ours = MLPClassifier(**params).fit(X, y)
        sk = SkMLPClassifier(**params).fit(X, y)
    assert ours.n_iter_ == sk.n_iter_ == 5
    assert ours.best_loss_ == min(ours.loss_curve_)


def test_max_iter_without_convergence_warns(iris):
    with pytest.warns(ConvergenceWarning, match=r"Maximum iterations \(2\)"):
        MLPClassifier((4,), max_iter=2, random_state=0).fit(*iris)


def test_early_stopping_keeps_the_best_epoch(iris):
    X, y = iris
    clf = small_clf(early_stopping=True, max_iter=60, validation_fraction=0.2)
    clf.fit(X, y)
    assert clf.best_loss_ is None
    assert len(clf.validation_scores_) == clf.n_iter_ == len(clf.loss_curve_)
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    with pytest.raises(ValueError, match="early_stopping"):
        clf.partial_fit(X, y)


# -- reproducibility, clone, pickle ------------------------------------------------------------
def test_same_random_state_same_predictions(iris):
    X, y = iris
    a = small_clf().fit(X, y).predict_proba(X)
    b = small_clf().fit(X, y).predict_proba(X)
    c = MLPClassifier((16,), max_iter=20, random_state=1).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_random_state_mapping(iris):
    """random_state means what it means in scikit-learn: a seed gives scikit-learn's initial
    weights; a shared RandomState advances from fit to fit."""
    X, y = iris
    assert seed_from_random_state(7) == 7
    assert seed_from_random_state(np.random.RandomState(0)) == seed_from_random_state(
        np.random.RandomState(0)
    )
    params = dict(hidden_layer_sizes=(8,), max_iter=1, solver="sgd", learning_rate_init=1e-9)
    ours = MLPClassifier(**params, random_state=5).fit(X, y)
    theirs = SkMLPClassifier(**params, random_state=5).fit(X, y)
    mine, expected = ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_
    for a, b in zip(mine, expected, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    rs = np.random.RandomState(0)
    first = MLPClassifier(**params, random_state=rs).fit(X, y).coefs_[0].copy()
    second = MLPClassifier(**params, random_state=rs).fit(X, y).coefs_[0]
    assert not np.allclose(first, second)  # a shared RandomState advances, as in scikit-learn
    gl_init = MLPClassifier(**params, random_state=5, kernel_initializer="glorot_uniform")
    # gradlab's initializers start the biases at zero (one tiny step of lr 1e-9 later: ~0)
    assert np.abs(gl_init.fit(X, y).intercepts_[0]).max() < 1e-8


def test_clone_and_pickle_round_trip(iris):
    X, y = iris
    clf = small_clf(activation="gelu", batch_norm=True, dropout=0.1).fit(X, y)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    assert restored.coefs_[0] is restored.model_.layers[0].params["W"]  # still live views
    refit = clone(clf).fit(X, y)
    np.testing.assert_array_equal(refit.predict_proba(X), clf.predict_proba(X))
    assert clone(clf).get_params() == clf.get_params()


# -- scikit-learn tooling -----------------------------------------------------------------
def test_pipeline_grid_search_over_activation_and_solver():
    X, y = load_digits(return_X_y=True)
    X, y = X[:400], y[:400]
    mlp = MLPClassifier((16,), learning_rate_init=0.01, max_iter=30, random_state=0)
    pipe = make_pipeline(StandardScaler(), mlp)
    grid = GridSearchCV(
        pipe,
        {"mlpclassifier__activation": ["relu", "tanh"], "mlpclassifier__solver": ["sgd", "adam"]},
        cv=2,
    ).fit(X, y)
    assert len(grid.cv_results_["mean_test_score"]) == 4
    assert grid.best_params_["mlpclassifier__solver"] == "adam"  # 30 epochs: plain SGD lags
    assert grid.best_score_ > 0.75
    assert cross_val_score(pipe, X, y, cv=2).mean() > 0.75


def test_accuracy_on_digits_at_least_sklearns():
    X, y = load_digits(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    ours, theirs = [], []
    for seed in (0, 1):
        params = dict(hidden_layer_sizes=(32,), max_iter=30, random_state=seed)
        ours.append(make_pipeline(StandardScaler(), MLPClassifier(**params)).fit(X_tr, y_tr))
        theirs.append(make_pipeline(StandardScaler(), SkMLPClassifier(**params)).fit(X_tr, y_tr))
    ours_acc = np.mean([m.score(X_te, y_te) for m in ours])
    theirs_acc = np.mean([m.score(X_te, y_te) for m in theirs])
    assert ours_acc >= theirs_acc - 0.01


# -- partial_fit ------------------------------------------------------------------------------
def test_partial_fit_classifier(iris):
    X, y = iris
    clf = MLPClassifier((16,), learning_rate_init=0.01, random_state=0)
    sk = SkMLPClassifier((16,), learning_rate_init=0.01, random_state=0)
    with pytest.raises(ValueError, match="classes must be passed"):
        clf.partial_fit(X, y)
    for est in (clf, sk):
        est.partial_fit(X[y < 2], y[y < 2], classes=[0, 1, 2])  # y need not hold every class
    assert clf.out_activation_ == "softmax" and clf.n_outputs_ == 3
    for _ in range(30):
        clf.partial_fit(X, y)
        sk.partial_fit(X, y)
    assert clf.n_iter_ == 1 and len(clf.loss_curve_) == 31
    assert clf.t_ == int((y < 2).sum()) + 30 * len(y)
    assert clf.loss_curve_[-1] < clf.loss_curve_[1]
    # The same random_state draws scikit-learn's weights and shuffles: the same run.
    np.testing.assert_allclose(clf.loss_curve_, sk.loss_curve_, rtol=1e-6)
    np.testing.assert_allclose(clf.predict_proba(X), sk.predict_proba(X), rtol=1e-6)
    assert clf.score(X, y) > 0.75
    assert len(clf.diagnostics_["epoch"]) == 31
    with pytest.raises(ValueError, match=r"classes not in `self\.classes_`"):
        clf.partial_fit(X, y + 5)


def test_partial_fit_regressor(regression):
    X, Y = regression
    reg = MLPRegressor(hidden_layer_sizes=(16,), learning_rate_init=0.01, random_state=0)
    for _ in range(20):
        reg.partial_fit(X, Y)
    assert reg.loss_curve_[-1] < reg.loss_curve_[0]
    with pytest.raises(ValueError, match="3 features"):
        reg.partial_fit(X[:, :2], Y)


# -- targets --------------------------------------------------------------------------------
def test_binary_uses_one_logistic_output(iris):
    X, y = iris
    yb = np.where(y == 0, "setosa", "other")
    clf = small_clf().fit(X, yb)
    assert clf.out_activation_ == "logistic" and clf.n_outputs_ == 1
    assert clf.coefs_[-1].shape == (16, 1)
    proba = clf.predict_proba(X)
    assert proba.shape == (150, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert set(clf.predict(X)) <= {"setosa", "other"}
    np.testing.assert_array_equal(clf.classes_, ["other", "setosa"])


def test_multilabel():
    X, Y = make_multilabel_classification(n_samples=200, n_classes=4, random_state=0)
    clf = MLPClassifier((32,), max_iter=200, random_state=0).fit(X, Y)
    assert clf.out_activation_ == "logistic" and clf.n_outputs_ == 4
    assert clf.predict(X).shape == Y.shape
    proba = clf.predict_proba(X)
    assert proba.shape == Y.shape and not np.allclose(proba.sum(axis=1), 1.0)
    assert clf.score(X, Y) > 0.5  # subset accuracy (scikit-learn's MLP: 0.57)


def test_multi_output_regression(regression):
    X, Y = regression
    reg = MLPRegressor(
        hidden_layer_sizes=(32,),
        activation="tanh",
        learning_rate_init=0.01,
        max_iter=200,
        random_state=0,
    )
    reg.fit(X, Y)
    assert reg.predict(X).shape == Y.shape
    assert reg.out_activation_ == "identity" and reg.n_outputs_ == 2
    assert reg.score(X, Y) > 0.8  # scikit-learn's MLP: 0.81
    assert reg.fit(X, Y[:, 0]).predict(X).shape == (200,)


@pytest.mark.filterwarnings("ignore::gradlab.TrainingStalledWarning")  # 5 full-batch steps
def test_per_layer_activations_and_layers(iris):
    X, y = iris
    clf = MLPClassifier((8, 6), activation=["relu", "tanh"], max_iter=5, random_state=0)
    clf.fit(X, y)
    names = [layer.activation.name for layer in clf.model_.layers]
    assert names == ["relu", "tanh", "softmax"]
    assert [c.shape for c in clf.coefs_] == [(4, 8), (8, 6), (6, 3)]
    assert clf.n_layers_ == 4
    deep = MLPClassifier((8,), batch_norm=True, dropout=0.2, max_iter=5, random_state=0)
    kinds = [type(layer).__name__ for layer in deep.fit(X, y).model_.layers]
    assert kinds == ["Dense", "BatchNorm", "Activation", "Dropout", "Dense"]
    np.testing.assert_array_equal(deep.predict_proba(X), deep.predict_proba(X))


def test_dtype(iris):
    X, y = iris
    assert small_clf().fit(X, y).coefs_[0].dtype == np.float64
    assert small_clf().fit(X.astype(np.float32), y).coefs_[0].dtype == np.float32
    fast = small_clf(dtype="float32").fit(X, y)
    assert fast.coefs_[0].dtype == np.float32 and fast.predict_proba(X).dtype == np.float32


def test_verbose_prints_every_epoch(iris, capsys):
    small_clf(verbose=True, max_iter=3).fit(*iris)
    out = capsys.readouterr().out
    assert out.count("Iteration") == 3 and "Iteration 3, loss = " in out


# -- errors -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"activation": "reluu"}, r"unknown activation 'reluu'; did you mean 'relu'"),
        ({"activation": ["relu", "tanh"]}, r"'activation' .* a list of 1 .* Got \['relu'"),
        ({"activation": "glu"}, r"'activation' .* keeps the width"),
        ({"solver": "nesterov"}, r"'solver' parameter of MLPClassifier must be a str among"),
        ({"hidden_layer_sizes": (10, 0)}, r"'hidden_layer_sizes' .* positive ints. Got \(10, 0\)"),
        (
            {"solver": "gradlab_nesterov", "momentum": 0.0},
            r"'momentum' .* > 0 with solver='gradlab_nesterov'",
        ),
        ({"solver": "lbfgs", "dropout": 0.2}, r"'solver' .* a stochastic solver when dropout"),
        ({"kernel_initializer": "he_normall"}, r"'kernel_initializer' .* did you mean"),
        ({"dropout": 1.0}, r"'dropout' parameter .* range \[0.0, 1.0\)"),
        ({"batch_size": 0}, r"'batch_size' parameter"),
        ({"dtype": "float16"}, r"'dtype' parameter .* Got 'float16'"),
    ],
)
def test_bad_parameters_raise_clear_errors(iris, params, message):
    with pytest.raises(ValueError, match=message):
        MLPClassifier(**{"hidden_layer_sizes": (8,), "max_iter": 2, **params}).fit(*iris)


def test_bad_targets(iris):
    X, y = iris
    with pytest.raises(ValueError, match="Unknown label type"):
        small_clf().fit(X, X[:, 0])
    with pytest.raises(ValueError, match=r"network has 2 output\(s\) .* y needs 1"):
        MLPRegressor(hidden_layer_sizes=(4,)).partial_fit(X, np.ones((150, 2))).partial_fit(X, y)


# -- diagnostics_ -----------------------------------------------------------------------------
def test_diagnostics_shape_and_content(iris):
    X, y = iris
    clf = MLPClassifier((8, 8), activation="tanh", max_iter=7, random_state=0).fit(X, y)
    diag = clf.diagnostics_
    assert diag["layers"] == ["0 Dense(8, tanh)", "1 Dense(8, tanh)", "2 Dense(3, softmax)"]
    assert diag["epoch"] == list(range(1, 8))
    grad, dead = np.array(diag["grad_norm"]), np.array(diag["dead_fraction"])
    assert grad.shape == dead.shape == (7, 3)
    assert np.all(grad > 0)
    assert np.all(dead[:, :2] == 0) and np.all(np.isnan(dead[:, 2]))  # softmax: no f'


@pytest.mark.filterwarnings("ignore::gradlab.TrainingStalledWarning")  # the point of the test
def test_diagnostics_see_dead_relus(iris):
    """Zero kernels and zero biases: every ReLU outputs 0 and has f'(0) = 0, so all are dead."""
    X, y = iris
    clf = MLPClassifier((8,), kernel_initializer="zeros", max_iter=4, random_state=0).fit(X, y)
    dead = np.array(clf.diagnostics_["dead_fraction"])
    grad = np.array(clf.diagnostics_["grad_norm"])
    assert np.all(dead[:, 0] == 1.0)
    assert np.all(grad == 0)  # no kernel ever gets a gradient


# -- divergence -------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_divergence_is_a_value_error_and_a_training_diverged_error(seed):
    """A learning rate of 1e3 blows up a ReLU regressor within a few epochs on every seed:
    scikit-learn's ValueError and words, then gradlab's diagnosis."""
    from sklearn.datasets import make_regression

    X, y = make_regression(200, 5, random_state=0)
    reg = MLPRegressor(
        hidden_layer_sizes=(16,), solver="sgd", learning_rate_init=1e3, max_iter=30,
        random_state=seed,
    )  # fmt: skip
    with pytest.raises(
        ValueError, match=r"^Solver produced non-finite parameter weights. The input data may"
    ) as info:
        reg.fit(X, y)
    assert isinstance(info.value, gradlab.TrainingDivergedError)
    assert type(info.value) is gradlab.estimators.EstimatorDivergedError
    message = str(info.value)
    assert re.search(r"training diverged at epoch \d+, batch \d+", message)
    assert "learning_rate_init" in message and "StandardScaler" in message


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_divergence_with_early_stopping_keeps_the_best_epoch(seed):
    """With early_stopping, as in scikit-learn, a diverging fit does not raise: the diverged
    epoch scores NaN, training stops there (with a warning) and the best epoch is kept."""
    from sklearn.datasets import make_regression

    X, y = make_regression(200, 5, random_state=0)
    reg = MLPRegressor(
        hidden_layer_sizes=(16,), solver="sgd", learning_rate_init=1e3, max_iter=30,
        random_state=seed, early_stopping=True,
    )  # fmt: skip
    with pytest.warns(ConvergenceWarning, match="diverged in epoch"):
        reg.fit(X, y)
    assert np.isnan(reg.validation_scores_[-1]) and reg.n_iter_ < 30
    assert np.isfinite(reg.predict(X)).all()


@pytest.mark.filterwarnings("ignore::gradlab.TrainingStalledWarning")
@pytest.mark.filterwarnings("ignore:One or more of the test scores are non-finite")
def test_grid_search_scores_a_diverging_candidate_as_an_error():
    """A diverging candidate is one failed fit (``error_score``), not the end of the search."""
    from sklearn.datasets import make_regression
    from sklearn.exceptions import FitFailedWarning
    from sklearn.model_selection import GridSearchCV

    X, y = make_regression(120, 5, random_state=0)
    grid = GridSearchCV(
        MLPRegressor(hidden_layer_sizes=(16,), solver="sgd", max_iter=30, random_state=0),
        {"learning_rate_init": [1e-3, 1e3]},
        cv=2,
        error_score=np.nan,
    )
    with pytest.warns(FitFailedWarning, match="EstimatorDivergedError"):
        grid.fit(X, y)
    scores = grid.cv_results_["mean_test_score"]
    assert np.isfinite(scores[0]) and np.isnan(scores[1])


# -- package --------------------------------------------------------------------------------
def test_lazy_export_keeps_import_gradlab_light():
    assert gradlab.MLPClassifier is MLPClassifier and gradlab.MLPRegressor is MLPRegressor
    code = "import sys, gradlab; print('sklearn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
