"""Small helpers shared by the test modules."""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

#: The fitted parameters, in the notes' names.
PARAMS = ("W1_", "b1_", "W2_", "b2_")


def quiet_fit(est, *args, **kwargs):
    """``est.fit(*args, **kwargs)`` without the ConvergenceWarning of short runs."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(*args, **kwargs)


def notes_gradient_descent(X, Y, n_h, n_iter, learning_rate, seed):
    """The notes' algorithm, written out with plain NumPy (column layout)."""
    np.random.seed(seed)
    W1 = np.random.randn(n_h, X.shape[0]) * 0.01
    b1 = np.zeros((n_h, 1))
    W2 = np.random.randn(Y.shape[0], n_h) * 0.01
    b2 = np.zeros((Y.shape[0], 1))
    m = X.shape[1]
    costs = []
    for _ in range(n_iter):
        A1 = np.tanh(W1 @ X + b1)
        A2 = 1 / (1 + np.exp(-(W2 @ A1 + b2)))
        costs.append(-np.sum(Y * np.log(A2) + (1 - Y) * np.log(1 - A2)) / m)
        dZ2 = A2 - Y
        dW2 = dZ2 @ A1.T / m
        db2 = np.sum(dZ2, axis=1, keepdims=True) / m
        dZ1 = W2.T @ dZ2 * (1 - A1**2)
        dW1 = dZ1 @ X.T / m
        db1 = np.sum(dZ1, axis=1, keepdims=True) / m
        W1, b1 = W1 - learning_rate * dW1, b1 - learning_rate * db1
        W2, b2 = W2 - learning_rate * dW2, b2 - learning_rate * db2
    return (W1, b1, W2, b2), costs


def before_every_pass(monkeypatch, hook):
    """Call ``hook()`` before every forward-and-backward pass of a fit.

    A pass is a call of the objective, or of its flat pass, which
    gradient descent's steps call directly.
    """
    from sk_shallow._network import FlatPass
    from sk_shallow._objective import Objective

    for cls in (Objective, FlatPass):
        original = cls.__call__

        def call(*args, _original=original, **kwargs):
            hook()
            return _original(*args, **kwargs)

        monkeypatch.setattr(cls, "__call__", call)
