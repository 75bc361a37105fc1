"""ShallowNetClassifier against the notes, MLPClassifier and scikit-learn's tools."""

import pickle
import re
import warnings

import numpy as np
import pytest
from helpers import PARAMS, notes_gradient_descent
from sklearn.base import clone
from sklearn.datasets import make_blobs, make_classification
from sklearn.exceptions import ConvergenceWarning, DataConversionWarning
from sklearn.linear_model import LogisticRegression, LogisticRegressionCV
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import LabelBinarizer, StandardScaler

from sk_shallow import ShallowNetClassifier
from sk_shallow._classifier import _unique_inverse
from sk_shallow.datasets import make_flower


@pytest.fixture(scope="module")
def flower():
    return make_flower()


@pytest.fixture(scope="module")
def multiclass():
    X, y = make_blobs(n_samples=90, centers=3, cluster_std=1.0, random_state=0)
    return StandardScaler().fit_transform(X), y


def test_course_run_matches_the_notes_algorithm(flower):
    X, y = flower
    clf = ShallowNetClassifier(max_iter=300, n_iter_no_change=np.inf, random_state=2)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    expected, costs = notes_gradient_descent(X.T, y[np.newaxis], 4, 300, 1.2, 2)
    for name, want in zip(PARAMS, expected, strict=True):
        np.testing.assert_allclose(getattr(clf, name), want, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(clf.loss_curve_, costs, rtol=1e-10)
    assert clf.n_iter_ == 300


def test_network_beats_logistic_regression_on_the_flower(flower):
    X, y = flower
    net = ShallowNetClassifier(random_state=2).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        logreg = LogisticRegressionCV().fit(X, y)
    # The notes: about 90% for the network, about 47% for logistic regression.
    assert net.score(X, y) >= 0.88
    assert logreg.score(X, y) <= 0.55
    assert net.loss_ < 0.25
    assert net.loss_curve_[0] == pytest.approx(np.log(2), abs=1e-3)


@pytest.mark.parametrize(
    "activation, mlp_activation",
    [
        ("tanh", "tanh"),
        ("sigmoid", "logistic"),
        ("relu", "relu"),
        ("identity", "identity"),
    ],
)
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("alpha", [0.0, 0.01])
def test_gradient_descent_follows_mlp_full_batch_sgd(
    activation, mlp_activation, n_classes, alpha
):
    X, y = make_classification(
        n_samples=60, n_features=5, n_informative=3, n_classes=n_classes, random_state=0
    )
    common = dict(
        max_iter=25, tol=0, n_iter_no_change=np.inf, alpha=alpha, random_state=3
    )
    ours = ShallowNetClassifier(
        6, activation, learning_rate=0.3, init="glorot", **common
    )
    theirs = MLPClassifier(
        (6,),
        mlp_activation,
        solver="sgd",
        batch_size=60,
        momentum=0,
        shuffle=False,
        learning_rate_init=0.3,
        **common,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours.fit(X, y)
        theirs.fit(X, y)
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-10)
    np.testing.assert_allclose(ours.W1_, theirs.coefs_[0].T, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ours.W2_, theirs.coefs_[1].T, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(
        ours.b1_[:, 0], theirs.intercepts_[0], rtol=1e-9, atol=1e-12
    )
    np.testing.assert_allclose(
        ours.predict_proba(X), theirs.predict_proba(X), rtol=1e-9
    )


def test_fitted_attributes_have_the_notes_shapes(multiclass):
    X, y = multiclass
    clf = ShallowNetClassifier(n_hidden=5, random_state=0).fit(X, y)
    assert clf.W1_.shape == (5, 2)
    assert clf.b1_.shape == (5, 1)
    assert clf.W2_.shape == (3, 5)
    assert clf.b2_.shape == (3, 1)
    assert clf.n_outputs_ == 3
    assert clf.out_activation_ == "softmax"
    assert clf.n_iter_ == len(clf.loss_curve_)
    assert clf.loss_ == clf.loss_curve_[-1]
    assert clf.best_loss_ == min(clf.loss_curve_)


def test_decision_function_and_probabilities(flower, multiclass):
    X, y = flower
    clf = ShallowNetClassifier(max_iter=500, random_state=2).fit(X, y)
    z = clf.decision_function(X)
    proba = clf.predict_proba(X)
    assert z.shape == (400,)
    np.testing.assert_allclose(proba[:, 1], 1 / (1 + np.exp(-z)), rtol=1e-12)
    np.testing.assert_array_equal(
        clf.predict(X), clf.classes_[(proba[:, 1] > 0.5).astype(int)]
    )
    np.testing.assert_allclose(np.exp(clf.predict_log_proba(X)), proba, rtol=1e-12)

    X, y = multiclass
    clf = ShallowNetClassifier(random_state=0).fit(X, y)
    Z = clf.decision_function(X)
    proba = clf.predict_proba(X)
    assert Z.shape == proba.shape == (90, 3)
    expected = np.exp(Z - Z.max(axis=1, keepdims=True))
    np.testing.assert_allclose(
        proba, expected / expected.sum(axis=1, keepdims=True), rtol=1e-12
    )
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[Z.argmax(axis=1)])
    np.testing.assert_allclose(np.exp(clf.predict_log_proba(X)), proba, rtol=1e-12)
    assert clf.score(X, y) > 0.8


@pytest.mark.parametrize(
    "labels",
    [
        np.array(["setosa", "virginica"]),
        np.array([False, True]),
        np.array([-3, 7]),
        np.array(["a", "b", "c"]),
    ],
)
def test_label_types(labels):
    X, y = make_blobs(n_samples=60, centers=len(labels), random_state=1)
    y_labels = labels[y]
    clf = ShallowNetClassifier(max_iter=300, random_state=0).fit(
        StandardScaler().fit_transform(X), y_labels
    )
    np.testing.assert_array_equal(clf.classes_, np.sort(labels))
    pred = clf.predict(StandardScaler().fit_transform(X))
    assert pred.dtype == y_labels.dtype
    assert np.mean(pred == y_labels) > 0.9


@pytest.mark.parametrize(
    "y, classes",
    [
        (np.array([1, 0, 1, 1]), None),
        (np.array(["b", "a", "c", "a", "b"]), None),
        (np.array([True, False, False]), None),
        (np.array([2.0, -1.0, 2.0, 5.0]), None),
        (np.array(["n", "m", "n"], dtype=object), None),
        (np.array([[1], [0], [1]]), None),  # a column: ravelled, with a warning
        (np.array([7, 7, 9]), [5, 7, 9, 11]),  # a chunk of every class
        (np.array(["y", "y"]), ["x", "y"]),
    ],
)
def test_targets_are_labelbinarizers_indicators(y, classes):
    clf = ShallowNetClassifier()
    incremental = classes is not None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataConversionWarning)
        _, Y = clf._encode_targets(y, True, incremental, classes)
    binarizer = LabelBinarizer().fit(y.ravel() if classes is None else classes)
    np.testing.assert_array_equal(Y, binarizer.transform(y.ravel()))
    np.testing.assert_array_equal(clf.classes_, binarizer.classes_)
    # A later chunk: the classes of the first call.
    if incremental:
        _, Y = clf._encode_targets(y[::-1], False, True)
        np.testing.assert_array_equal(Y, binarizer.transform(y[::-1]))


