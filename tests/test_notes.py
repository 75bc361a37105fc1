"""sk_shallow.notes, the public functions of the notes' equations, against
plain NumPy written from the notes, finite differences and the estimator."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import approx_fprime
from sklearn.exceptions import ConvergenceWarning

from sk_shallow import ShallowNetClassifier, notes
from sk_shallow.datasets import make_flower

#: The notes' formulas, written out independently of the library.
REFERENCE = {
    "identity": (lambda z: z, lambda z: np.ones_like(z)),
    "sigmoid": (
        lambda z: 1 / (1 + np.exp(-z)),
        lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2,
    ),
    "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
    "relu": (lambda z: np.maximum(z, 0), lambda z: (z > 0).astype(float)),
    "leaky_relu": (
        lambda z: np.where(z > 0, z, 0.01 * z),
        lambda z: np.where(z > 0, 1.0, 0.01),
    ),
}


def test_activation_names():
    assert set(notes.ACTIVATION_NAMES) == set(REFERENCE)
    assert {"sigmoid", "softmax"} <= set(notes.OUTPUT_NAMES)


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_activations_and_derivatives_match_the_notes(name):
    z = np.linspace(-3, 3, 13) + 0.05  # no z exactly 0, where ReLU has a kink
    g, dg = REFERENCE[name]
    a = notes.activation(z, name)
    np.testing.assert_allclose(a, g(z), rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(
        notes.activation_derivative(a, name), dg(z), rtol=1e-12, atol=1e-15
    )
    # New arrays: the input is not overwritten, as the private in-place ones do.
    np.testing.assert_array_equal(z, np.linspace(-3, 3, 13) + 0.05)


def _plain_forward(params, X):
    A1 = np.tanh(params["W1"] @ X + params["b1"])
    return A1, 1 / (1 + np.exp(-(params["W2"] @ A1 + params["b2"])))


def test_forward_cost_backward_match_numpy_and_finite_differences():
    rng = np.random.RandomState(0)
    X = rng.standard_normal((2, 9))
    Y = (rng.uniform(size=(1, 9)) > 0.5).astype(float)
    params = notes.initialize(2, 4, 1, random_state=0, init_scale=0.5)
    A1, A2 = _plain_forward(params, X)
    cache = notes.forward(params, X)
    np.testing.assert_allclose(cache["A1"], A1, rtol=1e-13)
    np.testing.assert_allclose(cache["A2"], A2, rtol=1e-13)
    J = -np.mean(Y * np.log(A2) + (1 - Y) * np.log(1 - A2))
    assert notes.cost(params, X, Y) == pytest.approx(J, rel=1e-13)

    grads = notes.backward(params, X, Y)
    for key, value in params.items():

        def J_of(flat, key=key, value=value):
            moved = dict(params, **{key: flat.reshape(value.shape)})
            return notes.cost(moved, X, Y)

        numeric = approx_fprime(value.ravel(), J_of, 1e-7)
        np.testing.assert_allclose(grads[key].ravel(), numeric, atol=1e-7)


def test_initialize_is_the_estimators_draw():
    X, y = make_flower()
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        clf = ShallowNetClassifier(4, max_iter=1, random_state=2).fit(X, y)
    params = notes.initialize(2, 4, 1, random_state=2)
    # One step from the notes' draw: reproduce it with the public functions.
    grads = notes.backward(params, X.T, y[np.newaxis, :])
    for key in params:
        stepped = params[key] - 1.2 * grads[key]
        np.testing.assert_allclose(getattr(clf, key + "_"), stepped, rtol=1e-12)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: notes.activation([0.0], "swish"), "Unknown activation 'swish'"),
        (lambda: notes.activation_derivative([0.0], "elu"), "Unknown activation"),
        (lambda: notes.initialize(2, 0, 1), "n_h must be a positive integer"),
        (lambda: notes.initialize(2, 4, 1, init="ones"), "Unknown init 'ones'"),
        (
            lambda: notes.forward(notes.initialize(2, 4, 1), np.ones((3, 5))),
            r"X must be \(n_features, m\) with n_features = 2",
        ),
        (
            lambda: notes.forward({"W1": np.ones((4, 2))}, np.ones((2, 5))),
            "params lacks",
        ),
        (
            lambda: notes.cost(notes.initialize(2, 4, 1), np.ones((2, 5)), [[1.0]]),
            r"Y must be \(n_outputs, m\)",
        ),
        (
            lambda: notes.forward(notes.initialize(2, 4, 1), [[np.nan], [0.0]]),
            "X contains NaN",
        ),
        (
            lambda: notes.forward(
                notes.initialize(2, 4, 1), np.ones((2, 5)), "tanh", "x"
            ),
            "Unknown output 'x'",
        ),
    ],
)
def test_bad_input_is_named(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def _params(**changes):
    return dict(notes.initialize(2, 4, 1, random_state=0), **changes)


@pytest.mark.parametrize(
    "call, match",
    [
        # b1 of shape (n_h,) broadcast along 4 examples instead of failing.
        (lambda: notes.forward(_params(b1=np.zeros(4)), np.ones((2, 4))), "b1 must"),
        (lambda: notes.forward(_params(b2=np.zeros(1)), np.ones((2, 3))), "b2 must"),
        (lambda: notes.forward(_params(W2=np.ones((1, 3))), np.ones((2, 5))), "W2"),
        (lambda: notes.forward(_params(W1=np.ones(2)), np.ones((2, 5))), "W1 must"),
        (lambda: notes.cost(_params(), np.ones((2, 0)), np.ones((1, 0))), "m >= 1"),
        (
            lambda: notes.cost(
                _params(), np.ones((2, 3)), -np.ones((1, 3)), "relu", "exp"
            ),
            "non-negative",
        ),
        (
            lambda: notes.backward(_params(), np.ones((2, 3)), np.ones((1, 3)), "x"),
            "Unknown activation 'x'",
        ),
        (lambda: notes.initialize(2, 4, 1, init_scale=np.inf), "init_scale"),
        (lambda: notes.initialize(2, 4, 1, init_scale=-0.01), "init_scale"),
    ],
)
def test_bad_shapes_and_values_are_named(call, match):
    with np.errstate(all="raise"):
        with pytest.raises(ValueError, match=match):
            call()


def _huge(**changes):
    return {k: v * 1e200 for k, v in _params(**changes).items()}


@pytest.mark.parametrize(
    "call, match",
    [
        (
            lambda: notes.forward(_huge(), np.full((2, 3), 1e200), "relu", "identity"),
            "forward pass is not finite",
        ),
        (
            lambda: notes.cost(
                _huge(), np.full((2, 3), 1e200), np.ones((1, 3)), "relu", "identity"
            ),
            "cost is not finite",
        ),
        (
            lambda: notes.backward(
                _huge(), np.full((2, 3), 1e200), np.ones((1, 3)), "relu", "identity"
            ),
            "backward pass is not finite",
        ),
        (
            lambda: notes.forward(
                _params(W2=np.ones((1, 4))), np.full((2, 3), 1e8), "relu", "exp"
            ),
            "forward pass is not finite",
        ),
        (
            lambda: notes.initialize(2, 4, 1, random_state=0, init_scale=1e308),
            "non-finite",
        ),
    ],
)
def test_values_too_large_are_named_not_overflow_warnings(call, match):
    # Finite but huge values: a ValueError, neither a RuntimeWarning nor inf.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=match):
            call()


def test_sparse_input_is_named():
    with pytest.raises(TypeError, match=r"X must be a dense array; pass X.toarray"):
        notes.forward(_params(), sp.csr_matrix(np.ones((2, 3))))
