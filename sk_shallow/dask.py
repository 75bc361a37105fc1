"""Dask estimators: the shallow network trained where the data lives.

:class:`DaskShallowNetClassifier` and :class:`DaskShallowNetRegressor` take
``dask.array`` or ``dask.dataframe`` collections chunked by rows. The notes'
cost and gradients are sums over the examples divided by ``S = sum_i s_i``,
so a full-batch step on a cluster is the single-machine step:

- ``"gd"`` and ``"lbfgs"``: each row-chunk is prepared once (transposed into
  the notes' ``(n_features, m)`` layout, targets encoded, weights computed)
  and kept on the worker that computed it. Every cost evaluation ships the
  parameters to the chunks, each chunk returns its *sums* (weighted loss and
  gradients, :func:`sk_shallow._network.loss_and_gradient_sums`), and the
  client adds them in chunk order, adds the penalty once and divides by
  ``S`` (:func:`sk_shallow._network.mean_cost_and_gradients`). The solver,
  the stopping rule, ``verbose``, callbacks and ``warm_start`` are the plain
  estimators' own.
- ``"sgd"`` and ``"adam"``: the plain estimators' epochs of mini-batches,
  over the rows of all the chunks in order (shuffled as in memory when
  ``shuffle``). Each mini-batch ships the parameters to the chunks that hold
  its rows, which return the sums over those rows; the client adds them in
  chunk order and takes the step. The trajectory is the in-memory fit's, up
  to the order of floating-point additions; each step costs one round trip
  to the workers holding the batch's rows (all of them, when shuffled).

Either way the data are prepared into a chunked problem
(``ChunkedProblem``) and trained by the plain estimators' own loop:
the solver, the stopping rule, the histories, ``verbose``, callbacks,
``warm_start`` and the warnings are theirs.

NumPy, SciPy sparse and pandas input is fitted and predicted by the plain
estimator's code, in this process. Without a ``distributed`` client (none
given, none current) the chunks are computed with Dask's default scheduler
into this process and the same sums are taken chunk by chunk.
"""

import copy
import inspect
import sys

import numpy as np

try:
    import dask
    import dask.array as da
except ModuleNotFoundError as error:
    raise ModuleNotFoundError(
        f"sk_shallow.dask needs {error.name!r}: install the [dask] extra "
        '(from a checkout: pip install -e ".[dask]").',
        name=error.name,
    ) from error
from scipy.special import xlogy
from sklearn.metrics import accuracy_score
from sklearn.utils import assert_all_finite
from sklearn.utils._param_validation import HasMethods
from sklearn.utils.validation import (
    _check_feature_names,
    _check_n_features,
    _check_sample_weight,
    check_is_fitted,
)

from . import _network
from ._classifier import ShallowNetClassifier, _unique_inverse, check_label_values
from ._problem import Problem, finite_weights
from ._regressor import ShallowNetRegressor, r2
from ._training import _QUIET

#: What scikit-learn's callback machinery keeps on an estimator during a fit.
_CALLBACK_STATE = ("_callback_fit_ctx", "_skl_callbacks_to_teardown")

__all__ = ["DaskShallowNetClassifier", "DaskShallowNetRegressor"]

#: Parameters larger than this (bytes) are scattered to every worker once per
#: cost evaluation instead of travelling inside each chunk's task.
_SCATTER_BYTES = 1 << 20


# --------------------------------------------------------------------------
# Collections and clients
# --------------------------------------------------------------------------
def _current_client(client):
    """``client``, else the current ``distributed`` client, else None."""
    if client is not None:
        return client
    try:
        from distributed import default_client
    except ImportError:
        return None
    try:
        return default_client()
    except ValueError:  # no client: Dask's default scheduler
        return None


def _compute(client, *collections):
    """Compute ``collections`` on ``client`` or, if None, the default scheduler."""
    lazy = [i for i, c in enumerate(collections) if dask.is_dask_collection(c)]
    todo = [collections[i] for i in lazy]
    if client is None:
        done = dask.compute(*todo)
    else:
        done = client.gather(client.compute(todo))
    out = list(collections)
    for i, value in zip(lazy, done, strict=True):
        out[i] = value
    return tuple(out)


