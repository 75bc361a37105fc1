"""The math core against independent references: finite differences, NumPy loops."""

import copy
import pickle
import warnings

import numpy as np
import pytest
import scipy.special
from scipy.optimize import approx_fprime
from scipy.special import logit, logsumexp, softmax
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from sk_shallow import _network
from sk_shallow._activations import (
    ACTIVATIONS,
    DERIVATIVES,
    LEAKY_SLOPE,
    softmax_columns,
)
from sk_shallow._backend import logsumexp_columns

HIDDEN = list(ACTIVATIONS)


def _problem(n_outputs, seed=0, m=7, n_x=3, n_h=5):
    rng = np.random.RandomState(seed)
    X = rng.standard_normal((n_x, m))
    if n_outputs == 1:
        Y = (rng.uniform(size=(1, m)) > 0.5).astype(float)
        output = "sigmoid"
    else:
        Y = np.eye(n_outputs)[:, rng.randint(n_outputs, size=m)]
        output = "softmax"
    params = _network.initialize(n_x, n_h, n_outputs, rng, init_scale=0.5)
    params["b1"] = rng.standard_normal(params["b1"].shape)
    params["b2"] = rng.standard_normal(params["b2"].shape)
    return X, Y, output, params


@pytest.mark.parametrize("name", HIDDEN)
def test_derivative_from_output_matches_finite_differences(name):
    # Avoid the kink of the ReLUs at 0, where either one-sided slope is valid.
    z = np.array([-3.0, -0.7, -0.1, 0.2, 0.9, 2.5])
    h = 1e-6
    numeric = (ACTIVATIONS[name](z + h) - ACTIVATIONS[name](z - h)) / (2 * h)
    a = ACTIVATIONS[name](z.copy())
    analytic = DERIVATIVES[name](a)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_relu_derivative_is_the_sign_of_the_output(dtype):
    """At the kink too (-0.0, 0, the smallest positives): np.sign's values."""
    tiny = np.finfo(dtype).smallest_subnormal
    z = np.array([-2.0, -tiny, -0.0, 0.0, tiny, 1e-30, 3.0, 1e30], dtype=dtype)
    a = ACTIVATIONS["relu"](z.copy())
    got = DERIVATIVES["relu"](a.copy())
    assert got.dtype == dtype
    np.testing.assert_array_equal(got, np.sign(a))
    assert not np.signbit(got).any()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_tanh_is_within_rounding_of_numpy_everywhere(dtype):
    rng = np.random.RandomState(0)
    z = np.concatenate(
        [
            rng.standard_normal(100_000) * 4,
            np.linspace(-40, 40, 8001),
            [0.0, 1e-30, -1e-20, 19.0, 20.0, 21.0, 710.0, -710.0],
            [np.inf, -np.inf],
        ]
    ).astype(dtype)
    z = np.append(z, [np.finfo(dtype).max, -np.finfo(dtype).max])
    with np.errstate(all="raise"):  # no overflow, however large z
        got = ACTIVATIONS["tanh"](z.copy())
    expected = np.tanh(z.astype(np.float64))
    atol = 4e-16 if dtype == np.float64 else 2e-7
    np.testing.assert_allclose(got, expected, rtol=0, atol=atol)
    assert np.all(np.abs(got) <= 1)
    assert got.dtype == dtype
    nan = ACTIVATIONS["tanh"](np.array([np.nan, 1.0], dtype=dtype))
    assert np.isnan(nan[0]) and not np.isnan(nan[1])


def test_activations_match_formulas_of_the_notes():
    z = np.linspace(-5, 5, 11)
    expected = {
        "identity": z,
        "sigmoid": 1 / (1 + np.exp(-z)),
        "tanh": (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z)),
        "relu": np.where(z > 0, z, 0),
        "leaky_relu": np.where(z > 0, z, LEAKY_SLOPE * z),
    }
    for name, want in expected.items():
        np.testing.assert_allclose(ACTIVATIONS[name](z.copy()), want, atol=1e-12)


@pytest.mark.parametrize("activation", HIDDEN)
@pytest.mark.parametrize("n_outputs", [1, 3])
@pytest.mark.parametrize("alpha", [0.0, 0.7])
@pytest.mark.parametrize("weighted", [False, True])
def test_backward_matches_finite_differences(activation, n_outputs, alpha, weighted):
    X, Y, output, params = _problem(n_outputs)
    sw = np.random.RandomState(1).uniform(0.2, 3, X.shape[1]) if weighted else None
    _, grads = _network.loss_and_gradients(params, X, Y, activation, output, alpha, sw)
    theta = _network.pack(params)

    def J(t):
        p = _network.unpack(t.copy(), params)
        cache = _network.forward(p, X, activation, output)
        return _network.cost(p, Y, cache, output, alpha, sw)

    numeric = approx_fprime(theta, J, 1e-7)
    np.testing.assert_allclose(_network.pack(grads), numeric, rtol=1e-4, atol=1e-6)


