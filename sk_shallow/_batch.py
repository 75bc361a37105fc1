"""Many gradient-descent fits at once: the notes' networks as one stack.

A model selection fits the same network many times: every grid point, on
every fold, from every restart. Each fit of ``solver="gd"`` is the notes'
full-batch descent, and on a few hundred examples each of its steps costs
more in Python and NumPy calls than in arithmetic. Here the networks that
train on the same data with the same activation are stacked along a leading
dimension (their hidden layers padded with units that stay zero), and one
forward and one backward pass of :mod:`sk_shallow._network` serve them all.

Everything else stays each network's own, done by the estimator's and the
training loop's own objects: the fit's preparation (the estimator's
``_begin_fit``: its problem, split under early stopping, its targets'
scaling, its initial weights and solver), the
:class:`~sk_shallow._solvers.FullBatchGD` solver's safeguard (a step that
raises the cost by more than 1% is undone and halved,
:func:`~sk_shallow._stopping.step_rejected` and ``Solver.reject``), the
:class:`~sk_shallow._training.Progress` that
:func:`~sk_shallow._training.start` builds, with its
:class:`~sk_shallow._stopping.StoppingRule` and
:class:`~sk_shallow._stopping.DivergenceGuard`, the
:class:`~sk_shallow._stopping.Diagnosis` of
:func:`~sk_shallow._training.diagnose`, and the estimator's ``_end_fit``
(the warnings of :func:`~sk_shallow._report.report`, the fitted attributes
of :func:`~sk_shallow._training.publish`). A network stops when its own rule
says so, and one that diverges is recorded and leaves the stack without
stopping the others.
"""

from dataclasses import dataclass, field

import numpy as np

from . import _blocked, _network
from ._solvers import FullBatchGD, budget_spent
from ._stopping import TrainingDiverged, step_rejected
from ._training import _QUIET, diagnose, start


def batchable(estimator):
    """Whether a fit of ``estimator`` can join a stack (else it is fitted alone).

    The stack trains with the notes' gradient descent on NumPy data, from
    scratch, without callbacks.
    """
    return (
        estimator.solver == "gd"
        and not estimator.warm_start
        and not getattr(estimator, "_skl_callbacks", None)
    )


@dataclass(eq=False)
class Fit:
    """One network's fit: its estimator, its prepared run and its progress.

    Built by :func:`prepare`; :func:`train` runs it and :func:`finish`
    publishes the estimator's fitted attributes (or ``error`` says why not).
    """

    estimator: object
    run: object
    progress: object = None
    n_iter: int = 0
    before: float = None
    last: bool = False
    message: str = None
    error: Exception = None
    diagnosis: object = None
    solver: object = None
    validated: bool = False
    max_iter: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def state(self):
        return self.run.state

    @property
    def part(self):
        """The problem it trains on: all of its data, or the part not held out."""
        return self.run.train_part

    @property
    def output(self):
        return self.run.output


def prepare(estimator, X, y, sample_weight=None):
    """The fit of ``estimator`` up to its training, as its ``fit`` prepares it.

    Parameters
    ----------
    estimator : ShallowNetClassifier or ShallowNetRegressor
        Unfitted, with ``solver="gd"`` (:func:`batchable`).
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
    sample_weight : ndarray of shape (n_samples,), default=None

    Returns
    -------
    fit : Fit
    """
    run = estimator._begin_fit(X, y, sample_weight, incremental=False)
    solver = run.state.solver
    if not isinstance(solver, FullBatchGD) or not solver.back_off:
        raise ValueError("Only the safeguarded full-batch descent can be stacked.")
    fit = Fit(
        estimator=estimator,
        run=run,
        solver=solver,
        validated=run.options["validate"] is not None,
        max_iter=run.options["max_iter"],
    )
    problem, rows = run.problem, run.train_part.split_rows
    # Which training features these are: the same array, and the same rows.
    fit.extra["features"] = (
        problem.X.__array_interface__["data"][0],
        problem.X.shape,
        None if rows is None else rows[0].tobytes(),
    )
    options = dict(run.options)
    if options["validate"] is not None:
        held_out = rows[1]
        sw = problem.sample_weight
        fit.extra["validation"] = (
            problem.X[held_out].T,
            problem.Y[:, held_out],
            None if sw is None else sw[held_out],
        )
        # The held-out cost and score, from the stack's pass (see _Stack).
        options["validate"] = lambda params: fit.extra["scored"]
    for name in ("baseline", "saturated", "stream_patience"):
        fit.extra[name] = options.pop(name)
    solver._begin()
    # The training loop's own progress, as train() builds it.
    fit.progress = start(
        run.state, run.objective, floor=fit.extra["baseline"], **options
    )
    return fit


