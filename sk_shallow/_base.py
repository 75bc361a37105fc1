"""The estimator machinery shared by the shallow networks.

A subclass says how targets become the output matrix ``Y``, which output layer
to use, how to weight samples and how to score held-out predictions; this
module does the rest: parameter validation, the one transpose into the notes'
``(n_features, m)`` layout, initialisation, choosing a solver, early stopping,
and publishing a trained :class:`~sk_shallow._training.TrainingState` as the
fitted attributes, all or nothing.
"""

import functools
import math
import os
import sys
import threading
import warnings
from abc import abstractmethod
from numbers import Integral, Real

import numpy as np
import sklearn
from sklearn.base import BaseEstimator, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import (
    Interval,
    InvalidParameterError,
    Options,
    StrOptions,
)
from sklearn.utils.validation import (
    check_is_fitted,
)

from . import _network, _problem, _xp_network
from ._activations import ACTIVATIONS
from ._problem import (
    SATURATED_SHARE,
    SplitImpossible,
    fold_scaling,
)
from ._solvers import LBFGS, Adam, EpochSolver, FullBatchGD, Momentum
from ._stopping import TrainingDiverged, learned_little
from ._training import TrainingState, restart_advice, train


class CallbackSupportFallback:
    """Stand-in for scikit-learn's callback support, which needs 1.9."""

    def set_callbacks(self, *callbacks):
        """Not available: callbacks need scikit-learn 1.9 or newer.

        Parameters
        ----------
        *callbacks : object
            The callbacks that scikit-learn 1.9 would attach.

        Raises
        ------
        RuntimeError
            Always, naming the scikit-learn version found.
        """
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

#: What ``tol="auto"`` means for each solver. Full-batch gradient descent
#: gains little per step: on a plateau between two phases of learning (a
#: hidden unit changing its role) the notes' step of 1.2 gains 1e-7 to 1e-6
#: per step for a thousand steps before it falls again (scaled moons: from
#: 0.31 to 0.065). 1e-7 lets it through; an epoch of the stochastic solvers
#: takes many steps, and 1e-6 (as before) suffices; for L-BFGS it is scipy's
#: gradient tolerance.
AUTO_TOL = {"gd": 1e-7, "sgd": 1e-6, "adam": 1e-6, "lbfgs": 1e-6}

#: What ``max_iter="auto"`` means for each solver: the notes' 10,000 steps
#: for full-batch gradient descent; 1,000 epochs for the stochastic solvers
#: (an epoch takes many steps, and the stopping rule usually ends them
#: sooner); 200 iterations for L-BFGS, as scikit-learn's MLP (each takes a
#: line search, and more rarely improves a fit of this size).
AUTO_MAX_ITER = {"gd": 10_000, "sgd": 1_000, "adam": 1_000, "lbfgs": 200}

#: A run that reached ``max_iter`` while its cost fell by less than this
#: share of itself over the last tenth of its iterations has settled: more
#: iterations would not change the model, and no warning says to add them.
LATE_GAIN = 0.01

#: ``n_iter_no_change="auto"``: the stall rule's patience on the training
#: cost, for every solver, and on the validation score, by solver. One
#: full-batch step changes the weights by as little as an epoch's update of
#: a mini-batch solver does in one of its many steps, so gradient descent
#: waits 200 steps (2% of its budget) for a better validation score; the
#: others wait 10 iterations, as scikit-learn's MLP.
AUTO_PATIENCE = 10
AUTO_VALIDATION_PATIENCE = {"gd": 200, "sgd": 10, "adam": 10, "lbfgs": 10}

STOCHASTIC_SOLVERS = ("sgd", "adam")


