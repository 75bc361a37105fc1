"""Everything a fit carries forward, and the loop that trains it.

A fit works like a database transaction. It builds a :class:`TrainingState`
(or deep-copies the fitted model's, after :meth:`TrainingState.check` says it
still applies), trains the copy with :func:`train`, and only when that
succeeds does the estimator publish its fitted attributes from the state, in
one place (:func:`publish`). Whatever goes wrong before — bad input,
divergence, an exception from a callback, an interrupt before anything was
learned — the estimator still holds its previous state, untouched, random
generator included.

This module is the mechanics; what to make of a run's costs (when to stop,
when a step is undone, when a run has diverged, what deserves a warning) is
the training policy's, :mod:`sk_shallow._stopping`, and :func:`train`
returns its :class:`~sk_shallow._stopping.Diagnosis` of the run.
"""

import contextlib
import copy
import functools
import math
from dataclasses import dataclass

import numpy as np
from sklearn.utils import check_random_state

from . import _network, _xp_network
from ._network import PARAM_NAMES
from ._report import warn
from ._solvers import make_solver, solver_config
from ._stopping import (
    Diagnosis,
    DivergenceGuard,
    StoppingRule,
    diverged,
    learned_little,
)

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


#: The layout of :class:`TrainingState` and its solver: a state saved with
#: another (by an older release) cannot be continued.
STATE_FORMAT = 2


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
    format : int
        :data:`STATE_FORMAT` when built: a continued fit refuses a state of
        another layout (:meth:`check`).
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
        self.format = STATE_FORMAT

    def check(self, signature, how):
        """Raise ValueError unless a fit for ``signature`` can continue this state.

        ``how`` names what continues (``"warm_start=True"``,
        ``"partial_fit"``) for the message, whose advice is what works for
        it (:func:`restart_advice`). The data type may change: the weights
        are converted and the optimiser restarts.
        """
        if vars(self).get("format") != STATE_FORMAT:
            raise ValueError(
                f"{how} continues a model whose training state was saved by "
                "another version of sk_shallow (an older training-state "
                f"format; this one reads format {STATE_FORMAT}) and cannot "
                "continue it (the fitted model still predicts). " + restart_advice(how)
            )
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
        monitor="score",
    ):
        self.state, self.guard, self.rule = state, guard, rule
        self.validate = validate
        self.monitor = monitor
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
        if self.validate is None:
            stalled = self.rule.update(loss)
        else:
            stalled = self.rule.update(monitored, cost=loss)
        return stalled and self.stall()

    def stall(self):
        """The stopping rule reported a stall: True to stop the run.

        The solver may change its step and go on instead (its ``on_stall``).
        """
        # A stalled validation score is what early stopping stops on; only
        # a stalled training cost may change the step instead.
        state = self.state
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


def train(
    state,
    objective,
    *,
    tol,
    n_iter_no_change,
    max_iter,
    baseline=None,
    continued=False,
    saturated=0.0,
    stream_patience=None,
    **progress_options,
):
    """Train ``state`` in place with ``state.solver``; diagnose the run.

    One pass over the data before training gives the cost that divergence
    is measured against (like with like: the same data, the starting
    weights); one after gives the cost of the weights returned.
    Overflow and invalid operations are not warned about; divergence is
    raised as :class:`TrainingDiverged` instead. ``state.params`` ends as
    the weights to keep: the validated best under early stopping.

    Parameters
    ----------
    state : TrainingState
    objective : callable
        ``objective(params, batch=None) -> (J, grads)`` with ``n_samples``.
    tol, n_iter_no_change : float
        The stopping rule (see :class:`StoppingRule`).
    max_iter : int
    baseline : float, optional
        The cost of the best constant prediction: the stopping rule's floor
        (for ``fit``), and what the diagnosis compares the model with.
    continued : bool, default=False
        ``state`` is a fitted model's (``warm_start``, ``partial_fit``), for
        the divergence messages.
    saturated : float, default=0.0
        Share of the hidden activations saturated at the starting weights.
    stream_patience : float, optional
        For a ``partial_fit`` call: the calls in a row near the constant
        prediction that make a stuck stream (see :class:`Diagnosis`).
    **progress_options
        ``validate``, ``verbose``, ``on_iteration``, ``monitor`` of
        :class:`Progress`.

    Returns
    -------
    diagnosis : Diagnosis

    Raises
    ------
    KeyboardInterrupt
        When interrupted before the first iteration was recorded.
    TrainingDiverged
        When the cost or the weights ran away.
    """
    solver, params = state.solver, state.params
    progress = start(
        state,
        objective,
        tol=tol,
        n_iter_no_change=n_iter_no_change,
        max_iter=max_iter,
        floor=None if stream_patience is not None else baseline,
        continued=continued,
        **progress_options,
    )
    message, interrupted = None, False
    try:
        # BLAS's threads for the whole loop, set once (an objective may say).
        threads = getattr(objective, "one_blas_thread", contextlib.nullcontext)
        with np.errstate(**_QUIET), threads():
            message = solver.run(objective, params, progress, max_iter)
    except KeyboardInterrupt:
        if not progress.n_iter:
            raise
        interrupted = True
    return diagnose(
        progress,
        objective,
        message,
        max_iter=max_iter,
        baseline=baseline,
        saturated=saturated,
        stream_patience=stream_patience,
        interrupted=interrupted,
    )


