"""Many gradient-descent fits at once: the notes' networks as one stack.

A model selection fits the same network many times: every grid point, on
every fold, from every restart. Each fit of ``solver="gd"`` is the notes'
full-batch descent, and on a few hundred examples each of its steps costs
more in Python and NumPy calls than in arithmetic. Here the networks that
train on the same data with the same activation are stacked along a leading
dimension (their hidden layers padded with units that stay zero), and one
forward and one backward pass of :mod:`sk_shallow._network` serve them all.

Everything else stays each network's own, done by the estimator's and the
training loop's own objects: the data preparation (``_training_data``,
``_split`` under early stopping, ``_target_scaling``...), the initial weights
(``_new_state``), the :class:`~sk_shallow._solvers.FullBatchGD` solver and its
safeguard (a step that raises the cost by more than 1% is undone and halved),
the :class:`~sk_shallow._training.Progress` with its
:class:`~sk_shallow._stopping.StoppingRule` and
:class:`~sk_shallow._stopping.DivergenceGuard`, the warnings of ``_report``
and the fitted attributes of ``_publish``. A network stops when its own rule
says so, and one that diverges is recorded and leaves the stack without
stopping the others.
"""

from dataclasses import dataclass, field

import numpy as np

from . import _network
from ._base import _SOLVER_PARAMS, SplitImpossible, _fold_scaling, _standardise
from ._solvers import FullBatchGD
from ._stopping import DivergenceGuard, StoppingRule, TrainingDiverged, diverged
from ._training import _QUIET, Outcome, Progress


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
    """One network's fit: its estimator, data, solver and progress.

    Built by :func:`prepare`; :func:`train` runs it and :func:`finish`
    publishes the estimator's fitted attributes (or ``error`` says why not).
    """

    estimator: object
    state: object
    objective: object
    XT: object
    Y: object
    sample_weight: object
    output: str
    baseline: float
    saturated: float
    scaling: object
    validated: bool
    X: object = None
    progress: object = None
    max_iter: int = 0
    n_iter: int = 0
    before: float = None
    last: bool = False
    message: str = None
    error: Exception = None
    outcome: object = None
    extra: dict = field(default_factory=dict)

    @property
    def solver(self):
        return self.state.solver


def prepare(estimator, X, y, sample_weight=None):
    """The fit of ``estimator`` up to its training, as its ``fit`` prepares it.

    Parameters
    ----------
    estimator : ShallowNetClassifier or ShallowNetRegressor
        Unfitted, with ``solver="gd"`` (:func:`batchable`).
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
    sample_weight : ndarray of shape (n_samples,), default=None

    Returns
    -------
    fit : Fit
    """
    est = estimator
    est._check_numbers()
    X, y, Y, sample_weight = est._training_data(X, y, sample_weight, True, False, None)
    output = est._output_layer()
    signature = est._signature(Y.shape[0], X.dtype)
    config = tuple(getattr(est, name) for name in _SOLVER_PARAMS)
    state = est._new_state(X.shape[1], Y.shape[0], X.dtype, signature, config)
    if not isinstance(state.solver, FullBatchGD) or not state.solver.backtrack:
        raise ValueError("Only the safeguarded full-batch descent can be stacked.")
    scaling = est._target_scaling(Y, sample_weight, state, True, False)
    state.target_scaling = scaling
    if scaling is not None:
        Y = _standardise(Y, scaling)
    XT, Y_train, sw_train, validate = X.T, Y, sample_weight, None
    if est._validates(X, y, False):
        drawn = state.rng.get_state()
        try:
            XT, Y_train, sw_train, validate = est._split(
                X, y, Y, sample_weight, state.rng, output
            )
        except SplitImpossible:
            if est.early_stopping is True:
                raise
            state.rng.set_state(drawn)
    fit = Fit(
        estimator=est,
        state=state,
        objective=est._make_objective(XT, Y_train, sw_train, output),
        XT=XT,
        Y=Y_train,
        sample_weight=sw_train,
        output=output,
        baseline=est._constant_cost(Y_train, sw_train, output),
        saturated=est._saturated_share(state.params, XT),
        scaling=scaling,
        validated=validate is not None,
        X=X,
    )
    # The training loop's own objects, built as train() builds them.
    fit.max_iter = est._max_iter
    solver = state.solver
    rule = StoppingRule(
        est._tol,
        est._patience(fit.validated),
        trend=not fit.validated,
        floor=fit.baseline,
        wobble=not fit.validated and solver.deterministic,
    )
    solver.final_cost = None
    solver.rejected = solver.halvings = 0
    fit.progress = Progress(
        state,
        DivergenceGuard(None, solver.hint),
        rule,
        validate=validate,
        verbose=est.verbose,
        max_iter=fit.max_iter,
        floor=fit.baseline,
        monitor="cost" if est.early_stopping == "auto" else "score",
    )
    return fit


