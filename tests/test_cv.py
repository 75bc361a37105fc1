"""The model selection estimators against GridSearchCV and separate fits."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from helpers import PARAMS
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning, FitFailedWarning
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sk_shallow import (
    ShallowNetClassifier,
    ShallowNetClassifierCV,
    ShallowNetRegressor,
    ShallowNetRegressorCV,
    _batch,
)
from sk_shallow.datasets import make_flower

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

FLOWER = make_flower(n_samples=160, random_state=0)
_iris = load_iris()
IRIS = (StandardScaler().fit_transform(_iris.data), _iris.target)
SHORT = dict(max_iter=150, random_state=0)


def _grid_search(plain, grid, X, y, cv, **fit_params):
    return GridSearchCV(plain, grid, cv=cv).fit(X, y, **fit_params)


def _assert_same_search(search, reference, n_splits):
    assert search.best_params_ == reference.best_params_
    assert search.best_index_ == reference.best_index_
    assert search.cv_results_["params"] == reference.cv_results_["params"]
    for k in range(n_splits):
        key = f"split{k}_test_score"
        np.testing.assert_allclose(
            search.cv_results_[key], reference.cv_results_[key], rtol=0, atol=1e-12
        )
    np.testing.assert_array_equal(
        search.cv_results_["rank_test_score"], reference.cv_results_["rank_test_score"]
    )


@pytest.mark.parametrize(
    "data, grid",
    [
        (FLOWER, {"n_hidden": [1, 3, 6], "activation": ["tanh", "sigmoid"]}),
        (IRIS, {"n_hidden": [2, 5], "alpha": [0.0, 0.5], "learning_rate": [0.5, 3.0]}),
    ],
    ids=["flower", "iris"],
)
def test_same_as_grid_search(data, grid):
    X, y = data
    search = ShallowNetClassifierCV(grid, cv=3, **SHORT).fit(X, y)
    reference = _grid_search(ShallowNetClassifier(**SHORT), grid, X, y, cv=3)
    _assert_same_search(search, reference, 3)
    best = reference.best_estimator_
    for name in PARAMS:
        np.testing.assert_allclose(
            getattr(search.best_estimator_, name), getattr(best, name), atol=1e-12
        )
    assert type(search.best_estimator_) is ShallowNetClassifier
    np.testing.assert_array_equal(search.predict(X), best.predict(X))
    np.testing.assert_allclose(search.predict_proba(X), best.predict_proba(X))
    assert search.score(X, y) == best.score(X, y)


def _separate_and_stacked(estimators, X, y, sample_weight=None):
    from sklearn.base import clone

    separate = []
    for est in estimators:
        with warnings.catch_warnings(record=True):
            warnings.simplefilter("always")
            try:
                separate.append(clone(est).fit(X, y, sample_weight=sample_weight))
            except ValueError as error:
                separate.append(error)
    fits = [_batch.prepare(clone(e), X, y, sample_weight) for e in estimators]
    _batch.train(fits)
    stacked = []
    for fit in fits:
        with warnings.catch_warnings(record=True):
            warnings.simplefilter("always")
            try:
                stacked.append(_batch.finish(fit))
            except ValueError as error:
                stacked.append(error)
    return separate, stacked


@pytest.mark.parametrize("data", [FLOWER, IRIS], ids=["flower", "iris"])
def test_stacked_weights_equal_separate_fits(data):
    """Widths, activations, penalties, steps (halved ones too), restarts."""
    X, y = data
    estimators = [
        ShallowNetClassifier(n_hidden=h, activation=a, alpha=alpha, **kw)
        for h, a, alpha, kw in [
            (1, "tanh", 0.0, dict(random_state=0, max_iter=400)),
            (4, "tanh", 0.0, dict(random_state=1, max_iter=400)),
            (9, "tanh", 0.1, dict(random_state=2, max_iter=400)),
            (4, "sigmoid", 0.0, dict(random_state=3, max_iter=300)),
            (2, "sigmoid", 0.0, dict(random_state=4, max_iter=300, tol=1e-3)),
            # A step far too large: rejected steps, halvings, the wobble rule.
            (3, "tanh", 0.0, dict(random_state=5, max_iter=300, learning_rate=60)),
            (3, "relu", 0.0, dict(random_state=6, max_iter=300, learning_rate=2.0)),
            # Early stopping: the estimator's own split, scored per step.
            (5, "tanh", 0.0, dict(random_state=7, max_iter=300, early_stopping=True)),
            (3, "tanh", 0.0, dict(random_state=8, max_iter=300, early_stopping=True)),
        ]
    ]
    separate, stacked = _separate_and_stacked(estimators, X, y)
    for one, other in zip(separate, stacked, strict=True):
        assert one.n_iter_ == other.n_iter_
        assert one.learning_rate_ == other.learning_rate_
        for name in PARAMS:
            np.testing.assert_allclose(
                getattr(other, name), getattr(one, name), rtol=0, atol=1e-12
            )
        np.testing.assert_allclose(other.loss_curve_, one.loss_curve_, atol=1e-12)
        if one.validation_scores_ is not None:
            np.testing.assert_allclose(
                other.validation_scores_, one.validation_scores_, atol=1e-12
            )


def test_a_fit_with_none_to_stack_with_trains_in_its_solvers_loop(monkeypatch):
    """No stack of one: the fit's own loop, held-out scores and warnings included."""
    X, y = FLOWER

    def no_stack(fits):
        raise AssertionError("a lone fit was stacked")

    monkeypatch.setattr(_batch, "_Stack", no_stack)
    estimators = [
        ShallowNetClassifier(
            n_hidden=3, max_iter=200, random_state=0, early_stopping=True
        ),
        ShallowNetClassifier(n_hidden=2, activation="relu", max_iter=2, random_state=1),
    ]
    separate, stacked = _separate_and_stacked(estimators, X, y)
    for one, other in zip(separate, stacked, strict=True):
        assert one.n_iter_ == other.n_iter_
        for name in PARAMS:
            np.testing.assert_array_equal(getattr(other, name), getattr(one, name))
        assert other.loss_curve_ == one.loss_curve_
        assert other.validation_scores_ == one.validation_scores_
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        fit = _batch.prepare(estimators[1], X, y)
        _batch.train([fit])
        _batch.finish(fit)


