"""The training data of one fit, resolved once into a :class:`Problem`.

``fit`` and ``partial_fit`` validate and encode their input once: its
namespace (NumPy, or an array API namespace under scikit-learn's dispatch),
device and floating dtype, dense, sparse or (for :mod:`sk_shallow.dask`)
chunked. Everything the training loop asks of the data then goes through the
problem: the held-out split, the cost of the best constant prediction, the
share of saturated hidden units, the advice on the features' and targets'
scales, and the objective the solver minimises. A subclass answers these
for data held elsewhere (:class:`ArrayAPIProblem` on a device, the Dask
estimators' chunked problem on a cluster); the estimators do not ask where
the data live.
"""

import copy
import math
from numbers import Integral

import numpy as np
import scipy.sparse as sp
from sklearn import get_config
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state, gen_batches
from sklearn.utils._array_api import _is_numpy_namespace, get_namespace_and_device
from sklearn.utils.extmath import _incremental_mean_and_var
from sklearn.utils.sparsefuncs import mean_variance_axis
from sklearn.utils.validation import _check_sample_weight, validate_data

from . import _blocked, _network, _xp_network
from ._objective import Objective
from ._training import initial_params

#: Values beyond this overflow when squared, in a variance among others.
SQUARES_OVERFLOW = 1e150

#: A hidden activation this close to its bounds (``|tanh| > 0.999``: a
#: derivative below 2e-3 of its largest) is saturated: its gradient vanishes.
SATURATED = 0.999

#: At least this share of the hidden activations saturated at the weights
#: training starts from (the first 1,000 samples, checked) means the features'
#: scale, not the data, decides what the units can learn.
SATURATED_SHARE = 0.5

#: ``early_stopping="auto"`` holds out a validation set from this many
#: training rows on: enough that a tenth of them scores the fit to within a
#: few points, and where a fit run to convergence can overfit (a few
#: thousand rows of dozens of one-hot columns). Smaller data, the notes'
#: flower (400 rows) among them, trains on all of it...
AUTO_EARLY_STOPPING_ROWS = 1000

#: ... unless it is wide: from this many columns, four hidden units have
#: dozens of weights to overfit with, and a tenth of
#: :data:`AUTO_EARLY_STOPPING_WIDE_ROWS` rows (50) still scores a fit.
AUTO_EARLY_STOPPING_COLUMNS = 10
AUTO_EARLY_STOPPING_WIDE_ROWS = 500

#: The floating dtypes NumPy input is validated to.
HOST_DTYPES = (np.float64, np.float32)


class SplitImpossible(ValueError):
    """The data cannot be split into a training and a validation part.

    ``early_stopping=True`` raises it; ``"auto"`` trains on all of the data.
    """


def prepare(estimator, X, y, sample_weight, first, incremental, classes):
    """Validate and encode in-memory training data into a :class:`Problem`.

    Targets and sample weights, of any namespace, are encoded on the host;
    for array API input they then move to ``X``'s namespace and device.

    Parameters
    ----------
    estimator : BaseShallowNet
        Its hooks check and encode the targets and weights; ``first`` resets
        the attributes describing the data (``n_features_in_``, ...).
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
    sample_weight : array-like of shape (n_samples,) or None
    first, incremental : bool
        A fit from scratch; a ``partial_fit`` call.
    classes : array-like or None
        ``partial_fit``'s classes.

    Returns
    -------
    problem : Problem
    """
    xp, device, dtypes = array_api_input(X)
    y_in = y
    if get_config()["array_api_dispatch"]:
        y = _xp_network.to_host(y)
        sample_weight = _xp_network.to_host(sample_weight)
    estimator._check_raw_targets(y, classes)
    with np.errstate(over="ignore"):  # longdouble beyond float64: inf
        X, y = validate_data(
            estimator,
            X,
            y,
            accept_sparse=["csr", "csc"],
            multi_output=True,
            y_numeric=estimator._y_numeric,
            dtype=dtypes,
            reset=first,
        )
    problem = (Problem if xp is None else ArrayAPIProblem)(X, y, None, None)
    # What the host-side encoding needs of X: its length and NumPy dtype.
    X_host = np.empty((X.shape[0], 0), problem.host_dtype)
    y, Y = estimator._encode_targets(y, first, incremental, classes)
    with np.errstate(over="ignore", invalid="ignore"):
        Y = np.ascontiguousarray(Y.T, dtype=X_host.dtype)
    if not np.isfinite(Y).all():
        raise ValueError(
            f"y has values beyond the range of {X.dtype}, the data type of X: "
            "pass X as float64 or rescale y."
        )
    estimator._check_targets(Y)
    sample_weight = estimator._sample_weight(sample_weight, X_host, y, incremental)
    if first:
        problem.targets_like(estimator, y_in)
    problem.y = y
    problem.Y, problem.sample_weight = map(problem.on_device, (Y, sample_weight))
    return problem


