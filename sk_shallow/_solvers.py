"""Optimisers over the parameter dict.

Every solver is a :class:`Solver`, whose one method that does the work is
``run(objective, params, progress, max_iter)``: it improves ``params`` in
place, reports each iteration's cost to ``progress`` (a
:class:`sk_shallow._training.Progress`) and stops when that says so. The
base class declares the rest of the protocol, which the training loop reads
instead of reaching into a solver:

- ``stall_rule``: whether the stall rule applies to its training cost
  (L-BFGS has its own convergence test, so it does not);
- ``deterministic``: its cost is the full batch's, the same for the same
  weights, so that the stall rule may tell a wobble from a climb;
- ``reports_start``: the first cost it reports is that of the starting
  weights, and it leaves the cost of the weights it returns in
  ``final_cost`` (None when it does not know it);
- ``on_stall(rising, climbing)``: its answer to a stalled cost, True to go
  on (after halving its step, or the ``"adaptive"`` schedule's shrink),
  False to stop; the stopping rule says whether the cost was rising (0.1%
  above its best) or climbing (the last window ended higher than it began);
- ``learning_rate``: the step in use (None for L-BFGS), published as
  ``learning_rate_``; ``halve`` halves it, and ``reject`` is the one step
  halving of a rejected step, bounded by
  :data:`~sk_shallow._stopping.MAX_HALVINGS`;
- ``rejected`` and ``halvings``: the steps rejected, and every halving of
  the step, in the last run;
- ``hint``: what to do when it diverges.

The solvers with a step take it with an :class:`UpdateRule`.

The notes' gradient descent (section 3.9) is :class:`FullBatchGD`, with a
safeguard against run-away steps; mini-batch SGD with momentum and Adam
(:class:`EpochSolver`) follow scikit-learn's MLP, and :class:`LBFGS` hands the
flattened parameters to :func:`scipy.optimize.minimize`.

The objective is anything with ``objective(params, batch=None) -> (J,
grads)`` and ``objective.n_samples``: :class:`Objective` on in-memory data, or
a distributed or array-API one with the same two members. ``grads`` has a
gradient for every parameter; where they are the views of one vector that
:func:`~sk_shallow._network.unpack` makes (as :class:`Objective`'s are), a
NumPy solver steps on that vector directly, and otherwise packs them into
one first (a copy of the parameters' size per step, see :class:`_Steps`).
"""

import math
from abc import ABC, abstractmethod

import numpy as np
import scipy.optimize

from . import _backend, _network, _xp_network
from ._stopping import MAX_HALVINGS, TrainingDiverged, diverged, step_rejected

#: What to do when a solver with a step size diverges.
STEP_HINT = (
    "Lower learning_rate or scale the features (for example with StandardScaler, "
    "or MaxAbsScaler for sparse input)."
)

#: What ``learning_rate="auto"`` means for each solver: the notes' 1.2 for
#: full-batch gradient descent, small steps for the stochastic solvers
#: (scikit-learn MLP's default for Adam). L-BFGS takes no learning rate.
AUTO_LEARNING_RATES = {"gd": 1.2, "sgd": 0.01, "adam": 0.001, "lbfgs": None}

#: The parameters a solver is built from: when one changes, a continued fit
#: (partial_fit) builds a new solver instead of carrying the old one on.
SOLVER_PARAMS = (
    "solver",
    "learning_rate",
    "batch_size",
    "shuffle",
    "learning_rate_schedule",
    "power_t",
    "momentum",
    "nesterovs_momentum",
    "beta_1",
    "beta_2",
    "epsilon",
    "max_fun",
    "tol",
)


#: The key of the parameters, and of their gradients and optimiser state,
#: when the steps are taken on one vector (see :class:`_Steps`).
VECTOR = _backend.VECTOR


