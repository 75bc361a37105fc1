"""The solvers, weights, early stopping, partial_fit and inputs of issue-scale training.

References: scikit-learn's MLPClassifier running the same algorithm from the
same initial weights (``init="glorot"`` draws exactly its weights), repeated
rows for sample weights, dense input for sparse input.
"""

import copy
import math

import numpy as np
import pytest
import scipy.sparse as sp
from helpers import PARAMS, quiet_fit
from sklearn.base import clone
from sklearn.datasets import make_classification, make_multilabel_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler
from sklearn.utils import compute_sample_weight

from sk_shallow import ShallowNetClassifier, _network, _objective, _solvers, _stopping

SOLVERS = ("gd", "sgd", "adam", "lbfgs")


def _data(n_classes=3, n_samples=120, seed=0):
    X, y = make_classification(
        n_samples=n_samples,
        n_features=6,
        n_informative=4,
        n_classes=n_classes,
        random_state=seed,
    )
    return StandardScaler().fit_transform(X), y


def _assert_same_weights(ours, mlp, rtol=1e-9):
    np.testing.assert_allclose(ours.W1_, mlp.coefs_[0].T, rtol=rtol, atol=1e-12)
    np.testing.assert_allclose(ours.W2_, mlp.coefs_[1].T, rtol=rtol, atol=1e-12)
    np.testing.assert_allclose(
        ours.b1_[:, 0], mlp.intercepts_[0], rtol=rtol, atol=1e-12
    )
    np.testing.assert_allclose(
        ours.b2_[:, 0], mlp.intercepts_[1], rtol=rtol, atol=1e-12
    )


# -- solvers against MLPClassifier ---------------------------------------------
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("alpha", [0.0, 0.05])
def test_full_batch_sgd_follows_mlp(n_classes, alpha):
    X, y = _data(n_classes)
    common = dict(
        max_iter=40,
        tol=0,
        n_iter_no_change=np.inf,
        alpha=alpha,
        random_state=1,
        batch_size=len(y),
        momentum=0,
        shuffle=False,
    )
    ours = ShallowNetClassifier(
        5, "relu", solver="sgd", learning_rate=0.2, init="glorot", **common
    )
    mlp = MLPClassifier((5,), "relu", solver="sgd", learning_rate_init=0.2, **common)
    quiet_fit(ours, X, y)
    quiet_fit(mlp, X, y)
    np.testing.assert_allclose(ours.loss_curve_, mlp.loss_curve_, rtol=1e-10)
    _assert_same_weights(ours, mlp)


@pytest.mark.parametrize(
    "solver, options",
    [
        ("sgd", dict(momentum=0.9, nesterovs_momentum=True)),
        ("sgd", dict(momentum=0.5, nesterovs_momentum=False)),
        ("adam", dict(beta_1=0.8, beta_2=0.99, epsilon=1e-7)),
    ],
)
@pytest.mark.parametrize("shuffle", [False, True])
def test_mini_batch_solvers_follow_mlp(solver, options, shuffle):
    # Same initial weights, same batches (the shuffles draw from the same
    # random state in the same order), same updates.
    X, y = _data(3, n_samples=150)
    common = dict(
        max_iter=15,
        tol=0,
        n_iter_no_change=np.inf,
        alpha=1e-3,
        batch_size=32,
        shuffle=shuffle,
        random_state=4,
        **options,
    )
    ours = ShallowNetClassifier(
        7, "tanh", solver=solver, learning_rate=0.01, init="glorot", **common
    )
    mlp = MLPClassifier((7,), "tanh", solver=solver, learning_rate_init=0.01, **common)
    quiet_fit(ours, X, y)
    quiet_fit(mlp, X, y)
    np.testing.assert_allclose(ours.loss_curve_, mlp.loss_curve_, rtol=1e-9)
    _assert_same_weights(ours, mlp, rtol=1e-8)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_lbfgs_follows_and_reaches_mlp_loss(n_classes):
    X, y = _data(n_classes)
    losses = {}
    for max_iter in (50, 3000):
        common = dict(max_iter=max_iter, alpha=1e-2, tol=1e-8, random_state=0)
        ours = quiet_fit(
            ShallowNetClassifier(6, solver="lbfgs", init="glorot", **common), X, y
        )
        mlp = quiet_fit(MLPClassifier((6,), "tanh", solver="lbfgs", **common), X, y)
        losses[max_iter] = ours.loss_, mlp.loss_
        assert ours.n_iter_ == len(ours.loss_curve_)
        assert np.all(np.diff(ours.loss_curve_) <= 1e-12)  # L-BFGS never goes up
    # Same steps at first; rounding then parts the paths, which end at
    # minima of the same cost (to 1e-4 here; on NumPy 1.24's BLAS the
    # three-class paths end 0.3% apart, at neighbouring minima).
    assert losses[50][0] == pytest.approx(losses[50][1], rel=1e-8)
    assert losses[3000][0] == pytest.approx(losses[3000][1], rel=1e-2)


