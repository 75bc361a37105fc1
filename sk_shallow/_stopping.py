"""The training policy: when a run stops, what it undoes, and what it says.

Every rule about the course of a run lives here, as small objects and pure
functions over its costs, knowing nothing of solvers' internals nor of
estimators:

- :class:`StoppingRule` decides that a sequence of values (the training cost,
  or minus the validation score) has stopped improving, and tells a plateau
  that is being escaped from convergence (the plateau floor:
  :func:`learned_little`); a full-batch cost that has settled within the
  run's budget ends it too (:meth:`StoppingRule.settled`).
- :func:`step_rejected` is the safeguard of full-batch gradient descent: a
  step that raised the cost too much is undone and halved, at most
  :data:`MAX_HALVINGS` times.
- :class:`DivergenceGuard` decides that a cost has run away, measured against
  the cost of the weights training started from (:func:`diverged`).
- :class:`Diagnosis` is what a run ended with, and which of it deserves a
  warning: the estimators only format it (:mod:`sk_shallow._report`).

Why this module, not the training loop's: :mod:`sk_shallow._training` is the
mechanics of a fit (the state a fit copies, trains and publishes, and the
loop that feeds a solver's costs to these rules); the thresholds are
tuned together (the notes' course run is the check of most of them) and read
best side by side. The solvers ask the rules (:mod:`sk_shallow._solvers`):
they say what they need, the rules decide.
"""

import math
from dataclasses import dataclass

import numpy as np

#: A cost this many times the starting cost (or 1, if larger) means divergence:
#: a well-posed run lowers its cost, and one that grows a hundredfold is
#: running away, usually from a step too large for the data's scale.
DIVERGENCE_FACTOR = 100.0

#: A stall whose last window gains at least this share of an average
#: window since the start is a plateau, not convergence.
PLATEAU = 0.5

#: A deterministic cost has settled when, at the pace of the last tenth of
#: the budget, the rest of it (or another tenth, if less remains) would lower
#: it by less than this share of what the run has learned so far (its first
#: cost minus its best): 0.2% of the way already come. The plateaus between
#: two phases of learning look settled to a rule that sees only costs (near
#: a saddle, as near a minimum, the gains shrink): one fold of noisy moons,
#: the slowest escape measured (benchmarks/bench_stopping.py), projects
#: 0.47% at the bottom of its plateau, and 0.5% ends it there; 0.2% keeps a
#: margin of more than two. A settled run's pace only slows, so the
#: projection errs towards going on.
SETTLED = 0.002

#: A stop with the cost this share above its best is a stop on a rising cost.
RISE = 1e-3

#: A cost within this share of the best constant prediction's has learned
#: little: the run is still on the plateau it started from.
LEARNED_LITTLE = 0.01

#: A deterministic cost (the full batch's) that climbs by at most this share
#: of itself per step, and stays within :data:`WOBBLE_ABOVE` of its best, is
#: wobbling at the edge of stability, not running away: the notes' own run
#: climbs by up to 0.08% a step (8.0e-4, a rise of 1.73e-4 from 0.2160 at
#: iteration 7,873), to 1.7% above its best, and then falls again.
WOBBLE_STEP = 1e-3

#: How far above its best a wobbling cost may climb (see :data:`WOBBLE_STEP`).
WOBBLE_ABOVE = 0.03


#: What ``tol="auto"`` means for each solver. Full-batch gradient descent
#: gains little per step: on a plateau between two phases of learning (a
#: hidden unit changing its role) the notes' step of 1.2 gains 1e-7 to 1e-6
#: per step for a thousand steps before it falls again (scaled moons: from
#: 0.31 to 0.065; noisy moons, one fold of five, gains 4.5e-7 a step there,
#: and 3e-7 already ends it on the plateau, at an accuracy of 0.84 instead
#: of 0.96: benchmarks/bench_stopping.py). 1e-7 lets it through; an epoch of
#: the stochastic solvers takes many steps, and 1e-6 (as before) suffices;
#: for L-BFGS it is scipy's gradient tolerance.
AUTO_TOL = {"gd": 1e-7, "sgd": 1e-6, "adam": 1e-6, "lbfgs": 1e-6}

#: What ``max_iter="auto"`` means for each solver: the notes' 10,000 steps
#: for full-batch gradient descent; 1,000 epochs for the stochastic solvers
#: (an epoch takes many steps, and the stopping rule usually ends them
#: sooner); 200 iterations for L-BFGS, as scikit-learn's MLP (each takes a
#: line search, and more rarely improves a fit of this size).
AUTO_MAX_ITER = {"gd": 10_000, "sgd": 1_000, "adam": 1_000, "lbfgs": 200}

