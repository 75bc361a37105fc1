"""Optimisers over the parameter dict, and the training loops they share.

Every solver has one method, ``run(objective, params, monitor, max_iter)``:
it improves ``params`` in place, reports each iteration's cost to the
:class:`Monitor`, and stops when the monitor says so. The notes' gradient
descent (section 3.9) is the full-batch case of :class:`EpochSolver`;
mini-batch SGD with momentum and Adam follow scikit-learn's MLP, and
:class:`LBFGS` hands the flattened parameters to :func:`scipy.optimize.minimize`.
"""

import math

import numpy as np
import scipy.optimize
from sklearn.utils import shuffle

from . import _blocked, _network

#: A cost this many times its first value (or 1, if larger) means divergence:
#: a well-posed run lowers its cost, and one that grows a hundredfold is
#: running away, usually from a learning rate too large for the data's scale.
DIVERGENCE_FACTOR = 100.0

_QUIET = dict(over="ignore", invalid="ignore", divide="ignore", under="ignore")


class TrainingDiverged(ValueError):
    """Training ran away: a non-finite or hundredfold-grown cost, or NaN weights."""


def _diverged(what):
    return TrainingDiverged(
        f"Training diverged: {what}. Lower learning_rate or scale the features "
        "(for example with StandardScaler)."
    )


class Objective:
    """The cost and its gradients on all or part of the training data.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_features, m)
        Training data in the notes' layout.
    Y : ndarray of shape (n_outputs, m)
    sample_weight : ndarray of shape (m,) or None
    activation, output : str
    alpha : float
    """

    def __init__(self, X, Y, sample_weight, activation, output, alpha):
        self.X, self.Y, self.sample_weight = X, Y, sample_weight
        self.activation, self.output, self.alpha = activation, output, alpha
        self.n_samples = Y.shape[1]
        self._buffers = {}

    def __call__(self, params, batch=None):
        """``(J, grads)`` on the columns ``batch`` (a slice or indices; all if None).

        The returned gradients live in buffers that the next call reuses;
        they are None for a batch whose sample weights are all zero.
        """
        X, Y, sw = self.X, self.Y, self.sample_weight
        if batch is not None:
            X, Y = X[:, batch], Y[:, batch]
            sw = None if sw is None else sw[batch]
            if sw is not None and not sw.sum() > 0:
                return 0.0, None  # a batch that weighs nothing teaches nothing
        if Y.shape[1] not in self._buffers:
            grads = {k: np.empty_like(v) for k, v in params.items()}
            self._buffers[Y.shape[1]] = ({}, grads)
        cache, grads = self._buffers[Y.shape[1]]
        return _blocked.loss_and_gradients(
            params, X, Y, self.activation, self.output, self.alpha, sw, cache, grads
        )


class Monitor:
    """Records the cost of every iteration and decides when to stop.

    The stopping rule is scikit-learn MLP's: an iteration that does not improve
    the best value so far by at least ``tol`` counts as no improvement, and
    training stops once more than ``n_iter_no_change`` follow each other. The
    value is the training cost, or the validation score when ``validate`` is
    given (early stopping), in which case the best parameters are kept.

    Parameters
    ----------
    tol : float
    n_iter_no_change : int or inf
    verbose : int
        0 is silent, 1 prints about a hundred lines spread over ``max_iter``,
        2 and more print every iteration.
    max_iter : int
    validate : callable, optional
        ``params -> (validation_cost, validation_score)``.
    first_loss : float, optional
        The cost that divergence is measured against; by default the first
        recorded one.
    on_iteration : callable, optional
        ``params -> stop``, called after each recorded iteration; training
        stops when it returns True.
    """

    def __init__(
        self,
        tol,
        n_iter_no_change,
        verbose=0,
        max_iter=1,
        validate=None,
        first_loss=None,
        on_iteration=None,
    ):
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.verbose = verbose
        self.every = 1 if verbose > 1 else max(1, math.ceil(max_iter / 100))
        self.validate = validate
        self.first_loss = first_loss
        self.on_iteration = on_iteration
        self.on_plateau = None  # the update rule's answer to a stalled cost
        self.stopped_by_callback = False
        self.loss_curve = []
        self.validation_loss_curve = []
        self.validation_scores = []
        self.best_loss = np.inf
        self.best_validation_score = -np.inf
        self.best_params = None
        self.no_improvement_count = 0

    def __call__(self, loss, params):
        """Record one iteration's ``loss`` at ``params``; True means stop.

        Raises :class:`TrainingDiverged` when the cost is not finite or has
        grown past ``DIVERGENCE_FACTOR`` times its first value (or 1).
        """
        if self.first_loss is None:
            self.first_loss = loss
        if not math.isfinite(loss) or loss > DIVERGENCE_FACTOR * max(
            self.first_loss, 1.0
        ):
            raise _diverged(
                f"the cost rose from {self.first_loss:.4g} to {loss:.4g} at "
                f"iteration {len(self.loss_curve) + 1}"
            )
        self.loss_curve.append(loss)
        n_iter = len(self.loss_curve)
        if self.validate is None:
            value, best = -loss, -self.best_loss
            self.best_loss = min(self.best_loss, loss)
        else:
            val_loss, value = self.validate(params)
            self.validation_loss_curve.append(val_loss)
            self.validation_scores.append(value)
            best = self.best_validation_score
            if value > best:
                self.best_validation_score = value
                self.best_params = {k: v.copy() for k, v in params.items()}
        if self.verbose and (n_iter % self.every == 0 or n_iter == 1):
            line = f"Iteration {n_iter}, cost = {loss:.8f}"
            if self.validate is not None:
                line += f", validation cost = {val_loss:.8f}, score = {value:.6f}"
            print(line)
        if self.on_iteration is not None and self.on_iteration(params):
            self.stopped_by_callback = True
            return True
        if value < best + self.tol:
            self.no_improvement_count += 1
        else:
            self.no_improvement_count = 0
        if self.no_improvement_count > self.n_iter_no_change:
            if self.on_plateau is not None and not self.on_plateau():
                self.no_improvement_count = 0
                if self.verbose:
                    print("Cost stalled: the learning rate is divided by 5.")
                return False
            if self.verbose:
                what = "Cost" if self.validate is None else "Validation score"
                print(
                    f"{what} did not improve by more than tol={self.tol} for "
                    f"{self.n_iter_no_change} consecutive iterations. Stopping."
                )
            return True
        return False


