"""All-or-nothing fits, honest partial_fit and warm_start: one training state.

Each test names the way a fit can end, or what it carries forward, and checks
what a user would see. They run with every warning an error.
"""

import copy
import pickle
import warnings

import numpy as np
import pytest
from helpers import PARAMS, before_every_pass, notes_gradient_descent, quiet_fit
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from sk_shallow import (
    ShallowNetClassifier,
    ShallowNetRegressor,
    _base,
    _problem,
)
from sk_shallow.datasets import make_flower

pytestmark = pytest.mark.filterwarnings("error")


@pytest.fixture(scope="module")
def data():
    return make_flower(120, random_state=0)


def _state(est):
    """Everything a user can see, and the pickled private state."""
    public = {k: copy.deepcopy(v) for k, v in vars(est).items()}
    return public, pickle.dumps(est)


def _assert_same(est, before):
    public, pickled = before
    assert set(vars(est)) == set(public)
    for k, v in public.items():
        now = getattr(est, k)
        if isinstance(v, np.ndarray):
            np.testing.assert_array_equal(now, v)
        elif isinstance(v, (int, float, str, list, tuple, type(None))):
            assert now == v, k
    assert pickle.dumps(est) == pickled


class InterruptOnCall:
    """Raise KeyboardInterrupt at the ``n``-th pass of a fit."""

    def __init__(self, monkeypatch, n):
        self.count, self.n = 0, n

        def count():
            self.count += 1
            if self.count == self.n:
                raise KeyboardInterrupt

        before_every_pass(monkeypatch, count)


# -- bug 1: an interrupt before anything was learned --------------------------
@pytest.mark.parametrize("solver", ["gd", "sgd", "adam", "lbfgs"])
def test_interrupt_before_the_first_iteration_changes_nothing(
    data, solver, monkeypatch
):
    X, y = data
    clf = quiet_fit(
        ShallowNetClassifier(solver=solver, max_iter=5, random_state=0), X, y
    )
    before = _state(clf)
    # The first call inside the first iteration: "gd" reports the starting
    # cost as its first; the others take one pass for it before training.
    first = 1 if solver == "gd" else 2
    InterruptOnCall(monkeypatch, first)
    with pytest.raises(KeyboardInterrupt):
        clf.fit(X, y)
    _assert_same(clf, before)
    fresh = ShallowNetClassifier(solver=solver, random_state=0)
    InterruptOnCall(monkeypatch, first)
    with pytest.raises(KeyboardInterrupt):
        fresh.fit(X, y)
    assert not hasattr(fresh, "W1_")


def test_interrupt_in_a_first_partial_fit_changes_nothing(data, monkeypatch):
    X, y = data
    clf = ShallowNetClassifier(solver="sgd", batch_size=20, random_state=0)
    InterruptOnCall(monkeypatch, 3)
    with pytest.raises(KeyboardInterrupt):
        clf.partial_fit(X, y, classes=[0, 1])
    assert not hasattr(clf, "W1_") and not hasattr(clf, "classes_")


def test_interrupt_after_some_iterations_keeps_the_weights_and_warns(data, monkeypatch):
    X, y = data
    clf = ShallowNetClassifier(max_iter=50, random_state=0)
    InterruptOnCall(monkeypatch, 12)
    with pytest.warns(UserWarning, match="interrupted"):
        clf.fit(X, y)
    assert clf.n_iter_ == len(clf.loss_curve_) == 11
    assert clf.predict(X).shape == y.shape
    # The weights reached are kept: those of the notes' 11 steps.
    expected, costs = notes_gradient_descent(X.T, y[np.newaxis], 4, 11, 1.2, 0)
    np.testing.assert_allclose(clf.loss_curve_, costs, rtol=1e-10)
    for name, want in zip(PARAMS, expected, strict=True):
        np.testing.assert_allclose(getattr(clf, name), want, rtol=1e-9, atol=1e-12)


