"""The Dask estimators against the in-memory ones, on a real local cluster."""

import os
import pickle
import signal
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sk_shallow import ShallowNetClassifier, ShallowNetRegressor, _network, _problem

da = pytest.importorskip("dask.array")
# dask.dataframe needs pyarrow, whose wheels need NumPy 2: skip without them.
dd = pytest.importorskip("dask.dataframe", exc_type=ImportError)
distributed = pytest.importorskip("distributed")
joblib = pytest.importorskip("joblib")
pd = pytest.importorskip("pandas")

from helpers import PARAMS, quiet_fit  # noqa: E402

from sk_shallow.dask import (  # noqa: E402
    DaskShallowNetClassifier,
    DaskShallowNetRegressor,
    DistributedObjective,
    _ClusterChunks,
    _current_client,
)

#: A chunk size that divides none of the data sizes below.
CHUNK = 47


def max_relative_difference(a, b):
    """The largest difference of the fitted weights, relative to each's size."""
    return max(
        np.abs(getattr(a, k) - getattr(b, k)).max() / np.abs(getattr(a, k)).max()
        for k in PARAMS
    )


@pytest.fixture(scope="module")
def client():
    """Two single-threaded worker processes; not the default client, so that
    tests choose between the cluster and Dask's default scheduler."""
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
        ) as cluster,
        distributed.Client(cluster, set_as_default=False) as c,
    ):
        yield c


@pytest.fixture(scope="module")
def multiclass():
    X, y = make_classification(
        n_samples=230,
        n_features=5,
        n_informative=3,
        n_classes=3,
        random_state=0,
    )
    sample_weight = np.random.RandomState(0).uniform(0.2, 2.0, len(y))
    return X, y, sample_weight


def as_dask(*arrays, chunks=CHUNK):
    return [da.from_array(a, chunks=(chunks,) + a.shape[1:]) for a in arrays]


# --------------------------------------------------------------------------
# Dask's default scheduler (no client given, none current)
# --------------------------------------------------------------------------
def test_default_scheduler_without_client(multiclass):
    assert _current_client(None) is None
    X, y, _ = multiclass
    plain = quiet_fit(ShallowNetClassifier(max_iter=20, random_state=0), X, y)
    est = quiet_fit(
        DaskShallowNetClassifier(max_iter=20, random_state=0), *as_dask(X, y)
    )
    assert max_relative_difference(plain, est) < 1e-9


class StopAt:
    """A scikit-learn callback that stops the fit after ``n`` iterations."""

    def __init__(self, n):
        self.n, self.ends = n, 0

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context, *, X=None, y=None, metadata=None):
        pass

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        if context.task_name != "iteration":
            return False
        self.ends += 1
        return self.ends == self.n


def test_callbacks_as_in_memory(multiclass):
    pytest.importorskip("sklearn.callback")
    X, y, _ = multiclass
    plain = ShallowNetClassifier(max_iter=50, random_state=0)
    est = DaskShallowNetClassifier(max_iter=50, random_state=0)
    plain.set_callbacks(StopAt(4))
    est.set_callbacks(StopAt(4))
    with pytest.warns(UserWarning, match="stopped by a callback"):
        plain.fit(X, y)
    with pytest.warns(UserWarning, match="stopped by a callback"):
        est.fit(*as_dask(X, y))
    assert est.n_iter_ == plain.n_iter_ == 4
    assert max_relative_difference(plain, est) < 1e-9


