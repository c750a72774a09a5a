"""Grid-search gradlab's MLPClassifier over activations and solvers on digits (README table).

``python -m benchmarks.estimators_gridsearch [--activations relu tanh gelu selu]
[--solvers sgd gradlab_sgd adam lbfgs] [--hidden 64] [--lr 0.01] [--max-iter 100] [--cv 3]``

``GridSearchCV(Pipeline(StandardScaler(), MLPClassifier(...)))`` with ``--cv``-fold cross
validation on a stratified 75% of ``sklearn.datasets.load_digits`` (``random_state=0``); the
best pipeline is then scored on the held-out 25%. Every fit uses ``random_state=0`` and one
BLAS thread. Prints a Markdown table: mean cross-validated accuracy (± sd over the folds) and
mean fit time, one row per activation, one column per solver.
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits  # a dependency of scikit-learn

from gradlab.estimators import MLPClassifier


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activations", nargs="+", default=["relu", "tanh", "gelu", "selu"])
    parser.add_argument("--solvers", nargs="+", default=["gradlab_sgd", "sgd", "adam", "lbfgs"])
    parser.add_argument("--hidden", type=int, nargs="+", default=[64])
    parser.add_argument("--lr", type=float, default=0.01, help="learning_rate_init")
    parser.add_argument("--max-iter", type=int, default=100)
    parser.add_argument("--cv", type=int, default=3)
    args = parser.parse_args()
    X, y = load_digits(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    mlp = MLPClassifier(
        tuple(args.hidden), learning_rate_init=args.lr, max_iter=args.max_iter, random_state=0
    )
    grid = GridSearchCV(
        make_pipeline(StandardScaler(), mlp),
        {"mlpclassifier__activation": args.activations, "mlpclassifier__solver": args.solvers},
        cv=args.cv,
    )
    with warnings.catch_warnings(), threadpool_limits(1):
        warnings.simplefilter("ignore", ConvergenceWarning)
        grid.fit(X_tr, y_tr)
    res = grid.cv_results_
    cells = {
        (p["mlpclassifier__activation"], p["mlpclassifier__solver"]): (m, s, t)
        for p, m, s, t in zip(
            res["params"],
            res["mean_test_score"],
            res["std_test_score"],
            res["mean_fit_time"],
            strict=True,
        )
    }
    print(
        f"digits: {len(X_tr)} rows, {args.cv}-fold CV; hidden {tuple(args.hidden)}, "
        f"learning_rate_init {args.lr}, max_iter {args.max_iter}, random_state 0\n"
    )
    print("| activation | " + " | ".join(args.solvers) + " |")
    print("|---|" + "---:|" * len(args.solvers))
    for act in args.activations:
        row = [
            f"{m:.3f} ± {s:.3f} ({t:.2f} s)" for m, s, t in (cells[act, sv] for sv in args.solvers)
        ]
        print(f"| {act} | " + " | ".join(row) + " |")
    best = grid.best_params_
    print(
        f"\nbest: activation={best['mlpclassifier__activation']!r}, "
        f"solver={best['mlpclassifier__solver']!r}: CV accuracy {grid.best_score_:.3f}, "
        f"held-out accuracy {grid.score(X_te, y_te):.3f} on {len(X_te)} rows; "
        f"grid of {len(cells)} x {args.cv} fits took {np.sum(res['mean_fit_time']) * args.cv:.0f} s"
    )


if __name__ == "__main__":
    main()
