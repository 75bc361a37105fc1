"""Test configuration: hypothesis profiles and headless plotting."""

import os

import pytest
from hypothesis import HealthCheck, settings
from sklearn.utils.parallel import _get_threadpool_controller

os.environ.setdefault("MPLBACKEND", "Agg")

# "ci" (the default) keeps the property tests to seconds; run the thorough
# profile with: python -m pytest tests/test_properties.py --hypothesis-profile=thorough
settings.register_profile(
    "ci",
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
# "exhaustive" is what CI runs (.ci/run) alongside the exhaustive marker.
settings.register_profile(
    "exhaustive",
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "thorough",
    max_examples=10_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def one_blas_thread(request):
    """BLAS on one thread, but for the tests marked ``blas_threads``.

    The suite runs on as many workers as cores (``-n auto``); BLAS's own
    threads on top of them only wait for each other, and far longer when
    another process keeps a core busy (scikit-learn's fits in the
    comparisons have no limit of their own). The tests of how sk_shallow
    uses BLAS's threads are marked and run with BLAS as it is.
    """
    if request.node.get_closest_marker("blas_threads"):
        yield
        return
    # scikit-learn's controller, made once: a new one per test (what
    # threadpool_limits makes) reads every loaded library, about 25 ms.
    with _get_threadpool_controller().limit(limits=1, user_api="blas"):
        yield
