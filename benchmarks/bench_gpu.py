"""sk_shallow on a GPU through the array API, against a plain PyTorch loop.

Three contenders run the notes' full-batch gradient descent (``solver="gd"``,
30 iterations, 64 tanh units, one sigmoid output) on the same 1,000,000 x 100
data, in float32 and float64, and then ``predict_proba``:

* **ours (torch)**: :class:`~sk_shallow.ShallowNetClassifier` fitted on torch
  tensors on the device, with ``sklearn.config_context(array_api_dispatch=True)``;
* **plain torch**: the same forward and backward pass written directly as a
  loop of torch operations on the device (no autograd, no validation), from
  the same initial weights;
* **ours (NumPy)**: the same estimator on NumPy arrays on the host.

The script checks that both torch contenders reach the same loss, times them
alternately in one process (medians of ``--repeat`` runs after a warm-up,
with the device synchronised around each run), and reports the ratios
``ours (torch) / plain torch`` and ``ours (NumPy) / ours (torch)``.

Usage::

    python benchmarks/bench_gpu.py                   # on cuda when available
    python benchmarks/bench_gpu.py --small           # a quick run on the CPU
    python benchmarks/bench_gpu.py --markdown benchmarks/results_gpu.md
"""

import os

# scipy reads this once, when it is first imported.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

import argparse  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402

from sk_shallow import ShallowNetClassifier  # noqa: E402
from sk_shallow._network import initialize  # noqa: E402

warnings.simplefilter("ignore", ConvergenceWarning)