# -- bug 2: an interrupt inside the first validation --------------------------
def test_interrupt_in_the_first_validation_changes_nothing(data, monkeypatch):
    X, y = data
    clf = quiet_fit(
        ShallowNetClassifier(
            solver="adam", early_stopping=True, max_iter=5, random_state=0
        ),
        X,
        y,
    )
    before = _state(clf)

    def interrupt(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(ShallowNetClassifier, "_score_output", interrupt)
    with pytest.raises(KeyboardInterrupt):
        clf.fit(X, y)
    _assert_same(clf, before)


# -- bug 3: a failed warm fit leaves the random generator as it was -----------
@pytest.mark.parametrize("failure", ["split", "divergence"])
def test_failed_warm_fit_does_not_advance_the_generator(data, failure):
    X, y = data
    make = dict(solver="sgd", warm_start=True, max_iter=3, random_state=0)
    a = quiet_fit(ShallowNetClassifier(**make), X, y)
    b = quiet_fit(ShallowNetClassifier(**make), X, y)
    if failure == "split":
        a.set_params(early_stopping=True, validation_fraction=1e-6)
        with pytest.raises(ValueError, match="validation set is too small"):
            a.fit(X[:10], y[:10])
        a.set_params(early_stopping=False, validation_fraction=0.1)
    else:
        a.set_params(learning_rate=1e8)
        with pytest.raises(ValueError, match="diverged"):
            a.fit(X * 1e3, y)
        a.set_params(learning_rate="auto")
    quiet_fit(a, X, y)
    quiet_fit(b, X, y)
    for name in PARAMS:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))


def test_failed_fit_restores_a_generator_passed_as_random_state(data):
    X, y = data
    rng = np.random.RandomState(0)
    clf = ShallowNetClassifier(solver="sgd", random_state=rng, learning_rate=1e8)
    state = rng.get_state()[1].copy()
    with pytest.raises(ValueError, match="diverged"):
        clf.fit(X * 1e3, y)
    np.testing.assert_array_equal(rng.get_state()[1], state)


# -- bug 4: a callback whose teardown raises --------------------------------
def test_teardown_error_during_a_refit_keeps_the_previous_model(data):
    pytest.importorskip("sklearn.callback")
    X, y = data

    class FailingTeardown:
        def setup(self, estimator, context):
            pass

        def teardown(self, estimator, context):
            raise RuntimeError("teardown failed")

        def on_fit_task_begin(self, estimator, context, **kwargs):
            pass

        def on_fit_task_end(self, estimator, context, **kwargs):
            return False

    clf = quiet_fit(ShallowNetClassifier(max_iter=5, random_state=0), X, y)
    before = _state(clf)
    clf.set_callbacks(FailingTeardown())
    clf.set_params(max_iter=7, random_state=1)
    with pytest.raises(RuntimeError, match="teardown failed"):
        quiet_fit(clf, X, y)
    public, _ = before
    for name in PARAMS:
        np.testing.assert_array_equal(getattr(clf, name), public[name])
    assert clf.n_iter_ == 5


# -- bug 5: partial_fit after set_params(solver=...) --------------------------
@pytest.mark.parametrize("first", ["adam", "sgd"])
def test_partial_fit_uses_the_solver_set_now(data, first):
    X, y = data
    clf = ShallowNetClassifier(solver=first, random_state=0)
    clf.partial_fit(X, y, classes=[0, 1])
    W1 = clf.W1_.copy()
    # A vanishing step: whatever ran, if it is the new SGD, barely moves.
    clf.set_params(solver="sgd", learning_rate=1e-12, momentum=0.0)
    clf.partial_fit(X, y)
    np.testing.assert_allclose(clf.W1_, W1, atol=1e-10)
    assert clf.learning_rate_ == 1e-12


def test_partial_fit_after_a_full_batch_fit_uses_sgd(data):
    X, y = data
    clf = quiet_fit(ShallowNetClassifier(max_iter=20, random_state=0), X, y)
    W1 = clf.W1_.copy()
    clf.set_params(solver="sgd", learning_rate=1e-12)
    clf.partial_fit(X, y)
    np.testing.assert_allclose(clf.W1_, W1, atol=1e-10)


