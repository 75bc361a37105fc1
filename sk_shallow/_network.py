"""The one-hidden-layer network of the notes as pure functions.

Everything here works in the notes' column layout: ``X`` is
``(n_features, m)`` with one example per column, ``Y`` is ``(n_outputs, m)``,
and the parameters live in a dict ``{"W1", "b1", "W2", "b2"}`` with the notes'
shapes. Nothing here knows about scikit-learn; the estimators transpose their
``(n_samples, n_features)`` input once and call these functions.

Forward pass (notes 3.4-3.5)::

    Z1 = W1 X + b1        A1 = g(Z1)            # (n_hidden, m)
    Z2 = W2 A1 + b2       A2 = sigma(Z2)        # (n_outputs, m)

Backward pass (notes 3.9-3.10), with per-example weights ``s`` summing to
``S`` (``s = 1`` and ``S = m`` reproduce the notes exactly)::

    dZ2 = (A2 - Y) * s
    dW2 = (dZ2 A1^T + alpha W2) / S      db2 = sum(dZ2, axis=1) / S
    dZ1 = W2^T dZ2 * g'(Z1)
    dW1 = (dZ1 X^T + alpha W1) / S       db1 = sum(dZ1, axis=1) / S
"""

import numpy as np
import scipy.sparse as sp
from scipy.special import entr, log_expit, xlogy

from ._activations import ACTIVATIONS, DERIVATIVES, OUTPUT_ACTIVATIONS

PARAM_NAMES = ("W1", "b1", "W2", "b2")


# --------------------------------------------------------------------------
# Output layers: per-example loss from the output pre-activation Z2.
# Working from Z2 rather than from the probabilities A2 keeps the
# cross-entropies finite for any finite Z2 (no log(0), no overflow). The
# squared error and the Poisson deviance can overflow (exp(800), 1e200 ** 2)
# only where the outputs are hopeless; training reports such a cost as
# divergence, and prediction raises on non-finite outputs.
# --------------------------------------------------------------------------
def binary_cross_entropy(Y, Z2):
    """``-(y log a + (1-y) log(1-a))`` with ``a = sigma(z)``, summed over outputs.

    Uses ``log(1 - sigma(z)) = log sigma(z) - z``, so only one
    :func:`scipy.special.log_expit` is needed.
    """
    loss = np.subtract(1, Y, dtype=Z2.dtype)
    loss *= Z2
    loss -= log_expit(Z2)
    return loss[0] if loss.shape[0] == 1 else loss.sum(axis=0)


def categorical_cross_entropy(Y, Z2):
    """``-sum_k y_k log softmax(z)_k = logsumexp(z) - sum_k y_k z_k``."""
    return _logsumexp_columns(Z2) - (Y * Z2).sum(axis=0)


def _logsumexp_columns(Z):
    """``log sum_k exp(z_k)`` of each column: :func:`scipy.special.logsumexp`.

    Its computation along ``axis=0``, for precision as SciPy does it: the
    column's largest values (``n`` of them) are kept out of the sum, which
    is ``max + log n + log1p(s / n)``, ``s`` the sum of the others' ``exp(z
    - max)``. Written for NumPy because SciPy's array API dispatch costs
    about 0.2 ms a call, ten times the arithmetic on a mini-batch of a few
    hundred examples.
    """
    top = Z.max(axis=0)
    at_top = Z == top
    n_top = at_top.sum(axis=0, dtype=Z.dtype)
    rest = np.exp(Z - top)
    rest[at_top] = 0
    s = rest.sum(axis=0)
    np.divide(s, n_top, out=s, where=s != 0)
    return np.log1p(s) + np.log(n_top) + top


def constant_cross_entropy(mean, output):
    """:func:`constant_cost` of a cross-entropy, from the mean of ``Y`` alone.

    Parameters
    ----------
    mean : ndarray of shape (n_y,)
        The (weighted) mean of each row of ``Y``: the class frequencies.
    output : {"sigmoid", "softmax"}

    Returns
    -------
    J : float
        The entropy of the frequencies (summed over outputs for sigmoid).
    """
    if output == "sigmoid":
        return float(np.sum(entr(mean) + entr(1 - mean)))
    return float(np.sum(entr(mean)))