def test_forward_matches_per_example_loop():
    X, _, _, params = _problem(1)
    cache = _network.forward(params, X, "tanh", "sigmoid")
    for i in range(X.shape[1]):
        x = X[:, [i]]  # notes 3.3: one example as a column vector
        z1 = params["W1"] @ x + params["b1"]
        a1 = np.tanh(z1)
        z2 = params["W2"] @ a1 + params["b2"]
        a2 = 1 / (1 + np.exp(-z2))
        np.testing.assert_allclose(cache["A1"][:, [i]], a1, rtol=1e-12)
        np.testing.assert_allclose(cache["A2"][:, [i]], a2, rtol=1e-12)


def test_cost_matches_plain_cross_entropy():
    X, Y, _, params = _problem(1)
    cache = _network.forward(params, X, "tanh", "sigmoid")
    A2 = cache["A2"]
    m = X.shape[1]
    expected = -np.sum(Y * np.log(A2) + (1 - Y) * np.log(1 - A2)) / m
    assert _network.cost(params, Y, cache, "sigmoid") == pytest.approx(expected, 1e-12)

    X, Y, _, params = _problem(4)
    cache = _network.forward(params, X, "relu", "softmax")
    expected = -np.sum(Y * np.log(cache["A2"])) / m
    assert _network.cost(params, Y, cache, "softmax") == pytest.approx(expected, 1e-12)


def test_cost_is_finite_for_saturated_outputs():
    # Outputs so confident that A2 rounds to exactly 0 or 1: log(0) must not
    # appear, a right answer costs 0 and a confidently wrong one about |z|.
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        # binary: example 0 has y=1, z=+800 (right); example 1 y=1, z=-800
        binary = _network.binary_cross_entropy(
            np.array([[1.0, 1.0]]), np.array([[800.0, -800.0]])
        )
        # softmax: example 0 is class 0 with z0 = 800; example 1 is class 2
        # while z1 = 800 and z2 = -800
        Z2 = np.array([[800.0, -800.0], [-800.0, 800.0], [-800.0, -800.0]])
        Y = np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 1.0]])
        multi = _network.categorical_cross_entropy(Y, Z2)
    np.testing.assert_allclose(binary, [0, 800], atol=1e-300, rtol=1e-12)
    np.testing.assert_allclose(multi, [0, 1600], atol=1e-300, rtol=1e-12)


def _exact_losses(Y, Z2, output):
    """Per-example cross-entropies from Z2, by NumPy's and SciPy's own functions."""
    if output == "softmax":
        return scipy.special.logsumexp(Z2, axis=0) - np.sum(Y * Z2, axis=0)
    return np.sum(np.logaddexp(0, Z2) - Y * Z2, axis=0)