# -- bug 6: warm_start with a changed architecture ----------------------------
@pytest.mark.parametrize(
    "change", [dict(n_hidden=7), dict(activation="relu")], ids=["n_hidden", "g"]
)
def test_warm_start_with_another_architecture_is_an_error(data, change):
    X, y = data
    clf = quiet_fit(
        ShallowNetClassifier(max_iter=5, warm_start=True, random_state=0), X, y
    )
    before = _state(clf)
    clf.set_params(**change)
    name = next(iter(change))
    with pytest.raises(ValueError, match=f"warm_start=True.*{name}"):
        clf.fit(X, y)
    clf.set_params(**{name: ShallowNetClassifier().get_params()[name]})
    _assert_same(clf, before)


def test_warm_start_with_another_solver_carries_the_weights(data):
    X, y = data
    clf = quiet_fit(
        ShallowNetClassifier(max_iter=30, warm_start=True, random_state=0), X, y
    )
    clf.set_params(solver="lbfgs", max_iter=5)
    W1 = clf.W1_.copy()
    loss = clf.loss_
    quiet_fit(clf, X, y)
    assert not np.array_equal(clf.W1_, W1)
    assert clf.loss_ < loss
    assert len(clf.loss_curve_) == 30 + clf.n_iter_


def _recording_splits(monkeypatch):
    """The validation rows of every split early stopping draws, in order."""
    splits = []
    original = _problem.train_test_split

    def recording(*args, **kwargs):
        out = original(*args, **kwargs)
        splits.append(out[1])
        return out

    monkeypatch.setattr(_problem, "train_test_split", recording)
    return splits


# -- bug 7: warm_start with early stopping ------------------------------------
def test_warm_start_with_early_stopping_keeps_split_and_histories(data, monkeypatch):
    X, y = data
    splits = _recording_splits(monkeypatch)
    clf = ShallowNetClassifier(
        solver="adam",
        early_stopping=True,
        warm_start=True,
        max_iter=4,
        n_iter_no_change=np.inf,
        random_state=0,
    )
    quiet_fit(clf, X, y)
    quiet_fit(clf, X, y)
    np.testing.assert_array_equal(splits[0], splits[1])
    assert len(clf.validation_scores_) == len(clf.loss_curve_) == 8
    assert len(clf.validation_loss_curve_) == 8
    assert clf.best_validation_score_ == max(clf.validation_scores_)


@pytest.mark.parametrize("solver", ["gd", "sgd", "adam", "lbfgs"])
def test_warm_fit_keeps_the_best_weights_of_all_fits(solver, monkeypatch):
    X, y = make_flower(400, random_state=0)
    splits = _recording_splits(monkeypatch)
    clf = ShallowNetClassifier(
        solver=solver,
        early_stopping=True,
        warm_start=True,
        max_iter=300 if solver == "gd" else 60,
        n_iter_no_change=np.inf,
        learning_rate=0.1 if solver in ("sgd", "adam") else "auto",
        random_state=1,
    )
    for change in ({}, dict(alpha=1000.0, max_iter=10), dict(alpha=0.0)):
        before = list(getattr(clf, "validation_scores_", None) or [])
        best_before = max(before, default=-np.inf)
        W1 = getattr(clf, "W1_", None)
        quiet_fit(clf.set_params(**change), X, y)
        scores = clf.validation_scores_
        assert scores[: len(before)] == before
        assert clf.best_validation_score_ == max(scores)
        # The kept weights score the best score on the held-out rows...
        val = splits[-1]
        assert clf.score(X[val], y[val]) == clf.best_validation_score_
        # ...and are the previous fit's unless this one beat them.
        if max(scores[len(before) :]) <= best_before:
            np.testing.assert_array_equal(clf.W1_, W1)
        elif solver != "sgd":  # a penalty of 1000 scores worse: checked above
            assert not change


def test_a_fit_without_validation_clears_the_validation_history(data):
    X, y = data
    es = dict(early_stopping=True, n_iter_no_change=np.inf)
    clf = ShallowNetClassifier(max_iter=30, warm_start=True, random_state=0, **es)
    quiet_fit(clf, X, y)
    quiet_fit(clf.set_params(early_stopping=False), X, y)
    W1 = clf.W1_.copy()
    quiet_fit(clf.set_params(early_stopping=True, alpha=50.0, max_iter=5), X, y)
    # Only the last run was validated: its scores, its best weights.
    assert len(clf.validation_scores_) == 5
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    assert not np.array_equal(clf.W1_, W1)


