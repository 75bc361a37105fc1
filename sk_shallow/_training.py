"""Everything a fit carries forward, and the loop that trains it.

A fit works like a database transaction. It builds a :class:`TrainingState`
(or deep-copies the fitted model's, after :meth:`TrainingState.check` says it
still applies), trains the copy with :func:`train`, and only when that
succeeds does the estimator publish its fitted attributes from the state, in
one place. Whatever goes wrong before — bad input, divergence, an exception
from a callback, an interrupt before anything was learned — the estimator
still holds its previous state, untouched, random generator included.
"""

import contextlib
import copy
import math

import numpy as np

from . import _xp_network
from ._stopping import DivergenceGuard, StoppingRule, diverged, learned_little

_QUIET = dict(over="ignore", invalid="ignore", divide="ignore", under="ignore")


def restart_advice(how):
    """What starts a new model instead of continuing, for the method ``how``.

    ``how`` is ``"partial_fit"`` or ``"warm_start=True"`` (a ``fit``):
    ``warm_start`` means nothing to ``partial_fit``, which always continues.
    """
    if how == "partial_fit":
        return (
            "partial_fit always continues: call fit to start a new model, or "
            "partial_fit a fresh one (sklearn.base.clone(estimator))."
        )
    return "Set warm_start=False to start a new model."


class TrainingState:
    """Parameters, solver, random generator and histories of one model.

    Parameters
    ----------
    params : dict
        ``W1 (n_h, n_x)``, ``b1 (n_h, 1)``, ``W2 (n_y, n_h)``, ``b2 (n_y, 1)``.
    solver : object
        The solver, with its optimiser state (momentum, Adam's moments, the
        step in use, the samples seen) and its own random generator.
    rng : numpy.random.RandomState
        The generator of initialisation, shuffling and validation splits.
    signature : dict
        What the state was built for: a continued fit must agree on it
        (:meth:`check`).
    solver_config : tuple
        The parameters the solver was built from; when they change, a
        continued fit keeps the weights but builds a new solver.

    Attributes
    ----------
    loss_curve, validation_scores, validation_loss_curve : list of float
        The histories, across continued fits; the validation histories are
        those of the last iterations, all validated (a run without
        validation clears them).
    best_validation_score : float
        The validation score of the weights kept: the best, by the monitored
        value (the score, or the validation cost for ``early_stopping="auto"``),
        over every validated run that continued this state; its weights are
        ``params`` (-inf before any).
    best_validation_loss : float
        The validation cost of those weights (inf before any).
    target_scaling : tuple of ndarray or None
        ``(shift, scale)`` of the targets the network learned (a regressor's
        standardised targets), each of shape (n_outputs, 1); ``params`` are
        kept in the targets' own units. A continued fit uses the same.
    calls_learning_little : int
        ``partial_fit`` calls in a row whose model did little better than
        the constant prediction of their chunk.
    """

    def __init__(self, params, solver, rng, signature, solver_config):
        self.params = params
        self.solver = solver
        self.rng = rng
        self.signature = signature
        self.solver_config = solver_config
        self.loss_curve = []
        self.validation_scores = []
        self.validation_loss_curve = []
        self.best_validation_score = -np.inf
        self.best_validation_loss = np.inf
        self.calls_learning_little = 0
        self.target_scaling = None

    def check(self, signature, how):
        """Raise ValueError unless a fit for ``signature`` can continue this state.

        ``how`` names what continues (``"warm_start=True"``,
        ``"partial_fit"``) for the message, whose advice is what works for
        it (:func:`restart_advice`). The data type may change: the weights
        are converted and the optimiser restarts.
        """
        for name, before in self.signature.items():
            now = signature[name]
            if name != "dtype" and now != before:
                if name == "n_outputs":
                    what = f"{before} outputs; y now has {now}"
                elif name == "output":
                    what = (
                        f"the output layer {before!r} (from loss and the "
                        f"targets); now {now!r}"
                    )
                else:
                    what = f"{name}={before!r}; now {name}={now!r}"
                raise ValueError(
                    f"{how} continues the previous fit, which had {what}. "
                    + restart_advice(how)
                )

    def continued(self, dtype):
        """A deep copy to train, its weights of ``dtype``: the original stays intact."""
        state = copy.deepcopy(self)
        name = np.dtype(dtype).name
        if name != state.signature["dtype"]:
            state.params = {
                k: _xp_network.astype(v, dtype) for k, v in state.params.items()
            }
            state.signature = {**state.signature, "dtype": name}
            state.solver_config = None  # optimiser state of another precision
        return state