class Problem:
    """In-memory training data in the notes' layout, and what is asked of it.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        The validated features.
    y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        The checked targets, on the host.
    Y : ndarray of shape (n_outputs, n_samples)
        The encoded targets, in ``X``'s dtype and namespace.
    sample_weight : ndarray of shape (n_samples,) or None
        The weights to train with (class weights included).
    features : {ndarray, sparse matrix}, optional
        The features the scaling advice describes: all of them, for the
        training part of a split. ``X`` by default.
    """

    #: ``(train, validation)``: the rows of the problem a split came from
    #: that the training part holds, and those held out; None unsplit.
    split_rows = None

    def __init__(self, X, y, Y, sample_weight, features=None):
        self.X, self.y, self.Y, self.sample_weight = X, y, Y, sample_weight
        self.features = X if features is None else features

    @property
    def XT(self):
        """The features in the notes' layout, of shape (n_features, n_samples)."""
        return self.X.T

    @property
    def n_features(self):
        return self.X.shape[1]

    @property
    def n_outputs(self):
        return self.Y.shape[0]

    @property
    def host_dtype(self):
        """The NumPy dtype of the weights, as the training state records it."""
        return self.X.dtype

    # -- where the data live ---------------------------------------------------
    def on_device(self, array):
        """A host array (or None) where ``X`` lives."""
        return array

    def targets_like(self, estimator, y):
        """Put the estimator's target attributes in ``y``'s namespace."""

    def place(self, state):
        """Move ``state``'s weights and optimiser state to where ``X`` lives."""

    # -- the data ----------------------------------------------------------------
    def standardised(self, scaling):
        """The same problem with targets ``(Y - shift) / scale`` (row by row).

        ``scaling`` of :meth:`target_scaling`; None leaves them as they are.
        """
        if scaling is None:
            return self
        problem = copy.copy(self)
        problem.Y = standardise(self.Y, scaling)
        return problem

    def target_scaling(self, estimator, state, first, incremental):
        """``(shift, scale)`` of the targets the network learns, or None.

        See the estimators' ``_target_scaling``.
        """
        return estimator._target_scaling(
            self.Y, self.sample_weight, state, first, incremental
        )

    def validates(self, estimator, incremental):
        """Whether this fit holds out a validation set (``early_stopping``).

        ``"auto"`` holds one out from :data:`AUTO_EARLY_STOPPING_ROWS`
        training rows on, or from :data:`AUTO_EARLY_STOPPING_WIDE_ROWS` with
        :data:`AUTO_EARLY_STOPPING_COLUMNS` columns or more; never for
        ``partial_fit``, nor where a class has a single sample, which a
        stratified split cannot put on both sides (``True`` says so instead).
        """
        if estimator.early_stopping != "auto":
            return estimator.early_stopping
        rows, columns = self.X.shape
        wide = (
            columns >= AUTO_EARLY_STOPPING_COLUMNS
            and rows >= AUTO_EARLY_STOPPING_WIDE_ROWS
        )
        if incremental or not (rows >= AUTO_EARLY_STOPPING_ROWS or wide):
            return False
        if estimator._stratify and self.y.ndim == 1:
            return bool(np.unique(self.y, return_counts=True)[1].min() >= 2)
        return True

    def held_out(self, estimator, state, first, incremental, output):
        """The training part and the validation of a fit (:meth:`split`).

        ``(self, None)`` when the fit holds nothing out (:meth:`validates`),
        or when ``early_stopping="auto"`` chose to but the data cannot be
        split (too few rows held out, a side without weight): the fit then
        trains on all of it, from the generator as it was.
        """
        if not self.validates(estimator, incremental):
            return self, None
        rng = self.split_generator(estimator, state, first)
        drawn = rng.get_state()
        try:
            return self.split(estimator, rng, output)
        except SplitImpossible:
            if estimator.early_stopping is True:
                raise
            rng.set_state(drawn)
            return self, None

    def split_generator(self, estimator, state, first):
        """The generator that holds out the validation rows.

        The state's, from a fit's start. With an integer ``random_state`` a
        warm-started fit holds out the rows the first fit held out (on the
        same data): the draws of that fit are replayed, so rows it trained
        on never become validation rows. With a generator or None there is
        no first draw to replay, and the state's generator draws a new split.
        """
        if first or not isinstance(estimator.random_state, Integral):
            return state.rng
        rng = check_random_state(estimator.random_state)
        initial_params(
            estimator, rng, self.n_features, self.n_outputs, state.signature["dtype"]
        )
        return rng

    def split(self, estimator, rng, output):
        """Hold out ``validation_fraction`` of the data (stratified for classes).

        Class labels are split by class, as MLPClassifier splits them, and
        every class must have a sample on both sides; multilabel targets are
        split at random, as there.

        Returns
        -------
        train : Problem
            The training part.
        validate : callable
            ``params -> (cost, score)`` on the held-out part.

        Raises
        ------
        SplitImpossible
            When a side would be too small or weightless.
        """
        X, y = self.X, self.y
        n_samples = X.shape[0]
        fraction = estimator.validation_fraction
        n_val, stratify = math.ceil(fraction * n_samples), None
        if estimator._stratify and y.ndim == 1:
            labels, counts = np.unique(y, return_counts=True)
            if counts.min() < 2:
                lone = labels[counts < 2].tolist()
                raise SplitImpossible(
                    "early_stopping=True holds out a validation set stratified "
                    "by class, which needs at least 2 samples of every class; "
                    f"the classes {lone} have 1. Set early_stopping=False or "
                    "give every class more samples."
                )
            stratify = y
            # Every class on both sides of the split.
            n_val = min(max(n_val, len(counts)), n_samples - len(counts))
        train_idx, val_idx = train_test_split(
            np.arange(n_samples),
            test_size=n_val,
            stratify=stratify,
            random_state=rng,
        )
        if len(val_idx) < 2:
            raise SplitImpossible(
                f"The validation set is too small: validation_fraction="
                f"{fraction} of {n_samples} samples leaves "
                f"{len(val_idx)}. Increase validation_fraction or the data."
            )
        take, sample_weight = _xp_network.take, self.sample_weight
        sw_train = sw_val = None
        if sample_weight is not None:
            sw_train = take(sample_weight, train_idx)
            sw_val = take(sample_weight, val_idx)
            for part, weights in (("training", sw_train), ("validation", sw_val)):
                if not _xp_network.max_value(weights) > 0:
                    raise SplitImpossible(
                        f"early_stopping split the data so that the {part} part "
                        "has zero total sample_weight. Give more samples a "
                        "non-zero weight or change validation_fraction."
                    )
        X_val, Y_val = take(X, val_idx).T, take(self.Y, val_idx, axis=1)
        # The score is taken on the host (from the small outputs).
        to_host = _xp_network.to_host
        Y_val_host, sw_val_host = to_host(Y_val), to_host(sw_val)
        activation = estimator.activation

        def validate(params):
            cache = _network.forward(params, X_val, activation, output)
            cost = _network.cost(params, Y_val, cache, output, 0.0, sw_val)
            A2 = to_host(cache["A2"])
            return cost, estimator._score_output(A2, Y_val_host, sw_val_host)

        train = copy.copy(self)
        train.X, train.y = take(X, train_idx), take(y, train_idx)
        train.Y, train.sample_weight = take(self.Y, train_idx, axis=1), sw_train
        train.split_rows = (train_idx, val_idx)
        return train, validate

    def objective(self, activation, output, alpha):
        """The training objective ``(params, batch=None) -> (J, grads)``."""
        return Objective(self.XT, self.Y, self.sample_weight, activation, output, alpha)

    # -- what the warnings compare with ----------------------------------------
    def constant_cost(self, output):
        """The cost of the best constant prediction of ``Y`` (on the host)."""
        to_host = _xp_network.to_host
        return _network.constant_cost(
            to_host(self.Y), output, to_host(self.sample_weight)
        )

    def saturated_share(self, params, activation):
        """Share of the hidden activations saturated at ``params``, in [0, 1].

        Taken over the first 1,000 samples, for the bounded activations
        (tanh, sigmoid); 0 for the others. From the notes' initial weights
        (``0.01 * randn``) the units saturate only when the features are far
        from unit scale: each unit then starts where its gradient vanishes,
        and learns slowly if at all.
        """
        if activation not in ("tanh", "sigmoid"):
            return 0.0
        XT = self.XT
        columns = XT[:, : min(XT.shape[1], 1000)]
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            cache = _network.forward(params, columns, activation, "identity")
        A1 = np.asarray(_xp_network.to_host(cache["A1"]), dtype=np.float64)
        if activation == "sigmoid":
            A1 = 2 * A1 - 1  # tanh(z / 2)
        return float(np.mean(np.abs(A1) > SATURATED)) if A1.size else 0.0

    def target_advice(self, estimator):
        """The estimator's advice on the scale of the targets trained on, or ""."""
        return estimator._target_advice(self.Y)

    def advice(self, estimator, halvings=0):
        """The warnings' advice on the features' and the targets' scales, or "".

        ``halvings``: how often the run halved its step (see
        :func:`scaling_advice`).
        """
        halved = halvings >= HALVINGS_FOR_SCALING
        return scaling_advice(self.features, halved) + self.target_advice(estimator)