def half_squared_error(Y, Z2):
    """``0.5 * sum_k (y_k - z_k)^2``: MLPRegressor's scaling for one target.

    With several targets the errors are summed, so that ``dZ2 = A2 - Y`` is
    exactly the gradient (MLPRegressor takes the same steps but reports the
    mean over targets).
    """
    diff = Y - Z2
    diff *= diff
    return 0.5 * diff.sum(axis=0)


def half_poisson_deviance(Y, Z2):
    """``y log(y / a) - y + a`` with ``a = exp(z)``, summed over outputs.

    Written as ``y log y - y z - y + exp(z)`` so that ``log`` never sees 0.
    """
    return (xlogy(Y, Y) - Y * Z2 - Y + np.exp(Z2)).sum(axis=0)


#: Output layer name -> (activation producing A2 from Z2, per-example loss).
#: Each pair is canonical, so ``dZ2 = A2 - Y`` is the gradient of the loss.
OUTPUTS = {
    "sigmoid": (OUTPUT_ACTIVATIONS["sigmoid"], binary_cross_entropy),
    "softmax": (OUTPUT_ACTIVATIONS["softmax"], categorical_cross_entropy),
    "identity": (OUTPUT_ACTIVATIONS["identity"], half_squared_error),
    "exp": (OUTPUT_ACTIVATIONS["exp"], half_poisson_deviance),
}


def constant_cost(Y, output, sample_weight=None):
    """The cost of the best constant prediction: what a model must beat.

    The output that minimises the (weighted) mean loss without looking at
    ``X`` is the (weighted) mean of ``Y``: the class frequencies for the
    cross-entropies, the mean target for the squared error and the Poisson
    deviance. Its cost is then the entropy of the frequencies, half the
    variance of the targets, or the mean of ``y log(y / ybar)``.

    Parameters
    ----------
    Y : ndarray of shape (n_y, m)
    output : str
    sample_weight : ndarray of shape (m,), optional

    Returns
    -------
    J : float
        ``inf`` when the targets are too large for it.
    """
    Y = np.asarray(Y, dtype=np.float64)
    w = np.ones(Y.shape[1]) if sample_weight is None else sample_weight
    w = np.asarray(w, dtype=np.float64) / np.sum(w)
    # Targets too large for their squares give inf, not a warning: the
    # caller tells the user what to do about them.
    with np.errstate(over="ignore", invalid="ignore"):
        mean = Y @ w
        if output in ("sigmoid", "softmax"):
            return constant_cross_entropy(mean, output)
        if output == "identity":
            return float(0.5 * np.sum(((Y - mean[:, None]) ** 2) @ w))
        return float(np.sum(xlogy(Y, Y) @ w - xlogy(mean, mean)))


# --------------------------------------------------------------------------
# Initialisation (notes 3.11)
# --------------------------------------------------------------------------
def initialize(
    n_x,
    n_h,
    n_y,
    rng,
    *,
    init="normal",
    init_scale=0.01,
    activation="tanh",
    dtype=np.float64,
):
    """Draw the initial parameters.

    Parameters
    ----------
    n_x, n_h, n_y : int
        Number of input features ``n[0]``, hidden units ``n[1]`` and outputs
        ``n[2]``.
    rng : numpy.random.RandomState
        Source of randomness.
    init : {"normal", "glorot", "he", "zeros"}, default="normal"
        - ``"normal"``: the notes' recipe, ``W1 = randn(n_h, n_x) * init_scale``
          then ``W2 = randn(n_y, n_h) * init_scale``, zero biases.
        - ``"glorot"``: scikit-learn MLP's uniform Glorot draw, in its order
          (``W1``, ``b1``, ``W2``, ``b2``), so the same ``rng`` state gives the
          same initial weights as ``MLPClassifier``.
        - ``"he"``: ``randn * sqrt(2 / fan_in)``, zero biases.
        - ``"zeros"``: all zeros, which leaves every hidden unit identical.
    init_scale : float, default=0.01
        Scale of the ``"normal"`` draw.
    activation : str, default="tanh"
        Hidden activation; ``"glorot"`` uses a smaller bound for sigmoid.
    dtype : numpy dtype, default=np.float64

    Returns
    -------
    params : dict
        ``W1 (n_h, n_x)``, ``b1 (n_h, 1)``, ``W2 (n_y, n_h)``, ``b2 (n_y, 1)``.
    """
    shapes = {"W1": (n_h, n_x), "b1": (n_h, 1), "W2": (n_y, n_h), "b2": (n_y, 1)}
    params = {k: np.zeros(s) for k, s in shapes.items()}
    if init == "normal":
        params["W1"] = rng.standard_normal(shapes["W1"]) * init_scale
        params["W2"] = rng.standard_normal(shapes["W2"]) * init_scale
    elif init == "he":
        params["W1"] = rng.standard_normal(shapes["W1"]) * np.sqrt(2 / n_x)
        params["W2"] = rng.standard_normal(shapes["W2"]) * np.sqrt(2 / n_h)
    elif init == "glorot":
        factor = 2.0 if activation == "sigmoid" else 6.0
        for W, b, fan_in, fan_out in (("W1", "b1", n_x, n_h), ("W2", "b2", n_h, n_y)):
            bound = np.sqrt(factor / (fan_in + fan_out))
            # scikit-learn draws (fan_in, fan_out); the notes' W is its transpose.
            params[W] = rng.uniform(-bound, bound, (fan_in, fan_out)).T
            params[b] = rng.uniform(-bound, bound, fan_out)[:, np.newaxis]
    elif init != "zeros":
        raise ValueError(f"Unknown init {init!r}.")
    return {k: np.ascontiguousarray(v, dtype=dtype) for k, v in params.items()}


