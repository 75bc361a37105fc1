"""Hostile parameters, targets and weights: a clear error or a sound model.

Every case runs with warnings as errors: no overflow or invalid-value warning,
and no obscure error from deeper down, reaches the user.
"""

import os
import re
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from helpers import quiet_fit
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MaxAbsScaler, StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from sk_shallow import ShallowNetClassifier, ShallowNetRegressor, _problem
from sk_shallow._activations import sigmoid_derivative
from sk_shallow.datasets import make_flower

pytestmark = pytest.mark.filterwarnings("error")


@pytest.fixture(scope="module")
def data():
    return make_flower(120, random_state=0)


# -- bug 9: class_weight dicts in partial_fit and with multilabel targets -----
def test_partial_fit_class_weight_dict_uses_the_declared_classes(data):
    X, y = data
    y3 = np.where(np.arange(len(y)) % 5 == 0, 2, y)
    clf = ShallowNetClassifier(solver="sgd", class_weight={2: 3.0}, random_state=0)
    clf.partial_fit(X[y3 < 2], y3[y3 < 2], classes=[0, 1, 2])  # no class 2 here
    clf.partial_fit(X, y3)
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])


def test_multilabel_class_weight_dict_is_a_clear_error(data):
    X, y = data
    Y = np.c_[y, 1 - y]
    with pytest.raises(ValueError, match="dict is not supported for multilabel"):
        ShallowNetClassifier(class_weight={0: 2.0}).fit(X, Y)


def test_multilabel_balanced_counts_sample_weights(data):
    X, y = data
    Y = np.c_[y, (X[:, 0] > 0).astype(int)]
    w = np.where(np.arange(len(y)) % 3 == 0, 2, 1)
    kw = dict(class_weight="balanced", max_iter=20, random_state=0)
    weighted = quiet_fit(ShallowNetClassifier(**kw), X, Y, sample_weight=w)
    repeated = quiet_fit(
        ShallowNetClassifier(**kw), np.repeat(X, w, 0), np.repeat(Y, w, 0)
    )
    np.testing.assert_allclose(weighted.loss_curve_, repeated.loss_curve_, rtol=1e-10)


# -- bug 10: class_weight and sample_weight values -----------------------------
@pytest.mark.parametrize(
    "class_weight, message",
    [
        ({0: -1.0}, "finite and non-negative; class 0 has -1.0"),
        ({1: np.nan}, "finite and non-negative; class 1 has nan"),
        ({0: np.inf}, "finite and non-negative; class 0 has inf"),
        ({0: 0.0, 1: 0.0}, "every sample a zero weight"),
        ({0: "a"}, "must be numbers; class 0 has 'a'"),
        ({5: 1.0}, r"labels \[5\] that are not among the classes \[0, 1\]"),
    ],
)
def test_bad_class_weight_values_are_named(data, class_weight, message):
    X, y = data
    clf = ShallowNetClassifier(class_weight=class_weight, max_iter=3)
    with pytest.raises(ValueError, match=message):
        clf.fit(X, y)


@pytest.mark.parametrize("labels", ["ints", "strings"])
def test_class_weight_dict_may_name_classes_absent_from_y(data, labels):
    # A cross-validation fold without class 2, and a dict for all three
    # classes: the absent class's weight is ignored, as LogisticRegression
    # (compute_class_weight) does.
    X, y = data
    names = np.array([0, 1, 2]) if labels == "ints" else np.array(["a", "b", "c"])
    weights = {names[0].item(): 1.0, names[1].item(): 3.0, names[2].item(): 5.0}
    kw = dict(max_iter=5, random_state=0)
    fold = quiet_fit(ShallowNetClassifier(class_weight=weights, **kw), X, names[y])
    reference = quiet_fit(
        ShallowNetClassifier(**kw), X, names[y], sample_weight=np.where(y, 3.0, 1.0)
    )
    np.testing.assert_array_equal(fold.classes_, names[:2])
    np.testing.assert_array_equal(fold.loss_curve_, reference.loss_curve_)
    LogisticRegression(class_weight=weights).fit(X, names[y])  # accepted there too