def incremental_solver(estimator):
    """Whether ``partial_fit`` makes sense: a stochastic solver, nothing global.

    Parameters
    ----------
    estimator : BaseShallowNet
        The estimator whose ``partial_fit`` is looked up.

    Returns
    -------
    available : bool
        True; otherwise an AttributeError says why not.
    """
    if estimator.solver not in STOCHASTIC_SOLVERS:
        raise AttributeError(
            f"partial_fit is only available for the stochastic solvers "
            f"{STOCHASTIC_SOLVERS}, not solver={estimator.solver!r}: set "
            "solver='sgd' or 'adam' (a fitted model's weights carry on)."
        )
    if estimator.early_stopping is True:
        raise AttributeError(
            "partial_fit is not available with early_stopping=True: one pass "
            "over a chunk has no held-out data to stop on. Set "
            "early_stopping=False and compare score() on held-out data."
        )
    estimator._check_incremental()
    return True


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

#: The parameters a solver is built from: when one changes, a continued fit
#: (partial_fit) builds a new solver instead of carrying the old one on.
_SOLVER_PARAMS = (
    "solver",
    "learning_rate",
    "batch_size",
    "shuffle",
    "learning_rate_schedule",
    "power_t",
    "momentum",
    "nesterovs_momentum",
    "beta_1",
    "beta_2",
    "epsilon",
    "max_fun",
    "tol",
)


def _all_or_nothing(fit_method):
    """Restore the estimator as it was when ``fit_method`` fails in any way.

    Applied outside scikit-learn's ``_fit_context``, so that an error raised
    by a callback's teardown, after the fit proper, still rolls back. A
    shallow copy of ``__dict__`` is enough because a fit never changes an
    object the estimator holds: it trains a deep copy of the training state
    and rebinds attributes. The one outside object a fit draws from, the
    generator passed as (or standing for) ``random_state``, is restored too.
    """

    @functools.wraps(fit_method)
    def wrapper(self, *args, **kwargs):
        saved = dict(self.__dict__)
        generator = self.random_state
        if generator is None:
            generator = check_random_state(None)
        rng_state = (
            generator.get_state()
            if isinstance(generator, np.random.RandomState)
            else None
        )
        try:
            return fit_method(self, *args, **kwargs)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(saved)
            if rng_state is not None:
                generator.set_state(rng_state)
            raise

    return wrapper


#: Where the frames of sk_shallow and of the scikit-learn machinery around a
#: fit (``_fit_context``, ``clone``, the model-selection tools and the joblib
#: loop they fit in) live.
_INTERNAL = tuple(
    os.path.dirname(os.path.abspath(module.__file__)) + os.sep
    for module in (sys.modules[__package__], sklearn, sys.modules.get("joblib"))
    if module is not None
)


def warn(message, category):
    """:func:`warnings.warn` at the user's line: the first frame outside us.

    A fixed ``stacklevel`` points at the right line for one call path only;
    a fit is reached through ``fit``, ``partial_fit``, a Dask estimator's
    stream, ``_fit_context`` or ``cross_val_score``. The warning points at
    the innermost frame outside sk_shallow and scikit-learn.
    """
    frame, level = sys._getframe(1), 2
    while frame is not None and frame.f_code.co_filename.startswith(_INTERNAL):
        frame, level = frame.f_back, level + 1
    if frame is None:  # called from inside only (a thread's own target)
        level = 2
    warnings.warn(message, category, stacklevel=level)


class at_callers_line(warnings.catch_warnings):
    """Re-issue the warnings raised inside, once it ends, with :func:`warn`.

    Around the validation of a fit's data: scikit-learn's own warnings
    (a column-vector ``y``, feature names) come with a ``stacklevel`` fixed
    for a direct call, and would point inside sk_shallow. Warnings that the
    filters turn into errors are raised where they occur. The warnings
    module's state is the process's: only the main thread records (a fit in
    another thread keeps scikit-learn's lines), so that concurrent fits
    cannot restore each other's recorders.
    """

    def __init__(self):
        super().__init__(record=True)
        self.caught = None

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            self.caught = super().__enter__()
        return self

    def __exit__(self, *exc_info):
        if self.caught is None:
            return
        super().__exit__(*exc_info)
        if exc_info[0] is None:
            for w in self.caught:
                warn(w.message, w.category)


def _times(n):
    """``"once"``, ``"twice"``, ``"3 times"``."""
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


