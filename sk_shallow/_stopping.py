"""When training stops: the stall rule, and when it has run away.

Two small objects, each with one job, that know nothing of solvers:

- :class:`StoppingRule` decides that a sequence of values (the training cost,
  or minus the validation score) has stopped improving, and tells a plateau
  that is being escaped from convergence.
- :class:`DivergenceGuard` decides that a cost has run away, measured against
  the cost of the weights training started from.

The training loop (:func:`sk_shallow._solvers.train`) feeds them and asks the
solver what to do about a stall (stop, or shrink its step and go on).
"""

import math

import numpy as np

#: A cost this many times the starting cost (or 1, if larger) means divergence:
#: a well-posed run lowers its cost, and one that grows a hundredfold is
#: running away, usually from a step too large for the data's scale.
DIVERGENCE_FACTOR = 100.0

#: A stall whose last window gains at least this share of an average
#: window since the start is a plateau, not convergence.
PLATEAU = 0.5

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


def learned_little(cost, floor):
    """Whether ``cost`` is within ``LEARNED_LITTLE`` of ``floor`` (or above it).

    ``floor`` is the cost of the best constant prediction; None (unknown)
    or 0 (a constant is perfect) never counts as learning little.
    """
    return floor is not None and floor > 0 and cost > (1 - LEARNED_LITTLE) * floor


class TrainingDiverged(ValueError):
    """Training ran away: a non-finite or hundredfold-grown cost, or NaN weights."""


def diverged(what, hint):
    """A :class:`TrainingDiverged` saying ``what`` happened and what to do."""
    return TrainingDiverged(f"Training diverged: {what}. {hint}")


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
        mean target). With ``trend``, no stall is reported while the best
        cost is within ``LEARNED_LITTLE`` of it: the run has not left the
        plateau it started on. This is what tells that plateau from
        convergence when the values are noisy (the epochs of a stochastic
        solver, whose window gains are then as often negative as positive).
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

    Attributes
    ----------
    rising : bool
        Whether, when the rule last reported a stall, the values had risen
        over the last window to more than ``tol`` and 0.1% above their best:
        the run stopped on a rising cost, not on a wobble near a minimum.
    climbing : bool
        Whether, when the rule last reported a stall, the last window ended
        higher than it began, by however little.
    """

    def __init__(self, tol, n_iter_no_change, trend=True, floor=None, wobble=False):
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.trend = trend
        self.floor = floor
        self.wobble = wobble
        self.values = []
        self.best = np.inf
        self.count = 0
        self.rising = self.climbing = False

    def update(self, value):
        """Record ``value`` (lower is better); return True when it has stalled."""
        self.values.append(value)
        self.count = self.count + 1 if value > self.best - self.tol else 0
        self.best = min(self.best, value)
        if self.count <= self.n_iter_no_change:
            return False
        if self.trend and learned_little(self.best, self.floor):
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
        self.climbing = recent < 0
        # Stopped on a rise, not a harmless wobble: above the best by 0.1%.
        self.rising = recent < 0 and v[-1] - self.best > max(
            self.tol, RISE * abs(self.best)
        )
        return True

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
