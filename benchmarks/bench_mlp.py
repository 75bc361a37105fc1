"""sk_shallow against scikit-learn's MLPClassifier running the same algorithm.

Each row times both contenders (and, where it applies, the "floor": the same
run reduced to its two big matrix products and one tanh per iteration) in
the same process, alternating them run by run so that machine drift cancels,
and reports medians and ratios (ours / theirs). Both contenders start from the
same weights (``init="glorot"`` draws MLPClassifier's) and the script checks
that they reach the same loss. Two more columns show sk_shallow's blocked
passes on one thread and its unblocked pass (one block of all the examples,
the path of releases before the blocked one), timed in the same rotation.

Regenerate every committed result (about 10 minutes on a quiet two-core
machine), from the repository root::

    python benchmarks/bench_mlp.py --repeat 5 --markdown benchmarks/results.md \\
        --csv benchmarks/results.csv --json benchmarks/results.json
    python benchmarks/plot_results.py   # docs/_static/benchmarks.png

Other uses::

    python benchmarks/bench_mlp.py                    # all rows, print a table
    python benchmarks/bench_mlp.py --rows 1 3 --repeat 7
"""

import argparse
import csv
import json
import math
import platform
import statistics
import subprocess
import sys
import time
import warnings
from string import ascii_lowercase

import numpy as np
import scipy
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

import sk_shallow
from sk_shallow import ShallowNetClassifier, config_context
from sk_shallow.datasets import make_flower

warnings.simplefilter("ignore", ConvergenceWarning)


