"""The one-hidden-layer network of the notes as pure functions.

Everything here works in the notes' column layout: ``X`` is
``(n_features, m)`` with one example per column, ``Y`` is ``(n_outputs, m)``,
and the parameters live in a dict ``{"W1", "b1", "W2", "b2"}`` with the notes'
shapes. The estimators transpose their ``(n_samples, n_features)`` input once
and call these functions. The forward and backward passes take a stack of
networks as well: parameters with a leading batch dimension (``W1`` of shape
``(B, n_h, n_x)``, ``b1`` of shape ``(B, n_h, 1)``...) give ``A1`` of shape
``(B, n_h, m)`` and gradients of the parameters' shapes, each network's by
the same arithmetic (:mod:`sk_shallow._batch` trains such stacks).

The math is written once, for NumPy (dense or sparse ``X``) and for any array
API namespace (PyTorch, CuPy, ... on their devices): the namespace is that of
the parameters, and the few operations that NumPy does in place, in reused
buffers, or faster another way are the helpers of :mod:`sk_shallow._backend`.

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

import copy as _copy
from functools import partial

import numpy as np
from scipy.special import entr, expit, xlogy

from ._activations import ACTIVATIONS, DERIVATIVES, OUTPUT_ACTIVATIONS
from ._backend import (
    copy,
    log_expit,
    logsumexp_columns,
    matmul,
    namespace,
    row_sums,
    scratch,
    subtract,
    sum_of_squares,
    transposed,
    weighted_sum,
    xlogx,
)

PARAM_NAMES = ("W1", "b1", "W2", "b2")


# --------------------------------------------------------------------------
# Output layers: per-example loss from the output pre-activation Z2.
# Working from Z2 rather than from the probabilities A2 keeps the
# cross-entropies finite for any finite Z2 (no log(0), no overflow). The
# squared error and the Poisson deviance can overflow (exp(800), 1e200 ** 2)
# only where the outputs are hopeless; training reports such a cost as
# divergence, and prediction raises on non-finite outputs.
# --------------------------------------------------------------------------
def binary_cross_entropy(Y, Z2, xp=np, buffers=None, A2=None):
    """``-(y log a + (1-y) log(1-a))`` with ``a = sigma(z)``, summed over outputs.

    Uses ``log(1 - sigma(z)) = log sigma(z) - z``, so only one
    ``log sigma(z)`` is needed: :func:`scipy.special.log_expit`, or, with
    NumPy and the outputs ``A2 = sigma(Z2)`` at hand, ``log(A2)``, several
    times cheaper and within about an ulp of 1 of it (an example's loss is a
    difference of such numbers either way, so its absolute error is that
    of the old formula). :func:`scipy.special.expit` gives no subnormal
    number but 0 below ``z`` of about -709.8 (-88.7 in float32): there
    ``log(A2)`` is ``-inf`` and the loss is not finite, and
    :func:`loss_sum` computes it again without ``A2``. ``buffers`` (NumPy,
    for a pass repeated on the same ``Y``): ``(1 - Y, loss, log)`` arrays of
    ``Z2``'s shape, the first computed once, the others written into.
    """
    out = None if buffers is None else buffers[2]
    if A2 is None or xp is not np:
        log_sigma = log_expit(Z2, xp, out=out)
    else:
        log_sigma = np.log(A2, out=out)  # loss_sum hides log(0)'s warning
    if buffers is None:
        loss = Z2 * (1 - Y)
    else:
        loss = np.multiply(buffers[0], Z2, out=buffers[1])
    loss -= log_sigma
    return loss[..., 0, :] if loss.shape[-2] == 1 else xp.sum(loss, axis=-2)


def categorical_cross_entropy(Y, Z2, xp=np, buffers=None, A2=None):
    """``-sum_k y_k log softmax(z)_k = logsumexp(z) - sum_k y_k z_k``.

    With NumPy and the outputs ``A2 = softmax(Z2)`` at hand, it is
    ``sum_k (-y_k) log(A2_k)``, several times cheaper and within about an
    ulp of 1 of the log-sum-exp; with one class per example (``Y`` one-hot,
    as a classifier encodes it) that is ``-log(A2)`` at each example's
    class, the same bits. Where an example's own output is below the
    smallest normal number its logarithm would lose digits (or, an output
    of a class it does not have underflowed to 0, where ``0 log 0`` is not
    a number), and the log-sum-exp is used. ``buffers`` (NumPy, for a pass
    repeated on a one-hot ``Y``): its :func:`label_indices`, with which only
    each example's own output is read (another class's may underflow).
    """
    if A2 is not None and xp is np:
        tiny = np.finfo(A2.dtype).tiny
        if buffers is not None:
            own = np.take(A2, buffers)
            if np.minimum.reduce(own, axis=None) >= tiny:
                return np.negative(np.log(own, out=own), out=own)
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                losses = np.add.reduce(-Y * np.log(A2), axis=-2)
            if np.maximum.reduce(losses, axis=None) <= -np.log(tiny):
                return losses  # (not NaN: no 0 log 0)
    return logsumexp_columns(Z2, xp) - xp.sum(Y * Z2, axis=-2)


def label_indices(Y):
    """Where each example's class is in a one-hot ``Y``, as indices of its values.

    Parameters
    ----------
    Y : ndarray of shape (..., n_y, m)
        A stack of networks' targets too.

    Returns
    -------
    indices : ndarray of shape (..., m) or None
        The flat index of ``Y[..., k, i] = 1`` for each example ``i``, or
        None unless every example has one class (zeros and one 1).
    """
    if not (np.all((Y == 0) | (Y == 1)) and np.all(Y.sum(axis=-2) == 1)):
        return None
    *lead, n_y, m = Y.shape
    stack = np.arange(int(np.prod(lead))).reshape(*lead, 1)
    return (stack * n_y + Y.argmax(axis=-2)) * m + np.arange(m)


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


def half_squared_error(Y, Z2, xp=np):
    """``0.5 * sum_k (y_k - z_k)^2``: MLPRegressor's scaling for one target.

    With several targets the errors are summed, so that ``dZ2 = A2 - Y`` is
    exactly the gradient (MLPRegressor takes the same steps but reports the
    mean over targets).
    """
    diff = Y - Z2
    diff *= diff
    return 0.5 * xp.sum(diff, axis=-2)


def half_poisson_deviance(Y, Z2, xp=np):
    """``y log(y / a) - y + a`` with ``a = exp(z)``, summed over outputs.

    Written as ``y log y - y z - y + exp(z)`` so that ``log`` never sees 0.
    """
    return xp.sum(xlogx(Y, xp) - Y * Z2 - Y + xp.exp(Z2), axis=-2)


#: Output layer name -> (activation producing A2 from Z2, per-example loss).
#: Each pair is canonical, so ``dZ2 = A2 - Y`` is the gradient of the loss.
OUTPUTS = {
    "sigmoid": (OUTPUT_ACTIVATIONS["sigmoid"], binary_cross_entropy),
    "softmax": (OUTPUT_ACTIVATIONS["softmax"], categorical_cross_entropy),
    "identity": (OUTPUT_ACTIVATIONS["identity"], half_squared_error),
    "exp": (OUTPUT_ACTIVATIONS["exp"], half_poisson_deviance),
}


#: The outputs whose loss takes the log of ``A2`` when given it (NumPy).
LOGS_OF_OUTPUTS = ("sigmoid", "softmax")


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
def forward(params, X, activation, output, cache=None):
    """Forward pass, notes 3.4-3.5, in the namespace of ``params``.

    Parameters
    ----------
    params : dict
        ``W1 (n_h, n_x)``, ``b1 (n_h, 1)``, ``W2 (n_y, n_h)``, ``b2 (n_y, 1)``,
        in the namespace and on the device of ``X``.
    X : {ndarray, sparse matrix, array} of shape (n_x, m)
        One example per column.
    activation : str
        Hidden activation, a key of :data:`ACTIVATIONS`.
    output : str
        Output layer, a key of :data:`OUTPUTS`.
    cache : dict, optional
        NumPy buffers from an earlier call, reused when the shapes agree.

    Returns
    -------
    cache : dict
        ``A1 (n_h, m)``, ``Z2 (n_y, m)`` and ``A2 (n_y, m)``.
    """
    cache = {} if cache is None else cache
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    xp = namespace(W1)
    m, dtype = X.shape[-1], W1.dtype
    # A NumPy activation takes its array alone (as a table's own may do).
    g, sigma = ACTIVATIONS[activation], OUTPUTS[output][0]
    Z1 = matmul(W1, X, scratch(cache, "A1", (*W1.shape[:-1], m), dtype, xp))
    Z1 += b1
    A1 = g(Z1) if xp is np else g(Z1, xp)
    Z2 = matmul(W2, A1, scratch(cache, "Z2", (*W2.shape[:-1], m), dtype, xp))
    Z2 += b2
    A2 = copy(Z2, xp, scratch(cache, "A2", Z2.shape, dtype, xp))
    A2 = sigma(A2) if xp is np else sigma(A2, xp)
    cache["A1"], cache["Z2"], cache["A2"] = A1, Z2, A2
    return cache


def loss_sum(Y, Z2, output, sample_weight=None, A2=None, buffers=None, sums=None):
    """``sum_i s_i L(i)``: the (weighted) sum of the per-example losses.

    Parameters
    ----------
    Y : array of shape (n_y, m)
    Z2 : array of shape (n_y, m)
        Output pre-activation, from :func:`forward`.
    output : str
    sample_weight : array of shape (m,), optional
    A2 : array of shape (n_y, m), optional
        The outputs ``sigma(Z2)``, when at hand (NumPy): the cross-entropies
        then take their logarithm (:func:`binary_cross_entropy`,
        :func:`categorical_cross_entropy`), and where that gives a total
        that is not finite (an output underflowed), the loss is computed
        again from ``Z2`` alone.
    buffers : tuple, optional
        The loss function's buffers, for a pass repeated on the same ``Y``.
    sums : callable, optional
        ``sums(losses)``: the total of the per-example losses (or each
        network's of a stack, an array: where one is not finite, that
        network's alone is computed again); by default
        :func:`~sk_shallow._backend.weighted_sum` with ``sample_weight``.

    Returns
    -------
    total : 0-d array
        In the namespace and on the device of ``Z2``: ``float(total)`` waits
        for the device, which the callers do once the backward pass is queued.
    """
    xp = namespace(Z2)
    loss = OUTPUTS[output][1]
    if sums is None:
        sums = partial(weighted_sum, weights=sample_weight, xp=xp)
    if output not in LOGS_OF_OUTPUTS:
        return sums(loss(Y, Z2, xp))
    if A2 is not None and xp is np:
        # log(0) is -inf, and a zero weight times it NaN: both retried below.
        with np.errstate(divide="ignore", invalid="ignore"):
            total = sums(loss(Y, Z2, np, buffers, A2))
        finite = total < np.inf  # a bool, or a stack's array of them
        if finite is True or (finite is not False and finite.all()):
            return total
        if finite is not False:  # a stack's totals: the others' are kept
            return np.where(finite, total, sums(loss(Y, Z2, np)))
    return sums(loss(Y, Z2, xp, buffers))


def weight_sum(sample_weight, m):
    """``S = sum_i s_i`` (``m`` without weights), on the host.

    A NumPy scalar of the weights' dtype for NumPy, else a Python float.
    """
    if sample_weight is None:
        return m
    if isinstance(sample_weight, np.ndarray):
        return sample_weight.sum()
    return float(namespace(sample_weight).sum(sample_weight))


def cost(params, Y, cache, output, alpha=0.0, sample_weight=None):
    """Cost ``J``: the (weighted) mean loss plus the L2 penalty.

    ``J = sum_i s_i L(i) / S + alpha / (2 S) * (||W1||^2 + ||W2||^2)`` with
    ``S = sum_i s_i`` (``= m`` without weights), the scaling of scikit-learn's
    MLP so that the same ``alpha`` means the same thing.

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
    total = loss_sum(Y, cache["Z2"], output, sample_weight, cache["A2"])
    return finish_cost(total, params, alpha, weight_sum(sample_weight, Y.shape[1]))


def finish_cost(total, params, alpha, S):
    """``J`` from the loss sum ``total``: divide by ``S``, add the L2 penalty.

    The penalty is queued before ``total`` is read back: one wait for the
    device.
    """
    if alpha:
        W1, W2 = params["W1"], params["W2"]
        xp = namespace(W1)
        squares = sum_of_squares(W1, xp) + sum_of_squares(W2, xp)
    J = float(total) / float(S)  # a Python float, whatever the dtype
    if alpha:
        J += alpha / (2 * S) * float(squares)
    return J


def backward(
    params, X, Y, cache, activation, alpha=0.0, sample_weight=None, grads=None
):
    """Backward pass, notes 3.9-3.10.

    Parameters
    ----------
    params : dict
    X : {ndarray, sparse matrix, array} of shape (n_x, m)
    Y : array of shape (n_y, m)
    cache : dict
        Output of :func:`forward`; its buffers are reused for ``dZ1``/``dZ2``,
        and ``A1`` is overwritten with ``g'(Z1)``.
    activation : str
    alpha : float, default=0.0
        L2 penalty.
    sample_weight : array of shape (m,), optional
    grads : dict, optional
        NumPy arrays to write the gradients into.

    Returns
    -------
    grads : dict
        ``dW1, db1, dW2, db2`` under the keys ``W1, b1, W2, b2``, each of
        its parameter's shape.
    """
    grads = gradient_sums(params, X, Y, cache, activation, sample_weight, grads)
    S = weight_sum(sample_weight, Y.shape[1])
    return finish_gradients(grads, params, alpha, S)


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
    xp = namespace(A1)
    if grads is None:
        grads = {k: None for k in params} if xp is not np else empty_like(params)

    dZ2 = subtract(A2, Y, scratch(cache, "dZ2", A2.shape, A2.dtype, xp))
    if sample_weight is not None:
        dZ2 *= sample_weight
    grads["W2"] = matmul(dZ2, transposed(A1), grads["W2"])
    grads["b2"] = row_sums(dZ2, cache, xp, grads["b2"])

    # A1 is not needed any more: it becomes g'(Z1) in place (notes 3.8).
    derivative = DERIVATIVES[activation]
    G = derivative(A1) if xp is np else derivative(A1, xp)
    one_output = W2.shape[-2] == 1
    if one_output:
        # One output: dZ1 = W2^T dZ2 * g' is a rank-one scaling of g', so the
        # factor W2^T is applied to the small dW1 and db1 instead of to the
        # (n_h, m) array: dW1 = W2^T * ((g' * dZ2) X^T).
        G *= dZ2
        dZ1 = G
    else:
        dZ1 = matmul(transposed(W2), dZ2, scratch(cache, "dZ1", A1.shape, A1.dtype, xp))
        dZ1 *= G
    grads["W1"] = matmul(dZ1, transposed(X), grads["W1"])
    grads["b1"] = row_sums(dZ1, cache, xp, grads["b1"])
    if one_output:
        grads["W1"] *= transposed(W2)
        grads["b1"] *= transposed(W2)
    return grads


def empty_like(params):
    """NumPy arrays shaped like ``params``, for :func:`gradient_sums` to fill."""
    return {k: np.empty_like(v) for k, v in params.items()}


def finish_gradients(grads, params, alpha, S):
    """The gradients from :func:`gradient_sums`: add ``alpha W``, divide by ``S``."""
    if alpha:
        grads["W1"] += alpha * params["W1"]
        grads["W2"] += alpha * params["W2"]
    vector = vector_of(grads)  # views of one vector: one division
    if vector is not None:
        vector /= S
        return grads
    for k in grads:
        grads[k] /= S
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
    S=None,
):
    """One forward pass, its cost, and one backward pass.

    The cost is read back once the backward pass is queued: on a device,
    the host waits once per call, and the device does not idle while the
    host queues the backward pass. Parameters as
    :func:`loss_and_gradient_sums`, with the L2 penalty ``alpha`` and
    ``S = sum_i s_i`` if known already.

    Returns
    -------
    J : float
    grads : dict
    """
    total, grads, S_ = loss_and_gradient_sums(
        params, X, Y, activation, output, sample_weight, cache, grads
    )
    return mean_cost_and_gradients(params, total, grads, S_ if S is None else S, alpha)