class ArrayAPIProblem(Problem):
    """Training data of an array API namespace, on its device.

    The targets and weights encoded on the host move to ``X``'s device;
    the weights and the optimiser's state move there too. A cross-entropy's
    constant cost depends on the class frequencies alone: only those cross
    to the host.
    """

    def __init__(self, X, y, Y, sample_weight, features=None):
        super().__init__(X, y, Y, sample_weight, features)
        self.xp = _xp_network.namespace(X)
        self.device = _xp_network.device_of(X)

    @property
    def host_dtype(self):
        return np.float64 if self.X.dtype == self.xp.float64 else np.float32

    def on_device(self, array):
        if array is None:
            return None
        return self.xp.asarray(array, device=self.device)

    def targets_like(self, estimator, y):
        # Targets of the array API (not NumPy targets given with X on a device).
        if not _xp_network.is_numpy(y):
            estimator._targets_like(_xp_network.namespace(y), _xp_network.device_of(y))

    def place(self, state):
        xp, device, dtype = self.xp, self.device, self.X.dtype
        state.params = {
            k: xp.astype(_xp_network.to_namespace(v, xp, device), dtype)
            for k, v in state.params.items()
        }
        state.solver = _xp_network.convert_state(
            state.solver, lambda a: _xp_network.to_namespace(a, xp, device)
        )

    def constant_cost(self, output):
        if output in ("sigmoid", "softmax"):
            mean = _xp_network.row_means(self.Y, self.sample_weight)
            return _network.constant_cross_entropy(mean, output)
        return super().constant_cost(output)