def make_data(m, n=100, dtype=np.float64, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.standard_normal((m, n)).astype(dtype)
    w = rng.standard_normal(n)
    y = (X @ w + 0.5 * rng.standard_normal(m) > 0).astype(int)
    return X, y


def pair(n_hidden, activation, lr, max_iter, m, alpha=0.0):
    """Our gradient descent and MLPClassifier's identical full-batch SGD."""
    ours = ShallowNetClassifier(
        n_hidden,
        activation,
        learning_rate=lr,
        max_iter=max_iter,
        tol=0,
        n_iter_no_change=np.inf,
        alpha=alpha,
        init="glorot",
        early_stopping=False,  # MLPClassifier's default: all rows trained on
        random_state=0,
    )
    theirs = MLPClassifier(
        (n_hidden,),
        activation,
        solver="sgd",
        batch_size=m,
        momentum=0,
        shuffle=False,
        learning_rate_init=lr,
        max_iter=max_iter,
        tol=0,
        n_iter_no_change=np.inf,
        alpha=alpha,
        random_state=0,
    )
    return ours, theirs


def floor_fit(X, n_hidden, n_iter):
    """The run reduced to its BLAS floor: W1 @ X^T, one tanh, dZ1 @ X."""
    rng = np.random.RandomState(0)
    W1 = rng.standard_normal((n_hidden, X.shape[1])).astype(X.dtype) * 0.01
    Z1 = np.empty((n_hidden, X.shape[0]), dtype=X.dtype)
    dW1 = np.empty_like(W1)
    for _ in range(n_iter):
        np.matmul(W1, X.T, out=Z1)
        np.tanh(Z1, out=Z1)
        np.matmul(Z1, X, out=dW1)
        W1 -= 1e-6 * dW1


def configured(fn, block_size=None, n_threads=None):
    """``fn`` run with the given block size and thread count of the passes."""

    def run():
        with config_context(block_size=block_size, n_threads=n_threads):
            return fn()

    return run


def variants(fn):
    """``fn`` as it is, on one thread, and unblocked (one block of everything)."""
    return {
        "ours": fn,
        "ours, 1 thread": configured(fn, n_threads=1),
        "unblocked": configured(fn, block_size=sys.maxsize),
    }


def timed(fn, repeat):
    """Median wall time of ``fn()`` over ``repeat`` runs after one warm-up."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def alternate(contenders, repeat):
    """Median times of several callables, run in turn so drift hits all alike."""
    for fn in contenders.values():
        fn()  # warm-up
    times = {name: [] for name in contenders}
    for _ in range(repeat):
        for name, fn in contenders.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def _same_loss(ours, theirs, rtol=1e-4):
    a, b = ours.loss_curve_[-1], theirs.loss_curve_[-1]
    if not math.isclose(a, b, rel_tol=rtol):
        raise AssertionError(f"losses differ: ours {a}, MLPClassifier {b}")


def row_fit(dtype, repeat, m=100_000, n=100, n_hidden=64, n_iter=30):
    X, y = make_data(m, n, dtype)
    ours, theirs = pair(n_hidden, "tanh", 0.1, n_iter, m)
    t = alternate(
        {
            **variants(lambda: ours.fit(X, y)),
            "MLPClassifier": lambda: theirs.fit(X, y),
            "floor": lambda: floor_fit(X, n_hidden, n_iter),
        },
        repeat,
    )
    _same_loss(ours, theirs, rtol=1e-3 if dtype == np.float32 else 1e-8)
    return t


def row_course(repeat):
    X, y = make_flower()
    ours, theirs = pair(4, "tanh", 1.2, 10_000, len(y))
    ours.set_params(init="normal", random_state=2)
    t = alternate(
        {"ours": lambda: ours.fit(X, y), "MLPClassifier": lambda: theirs.fit(X, y)},
        repeat,
    )
    return t, ours.score(X, y), theirs.score(X, y)


def row_predict(dtype, repeat, m=1_000_000, n=100, n_hidden=64):
    X_small, y_small = make_data(2000, n, dtype)
    ours, theirs = pair(n_hidden, "tanh", 0.1, 5, 2000)
    ours.fit(X_small, y_small)
    theirs.fit(X_small, y_small)
    X, _ = make_data(m, n, dtype, seed=1)
    t = alternate(
        {
            **variants(lambda: ours.predict_proba(X)),
            "MLPClassifier": lambda: theirs.predict_proba(X),
        },
        repeat,
    )
    np.testing.assert_allclose(
        ours.predict_proba(X[:1000]), theirs.predict_proba(X[:1000]), rtol=1e-4
    )
    return t


_MEMORY_CHILD = """
import sys, tracemalloc, warnings
import numpy as np
sys.path.insert(0, {bench_dir!r})
from bench_mlp import make_data, pair
warnings.simplefilter("ignore")
X, y = make_data(100_000, 100, np.float32)
ours, theirs = pair(64, "tanh", 0.1, 3, len(y))
model = ours if {which!r} == "ours" else theirs
tracemalloc.start()
model.fit(X, y)
print(tracemalloc.get_traced_memory()[1] / X.nbytes)
"""


_PREDICT_MEMORY_CHILD = """
import sys, tracemalloc, warnings
import numpy as np
sys.path.insert(0, {bench_dir!r})
from bench_mlp import make_data, pair
import sk_shallow
warnings.simplefilter("ignore")
X_small, y_small = make_data(2000, 100, np.float32)
ours, theirs = pair(64, "tanh", 0.1, 3, len(y_small))
model = theirs if {which!r} == "MLPClassifier" else ours
model.fit(X_small, y_small)
if {which!r} == "unblocked":
    sk_shallow.set_config(block_size=sys.maxsize)
X = np.random.default_rng(1).standard_normal((1_000_000, 100), dtype=np.float32)
tracemalloc.start()
proba = model.predict_proba(X)
print((tracemalloc.get_traced_memory()[1] - proba.nbytes) / 2**20)
"""


def _in_child(template, which):
    import pathlib

    bench_dir = str(pathlib.Path(__file__).resolve().parent)
    code = template.format(bench_dir=bench_dir, which=which)
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return float(result.stdout.strip().splitlines()[-1])


def row_memory():
    """Peak memory allocated by fit, as a multiple of X.nbytes, fresh process."""
    return {w: _in_child(_MEMORY_CHILD, w) for w in ("ours", "MLPClassifier")}


def row_predict_memory():
    """Peak memory of predict_proba on 10^6 x 100 float32 beyond its output, MiB."""
    return {
        w: _in_child(_PREDICT_MEMORY_CHILD, w)
        for w in ("ours", "unblocked", "MLPClassifier")
    }


def row_minibatch(solver, repeat, m=20_000, n_epochs=5):
    """Mini-batch epochs (batches of 200), where every batch is one block."""
    X, y = make_data(m, 100)
    ours, theirs = pair(64, "tanh", 1e-3, n_epochs, m)
    common = dict(solver=solver, batch_size=200, momentum=0.9, shuffle=False)
    ours.set_params(**common)
    theirs.set_params(**common)
    t = alternate(
        {
            "ours": lambda: ours.fit(X, y),
            "unblocked": configured(lambda: ours.fit(X, y), block_size=sys.maxsize),
            "MLPClassifier": lambda: theirs.fit(X, y),
        },
        repeat,
    )
    _same_loss(ours, theirs, rtol=1e-6)
    return t


def _iterations_to(model, X, y, target, grid):
    for max_iter in grid:
        model.set_params(max_iter=max_iter)
        if model.fit(X, y).score(X, y) >= target:
            return max_iter
    return None


def row_time_to_accuracy(repeat, target=0.9):
    X, y = make_flower()
    contenders = {
        "ours, gd (default)": ShallowNetClassifier(random_state=2),
        "ours, lbfgs, the notes' init": ShallowNetClassifier(
            solver="lbfgs", random_state=2
        ),
        "ours, lbfgs, init='glorot'": ShallowNetClassifier(
            solver="lbfgs", init="glorot", random_state=2
        ),
        "ours, adam (defaults)": ShallowNetClassifier(solver="adam", random_state=2),
        "MLPClassifier, defaults": MLPClassifier(random_state=2),
        "MLPClassifier, lbfgs": MLPClassifier(solver="lbfgs", random_state=2),
    }
    grid = sorted({int(round(10 ** (k / 8))) for k in range(0, 33)})
    result = {}
    for name, model in contenders.items():
        n_iter = _iterations_to(model, X, y, target, grid)
        if n_iter is None:
            result[name] = (None, None)
            continue
        model.set_params(max_iter=n_iter)
        result[name] = (n_iter, timed(lambda m=model: m.fit(X, y), repeat))
    return result


def row_scaling(repeat, n_iter=10):
    out = {}
    for m in (10_000, 100_000, 1_000_000):
        X, y = make_data(m, 100, np.float32)
        ours, _ = pair(64, "tanh", 0.1, n_iter, m)
        runs = max(3, repeat // 2) if m == 10**6 else repeat
        t = timed(lambda ours=ours, X=X, y=y: ours.fit(X, y), runs)
        out[m] = t / (m * n_iter)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="*", default=list(range(1, 9)))
    parser.add_argument(
        "--repeat", type=int, default=5, help="timed runs per contender (default: 5)"
    )
    parser.add_argument("--markdown", help="also write the table to this file")
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--csv", help="also write the table as CSV to this file")
    args = parser.parse_args(argv)

    header = (
        f"sk_shallow {sk_shallow.__version__}, scikit-learn {sklearn.__version__},"
        f" numpy {np.__version__}, scipy {scipy.__version__}, Python "
        f"{platform.python_version()}, {platform.machine()}; medians of "
        f"{args.repeat} runs"
    )

    def save():
        """Write the rows so far: a cut-short run keeps what it measured."""
        if args.markdown:
            with open(args.markdown, "w") as f:
                f.write(header + "\n\n" + "\n".join(lines) + "\n")
        if args.csv:
            # The Markdown rows as CSV, for the documentation's csv-table.
            with open(args.csv, "w", newline="") as f:
                writer = csv.writer(f)
                for line in lines[:1] + lines[2:]:
                    cells = [
                        c.strip().replace("**", "") for c in line.strip("|").split("|")
                    ]
                    writer.writerow(cells)
        if args.json:
            with open(args.json, "w") as f:
                json.dump(
                    {"environment": header, "results": results},
                    f,
                    indent=2,
                    default=str,
                )
        print(lines[-1], flush=True)

    lines = [
        "| row | what | ours | ours, 1 thread | unblocked | MLPClassifier | floor "
        "| ours / MLP | ours / floor |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    results = {}

    def cell(t, unit=" s"):
        return f"{t:.4g}{unit}" if t else "—"

    def add(row, what, t, unit=" s"):
        ours, theirs = t["ours"], t.get("MLPClassifier")
        floor = t.get("floor")
        lines.append(
            f"| {row} | {what} | {cell(ours, unit)} | "
            f"{cell(t.get('ours, 1 thread'), unit)} | "
            f"{cell(t.get('unblocked'), unit)} | {cell(theirs, unit)} | "
            f"{cell(floor, unit)} | "
            + (f"**{ours / theirs:.2f}x**" if theirs else "—")
            + " | "
            + (f"{ours / floor:.2f}x" if floor else "—")
            + " |"
        )
        results[f"{row}: {what}"] = t
        save()

    print(header + "\n\n" + "\n".join(lines), flush=True)
    if 1 in args.rows or 2 in args.rows:
        t64 = row_fit(np.float64, args.repeat)
        if 1 in args.rows:
            add(1, "fit, gd, tanh, 64 hidden, 100000 x 100, 30 it, float64", t64)
        if 2 in args.rows:
            t32 = row_fit(np.float32, args.repeat)
            add(
                2,
                "the same in float32 (ours float64 / float32: "
                f"{t64['ours'] / t32['ours']:.2f}x)",
                t32,
            )
    if 3 in args.rows:
        t, acc_ours, acc_theirs = row_course(args.repeat)
        add(
            3,
            f"course run, flower, 10000 it (accuracy {acc_ours:.1%} / "
            f"{acc_theirs:.1%})",
            t,
        )
    if 4 in args.rows:
        for label, dtype in zip("ab", (np.float64, np.float32), strict=True):
            add(
                f"4{label}",
                f"predict_proba, 1000000 x 100, {np.dtype(dtype).name}",
                row_predict(dtype, args.repeat),
            )
    if 5 in args.rows:
        for label, solver in zip("ab", ("sgd", "adam"), strict=True):
            add(
                f"5{label}",
                f"{solver}, batches of 200, 5 epochs, 20000 x 100, float64",
                row_minibatch(solver, args.repeat),
            )
    if 6 in args.rows:
        mem = row_memory()
        lines.append(
            f"| 6a | peak memory of fit, 100000 x 100 float32, in X.nbytes | "
            f"{mem['ours']:.2f} | | | {mem['MLPClassifier']:.2f} | — | "
            f"**{mem['ours'] / mem['MLPClassifier']:.2f}x** | — |"
        )
        results["6a: peak memory of fit, 100000 x 100 float32, in X.nbytes"] = mem
        save()
        add(
            "6b",
            "peak memory of predict_proba beyond its output, 1000000 x 100 "
            "float32 (X: 381 MiB)",
            row_predict_memory(),
            unit=" MiB",
        )
    if 7 in args.rows:
        res = row_time_to_accuracy(args.repeat)
        results["7: time to 90% on the flower"] = res
        gd = res["ours, gd (default)"][1]
        for label, (name, (n_iter, t)) in zip(
            ascii_lowercase, res.items(), strict=False
        ):
            if t is None:
                lines.append(
                    f"| 7{label} | time to 90% on the flower: {name} | not reached "
                    "| | | | | | |"
                )
            else:
                lines.append(
                    f"| 7{label} | time to 90% on the flower: {name} ({n_iter} it) "
                    f"| {t:.4g} s | | | | | speed-up over gd: "
                    f"{gd / t:.1f}x | |"
                )
            save()
    if 8 in args.rows:
        res = row_scaling(args.repeat)
        results["8: seconds per sample per iteration"] = res
        base = res[10_000]
        for label, (m, t) in zip(ascii_lowercase, res.items(), strict=False):
            lines.append(
                f"| 8{label} | fit per sample per iteration, m = {m}, float32 | "
                f"{t * 1e9:.2f} ns | | | | | relative to m = 10^4: "
                f"{t / base:.2f} | |"
            )
            save()


if __name__ == "__main__":
    main()