def test_class_weight_dict_for_other_labels_is_an_error_as_in_scikit_learn(data):
    # A label absent from y, and a class without a weight: the dict was
    # meant for other labels; LogisticRegression refuses it too.
    X, y = data
    with pytest.raises(ValueError, match=r"are not in class_weight"):
        LogisticRegression(class_weight={0: 2.0, 5: 3.0}).fit(X, y)
    clf = ShallowNetClassifier(class_weight={0: 2.0, 5: 3.0}, max_iter=3)
    with pytest.raises(ValueError, match=r"\[5\] .* no weight for the classes \[1\]"):
        clf.fit(X, y)


def test_partial_fit_class_weight_dict_beyond_the_declared_classes(data):
    X, y = data
    kw = dict(solver="sgd", random_state=0)
    clf = ShallowNetClassifier(class_weight={0: 1.0, 1: 4.0, 2: 9.0}, **kw)
    clf.partial_fit(X, y, classes=[0, 1])
    reference = ShallowNetClassifier(**kw)
    reference.partial_fit(X, y, classes=[0, 1], sample_weight=np.where(y, 4.0, 1.0))
    np.testing.assert_array_equal(clf.loss_curve_, reference.loss_curve_)


@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_non_finite_scalar_sample_weight(data, value):
    X, y = data
    with pytest.raises(ValueError, match="sample_weight must be finite"):
        ShallowNetClassifier(max_iter=3).fit(X, y, sample_weight=value)


def test_huge_equal_weights_act_as_unit_weights(data):
    X, y = data
    kw = dict(max_iter=10, random_state=0, early_stopping=True, solver="adam")
    huge = quiet_fit(
        ShallowNetClassifier(**kw), X, y, sample_weight=np.full(len(y), 1e307)
    )
    unit = quiet_fit(ShallowNetClassifier(**kw), X, y, sample_weight=np.ones(len(y)))
    np.testing.assert_array_equal(huge.W1_, unit.W1_)
    assert huge.validation_scores_ == unit.validation_scores_


# -- bug 11: overflow inside fit -----------------------------------------------
def test_huge_init_scale_is_a_clear_error(data):
    X, y = data
    with pytest.raises(ValueError, match="init_scale"):
        ShallowNetClassifier(init_scale=1e308).fit(X, y)


def test_float32_targets_or_weights_beyond_range(data):
    X, y = data
    X32 = X.astype(np.float32)
    with pytest.raises(ValueError, match="range of float32"):
        ShallowNetRegressor(max_iter=3).fit(X32, y * 1e39)
    with pytest.raises(ValueError, match="sample_weight.*(finite|infinity)"):
        ShallowNetClassifier(max_iter=3).fit(
            X32, y, sample_weight=np.full(len(y), 1e39)
        )


def test_longdouble_beyond_float64(data):
    X, y = data
    X_long = X.astype(np.longdouble)
    if np.finfo(np.longdouble).max <= np.finfo(np.float64).max:
        pytest.skip("longdouble is float64 here")
    X_long[0, 0] = np.longdouble(1e308) * 10
    with pytest.raises(ValueError, match="infinity"):
        ShallowNetClassifier(max_iter=3).fit(X_long, y)


@pytest.mark.parametrize("power_t", [200.0, 1e3])
def test_large_power_t_decays_without_overflow(data, power_t):
    X, y = data
    clf = ShallowNetClassifier(
        solver="sgd", learning_rate_schedule="invscaling", power_t=power_t, max_iter=3
    )
    quiet_fit(clf, X, y)
    assert clf.learning_rate_ == 0.0


# -- bug 12: obscure errors ----------------------------------------------------
@pytest.mark.parametrize(
    "name, value",
    [("n_hidden", True), ("max_iter", True), ("tol", False), ("learning_rate", True)],
)
def test_bools_are_not_numbers(data, name, value):
    X, y = data
    with pytest.raises(InvalidParameterError, match=f"'{name}'.*not a bool"):
        ShallowNetClassifier(**{name: value}).fit(X, y)


def test_sparse_targets_are_a_clear_error(data):
    X, y = data
    with pytest.raises(ValueError, match="y must be dense"):
        ShallowNetRegressor().fit(X, sp.csr_matrix(np.c_[y, y].astype(float)))


@pytest.mark.parametrize(
    "classes, message",
    [
        ([0, 1, "a"], "classes mixes strings"),
        ([0, 1, np.nan], "classes contains missing values"),
    ],
)
def test_bad_partial_fit_classes(data, classes, message):
    X, y = data
    with pytest.raises(ValueError, match=message):
        ShallowNetClassifier(solver="sgd").partial_fit(X, y, classes=classes)


