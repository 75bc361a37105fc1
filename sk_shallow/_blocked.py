"""The ordered map-reduce of the network's sums: executors, serial or threaded.

An executor runs the notes' forward pass, cost and backward pass of
:mod:`sk_shallow._network` over the parts of a batch and adds up the
parts' loss sums and gradient sums in part order
(:func:`sk_shallow._network.add_in_order`),
so the result does not depend on where or when each part ran:

- :class:`Serial`: the batch as one part, on the calling thread: the
  notes' unblocked pass, for a batch of at most one block and for array
  API input (the device parallelises it).
- :class:`Blocks`: the columns of ``X`` cut into blocks of ``block_size``
  examples (:func:`sk_shallow.set_config`); each block goes through the
  passes while its activations sit in cache, and the blocks run on a pool
  of threads (NumPy and BLAS release the GIL), each with single-threaded
  BLAS. The partition does not depend on the number of threads, so one
  thread and two give the same bits. Against the unblocked pass only the
  order of the summation changes (agreement to about ``1e-13`` relative in
  float64).

Another executor plugs in with the same two methods: a Dask one maps over
the row-chunks held by workers, a batch of independent networks maps over
a leading dimension. Prediction uses the same blocks, which bounds its
working memory to a few blocks' activations whatever the number of rows.
"""

import contextlib
import contextvars
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import scipy.sparse as sp
from sklearn.utils.parallel import _get_threadpool_controller

from . import _network
from ._backend import namespace
from ._config import _get_threadlocal_config

_POOL = {
    "executor": None,
    "n_threads": 0,
    "controller": None,
    "keeper": None,
    "blas_threads": None,
}
_POOL_LOCK = threading.Lock()

#: The process-wide BLAS limit: how many blocked passes hold it, and the
#: threadpoolctl limiter that set it (see :func:`_one_blas_thread`).
_LIMIT = {"count": 0, "limiter": None}
_LIMIT_LOCK = threading.Lock()


def _forget_pool():
    """In a forked child the parent's worker threads do not exist: start anew.

    A limit the parent held at the fork is inherited with the BLAS state; the
    child's first blocked pass takes it over and its last restores it.
    """
    global _POOL_LOCK, _LIMIT_LOCK
    _POOL_LOCK = threading.Lock()
    _LIMIT_LOCK = threading.Lock()
    _POOL.update(executor=None, n_threads=0, keeper=None)
    _LIMIT["count"] = 0


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


def _blas_threads(controller):
    """The most threads that a BLAS library the process loaded uses now."""
    return max(
        (lib["num_threads"] for lib in controller.select(user_api="blas").info()),
        default=1,
    )


#: BLAS's threads when sk_shallow is imported, before any limit of its own
#: (a few milliseconds, once): a fit that finds another number finds the
#: user's limit (see :func:`one_blas_thread`).
_POOL["blas_threads"] = _blas_threads(_get_threadpool_controller())


def _executor(n_threads):
    """The shared thread pool (None for one thread) and the BLAS controller."""
    with _POOL_LOCK:
        if _POOL["controller"] is None:
            # scikit-learn's own controller (threadpoolctl), shared with it.
            _POOL["controller"] = _get_threadpool_controller()
        if n_threads == 1:
            return None, _POOL["controller"]
        executor = _POOL["executor"]
        if executor is None or _POOL["n_threads"] != n_threads:
            # The pool it replaces is not shut down: a pass running in another
            # thread may still submit to it. Its threads end once no pass
            # holds it and it is garbage-collected.
            executor = _POOL["executor"] = ThreadPoolExecutor(
                n_threads, thread_name_prefix="sk_shallow"
            )
            _POOL["n_threads"] = n_threads
        return executor, _POOL["controller"]


def _keeper():
    """The one thread that sets and restores the BLAS limit."""
    with _POOL_LOCK:
        if _POOL["keeper"] is None:
            _POOL["keeper"] = ThreadPoolExecutor(
                1, thread_name_prefix="sk_shallow_blas"
            )
        return _POOL["keeper"]


def _enter_limit(controller):
    limiter = controller.limit(limits=1, user_api="blas")
    return limiter.__enter__()


