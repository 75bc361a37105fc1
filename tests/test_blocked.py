"""The blocked, threaded passes against the unblocked ones of the notes."""

import threading
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from helpers import before_every_pass
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_info, threadpool_limits

from sk_shallow import (
    ShallowNetClassifier,
    ShallowNetRegressor,
    _blocked,
    _network,
    config_context,
    get_config,
    set_config,
)
from sk_shallow._activations import ACTIVATIONS
from sk_shallow._objective import Objective
from sk_shallow.datasets import make_flower

HIDDEN = list(ACTIVATIONS)
OUTPUTS = list(_network.OUTPUTS)


def _problem(output, m=53, n_x=6, n_h=5, seed=0, dtype=np.float64):
    rng = np.random.RandomState(seed)
    X = rng.standard_normal((n_x, m))
    n_y = 1 if output == "sigmoid" else 3
    if output == "softmax":
        Y = np.eye(n_y)[:, rng.randint(n_y, size=m)]
    elif output == "sigmoid":
        Y = (rng.uniform(size=(1, m)) > 0.5).astype(float)
    else:
        Y = rng.poisson(2.0, size=(n_y, m)).astype(float)
    params = _network.initialize(n_x, n_h, n_y, rng, init_scale=0.5, dtype=dtype)
    params["b1"] = rng.standard_normal(params["b1"].shape).astype(dtype)
    params["b2"] = rng.standard_normal(params["b2"].shape).astype(dtype)
    return X.astype(dtype), Y.astype(dtype), params


def _reference(params, X, Y, activation, output, alpha, sw):
    J, grads = _network.loss_and_gradients(params, X, Y, activation, output, alpha, sw)
    return J, {k: v.copy() for k, v in grads.items()}


def _blocked_pass(
    params, X, Y, activation, output, alpha=0.0, sw=None, *, block_size, n_threads=-1
):
    """``(J, grads)`` of the training objective, in blocks on ``n_threads``."""
    with config_context(block_size=block_size, n_threads=n_threads):
        J, grads = Objective(X, Y, sw, activation, output, alpha)(params)
    return J, {k: v.copy() for k, v in grads.items()}


def _assert_close(a, b, rtol=1e-12):
    (Ja, ga), (Jb, gb) = a, b
    assert Ja == pytest.approx(Jb, rel=rtol)
    for k in ga:
        scale = np.abs(gb[k]).max()
        np.testing.assert_allclose(ga[k], gb[k], rtol=0, atol=rtol * scale, err_msg=k)


@pytest.mark.parametrize("activation", HIDDEN)
@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("weighted", [False, True])
def test_blocked_gradients_equal_unblocked(activation, output, weighted):
    X, Y, params = _problem(output)
    rng = np.random.RandomState(1)
    sw = rng.uniform(0, 3, X.shape[1]) if weighted else None
    ref = _reference(params, X, Y, activation, output, 0.3, sw)
    for block_size in (5, 16):  # odd, and not dividing m = 53
        got = _blocked_pass(
            params, X, Y, activation, output, 0.3, sw, block_size=block_size
        )
        _assert_close(got, ref)


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("output", ["sigmoid", "softmax"])
def test_blocked_gradients_with_sparse_input(fmt, output):
    X, Y, params = _problem(output)
    X[np.abs(X) < 0.8] = 0
    Xs = sp.csr_matrix(X) if fmt == "csr" else sp.csc_matrix(X)
    sw = np.random.RandomState(2).uniform(0, 2, X.shape[1])
    ref = _reference(params, X, Y, "relu", output, 0.0, sw)
    got = _blocked_pass(
        params, Xs, Y, "relu", output, 0.0, sw, block_size=7, n_threads=2
    )
    _assert_close(got, ref)


def test_one_and_two_threads_give_the_same_bits():
    X, Y, params = _problem("softmax", m=301)
    sw = np.random.RandomState(3).uniform(0, 2, X.shape[1])
    results = []
    for n_threads in (1, 2, 2, 3):
        results.append(
            _blocked_pass(
                params,
                X,
                Y,
                "tanh",
                "softmax",
                0.1,
                sw,
                block_size=9,
                n_threads=n_threads,
            )
        )
    for J, grads in results[1:]:
        assert J == results[0][0]
        for k in grads:
            np.testing.assert_array_equal(grads[k], results[0][1][k])


