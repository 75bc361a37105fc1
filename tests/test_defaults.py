"""Defaults that learn: the safeguarded step, the plateau rule, honest warnings.

The fast tests run by default; the full acceptance panel and the estimator
checks over every activation and solver are marked ``exhaustive``.
"""

import functools
import warnings

import numpy as np
import pytest
from sklearn.datasets import (
    load_breast_cancer,
    load_diabetes,
    load_digits,
    load_iris,
    load_wine,
    make_blobs,
    make_circles,
    make_gaussian_quantiles,
    make_moons,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import shuffle
from sklearn.utils.estimator_checks import parametrize_with_checks

from sk_shallow import ShallowNetClassifier, ShallowNetRegressor, _problem, _solvers
from sk_shallow._activations import ACTIVATIONS
from sk_shallow._solvers import EpochSolver, FullBatchGD, GradientDescent
from sk_shallow._stopping import StoppingRule, TrainingDiverged
from sk_shallow.datasets import make_flower

SOLVERS = ("gd", "sgd", "adam", "lbfgs")


def _unguarded(monkeypatch):
    """Make "gd" the plain notes' update, without the safeguard."""
    monkeypatch.setattr(
        _solvers, "FullBatchGD", functools.partial(FullBatchGD, back_off=False)
    )


def _fit_quietly(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y)


# -- the course run is untouched by the safeguard -----------------------------
def _assert_course_run_identical(monkeypatch, **params):
    X, y = make_flower()
    guarded = _fit_quietly(ShallowNetClassifier(random_state=2, **params), X, y)
    _unguarded(monkeypatch)
    plain = _fit_quietly(ShallowNetClassifier(random_state=2, **params), X, y)
    assert guarded.loss_curve_ == plain.loss_curve_
    for name in ("W1_", "b1_", "W2_", "b2_"):
        np.testing.assert_array_equal(getattr(guarded, name), getattr(plain, name))
    assert guarded.learning_rate_ == 1.2
    return guarded


def test_course_run_is_bit_for_bit_the_plain_update(monkeypatch):
    _assert_course_run_identical(monkeypatch, max_iter=1500, n_iter_no_change=np.inf)


def test_course_run_with_defaults_is_the_plain_update():
    # The notes' run with only the notes' parameters: the stall rule takes
    # its late wobble (climbs of up to 1.73e-4 a step, to 1.7% above its
    # best, from iteration 7,836) for what it is, and neither stops nor
    # halves the step: the run is the one without any stopping rule.
    X, y = make_flower()
    notes = dict(n_hidden=4, learning_rate=1.2, random_state=2)
    with warnings.catch_warnings():
        # Nothing to act on: no holding out (400 rows), a cost that has
        # settled (0.4% lower over the last 1,000 steps) within the budget.
        warnings.simplefilter("error")
        default = ShallowNetClassifier(**notes).fit(X, y)
    assert default.validation_scores_ is None
    plain = _fit_quietly(ShallowNetClassifier(n_iter_no_change=np.inf, **notes), X, y)
    assert default.loss_curve_ == plain.loss_curve_
    for name in ("W1_", "b1_", "W2_", "b2_"):
        np.testing.assert_array_equal(getattr(default, name), getattr(plain, name))
    assert default.n_iter_ == 10_000 and default.learning_rate_ == 1.2
    assert default.score(X, y) == plain.score(X, y)
    assert 0.90 <= default.score(X, y) <= 0.91  # the notes: "about 90%"


def _wobble(rule, values):
    """Feed ``values`` to ``rule``; the index of the first stall, or None."""
    for i, value in enumerate(values):
        if rule.update(value):
            return i
    return None


def test_stall_rule_tells_a_wobble_from_a_climb():
    # A descent, then a gentle climb (0.05% a step, to 1.5% above the best)
    # into an oscillation that falls again: a wobble, not a stall. The same
    # values climbing 0.5% a step are a stall on a climbing cost.
    descent = list(0.2 + 0.5 / np.arange(1, 201))
    low = descent[-1]
    climb = [low * (1 + 5e-4 * k) for k in range(1, 31)]
    top = climb[-1]
    fall = [top - 1e-6 * k + 2e-5 * (k % 2) for k in range(1, 200)]
    gentle = descent + climb + fall
    assert _wobble(StoppingRule(1e-7, 10, wobble=True), gentle) is None
    plain = StoppingRule(1e-7, 10)
    assert _wobble(plain, gentle) is not None and plain.climbing
    steep = descent + [low * (1 + 5e-3 * k) for k in range(1, 31)]
    rule = StoppingRule(1e-7, 10, wobble=True)
    assert _wobble(rule, steep) is not None and rule.climbing


@pytest.mark.parametrize("step", [0.0, -1e-9])
def test_a_settled_cost_is_a_stall_not_a_wobble(step):
    # Flat, or falling by less than tol a step, at its best: no climb to
    # wait out, so the wobble rule stops where the plain rule does.
    descent = list(0.2 + 0.5 / np.arange(1, 201))
    settled = descent + [descent[-1] + step * k for k in range(1, 100)]
    plain = _wobble(StoppingRule(1e-7, 10), settled)
    assert plain is not None
    assert _wobble(StoppingRule(1e-7, 10, wobble=True), settled) == plain


@pytest.mark.exhaustive
def test_full_course_run_is_bit_for_bit_the_plain_update(monkeypatch):
    # 10,000 iterations, with the late oscillation (rises of up to 0.08% a
    # step from iteration 7,837 on) that the safeguard must let through.
    clf = _assert_course_run_identical(monkeypatch, n_iter_no_change=np.inf)
    assert clf.n_iter_ == 10_000


@pytest.mark.exhaustive
@pytest.mark.parametrize("n_hidden", [20, 50])
def test_course_sweep_is_bit_for_bit_the_plain_update(monkeypatch, n_hidden):
    # These oscillate late (rises of up to 0.44% a step): never rejected.
    clf = _assert_course_run_identical(
        monkeypatch, n_hidden=n_hidden, max_iter=5000, n_iter_no_change=np.inf
    )
    curve = np.asarray(clf.loss_curve_)
    assert np.any(curve[1:] > curve[:-1]), "the run must wobble to test this"


# -- the safeguard ---------------------------------------------------------------
def test_run_away_step_is_undone_and_halved():
    X, y = load_iris(return_X_y=True)  # unscaled: the step of 1.2 overshoots
    clf = _fit_quietly(ShallowNetClassifier(random_state=0, max_iter=300), X, y)
    curve = np.asarray(clf.loss_curve_)
    assert clf.learning_rate_ < 1.2
    # No accepted step raises the cost by more than 1% of itself.
    assert np.all(curve[1:] <= curve[:-1] * 1.01)
    assert clf.loss_ < 0.5 * curve[0]


def test_the_warning_counts_every_halving_of_the_step():
    # A rejected step and stalls on a climbing cost both halve gd's step:
    # the warning's count is the one that leads from 1.2 to learning_rate_.
    X = StandardScaler().fit_transform(make_flower()[0])
    y = make_flower()[1]
    clf = ShallowNetClassifier(20, activation="relu", random_state=2, max_iter=3000)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clf.fit(X, y)
    solver = clf._state.solver
    assert solver.rejected >= 1 and solver.halvings > solver.rejected
    times = {1: "once", 2: "twice"}.get(solver.halvings, f"{solver.halvings} times")
    message = " ".join(str(w.message) for w in caught)
    assert f"halve its step {times}, to {clf.learning_rate_:.3g}" in message
    assert clf.learning_rate_ == 1.2 / 2**solver.halvings


def _offset_data(n=100):
    # scikit-learn's check_fit_check_is_fitted data: features of 100 plus unit
    # noise, on which the stochastic solvers' automatic steps run away.
    rng = np.random.RandomState(42)
    return rng.normal(loc=100, size=(n, 2)), rng.normal(size=n)


@pytest.mark.parametrize("solver", ["sgd", "adam"])
@pytest.mark.parametrize("activation", ["identity", "relu", "leaky_relu"])
def test_automatic_stochastic_step_backs_off_from_a_run_away(solver, activation):
    X, y = _offset_data()
    reg = ShallowNetRegressor(activation=activation, solver=solver, random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        reg.fit(X, y)
    auto = {"sgd": 0.01, "adam": 0.001}[solver]
    halved = reg._state.solver.rejected
    assert reg.learning_rate_ <= auto / 2**halved
    assert np.isfinite(reg.loss_) and reg.loss_ <= reg.loss_curve_[0]
    messages = " ".join(str(w.message) for w in caught)
    if halved:
        assert "halve its step" in messages and "StandardScaler" in messages
    if (activation, solver) == ("identity", "sgd"):
        assert halved > 0  # 0.01 runs away on this data (next test)


def test_chosen_stochastic_step_is_kept_and_its_run_away_raised():
    X, y = _offset_data()
    reg = ShallowNetRegressor(
        activation="identity", solver="sgd", learning_rate=0.01, random_state=0
    )
    with pytest.raises(ValueError, match="diverged.*Lower learning_rate"):
        reg.fit(X, y)


def test_rising_validation_score_stops_rather_than_halves():
    # Under early stopping a stall is the validation score's: early stopping
    # ends the run there, and the step stays as it was.
    X, y = make_flower(300, random_state=0)
    for solver, auto in (("sgd", 0.01), ("adam", 0.001), ("gd", 1.2)):
        clf = _fit_quietly(
            ShallowNetClassifier(
                solver=solver, early_stopping=True, n_iter_no_change=3, random_state=0
            ),
            X,
            y,
        )
        assert clf.learning_rate_ == auto, solver


# -- the back-off of the mini-batch solvers, on a cost whose run-away is known --
class _Quadratic:
    """``J = c w^2`` on each batch of ``len(scales)`` one-example batches."""

    def __init__(self, scales):
        self.scales = scales
        self.n_samples = len(scales)

    def __call__(self, params, batch=None):
        c = 1.0 if batch is None else self.scales[batch.start]
        w = params["W1"]
        grads = {k: np.zeros_like(v) for k, v in params.items()}
        grads["W1"] = 2 * c * w
        return float(c * np.sum(w * w)), grads


def _one_weight():
    """A network of one weight, ``W1 = 1``; the other parameters are unused."""
    return {"W1": np.ones((1, 1)), **{k: np.zeros((1, 1)) for k in ("b1", "W2", "b2")}}


class _Limit:
    """A progress that raises above ``limit`` and never stops a run."""

    n_iter = 0

    def __init__(self, limit=100.0):
        self.limit = limit

    def batch(self, J):
        if J > self.limit:
            raise TrainingDiverged(f"ran away: {J}")

    def __call__(self, J, params):
        return False


def _epochs(scales, learning_rate, max_iter, back_off=True):
    solver = EpochSolver(
        GradientDescent(learning_rate), batch_size=1, back_off=back_off
    )
    params = _one_weight()
    solver.run(_Quadratic(scales), params, _Limit(), max_iter)
    return solver, params["W1"][0, 0]


def test_backed_off_run_does_not_end_on_a_run_away_update():
    # One update, 1 - 10 * 2 = -19, costs 361 > 100: only the pass after the
    # run sees it, and undoes it (w back to 1), halving the step.
    solver = EpochSolver(GradientDescent(10.0), batch_size=1, back_off=True)
    params = _one_weight()
    solver.run(_Quadratic([1.0]), params, _Limit(), max_iter=1)
    assert params["W1"][0, 0] == 1.0
    assert solver.learning_rate == 5.0 and solver.rejected == 1
    assert solver.final_cost is None


def test_undone_update_is_retaken_with_the_smaller_step():
    # w: 1 -> -19 (batch 2 costs 361: undone; retaken with 5: -9) -> 81 (the
    # next epoch's first batch runs away; retaken with 2.5, 1.25, 0.625 ...)
    solver, w = _epochs([1.0, 1.0], 10.0, max_iter=30)
    assert solver.rejected >= 2
    assert abs(w) < 1e-3  # descends once the step is small enough
    with pytest.raises(TrainingDiverged):
        _epochs([1.0, 1.0], 10.0, max_iter=30, back_off=False)


def test_a_run_away_from_the_kept_weights_is_divergence():
    # The second batch costs 1000 w^2 > 100 even at the kept w = 1: no step,
    # however small, helps, and the halvings are bounded.
    with pytest.raises(TrainingDiverged, match="halved 40 times"):
        _epochs([1.0, 1000.0], 0.1, max_iter=3)


def test_halvings_are_counted_per_run():
    solver = EpochSolver(GradientDescent(10.0), batch_size=1, back_off=True)
    params = _one_weight()
    solver.run(_Quadratic([1.0, 1.0]), params, _Limit(), max_iter=30)
    assert solver.rejected >= 2
    solver.run(_Quadratic([1.0, 1.0]), params, _Limit(), max_iter=3)
    assert solver.rejected == 0  # the later run (a partial_fit call) undid none


def test_large_column_means_name_standard_scaler():
    X, y = _offset_data()
    reg = ShallowNetRegressor(activation="identity", solver="sgd", random_state=0)
    with pytest.warns(ConvergenceWarning, match="means up to 10.*StandardScaler"):
        reg.fit(X, y)
    # Unit noise is the right scale: only the offset is advised against.
    assert _problem.scaling_advice(X - X.mean(axis=0)) == ""


# -- the plateau rule -------------------------------------------------------------
@pytest.mark.parametrize("tol", ["auto", 1e-6])
def test_default_fit_escapes_the_initial_plateau(tol):
    X, y = make_circles(300, noise=0.1, factor=0.5, random_state=0)
    X = StandardScaler().fit_transform(X)
    clf = _fit_quietly(ShallowNetClassifier(tol=tol, random_state=0), X, y)
    curve = np.asarray(clf.loss_curve_)
    # The first hundred steps each gain less than 1e-6: a plain stall rule
    # at that tol stops there, on the saddle, at chance accuracy (below).
    assert np.all(curve[:-1][:100] - curve[1:][:100] < 1e-6)
    assert clf.score(X, y) > 0.9
    assert clf.loss_ < 0.5 * curve[0]


def test_plain_stall_rule_would_stop_on_the_plateau(monkeypatch):
    # The reference for the test above: without the trend test, the same fit
    # ends on the saddle.
    from sk_shallow import _stopping

    monkeypatch.setattr(_stopping, "PLATEAU", np.inf)
    monkeypatch.setattr(_stopping, "LEARNED_LITTLE", -np.inf)  # and no floor
    X, y = make_circles(300, noise=0.1, factor=0.5, random_state=0)
    X = StandardScaler().fit_transform(X)
    clf = ShallowNetClassifier(tol=1e-6, random_state=0).fit(X, y)
    assert clf.n_iter_ < 50
    assert clf.score(X, y) < 0.7


def test_a_settled_fit_ends_within_its_budget_without_a_warning(monkeypatch):
    # Scaled iris: the cost falls towards zero by ever smaller gains, above
    # tol=1e-7 a step, so the stall rule alone runs the whole budget and
    # warns that the cost still fell (1% of itself over the last tenth),
    # though the model no longer changes. The settled test ends it where the
    # rest of the budget, at the pace of its last tenth, would gain less
    # than 0.2% of what the fit has learned.
    from sk_shallow import _stopping

    share = _stopping.SETTLED
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf = ShallowNetClassifier(random_state=0).fit(X, y)
    monkeypatch.setattr(_stopping, "SETTLED", 0.0)  # the stall rule alone
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        full = ShallowNetClassifier(random_state=0).fit(X, y)
    assert full.n_iter_ == 10_000 > clf.n_iter_
    # The test only ends the run: its steps are the full run's, and the
    # steps it saved gained less than it projected.
    assert clf.loss_curve_ == full.loss_curve_[: clf.n_iter_]
    assert clf.loss_ - full.loss_ < share * (clf.loss_curve_[0] - clf.loss_)
    np.testing.assert_array_equal(clf.predict(X), full.predict(X))


def _settling(n, scale=0.7):
    """A cost falling towards 0.2 by ever smaller gains, each above 1e-7."""
    return list(0.2 + scale / np.sqrt(np.arange(1.0, n + 1)))


def test_settled_test_ends_a_slowing_cost_only_with_a_budget():
    # The gains stay above tol, so the stall rule alone never stops; with a
    # budget the run ends once a tenth of it at the latest pace would gain
    # less than 0.2% of what was learned, as converged (neither rising nor
    # climbing: the solver ends the run rather than halving its step).
    values = _settling(3000)
    assert np.all(-np.diff(values) > 1e-7)
    assert _wobble(StoppingRule(1e-7, 10, wobble=True), values) is None
    rule = StoppingRule(1e-7, 10, wobble=True, budget=3000)
    stop = _wobble(rule, values)
    assert stop is not None and not (rule.rising or rule.climbing)
    window = 300
    pace = (values[stop - window] - values[stop]) / window
    learned = values[0] - values[stop]
    assert pace * max(3000 - stop - 1, window) < 0.002 * learned
    # One value earlier, the same projection was still material.
    pace = (values[stop - 1 - window] - values[stop - 1]) / window
    learned = values[0] - values[stop - 1]
    assert pace * max(3000 - stop, window) >= 0.002 * learned
    # n_iter_no_change=inf turns it off with the rest of the rule.
    off = StoppingRule(1e-7, np.inf, wobble=True, budget=3000)
    assert _wobble(off, values) is None


def test_settled_test_waits_while_the_cost_is_above_its_best():
    # As the notes' run late in its budget: a gentle climb (1% over 30
    # steps) into a slow fall that stays above the old best. Its pace is
    # small enough to project an immaterial gain, but a cost above its best
    # has not settled: the wobble rule lets it fall back, to the budget.
    descent = _settling(1000)
    top = descent[-1] * 1.01
    climb = [descent[-1] * (1 + 1e-2 * k / 30) for k in range(1, 31)]
    fall = [top - 1e-6 * k for k in range(1, 1971)]
    assert min(fall) > descent[-1]
    values = descent + climb + fall
    rule = StoppingRule(1e-7, 10, wobble=True, budget=len(values))
    assert _wobble(rule, values) is None
    # The projection alone would have ended it in the fall.
    pace = (values[-301] - values[-1]) / 300
    assert pace * 300 < 0.002 * (values[0] - values[-1])


def _shuffled_blobs():
    # scikit-learn's check_classifiers_train data: three scaled blobs.
    X, y = make_blobs(n_samples=300, random_state=0)
    X, y = shuffle(X, y, random_state=7)
    return StandardScaler().fit_transform(X), y


@pytest.mark.parametrize(
    "solver", ["sgd", pytest.param("adam", marks=pytest.mark.exhaustive)]
)
def test_noisy_epochs_do_not_end_the_fit_on_the_initial_plateau(solver):
    # From small sigmoid units the epochs' cost sits at log 3 with noise of
    # 5e-5 either way, so the window's gain is as often negative as
    # positive and the trend test cannot see the plateau; the cost of the
    # best constant prediction (log 3 here) can.
    X, y = _shuffled_blobs()
    clf = _fit_quietly(
        ShallowNetClassifier(activation="sigmoid", solver=solver, random_state=0),
        X,
        y,
    )
    assert clf.loss_ < 0.5 * np.log(3)
    assert clf.score(X, y) > 0.9


def test_without_the_floor_noisy_epochs_stop_on_the_plateau(monkeypatch):
    # The reference for the test above.
    from sk_shallow import _stopping

    monkeypatch.setattr(_stopping, "LEARNED_LITTLE", -np.inf)
    X, y = _shuffled_blobs()
    clf = _fit_quietly(
        ShallowNetClassifier(activation="sigmoid", solver="sgd", random_state=0),
        X,
        y,
    )
    assert clf.n_iter_ < 100
    assert clf.score(X, y) < 0.5


def test_stall_on_a_rising_cost_halves_the_step():
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X[:400])
    y = y[:400]
    clf = _fit_quietly(ShallowNetClassifier(random_state=0, max_iter=1500), X, y)
    curve = np.asarray(clf.loss_curve_)
    assert clf.loss_ <= curve.min() * 1.01


def _moons_fold():
    # One fold of five of noisy moons: between two phases of learning, the
    # step of 1.2 makes the cost climb slowly from 0.271 for dozens of steps
    # (iterations 1,719 to 1,753) before it falls again, to 0.074.
    X, y = make_moons(1000, noise=0.2, random_state=0)
    train, test = list(CV.split(X, y))[2]
    scaler = StandardScaler().fit(X[train])
    return scaler.transform(X[train]), y[train], scaler.transform(X[test]), y[test]


def test_stall_on_a_climbing_cost_halves_the_step_and_goes_on():
    X, y, X_test, y_test = _moons_fold()
    clf = _fit_quietly(ShallowNetClassifier(random_state=0), X, y)
    assert clf.learning_rate_ < 1.2
    assert clf.n_iter_ > 2000
    assert clf.loss_ < 0.1
    assert clf.score(X_test, y_test) > 0.93


def test_plain_stall_rule_would_stop_on_the_climb(monkeypatch):
    # The reference for the test above: a stall on a climb of less than 0.1%
    # above the best, taken for convergence, ends the fit on the plateau.
    monkeypatch.setattr(
        FullBatchGD, "on_stall", lambda self, rising=False, climbing=False: False
    )
    X, y, X_test, y_test = _moons_fold()
    clf = _fit_quietly(ShallowNetClassifier(random_state=0), X, y)
    assert clf.n_iter_ < 2000
    assert clf.loss_ > 0.25
    assert clf.score(X_test, y_test) < 0.9


# -- no silent bad model ------------------------------------------------------------
def test_cost_above_the_start_warns():
    X, y = make_flower(200, random_state=0)
    with pytest.warns(ConvergenceWarning, match="above the .* starting weights"):
        ShallowNetClassifier(
            solver="adam", learning_rate=3.0, max_iter=3, random_state=0
        ).fit(X, y)


def test_far_from_unit_scale_names_standard_scaler():
    X, y = load_wine(return_X_y=True)
    with pytest.warns(ConvergenceWarning, match="StandardScaler"):
        ShallowNetClassifier(random_state=0, max_iter=200).fit(X, y)


def test_a_fit_that_learned_little_says_so_and_names_scaling():
    # Unscaled breast cancer saturates the tanh units: 10,000 steps leave
    # the cost at that of predicting the class frequencies.
    X, y = load_breast_cancer(return_X_y=True)
    with pytest.warns(ConvergenceWarning) as caught:
        clf = ShallowNetClassifier(random_state=0).fit(X, y)
    message = " ".join(str(w.message) for w in caught)
    assert "better than predicting the class frequencies" in message
    assert "StandardScaler" in message
    # The same data scaled learns, without that warning.
    X = StandardScaler().fit_transform(X)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clf = ShallowNetClassifier(random_state=0, max_iter=2000).fit(X, y)
    assert clf.score(X, y) > 0.95
    assert not any("better than predicting" in str(w.message) for w in caught)


def test_regressor_that_learned_little_says_so():
    X, y = _offset_data()
    reg = ShallowNetRegressor(activation="relu", solver="sgd", random_state=0)
    with pytest.warns(ConvergenceWarning, match="predicting the mean target"):
        reg.fit(X, y)
    assert reg.score(X, y) < 0.01


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_column_moments_match_numpy(dtype):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(10_000, 5)) * [1e-3, 1, 10, 1e3, 1] + [0, 0, 1e6, 5, -3]
    X = X.astype(dtype)
    mean, std = _problem._column_moments(X)
    np.testing.assert_allclose(mean, X.mean(axis=0, dtype=np.float64), rtol=1e-12)
    np.testing.assert_allclose(std, X.std(axis=0, dtype=np.float64), rtol=1e-6)