def test_regressor_stack_with_weights_equals_separate_fits():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 3)).astype(np.float32)
    y = np.sin(X[:, 0]) + X[:, 1] ** 2
    w = rng.uniform(0.5, 2.0, size=120)
    estimators = [
        ShallowNetRegressor(n_hidden=h, alpha=a, random_state=h, max_iter=200)
        for h, a in [(2, 1.0), (5, 0.0), (8, 0.3)]
    ]
    separate, stacked = _separate_and_stacked(estimators, X, y, sample_weight=w)
    for one, other in zip(separate, stacked, strict=True):
        assert other.W1_.dtype == np.float32
        assert one.n_iter_ == other.n_iter_
        for name in PARAMS:  # float32: sums of other lengths, 1 ulp apart
            np.testing.assert_allclose(
                getattr(other, name), getattr(one, name), rtol=1e-5, atol=1e-6
            )


def test_a_diverging_network_is_reported_and_the_others_go_on():
    X, y = FLOWER
    # 40 halvings leave a step of 1e8: the second grid point runs away.
    grid = {"learning_rate": [0.5, 1e20]}
    with pytest.warns(FitFailedWarning, match="Training diverged"):
        search = ShallowNetClassifierCV(grid, cv=2, **SHORT).fit(X, y)
    results = search.cv_results_
    assert np.isnan(results["mean_test_score"][1])
    assert "Training diverged" in results["split0_fit_error"][1]
    assert results["split0_fit_error"][0] == ""
    assert np.isfinite(results["mean_test_score"][0])
    assert search.best_index_ == 0
    assert list(results["rank_test_score"]) == [1, 2]


def test_n_init_keeps_the_restart_of_lowest_training_cost():
    X, y = FLOWER
    search = ShallowNetClassifierCV({"n_hidden": [3]}, cv=2, n_init=3, **SHORT)
    search.fit(X, y)
    seeds = search._seeds()
    assert seeds[0] == 0 and len(set(seeds)) == 3
    plain = [
        ShallowNetClassifier(n_hidden=3, max_iter=150, random_state=s).fit(X, y)
        for s in seeds
    ]
    best = min(plain, key=lambda e: e.loss_)
    assert search.best_estimator_.random_state == best.random_state
    np.testing.assert_allclose(search.best_estimator_.W1_, best.W1_, atol=1e-12)


