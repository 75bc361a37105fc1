"""The course's planar data sets: the "flower" and its companions."""

import numpy as np
from sklearn.datasets import (
    make_blobs,
    make_circles,
    make_gaussian_quantiles,
    make_moons,
)
from sklearn.utils import check_random_state

__all__ = ["load_extra_datasets", "make_flower"]


def make_flower(n_samples=400, *, petals=4, noise=0.2, random_state=1):
    """The planar "flower" of the notes' worked example.

    Two classes of points on the petals of the rose ``r = a sin(4 t)``: for
    class ``j`` the angle is ``t = linspace(3.12 j, 3.12 (j+1), N) + noise *
    randn(N)`` and the radius ``r = a sin(4 t) + noise * randn(N)``, giving the
    point ``(r sin t, r cos t)``. No straight line separates the classes,
    which is why logistic regression fails on it.

    Parameters
    ----------
    n_samples : int, default=400
        Total number of points, split as evenly as possible between the two
        classes (class 0 first).
    petals : float, default=4
        The notes' ``a``: the maximum radius (length) of a petal.
    noise : float, default=0.2
        Standard deviation of the Gaussian noise added to angle and radius.
    random_state : int, RandomState instance or None, default=1
        Seed of the legacy ``RandomState`` stream. The normal draws are taken
        in the order angle noise of class 0, radius noise of class 0, angle
        noise of class 1, radius noise of class 1; with the defaults the arrays
        are exactly the course's.

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
        Points, one per row (scikit-learn layout; ``X.T`` is the notes').
    y : ndarray of shape (n_samples,)
        Labels 0 and 1; rows ``0 .. N-1`` are class 0.

    Examples
    --------
    >>> from sk_shallow.datasets import make_flower
    >>> X, y = make_flower()
    >>> X.shape, y.shape, int(y.sum())
    ((400, 2), (400,), 200)
    """
    rng = check_random_state(random_state)
    sizes = (n_samples // 2, n_samples - n_samples // 2)
    X_parts, y_parts = [], []
    for j, N in enumerate(sizes):
        t = np.linspace(3.12 * j, 3.12 * (j + 1), N) + rng.standard_normal(N) * noise
        r = petals * np.sin(4 * t) + rng.standard_normal(N) * noise
        X_parts.append(np.c_[r * np.sin(t), r * np.cos(t)])
        y_parts.append(np.full(N, j))
    return np.concatenate(X_parts), np.concatenate(y_parts)


def load_extra_datasets(n_samples=200, random_state=None):
    """The course's other planar data sets, two classes each.

    Parameters
    ----------
    n_samples : int, default=200
        Points per data set.
    random_state : int, RandomState instance or None, default=None
        Seed for the noisy data sets. ``blobs`` always uses the course's
        ``random_state=5``.

    Returns
    -------
    datasets : dict of str to (X, y)
        ``"noisy_circles"`` (``make_circles(factor=0.5, noise=0.3)``),
        ``"noisy_moons"`` (``make_moons(noise=0.2)``), ``"blobs"``
        (``make_blobs(centers=6, random_state=5)`` with labels ``y % 2``) and
        ``"gaussian_quantiles"`` (``make_gaussian_quantiles(cov=0.5,
        n_classes=2)``); each ``X`` has shape ``(n_samples, 2)``.

    Examples
    --------
    >>> from sk_shallow.datasets import load_extra_datasets
    >>> sorted(load_extra_datasets(random_state=0))
    ['blobs', 'gaussian_quantiles', 'noisy_circles', 'noisy_moons']
    """
    rng = check_random_state(random_state)
    X_blobs, y_blobs = make_blobs(
        n_samples=n_samples, n_features=2, centers=6, random_state=5
    )
    return {
        "noisy_circles": make_circles(
            n_samples=n_samples, factor=0.5, noise=0.3, random_state=rng
        ),
        "noisy_moons": make_moons(n_samples=n_samples, noise=0.2, random_state=rng),
        "blobs": (X_blobs, y_blobs % 2),
        "gaussian_quantiles": make_gaussian_quantiles(
            cov=0.5,
            n_samples=n_samples,
            n_features=2,
            n_classes=2,
            random_state=rng,
        ),
    }