def _as_array(data, name, row_chunks=None):
    """A dask array from a dask array/dataframe/series, or from a NumPy array."""
    if hasattr(data, "to_dask_array"):  # dask dataframe or series
        data = data.to_dask_array(lengths=True)
    elif not isinstance(data, da.Array):
        if dask.is_dask_collection(data) or row_chunks is None:
            raise TypeError(
                f"{name} must be a dask array or dask dataframe, got "
                f"{type(data).__name__}."
            )
        data = np.asarray(data)
        data = da.from_array(data, chunks=(row_chunks,) + data.shape[1:])
    if any(np.isnan(c) for chunks in data.chunks for c in chunks):
        data = data.compute_chunk_sizes()
    if row_chunks is not None:
        if data.shape[0] != sum(row_chunks):
            raise ValueError(
                f"{name} has {data.shape[0]} rows but X has {sum(row_chunks)}."
            )
        data = data.rechunk((row_chunks,) + tuple((n,) for n in data.shape[1:]))
    return data


def _without_empty_chunks(estimator, X, *others):
    """``X`` and the arrays chunked as its rows, less the chunks with no rows.

    Filtering (``X[mask]``) leaves chunks without rows; each would be a fit,
    or a ``partial_fit``, on no data. None in ``others`` stays None.
    """
    keep = [i for i, rows in enumerate(X.chunks[0]) if rows]
    if not keep:
        raise ValueError(
            f"Found array with 0 sample(s) (shape={X.shape}) while a minimum of "
            f"1 is required by {type(estimator).__name__}."
        )
    if len(keep) == len(X.chunks[0]):
        return (X, *others)
    return tuple(None if a is None else a.blocks[keep] for a in (X, *others))


def _frame_meta(X):
    """The empty pandas frame describing a dask dataframe's columns, else ``X``."""
    return getattr(X, "_meta", X) if hasattr(X, "columns") else X


def _check_row_chunks(X):
    """Reject anything but a 2-D array chunked along its rows only."""
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (n_samples, n_features); got {X.ndim}-D.")
    if len(X.chunks[1]) != 1:
        raise ValueError(
            f"X is chunked along its features (column chunks {X.chunks[1]}); "
            "every chunk must hold whole rows. Rechunk with "
            "X.rechunk({1: -1})."
        )


# --------------------------------------------------------------------------
# Work done on the workers, one chunk at a time
# --------------------------------------------------------------------------
class _Chunk:
    """One row-chunk of the training data in the notes' layout.

    Kept in the memory of the worker that prepared it; its forward-pass
    buffers stay with it between cost evaluations (and are not pickled).
    """

    def __init__(self, XT, Y, sample_weight):
        self.XT, self.Y, self.sample_weight = XT, Y, sample_weight
        self.n_samples = Y.shape[1]
        self.weight = float(
            self.n_samples if sample_weight is None else sample_weight.sum()
        )
        self._buffers = {}

    def __getstate__(self):
        return {**self.__dict__, "_buffers": {}}


def _prepare_chunk(X, Y, sample_weight):
    """``X (c, n_features)``, ``Y (n_outputs, c)`` -> a :class:`_Chunk`."""
    assert_all_finite(X, input_name="X")
    assert_all_finite(Y, input_name="y")
    return _Chunk(X.T, np.ascontiguousarray(Y, dtype=X.dtype), sample_weight)


def _chunk_size(chunk):
    return chunk.n_samples, chunk.weight


def _chunk_sums(chunk, params, rows, activation, output):
    """The ``(sum_i s_i L(i), gradient sums, sum_i s_i)`` of the chunk's ``rows``.

    ``rows`` (a slice or indices into the chunk; None: all of it) are a
    mini-batch's; the whole chunk reuses its forward-pass buffers.
    """
    XT, Y, sample_weight, cache = chunk.XT, chunk.Y, chunk.sample_weight, None
    if rows is None:
        cache = chunk._buffers
    else:
        XT, Y = XT[:, rows], Y[:, rows]
        sample_weight = None if sample_weight is None else sample_weight[rows]
    with np.errstate(**_QUIET):
        return _network.loss_and_gradient_sums(
            params, XT, Y, activation, output, sample_weight, cache
        )