_I64 = np.iinfo(np.int64)


@pytest.mark.parametrize(
    "y",
    [
        np.random.RandomState(0).randint(-3, 4, 500),  # counted
        np.arange(50) % 7,  # counted: 0, 1, ..., each its own index
        np.array([0, 2, 2, 0] * 10),  # counted, with a gap
        np.array([-128, 127, 0, 127], dtype=np.int8),
        np.resize(np.array([-128, 127, 0], dtype=np.int8), 300),  # counted
        np.resize(np.array([-(2**15), 2**15 - 1], dtype=np.int16), 70_000),
        np.array([250, 3, 250], dtype=np.uint8),
        np.array([2**64 - 1, 2**64 - 3, 2**64 - 1], dtype=np.uint64),
        np.array([_I64.min, 0, _I64.max]),  # sorted: the span is too wide
        np.array([10**9, 1, 10**9]),
        np.array([4]),
        np.array(["b", "a", "b"]),
        np.array([1.5, -2.0, 1.5]),
    ],
)
def test_unique_inverse_is_numpys(y):
    labels, inverse = _unique_inverse(y)
    expected, expected_inverse = np.unique(y, return_inverse=True)
    assert labels.dtype == expected.dtype
    np.testing.assert_array_equal(labels, expected)
    np.testing.assert_array_equal(inverse, expected_inverse.reshape(-1))


