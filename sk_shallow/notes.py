"""The notes' equations as plain functions, in the notes' column layout.

``X`` is ``(n_features, m)`` with one example per column, ``Y`` is
``(n_outputs, m)``, and the parameters are a dict ``{"W1", "b1", "W2",
"b2"}`` with the notes' shapes. These are the functions the estimators train
with, wrapped so that they return new arrays (the estimators' own calls work
in place in reused buffers): read them beside the notes, or use them to
compute one step by hand.

Forward pass (notes 3.4-3.5)::

    Z1 = W1 X + b1        A1 = g(Z1)            # (n_hidden, m)
    Z2 = W2 A1 + b2       A2 = sigma(Z2)        # (n_outputs, m)

Backward pass (notes 3.9-3.10)::

    dZ2 = A2 - Y
    dW2 = dZ2 A1^T / m                   db2 = sum(dZ2, axis=1) / m
    dZ1 = W2^T dZ2 * g'(Z1)
    dW1 = dZ1 X^T / m                    db1 = sum(dZ1, axis=1) / m
"""

from numbers import Real

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_random_state

from . import _network
from ._activations import ACTIVATIONS, DERIVATIVES
from ._base import INITS

__all__ = [
    "ACTIVATION_NAMES",
    "OUTPUT_NAMES",
    "activation",
    "activation_derivative",
    "backward",
    "cost",
    "forward",
    "initialize",
]

#: The hidden activations of notes section 3.6 (and the identity of 3.7).
ACTIVATION_NAMES = tuple(ACTIVATIONS)
#: Output layers: ``"sigmoid"`` (two classes), ``"softmax"`` (more),
#: ``"identity"`` (regression), ``"exp"`` (Poisson regression).
OUTPUT_NAMES = tuple(_network.OUTPUTS)


def _check_name(name, names, what):
    """Raise a ValueError naming ``name`` unless it is one of ``names``."""
    if name not in names:
        raise ValueError(f"Unknown {what} {name!r}; expected one of {list(names)}.")


def _float_array(values, name):
    """``values`` as a new float64 array; a ValueError if not all finite."""
    if sp.issparse(values):
        raise TypeError(f"{name} must be a dense array; pass {name}.toarray().")
    array = np.array(values, dtype=np.float64)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinity.")
    return array


def _check_params(params):
    """The four parameters as float64 arrays of the notes' shapes.

    A ValueError if one is missing or if their shapes disagree: a ``b1`` of
    shape ``(n_h,)`` would otherwise broadcast along the examples.
    """
    missing = [k for k in _network.PARAM_NAMES if k not in params]
    if missing:
        raise ValueError(f"params lacks {missing}; it needs W1, b1, W2 and b2.")
    params = {k: _float_array(params[k], k) for k in _network.PARAM_NAMES}
    W1, W2 = params["W1"], params["W2"]
    if W1.ndim != 2 or W2.ndim != 2 or W2.shape[1] != W1.shape[0]:
        raise ValueError(
            f"W1 must be (n_h, n_x) and W2 (n_y, n_h); got shapes {W1.shape} "
            f"and {W2.shape}."
        )
    for b, W in (("b1", W1), ("b2", W2)):
        if params[b].shape != (W.shape[0], 1):
            raise ValueError(
                f"{b} must be a column of shape {(W.shape[0], 1)}; got shape "
                f"{params[b].shape}."
            )
    return params


def _check_columns(params, X, Y=None):
    """``X`` (and ``Y``) as float64 arrays of the shapes ``params`` expects."""
    X = _float_array(X, "X")
    if X.ndim != 2 or X.shape[0] != params["W1"].shape[1] or X.shape[1] < 1:
        raise ValueError(
            f"X must be (n_features, m) with n_features = {params['W1'].shape[1]} "
            f"(W1's columns) and m >= 1 examples, got shape {X.shape}."
        )
    if Y is None:
        return X, None
    Y = _float_array(Y, "Y")
    if Y.shape != (params["W2"].shape[0], X.shape[1]):
        raise ValueError(
            f"Y must be (n_outputs, m) = {(params['W2'].shape[0], X.shape[1])}, "
            f"got shape {Y.shape}."
        )
    return X, Y