def array_api_input(X):
    """``(xp, device, dtypes)`` for ``X``: its namespace if not NumPy's.

    ``(None, None, HOST_DTYPES)`` unless scikit-learn's array API dispatch
    is on and ``X`` is not NumPy: then the network runs in ``X``'s
    namespace, on its device, in the floating dtypes that device has.
    """
    if not get_config()["array_api_dispatch"]:
        return None, None, HOST_DTYPES
    xp, is_array_api, device = get_namespace_and_device(X)
    if not is_array_api or _is_numpy_namespace(xp):
        return None, None, HOST_DTYPES
    if not _xp_network.SUPPORTED:
        import sklearn

        raise ValueError(
            f"Array API input ({xp.__name__} arrays) needs the array API "
            f"helpers of a newer scikit-learn (1.9 is tested) than "
            f"{sklearn.__version__}. Pass NumPy arrays, or upgrade scikit-learn."
        )
    supported = _xp_network.supported_float_dtypes(xp, device)
    return xp, device, tuple(d for d in (xp.float64, xp.float32) if d in supported)


def input_dtypes(estimator, X, method):
    """The dtypes to validate ``X`` to for ``method`` of a fitted ``estimator``.

    Raises
    ------
    ValueError
        When ``X`` is NumPy but the estimator's weights are not (a model
        fitted on a device is moved with :func:`sk_shallow.move_to`).
    """
    if _xp_network.SUPPORTED:
        _xp_network.check_same_namespace(X, estimator, attribute="W1_", method=method)
    xp, _, dtypes = array_api_input(X)
    W1 = estimator.W1_
    if xp is None and not _xp_network.is_numpy(W1):
        raise ValueError(
            f"This {type(estimator).__name__} was fitted on "
            f"{_xp_network.namespace(W1).__name__} arrays; move it to "
            "NumPy with sk_shallow.move_to(estimator, numpy) first, or "
            "enable sklearn.set_config(array_api_dispatch=True)."
        )
    return dtypes