# --------------------------------------------------------------------------
# Update rules: ``update(params, grads)`` in place.
# --------------------------------------------------------------------------
class GradientDescent:
    """The notes' update ``W := W - alpha * dW``.

    Parameters
    ----------
    learning_rate : float
        The notes' ``alpha``.
    """

    def __init__(self, learning_rate):
        self.learning_rate = learning_rate

    def update(self, params, grads):
        """Take one step, in place."""
        for k, g in grads.items():
            params[k] -= self.learning_rate * g

    def iteration_ends(self, t):
        """Called after each epoch with ``t`` samples seen so far."""

    def on_plateau(self):
        """The cost has stalled: return True to stop training."""
        return True


class Momentum(GradientDescent):
    """SGD with (Nesterov) momentum and a step schedule, as scikit-learn's MLP.

    ``v := momentum * v - learning_rate * dW``, then ``W += v`` or, with
    Nesterov's momentum, ``W += momentum * v - learning_rate * dW``. The
    schedule is ``"constant"``, ``"invscaling"`` (the step decays with the
    samples seen) or ``"adaptive"`` (the step shrinks fivefold whenever the
    cost stalls, instead of stopping).
    """

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
            self.learning_rate = self.learning_rate_init / (t + 1) ** self.power_t

    def on_plateau(self):
        """``"adaptive"``: divide the step by 5 instead of stopping, down to 1e-6."""
        if self.schedule != "adaptive" or self.learning_rate <= 1e-6:
            return True
        self.learning_rate /= 5.0
        return False

    def update(self, params, grads):
        if self.velocities is None:
            self.velocities = {k: np.zeros_like(v) for k, v in params.items()}
        for k, g in grads.items():
            v = self.velocities[k]
            v *= self.momentum
            v -= self.learning_rate * g
            if self.nesterov:
                params[k] += self.momentum * v - self.learning_rate * g
            else:
                params[k] += v


