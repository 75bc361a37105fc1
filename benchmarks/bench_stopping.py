"""The default fit's stopping on the small-data panel, rule by rule.

For each data set (scaled by a StandardScaler fitted on the training part,
5-fold stratified cross-validation as ``tests/test_defaults.py``),
``ShallowNetClassifier(random_state=0, tol=tol)`` for each ``tol`` and
each share ``SETTLED`` given (``sk_shallow._stopping.SETTLED``; 0 turns the
settled test off, which is the stall rule alone) and
``MLPClassifier(hidden_layer_sizes=(4,), random_state=0)`` are fitted on
each fold, in an order that rotates from fold to fold so that no model
always runs first; ``--other`` fits six synthetic sets that no constant of
the rule was chosen on instead. The script prints, per data set and rule,
the mean test accuracy, the mean number of steps and the
ConvergenceWarnings, then the fit times: per data set, in total, and per
step. ``docs/defaults.rst``
gives its tables. From the repository root (about five minutes on one
core)::

    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_stopping.py \\
        --tols 1e-7 --settled 0 0.002
"""

import argparse
import itertools
import time
import warnings

import numpy as np
from sklearn.datasets import (
    load_breast_cancer,
    load_digits,
    load_iris,
    load_wine,
    make_blobs,
    make_circles,
    make_classification,
    make_gaussian_quantiles,
    make_moons,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import StratifiedKFold
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from sk_shallow import ShallowNetClassifier, _stopping
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
#: Sets no constant was chosen on (``--other``): a check that the rule
#: carries over.
OTHER = {
    "classification, 10 columns": lambda: make_classification(
        500, 10, n_informative=5, random_state=1
    ),
    "classification, 3 classes": lambda: make_classification(
        300,
        4,
        n_informative=3,
        n_redundant=0,
        n_classes=3,
        n_clusters_per_class=1,
        random_state=2,
    ),
    "blobs": lambda: make_blobs(300, centers=3, cluster_std=2.0, random_state=3),
    "moons, noise 0.3": lambda: make_moons(600, noise=0.3, random_state=4),
    "circles, noise 0.2": lambda: make_circles(
        600, noise=0.2, factor=0.5, random_state=5
    ),
    "quantiles, 3 classes": lambda: make_gaussian_quantiles(
        n_samples=500, n_classes=3, random_state=6
    ),
}
CV = StratifiedKFold(5, shuffle=True, random_state=0)


def _fit(model, X, y, settled):
    """``(seconds, ConvergenceWarnings)`` of ``model.fit(X, y)``."""
    _stopping.SETTLED = settled
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start = time.perf_counter()
        model.fit(X, y)
        seconds = time.perf_counter() - start
    return seconds, sum(w.category is ConvergenceWarning for w in caught)


def _name(rule):
    tol, settled = rule
    return f"tol={tol:g}, settled={settled:g}"


def run(rules, data=DATA):
    """Per data set, per rule (and ``"MLP"``): accuracy, steps, time, warnings."""
    default = _stopping.SETTLED
    results = {}
    for name, load in data.items():
        X, y = load()
        keys = [*rules, "MLP"]
        row = {key: dict(acc=[], steps=[], time=0.0, warned=0) for key in keys}
        for fold, (train, test) in enumerate(CV.split(X, y)):
            scaler = StandardScaler().fit(X[train])
            X_train, X_test = scaler.transform(X[train]), scaler.transform(X[test])
            order = keys[fold % len(keys) :] + keys[: fold % len(keys)]
            for key in order:
                if key == "MLP":
                    model = MLPClassifier(hidden_layer_sizes=(4,), random_state=0)
                    settled = default
                else:
                    model = ShallowNetClassifier(random_state=0, tol=key[0])
                    settled = key[1]
                seconds, warned = _fit(model, X_train, y[train], settled)
                cell = row[key]
                cell["time"] += seconds
                cell["warned"] += warned
                cell["acc"].append(model.score(X_test, y[test]))
                cell["steps"].append(model.n_iter_)
        _stopping.SETTLED = default
        for cell in row.values():
            cell["steps_total"] = int(np.sum(cell["steps"]))
            for key in ("acc", "steps"):
                cell[key] = float(np.mean(cell[key]))
        results[name] = row
        print(name, {_name(k) if k != "MLP" else k: v for k, v in row.items()})
    return results


def table(results, rules):
    """The accuracy, steps and warnings, then the time profile, as Markdown."""
    head = " | ".join(f"{_name(rule)}: accuracy, steps, warned" for rule in rules)
    lines = [
        f"| data set | {head} | MLP (4,): accuracy, iterations |",
        "| --- " * (len(rules) + 2) + "|",
    ]
    for name, row in results.items():
        cells = " | ".join(
            f"{row[r]['acc']:.3f}, {row[r]['steps']:,.0f}, {row[r]['warned']}/5"
            for r in rules
        )
        mlp = row["MLP"]
        lines.append(f"| {name} | {cells} | {mlp['acc']:.3f}, {mlp['steps']:.0f} |")
    head = " | ".join(f"{_name(rule)}: s, µs/step" for rule in rules)
    lines += [
        "",
        f"| fit time (5 folds) | {head} | MLP (4,): s |",
        "| --- " * (len(rules) + 2) + "|",
    ]
    for name, row in itertools.chain(results.items(), [("all", None)]):
        cells = []
        for key in [*rules, "MLP"]:
            cell = (
                row[key]
                if row is not None
                else {
                    "time": sum(r[key]["time"] for r in results.values()),
                    "steps_total": sum(r[key]["steps_total"] for r in results.values()),
                }
            )
            text = f"{cell['time']:.2f}"
            if key != "MLP":
                text += f", {cell['time'] / cell['steps_total'] * 1e6:.0f}"
            cells.append(text)
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tols", nargs="+", type=float, default=[1e-7])
    parser.add_argument("--settled", nargs="+", type=float, default=[_stopping.SETTLED])
    parser.add_argument(
        "--other", action="store_true", help="the sets of OTHER instead of DATA"
    )
    args = parser.parse_args()
    rules = list(itertools.product(args.tols, args.settled))
    print(table(run(rules, OTHER if args.other else DATA), rules))


if __name__ == "__main__":
    main()