@contextlib.contextmanager
def _one_blas_thread(controller):
    """BLAS on one thread while any blocked pass runs, from whatever thread.

    The number of BLAS threads belongs to the whole process (OpenBLAS's
    pthreads pool, MKL's global setting): a limit cannot be confined to the
    threads that run the blocks, so limiting inside the workers is no option.
    A limit per call is wrong when calls overlap: the second records the
    first's limit as the value to restore, and whichever leaves last leaves
    BLAS on one thread for good. So the limit is counted: the first pass to
    start sets it, the last to end restores the value from before the first.
    Both happen on one long-lived thread (:func:`_keeper`), because
    threadpoolctl lets only the thread that set OpenBLAS's limit restore it,
    and hands OpenBLAS to no other thread while that one holds it.
    """
    with _LIMIT_LOCK:
        if _LIMIT["count"] == 0 and _LIMIT["limiter"] is None:
            _LIMIT["limiter"] = _keeper().submit(_enter_limit, controller).result()
        _LIMIT["count"] += 1
    try:
        yield
    finally:
        with _LIMIT_LOCK:
            _LIMIT["count"] -= 1
            if _LIMIT["count"] == 0:
                limiter, _LIMIT["limiter"] = _LIMIT["limiter"], None
                _keeper().submit(limiter.__exit__, None, None, None).result()


@contextlib.contextmanager
def one_blas_thread(m):
    """BLAS on one thread for a whole fit on ``m`` examples (re-entrant).

    Taken once per fit around the training loop, so that no pass pays for
    setting and restoring the limit (two hand-overs to the thread that keeps
    it, about 36 µs per pass): the blocked passes inside only count
    themselves in (:func:`_one_blas_thread`).

    On a batch of at most one block, BLAS's own threads split products too
    small to share: their hand-overs cost more than the arithmetic, and when
    another process keeps a core busy they wait for each other (a fit of
    digits took several times as long). So the passes run on one thread,
    the calling one, unless the user limits BLAS already
    (``threadpoolctl.threadpool_limits``, or another value set after the
    import): BLAS then using another number of threads than it did when
    sk_shallow was imported, the user's number stays. A fit that runs while
    another holds the limit (in another thread, or nested) joins it. On
    more examples the blocks are the unit of parallel work, with BLAS on one
    thread each, as every blocked pass has it.
    """
    _, controller = _executor(1)
    with _LIMIT_LOCK:
        join = _LIMIT["count"] > 0
    if not join and m <= _get_threadlocal_config()["block_size"]:
        now = _blas_threads(controller)
        if now == 1 or now != _POOL["blas_threads"]:
            # One thread already, or the user's own limit: leave it.
            yield
            return
    with _one_blas_thread(controller):
        yield


def _partition(m, block_size):
    """Column slices of at most ``block_size`` examples covering ``range(m)``."""
    return [slice(a, min(a + block_size, m)) for a in range(0, m, block_size)]


def _sliceable(X, cache=None):
    """``X`` with cheap column slices: CSC if sparse, converted once per ``cache``.

    Slicing columns of a CSR matrix reads all of it, once per block.
    """
    if not sp.issparse(X) or X.format == "csc":
        return X
    held = None if cache is None else cache.get("csc")
    if held is None or held[0] is not X:
        held = (X, X.tocsc())
        if cache is not None:
            cache["csc"] = held
    return held[1]


def _threads(n_threads, n_blocks):
    """The number of threads to use: at most one per block (-1: one per core)."""
    if n_threads == -1:
        n_threads = os.cpu_count() or 1
    return max(1, min(n_threads, n_blocks))


def _slots(n_threads):
    """Blocks in flight at once, each with its own buffers."""
    return 1 if n_threads == 1 else 2 * n_threads


def _in_order(work, n_blocks, n_threads):
    """Yield ``work(i, slot)`` for every block ``i``, in block order.

    With several threads, :func:`_slots` blocks are in flight; a block's
    ``slot`` (the index of its buffers) is handed to a later block only
    after the consumer has taken the block's result. The caller's NumPy
    error state (``np.errstate``) holds in the workers too.
    """
    window = _slots(n_threads)
    executor, controller = _executor(n_threads)
    # BLAS runs single-threaded: the blocks are the unit of parallel work.
    # Measured: BLAS's own threads on block-sized products are slower than
    # one thread, and far slower on a busy machine, where they wait for each
    # other; with one thread the passes use exactly one core.
    with _one_blas_thread(controller):
        if window == 1:
            for i in range(n_blocks):
                yield work(i, 0)
            return
        futures = {}
        # NumPy 2 keeps the error state in a context variable, which the
        # copied context carries; NumPy 1 keeps it per thread: pass it on.
        errors = np.geterr()

        def in_caller_state(i, slot):
            with np.errstate(**errors):
                return work(i, slot)

        def submit(i):
            ctx = contextvars.copy_context()
            futures[i] = executor.submit(ctx.run, in_caller_state, i, i % window)

        try:
            for i in range(min(window, n_blocks)):
                submit(i)
            for i in range(n_blocks):
                result = futures.pop(i).result()
                yield result
                if i + window < n_blocks:
                    submit(i + window)
        finally:  # on an error, let no worker run on past the limits' scope
            for future in futures.values():
                future.cancel()
            for future in futures.values():
                if not future.cancelled():
                    future.exception()


