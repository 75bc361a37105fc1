"""One-hidden-layer neural networks of the notes, as scikit-learn estimators."""

from ._classifier import ShallowNetClassifier
from ._config import config_context, get_config, set_config
from ._cv import ShallowNetClassifierCV, ShallowNetRegressorCV
from ._regressor import ShallowNetRegressor
from ._stopping import TrainingDiverged
from ._xp_network import move_to

__version__ = "0.1.0"

__all__ = [
    "ShallowNetClassifier",
    "ShallowNetClassifierCV",
    "ShallowNetRegressor",
    "ShallowNetRegressorCV",
    "TrainingDiverged",
    "__version__",
    "config_context",
    "get_config",
    "move_to",
    "set_config",
]
