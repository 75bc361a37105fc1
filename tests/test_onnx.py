"""ONNX export: the converted graph, run by onnxruntime, predicts as the estimator.

Every configuration is fitted on a few samples with a few L-BFGS iterations
(the weights need not be good, only non-trivial), converted with skl2onnx and
run with onnxruntime; its labels must equal ``predict`` and its probabilities
(or regression outputs) match ``predict_proba`` (``predict``) within 1e-5 in
float32 and 1e-10 in float64. The default run covers every activation, target
type and dtype; ``-m exhaustive`` runs their full product.
"""

import itertools
import subprocess
import sys

import numpy as np
import pytest
from helpers import quiet_fit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sk_shallow import ShallowNetClassifier, ShallowNetRegressor

skl2onnx = pytest.importorskip("skl2onnx")
ort = pytest.importorskip("onnxruntime")
import sk_shallow.onnx  # noqa: E402, F401  (registers the converters)

ACTIVATIONS = ["tanh", "sigmoid", "relu", "leaky_relu", "identity"]
TARGETS = ["binary-int", "binary-str", "multiclass-int", "multiclass-str", "multilabel"]
DTYPES = [np.float32, np.float64]
#: Largest absolute difference allowed from the estimator's own outputs.
TOLERANCE = {np.float32: 1e-5, np.float64: 1e-10}
LABELS = np.array(["ant", "bee", "cicada"])
#: A few steps from Glorot's weights: fast, and far from the near-zero start.
FIT = dict(solver="gd", learning_rate=0.1, max_iter=20, init="glorot", random_state=0)


def make_data(target, dtype, n_samples=30, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n_samples, 3) * [1.0, 2.0, 0.5] + [0.0, 1.0, -1.0]
    if target == "multilabel":
        y = (X[:, :3] + 0.3 * rng.randn(n_samples, 3) > [0.0, 1.0, -1.0]).astype(int)
    else:
        n_classes = 2 if target.startswith("binary") else 3
        y = rng.randint(n_classes, size=n_samples)
        X[:, 0] += 2 * y  # learnable, but not perfectly
        if target.endswith("str"):
            y = LABELS[y]
    return X.astype(dtype), y


def run_onnx(onx, X):
    """Outputs of the ONNX model on ``X`` (one input tensor)."""
    session = make_session(onx)
    return session.run(None, {session.get_inputs()[0].name: X})


def make_session(onx):
    options = ort.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    return ort.InferenceSession(
        onx.SerializeToString(), options, providers=["CPUExecutionProvider"]
    )


def maybe_pipeline(est, in_pipeline):
    return make_pipeline(StandardScaler(), est) if in_pipeline else est


