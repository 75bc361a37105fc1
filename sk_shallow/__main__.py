"""``python -m sk_shallow``: the course comparison on the flower data.

Fits logistic regression and the shallow network on the planar "flower" data
and prints their training accuracy and fit time; optionally sweeps the number
of hidden units and saves the decision boundaries as a picture.
"""

import argparse
import pathlib
import sys
import time
import warnings

from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegressionCV

from . import ShallowNetClassifier, __version__
from .datasets import make_flower

SWEEP_SIZES = (1, 2, 3, 4, 5, 20, 50)


def _positive_int(text):
    """``argparse`` type: an integer of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _import_pyplot():
    """``matplotlib.pyplot`` on the Agg backend, or exit with a one-line message."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        sys.exit(
            "python -m sk_shallow: --plot needs matplotlib (pip install matplotlib)"
        )
    return plt


def _fit_timed(model, X, y):
    start = time.perf_counter()
    with warnings.catch_warnings():
        # The course runs fixed iteration budgets, and LogisticRegressionCV warns
        # about defaults that change between scikit-learn versions.
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", FutureWarning)
        model.fit(X, y)
    return model, time.perf_counter() - start


def _table(rows, header):
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += [
        "  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows
    ]
    return "\n".join(lines)


def _plot(models, X, y, path):
    from sklearn.inspection import DecisionBoundaryDisplay

    plt = _import_pyplot()
    fig, axes = plt.subplots(1, len(models), figsize=(5 * len(models), 4.5))
    for ax, (name, model) in zip(axes, models, strict=True):
        DecisionBoundaryDisplay.from_estimator(
            model, X, ax=ax, response_method="predict", cmap="Spectral", alpha=0.6
        )
        ax.scatter(
            X[:, 0], X[:, 1], c=y, s=12, cmap="Spectral", edgecolors="k", linewidths=0.3
        )
        ax.set_title(f"{name}: {model.score(X, y):.1%}")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(argv=None):
    """Run the comparison; ``argv`` defaults to the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m sk_shallow",
        description="The course comparison: logistic regression versus a "
        "one-hidden-layer network on the planar flower data.",
    )
    parser.add_argument(
        "--n-hidden",
        type=_positive_int,
        default=4,
        help="hidden units of the network (default: 4)",
    )
    parser.add_argument(
        "--activation",
        default="tanh",
        choices=["tanh", "sigmoid", "relu", "leaky_relu", "identity"],
        help="hidden activation (default: tanh)",
    )
    parser.add_argument(
        "--max-iter",
        type=_positive_int,
        default=10000,
        help="gradient-descent iterations (default: 10000)",
    )
    parser.add_argument(
        "--sweep",
        action="store_true",
        help="also sweep the hidden size over "
        f"{', '.join(map(str, SWEEP_SIZES))} (5000 iterations each)",
    )
    parser.add_argument(
        "--plot",
        metavar="FILE.png",
        help="save the decision boundaries to FILE.png (needs matplotlib)",
    )
    parser.add_argument("--version", action="version", version=__version__)
    args = parser.parse_args(argv)
    # Everything that can fail does so here, before any fitting.
    if args.plot:
        if not pathlib.Path(args.plot).resolve().parent.is_dir():
            parser.error(f"--plot: the folder of {args.plot!r} does not exist")
        _import_pyplot()

    X, y = make_flower()
    logreg, t_lr = _fit_timed(LogisticRegressionCV(), X, y)
    net, t_net = _fit_timed(
        ShallowNetClassifier(
            args.n_hidden, args.activation, max_iter=args.max_iter, random_state=2
        ),
        X,
        y,
    )
    print(f"The flower data: {X.shape[0]} points, 2 classes\n")
    print(
        _table(
            [
                ["LogisticRegressionCV", f"{logreg.score(X, y):.1%}", f"{t_lr:.3f}"],
                [
                    f"ShallowNetClassifier({args.n_hidden}, {args.activation!r})",
                    f"{net.score(X, y):.1%}",
                    f"{t_net:.3f}",
                ],
            ],
            ["model", "train accuracy", "fit time (s)"],
        )
    )

    if args.sweep:
        rows = []
        for n_h in SWEEP_SIZES:
            model, t = _fit_timed(
                ShallowNetClassifier(
                    n_h, args.activation, max_iter=5000, random_state=2
                ),
                X,
                y,
            )
            rows.append([n_h, f"{model.score(X, y):.1%}", model.n_iter_, f"{t:.3f}"])
        print("\nHidden-layer sizes\n")
        print(
            _table(rows, ["n_hidden", "train accuracy", "iterations", "fit time (s)"])
        )

    if args.plot:
        _plot(
            [
                ("Logistic regression", logreg),
                (f"Network, {args.n_hidden} hidden units", net),
            ],
            X,
            y,
            args.plot,
        )
        print(f"\nDecision boundaries saved to {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