def checked_sample_weight(sample_weight, X):
    """``sample_weight`` checked for ``X``: finite, non-negative, not all zero.

    Of ``X``'s dtype; None stays None (all ones).
    """
    if sample_weight is None:
        return None
    with np.errstate(over="ignore", invalid="ignore"):
        # Weights beyond the range of X's dtype become inf: caught below.
        sample_weight = _check_sample_weight(
            sample_weight, X, dtype=X.dtype, ensure_non_negative=True
        )
    return finite_weights(sample_weight, "sample_weight")


def network_output(estimator, X, method):
    """Validate ``X`` for a fitted ``estimator``; its ``(Z2, A2)`` on it.

    Each of shape (n_outputs, m), in the namespace and on the device of
    ``X`` with array API dispatch.
    """
    dtypes = input_dtypes(estimator, X, method)
    with np.errstate(over="ignore"):  # longdouble beyond float64: inf
        X = validate_data(
            estimator, X, accept_sparse=["csr", "csc"], dtype=dtypes, reset=False
        )
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        Z2, A2 = _blocked.predict_output(
            estimator._params, X.T, estimator.activation, estimator.out_activation_
        )
    if not _xp_network.all_finite((Z2, A2)):
        raise ValueError(
            "The network's output is not finite for this input: its values "
            "are too large for the fitted weights. Scale the features the "
            "same way as the training data."
        )
    return Z2, A2


def at_start(estimator, X, y, sample_weight=None):
    """The cost ``fit`` minimises and the point it would start from.

    For :func:`sk_shallow.inspection.check_gradients`: ``X``, ``y`` and
    ``sample_weight`` are prepared the way ``fit`` prepares them and, for an
    unfitted estimator, the initial parameters ``fit`` would draw are drawn
    (the first draw from ``random_state``). On a fitted estimator the data
    are checked against the fit and the fitted parameters are used. An
    unfitted estimator gains the attributes that describe its data
    (``n_features_in_``, ``classes_``...), so call this on a copy. The cost
    is over all of ``X``: with ``early_stopping``, ``fit`` would train on
    part of it. A regressor's targets are standardised as ``fit``
    standardises them (a fitted one's as its fit did), and its fitted output
    layer taken back to their units.

    Parameters
    ----------
    estimator : BaseShallowNet
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
    sample_weight : array-like of shape (n_samples,), default=None

    Returns
    -------
    problem : dict
        ``params`` (a copy, in the notes' layout), ``X`` of shape
        (n_features, m), ``Y`` of shape (n_outputs, m), ``sample_weight``
        (None or shape (m,)), and the ``activation``, ``output`` and
        ``alpha`` of the cost :func:`sk_shallow._network.cost`.
    """
    first = not hasattr(estimator, "W1_")
    problem = estimator._prepare(X, y, sample_weight, first, False, None)
    output = estimator._output_layer() if first else estimator.out_activation_
    if first:
        rng = check_random_state(estimator.random_state)
        params = initial_params(
            estimator, rng, problem.n_features, problem.n_outputs, problem.host_dtype
        )
    else:
        if estimator.W2_.shape[0] != problem.n_outputs:
            raise ValueError(
                f"y has {problem.n_outputs} outputs; the network was fitted "
                f"with {estimator.W2_.shape[0]}."
            )
        params = {k: _xp_network.copy(v) for k, v in estimator._params.items()}
    # A regressor's fit minimises the cost of its standardised targets,
    # with the output layer in their units.
    state = getattr(estimator, "_state", None)
    scaling = problem.target_scaling(estimator, state, first, False)
    problem = problem.standardised(scaling)
    if scaling is not None and not first:
        params = fold_scaling(params, scaling, inverse=True)
    return dict(
        params=params,
        X=problem.XT,
        Y=problem.Y,
        sample_weight=problem.sample_weight,
        activation=estimator.activation,
        output=output,
        alpha=estimator.alpha,
    )