def start(
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
    """The :class:`Progress` a run of ``state``'s solver reports to.

    Its stopping rule (where the solver or the validation needs one) and
    its divergence guard, measured from the starting weights' cost (one
    pass of ``objective``, unless the solver reports it first). Parameters
    as :func:`train`'s; ``floor`` is the stopping rule's (None for a
    stream's call, which stops on its chunk's cost alone).

    Returns
    -------
    progress : Progress
    """
    solver = state.solver
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
            wobble=trained and solver.deterministic,
            budget=max_iter if trained and solver.deterministic else None,
        )
    begin = None
    if not solver.reports_start:
        with np.errstate(**_QUIET):
            begin, _ = objective(state.params)
    guard = DivergenceGuard(begin, solver.hint, continued)
    return Progress(state, guard, rule, max_iter=max_iter, **progress_options)


def diagnose(
    progress,
    objective,
    message,
    *,
    max_iter,
    baseline=None,
    saturated=0.0,
    stream_patience=None,
    interrupted=False,
):
    """The :class:`Diagnosis` of the run ``progress`` followed; its weights kept.

    ``state.params`` ends as the weights to keep: the validated best under
    early stopping. ``message`` is what the solver's run returned;
    ``interrupted``, whether it was interrupted. Other parameters as
    :func:`train`'s.

    Raises
    ------
    TrainingDiverged
        When the weights are not finite.
    """
    state = progress.state
    solver, validate = state.solver, progress.validate
    if not _xp_network.all_finite(state.params.values()):
        raise diverged("the weights became non-finite", solver.hint)
    final_cost = solver.final_cost
    if progress.best_params is not None:
        state.params = progress.best_params
        final_cost = None
    if final_cost is None:
        with np.errstate(**_QUIET):
            final_cost, _ = objective(state.params)
    stalled_rising = progress.stalled and validate is None and progress.rule.rising
    if progress.stopped_by_callback:
        stopped = "callback"
    elif interrupted:
        stopped = "interrupted"
    elif message is not None:
        stopped = "max_iter" if progress.n_iter >= max_iter else "solver_limit"
    else:
        stopped = "stalled_rising" if stalled_rising else "converged"
    if stream_patience is not None:  # calls in a row that left the chunk's constant
        stuck = learned_little(final_cost, baseline)
        state.calls_learning_little = state.calls_learning_little + 1 if stuck else 0
    return Diagnosis(
        stopped=stopped,
        message=message,
        n_iter=progress.n_iter,
        max_iter=max_iter,
        validated=validate is not None,
        start_cost=progress.guard.start,
        final_cost=final_cost,
        baseline=baseline,
        best_iteration=progress.best_iteration,
        late_gain=_late_gain(state.loss_curve, progress.n_iter),
        rejected=solver.rejected,
        halvings=solver.halvings,
        learning_rate=solver.learning_rate,
        saturated=saturated,
        calls_learning_little=state.calls_learning_little,
        stream_patience=stream_patience,
    )