def test_lbfgs_warns_with_scipy_message_when_cut_short():
    X, y = _data()
    with pytest.warns(ConvergenceWarning, match="L-BFGS stopped before converging"):
        clf = ShallowNetClassifier(solver="lbfgs", max_iter=5, random_state=0)
        clf.fit(X, y)
    assert clf.n_iter_ == 5
    with pytest.warns(ConvergenceWarning, match="L-BFGS"):
        ShallowNetClassifier(solver="lbfgs", max_fun=5, random_state=0).fit(X, y)


@pytest.mark.parametrize("solver", SOLVERS)
def test_every_solver_learns_with_its_defaults(solver):
    X, y = _data(3, n_samples=300)
    clf = quiet_fit(ShallowNetClassifier(8, solver=solver, random_state=0), X, y)
    assert clf.score(X, y) > 0.85
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]


def test_learning_rate_auto_resolves_per_solver():
    # Adam at gradient descent's 1.2 would thrash; "auto" gives it 0.001.
    X, y = _data(2)
    auto = quiet_fit(
        ShallowNetClassifier(solver="adam", max_iter=50, random_state=0), X, y
    )
    explicit = quiet_fit(
        ShallowNetClassifier(
            solver="adam", learning_rate=0.001, max_iter=50, random_state=0
        ),
        X,
        y,
    )
    for name in PARAMS:
        np.testing.assert_array_equal(getattr(auto, name), getattr(explicit, name))


# -- weights --------------------------------------------------------------------
@pytest.mark.parametrize("solver", SOLVERS)
def test_integer_weights_equal_repeated_rows(solver):
    X, y = _data(3, n_samples=60)
    w = np.random.RandomState(0).randint(0, 3, size=len(y))
    # One batch holds all rows (with or without repetition), so the stochastic
    # solvers see the same gradients too; shuffling reorders only the sum.
    kw = dict(
        solver=solver,
        max_iter=30,
        n_iter_no_change=np.inf,
        batch_size=1000,
        shuffle=False,
        random_state=0,
    )
    weighted = quiet_fit(ShallowNetClassifier(**kw), X, y, sample_weight=w)
    repeated = quiet_fit(
        ShallowNetClassifier(**kw), np.repeat(X, w, axis=0), np.repeat(y, w)
    )
    for name in PARAMS:
        np.testing.assert_allclose(
            getattr(weighted, name), getattr(repeated, name), rtol=1e-7, atol=1e-10
        )


def test_class_weight_is_a_sample_weight_per_class():
    X, y = _data(3)
    kw = dict(max_iter=100, n_iter_no_change=np.inf, random_state=0)
    sw = np.random.RandomState(1).uniform(0.5, 2, len(y))
    by_class = quiet_fit(
        ShallowNetClassifier(class_weight={0: 3.0, 2: 0.5}, **kw),
        X,
        y,
        sample_weight=sw,
    )
    by_sample = quiet_fit(
        ShallowNetClassifier(**kw),
        X,
        y,
        sample_weight=sw * np.choose(y, [3.0, 1.0, 0.5]),
    )
    for name in PARAMS:
        np.testing.assert_allclose(
            getattr(by_class, name), getattr(by_sample, name), rtol=1e-12
        )

    balanced = quiet_fit(
        ShallowNetClassifier(class_weight="balanced", **kw), X[:100], y[:100]
    )
    reference = quiet_fit(
        ShallowNetClassifier(**kw),
        X[:100],
        y[:100],
        sample_weight=compute_sample_weight("balanced", y[:100]),
    )
    np.testing.assert_allclose(balanced.W1_, reference.W1_, rtol=1e-12)