def _column_moments(X):
    """Mean and standard deviation of each column of ``X`` (dense or sparse).

    Finite for any finite ``X``: a column whose variance overflows (values
    beyond 1e154 in float64) is taken again divided by a power of two (an
    exact scaling) and the moments scaled back.
    """
    mean, std = _raw_column_moments(X)
    overflowed = np.flatnonzero(~(np.isfinite(mean) & np.isfinite(std)))
    if not overflowed.size:
        return mean, std
    if sp.issparse(X):
        part = X.tocsc()[:, overflowed]
        scale = power_of_two_below(abs(part).max(axis=0).toarray().ravel())
        part = part @ sp.diags(scale)
    elif _xp_network.is_numpy(X):
        part = X[:, overflowed]
        scale = power_of_two_below(np.abs(part).max(axis=0))
        part = part * scale
    else:
        xp, device = _xp_network.namespace(X), _xp_network.device_of(X)
        part = xp.take(X, xp.asarray(overflowed, device=device), axis=1)
        scale = power_of_two_below(_xp_network.to_host(xp.max(xp.abs(part), axis=0)))
        part = part * xp.asarray(scale, dtype=part.dtype, device=device)
    part_mean, part_std = _raw_column_moments(part)
    mean[overflowed], std[overflowed] = part_mean / scale, part_std / scale
    return mean, std


def power_of_two_below(largest):
    """``2**-e`` with ``largest * 2**-e`` in [0.5, 1): an exact scaling.

    Parameters
    ----------
    largest : float or ndarray
        Finite, non-zero sizes.

    Returns
    -------
    scale : float64 or ndarray of float64, of ``largest``'s shape
    """
    return np.ldexp(1.0, -np.frexp(np.asarray(largest, dtype=np.float64))[1])


def _raw_column_moments(X):
    """Mean and standard deviation of each column, in float64 on the host."""
    if sp.issparse(X):
        with np.errstate(over="ignore", invalid="ignore"):
            mean, var = mean_variance_axis(X, axis=0)
            return np.asarray(mean, np.float64), np.sqrt(np.asarray(var, np.float64))
    if not _xp_network.is_numpy(X):
        xp = _xp_network.namespace(X)
        # A NumPy-backed namespace overflows as NumPy does: the caller
        # rescales such columns.
        with np.errstate(over="ignore", invalid="ignore"):
            return tuple(
                np.array(_xp_network.to_host(f(X, axis=0)), dtype=np.float64)
                for f in (xp.mean, xp.std)
            )
    # In chunks of rows, so that no temporary of X's size is made.
    mean = var = 0.0
    count = 0
    with np.errstate(over="ignore", invalid="ignore"):
        for rows in gen_batches(X.shape[0], 4096):
            mean, var, count = _incremental_mean_and_var(X[rows], mean, var, count)
    return np.array(mean, dtype=np.float64), np.sqrt(np.array(var, np.float64))


#: A run whose step was halved this many times (to an eighth) on features
#: that are not standardised is told to scale them (:func:`scaling_advice`).
HALVINGS_FOR_SCALING = 3

#: Past this, a column's standard deviation or the size of its mean is not
#: the unit scale that the notes' step suits (a StandardScaler's columns
#: have 1 and 0; min-max and one-hot columns at most 1).
NOT_STANDARDISED = 3.0


def scaling_advice(X, halved=False):
    """A sentence naming a scaler when ``X`` is far from unit scale, or "".

    StandardScaler for dense ``X``; for sparse ``X``, which cannot be
    centred without densifying it, MaxAbsScaler or StandardScaler without
    centring.

    Far means a column's standard deviation or the size of its mean above
    100, or a ratio above 1e3 between the largest and the smallest non-zero
    column scale. Gradient descent then needs a step too small for the small
    columns to learn; a large mean is a large scale too (a column of 100 plus
    unit noise makes the cost a narrow valley along the bias). When the run
    had to halve its step :data:`HALVINGS_FOR_SCALING` times or more
    (``halved``), the features' scale is the likely reason from
    :data:`NOT_STANDARDISED` on (raw counts, pixel values of 0 to 16).
    """
    mean, std = _column_moments(X)
    offset = np.abs(mean[np.isfinite(mean)])
    offset = offset.max() if offset.size else 0.0
    scales = std[np.isfinite(std) & (std > 0)]
    if not scales.size:
        return ""
    largest, ratio = scales.max(), scales.max() / scales.min()
    far = largest > 100 or ratio > 1e3 or offset > 100
    if not (far or (halved and max(largest, offset) > NOT_STANDARDISED)):
        return ""
    big_mean = 100 if far else NOT_STANDARDISED
    means = f"column means up to {offset:.3g} in size, " if offset > big_mean else ""
    # StandardScaler cannot centre a sparse matrix: it would densify it; and
    # the variance of values beyond 1e150 overflows in it (every column
    # would become 0), where MaxAbsScaler divides by the largest value.
    huge = max(largest, offset) > SQUARES_OVERFLOW
    if sp.issparse(X):
        example = "make_pipeline(MaxAbsScaler(), ...)" + (
            "" if huge else " or StandardScaler(with_mean=False)"
        )
        example += " (a sparse matrix cannot be centred)"
    elif huge:
        example = (
            "make_pipeline(MaxAbsScaler(), StandardScaler(), ...) (StandardScaler "
            "alone would overflow on values this large)"
        )
    else:
        example = "make_pipeline(StandardScaler(), ...)"
    how = "far from unit scale" if far else "not standardised"
    return (
        f" The features are {how} ({means}column standard "
        f"deviations from {scales.min():.3g} to {largest:.3g}): scale them, "
        f"for example with {example}."
    )