def _late_gain(loss_curve, n_iter):
    """How much the last tenth of a run of ``n_iter`` gained, as a share of its end."""
    run = loss_curve[len(loss_curve) - n_iter :]
    if len(run) < 2 or not run[-1]:
        return 0.0
    back = run[-1 - max(1, len(run) // 10)]
    return (back - run[-1]) / abs(run[-1])


def publish(estimator, state, diagnosis, n_outputs, output):
    """Set every fitted attribute of ``estimator`` from the trained ``state``.

    The one place a fit's results become the estimator's, once training
    succeeded: the transaction's commit.
    """
    est = estimator
    est._state = state
    est.W1_, est.b1_, est.W2_, est.b2_ = (state.params[k] for k in PARAM_NAMES)
    est.n_outputs_ = n_outputs
    est.out_activation_ = output
    est.n_iter_ = diagnosis.n_iter
    # The state's own lists (a continued fit trains a copy): pickled once.
    est.loss_curve_ = state.loss_curve
    est.loss_ = float(est.loss_curve_[-1])
    est.best_loss_ = float(min(est.loss_curve_))
    lr = diagnosis.learning_rate
    est.learning_rate_ = None if lr is None else float(lr)
    if diagnosis.validated:
        est.validation_scores_ = state.validation_scores
        est.validation_loss_curve_ = state.validation_loss_curve
        est.best_validation_score_ = state.best_validation_score
    else:
        est.validation_scores_ = est.validation_loss_curve_ = None
        est.best_validation_score_ = None


def all_or_nothing(fit_method):
    """Restore the estimator as it was when ``fit_method`` fails in any way.

    The transaction's rollback: whatever a failed fit set is undone.

    Applied outside scikit-learn's ``_fit_context``, so that an error raised
    by a callback's teardown, after the fit proper, still rolls back. A
    shallow copy of ``__dict__`` is enough because a fit never changes an
    object the estimator holds: it trains a deep copy of the training state
    and rebinds attributes. The one outside object a fit draws from, the
    generator passed as (or standing for) ``random_state``, is restored too.
    """

    @functools.wraps(fit_method)
    def wrapper(self, *args, **kwargs):
        saved = dict(self.__dict__)
        generator = self.random_state
        if generator is None:
            generator = check_random_state(None)
        rng_state = (
            generator.get_state()
            if isinstance(generator, np.random.RandomState)
            else None
        )
        try:
            return fit_method(self, *args, **kwargs)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(saved)
            if rng_state is not None:
                generator.set_state(rng_state)
            raise

    return wrapper


def new_state(estimator, n_features, n_outputs, dtype, signature, config):
    """A fresh :class:`TrainingState` for ``estimator``: weights drawn, a new solver.

    Parameters
    ----------
    estimator : BaseShallowNet
    n_features, n_outputs : int
    dtype : numpy.dtype
        The weights' type (float32 or float64).
    signature : dict
        What the state is built for (see :meth:`TrainingState.check`).
    config : tuple
        The solver's parameters (:func:`~sk_shallow._solvers.solver_config`).

    Returns
    -------
    state : TrainingState
    """
    rng = check_random_state(estimator.random_state)
    params = initial_params(estimator, rng, n_features, n_outputs, dtype)
    if estimator.init == "zeros":
        warn(
            "init='zeros' starts every hidden unit with the same weights; "
            "they receive the same gradients and stay identical (the "
            "symmetry problem), so the hidden layer acts as one unit.",
            UserWarning,
        )
    return TrainingState(params, make_solver(estimator, rng), rng, signature, config)


def initial_params(estimator, rng, n_features, n_outputs, dtype):
    """The initial weights of ``estimator``'s network, drawn from ``rng``.

    Parameters
    ----------
    estimator : BaseShallowNet
        Its ``n_hidden``, ``init``, ``init_scale`` and ``activation``.
    rng : numpy.random.RandomState
    n_features, n_outputs : int
    dtype : numpy.dtype

    Returns
    -------
    params : dict
        ``W1 (n_hidden, n_features)``, ``b1 (n_hidden, 1)``,
        ``W2 (n_outputs, n_hidden)``, ``b2 (n_outputs, 1)``.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        params = _network.initialize(
            n_features,
            estimator.n_hidden,
            n_outputs,
            rng,
            init=estimator.init,
            init_scale=estimator.init_scale,
            activation=estimator.activation,
            dtype=dtype,
        )
    if not all(np.isfinite(v).all() for v in params.values()):
        raise ValueError(
            f"init_scale={estimator.init_scale} gives non-finite initial weights "
            f"in {np.dtype(dtype).name}; use a smaller init_scale."
        )
    return params


def start_state(estimator, problem, signature, first, incremental):
    """The training state a fit of ``estimator`` on ``problem`` trains.

    A fresh one (:func:`new_state`) for a first fit; otherwise a copy of the
    fitted model's, once :meth:`TrainingState.check` says it still applies.
    A warm-started ``fit`` carries the weights on with a new optimiser (as
    scikit-learn's MLP); ``partial_fit`` after ``set_params`` takes the new
    solver settings.
    """
    config = solver_config(estimator)
    dtype = problem.host_dtype
    if first:
        n_features, n_outputs = problem.n_features, problem.n_outputs
        return new_state(estimator, n_features, n_outputs, dtype, signature, config)
    how = "partial_fit" if incremental else "warm_start=True"
    estimator._state.check(signature, how)
    state = estimator._state.continued(dtype)
    if not incremental or state.solver_config != config:
        state.solver = make_solver(estimator, state.rng)
        state.solver_config = config
    return state


@dataclass(eq=False)
class FitRun:
    """A fit between its preparation and its end (see ``_begin_fit``).

    Attributes
    ----------
    state : TrainingState
        The weights and solver to train.
    problem : sk_shallow._problem.Problem
        All of the fit's data, its targets standardised.
    train_part : sk_shallow._problem.Problem
        What it trains on (all of ``problem``, or the part not held out).
    objective : callable
        The training objective on ``train_part``.
    options : dict
        The keyword arguments of :func:`~sk_shallow._training.train`.
    output : str
        The output layer.
    scaling : tuple or None
        The targets' ``(shift, scale)``, folded into the weights at the end.
    fit_task : callable or None
        Ends the callbacks' fit task.
    """

    state: object
    problem: object
    train_part: object
    objective: object
    options: dict
    output: str
    scaling: object
    fit_task: object