def _stacked(arrays, like=None):
    """``arrays`` (one per network) as one array with a leading dimension.

    Features come as ``(n_features, m)`` transposes of row-major arrays;
    their stack keeps that layout, so that every network's products are
    those of its own fit.
    """
    if arrays[0] is None:
        return None
    if like == "columns":
        return np.stack([a.T for a in arrays]).swapaxes(-1, -2)
    return np.stack(arrays)


class _Data:
    """The stacked data of a stack's networks: each network's own rows."""

    def __init__(self, parts, shared=False):
        X, Y, sw = zip(*parts, strict=True)
        # Features that every network trains on are kept once, broadcast.
        self.X = X[0] if shared else _stacked(X, "columns")
        self.Y = _stacked(Y)
        self.sw = _stacked(sw)
        m = self.Y.shape[-1]
        self.S = (
            np.array([float(m)] * len(X))
            if self.sw is None
            else np.array([float(_network.weight_sum(w, m)) for w in sw])
        )
        self.cache = {}

    def take(self, keep):
        """The data of the networks ``keep`` only."""
        new = object.__new__(_Data)
        new.X = self.X if self.X.ndim == 2 else self.X[keep]
        new.Y, new.S, new.cache = self.Y[keep], self.S[keep], {}
        new.sw = None if self.sw is None else self.sw[keep]
        return new

    def _totals(self, losses):
        """Each network's (weighted) sum of its per-example ``losses``."""
        if self.sw is None:
            return losses.sum(axis=-1)
        return np.matmul(losses[:, None, :], self.sw[:, :, None])[:, 0, 0]

    def passes(self, P, activation, output, grads=None):
        """Forward pass, per-network loss sums, and (with ``grads``) the backward."""
        cache = _network.forward(P, self.X, activation, output, self.cache)
        loss = _network.OUTPUTS[output][1]
        if output in _network.LOGS_OF_OUTPUTS:  # log(A2), as loss_sum takes it
            totals = self._totals(loss(self.Y, cache["Z2"], A2=cache["A2"]))
            if not np.all(totals < np.inf):  # an output underflowed
                totals = self._totals(loss(self.Y, cache["Z2"]))
        else:
            totals = self._totals(loss(self.Y, cache["Z2"]))
        if grads is not None:
            sw = None if self.sw is None else self.sw[:, None, :]
            _network.gradient_sums(P, self.X, self.Y, cache, activation, sw, grads)
        return cache, totals.astype(np.float64)


