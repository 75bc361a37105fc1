"""Small data, thousands of steps, other work beside: the rows of docs/benchmarks.rst.

Every row alternates its contenders run by run in one process and reports
medians of wall-clock time (``--repeat`` runs after a warm-up):

- ``course``: the notes' run (flower, 4 tanh units, step 1.2, 10,000 steps,
  stopping off) against MLPClassifier set to the same algorithm
  (full-batch SGD without momentum, step 1.2, stopping off);
- ``iris``: the default fit of scaled iris, and its time per step;
- ``busy``: a fit of scaled digits (32 units, 300 steps) as it is and under
  ``threadpool_limits(1)``, with one CPU-bound process running beside it;
- ``floor``: this machine's GEMM rate and ``tanh`` cost, and from them the
  least time one step of the course run can take.

Run from the repository root::

    python benchmarks/bench_speed.py --repeat 5
    python benchmarks/bench_speed.py --rows course floor
"""

import argparse
import subprocess
import sys
import time
import warnings

import numpy as np
from bench_mlp import alternate  # median wall times, contenders in turn
from sklearn.datasets import load_digits, load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from sk_shallow import ShallowNetClassifier
from sk_shallow.datasets import make_flower

warnings.simplefilter("ignore", ConvergenceWarning)


def row_course(repeat):
    X, y = make_flower()
    ours = ShallowNetClassifier(
        4, learning_rate=1.2, random_state=2, tol=0, n_iter_no_change=np.inf
    )
    theirs = MLPClassifier(
        (4,),
        "tanh",
        solver="sgd",
        batch_size=len(y),
        momentum=0,
        shuffle=False,
        learning_rate_init=1.2,
        max_iter=10_000,
        tol=0,
        n_iter_no_change=np.inf,
        alpha=0,
        random_state=0,
    )
    t = alternate(
        {"ours": lambda: ours.fit(X, y), "MLPClassifier": lambda: theirs.fit(X, y)},
        repeat,
    )
    steps = ours.n_iter_
    print(
        f"course run, {steps} steps: ours {t['ours']:.3f} s "
        f"({t['ours'] / steps * 1e6:.1f} us/step), MLPClassifier "
        f"{t['MLPClassifier']:.3f} s ({t['MLPClassifier'] / steps * 1e6:.1f} "
        f"us/step): {t['ours'] / t['MLPClassifier']:.2f}x"
    )


def row_iris(repeat):
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    clf = ShallowNetClassifier(random_state=0)
    t = alternate({"iris": lambda: clf.fit(X, y)}, repeat)["iris"]
    print(
        f"iris, defaults: {t:.3f} s, {clf.n_iter_} steps, "
        f"{t / clf.n_iter_ * 1e6:.1f} us/step"
    )


def row_busy(repeat):
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    clf = ShallowNetClassifier(
        32, max_iter=300, tol=0, n_iter_no_change=np.inf, random_state=0
    )

    def limited():
        with threadpool_limits(1, "blas"):
            clf.fit(X, y)

    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        t = alternate({"as is": lambda: clf.fit(X, y), "limited": limited}, repeat)
    finally:
        busy.kill()
        busy.wait()
    print(
        f"digits, 32 units, 300 steps, one busy process beside: as is "
        f"{t['as is']:.3f} s, under threadpool_limits(1) {t['limited']:.3f} s: "
        f"{t['as is'] / t['limited']:.2f}x"
    )


def _rate(fn, number):
    fn()
    best = np.inf
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - start) / number)
    return best


#: NumPy calls in one step of the course run (FlatPass and the update):
#: forward 6 (two products, two bias adds, tanh, expit), cost 4 (log A2,
#: (1 - Y) Z2, their difference, its sum), backward 10, the division by m,
#: and 2 for the step (written into the other of two parameter vectors, so
#: the safeguard keeps the step's start without copying it).
CALLS = 23


def row_floor(repeat):
    """The least time a course step can take: its FLOPs at the GEMM rate."""
    rng = np.random.RandomState(0)
    with threadpool_limits(1, "blas"):
        A, B, C = (rng.standard_normal((512, 512)) for _ in "abc")
        gemm = 2 * 512**3 / _rate(lambda: np.matmul(A, B, out=C), 20) / 1e9
    Z = rng.standard_normal((64, 2048))
    out = np.empty_like(Z)
    tanh_ns = _rate(lambda: np.tanh(Z, out=out), 200) / Z.size * 1e9
    # What any NumPy call costs, whatever its size: one on a single value.
    one = np.ones(1)
    call_us = _rate(lambda: np.multiply(one, 1.0, out=one), 20_000) * 1e6
    # One step of the course run: n_x = 2, n_h = 4, n_y = 1, m = 400.
    n_x, n_h, n_y, m = 2, 4, 1, 400
    products = 2 * m * (n_h * n_x + n_y * n_h) * 2  # forward, and dW1, dW2
    products += 2 * m * (n_h + n_y)  # the bias gradients, as products
    elementwise = m * (12 * n_h + 12 * n_y)  # bias adds, g', dZ, the loss
    floor = products / (gemm * 1e9) + m * n_h * tanh_ns * 1e-9
    floor += elementwise / (gemm * 1e9)
    print(
        f"GEMM (512^3, one thread) {gemm:.1f} GFLOP/s; tanh {tanh_ns:.2f} "
        f"ns/element; one course step: {products} FLOPs in products, about "
        f"{elementwise} elementwise, {m * n_h} tanh; floor "
        f"{floor * 1e6:.2f} us/step"
    )
    print(
        f"one NumPy call: {call_us:.2f} us; the course step's {CALLS} calls: "
        f"{CALLS * call_us:.1f} us/step before any arithmetic"
    )


ROWS = {"course": row_course, "iris": row_iris, "busy": row_busy, "floor": row_floor}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rows", nargs="*", choices=list(ROWS), default=list(ROWS))
    args = parser.parse_args()
    for name in args.rows:
        ROWS[name](args.repeat)


if __name__ == "__main__":
    main()
