"""The estimator machinery shared by the shallow networks.

A subclass says how targets become the output matrix ``Y``, which output layer
to use, and how to score held-out predictions; this module does the rest:
parameter validation, the one transpose into the notes' ``(n_features, m)``
layout, initialisation, choosing a solver, early stopping, and all-or-nothing
updates of the fitted attributes.
"""

import copy
import math
import warnings
from abc import abstractmethod
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)

from . import _network
from ._activations import ACTIVATIONS
from ._solvers import (
    LBFGS,
    Adam,
    EpochSolver,
    GradientDescent,
    Momentum,
    Monitor,
    Objective,
    train,
)


class CallbackSupportFallback:
    """Stand-in for scikit-learn's callback support, which needs 1.9."""

    def set_callbacks(self, *callbacks):
        """Not available: callbacks need scikit-learn 1.9 or newer."""
        import sklearn

        raise RuntimeError(
            "set_callbacks needs scikit-learn >= 1.9, which provides "
            f"sklearn.callback; this is scikit-learn {sklearn.__version__}."
        )


try:  # scikit-learn >= 1.9
    from sklearn.callback import CallbackSupportMixin

    CALLBACKS = True
except ImportError:  # older scikit-learn: everything else works
    CallbackSupportMixin = CallbackSupportFallback
    CALLBACKS = False


INITS = ("normal", "glorot", "he", "zeros")

#: What ``learning_rate="auto"`` means for each solver: the notes' 1.2 for
#: full-batch gradient descent, small steps for the stochastic solvers
#: (scikit-learn MLP's default for Adam). L-BFGS takes no learning rate.
AUTO_LEARNING_RATES = {"gd": 1.2, "sgd": 0.01, "adam": 0.001, "lbfgs": None}

STOCHASTIC_SOLVERS = ("sgd", "adam")

#: What scikit-learn's callback machinery keeps on the estimator during a fit.
_CALLBACK_STATE = ("_callback_fit_ctx", "_skl_callbacks_to_teardown")


def incremental_solver(estimator):
    """Whether ``partial_fit`` makes sense: a stochastic solver, nothing global."""
    if estimator.solver not in STOCHASTIC_SOLVERS:
        raise AttributeError(
            f"partial_fit is only available for the stochastic solvers "
            f"{STOCHASTIC_SOLVERS}, not solver={estimator.solver!r}."
        )
    if estimator.early_stopping:
        raise AttributeError(
            "partial_fit is not available with early_stopping=True: one pass "
            "over a chunk has no held-out data to stop on."
        )
    if getattr(estimator, "class_weight", None) == "balanced":
        raise AttributeError(
            "partial_fit is not available with class_weight='balanced': a "
            "chunk's class counts are not the data's. Pass a dict of weights "
            "computed from the whole data instead."
        )
    return True


