"""Gradient descent on a Dask ``LocalCluster`` against the in-memory fit.

For each data size the script times one gradient-descent iteration of

- the in-memory :class:`~sk_shallow.ShallowNetClassifier`,
- :class:`~sk_shallow.dask.DaskShallowNetClassifier` on a ``LocalCluster`` of
  1 and of 2 single-threaded worker processes, the data generated on the
  workers and persisted there,

and, with ``--memory-case``, on 2 workers whose memory limit is below the
size of the data (it fits the cluster, not one worker).

An iteration's time is the difference between a fit of ``--iters`` + 5
iterations and one of 5, divided by ``--iters``: the one-off costs (preparing
the chunks, initialising) cancel. Contenders alternate run by run and the
medians of ``--repeat`` runs are reported, with

- the *overhead*: per-iteration time of a cluster fit on tiny data (one chunk
  per worker, ``m = 1000``), where the compute is negligible: what every
  iteration pays for the round trip (parameters out, sums back);
- the ratio of the 2-worker time to the in-memory time (below 1 is faster).

The in-memory fit uses as many BLAS threads as NumPy gives it; the workers one
thread each. Usage::

    python benchmarks/bench_dask.py                       # m = 1e5 and 1e6
    python benchmarks/bench_dask.py --sizes 100000 --repeat 5 --iters 20
    python benchmarks/bench_dask.py --memory-case --memory-features 80
    python benchmarks/bench_dask.py --blas-threads 1   # in-memory BLAS as a worker's
"""

import argparse
import contextlib
import os
import statistics
import time
import warnings

import dask.array as da
import numpy as np
from distributed import Client, LocalCluster
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

from sk_shallow import ShallowNetClassifier
from sk_shallow.dask import DaskShallowNetClassifier

warnings.simplefilter("ignore", ConvergenceWarning)

WARMUP = 5  # iterations of the short fit, whose time is subtracted


def dask_data(m, n_features, n_chunks, seed=0):
    """Random features and a linear-threshold target, made on the workers."""
    rs = da.random.RandomState(seed)
    X = rs.standard_normal((m, n_features), chunks=(-(-m // n_chunks), n_features))
    w = np.random.RandomState(seed).standard_normal(n_features)
    y = (X @ w > 0).astype(int)
    return X, y


def estimator(cls, max_iter, **kwargs):
    return cls(
        n_hidden=4,
        max_iter=max_iter,
        tol=0,
        n_iter_no_change=np.inf,
        random_state=0,
        **kwargs,
    )


def on_cluster(client):
    """``max_iter -> DaskShallowNetClassifier`` fitting on ``client``."""
    return lambda k: estimator(DaskShallowNetClassifier, k, client=client)


def fit_time(make, X, y, iters):
    """Seconds of one fit of ``iters`` iterations."""
    est = make(iters)
    start = time.perf_counter()
    est.fit(X, y)
    return time.perf_counter() - start


def per_iteration(make, X, y, iters, blas_threads=None):
    # The workers' BLAS is single-threaded (dask's nanny sets it so); the
    # in-memory fit may be given the same to compare like with like.
    with threadpool_limits(blas_threads, user_api="blas"):
        long = fit_time(make, X, y, WARMUP + iters)
        short = fit_time(make, X, y, WARMUP)
    return (long - short) / iters


@contextlib.contextmanager
def cluster(n_workers, memory_limit="auto"):
    with (
        LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=True,
            memory_limit=memory_limit,
            dashboard_address=":0",
        ) as c,
        Client(c) as client,
    ):
        yield client


def run(args):
    rows = []
    clients = {w: cluster(w) for w in (1, 2)}
    entered = {w: clients[w].__enter__() for w in clients}
    try:
        for m in args.sizes:
            m = int(m)
            times = {"memory": [], 1: [], 2: []}
            data = {}
            for w, client in entered.items():
                X, y = dask_data(m, args.features, 2 * w)
                data[w] = client.persist([X, y])
            local = entered[2].gather(entered[2].compute(data[2]))
            for _ in range(args.repeat):
                times["memory"].append(
                    per_iteration(
                        lambda k: estimator(ShallowNetClassifier, k),
                        *local,
                        args.iters,
                        args.blas_threads,
                    )
                )
                for w, client in entered.items():
                    times[w].append(
                        per_iteration(on_cluster(client), *data[w], args.iters)
                    )
            rows.append((m, {k: statistics.median(v) for k, v in times.items()}))
            print(f"m={m:.0e}: {rows[-1][1]}", flush=True)
            del data, local

        overhead = {}
        for w, client in entered.items():
            X, y = client.persist(list(dask_data(1000, args.features, w)))
            overhead[w] = statistics.median(
                per_iteration(on_cluster(client), X, y, args.iters)
                for _ in range(args.repeat)
            )
    finally:
        for w in clients:
            clients[w].__exit__(None, None, None)

    print(
        f"\nPer gd iteration, n_features={args.features}, n_hidden=4, medians of "
        f"{args.repeat} runs of {args.iters} iterations (load {os.getloadavg()[0]:.1f}"
        f" on {os.cpu_count()} cores; in-memory BLAS threads: "
        f"{args.blas_threads or 'default'}):\n"
    )
    print("| m | in memory | 1 worker | 2 workers | 2 workers / in memory |")
    print("|---|---|---|---|---|")
    for m, t in rows:
        print(
            f"| {m:.0e} | {1e3 * t['memory']:.1f} ms | {1e3 * t[1]:.1f} ms | "
            f"{1e3 * t[2]:.1f} ms | {t[2] / t['memory']:.2f}x |"
        )
    print(
        "\nOverhead per iteration (m=1000, compute negligible): "
        + ", ".join(f"{w} worker(s): {1e3 * t:.1f} ms" for w, t in overhead.items())
    )

    if args.memory_case:
        memory_case(args)


def memory_case(args):
    m, n = int(args.memory_rows), args.memory_features
    size = m * n * 8
    # A worker process needs memory of its own before it holds any data: with
    # numpy, scipy, scikit-learn and pandas imported, some 300 MiB.
    limit = int(args.memory_fraction * size + args.worker_base_mib * 2**20)
    with cluster(2, memory_limit=limit) as client:
        X, y = client.persist(list(dask_data(m, n, 8)))
        t = statistics.median(
            per_iteration(on_cluster(client), X, y, args.iters)
            for _ in range(args.repeat)
        )
    print(
        f"\nMemory-limited: X of {size / 2**20:.0f} MiB (m={m:.0e}, "
        f"n_features={n}) on 2 workers limited to {limit / 2**20:.0f} MiB each "
        f"({args.worker_base_mib} MiB for the process, {args.memory_fraction} of "
        "the data): "
        f"{1e3 * t:.1f} ms per iteration."
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=float, default=[1e5, 1e6])
    parser.add_argument("--features", type=int, default=20)
    parser.add_argument("--iters", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--blas-threads",
        type=int,
        default=None,
        help="BLAS threads of the in-memory fit (default: NumPy's own)",
    )
    parser.add_argument("--memory-case", action="store_true")
    parser.add_argument("--memory-rows", type=float, default=1e6)
    parser.add_argument("--memory-features", type=int, default=80)
    parser.add_argument(
        "--memory-fraction",
        type=float,
        default=0.75,
        help="each worker's memory for data, as a fraction of the data's size",
    )
    parser.add_argument("--worker-base-mib", type=int, default=400)
    run(parser.parse_args())


if __name__ == "__main__":
    main()