class Serial:
    """The batch as one part, on the calling thread: the notes' pass."""

    @staticmethod
    def sums(params, X, Y, sample_weight, activation, output, cache=None, grads=None):
        """``(sum_i s_i L(i), gradient sums)`` of the batch: the map step.

        Parameters
        ----------
        params : dict
        X : {ndarray, sparse matrix, array} of shape (n_x, m)
        Y : array of shape (n_y, m)
        sample_weight : array of shape (m,) or None
        activation, output : str
        cache, grads : dict, optional
            NumPy buffers kept between calls on batches of this size, as
            :func:`sk_shallow._network.forward` and
            :func:`~sk_shallow._network.gradient_sums` take them.

        Returns
        -------
        loss_sum : float or 0-d array
        grads : dict
        """
        cache = _network.forward(params, X, activation, output, cache)
        total = _network.loss_sum(Y, cache["Z2"], output, sample_weight, cache["A2"])
        grads = _network.gradient_sums(
            params, X, Y, cache, activation, sample_weight, grads
        )
        return total, grads

    def predict_output(self, params, X, activation, output):
        """``(Z2, A2)``, each of shape (n_y, m), for ``X`` of shape (n_x, m)."""
        return _network.predict_output(params, X, activation, output)


class Blocks:
    """Column blocks on a pool of threads, added in block order.

    Parameters
    ----------
    block_size : int
        Examples per block.
    n_threads : int
        Threads; -1 for one per core. The result does not depend on it.
    """

    def __init__(self, block_size, n_threads):
        self.block_size, self.n_threads = block_size, n_threads

    def sums(
        self, params, X, Y, sample_weight, activation, output, cache=None, grads=None
    ):
        """:meth:`Serial.sums`, block by block (NumPy and sparse input)."""
        m = Y.shape[1]
        blocks = _partition(m, self.block_size)
        cache = {} if cache is None else cache
        X = _sliceable(X, cache)
        if grads is None:
            grads = _network.empty_like(params)
        n_threads = _threads(self.n_threads, len(blocks))
        slots = cache.setdefault("slots", [])
        while len(slots) < _slots(n_threads):
            slots.append(({}, _network.empty_like(params)))

        def work(i, slot):
            block_cache, block_grads = slots[slot]
            cols = blocks[i]
            sw = None if sample_weight is None else sample_weight[cols]
            # The first block writes straight into the result.
            out = grads if i == 0 else block_grads
            return Serial.sums(
                params, X[:, cols], Y[:, cols], sw, activation, output, block_cache, out
            )

        return _network.add_in_order(_in_order(work, len(blocks), n_threads), grads)

    def predict_output(self, params, X, activation, output):
        """:meth:`Serial.predict_output`, block by block.

        Beyond the two ``(n_y, m)`` outputs, the memory used is a few blocks'
        activations, whatever ``m``.
        """
        m = X.shape[1]
        blocks = _partition(m, self.block_size)
        X = _sliceable(X)
        n_y = params["W2"].shape[0]
        dtype = params["W1"].dtype
        Z2, A2 = np.empty((n_y, m), dtype=dtype), np.empty((n_y, m), dtype=dtype)
        n_threads = _threads(self.n_threads, len(blocks))
        slots = [{} for _ in range(_slots(n_threads))]

        def work(i, slot):
            cols = blocks[i]
            block = _network.forward(
                params, X[:, cols], activation, output, slots[slot]
            )
            Z2[:, cols] = block["Z2"]
            A2[:, cols] = block["A2"]

        for _ in _in_order(work, len(blocks), n_threads):
            pass
        return Z2, A2


#: The one :class:`Serial` executor.
SERIAL = Serial()


def executor(m, xp):
    """The executor for a batch of ``m`` examples, as :func:`set_config` says.

    Parameters
    ----------
    m : int
        Examples in the batch.
    xp : module
        The batch's array namespace (:func:`sk_shallow._backend.namespace`).

    Returns
    -------
    executor : Serial or Blocks
        :class:`Serial` for a batch of at most one block and for arrays of
        another namespace than NumPy.
    """
    config = _get_threadlocal_config()  # read, not copied: once per pass
    if m <= config["block_size"] or xp is not np:
        return SERIAL
    return Blocks(config["block_size"], config["n_threads"])


def predict_output(params, X, activation, output):
    """``(Z2, A2)`` for ``X`` of shape (n_x, m), by the executor for ``m``."""
    run = executor(X.shape[1], namespace(params["W1"]))
    return run.predict_output(params, X, activation, output)