def _check_problem(params, X, Y, activation, output):
    """The names, ``params``, ``X`` and ``Y`` (unless None), checked.

    The Poisson deviance of ``"exp"`` is defined for counts: a negative
    target is a ValueError rather than a NaN cost.
    """
    _check_name(activation, ACTIVATION_NAMES, "activation")
    _check_name(output, OUTPUT_NAMES, "output")
    params = _check_params(params)
    X, Y = _check_columns(params, X, Y)
    if output == "exp" and Y is not None and np.any(Y < 0):
        raise ValueError('output="exp" (Poisson) needs non-negative targets Y.')
    return params, X, Y


def _finite(compute, what):
    """``compute()``, a ValueError naming ``what`` if any value overflowed.

    Quiet: large parameters or inputs give a clear error, not NumPy's
    overflow warnings and infinite or NaN results.
    """
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        result = compute()
    values = result.values() if isinstance(result, dict) else (result,)
    if not all(np.all(np.isfinite(v)) for v in values):
        raise ValueError(
            f"{what} is not finite: the parameters or X are too large in size "
            "for float64. Scale X, or start from smaller weights."
        )
    return result


def activation(z, name="tanh"):
    """The hidden activation ``g(z)`` of notes section 3.6, elementwise.

    Parameters
    ----------
    z : array-like of any shape
        Pre-activations.
    name : {"identity", "sigmoid", "tanh", "relu", "leaky_relu"}, default="tanh"

    Returns
    -------
    a : ndarray of the shape of ``z``
        ``g(z)``, a new float64 array.

    Examples
    --------
    >>> from sk_shallow.notes import activation
    >>> activation([-1.0, 0.0, 2.0], "relu")
    array([0., 0., 2.])
    """
    _check_name(name, ACTIVATION_NAMES, "activation")
    return ACTIVATIONS[name](np.array(z, dtype=np.float64))


def activation_derivative(a, name="tanh"):
    """``g'(z)`` written, as in notes section 3.8, in terms of ``a = g(z)``.

    ``a (1 - a)`` for sigmoid, ``1 - a^2`` for tanh, ``1`` where ``a > 0``
    for the ReLUs (else 0, or 0.01 for leaky ReLU), and 1 for the identity.

    Parameters
    ----------
    a : array-like of any shape
        Activations, the output of :func:`activation`.
    name : {"identity", "sigmoid", "tanh", "relu", "leaky_relu"}, default="tanh"

    Returns
    -------
    derivative : ndarray of the shape of ``a``
        ``g'(z)``, a new float64 array.

    Examples
    --------
    >>> from sk_shallow.notes import activation, activation_derivative
    >>> activation_derivative(activation([0.0]), "tanh")
    array([1.])
    """
    _check_name(name, ACTIVATION_NAMES, "activation")
    return DERIVATIVES[name](np.array(a, dtype=np.float64))


def initialize(n_x, n_h, n_y, random_state=None, *, init="normal", init_scale=0.01):
    """The initial parameters, drawn as the estimators draw them (notes 3.11).

    Parameters
    ----------
    n_x, n_h, n_y : int
        Input features ``n[0]``, hidden units ``n[1]`` and outputs ``n[2]``.
    random_state : int, RandomState instance or None, default=None
        ``random_state=2`` gives ``np.random.seed(2)`` followed by the notes'
        two draws.
    init : {"normal", "glorot", "he", "zeros"}, default="normal"
        ``"normal"`` is the notes' ``randn * init_scale``.
    init_scale : float, default=0.01
        Scale of the ``"normal"`` draw, the notes' 0.01.

    Returns
    -------
    params : dict
        ``W1 (n_h, n_x)``, ``b1 (n_h, 1)``, ``W2 (n_y, n_h)``, ``b2 (n_y, 1)``.

    Examples
    --------
    >>> from sk_shallow.notes import initialize
    >>> {k: v.shape for k, v in initialize(2, 4, 1, random_state=2).items()}
    {'W1': (4, 2), 'b1': (4, 1), 'W2': (1, 4), 'b2': (1, 1)}
    """
    for name, n in (("n_x", n_x), ("n_h", n_h), ("n_y", n_y)):
        if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 1:
            raise ValueError(f"{name} must be a positive integer, got {n!r}.")
    _check_name(init, INITS, "init")
    if not (isinstance(init_scale, Real) and 0 < init_scale < np.inf):
        raise ValueError(
            f"init_scale must be a positive finite number, got {init_scale!r}."
        )
    with np.errstate(over="ignore", invalid="ignore"):
        params = _network.initialize(
            n_x,
            n_h,
            n_y,
            check_random_state(random_state),
            init=init,
            init_scale=init_scale,
        )
    if not all(np.isfinite(v).all() for v in params.values()):
        raise ValueError(
            f"init_scale={init_scale} gives non-finite initial weights; use a "
            "smaller init_scale."
        )
    return params