def covering(axes):
    """``pytest.param`` for every activation, in a pipeline or not, times ``axes``.

    The unmarked subset takes every combination of ``axes`` once, with the
    (activation, in_pipeline) pair cycling along it, so that each value of
    each axis is in the default run; the rest of the product is exhaustive.
    """
    models = list(itertools.product(ACTIVATIONS, [False, True]))
    params = []
    for i, combo in enumerate(itertools.product(*axes)):
        for j, model in enumerate(models):
            # i + i // 2 decouples in_pipeline from the last axis (dtype).
            fast = j == (i + i // 2) % len(models)
            mark = () if fast else (pytest.mark.exhaustive,)
            params.append(pytest.param(*model, *combo, marks=mark))
    return params


@pytest.mark.parametrize(
    "activation, in_pipeline, target, dtype", covering([TARGETS, DTYPES])
)
def test_classifier_matches_predict(activation, in_pipeline, target, dtype):
    X, y = make_data(target, dtype)
    clf = ShallowNetClassifier(5, activation, **FIT)
    model = quiet_fit(maybe_pipeline(clf, in_pipeline), X, y)
    onx = skl2onnx.to_onnx(
        model, X[:1], options={ShallowNetClassifier: {"zipmap": False}}
    )
    labels, proba = run_onnx(onx, X)

    assert proba.dtype == dtype
    np.testing.assert_array_equal(labels, model.predict(X))
    np.testing.assert_allclose(
        proba, model.predict_proba(X), rtol=0, atol=TOLERANCE[dtype]
    )


@pytest.mark.parametrize(
    "activation, in_pipeline, loss, dtype",
    covering([["squared_error", "poisson", "multi-output"], DTYPES]),
)
def test_regressor_matches_predict(activation, in_pipeline, loss, dtype):
    X, _ = make_data("binary-int", dtype)
    if loss == "poisson":
        y = np.random.RandomState(1).poisson(np.exp(0.3 * X[:, 0]))
    elif loss == "multi-output":
        y = np.c_[X[:, 0] - X[:, 1], np.sin(X[:, 2])]
    else:
        y = X[:, 0] * X[:, 1]
    reg = ShallowNetRegressor(
        5,
        activation,
        loss="poisson" if loss == "poisson" else "squared_error",
        **FIT,
    )
    model = quiet_fit(maybe_pipeline(reg, in_pipeline), X, y)
    (out,) = run_onnx(skl2onnx.to_onnx(model, X[:1]), X)

    expected = model.predict(X)
    assert out.dtype == dtype
    assert out.shape == (len(X), 1 if expected.ndim == 1 else expected.shape[1])
    # Absolute near 0, relative for large values (Poisson counts).
    tol = TOLERANCE[dtype]
    np.testing.assert_allclose(
        out.reshape(expected.shape), expected, rtol=tol, atol=tol
    )


def fitted_classifier(target="multiclass-str", dtype=np.float32, **params):
    X, y = make_data(target, dtype)
    clf = ShallowNetClassifier(5, **FIT)
    return X, quiet_fit(clf.set_params(**params), X, y)


def test_zipmap_gives_dicts_by_default():
    X, clf = fitted_classifier()
    labels, dicts = run_onnx(skl2onnx.to_onnx(clf, X[:1]), X)

    np.testing.assert_array_equal(labels, clf.predict(X))
    proba = np.array([[row[c] for c in clf.classes_] for row in dicts])
    np.testing.assert_allclose(proba, clf.predict_proba(X), rtol=0, atol=1e-5)


def test_zipmap_columns_and_nocl():
    X, clf = fitted_classifier()
    columns = run_onnx(
        skl2onnx.to_onnx(clf, X[:1], options={id(clf): {"zipmap": "columns"}}), X
    )
    np.testing.assert_allclose(
        np.column_stack(columns[1:]), clf.predict_proba(X), rtol=0, atol=1e-5
    )

    onx = skl2onnx.to_onnx(
        clf, X[:1], options={id(clf): {"zipmap": False, "nocl": True}}
    )
    labels, _ = run_onnx(onx, X)
    np.testing.assert_array_equal(clf.classes_[labels], clf.predict(X))


@pytest.mark.parametrize("target", ["binary-str", "multiclass-int", "multilabel"])
def test_probabilities_floored_as_predict_proba(target):
    """Saturated outputs are floored at the dtype's smallest normal number."""
    X, clf = fitted_classifier(target)
    clf.W2_ = clf.W2_ * np.float32(1e4)  # logits of thousands: exp underflows
    onx = skl2onnx.to_onnx(clf, X[:1], options={id(clf): {"zipmap": False}})
    _, proba = run_onnx(onx, X)

    expected = clf.predict_proba(X)
    assert expected.min() == np.finfo(np.float32).tiny  # the floor is reached
    np.testing.assert_allclose(proba, expected, rtol=0, atol=1e-5)
    assert proba.min() == expected.min()


def test_binary_tie_goes_to_first_class():
    """``z = 0`` exactly: predict gives classes_[0], and so does the graph."""
    X, clf = fitted_classifier("binary-str")
    clf.W2_ = np.zeros_like(clf.W2_)
    clf.b2_ = np.zeros_like(clf.b2_)
    onx = skl2onnx.to_onnx(clf, X[:1], options={id(clf): {"zipmap": False}})
    labels, proba = run_onnx(onx, X)

    assert set(clf.predict(X)) == {clf.classes_[0]}
    np.testing.assert_array_equal(labels, clf.predict(X))
    np.testing.assert_array_equal(proba, clf.predict_proba(X))


def test_int64_input_is_cast_to_float():
    X, clf = fitted_classifier("multiclass-int")
    X_int = np.rint(X).astype(np.int64)
    onx = skl2onnx.to_onnx(clf, X_int[:1], options={id(clf): {"zipmap": False}})
    labels, proba = run_onnx(onx, X_int)

    X_float = X_int.astype(np.float32)
    np.testing.assert_array_equal(labels, clf.predict(X_float))
    np.testing.assert_allclose(proba, clf.predict_proba(X_float), rtol=0, atol=1e-5)


def test_column_transformer_with_dataframe():
    pd = pytest.importorskip("pandas")
    from sklearn.compose import ColumnTransformer
    from sklearn.preprocessing import OneHotEncoder

    X, y = make_data("multiclass-str", np.float32)
    df = pd.DataFrame(
        {"a": X[:, 0], "b": X[:, 1], "c": np.where(X[:, 2] > -1, "u", "v")}
    )
    columns = ColumnTransformer(
        [("num", StandardScaler(), ["a", "b"]), ("cat", OneHotEncoder(), ["c"])]
    )
    clf = ShallowNetClassifier(5, **FIT)
    model = quiet_fit(make_pipeline(columns, clf), df, y)
    onx = skl2onnx.to_onnx(
        model, df[:1], options={ShallowNetClassifier: {"zipmap": False}}
    )
    session = make_session(onx)
    feeds = {name: df[[name]].to_numpy() for name in df.columns}
    labels, proba = session.run(None, feeds)

    np.testing.assert_array_equal(labels, model.predict(df))
    np.testing.assert_allclose(proba, model.predict_proba(df), rtol=0, atol=1e-5)


def test_wrong_number_of_features():
    X, clf = fitted_classifier()
    with pytest.raises(ValueError, match="input has 4 features.*fitted on 3"):
        skl2onnx.to_onnx(clf, np.c_[X, X[:, :1]][:1])


@pytest.mark.parametrize("model", [ShallowNetClassifier, ShallowNetRegressor])
@pytest.mark.parametrize("zipmap", [True, False])
def test_unfitted_refused(model, zipmap):
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError, match=model.__name__):
        skl2onnx.to_onnx(
            model(), np.zeros((1, 3), np.float32), options={model: {"zipmap": zipmap}}
        )