class Progress:
    """What a solver reports each iteration to: history, checks, stopping rule.

    Solvers call ``progress(J, params)`` once per iteration (True means stop)
    and ``progress.batch(J)`` for each mini-batch cost. This records the cost
    and the validation score in the state's histories, raises on divergence,
    prints, calls the callbacks, and applies the stopping rule, asking the
    solver what to do about a stall. An iteration is recorded whole or not at
    all: an interruption while it is scored leaves no half-recorded entry.
    """

    def __init__(
        self,
        state,
        guard,
        rule,
        *,
        validate=None,
        verbose=0,
        max_iter=1,
        on_iteration=None,
        floor=None,
        monitor="score",
    ):
        self.state, self.guard, self.rule = state, guard, rule
        self.validate = validate
        self.floor = floor
        self.monitor = monitor
        self.best_loss = np.inf
        self.best_iteration = 0  # of this run's best validated weights
        self.verbose = verbose
        self.every = 1 if verbose > 1 else max(1, math.ceil(max_iter / 100))
        self.on_iteration = on_iteration
        self.n_iter = 0
        # The best validated weights so far: a continued fit starts from the
        # best of the runs before it, and keeps them unless it beats them.
        self.best_score = state.best_validation_score
        self.best_monitored = (
            state.best_validation_loss if monitor == "cost" else -self.best_score
        )
        self.best_params = None
        if validate is not None and self.best_monitored < np.inf:
            self.best_params = {k: _xp_network.copy(v) for k, v in state.params.items()}
        self.stopped_by_callback = False
        self.stalled = False

    def batch(self, cost):
        """Check one mini-batch's cost for divergence."""
        self.guard.check(cost, f"in a mini-batch of iteration {self.n_iter + 1}")

    def __call__(self, loss, params):
        guard = self.guard
        # The guard's message is only made for a cost it may reject.
        if guard.limit is None or not -math.inf < loss <= guard.limit:
            guard.check(loss, f"at iteration {self.n_iter + 1}")
        state = self.state
        if self.validate is not None:
            val_loss, score = self.validate(params)
            monitored = val_loss if self.monitor == "cost" else -score
            best = monitored < self.best_monitored
            state.validation_loss_curve.append(val_loss)
            state.validation_scores.append(score)
            if best:
                self.best_monitored = monitored
                self.best_score = state.best_validation_score = score
                state.best_validation_loss = val_loss
                self.best_params = {k: _xp_network.copy(v) for k, v in params.items()}
                self.best_iteration = self.n_iter + 1
        if loss < self.best_loss:
            self.best_loss = loss
        state.loss_curve.append(loss)
        self.n_iter += 1
        n_iter = self.n_iter
        if self.verbose and (n_iter % self.every == 0 or n_iter == 1):
            line = f"Iteration {n_iter}, cost = {loss:.8f}"
            if self.validate is not None:
                line += f", validation cost = {val_loss:.8f}, score = {score:.6f}"
            print(line)
        if self.on_iteration is not None and self.on_iteration(params):
            self.stopped_by_callback = True
            return True
        if self.rule is None:
            return False
        value = loss if self.validate is None else monitored
        if not self.rule.update(value):
            return False
        if self.validate is not None and learned_little(self.best_loss, self.floor):
            # The validation score of a model that still predicts about the
            # constant does not move: the training cost has not left its
            # starting plateau, and early stopping would end the fit there.
            self.rule.reset()
            return False
        # A stalled validation score is what early stopping stops on; only
        # a stalled training cost may change the step instead.
        trained = self.validate is None
        if state.solver.on_stall(
            rising=trained and self.rule.rising,
            climbing=trained and self.rule.climbing,
        ):
            self.rule.reset()
            if self.verbose:
                print(
                    "Cost stalled: the learning rate is now "
                    f"{state.solver.learning_rate:.3g}."
                )
            return False
        self.stalled = True
        if self.verbose:
            what = "Cost" if self.validate is None else "Validation score"
            print(
                f"{what} did not improve by more than tol={self.rule.tol} for "
                f"{self.rule.n_iter_no_change} consecutive iterations. Stopping."
            )
        return True