# --------------------------------------------------------------------------
# Forward, cost, backward
# --------------------------------------------------------------------------
def _buffer(cache, key, shape, dtype):
    """A reusable array from ``cache``; a new one when the shape changed."""
    buf = cache.get(key)
    if buf is None or buf.shape != shape or buf.dtype != dtype:
        buf = cache[key] = np.empty(shape, dtype=dtype)
    return buf


def _ones(cache, m, dtype):
    """A reusable ``(m, 1)`` column of ones."""
    ones = cache.get("ones")
    if ones is None or ones.shape[0] != m or ones.dtype != dtype:
        ones = cache["ones"] = np.ones((m, 1), dtype=dtype)
    return ones


def _matmul(W, X, out):
    """``W @ X`` into ``out``; ``X`` may be a scipy sparse matrix or array."""
    if not isinstance(X, np.ndarray) and sp.issparse(X):
        out[...] = (X.T @ W.T).T
        return out
    return np.matmul(W, X, out=out)


def forward(params, X, activation, output, cache=None):
    """Forward pass, notes 3.4-3.5.

    Parameters
    ----------
    params : dict
        ``W1 (n_h, n_x)``, ``b1 (n_h, 1)``, ``W2 (n_y, n_h)``, ``b2 (n_y, 1)``.
    X : {ndarray, sparse matrix} of shape (n_x, m)
        One example per column.
    activation : str
        Hidden activation, a key of :data:`ACTIVATIONS`.
    output : str
        Output layer, a key of :data:`OUTPUTS`.
    cache : dict, optional
        Buffers from an earlier call, reused when the shapes agree.

    Returns
    -------
    cache : dict
        ``A1 (n_h, m)``, ``Z2 (n_y, m)`` and ``A2 (n_y, m)``.
    """
    cache = {} if cache is None else cache
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    m = X.shape[1]
    A1 = _matmul(W1, X, _buffer(cache, "A1", (W1.shape[0], m), W1.dtype))
    A1 += b1
    ACTIVATIONS[activation](A1)
    Z2 = np.matmul(W2, A1, out=_buffer(cache, "Z2", (W2.shape[0], m), W1.dtype))
    Z2 += b2
    A2 = _buffer(cache, "A2", Z2.shape, Z2.dtype)
    A2[...] = Z2
    OUTPUTS[output][0](A2)
    return cache


def _sw_sum(sample_weight, m):
    return m if sample_weight is None else sample_weight.sum()


def loss_sum(Y, Z2, output, sample_weight=None):
    """``sum_i s_i L(i)``: the (weighted) sum of the per-example losses.

    Parameters
    ----------
    Y : ndarray of shape (n_y, m)
    Z2 : ndarray of shape (n_y, m)
        Output pre-activation, from :func:`forward`.
    output : str
    sample_weight : ndarray of shape (m,), optional

    Returns
    -------
    total : float
    """
    losses = OUTPUTS[output][1](Y, Z2)
    return float(losses.sum() if sample_weight is None else sample_weight @ losses)