# -- bug 8: divergence in partial_fit compares like with like -----------------
def test_partial_fit_on_a_chunk_with_larger_targets_is_not_divergence():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 3))
    y = X @ [1.0, -2.0, 0.5]
    reg = ShallowNetRegressor(solver="adam", learning_rate=0.01, random_state=0)
    reg.partial_fit(X[:100], y[:100])
    # A cost 10^4 times the first's: no divergence, but the targets' scale
    # is why one epoch learns nothing, and the warning says so.
    with pytest.warns(ConvergenceWarning, match="scale y"):
        reg.partial_fit(X[100:], y[100:] * 100)
    assert np.isfinite(reg.loss_)


def test_every_solver_reports_divergence(data):
    X, y = data
    for solver, lr in (("sgd", 1e4), ("adam", 1e4)):
        clf = ShallowNetClassifier(
            solver=solver, learning_rate=lr, activation="relu", random_state=0
        )
        with pytest.raises(ValueError, match="diverged.*learning_rate"):
            clf.fit(X * 1e4, y)
    reg = ShallowNetRegressor(solver="lbfgs", activation="identity", random_state=0)
    with pytest.raises(ValueError, match="diverged") as info:
        reg.fit(X * 1e200, y)
    assert "learning_rate" not in str(info.value)


def test_sgd_blow_up_inside_the_first_epoch_is_caught(data):
    X, y = data
    clf = ShallowNetClassifier(
        solver="sgd", learning_rate=100.0, batch_size=10, random_state=0
    )
    with pytest.raises(ValueError, match="mini-batch of iteration 1"):
        clf.fit(X * 1e4, y)


def test_gradient_descent_cannot_diverge_and_reports_its_step(data):
    X, y = data
    clf = ShallowNetClassifier(
        activation="identity", learning_rate=1e4, max_iter=200, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X * 1e3, y)
    assert clf.learning_rate_ < 1e4
    assert clf.loss_ <= clf.loss_curve_[0]


# -- float32 ------------------------------------------------------------------
def test_float32_then_float64_partial_fit(data):
    X, y = data
    clf = ShallowNetClassifier(solver="adam", random_state=0)
    clf.partial_fit(X.astype(np.float32), y, classes=[0, 1])
    assert clf.W1_.dtype == np.float32
    clf.partial_fit(X, y)
    assert clf.W1_.dtype == np.float64
    assert all(m.dtype == np.float64 for m in clf._state.solver.rule.ms.values())
    w = np.linspace(0.5, 2, len(y))
    clf = ShallowNetClassifier(max_iter=5, random_state=0)
    quiet_fit(clf, X.astype(np.float32), y, sample_weight=w)
    assert type(clf.loss_) is float
    assert all(type(v) is float for v in clf.loss_curve_)