def test_balanced_class_weight_lifts_a_minority_class():
    X, y = make_classification(
        n_samples=400,
        n_features=4,
        weights=[0.95],
        flip_y=0,
        class_sep=0.5,
        random_state=0,
    )
    kw = dict(solver="lbfgs", random_state=0)
    plain = quiet_fit(ShallowNetClassifier(**kw), X, y)
    balanced = quiet_fit(ShallowNetClassifier(class_weight="balanced", **kw), X, y)
    recall = [np.mean(m.predict(X)[y == 1] == 1) for m in (plain, balanced)]
    assert recall[1] > recall[0]


# -- early stopping ---------------------------------------------------------------
@pytest.mark.parametrize("solver", SOLVERS)
def test_early_stopping_keeps_the_best_validated_weights(solver):
    X, y = _data(3, n_samples=200)
    clf = ShallowNetClassifier(
        8,
        solver=solver,
        early_stopping=True,
        validation_fraction=0.2,
        n_iter_no_change=5,
        max_iter=500,
        random_state=0,
    )
    clf = quiet_fit(clf, X, y)
    n = clf.n_iter_
    assert len(clf.validation_scores_) == len(clf.validation_loss_curve_) == n
    assert clf.best_validation_score_ == max(clf.validation_scores_)

    # Rebuild the held-out rows from the same random stream: the notes' init
    # draws W1 then W2, then the stratified split.
    rng = np.random.RandomState(0)
    rng.standard_normal((8, 6))
    rng.standard_normal((3, 8))
    _, val = train_test_split(
        np.arange(200), test_size=math.ceil(0.2 * 200), stratify=y, random_state=rng
    )
    assert clf.score(X[val], y[val]) == pytest.approx(clf.best_validation_score_)
    proba = clf.predict_proba(X[val])
    val_loss = -np.mean(np.log(proba[np.arange(len(val)), y[val]]))
    best = int(np.argmax(clf.validation_scores_))
    assert val_loss == pytest.approx(clf.validation_loss_curve_[best], rel=1e-5)


def test_early_stopping_with_weights_and_verbose(capsys):
    X, y = _data(2, n_samples=100)
    w = np.random.RandomState(0).uniform(0.1, 2, len(y))
    clf = ShallowNetClassifier(
        early_stopping=True, max_iter=30, verbose=2, random_state=0
    )
    quiet_fit(clf, X, y, sample_weight=w)
    out = capsys.readouterr().out.splitlines()
    assert len(out) >= clf.n_iter_
    assert "validation cost" in out[0] and "score" in out[0]


def test_validation_split_too_small_is_a_clear_error():
    X, y = _data(2, n_samples=12)
    # Three rows of multilabel targets (split at random): 1% of three rows is
    # a single validation row.
    with pytest.raises(ValueError, match="validation set is too small"):
        ShallowNetClassifier(early_stopping=True, validation_fraction=0.01).fit(
            X[:3], [[0, 1], [1, 0], [0, 1]]
        )


@pytest.mark.parametrize("n_classes", [2, 3])
def test_early_stopping_with_a_lone_class_is_a_clear_error(n_classes):
    # The split cannot put class 9's one sample on both sides; MLPClassifier
    # refuses a lone class too (for its stratified, two-class case).
    X, y = _data(n_classes, n_samples=60)
    y = y.copy()
    y[0] = 9
    with pytest.raises(ValueError, match=r"least populated class"):
        MLPClassifier(early_stopping=True).fit(X, y == 9)
    clf = ShallowNetClassifier(early_stopping=True, max_iter=5)
    with pytest.raises(ValueError, match=r"stratified by class.*classes \[9\] have 1"):
        clf.fit(X, y)
    assert not hasattr(clf, "W1_")


def test_early_stopping_multilabel_splits_a_lone_label_at_random():
    # As MLPClassifier: a label with one positive sample is no error.
    X, y = _data(2, n_samples=60)
    Y = np.c_[y, np.arange(60) == 0]
    clf = quiet_fit(ShallowNetClassifier(early_stopping=True, max_iter=5), X, Y)
    assert len(clf.validation_scores_) == clf.n_iter_