@pytest.mark.parametrize(
    "output, n_y", [("sigmoid", 1), ("sigmoid", 2), ("softmax", 3)]
)
def test_loss_from_the_outputs_equals_the_loss_from_z(output, n_y):
    # The cross-entropies take log(A2) when the forward pass gives A2: the
    # losses from Z2 alone to an ulp or so of 1 (a loss near 0 is a
    # difference of numbers of order 1 either way), and they read A2.
    rng = np.random.RandomState(0)
    Z2 = rng.standard_normal((n_y, 500)) * 8
    if output == "softmax":
        Y = np.eye(n_y)[:, rng.randint(n_y, size=500)]
    else:
        Y = (rng.uniform(size=Z2.shape) > 0.5).astype(float)
    A2 = _network.OUTPUTS[output][0](Z2.copy())
    loss = _network.OUTPUTS[output][1]
    from_outputs = loss(Y, Z2, A2=A2)
    np.testing.assert_allclose(
        from_outputs, _exact_losses(Y, Z2, output), rtol=1e-13, atol=1e-14
    )
    # Halving every output adds log 2 per output (sigmoid: the loss is
    # (1 - y) z - log a) or per class label (softmax): A2 is what is read.
    added = n_y if output == "sigmoid" else Y.sum(axis=0)
    np.testing.assert_allclose(
        loss(Y, Z2, A2=A2 / 2) - from_outputs, np.log(2) * added, rtol=1e-12
    )


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("output, n_y", [("sigmoid", 1), ("softmax", 3)])
def test_cost_of_a_pass_is_exact_where_outputs_underflow(output, n_y, dtype):
    # Outputs of z = -800 underflow to A2 = 0, one of them on an example of
    # weight 0: the pass's cost (generic and flat) is then taken from Z2,
    # finite and right, without a warning.
    X = np.array([[1.0, -1.0, 0.5, 2.0]], dtype=dtype)
    if output == "softmax":
        Y = np.eye(n_y, dtype=dtype)[:, [0, 0, n_y - 1, n_y - 1]]
    else:
        Y = np.array([[1.0, 0.0, 1.0, 0.0]], dtype=dtype)
    # The weight 0 is on an example whose output underflowed (sigmoid: the
    # fourth, rightly; softmax: another class's of the second).
    sw = [1.0, 1.0, 2.0, 0.0] if output == "sigmoid" else [1.0, 0.0, 2.0, 1.0]
    sw = np.array(sw, dtype=dtype)
    W2 = np.linspace(-800, 800, n_y)[:, None] / np.tanh(1.0)
    params = {
        "W1": np.array([[1.0]], dtype=dtype),
        "b1": np.zeros((1, 1), dtype=dtype),
        "W2": W2.astype(dtype),
        "b2": np.zeros((n_y, 1), dtype=dtype),
    }
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise"):
            cache = _network.forward(params, X, "tanh", output)
            assert (cache["A2"] == 0).any()
            J = _network.cost(params, Y, cache, output, sample_weight=sw)
            views = _network.unpack(_network.pack(params), params)
            flat = _network.FlatPass(views, X, Y, sw, "tanh", output, 0.0, sw.sum())
            assert flat() == J
    Z2 = cache["Z2"].astype(np.float64)
    expected = sw @ _exact_losses(Y, Z2, output) / sw.sum()
    assert J == pytest.approx(expected, rel=1e-6 if dtype == np.float32 else 1e-12)
    assert J > 100


def test_softmax_loss_where_another_class_underflows_or_its_own_is_subnormal(
    monkeypatch,
):
    # A confident right answer: another class's output underflows to 0
    # (float32, from a gap of about 104). Read at each example's own class
    # (a one-hot Y's label_indices), it costs nothing more; read over every
    # class, 0 log 0 sends it to the log-sum-exp. A confident wrong answer
    # whose own class's output is subnormal goes there either way.
    calls = []
    exact = _network.logsumexp_columns

    def counted(*args):
        calls.append(1)
        return exact(*args)

    monkeypatch.setattr(_network, "logsumexp_columns", counted)
    Y = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    labels = _network.label_indices(Y)
    # Example 0 is of class 0, example 1 of class 1; z of class 1 is 0.
    for z0, own_subnormal in (([110.0, 10.0], False), ([10.0, 95.0], True)):
        Z2 = np.array([z0, [0.0, 0.0]], dtype=np.float32)
        A2 = _network.OUTPUTS["softmax"][0](Z2.copy())
        assert A2[1, 0] == 0 or own_subnormal
        assert (0 < A2[1, 1] < np.finfo(np.float32).tiny) == own_subnormal
        reference = _exact_losses(Y.astype(float), Z2.astype(float), "softmax")
        for buffers, log_sum_exp in ((labels, own_subnormal), (None, True)):
            calls.clear()
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                losses = _network.categorical_cross_entropy(Y, Z2, np, buffers, A2)
            np.testing.assert_allclose(losses, reference, rtol=1e-6, atol=2e-6)
            assert bool(calls) == log_sum_exp


def test_label_indices_only_for_one_class_per_example():
    Y = np.eye(3)[:, [2, 0, 1, 2]]
    np.testing.assert_array_equal(np.take(Y, _network.label_indices(Y)), 1.0)
    stack = np.stack([Y, Y[:, ::-1]])
    np.testing.assert_array_equal(np.take(stack, _network.label_indices(stack)), 1.0)
    assert _network.label_indices(Y * 0.5) is None  # soft labels
    assert _network.label_indices(np.ones((3, 4))) is None


def test_l2_penalty_uses_mlp_scaling():
    X, Y, output, params = _problem(1)
    cache = _network.forward(params, X, "tanh", output)
    plain = _network.cost(params, Y, cache, output)
    alpha, m = 0.3, X.shape[1]
    penalty = alpha / (2 * m) * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2))
    assert _network.cost(params, Y, cache, output, alpha) == pytest.approx(
        plain + penalty, rel=1e-12
    )


