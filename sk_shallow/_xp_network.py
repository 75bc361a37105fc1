"""Arrays of any array-API namespace (PyTorch, CuPy, ...): where they live, moves.

The network's math (:mod:`sk_shallow._network`) runs in the namespace of
its input; this module holds what the estimators need around it: the
namespace and device of an array, copies and conversions that NumPy spells
differently, moving arrays and fitted networks between the host and a
device (:func:`move_to`), and packing the parameters into one host vector.

The estimators take the array API path when scikit-learn's array API
dispatch is on (``sklearn.set_config(array_api_dispatch=True)``) and ``X``
is not a NumPy array. Targets are encoded on the host and the initial
weights are drawn there, with the NumPy path's random numbers, then moved
to ``X``'s device.
"""

import copy as _copy
import math

import numpy as np
from scipy.special import expit, log_softmax
from sklearn.externals.array_api_compat import device as device_of
from sklearn.utils._array_api import (
    _convert_to_numpy,
    _expit,
    _is_numpy_namespace,
    indexing_dtype,
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
from ._backend import is_numpy, log_expit, namespace
from ._network import PARAM_NAMES


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


def converted(estimator, converter):
    """A shallow copy of a fitted network whose arrays went through ``converter``.

    The weights, ``classes_`` (when numeric) and the optimiser's state; the
    host-side target encoding stays as it is. See :func:`move_to`.
    """
    new = _copy.copy(estimator)
    if hasattr(estimator, "_state"):
        state = new._state = _copy.copy(estimator._state)
        state.params = {k: converter(v) for k, v in state.params.items()}
        state.solver = convert_state(state.solver, converter)
        new.W1_, new.b1_, new.W2_, new.b2_ = (state.params[k] for k in PARAM_NAMES)
    classes = getattr(estimator, "classes_", None)
    if classes is not None and (not is_numpy(classes) or classes.dtype.kind in "biuf"):
        new.classes_ = converter(classes)
    return new


def all_finite(arrays):
    """Whether every value of every array is finite."""
    for a in arrays:
        xp = namespace(a)
        if not bool(xp.all(xp.isfinite(a))):
            return False
    return True


def row_means(Y, sample_weight=None):
    """The (weighted) mean of each row of ``Y``, as a float64 vector on the host.

    Only the ``n_y`` means cross from the device.
    """
    xp = namespace(Y)
    if sample_weight is None:
        total, S = xp.sum(Y, axis=1), Y.shape[1]
    else:
        total, S = Y @ sample_weight, _network.weight_sum(sample_weight, 0)
    return np.asarray(to_host(total), dtype=np.float64) / S


def predicted_labels(Z2, classes, binary, multilabel):
    """``predict`` from the output pre-activation ``Z2`` (n_outputs, m).

    Labels from ``classes``, or a 0/1 indicator matrix of shape
    (m, n_labels) for ``multilabel``. Off NumPy, as scikit-learn's linear
    classifiers: in the namespace and on the device of ``Z2``, where
    ``classes`` lives too or is numeric; non-numeric labels stay on the host.
    """
    xp = namespace(Z2)
    if xp is np:
        if multilabel:
            return (Z2.T > 0).astype(int)
        return (
            classes[(Z2[0] > 0).astype(int)] if binary else classes[Z2.argmax(axis=0)]
        )
    if multilabel:
        return xp.astype(Z2.T > 0, xp.int64)
    device = device_of(Z2)
    scores = Z2[0, :] > 0 if binary else xp.argmax(Z2, axis=0)
    indices = xp.astype(scores, indexing_dtype(xp))
    if is_numpy(classes):  # labels that stayed on the host
        y_pred = classes[to_host(indices)]
        if y_pred.dtype.kind not in "biuf":
            return y_pred
        return xp.asarray(y_pred, device=device)
    return xp.take(to_namespace(classes, xp, device), indices, axis=0)


def class_probabilities(Z2, A2, binary, multilabel):
    """``predict_proba`` from the output layer, in the namespace of ``Z2``.

    Parameters
    ----------
    Z2, A2 : array of shape (n_outputs, m)
        The output layer's pre-activation and activation.
    binary : bool
        One sigmoid output for two classes: the columns are ``sigma(-z)``
        (rather than ``1 - sigma(z)``, which rounds to 0) and ``sigma(z)``.
    multilabel : bool
        Sigmoid outputs, one per label: kept below 1 by half an epsilon.

    Returns
    -------
    proba : array of shape (m, n_classes)
        At least the dtype's smallest normal number, so that its logarithm
        is finite; C-contiguous for NumPy.
    """
    xp = namespace(Z2)
    if xp is not np:
        if binary:
            # 1 / (1 + e^z): e^z overflows to inf far from the data, and the
            # probability is 0 (then the smallest normal number), no warning.
            with np.errstate(over="ignore"):
                A2 = xp.stack([_expit(-Z2[0, :], xp=xp), A2[0, :]])
        finfo = xp.finfo(A2.dtype)
        top = 1 - finfo.eps / 2 if multilabel else None
        return xp.clip(A2.T, min=finfo.smallest_normal, max=top)
    proba = np.vstack([expit(-Z2[0]), A2[0]]).T if binary else A2.T
    proba = np.maximum(proba, np.finfo(proba.dtype).tiny, order="C")
    if multilabel:
        np.minimum(proba, 1 - np.finfo(proba.dtype).epsneg, out=proba)
    return proba


def log_class_probabilities(Z2, binary, softmax):
    """``predict_log_proba`` from ``Z2`` (n_outputs, m), without rounding.

    At least the logarithm of the dtype's smallest normal number, as
    :func:`class_probabilities` is at least that number; of shape
    (m, n_classes), in the namespace of ``Z2``.
    """
    xp = namespace(Z2)
    if xp is not np:
        if binary:
            Z2 = xp.stack([-Z2[0, :], Z2[0, :]])
        if softmax:
            log_proba = (Z2 - _logsumexp(Z2, axis=0, xp=xp)).T
        else:
            log_proba = log_expit(Z2, xp).T
        floor = math.log(xp.finfo(log_proba.dtype).smallest_normal)
        return xp.clip(log_proba, min=floor)
    if binary:
        log_proba = np.vstack([log_expit(-Z2[0], np), log_expit(Z2[0], np)]).T
    elif softmax:
        log_proba = log_softmax(Z2, axis=0).T
    else:
        log_proba = log_expit(Z2, np).T
    floor = np.log(np.finfo(log_proba.dtype).tiny)
    return np.maximum(log_proba, floor, order="C")


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