def test_many_classes_warn_only_when_more_than_half_the_samples():
    # scikit-learn's hint that y may be a regression target: from the counts
    # of samples and classes, though the checks run on the distinct labels.
    rng = np.random.RandomState(0)
    X = rng.standard_normal((2100, 3))
    clf = ShallowNetClassifier(max_iter=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, np.repeat(np.arange(21), 100))
        clf.fit(X[:21], np.arange(21) % 10)
    with pytest.warns(UserWarning, match="could represent a regression problem"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(X[:30], np.arange(30))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept_end_to_end(dtype, multiclass):
    X, y = multiclass
    clf = ShallowNetClassifier(max_iter=200, random_state=0).fit(X.astype(dtype), y)
    for name in PARAMS:
        assert getattr(clf, name).dtype == dtype
    assert clf.predict_proba(X.astype(dtype)).dtype == dtype
    assert clf.decision_function(X.astype(dtype)).dtype == dtype


def test_identity_activation_gives_a_linear_model(flower):
    """Notes 3.7: with g(z) = z the network collapses to W' x + b'."""
    X, y = flower
    clf = ShallowNetClassifier(activation="identity", random_state=2).fit(X, y)
    W_prime = clf.W2_ @ clf.W1_
    b_prime = clf.W2_ @ clf.b1_ + clf.b2_
    np.testing.assert_allclose(
        clf.decision_function(X), (W_prime @ X.T + b_prime)[0], rtol=1e-9, atol=1e-12
    )
    # Its decisions agree with an unpenalised logistic regression.
    logreg = LogisticRegression(C=1e6).fit(X, y)
    assert np.mean(clf.predict(X) == logreg.predict(X)) >= 0.97


def test_zero_init_keeps_hidden_units_identical(flower):
    """Notes 3.11: every hidden unit stays the same; random init breaks this."""
    X, y = flower
    with pytest.warns(UserWarning, match="identical"):
        zeros = ShallowNetClassifier(init="zeros", max_iter=500).fit(X, y)
    assert np.all(zeros.W1_ == zeros.W1_[0])
    assert np.all(zeros.b1_ == zeros.b1_[0])
    assert np.all(zeros.W2_ == zeros.W2_[:, [0]])
    normal = ShallowNetClassifier(max_iter=500, random_state=0).fit(X, y)
    assert np.ptp(normal.W1_, axis=0).min() > 1e-3
    assert normal.score(X, y) > zeros.score(X, y) + 0.2


def test_sample_weight_equals_duplicated_rows(multiclass):
    X, y = multiclass
    w = np.random.RandomState(0).randint(0, 4, size=len(y))
    kw = dict(max_iter=50, n_iter_no_change=np.inf, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        weighted = ShallowNetClassifier(**kw).fit(X, y, sample_weight=w)
        repeated = ShallowNetClassifier(**kw).fit(
            np.repeat(X, w, axis=0), np.repeat(y, w)
        )
    for name in PARAMS:
        np.testing.assert_allclose(
            getattr(weighted, name), getattr(repeated, name), rtol=1e-9, atol=1e-12
        )
    np.testing.assert_allclose(weighted.loss_curve_, repeated.loss_curve_, rtol=1e-10)


def test_warm_start_continues_from_current_weights(flower):
    X, y = flower
    kw = dict(n_iter_no_change=np.inf, random_state=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        once = ShallowNetClassifier(max_iter=200, **kw).fit(X, y)
        twice = ShallowNetClassifier(max_iter=100, warm_start=True, **kw)
        twice.fit(X, y).fit(X, y)
    for name in PARAMS:
        np.testing.assert_allclose(
            getattr(twice, name), getattr(once, name), rtol=1e-12
        )
    np.testing.assert_allclose(twice.loss_curve_, once.loss_curve_, rtol=1e-12)
    assert twice.n_iter_ == 100

    with pytest.raises(ValueError, match="classes"):
        twice.fit(X, np.where(y == 1, 2, y) + (np.arange(len(y)) % 3 == 0))


def test_stopping_rule_and_convergence_warning(flower):
    X, y = flower
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        short = ShallowNetClassifier(max_iter=20, random_state=2).fit(X, y)
    assert short.n_iter_ == 20

    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        stopped = ShallowNetClassifier(tol=1e-3, random_state=2).fit(X, y)
    assert stopped.n_iter_ < 10000
    curve = np.array(stopped.loss_curve_)
    # Each of the last n_iter_no_change + 1 iterations failed to improve the
    # best cost before it by tol, and the last window of 11 steps gained less
    # than half an average window since the start: slowing down, not a
    # plateau being escaped (see the user guide's stopping rule).
    n = len(curve)
    assert all(curve[i] > curve[:i].min() - 1e-3 for i in range(n - 11, n))
    assert curve[n - 12] - curve[-1] < 0.5 * (curve[0] - curve[-1]) / (n - 1) * 11

    with pytest.warns(ConvergenceWarning):
        never = ShallowNetClassifier(
            tol=1e-3, n_iter_no_change=np.inf, max_iter=600, random_state=2
        ).fit(X, y)
    assert never.n_iter_ == 600


def test_divergence_raises_and_keeps_the_fitted_model(flower):
    X, y = flower
    clf = ShallowNetClassifier(activation="identity", random_state=0).fit(X, y)
    before = {name: getattr(clf, name).copy() for name in PARAMS}
    pred = clf.predict(X)
    X_big = X * 1e3
    # Full-batch "gd" halves a step that raises the cost; SGD cannot.
    clf.set_params(solver="sgd", learning_rate=1e4)
    with pytest.raises(ValueError, match="learning_rate"):
        clf.fit(X_big, y)
    for name in PARAMS:
        np.testing.assert_array_equal(getattr(clf, name), before[name])
    np.testing.assert_array_equal(clf.predict(X), pred)


def test_failed_fit_on_other_data_leaves_estimator_unchanged(flower):
    X, y = flower
    clf = ShallowNetClassifier(max_iter=100, random_state=0).fit(X, y)
    state = {
        k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in vars(clf).items()
    }
    with pytest.raises(ValueError):
        clf.fit(np.c_[X, X], np.zeros(len(y)))  # one class, 4 features
    assert clf.n_features_in_ == 2
    assert set(vars(clf)) == set(state)
    for name in PARAMS:
        np.testing.assert_array_equal(getattr(clf, name), state[name])


@pytest.mark.parametrize(
    "label, shown", [(1, "1"), ("cat", "'cat'"), (np.int32(7), "7")]
)
def test_one_class_is_named_as_the_user_wrote_it(label, shown):
    # The label as it was given, not NumPy's repr of it (np.int64(1)).
    X = np.arange(20.0).reshape(10, 2)
    with pytest.raises(ValueError, match=rf"got one class only: {re.escape(shown)}\.$"):
        ShallowNetClassifier().fit(X, np.array([label] * 10))


def test_verbose_prints_the_cost(flower, capsys):
    X, y = flower
    ShallowNetClassifier(
        max_iter=300, verbose=1, random_state=2, n_iter_no_change=np.inf
    ).fit(X, y)
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("Iteration 1, cost = 0.693")
    assert 50 <= len(lines) <= 301
    ShallowNetClassifier(max_iter=5, verbose=2, random_state=2).fit(X, y)
    assert len(capsys.readouterr().out.strip().splitlines()) == 5


def test_pipeline_grid_search_and_cross_validation(flower):
    X, y = flower
    # The flower's rows are ordered by angle: shuffle, or a fold is a petal
    # the model never saw.
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    pipe = Pipeline(
        [
            ("scale", StandardScaler()),
            ("net", ShallowNetClassifier(max_iter=2000, random_state=2)),
        ]
    )
    search = GridSearchCV(
        pipe, {"net__activation": ["tanh", "identity"], "net__n_hidden": [1, 4]}, cv=cv
    )
    search.fit(X, y)
    assert search.best_params_ == {"net__activation": "tanh", "net__n_hidden": 4}
    assert search.best_score_ > 0.8
    scores = cross_val_score(clone(pipe), X, y, cv=cv)
    assert scores.shape == (3,) and scores.min() > 0.75


def test_clone_and_pickle_round_trip(multiclass):
    X, y = multiclass
    clf = ShallowNetClassifier(n_hidden=3, activation="leaky_relu", random_state=0)
    unfitted = pickle.loads(pickle.dumps(clf))
    assert unfitted.get_params() == clf.get_params()
    clf.fit(X, y)
    cloned = clone(clf)
    assert not hasattr(cloned, "W1_")
    assert cloned.get_params() == clf.get_params()
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    np.testing.assert_array_equal(restored.predict(X), clf.predict(X))


def test_same_seed_same_weights(multiclass):
    X, y = multiclass
    a = ShallowNetClassifier(
        init="he", activation="relu", learning_rate=0.1, max_iter=100, random_state=5
    )
    b = clone(a)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a.fit(X, y)
        b.fit(X, y)
    for name in PARAMS:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))


def test_input_is_not_modified(flower):
    X, y = flower
    X_ro, y_ro = X.copy(), y.copy()
    w = np.ones(len(y))
    X_ro.flags.writeable = y_ro.flags.writeable = w.flags.writeable = False
    clf = ShallowNetClassifier(max_iter=50, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X_ro, y_ro, sample_weight=w)
    np.testing.assert_array_equal(X_ro, X)
    np.testing.assert_array_equal(y_ro, y)


def test_a_run_away_raises_the_public_training_diverged(flower):
    # The exception is importable from the package, is a ValueError, and a
    # failed continued fit leaves the fitted weights as they were.
    from sk_shallow import TrainingDiverged

    X, y = flower
    clf = ShallowNetClassifier(solver="sgd", max_iter=20, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    before = {name: getattr(clf, name).copy() for name in PARAMS}
    clf.set_params(learning_rate=1e8, warm_start=True)
    with pytest.raises(TrainingDiverged, match="Training diverged") as info:
        clf.fit(X * 1e3, y)
    assert isinstance(info.value, ValueError)
    for name in PARAMS:
        np.testing.assert_array_equal(getattr(clf, name), before[name])


def test_a_cost_that_stands_still_on_the_constant_is_not_a_budget_problem():
    # Features that carry nothing: the cost stays at the class frequencies'
    # for the whole budget. The warning says so, and not to add iterations.
    y = np.random.default_rng(0).integers(0, 2, 50)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clf = ShallowNetClassifier(max_iter=2000).fit(np.ones((50, 3)), y)
    messages = [str(w.message) for w in caught if w.category is ConvergenceWarning]
    assert clf.n_iter_ == 2000
    assert len(messages) == 1
    assert "no better than predicting the class frequencies" in messages[0]
    assert "stood still" in messages[0]
    assert "increase max_iter" not in messages[0]