# -- partial_fit and warm start ---------------------------------------------------
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_partial_fit_epochs_equal_fit_epochs(solver):
    X, y = _data(3)
    kw = dict(
        solver=solver,
        batch_size=25,
        random_state=3,
        learning_rate=0.01,
        n_iter_no_change=np.inf,
    )
    fitted = quiet_fit(ShallowNetClassifier(max_iter=3, **kw), X, y)
    partial = ShallowNetClassifier(**kw)
    for _ in range(3):
        partial.partial_fit(X, y, classes=[0, 1, 2])
    for name in PARAMS:
        np.testing.assert_allclose(
            getattr(partial, name), getattr(fitted, name), rtol=1e-12
        )
    np.testing.assert_allclose(partial.loss_curve_, fitted.loss_curve_, rtol=1e-12)
    assert partial.n_iter_ == 1


def test_partial_fit_out_of_core_chunks():
    X, y = _data(3, n_samples=3000)
    clf = ShallowNetClassifier(16, solver="adam", learning_rate=0.03, random_state=0)
    scores = []
    for _ in range(10):
        for start in range(0, 3000, 500):
            chunk = slice(start, start + 500)
            clf.partial_fit(X[chunk], y[chunk], classes=np.arange(3))
        scores.append(clf.score(X, y))
    assert len(clf.loss_curve_) == 60
    assert scores[-1] > 0.8
    assert scores[-1] > scores[0] + 0.05


def test_partial_fit_errors_and_availability():
    X, y = _data(3)
    clf = ShallowNetClassifier(solver="sgd")
    with pytest.raises(ValueError, match="classes must be passed"):
        clf.partial_fit(X, y)
    clf.partial_fit(X, y, classes=[0, 1, 2])
    before = clf.W1_.copy()
    with pytest.raises(ValueError, match=r"classes \[7\]"):
        clf.partial_fit(X, np.where(y == 0, 7, y))
    with pytest.raises(ValueError, match="features"):
        clf.partial_fit(X[:, :4], y)
    with pytest.raises(ValueError, match="differs"):
        clf.partial_fit(X, y, classes=[0, 1, 2, 3])
    np.testing.assert_array_equal(clf.W1_, before)

    for solver in ("gd", "lbfgs"):
        assert not hasattr(ShallowNetClassifier(solver=solver), "partial_fit")
    assert not hasattr(
        ShallowNetClassifier(solver="adam", early_stopping=True), "partial_fit"
    )
    assert not hasattr(
        ShallowNetClassifier(solver="sgd", class_weight="balanced"), "partial_fit"
    )


@pytest.mark.parametrize("solver", SOLVERS)
def test_warm_start_with_every_solver(solver):
    X, y = _data(2)
    clf = ShallowNetClassifier(
        solver=solver, warm_start=True, max_iter=20, random_state=0
    )
    quiet_fit(clf, X, y)
    first = clf.W1_.copy()
    n_first = len(clf.loss_curve_)
    quiet_fit(clf, X, y)
    assert len(clf.loss_curve_) == n_first + clf.n_iter_
    assert not np.array_equal(clf.W1_, first)
    # Continuing starts from the first fit's weights: its first cost is no
    # worse than where the first fit ended.
    assert clf.loss_curve_[n_first] <= clf.loss_curve_[n_first - 1] + 1e-6
    with pytest.raises(ValueError, match="classes"):
        clf.fit(X, y + 1)


# -- inputs -------------------------------------------------------------------------
@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("fmt", ["csr_matrix", "csc_matrix", "csr_array", "csc_array"])
def test_sparse_input_equals_dense(solver, fmt):
    X, y = _data(3, n_samples=80)
    X[np.abs(X) < 0.8] = 0
    Xs = getattr(sp, fmt)(X)
    kw = dict(solver=solver, max_iter=20, random_state=0, n_iter_no_change=np.inf)
    dense = quiet_fit(ShallowNetClassifier(**kw), X, y)
    sparse = quiet_fit(ShallowNetClassifier(**kw), Xs, y)
    for name in PARAMS:
        np.testing.assert_allclose(
            getattr(sparse, name), getattr(dense, name), rtol=1e-9, atol=1e-12
        )
    np.testing.assert_allclose(
        sparse.predict_proba(Xs), dense.predict_proba(X), rtol=1e-9
    )


def test_sparse_input_is_never_densified():
    # 100,000 x 100,000 would take 80 GB dense.
    n = 100_000
    rng = np.random.RandomState(0)
    rows, cols = rng.randint(n, size=(2, 20 * n))
    X = sp.csr_matrix((rng.standard_normal(20 * n), (rows, cols)), shape=(n, n))
    y = rng.randint(2, size=n)
    clf = quiet_fit(ShallowNetClassifier(2, max_iter=3), X, y)
    assert clf.W1_.shape == (2, n)
    assert clf.predict(X[:10]).shape == (10,)


