"""Many gradient-descent fits at once: the notes' networks as one stack.

A model selection fits the same network many times: every grid point, on
every fold, from every restart. Each fit of ``solver="gd"`` is the notes'
full-batch descent, and on a few hundred examples each of its steps costs
more in Python and NumPy calls than in arithmetic. Here the networks that
train on the same data are stacked along a leading dimension (their hidden
layers padded with units that stay zero, each activation applied to its own
networks' rows), and one flat pass of :mod:`sk_shallow._network` (its
``FlatPass``, over the stack: :class:`StackPass`) serves them all.

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
stopping the others. What those objects do at every step (a step's
safeguard, the guard's limit, the history, the count of steps without
improvement) is done for the whole stack at once, in arrays; the objects
themselves are asked whenever the arrays say that something happens to a
network (:class:`_Stack`).
"""

from dataclasses import dataclass, field

import numpy as np

from . import _blocked, _network
from ._activations import ACTIVATIONS, DERIVATIVES
from ._solvers import FullBatchGD, budget_spent
from ._stopping import (
    TrainingDiverged,
    learned_little,
    rejection_limit,
    settles,
    step_rejected,
)
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
        self.cache = {}  # the forward pass's buffers

    def take(self, keep):
        """The data of the networks ``keep`` only."""
        new = object.__new__(_Data)
        new.X = self.X if self.X.ndim == 2 else self.X[keep]
        new.Y, new.S = self.Y[keep], self.S[keep]
        new.sw = None if self.sw is None else self.sw[keep]
        new.cache = {}
        return new

    def totals(self, losses):
        """Each network's (weighted) sum of its per-example ``losses``."""
        if self.sw is None:
            return np.add.reduce(losses, axis=-1)
        return np.matmul(losses[:, None, :], self.sw[:, :, None])[:, 0, 0]

    def loss_sums(self, output, Z2, A2, buffers=None):
        """Each network's :func:`~sk_shallow._network.loss_sum` of its outputs.

        A cross-entropy from the log of ``A2`` (with the ``buffers`` of
        :class:`~sk_shallow._network.FlatPass`, if given), except for the
        networks where an output underflowed: theirs from ``Z2``.
        """
        return _network.loss_sum(
            self.Y, Z2, output, A2=A2, buffers=buffers, sums=self.totals
        )


class StackPass(_network.FlatPass):
    """The flat pass of :mod:`sk_shallow._network` over a stack of networks.

    The same calls as one network's :class:`~sk_shallow._network.FlatPass`
    (np.matmul's products of the stacked arrays, whose bits are np.dot's of
    each network's), with each network's loss sum: :meth:`sums` returns
    them, of shape (B,).

    Parameters
    ----------
    params, grads : dict
        The stack's parameters and gradient sums, with a leading dimension.
    data : _Data
        Its networks' rows.
    activations : list of (str, int)
        The hidden activation of the stack's networks, in runs: the
        activation and the number of networks that have it.
    output : str
    """

    dot = staticmethod(np.matmul)

    def __init__(self, params, grads, data, activations, output):
        sw = None if data.sw is None else data.sw[:, None, :]
        first = activations[0][0]
        super().__init__(params, data.X, data.Y, sw, first, output, 0, 1, grads)
        self.data, self.output = data, output
        if len(activations) > 1:  # each run's own, on its networks' rows
            runs, start = [], 0
            for name, n in activations:
                runs.append((name, slice(start, start + n)))
                start += n
            self.runs = runs
            self.g, self.derivative = self._activation, self._derivative

    def _activation(self, A):
        """Each run's activation, in place on its networks' rows of ``A``."""
        for name, rows in self.runs:
            ACTIVATIONS[name](A[rows])
        return A

    def _derivative(self, A):
        """Each run's derivative, in place on its networks' rows of ``A``."""
        for name, rows in self.runs:
            DERIVATIVES[name](A[rows])
        return A

    def _loss_sum(self):
        """Each network's :func:`~sk_shallow._network.loss_sum`."""
        return self.data.loss_sums(self.output, self.Z2, self.A2, self.buffers)


