"""The few array primitives the network's math is written over, for any namespace.

The forward and backward passes of :mod:`sk_shallow._network` are written
once, with the operations of an array namespace ``xp``: NumPy for NumPy
input (and scipy sparse ``X``), the input's own namespace under
scikit-learn's array API dispatch (PyTorch, CuPy, ...). What the array API
lacks, or what NumPy does faster another way, lives in the small helpers
below, in the shape of scikit-learn's ``_expit(x, out=None, xp=None)``: one
call in the math, a NumPy branch inside. For NumPy they write into buffers
kept between calls (``out=``) and take sparse matrices; for any other
namespace they allocate their results, so that they run wherever the data
lives (a GPU, for instance).

The one rule the math follows on every backend: an activation, a
derivative and the in-place operators (``A += b``) may overwrite their
array argument, and the result is what they return.
"""

import numpy as np
import scipy.sparse as sp
from scipy.special import log_expit as _log_expit_numpy
from scipy.special import xlogy as _xlogy_numpy
from sklearn.externals.array_api_compat import array_namespace
from sklearn.utils._array_api import _xlogy

try:  # newer scikit-learn (1.9): the helpers array API input is built on
    from sklearn.utils._array_api import _logsumexp
except ImportError:  # older: NumPy input only
    _logsumexp = None


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


def scratch(cache, key, shape, dtype, xp):
    """A reusable NumPy buffer from ``cache`` (a new one when the shape changed).

    None for other namespaces: their helpers allocate their results.
    """
    if xp is not np or cache is None:
        return None
    buf = cache.get(key)
    if buf is None or buf.shape != shape or buf.dtype != dtype:
        buf = cache[key] = np.empty(shape, dtype=dtype)
    return buf


def matmul(W, X, out=None):
    """``W @ X``, into ``out`` if given; ``X`` may be a scipy sparse matrix."""
    if out is None:
        return W @ X
    if isinstance(X, np.ndarray) or not sp.issparse(X):
        return np.matmul(W, X, out=out)
    out[...] = (X.T @ W.T).T
    return out


def transposed(A):
    """``A`` with its last two axes swapped: ``A.T`` of a matrix, of each in a stack."""
    return A.T if A.ndim == 2 else A.swapaxes(-1, -2)


def subtract(A, B, out=None):
    """``A - B``, into ``out`` if given (NumPy)."""
    return A - B if out is None else np.subtract(A, B, out=out)


def copy(A, xp, out=None):
    """A copy of ``A``: into ``out`` if given (NumPy), else a new array."""
    if out is None:
        return xp.asarray(A, copy=True)
    out[...] = A
    return out


def row_sums(A, cache, xp, out=None):
    """``sum(A, axis=1, keepdims=True)``: the notes' bias gradients.

    For NumPy a product with a column of ones, kept in ``cache``: BLAS's
    matrix-vector product beats NumPy's reduction along rows.
    """
    if xp is not np:
        return xp.sum(A, axis=1, keepdims=True)
    m = A.shape[-1]
    ones = cache.get("ones")
    if ones is None or ones.shape[0] != m or ones.dtype != A.dtype:
        ones = cache["ones"] = np.ones((m, 1), dtype=A.dtype)
    return np.matmul(A, ones, out=out)


def exp(Z, xp=np):
    """``exp(Z)``, in place for NumPy."""
    return np.exp(Z, out=Z) if xp is np else xp.exp(Z)


def log_expit(Z, xp, out=None):
    """``log sigma(z) = -log(1 + e^-z)``, finite for every finite ``z``.

    NumPy writes into ``out`` when given.
    """
    if xp is np:
        return _log_expit_numpy(Z, out=out)
    return -xp.logaddexp(xp.zeros_like(Z), -Z)


def xlogx(X, xp):
    """``x log x``, 0 where ``x = 0``."""
    return _xlogy_numpy(X, X) if xp is np else _xlogy(X, X, xp=xp)


def logsumexp_columns(Z, xp):
    """``log sum_k exp(z_k)`` of each column: :func:`scipy.special.logsumexp`.

    For NumPy its computation along the rows (``axis=-2``: each network of a
    stack too), for precision as SciPy does
    it: the column's largest values (``n`` of them) are kept out of the
    sum, which is ``max + log n + log1p(s / n)``, ``s`` the sum of the
    others' ``exp(z - max)``. Written out because SciPy's array API dispatch
    costs about 0.2 ms a call, ten times the arithmetic on a mini-batch of a
    few hundred examples. Other namespaces use scikit-learn's.
    """
    if xp is not np:
        return _logsumexp(Z, axis=0, xp=xp)
    top = Z.max(axis=-2)
    at_top = Z == top[..., None, :]
    n_top = at_top.sum(axis=-2, dtype=Z.dtype)
    rest = np.exp(Z - top[..., None, :])
    rest[at_top] = 0
    s = rest.sum(axis=-2)
    np.divide(s, n_top, out=s, where=s != 0)
    return np.log1p(s) + np.log(n_top) + top


def weighted_sum(values, weights, xp):
    """``sum_i w_i v_i`` (``sum_i v_i`` without weights).

    A Python float for NumPy; a 0-d array left on the device otherwise, so
    that the caller chooses when to wait for it.
    """
    if xp is np:
        return float(values.sum() if weights is None else weights @ values)
    return xp.sum(values) if weights is None else weights @ values


def sum_of_squares(W, xp):
    """``||W||^2``, summed over every entry."""
    return np.vdot(W, W) if xp is np else xp.sum(W * W)


#: The key of the parameters, and of their gradients and optimiser state,
#: when a solver steps on them as one vector (see :func:`one_vector`).
VECTOR = "vector"


def one_vector(params):
    """The parameters as a solver steps on them, and as the objective sees them.

    For NumPy, a copy of ``params`` packed into one vector ``theta``: the
    solver steps on ``{VECTOR: theta}``, one call per operation instead of
    one per array, and the objective sees views of it, keyed as ``params``
    (:func:`~sk_shallow._network.unpack`). Other namespaces are updated
    array by array, on ``params`` themselves.

    Parameters
    ----------
    params : dict
        ``W1 (n_h, n_x)``, ``b1 (n_h, 1)``, ``W2 (n_y, n_h)``, ``b2 (n_y, 1)``.

    Returns
    -------
    arrays : dict
        What an update rule steps on: ``{VECTOR: theta}`` with ``theta`` of
        shape (n_params,), or ``params``.
    views : dict
        The same values keyed as ``params``.
    """
    if not is_numpy(params["W1"]):
        return params, params
    from . import _network  # which is written over this module

    theta = _network.pack(params)
    return {VECTOR: theta}, _network.unpack(theta, params)