@pytest.mark.parametrize("solver", SOLVERS)
def test_float32_stays_float32_with_every_solver(solver):
    X, y = _data(3)
    clf = quiet_fit(
        ShallowNetClassifier(solver=solver, max_iter=20, random_state=0),
        X.astype(np.float32),
        y,
    )
    for name in PARAMS:
        assert getattr(clf, name).dtype == np.float32
    assert clf.predict_proba(X.astype(np.float32)).dtype == np.float32


def test_multilabel_follows_mlp():
    X, Y = make_multilabel_classification(
        n_samples=80, n_features=5, n_classes=4, random_state=0
    )
    X = StandardScaler().fit_transform(X)
    common = dict(
        max_iter=30,
        tol=0,
        n_iter_no_change=np.inf,
        random_state=2,
        batch_size=80,
        alpha=0.0,
        momentum=0,
        shuffle=False,
    )
    ours = quiet_fit(
        ShallowNetClassifier(
            6, solver="sgd", learning_rate=0.5, init="glorot", **common
        ),
        X,
        Y,
    )
    mlp = quiet_fit(
        MLPClassifier((6,), "tanh", solver="sgd", learning_rate_init=0.5, **common),
        X,
        Y,
    )
    np.testing.assert_allclose(ours.loss_curve_, mlp.loss_curve_, rtol=1e-10)
    np.testing.assert_array_equal(ours.classes_, [0, 1, 2, 3])
    assert ours.out_activation_ == "sigmoid"
    assert ours.predict(X).shape == Y.shape
    np.testing.assert_array_equal(ours.predict(X), mlp.predict(X))
    np.testing.assert_allclose(ours.predict_proba(X), mlp.predict_proba(X), rtol=1e-9)


@pytest.mark.parametrize(
    "sparse", [sp.csr_matrix, sp.csc_matrix, sp.coo_matrix, sp.csr_array]
)
def test_sparse_multilabel_targets_follow_mlp(sparse):
    X, Y = make_multilabel_classification(
        n_samples=60, n_features=4, n_classes=3, random_state=0
    )
    X = StandardScaler().fit_transform(X)
    common = dict(
        max_iter=10, tol=0, alpha=0.0, random_state=2, batch_size=60, momentum=0
    )
    ours = ShallowNetClassifier(
        5, solver="sgd", learning_rate=0.5, init="glorot", shuffle=False, **common
    )
    quiet_fit(ours, X, sparse(Y))
    mlp = MLPClassifier(
        (5,), "tanh", solver="sgd", learning_rate_init=0.5, shuffle=False, **common
    )
    quiet_fit(mlp, X, sparse(Y))
    np.testing.assert_allclose(ours.loss_curve_, mlp.loss_curve_, rtol=1e-10)
    predicted, expected = ours.predict(X), mlp.predict(X)
    assert type(predicted) is type(expected)
    assert predicted.dtype == expected.dtype
    np.testing.assert_array_equal(predicted.toarray(), expected.toarray())
    assert ours.score(X, sparse(Y)) == mlp.score(X, sparse(Y))
    assert ours.score(X, Y) == mlp.score(X, Y)
    # A sparse indicator may store its one value as any number, as for MLP.
    threes = quiet_fit(clone(ours), X, sparse(3 * Y))
    np.testing.assert_array_equal(threes.loss_curve_, ours.loss_curve_)
    # partial_fit: the same epoch as on the dense matrix.
    dense, chunked = clone(ours), clone(ours)
    dense.partial_fit(X, Y, classes=[0, 1, 2])
    chunked.partial_fit(X, sparse(Y), classes=[0, 1, 2])
    np.testing.assert_array_equal(chunked.loss_curve_, dense.loss_curve_)


def test_sparse_targets_other_than_an_indicator_are_a_clear_error():
    X, y = _data(2, n_samples=30)
    column = sp.csr_matrix(y[:, np.newaxis])
    with pytest.raises(ValueError, match="pass class labels as a dense 1-D array"):
        ShallowNetClassifier().fit(X, column)


