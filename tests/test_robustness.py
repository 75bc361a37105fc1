"""Hostile input, numerical extremes, failed fits, persistence and threads."""

import io
import pickle
import threading
import warnings

import joblib
import numpy as np
import pytest
from helpers import PARAMS, before_every_pass, quiet_fit
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.utils._param_validation import InvalidParameterError

from sk_shallow import ShallowNetClassifier, _network
from sk_shallow.datasets import make_flower

SOLVERS = ("gd", "sgd", "adam", "lbfgs")


@pytest.fixture(scope="module")
def data():
    X, y = make_flower(120, random_state=0)
    return X, y


@pytest.fixture
def fitted(data):
    X, y = data
    return quiet_fit(ShallowNetClassifier(max_iter=50, random_state=0), X, y)


def _snapshot(est):
    return {
        k: (v.copy() if isinstance(v, np.ndarray) else v)
        for k, v in vars(est).items()
        if not k.startswith("_")
    }


def _assert_unchanged(est, snap, X):
    assert set(k for k in vars(est) if not k.startswith("_")) == set(snap)
    for name in PARAMS:
        np.testing.assert_array_equal(getattr(est, name), snap[name])
    assert est.loss_curve_ == snap["loss_curve_"]
    assert est.n_features_in_ == snap["n_features_in_"]
    np.testing.assert_array_equal(
        est.predict(X), est.classes_[(est.decision_function(X) > 0).astype(int)]
    )


def _bad_fits(X, y):
    """(name, X, y, sample_weight, message) for hostile training input."""
    n = len(y)
    X_nan, X_inf = X.copy(), X.copy()
    X_nan[3, 1] = np.nan
    X_inf[5, 0] = np.inf
    y_nan = y.astype(float)
    y_nan[2] = np.nan
    return [
        ("NaN in X", X_nan, y, None, "NaN"),
        ("inf in X", X_inf, y, None, "infinity"),
        ("NaN in y", X, y_nan, None, "NaN|Unknown label"),
        ("strings in X", np.array([["a", "b"]] * n), y, None, "string|float"),
        (
            "objects in X",
            np.array([[{}, None]] * n, dtype=object),
            y,
            None,
            "float|argument",
        ),
        ("complex X", X + 1j, y, None, "[Cc]omplex"),
        ("empty X", np.empty((0, 2)), np.empty(0), None, "0 sample"),
        ("one sample", X[:1], y[:1], None, "class|1 sample"),
        ("zero features", np.empty((n, 0)), y, None, "0 feature"),
        ("one class", X, np.zeros(n), None, "class"),
        ("y of the wrong length", X, y[:-1], None, "inconsistent"),
        ("2-D y, not an indicator", X, np.c_[y, y * 3], None, "indicator"),
        ("continuous y", X, X[:, 0], None, "Unknown label type|continuous"),
        ("negative weight", X, y, -np.ones(n), "[Nn]egative"),
        ("NaN weight", X, y, np.r_[np.nan, np.ones(n - 1)], "NaN"),
        ("all-zero weights", X, y, np.zeros(n), "zero"),
        ("weights of the wrong length", X, y, np.ones(n + 1), "shape|length|samples"),
    ]


@pytest.mark.parametrize("case", range(17))
@pytest.mark.parametrize("solver", ["gd", "sgd"])
def test_bad_input_is_a_clear_error_and_changes_nothing(data, case, solver):
    X, y = data
    name, X_bad, y_bad, w, message = _bad_fits(X, y)[case]
    clf = quiet_fit(
        ShallowNetClassifier(solver=solver, max_iter=20, random_state=0), X, y
    )
    snap = _snapshot(clf)
    # Continuing a fit (warm_start, partial_fit) on rows of one known class
    # is legitimate; a first fit on them is not.
    single_class = name in ("one class", "one sample")
    for warm in (False,) if single_class else (False, True):
        clf.set_params(warm_start=warm)
        with pytest.raises((ValueError, TypeError), match=message):
            clf.fit(X_bad, y_bad, sample_weight=w)
        _assert_unchanged(clf, snap, X)
    if solver == "sgd" and not single_class:
        with pytest.raises((ValueError, TypeError), match=message):
            clf.partial_fit(X_bad, y_bad, sample_weight=w)
        _assert_unchanged(clf, snap, X)


