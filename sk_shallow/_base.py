"""The estimator shared by the shallow networks: parameters and the fit's order.

A subclass says how targets become the output matrix ``Y``, which output layer
to use, how to weight samples and how to score held-out predictions. This
module holds the parameters (their constraints and ``"auto"`` values) and
``_fit``, which only orders the steps done elsewhere: the data resolved once
into a problem (:mod:`sk_shallow._problem`), the training state built or
continued (:mod:`sk_shallow._training`), the run (:func:`~sk_shallow._training.train`
with :mod:`sk_shallow._solvers` and the policy of :mod:`sk_shallow._stopping`),
its warnings (:mod:`sk_shallow._report`) and the fitted attributes published
all or nothing.
"""

from abc import abstractmethod
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils._param_validation import (
    Interval,
    InvalidParameterError,
    Options,
    StrOptions,
)
from sklearn.utils.validation import check_is_fitted

from . import _problem, _xp_network
from ._activations import ACTIVATIONS
from ._callbacks import CallbackSupportMixin, callback_hooks
from ._problem import fold_scaling
from ._report import at_callers_line, report
from ._solvers import AUTO_LEARNING_RATES
from ._stopping import (
    AUTO_MAX_ITER,
    AUTO_PATIENCE,
    AUTO_TOL,
    AUTO_VALIDATION_PATIENCE,
    TrainingDiverged,
)
from ._training import (
    FitRun,
    all_or_nothing,
    publish,
    restart_advice,
    start_state,
    train,
)

INITS = ("normal", "glorot", "he", "zeros")