def test_multilabel_learns():
    X, Y = make_multilabel_classification(
        n_samples=300, n_features=8, n_classes=3, random_state=1
    )
    X = StandardScaler().fit_transform(X)
    clf = ShallowNetClassifier(16, solver="lbfgs", max_iter=30, random_state=0)
    clf = quiet_fit(clf, X, Y)
    assert np.mean(clf.predict(X) == Y) > 0.9
    assert clf.decision_function(X).shape == Y.shape
    np.testing.assert_allclose(
        np.exp(clf.predict_log_proba(X)), clf.predict_proba(X), rtol=1e-10, atol=1e-300
    )
    # A clone is a fresh model: a multiclass fit after it is independent.
    y = np.arange(len(X)) % 3
    assert clone(clf).set_params(max_iter=5).fit(X, y).out_activation_ == "softmax"


@pytest.mark.parametrize("schedule", ["invscaling", "adaptive"])
@pytest.mark.parametrize("batch_size", [30, 120])
def test_learning_rate_schedules_follow_mlp(schedule, batch_size, monkeypatch):
    # MLP's plain stall rule: ours also declines to stop on the plateau of a
    # constant prediction, which these coarse runs reach (see test_defaults).
    monkeypatch.setattr(_stopping, "LEARNED_LITTLE", -np.inf)
    X, y = _data(3)
    # A coarse tol and a short patience make the adaptive schedule shrink the
    # step several times within the run.
    common = dict(
        max_iter=60,
        tol=1e-2,
        n_iter_no_change=2,
        alpha=1e-3,
        batch_size=batch_size,
        shuffle=False,
        momentum=0.5,
        power_t=0.3,
        random_state=0,
    )
    ours = quiet_fit(
        ShallowNetClassifier(
            5,
            solver="sgd",
            learning_rate=0.2,
            learning_rate_schedule=schedule,
            init="glorot",
            **common,
        ),
        X,
        y,
    )
    mlp = quiet_fit(
        MLPClassifier(
            (5,),
            "tanh",
            solver="sgd",
            learning_rate=schedule,
            learning_rate_init=0.2,
            **common,
        ),
        X,
        y,
    )
    assert ours.n_iter_ == mlp.n_iter_
    np.testing.assert_allclose(ours.loss_curve_, mlp.loss_curve_, rtol=1e-9)
    _assert_same_weights(ours, mlp, rtol=1e-8)
    constant = quiet_fit(
        ShallowNetClassifier(
            5, solver="sgd", learning_rate=0.2, init="glorot", **common
        ),
        X,
        y,
    )
    if schedule == "invscaling":  # smaller steps from the first epoch on
        assert not np.allclose(constant.loss_curve_[1:5], ours.loss_curve_[1:5])
    else:  # where the constant step stops, the adaptive one shrinks and goes on
        assert ours.n_iter_ > constant.n_iter_


def test_multilabel_probabilities_stay_strictly_inside_0_and_1():
    # Saturated sigmoids round to exactly 1 (and 0); a label's probability
    # is kept strictly between them, as scikit-learn's checks require.
    X, Y = make_multilabel_classification(60, n_features=2, random_state=0)
    clf = ShallowNetClassifier(8, solver="lbfgs", max_iter=20, random_state=0)
    quiet_fit(clf, X, Y)
    clf.W2_ *= 100  # force saturation
    for dtype in (np.float64, np.float32):
        proba = clf.predict_proba((X * 100).astype(dtype))
        assert proba.max() == 1 - np.finfo(proba.dtype).epsneg
        assert proba.min() > 0