def test_bad_prediction_input(fitted, data):
    X, _ = data
    snap = _snapshot(fitted)
    for bad, message in [
        (X[:, :1], "features"),
        (np.c_[X, X], "features"),
        (np.where(X > 0, np.nan, X), "NaN"),
        (X + 1j, "[Cc]omplex"),
        (np.empty((0, 2)), "0 sample"),
    ]:
        for method in (
            "predict",
            "predict_proba",
            "predict_log_proba",
            "decision_function",
            "score",
        ):
            args = (bad,) if method != "score" else (bad, np.zeros(len(bad)))
            with pytest.raises(ValueError, match=message):
                getattr(fitted, method)(*args)
    _assert_unchanged(fitted, snap, X)
    with pytest.raises(NotFittedError):
        ShallowNetClassifier().predict(X)


def test_feature_names_must_match():
    pd = pytest.importorskip("pandas")
    X, y = make_flower(60, random_state=0)
    df = pd.DataFrame(X, columns=["x", "y"])
    clf = quiet_fit(ShallowNetClassifier(max_iter=20), df, y)
    np.testing.assert_array_equal(clf.feature_names_in_, ["x", "y"])
    with pytest.raises(ValueError, match="feature names"):
        clf.predict(df.rename(columns={"y": "z"}))


@pytest.mark.parametrize(
    "params, message",
    [
        (dict(n_hidden=0), "n_hidden"),
        (dict(activation="softplus"), "activation"),
        (dict(solver="newton"), "solver"),
        (dict(learning_rate=-1.0), "learning_rate"),
        (dict(alpha=-1), "alpha"),
        (dict(validation_fraction=1.0), "validation_fraction"),
        (dict(init="uniform"), "init"),
        (dict(class_weight="auto"), "class_weight"),
    ],
)
def test_invalid_hyperparameters(data, params, message):
    X, y = data
    with pytest.raises(InvalidParameterError, match=message):
        ShallowNetClassifier(**params).fit(X, y)


# -- numerical extremes ----------------------------------------------------------
@pytest.mark.parametrize("scale", [1e-150, 1e150])
@pytest.mark.parametrize("solver", SOLVERS)
def test_extreme_magnitudes_give_finite_probabilities_or_a_clear_error(scale, solver):
    X, y = make_flower(100, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning may escape
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = ShallowNetClassifier(solver=solver, max_iter=30, random_state=0)
        try:
            clf.fit(X * scale, y)
        except ValueError as exc:
            assert "learning_rate" in str(exc) or "scale" in str(exc)
            return
        try:
            proba = clf.predict_proba(X * scale)
        except ValueError as exc:
            assert "too large" in str(exc)
            return
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1)


