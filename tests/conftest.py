"""Test configuration: hypothesis profiles and headless plotting."""

import os

from hypothesis import HealthCheck, settings

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