def test_normal_init_is_the_notes_recipe():
    params = _network.initialize(2, 4, 1, np.random.RandomState(2))
    np.random.seed(2)
    W1 = np.random.randn(4, 2) * 0.01
    W2 = np.random.randn(1, 4) * 0.01
    np.testing.assert_array_equal(params["W1"], W1)
    np.testing.assert_array_equal(params["W2"], W2)
    np.testing.assert_array_equal(params["b1"], np.zeros((4, 1)))
    np.testing.assert_array_equal(params["b2"], np.zeros((1, 1)))


@pytest.mark.parametrize("init", ["normal", "glorot", "he", "zeros"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_init_shapes_and_dtype(init, dtype):
    params = _network.initialize(
        3, 5, 2, np.random.RandomState(0), init=init, dtype=dtype
    )
    shapes = {"W1": (5, 3), "b1": (5, 1), "W2": (2, 5), "b2": (2, 1)}
    for k, shape in shapes.items():
        assert params[k].shape == shape
        assert params[k].dtype == dtype
        assert params[k].flags.c_contiguous


def test_glorot_init_matches_mlp_classifier():
    # A fit with a vanishing learning rate leaves MLPClassifier's initial
    # weights in place, drawn from its random_state as W1, b1, W2, b2.
    rng = np.random.RandomState(0)
    X = rng.standard_normal((20, 3))
    y = rng.randint(3, size=20)
    mlp = MLPClassifier(
        hidden_layer_sizes=(5,),
        solver="sgd",
        momentum=0,
        learning_rate_init=1e-300,
        max_iter=1,
        random_state=7,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp.fit(X, y)
    params = _network.initialize(3, 5, 3, np.random.RandomState(7), init="glorot")
    np.testing.assert_allclose(params["W1"], mlp.coefs_[0].T, rtol=1e-12)
    np.testing.assert_allclose(params["b1"][:, 0], mlp.intercepts_[0], rtol=1e-12)
    np.testing.assert_allclose(params["W2"], mlp.coefs_[1].T, rtol=1e-12)
    np.testing.assert_allclose(params["b2"][:, 0], mlp.intercepts_[1], rtol=1e-12)


def test_pack_unpack_round_trip():
    _, _, _, params = _problem(3)
    back = _network.unpack(_network.pack(params), params)
    for k in params:
        np.testing.assert_array_equal(back[k], params[k])


def test_vector_of_finds_the_vector_behind_unpacked_views():
    _, _, _, params = _problem(3)
    theta = _network.pack(params)
    views = _network.unpack(theta, params)
    assert _network.vector_of(views) is theta
    # An operation on the vector is the operation on every view.
    theta *= 2
    for k in params:
        np.testing.assert_array_equal(views[k], 2 * params[k])
    # Anything else has no vector behind it.
    assert _network.vector_of(params) is None  # separate arrays
    swapped = _network.unpack(theta, params)
    swapped["W1"], swapped["W2"] = swapped["W2"], swapped["W1"]
    assert _network.vector_of(swapped) is None  # views rebound
    replaced = _network.unpack(theta, params)
    replaced["b1"] = replaced["b1"].copy()
    assert _network.vector_of(replaced) is None  # a view replaced by a copy
    longer = _network.unpack(np.zeros(theta.size + 1), params)
    assert _network.vector_of(longer) is None  # a vector they do not fill
    strided = _network.unpack(np.zeros(2 * theta.size)[::2], params)
    assert _network.vector_of(strided) is None  # copies, not views
    for copied in (
        copy.copy(views),
        copy.deepcopy(views),
        pickle.loads(pickle.dumps(views)),
    ):
        assert type(copied) is dict and _network.vector_of(copied) is None


# -- the cost of the best constant prediction -----------------------------------
@pytest.mark.parametrize("output", ["sigmoid", "softmax", "identity", "exp"])
def test_constant_cost_is_the_cost_of_the_best_constant(output):
    rng = np.random.RandomState(0)
    m = 60
    w = rng.uniform(0.2, 2.0, m)
    Y = {
        "sigmoid": (rng.uniform(size=(2, m)) > 0.3).astype(float),
        "softmax": np.eye(3)[rng.randint(0, 3, m)].T,
        "identity": rng.normal(1.0, 3.0, (2, m)),
        "exp": rng.poisson(3.0, (2, m)).astype(float),
    }[output]
    mean = Y @ w / w.sum()
    link = {"sigmoid": logit, "identity": lambda a: a}
    z = link.get(output, np.log)(mean)
    Z2 = np.repeat(z[:, None], m, axis=1)

    def cost(Z):
        return _network.loss_sum(Y, Z, output, w) / w.sum()

    expected = _network.constant_cost(Y, output, w)
    np.testing.assert_allclose(cost(Z2), expected, rtol=1e-12)
    # The mean is the best constant: any other costs more.
    for shift in rng.normal(0, 0.1, (5, Y.shape[0], 1)):
        if output == "softmax":
            shift[0] += 0.1  # a common shift of every output changes nothing
        assert cost(Z2 + shift) > expected


# -- SciPy's functions, written for NumPy blocks ----------------------------------
def _assert_within_ulps(actual, desired, ulps, scale=None):
    """The same infinities and NaNs; finite values within ``ulps`` of each other.

    An ulp is of the larger of ``|desired|`` and ``scale`` (the size of the
    terms a result came from, when it is smaller than they are).
    """
    np.testing.assert_array_equal(np.isfinite(actual), np.isfinite(desired))
    finite = np.isfinite(desired)
    np.testing.assert_array_equal(actual[~finite], desired[~finite])
    size = np.abs(desired) if scale is None else np.maximum(np.abs(desired), scale)
    error = np.abs(actual - desired)[finite]
    assert np.all(error <= ulps * np.finfo(actual.dtype).eps * size[finite])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_softmax_and_logsumexp_are_scipys(dtype):
    rng = np.random.RandomState(0)
    Z = np.hstack([rng.standard_normal((4, 200)) * s for s in (0.1, 1, 10, 300)])
    Z[:, :20] = 1.0  # ties at the largest value
    Z[:, 20] = [np.inf, 1.0, 2.0, 3.0]
    Z[:, 21] = -np.inf
    Z[:, 22] = [-np.inf, 0.0, 1.0, -np.inf]
    Z = Z.astype(dtype)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        lse = logsumexp_columns(Z, np)
        assert lse.dtype == dtype
        # SciPy's releases round the last bit differently: within a few ulps
        # of its value, and of the value in extended precision (where
        # longdouble has more bits than float64), an ulp of the column's
        # largest term.
        top = np.abs(Z).max(axis=0)
        _assert_within_ulps(lse, logsumexp(Z, axis=0), ulps=4, scale=top)
        finite = np.isfinite(Z).all(axis=0)
        Zl = Z[:, finite].astype(np.longdouble)
        exact = Zl.max(axis=0) + np.log(np.exp(Zl - Zl.max(axis=0)).sum(axis=0))
        _assert_within_ulps(lse[finite], exact.astype(dtype), 2, scale=top[finite])
        _assert_within_ulps(softmax_columns(Z.copy()), softmax(Z, axis=0), ulps=4)


@pytest.mark.parametrize("activation", HIDDEN)
@pytest.mark.parametrize(
    "output, n_y", [("sigmoid", 1), ("sigmoid", 3), ("softmax", 3), ("identity", 2)]
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("sparse, weighted", [(False, False), (True, True)])
def test_flat_pass_is_the_pass_bit_for_bit(
    activation, output, n_y, dtype, sparse, weighted
):
    # FlatPass restates forward, loss_sum, gradient_sums and their mean for
    # the full-batch solver: the same operations, so the same bits, call after
    # call on the same buffers while the parameters change in place.
    import scipy.sparse as sp

    rng = np.random.RandomState(3)
    m, n_x, n_h = 40, 4, 6
    X = rng.standard_normal((n_x, m)).astype(dtype)
    X[rng.uniform(size=X.shape) < 0.3] = 0
    Y = (rng.uniform(size=(n_y, m)) > 0.5).astype(dtype)
    if output == "softmax":
        Y = np.eye(n_y, dtype=dtype)[:, rng.randint(n_y, size=m)]
    sw = rng.uniform(0, 2, m).astype(dtype) if weighted else None
    if sparse:
        X = sp.csr_matrix(X.T).T  # the CSC view that a fit's X.T is
    params = _network.initialize(n_x, n_h, n_y, rng, init_scale=0.5, dtype=dtype)
    views = _network.unpack(_network.pack(params), params)
    S = _network.weight_sum(sw, m)
    flat = _network.FlatPass(views, X, Y, sw, activation, output, 0.01, S)
    for _ in range(3):
        J, grads = _network.loss_and_gradients(
            views, X, Y, activation, output, 0.01, sw
        )
        expected = {k: v.copy() for k, v in grads.items()}
        assert flat() == J
        for k, v in expected.items():
            np.testing.assert_array_equal(flat.grads[k], v, strict=True)
        for k in views:  # a step in place, as the solver takes it
            views[k] -= 0.5 * flat.grads[k]