def test_constant_features_and_imbalance():
    rng = np.random.RandomState(0)
    X = np.c_[rng.standard_normal((505, 2)), np.full(505, 7.0)]
    y = np.r_[np.zeros(500, int), np.ones(5, int)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", ConvergenceWarning)
        for solver in SOLVERS:
            clf = ShallowNetClassifier(solver=solver, max_iter=50, random_state=0)
            proba = clf.fit(X, y).predict_proba(X)
            assert np.isfinite(proba).all()
            np.testing.assert_allclose(proba.sum(axis=1), 1)


@pytest.mark.parametrize("solver", ["gd", "sgd", "adam"])
def test_divergence_is_an_error_that_names_the_cure(solver):
    X, y = make_flower(200, random_state=0)
    clf = ShallowNetClassifier(
        activation="relu",
        solver=solver,
        learning_rate=1e4,
        max_iter=200,
        random_state=0,
    )
    if solver == "gd":
        # Full-batch gradient descent halves a step that raises the cost, so
        # it cannot run away; it says why it had to, naming the cure.
        with pytest.warns(ConvergenceWarning, match="StandardScaler"):
            clf.fit(X * 1e3, y)
        assert clf.learning_rate_ < 1e4
        assert clf.loss_ <= clf.loss_curve_[0]
        return
    with pytest.raises(ValueError, match="learning_rate.*scale the features"):
        quiet_fit(clf, X * 1e3, y)
    assert not hasattr(clf, "W1_")


def test_saturated_output_layer_is_stable():
    params = {
        "W1": np.array([[1.0]]),
        "b1": np.zeros((1, 1)),
        "W2": np.array([[1e4]]),
        "b2": np.zeros((1, 1)),
    }
    X = np.array([[-50.0, 50.0]])
    Y = np.array([[1.0, 0.0]])  # both confidently wrong
    with np.errstate(all="raise", under="ignore"):
        cache = _network.forward(params, X, "tanh", "sigmoid")
        J = _network.cost(params, Y, cache, "sigmoid")
    assert J == pytest.approx(1e4 * np.tanh(50.0), rel=1e-12)


def test_keyboard_interrupt_keeps_the_weights_so_far(data, monkeypatch):
    X, y = data
    calls = {"n": 0}

    def interrupt_at_40():
        calls["n"] += 1
        if calls["n"] == 40:
            raise KeyboardInterrupt

    # The pass of each step (the objective, or its flat pass for "gd").
    before_every_pass(monkeypatch, interrupt_at_40)
    with pytest.warns(UserWarning, match="interrupted"):
        clf = ShallowNetClassifier(max_iter=100, random_state=0).fit(X, y)
    assert clf.n_iter_ == 39
    assert np.isfinite(clf.W1_).all()
    assert clf.predict(X).shape == y.shape


# -- persistence and concurrency ---------------------------------------------------
@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize(
    "activation", ["tanh", "sigmoid", "relu", "leaky_relu", "identity"]
)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_pickle_and_joblib_round_trips(data, solver, activation, dtype):
    X, y = data
    X = X.astype(dtype)
    clf = quiet_fit(
        ShallowNetClassifier(
            activation=activation,
            solver=solver,
            learning_rate=0.1 if solver == "gd" else "auto",
            max_iter=20,
            random_state=0,
        ),
        X,
        y,
    )
    for restored in (pickle.loads(pickle.dumps(clf)), _joblib_round_trip(clf)):
        np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
        assert restored.W1_.dtype == dtype


def _joblib_round_trip(est):
    buffer = io.BytesIO()
    joblib.dump(est, buffer)
    buffer.seek(0)
    return joblib.load(buffer)


def test_skops_round_trip(fitted, data):
    sio = pytest.importorskip("skops.io")
    X, _ = data
    dumped = sio.dumps(fitted)
    untrusted = sio.get_untrusted_types(data=dumped)
    # Nothing to trust beyond our own classes (the estimator and its solver).
    assert untrusted and all(t.startswith("sk_shallow.") for t in untrusted)
    restored = sio.loads(dumped, trusted=untrusted)
    np.testing.assert_array_equal(restored.predict_proba(X), fitted.predict_proba(X))
    unfitted = sio.loads(
        sio.dumps(ShallowNetClassifier()),
        trusted=["sk_shallow._classifier.ShallowNetClassifier"],
    )
    assert unfitted.get_params() == ShallowNetClassifier().get_params()


def test_predictions_from_eight_threads_equal_serial(fitted):
    X, _ = make_flower(5000, random_state=3)
    serial = fitted.predict_proba(X), fitted.predict(X)
    results = [None] * 8
    barrier = threading.Barrier(8)

    def work(i):
        barrier.wait()
        results[i] = fitted.predict_proba(X), fitted.predict(X)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for proba, pred in results:
        np.testing.assert_array_equal(proba, serial[0])
        np.testing.assert_array_equal(pred, serial[1])


@pytest.mark.parametrize("solver", SOLVERS)
def test_fit_leaves_inputs_alone_and_reads_memmaps(tmp_path, data, solver):
    X, y = data
    w = np.linspace(0.5, 2, len(y))
    copies = X.copy(), y.copy(), w.copy()
    path = tmp_path / "X.npy"
    np.save(path, X)
    X_map = np.load(path, mmap_mode="r")
    clf = quiet_fit(
        ShallowNetClassifier(
            solver=solver, max_iter=20, random_state=0, early_stopping=True
        ),
        X_map,
        y,
        sample_weight=w,
    )
    np.testing.assert_array_equal(X, copies[0])
    np.testing.assert_array_equal(y, copies[1])
    np.testing.assert_array_equal(w, copies[2])
    assert clf.predict(X_map).shape == y.shape


@pytest.mark.parametrize("solver", SOLVERS)
def test_same_seed_bitwise_identical(data, solver):
    X, y = data
    a = quiet_fit(
        ShallowNetClassifier(solver=solver, max_iter=30, random_state=7), X, y
    )
    b = quiet_fit(
        ShallowNetClassifier(solver=solver, max_iter=30, random_state=7), X, y
    )
    for name in PARAMS:
        assert getattr(a, name).tobytes() == getattr(b, name).tobytes()


def test_zero_weight_parts_are_handled():
    X, y = make_flower(60, random_state=0)
    w = np.zeros(len(y))
    w[:3] = 1.0  # nearly every row weighs nothing
    # Mini-batches of zero weight are skipped, not divided by zero.
    clf = quiet_fit(
        ShallowNetClassifier(
            solver="sgd", batch_size=5, shuffle=False, max_iter=5, random_state=0
        ),
        X,
        y,
        sample_weight=np.r_[np.zeros(30), np.ones(30)],
    )
    assert np.isfinite(clf.W1_).all()
    # An early-stopping split that leaves one side weightless is a clear error.
    with pytest.raises(ValueError, match="zero total sample_weight"):
        ShallowNetClassifier(early_stopping=True, random_state=0).fit(
            X, y, sample_weight=w
        )