def loss_and_gradient_sums(
    params, X, Y, activation, output, sample_weight=None, cache=None, grads=None
):
    """The map step of a fit over parts of the data: unnormalised sums.

    Parameters
    ----------
    params : dict
    X : {ndarray, sparse matrix, array} of shape (n_x, m)
    Y : array of shape (n_y, m)
    activation, output : str
    sample_weight : array of shape (m,), optional
    cache, grads : dict, optional
        Buffers to reuse, as in :func:`forward` and :func:`backward`.

    Returns
    -------
    loss_sum : 0-d array
        ``sum_i s_i L(i)``, without the penalty.
    grads : dict
        The gradient sums of :func:`gradient_sums`.
    S : float
        ``sum_i s_i`` (``m`` without weights).
    """
    cache = forward(params, X, activation, output, cache)
    total = loss_sum(Y, cache["Z2"], output, sample_weight, cache["A2"])
    grads = gradient_sums(params, X, Y, cache, activation, sample_weight, grads)
    return total, grads, weight_sum(sample_weight, Y.shape[1])


def add_in_order(parts, grads=None):
    """The reduce step: add the parts' ``(loss_sum, gradient sums)`` in order.

    Parameters
    ----------
    parts : iterable of (loss_sum, grads)
        In part order; each ``grads`` a dict of the parameters' keys.
    grads : dict, optional
        Where to add them up; the first part's own gradients if None (when
        it is the first part's, its values are not added twice).

    Returns
    -------
    total : float or 0-d array
    grads : dict
    """
    total = 0.0
    for loss, part_grads in parts:
        total += loss
        if grads is None:
            grads = part_grads
        elif part_grads is not grads:
            for k, g in part_grads.items():
                grads[k] += g
    return total, grads