class _Stack:
    """Networks on training sets of one size, stacked.

    The stack's parameters are one array with a row per network, in the
    layout of :func:`sk_shallow._network.pack` (the gradients likewise), so
    that a step of every network is one operation, as a fit's step is one
    operation on its vector. Its hidden layer is padded to the widest
    network's with units whose weights are zero and whose gradients are
    masked to zero, so that they never change what the network computes.

    Each network's safeguard, iterations, last cost and step are arrays
    over the stack; so are, for networks without held-out data (nor a
    verbose progress), their histories of costs, their divergence guards'
    limits and their stopping rules' counts of steps without improvement.
    A network's own objects (its solver, its
    :class:`~sk_shallow._training.Progress` and stopping rule) decide
    whenever those arrays say that something happens: a rejected step, a
    guard's limit crossed, more than ``n_iter_no_change`` steps without
    improvement, a last step. Their histories are theirs when they leave.
    """

    def __init__(self, fits):
        # Grouped by activation: each applies to a run of rows.
        fits = self.fits = sorted(fits, key=lambda f: f.estimator.activation)
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
        self.shapes = {k: v.shape for k, v in like.items()}
        self.size = sum(v.size for v in like.values())
        self.theta = np.zeros((B, self.size), dtype)
        P = self._unpack(self.theta)
        for i, f in enumerate(fits):
            for k, v in f.state.params.items():
                self._row(P, k, i, f)[...] = v
        self.mask = None
        if widths.min() < width:
            self.mask = np.zeros_like(self.theta)
            for i, f in enumerate(fits):
                for k in ("W1", "b1", "W2", "b2"):
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
        # Each network's run, as arrays over the stack.
        self.n_iter = np.zeros(B, np.int64)
        self.before = np.full(B, np.nan)
        self.last = np.zeros(B, bool)
        self.max_iter = np.array([f.max_iter for f in fits])
        # The highest cost that needs no network's attention: below its
        # safeguard's limit and its guard's (-inf after the last step, nan
        # before the first).
        self.upper = np.full(B, np.nan)
        self.limit = np.full(B, np.inf)  # the guards' (checked by the progress)
        # The progress kept here, for networks without held-out data.
        self.tracked = all(_trackable(f.progress) for f in fits)
        if self.tracked:
            rules = [f.progress.rule for f in fits]
            # Each network's costs, a column each; grown as the steps go on.
            self.history = np.empty((min(int(self.max_iter.max()), 1024), B))
            self.limit[:] = np.nan  # none before a first cost
            # The iteration of each rule's last improvement: its count is
            # the iterations since.
            self.improved = -np.array([r.count for r in rules], np.int64)
            self.best = np.array([r.best for r in rules], np.float64)
            self.tol = np.array([r.tol for r in rules], np.float64)
            self.patience = np.array([r.n_iter_no_change for r in rules], float)
            # The settled test's windows and budgets (0: a rule without it).
            self.window = np.array([r.window or 0 for r in rules], np.int64)
            self.budget = np.array([r.budget or 0 for r in rules], np.int64)
        self.countdown = 0  # the steps before a rule or a budget may end a run
        self.aligned = True  # no step rejected yet: the same iteration for all
        self.steps = 0  # the steps recorded
        self._arrays()

    def _arrays(self):
        """The buffers, views and pass of the stack's current networks."""
        theta = self.theta
        self.gradient = np.empty_like(theta)
        self.kept = (np.empty_like(theta), np.empty_like(theta))
        self.scaled = np.empty_like(theta)
        self.P = self._unpack(theta)
        self.grads = self._unpack(self.gradient)
        self.index = np.arange(len(self.fits))
        self.S = self.data.S.astype(theta.dtype)[:, None]
        self.penalised = bool(self.alpha.any())
        self.alphas = self.alpha.astype(theta.dtype)[:, None, None]
        self.pass_ = StackPass(
            self.P, self.grads, self.data, self._activations(), self.output
        )
        self._rates()

    def _activations(self):
        """The hidden activations of the networks, in runs: ``(name, count)``."""
        runs = []
        for fit in self.fits:
            name = fit.estimator.activation
            if runs and runs[-1][0] == name:
                runs[-1][1] += 1
            else:
                runs.append([name, 1])
        return [tuple(run) for run in runs]

    def _rates(self):
        """Each network's step (its solver's), as a column."""
        lr = [f.solver.learning_rate for f in self.fits]
        self.lr = np.array(lr, self.theta.dtype)[:, None]

    def _unpack(self, flat):
        """``flat`` (B, size) as stacked parameter arrays: views of it."""
        out, start = {}, 0
        for k, shape in self.shapes.items():
            n = int(np.prod(shape))
            out[k] = flat[:, start : start + n].reshape(-1, *shape)
            start += n
        return out

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
        totals = self.pass_.sums()
        if self.mask is not None:
            self.gradient *= self.mask
        S = self.data.S
        J = totals / S
        if self.penalised:
            P, grads, alpha = self.P, self.grads, self.alphas
            grads["W1"] += alpha * P["W1"]
            grads["W2"] += alpha * P["W2"]
            squares = np.einsum("bij,bij->b", P["W1"], P["W1"]) + np.einsum(
                "bij,bij->b", P["W2"], P["W2"]
            )
            J += self.alpha / (2 * S) * squares
        np.divide(self.gradient, self.S, out=self.gradient)
        return J.astype(np.float64, copy=False)

    def score_held_out(self, rows):
        """The held-out cost and score of the networks ``rows``, after a step."""
        val = self.validation
        cache = _network.forward(self.P, val.X, self.activation, self.output, val.cache)
        A2 = cache["A2"]
        totals = val.loss_sums(self.output, cache["Z2"], A2)
        for i in rows:
            fit = self.fits[i]
            _, Y_val, sw_val = fit.extra["validation"]
            cost = float(totals[i]) / float(val.S[i])
            score = fit.estimator._score_output(A2[i], Y_val, sw_val)
            fit.extra["scored"] = (cost, score)

    def step(self):
        """One evaluation of every network, and each one's answer to it.

        Returns the fits that ended here (stopped, or failed).
        """
        J = self.costs_and_gradients()
        if self.tracked and np.logical_and.reduce(np.abs(J) <= self.upper):
            # The usual step: every network steps, and none needs attention.
            self.n_iter += 1
            self.before = J  # the costs' own array: no other holds it
            self._update(None, None, None)
            self._record(J, None)
            self._settled(J, None)
            self.countdown -= 1
            if self.countdown > 0:
                return []
            self._checks(None)
            return []
        return self._step(J)

    def _step(self, J):
        """:meth:`step` where some network needs attention: one by one."""
        n_iter, before, last = self.n_iter, self.before, self.last
        ended, retake, undo, unguarded = [], None, None, []
        accepted = np.abs(J) <= self.upper
        for i in np.flatnonzero(~accepted).tolist():
            fit, cost = self.fits[i], float(J[i])
            solver = fit.solver
            if last[i]:  # FullBatchGD._last_step: no run ends on a bad step
                solver.final_cost = cost
                if step_rejected(cost, before[i]):
                    undo = self._flagged(undo, i)
                    solver.final_cost = float(before[i])
                ended.append(i)
            elif n_iter[i] and step_rejected(cost, before[i]):
                try:
                    solver.reject("without lowering the cost")
                except TrainingDiverged as error:
                    fit.error = error
                    ended.append(i)
                    continue
                retake = self._flagged(retake, i)
            else:
                accepted[i] = True
                unguarded.append(i)
        n_iter += accepted
        np.copyto(before, J, where=accepted)
        self._rates()  # the rejected steps' halved
        self._update(accepted, retake, undo)
        if not self.tracked:
            ended += self._each_progress(J, np.flatnonzero(accepted).tolist())
            np.copyto(self.upper, rejection_limit(J), where=accepted)
            self.upper[last] = -np.inf
            return self._release(sorted(set(ended)))
        for i in unguarded:  # the progress's divergence guard
            guard = self.fits[i].progress.guard
            try:
                guard.check(float(J[i]), f"at iteration {n_iter[i]}")
            except TrainingDiverged as error:
                self.fits[i].error = error
                ended.append(i)
                accepted[i] = False
            self.limit[i] = guard.limit
        self._record(J, accepted)
        self._settled(J, accepted)
        self._checks(accepted)
        return self._release(sorted(set(ended)))

    def _record(self, J, accepted):
        """The costs ``J`` of the networks ``accepted`` (all for None) recorded.

        In their histories and their stopping rules' counts (as
        :meth:`~sk_shallow._stopping.StoppingRule.update` counts), and the
        highest costs of their next steps that need no attention.
        """
        n = self.n_iter
        self.steps += 1  # no network's iteration is past it
        if self.steps > len(self.history):
            grown = np.empty((2 * len(self.history), len(self.fits)))
            grown[: len(self.history)] = self.history
            self.history = grown
        if accepted is None:
            if self.aligned:  # every network at the same iteration
                self.history[int(n[0]) - 1] = J
            else:
                self.history[n - 1, self.index] = J
            worse = J > self.best - self.tol
            np.copyto(self.improved, n, where=~worse)
            np.minimum(self.best, J, out=self.best)
            np.minimum(rejection_limit(J), self.limit, out=self.upper)
            return
        rows = np.flatnonzero(accepted)
        self.aligned = self.aligned and len(rows) == len(n)
        J, n = J[rows], n[rows]
        self.history[n - 1, rows] = J
        worse = J > self.best[rows] - self.tol[rows]
        self.improved[rows[~worse]] = n[~worse]
        self.best[rows] = np.minimum(self.best[rows], J)
        self.upper[rows] = np.minimum(rejection_limit(J), self.limit[rows])

    def _settled(self, J, accepted):
        """Stop the networks whose cost, at its best, has settled.

        :meth:`~sk_shallow._stopping.StoppingRule.settled` over the
        histories, for the networks whose step was ``accepted`` (all for
        None) and whose rule has the test: the same arithmetic, so the same
        steps as each network's own fit. Such a stop is a stall on a cost
        that did not rise: the network takes its last step.
        """
        n, window = self.n_iter, self.window
        due = (window > 0) & (n > window) & (J <= self.best) & ~self.last
        if accepted is not None:
            due &= accepted
        if not due.any():
            return
        rows = np.flatnonzero(due)
        t, w, history = n[rows], window[rows], self.history
        now, first = history[t - 1, rows], history[0, rows]
        horizon = np.maximum(self.budget[rows] - t, w)
        settled = settles(first, history[t - 1 - w, rows], now, w, horizon)
        for i, cost in zip(rows[settled].tolist(), now[settled].tolist(), strict=True):
            progress = self.fits[i].progress
            if learned_little(cost, progress.rule.floor):
                continue
            progress.rule.rising = progress.rule.climbing = False
            if progress.stall():
                self.last[i] = True
                self.upper[i] = -np.inf
                self.countdown = 1

    def _checks(self, accepted):
        """Each network's stopping rule and budget, where they may end its run.

        For the networks whose step was ``accepted`` (all for None): those
        whose run stops take a last step. :attr:`countdown` becomes the
        steps before the next check is due.
        """
        n_iter, last, improved, patience = (
            self.n_iter,
            self.last,
            self.improved,
            self.patience,
        )
        due = n_iter - improved > patience
        due |= n_iter >= self.max_iter
        due &= ~last
        if accepted is not None:
            due &= accepted
        again = False  # a rule that may stall at the next step already
        for i in np.flatnonzero(due).tolist():
            if n_iter[i] - improved[i] > patience[i] and self._stalled(i):
                last[i] = True
            elif n_iter[i] >= self.max_iter[i]:
                # The budget spent, on a step that did not stop the run.
                last[i] = True
                self.fits[i].message = budget_spent(self.fits[i].max_iter)
            else:
                again = again or n_iter[i] - improved[i] > patience[i]
            if last[i]:
                self.upper[i] = -np.inf
        if again:
            self.countdown = 1
            return
        left = np.minimum(improved + patience + 1, self.max_iter) - n_iter
        left = left[~last]
        self.countdown = int(max(1, left.min())) if left.size else 1

    def _stalled(self, i):
        """Network ``i``'s stopping rule, on its history: True to stop it."""
        fit = self.fits[i]
        rule, progress = fit.progress.rule, fit.progress
        n = int(self.n_iter[i])
        rule.values = self.history[:n, i]
        rule.count, rule.best = n - int(self.improved[i]), float(self.best[i])
        if not rule.judge():
            self.improved[i] = n - rule.count
            return False
        stop = progress.stall()
        self.improved[i] = n - rule.count
        self._rates()  # the solver may have halved its step
        return stop

    def _each_progress(self, J, rows):
        """Each network's own progress, called with its cost (held-out data)."""
        ended = []
        if self.validation is not None and rows:
            self.score_held_out(rows)
        for i in rows:
            fit = self.fits[i]
            params = self.params(i) if fit.validated else None
            try:
                stop = fit.progress(float(J[i]), params)
            except TrainingDiverged as error:
                fit.error = error
                ended.append(i)
                continue
            if stop:
                self.last[i] = True
            elif self.n_iter[i] >= fit.max_iter:
                self.last[i] = True
                fit.message = budget_spent(fit.max_iter)
        self._rates()
        return ended

    def _flagged(self, flags, i):
        """``flags`` (a boolean per network, None for none yet) with ``i`` set."""
        if flags is None:
            flags = np.zeros(len(self.fits), bool)
        flags[i] = True
        return flags

    def _update(self, rows, retake, undo):
        """Step the networks ``rows`` (kept first), retake ``retake``, undo ``undo``.

        ``rows``, ``retake`` and ``undo`` are boolean flags per network, or
        None: every network for ``rows``, none for the others. The step is
        FullBatchGD's: keep the weights and gradients, then
        ``W := W - alpha dW``.
        """
        theta, (kept, kept_gradient), lr = self.theta, self.kept, self.lr
        if rows is None:  # the usual step: every network's, at once
            np.copyto(kept, theta)
            np.copyto(kept_gradient, self.gradient)
            theta -= np.multiply(self.gradient, lr, out=self.scaled)
            return
        take = rows[:, None]
        np.copyto(kept, theta, where=take)
        np.copyto(kept_gradient, self.gradient, where=take)
        none = np.zeros_like(rows)
        retake = none if retake is None else retake
        back = (retake | (none if undo is None else undo))[:, None]
        np.copyto(theta, kept, where=back)
        step = (rows | retake)[:, None]
        np.subtract(theta, lr * kept_gradient, out=theta, where=step)

    def _release(self, ended):
        """Hand the ended networks their weights and runs; drop them from the stack."""
        if not ended:
            return []
        fits = [self.fits[i] for i in ended]
        for i, fit in zip(ended, fits, strict=True):
            fit.state.params = {k: v.copy() for k, v in self.params(i).items()}
            fit.n_iter = n = int(self.n_iter[i])
            fit.solver.t += self.n_samples * n
            if self.tracked:
                progress = fit.progress
                history = self.history[:n, i].tolist()
                progress.state.loss_curve.extend(history)
                progress.n_iter = n
                rule = progress.rule
                rule.values = history
                rule.count, rule.best = n - int(self.improved[i]), float(self.best[i])
        keep = np.setdiff1d(np.arange(len(self.fits)), ended)
        self.fits = [self.fits[i] for i in keep]
        if self.fits:
            self.theta = np.ascontiguousarray(self.theta[keep])
            self.kept = tuple(np.ascontiguousarray(a[keep]) for a in self.kept)
            for name in ("n_iter", "before", "last", "max_iter", "alpha"):
                setattr(self, name, getattr(self, name)[keep])
            for name in ("upper", "limit"):
                setattr(self, name, getattr(self, name)[keep])
            if self.tracked:
                for name in ("improved", "best", "tol", "patience", "window", "budget"):
                    setattr(self, name, getattr(self, name)[keep])
                self.history = np.ascontiguousarray(self.history[:, keep])
            if self.mask is not None:
                self.mask = self.mask[keep]
            self.data = self.data.take(keep)
            if self.validation is not None:
                self.validation = self.validation.take(keep)
            kept = self.kept
            self._arrays()
            self.kept = kept
        return fits