def test_fewer_examples_than_a_block_is_the_unblocked_pass():
    X, Y, params = _problem("sigmoid", m=40)
    ref = _reference(params, X, Y, "tanh", "sigmoid", 0.2, None)
    got = _blocked_pass(
        params, X, Y, "tanh", "sigmoid", 0.2, block_size=40, n_threads=2
    )
    assert got[0] == ref[0]
    for k in ref[1]:
        np.testing.assert_array_equal(got[1][k], ref[1][k])


def test_reused_buffers_give_fresh_results():
    X, Y, params = _problem("identity", m=50)
    objective = Objective(X, Y, None, "sigmoid", "identity", 0.0)
    with config_context(block_size=8):
        for seed in (0, 1):
            p = {k: v + seed for k, v in params.items()}
            ref = _reference(p, X, Y, "sigmoid", "identity", 0.0, None)
            _assert_close(objective(p), ref)


def test_float32_blocks_agree_to_float32_precision():
    X, Y, params = _problem("sigmoid", m=200, dtype=np.float32)
    ref = _reference(params, X, Y, "tanh", "sigmoid", 0.0, None)
    got = _blocked_pass(params, X, Y, "tanh", "sigmoid", block_size=11, n_threads=2)
    assert got[1]["W1"].dtype == np.float32
    _assert_close(got, ref, rtol=1e-5)