def mean_cost_and_gradients(params, total, grads, S, alpha=0.0):
    """The reduce step's end: add the penalty once and divide by ``S``.

    Parameters
    ----------
    params : dict
    total : float or 0-d array
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
    grads = finish_gradients(grads, params, alpha, S)
    return finish_cost(total, params, alpha, S), grads


class FlatPass:
    """:func:`loss_and_gradients` on one fixed NumPy batch, for thousands of calls.

    The same operations in the same order as :func:`forward`,
    :func:`loss_sum`, :func:`gradient_sums` and
    :func:`mean_cost_and_gradients` (so the same bits), without what they
    redo on every call: the buffers, the ``1 - Y`` of the cross-entropy and
    the transposes are made once, the parameters are read from the arrays
    of ``params`` (which the caller writes its steps into: those of
    :meth:`reading` for a second set) and the gradients are written to
    :attr:`grads`, views of one vector :attr:`gradient`. On a
    few hundred examples each NumPy call costs about as much as its
    arithmetic, so the Python around the calls is what this saves.

    Parameters
    ----------
    params : dict
        NumPy ``W1 (n_h, n_x)``, ``b1 (n_h, 1)``, ``W2 (n_y, n_h)``,
        ``b2 (n_y, 1)``: the arrays read on every call.
    X : {ndarray, sparse matrix} of shape (n_x, m)
    Y : ndarray of shape (n_y, m)
    sample_weight : ndarray of shape (m,) or None
    activation, output : str
    alpha : float
    S : float
        ``sum_i s_i`` (``m`` without weights).
    grads : dict, optional
        Arrays shaped like ``params`` to write the gradient sums into (a
        stack's); by default views of a new vector, :attr:`gradient`.

    Attributes
    ----------
    gradient : ndarray of shape (n_parameters,)
        The gradients of the last call, in :func:`pack`'s order (when
        ``grads`` is not given).
    grads : dict
        The same, as views shaped like ``params`` (:func:`unpack`'s).
    """

    #: The matrix product: np.dot for one network's 2-D arrays (a stack's
    #: subclass, :class:`sk_shallow._batch.StackPass`, takes np.matmul).
    dot = staticmethod(np.dot)

    def __init__(
        self, params, X, Y, sample_weight, activation, output, alpha, S, grads=None
    ):
        self._read(params, grads)
        self.X, self.XT, self.Y = X, transposed(X), Y
        self.sample_weight = sample_weight
        self.g, self.derivative = ACTIVATIONS[activation], DERIVATIVES[activation]
        self.sigma, self.loss = OUTPUTS[output]
        self.output = output
        self.alpha, self.S = alpha, S
        dtype, m = self.W1.dtype, Y.shape[-1]
        self.A1 = np.empty((*self.W1.shape[:-1], m), dtype)
        self.A1T = transposed(self.A1)
        # The products are np.dot's: the same BLAS calls and bits as
        # np.matmul's (the stacked passes'), at half the cost per call. W @ X
        # is the backend's for sparse X.
        self.product = self.dot if isinstance(X, np.ndarray) else matmul
        self.Z2, self.A2, self.dZ2 = (
            np.empty((*self.W2.shape[:-1], m), dtype) for _ in "zad"
        )
        self.ones = np.ones((m, 1), dtype)
        self.one_output = self.W2.shape[-2] == 1
        self.dZ1 = None if self.one_output else np.empty_like(self.A1)
        # The cross-entropies' buffers, for their logs of A2.
        self.sigmoid = output == "sigmoid"
        self.buffers = None
        if self.sigmoid:
            self.buffers = (1 - Y, np.empty_like(self.Z2), np.empty_like(self.Z2))
        elif output == "softmax":
            self.buffers = label_indices(Y)

    def _read(self, params, grads=None):
        """Read ``params`` from now on, with gradients of their own.

        ``grads``: where to write the gradient sums (a stack's arrays); by
        default views of a new vector, :attr:`gradient`.
        """
        self.params = params
        self.W1, self.b1, self.W2, self.b2 = (params[k] for k in PARAM_NAMES)
        self.W2T = transposed(self.W2)
        if grads is None:
            self.gradient = np.empty(
                sum(v.size for v in params.values()), self.W1.dtype
            )
            grads = unpack(self.gradient, params)
        self.grads = grads
        self.dW1, self.db1, self.dW2, self.db2 = (self.grads[k] for k in PARAM_NAMES)

    def reading(self, params):
        """This pass on other parameters of the same shapes: its own gradients.

        The data and the working buffers are shared: the two passes must
        not run at once.
        """
        other = _copy.copy(self)
        other._read(params)
        return other

    def reads(self, params):
        """Whether ``params`` holds the arrays this pass reads."""
        return (
            params.get("W1") is self.W1
            and params.get("b1") is self.b1
            and params.get("W2") is self.W2
            and params.get("b2") is self.b2
        )

    def _loss_sum(self):
        """:func:`loss_sum` of the outputs in ``Z2`` and ``A2``."""
        return loss_sum(
            self.Y,
            self.Z2,
            self.output,
            self.sample_weight,
            self.A2,
            self.buffers,
            self._sum,
        )

    def _sum(self, losses):
        """:func:`weighted_sum` of the per-example ``losses``."""
        sw = self.sample_weight
        if not self.one_output:
            return weighted_sum(losses, sw, np)
        # weighted_sum of the one row: its sum is ndarray.sum's reduction.
        return float(np.add.reduce(losses) if sw is None else sw @ losses)

    def __call__(self):
        """The cost ``J`` at the current parameters; the gradients in :attr:`grads`."""
        total = self.sums()
        # mean_cost_and_gradients
        if self.alpha:
            self.dW1 += self.alpha * self.W1
            self.dW2 += self.alpha * self.W2
        np.divide(self.gradient, self.S, out=self.gradient)
        return finish_cost(total, self.params, self.alpha, self.S)

    def sums(self):
        """The forward pass and the gradient sums: :func:`loss_and_gradient_sums`.

        Returns the loss sum (:meth:`_loss_sum`); the gradient sums are
        written to :attr:`grads`.
        """
        X, A1, Z2, dZ2, W2 = self.X, self.A1, self.Z2, self.dZ2, self.W2
        product, dot = self.product, self.dot
        # forward
        product(self.W1, X, out=A1)
        A1 += self.b1
        self.g(A1)
        dot(W2, A1, out=Z2)
        Z2 += self.b2
        if self.sigmoid:  # sigma(copy(Z2)), elementwise: expit into A2
            A2 = expit(Z2, out=self.A2)
        else:
            np.copyto(self.A2, Z2)
            A2 = self.sigma(self.A2)
        total = self._loss_sum()
        # gradient_sums
        np.subtract(A2, self.Y, out=dZ2)
        if self.sample_weight is not None:
            dZ2 *= self.sample_weight
        dot(dZ2, self.A1T, out=self.dW2)
        dot(dZ2, self.ones, out=self.db2)
        G = self.derivative(A1)
        if self.one_output:
            G *= dZ2
            dZ1 = G
        else:
            dZ1 = dot(self.W2T, dZ2, out=self.dZ1)
            dZ1 *= G
        product(dZ1, self.XT, out=self.dW1)
        dot(dZ1, self.ones, out=self.db1)
        if self.one_output:
            self.dW1 *= self.W2T
            self.db1 *= self.W2T
        return total


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