@pytest.mark.parametrize(
    "grid, match",
    [
        ({"n_hiden": [1, 2]}, "unknown parameter 'n_hiden'"),
        ([], "param_grid is empty"),
        ({"n_hidden": []}, "non-empty"),
        ({"warm_start": [True]}, "cannot vary 'warm_start'"),
        ({"n_hidden": [0]}, "n_hidden"),
    ],
)
def test_bad_grids(grid, match):
    with pytest.raises(ValueError, match=match):
        ShallowNetClassifierCV(grid, cv=2, **SHORT).fit(*FLOWER)


def test_random_state_in_the_grid_needs_one_start():
    grid = {"random_state": [0, 1]}
    with pytest.raises(ValueError, match="n_init > 1"):
        ShallowNetClassifierCV(grid, n_init=2, max_iter=5).fit(*FLOWER)
    search = ShallowNetClassifierCV(grid, cv=2, max_iter=20).fit(*FLOWER)
    assert len(search.cv_results_["params"]) == 2


def test_other_inputs_match_grid_search():
    """Sparse input and another solver are fitted alone; class weights, splitter."""
    X, y = FLOWER
    cv = KFold(3, shuffle=True, random_state=0)
    grid = [{"n_hidden": [2, 4]}, {"solver": ["lbfgs"], "n_hidden": [3]}]
    kw = dict(class_weight="balanced", **SHORT)
    for data in (X, sp.csr_matrix(X)):
        search = ShallowNetClassifierCV(grid, cv=cv, **kw).fit(data, y)
        reference = _grid_search(ShallowNetClassifier(**kw), grid, data, y, cv)
        _assert_same_search(search, reference, 3)


def test_in_a_pipeline_with_sample_weight_and_dataframe_results():
    pd = pytest.importorskip("pandas")
    X, y = FLOWER
    w = np.random.RandomState(0).uniform(0.5, 1.5, len(y))
    search = ShallowNetClassifierCV({"n_hidden": [2, 4]}, cv=2, **SHORT)
    pipe = make_pipeline(StandardScaler(), search)
    pipe.fit(X, y, shallownetclassifiercv__sample_weight=w)
    assert pipe.score(X, y) > 0.5
    reference = _grid_search(
        ShallowNetClassifier(**SHORT),
        {"n_hidden": [2, 4]},
        StandardScaler().fit_transform(X),
        y,
        cv=2,
        sample_weight=w,
    )
    _assert_same_search(search, reference, 2)
    table = pd.DataFrame(search.cv_results_)
    assert {"param_n_hidden", "mean_fit_time", "rank_test_score"} <= set(table)


def test_regressor_cv():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(90, 2))
    y = X[:, 0] * X[:, 1]
    grid = {"n_hidden": [1, 6]}
    search = ShallowNetRegressorCV(grid, cv=3, **SHORT).fit(X, y)
    reference = _grid_search(ShallowNetRegressor(**SHORT), grid, X, y, cv=3)
    _assert_same_search(search, reference, 3)
    assert search.score(X, y) == reference.best_estimator_.score(X, y)


def test_failed_refit_leaves_no_best_estimator_behind():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search = ShallowNetClassifierCV({"n_hidden": [2]}, cv=2, refit=False)
        search.set_params(max_iter=20).fit(*FLOWER)
    assert not hasattr(search, "best_estimator_")
    with pytest.raises(AttributeError):
        search.predict(FLOWER[0])


def test_bad_input_raises_and_leaves_the_search_as_it_was():
    X, y = FLOWER
    search = ShallowNetClassifierCV({"n_hidden": [2, 3]}, cv=2, **SHORT).fit(X, y)
    before = (search.best_params_, search.best_estimator_, search.cv_results_)
    X_bad = X.copy()
    X_bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        search.fit(X_bad, y)
    with pytest.raises(ValueError, match="requires y"):
        search.fit(X, None)
    after = (search.best_params_, search.best_estimator_, search.cv_results_)
    assert all(a is b for a, b in zip(before, after, strict=True))


