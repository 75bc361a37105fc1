"""How closely a Dask fit follows the in-memory fit over a whole run.

Fits :class:`~sk_shallow.ShallowNetClassifier` and
:class:`~sk_shallow.dask.DaskShallowNetClassifier` (Dask's default scheduler:
the cluster's arithmetic, chunk sums added in chunk order) on the same flower
rows with ``solver="gd"`` and ``"lbfgs"``, and prints the iterations each
took, the largest relative difference of the weights, the final costs and
accuracies, and for how many iterations the two cost curves agree to 1e-12,
1e-9, 1e-6 and 1e-3 relative. Usage::

    python benchmarks/dask_trajectory.py --rows 20000 --chunk 1000
"""

import argparse
import warnings

import dask.array as da
import numpy as np
from sklearn.exceptions import ConvergenceWarning

from sk_shallow import ShallowNetClassifier
from sk_shallow.dask import DaskShallowNetClassifier
from sk_shallow.datasets import make_flower

PARAMS = ("W1_", "b1_", "W2_", "b2_")


def agreeing_iterations(a, b, rtol):
    """How many first values of two cost curves agree to ``rtol`` relative."""
    n = min(len(a), len(b))
    a, b = np.asarray(a[:n]), np.asarray(b[:n])
    apart = np.abs(a - b) > rtol * np.abs(a)
    return int(np.argmax(apart)) if apart.any() else n


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--chunk", type=int, default=1000)
    parser.add_argument("--gd-iters", type=int, default=1500)
    args = parser.parse_args()
    X, y = make_flower(args.rows)
    dX = da.from_array(X, chunks=(args.chunk, X.shape[1]))
    dy = da.from_array(y, chunks=args.chunk)
    for solver, max_iter in (("gd", args.gd_iters), ("lbfgs", 10_000)):
        params = dict(solver=solver, max_iter=max_iter, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            plain = ShallowNetClassifier(**params).fit(X, y)
            dask = DaskShallowNetClassifier(**params).fit(dX, dy)
        weights = max(
            np.abs(getattr(plain, k) - getattr(dask, k)).max()
            / np.abs(getattr(plain, k)).max()
            for k in PARAMS
        )
        print(
            f"{solver}: iterations {plain.n_iter_} in memory, {dask.n_iter_} "
            f"on Dask; weights apart by {weights:.2g} (relative); final cost "
            f"{plain.loss_:.6f} and {dask.loss_:.6f}; accuracy "
            f"{plain.score(X, y):.4f} and {dask.score(dX, dy):.4f}"
        )
        for rtol in (1e-12, 1e-9, 1e-6, 1e-3):
            n = agreeing_iterations(plain.loss_curve_, dask.loss_curve_, rtol)
            print(f"  cost curves agree to {rtol:g} for the first {n} iterations")


if __name__ == "__main__":
    main()