# --------------------------------------------------------------------------
# Update rules: ``update(params, grads)`` in place.
# --------------------------------------------------------------------------
def _descend(params, grads, learning_rate):
    """The notes' update ``W := W - alpha dW`` of every array, in place."""
    for k, g in grads.items():
        params[k] -= learning_rate * g


class UpdateRule(ABC):
    """One update of the parameters from their gradients, with a step size.

    Like scikit-learn's ``BaseOptimizer``: a subclass says how a step is
    taken (:meth:`update`) and which of its attributes hold the optimiser's
    state (:attr:`state_names`); the step size changes through
    :meth:`halve`, :meth:`restart`, :meth:`on_stall` and
    :meth:`iteration_ends` only.

    Parameters
    ----------
    learning_rate : float
        The step the rule starts with.
    """

    #: The attributes holding the optimiser's state: dicts of arrays keyed
    #: as the parameters it steps on (None before the first step).
    state_names = ()

    def __init__(self, learning_rate):
        self.learning_rate = learning_rate

    @abstractmethod
    def update(self, params, grads):
        """Take one step on the dict of arrays ``params``, in place."""

    def lay_out(self, arrays, like):
        """Key the optimiser's state as ``arrays``: one vector, or per parameter.

        A state kept per parameter (one trained off NumPy) is packed when
        the steps are on one vector (see :class:`_Steps`), and unpacked,
        shaped like ``like``, the other way.
        """
        for name in self.state_names:
            state = getattr(self, name)
            if state is None or state.keys() == arrays.keys():
                continue
            if VECTOR in arrays:
                state = {VECTOR: _network.pack(state)}
            else:
                state = _xp_network.unpack(_xp_network.to_host(state[VECTOR]), like)
            setattr(self, name, state)

    def iteration_ends(self, t):
        """Called after each epoch with ``t`` samples seen so far (a schedule)."""
        return None

    def on_stall(self, rising=False, climbing=False):
        """The cost has stalled: True to go on (after changing the step)."""
        return False

    def halve(self):
        """Halve the step."""
        self.learning_rate /= 2

    def restart(self):
        """Halve the step and forget the optimiser's state (after a run-away)."""
        self.halve()
        for name in self.state_names:
            setattr(self, name, None)


class GradientDescent(UpdateRule):
    """The notes' update ``W := W - alpha * dW``.

    Parameters
    ----------
    learning_rate : float
        The notes' ``alpha``.
    """

    def update(self, params, grads):
        """Take one step, in place."""
        _descend(params, grads, self.learning_rate)


class Momentum(UpdateRule):
    """SGD with (Nesterov) momentum and a step schedule, as scikit-learn's MLP.

    ``v := momentum * v - learning_rate * dW``, then ``W += v`` or, with
    Nesterov's momentum, ``W += momentum * v - learning_rate * dW``. The
    schedule is ``"constant"``, ``"invscaling"`` (the step decays with the
    samples seen) or ``"adaptive"`` (the step shrinks fivefold whenever the
    cost stalls, instead of stopping).
    """

    state_names = ("velocities",)

    def __init__(
        self,
        learning_rate,
        momentum=0.9,
        nesterov=True,
        schedule="constant",
        power_t=0.5,
    ):
        super().__init__(learning_rate)
        self.learning_rate_init = learning_rate
        self.momentum = momentum
        self.nesterov = nesterov
        self.schedule = schedule
        self.power_t = power_t
        self.velocities = None

    def iteration_ends(self, t):
        """``"invscaling"``: ``learning_rate_init / (t + 1) ** power_t``."""
        if self.schedule == "invscaling":
            # exp(-power_t log(t + 1)) underflows to 0 where the power
            # would overflow (power_t=200 after a few samples).
            decay = math.exp(-self.power_t * math.log(t + 1))
            self.learning_rate = self.learning_rate_init * decay

    def on_stall(self, rising=False, climbing=False):
        """``"adaptive"``: divide the step by 5 instead of stopping, down to 1e-6."""
        if self.schedule != "adaptive" or self.learning_rate <= 1e-6:
            return False
        self.learning_rate /= 5.0
        return True

    def halve(self):
        """Halve the step, and the one the schedule decays from."""
        self.learning_rate /= 2
        self.learning_rate_init /= 2

    def update(self, params, grads):
        """Take one step, in place."""
        if self.velocities is None:
            xp = _xp_network.namespace(next(iter(params.values())))
            self.velocities = {k: xp.zeros_like(v) for k, v in params.items()}
        for k, g in grads.items():
            v = self.velocities[k]
            v *= self.momentum
            v -= self.learning_rate * g
            if self.nesterov:
                params[k] += self.momentum * v - self.learning_rate * g
            else:
                params[k] += v


