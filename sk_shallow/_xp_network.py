"""The network's math for any array-API namespace (PyTorch, CuPy, ...).

The same forward pass, cost and backward pass as :mod:`sk_shallow._network`,
in the same ``(n_features, m)`` layout and under the same names, written only
with the operations of an array namespace ``xp`` so that they run wherever
the data lives (a GPU, for instance). :mod:`sk_shallow._network` stays the
path for NumPy input: it works in place in reused buffers, which the array
API does not offer; this module allocates its temporaries instead.

The estimators use this module when scikit-learn's array API dispatch is on
(``sklearn.set_config(array_api_dispatch=True)``) and ``X`` is not a NumPy
array. Targets are encoded on the host and the initial weights are drawn
there, with the NumPy path's random numbers, then moved to ``X``'s device.
"""

import copy as _copy

import numpy as np
from sklearn.externals.array_api_compat import array_namespace
from sklearn.externals.array_api_compat import device as device_of
from sklearn.utils._array_api import (
    _convert_to_numpy,
    _expit,
    _is_numpy_namespace,
    _xlogy,
)

try:  # newer scikit-learn (1.9): the helpers array API input is built on
    from sklearn.utils._array_api import (
        _logsumexp,
        check_same_namespace,
        supported_float_dtypes,
    )

    #: Whether this scikit-learn can give the estimators array API input.
    SUPPORTED = True
except ImportError:  # older: NumPy input only, and the tag says so
    _logsumexp = check_same_namespace = supported_float_dtypes = None
    SUPPORTED = False

from . import _network
from ._activations import LEAKY_SLOPE
from ._network import PARAM_NAMES


def namespace(array):
    """NumPy for a NumPy array (or sparse matrix), else the array's namespace."""
    if isinstance(array, np.ndarray) or not hasattr(array, "__dlpack__"):
        return np
    try:
        return array_namespace(array)
    except TypeError:  # not an array API array: NumPy converts it
        return np


def is_numpy(array):
    """Whether ``array`` takes the NumPy path."""
    return namespace(array) is np


def copy(array):
    """A copy of ``array`` in its own namespace (``.copy()`` is NumPy's only)."""
    if isinstance(array, np.ndarray):
        return array.copy()
    return namespace(array).asarray(array, copy=True)


def copyto(dst, src):
    """Copy ``src`` into ``dst`` in place (``np.copyto`` for NumPy)."""
    if isinstance(dst, np.ndarray):
        np.copyto(dst, src)
    else:
        dst[...] = src


def astype(array, dtype):
    """``array`` converted to the NumPy ``dtype``'s counterpart in its namespace."""
    if isinstance(array, np.ndarray):
        return array.astype(dtype)
    xp = namespace(array)
    return xp.astype(array, getattr(xp, np.dtype(dtype).name))


def max_value(array):
    """The largest value of ``array`` as a Python float."""
    if isinstance(array, np.ndarray):
        return array.max()
    return float(namespace(array).max(array))


def to_host(array):
    """``array`` as a NumPy array on the host; NumPy input, None and lists as given."""
    if is_numpy(array):
        return array
    return _convert_to_numpy(array, namespace(array))


def to_namespace(array, xp, device=None):
    """``array`` in the namespace ``xp`` (a module or its wrapper), on ``device``.

    Goes through the host unless it is there already: meant for parameters,
    which are small.
    """
    if _is_numpy_namespace(xp):
        return to_host(array)
    if not is_numpy(array) and namespace(array) is namespace(xp.asarray(0)):
        if device is None or device_of(array) == device:
            return array
    return xp.asarray(to_host(array), device=device)


def take(array, indices, axis=0):
    """``array[indices]`` along ``axis`` for host ``indices``; NumPy/sparse as is."""
    if is_numpy(array):
        return array[indices] if axis == 0 else array[:, indices]
    xp = namespace(array)
    return xp.take(array, xp.asarray(indices, device=device_of(array)), axis=axis)


def transpose(A):
    """``A.T``, C-contiguous for NumPy (the estimators' outputs are samples-first)."""
    return np.ascontiguousarray(A.T) if is_numpy(A) else A.T


