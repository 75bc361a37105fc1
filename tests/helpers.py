"""Small helpers shared by the test modules."""

import warnings

from sklearn.exceptions import ConvergenceWarning

#: The fitted parameters, in the notes' names.
PARAMS = ("W1_", "b1_", "W2_", "b2_")


def quiet_fit(est, *args, **kwargs):
    """``est.fit(*args, **kwargs)`` without the ConvergenceWarning of short runs."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(*args, **kwargs)