def forward(params, X, activation="tanh", output="sigmoid"):
    """The forward pass of notes 3.4-3.5, all examples at once.

    Parameters
    ----------
    params : dict
        ``W1 (n_h, n_x)``, ``b1 (n_h, 1)``, ``W2 (n_y, n_h)``, ``b2 (n_y, 1)``.
    X : array-like of shape (n_x, m)
        One example per column.
    activation : str, default="tanh"
        The hidden activation, one of :data:`ACTIVATION_NAMES`.
    output : str, default="sigmoid"
        The output layer, one of :data:`OUTPUT_NAMES`.

    Returns
    -------
    cache : dict
        ``A1 (n_h, m)``, ``Z2 (n_y, m)`` and ``A2 (n_y, m)``, new arrays.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_shallow.notes import forward, initialize
    >>> params = initialize(2, 4, 1, random_state=0)
    >>> forward(params, np.zeros((2, 3)))["A2"]
    array([[0.5, 0.5, 0.5]])
    """
    params, X, _ = _check_problem(params, X, None, activation, output)
    return _finite(
        lambda: _network.forward(params, X, activation, output), "The forward pass"
    )


def cost(params, X, Y, activation="tanh", output="sigmoid"):
    """The cost ``J``, the mean loss over the ``m`` examples (notes 3.9).

    Parameters
    ----------
    params : dict
        ``W1 (n_h, n_x)``, ``b1 (n_h, 1)``, ``W2 (n_y, n_h)``, ``b2 (n_y, 1)``.
    X : array-like of shape (n_x, m)
        One example per column.
    Y : array-like of shape (n_y, m)
        Targets: 0/1 for ``"sigmoid"``, one-hot columns for ``"softmax"``.
    activation : str, default="tanh"
        The hidden activation, one of :data:`ACTIVATION_NAMES`.
    output : str, default="sigmoid"
        The output layer, one of :data:`OUTPUT_NAMES`.

    Returns
    -------
    J : float
        For ``"sigmoid"``, the cross-entropy
        ``-1/m sum(Y log A2 + (1 - Y) log(1 - A2))``.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_shallow.notes import cost, initialize
    >>> params = initialize(2, 4, 1, init="zeros")
    >>> round(cost(params, np.ones((2, 5)), np.ones((1, 5))), 6)  # log 2
    0.693147
    """
    params, X, Y = _check_problem(params, X, Y, activation, output)
    return _finite(lambda: _cost(params, X, Y, activation, output), "The cost")


def _cost(params, X, Y, activation, output):
    cache = _network.forward(params, X, activation, output)
    return _network.cost(params, Y, cache, output)


def backward(params, X, Y, activation="tanh", output="sigmoid"):
    """The gradients of :func:`cost`, by the backward pass of notes 3.9-3.10.

    Parameters
    ----------
    params : dict
        ``W1 (n_h, n_x)``, ``b1 (n_h, 1)``, ``W2 (n_y, n_h)``, ``b2 (n_y, 1)``.
    X : array-like of shape (n_x, m)
        One example per column.
    Y : array-like of shape (n_y, m)
        Targets: 0/1 for ``"sigmoid"``, one-hot columns for ``"softmax"``.
    activation : str, default="tanh"
        The hidden activation, one of :data:`ACTIVATION_NAMES`.
    output : str, default="sigmoid"
        The output layer, one of :data:`OUTPUT_NAMES`.

    Returns
    -------
    grads : dict
        ``dW1``, ``db1``, ``dW2``, ``db2`` under the keys ``W1``, ``b1``,
        ``W2``, ``b2``, each of its parameter's shape.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_shallow.notes import backward, initialize
    >>> grads = backward(initialize(2, 4, 1, random_state=0), np.ones((2, 5)),
    ...                  np.ones((1, 5)))
    >>> grads["W1"].shape
    (4, 2)
    """
    params, X, Y = _check_problem(params, X, Y, activation, output)
    return _finite(
        lambda: _gradients(params, X, Y, activation, output), "The backward pass"
    )


def _gradients(params, X, Y, activation, output):
    cache = _network.forward(params, X, activation, output)
    grads = _network.backward(params, X, Y, cache, activation)
    return {k: np.array(v) for k, v in grads.items()}