def more_steps_help(outcome, validated, baseline):
    """Whether a run that hit ``max_iter="auto"`` would gain from more iterations.

    A budget the user chose is always reported when reached, as scikit-learn
    does; the automatic one only when this says so.

    With early stopping, when the best validation score came in the last
    tenth of the run (it was still improving); otherwise when the cost
    fell by at least :data:`LATE_GAIN` of itself over the last tenth, or
    is still on the plateau of the best constant prediction
    (``baseline``). A run whose validation score peaked long before, or
    whose cost has all but settled, has the model it will have: its
    budget is no problem to warn about.
    """
    if not outcome.budget_spent or learned_little(outcome.final_cost, baseline):
        return True  # stopped by another limit (max_fun), or still on a plateau
    if validated:
        return outcome.best_iteration > outcome.n_iter - outcome.n_iter // 10
    return outcome.late_gain >= LATE_GAIN


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

    def _objective_at_start(self, X, y, sample_weight=None):
        """The cost ``fit`` minimises, and its start (``_problem.at_start``)."""
        return _problem.at_start(self, X, y, sample_weight)

    def _make_solver(self, rng):
        """The solver named by ``self.solver``, configured from the parameters."""
        if self.solver == "lbfgs":
            return LBFGS(max_fun=self.max_fun, tol=self._tol)
        lr = self.learning_rate
        auto = lr == "auto"
        if auto:
            lr = self._auto_learning_rates[self.solver]
        if self.solver == "gd":  # the notes' method: the full batch, in order
            return FullBatchGD(lr)
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
        # An automatic step backs off from a run-away; a chosen one is kept.
        return EpochSolver(rule, batch_size, self.shuffle, rng, back_off=auto)

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
    @_all_or_nothing
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
        self._check_numbers()
        fitted = hasattr(self, "_state")
        first = not fitted or not (incremental or self.warm_start)
        with at_callers_line():
            problem = self._prepare(X, y, sample_weight, first, incremental, classes)
        host_dtype = problem.host_dtype
        output = self._output_layer()
        n_outputs = problem.n_outputs
        signature = self._signature(n_outputs, host_dtype)
        config = tuple(getattr(self, name) for name in _SOLVER_PARAMS)

        if first:
            state = self._new_state(
                problem.n_features, n_outputs, host_dtype, signature, config
            )
        else:
            how = "partial_fit" if incremental else "warm_start=True"
            self._state.check(signature, how)
            state = self._state.continued(host_dtype)
            state.loss_curve = list(state.loss_curve)
            if not incremental or state.solver_config != config:
                # fit with warm_start: the weights carry on, the optimiser
                # starts afresh (as scikit-learn's MLP); partial_fit after
                # set_params: the new solver's settings take effect.
                state.solver = self._make_solver(state.rng)
                state.solver_config = config
        problem.place(state)  # weights (and optimiser state) where X lives

        # The network learns standardised targets (regressors); its output
        # layer is put back in y's units after training.
        scaling = problem.target_scaling(self, state, first, incremental)
        state.target_scaling = scaling
        problem = problem.standardised(scaling)
        if scaling is not None and not first:
            state.params = fold_scaling(state.params, scaling, inverse=True)

        train_part, validate = problem, None
        if problem.validates(self, incremental):
            rng = problem.split_generator(self, state, first)
            drawn = rng.get_state()
            try:
                train_part, validate = problem.split(self, rng, output)
            except SplitImpossible:
                if self.early_stopping is True:
                    raise
                # "auto" chose to validate; data that cannot be split (too
                # few rows held out, a side without weight) trains on all of
                # it, as False, from the generator as it was.
                rng.set_state(drawn)

        n_steps = 1 if incremental else self._max_iter
        fit_task, on_iteration = self._callback_hooks(
            problem.X, problem.y, problem.sample_weight, n_steps, output, n_outputs
        )
        objective = train_part.objective(self.activation, output, self.alpha)
        # What a model must beat: the cost of the best constant prediction
        # (for partial_fit, on the chunk: the warnings compare with it).
        baseline = train_part.constant_cost(output)
        # From the starting weights of a fit, or of a stream's first call.
        saturated = 0.0
        if first:
            saturated = train_part.saturated_share(state.params, self.activation)
        try:
            outcome = train(
                state,
                objective,
                tol=self._tol,
                n_iter_no_change=self._patience(validate is not None),
                max_iter=n_steps,
                floor=None if incremental else baseline,
                continued=not first,
                validate=validate,
                monitor="cost" if self.early_stopping == "auto" else "score",
                verbose=self.verbose,
                on_iteration=on_iteration,
            )
        except TrainingDiverged as error:
            # Targets far from unit scale (those the network learns as they
            # are, unstandardised): say so too.
            advice = train_part.target_advice(self)
            if advice:
                raise TrainingDiverged(f"{error}{advice}") from error
            raise
        if outcome.best_params is not None:
            state.params = outcome.best_params
        if scaling is not None:
            state.params = fold_scaling(state.params, scaling)
        outcome.saturated = saturated
        if incremental:  # calls in a row that left the chunk's constant cost
            stuck = learned_little(outcome.final_cost, baseline)
            state.calls_learning_little = (
                getattr(state, "calls_learning_little", 0) + 1 if stuck else 0
            )
            outcome.calls_learning_little = state.calls_learning_little
        self._report(
            outcome, state.solver, train_part, baseline, incremental, bool(validate)
        )
        self._publish(state, outcome, n_outputs, output, bool(validate))
        if fit_task is not None:
            fit_task(reconstruction_attributes={})
        return self

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

    def _new_state(self, n_features, n_outputs, dtype, signature, config):
        """A fresh :class:`TrainingState`: initial weights drawn, a new solver."""
        rng = check_random_state(self.random_state)
        params = self._initial_params(rng, n_features, n_outputs, dtype)
        if self.init == "zeros":
            warn(
                "init='zeros' starts every hidden unit with the same weights; "
                "they receive the same gradients and stay identical (the "
                "symmetry problem), so the hidden layer acts as one unit.",
                UserWarning,
            )
        return TrainingState(params, self._make_solver(rng), rng, signature, config)

    def _initial_params(self, rng, n_features, n_outputs, dtype):
        with np.errstate(over="ignore", invalid="ignore"):
            params = _network.initialize(
                n_features,
                self.n_hidden,
                n_outputs,
                rng,
                init=self.init,
                init_scale=self.init_scale,
                activation=self.activation,
                dtype=dtype,
            )
        if not all(np.isfinite(v).all() for v in params.values()):
            raise ValueError(
                f"init_scale={self.init_scale} gives non-finite initial weights "
                f"in {np.dtype(dtype).name}; use a smaller init_scale."
            )
        return params

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

    def _report(self, outcome, solver, problem, baseline, incremental, validated):
        """Warn about every way the fit may have ended badly.

        ``baseline`` is the cost of the best constant prediction on the
        training part (on the chunk for ``partial_fit``); ``problem`` the
        data trained on, whose advice on the scales of the features and
        targets the warnings give.
        """
        if outcome.stopped_by_callback:
            warn(
                f"Training stopped by a callback after {outcome.n_iter} "
                "iterations; the model is fitted with the weights reached then.",
                UserWarning,
            )
            return
        if outcome.interrupted:
            warn(
                "Training interrupted by the user; keeping the "
                + ("best weights" if validated else "weights")
                + " reached so far.",
                UserWarning,
            )
            return
        problems = []
        if (
            outcome.message
            and not incremental
            and (
                self.max_iter != "auto" or more_steps_help(outcome, validated, baseline)
            )
        ):
            message = outcome.message
            if not (validated or learned_little(outcome.final_cost, baseline)):
                message += (
                    "; if the model overfits (a training score far above a "
                    "held-out one), set early_stopping=True or alpha instead"
                )
            problems.append(message)
        start, final = outcome.start_cost, outcome.final_cost
        rose = final > start + 1e-3 * abs(start)
        if rose:
            problems.append(
                f"the cost ended at {final:.4g}, above the {start:.4g} of the "
                "starting weights"
            )
        if outcome.stalled_rising:
            problems.append(
                "training stopped because the cost had stopped falling: it was rising"
            )
        step_too_large = bool(problems) and not outcome.message
        little = not rose and learned_little(final, baseline)
        halved = getattr(solver, "rejected", 0)
        saturated = getattr(outcome, "saturated", 0.0)
        # partial_fit: a stream that has not left the constant prediction
        # for n_iter_no_change calls in a row, said again after twice as
        # many, four times as many... (a plateau may take dozens of calls).
        patience = self._patience(False)
        calls = getattr(outcome, "calls_learning_little", 0)
        stuck = False
        if incremental and math.isfinite(patience) and calls >= patience:
            ratio = calls / patience
            stuck = ratio == int(ratio) and int(ratio) & (int(ratio) - 1) == 0
        if not problems and not halved and not little and saturated < SATURATED_SHARE:
            return
        advice = problem.advice(self)
        # A partial_fit call early in a stream may not have learned yet; it
        # says so where the data's scale is why (its baseline is the chunk's),
        # or once the stream has stayed there for long.
        if little and (advice or not incremental or stuck):
            how = "no" if final >= baseline else "little"
            chunk = " of this chunk" if incremental else ""
            after = f" after {calls} calls of partial_fit" if stuck else ""
            problems.append(
                f"the model does {how} better than predicting "
                f"{self._constant_prediction}{chunk}{after} (cost {final:.4g} "
                f"against {baseline:.4g})"
            )
            if stuck and not advice and solver.learning_rate is not None:
                problems.append(
                    "more calls, a larger learning_rate (now "
                    f"{solver.learning_rate:.3g}) or standardised features "
                    "(StandardScaler) may help"
                )
        if saturated >= SATURATED_SHARE and advice:
            problems.append(
                f"{saturated:.0%} of the hidden activations started saturated "
                f"({self.activation} at its bounds, where its gradient vanishes)"
            )
        if not problems and not halved:
            return
        # Every halving of the run, a stall's too: the count matches the step.
        halvings = getattr(solver, "halvings", halved)
        if problems:
            if halved:
                problems.append(
                    f"the solver had to halve its step {_times(halvings)}, to "
                    f"{solver.learning_rate:.3g}"
                    + (", for the calls to come too" if incremental else "")
                )
            if solver.learning_rate is not None and step_too_large:
                problems.append("lower learning_rate")
            message = "; ".join(problems)
            warn(message[0].upper() + message[1:] + "." + advice, ConvergenceWarning)
        elif advice or incremental:
            # partial_fit: the smaller step stays for the calls to come.
            later = " The calls to come go on with it." if incremental else ""
            warn(
                f"The solver had to halve its step {_times(halvings)}, to "
                f"{solver.learning_rate:.3g}, to keep the cost from rising."
                + later
                + advice,
                ConvergenceWarning,
            )

    def _publish(self, state, outcome, n_outputs, output, validated):
        """Set every fitted attribute from the trained ``state``: the one place."""
        self._state = state
        self.W1_, self.b1_, self.W2_, self.b2_ = (
            state.params[k] for k in _network.PARAM_NAMES
        )
        self.n_outputs_ = n_outputs
        self.out_activation_ = output
        self.n_iter_ = outcome.n_iter
        # The state's own lists (a continued fit trains a copy): pickled once.
        self.loss_curve_ = state.loss_curve
        self.loss_ = float(self.loss_curve_[-1])
        self.best_loss_ = float(min(self.loss_curve_))
        lr = state.solver.learning_rate
        self.learning_rate_ = None if lr is None else float(lr)
        if validated:
            self.validation_scores_ = state.validation_scores
            self.validation_loss_curve_ = state.validation_loss_curve
            self.best_validation_score_ = state.best_validation_score
        else:
            self.validation_scores_ = self.validation_loss_curve_ = None
            self.best_validation_score_ = None

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
                    **{k + "_": _xp_network.copy(v) for k, v in params.items()},
                    "out_activation_": output,
                    "n_outputs_": n_outputs,
                },
            )

        def end_fit(reconstruction_attributes):
            context.call_on_fit_task_end(
                **task, reconstruction_attributes=reconstruction_attributes
            )

        return end_fit, on_iteration

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
