"""One-hidden-layer neural networks of the notes, as scikit-learn estimators."""

from ._classifier import ShallowNetClassifier
from ._regressor import ShallowNetRegressor
from ._xp_network import move_to

__version__ = "0.1.0"

__all__ = ["ShallowNetClassifier", "ShallowNetRegressor", "__version__", "move_to"]