def _chunk_target_sums(chunk, params, rows, mean):
    """Weighted sums over the chunk's targets, for the constant prediction's cost.

    Without ``mean``: ``(sum_i s_i, sum_i s_i y_i, sum_i s_i y_i log y_i)``;
    with it: ``sum_i s_i |y_i - mean|^2``. In float64.
    """
    Y = np.asarray(chunk.Y, dtype=np.float64)
    w = chunk.sample_weight
    w = np.ones(Y.shape[1]) if w is None else np.asarray(w, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        if mean is None:
            return w.sum(), Y @ w, xlogy(Y, Y) @ w
        return float(np.sum(((Y - mean[:, None]) ** 2) @ w))


#: A chunk's weights may all be zero, as may a batch's in memory: the fit
#: checks their total (recent scikit-learn rejects all-zero weights by default).
_ZERO_WEIGHTS_ALLOWED = (
    {"allow_all_zero_weights": True}
    if "allow_all_zero_weights" in inspect.signature(_check_sample_weight).parameters
    else {}
)


def _checked_weights(sample_weight, dtype):
    return _check_sample_weight(
        sample_weight,
        sample_weight,
        dtype=dtype,
        ensure_non_negative=True,
        **_ZERO_WEIGHTS_ALLOWED,
    )


def _check_weight_totals(totals):
    """Reject chunks whose weights, together, are all zero (or not finite)."""
    finite_weights(np.asarray(totals, dtype=np.float64), "sample_weight")


def _class_totals(y, sample_weight):
    """The labels of a chunk, their counts and their total sample weights."""
    labels, index = _unique_inverse(y)
    counts = np.bincount(index, minlength=len(labels)).astype(np.float64)
    if sample_weight is None:
        return labels, counts, counts
    return labels, counts, np.bincount(index, weights=sample_weight)


def _class_weighted(y, sample_weight, classes, class_weights, dtype, class_weight):
    """Each sample's class weight, times its sample weight."""
    weights = class_weights[np.searchsorted(classes, y)]
    with np.errstate(over="ignore", invalid="ignore"):
        weights = weights.astype(dtype)
        if sample_weight is not None:
            weights = weights * sample_weight
    if not np.isfinite(weights).all():
        raise ValueError(
            f"class_weight={class_weight!r} gives non-finite sample weights: a "
            "class's total sample_weight is too small to balance against the "
            "others. Rescale sample_weight."
        )
    return weights


def _apply_block(X, model, method, empty):
    """``model.method(X)``; ``empty`` (its result on no rows) for a chunk of none."""
    if not X.shape[0]:
        return empty
    return getattr(model, method)(X)


# --------------------------------------------------------------------------
# The chunks and the objective over them
# --------------------------------------------------------------------------
class _ClusterChunks:
    """Prepared chunks held on a ``distributed`` cluster, as futures.

    Each cost evaluation sends one task per worker, which takes the sums of
    the chunks that worker holds: fewer messages than one task per chunk.
    """

    def __init__(self, client, chunks):
        self.client = client
        self.futures = client.compute(chunks)
        self.sizes = client.gather(client.map(_chunk_size, self.futures))
        holders = client.who_has(self.futures)
        groups = {}
        for i, f in enumerate(self.futures):
            worker = min(holders.get(f.key) or ("",))
            groups.setdefault(worker, []).append(i)
        self.groups = list(groups.items())

    def map(self, func, params, *args, rows=None):
        """``func(chunk, params, rows_i, *args)`` for each chunk, on its worker.

        ``rows`` maps chunk indices to the rows wanted of each (a mini-batch's):
        only those chunks are visited. Without it every chunk, whole
        (``rows_i`` None). The results come in chunk order.
        """
        if sum(v.nbytes for v in params.values()) > _SCATTER_BYTES:
            [params] = self.client.scatter([params], broadcast=True, hash=False)
        groups = [
            (worker, [i for i in indices if rows is None or i in rows])
            for worker, indices in self.groups
        ]
        groups = [(worker, indices) for worker, indices in groups if indices]
        futures = [
            self.client.submit(
                _map_chunks,
                func,
                [self.futures[i] for i in indices],
                params,
                [None if rows is None else rows[i] for i in indices],
                *args,
                workers=[worker] if worker else None,
                allow_other_workers=True,
                pure=False,
            )
            for worker, indices in groups
        ]
        results = self.client.gather(futures)  # released when they go
        out = {}
        for (_, indices), values in zip(groups, results, strict=True):
            out.update(zip(indices, values, strict=True))
        return [out[i] for i in sorted(out)]


def _map_chunks(func, chunks, params, rows, *args):
    return [func(c, params, r, *args) for c, r in zip(chunks, rows, strict=True)]


class _LocalChunks:
    """Prepared chunks computed by Dask's default scheduler into this process."""

    def __init__(self, chunks):
        self.chunks = dask.compute(*chunks)
        self.sizes = [_chunk_size(c) for c in self.chunks]

    def map(self, func, params, *args, rows=None):
        """As :meth:`_ClusterChunks.map`, in this process."""
        if rows is None:
            return [func(chunk, params, None, *args) for chunk in self.chunks]
        return [func(self.chunks[i], params, rows[i], *args) for i in sorted(rows)]


class DistributedObjective:
    """The cost and gradients, map-reduced over row-chunks.

    The same interface as :class:`sk_shallow._objective.Objective`:
    ``objective(params, batch=None) -> (J, grads)`` and
    ``objective.n_samples``; a ``batch`` (a slice or indices) numbers the
    rows of all the chunks in order, and only the chunks holding its rows
    are visited. The chunk sums are added on the client in chunk order, so
    the result does not depend on which worker holds which chunk.

    Parameters
    ----------
    chunks : _ClusterChunks or _LocalChunks
    activation, output : str
    alpha : float
    """

    def __init__(self, chunks, activation, output, alpha):
        self.chunks = chunks
        self.activation, self.output, self.alpha = activation, output, alpha
        self.n_samples = sum(m for m, _ in chunks.sizes)
        _check_weight_totals([S for _, S in chunks.sizes])
        self.total_weight = sum(S for _, S in chunks.sizes)
        #: The first row of each chunk, and the end of the last.
        self.starts = np.cumsum([0] + [m for m, _ in chunks.sizes])

    def __call__(self, params, batch=None):
        """``(J, grads)`` on the rows ``batch`` (all if None).

        Both None for a batch whose sample weights are all zero, as in memory.
        """
        args = (self.activation, self.output)
        if batch is None:
            parts = self.chunks.map(_chunk_sums, params, *args)
            S = self.total_weight
        else:
            parts = self.chunks.map(_chunk_sums, params, *args, rows=self._rows(batch))
            S = sum(part[2] for part in parts)
            if not S > 0:
                return None, None
        loss_sum, grads = _network.add_in_order(part[:2] for part in parts)
        return _network.mean_cost_and_gradients(params, loss_sum, grads, S, self.alpha)

    def _rows(self, batch):
        """``{chunk index: its rows in batch}``: a slice where they are contiguous."""
        # The batch's rows alone (not an index of every row: a batch of a
        # large collection would cost the whole collection's length).
        if isinstance(batch, slice):
            rows = np.arange(*batch.indices(self.n_samples))
        else:
            rows = np.asarray(batch)
        owner = np.searchsorted(self.starts, rows, side="right") - 1
        out = {}
        for i in np.unique(owner):
            local = rows[owner == i] - self.starts[i]
            if local[-1] - local[0] + 1 == len(local) and np.all(np.diff(local) > 0):
                local = slice(int(local[0]), int(local[-1]) + 1)
            out[int(i)] = local
        return out


class ChunkedProblem(Problem):
    """Training data in the row-chunks of dask collections.

    The interface of :class:`sk_shallow._problem.Problem`, answered over the
    chunks: they are prepared once on the workers (transposed into the notes'
    layout, targets encoded and standardised, weights computed) when the
    objective or the constant prediction's cost first needs them, and kept
    there for the fit. No split (``early_stopping=True`` is refused for dask
    input), and no advice on the features' or targets' scales, nor a count
    of saturated units: each would cost a pass over data that the fit
    releases from the workers when it ends.

    Parameters
    ----------
    X : dask array of shape (n_samples, n_features)
        Chunked by rows only, no chunk empty.
    y : dask array of shape (n_samples,) or (n_samples, n_outputs)
        The checked targets.
    Y : dask array of shape (n_outputs, n_samples)
        The encoded targets, in ``X``'s dtype.
    sample_weight : dask array of shape (n_samples,) or None
    client : distributed.Client or None
        Where the chunks are computed; None: Dask's default scheduler, into
        this process.
    """

    def __init__(self, X, y, Y, sample_weight, client):
        super().__init__(X, y, Y, sample_weight)
        self.client = client
        self._chunks = None

    def target_scaling(self, estimator, state, first, incremental):
        # The targets (one row per output, small beside X) come to this
        # process on the estimator's client.
        Y, sample_weight = self.Y, self.sample_weight
        if first:
            Y, sample_weight = _compute(self.client, Y, sample_weight)
        return estimator._target_scaling(Y, sample_weight, state, first, incremental)

    def validates(self, estimator, incremental):
        return False

    @property
    def chunks(self):
        """The prepared chunks, on the cluster or in this process."""
        if self._chunks is None:
            X, sample_weight = self.X, self.sample_weight
            sws = (
                [None] * len(X.chunks[0])
                if sample_weight is None
                else sample_weight.to_delayed().ravel()
            )
            prepare = dask.delayed(_prepare_chunk, pure=False)
            chunks = [
                prepare(Xb, Yb, swb)
                for Xb, Yb, swb in zip(
                    X.to_delayed().ravel(),
                    self.Y.to_delayed().ravel(),
                    sws,
                    strict=True,
                )
            ]
            self._chunks = (
                _LocalChunks(chunks)
                if self.client is None
                else _ClusterChunks(self.client, chunks)
            )
        return self._chunks

    def objective(self, activation, output, alpha):
        return DistributedObjective(self.chunks, activation, output, alpha)

    def constant_cost(self, output):
        """The cost of the best constant prediction of the chunks' targets."""
        parts = self.chunks.map(_chunk_target_sums, {}, None)
        S = sum(part[0] for part in parts)
        mean = sum(part[1] for part in parts) / S
        if output in ("sigmoid", "softmax"):
            return _network.constant_cross_entropy(mean, output)
        with np.errstate(over="ignore", invalid="ignore"):
            if output == "identity":
                spread = self.chunks.map(_chunk_target_sums, {}, mean)
                return float(0.5 * sum(spread) / S)
            return float(np.sum(sum(part[2] for part in parts) / S - xlogy(mean, mean)))

    def saturated_share(self, params, activation):
        return 0.0

    def target_advice(self, estimator):
        return ""

    def advice(self, estimator, halvings=0):
        return ""


# --------------------------------------------------------------------------
# The estimators
# --------------------------------------------------------------------------
def _init_with_client(plain):
    """``plain.__init__`` with one more keyword parameter, ``client=None``.

    The signature is the plain estimator's plus ``client``, so that
    ``get_params``, ``clone`` and the documentation see every parameter.
    """
    signature = inspect.signature(plain.__init__)
    client = inspect.Parameter("client", inspect.Parameter.KEYWORD_ONLY, default=None)

    def __init__(self, *args, client=None, **kwargs):
        plain.__init__(self, *args, **kwargs)
        self.client = client

    __init__.__signature__ = signature.replace(
        parameters=[*signature.parameters.values(), client]
    )
    __init__.__doc__ = plain.__init__.__doc__
    return __init__


class _DaskMixin:
    """What both Dask estimators add to their plain counterpart."""

    _dask_constraints = {"client": [None, HasMethods(["submit", "gather"])]}

    # -- fitting ------------------------------------------------------------
    def fit(self, X, y, sample_weight=None):
        """Fit the network to dask collections (or to in-memory data).

        Parameters
        ----------
        X : {dask array, dask dataframe, array-like} of shape \
                (n_samples, n_features)
            Training data, chunked by rows only.
        y : {dask array, dask series or dataframe, array-like} of shape \
                (n_samples,) or (n_samples, n_outputs)
            Targets; rechunked to ``X``'s row chunks.
        sample_weight : dask array or array-like of shape (n_samples,), \
                default=None
            Per-sample weights.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        if dask.is_dask_collection(X) and self.early_stopping is True:
            raise ValueError(
                "early_stopping=True is not available for dask collections: "
                "hold out a validation collection and compare score() instead."
            )
        return super().fit(X, y, sample_weight)

    def _prepare(self, X, y, sample_weight, first, incremental, classes):
        """A :class:`ChunkedProblem` for dask collections, else the plain one's."""
        if not dask.is_dask_collection(X):
            return super()._prepare(X, y, sample_weight, first, incremental, classes)
        if incremental:
            raise TypeError(
                "partial_fit takes in-memory data; fit trains on dask collections."
            )
        _check_feature_names(self, _frame_meta(X), reset=first)
        X = _as_array(X, "X")
        _check_row_chunks(X)
        _check_n_features(self, X, reset=first)
        if X.dtype not in (np.float64, np.float32):
            X = X.astype(np.float64)
        rows = X.chunks[0]
        y = _as_array(y, "y", rows)
        if sample_weight is not None:
            sample_weight = _as_array(sample_weight, "sample_weight", rows)
            if sample_weight.ndim != 1:
                raise ValueError(
                    f"sample_weight must be 1-D; got shape {sample_weight.shape}."
                )
        X, y, sample_weight = _without_empty_chunks(self, X, y, sample_weight)
        if sample_weight is not None:
            sample_weight = sample_weight.map_blocks(
                _checked_weights, X.dtype, dtype=X.dtype
            )
        client = _current_client(self.client)
        y, Y, sample_weight = self._encode_dask_targets(
            client, y, sample_weight, first, X.dtype
        )
        return ChunkedProblem(X, y, Y, sample_weight, client)

    # -- predicting -----------------------------------------------------------
    def _lazy(self, method, X):
        """``method`` of the plain model, mapped lazily over ``X``'s chunks."""
        check_is_fitted(self)
        _check_feature_names(self, _frame_meta(X), reset=False)
        X = _as_array(X, "X")
        _check_row_chunks(X)
        _check_n_features(self, X, reset=False)
        model = self.to_local()
        # The blocks are plain arrays: the names were checked above.
        model.__dict__.pop("feature_names_in_", None)
        probe = getattr(model, method)(np.zeros((1, X.shape[1]), dtype=X.dtype))
        # Chunks emptied by filtering give empty results, not the model's
        # error on no rows; the output keeps X's row chunks.
        args = (_apply_block, model, method, probe[:0])
        if probe.ndim == 1:
            return X.map_blocks(*args, dtype=probe.dtype, drop_axis=1)
        return X.map_blocks(
            *args, dtype=probe.dtype, chunks=(X.chunks[0], probe.shape[1:])
        )

    def predict(self, X):
        """Predictions; lazy (a dask array) for dask input.

        Parameters
        ----------
        X : {dask array, dask dataframe, array-like} of shape \
                (n_samples, n_features)

        Returns
        -------
        y_pred : dask array or ndarray of shape (n_samples,) or \
                (n_samples, n_outputs)
        """
        if dask.is_dask_collection(X):
            return self._lazy("predict", X)
        return super().predict(X)

    def score(self, X, y, sample_weight=None):
        """The plain estimator's score; dask input is computed.

        The targets and the predictions (one value per row) are brought to the
        client; the features stay on the workers.

        Parameters
        ----------
        X : {dask array, dask dataframe, array-like} of shape \
                (n_samples, n_features)
        y : {dask array, dask series, array-like} of shape (n_samples,) or \
                (n_samples, n_outputs)
        sample_weight : dask array or array-like of shape (n_samples,), \
                default=None

        Returns
        -------
        score : float
            Accuracy for the classifier, R^2 for the regressor.
        """
        if not dask.is_dask_collection(X):
            return super().score(X, y, sample_weight)
        y_pred = self._lazy("predict", X)
        y, y_pred, sample_weight = _compute(
            _current_client(self.client),
            _as_array(y, "y", y_pred.chunks[0]),
            y_pred,
            sample_weight,
        )
        return float(self._metric(y, y_pred, sample_weight=sample_weight))

    # -- conversion -----------------------------------------------------------
    def to_local(self):
        """The plain estimator with the same parameters and weights.

        Returns
        -------
        estimator : ShallowNetClassifier or ShallowNetRegressor
            A copy; fitting or changing it leaves this estimator unchanged.
        """
        check_is_fitted(self)
        params = self.get_params()
        params.pop("client")
        local = self._plain_class(**params)
        local.__dict__.update(
            copy.deepcopy(
                {
                    k: v
                    for k, v in self.__dict__.items()
                    if k not in params and k != "client" and k not in _CALLBACK_STATE
                }
            )
        )
        return local

    def __getstate__(self):
        # A client holds connections: a pickled estimator uses the current
        # client of wherever it is unpickled (as xgboost.dask's and
        # LightGBM's Dask estimators do).
        state = dict(super().__getstate__())  # a copy: self keeps its client
        state["client"] = None
        return state

    def __sklearn_clone__(self):
        # scikit-learn's clone deep-copies each parameter, and a client
        # cannot be copied (its connections cannot be pickled). The clone
        # shares this estimator's client, as two estimators given the same
        # client do; every other parameter is cloned as scikit-learn does.
        without_client = copy.copy(self)  # through __getstate__: client None
        clone = super(_DaskMixin, without_client).__sklearn_clone__()
        clone.client = self.client
        return clone


class DaskShallowNetClassifier(_DaskMixin, ShallowNetClassifier):
    """:class:`~sk_shallow.ShallowNetClassifier` on dask collections.

    ``fit`` takes a ``dask.array`` or ``dask.dataframe`` chunked by rows and
    trains on the workers that hold the chunks (see :mod:`sk_shallow.dask`);
    ``predict``, ``predict_proba``, ``predict_log_proba`` and
    ``decision_function`` return lazy dask arrays; ``to_local()`` returns the
    plain estimator. In-memory input is handled by the plain estimator's code.

    ``"gd"`` and ``"lbfgs"`` evaluate the in-memory cost and gradients (up to
    the order of floating-point additions): ``"gd"`` follows the in-memory
    trajectory, ``"lbfgs"`` only for its first iterations, as L-BFGS
    magnifies rounding (see the Scaling page); ``"sgd"`` and ``"adam"`` take
    the in-memory mini-batch steps, each batch's sums taken on the workers
    holding its rows. The classes are found in one
    pass over ``y``, and ``class_weight="balanced"`` counts them over all
    chunks. Targets must be 1-D labels; ``early_stopping`` is not available
    for dask input.

    Parameters
    ----------
    client : distributed.Client or None, default=None
        The cluster to train on. None uses the current client
        (``distributed.default_client()``), or Dask's default scheduler in
        this process if there is none. Not pickled; shared by clones.
    **params
        Every parameter of :class:`~sk_shallow.ShallowNetClassifier`, with the
        same defaults (``alpha=0.0``: the notes' unpenalised cost).

    Attributes
    ----------
    W1_, b1_, W2_, b2_, classes_, n_outputs_, out_activation_, loss_, \
loss_curve_, best_loss_, n_iter_, n_features_in_, feature_names_in_
        As in :class:`~sk_shallow.ShallowNetClassifier`.

    See Also
    --------
    sk_shallow.ShallowNetClassifier : The in-memory estimator.

    Examples
    --------
    >>> import dask.array as da
    >>> from sk_shallow.dask import DaskShallowNetClassifier
    >>> from sk_shallow.datasets import make_flower
    >>> X, y = make_flower()
    >>> dX, dy = da.from_array(X, chunks=100), da.from_array(y, chunks=100)
    >>> clf = DaskShallowNetClassifier(random_state=2, max_iter=100, tol=0.1)
    >>> clf = clf.fit(dX, dy)
    >>> clf.predict(dX)  # doctest: +ELLIPSIS
    dask.array<...>
    >>> type(clf.to_local()).__name__
    'ShallowNetClassifier'
    """

    _parameter_constraints = {
        **ShallowNetClassifier._parameter_constraints,
        **_DaskMixin._dask_constraints,
    }
    _plain_class = ShallowNetClassifier
    _metric = staticmethod(accuracy_score)
    __init__ = _init_with_client(ShallowNetClassifier)

    def _encode_dask_targets(self, client, y, sample_weight, first, dtype):
        if y.ndim != 1:
            raise ValueError(
                f"y must be 1-D class labels for dask input; got shape {y.shape}. "
                "Fit multilabel targets in memory with ShallowNetClassifier."
            )
        sws = (
            [None] * len(y.chunks[0])
            if sample_weight is None
            else sample_weight.to_delayed().ravel()
        )
        totals = dask.delayed(list)(
            [
                dask.delayed(_class_totals)(yb, swb)
                for yb, swb in zip(y.to_delayed().ravel(), sws, strict=True)
            ]
        )
        (totals,) = _compute(client, totals)
        labels = np.concatenate([t[0] for t in totals])
        classes, index = np.unique(labels, return_inverse=True)
        counts = np.bincount(index, weights=np.concatenate([t[1] for t in totals]))
        weight_totals = np.bincount(
            index, weights=np.concatenate([t[2] for t in totals])
        )
        check_label_values(classes, int(counts.sum()))
        if first:
            self._set_classes(classes)
        else:
            self._check_known_classes(classes)
        binarizer = self._label_binarizer
        n_outputs = 1 if len(binarizer.classes_) == 2 else len(binarizer.classes_)
        Y = y.map_blocks(
            binarizer.transform,
            dtype=dtype,
            new_axis=1,
            chunks=(y.chunks[0], (n_outputs,)),
        ).T

        if self.class_weight is not None:
            # "balanced" counts the classes by their sample weights; classes
            # whose samples all weigh 0 keep weight 0, as in memory. The
            # weights follow classes_: a continued fit's y may lack some.
            host = self._host_classes
            totals = np.zeros(len(host))
            totals[np.searchsorted(host, classes)] = (
                weight_totals if sample_weight is not None else counts
            )
            class_weights = self._class_weights(np.arange(len(host)), len(host), totals)
            args = (host, class_weights, dtype, self.class_weight)
            if sample_weight is None:
                sample_weight = y.map_blocks(_class_weighted, None, *args, dtype=dtype)
            else:
                sample_weight = da.map_blocks(
                    _class_weighted, y, sample_weight, *args, dtype=dtype
                )
        return y, Y, sample_weight

    def decision_function(self, X):
        """The output pre-activation ``Z2``; lazy for dask input.

        Parameters
        ----------
        X : {dask array, dask dataframe, array-like} of shape \
                (n_samples, n_features)

        Returns
        -------
        scores : dask array or ndarray of shape (n_samples,) or \
                (n_samples, n_outputs)
        """
        if dask.is_dask_collection(X):
            return self._lazy("decision_function", X)
        return super().decision_function(X)

    def predict_proba(self, X):
        """Class probabilities ``A2``; lazy for dask input.

        Parameters
        ----------
        X : {dask array, dask dataframe, array-like} of shape \
                (n_samples, n_features)

        Returns
        -------
        proba : dask array or ndarray of shape (n_samples, n_classes)
        """
        if dask.is_dask_collection(X):
            return self._lazy("predict_proba", X)
        return super().predict_proba(X)

    def predict_log_proba(self, X):
        """Log class probabilities; lazy for dask input.

        Parameters
        ----------
        X : {dask array, dask dataframe, array-like} of shape \
                (n_samples, n_features)

        Returns
        -------
        log_proba : dask array or ndarray of shape (n_samples, n_classes)
        """
        if dask.is_dask_collection(X):
            return self._lazy("predict_log_proba", X)
        return super().predict_log_proba(X)


class DaskShallowNetRegressor(_DaskMixin, ShallowNetRegressor):
    """:class:`~sk_shallow.ShallowNetRegressor` on dask collections.

    ``fit`` takes a ``dask.array`` or ``dask.dataframe`` chunked by rows and
    trains on the workers that hold the chunks (see :mod:`sk_shallow.dask`);
    ``predict`` returns a lazy dask array; ``to_local()`` returns the plain
    estimator. In-memory input is handled by the plain estimator's code.
    ``early_stopping`` is not available for dask input.

    Parameters
    ----------
    client : distributed.Client or None, default=None
        The cluster to train on. None uses the current client
        (``distributed.default_client()``), or Dask's default scheduler in
        this process if there is none. Not pickled; shared by clones.
    **params
        Every parameter of :class:`~sk_shallow.ShallowNetRegressor`, with the
        same defaults (``alpha=1.0``: the strength of ``Ridge()``'s penalty on
        the standardised targets).

    Attributes
    ----------
    W1_, b1_, W2_, b2_, n_outputs_, out_activation_, loss_, loss_curve_, \
best_loss_, n_iter_, n_features_in_, feature_names_in_
        As in :class:`~sk_shallow.ShallowNetRegressor`.

    See Also
    --------
    sk_shallow.ShallowNetRegressor : The in-memory estimator.
    """

    _parameter_constraints = {
        **ShallowNetRegressor._parameter_constraints,
        **_DaskMixin._dask_constraints,
    }
    _plain_class = ShallowNetRegressor
    _metric = staticmethod(r2)
    __init__ = _init_with_client(ShallowNetRegressor)

    def _encode_dask_targets(self, client, y, sample_weight, first, dtype):
        if y.ndim > 2:
            raise ValueError(f"y must be 1-D or 2-D; got shape {y.shape}.")
        if y.dtype.kind not in "fiub":
            y = y.astype(np.float64)
        if self.loss == "poisson":
            (negative,) = _compute(client, (y < 0).any())
            if negative:
                raise ValueError(
                    "loss='poisson' needs non-negative targets; y has negative values."
                )
        else:  # targets whose squared error overflows: named before training
            (largest,) = _compute(client, abs(y).max())
            shape = (1 if y.ndim == 1 else y.shape[1], y.shape[0])
            self._check_target_size(
                float(largest),
                shape,
                dtype,
                lambda: (
                    " Scale y, for example with TransformedTargetRegressor("
                    "regressor, transformer=MaxAbsScaler())."
                ),
            )
        if first:
            self._y_ndim = y.ndim
        elif y.ndim != self._y_ndim and (y.ndim == 1 or y.shape[1] != 1):
            raise ValueError(
                "y must have the shape of the first fit's targets "
                f"({self.n_outputs_} columns); got shape {y.shape}. "
                + self._restart_advice(False)
            )
        Y = (y[:, None] if y.ndim == 1 else y).T.astype(dtype)
        return y, Y, sample_weight


if "sk_shallow.onnx" in sys.modules:  # else registered when that is imported
    sys.modules["sk_shallow.onnx"].register_dask(sys.modules[__name__])
