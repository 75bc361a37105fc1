"""sk_shallow: the one-hidden-layer neural network of the notes, for scikit-learn."""

from ._classifier import ShallowNetClassifier
from ._regressor import ShallowNetRegressor

__version__ = "0.1.0"

__all__ = ["ShallowNetClassifier", "ShallowNetRegressor", "__version__"]