class _Stack:
    """Networks of one activation, on training sets of one size, stacked.

    The stack's parameters are one array with a row per network, in the
    layout of :func:`sk_shallow._network.pack` (the gradients likewise), so
    that a step of every network is one operation, as a fit's step is one
    operation on its vector. Its hidden layer is padded to the widest
    network's with units whose weights are zero and whose gradients are
    masked to zero, so that they never change what the network computes.
    """

    def __init__(self, fits):
        self.fits = list(fits)
        first = fits[0]
        self.activation = first.estimator.activation
        self.output = first.output
        self.n_samples = first.part.Y.shape[1]
        widths = np.array([f.estimator.n_hidden for f in fits])
        width = int(widths.max())
        dtype = first.state.params["W1"].dtype
        B, n_x, n_y = len(fits), first.part.XT.shape[0], first.part.Y.shape[0]
        like = {
            "W1": np.empty((width, n_x)),
            "b1": np.empty((width, 1)),
            "W2": np.empty((n_y, width)),
            "b2": np.empty((n_y, 1)),
        }
        self.size = sum(v.size for v in like.values())
        self.theta = np.zeros((B, self.size), dtype)
        self.gradient = np.empty_like(self.theta)
        self.kept = (np.empty_like(self.theta), np.empty_like(self.theta))
        self._views(like)
        for i, f in enumerate(fits):
            for k, v in f.state.params.items():
                self._row(self.P, k, i, f)[...] = v
        self.mask = None
        if widths.min() < width:
            self.mask = np.zeros_like(self.theta)
            for i, f in enumerate(fits):
                self._row(self._unpack(self.mask), "W1", i, f)[...] = 1
                for k in ("b1", "W2", "b2"):
                    self._row(self._unpack(self.mask), k, i, f)[...] = 1
        self.alpha = np.array([f.estimator.alpha for f in fits], np.float64)
        shared = len({f.extra["features"] for f in fits}) == 1
        self.data = _Data(
            [(f.part.XT, f.part.Y, f.part.sample_weight) for f in fits], shared
        )
        self.validation = None
        if first.validated:
            parts = [f.extra["validation"] for f in fits]
            self.validation = _Data(parts, shared)

    def _unpack(self, flat):
        """``flat`` (B, size) as stacked parameter arrays: views of it."""
        out, start = {}, 0
        for k, shape in self.shapes.items():
            n = int(np.prod(shape))
            out[k] = flat[:, start : start + n].reshape(-1, *shape)
            start += n
        return out

    def _views(self, like=None):
        """The parameter and gradient arrays as views of the stack's rows."""
        if like is not None:
            self.shapes = {k: v.shape for k, v in like.items()}
        self.P = self._unpack(self.theta)
        self.grads = self._unpack(self.gradient)
        self._spare = self._unpack(self.kept[1])  # the views of kept gradients

    @staticmethod
    def _row(arrays, k, i, fit):
        """Network ``i``'s own part of the stacked ``arrays[k]`` (a view)."""
        n_h = fit.estimator.n_hidden
        if k == "W2":
            return arrays[k][i, :, :n_h]
        return arrays[k][i, :n_h] if k in ("W1", "b1") else arrays[k][i]

    def params(self, i):
        """Network ``i``'s parameters, as views of the stack."""
        return {k: self._row(self.P, k, i, self.fits[i]) for k in self.P}

    def costs_and_gradients(self):
        """Every network's cost ``J`` of shape (B,); the gradients in place."""
        P, grads, data = self.P, self.grads, self.data
        _, totals = data.passes(P, self.activation, self.output, grads)
        if self.mask is not None:
            self.gradient *= self.mask
        S = data.S
        J = totals / S
        if self.alpha.any():
            alpha = self.alpha.astype(self.theta.dtype)[:, None, None]
            grads["W1"] += alpha * P["W1"]
            grads["W2"] += alpha * P["W2"]
            squares = np.einsum("bij,bij->b", P["W1"], P["W1"]) + np.einsum(
                "bij,bij->b", P["W2"], P["W2"]
            )
            J += self.alpha / (2 * S) * squares
        self.gradient /= S.astype(self.theta.dtype)[:, None]
        return J

    def score_held_out(self, rows):
        """The held-out cost and score of the networks ``rows``, after a step."""
        cache, totals = self.validation.passes(self.P, self.activation, self.output)
        A2 = cache["A2"]
        for i in rows:
            fit = self.fits[i]
            _, Y_val, sw_val = fit.extra["validation"]
            cost = float(totals[i]) / float(self.validation.S[i])
            score = fit.estimator._score_output(A2[i], Y_val, sw_val)
            fit.extra["scored"] = (cost, score)

    def step(self):
        """One evaluation of every network, and each one's answer to it.

        Returns the fits that ended here (stopped, or failed).
        """
        J = self.costs_and_gradients().tolist()  # Python floats, as a fit's
        ended, rows = [], []
        retake = undo = None  # flags of the networks that do not step
        n_samples = self.n_samples
        for i, fit in enumerate(self.fits):
            cost, solver = J[i], fit.solver
            if fit.last:  # FullBatchGD._last_step: no run ends on a bad step
                solver.final_cost = cost
                if step_rejected(cost, fit.before):
                    undo = self._flagged(undo, i)
                    solver.final_cost = fit.before
                ended.append(i)
            elif fit.before is not None and step_rejected(cost, fit.before):
                try:
                    solver.reject("without lowering the cost")
                except TrainingDiverged as error:
                    fit.error = error
                    ended.append(i)
                    continue
                retake = self._flagged(retake, i)
            else:
                fit.n_iter += 1
                fit.before = cost
                solver.t += n_samples
                rows.append(i)
        self._update(rows, retake, undo)
        if self.validation is not None and rows:
            self.score_held_out(rows)
        for i in rows:
            fit = self.fits[i]
            params = self.params(i) if fit.validated else None
            try:
                stop = fit.progress(J[i], params)
            except TrainingDiverged as error:
                fit.error = error
                ended.append(i)
                continue
            if stop:
                fit.last = True
            elif fit.n_iter >= fit.max_iter:
                fit.last = True
                fit.message = budget_spent(fit.max_iter)
        return self._release(sorted(set(ended)))

    def _flagged(self, flags, i):
        """``flags`` (a boolean per network, None for none yet) with ``i`` set."""
        if flags is None:
            flags = np.zeros(len(self.fits), bool)
        flags[i] = True
        return flags

    def _update(self, rows, retake, undo):
        """Step the networks ``rows`` (kept first), retake ``retake``, undo ``undo``.

        ``retake`` and ``undo`` are boolean flags per network, or None for none.
        """
        theta, (kept, kept_gradient) = self.theta, self.kept
        lr = [f.state.solver.learning_rate for f in self.fits]
        lr = np.array(lr, theta.dtype)
        lr = lr[:, None]
        if len(rows) == len(self.fits):  # the usual step: every network's, at once
            np.copyto(kept, theta)
            # The gradients are kept by trading buffers (and their views).
            self.kept = (kept, self.gradient)
            self.gradient, self.grads, self._spare = (
                kept_gradient,
                self._spare,
                self.grads,
            )
            theta -= lr * self.kept[1]
            return
        take = np.zeros(len(self.fits), bool)
        take[rows] = True
        rows = take[:, None]
        np.copyto(kept, theta, where=rows)
        np.copyto(kept_gradient, self.gradient, where=rows)
        none = np.zeros_like(take)
        retake = none if retake is None else retake
        back = (retake | (none if undo is None else undo))[:, None]
        np.copyto(theta, kept, where=back)
        step = (take | retake)[:, None]
        np.subtract(theta, lr * kept_gradient, out=theta, where=step)

    def _release(self, ended):
        """Hand the ended networks their weights and drop them from the stack."""
        if not ended:
            return []
        fits = [self.fits[i] for i in ended]
        for i, fit in zip(ended, fits, strict=True):
            fit.state.params = {k: v.copy() for k, v in self.params(i).items()}
        keep = np.setdiff1d(np.arange(len(self.fits)), ended)
        self.fits = [self.fits[i] for i in keep]
        if self.fits:
            self.theta = np.ascontiguousarray(self.theta[keep])
            self.kept = tuple(np.ascontiguousarray(a[keep]) for a in self.kept)
            self.gradient = np.empty_like(self.theta)
            self._views()
            self.alpha = self.alpha[keep]
            if self.mask is not None:
                self.mask = self.mask[keep]
            self.data = self.data.take(keep)
            if self.validation is not None:
                self.validation = self.validation.take(keep)
        return fits


