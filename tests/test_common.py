"""scikit-learn's estimator checks, with no expected failures."""

import pytest
from sklearn.utils.estimator_checks import (
    check_param_validation,
    parametrize_with_checks,
)

from sk_shallow import ShallowNetClassifier

# The course's learning rate of 1.2 suits scaled data; the checks use raw
# features of up to about 10, on which the unbounded activations diverge at
# that rate (and say so), so they run with a smaller one.
ESTIMATORS = (
    [
        ShallowNetClassifier(activation=activation, random_state=0)
        for activation in ("tanh", "sigmoid", "relu")
    ]
    + [
        ShallowNetClassifier(activation=activation, learning_rate=0.1, random_state=0)
        for activation in ("leaky_relu", "identity")
    ]
    + [
        ShallowNetClassifier(n_hidden=8, init="glorot", alpha=1e-3, random_state=0),
        ShallowNetClassifier(
            init="he", activation="relu", learning_rate=0.1, random_state=0
        ),
    ]
)


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


@pytest.mark.parametrize("estimator", [ShallowNetClassifier()])
def test_param_validation(estimator):
    check_param_validation(type(estimator).__name__, estimator)