def metric_weights(sample_weight):
    """``sample_weight`` for a metric, scaled so that its sums cannot overflow.

    A metric weighs through the weights' ratios: NumPy weights beyond 1e100
    are divided by a power of two (exact); anything else is returned as it is.

    Parameters
    ----------
    sample_weight : array-like of shape (n_samples,) or None

    Returns
    -------
    sample_weight : ndarray of shape (n_samples,), or as given
    """
    if sample_weight is None or not _xp_network.is_numpy(sample_weight):
        return sample_weight
    weights = np.asarray(sample_weight)
    if weights.dtype.kind != "f" or not weights.size:
        return sample_weight
    heaviest = float(np.abs(weights).max())
    if not (math.isfinite(heaviest) and heaviest > 1e100):
        return sample_weight
    return weights * power_of_two_below(heaviest)


def standardise(Y, scaling):
    """``(Y - shift) / scale``, row by row, in ``Y``'s namespace (dask too)."""
    shift, scale = scaling
    return (Y - _like(shift, Y)) / _like(scale, Y)


def _like(values, array):
    """The host column ``values`` in the namespace, device and dtype of ``array``."""
    if _xp_network.is_numpy(array):
        return np.asarray(values, dtype=array.dtype)
    xp = _xp_network.namespace(array)
    return xp.asarray(values, dtype=array.dtype, device=_xp_network.device_of(array))


def fold_scaling(params, scaling, inverse=False):
    """The output layer in the targets' units: ``W2 scale``, ``b2 scale + shift``.

    With ``inverse``, the other way: the weights that predict standardised
    targets. The hidden layer is the same either way; the network's output
    ``W2 A1 + b2`` becomes ``scale (W2 A1 + b2) + shift``, exactly the
    prediction in ``y``'s units, so the fitted ``W2_`` and ``b2_`` predict
    ``y`` directly (ONNX export and the Dask estimators see a plain network).

    Parameters
    ----------
    params : dict
        ``W2`` of shape (n_outputs, n_hidden) and ``b2`` of shape
        (n_outputs, 1), with the hidden layer's.
    scaling : tuple of ndarray
        ``(shift, scale)``, each of shape (n_outputs, 1), on the host.

    Returns
    -------
    params : dict
        New ``W2`` and ``b2``; the other arrays are those of ``params``.
    """
    shift, scale = (_like(v, params["W2"]) for v in scaling)
    W2, b2 = params["W2"], params["b2"]
    if inverse:
        return {**params, "W2": W2 / scale, "b2": (b2 - shift) / scale}
    return {**params, "W2": W2 * scale, "b2": b2 * scale + shift}


def finite_weights(weights, name):
    """Check per-sample ``weights``: finite, not all zero; rescaled if huge.

    Weights whose sum overflows (equal weights of 1e307) are divided by their
    largest value: the cost is a weighted mean, unchanged by a common factor.
    """
    if not np.isfinite(weights).all():
        raise ValueError(
            f"{name} must be finite; it has NaN or infinite values (or values "
            f"beyond the range of {weights.dtype})."
        )
    if not weights.max(initial=0) > 0:
        raise ValueError(f"{name} gives every sample a zero weight: nothing to fit.")
    with np.errstate(over="ignore"):
        total = weights.sum()
    if not np.isfinite(total):
        weights = weights / weights.max()
    return weights