class _Stack:
    """Networks of one activation on one training set, stacked and padded.

    The stack's parameters are arrays with a leading dimension, one row per
    network, its hidden layer padded to the widest network's with units
    whose weights are zero and whose gradients are masked to zero, so that
    they never change what the network computes.
    """

    def __init__(self, fits):
        self.fits = list(fits)
        first = fits[0]
        self.X, self.Y, self.sw = first.XT, first.Y, first.sample_weight
        self.activation = first.estimator.activation
        self.output = first.output
        self.S = _network.weight_sum(self.sw, self.Y.shape[1])
        self.n_samples = self.Y.shape[1]
        widths = [f.estimator.n_hidden for f in fits]
        width = max(widths)
        dtype = first.state.params["W1"].dtype
        B, n_x, n_y = len(fits), self.X.shape[0], self.Y.shape[0]
        shapes = {
            "W1": (B, width, n_x),
            "b1": (B, width, 1),
            "W2": (B, n_y, width),
            "b2": (B, n_y, 1),
        }
        self.P = {k: np.zeros(s, dtype) for k, s in shapes.items()}
        for i, f in enumerate(fits):
            for k, v in f.state.params.items():
                self._row(self.P, k, i, f)[...] = v
        self.masks = None
        if min(widths) < width:
            units = (np.arange(width) < np.array(widths)[:, None]).astype(dtype)
            self.masks = {
                "W1": units[:, :, None],
                "b1": units[:, :, None],
                "W2": units[:, None, :],
            }
        self.kept = tuple(
            {k: np.empty_like(v) for k, v in self.P.items()} for _ in "pg"
        )
        self.alpha = np.array([f.estimator.alpha for f in fits], dtype)[:, None, None]
        self.cache, self.grads = {}, {k: np.empty_like(v) for k, v in self.P.items()}

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
        """Every network's cost ``J`` of shape (B,), and the gradients in place."""
        P, grads = self.P, self.grads
        cache = _network.forward(P, self.X, self.activation, self.output, self.cache)
        losses = _network.OUTPUTS[self.output][1](self.Y, cache["Z2"])
        totals = losses.sum(axis=-1) if self.sw is None else losses @ self.sw
        _network.gradient_sums(
            P, self.X, self.Y, cache, self.activation, self.sw, grads
        )
        if self.masks is not None:
            for k, mask in self.masks.items():
                grads[k] *= mask
        S = self.S
        J = totals.astype(np.float64) / float(S)
        if self.alpha.any():
            grads["W1"] += self.alpha * P["W1"]
            grads["W2"] += self.alpha * P["W2"]
            squares = np.einsum("bij,bij->b", P["W1"], P["W1"]) + np.einsum(
                "bij,bij->b", P["W2"], P["W2"]
            )
            J += self.alpha[:, 0, 0] / (2 * S) * squares
        for g in grads.values():
            g /= S
        return J

    def step(self):
        """One evaluation of every network, and each one's answer to it.

        Returns the fits that ended here (stopped, or failed).
        """
        J = self.costs_and_gradients()
        B = len(self.fits)
        take, retake, undo = (np.zeros(B, bool) for _ in range(3))
        ended = []
        for i, fit in enumerate(self.fits):
            cost, solver = float(J[i]), fit.solver
            if fit.last:  # FullBatchGD._last_step: no run ends on a bad step
                solver.final_cost = cost
                if solver._rejects(cost, fit.before):
                    undo[i] = True
                    solver.final_cost = fit.before
                ended.append(i)
            elif fit.before is not None and solver._rejects(cost, fit.before):
                try:
                    solver._reject()
                except TrainingDiverged as error:
                    fit.error = error
                    ended.append(i)
                    continue
                retake[i] = True
            else:
                fit.n_iter += 1
                fit.before = cost
                solver.t += self.n_samples
                take[i] = True
        self._update(take, retake, undo)
        for i in np.flatnonzero(take):
            fit = self.fits[i]
            params = self.params(i) if fit.validated else None
            try:
                stop = fit.progress(float(J[i]), params)
            except TrainingDiverged as error:
                fit.error = error
                ended.append(i)
                continue
            if stop:
                fit.last = True
            elif fit.n_iter >= fit.max_iter:
                fit.last = True
                fit.message = (
                    f"Maximum iterations ({fit.max_iter}) reached before the cost "
                    "stopped improving; increase max_iter or tol"
                )
        return self._release(sorted(set(ended)))

    def _update(self, take, retake, undo):
        """Step the ``take`` rows (kept first), retake ``retake``, undo ``undo``."""
        P, (kept_p, kept_g) = self.P, self.kept
        step = take | retake
        lr = np.array([f.solver.learning_rate for f in self.fits], P["W1"].dtype)
        lr = lr[:, None, None]
        back = retake | undo
        for k in P:
            if take.any():
                np.copyto(kept_p[k], P[k], where=take[:, None, None])
                np.copyto(kept_g[k], self.grads[k], where=take[:, None, None])
            if back.any():
                np.copyto(P[k], kept_p[k], where=back[:, None, None])
            if step.any():
                np.subtract(P[k], lr * kept_g[k], out=P[k], where=step[:, None, None])

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
            for arrays in (self.P, *self.kept):
                for k in arrays:
                    arrays[k] = np.ascontiguousarray(arrays[k][keep])
            self.grads = {k: np.empty_like(v) for k, v in self.P.items()}
            self.alpha = self.alpha[keep]
            if self.masks is not None:
                self.masks = {k: m[keep] for k, m in self.masks.items()}
        return fits


