"""Optimisers over the parameter dict, and the training loop they share.

An optimiser turns gradients into parameter updates; :func:`train` runs the
epochs, hands the costs to a :class:`Monitor`, and stops when the monitor says
so. The notes' gradient descent (section 3.9) is the full-batch case.
"""

import math
import warnings

import numpy as np

#: A cost this many times its first value (or 1, if larger) means divergence:
#: a well-posed run lowers its cost, and one that grows a hundredfold is
#: running away, usually from a learning rate too large for the data's scale.
DIVERGENCE_FACTOR = 100.0


class TrainingDiverged(ValueError):
    """The cost or the parameters became non-finite during training."""


class Monitor:
    """Records the cost of every iteration and decides when to stop.

    The stopping rule is scikit-learn MLP's: an iteration that does not lower
    the best cost by at least ``tol`` counts as no improvement, and training
    stops once more than ``n_iter_no_change`` such iterations follow each other.

    Parameters
    ----------
    tol : float
    n_iter_no_change : int or inf
    verbose : int
        0 is silent, 1 prints about a hundred lines spread over ``max_iter``,
        2 and more print every iteration.
    max_iter : int
    print_fn : callable, default=print
    """

    def __init__(self, tol, n_iter_no_change, verbose=0, max_iter=1, print_fn=print):
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.verbose = verbose
        self.every = 1 if verbose > 1 else max(1, math.ceil(max_iter / 100))
        self.print_fn = print_fn
        self.loss_curve = []
        self.best_loss = np.inf
        self.no_improvement_count = 0
        self.converged = False
        self.message = ""

    def __call__(self, loss):
        """Record one iteration's ``loss``; return True when training should stop.

        Raises :class:`TrainingDiverged` when the cost is not finite or has
        grown past ``DIVERGENCE_FACTOR`` times its first value (or 1).
        """
        first = self.loss_curve[0] if self.loss_curve else loss
        if not math.isfinite(loss) or loss > DIVERGENCE_FACTOR * max(first, 1.0):
            raise TrainingDiverged(
                f"Training diverged: the cost rose from {first:.4g} to {loss:.4g} "
                f"at iteration {len(self.loss_curve) + 1}. Lower learning_rate "
                "or scale the features (for example with StandardScaler)."
            )
        self.loss_curve.append(loss)
        n_iter = len(self.loss_curve)
        if self.verbose and (n_iter % self.every == 0 or n_iter == 1):
            self.print_fn(f"Iteration {n_iter}, cost = {loss:.8f}")
        if loss > self.best_loss - self.tol:
            self.no_improvement_count += 1
        else:
            self.no_improvement_count = 0
        self.best_loss = min(self.best_loss, loss)
        if self.no_improvement_count > self.n_iter_no_change:
            self.converged = True
            self.message = (
                f"Cost did not improve by more than tol={self.tol} for "
                f"{self.n_iter_no_change} consecutive iterations."
            )
            if self.verbose:
                self.print_fn(self.message + " Stopping.")
            return True
        return False


class GradientDescent:
    """The notes' update ``W := W - alpha * dW`` on the full batch.

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


def train(loss_and_gradients, params, optimizer, monitor, max_iter):
    """Run full-batch optimisation until ``monitor`` stops it or ``max_iter``.

    Parameters
    ----------
    loss_and_gradients : callable
        ``params -> (J, grads)``; its buffers may be reused between calls.
    params : dict
        Updated in place.
    optimizer : object with ``update(params, grads)``
    monitor : Monitor
    max_iter : int

    Returns
    -------
    interrupted : bool
        Whether a ``KeyboardInterrupt`` ended training early.
    """
    try:
        with np.errstate(
            over="ignore", invalid="ignore", divide="ignore", under="ignore"
        ):
            for _ in range(max_iter):
                J, grads = loss_and_gradients(params)
                if monitor(J):
                    break
                optimizer.update(params, grads)
    except KeyboardInterrupt:
        warnings.warn(
            "Training interrupted by the user; keeping the current weights.",
            UserWarning,
            stacklevel=3,
        )
        return True
    return False