class BaseShallowNet(CallbackSupportMixin, BaseEstimator):
    """Base class for one-hidden-layer networks; use a subclass."""

    _parameter_constraints: dict = {
        "n_hidden": [Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "solver": [StrOptions(set(AUTO_LEARNING_RATES))],
        "learning_rate": [
            StrOptions({"auto"}),
            Interval(Real, 0, None, closed="neither"),
        ],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "n_iter_no_change": [
            Interval(Integral, 1, None, closed="left"),
            Options(Real, {np.inf}),
        ],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
        ],
        "shuffle": ["boolean"],
        "learning_rate_schedule": [StrOptions({"constant", "invscaling", "adaptive"})],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
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
        batch_size,
        shuffle,
        learning_rate_schedule,
        power_t,
        momentum,
        nesterovs_momentum,
        beta_1,
        beta_2,
        epsilon,
        early_stopping,
        validation_fraction,
        max_fun,
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
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.learning_rate_schedule = learning_rate_schedule
        self.power_t = power_t
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.max_fun = max_fun
        self.init = init
        self.init_scale = init_scale
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start

    # -- what a subclass provides ------------------------------------------
    @abstractmethod
    def _encode_targets(self, y, first_fit, incremental=False, classes=None):
        """Return ``(y, Y)``: the checked ``y`` and ``Y`` of shape ``(m, n_outputs)``.

        Sets the target-describing attributes (``classes_``, ...) when
        ``first_fit``; otherwise checks ``y`` against them.
        """

    @abstractmethod
    def _output_layer(self):
        """Name of the output layer in :data:`sk_shallow._network.OUTPUTS`."""

    @abstractmethod
    def _score_output(self, A2, Y, sample_weight):
        """Validation score of outputs ``A2`` against ``Y``, both (n_outputs, m)."""

    def _sample_weight(self, sample_weight, X, y, incremental):
        """The per-example weights to train with, or None for all ones."""
        if sample_weight is None:
            return None
        return _check_sample_weight(
            sample_weight, X, dtype=X.dtype, ensure_non_negative=True
        )

    # -- parameters in the notes' layout -----------------------------------
    @property
    def _params(self):
        return {"W1": self.W1_, "b1": self.b1_, "W2": self.W2_, "b2": self.b2_}

    def _forward(self, X):
        """Validate ``X`` and return ``(Z2, A2)``, each of shape (n_outputs, m)."""
        check_is_fitted(self)
        X = validate_data(
            self,
            X,
            accept_sparse=["csr", "csc"],
            dtype=(np.float64, np.float32),
            reset=False,
        )
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

    def _make_solver(self, rng):
        """The solver named by ``self.solver``, configured from the parameters."""
        if self.solver == "lbfgs":
            return LBFGS(max_fun=self.max_fun, tol=self.tol)
        lr = self.learning_rate
        if lr == "auto":
            lr = self._auto_learning_rates[self.solver]
        if self.solver == "gd":  # the notes' method: the full batch, in order
            return EpochSolver(GradientDescent(lr))
        if self.solver == "sgd":
            rule = Momentum(
                lr,
                self.momentum,
                self.nesterovs_momentum,
                self.learning_rate_schedule,
                self.power_t,
            )
        else:
            rule = Adam(lr, self.beta_1, self.beta_2, self.epsilon)
        batch_size = 200 if self.batch_size == "auto" else self.batch_size
        return EpochSolver(rule, batch_size, self.shuffle, rng)

    # -- fitting ------------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the network to ``X`` and ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; transposed once into the notes' layout
            ``(n_features, m)``.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights: the cost and every gradient become weighted
            means, so a weight of 2 acts like a duplicated row.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._all_or_nothing(X, y, sample_weight, incremental=False)

    def _all_or_nothing(self, *args, **kwargs):
        saved = self.__dict__.copy()
        try:
            return self._fit(*args, **kwargs)
        except BaseException:
            # A failed fit leaves the estimator exactly as it was, except for
            # the callback context that scikit-learn tears down after it.
            keep = {k: v for k, v in self.__dict__.items() if k in _CALLBACK_STATE}
            self.__dict__.clear()
            self.__dict__.update(saved)
            self.__dict__.update(keep)
            raise

    def _fit(self, X, y, sample_weight, incremental, classes=None):
        fitted = hasattr(self, "W1_")
        first = not fitted or not (incremental or self.warm_start)
        X, y, Y, sample_weight = self._training_data(
            X, y, sample_weight, first, incremental, classes
        )
        output = self._output_layer()
        n_outputs = Y.shape[0]

        if first:
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
            if self.init == "zeros":
                warnings.warn(
                    "init='zeros' starts every hidden unit with the same weights; "
                    "they receive the same gradients and stay identical (the "
                    "symmetry problem), so the hidden layer acts as one unit.",
                    UserWarning,
                    stacklevel=5,
                )
            prior_curve = []
        else:
            if self.W2_.shape[0] != n_outputs:
                raise ValueError(
                    "The targets must have the shape of the previous fit's: "
                    f"{self.W2_.shape[0]} outputs before, {n_outputs} now."
                )
            rng = self._rng
            params = {k: v.astype(X.dtype, copy=True) for k, v in self._params.items()}
            prior_curve = list(self.loss_curve_)

        if incremental and not first:  # partial_fit carries the optimiser on
            solver = copy.deepcopy(self._solver)
        else:
            solver = self._make_solver(rng)

        XT, Y_train, sw_train, validate = X.T, Y, sample_weight, None
        if self.early_stopping:
            XT, Y_train, sw_train, validate = self._split(
                X, y, Y, sample_weight, rng, output
            )

        n_steps = 1 if incremental else self.max_iter
        fit_task, on_iteration = self._callback_hooks(
            X, y, sample_weight, n_steps, output, n_outputs
        )
        monitor = Monitor(
            self.tol,
            self.n_iter_no_change,
            self.verbose,
            n_steps,
            validate=validate,
            first_loss=prior_curve[0] if incremental and prior_curve else None,
            on_iteration=on_iteration,
        )
        objective = self._make_objective(XT, Y_train, sw_train, output)
        message, interrupted = train(solver, objective, params, monitor, n_steps)
        if monitor.stopped_by_callback:
            warnings.warn(
                f"Training stopped by a callback after {len(monitor.loss_curve)} "
                "iterations; the model is fitted with the weights reached then.",
                UserWarning,
                stacklevel=5,
            )
        elif interrupted:
            warnings.warn(
                "Training interrupted by the user; keeping the "
                + ("best weights" if validate else "weights")
                + " reached so far.",
                UserWarning,
                stacklevel=5,
            )
        elif message and not incremental:
            warnings.warn(message + ".", ConvergenceWarning, stacklevel=5)
        if monitor.best_params is not None:
            params = {k: v.astype(X.dtype) for k, v in monitor.best_params.items()}

        self.W1_, self.b1_, self.W2_, self.b2_ = (
            params[k] for k in _network.PARAM_NAMES
        )
        self._rng, self._solver = rng, solver
        self.n_outputs_ = n_outputs
        self.out_activation_ = output
        self.n_iter_ = len(monitor.loss_curve)
        self.loss_curve_ = prior_curve + monitor.loss_curve
        self.loss_ = self.loss_curve_[-1]
        self.best_loss_ = min(self.loss_curve_)
        if self.early_stopping:
            self.validation_scores_ = monitor.validation_scores
            self.validation_loss_curve_ = monitor.validation_loss_curve
            self.best_validation_score_ = monitor.best_validation_score
        else:
            self.validation_scores_ = self.validation_loss_curve_ = None
            self.best_validation_score_ = None
        if fit_task is not None:
            fit_task(reconstruction_attributes={})
        return self

    # -- the two seams a distributed fit overrides ----------------------------
    def _training_data(self, X, y, sample_weight, first, incremental, classes):
        """Validate and encode the training data.

        Returns
        -------
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            The checked targets.
        Y : ndarray of shape (n_outputs, n_samples)
            The encoded targets, in the notes' layout and ``X``'s dtype.
        sample_weight : ndarray of shape (n_samples,) or None
            The weights to train with (class weights included).
        """
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            multi_output=True,
            y_numeric=self._y_numeric,
            dtype=(np.float64, np.float32),
            reset=first,
        )
        y, Y = self._encode_targets(y, first, incremental, classes)
        Y = np.ascontiguousarray(Y.T, dtype=X.dtype)
        sample_weight = self._sample_weight(sample_weight, X, y, incremental)
        return X, y, Y, sample_weight

    def _make_objective(self, XT, Y, sample_weight, output):
        """The training objective ``(params, batch=None) -> (J, grads)``.

        Built from :meth:`_training_data`'s output (``XT`` is its ``X.T``,
        or the training part of it under early stopping).
        """
        return Objective(XT, Y, sample_weight, self.activation, output, self.alpha)

    def _callback_hooks(self, X, y, sample_weight, n_steps, output, n_outputs):
        """Open the fit task for scikit-learn's callbacks, if any are set.

        Returns
        -------
        end_fit : callable or None
            Ends the fit task.
        on_iteration : callable or None
            ``params -> stop``: one subtask per iteration (per epoch for the
            stochastic solvers, per L-BFGS iteration), ended at once with the
            weights reached; True when a callback asks to stop.
        """
        if not (CALLBACKS and getattr(self, "_skl_callbacks", None)):
            return None, None
        context = self._init_callback_context(max_subtasks=n_steps)
        task = dict(
            estimator=self,
            X=X,
            y=y,
            metadata=None
            if sample_weight is None
            else {"sample_weight": sample_weight},
        )
        context.call_on_fit_task_begin(**task)

        def on_iteration(params):
            iteration = context.subcontext(task_name="iteration")
            iteration.call_on_fit_task_begin(**task)
            return iteration.call_on_fit_task_end(
                **task,
                reconstruction_attributes=lambda: {
                    **{k + "_": v.copy() for k, v in params.items()},
                    "out_activation_": output,
                    "n_outputs_": n_outputs,
                },
            )

        def end_fit(reconstruction_attributes):
            context.call_on_fit_task_end(
                **task, reconstruction_attributes=reconstruction_attributes
            )

        return end_fit, on_iteration

    def _split(self, X, y, Y, sample_weight, rng, output):
        """Hold out ``validation_fraction`` of the data (stratified for classes).

        Returns the training part in the notes' layout and a function scoring
        parameters on the held-out part: ``params -> (cost, score)``.
        """
        n_samples = X.shape[0]
        n_val, stratify = math.ceil(self.validation_fraction * n_samples), None
        if self._stratify and y.ndim == 1:
            counts = np.unique(y, return_counts=True)[1]
            # Stratify when every class can be on both sides of the split.
            if counts.min() >= 2 and n_samples >= 2 * len(counts):
                stratify = y
                n_val = min(max(n_val, len(counts)), n_samples - len(counts))
        train_idx, val_idx = train_test_split(
            np.arange(n_samples),
            test_size=n_val,
            stratify=stratify,
            random_state=rng,
        )
        if len(val_idx) < 2:
            raise ValueError(
                f"The validation set is too small: validation_fraction="
                f"{self.validation_fraction} of {X.shape[0]} samples leaves "
                f"{len(val_idx)}. Increase validation_fraction or the data."
            )
        sw_train = sw_val = None
        if sample_weight is not None:
            sw_train, sw_val = sample_weight[train_idx], sample_weight[val_idx]
            for part, weights in (("training", sw_train), ("validation", sw_val)):
                if not weights.sum() > 0:
                    raise ValueError(
                        f"early_stopping split the data so that the {part} part "
                        "has zero total sample_weight. Give more samples a "
                        "non-zero weight or change validation_fraction."
                    )
        X_val, Y_val = X[val_idx].T, Y[:, val_idx]

        def validate(params):
            cache = _network.forward(params, X_val, self.activation, output)
            cost = _network.cost(params, Y_val, cache, output, 0.0, sw_val)
            return cost, self._score_output(cache["A2"], Y_val, sw_val)

        return X[train_idx].T, Y[:, train_idx], sw_train, validate

    #: Split early-stopping data by class (classifiers).
    _stratify = False
    #: What ``learning_rate="auto"`` resolves to, by solver.
    _auto_learning_rates = AUTO_LEARNING_RATES
    #: Whether targets must be numbers (regressors).
    _y_numeric = False

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