def _stack_key(fit):
    """Fits with equal keys share their training data and activation.

    The features are the same when they are the same memory (a fold's array,
    which every network of the fold was given); targets and weights are
    compared by value.
    """
    X = fit.XT
    where = (X.__array_interface__["data"][0], X.shape, X.strides, X.dtype.str)
    sw = None if fit.sample_weight is None else fit.sample_weight.tobytes()
    return (where, fit.Y.tobytes(), sw, fit.estimator.activation, fit.output)


def train(fits):
    """Train every fit of ``fits`` in lockstep, each to its own stop.

    ``fits`` whose prepared data are the same objects (a fold's, shared by
    its networks) are stacked; each ends with ``outcome`` set, or ``error``.
    """
    groups = {}
    for fit in fits:
        groups.setdefault(_stack_key(fit), []).append(fit)
    stacks = [_Stack(group) for group in groups.values()]
    with np.errstate(**_QUIET):
        while stacks:
            for stack in stacks:
                for fit in stack.step():
                    _conclude(fit)
            stacks = [s for s in stacks if s.fits]


def _conclude(fit):
    """The end of :func:`sk_shallow._training.train` for one fit: its outcome."""
    if fit.error is not None:
        return
    state, progress = fit.state, fit.progress
    if not all(np.isfinite(v).all() for v in state.params.values()):
        fit.error = diverged("the weights became non-finite", fit.solver.hint)
        return
    outcome = Outcome()
    outcome.message, outcome.interrupted = fit.message, False
    outcome.best_params = progress.best_params
    final_cost = fit.solver.final_cost
    if progress.best_params is not None or final_cost is None:
        final = state.params if progress.best_params is None else progress.best_params
        final_cost, _ = fit.objective(final)
    outcome.final_cost = final_cost
    outcome.start_cost = progress.guard.start
    outcome.n_iter = progress.n_iter
    outcome.stopped_by_callback = False
    outcome.stalled_rising = (
        progress.stalled and not fit.validated and (progress.rule.rising)
    )
    outcome.best_iteration = progress.best_iteration
    outcome.budget_spent = progress.n_iter >= fit.max_iter
    run = state.loss_curve[len(state.loss_curve) - progress.n_iter :]
    back = run[-1 - max(1, len(run) // 10)] if len(run) > 1 else np.nan
    outcome.late_gain = (
        (back - run[-1]) / abs(run[-1]) if len(run) > 1 and run[-1] else 0.0
    )
    fit.outcome = outcome


def finish(fit):
    """Publish ``fit``'s estimator as its own ``fit`` would: warnings included.

    Raises the fit's error, if it failed.
    """
    if fit.error is not None:
        advice = fit.estimator._target_advice(fit.Y)
        if advice:
            raise TrainingDiverged(f"{fit.error}{advice}") from fit.error
        raise fit.error
    est, state, outcome = fit.estimator, fit.state, fit.outcome
    if outcome.best_params is not None:
        state.params = outcome.best_params
    if fit.scaling is not None:
        state.params = _fold_scaling(state.params, fit.scaling)
    outcome.saturated = fit.saturated
    est._report(outcome, state.solver, fit.X, fit.baseline, False, fit.validated, fit.Y)
    est._publish(state, outcome, fit.Y.shape[0], fit.output, fit.validated)
    return est