#: ``n_iter_no_change="auto"``: the stall rule's patience on the training
#: cost, for every solver, and on the validation score, by solver. One
#: full-batch step changes the weights by as little as an epoch's update of
#: a mini-batch solver does in one of its many steps, so gradient descent
#: waits 200 steps (2% of its budget) for a better validation score; the
#: others wait 10 iterations, as scikit-learn's MLP.
AUTO_PATIENCE = 10
AUTO_VALIDATION_PATIENCE = {"gd": 200, "sgd": 10, "adam": 10, "lbfgs": 10}

#: A full-batch step is undone when it raises the cost by more than this
#: share of the cost before it (see :func:`step_rejected`).
REJECT_RISE = 0.01

#: How many times a rejected step may be halved before the run is declared
#: diverged: 2**-40 of the step is below any useful learning rate.
MAX_HALVINGS = 40

#: A run that ended with the cost this share above the cost of its starting
#: weights has gone the wrong way.
ROSE = 1e-3

#: A run that reached ``max_iter`` while its cost fell by less than this
#: share of itself over the last tenth of its iterations has settled: more
#: iterations would not change the model, and no warning says to add them.
LATE_GAIN = 0.01

#: A cost that changed by less than this share of itself over the last tenth
#: of a run has not moved at all (rounding moves it by about 1e-16 a step):
#: on the constant prediction's plateau, more steps will not leave it. Only
#: a run of 100 steps or more tells: its last tenth spans ten steps.
STANDSTILL = 1e-9

#: At least this share of the hidden activations saturated at the weights
#: training starts from means the features' scale, not the data, decides
#: what the units can learn.
SATURATED_SHARE = 0.5


def step_rejected(cost, before):
    """Whether a full-batch step that led from ``before`` to ``cost`` is undone.

    It is when it raised the cost by more than :data:`REJECT_RISE` of
    itself (or gave a non-finite cost). Why a per-step relative tolerance
    rather than strict descent, or a limit above the best cost so far:
    gradient descent at a fixed step oscillates harmlessly near a minimum.
    The course run (flower, 4 tanh units, step 1.2) rises by at most 0.08%
    in one step but by 1.7% above its best over a thousand steps, and the
    course's sweep (20 and 50 units) by 0.44% in one step; a run-away step
    is another order: 58% on unscaled iris (0.93 to 1.47), and anything up
    to inf. Strict descent, or a limit on the climb above the best, would
    change the course's results; 1% per step leaves them bit-for-bit as
    they were and stops a run-away at its first step.
    """
    return not cost <= rejection_limit(before)


def rejection_limit(before):
    """The highest cost a step from the cost ``before`` may lead to.

    :func:`step_rejected` rejects any cost above it (or not comparable with
    it); ``before`` may be an array of several networks' costs.
    """
    return before + REJECT_RISE * abs(before)


def learned_little(cost, floor):
    """Whether ``cost`` is within ``LEARNED_LITTLE`` of ``floor`` (or above it).

    ``floor`` is the cost of the best constant prediction; None (unknown)
    or 0 (a constant is perfect) never counts as learning little.
    """
    return floor is not None and floor > 0 and cost > (1 - LEARNED_LITTLE) * floor


class TrainingDiverged(ValueError):
    """Training ran away: a non-finite or hundredfold-grown cost, or NaN weights.

    Raised by ``fit`` and ``partial_fit`` when the cost runs away further
    than the solver's safeguard may undo (for ``"sgd"`` and ``"adam"``,
    any run-away of a ``learning_rate`` given as a number), or the weights
    become non-finite; the message names the cure. A :class:`ValueError`,
    so ``except ValueError`` catches it too. The estimator is left as it
    was before the call.
    """


def diverged(what, hint):
    """A :class:`TrainingDiverged` saying ``what`` happened and what to do."""
    return TrainingDiverged(f"Training diverged: {what}. {hint}")


def settles(first, back, now, window, horizon):
    """The settled test's projection (:meth:`StoppingRule.settled`).

    Whether the pace of the last ``window`` values, from ``back`` to
    ``now``, kept up for ``horizon`` more values would gain less than
    :data:`SETTLED` of what the run learned from ``first``. Scalars, or
    arrays of a stack's networks: the same arithmetic either way.
    """
    return (back - now) / window * horizon < SETTLED * (first - now)