#: Three labels per type, its extremes among them (two for bool).
LABEL_VALUES = {
    **{
        np.dtype(t).name: np.array(
            [np.iinfo(t).min, (np.iinfo(t).min + np.iinfo(t).max) // 2, 0], t
        )
        for t in (np.int8, np.int16, np.int32, np.int64)
    },
    **{
        np.dtype(t).name: np.array([0, 1, np.iinfo(t).max], t)
        for t in (np.uint8, np.uint16, np.uint32)
    },
    "uint64": np.array([0, 7, np.iinfo(np.int64).max], np.uint64),
    "bool": np.array([False, True]),
    "float32": np.array([-3.0, 0.0, 2.0**24], np.float32),
    "float64": np.array([-(2.0**63), 5.0, 2.0**62]),
    "str": np.array(["ant", "bee", "cicada"]),
    "object": np.array(["ant", "bee", "cicada"], dtype=object),
}


def fitted_on_labels(values):
    """A classifier that predicts each of ``values`` on some rows of X."""
    rng = np.random.RandomState(0)
    index = np.arange(30) % len(values)
    X = rng.randn(30, 3).astype(np.float32)
    X[:, 0] += 4 * index  # separated: every class is predicted
    clf = ShallowNetClassifier(5, **{**FIT, "max_iter": 100, "learning_rate": 0.5})
    quiet_fit(clf, X, values[index])
    assert len(np.unique(clf.predict(X))) == len(values)
    return X, clf


@pytest.mark.parametrize("dtype", list(LABEL_VALUES))
def test_labels_of_every_type_come_out_as_predicted(dtype):
    X, clf = fitted_on_labels(LABEL_VALUES[dtype])
    expected = clf.predict(X)
    labels, proba = run_onnx(
        skl2onnx.to_onnx(clf, X[:1], options={id(clf): {"zipmap": False}}), X
    )
    # Numbers as int64, as skl2onnx's classifiers give them; text as text.
    assert labels.dtype == (object if expected.dtype.kind in "OU" else np.int64)
    np.testing.assert_array_equal(labels, expected)
    np.testing.assert_allclose(proba, clf.predict_proba(X), rtol=0, atol=1e-5)
    labels, dicts = run_onnx(skl2onnx.to_onnx(clf, X[:1]), X)  # ZipMap
    np.testing.assert_array_equal(labels, expected)
    assert [sorted(row) for row in dicts[:1]] == [sorted(clf.classes_.tolist())]


@pytest.mark.parametrize(
    "values",
    [np.array([0, 2**63], np.uint64), np.array([1, 2**63 + 5, 2**64 - 1], np.uint64)],
)
def test_labels_beyond_int64_refused_or_given_as_indices(values):
    # ONNX classifiers' numeric labels are int64 (ZipMap's keys too): a label
    # that int64 cannot hold is refused, not wrapped around to another value.
    X, clf = fitted_on_labels(values)
    with pytest.raises(ValueError, match="beyond the range of int64.*nocl=True"):
        skl2onnx.to_onnx(clf, X[:1], options={id(clf): {"zipmap": False}})
    with pytest.raises(ValueError, match="beyond the range of int64"):
        skl2onnx.to_onnx(clf, X[:1])
    onx = skl2onnx.to_onnx(
        clf, X[:1], options={id(clf): {"zipmap": False, "nocl": True}}
    )
    labels, _ = run_onnx(onx, X)
    np.testing.assert_array_equal(clf.classes_[labels], clf.predict(X))


def test_dask_model_names_to_local():
    pytest.importorskip("distributed")
    dask_estimators = pytest.importorskip("sk_shallow.dask")
    X, y = make_data("binary-int", np.float32)
    for model, target in (
        (dask_estimators.DaskShallowNetClassifier, y),
        (dask_estimators.DaskShallowNetRegressor, X[:, 0]),
    ):
        est = quiet_fit(model(**FIT), X, target)
        with pytest.raises(TypeError, match=r"to_local\(\)"):
            skl2onnx.to_onnx(est, X[:1])
        pipeline = quiet_fit(make_pipeline(StandardScaler(), est), X, target)
        with pytest.raises(TypeError, match=r"to_local\(\)"):
            skl2onnx.to_onnx(pipeline, X[:1])
        local = est.to_local()
        out = run_onnx(skl2onnx.to_onnx(local, X[:1]), X)[0]
        np.testing.assert_allclose(out.reshape(-1), local.predict(X), atol=1e-5)


def test_float_labels_become_int64():
    X, y = make_data("multiclass-int", np.float32)
    clf = quiet_fit(ShallowNetClassifier(**FIT), X, y.astype(float))
    onx = skl2onnx.to_onnx(clf, X[:1], options={id(clf): {"zipmap": False}})
    labels, _ = run_onnx(onx, X)
    assert labels.dtype == np.int64
    np.testing.assert_array_equal(labels, clf.predict(X))


def test_converters_registered_on_import():
    from skl2onnx._supported_operators import sklearn_operator_name_map

    assert sklearn_operator_name_map[ShallowNetClassifier] == "SkShallowNetClassifier"
    assert sklearn_operator_name_map[ShallowNetRegressor] == "SkShallowNetRegressor"


@pytest.mark.exhaustive  # a fresh interpreter: seconds
def test_import_sk_shallow_leaves_onnx_out():
    code = (
        "import sys, sk_shallow; "
        "print(sorted({'skl2onnx', 'onnx', 'onnxruntime'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "[]", out.stderr
