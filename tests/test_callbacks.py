"""Progress and monitoring through scikit-learn's callback API (sklearn.callback)."""

import pickle
import warnings

import numpy as np
import pytest
from helpers import quiet_fit
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sk_shallow import ShallowNetClassifier, ShallowNetRegressor
from sk_shallow._callbacks import CallbackSupportFallback
from sk_shallow.datasets import make_flower

callback = pytest.importorskip("sklearn.callback")

SOLVERS = ("gd", "sgd", "adam", "lbfgs")


class Recorder:
    """A FitCallback that records every hook call; optionally asks to stop."""

    def __init__(self, stop_at=None):
        self.stop_at = stop_at
        self.calls = []

    def setup(self, estimator, context):
        self.calls.append(("setup", context.task_name, context.task_id))

    def teardown(self, estimator, context):
        self.calls.append(("teardown", context.task_name, context.task_id))

    def on_fit_task_begin(self, estimator, context, *, X=None, y=None, metadata=None):
        self.calls.append(("begin", context.task_name, context.task_id))

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        self.calls.append(("end", context.task_name, context.task_id))
        if context.task_name == "iteration":
            # The estimator of the task is ready to predict.
            assert fitted_estimator.predict(self.X).shape == (len(self.X),)
            return self.stop_at is not None and context.task_id + 1 == self.stop_at
        return False

    def iterations(self, hook):
        return [c[2] for c in self.calls if c[0] == hook and c[1] == "iteration"]


@pytest.fixture(scope="module")
def data():
    return make_flower(200, random_state=0)


@pytest.mark.parametrize("solver", SOLVERS)
def test_one_subtask_per_iteration_with_begin_and_end(data, solver):
    X, y = data
    recorder = Recorder()
    recorder.X = X
    clf = ShallowNetClassifier(solver=solver, max_iter=40, random_state=0)
    quiet_fit(clf.set_callbacks(recorder), X, y, sample_weight=np.ones(len(y)))
    assert clf.n_iter_ > 1
    assert recorder.iterations("begin") == list(range(clf.n_iter_))
    assert recorder.iterations("end") == list(range(clf.n_iter_))
    names = [c[:2] for c in recorder.calls]
    assert names[:2] == [("setup", "fit"), ("begin", "fit")]
    assert names[-2:] == [("end", "fit"), ("teardown", "fit")]
    # Nothing of the callback machinery stays on the fitted estimator.
    assert not hasattr(clf, "_callback_fit_ctx")


def test_partial_fit_is_one_task_with_one_iteration(data):
    X, y = data
    recorder = Recorder()
    recorder.X = X
    clf = ShallowNetClassifier(solver="adam").set_callbacks(recorder)
    clf.partial_fit(X, y, classes=[0, 1])
    clf.partial_fit(X, y)
    assert recorder.iterations("end") == [0, 0]
    assert [c[0] for c in recorder.calls].count("setup") == 2


@pytest.mark.parametrize("solver", SOLVERS)
def test_a_callback_can_stop_training(data, solver):
    X, y = data
    recorder = Recorder(stop_at=7)
    recorder.X = X
    clf = ShallowNetClassifier(solver=solver, max_iter=100, random_state=0)
    with pytest.warns(UserWarning, match="stopped by a callback after 7"):
        clf.set_callbacks(recorder).fit(X, y)
    assert clf.n_iter_ == 7 == len(clf.loss_curve_)
    assert clf.predict(X).shape == y.shape


def test_teardown_runs_when_fit_fails(data):
    X, y = data
    recorder = Recorder()
    recorder.X = X
    clf = ShallowNetClassifier(
        solver="sgd", learning_rate=1e4, activation="relu", random_state=0
    )
    with pytest.raises(ValueError, match="diverged"):
        clf.set_callbacks(recorder).fit(X * 1e3, y)
    assert recorder.calls[-1][0] == "teardown"
    assert not hasattr(clf, "W1_")


def test_scoring_monitor_records_a_score_per_iteration(data):
    X, y = data
    monitor = callback.ScoringMonitor(scoring="accuracy")
    clf = ShallowNetClassifier(solver="lbfgs", max_iter=30, random_state=0)
    quiet_fit(clf.set_callbacks(monitor), X, y)
    rows = [r for r in monitor.get_logs().data if r["task_name"] == "iteration"]
    assert len(rows) == clf.n_iter_
    # L-BFGS reports each iteration with its new weights: the last is the fit.
    assert rows[-1]["accuracy"] == pytest.approx(clf.score(X, y))


def test_progress_bar_inside_grid_search_and_pipeline(data):
    pytest.importorskip("rich")
    X, y = data
    pipe = make_pipeline(StandardScaler(), ShallowNetRegressor(max_iter=30))
    search = GridSearchCV(
        ShallowNetClassifier(max_iter=30, random_state=0),
        {"n_hidden": [2, 4]},
        cv=2,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.set_callbacks(callback.ProgressBar()).fit(X, y)
        pipe.set_callbacks(callback.ProgressBar()).fit(X, y.astype(float))
    assert search.best_estimator_.n_iter_ == 30


def test_fitted_estimator_with_callbacks_pickles(data):
    pytest.importorskip("rich")
    X, y = data
    clf = ShallowNetClassifier(max_iter=20).set_callbacks(
        callback.ProgressBar(), callback.ScoringMonitor(scoring="accuracy")
    )
    quiet_fit(clf, X, y)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict(X), clf.predict(X))


def test_older_scikit_learn_gets_a_clear_error():
    with pytest.raises(RuntimeError, match=r"scikit-learn >= 1\.9"):
        CallbackSupportFallback().set_callbacks(object())
