"""One-hidden-layer neural networks of the notes, as scikit-learn estimators."""

from ._classifier import ShallowNetClassifier
from ._regressor import ShallowNetRegressor

__version__ = "0.1.0"

__all__ = ["ShallowNetClassifier", "ShallowNetRegressor", "__version__"]