def test_missing_labels_are_named(data):
    X, y = data
    labels = np.array(["a", "b"], dtype=object)[y]
    labels[3] = None
    with pytest.raises(ValueError, match="y contains missing values"):
        ShallowNetClassifier().fit(X, labels)
    pd = pytest.importorskip("pandas")
    s = pd.Series(np.array(["a", "b"])[y], dtype="string")
    s[4] = pd.NA
    with pytest.raises(ValueError, match="y contains missing values"):
        ShallowNetClassifier().fit(X, s)


# -- bug 13: a mini-batch that weighs nothing ----------------------------------
def test_zero_weight_batches_are_not_counted_in_the_epoch_cost(data):
    X, y = data
    w = np.r_[np.zeros(20), np.ones(len(y) - 20)]
    kw = dict(solver="sgd", batch_size=20, shuffle=False, max_iter=2, random_state=0)
    weighted = quiet_fit(ShallowNetClassifier(**kw), X, y, sample_weight=w)
    dropped = quiet_fit(ShallowNetClassifier(**kw), X[20:], y[20:])
    np.testing.assert_allclose(weighted.loss_curve_, dropped.loss_curve_, rtol=1e-12)


# -- bug 14: the sigmoid derivative in float32 ---------------------------------
def test_sigmoid_derivative_is_exact_for_small_outputs():
    A = np.array([1e-8, 0.5, 1 - 1e-3], dtype=np.float32)
    expected = A.astype(np.float64) * (1 - A.astype(np.float64))
    np.testing.assert_allclose(sigmoid_derivative(A.copy()), expected, rtol=1e-6)


# -- bug 15: the Poisson deviance overflows only for hopeless outputs ----------
def test_poisson_overflow_is_divergence_not_a_warning():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(50, 2)) * 1e3
    y = rng.poisson(3, size=50)
    reg = ShallowNetRegressor(
        loss="poisson", solver="sgd", learning_rate=10.0, init="normal", init_scale=1.0
    )
    with pytest.raises(ValueError, match="diverged|not finite"):
        reg.fit(X, y)


# -- bug 16: class weights without scikit-learn's compute_class_weight ---------
def test_balanced_weights_with_a_class_of_zero_weight(data):
    X, y = data
    y3 = np.where(np.arange(len(y)) % 7 == 0, 2, y)
    w = np.where(y3 == 2, 0.0, 1.0)
    clf = quiet_fit(
        ShallowNetClassifier(class_weight="balanced", max_iter=20, random_state=0),
        X,
        y3,
        sample_weight=w,
    )
    assert np.isfinite(clf.loss_)


# -- the scaling advice: kept when variances overflow, right for sparse X ------
def _std_by_scaling(X):
    """Column standard deviations of ``X`` taken on ``X / max|X|``."""
    X = X.toarray() if sp.issparse(X) else X
    top = np.abs(X).max(axis=0).astype(np.float64)
    return (X / top).std(axis=0) * top


@pytest.mark.parametrize("kind", ["dense", "csr", "csc"])
@pytest.mark.parametrize(
    "dtype, scale", [(np.float64, 1e160), (np.float64, 1e300), (np.float32, 1e25)]
)
def test_scaling_advice_survives_an_overflowing_variance(data, kind, dtype, scale):
    X = (data[0] * scale).astype(dtype)
    X = {"dense": np.asarray, "csr": sp.csr_matrix, "csc": sp.csc_matrix}[kind](X)
    mean, std = _problem._column_moments(X)
    np.testing.assert_allclose(std, _std_by_scaling(X), rtol=1e-5)
    assert np.isfinite(mean).all()
    advice = _problem.scaling_advice(X)
    largest = float(_std_by_scaling(X).max())
    assert f"to {largest:.3g})" in advice


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_fit_on_features_with_overflowing_variance_names_the_scaler(data, solver):
    X, y = data
    clf = ShallowNetClassifier(solver=solver, max_iter=5, random_state=0)
    with pytest.warns(ConvergenceWarning, match=r"make_pipeline\(MaxAbsScaler\(\), St"):
        clf.fit(X * 1e160, y)