# -- a continued fit cannot add classes ---------------------------------------
@pytest.mark.parametrize("how", ["warm_start", "partial_fit"])
def test_a_new_class_in_a_continued_fit_is_an_error(data, how):
    X, y = data
    solver = "gd" if how == "warm_start" else "sgd"
    est = ShallowNetClassifier(
        max_iter=5, warm_start=True, solver=solver, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if how == "warm_start":
            est.fit(X, y)
        else:
            est.partial_fit(X, y, classes=[0, 1])
    before = _state(est)
    y_new = y.copy()
    y_new[:3] = 2
    with pytest.raises(ValueError, match=r"classes \[2\] that are not in classes_"):
        if how == "warm_start":
            est.fit(X, y_new)
        else:
            est.partial_fit(X, y_new)
    _assert_same(est, before)


# -- every continued-fit error gives advice that works for the method called --
def _y2(y, k):
    return np.column_stack([y] * k).astype(float)


CONTINUED_MISMATCHES = {
    "n_hidden": (ShallowNetClassifier, dict(n_hidden=7), 1),
    "activation": (ShallowNetClassifier, dict(activation="relu"), 1),
    "new class": (ShallowNetClassifier, {}, "new class"),
    "n_outputs": (ShallowNetRegressor, {}, 3),
    "fewer outputs": (ShallowNetRegressor, {}, 1),
    "loss": (ShallowNetRegressor, dict(loss="poisson"), 2),
}


def _mismatch(data, case):
    X, y = data
    make, change, targets = CONTINUED_MISMATCHES[case]
    y_first = y if make is ShallowNetClassifier else _y2(y, 2)
    if targets == "new class":
        y_next = np.where(np.arange(len(y)) < 3, 2, y)
    elif make is ShallowNetClassifier:
        y_next = y
    else:
        y_next = _y2(y, targets) if targets > 1 else y.astype(float)
    return make, change, y_first, y_next


@pytest.mark.parametrize("case", CONTINUED_MISMATCHES)
def test_partial_fit_mismatch_advises_what_works_for_partial_fit(data, case):
    X, _ = data
    make, change, y_first, y_next = _mismatch(data, case)
    est = make(solver="sgd", random_state=0)
    classify = make is ShallowNetClassifier
    est.partial_fit(X, y_first, **({"classes": [0, 1]} if classify else {}))
    est.set_params(**change)
    before = _state(est)
    with pytest.raises(ValueError) as error:
        est.partial_fit(X, y_next)
    _assert_same(est, before)
    message = str(error.value)
    # warm_start means nothing to partial_fit: the advice names what works.
    assert "warm_start=False" not in message
    assert "call fit" in message and "clone" in message
    clone(est).partial_fit(X, y_next, **({"classes": [0, 1, 2]} if classify else {}))
    quiet_fit(est.set_params(max_iter=5), X, y_next)


@pytest.mark.parametrize("case", CONTINUED_MISMATCHES)
def test_warm_fit_mismatch_advises_warm_start_false(data, case):
    X, _ = data
    make, change, y_first, y_next = _mismatch(data, case)
    est = quiet_fit(make(max_iter=5, warm_start=True, random_state=0), X, y_first)
    est.set_params(**change)
    with pytest.raises(ValueError, match="Set warm_start=False") as error:
        est.fit(X, y_next)
    assert "partial_fit continues" not in str(error.value)
    assert "partial_fit always" not in str(error.value)
    quiet_fit(est.set_params(warm_start=False), X, y_next)


@pytest.mark.parametrize("how", ["warm_start", "partial_fit"])
def test_a_continued_fit_that_cannot_start_does_not_blame_init_scale(how):
    # The weights are the fitted model's: init_scale has no say in them.
    X, y = make_flower(100, random_state=0)
    reg = ShallowNetRegressor(
        solver="sgd", activation="relu", max_iter=20, warm_start=True, random_state=0
    )
    quiet_fit(reg, X, y)
    with pytest.raises(ValueError, match="starting weights is not finite") as error:
        if how == "partial_fit":
            reg.partial_fit(X * 1e160, y)
        else:
            reg.fit(X * 1e160, y)
    assert "init_scale" not in str(error.value)
    assert "like the data the model was trained on" in str(error.value)
    # A new model's starting cost can be lowered with init_scale: it says so.
    with pytest.raises(ValueError, match="init_scale"):
        ShallowNetRegressor(solver="sgd", activation="relu", random_state=0).fit(
            X * 1e160, y
        )


@pytest.mark.parametrize(
    "params, advice",
    [
        (dict(solver="gd"), dict(solver="sgd")),
        (dict(solver="lbfgs"), dict(solver="adam")),
        (dict(solver="sgd", early_stopping=True), dict(early_stopping=False)),
    ],
)
def test_partial_fit_unavailable_says_what_makes_it_available(data, params, advice):
    X, y = data
    clf = quiet_fit(ShallowNetClassifier(max_iter=5, random_state=0, **params), X, y)
    with pytest.raises(AttributeError) as error:
        clf.partial_fit(X, y)
    # scikit-learn's available_if raises its own error from the reason.
    reason = str(error.value.__cause__)
    name, value = next(iter(advice.items()))
    assert f"{name}={value!r}" in reason or f"or {value!r}" in reason
    W1 = clf.W1_.copy()
    clf.set_params(**advice).partial_fit(X, y)
    assert clf.W1_.shape == W1.shape and not np.array_equal(clf.W1_, W1)


@pytest.mark.parametrize("how", ["warm_start", "partial_fit"])
def test_a_state_of_another_release_is_refused_clearly(data, how):
    # A pickled model of an older release loads with its old training
    # state, whose solver lacks what this one reads: a continued fit says so
    # and changes nothing; the model still predicts.
    X, y = data
    clf = quiet_fit(
        ShallowNetClassifier(solver="sgd", max_iter=3, random_state=0), X, y
    )
    clf = pickle.loads(pickle.dumps(clf))
    del clf._state.format
    del vars(clf._state.solver)["rule"]
    before = _state(clf)
    with pytest.raises(ValueError, match="saved by another version") as error:
        if how == "partial_fit":
            clf.partial_fit(X, y)
        else:
            clf.set_params(warm_start=True).fit(X, y)
    expected = "partial_fit a fresh one" if how == "partial_fit" else "warm_start=False"
    assert expected in str(error.value)
    clf.set_params(warm_start=False)
    _assert_same(clf, before)
    assert clf.score(X, y) > 0


def _diagnosed(monkeypatch):
    """Record the diagnosis of each fit as it is reported."""
    from sk_shallow import _report

    seen = []

    def record(diagnosis, *args, **kwargs):
        seen.append((diagnosis, args, kwargs))
        return _report.report(diagnosis, *args, **kwargs)

    monkeypatch.setattr(_base, "report", record)
    return seen


def _messages(call, *args, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call(*args, **kwargs)
    return [(w.category, str(w.message)) for w in caught]


@pytest.mark.parametrize(
    "params, stopped",
    [
        (dict(max_iter=5), "max_iter"),
        (dict(solver="lbfgs", max_fun=3), "solver_limit"),
        (dict(solver="lbfgs", max_iter=50), "converged"),
        (dict(n_iter_no_change=2, tol=1.0), "converged"),
        (dict(solver="adam", learning_rate=0.05, early_stopping=True), "converged"),
    ],
)
def test_the_warnings_are_the_diagnosis_formatted(data, monkeypatch, params, stopped):
    # The warnings of a fit come from its diagnosis alone: formatting it
    # again gives them again, and it agrees with the fitted attributes.
    X, y = data
    seen = _diagnosed(monkeypatch)
    clf = ShallowNetClassifier(3, random_state=0, **params)
    caught = _messages(clf.fit, X, y)
    ((diagnosis, args, kwargs),) = seen
    from sk_shallow._report import report

    assert _messages(report, diagnosis, *args, **kwargs) == caught
    assert diagnosis.stopped == stopped
    assert diagnosis.n_iter == clf.n_iter_ and diagnosis.start_cost > 0
    assert diagnosis.final_cost <= diagnosis.start_cost
    assert diagnosis.learning_rate == clf.learning_rate_
    assert diagnosis.validated == (clf.validation_scores_ is not None)
    if diagnosis.validated:
        best = int(np.argmax(clf.validation_scores_)) + 1
        assert diagnosis.best_iteration in (0, best)


def test_the_diagnosis_counts_the_halvings_of_the_step(monkeypatch):
    from sklearn.datasets import load_iris

    X, y = load_iris(return_X_y=True)  # unscaled: the step of 1.2 overshoots
    seen = _diagnosed(monkeypatch)
    clf = ShallowNetClassifier(random_state=0, max_iter=300)
    caught = _messages(clf.fit, X, y)
    diagnosis = seen[0][0]
    solver = clf._state.solver
    assert diagnosis.rejected == solver.rejected > 0
    assert diagnosis.halvings == solver.halvings >= diagnosis.rejected
    assert clf.learning_rate_ == 1.2 / 2**diagnosis.halvings
    assert any("halve its step" in message for _, message in caught)