@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("sparse", [False, True])
def test_blocked_prediction_equals_unblocked(output, sparse):
    X, _, params = _problem(output, m=101)
    if sparse:
        X[np.abs(X) < 0.5] = 0
        X = sp.csc_matrix(X)
    Z2, A2 = _network.predict_output(params, X, "leaky_relu", output)
    for n_threads in (1, 2):
        Zb, Ab = _blocked.Blocks(13, n_threads).predict_output(
            params, X, "leaky_relu", output
        )
        np.testing.assert_allclose(Zb, Z2, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(Ab, A2, rtol=1e-12, atol=1e-14)


@pytest.fixture
def tiny_blocks():
    """Blocks of 17 examples on two threads for everything the estimators do."""
    with config_context(block_size=17, n_threads=2):
        yield


def _fit_twice(make, X, y, **fit_params):
    unblocked = make().fit(X, y, **fit_params)
    with config_context(block_size=17, n_threads=2):
        blocked = make().fit(X, y, **fit_params)
    return unblocked, blocked


@pytest.mark.parametrize("solver", ["gd", "lbfgs"])
def test_estimator_fit_and_predict_through_blocks(solver):
    X, y = make_flower(150, random_state=0)
    sw = np.random.RandomState(0).uniform(0.5, 2, len(y))

    def make():
        return ShallowNetClassifier(
            8,
            solver=solver,
            max_iter=40,
            tol=0,
            n_iter_no_change=np.inf,
            random_state=0,
        )

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        unblocked, blocked = _fit_twice(make, X, y, sample_weight=sw)
    np.testing.assert_allclose(blocked.loss_curve_, unblocked.loss_curve_, rtol=1e-10)
    np.testing.assert_allclose(
        blocked.predict_proba(X), unblocked.predict_proba(X), rtol=1e-9
    )


def test_regressor_with_sparse_input_through_blocks():
    rng = np.random.RandomState(0)
    X = sp.random(120, 10, density=0.3, format="csr", random_state=rng)
    y = rng.standard_normal((120, 2))

    def make():
        return ShallowNetRegressor(
            6, max_iter=20, tol=0, n_iter_no_change=np.inf, random_state=0
        )

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        unblocked, blocked = _fit_twice(make, X, y)
    np.testing.assert_allclose(blocked.loss_curve_, unblocked.loss_curve_, rtol=1e-10)
    np.testing.assert_allclose(blocked.predict(X), unblocked.predict(X), rtol=1e-9)


def test_overflow_in_worker_threads_stays_quiet(tiny_blocks):
    # The estimators silence overflow with np.errstate; the threads that run
    # the blocks must obey it too, so the clear error comes, not a warning.
    rng = np.random.RandomState(0)
    X = rng.standard_normal((100, 3))
    reg = ShallowNetRegressor(4, loss="poisson", max_iter=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg.fit(X, rng.poisson(1.0, 100))
    reg.b2_ = reg.b2_ + 1000.0  # exp(1000) overflows
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="too large"):
            reg.predict(X)


def test_the_course_run_is_one_block_bit_for_bit():
    # 400 points are one block: the unblocked pass of the notes, unchanged.
    X, y = make_flower()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        default = ShallowNetClassifier(4, max_iter=300, random_state=2).fit(X, y)
        with config_context(block_size=len(y) * 10):
            whole = ShallowNetClassifier(4, max_iter=300, random_state=2).fit(X, y)
    np.testing.assert_array_equal(default.loss_curve_, whole.loss_curve_)
    np.testing.assert_array_equal(default.W1_, whole.W1_)


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs fork")
def test_a_forked_child_gets_its_own_threads():
    import multiprocessing

    X, Y, params = _problem("sigmoid", m=64)
    args = (params, X, Y, "tanh", "sigmoid")
    kwargs = dict(block_size=8, n_threads=2)
    expected = _blocked_pass(*args, **kwargs)[0]  # pool now exists
    with multiprocessing.get_context("fork").Pool(1) as pool:
        result = pool.apply_async(_blocked_pass, args, kwargs)
        J, _ = result.get(timeout=60)
    assert J == expected


def test_config_context_sets_and_restores_the_settings():
    before = get_config()
    with config_context(n_threads=1, block_size=5):
        assert get_config() == {"n_threads": 1, "block_size": 5}
        with config_context(block_size=7):  # None keeps the other one
            assert get_config() == {"n_threads": 1, "block_size": 7}
        assert get_config()["block_size"] == 5
    assert get_config() == before
    with pytest.raises(KeyboardInterrupt), config_context(block_size=3):
        raise KeyboardInterrupt
    assert get_config() == before


@pytest.mark.parametrize(
    "kwargs",
    [
        {"n_threads": 0},
        {"n_threads": -2},
        {"block_size": 0},
        {"n_threads": 1.5},
        # Bools pass for integers in Python, not here.
        {"n_threads": True},
        {"block_size": True},
        {"block_size": np.True_},
    ],
)
def test_bad_settings_are_refused_by_name(kwargs):
    before = get_config()
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        set_config(**kwargs)
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        with config_context(**kwargs):
            pass
    assert get_config() == before


def test_settings_belong_to_the_thread_that_sets_them():
    seen = {}
    with config_context(block_size=17):
        thread = threading.Thread(target=lambda: seen.update(get_config()))
        thread.start()
        thread.join()
    assert seen["block_size"] == get_config()["block_size"] != 17


def test_block_size_setting_cuts_the_fit_into_blocks(monkeypatch):
    # The setting reaches the estimators: a fit of 60 examples in blocks of
    # 17 runs four blocks per pass, and gives the unblocked fit's cost to
    # the order of the additions.
    X, y = make_flower(60, random_state=0)
    calls = []
    original = _network.forward

    def counted(params, X, *args, **kwargs):
        calls.append(X.shape[1])
        return original(params, X, *args, **kwargs)

    def fit():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return ShallowNetClassifier(4, max_iter=3, random_state=0).fit(X, y)

    monkeypatch.setattr(_network, "forward", counted)
    whole = fit()
    assert set(calls) == {60}
    calls.clear()
    with config_context(block_size=17, n_threads=1):
        blocked = fit()
    # (A pass over all 60 examples is the diagnosis of saturated units.)
    assert [m for m in calls if m != 60][:4] == [17, 17, 17, 9]
    np.testing.assert_allclose(blocked.loss_curve_, whole.loss_curve_, rtol=1e-12)


def _blas_threads():
    return [
        lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"
    ]


def _in_a_thread_that_ends(func, *args, **kwargs):
    """``func(*args, **kwargs)`` from a new thread: threadpoolctl (3.8+) lets
    the thread that set OpenBLAS's limits alone change them while it lives."""
    out = []
    thread = threading.Thread(target=lambda: out.append(func(*args, **kwargs)))
    thread.start()
    thread.join()
    return out[0]


def _run_together(n_threads, work):
    """``work(i)`` in ``n_threads`` new threads, started together; the results."""
    barrier = threading.Barrier(n_threads)
    results, errors = [None] * n_threads, []

    def run(i):
        barrier.wait()
        try:
            results[i] = work(i)
        except Exception as error:  # re-raised in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n_threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results


@pytest.mark.skipif(not _blas_threads(), reason="no BLAS that threadpoolctl sees")
@pytest.mark.blas_threads
def test_concurrent_passes_give_back_the_blas_threads():
    # Every blocked pass runs BLAS on one thread. Passes overlapping in many
    # short-lived threads (predictions and gradients) must leave the
    # process's BLAS with the threads it had before, not one.
    X, y = make_flower(random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = ShallowNetClassifier(4, max_iter=3, random_state=0).fit(X, y)
    X_big = np.tile(X, (3 * get_config()["block_size"] // len(X) + 1, 1))
    expected = clf.predict_proba(X_big)
    XT, Y, params = _problem("softmax", m=2 * get_config()["block_size"] + 5)
    limiter = _in_a_thread_that_ends(threadpool_limits, limits=2, user_api="blas")
    try:
        before = _blas_threads()
        if max(before) < 2:
            pytest.skip("BLAS cannot use two threads here")

        def work(i):
            if i % 4 == 3:
                return _blocked_pass(params, XT, Y, "tanh", "softmax", block_size=2048)
            return clf.predict_proba(X_big)

        for _ in range(4):
            results = _run_together(8, work)
            assert _blas_threads() == before
        for i, result in enumerate(results):
            if i % 4 != 3:
                np.testing.assert_array_equal(result, expected)
    finally:
        _in_a_thread_that_ends(limiter.restore_original_limits)


def test_concurrent_passes_on_different_numbers_of_threads():
    # A pass on k threads must not stop the pool another pass, on another
    # number of threads, is still using.
    XT, Y, params = _problem("sigmoid", m=1000)
    args = (params, XT, Y, "tanh", "sigmoid")
    expected = _blocked_pass(*args, block_size=4, n_threads=1)[0]

    def work(i):
        return _blocked_pass(*args, block_size=4, n_threads=2 + i)[0]

    for _ in range(3):
        assert _run_together(4, work) == [expected] * 4


class _Threads:
    """Record BLAS's threads at every pass of a fit, and the limits entered."""

    def __init__(self, monkeypatch):
        self.seen, self.entered = [], 0
        enter = _blocked._enter_limit

        def counted_enter(controller):
            self.entered += 1
            return enter(controller)

        before_every_pass(monkeypatch, lambda: self.seen.append(max(_blas_threads())))
        monkeypatch.setattr(_blocked, "_enter_limit", counted_enter)

    def fit(self, X, y, **params):
        self.seen.clear()
        self.entered = 0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            ShallowNetClassifier(max_iter=5, random_state=0, **params).fit(X, y)
        # The first and last passes (start cost, final cost) are outside the loop.
        return set(self.seen[1:-1])


def _baseline():
    threads = _blas_threads()
    if not threads or max(threads) < 2:
        pytest.skip("BLAS runs on one thread here already")
    return max(threads)


@pytest.mark.blas_threads
@pytest.mark.parametrize("solver", ["gd", "sgd", "lbfgs"])
def test_a_small_fit_runs_blas_on_one_thread_set_once(monkeypatch, solver):
    # Below one block, the passes would split tiny products over BLAS's
    # threads: the fit runs them on one, limited once for the whole loop, and
    # gives BLAS its threads back.
    before = _blas_threads()
    _baseline()
    threads = _Threads(monkeypatch)
    X, y = make_flower(random_state=0)
    assert threads.fit(X, y, solver=solver) == {1}
    assert threads.entered == 1
    assert _blas_threads() == before


@pytest.mark.blas_threads
def test_a_blocked_fit_sets_the_limit_once(monkeypatch):
    # The blocked passes limit BLAS themselves; within a fit they join the
    # fit's limit instead of setting and restoring it on every pass.
    before = _blas_threads()
    threads = _Threads(monkeypatch)
    X, y = make_flower(random_state=0)
    with config_context(block_size=64, n_threads=2):
        threads.fit(X, y)
    assert threads.entered == (1 if before else 0)
    assert _blas_threads() == before


@pytest.mark.blas_threads
def test_the_users_blas_limit_wins(monkeypatch):
    # A user's own threadpool_limits is left as it is, whatever its number.
    baseline = _baseline()
    threads = _Threads(monkeypatch)
    X, y = make_flower(random_state=0)
    for limit in (baseline + 1, 1):
        with threadpool_limits(limit, "blas"):
            limit = max(_blas_threads())  # a BLAS may cap what it is given
            if limit == baseline:
                continue
            assert threads.fit(X, y) == {limit}
            assert threads.entered == 0
            assert max(_blas_threads()) == limit
    assert max(_blas_threads()) == baseline


@pytest.mark.blas_threads
def test_the_fit_limit_is_reentrant():
    # Held by an outer fit (or one in another thread), a nested one joins it;
    # the last to leave restores BLAS's threads.
    baseline = _baseline()
    with _blocked.one_blas_thread(10):
        with _blocked.one_blas_thread(10_000):
            assert max(_blas_threads()) == 1
        assert max(_blas_threads()) == 1
        X, y = make_flower(random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            ShallowNetClassifier(max_iter=3).fit(X, y)
        assert max(_blas_threads()) == 1
    assert max(_blas_threads()) == baseline