def _trackable(progress):
    """Whether a stack can keep ``progress``'s history and counts as arrays.

    It can for a run without held-out data, printing or callbacks, on a
    stopping rule: what the progress does each step is then the guard's
    check, the history's append and the rule's count.
    """
    return (
        progress.validate is None
        and not progress.verbose
        and progress.on_iteration is None
        and progress.rule is not None
    )


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
    """Fits with equal keys can be stacked: same sizes and output.

    Networks of different activations share a stack, each activation applied
    to its rows (:class:`StackPass`), unless they score held-out data.
    """
    val = fit.extra.get("validation")
    return (
        None if fit.part.XT.size <= COPY_LIMIT else fit.extra["features"],
        fit.part.XT.shape,
        fit.part.Y.shape,
        fit.part.XT.dtype.str,
        fit.part.sample_weight is None,
        None if val is None else (val[0].shape, val[2] is None),
        fit.estimator.activation if fit.validated else None,
        fit.output,
        fit.estimator.early_stopping,
    )


def train(fits):
    """Train every fit of ``fits`` in lockstep, each to its own stop.

    Fits on training sets of the same size (the folds', the restarts') are
    stacked (by :func:`_stack_key`, :func:`_widths` and :func:`_in_cache`);
    a fit with none to stack with trains alone, in its solver's loop. Each
    ends with ``diagnosis`` set, or ``error``.
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
    """The end of :func:`sk_shallow._training.train` for one fit: its diagnosis.

    Its passes' buffers are dropped: the search holds every fit until all
    are trained, as a separate fit holds none after its own.
    """
    if fit.error is None:
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
    fit.run.objective.release()


def finish(fit):
    """Publish ``fit``'s estimator as its own ``fit`` would: warnings included.

    Raises the fit's error, if it failed.
    """
    est = fit.estimator
    if fit.error is not None:
        est._raise_diverged(fit.run, fit.error)
    est._end_fit(fit.run, fit.diagnosis)
    return est