def cost(params, Y, cache, output, alpha=0.0, sample_weight=None):
    """Cost ``J``: the (weighted) mean loss plus the L2 penalty.

    ``J = sum_i s_i L(i) / S + alpha / (2 S) * (||W1||^2 + ||W2||^2)`` with
    ``S = sum_i s_i`` (``= m`` without weights), the scaling of scikit-learn's
    MLP so that the same ``alpha`` means the same thing.

    Parameters
    ----------
    params : dict
    Y : ndarray of shape (n_y, m)
    cache : dict
        Output of :func:`forward`.
    output : str
    alpha : float, default=0.0
    sample_weight : ndarray of shape (m,), optional

    Returns
    -------
    J : float
    """
    total = loss_sum(Y, cache["Z2"], output, sample_weight)
    return finish_cost(total, params, alpha, _sw_sum(sample_weight, Y.shape[1]))


def finish_cost(total, params, alpha, S):
    """``J`` from the loss sum ``total``: divide by ``S``, add the L2 penalty."""
    J = float(total) / float(S)  # a Python float, whatever the dtype
    if alpha:
        W1, W2 = params["W1"], params["W2"]
        J += alpha / (2 * S) * float(np.vdot(W1, W1) + np.vdot(W2, W2))
    return J


def backward(
    params, X, Y, cache, activation, alpha=0.0, sample_weight=None, grads=None
):
    """Backward pass, notes 3.9-3.10.

    Parameters
    ----------
    params : dict
    X : {ndarray, sparse matrix} of shape (n_x, m)
    Y : ndarray of shape (n_y, m)
    cache : dict
        Output of :func:`forward`; its buffers are reused for ``dZ1``/``dZ2``,
        and ``A1`` is overwritten with ``g'(Z1)``.
    activation : str
    alpha : float, default=0.0
        L2 penalty.
    sample_weight : ndarray of shape (m,), optional
    grads : dict, optional
        Arrays to write the gradients into.

    Returns
    -------
    grads : dict
        ``dW1, db1, dW2, db2`` under the keys ``W1, b1, W2, b2``, each of
        its parameter's shape.
    """
    grads = gradient_sums(params, X, Y, cache, activation, sample_weight, grads)
    return finish_gradients(grads, params, alpha, _sw_sum(sample_weight, Y.shape[1]))


def gradient_sums(params, X, Y, cache, activation, sample_weight=None, grads=None):
    """The backward pass without the penalty and the division by ``S``.

    The result is linear in the examples: the sums of several column blocks
    add up to the sums of all of them. Parameters as :func:`backward`.

    Returns
    -------
    grads : dict
        ``dZ2 A1^T``, ``sum(dZ2)``, ``dZ1 X^T`` and ``sum(dZ1)`` under the
        keys ``W2, b2, W1, b1``.
    """
    W2 = params["W2"]
    A1, A2 = cache["A1"], cache["A2"]
    m = A1.shape[1]
    if grads is None:
        grads = {k: np.empty_like(v) for k, v in params.items()}

    dZ2 = np.subtract(A2, Y, out=_buffer(cache, "dZ2", A2.shape, A2.dtype))
    if sample_weight is not None:
        dZ2 *= sample_weight
    np.matmul(dZ2, A1.T, out=grads["W2"])
    ones = _ones(cache, m, A1.dtype)  # row sums as products: BLAS is faster
    np.matmul(dZ2, ones, out=grads["b2"])

    # A1 is not needed any more: it becomes g'(Z1) in place (notes 3.8).
    G = DERIVATIVES[activation](A1)
    if W2.shape[0] == 1:
        # One output: dZ1 = W2^T dZ2 * g' is a rank-one scaling of g', so the
        # factor W2^T is applied to the small dW1 and db1 instead of to the
        # (n_h, m) array: dW1 = W2^T * ((g' * dZ2) X^T).
        dZ1 = np.multiply(G, dZ2, out=G)
    else:
        dZ1 = np.matmul(W2.T, dZ2, out=_buffer(cache, "dZ1", A1.shape, A1.dtype))
        dZ1 *= G
    _matmul(dZ1, X.T, grads["W1"])
    np.matmul(dZ1, ones, out=grads["b1"])
    if W2.shape[0] == 1:
        grads["W1"] *= W2.T
        grads["b1"] *= W2.T
    return grads