def convert_state(obj, converter):
    """A shallow copy of a solver whose dicts of arrays went through ``converter``.

    Recurses into the solver's parts defined in this package (its update rule).
    """
    new = _copy.copy(obj)
    for k, v in vars(obj).items():
        arrays = isinstance(v, dict) and v
        if arrays and all(hasattr(a, "__dlpack__") for a in v.values()):
            setattr(new, k, {n: converter(a) for n, a in v.items()})
        elif type(v).__module__.startswith(__name__.rpartition(".")[0]):
            setattr(new, k, convert_state(v, converter))
    return new


def all_finite(arrays):
    """Whether every value of every array is finite."""
    for a in arrays:
        xp = namespace(a)
        if not bool(xp.all(xp.isfinite(a))):
            return False
    return True


# --------------------------------------------------------------------------
# Activations and their derivatives from the output (notes 3.6, 3.8)
# --------------------------------------------------------------------------
def log_expit(Z, xp):
    """``log sigma(z) = -log(1 + e^-z)``, finite for every finite ``z``."""
    return -xp.logaddexp(xp.zeros_like(Z), -Z)


def _softmax(Z, xp):
    E = xp.exp(Z - xp.max(Z, axis=0, keepdims=True))
    return E / xp.sum(E, axis=0, keepdims=True)


ACTIVATIONS = {
    "identity": lambda Z, xp: Z,
    "sigmoid": lambda Z, xp: _expit(Z, xp=xp),
    "tanh": lambda Z, xp: xp.tanh(Z),
    "relu": lambda Z, xp: xp.clip(Z, min=0),
    "leaky_relu": lambda Z, xp: xp.where(Z > 0, Z, Z * LEAKY_SLOPE),
}

DERIVATIVES = {
    "identity": lambda A, xp: xp.ones_like(A),
    "sigmoid": lambda A, xp: A * (1 - A),
    "tanh": lambda A, xp: 1 - A * A,
    "relu": lambda A, xp: xp.astype(A > 0, A.dtype),
    "leaky_relu": lambda A, xp: (
        xp.astype(A > 0, A.dtype) * (1 - LEAKY_SLOPE) + LEAKY_SLOPE
    ),
}

OUTPUT_ACTIVATIONS = {
    "sigmoid": ACTIVATIONS["sigmoid"],
    "softmax": _softmax,
    "identity": ACTIVATIONS["identity"],
    "exp": lambda Z, xp: xp.exp(Z),
}


# --------------------------------------------------------------------------
# Per-example losses from Z2 (see sk_shallow._network for the formulas)
# --------------------------------------------------------------------------
def binary_cross_entropy(Y, Z2, xp):
    """``(1 - y) z - log sigma(z)``, summed over outputs."""
    return xp.sum((1 - Y) * Z2 - log_expit(Z2, xp), axis=0)


def categorical_cross_entropy(Y, Z2, xp):
    """``logsumexp(z) - sum_k y_k z_k``."""
    return _logsumexp(Z2, axis=0, xp=xp) - xp.sum(Y * Z2, axis=0)


def half_squared_error(Y, Z2, xp):
    """``0.5 * sum_k (y_k - z_k)^2``."""
    diff = Y - Z2
    return 0.5 * xp.sum(diff * diff, axis=0)


def half_poisson_deviance(Y, Z2, xp):
    """``y log y - y z - y + exp(z)``, summed over outputs."""
    return xp.sum(_xlogy(Y, Y, xp=xp) - Y * Z2 - Y + xp.exp(Z2), axis=0)


LOSSES = {
    "sigmoid": binary_cross_entropy,
    "softmax": categorical_cross_entropy,
    "identity": half_squared_error,
    "exp": half_poisson_deviance,
}


# --------------------------------------------------------------------------
# Forward, cost, backward
# --------------------------------------------------------------------------
def forward(params, X, activation, output):
    """Forward pass, notes 3.4-3.5, in the namespace of ``X``.

    Parameters
    ----------
    params : dict
        ``W1 (n_h, n_x)``, ``b1 (n_h, 1)``, ``W2 (n_y, n_h)``, ``b2 (n_y, 1)``,
        in the namespace and on the device of ``X``.
    X : array of shape (n_x, m)
        One example per column.
    activation, output : str

    Returns
    -------
    cache : dict
        ``A1 (n_h, m)``, ``Z2 (n_y, m)`` and ``A2 (n_y, m)``.
    """
    xp = namespace(X)
    W1, b1, W2, b2 = (params[k] for k in PARAM_NAMES)
    A1 = ACTIVATIONS[activation](W1 @ X + b1, xp)
    Z2 = W2 @ A1 + b2
    return {"A1": A1, "Z2": Z2, "A2": OUTPUT_ACTIVATIONS[output](Z2, xp)}