def make_data(m, n, dtype, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.standard_normal((m, n)).astype(dtype)
    w = rng.standard_normal(n)
    y = (X @ w + 0.5 * rng.standard_normal(m) > 0).astype(np.int64)
    return X, y


def estimator(n_hidden, n_iter):
    return ShallowNetClassifier(
        n_hidden,
        solver="gd",
        learning_rate=0.5,
        max_iter=n_iter,
        tol=0,
        n_iter_no_change=np.inf,
        init="glorot",
        random_state=0,
    )


def plain_torch_fit(torch, params, X, y, n_iter, lr=0.5):
    """The notes' gradient descent as a bare torch loop, on ``X`` (m, n)."""
    W1, b1, W2, b2 = (params[k].clone() for k in ("W1", "b1", "W2", "b2"))
    Y = y.to(X.dtype)[None, :]
    m = X.shape[0]
    losses = []
    for _ in range(n_iter):
        A1 = torch.tanh(W1 @ X.T + b1)
        Z2 = W2 @ A1 + b2
        A2 = torch.sigmoid(Z2)
        losses.append(torch.mean((1 - Y) * Z2 - torch.nn.functional.logsigmoid(Z2)))
        dZ2 = A2 - Y
        dW2 = dZ2 @ A1.T / m
        db2 = dZ2.sum(dim=1, keepdim=True) / m
        dZ1 = (W2.T @ dZ2) * (1 - A1 * A1)
        dW1 = dZ1 @ X / m
        db1 = dZ1.sum(dim=1, keepdim=True) / m
        W1 -= lr * dW1
        b1 -= lr * db1
        W2 -= lr * dW2
        b2 -= lr * db2
    return (W1, b1, W2, b2), [float(v) for v in losses]


def plain_torch_proba(torch, weights, X):
    W1, b1, W2, b2 = weights
    p = torch.sigmoid(W2 @ torch.tanh(W1 @ X.T + b1) + b2)[0]
    return torch.stack([1 - p, p], dim=1)


def alternate(contenders, repeat, sync):
    """Median seconds of each contender, run in turn ``repeat`` times."""
    times = {name: [] for name in contenders}
    for fn in contenders.values():  # warm-up
        fn()
        sync()
    for _ in range(repeat):
        for name, fn in contenders.items():
            sync()
            start = time.perf_counter()
            fn()
            sync()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def bench_dtype(torch, args, dtype, device, sync):
    """The fit and predict_proba rows of one dtype."""
    rows = []
    X, y = make_data(args.m, args.n, dtype)
    Xt = torch.asarray(X, device=device)
    yt = torch.asarray(y, device=device)
    with sklearn.config_context(array_api_dispatch=True):
        ours = estimator(args.hidden, args.iter).fit(Xt, yt)
    # The plain loop starts from the estimator's initial weights: the
    # same draw from the same seed.
    drawn = initialize(args.n, args.hidden, 1, np.random.RandomState(0), init="glorot")
    init = {k: torch.asarray(v.astype(dtype), device=device) for k, v in drawn.items()}
    weights, losses = plain_torch_fit(torch, init, Xt, yt, args.iter)
    rtol = 1e-3 if dtype == "float32" else 1e-9
    if not np.allclose(ours.loss_curve_, losses, rtol=rtol):
        sys.exit(
            f"{dtype}: the loss curves differ: ours ends at "
            f"{ours.loss_curve_[-1]:.8g}, the plain loop at {losses[-1]:.8g}"
        )

    def fit_ours():
        with sklearn.config_context(array_api_dispatch=True):
            estimator(args.hidden, args.iter).fit(Xt, yt)

    def fit_plain():
        plain_torch_fit(torch, init, Xt, yt, args.iter)

    def proba_ours():
        with sklearn.config_context(array_api_dispatch=True):
            ours.predict_proba(Xt)

    def proba_plain():
        plain_torch_proba(torch, weights, Xt)

    fit = alternate(
        {"ours (torch)": fit_ours, "plain torch": fit_plain}, args.repeat, sync
    )
    proba = alternate(
        {"ours (torch)": proba_ours, "plain torch": proba_plain},
        args.repeat,
        sync,
    )
    if not args.skip_numpy:
        on_host = estimator(args.hidden, args.iter)
        host = alternate(
            {
                "fit": lambda e=on_host: e.fit(X, y),
                "predict_proba": lambda e=on_host: e.predict_proba(X),
            },
            args.numpy_repeat,
            lambda: None,
        )
    else:
        host = {"fit": math.nan, "predict_proba": math.nan}
    for what, t, t_host in (
        ("fit", fit, host["fit"]),
        ("predict_proba", proba, host["predict_proba"]),
    ):
        rows.append(
            (
                what,
                dtype,
                t["ours (torch)"],
                t["plain torch"],
                t_host,
                t["ours (torch)"] / t["plain torch"],
                t_host / t["ours (torch)"],
            )
        )
    return rows


def run(args):
    import torch

    device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    if device == "cuda":
        sync = torch.cuda.synchronize
        name = torch.cuda.get_device_name()
    else:
        sync, name = (lambda: None), platform.processor() or platform.machine()
    rows = []
    for dtype in args.dtypes:
        rows += bench_dtype(torch, args, dtype, device, sync)
    header = (
        f"{args.m:,} x {args.n}, {args.hidden} tanh units, gd {args.iter} "
        f"iterations; device: {device} ({name}); torch {torch.__version__}, "
        f"scikit-learn {sklearn.__version__}; medians of {args.repeat} runs"
    )
    lines = [
        header,
        "",
        "| what | dtype | ours (torch) s | plain torch s | ours (NumPy) s "
        "| ours / plain torch | NumPy / ours (torch) |",
        "|---|---|---|---|---|---|---|",
    ]
    for what, dtype, a, b, c, r1, r2 in rows:
        lines.append(
            f"| {what} | {dtype} | {a:.4f} | {b:.4f} | {c:.3f} | {r1:.2f} | {r2:.1f} |"
        )
    table = "\n".join(lines)
    print(table)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(table + "\n")
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--m", type=int, help="samples (default 1,000,000)")
    parser.add_argument("--n", type=int, default=100, help="features")
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--iter", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--numpy-repeat", type=int, default=1)
    parser.add_argument("--dtypes", nargs="+", default=["float32", "float64"])
    parser.add_argument("--device", help="torch device; cuda when available")
    parser.add_argument("--skip-numpy", action="store_true")
    parser.add_argument(
        "--small", action="store_true", help="20,000 rows: a quick check on a CPU"
    )
    parser.add_argument("--markdown", help="also write the table to this file")
    args = parser.parse_args(argv)
    if args.m is None:
        args.m = 20_000 if args.small else 1_000_000
    if args.small:
        args.repeat = min(args.repeat, 3)
    return run(args)


if __name__ == "__main__":
    main()
