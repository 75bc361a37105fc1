"""The default fit's stopping on the small-data panel, for several ``tol``.

For each data set (scaled by a StandardScaler fitted on the training part,
5-fold stratified cross-validation as ``tests/test_defaults.py``),
``ShallowNetClassifier(random_state=0, tol=tol)`` for each ``tol`` given
and ``MLPClassifier(hidden_layer_sizes=(4,), random_state=0)`` are fitted
on each fold; the script prints, per data set, the mean test accuracy, the
mean number of steps and the ConvergenceWarnings of each ``tol``, and the
total fit times. ``docs/defaults.rst`` gives its table. From the
repository root (about five minutes on one core)::

    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_stopping.py \\
        --tols 1e-7 2e-7 3e-7 1e-6
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.datasets import (
    load_breast_cancer,
    load_digits,
    load_iris,
    load_wine,
    make_circles,
    make_gaussian_quantiles,
    make_moons,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import StratifiedKFold
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from sk_shallow import ShallowNetClassifier
from sk_shallow.datasets import make_flower

DATA = {
    "iris": lambda: load_iris(return_X_y=True),
    "wine": lambda: load_wine(return_X_y=True),
    "breast cancer": lambda: load_breast_cancer(return_X_y=True),
    "digits": lambda: load_digits(return_X_y=True),
    "moons": lambda: make_moons(400, noise=0.1, random_state=0),
    "noisy moons": lambda: make_moons(1000, noise=0.2, random_state=0),
    "circles": lambda: make_circles(500, noise=0.1, factor=0.5, random_state=0),
    "quantiles": lambda: make_gaussian_quantiles(
        n_samples=400, n_classes=2, random_state=0
    ),
    "flower": lambda: make_flower(),
}
CV = StratifiedKFold(5, shuffle=True, random_state=0)


def _fit(model, X, y):
    """``(seconds, ConvergenceWarnings)`` of ``model.fit(X, y)``."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start = time.perf_counter()
        model.fit(X, y)
        seconds = time.perf_counter() - start
    return seconds, sum(w.category is ConvergenceWarning for w in caught)


def run(tols):
    results = {}
    for name, load in DATA.items():
        X, y = load()
        row = {tol: dict(acc=[], steps=[], time=0.0, warned=0) for tol in tols}
        row["MLP"] = dict(acc=[], time=0.0)
        for train, test in CV.split(X, y):
            scaler = StandardScaler().fit(X[train])
            X_train, X_test = scaler.transform(X[train]), scaler.transform(X[test])
            models = {
                tol: ShallowNetClassifier(random_state=0, tol=tol) for tol in tols
            }
            models["MLP"] = MLPClassifier(hidden_layer_sizes=(4,), random_state=0)
            for key, model in models.items():
                seconds, warned = _fit(model, X_train, y[train])
                cell = row[key]
                cell["time"] += seconds
                cell["acc"].append(model.score(X_test, y[test]))
                if key != "MLP":
                    cell["warned"] += warned
                    cell["steps"].append(model.n_iter_)
        for cell in row.values():
            for key in ("acc", "steps"):
                if key in cell:
                    cell[key] = float(np.mean(cell[key]))
        results[name] = row
        print(name, row, flush=True)
    return results


def table(results, tols):
    head = " | ".join(f"tol={tol:g}: accuracy, steps, warned" for tol in tols)
    lines = [
        f"| data set | {head} | MLP (4,): accuracy |",
        "| --- " * (len(tols) + 2) + "|",
    ]
    for name, row in results.items():
        cells = " | ".join(
            f"{row[tol]['acc']:.3f}, {row[tol]['steps']:.0f}, {row[tol]['warned']}/5"
            for tol in tols
        )
        lines.append(f"| {name} | {cells} | {row['MLP']['acc']:.3f} |")
    times = " | ".join(
        f"{sum(row[tol]['time'] for row in results.values()):.1f} s" for tol in tols
    )
    mlp = sum(row["MLP"]["time"] for row in results.values())
    lines.append(f"| fit time, all | {times} | {mlp:.1f} s |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tols", nargs="+", type=float, default=[1e-7])
    args = parser.parse_args()
    print(table(run(args.tols), args.tols))


if __name__ == "__main__":
    main()