def sw_sum(sample_weight, m):
    if sample_weight is None:
        return m
    return float(namespace(sample_weight).sum(sample_weight))


def row_means(Y, sample_weight=None):
    """The (weighted) mean of each row of ``Y``, as a float64 vector on the host.

    Only the ``n_y`` means cross from the device.
    """
    xp = namespace(Y)
    if sample_weight is None:
        total, S = xp.sum(Y, axis=1), Y.shape[1]
    else:
        total, S = Y @ sample_weight, sw_sum(sample_weight, 0)
    return np.asarray(to_host(total), dtype=np.float64) / S


def _cost_sum(params, Y, cache, output, alpha, sample_weight):
    """``S J``: the (weighted) loss sum plus the penalty, left on the device."""
    xp = namespace(Y)
    losses = LOSSES[output](Y, cache["Z2"], xp)
    total = xp.sum(losses if sample_weight is None else sample_weight * losses)
    if alpha:
        W1, W2 = params["W1"], params["W2"]
        total = total + alpha / 2 * (xp.sum(W1 * W1) + xp.sum(W2 * W2))
    return total


def cost(params, Y, cache, output, alpha=0.0, sample_weight=None):
    """Cost ``J``: the (weighted) mean loss plus the L2 penalty, as a float.

    Parameters
    ----------
    params : dict
    Y : array of shape (n_y, m)
    cache : dict
        Output of :func:`forward`.
    output : str
    alpha : float, default=0.0
    sample_weight : array of shape (m,), optional

    Returns
    -------
    J : float
    """
    S = sw_sum(sample_weight, Y.shape[1])
    return float(_cost_sum(params, Y, cache, output, alpha, sample_weight)) / S


def backward(params, X, Y, cache, activation, alpha=0.0, sample_weight=None, S=None):
    """Backward pass, notes 3.9-3.10, in the namespace of ``X``.

    Parameters
    ----------
    params : dict
    X : array of shape (n_x, m)
    Y : array of shape (n_y, m)
    cache : dict
        Output of :func:`forward`.
    activation : str
    alpha : float, default=0.0
    sample_weight : array of shape (m,), optional
    S : float, optional
        The total sample weight (``m`` unweighted), if known already.

    Returns
    -------
    grads : dict
        ``dW1, db1, dW2, db2`` under the keys ``W1, b1, W2, b2``.
    """
    xp = namespace(X)
    W1, W2 = params["W1"], params["W2"]
    A1 = cache["A1"]
    if S is None:
        S = sw_sum(sample_weight, A1.shape[1])
    dZ2 = cache["A2"] - Y
    if sample_weight is not None:
        dZ2 = dZ2 * sample_weight
    dZ1 = (W2.T @ dZ2) * DERIVATIVES[activation](A1, xp)
    grads = {
        "W1": dZ1 @ X.T,
        "b1": xp.sum(dZ1, axis=1, keepdims=True),
        "W2": dZ2 @ A1.T,
        "b2": xp.sum(dZ2, axis=1, keepdims=True),
    }
    if alpha:
        grads["W1"] = grads["W1"] + alpha * W1
        grads["W2"] = grads["W2"] + alpha * W2
    return {k: g / S for k, g in grads.items()}


def loss_and_gradients(
    params, X, Y, activation, output, alpha=0.0, sample_weight=None, S=None
):
    """One forward pass, its cost, and one backward pass: ``(J, grads)``.

    The cost is read back once the backward pass is queued: the host waits
    for the device once per call, and the device does not idle while the
    host queues the backward pass. ``S``: the total sample weight, if known.
    """
    cache = forward(params, X, activation, output)
    if S is None:
        S = sw_sum(sample_weight, Y.shape[1])
    total = _cost_sum(params, Y, cache, output, alpha, sample_weight)
    grads = backward(params, X, Y, cache, activation, alpha, sample_weight, S)
    return float(total) / S, grads