class Adam(UpdateRule):
    """Adam (Kingma and Ba, 2014), with scikit-learn MLP's bias correction."""

    state_names = ("ms", "vs")

    def __init__(self, learning_rate, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
        super().__init__(learning_rate)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.t = 0
        self.ms = self.vs = None

    def restart(self):
        """Halve the step and forget the moments, bias correction included."""
        super().restart()
        self.t = 0

    def update(self, params, grads):
        """Take one step, in place."""
        xp = _xp_network.namespace(next(iter(params.values())))
        if self.ms is None:
            self.ms = {k: xp.zeros_like(v) for k, v in params.items()}
            self.vs = {k: xp.zeros_like(v) for k, v in params.items()}
        self.t += 1
        step = (
            self.learning_rate
            * math.sqrt(1 - self.beta_2**self.t)
            / (1 - self.beta_1**self.t)
        )
        for k, g in grads.items():
            m, v = self.ms[k], self.vs[k]
            m *= self.beta_1
            m += (1 - self.beta_1) * g
            v *= self.beta_2
            v += (1 - self.beta_2) * (g * g)
            params[k] -= step * m / (xp.sqrt(v) + self.epsilon)


# --------------------------------------------------------------------------
# Solvers: ``run(objective, params, progress, max_iter)``.
# --------------------------------------------------------------------------
class Solver(ABC):
    """What the training loop asks of a solver (see the module docstring).

    Parameters
    ----------
    rule : UpdateRule or None
        The update rule whose step the solver takes; None for a solver
        without a step size (L-BFGS).
    back_off : bool, default=False
        Undo a rejected step and halve it (:meth:`reject`).
    """

    #: The stall rule applies to its training cost.
    stall_rule = True
    #: Its cost is the full batch's, the same for the same weights: the
    #: stall rule may tell a wobble from a climb (:class:`StoppingRule`).
    deterministic = False
    #: The first cost it reports is that of the starting weights, and it
    #: leaves the cost of the weights it returns in ``final_cost``.
    reports_start = False
    #: What to do when it diverges.
    hint = STEP_HINT

    def __init__(self, rule=None, back_off=False):
        self.rule = rule
        self.back_off = back_off
        self.rejected = 0  # steps rejected (undone and halved) in the last run
        self.halvings = 0  # every halving of the step in the last run
        self.start_rate = self.learning_rate  # the step the last run began with
        self.final_cost = None  # the cost of the weights returned, if known

    @property
    def learning_rate(self):
        """The step in use: the update rule's (None without one)."""
        return None if self.rule is None else self.rule.learning_rate

    @abstractmethod
    def run(self, objective, params, progress, max_iter):
        """Train ``params`` in place; return why it stopped short, or None."""

    def _begin(self):
        """A new run (a ``partial_fit`` call continues the step): reset its counts."""
        self.rejected = self.halvings = 0
        self.start_rate = self.learning_rate
        self.final_cost = None

    def on_stall(self, rising=False, climbing=False):
        """The cost has stalled: True to go on (after changing the step)."""
        return False

    def halve(self, restart=False):
        """Halve the step, counted in :attr:`halvings`.

        With ``restart``, the optimiser's state (momentum, Adam's moments)
        is forgotten too.
        """
        if restart:
            self.rule.restart()
        else:
            self.rule.halve()
        self.halvings += 1

    def reject(self, what, error=None):
        """The last step was rejected: halve the step, up to ``MAX_HALVINGS`` times.

        Past that, the run has diverged: ``what`` says how the last step
        failed, ``error`` is the run-away it answers, if any.
        """
        if self.rejected >= MAX_HALVINGS:
            raise diverged(
                f"the step was halved {MAX_HALVINGS} times, from "
                f"{self.start_rate:.4g} to {self.learning_rate:.4g}, {what}",
                self.hint,
            ) from error
        self.rejected += 1
        self.halve(restart=True)


def budget_spent(max_iter):
    """Why a run that took all its ``max_iter`` steps (or epochs) stopped short."""
    return (
        f"Maximum iterations ({max_iter}) reached before the cost "
        "stopped improving; increase max_iter or tol"
    )


class FullBatchGD(Solver):
    """The notes' gradient descent on the full batch, safeguarded.

    While the cost falls (or rises by at most
    :data:`~sk_shallow._stopping.REJECT_RISE` = 1% of itself in one step)
    every step is exactly the notes' ``W := W - alpha dW``. A step that
    raises the cost by more is undone and retried with half the step, which
    then stays in use (``learning_rate_``). The cost of a step is only known
    at the next forward pass, so the weights and gradients before each step
    are kept (two copies of the parameters' size, beside the one the steps
    are taken on, see :class:`_Steps`; with flat passes, the other of two
    vectors, see :meth:`_flat_steps`) and a rejected step costs the one
    pass that found it. Why that tolerance:
    :func:`~sk_shallow._stopping.step_rejected`.

    Parameters
    ----------
    learning_rate : float
        The notes' ``alpha``, the step the run starts with.
    back_off : bool, default=True
        Undo and halve a step that raises the cost by more than 1%.
    """

    deterministic = True
    #: It reports the starting weights' cost first and leaves the returned
    #: weights' in ``final_cost``: the training loop needs no extra pass.
    reports_start = True

    def __init__(self, learning_rate, back_off=True):
        super().__init__(GradientDescent(learning_rate), back_off)
        self.t = 0

    def on_stall(self, rising=False, climbing=False):
        """A stall on a climbing cost halves the step and goes on.

        Below 1% per step, a climb is not rejected step by step; when the
        stall rule finds that the last window ended higher than it began
        (the step is too large for the curvature reached), the step is
        halved instead of ending the run there.
        """
        if not (self.back_off and climbing):
            return False
        self.halve()  # not a rejected step: no warning, no limit
        return True

    #: Whether a step raised the cost too much (the safeguard's policy).
    _rejects = staticmethod(step_rejected)

    def _step(self, params, grads):
        """The notes' update ``W := W - alpha dW``, in place."""
        _descend(params, grads, self.rule.learning_rate)

    def run(self, objective, params, progress, max_iter):
        """Train ``params`` in place; return why it stopped short, or None."""
        self._begin()
        steps = _Steps(params, keep=self.back_off)
        # On NumPy data of at most one block, the objective has a flat pass
        # (the same bits, without the per-call Python), and the step is
        # taken on the vector with buffers made once: the course run takes
        # 10,000 steps on 400 examples, where that Python costs as much as
        # the arithmetic.
        flat = getattr(objective, "flat", None)
        flat = flat(steps.params) if flat is not None and steps.flat else None
        try:
            if flat is None:
                stopped, before = self._steps(objective, steps, progress, max_iter)
                self._last_step(objective, steps, before)
            else:
                stopped = self._flat_steps(objective, flat, steps, progress, max_iter)
        finally:
            steps.write_back(params)
        return budget_spent(max_iter) if stopped is None else None

    def _steps(self, objective, steps, progress, max_iter):
        """The steps of :meth:`run`; return ``(None or True, last cost)``.

        None when the budget is spent, True when the progress stopped the run.
        """
        n_samples = objective.n_samples
        before = None
        n_iter = 0
        while n_iter < max_iter:
            J, grads = objective(steps.params)
            if self.back_off and before is not None and self._rejects(J, before):
                # Undo the last step and take it again with half the step.
                self.reject("without lowering the cost")
                steps.retake(self._step)
                continue
            n_iter += 1
            before = J
            steps.take(grads, self._step)
            self.t += n_samples
            # The cost is taken before the update, as the notes print
            # it; the progress sees the weights after it, as in MLP.
            if progress(J, steps.params):
                return True, before
        return None, before

    def _flat_steps(self, objective, flat, steps, progress, max_iter):
        """:meth:`_steps` and :meth:`_last_step` with flat passes, on two vectors.

        A step writes ``theta - alpha dW`` into the other vector of the
        parameters, whose own flat pass takes the next step's pass: the
        weights and the gradients a rejected step started from stay where
        they were, and keeping them costs no copy. The arithmetic is
        :meth:`_steps`' (the same bits); the trained weights end in
        ``steps.params``. Returns None when the budget is spent, True when
        the progress stopped the run.
        """
        theta = (steps.arrays[VECTOR], np.empty_like(steps.arrays[VECTOR]))
        views = (steps.params, _network.unpack(theta[1], steps.params))
        passes = (flat, flat.reading(views[1]))
        scaled = np.empty_like(theta[0])
        n_samples = objective.n_samples
        rejects = self._rejects if self.back_off else None
        before, stopped, now, n_iter = None, None, 0, 0
        try:
            while n_iter < max_iter:
                J = passes[now]()
                if rejects is not None and before is not None and rejects(J, before):
                    # Take the step again, from where it started, with half of it.
                    self.reject("without lowering the cost")
                    last = 1 - now
                    gradient = passes[last].gradient
                    step = np.multiply(gradient, self.learning_rate, scaled)
                    np.subtract(theta[last], step, out=theta[now])
                    continue
                n_iter += 1
                before = J
                step = np.multiply(passes[now].gradient, self.learning_rate, scaled)
                np.subtract(theta[now], step, out=theta[1 - now])
                now = 1 - now
                self.t += n_samples
                # The cost is taken before the update, as the notes print
                # it; the progress sees the weights after it, as in MLP.
                if progress(J, views[now]):
                    stopped = True
                    break
            # No run ends on a bad step: undo the last one if it raised the cost.
            self.final_cost = None
            if rejects is not None and before is not None:
                J = self.final_cost = passes[now]()
                if rejects(J, before):
                    now = 1 - now
                    self.final_cost = before
        finally:
            if now == 1:
                np.copyto(theta[0], theta[1])
        return stopped

    def _last_step(self, objective, steps, before):
        """Undo the last step if it raised the cost: no run ends on a bad step."""
        self.final_cost = None
        if not self.back_off or before is None:
            return
        J, _ = objective(steps.params)
        self.final_cost = J
        if self._rejects(J, before):
            steps.undo()
            self.final_cost = before


class _Steps:
    """Updates of the parameters that can be undone and taken again.

    On NumPy the solver works on a copy of the parameters held as views of
    one vector (:func:`~sk_shallow._network.unpack`), and the objective's
    gradients are views of one vector as well, so an update rule sees one
    array, ``{VECTOR: theta}``, where it would see four: a step, and keeping
    what it started from, are one operation each, not one per array (Adam:
    a dozen calls, not four dozen). On a few hundred examples (the course
    run, a mini-batch) each NumPy call costs about as much as its
    arithmetic, so the number of calls is what counts. The results are the
    same, bit for bit: the operations are elementwise.
    :meth:`write_back` copies the trained values into the caller's arrays.
    Other namespaces are updated array by array.

    Parameters
    ----------
    params : dict
    keep : bool
        Keep each update's starting point and gradients, for :meth:`undo`
        and :meth:`retake`.

    Attributes
    ----------
    params : dict
        The parameters being trained, keyed as ``params``.
    arrays : dict
        The same values as the update rule steps on them.
    """

    def __init__(self, params, keep):
        self.arrays, self.params = _backend.one_vector(params)
        self.flat = VECTOR in self.arrays
        self.keep = keep
        self.kept = None  # made at the first update: a flat run keeps its own

    def gradients(self, grads):
        """``grads`` keyed as :attr:`arrays` (a view where they are one vector)."""
        if not self.flat:
            return grads
        gradient = _network.vector_of(grads)
        return {VECTOR: _network.pack(grads) if gradient is None else gradient}

    def take(self, grads, update):
        """``update(arrays, gradients)``, kept (when ``keep``) to be undone."""
        gradients = self.gradients(grads)
        if self.keep:
            if self.kept is None:
                xp = _xp_network.namespace(self.params["W1"])
                self.kept = tuple(
                    {k: xp.empty_like(v) for k, v in self.arrays.items()} for _ in "pg"
                )
            for k, v in self.arrays.items():
                _xp_network.copyto(self.kept[0][k], v)
                _xp_network.copyto(self.kept[1][k], gradients[k])
        update(self.arrays, gradients)

    def undo(self):
        """Go back to where the last update started."""
        for k, v in self.kept[0].items():
            _xp_network.copyto(self.arrays[k], v)

    def retake(self, update):
        """Undo the last update and take it again with ``update``."""
        self.undo()
        update(self.arrays, self.kept[1])

    def write_back(self, params):
        """Copy the trained values into ``params`` (unless they are its arrays)."""
        if self.params is not params:
            for k, v in self.params.items():
                _xp_network.copyto(params[k], v)


class EpochSolver(Solver):
    """Passes over the data in mini-batches, one update per batch.

    With ``back_off=True`` (``learning_rate="auto"``), a run-away is undone
    instead of raised. When a batch's cost exceeds the divergence limit, the
    weights go back to where they were before the previous update, the step
    is halved, the optimiser's state (momentum, Adam's moments) is
    forgotten, and the previous update is taken again with the smaller step
    before the batch is tried again; after ``MAX_HALVINGS`` the run is
    declared diverged. A stochastic cost is noisy, so unlike
    :class:`FullBatchGD` no rise short of a run-away is undone: an epoch's
    batches differ by more than any useful tolerance. When the stopping
    rule finds the epochs' cost rising, the step is halved (the optimiser's
    state kept) instead of ending the run. The cost is one copy of the
    parameters and one of the gradients per batch (see :class:`_Steps`). A
    step the user chose is honoured: its run-away is
    :class:`~sk_shallow._stopping.TrainingDiverged`, naming the cure.

    Parameters
    ----------
    rule : GradientDescent
        The update rule.
    batch_size : int
        Examples per update.
    shuffle : bool
        Shuffle the examples before each epoch.
    rng : numpy.random.RandomState
    back_off : bool, default=False
        Undo a run-away update and halve the step, instead of raising.
    """

    def __init__(self, rule, batch_size, shuffle=False, rng=None, back_off=False):
        super().__init__(rule, back_off)
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.rng = rng
        self.order = None
        self.t = 0  # samples seen, across runs (partial_fit calls)

    def on_stall(self, rising=False, climbing=False):
        """The rule's answer (``"adaptive"``); backing off, a rise halves the step."""
        if self.rule.on_stall(rising):
            return True
        if not (self.back_off and rising):
            return False
        self.halve()
        return True

    def _batches(self, n, size):
        """The epoch's batches: a slice or indices each (None: all of the data)."""
        for start in range(0, n, size):
            if self.shuffle:
                yield self.order[start : start + size]
            elif size == n:
                yield None
            else:
                yield slice(start, start + size)

    def _undo(self, steps, taken, error):
        """Go back before the last update; retake it with half the step.

        ``taken`` says whether ``steps`` kept an update to undo; without
        one, the run-away is raised.
        """
        if not (self.back_off and taken):
            raise error
        self.reject("and the cost still ran away", error)
        steps.retake(self.rule.update)

    def run(self, objective, params, progress, max_iter):
        """Train ``params`` in place; return why it stopped short, or None.

        Each batch's cost is checked for divergence as it comes, so a blow-up
        inside the first epoch is caught there; the epoch's cost is the mean
        of its batches' costs, weighted by their sizes, over the batches that
        weigh anything.
        """
        n = objective.n_samples
        size = min(self.batch_size, n)
        self._begin()
        # The shuffled order carries over between runs (partial_fit calls)
        # on data of the same size, so that they follow fit's epochs.
        if self.order is None or len(self.order) != n:
            self.order = np.arange(n)
        steps = _Steps(params, keep=self.back_off)
        self.rule.lay_out(steps.arrays, params)
        taken = False  # whether ``steps`` holds an update to undo
        stopped = False
        try:
            for _ in range(max_iter):
                if self.shuffle:
                    # Shuffle indices, not data, as scikit-learn's MLP does
                    # with sklearn.utils.shuffle, which takes order[p] for
                    # p = rng.shuffle(arange(n)): shuffling order in place
                    # makes the same swaps, without that function's input
                    # validation (0.2 ms an epoch, more than a small epoch).
                    self.rng.shuffle(self.order)
                total, counted = 0.0, 0
                for batch in self._batches(n, size):
                    while True:
                        J, grads = objective(steps.params, batch)
                        if grads is None:
                            break  # weighs nothing: no cost, no step
                        try:
                            progress.batch(J)
                        except TrainingDiverged as error:
                            self._undo(steps, taken, error)
                            continue  # the same batch, from the retaken update
                        break
                    if grads is None:
                        continue
                    rows = _rows(batch, n)
                    total += J * rows
                    counted += rows
                    steps.take(grads, self.rule.update)
                    taken = True
                self.t += n
                self.rule.iteration_ends(self.t)
                if progress(total / counted, steps.params):
                    stopped = True
                    break
            self._last_update(objective, steps, progress, taken)
        finally:
            steps.write_back(params)
        if stopped:
            return None
        return budget_spent(max_iter)

    def _last_update(self, objective, steps, progress, taken):
        """Undo the last update if it ran away: no backed-off run ends on one.

        The step is halved and the optimiser restarted, as for any run-away,
        so that a later ``partial_fit`` call goes on from there. The check
        is the pass that gives the cost of the weights returned, which the
        training loop would otherwise take itself.
        """
        self.final_cost = None
        if not (self.back_off and taken):
            return
        J, _ = objective(steps.params)
        try:
            progress.batch(J)
        except TrainingDiverged as error:
            steps.undo()
            self.reject("and the cost still ran away", error)
            return
        self.final_cost = J


def _rows(batch, n):
    """How many examples ``batch`` (None, a slice or indices) takes of ``n``."""
    if batch is None:
        return n
    if isinstance(batch, slice):
        return len(range(*batch.indices(n)))
    return len(batch)


class LBFGS(Solver):
    """L-BFGS-B from :func:`scipy.optimize.minimize` on the flattened parameters.

    It has its own line search and convergence test (``tol`` is scipy's
    ``gtol``), so the stall rule does not apply to its training cost, only to
    the validation score under early stopping.

    Parameters
    ----------
    max_fun : int
        Maximum number of cost evaluations.
    tol : float
        scipy's ``gtol``.
    """

    stall_rule = False
    hint = (
        "L-BFGS's line search found no finite cost: scale the features (for "
        "example with StandardScaler, or MaxAbsScaler for sparse input) or add "
        "an L2 penalty (alpha)."
    )

    def __init__(self, max_fun=15000, tol=1e-4):
        super().__init__()
        self.max_fun = max_fun
        self.tol = tol

    def run(self, objective, params, progress, max_iter):
        """Train ``params`` in place; return scipy's message if it stopped short."""
        self._begin()
        like = dict(params)
        # The parameters cross to the host as one float64 vector each way,
        # and back as arrays of their own type and namespace; a GPU's
        # forward/backward stays on the device.

        def fun(theta):
            J, grads = objective(_xp_network.unpack(theta, like))
            return J, _xp_network.pack(grads)

        def callback(intermediate_result):
            # Keep the iterate, so that an interruption leaves the weights
            # reached so far.
            for k, v in _xp_network.unpack(intermediate_result.x, like).items():
                params[k][...] = v
            if progress(float(intermediate_result.fun), params):
                raise StopIteration

        result = scipy.optimize.minimize(
            fun,
            _xp_network.pack(params),
            method="L-BFGS-B",
            jac=True,
            callback=callback,
            options={"maxiter": max_iter, "maxfun": self.max_fun, "gtol": self.tol},
        )
        for k, v in _xp_network.unpack(result.x, like).items():
            params[k][...] = v
        if not progress.n_iter:
            # Converged at the starting point, before any iteration.
            progress(float(result.fun), params)
        # 0: converged; 99: the progress stopped the run through the callback.
        if result.status in (0, 99):
            return None
        return (
            f"L-BFGS stopped before converging ({result.message}); increase "
            "max_iter or max_fun"
        )


def solver_config(estimator):
    """The values of :data:`SOLVER_PARAMS` of ``estimator``, as a tuple."""
    params = estimator.get_params(deep=False)
    return tuple(params[name] for name in SOLVER_PARAMS)


def make_solver(estimator, rng):
    """The solver named by ``estimator.solver``, configured from its parameters.

    Parameters
    ----------
    estimator : BaseShallowNet
        Its ``solver``, ``learning_rate`` (``"auto"``: the estimator's
        ``_auto_learning_rates``, backing off from a run-away) and the
        options of that solver.
    rng : numpy.random.RandomState
        The generator a stochastic solver shuffles with.

    Returns
    -------
    solver : Solver
    """
    est = estimator
    if est.solver == "lbfgs":
        return LBFGS(max_fun=est.max_fun, tol=est._tol)
    lr = est.learning_rate
    auto = lr == "auto"
    if auto:
        lr = est._auto_learning_rates[est.solver]
    if est.solver == "gd":  # the notes' method: the full batch, in order
        return FullBatchGD(lr)
    if est.solver == "sgd":
        rule = Momentum(
            lr,
            est.momentum,
            est.nesterovs_momentum,
            est.learning_rate_schedule,
            est.power_t,
        )
    else:
        rule = Adam(lr, est.beta_1, est.beta_2, est.epsilon)
    batch_size = 200 if est.batch_size == "auto" else est.batch_size
    # An automatic step backs off from a run-away; a chosen one is kept.
    return EpochSolver(rule, batch_size, est.shuffle, rng, back_off=auto)


STOCHASTIC_SOLVERS = ("sgd", "adam")


def incremental_solver(estimator):
    """Whether ``partial_fit`` makes sense: a stochastic solver, nothing global.

    Parameters
    ----------
    estimator : BaseShallowNet
        The estimator whose ``partial_fit`` is looked up.

    Returns
    -------
    available : bool
        True; otherwise an AttributeError says why not.
    """
    if estimator.solver not in STOCHASTIC_SOLVERS:
        raise AttributeError(
            f"partial_fit is only available for the stochastic solvers "
            f"{STOCHASTIC_SOLVERS}, not solver={estimator.solver!r}: set "
            "solver='sgd' or 'adam' (a fitted model's weights carry on)."
        )
    if estimator.early_stopping is True:
        raise AttributeError(
            "partial_fit is not available with early_stopping=True: one pass "
            "over a chunk has no held-out data to stop on. Set "
            "early_stopping=False and compare score() on held-out data."
        )
    estimator._check_incremental()
    return True