def test_partial_fit_on_unscaled_data_warns_like_fit():
    X, y = load_iris(return_X_y=True)
    X = X * 100
    clf = ShallowNetClassifier(solver="sgd", random_state=0)
    with pytest.warns(ConvergenceWarning, match="StandardScaler") as caught:
        clf.partial_fit(X, y, classes=[0, 1, 2])
    assert "better than predicting the class frequencies" in str(caught[0].message)
    with pytest.warns(ConvergenceWarning, match="StandardScaler"):
        ShallowNetClassifier(solver="sgd", max_iter=5, random_state=0).fit(X, y)
    # Scaled, a stream that has not learned yet is not warned about.
    X = StandardScaler().fit_transform(X)
    clf = ShallowNetClassifier(solver="sgd", random_state=0)
    for _ in range(3):
        clf.partial_fit(X, y, classes=[0, 1, 2])


def test_a_stream_stuck_at_the_constant_prediction_says_so():
    # sgd's small automatic step leaves a stream of partial_fit calls on raw
    # iris at the class frequencies for 35 calls: said after n_iter_no_change
    # calls in a row, then after twice and four times as many, with what
    # may help.
    X, y = load_iris(return_X_y=True)
    clf = ShallowNetClassifier(solver="sgd", random_state=0, n_iter_no_change=5)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(24):
            clf.partial_fit(X, y, classes=[0, 1, 2])
    messages = [str(w.message) for w in caught]
    assert len(messages) == 3, messages
    for calls, message in zip([5, 10, 20], messages, strict=True):
        assert f"after {calls} calls of partial_fit" in message
        assert "larger learning_rate (now 0.01)" in message
    # More calls leave the plateau (the cost, then the accuracy), and nothing
    # more is said.
    for _ in range(36):
        clf.partial_fit(X, y)
    assert clf._state.calls_learning_little == 0
    assert clf.score(X, y) > 0.6
    # n_iter_no_change=inf never calls a stream stuck.
    clf = ShallowNetClassifier(solver="sgd", random_state=0, n_iter_no_change=np.inf)
    for _ in range(24):
        clf.partial_fit(X, y, classes=[0, 1, 2])


@pytest.mark.parametrize("solver", ["gd", "adam", "lbfgs"])
@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
def test_units_saturated_by_unscaled_features_are_reported(solver, activation):
    # Features of 1e160: every hidden unit starts at its bounds, the fit
    # stops early on a poor model, and the warning says why and what to do.
    X, y = make_flower()
    params = dict(solver=solver, activation=activation, random_state=0)
    with pytest.warns(ConvergenceWarning) as caught:
        ShallowNetClassifier(**params).fit(X * 1e160, y)
    message = " ".join(str(w.message) for w in caught)
    assert "100% of the hidden activations started saturated" in message
    assert "make_pipeline(MaxAbsScaler(), StandardScaler(), ...)" in message
    # The advice works: scaled so, the same fit reports no saturation.
    Xs = make_pipeline(MaxAbsScaler(), StandardScaler()).fit_transform(X * 1e160)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ShallowNetClassifier(**params).fit(Xs, y)
    assert not any("saturated" in str(w.message) for w in caught)


def test_saturated_share_counts_units_at_their_bounds():
    # Against a plain count: |tanh(W1 x + b1)| > 0.999 over the examples.
    X, _ = make_flower()
    rng = np.random.RandomState(0)
    params = {
        "W1": rng.randn(4, 2),
        "b1": rng.randn(4, 1),
        "W2": rng.randn(1, 4),
        "b2": np.zeros((1, 1)),
    }
    expected = np.mean(np.abs(np.tanh(params["W1"] @ X.T + params["b1"])) > 0.999)
    problem = _problem.Problem(X, None, None, None)
    assert problem.saturated_share(params, "tanh") == pytest.approx(expected)
    assert 0 < expected < 1
    assert problem.saturated_share(params, "relu") == 0.0