def predict_output(params, X, activation, output):
    """``(Z2, A2)`` for ``X`` of shape (n_x, m)."""
    cache = forward(params, X, activation, output)
    return cache["Z2"], cache["A2"]


class Objective:
    """:class:`sk_shallow._solvers.Objective` for arrays of any namespace.

    Same seam: ``objective(params, batch=None) -> (J, grads)`` and
    ``objective.n_samples``. ``batch`` (a slice or host indices into the
    columns) is moved to the data's device.
    """

    def __init__(self, X, Y, sample_weight, activation, output, alpha):
        self.X, self.Y, self.sample_weight = X, Y, sample_weight
        self.activation, self.output, self.alpha = activation, output, alpha
        self.n_samples = Y.shape[1]
        # The whole data's total weight, read from the device once.
        self._S = sw_sum(sample_weight, self.n_samples)

    def __call__(self, params, batch=None):
        """``(J, grads)`` on the columns ``batch``; grads None if it weighs 0."""
        X, Y, sw, S = self.X, self.Y, self.sample_weight, self._S
        if batch is not None:
            S = None
            if isinstance(batch, slice):
                X, Y = X[:, batch], Y[:, batch]
                sw = None if sw is None else sw[batch]
            else:
                X, Y = take(X, batch, axis=1), take(Y, batch, axis=1)
                sw = None if sw is None else take(sw, batch)
            if sw is not None:
                S = sw_sum(sw, 0)
                if not S > 0:
                    return 0.0, None
        return loss_and_gradients(
            params, X, Y, self.activation, self.output, self.alpha, sw, S
        )


# --------------------------------------------------------------------------
# Moving parameters between the device and the host
# --------------------------------------------------------------------------
def pack(params):
    """The parameters as one float64 NumPy vector on the host (``W1, b1, W2, b2``)."""
    xp = namespace(params["W1"])
    if xp is np:  # NumPy before 2.0 has no concat
        return np.asarray(_network.pack(params), dtype=np.float64)
    flat = xp.concat([xp.reshape(params[k], (-1,)) for k in PARAM_NAMES])
    return np.asarray(to_host(flat), dtype=np.float64)


def unpack(theta, like):
    """A host vector made by :func:`pack` as arrays shaped and placed like ``like``."""
    W1 = like["W1"]
    xp, dev = namespace(W1), device_of(W1)
    if xp is np:  # NumPy before 2.0 takes no device: views of a copy of theta
        return dict(_network.unpack(np.array(theta, dtype=W1.dtype), like))
    flat = xp.asarray(np.asarray(theta, dtype=np.float64), device=dev)
    flat = xp.astype(flat, W1.dtype)
    out, start = {}, 0
    for k in PARAM_NAMES:
        shape = like[k].shape
        size = int(np.prod(shape))
        out[k] = xp.reshape(flat[start : start + size], shape)
        start += size
    return out


def move_to(estimator, xp, device=None):
    """A copy of a fitted network whose arrays live in ``xp``, on ``device``.

    For example, fit on a GPU and serve with NumPy:
    ``move_to(clf, numpy)``; or the way back: ``move_to(clf, torch, "cuda")``.

    Parameters
    ----------
    estimator : ShallowNetClassifier or ShallowNetRegressor
        A fitted network.
    xp : module or array
        The target namespace (``numpy``, ``torch``, ``cupy``,
        ``array_api_strict``, ...), or an array whose namespace and device to
        follow.
    device : device or str, optional
        Target device, as ``xp.asarray(..., device=device)`` takes it; by
        default the array's own, or the namespace's default.

    Returns
    -------
    moved : estimator
        A shallow copy sharing everything but the moved arrays: the weights,
        ``classes_`` when numeric and the optimiser's state (so that
        ``partial_fit`` carries on where it is moved).
    """
    if hasattr(xp, "__dlpack__"):
        device = device_of(xp) if device is None else device
        xp = namespace(xp)
    return estimator.__sklearn_array_api_convert__(
        lambda a: to_namespace(a, xp, device)
    )