#: The cost of a stack's pass beyond its arithmetic, in hidden-unit
#: examples (about 40 microseconds of NumPy calls): what merging two
#: widths into one padded stack saves, against the padding it computes.
PASS_OVERHEAD = 10_000


def _widths(fits):
    """Split ``fits`` into runs of similar widths: padding against passes.

    The fewest stacked hidden-unit examples plus :data:`PASS_OVERHEAD` per
    stack, over the ways of cutting the sorted widths into runs. One hidden
    unit stays among its own: NumPy's products with a dimension of one are
    vector products, whose sums run in another order than a matrix's.
    """
    fits = sorted(fits, key=lambda f: f.estimator.n_hidden)
    widths = [f.estimator.n_hidden for f in fits]
    m = fits[0].part.Y.shape[1]
    n = len(fits)
    best = [0.0] + [np.inf] * n
    cut = [0] * (n + 1)
    for j in range(1, n + 1):
        for i in range(j):
            if widths[i] == 1 < widths[j - 1]:
                continue
            cost = best[i] + PASS_OVERHEAD + (j - i) * widths[j - 1] * m
            if cost < best[j]:
                best[j], cut[j] = cost, i
    runs, j = [], n
    while j:
        runs.append(fits[cut[j] : j])
        j = cut[j]
    return runs[::-1]