def test_partial_fit_that_halves_its_step_says_so():
    # A chunk whose first update runs away: the automatic step is halved
    # for this call and every later one, which the warning says.
    X, y = make_flower(200, random_state=0)
    clf = ShallowNetRegressor(solver="sgd", activation="identity", random_state=0)
    clf.partial_fit(X, y)
    clf._state.solver.rule.learning_rate = 3.0  # as if a step too large
    with pytest.warns(ConvergenceWarning, match="halve its step.*calls to come"):
        clf.partial_fit(X, y)
    assert clf.learning_rate_ == 1.5


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_sparse_features_are_advised_a_scaler_that_takes_them(fmt):
    X, y = make_flower(200, random_state=0)
    X = sp.random(200, 30, density=0.1, format=fmt, random_state=0) * 1e3
    X = sp.hstack([X, sp.csr_matrix(make_flower(200, random_state=0)[0])], fmt)
    with pytest.warns(ConvergenceWarning) as caught:
        ShallowNetClassifier(solver="adam", max_iter=3, random_state=0).fit(X, y)
    message = " ".join(str(w.message) for w in caught)
    assert "make_pipeline(MaxAbsScaler(), ...)" in message
    assert "StandardScaler(with_mean=False)" in message
    assert "make_pipeline(StandardScaler()" not in message
    # Both scalers the warning names take the sparse matrix.
    for scaler in (MaxAbsScaler(), StandardScaler(with_mean=False)):
        quiet_fit(
            make_pipeline(scaler, ShallowNetClassifier(max_iter=5, random_state=0)),
            X,
            y,
        )


def test_classifier_score_with_huge_sample_weights(data):
    X, y = data
    clf = quiet_fit(ShallowNetClassifier(max_iter=50, random_state=0), X, y)
    w = np.random.RandomState(0).uniform(1, 2, len(y))
    expected = np.average(clf.predict(X) == y, weights=w)
    assert clf.score(X, y, sample_weight=w * 1e307) == pytest.approx(expected)
    assert clf.score(X, y, sample_weight=list(w)) == pytest.approx(expected)


def _warned_here(fit):
    """The warnings ``fit()`` gives, each checked to point at this file."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit()
    assert caught
    for w in caught:
        assert w.filename == __file__, (w.filename, w.lineno, str(w.message))
    return caught


def test_warnings_point_at_the_callers_line():
    X, y = make_flower()
    capped = dict(max_iter=5, n_iter_no_change=10, random_state=0)
    # fit, each solver; partial_fit; a warning of the initialisation; and a
    # fit reached through scikit-learn's model selection.
    for solver in ("gd", "sgd", "adam", "lbfgs"):
        _warned_here(
            lambda s=solver: ShallowNetClassifier(solver=s, **capped).fit(X, y)
        )
    _warned_here(lambda: ShallowNetRegressor(solver="sgd").partial_fit(X * 1e6, y))
    _warned_here(lambda: ShallowNetClassifier(init="zeros", **capped).fit(X, y))
    _warned_here(lambda: cross_val_score(ShallowNetClassifier(**capped), X, y, cv=2))


def test_sparse_features_beyond_squares_are_advised_max_abs_scaling_only():
    # StandardScaler(with_mean=False) divides by a variance that overflows.
    X, y = make_flower()
    advice = _problem.scaling_advice(sp.csr_matrix(X * 1e160))
    assert "MaxAbsScaler" in advice and "with_mean=False" not in advice
    scaled = MaxAbsScaler().fit_transform(sp.csr_matrix(X * 1e160))
    assert _problem.scaling_advice(scaled) == ""


def test_warnings_recorded_around_validation_are_all_shown():
    # Around a fit's data validation the process's warnings are recorded (to
    # point scikit-learn's at the caller's line): those of other code, another
    # thread's, keep their own line, and none is lost when the call fails.
    import sklearn

    from sk_shallow._report import at_callers_line

    inside = os.path.join(os.path.dirname(sklearn.__file__), "utils", "x.py")
    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("always")
        with pytest.raises(ValueError, match="bad y"):
            with at_callers_line():
                warnings.warn_explicit("elsewhere", UserWarning, "/elsewhere.py", 7)
                warnings.warn_explicit("inside", UserWarning, inside, 3)
                raise ValueError("bad y")
    where = {str(w.message): (w.filename, w.lineno) for w in shown}
    assert where["elsewhere"] == ("/elsewhere.py", 7)
    assert where["inside"][0] == __file__


@pytest.mark.parametrize(
    "module, missing, extra",
    [("sk_shallow.dask", "dask", "[dask]"), ("sk_shallow.onnx", "skl2onnx", "[onnx]")],
)
def test_a_missing_extra_is_named_with_its_install_command(
    monkeypatch, module, missing, extra
):
    import importlib
    import sys

    monkeypatch.setitem(sys.modules, missing, None)  # as if not installed
    monkeypatch.delitem(sys.modules, module, raising=False)
    with pytest.raises(ModuleNotFoundError, match=re.escape(extra)) as error:
        importlib.import_module(module)
    assert error.value.name == missing
    assert 'pip install -e ".' + extra in str(error.value)