def test_learning_rate_is_reported_per_solver():
    X, y = make_flower(100, random_state=0)
    for solver, expected in (("gd", 1.2), ("sgd", 0.01), ("adam", 0.001)):
        clf = _fit_quietly(
            ShallowNetClassifier(solver=solver, max_iter=3, random_state=0), X, y
        )
        assert clf.learning_rate_ == expected
    clf = _fit_quietly(ShallowNetClassifier(solver="lbfgs", max_iter=3), X, y)
    assert clf.learning_rate_ is None


# -- acceptance panel ------------------------------------------------------------------
CV = StratifiedKFold(5, shuffle=True, random_state=0)


def _cv(model, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return cross_val_score(
            make_pipeline(StandardScaler(), model), X, y, cv=CV
        ).mean()


SMALL_DATA = {
    "iris": lambda: load_iris(return_X_y=True),
    "wine": lambda: load_wine(return_X_y=True),
    "breast cancer": lambda: load_breast_cancer(return_X_y=True),
    "digits": lambda: load_digits(return_X_y=True),
}
NONLINEAR_DATA = {
    "moons": lambda: make_moons(400, noise=0.1, random_state=0),
    "noisy moons": lambda: make_moons(1000, noise=0.2, random_state=0),
    "circles": lambda: make_circles(500, noise=0.1, factor=0.5, random_state=0),
    "flower": lambda: make_flower(),
    "quantiles": lambda: make_gaussian_quantiles(
        n_samples=400, n_classes=2, random_state=0
    ),
}


def _reaches_mlp(name):
    X, y = SMALL_DATA[name]()
    ours = _cv(ShallowNetClassifier(random_state=0), X, y)
    mlp = _cv(MLPClassifier(hidden_layer_sizes=(4,), random_state=0), X, y)
    assert ours >= mlp - 0.02, (name, ours, mlp)


def _beats_logistic_regression(name, n_samples=None):
    X, y = NONLINEAR_DATA[name]()
    if n_samples is not None:
        X, y = X[:n_samples], y[:n_samples]
    ours = _cv(ShallowNetClassifier(random_state=0), X, y)
    logreg = _cv(LogisticRegression(), X, y)
    assert ours >= logreg + 0.10, (name, ours, logreg)


def test_panel_fast():
    # The fast representative of the panel below; the data sets against
    # MLPClassifier (10,000-step fits in 5-fold CV) run with -m exhaustive.
    _beats_logistic_regression("circles", 200)


@pytest.mark.exhaustive
@pytest.mark.parametrize("name", sorted(SMALL_DATA))
def test_panel_reaches_mlp(name):
    _reaches_mlp(name)


@pytest.mark.exhaustive
@pytest.mark.parametrize("name", sorted(NONLINEAR_DATA))
def test_panel_beats_logistic_regression(name):
    _beats_logistic_regression(name)


@pytest.mark.exhaustive
@pytest.mark.parametrize("name", ["iris", "wine", "breast cancer"])
def test_unscaled_data_learns_or_warns_about_scaling(name):
    X, y = SMALL_DATA[name]()
    for train, test in CV.split(X, y):
        clf = ShallowNetClassifier(random_state=0)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            clf.fit(X[train], y[train])
        named = any("StandardScaler" in str(w.message) for w in caught)
        mlp = make_pipeline(StandardScaler(), MLPClassifier((4,), random_state=0))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            reference = mlp.fit(X[train], y[train]).score(X[test], y[test])
        assert named or clf.score(X[test], y[test]) >= reference - 0.02


# -- scikit-learn's checks, every activation and solver, default steps --------
@pytest.mark.exhaustive
@parametrize_with_checks(
    [
        Estimator(activation=activation, solver=solver, random_state=0)
        for Estimator in (ShallowNetClassifier, ShallowNetRegressor)
        for activation in sorted(ACTIVATIONS)
        for solver in SOLVERS
    ]
)
def test_estimator_checks_every_activation_and_solver(estimator, check):
    check(estimator)


# -- max_iter="auto", targets in their own units -------------------------------
@pytest.mark.parametrize(
    "solver, budget", [("gd", 10_000), ("sgd", 1_000), ("adam", 1_000), ("lbfgs", 200)]
)
def test_max_iter_auto_is_the_solver_budget(solver, budget):
    clf = ShallowNetClassifier(solver=solver)
    assert clf.max_iter == "auto" and clf._max_iter == budget
    assert clf.set_params(max_iter=7)._max_iter == 7


def test_lbfgs_stops_at_its_own_budget():
    # L-BFGS's budget is MLP's 200 iterations, not gradient descent's 10,000:
    # 50 units on the flower, from this draw, still gain at 200 (on NumPy 1
    # and 2 alike, whose tanh rounds differently).
    X, y = make_flower()
    clf = ShallowNetClassifier(50, solver="lbfgs", random_state=2)
    with pytest.warns(ConvergenceWarning, match="increase max_iter"):
        clf.fit(X, y)
    assert clf.n_iter_ == 200


def _diabetes():
    X, y = load_diabetes(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def test_regressor_learns_standardised_targets_and_predicts_in_their_units():
    # Fitting a * y + b is fitting y, up to rounding: the network learns the
    # standardised targets, and the fitted output layer is in y's units.
    X, y = _diabetes()
    params = dict(max_iter=300, random_state=0)
    reg = _fit_quietly(ShallowNetRegressor(**params), X, y)
    moved = _fit_quietly(ShallowNetRegressor(**params), X, 1000 * y - 5e4)
    np.testing.assert_allclose(
        moved.predict(X), 1000 * reg.predict(X) - 5e4, rtol=1e-6, atol=1e-3
    )
    np.testing.assert_allclose(reg.loss_curve_, moved.loss_curve_, rtol=1e-6)
    # W2_ and b2_ predict y directly: the notes' forward pass, by hand.
    A1 = np.tanh(reg.W1_ @ X.T + reg.b1_)
    np.testing.assert_allclose(reg.predict(X), (reg.W2_ @ A1 + reg.b2_)[0])
    assert reg.learning_rate_ == 0.1  # the step needs no halving for y's units


def test_continued_fit_keeps_the_scaling_of_the_fit_it_continues():
    X, y = _diabetes()
    reg = _fit_quietly(ShallowNetRegressor(max_iter=50, random_state=0), X, y)
    once = _fit_quietly(ShallowNetRegressor(max_iter=100, random_state=0), X, y)
    reg.set_params(warm_start=True)
    _fit_quietly(reg, X, y)
    # 50 + 50 steps from the same start: the same weights as 100 steps (the
    # optimiser of "gd" has no state to lose), in y's units both.
    np.testing.assert_allclose(reg.predict(X), once.predict(X), rtol=1e-10)


def test_regressor_default_penalty_is_ridges_and_keeps_few_rows_from_overfitting():
    # 30 noisy rows of a linear target: unpenalised steps fit the noise
    # (negative held-out R^2), the default penalty, Ridge()'s alpha=1 on the
    # standardised targets, holds out about as well as Ridge() itself.
    rng = np.random.default_rng(1)
    X = rng.standard_normal((430, 6))
    y = X @ rng.standard_normal(6) + 2 * rng.standard_normal(430)
    train, test = slice(None, 30), slice(30, None)
    scores = {}
    for alpha in ("default", 0.0):
        params = {} if alpha == "default" else {"alpha": alpha}
        reg = ShallowNetRegressor(max_iter=2000, random_state=0, **params)
        scores[alpha] = _fit_quietly(reg, X[train], y[train]).score(X[test], y[test])
    ridge = Ridge().fit(X[train], y[train]).score(X[test], y[test])
    assert scores[0.0] < 0
    assert scores["default"] > ridge - 0.05


def _tabular(n_samples=1200):
    from sklearn.datasets import make_classification

    return make_classification(
        n_samples, n_features=40, n_informative=5, flip_y=0.2, random_state=0
    )


def test_early_stopping_auto_holds_out_from_a_thousand_rows_or_wide_data():
    X, y = _tabular()
    clf = _fit_quietly(ShallowNetClassifier(max_iter=3, random_state=0), X, y)
    assert len(clf.validation_scores_) == 3
    # Below 1,000 rows only wide data (10 columns or more, 500 rows or
    # more) holds out: the notes' flower (400 rows, 2 columns) never does.
    for rows, columns, holds_out in (
        (999, 9, False),
        (500, 10, True),
        (499, 40, False),
    ):
        part = _fit_quietly(
            ShallowNetClassifier(max_iter=3, random_state=0),
            X[:rows, :columns],
            y[:rows],
        )
        assert (part.validation_scores_ is not None) == holds_out, (rows, columns)
    # partial_fit never holds out, and "auto" does not rule it out.
    sgd = ShallowNetClassifier(solver="sgd", random_state=0)
    sgd.partial_fit(X, y, classes=[0, 1])
    assert sgd.validation_scores_ is None


@pytest.mark.parametrize(
    "Estimator, case",
    [
        (ShallowNetClassifier, "weightless validation part"),
        (ShallowNetRegressor, "weightless validation part"),
        # (A classifier holds out a row of every class, at least 2.)
        (ShallowNetRegressor, "one row held out"),
    ],
)
def test_early_stopping_auto_trains_on_all_data_it_cannot_split(Estimator, case):
    # "auto" chose to hold out; where the split fails, it trains as False
    # (True names the problem instead).
    X, y = _tabular()
    weights, fraction = None, 0.1
    if case == "weightless validation part":
        weights = np.r_[np.ones(3), np.zeros(len(y) - 3)]
        weights[[0, 1]] = 1  # the first rows of both classes weigh
    else:
        fraction = 1e-4  # one validation row of 1,200
    params = dict(solver="adam", max_iter=3, validation_fraction=fraction)
    auto = Estimator(**params, random_state=0)
    plain = Estimator(**params, early_stopping=False, random_state=0)
    for est in (auto, plain):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            est.fit(X, y, sample_weight=weights)
    assert auto.validation_scores_ is None
    np.testing.assert_array_equal(auto.W1_, plain.W1_)
    with pytest.raises(ValueError, match="too small|zero total sample_weight"):
        Estimator(**params, early_stopping=True, random_state=0).fit(
            X, y, sample_weight=weights
        )


def test_gradient_descent_waits_longer_for_a_better_validation_score():
    # Patience in full-batch steps: 200 under "auto", not 10 (which stopped
    # a run of noisy data after a dozen steps, at the majority class).
    X, y = _tabular()
    clf = _fit_quietly(ShallowNetClassifier(random_state=0), X, y)
    assert clf.n_iter_ > 200
    curve = np.asarray(clf.validation_loss_curve_)
    best = int(np.argmin(curve))
    assert clf.n_iter_ == best + 1 + 200 + 1  # stopped 201 steps after its best
    assert clf.score(X, y) > 0.75
    ten = _fit_quietly(ShallowNetClassifier(n_iter_no_change=10, random_state=0), X, y)
    assert ten.n_iter_ < clf.n_iter_


def test_a_validation_stop_never_blames_the_learning_rate():
    # The validation score falling is early stopping's cue, not a rising cost.
    X, y = _tabular()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ShallowNetClassifier(
            solver="sgd", learning_rate=0.5, early_stopping=True, random_state=0
        ).fit(X, y)
    assert not any("learning_rate" in str(w.message) for w in caught)


class _Rising:
    """A cost that doubles at every evaluation, whatever the weights."""

    n_samples = 1

    def __init__(self):
        self.cost = 1.0

    def __call__(self, params, batch=None):
        self.cost *= 2
        return self.cost, {k: np.ones_like(v) for k, v in params.items()}


@pytest.mark.parametrize("kind", ["gd", "epochs"])
def test_both_safeguards_halve_the_step_through_one_rule(kind):
    # Full-batch gradient descent rejects a step that raised the cost, a
    # backed-off mini-batch solver one that ran away: both halve it, at most
    # MAX_HALVINGS times, and then say from which step to which.
    from sk_shallow._stopping import MAX_HALVINGS

    if kind == "gd":
        solver, progress = FullBatchGD(0.5), _Limit(np.inf)
    else:
        solver = EpochSolver(GradientDescent(0.5), batch_size=1, back_off=True)
        progress = _Limit(limit=3.0)
    smallest = 0.5 / 2**MAX_HALVINGS
    with pytest.raises(TrainingDiverged) as error:
        solver.run(_Rising(), _one_weight(), progress, max_iter=100)
    assert f"halved {MAX_HALVINGS} times, from 0.5 to {smallest:.4g}" in str(
        error.value
    )
    assert solver.rejected == solver.halvings == MAX_HALVINGS
    assert solver.learning_rate == smallest


def test_a_step_halved_on_features_not_standardised_names_the_scaler():
    # Pixel values of 0 to 16 are below the "far from unit scale" bounds, but
    # the notes' step of 1.2 has to be halved to an eighth or less on them:
    # the warning then says to standardise. Scaled, no such advice.
    X, y = load_digits(return_X_y=True)
    X, y = X[:400], y[:400]
    for features, advised in ((X, True), (StandardScaler().fit_transform(X), False)):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            clf = ShallowNetClassifier(max_iter=300, random_state=0).fit(features, y)
        said = " ".join(str(w.message) for w in caught)
        assert ("not standardised" in said and "StandardScaler" in said) == advised
        assert (clf.learning_rate_ <= 1.2 / 8) == advised
