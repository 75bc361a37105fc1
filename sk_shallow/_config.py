"""Settings of sk_shallow's training and prediction passes, as scikit-learn's.

:func:`get_config`, :func:`set_config` and :func:`config_context` follow
:func:`sklearn.get_config`, :func:`sklearn.set_config` and
:func:`sklearn.config_context`: a process-wide default that each thread
copies on first use, and a context manager that restores it on exit.
"""

import threading
from contextlib import contextmanager
from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import (
    Interval,
    InvalidParameterError,
    Options,
    validate_params,
)

#: What a thread starts from.
_global_config = {
    # Examples per block. (n_h, 2048) activations in float64 take 1 MiB for
    # 64 hidden units: the size that measured fastest for fit and predict
    # with two cores sharing a 32 MiB L3 cache.
    "block_size": 2048,
    # Threads working on blocks; -1: one per core (os.cpu_count()).
    "n_threads": -1,
}
_threadlocal = threading.local()


def _get_threadlocal_config():
    if not hasattr(_threadlocal, "global_config"):
        _threadlocal.global_config = _global_config.copy()
    return _threadlocal.global_config


def get_config():
    """The current values of the settings :func:`set_config` changes.

    Returns
    -------
    config : dict
        ``{"n_threads": int, "block_size": int}``.

    See Also
    --------
    config_context : Change the settings within a ``with`` block.
    set_config : Change the settings.

    Examples
    --------
    >>> import sk_shallow
    >>> sorted(sk_shallow.get_config())
    ['block_size', 'n_threads']
    """
    return _get_threadlocal_config().copy()


_CONSTRAINTS = {
    "n_threads": [
        Options(Integral, {-1}),
        Interval(Integral, 1, None, closed="left"),
        None,
    ],
    "block_size": [Interval(Integral, 1, None, closed="left"), None],
}


@validate_params(_CONSTRAINTS, prefer_skip_nested_validation=True)
def set_config(n_threads=None, block_size=None):
    """Set the threads and the block size of the network's passes.

    A batch of more than ``block_size`` examples (a full-batch fit, a large
    mini-batch, a prediction) is cut into blocks of ``block_size`` columns;
    each block goes through the forward and backward pass while its
    activations sit in the CPU's cache, and ``n_threads`` threads work on
    the blocks, each with single-threaded BLAS. The blocks' sums are added
    in block order, so the result does not depend on ``n_threads``; it
    depends on ``block_size`` only through the order of the additions. A
    batch of at most one block takes the unblocked pass, on the calling
    thread; a fit on at most one block runs it with BLAS on one thread too
    (set once for the fit, unless ``threadpoolctl.threadpool_limits`` of
    your own sets another number: yours stays). BLAS's thread count is the
    process's, not a thread's: while any fit runs, NumPy's products
    elsewhere in the process run on one BLAS thread too, and the count is
    restored when the last fit ends. Input of another array
    namespace (array API dispatch) is not blocked: the device parallelises
    it.

    Like :func:`sklearn.set_config`, the settings belong to the calling
    thread (a new thread starts from the defaults); a parameter left at
    None keeps its current value.

    Parameters
    ----------
    n_threads : int, default=None
        Threads working on blocks: the cores the passes use. -1 (the
        initial value) uses every core (``os.cpu_count()``).
    block_size : int, default=None
        Examples per block; 2048 initially.

    See Also
    --------
    config_context : Change the settings within a ``with`` block.
    get_config : The current settings.

    Examples
    --------
    >>> import sk_shallow
    >>> sk_shallow.set_config(n_threads=1)  # one core for the passes
    >>> sk_shallow.get_config()["n_threads"]
    1
    >>> sk_shallow.set_config(n_threads=-1)  # back to every core
    """
    for name, value in (("n_threads", n_threads), ("block_size", block_size)):
        # Python counts bools as integers; n_threads=True is a mistake.
        if isinstance(value, (bool, np.bool_)):
            raise InvalidParameterError(
                f"The {name!r} parameter of set_config must be an int, not a "
                f"bool ({value!r})."
            )
    config = _get_threadlocal_config()
    if n_threads is not None:
        config["n_threads"] = n_threads
    if block_size is not None:
        config["block_size"] = block_size


@contextmanager
def config_context(*, n_threads=None, block_size=None):
    """Within a ``with`` block, the settings of :func:`set_config`.

    The values before the block come back when it ends, even on an error.

    Parameters
    ----------
    n_threads : int, default=None
        Threads working on blocks; -1 for every core. None keeps the
        current value.
    block_size : int, default=None
        Examples per block. None keeps the current value.

    Yields
    ------
    None

    See Also
    --------
    set_config : Change the settings.
    get_config : The current settings.

    Examples
    --------
    >>> import sk_shallow
    >>> with sk_shallow.config_context(n_threads=1, block_size=100):
    ...     sk_shallow.get_config()["block_size"]
    100
    """
    old = get_config()
    set_config(n_threads=n_threads, block_size=block_size)
    try:
        yield
    finally:
        set_config(**old)
