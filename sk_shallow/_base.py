"""The estimator machinery shared by the shallow networks.

A subclass says how targets become the output matrix ``Y`` and which output
layer to use; this module does the rest: parameter validation, the one
transpose into the notes' ``(n_features, m)`` layout, initialisation, the
training loop, and all-or-nothing updates of the fitted attributes.
"""

import warnings
from abc import abstractmethod
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)

from . import _network
from ._activations import ACTIVATIONS
from ._solvers import GradientDescent, Monitor, TrainingDiverged, train

INITS = ("normal", "glorot", "he", "zeros")


class BaseShallowNet(BaseEstimator):
    """Base class for one-hidden-layer networks; use a subclass."""

    _parameter_constraints: dict = {
        "n_hidden": [Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "solver": [StrOptions({"gd"})],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "n_iter_no_change": [
            Interval(Integral, 1, None, closed="left"),
            Options(Real, {np.inf}),
        ],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "init": [StrOptions(set(INITS))],
        "init_scale": [Interval(Real, 0, None, closed="neither")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
    }

    @abstractmethod
    def __init__(
        self,
        n_hidden,
        activation,
        *,
        solver,
        learning_rate,
        max_iter,
        tol,
        n_iter_no_change,
        alpha,
        init,
        init_scale,
        random_state,
        verbose,
        warm_start,
    ):
        self.n_hidden = n_hidden
        self.activation = activation
        self.solver = solver
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.alpha = alpha
        self.init = init
        self.init_scale = init_scale
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start

    # -- what a subclass provides ------------------------------------------
    @abstractmethod
    def _encode_targets(self, y, first_fit):
        """Return ``(y_checked, Y)`` with ``Y`` of shape ``(m, n_outputs)``.

        Sets the target-describing attributes (``classes_``, ...) when
        ``first_fit``; otherwise checks ``y`` against them.
        """

    @abstractmethod
    def _output_layer(self):
        """Name of the output layer in :data:`sk_shallow._network.OUTPUTS`."""

    # -- parameters in the notes' layout -----------------------------------
    @property
    def _params(self):
        return {"W1": self.W1_, "b1": self.b1_, "W2": self.W2_, "b2": self.b2_}

    def _forward(self, X):
        """Validate ``X`` and return ``(Z2, A2)``, each of shape (n_outputs, m)."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=(np.float64, np.float32), reset=False)
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            Z2, A2 = _network.predict_output(
                self._params, X.T, self.activation, self.out_activation_
            )
        if not (np.isfinite(Z2).all() and np.isfinite(A2).all()):
            raise ValueError(
                "The network's output is not finite for this input: its values "
                "are too large for the fitted weights. Scale the features the "
                "same way as the training data."
            )
        return Z2, A2

    # -- fitting ------------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the network to ``X`` and ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data; transposed once into the notes' layout
            ``(n_features, m)``.
        y : array-like of shape (n_samples,)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights: the cost and every gradient become weighted
            means, so a weight of 2 acts like a duplicated row.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        saved = self.__dict__.copy()
        try:
            return self._fit(X, y, sample_weight)
        except BaseException:
            # All or nothing: a failed fit leaves the estimator as it was.
            self.__dict__.clear()
            self.__dict__.update(saved)
            raise

    def _fit(self, X, y, sample_weight):
        warm = self.warm_start and hasattr(self, "W1_")
        X, y = validate_data(
            self,
            X,
            y,
            dtype=(np.float64, np.float32),
            reset=not warm,
        )
        y, Y = self._encode_targets(y, first_fit=not warm)
        Y = np.ascontiguousarray(Y.T, dtype=X.dtype)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=X.dtype, ensure_non_negative=True
            )
        output = self._output_layer()
        n_outputs = Y.shape[0]

        if warm:
            params = {k: v.copy() for k, v in self._params.items()}
            if params["W2"].shape[0] != n_outputs:
                raise ValueError(
                    "warm_start needs targets of the same shape as the previous "
                    f"fit: {params['W2'].shape[0]} outputs before, {n_outputs} now."
                )
            params = {k: v.astype(X.dtype, copy=False) for k, v in params.items()}
            prior_curve = list(self.loss_curve_)
        else:
            rng = check_random_state(self.random_state)
            params = _network.initialize(
                X.shape[1],
                self.n_hidden,
                n_outputs,
                rng,
                init=self.init,
                init_scale=self.init_scale,
                activation=self.activation,
                dtype=X.dtype,
            )
            prior_curve = []
            if self.init == "zeros":
                warnings.warn(
                    "init='zeros' starts every hidden unit with the same weights; "
                    "they receive the same gradients and stay identical (the "
                    "symmetry problem), so the hidden layer acts as one unit.",
                    UserWarning,
                    stacklevel=4,
                )

        XT = X.T  # the one transpose: a view, no copy
        cache, grads = {}, {k: np.empty_like(v) for k, v in params.items()}

        def loss_and_gradients(p):
            return _network.loss_and_gradients(
                p,
                XT,
                Y,
                self.activation,
                output,
                self.alpha,
                sample_weight,
                cache,
                grads,
            )

        monitor = Monitor(self.tol, self.n_iter_no_change, self.verbose, self.max_iter)
        optimizer = GradientDescent(self.learning_rate)
        interrupted = train(
            loss_and_gradients, params, optimizer, monitor, self.max_iter
        )

        if not all(np.isfinite(v).all() for v in params.values()):
            raise TrainingDiverged(
                "Training diverged: the weights became non-finite. Lower "
                "learning_rate or scale the features (for example with "
                "StandardScaler)."
            )
        n_iter = len(monitor.loss_curve)
        if not (monitor.converged or interrupted) and n_iter == self.max_iter:
            warnings.warn(
                f"Maximum iterations ({self.max_iter}) reached before the cost "
                "stopped improving; increase max_iter or tol.",
                ConvergenceWarning,
                stacklevel=4,
            )

        self.W1_, self.b1_, self.W2_, self.b2_ = (
            params[k] for k in _network.PARAM_NAMES
        )
        self.n_outputs_ = n_outputs
        self.out_activation_ = output
        self.n_iter_ = n_iter
        self.loss_curve_ = prior_curve + monitor.loss_curve
        self.loss_ = self.loss_curve_[-1]
        self.best_loss_ = min(self.loss_curve_)
        return self
