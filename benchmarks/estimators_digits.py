"""Accuracy and fit time of gradlab's MLPClassifier against scikit-learn's on digits.

``python -m benchmarks.estimators_digits [--hidden 64] [--activation relu] [--solver adam]
[--max-iter 200] [--seeds 0 1 ... 9] [--threads 1]``

Both run in ``Pipeline(StandardScaler(), MLP...)`` with the same settings (scikit-learn's MLP
defaults otherwise: alpha 1e-4, batch 200, lr 1e-3, tol 1e-4, 10 epochs without improvement),
on the same stratified 75/25 split of ``sklearn.datasets.load_digits``, for each seed in
``--seeds`` (``random_state``). gradlab trains in float64 like scikit-learn (``dtype=None``
with float64 input); the ``float32`` row shows gradlab's faster precision. Each estimator is
fitted once before timing, so imports do not count. BLAS runs on ``--threads`` threads
(default 1: on a shared 2-core machine more threads make the timings erratic). ``--solver``
means the same in both (scikit-learn's ``sgd`` is Nesterov momentum 0.9 in both), and the same
``random_state`` draws the same initial weights and shuffles in both, so the two float64 rows
should agree epoch for epoch; the table shows whether they do (``same epochs``).
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings
from collections.abc import Callable
from typing import Any

from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier as SkMLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits  # a dependency of scikit-learn

from gradlab.estimators import MLPClassifier


def run(make: Callable[[int], Any], seeds: list[int], data: tuple) -> dict[str, float]:
    """Fit ``make(seed)`` in a scaling pipeline per seed; return accuracy, time and epochs."""
    X_tr, X_te, y_tr, y_te = data
    make_pipeline(StandardScaler(), make(seeds[0])).fit(X_tr, y_tr)  # warm-up: imports
    accs, times, iters = [], [], []
    for seed in seeds:
        pipe = make_pipeline(StandardScaler(), make(seed))
        start = time.perf_counter()
        pipe.fit(X_tr, y_tr)
        times.append(time.perf_counter() - start)
        accs.append(pipe.score(X_te, y_te))
        iters.append(pipe[-1].n_iter_)
    return {
        "acc": statistics.mean(accs),
        "acc_sd": statistics.stdev(accs) if len(accs) > 1 else 0.0,
        "time": statistics.mean(times),
        "iters": statistics.mean(iters),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hidden", type=int, nargs="+", default=[64])
    parser.add_argument("--activation", default="relu", help="relu, tanh, logistic, identity")
    parser.add_argument("--solver", choices=("adam", "sgd", "lbfgs"), default="adam")
    parser.add_argument("--max-iter", type=int, default=200)
    parser.add_argument("--seeds", type=int, nargs="+", default=list(range(10)))
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads")
    args = parser.parse_args()
    X, y = load_digits(return_X_y=True)
    data = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    shared = {
        "hidden_layer_sizes": tuple(args.hidden),
        "activation": args.activation,
        "max_iter": args.max_iter,
    }
    ours_solver = args.solver
    rows = {
        "scikit-learn MLPClassifier": lambda s: SkMLPClassifier(
            **shared, solver=args.solver, random_state=s
        ),
        "gradlab MLPClassifier": lambda s: MLPClassifier(
            **shared, solver=ours_solver, random_state=s
        ),
        "gradlab MLPClassifier, float32": lambda s: MLPClassifier(
            **shared, solver=ours_solver, random_state=s, dtype="float32"
        ),
    }
    print(
        f"digits, 1347 train / 450 test rows, hidden {tuple(args.hidden)}, {args.activation}, "
        f"{args.solver}, max_iter {args.max_iter}, seeds {args.seeds}, "
        f"{args.threads} BLAS thread(s)\n"
    )
    print("| estimator | test accuracy (mean ± sd) | fit time (s) | epochs |")
    print("|---|---:|---:|---:|")
    with warnings.catch_warnings(), threadpool_limits(args.threads):
        warnings.simplefilter("ignore", ConvergenceWarning)
        for name, make in rows.items():
            r = run(make, args.seeds, data)
            print(
                f"| {name} | {r['acc']:.4f} ± {r['acc_sd']:.4f} | {r['time']:.3f} | "
                f"{r['iters']:.1f} |"
            )


if __name__ == "__main__":
    main()