# --------------------------------------------------------------------------
# Full-batch fits: the in-memory trajectory
# --------------------------------------------------------------------------
def test_cost_and_gradients_equal_in_memory_to_rounding(client, multiclass):
    # docs/scaling.rst: every cost evaluation gives the in-memory cost and
    # gradients, up to the rounding of the sums, added in another order.
    X, y, sample_weight = multiclass
    params = dict(alpha=0.1, class_weight="balanced", random_state=0)
    plain = _problem.at_start(ShallowNetClassifier(**params), X, y, sample_weight)
    est = DaskShallowNetClassifier(client=client, **params)
    problem = est._prepare(*as_dask(X, y, sample_weight), True, False, None)
    objective = problem.objective(est.activation, plain["output"], est.alpha)
    rng = np.random.RandomState(0)
    for scale in (0.0, 1.0, 3.0):  # the start, and points far from it
        point = {
            k: v + scale * rng.standard_normal(v.shape)
            for k, v in plain["params"].items()
        }
        J, grads = _network.loss_and_gradients(
            point,
            plain["X"],
            plain["Y"],
            plain["activation"],
            plain["output"],
            plain["alpha"],
            plain["sample_weight"],
        )
        J_dask, grads_dask = objective(point)
        assert J_dask == pytest.approx(J, rel=1e-12)
        for k, g in grads.items():
            # Entries near zero are sums that cancel: their rounding is that of
            # the terms (of order one here), not of the result.
            np.testing.assert_allclose(grads_dask[k], g, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("kind", ["binary", "multiclass", "regression", "poisson"])
def test_constant_cost_of_the_chunks_is_the_in_memory_one(kind):
    # What a model must beat, over the chunks: the in-memory problem's cost
    # of the best constant prediction, to rounding.
    rng = np.random.RandomState(0)
    X = rng.standard_normal((130, 3))
    sample_weight = rng.uniform(0, 2, len(X))
    if kind in ("regression", "poisson"):
        y = rng.poisson(3.0, len(X)).astype(float)
        est = DaskShallowNetRegressor(
            loss="squared_error" if kind == "regression" else "poisson"
        )
    else:
        y = rng.randint(0, 2 if kind == "binary" else 3, len(X))
        est = DaskShallowNetClassifier()
    dask_data = as_dask(X, y, sample_weight)
    problem = est._prepare(*dask_data, True, False, None)
    plain = est._prepare(X, y, sample_weight, True, False, None)
    output = est._output_layer()
    assert problem.constant_cost(output) == pytest.approx(
        plain.constant_cost(output), rel=1e-12
    )


@pytest.mark.parametrize("solver, rtol", [("gd", 1e-9), ("lbfgs", 1e-6)])
def test_classifier_equals_in_memory_fit(client, multiclass, solver, rtol):
    X, y, sample_weight = multiclass
    params = dict(
        solver=solver, max_iter=15, alpha=0.1, class_weight="balanced", random_state=0
    )
    plain = quiet_fit(ShallowNetClassifier(**params), X, y, sample_weight)
    est = DaskShallowNetClassifier(client=client, **params)
    quiet_fit(est, *as_dask(X, y, sample_weight))
    assert max_relative_difference(plain, est) < rtol
    assert est.n_iter_ == plain.n_iter_
    np.testing.assert_allclose(est.loss_curve_, plain.loss_curve_, rtol=rtol)
    np.testing.assert_array_equal(est.classes_, plain.classes_)


@pytest.mark.parametrize("solver, rtol", [("gd", 1e-9), ("lbfgs", 1e-6)])
def test_regressor_equals_in_memory_fit(client, solver, rtol):
    X, y = make_regression(n_samples=190, n_features=4, noise=1.0, random_state=0)
    y = y / y.std()
    sample_weight = np.random.RandomState(1).uniform(0.0, 3.0, len(y))
    params = dict(solver=solver, max_iter=15, alpha=0.5, random_state=0)
    plain = quiet_fit(ShallowNetRegressor(**params), X, y, sample_weight)
    est = DaskShallowNetRegressor(client=client, **params)
    quiet_fit(est, *as_dask(X, y, sample_weight))
    assert max_relative_difference(plain, est) < rtol
    assert est.n_iter_ == plain.n_iter_


def test_stopping_rule_and_warm_start_as_in_memory(client, multiclass):
    X, y, _ = multiclass
    # A large tol stops both fits early, after the same iteration.
    params = dict(max_iter=200, tol=1e-2, n_iter_no_change=2, random_state=0)
    plain = ShallowNetClassifier(**params).fit(X, y)
    est = DaskShallowNetClassifier(client=client, **params).fit(*as_dask(X, y))
    assert est.n_iter_ == plain.n_iter_ < 200
    assert max_relative_difference(plain, est) < 1e-9
    plain.set_params(warm_start=True, max_iter=5)
    est.set_params(warm_start=True, max_iter=5)
    quiet_fit(plain, X, y)
    quiet_fit(est, *as_dask(X, y))
    assert len(est.loss_curve_) == len(plain.loss_curve_)
    assert max_relative_difference(plain, est) < 1e-9


def test_chunk_with_one_class_only(client, multiclass):
    X, y, _ = multiclass
    order = np.argsort(y, kind="stable")  # the first chunks hold class 0 only
    X, y = X[order], y[order]
    assert len(np.unique(y[:CHUNK])) == 1
    params = dict(max_iter=10, random_state=0)
    plain = quiet_fit(ShallowNetClassifier(**params), X, y)
    est = quiet_fit(DaskShallowNetClassifier(client=client, **params), *as_dask(X, y))
    assert max_relative_difference(plain, est) < 1e-9


def test_class_weight_dict_with_absent_classes_as_in_memory(multiclass):
    # The dict names class 1 and a label 7 that no fit sees; the continued fit
    # lacks class 1: each sample keeps its own class's weight.
    X, y, _ = multiclass
    params = dict(
        max_iter=5, warm_start=True, class_weight={0: 1.0, 1: 5.0, 2: 3.0, 7: 2.0}
    )
    plain = quiet_fit(ShallowNetClassifier(random_state=0, **params), X, y)
    est = quiet_fit(DaskShallowNetClassifier(random_state=0, **params), *as_dask(X, y))
    assert max_relative_difference(plain, est) < 1e-9
    keep = y != 1
    quiet_fit(plain, X[keep], y[keep])
    quiet_fit(est, *as_dask(X[keep], y[keep]))
    assert max_relative_difference(plain, est) < 1e-9
    np.testing.assert_allclose(est.loss_curve_, plain.loss_curve_, rtol=1e-9)


def test_early_stopping_with_a_lone_class_as_in_memory(multiclass):
    # In-memory data take the plain fit's split, and its error.
    X, y, _ = multiclass
    y = np.where(np.arange(len(y)) == 0, 7, y)
    est = DaskShallowNetClassifier(early_stopping=True, max_iter=5)
    with pytest.raises(ValueError, match=r"classes \[7\] have 1"):
        est.fit(X, y)
    with pytest.raises(ValueError, match="not available for dask collections"):
        est.fit(*as_dask(X, y))


def test_sparse_multilabel_targets_in_memory_as_the_plain_fit(multiclass):
    # In-memory targets take the plain fit; predictions keep its sparse type,
    # for dask input too.
    X, y, _ = multiclass
    Y = sp.csr_matrix(np.c_[y == 0, y == 2].astype(int))
    plain = quiet_fit(ShallowNetClassifier(max_iter=5, random_state=0), X, Y)
    est = quiet_fit(DaskShallowNetClassifier(max_iter=5, random_state=0), X, Y)
    assert max_relative_difference(plain, est) == 0
    assert type(est.predict(X)) is type(plain.predict(X)) is sp.csr_matrix
    lazy = est.predict(*as_dask(X)).compute()
    np.testing.assert_array_equal(lazy.toarray(), plain.predict(X).toarray())


def test_many_classes_warn_as_in_memory(client):
    # 21 classes of 10 samples each are no regression target; 30 samples of
    # 30 classes are hinted to be one, as the in-memory fit does.
    X = np.random.RandomState(0).standard_normal((210, 3))
    est = DaskShallowNetClassifier(client=client, max_iter=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(*as_dask(X, np.repeat(np.arange(21), 10)))
    with pytest.warns(UserWarning, match="could represent a regression problem"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            est.fit(*as_dask(X[:30], np.arange(30)))


def test_dataframe_input(client, multiclass):
    X, y, _ = multiclass
    labels = np.array(["ant", "bee", "cat"])[y]
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    params = dict(max_iter=10, random_state=0)
    plain = quiet_fit(ShallowNetClassifier(**params), frame, labels)
    est = DaskShallowNetClassifier(client=client, **params)
    dframe = dd.from_pandas(frame, npartitions=3)
    quiet_fit(est, dframe, dd.from_pandas(pd.Series(labels), npartitions=3))
    assert max_relative_difference(plain, est) < 1e-9
    np.testing.assert_array_equal(est.feature_names_in_, plain.feature_names_in_)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no feature-name warnings per block
        predicted = est.predict(dframe).compute()
    np.testing.assert_array_equal(predicted, plain.predict(frame))


def test_in_memory_input_is_the_plain_fit(multiclass):
    X, y, _ = multiclass
    plain = quiet_fit(ShallowNetClassifier(max_iter=10, random_state=0), X, y)
    est = quiet_fit(DaskShallowNetClassifier(max_iter=10, random_state=0), X, y)
    assert max_relative_difference(plain, est) == 0
    np.testing.assert_array_equal(est.predict_proba(X), plain.predict_proba(X))


# --------------------------------------------------------------------------
# Rejected input
# --------------------------------------------------------------------------
def test_feature_chunks_rejected(client, multiclass):
    X, y, _ = multiclass
    est = DaskShallowNetClassifier(client=client)
    dX = da.from_array(X, chunks=(50, 2))
    with pytest.raises(ValueError, match="chunked along its features"):
        est.fit(dX, da.from_array(y, chunks=50))
    assert not hasattr(est, "W1_")


def test_bad_input_leaves_fitted_estimator_unchanged(client, multiclass):
    X, y, _ = multiclass
    est = quiet_fit(DaskShallowNetClassifier(client=client, max_iter=3), *as_dask(X, y))
    before = {k: getattr(est, k).copy() for k in PARAMS}
    dX, dy = as_dask(X, y)
    with pytest.raises(ValueError, match="early_stopping"):
        est.set_params(early_stopping=True).fit(dX, dy)
    est.set_params(early_stopping=False)
    with pytest.raises(ValueError, match="rows"):
        est.fit(dX, dy[:-1])
    bad = np.array(X)
    bad[100, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        est.fit(as_dask(bad)[0], dy)
    with pytest.raises(ValueError, match=r"classes \[7\] that are not in classes_"):
        est.set_params(warm_start=True).fit(dX, as_dask(np.where(y == 0, 7, y))[0])
    for k in PARAMS:
        np.testing.assert_array_equal(getattr(est, k), before[k])


# --------------------------------------------------------------------------
# Stochastic solvers: the in-memory epochs, over the chunks' rows
# --------------------------------------------------------------------------
@pytest.mark.parametrize("solver", ["sgd", "adam"])
@pytest.mark.parametrize("shuffle", [False, True])
def test_stochastic_solvers_follow_the_in_memory_fit(
    client, multiclass, solver, shuffle
):
    # Mini-batches cross the chunks' ends (20 does not divide 47); shuffled,
    # each takes rows of every chunk.
    X, y, sample_weight = multiclass
    params = dict(solver=solver, batch_size=20, random_state=0, shuffle=shuffle)
    est = DaskShallowNetClassifier(client=client, max_iter=3, **params)
    quiet_fit(est, *as_dask(X, y, sample_weight))
    plain = quiet_fit(ShallowNetClassifier(max_iter=3, **params), X, y, sample_weight)
    assert max_relative_difference(plain, est) < 1e-9
    np.testing.assert_allclose(est.loss_curve_, plain.loss_curve_, rtol=1e-9)
    assert est.n_iter_ == 3 and len(est.loss_curve_) == 3


@pytest.mark.parametrize("solver", ["sgd", "adam", "gd", "lbfgs"])
def test_one_history_across_dask_and_local_fits(solver):
    # One entry per iteration in the fitted curve and in the training state
    # it carries, for every solver; a warm fit of the local copy goes on
    # from both.
    X, y = make_classification(150, n_features=4, random_state=0)
    est = DaskShallowNetClassifier(solver=solver, max_iter=5, random_state=0)
    quiet_fit(est, *as_dask(X, y))
    assert est.n_iter_ == len(est.loss_curve_) == len(est._state.loss_curve) == 5
    local = est.to_local().set_params(warm_start=True, max_iter=2)
    quiet_fit(local, X, y)
    assert len(local.loss_curve_) == len(local._state.loss_curve) == 7
    assert local.loss_curve_[:5] == est.loss_curve_


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_streamed_regressor_learns_standardised_targets(client, solver):
    # As the in-memory fit, the stream learns (y - mean) / std of all the
    # chunks: targets in other units give the same model in those units.
    X, y = make_regression(n_samples=230, n_features=4, noise=1.0, random_state=0)
    y = (y - y.mean()) / y.std()
    sample_weight = np.random.RandomState(0).uniform(0.5, 1.5, len(y))
    params = dict(solver=solver, max_iter=3, batch_size=60, random_state=0)
    unit, offset = (
        quiet_fit(
            DaskShallowNetRegressor(client=client, **params),
            *as_dask(X, target, sample_weight),
        )
        for target in (y, 1e3 * y + 1e4)
    )
    memory = quiet_fit(ShallowNetRegressor(**params), X, 1e3 * y + 1e4, sample_weight)
    for a, b in zip(
        offset._state.target_scaling, memory._state.target_scaling, strict=True
    ):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    np.testing.assert_allclose(
        offset.predict(as_dask(X)[0]).compute(),
        1e3 * unit.predict(as_dask(X)[0]).compute() + 1e4,
        rtol=1e-9,
    )
    np.testing.assert_allclose(offset.loss_curve_, unit.loss_curve_, rtol=1e-6)
    assert not hasattr(offset, "_preset_target_scaling")


@pytest.mark.parametrize("solver", ["gd", "adam"])
def test_regressor_targets_persisted_on_the_client(client, solver):
    # The targets' scaling is computed on the estimator's client: data
    # persisted there are unknown to Dask's default scheduler.
    X, y = make_regression(n_samples=120, n_features=3, noise=1.0, random_state=0)
    dX, dy = client.persist(as_dask(X, 1e3 + y))
    params = dict(solver=solver, max_iter=2, random_state=0)
    est = quiet_fit(DaskShallowNetRegressor(client=client, **params), dX, dy)
    shift, scale = est._state.target_scaling
    np.testing.assert_allclose([shift[0, 0], scale[0, 0]], [1e3 + y.mean(), y.std()])


# --------------------------------------------------------------------------
# Chunks with no rows, chunks that weigh nothing
# --------------------------------------------------------------------------
def emptied(X, y, chunk=50):
    """``X``, ``y`` filtered by a dask mask that empties the first and the
    fourth chunk of ``chunk`` rows and thins the others; the mask, and the
    row counts of the chunks left with rows."""
    i = np.arange(len(y))
    keep = (i >= chunk) & ((i < 3 * chunk) | (i >= 4 * chunk)) & (i % 7 != 3)
    dkeep = da.from_array(keep, chunks=chunk)
    dX, dy = as_dask(X, y, chunks=chunk)
    rows = [int(keep[a : a + chunk].sum()) for a in range(0, len(y), chunk)]
    return dX[dkeep], dy[dkeep], keep, [n for n in rows if n]


@pytest.mark.parametrize("solver", ["gd", "lbfgs", "sgd", "adam"])
def test_chunks_emptied_by_filtering_are_skipped(client, multiclass, solver):
    X, y, _ = multiclass
    dX, dy, keep, _ = emptied(X, y)
    params = dict(solver=solver, max_iter=2, batch_size=20, random_state=0)
    est = quiet_fit(DaskShallowNetClassifier(client=client, **params), dX, dy)
    plain = quiet_fit(ShallowNetClassifier(**params), X[keep], y[keep])
    assert max_relative_difference(plain, est) < 1e-9
    local = est.to_local()
    np.testing.assert_array_equal(est.predict(dX).compute(), local.predict(X[keep]))
    np.testing.assert_allclose(
        est.predict_proba(dX).compute(), local.predict_proba(X[keep]), rtol=1e-12
    )
    assert est.score(dX, dy) == local.score(X[keep], y[keep])


def test_regressor_skips_emptied_chunks(client):
    X, y = make_regression(n_samples=230, n_features=4, noise=1.0, random_state=0)
    y = y / y.std()
    dX, dy, keep, _ = emptied(X, y)
    params = dict(solver="lbfgs", max_iter=5, random_state=0)
    est = quiet_fit(DaskShallowNetRegressor(client=client, **params), dX, dy)
    plain = quiet_fit(ShallowNetRegressor(**params), X[keep], y[keep])
    assert max_relative_difference(plain, est) < 1e-6
    local = est.to_local()
    np.testing.assert_allclose(
        est.predict(dX).compute(), local.predict(X[keep]), rtol=1e-12
    )
    assert est.score(dX, dy) == pytest.approx(local.score(X[keep], y[keep]), rel=1e-12)


@pytest.mark.parametrize(
    "solver, rtol, class_weight",
    [
        ("gd", 1e-9, "balanced"),
        ("lbfgs", 1e-6, None),
        ("sgd", 1e-9, None),
        ("adam", 1e-9, None),
    ],
)
def test_chunk_whose_weights_are_all_zero(
    client, multiclass, solver, rtol, class_weight
):
    # The in-memory fit takes weights that are zero on whole stretches of
    # rows: so does the Dask fit, whose chunks there add nothing.
    X, y, sample_weight = multiclass
    sample_weight = sample_weight.copy()
    sample_weight[CHUNK : 3 * CHUNK] = 0  # the second and third chunks
    params = dict(solver=solver, max_iter=2, batch_size=20, random_state=0)
    if solver in ("sgd", "adam"):
        params["shuffle"] = True
    else:
        params["class_weight"] = class_weight
    est = DaskShallowNetClassifier(client=client, **params)
    quiet_fit(est, *as_dask(X, y, sample_weight))
    plain = quiet_fit(ShallowNetClassifier(**params), X, y, sample_weight)
    np.testing.assert_allclose(est.loss_curve_, plain.loss_curve_, rtol=rtol)
    assert max_relative_difference(plain, est) <= rtol


def test_nothing_to_fit_refused(client, multiclass):
    X, y, _ = multiclass
    dX, dy = as_dask(X, y)
    none = da.zeros(len(y), chunks=CHUNK, dtype=bool)
    with pytest.raises(ValueError, match="0 sample"):
        DaskShallowNetClassifier(client=client).fit(dX[none], dy[none])
    # Weights all zero, as in memory (where scikit-learn's check says so).
    (zeros,) = as_dask(np.zeros(len(y)))
    with pytest.raises(ValueError, match="zero"):
        ShallowNetClassifier().fit(X, y, np.zeros(len(y)))
    for est in (
        DaskShallowNetClassifier(client=client, solver="adam"),
        DaskShallowNetRegressor(client=client, solver="lbfgs"),
    ):
        with pytest.raises(ValueError, match="every sample a zero weight"):
            est.fit(dX, dy.astype(float), zeros)


# --------------------------------------------------------------------------
# Predictions, conversion, pickling
# --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def fitted(client, multiclass):
    X, y, _ = multiclass
    est = DaskShallowNetClassifier(client=client, max_iter=10, random_state=0)
    return quiet_fit(est, *as_dask(X, y))


@pytest.mark.parametrize(
    "method", ["predict", "predict_proba", "predict_log_proba", "decision_function"]
)
def test_lazy_predictions_equal_plain(fitted, multiclass, method):
    X, y, _ = multiclass
    (dX,) = as_dask(X)
    lazy = getattr(fitted, method)(dX)
    assert isinstance(lazy, da.Array)
    expected = getattr(fitted.to_local(), method)(X)
    assert lazy.shape == expected.shape and lazy.dtype == expected.dtype
    np.testing.assert_array_equal(lazy.compute(), expected)


def test_regressor_lazy_predict_and_score(client):
    X, y = make_regression(n_samples=150, n_features=3, n_targets=2, random_state=0)
    y = y / y.std(axis=0)
    est = DaskShallowNetRegressor(client=client, max_iter=10, random_state=0)
    dX, dy = as_dask(X, y)
    quiet_fit(est, dX, dy)
    lazy = est.predict(dX)
    assert isinstance(lazy, da.Array) and lazy.shape == y.shape
    local = est.to_local()
    np.testing.assert_array_equal(lazy.compute(), local.predict(X))
    assert est.score(dX, dy) == pytest.approx(local.score(X, y), rel=1e-12)


def test_score_computes(fitted, client, multiclass):
    X, y, sample_weight = multiclass
    score = fitted.score(*as_dask(X, y, sample_weight))
    assert isinstance(score, float)
    assert score == fitted.to_local().score(X, y, sample_weight)


def test_to_local_round_trip(fitted, multiclass):
    X, _, _ = multiclass
    local = fitted.to_local()
    assert type(local) is ShallowNetClassifier
    params = fitted.get_params()
    assert params.pop("client") is not None
    assert local.get_params() == params
    for k in PARAMS:
        np.testing.assert_array_equal(getattr(local, k), getattr(fitted, k))
    np.testing.assert_array_equal(local.predict_proba(X), fitted.predict_proba(X))
    local.W1_[...] = 0  # a copy: the Dask estimator keeps its weights
    assert np.abs(fitted.W1_).max() > 0


def test_clone_shares_the_client(client, multiclass):
    # scikit-learn's clone deep-copies parameters; a client cannot be copied.
    est = DaskShallowNetClassifier(client=client, max_iter=3, random_state=0)
    cloned = clone(est)
    assert cloned is not est and cloned.client is client
    assert cloned.get_params() == est.get_params()
    assert clone(make_pipeline(StandardScaler(), est))[-1].client is client
    # Model selection clones the estimator for every split.
    X, y, _ = multiclass
    plain = ShallowNetClassifier(max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        scores = cross_val_score(est, *as_dask(X, y), cv=2)
        expected = cross_val_score(plain, X, y, cv=2)
    np.testing.assert_array_equal(scores, expected)


def test_pickle_round_trip(fitted, multiclass):
    X, _, _ = multiclass
    restored = pickle.loads(pickle.dumps(fitted))
    assert restored.client is None and fitted.client is not None
    for k in PARAMS:
        np.testing.assert_array_equal(getattr(restored, k), getattr(fitted, k))
    (dX,) = as_dask(X)
    np.testing.assert_array_equal(
        restored.predict(dX).compute(), fitted.predict(dX).compute()
    )


# --------------------------------------------------------------------------
# The cluster: the current client, a lost worker, joblib's dask backend
# --------------------------------------------------------------------------
class KillsAWorker(DaskShallowNetClassifier):
    """Kills the process of a worker holding data at the third cost evaluation."""

    def _prepare(self, *args):
        problem = super()._prepare(*args)
        make_objective = problem.objective

        def objective(*options):
            objective = make_objective(*options)
            assert isinstance(objective.chunks, _ClusterChunks)
            client, calls = objective.chunks.client, []

            def call(params, batch=None):
                calls.append(1)
                if len(calls) == 3:
                    worker = objective.chunks.groups[0][0]
                    pid = client.run(os.getpid, workers=[worker])[worker]
                    os.kill(pid, signal.SIGKILL)
                return DistributedObjective.__call__(objective, params, batch)

            call.n_samples = objective.n_samples
            return call

        problem.objective = objective
        return problem


def test_lost_worker_recomputes_its_chunks(client, multiclass):
    X, y, sample_weight = multiclass
    params = dict(max_iter=8, class_weight="balanced", random_state=0)
    plain = quiet_fit(ShallowNetClassifier(**params), X, y, sample_weight)
    est = KillsAWorker(**params)
    with client.as_current():  # client=None: the current client
        try:
            quiet_fit(est, *as_dask(X, y, sample_weight))
        except Exception as error:  # allowed: a clear error, and no model
            assert "worker" in str(error).lower()
            assert not hasattr(est, "W1_")
        else:  # or the lost chunks were recomputed: the same model
            assert max_relative_difference(plain, est) < 1e-9
            assert est.n_iter_ == plain.n_iter_
    client.wait_for_workers(2, timeout=60)


@pytest.mark.exhaustive  # tens of seconds: joblib's dask backend per task
def test_grid_search_on_dask_joblib_backend(client, multiclass):
    X, y, _ = multiclass
    search = GridSearchCV(
        ShallowNetClassifier(solver="lbfgs", max_iter=15, random_state=0),
        {"alpha": [0.0, 1.0]},
        cv=2,
        n_jobs=-1,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        local = GridSearchCV(**search.get_params(deep=False)).fit(X, y)
        with client.as_current(), joblib.parallel_config(backend="dask"):
            remote = search.fit(X, y)
    assert remote.best_params_ == local.best_params_
    for key in ("mean_test_score", "split0_test_score", "split1_test_score"):
        np.testing.assert_allclose(
            remote.cv_results_[key], local.cv_results_[key], rtol=1e-12
        )


@pytest.mark.exhaustive
@pytest.mark.parametrize("solver, rtol", [("gd", 1e-9), ("lbfgs", 1e-6)])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("chunks", [1000, 61, 13])
@pytest.mark.parametrize("kind", ["binary", "multiclass", "regression", "poisson"])
def test_full_batch_product(client, solver, rtol, weighted, chunks, kind):
    rng = np.random.RandomState(0)
    X = rng.standard_normal((300, 4))
    if kind == "regression":
        y, cls, params = X @ rng.standard_normal(4), ShallowNetRegressor, {}
    elif kind == "poisson":
        y = rng.poisson(np.exp(X[:, 0] / 2)).astype(float)
        cls, params = ShallowNetRegressor, {"loss": "poisson"}
    else:
        y = (X[:, 0] > 0).astype(int) + (kind == "multiclass") * (X[:, 1] > 0)
        cls, params = ShallowNetClassifier, {"class_weight": "balanced"}
    sample_weight = rng.uniform(0, 2, len(y)) if weighted else None
    params.update(solver=solver, max_iter=12, alpha=0.2, random_state=0)
    plain = quiet_fit(cls(**params), X, y, sample_weight)
    dask_cls = (
        DaskShallowNetClassifier
        if cls is ShallowNetClassifier
        else (DaskShallowNetRegressor)
    )
    dask_data = as_dask(X, y, chunks=chunks)
    if weighted:
        dask_data += as_dask(sample_weight, chunks=chunks)
    est = quiet_fit(dask_cls(client=client, **params), *dask_data)
    assert max_relative_difference(plain, est) < rtol
    assert est.n_iter_ == plain.n_iter_


def test_fit_that_stops_short_warns_without_touching_released_data(client):
    # A fit that ends at max_iter warns; the warning must not compute on the
    # chunks the fit has already released from the workers.
    X, y = make_classification(120, 4, random_state=0)
    X[:, 0] *= 1e4  # far from unit scale
    dX, dy = da.from_array(X, chunks=50), da.from_array(y, chunks=50)
    est = DaskShallowNetClassifier(max_iter=3, random_state=0)
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        est.fit(dX, dy)
    assert est.n_iter_ == 3


@pytest.mark.parametrize("solver", ["gd", "sgd"])
def test_warm_fit_mismatch_on_dask_advises_warm_start_false(solver):
    # The streamed solvers run partial_fit on the chunks: the advice is
    # still warm_start's, which is what fit on a dask collection continues.
    X, y = make_classification(120, n_features=4, random_state=0)
    dX, dy = as_dask(X, y)
    est = DaskShallowNetClassifier(
        solver=solver, max_iter=2, warm_start=True, random_state=0
    )
    quiet_fit(est, dX, dy)
    for change, labels in ((dict(n_hidden=7), y), ({}, np.where(y == 0, 7, y))):
        est.set_params(**change)
        with pytest.raises(ValueError, match="Set warm_start=False") as error:
            est.fit(dX, as_dask(labels)[0])
        assert "partial_fit continues" not in str(error.value)
        assert "partial_fit always" not in str(error.value)
        quiet_fit(clone(est).set_params(warm_start=False), dX, as_dask(labels)[0])
        est.set_params(n_hidden=4)


def test_in_memory_sparse_input_is_advised_a_sparse_scaler():
    import scipy.sparse as sp

    X, y = make_classification(120, n_features=4, random_state=0)
    X = sp.csr_matrix(X * 1e3)
    with pytest.warns(ConvergenceWarning) as caught:
        DaskShallowNetClassifier(solver="adam", max_iter=3, random_state=0).fit(X, y)
    message = " ".join(str(w.message) for w in caught)
    assert "MaxAbsScaler" in message
    assert "make_pipeline(StandardScaler()" not in message


def test_streamed_fit_warns_once_for_the_run_not_per_chunk():
    X, y = make_classification(150, n_features=4, random_state=0)
    dX, dy = as_dask(X * 100, y, chunks=50)  # unscaled: every chunk would warn
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        DaskShallowNetClassifier(solver="sgd", max_iter=2, random_state=0).fit(dX, dy)
    messages = [str(w.message) for w in caught if w.category is ConvergenceWarning]
    assert len(messages) == 1 and messages[0].startswith("Maximum iterations")


@pytest.mark.parametrize("solver", ["gd", "sgd"])
def test_dask_targets_whose_squares_overflow_are_a_clear_error(solver):
    X, y = make_regression(120, n_features=3, random_state=0)
    dX, dy = as_dask(X, y * 1e200)
    est = DaskShallowNetRegressor(solver=solver, max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="y has values up to") as error:
            est.fit(dX, dy)
    assert "TransformedTargetRegressor" in str(error.value)
    assert "features" not in str(error.value)
    assert not hasattr(est, "W1_")


@pytest.mark.parametrize("solver", ["gd", "adam"])
def test_warnings_point_at_the_callers_line(client, multiclass, solver):
    X, y, _ = multiclass
    est = DaskShallowNetClassifier(
        client=client, solver=solver, max_iter=3, n_iter_no_change=10, random_state=0
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est.fit(*as_dask(X, y))
    assert caught
    for w in caught:
        assert w.filename == __file__, (w.filename, w.lineno, str(w.message))