#: Parameters that must be numbers: bools are rejected even though Python
#: counts them as integers (``n_hidden=True`` is a mistake, not 1 unit).
_NUMBERS = (
    "n_hidden",
    "max_iter",
    "tol",
    "n_iter_no_change",
    "alpha",
    "batch_size",
    "power_t",
    "momentum",
    "beta_1",
    "beta_2",
    "epsilon",
    "validation_fraction",
    "max_fun",
    "init_scale",
    "learning_rate",
)


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
        "max_iter": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "tol": [StrOptions({"auto"}), Interval(Real, 0, None, closed="left")],
        "n_iter_no_change": [
            StrOptions({"auto"}),
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
        "early_stopping": ["boolean", StrOptions({"auto"})],
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
        return _problem.checked_sample_weight(sample_weight, X)

    def _check_incremental(self):
        """Raise AttributeError where a subclass's options rule partial_fit out."""

    def _check_raw_targets(self, y, classes):
        """Raise a clear error for targets that validation would choke on."""

    def _check_targets(self, Y):
        """Raise a clear error for encoded targets the cost cannot take.

        ``Y`` of shape (n_outputs, m), on the host, in ``X``'s dtype.
        """

    def _target_advice(self, Y):
        """The warnings' advice on the targets' scale: "" (see the regressor).

        ``Y`` of shape (n_outputs, m), as trained on.
        """
        return ""

    @staticmethod
    def _restart_advice(incremental):
        """How to start a new model from ``partial_fit`` or a warm ``fit``."""
        return restart_advice("partial_fit" if incremental else "warm_start=True")

    # -- parameters in the notes' layout -----------------------------------
    @property
    def _params(self):
        return {"W1": self.W1_, "b1": self.b1_, "W2": self.W2_, "b2": self.b2_}

    def _forward(self, X, method="predict"):
        """Validate ``X`` and return ``(Z2, A2)``, each of shape (n_outputs, m).

        In the namespace and on the device of ``X`` with array API dispatch.
        """
        check_is_fitted(self)
        return _problem.network_output(self, X, method)

    def _patience(self, validated):
        """``n_iter_no_change``, ``"auto"`` resolved (:data:`AUTO_PATIENCE`)."""
        if self.n_iter_no_change != "auto":
            return self.n_iter_no_change
        if validated:
            return AUTO_VALIDATION_PATIENCE[self.solver]
        return AUTO_PATIENCE

    @property
    def _max_iter(self):
        """``max_iter``, ``"auto"`` resolved for the solver (:data:`AUTO_MAX_ITER`)."""
        return AUTO_MAX_ITER[self.solver] if self.max_iter == "auto" else self.max_iter

    @property
    def _tol(self):
        """``tol``, with ``"auto"`` resolved for the solver (:data:`AUTO_TOL`)."""
        return AUTO_TOL[self.solver] if self.tol == "auto" else self.tol

    def _check_numbers(self):
        """Reject bools where a number is expected (``n_hidden=True``)."""
        for name in _NUMBERS:
            value = getattr(self, name)
            if isinstance(value, (bool, np.bool_)):
                raise InvalidParameterError(
                    f"The {name!r} parameter of {type(self).__name__} must be a "
                    f"number, not a bool ({value!r})."
                )

    # -- fitting ------------------------------------------------------------
    @all_or_nothing
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the network to ``X`` and ``y``.

        A fit succeeds whole or leaves the estimator as it was: on any error
        (bad input, divergence, a callback's exception) the previous fitted
        model, its random generator included, is kept. An interrupt
        (Ctrl-C, or a callback raising KeyboardInterrupt) after at least one
        iteration keeps the weights reached, with a warning; before the
        first iteration it changes nothing and is raised again.

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
        return self._fit(X, y, sample_weight, incremental=False)

    def _fit(self, X, y, sample_weight, incremental, classes=None):
        run = self._begin_fit(X, y, sample_weight, incremental, classes)
        try:
            diagnosis = train(run.state, run.objective, **run.options)
        except TrainingDiverged as error:
            self._raise_diverged(run, error)
        self._end_fit(run, diagnosis)
        return self

    def _begin_fit(self, X, y, sample_weight, incremental, classes=None):
        """A fit up to its training: the data, the state and the options.

        Returns
        -------
        run : FitRun
            What :func:`~sk_shallow._training.train` takes, and what
            :meth:`_end_fit` publishes from.
        """
        self._check_numbers()
        fitted = hasattr(self, "_state")
        first = not fitted or not (incremental or self.warm_start)
        with at_callers_line():
            problem = self._prepare(X, y, sample_weight, first, incremental, classes)
        host_dtype = problem.host_dtype
        output = self._output_layer()
        n_outputs = problem.n_outputs
        signature = self._signature(n_outputs, host_dtype)
        state = start_state(self, problem, signature, first, incremental)
        problem.place(state)  # weights (and optimiser state) where X lives

        # The network learns standardised targets (regressors); its output
        # layer is put back in y's units after training.
        scaling = problem.target_scaling(self, state, first, incremental)
        state.target_scaling = scaling
        problem = problem.standardised(scaling)
        if scaling is not None and not first:
            state.params = fold_scaling(state.params, scaling, inverse=True)

        train_part, validate = problem.held_out(self, state, first, incremental, output)

        n_steps = 1 if incremental else self._max_iter
        hooks = (problem.X, problem.y, problem.sample_weight, n_steps, output)
        fit_task, on_iteration = callback_hooks(self, *hooks, n_outputs)
        objective = train_part.objective(self.activation, output, self.alpha)
        # What a model must beat: the cost of the best constant prediction
        # (for partial_fit, on the chunk: the warnings compare with it).
        baseline = train_part.constant_cost(output)
        # From the starting weights of a fit, or of a stream's first call.
        saturated = 0.0
        if first:
            saturated = train_part.saturated_share(state.params, self.activation)
        options = dict(
            tol=self._tol,
            n_iter_no_change=self._patience(validate is not None),
            max_iter=n_steps,
            baseline=baseline,
            continued=not first,
            saturated=saturated,
            stream_patience=self._patience(False) if incremental else None,
            validate=validate,
            monitor="cost" if self.early_stopping == "auto" else "score",
            verbose=self.verbose,
            on_iteration=on_iteration,
        )
        return FitRun(
            state=state,
            problem=problem,
            train_part=train_part,
            objective=objective,
            options=options,
            output=output,
            scaling=scaling,
            fit_task=fit_task,
        )

    def _raise_diverged(self, run, error):
        """Raise the divergence ``error`` of ``run``, with advice where it helps.

        Targets the network learns as they are (unstandardised) and far from
        unit scale: the error says so too.
        """
        advice = run.train_part.target_advice(self)
        if advice:
            raise TrainingDiverged(f"{error}{advice}") from error
        raise error

    def _end_fit(self, run, diagnosis):
        """Warn about the trained ``run`` as ``diagnosis`` says; publish it."""
        state = run.state
        if run.scaling is not None:
            state.params = fold_scaling(state.params, run.scaling)
        report(
            diagnosis,
            lambda: run.train_part.advice(self, diagnosis.halvings),
            constant_prediction=self._constant_prediction,
            activation=self.activation,
            chosen_budget=self.max_iter != "auto",
        )
        publish(self, state, diagnosis, run.problem.n_outputs, run.output)
        if run.fit_task is not None:
            run.fit_task(reconstruction_attributes={})

    # -- the data ---------------------------------------------------------------
    def _prepare(self, X, y, sample_weight, first, incremental, classes):
        """Validate and encode the training data once, into a problem.

        The one seam between the estimator and where its data live: the
        Dask estimators return a chunked problem for dask collections.

        Returns
        -------
        problem : sk_shallow._problem.Problem
        """
        return _problem.prepare(self, X, y, sample_weight, first, incremental, classes)

    def _target_scaling(self, Y, sample_weight, state, first, incremental):
        """``(shift, scale)`` of the targets the network learns, or None.

        Regressors standardise their targets (see
        :meth:`ShallowNetRegressor._target_scaling`); classifiers learn
        their 0/1 indicators as they are.
        """
        return None

    def _signature(self, n_outputs, dtype):
        """What a training state is built for; a continued fit must agree.

        See :meth:`TrainingState.check`. The dtype is a name: the state
        stays plain to serialise.
        """
        return dict(
            n_hidden=self.n_hidden,
            activation=self.activation,
            n_outputs=n_outputs,
            output=self._output_layer(),
            dtype=np.dtype(dtype).name,
        )

    #: Split early-stopping data by class (classifiers).
    _stratify = False
    #: What the best constant prediction predicts, for the warnings.
    _constant_prediction = "the mean target"
    #: What ``learning_rate="auto"`` resolves to, by solver.
    _auto_learning_rates = AUTO_LEARNING_RATES
    #: Whether targets must be numbers (regressors).
    _y_numeric = False

    def _targets_like(self, xp, device):
        """Put target attributes in the namespace ``xp``, on ``device``."""

    def __sklearn_array_api_convert__(self, converter):
        """A copy whose fitted arrays went through ``converter``.

        Used by :func:`sk_shallow.move_to`: the weights, ``classes_`` (when
        numeric) and the optimiser's state move; the host-side target
        encoding stays as it is.
        """
        return _xp_network.converted(self, converter)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.array_api_support = _xp_network.SUPPORTED
        return tags