class Adam(GradientDescent):
    """Adam (Kingma and Ba, 2014), with scikit-learn MLP's bias correction."""

    def __init__(self, learning_rate, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
        super().__init__(learning_rate)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.t = 0
        self.ms = self.vs = None

    def update(self, params, grads):
        if self.ms is None:
            self.ms = {k: np.zeros_like(v) for k, v in params.items()}
            self.vs = {k: np.zeros_like(v) for k, v in params.items()}
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
            params[k] -= step * m / (np.sqrt(v) + self.epsilon)


# --------------------------------------------------------------------------
# Solvers: ``run(objective, params, monitor, max_iter)``.
# --------------------------------------------------------------------------
class EpochSolver:
    """Passes over the data in batches, one update per batch.

    Parameters
    ----------
    rule : GradientDescent
        The update rule.
    batch_size : int or None
        Examples per update; None is the full batch (the notes' method).
    shuffle : bool
        Shuffle the examples before each epoch.
    rng : numpy.random.RandomState
    """

    def __init__(self, rule, batch_size=None, shuffle=False, rng=None):
        self.rule = rule
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.rng = rng
        self.order = None
        self.t = 0  # samples seen, across runs (partial_fit calls)

    def run(self, objective, params, monitor, max_iter):
        """Train ``params`` in place.

        Returns
        -------
        message : str or None
            Why training ended before the stopping rule, or None.
        """
        n = objective.n_samples
        size = n if self.batch_size is None else min(self.batch_size, n)
        # The shuffled order carries over between runs (partial_fit calls)
        # on data of the same size, so that they follow fit's epochs.
        if self.order is None or len(self.order) != n:
            self.order = np.arange(n)
        full_batch = size == n and not self.shuffle
        monitor.on_plateau = self.rule.on_plateau
        for _ in range(max_iter):
            if self.shuffle:
                # Shuffle indices, not data, the way scikit-learn's MLP does.
                self.order = shuffle(self.order, random_state=self.rng)
            total = 0.0
            for start in range(0, n, size):
                if full_batch:  # the notes' gradient descent: no copy of X
                    batch = None
                elif self.shuffle:
                    batch = self.order[start : start + size]
                else:
                    batch = slice(start, start + size)
                J, grads = objective(params, batch)
                total += J * (min(start + size, n) - start)
                if grads is not None:
                    self.rule.update(params, grads)
            # Each batch's cost is taken before its update, as the notes print
            # it; the monitor sees the weights after the epoch, as in MLP.
            self.t += n
            self.rule.iteration_ends(self.t)
            if monitor(total / n, params):
                return None
        return (
            f"Maximum iterations ({max_iter}) reached before the cost "
            "stopped improving; increase max_iter or tol"
        )


class LBFGS:
    """L-BFGS-B from :func:`scipy.optimize.minimize` on the flattened parameters.

    Parameters
    ----------
    max_fun : int
        Maximum number of cost evaluations.
    tol : float
        scipy's ``gtol``.
    """

    def __init__(self, max_fun=15000, tol=1e-4):
        self.max_fun = max_fun
        self.tol = tol

    def run(self, objective, params, monitor, max_iter):
        """Train ``params`` in place; return scipy's message if it stopped short.

        ``tol`` is scipy's gradient tolerance; as in scikit-learn's MLP the
        monitor's ``n_iter_no_change`` rule does not apply, except to the
        validation score under early stopping.
        """
        if monitor.validate is None:
            monitor.n_iter_no_change = np.inf
        dtype = params["W1"].dtype
        like = dict(params)

        def fun(theta):
            p = {
                k: v.astype(dtype, copy=False)
                for k, v in _network.unpack(theta, like).items()
            }
            J, grads = objective(p)
            return J, _network.pack(grads).astype(np.float64)

        def callback(intermediate_result):
            # Keep the iterate, so that an interruption leaves the weights
            # reached so far.
            for k, v in _network.unpack(intermediate_result.x, like).items():
                params[k][...] = v
            if monitor(float(intermediate_result.fun), params):
                raise StopIteration

        result = scipy.optimize.minimize(
            fun,
            _network.pack(params).astype(np.float64),
            method="L-BFGS-B",
            jac=True,
            callback=callback,
            options={"maxiter": max_iter, "maxfun": self.max_fun, "gtol": self.tol},
        )
        for k, v in _network.unpack(result.x, like).items():
            params[k][...] = v
        if not monitor.loss_curve:
            # Converged at the starting point, before any iteration.
            monitor(float(result.fun), params)
        # 0: converged; 99: the monitor stopped the run through the callback.
        if result.status in (0, 99):
            return None
        return (
            f"L-BFGS stopped before converging ({result.message}); increase "
            "max_iter or max_fun, or scale the features"
        )


def train(solver, objective, params, monitor, max_iter):
    """Run ``solver`` with the arithmetic's warnings silenced and checked.

    Overflow and invalid operations are not warned about; instead the monitor
    raises :class:`TrainingDiverged` on a non-finite cost, and this function on
    non-finite parameters.

    Returns
    -------
    message : str or None
        Why training ended before its stopping rule, or None.
    interrupted : bool
        Whether a ``KeyboardInterrupt`` ended training early.
    """
    message, interrupted = None, False
    try:
        with np.errstate(**_QUIET):
            message = solver.run(objective, params, monitor, max_iter)
    except KeyboardInterrupt:
        interrupted = True
    if not all(np.isfinite(v).all() for v in params.values()):
        raise _diverged("the weights became non-finite")
    return message, interrupted