#: The most hidden-unit examples (entries of ``A1``) in one stack: its
#: arrays stay in the processor's cache, as one network's do. A larger
#: stack saves no more NumPy calls than it loses to memory traffic.
#: (Stacks of one network are not split further.)
CACHE_BUDGET = 2**16


def _in_cache(fits):
    """``fits`` (of similar widths) in stacks of at most :data:`CACHE_BUDGET`."""
    width = max(f.estimator.n_hidden for f in fits)
    size = max(1, CACHE_BUDGET // (width * fits[0].part.Y.shape[1]))
    return [fits[i : i + size] for i in range(0, len(fits), size)]


#: Training features of at most this many entries are copied into a stack
#: of several training sets (the folds'); larger ones are stacked only with
#: the networks that train on the same rows, and shared, so that a stack
#: reads no more memory per step than one of its networks.
COPY_LIMIT = 2**14


def _stack_key(fit):
    """Fits with equal keys can be stacked: same sizes, activation and output."""
    val = fit.extra.get("validation")
    return (
        None if fit.part.XT.size <= COPY_LIMIT else fit.extra["features"],
        fit.part.XT.shape,
        fit.part.Y.shape,
        fit.part.XT.dtype.str,
        fit.part.sample_weight is None,
        None if val is None else (val[0].shape, val[2] is None),
        fit.estimator.activation,
        fit.output,
        fit.estimator.early_stopping,
    )


def train(fits):
    """Train every fit of ``fits`` in lockstep, each to its own stop.

    Fits on training sets of the same size (the folds', the restarts') with
    the same activation are stacked; a fit with none to stack with trains
    alone, in its solver's loop. Each ends with ``diagnosis`` set, or
    ``error``.
    """
    groups = {}
    for fit in fits:
        groups.setdefault(_stack_key(fit), []).append(fit)
    parts = [
        part
        for group in groups.values()
        for run in _widths(group)
        for part in _in_cache(run)
    ]
    # One stack after the other: each keeps its data in the cache. BLAS on
    # one thread for them all, as for one fit (_blocked.one_blas_thread).
    m = max((fit.run.objective.n_samples for fit in fits), default=0)
    with np.errstate(**_QUIET), _blocked.one_blas_thread(m):
        for part in parts:
            if len(part) == 1:
                _alone(part[0])
                continue
            stack = _Stack(part)
            while stack.fits:
                for fit in stack.step():
                    _conclude(fit)


def _alone(fit):
    """A fit with no other to stack with: its solver's own loop, as in its fit."""
    fit.progress.validate = fit.run.options["validate"]  # its own held-out pass
    try:
        fit.message = fit.solver.run(
            fit.run.objective, fit.state.params, fit.progress, fit.max_iter
        )
    except TrainingDiverged as error:
        fit.error = error
    _conclude(fit)


def _conclude(fit):
    """The end of :func:`sk_shallow._training.train` for one fit: its diagnosis."""
    if fit.error is not None:
        return
    try:
        with np.errstate(**_QUIET):
            fit.diagnosis = diagnose(
                fit.progress,
                fit.run.objective,
                fit.message,
                max_iter=fit.max_iter,
                baseline=fit.extra["baseline"],
                saturated=fit.extra["saturated"],
                stream_patience=fit.extra["stream_patience"],
            )
    except TrainingDiverged as error:
        fit.error = error


def finish(fit):
    """Publish ``fit``'s estimator as its own ``fit`` would: warnings included.

    Raises the fit's error, if it failed.
    """
    est = fit.estimator
    if fit.error is not None:
        est._raise_diverged(fit.run, fit.error)
    est._end_fit(fit.run, fit.diagnosis)
    return est