class Outcome:
    """How a call to :func:`train` ended.

    Attributes
    ----------
    message : str or None
        Why training ended before its stopping rule (maximum iterations,
        L-BFGS's message), or None.
    interrupted : bool
        A ``KeyboardInterrupt`` ended training after at least one iteration.
    stopped_by_callback : bool
    stalled_rising : bool
        The stall rule stopped the run while the training cost was rising
        (never on a validation score, which early stopping stops on).
    best_iteration : int
        With held-out data, the iteration of this run whose weights are kept
        (0 when the weights it started from stay best).
    budget_spent : bool
        The run took all of its ``max_iter`` iterations.
    late_gain : float
        How much the cost fell over the last tenth of the run's iterations,
        as a share of the final cost.
    start_cost, final_cost : float
        The cost of the weights training started from, and of those it
        returns, on the training data.
    n_iter : int
        Iterations recorded.
    """


def train(
    state,
    objective,
    *,
    tol,
    n_iter_no_change,
    max_iter,
    floor=None,
    continued=False,
    **progress_options,
):
    """Train ``state.params`` in place with ``state.solver``.

    One pass over the data before training gives the cost that divergence
    is measured against (like with like: the same data, the starting
    weights); one after gives the cost of the weights returned.
    Overflow and invalid operations are not warned about; divergence is
    raised as :class:`TrainingDiverged` instead.

    Parameters
    ----------
    state : TrainingState
    objective : callable
        ``objective(params, batch=None) -> (J, grads)`` with ``n_samples``.
    tol, n_iter_no_change : float
        The stopping rule (see :class:`StoppingRule`).
    floor : float, optional
        The cost of the best constant prediction, for the stopping rule.
    max_iter : int
    continued : bool, default=False
        ``state`` is a fitted model's (``warm_start``, ``partial_fit``), for
        the divergence messages.
    **progress_options
        ``validate``, ``verbose``, ``on_iteration`` of :class:`Progress`.

    Returns
    -------
    outcome : Outcome
        With ``best_params`` (the validated best, or None) as well.

    Raises
    ------
    KeyboardInterrupt
        When interrupted before the first iteration was recorded.
    """
    solver, params = state.solver, state.params
    validate = progress_options.get("validate")
    if validate is None and state.validation_scores:
        # Weights trained without validation: the scores no longer describe
        # the last iterations, nor their best the weights.
        state.validation_scores, state.validation_loss_curve = [], []
        state.best_validation_score = -np.inf
        state.best_validation_loss = np.inf
    rule = None
    if validate is not None or solver.stall_rule:
        trained = validate is None
        rule = StoppingRule(
            tol,
            n_iter_no_change,
            trend=trained,
            floor=floor,
            wobble=trained and getattr(solver, "deterministic", False),
        )
    start = None
    if not getattr(solver, "reports_start", False):
        with np.errstate(**_QUIET):
            start, _ = objective(params)
    guard = DivergenceGuard(start, solver.hint, continued)
    progress = Progress(
        state, guard, rule, max_iter=max_iter, floor=floor, **progress_options
    )
    outcome = Outcome()
    outcome.message, outcome.interrupted = None, False
    try:
        # BLAS's threads for the whole loop, set once (an objective may say).
        threads = getattr(objective, "one_blas_thread", contextlib.nullcontext)
        with np.errstate(**_QUIET), threads():
            outcome.message = solver.run(objective, params, progress, max_iter)
    except KeyboardInterrupt:
        if not progress.n_iter:
            raise
        outcome.interrupted = True
    if not _xp_network.all_finite(params.values()):
        raise diverged("the weights became non-finite", solver.hint)
    outcome.best_params = progress.best_params
    final_cost = getattr(solver, "final_cost", None)
    if progress.best_params is not None or final_cost is None:
        final = params if progress.best_params is None else progress.best_params
        with np.errstate(**_QUIET):
            final_cost, _ = objective(final)
    outcome.final_cost = final_cost
    outcome.start_cost = guard.start
    outcome.n_iter = progress.n_iter
    outcome.stopped_by_callback = progress.stopped_by_callback
    outcome.stalled_rising = progress.stalled and validate is None and rule.rising
    outcome.best_iteration = progress.best_iteration
    outcome.budget_spent = progress.n_iter >= max_iter
    # What the last tenth of this run gained, as a share of the final cost.
    run = state.loss_curve[len(state.loss_curve) - progress.n_iter :]
    back = run[-1 - max(1, len(run) // 10)] if len(run) > 1 else np.nan
    outcome.late_gain = (
        (back - run[-1]) / abs(run[-1]) if len(run) > 1 and run[-1] else 0.0
    )
    return outcome