def finish_gradients(grads, params, alpha, S):
    """The gradients from :func:`gradient_sums`: add ``alpha W``, divide by ``S``."""
    if alpha:
        grads["W1"] += alpha * params["W1"]
        grads["W2"] += alpha * params["W2"]
    vector = vector_of(grads)  # views of one vector: one division
    for g in grads.values() if vector is None else (vector,):
        g /= S
    return grads


def loss_and_gradients(
    params,
    X,
    Y,
    activation,
    output,
    alpha=0.0,
    sample_weight=None,
    cache=None,
    grads=None,
):
    """One forward pass, its cost, and one backward pass.

    Returns
    -------
    J : float
    grads : dict
    """
    cache = forward(params, X, activation, output, cache)
    J = cost(params, Y, cache, output, alpha, sample_weight)
    grads = backward(params, X, Y, cache, activation, alpha, sample_weight, grads)
    return J, grads


def loss_and_gradient_sums(
    params, X, Y, activation, output, sample_weight=None, cache=None, grads=None
):
    """The map step of a fit over parts of the data: unnormalised sums.

    Parameters
    ----------
    params : dict
    X : {ndarray, sparse matrix} of shape (n_x, m)
    Y : ndarray of shape (n_y, m)
    activation, output : str
    sample_weight : ndarray of shape (m,), optional
    cache, grads : dict, optional
        Buffers to reuse, as in :func:`forward` and :func:`backward`.

    Returns
    -------
    loss_sum : float
        ``sum_i s_i L(i)``, without the penalty.
    grads : dict
        The gradient sums of :func:`gradient_sums`.
    S : float
        ``sum_i s_i`` (``m`` without weights).
    """
    cache = forward(params, X, activation, output, cache)
    total = loss_sum(Y, cache["Z2"], output, sample_weight)
    grads = gradient_sums(params, X, Y, cache, activation, sample_weight, grads)
    return total, grads, _sw_sum(sample_weight, Y.shape[1])


def mean_cost_and_gradients(params, total, grads, S, alpha=0.0):
    """The reduce step's end: add the penalty once and divide by ``S``.

    Parameters
    ----------
    params : dict
    total : float
        ``sum_i s_i L(i)`` over all the training data.
    grads : dict
        The gradient sums over all the training data; made the means in place.
    S : float
        ``sum_i s_i`` over all the training data.
    alpha : float, default=0.0

    Returns
    -------
    J : float
        The cost of :func:`cost`.
    grads : dict
        The gradients of :func:`backward`.
    """
    J = finish_cost(total, params, alpha, S)
    return J, finish_gradients(grads, params, alpha, S)


def predict_output(params, X, activation, output):
    """``(Z2, A2)`` for ``X`` of shape (n_x, m), without keeping buffers."""
    cache = forward(params, X, activation, output)
    return cache["Z2"], cache["A2"]


# --------------------------------------------------------------------------
# Flattening, for optimisers that work on one vector (L-BFGS)
# --------------------------------------------------------------------------
def pack(params):
    """Concatenate the parameters into one 1-D vector (``W1, b1, W2, b2``)."""
    return np.concatenate([params[k].ravel() for k in PARAM_NAMES])


class _Views(dict):
    """What :func:`unpack` returns: a dict of arrays, which remembers the vector.

    Copies and pickles are plain dicts: a copied array is no view of the
    vector any more.
    """

    def __reduce__(self):
        return dict, (dict(self),)


def unpack(theta, like):
    """Split a vector made by :func:`pack` into arrays shaped like ``like``.

    The arrays are views of ``theta``: :func:`vector_of` gives it back.
    """
    out, start = _Views(), 0
    for k in PARAM_NAMES:
        size = like[k].size
        out[k] = theta[start : start + size].reshape(like[k].shape)
        start += size
    if theta.flags.c_contiguous and start == theta.shape[0]:  # views that fill it
        out.made = theta, tuple(out.values())
    return out


def vector_of(arrays):
    """The vector behind ``arrays``, if :func:`unpack` made them; else None.

    When the arrays are still the views that :func:`unpack` put there, an
    operation on that vector is the same operation on every array, in one
    call instead of four.
    """
    made = getattr(arrays, "made", None)
    if made is None:
        return None
    theta, views = made
    for k, view in zip(PARAM_NAMES, views, strict=True):
        if arrays.get(k) is not view:
            return None
    return theta
