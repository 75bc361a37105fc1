"""Print every number that docs/defaults.rst states about the default fits.

Run from the repository root (about a minute on one core)::

    OPENBLAS_NUM_THREADS=1 python benchmarks/defaults_numbers.py
"""

import warnings

import numpy as np
from sklearn.datasets import load_breast_cancer, load_iris, make_moons
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import StandardScaler

from sk_shallow import ShallowNetClassifier
from sk_shallow.datasets import make_flower


def _fit(est, X, y):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est.fit(X, y)
    return est, [str(w.message) for w in caught if w.category is ConvergenceWarning]


def course_run():
    X, y = make_flower()
    clf, caught = _fit(
        ShallowNetClassifier(n_hidden=4, learning_rate=1.2, random_state=2), X, y
    )
    curve = np.asarray(clf.loss_curve_)
    rises = np.diff(curve)
    best = np.minimum.accumulate(curve)
    first = int(np.argmax(rises > 0))
    last = curve[-1001]
    print("The notes' run with the notes' parameters, defaults otherwise:")
    print(
        f"  iterations {clf.n_iter_}, step {clf.learning_rate_}, "
        f"training accuracy {clf.score(X, y):.4f}, warnings {caught}"
    )
    print(
        f"  first rise of the cost after iteration {first + 1:,} "
        f"(cost {curve[first]:.4f})"
    )
    print(
        f"  largest rise in one step {rises.max():.3g} "
        f"({rises.max() / curve[rises.argmax()]:.2%} of the cost), at iteration "
        f"{rises.argmax() + 1:,}"
    )
    print(f"  highest above the best so far {np.max((curve - best) / best):.2%}")
    print(f"  fall over the last 1,000 steps {(last - curve[-1]) / curve[-1]:.2%}")
    plain = ShallowNetClassifier(
        n_hidden=4, learning_rate=1.2, random_state=2, n_iter_no_change=np.inf
    )
    plain = _fit(plain, X, y)[0]
    print(
        f"  same loss_curve_ as n_iter_no_change=np.inf: "
        f"{plain.loss_curve_ == clf.loss_curve_}"
    )


def moons_fold():
    X, y = make_moons(1000, noise=0.2, random_state=0)
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    train, test = list(cv.split(X, y))[2]
    scaler = StandardScaler().fit(X[train])
    Xt, Xs = scaler.transform(X[train]), scaler.transform(X[test])
    clf, _ = _fit(ShallowNetClassifier(random_state=0), Xt, y[train])
    curve = np.asarray(clf.loss_curve_)
    best = np.minimum.accumulate(curve)
    print("Scaled noisy moons, one fold of five:")
    print(
        f"  highest above the best so far {np.max((curve - best) / best):.2%}, "
        f"largest rise in one step "
        f"{np.max(np.diff(curve) / curve[:-1]):.2%} of the cost"
    )
    print(
        f"  step {clf.learning_rate_}, iterations {clf.n_iter_}, "
        f"cost {clf.loss_:.3f}, test accuracy {clf.score(Xs, y[test]):.3f}"
    )


def noisy_moons_early_stopping():
    from sklearn.model_selection import cross_val_score
    from sklearn.pipeline import make_pipeline

    X, y = make_moons(1000, noise=0.2, random_state=0)
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    print("Scaled noisy moons, 5-fold mean accuracy:")
    for early_stopping in ("auto", True):
        model = ShallowNetClassifier(early_stopping=early_stopping, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            score = cross_val_score(
                make_pipeline(StandardScaler(), model), X, y, cv=cv
            ).mean()
        print(f"  early_stopping={early_stopping!r}: {score:.3f}")


def unscaled():
    for name, loader in (("iris", load_iris), ("breast cancer", load_breast_cancer)):
        X, y = loader(return_X_y=True)
        clf, caught = _fit(ShallowNetClassifier(random_state=0), X, y)
        curve = np.asarray(clf.loss_curve_)
        print(
            f"Unscaled {name}: iterations {clf.n_iter_}, step "
            f"{clf.learning_rate_:.3g}, cost {curve[0]:.3g} -> {clf.loss_:.3g}, "
            f"training accuracy {clf.score(X, y):.3f}"
        )
        for message in caught:
            print("  warns: " + message)


if __name__ == "__main__":
    course_run()
    moons_fold()
    noisy_moons_early_stopping()
    unscaled()
