"""The course's data sets, rebuilt with the course's own loop."""

import numpy as np
import pytest

from sk_shallow.datasets import load_extra_datasets, make_flower


def _course_flower():
    # The exercise's loader, written out as the notes give it.
    np.random.seed(1)
    m, N, a = 400, 200, 4
    X = np.zeros((m, 2))
    Y = np.zeros((m, 1), dtype="uint8")
    for j in range(2):
        ix = range(N * j, N * (j + 1))
        t = np.linspace(j * 3.12, (j + 1) * 3.12, N) + np.random.randn(N) * 0.2
        r = a * np.sin(4 * t) + np.random.randn(N) * 0.2
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        Y[ix] = j
    return X.T, Y.T


def test_make_flower_reproduces_the_course_arrays():
    X, y = make_flower()
    X_course, Y_course = _course_flower()
    np.testing.assert_array_equal(X.T, X_course)
    np.testing.assert_array_equal(y[np.newaxis], Y_course)


@pytest.mark.parametrize("n_samples", [1, 2, 7, 1000])
def test_make_flower_sizes_and_parameters(n_samples):
    X, y = make_flower(n_samples, petals=2, noise=0.0, random_state=0)
    assert X.shape == (n_samples, 2)
    assert y.shape == (n_samples,)
    assert np.sum(y == 0) == n_samples // 2
    # Without noise every point lies on the rose r = a sin(4 t).
    t = np.arctan2(X[:, 0], X[:, 1])
    r = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(r, np.abs(2 * np.sin(4 * t)), atol=1e-9)


def test_extra_datasets():
    data = load_extra_datasets(n_samples=100, random_state=0)
    assert set(data) == {"noisy_circles", "noisy_moons", "blobs", "gaussian_quantiles"}
    for X, y in data.values():
        assert X.shape == (100, 2)
        np.testing.assert_array_equal(np.unique(y), [0, 1])
    again = load_extra_datasets(n_samples=100, random_state=0)
    for name in data:
        np.testing.assert_array_equal(data[name][0], again[name][0])
