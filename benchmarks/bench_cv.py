"""The model selection estimators against GridSearchCV: time and memory.

Each case runs ``ShallowNetClassifierCV(grid, cv=5)`` and
``GridSearchCV(ShallowNetClassifier(), grid, cv=5)`` alternately,
``--repeats`` times each, and reports the median of each (process time, so
that other work on the machine counts less, and wall time), their ratio,
whether both chose the same parameters with the same split scores, and the
peak memory (tracemalloc, in runs of 20 steps) of one search against one
plain fit of its first grid point on the whole data. Every fit runs on one BLAS thread.

Usage::

    python benchmarks/bench_cv.py [--repeats 3] [--cases flower-readme ...] \\
        [--markdown table.md]
"""

import argparse
import json
import statistics
import time
import tracemalloc
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from threadpoolctl import threadpool_limits

from sk_shallow import ShallowNetClassifier, ShallowNetClassifierCV
from sk_shallow.datasets import make_flower


def _flower():
    return make_flower(random_state=0)


def _digits():
    X, y = load_digits(return_X_y=True)
    return X / 16.0, y


#: name -> (data, grid, parameters of every fit)
CASES = {
    "flower-readme": (
        _flower,
        {"n_hidden": [1, 2, 4, 20], "activation": ["tanh", "relu"]},
        dict(random_state=2),
    ),
    "flower-sweep": (
        _flower,
        {"n_hidden": [1, 2, 3, 4, 5, 20, 50]},
        dict(random_state=2),
    ),
    "digits": (
        _digits,
        {"n_hidden": [8, 16, 32], "alpha": [0.0, 1.0]},
        dict(random_state=0, max_iter=500),
    ),
    "digits-widths": (
        _digits,
        {"n_hidden": [8, 16, 32, 64]},
        dict(random_state=0, max_iter=500),
    ),
}


def _timed(make):
    wall, cpu = time.perf_counter(), time.process_time()
    result = make()
    return result, time.process_time() - cpu, time.perf_counter() - wall


def _peak(make):
    tracemalloc.start()
    make()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def run(name, repeats):
    data, grid, params = CASES[name]
    X, y = data()

    def batch():
        return ShallowNetClassifierCV(grid, cv=5, refit=False, **params).fit(X, y)

    def separate():
        search = GridSearchCV(ShallowNetClassifier(**params), grid, cv=5, refit=False)
        return search.fit(X, y)

    times = {"batch": [], "separate": []}
    for _ in range(repeats):  # alternated, so that load changes hit both
        one, cpu, wall = _timed(batch)
        times["batch"].append((cpu, wall))
        other, cpu, wall = _timed(separate)
        times["separate"].append((cpu, wall))
    same = one.best_params_ == other.best_params_ and all(
        np.allclose(
            one.cv_results_[f"split{k}_test_score"],
            other.cv_results_[f"split{k}_test_score"],
            rtol=0,
            atol=1e-12,
        )
        for k in range(5)
    )
    # Peak memory does not grow with the steps (tracemalloc slows every
    # allocation down): 20 steps of each.
    first = {k: v[0] for k, v in grid.items()}
    short = {**params, "max_iter": 20}
    peaks = {
        "batch": _peak(
            lambda: ShallowNetClassifierCV(grid, cv=5, refit=False, **short).fit(X, y)
        ),
        "one_fit": _peak(lambda: ShallowNetClassifier(**short, **first).fit(X, y)),
    }
    median = {
        k: [statistics.median(t[i] for t in v) for i in (0, 1)]
        for k, v in times.items()
    }
    return {
        "case": name,
        "n_samples": X.shape[0],
        "grid": grid,
        "params": params,
        "n_fits": int(np.prod([len(v) for v in grid.values()])) * 5,
        "repeats": repeats,
        "batch_cpu_s": median["batch"][0],
        "separate_cpu_s": median["separate"][0],
        "ratio_cpu": median["batch"][0] / median["separate"][0],
        "batch_wall_s": median["batch"][1],
        "separate_wall_s": median["separate"][1],
        "ratio_wall": median["batch"][1] / median["separate"][1],
        "same_results": bool(same),
        "best_params": one.best_params_,
        "peak_batch_mib": peaks["batch"] / 2**20,
        "peak_one_fit_mib": peaks["one_fit"] / 2**20,
    }


def markdown(rows):
    """The results as a Markdown table, one row per case."""
    lines = [
        "| case | fits | CV estimator s (CPU) | GridSearchCV s (CPU) | ratio CPU "
        "| ratio wall | same results | peak MiB: search / one fit |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['case']} | {r['n_fits']} | {r['batch_cpu_s']:.2f} "
            f"| {r['separate_cpu_s']:.2f} | {r['ratio_cpu']:.2f} "
            f"| {r['ratio_wall']:.2f} | {'yes' if r['same_results'] else 'no'} "
            f"| {r['peak_batch_mib']:.2f} / {r['peak_one_fit_mib']:.2f} |"
        )
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cases", nargs="+", default=list(CASES), choices=CASES)
    parser.add_argument("--markdown", help="write the table to this file too")
    args = parser.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)
    rows = []
    with threadpool_limits(1):
        for name in args.cases:
            rows.append(run(name, args.repeats))
            print(json.dumps(rows[-1]), flush=True)
    print(markdown(rows))
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as f:
            f.write(markdown(rows))


if __name__ == "__main__":
    main()