def test_dataframe_column_names_reach_the_refit():
    pd = pytest.importorskip("pandas")
    X, y = FLOWER
    frame = pd.DataFrame(X, columns=["x0", "x1"])
    search = ShallowNetClassifierCV({"n_hidden": [2]}, cv=2, **SHORT)
    search.fit(frame, pd.Series(y))
    assert list(search.best_estimator_.feature_names_in_) == ["x0", "x1"]
    reference = _grid_search(ShallowNetClassifier(**SHORT), {"n_hidden": [2]}, X, y, 2)
    _assert_same_search(search, reference, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        search.predict(frame)


def test_networks_of_different_activations_share_a_stack(monkeypatch):
    """One stack, each activation on its own rows: the separate fits' results."""
    X, y = FLOWER
    stacks = []

    class Recorded(_batch._Stack):
        def __init__(self, fits):
            super().__init__(fits)
            stacks.append([f.estimator.activation for f in self.fits])

    monkeypatch.setattr(_batch, "_Stack", Recorded)
    estimators = [
        ShallowNetClassifier(n_hidden=3, activation=a, random_state=i, max_iter=200)
        for i, a in enumerate(["relu", "tanh", "sigmoid", "tanh", "leaky_relu"])
    ]
    separate, stacked = _separate_and_stacked(estimators, X, y)
    assert stacks == [["leaky_relu", "relu", "sigmoid", "tanh", "tanh"]]
    for one, other in zip(separate, stacked, strict=True):
        assert one.n_iter_ == other.n_iter_
        for name in PARAMS:
            np.testing.assert_array_equal(getattr(other, name), getattr(one, name))
        assert other.loss_curve_ == one.loss_curve_


@pytest.mark.parametrize("output", ["sigmoid", "softmax"])
def test_an_underflowed_output_changes_only_its_own_networks_loss(output):
    """Each network's loss sum is loss_sum's: from log(A2) unless it underflowed."""
    from sk_shallow import _network

    rng = np.random.RandomState(0)
    n_y = 1 if output == "sigmoid" else 3
    Z2 = rng.normal(scale=3.0, size=(3, n_y, 50))
    Z2[1, :, 7] = -800.0  # an output of the second network underflows to 0
    Y = np.zeros_like(Z2)
    Y[:, 0, :] = 1.0
    sigma = _network.OUTPUTS[output][0]
    A2 = np.stack([sigma(z.copy()) for z in Z2])
    data = _batch._Data([(rng.normal(size=(2, 50)), y_, None) for y_ in Y])
    totals = data.loss_sums(output, Z2, A2)
    expected = [_network.loss_sum(Y[i], Z2[i], output, A2=A2[i]) for i in range(3)]
    assert np.isfinite(totals).all()
    assert totals.tolist() == [float(t) for t in expected]


def test_stalls_halvings_and_budgets_of_a_stack_are_each_networks_own():
    """Many stopping-rule checks: patience, tol and budgets differ per network."""
    X, y = IRIS
    # One width: no padding, so every bit is the separate fit's.
    estimators = [
        ShallowNetClassifier(n_hidden=3, random_state=seed, **kw)
        for seed, kw in enumerate(
            [
                dict(max_iter=500, n_iter_no_change=3, tol=1e-4),
                # Past the 1,024 steps the stack's history starts with.
                dict(max_iter=2100, n_iter_no_change=np.inf),
                dict(max_iter=400, learning_rate=8.0, n_iter_no_change=5),
                dict(max_iter=600, tol=1e-2),
                dict(max_iter=30),
            ]
        )
    ]
    separate, stacked = _separate_and_stacked(estimators, X, y)
    for one, other in zip(separate, stacked, strict=True):
        assert one.n_iter_ == other.n_iter_
        assert one.learning_rate_ == other.learning_rate_
        assert one._state.solver.halvings == other._state.solver.halvings
        assert other.loss_curve_ == one.loss_curve_
        for name in PARAMS:
            np.testing.assert_array_equal(getattr(other, name), getattr(one, name))


def test_trained_fits_hold_no_pass_buffers_until_published():
    """The search holds every fit until all are trained: not their buffers."""
    import tracemalloc

    rng = np.random.RandomState(0)
    X = rng.normal(size=(600, 30))
    y = (X[:, 0] > 0).astype(int)
    # Widths too far apart to pad: each trains alone, in its solver's loop.
    estimators = [
        ShallowNetClassifier(n_hidden=h, max_iter=3, random_state=0)
        for h in (1, 40, 120)
    ]
    fits = [_batch.prepare(e, X, y) for e in estimators]
    tracemalloc.start()
    try:
        _batch.train(fits)
        retained = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    # The 120 units' activations alone, on 600 rows, are 576 kB.
    assert retained < 120 * 600 * 8 / 2
    for fit in fits:
        assert fit.diagnosis is not None
        _batch.finish(fit)
