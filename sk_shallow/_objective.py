"""The training objective: the cost and its gradients on the training data.

One :class:`Objective` for NumPy (dense or sparse) and for any array API
namespace: it selects a batch's columns, has an executor of
:mod:`sk_shallow._blocked` add up the batch's loss and gradient sums, and
turns them into the mean cost and gradients of
:mod:`sk_shallow._network`.
"""

import numpy as np

from . import _blocked, _network
from ._backend import namespace
from ._xp_network import take


class Objective:
    """The cost and its gradients on all or part of the training data.

    This is the seam between the training loop and the data: a solver only
    calls ``objective(params, batch)`` and reads ``objective.n_samples``, so
    an objective over distributed data plugs in unchanged.

    Parameters
    ----------
    X : {ndarray, sparse matrix, array} of shape (n_features, m)
        Training data in the notes' layout, NumPy or any array API array.
    Y : array of shape (n_outputs, m)
    sample_weight : array of shape (m,) or None
    activation, output : str
    alpha : float
    """

    def __init__(self, X, Y, sample_weight, activation, output, alpha):
        self.X, self.Y, self.sample_weight = X, Y, sample_weight
        self.activation, self.output, self.alpha = activation, output, alpha
        self.n_samples = Y.shape[1]
        # The whole data's total weight, read (from the device) once.
        self._S = _network.weight_sum(sample_weight, self.n_samples)
        self._buffers = {}
        self._flat = None

    def release(self):
        """Drop the passes' buffers (the data stays): a finished fit's."""
        self._buffers, self._flat = {}, None

    def one_blas_thread(self):
        """The fit's BLAS limit: :func:`sk_shallow._blocked.one_blas_thread`."""
        return _blocked.one_blas_thread(self.n_samples)

    def flat(self, params):
        """A :class:`~sk_shallow._network.FlatPass` over all the data, or None.

        For NumPy parameters and a batch of at most one block (the serial,
        unblocked pass): the full-batch solver's thousands of calls on the
        same data. The pass reads the arrays of ``params``, which the caller
        writes its steps into; calls with those arrays take it from then on.
        """
        if not (
            isinstance(params["W1"], np.ndarray)
            and _blocked.executor(self.n_samples, np) is _blocked.SERIAL
        ):
            return None
        self._flat = _network.FlatPass(
            params,
            self.X,
            self.Y,
            self.sample_weight,
            self.activation,
            self.output,
            self.alpha,
            self._S,
        )
        return self._flat

    def __call__(self, params, batch=None):
        """``(J, grads)`` on the columns ``batch`` (a slice or indices; all if None).

        ``batch`` holds host indices; they are moved to the data's device.
        NumPy gradients live in buffers that the next call reuses. Both are
        None for a batch whose sample weights are all zero: such a batch
        has no cost and teaches nothing.
        """
        flat = self._flat
        if batch is None and flat is not None and flat.reads(params):
            return flat(), flat.grads
        X, Y, sw, S = self.X, self.Y, self.sample_weight, self._S
        if batch is not None:
            if isinstance(batch, slice):
                X, Y = X[:, batch], Y[:, batch]
                sw = None if sw is None else sw[batch]
            else:
                X, Y = take(X, batch, axis=1), take(Y, batch, axis=1)
                sw = None if sw is None else take(sw, batch)
            S = _network.weight_sum(sw, Y.shape[1])
            if not S > 0:
                return None, None
        m, xp = Y.shape[1], namespace(params["W1"])
        run = _blocked.executor(m, xp)
        cache, grads = self._batch_buffers(params, m) if xp is np else (None, None)
        total, grads = run.sums(
            params, X, Y, sw, self.activation, self.output, cache, grads
        )
        return _network.mean_cost_and_gradients(params, total, grads, S, self.alpha)

    def _batch_buffers(self, params, m):
        """``(cache, grads)``: NumPy buffers for batches of ``m`` examples."""
        buffers = self._buffers.get(m)
        if buffers is None:
            # The gradients are views of one vector, so that a solver can
            # step on all at once.
            flat = np.empty(sum(v.size for v in params.values()), params["W1"].dtype)
            buffers = self._buffers[m] = ({}, _network.unpack(flat, params))
        return buffers