class StoppingRule:
    """The stall rule, with a test that tells a plateau from convergence.

    A value that does not improve on the best so far by at least ``tol`` is a
    step without improvement; once more than ``n_iter_no_change`` follow each
    other the run has *stalled*. That is scikit-learn MLP's rule, and on its
    own it mistakes the start of a fit from small weights for a minimum: from
    the notes' ``randn * 0.01`` every hidden unit sits near the saddle at zero
    and the cost falls by less than ``tol`` per step for hundreds of steps.

    Escaping a saddle and converging look alike step by step but differ in
    their history. Near a minimum the gains shrink: the last window of
    ``n_iter_no_change + 1`` steps gains far less than an average window
    since the start, when most of the cost was lost. On a plateau they do
    not: from small weights the distance to the saddle grows geometrically,
    so the gains per window hold steady or grow, and the last window gains
    about as much as the average one, or more. So, with ``trend=True``, a
    stall is only reported when the last window gained less than half an
    average window (or lost): the run has slowed down, not yet to speed up.
    The test needs no new parameter and costs nothing; a run that converges
    stops exactly where the plain rule stops it, and one that sits on the
    notes' initial plateau
    goes on (scaled circles: 300 steps of gains of 1e-7 each, then the
    escape). A problem with nothing to learn may then run to ``max_iter``,
    which warns. Plain steps of noise (validation scores) are left to the
    plain rule: ``trend=False``.

    Parameters
    ----------
    tol : float
        Smallest improvement that counts.
    n_iter_no_change : int or inf
        Steps without improvement tolerated; ``inf`` never stalls.
    trend : bool, default=True
        Apply the plateau test.
    floor : float, optional
        The cost of the best constant prediction (the class frequencies, the
        mean target). No stall is reported while the best training cost is
        within ``LEARNED_LITTLE`` of it: the run has not left the plateau it
        started on. This is what tells that plateau from convergence when
        the values are noisy (the epochs of a stochastic solver, whose
        window gains are then as often negative as positive), and what keeps
        early stopping from ending a fit there: the validation score of a
        model that still predicts about the constant does not move.
    wobble : bool, default=False
        The values are deterministic (the full batch's cost): tell a wobble
        at the edge of stability from a stall. Gradient descent at a fixed
        step, once the curvature grows past what the step can follow, makes
        the cost climb gently into an oscillation and then fall again along
        it, above its old best. While the cost is above its best by more
        than ``tol``, no stall is reported if the last window climbed by at
        most ``WOBBLE_STEP`` of the cost a step and stayed within
        ``WOBBLE_ABOVE`` of the best (the climb may settle), nor if it
        gained more than ``tol`` (it is falling back). A cost at its best,
        flat or falling by less than ``tol``, has settled: a stall. A
        steeper or longer climb is a stall on a climbing cost, as before.
        Noisy values (epochs of mini-batches) wobble by chance, and keep
        this off.
    budget : int, optional
        The run's ``max_iter``, for deterministic values: a cost at its best
        has also stalled when it has *settled* (:meth:`settled`), whatever
        ``tol``: what the rest of the budget could still gain at the pace
        of its last tenth is immaterial next to what the run has learned.
        None (noisy values, whose pace over a window is as often a rise as
        a fall) leaves only the stall rule.

    Attributes
    ----------
    rising : bool
        Whether, when the rule last reported a stall, the values had risen
        over the last window to more than ``tol`` and 0.1% above their best:
        the run stopped on a rising cost, not on a wobble near a minimum.
    climbing : bool
        Whether, when the rule last reported a stall, the last window ended
        higher than it began, by however little.
    window : int or None
        The settled test's window, a tenth of ``budget`` (rounded up); None
        without the test (no budget, or ``n_iter_no_change=inf``).
    """

    def __init__(
        self, tol, n_iter_no_change, trend=True, floor=None, wobble=False, budget=None
    ):
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.trend = trend
        self.floor = floor
        self.wobble = wobble
        self.budget = budget
        self.window = None
        if budget is not None and math.isfinite(n_iter_no_change):
            self.window = -(-budget // 10)
        self.values = []
        self.best = self.best_cost = np.inf
        self.count = 0
        self.rising = self.climbing = False

    def update(self, value, cost=None):
        """Record ``value`` (lower is better); return True when it has stalled.

        ``cost`` is the training cost where ``value`` is not (minus a
        validation score, or the validation cost), for the ``floor``.
        """
        self.values.append(value)
        self.count = self.count + 1 if value > self.best - self.tol else 0
        self.best = min(self.best, value)
        if cost is not None:
            self.best_cost = min(self.best_cost, cost)
        if self.window is not None and not value > self.best and self.settled():
            self.rising = self.climbing = False
            return True
        if self.count <= self.n_iter_no_change:
            return False
        return self.judge(cost)

    def judge(self, cost=None):
        """Whether the run has stalled, its values without improvement counted.

        :meth:`update` asks once more than ``n_iter_no_change`` values in a
        row did not improve. ``values`` may be an array (a stack's history).

        Parameters
        ----------
        cost : float, optional
            As :meth:`update`'s.

        Returns
        -------
        stalled : bool
        """
        if learned_little(self.best if cost is None else self.best_cost, self.floor):
            self.count = 0  # still on the plateau of a constant prediction
            return False
        window = int(self.n_iter_no_change) + 1
        v = self.values
        recent = v[-window - 1] - v[-1]
        average = (v[0] - v[-1]) / (len(v) - 1) * window
        if self.trend and recent > 0 and recent >= PLATEAU * average:
            self.count = 0  # gaining as fast as on average: a plateau
            return False
        if self.wobble and self._wobbling(recent, window):
            return False  # not reset: checked again at the next value
        self.climbing = bool(recent < 0)
        # Stopped on a rise, not a harmless wobble: above the best by 0.1%.
        self.rising = bool(
            recent < 0 and v[-1] - self.best > max(self.tol, RISE * abs(self.best))
        )
        return True

    def settled(self):
        r"""Whether the values, now at their best, have settled within the budget.

        Over the last tenth of the budget, :math:`w = \lceil b / 10 \rceil`
        values, the pace :math:`(v_{t-w} - v_t) / w` kept up for the
        :math:`b - t` values left (at least :math:`w`) would gain less than
        :data:`SETTLED` of what the run has learned, :math:`v_1 - v_t`:

        .. math::

           \frac{v_{t-w} - v_t}{w} \max(b - t, w) < 0.002\,(v_1 - v_t).

        A run that has learned little of what the constant prediction
        leaves (:data:`LEARNED_LITTLE`, ``floor``) never has, nor one that
        turned off the stall rule (``n_iter_no_change=inf``).
        """
        v, window = self.values, self.window
        t = len(v)
        if window is None or t <= window:
            return False
        horizon = max(self.budget - t, window)
        if not settles(v[0], v[-1 - window], v[-1], window, horizon):
            return False
        return not learned_little(v[-1], self.floor)

    def _wobbling(self, recent, window):
        """Whether the last ``window`` values wobble, climbing gently or falling back.

        ``recent`` is the window's gain (negative for a climb).
        """
        v, best = self.values, self.best
        scale = abs(best)
        if not v[-1] > best + self.tol:
            return False  # at its best, flat or creeping: settled, no wobble
        if recent > self.tol:
            return True  # falling back towards the best
        steepest = float(np.max(np.diff(v[-window - 1 :])))
        return steepest <= WOBBLE_STEP * scale and v[-1] - best <= WOBBLE_ABOVE * scale

    def reset(self):
        """Forget the steps without improvement (after the step size changed)."""
        self.count = 0


class DivergenceGuard:
    """Raise :class:`TrainingDiverged` when a cost has run away.

    Parameters
    ----------
    start : float
        The cost of the weights training starts from, on the same data (one
        forward pass before training): every solver is measured against it,
        and a stochastic solver's first batches too.
    hint : str
        What to do, for the message (a solver without a learning rate does
        not tell the user to lower one).
    continued : bool, default=False
        The starting weights are a fitted model's, not drawn with
        ``init_scale``: a non-finite starting cost then says so.
    """

    def __init__(self, start, hint, continued=False):
        self.hint = hint
        self.continued = continued
        self.start = self.limit = None
        if start is not None:
            self.set_start(start)

    def set_start(self, start):
        """The starting cost; a solver may report it as its first cost."""
        if not math.isfinite(start):
            raise diverged(
                "the cost of the starting weights is not finite",
                "Scale the features like the data the model was trained on."
                if self.continued
                else "Scale the features, or lower init_scale.",
            )
        self.start = start
        self.limit = DIVERGENCE_FACTOR * max(start, 1.0)

    def check(self, cost, where):
        """Raise unless ``cost`` is finite and below the limit."""
        if self.start is None:
            self.set_start(cost)
        if not (math.isfinite(cost) and cost <= self.limit):
            raise diverged(
                f"the cost rose from {self.start:.4g} to {cost:.4g} {where}", self.hint
            )


@dataclass
class Diagnosis:
    """How a training run ended, and which of it deserves a warning.

    :func:`sk_shallow._training.train` returns one; the estimators format it
    into warnings (:func:`sk_shallow._report.report`) and read nothing else
    of the run. A run that diverged has none: it raised
    :class:`TrainingDiverged`.

    Attributes
    ----------
    stopped : {"converged", "stalled_rising", "max_iter", "solver_limit", \
"callback", "interrupted"}
        Why the run ended: its stopping rule or the solver's own test
        (``"converged"``; under early stopping, the validation score
        stalled); the stall rule on a rising training cost; all of its
        ``max_iter`` iterations taken; another limit of the solver (L-BFGS's
        ``max_fun``, its line search); a callback; an interrupt (Ctrl-C).
    message : str or None
        The solver's words for ``"max_iter"`` and ``"solver_limit"``.
    n_iter, max_iter : int
        Iterations recorded, and the run's budget.
    validated : bool
        Whether data were held out (early stopping).
    start_cost, final_cost : float
        The training cost of the starting weights, and of those returned.
    baseline : float or None
        The cost of the best constant prediction (of the chunk, for a
        ``partial_fit`` call); None when unknown.
    best_iteration : int
        With held-out data, the iteration whose weights are kept (0 when
        the starting weights stay best).
    late_gain : float
        How much the cost fell over the last tenth of the run's iterations,
        as a share of the final cost.
    rejected : int
        Steps rejected and retaken with half the step (:data:`MAX_HALVINGS`
        at most).
    halvings : int
        Every halving of the step, a stall's included.
    learning_rate : float or None
        The step in use at the end (None for L-BFGS).
    saturated : float
        Share of the hidden activations saturated at the starting weights
        (of a fit, or a stream's first call; 0 otherwise).
    calls_learning_little : int
        ``partial_fit`` calls in a row, this one included, whose model did
        little better than the constant prediction of their chunk.
    stream_patience : float or None
        For a ``partial_fit`` call, how many such calls make a stuck stream
        (``n_iter_no_change``); None for ``fit``.
    """

    stopped: str
    message: str | None
    n_iter: int
    max_iter: int
    validated: bool
    start_cost: float
    final_cost: float
    baseline: float | None
    best_iteration: int
    late_gain: float
    rejected: int
    halvings: int
    learning_rate: float | None
    saturated: float = 0.0
    calls_learning_little: int = 0
    stream_patience: float | None = None

    @property
    def incremental(self):
        """Whether the run was a ``partial_fit`` call."""
        return self.stream_patience is not None

    @property
    def cost_rose(self):
        """Whether the cost ended :data:`ROSE` above the starting weights'."""
        return self.final_cost > self.start_cost + ROSE * abs(self.start_cost)

    @property
    def learned_little(self):
        """Whether the final cost is still about the constant prediction's."""
        return learned_little(self.final_cost, self.baseline)

    @property
    def more_steps_help(self):
        """Whether a run that took its whole budget would gain from more.

        With early stopping, when the best validation score came in the last
        tenth of the run (it was still improving); otherwise when the cost
        fell by at least :data:`LATE_GAIN` of itself over the last tenth, or
        is still on the plateau of the best constant prediction, unless it
        stood still there (:data:`STANDSTILL`: the data, not the budget, is
        the problem). A run whose validation score peaked long before, or
        whose cost has all but settled, has the model it will have. A run
        stopped by another limit (``max_fun``) always would.
        """
        if self.n_iter < self.max_iter:
            return True
        if self.learned_little:
            return not self.stood_still
        if self.validated:
            return self.best_iteration > self.n_iter - self.n_iter // 10
        return self.late_gain >= LATE_GAIN

    @property
    def stood_still(self):
        """Whether a run took its whole budget on the constant's plateau, unmoving."""
        return (
            not self.incremental
            and self.n_iter >= max(self.max_iter, 100)
            and self.learned_little
            and self.late_gain < STANDSTILL
        )

    @property
    def saturated_start(self):
        """Whether :data:`SATURATED_SHARE` of the hidden units started saturated."""
        return self.saturated >= SATURATED_SHARE

    @property
    def stream_stuck(self):
        """Whether a stream has not left the constant prediction for long.

        After ``n_iter_no_change`` calls in a row, then twice as many, four
        times as many... (a plateau may take dozens of calls), so that a
        stuck stream says so from time to time, not at every call.
        """
        patience, calls = self.stream_patience, self.calls_learning_little
        if not self.incremental or not math.isfinite(patience) or calls < patience:
            return False
        ratio = calls / patience
        return ratio == int(ratio) and int(ratio) & (int(ratio) - 1) == 0
