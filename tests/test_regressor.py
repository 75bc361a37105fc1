"""ShallowNetRegressor against finite differences, MLPRegressor and Ridge."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from helpers import quiet_fit
from scipy.optimize import approx_fprime
from sklearn.base import clone
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Ridge
from sklearn.metrics import r2_score
from sklearn.neural_network import MLPRegressor
from sklearn.preprocessing import MaxAbsScaler, StandardScaler

from sk_shallow import ShallowNetRegressor, _network
from sk_shallow._regressor import r2


def _data(n_targets=1, n_samples=100, seed=0):
    X, y = make_regression(
        n_samples=n_samples,
        n_features=5,
        n_informative=4,
        n_targets=n_targets,
        noise=5.0,
        random_state=seed,
    )
    X = StandardScaler().fit_transform(X)
    y = (y - y.mean(axis=0)) / y.std(axis=0)
    return X, y


@pytest.mark.parametrize("output", ["identity", "exp"])
@pytest.mark.parametrize("n_targets", [1, 3])
@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid"])
def test_regression_gradients_match_finite_differences(output, n_targets, activation):
    rng = np.random.RandomState(0)
    X = rng.standard_normal((4, 9))
    Y = rng.uniform(0, 3, size=(n_targets, 9))
    params = _network.initialize(4, 5, n_targets, rng, init_scale=0.4)
    sw = rng.uniform(0.5, 2, 9)
    _, grads = _network.loss_and_gradients(params, X, Y, activation, output, 0.3, sw)

    def J(theta):
        p = _network.unpack(theta.copy(), params)
        cache = _network.forward(p, X, activation, output)
        return _network.cost(p, Y, cache, output, 0.3, sw)

    numeric = approx_fprime(_network.pack(params), J, 1e-7)
    np.testing.assert_allclose(_network.pack(grads), numeric, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
@pytest.mark.parametrize("n_targets", [1, 2])
def test_full_batch_sgd_follows_mlp_regressor(loss, n_targets):
    X, y = _data(n_targets)
    if loss == "poisson":
        y = np.abs(y)
    common = dict(
        max_iter=30,
        tol=0,
        n_iter_no_change=np.inf,
        alpha=1e-3,
        batch_size=len(y),
        momentum=0,
        shuffle=False,
        random_state=0,
    )
    ours = quiet_fit(
        ShallowNetRegressor(
            6, loss=loss, solver="sgd", learning_rate=0.05, init="glorot", **common
        ),
        X,
        y,
    )
    theirs = quiet_fit(
        MLPRegressor(
            hidden_layer_sizes=(6,),
            activation="tanh",
            loss=loss,
            solver="sgd",
            learning_rate_init=0.05,
            **common,
        ),
        X,
        y,
    )
    # Same steps; for several squared-error targets MLPRegressor reports the
    # mean over targets where this library reports the sum (whose gradient
    # both follow).
    scale = n_targets if loss == "squared_error" else 1
    data_term = np.array(ours.loss_curve_)
    np.testing.assert_allclose(ours.W1_, theirs.coefs_[0].T, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ours.W2_, theirs.coefs_[1].T, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(
        ours.predict(X), theirs.predict(X), rtol=1e-9, atol=1e-12
    )
    if scale == 1:
        np.testing.assert_allclose(data_term, theirs.loss_curve_, rtol=1e-10)


def test_predict_keeps_the_shape_of_y():
    X, y = _data(1)
    reg = quiet_fit(ShallowNetRegressor(max_iter=50, random_state=0), X, y)
    assert reg.predict(X).shape == (len(y),)
    reg = quiet_fit(ShallowNetRegressor(max_iter=50, random_state=0), X, y[:, None])
    assert reg.predict(X).shape == (len(y), 1)
    X, Y = _data(3)
    reg = quiet_fit(ShallowNetRegressor(max_iter=50, random_state=0), X, Y)
    assert reg.W2_.shape == (3, 4)
    assert reg.predict(X).shape == (len(Y), 3)


@pytest.mark.parametrize("solver", ["gd", "sgd", "adam", "lbfgs"])
def test_every_solver_fits_with_its_defaults(solver):
    rng = np.random.RandomState(0)
    X = rng.uniform(-2, 2, size=(300, 2))
    y = np.sin(X[:, 0]) + 0.5 * X[:, 1] ** 2
    y = (y - y.mean()) / y.std()
    reg = quiet_fit(ShallowNetRegressor(8, solver=solver, random_state=0), X, y)
    assert reg.score(X, y) > 0.8


def test_identity_network_is_a_linear_model_close_to_ridge():
    X, y = _data(1)
    reg = quiet_fit(
        ShallowNetRegressor(
            activation="identity", solver="lbfgs", alpha=1.0, tol=1e-10, random_state=0
        ),
        X,
        y,
    )
    ridge = Ridge(alpha=1.0).fit(X, y)
    # The network's penalty is on W1 and W2, not on their product, so the
    # fits differ slightly; both are linear and explain the data alike.
    np.testing.assert_allclose(reg.predict(X), ridge.predict(X), atol=0.05)


def test_poisson_needs_non_negative_targets():
    X, y = _data(1)
    with pytest.raises(ValueError, match="non-negative"):
        ShallowNetRegressor(loss="poisson").fit(X, y)
    reg = quiet_fit(
        ShallowNetRegressor(loss="poisson", solver="lbfgs", random_state=0),
        X,
        np.exp(0.5 * X[:, 0]),
    )
    assert reg.out_activation_ == "exp"
    assert np.all(reg.predict(X) > 0)
    assert reg.score(X, np.exp(0.5 * X[:, 0])) > 0.9


def test_early_stopping_records_r2_and_validation_loss():
    X, y = _data(1, n_samples=300)
    reg = quiet_fit(
        ShallowNetRegressor(
            8, solver="adam", learning_rate=0.01, early_stopping=True, random_state=0
        ),
        X,
        y,
    )
    assert len(reg.validation_scores_) == len(reg.validation_loss_curve_) == reg.n_iter_
    assert reg.best_validation_score_ == max(reg.validation_scores_)
    assert reg.best_validation_score_ > 0.8
    # The held-out half squared error and R^2 move together: 1 - R^2 is the
    # squared error over the held-out variance.
    best = int(np.argmax(reg.validation_scores_))
    assert reg.validation_loss_curve_[best] == min(reg.validation_loss_curve_) or (
        reg.validation_loss_curve_[best] < 1.05 * min(reg.validation_loss_curve_)
    )


def test_partial_fit_and_warm_start():
    X, y = _data(1)
    reg = ShallowNetRegressor(solver="sgd", random_state=0)
    for _ in range(5):
        reg.partial_fit(X, y)
    assert len(reg.loss_curve_) == 5 and reg.loss_curve_[-1] < reg.loss_curve_[0]
    with pytest.raises(ValueError, match="features"):
        reg.partial_fit(X[:, :2], y)
    assert not hasattr(ShallowNetRegressor(solver="lbfgs"), "partial_fit")


def test_penalised_poisson_sample_weight_is_repetition():
    rng = np.random.RandomState(0)
    X, y = rng.rand(15, 3), 3 * rng.rand(15)
    w = rng.randint(0, 3, 15)
    kw = dict(loss="poisson", solver="lbfgs", alpha=1.0, random_state=0)
    a = quiet_fit(ShallowNetRegressor(**kw), X, y, sample_weight=w)
    b = quiet_fit(ShallowNetRegressor(**kw), np.repeat(X, w, axis=0), np.repeat(y, w))
    np.testing.assert_allclose(a.predict(X), b.predict(X), rtol=1e-9)


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize(
    "kw",
    [dict(solver="lbfgs"), dict(solver="adam", learning_rate=0.01)],
    ids=["lbfgs", "adam"],
)
def test_sample_weight_is_repetition(kw, sparse):
    # Well posed (20 rows of 3 features, the default penalty), both fits
    # converge (no ConvergenceWarning) to the same point.
    rng = np.random.RandomState(0)
    X = rng.rand(20, 3)
    y = np.sin(3 * X[:, 0]) + X[:, 1] + 0.1 * rng.randn(20)
    w = rng.randint(0, 3, 20)
    as_input = sp.csr_matrix if sparse else np.asarray
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        a = ShallowNetRegressor(random_state=0, **kw)
        a.fit(as_input(X), y, sample_weight=w)
        b = ShallowNetRegressor(random_state=0, **kw)
        b.fit(as_input(np.repeat(X, w, axis=0)), np.repeat(y, w))
    assert a.n_iter_ == b.n_iter_ and a.score(X, y, sample_weight=w) > 0.9
    np.testing.assert_allclose(a.predict(X), b.predict(X), rtol=1e-9)


def _sample_weight_check_data():
    """The data of scikit-learn's ``check_sample_weight_equivalence_*`` checks.

    15 rows of 30 features with integer weights from 0 to 4: the weighted
    rows shuffled, and the rows repeated as many times as they weigh.
    """
    rng = np.random.RandomState(42)
    X = rng.rand(15, 30)
    y = rng.randint(0, 3, size=15).astype(float)
    w = rng.randint(0, 5, size=15)
    order = np.random.RandomState(0).permutation(15)
    return X, (X[order], y[order], w[order]), (np.repeat(X, w, 0), np.repeat(y, w))


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize(
    "kw",
    [
        dict(solver="lbfgs", max_iter=10),
        dict(solver="lbfgs", loss="poisson", max_iter=10),
        dict(solver="adam", learning_rate=0.01, max_iter=200),
    ],
    ids=["lbfgs", "poisson", "adam"],
)
def test_weighted_fit_follows_repeated_rows_on_the_check_data(kw, sparse):
    # tests/test_common.py declares the sample-weight equivalence checks of
    # these configurations: their fits part by the growth of rounding late
    # in the optimiser's path. Early in it (the same starting weights,
    # standardised targets, costs and gradients), the two fits agree.
    X, weighted, repeated = _sample_weight_check_data()
    as_input = sp.csr_matrix if sparse else np.asarray
    kw = dict(random_state=0, n_iter_no_change=np.inf, **kw)
    Xw, yw, w = weighted
    a = quiet_fit(ShallowNetRegressor(**kw), as_input(Xw), yw, sample_weight=w)
    b = quiet_fit(ShallowNetRegressor(**kw), as_input(repeated[0]), repeated[1])
    np.testing.assert_allclose(a.loss_curve_, b.loss_curve_, rtol=1e-12)
    np.testing.assert_allclose(a.predict(X), b.predict(X), rtol=1e-10)


def test_float32_and_sample_weight():
    X, y = _data(1)
    w = np.random.RandomState(0).randint(0, 3, len(y))
    kw = dict(solver="lbfgs", max_iter=30, random_state=0)
    a = quiet_fit(ShallowNetRegressor(**kw), X, y, sample_weight=w)
    b = quiet_fit(ShallowNetRegressor(**kw), np.repeat(X, w, axis=0), np.repeat(y, w))
    np.testing.assert_allclose(a.W1_, b.W1_, rtol=1e-7, atol=1e-10)
    c = quiet_fit(ShallowNetRegressor(**kw), X.astype(np.float32), y.astype(np.float32))
    assert (
        c.W1_.dtype == np.float32
        and c.predict(X.astype(np.float32)).dtype == np.float32
    )


# -- targets far from unit scale are named as the cause ------------------------
def _linear(n=100):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, 3))
    return X, X @ [1.0, -2.0, 0.5]


@pytest.mark.parametrize("solver", ["gd", "sgd", "adam", "lbfgs"])
@pytest.mark.parametrize(
    "dtype, scale", [(np.float64, 1e200), (np.float32, 1e30)], ids=["f64", "f32"]
)
def test_targets_whose_squares_overflow_are_a_clear_error(solver, dtype, scale):
    X, y = _linear()
    X = X.astype(dtype)
    reg = ShallowNetRegressor(solver=solver, max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning, no other warning
        with pytest.raises(ValueError, match="y has values up to") as error:
            reg.fit(X, y * scale)
        if solver in ("sgd", "adam"):
            with pytest.raises(ValueError, match="y has values up to"):
                reg.partial_fit(X, y * scale)
    message = str(error.value)
    assert "TransformedTargetRegressor" in message
    assert "features" not in message and "init_scale" not in message
    assert ("pass X as float64" in message) == (dtype == np.float32)


def test_the_advice_for_overflowing_targets_works():
    X, y = _linear()
    with pytest.raises(ValueError) as error:
        ShallowNetRegressor(random_state=0).fit(X, y * 1e200)
    assert "transformer=MaxAbsScaler()" in str(error.value)
    params = dict(solver="lbfgs", max_iter=200, random_state=0)
    unit = ShallowNetRegressor(**params).fit(X, y / np.abs(y).max())
    huge = TransformedTargetRegressor(
        regressor=ShallowNetRegressor(**params), transformer=MaxAbsScaler()
    ).fit(X, y * 1e200)
    expected = unit.predict(X) * np.abs(y).max() * 1e200
    np.testing.assert_allclose(
        huge.predict(X), expected, rtol=1e-2, atol=1e-2 * np.abs(expected).max()
    )


def test_targets_in_their_own_units_are_learned_standardised_without_advice():
    # The squared error's fit standardises y itself: targets in millions are
    # the same problem as targets of unit scale, and nothing advises scaling.
    X, y = _linear()
    reg = ShallowNetRegressor(max_iter=300, random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        big = clone(reg).fit(X, y * 1e6 + 3e6)
    assert not any("scale y" in str(w.message) for w in caught)
    unit = quiet_fit(clone(reg), X, y)
    np.testing.assert_allclose(
        big.predict(X), unit.predict(X) * 1e6 + 3e6, rtol=1e-6, atol=1e-3
    )


@pytest.mark.parametrize("factor", [1e-170, 1e-300, 1e-320])
def test_tiny_targets_are_learned_standardised_and_scored(factor):
    # Their squares underflow: the spread must not read as none (a scale of
    # 1 and a model of the mean), nor R² as 0 (r2_score says 1.0 here).
    X, y = _linear()
    y = y + 5.0
    reg = ShallowNetRegressor(solver="lbfgs", max_iter=5, random_state=0)
    unit = quiet_fit(clone(reg), X, y)
    tiny = quiet_fit(clone(reg), X, y * factor)
    np.testing.assert_allclose(
        tiny._state.target_scaling[1],
        unit._state.target_scaling[1] * factor,
        rtol=1e-3,  # 1e-320 is subnormal: three digits
    )
    np.testing.assert_allclose(tiny.predict(X) / factor, unit.predict(X), rtol=1e-3)
    rtol = 1e-3 if factor < 1e-300 else 1e-9
    assert tiny.score(X, y * factor) == pytest.approx(unit.score(X, y), rel=rtol)
    assert r2(y * factor, unit.predict(X) * factor) == pytest.approx(
        r2_score(y, unit.predict(X)), rel=rtol
    )


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_a_warning_caused_by_the_targets_names_y_not_the_features(solver):
    # partial_fit sees one chunk at a time and learns y as it is.
    X, y = _linear()
    reg = ShallowNetRegressor(solver=solver, random_state=0)
    with pytest.warns(ConvergenceWarning) as caught:
        for _ in range(3):
            reg.partial_fit(X, y * 1e6)
    message = " ".join(str(w.message) for w in caught)
    assert "scale y" in message and "transformer=StandardScaler()" in message
    assert "features are far" not in message
    # The same calls on scaled targets give no advice about them.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clone(reg).partial_fit(X, y)
    assert not any("scale y" in str(w.message) for w in caught)


def test_poisson_targets_far_from_unit_scale_are_advised_max_abs_scaling():
    X, y = _linear()
    counts = np.random.RandomState(0).poisson(np.exp(y / 4)) * 1e6
    reg = ShallowNetRegressor(loss="poisson", max_iter=20, random_state=0)
    with pytest.warns(ConvergenceWarning, match=r"transformer=MaxAbsScaler\(\)"):
        reg.fit(X, counts)


@pytest.mark.parametrize("scale", [1e200, 1e300])
def test_score_of_huge_targets_is_r2_without_overflow(scale):
    X, y = _linear()
    reg = quiet_fit(ShallowNetRegressor(max_iter=50, random_state=0), X, y)
    pred = reg.predict(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        score = reg.score(X, y * scale)
    # R² is unchanged by a common factor: the predictions scaled down instead.
    assert score == pytest.approx(r2_score(y, pred / scale), rel=1e-9)
    assert r2(y * scale, pred * scale) == pytest.approx(r2_score(y, pred), rel=1e-12)


def test_score_with_huge_sample_weights_is_the_weighted_r2():
    X, y = _linear()
    reg = quiet_fit(ShallowNetRegressor(max_iter=50, random_state=0), X, y)
    w = np.random.RandomState(0).uniform(1, 2, len(y))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        score = reg.score(X, y, sample_weight=w * 1e307)
    assert score == pytest.approx(r2_score(y, reg.predict(X), sample_weight=w))