# -- the updates, on one vector -------------------------------------------------
@pytest.mark.parametrize("flat_gradients", [True, False])
@pytest.mark.parametrize(
    "rule",
    [
        _solvers.GradientDescent(0.5),
        _solvers.Momentum(0.5, momentum=0.9),
        _solvers.Adam(0.1),
    ],
    ids=lambda rule: type(rule).__name__,
)
def test_updates_on_one_vector_are_the_updates_of_each_array(rule, flat_gradients):
    rng = np.random.RandomState(0)
    like = _network.initialize(3, 4, 2, rng, init="glorot")
    params = {k: v.copy() for k, v in like.items()}
    steps = _solvers._Steps(params, keep=True)
    flat, per_array = copy.deepcopy(rule), copy.deepcopy(rule)
    flat.lay_out(steps.arrays, params)
    assert steps.flat and list(steps.arrays) == [_solvers.VECTOR]
    expected = {k: v.copy() for k, v in like.items()}
    for _ in range(3):
        grads = {k: rng.standard_normal(v.shape) for k, v in like.items()}
        if flat_gradients:  # as the objective returns them: views of a vector
            grads = _network.unpack(_network.pack(grads), like)
        before = {k: v.copy() for k, v in expected.items()}
        steps.take(grads, flat.update)
        per_array.update(expected, grads)
        for k in expected:
            np.testing.assert_array_equal(steps.params[k], expected[k])
    # Undone, and retaken: from where the last update started.
    steps.undo()
    for k in expected:
        np.testing.assert_array_equal(steps.params[k], before[k])
    flat.halve()
    per_array.halve()
    steps.retake(flat.update)
    per_array.update(before, grads)
    for k in expected:
        np.testing.assert_array_equal(steps.params[k], before[k])
    # The caller's arrays change only when written back, in place.
    np.testing.assert_array_equal(params["W1"], like["W1"])
    arrays = dict(params)
    steps.write_back(params)
    for k in params:
        assert params[k] is arrays[k]
        np.testing.assert_array_equal(params[k], before[k])
    # The optimiser's state moves between the two layouts unchanged.
    flat.lay_out(params, params)
    for name in flat.state_names:
        for k, v in getattr(per_array, name).items():
            np.testing.assert_array_equal(getattr(flat, name)[k], v)


@pytest.mark.parametrize("learning_rate", [1.2, 40.0])
def test_full_batch_gd_flat_loop_is_the_generic_loop(monkeypatch, learning_rate):
    # The solver's flat loop (the objective's FlatPass, the step on the vector)
    # against its generic loop, which an objective without ``flat`` gets (a
    # distributed one): the same curve and weights bit for bit, also where
    # steps are rejected and halved (learning_rate=40).
    X, y = _data(n_classes=2)
    X = StandardScaler().fit_transform(X)

    def fit():
        clf = ShallowNetClassifier(
            5, learning_rate=learning_rate, max_iter=60, random_state=0
        )
        return quiet_fit(clf, X, y)

    flat = fit()
    monkeypatch.setattr(_objective.Objective, "flat", lambda self, params: None)
    generic = fit()
    assert flat.loss_curve_ == generic.loss_curve_
    assert flat.learning_rate_ == generic.learning_rate_
    assert (flat.learning_rate_ < learning_rate) == (learning_rate > 2)
    for name in PARAMS:
        np.testing.assert_array_equal(getattr(flat, name), getattr(generic, name))


@pytest.mark.parametrize("max_iter", [1, 2, 3, 7, 300])
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize(
    "params",
    [
        dict(learning_rate=1.2),  # the notes' step: no step rejected
        dict(learning_rate=40.0),  # rejected and halved, retaken from the start
        dict(learning_rate=40.0, activation="relu", alpha=0.1),
        dict(learning_rate=40.0, n_iter_no_change=2, tol=1e-3),  # stopped early
    ],
)
def test_flat_steps_are_the_generic_steps_bit_for_bit(
    monkeypatch, params, sparse, max_iter
):
    # Gradient descent's flat steps alternate between two parameter vectors
    # instead of keeping copies; without the flat pass the same fit takes the
    # generic steps (the objective's pass, kept copies, undo and retake).
    X, y = make_classification(n_samples=120, n_features=5, random_state=0)
    X = StandardScaler().fit_transform(X)
    if sparse:
        X = sp.csr_matrix(X)
    make = dict(n_hidden=5, max_iter=max_iter, random_state=0, **params)
    rejected = []
    reject = _solvers.Solver.reject

    def counted(solver, *args, **kwargs):
        rejected.append(solver)
        return reject(solver, *args, **kwargs)

    monkeypatch.setattr(_solvers.Solver, "reject", counted)
    flat = quiet_fit(ShallowNetClassifier(**make), X, y)
    n_rejected = len(rejected)
    if max_iter == 300:
        assert (n_rejected > 0) == (params["learning_rate"] > 2)
    monkeypatch.setattr(_objective.Objective, "flat", lambda self, params: None)
    generic = quiet_fit(ShallowNetClassifier(**make), X, y)
    assert len(rejected) == 2 * n_rejected
    assert flat.loss_curve_ == generic.loss_curve_
    assert flat.learning_rate_ == generic.learning_rate_
    for name in PARAMS:
        np.testing.assert_array_equal(getattr(flat, name), getattr(generic, name))
