"""The estimator machinery shared by the shallow networks.

A subclass says how targets become the output matrix ``Y``, which output layer
to use, how to weight samples and how to score held-out predictions; this
module does the rest: parameter validation, the one transpose into the notes'
``(n_features, m)`` layout, initialisation, choosing a solver, early stopping,
and publishing a trained :class:`~sk_shallow._training.TrainingState` as the
fitted attributes, all or nothing.
"""

import copy
import functools
import math
import os
import sys
import warnings
from abc import abstractmethod
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
import sklearn
from sklearn import get_config
from sklearn.base import BaseEstimator, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state, gen_batches
from sklearn.utils._array_api import _is_numpy_namespace, get_namespace_and_device
from sklearn.utils._param_validation import (
    Interval,
    InvalidParameterError,
    Options,
    StrOptions,
)
from sklearn.utils.extmath import _incremental_mean_and_var
from sklearn.utils.sparsefuncs import mean_variance_axis
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)

from . import _blocked, _network, _xp_network
from ._activations import ACTIVATIONS
from ._solvers import LBFGS, Adam, EpochSolver, FullBatchGD, Momentum, Objective
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
#: 0.31 to 0.065; noisy moons, one fold of five, gains 4.5e-7 a step there,
#: and 3e-7 already ends it on the plateau, at an accuracy of 0.84 instead
#: of 0.96: benchmarks/bench_stopping.py). 1e-7 lets it through; an epoch of
#: the stochastic solvers takes many steps, and 1e-6 (as before) suffices;
#: for L-BFGS it is scipy's gradient tolerance.
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

#: ``early_stopping="auto"`` holds out a validation set from this many
#: training rows on: enough that a tenth of them scores the fit to within a
#: few points, and where a fit run to convergence can overfit (a few
#: thousand rows of dozens of one-hot columns). Smaller data, the notes'
#: flower (400 rows) among them, trains on all of it...
AUTO_EARLY_STOPPING_ROWS = 1000

#: ... unless it is wide: from this many columns, four hidden units have
#: dozens of weights to overfit with, and a tenth of
#: :data:`AUTO_EARLY_STOPPING_WIDE_ROWS` rows (50) still scores a fit.
AUTO_EARLY_STOPPING_COLUMNS = 10
AUTO_EARLY_STOPPING_WIDE_ROWS = 500

#: ``n_iter_no_change="auto"``: the stall rule's patience on the training
#: cost, for every solver, and on the validation score, by solver. One
#: full-batch step changes the weights by as little as an epoch's update of
#: a mini-batch solver does in one of its many steps, so gradient descent
#: waits 200 steps (2% of its budget) for a better validation score; the
#: others wait 10 iterations, as scikit-learn's MLP.
AUTO_PATIENCE = 10
AUTO_VALIDATION_PATIENCE = {"gd": 200, "sgd": 10, "adam": 10, "lbfgs": 10}

STOCHASTIC_SOLVERS = ("sgd", "adam")

#: Values beyond this overflow when squared, in a variance among others.
SQUARES_OVERFLOW = 1e150

#: A hidden activation this close to its bounds (``|tanh| > 0.999``: a
#: derivative below 2e-3 of its largest) is saturated: its gradient vanishes.
SATURATED = 0.999

#: At least this share of the hidden activations saturated at the weights
#: training starts from (the first 1,000 samples, checked) means the features'
#: scale, not the data, decides what the units can learn.
SATURATED_SHARE = 0.5


def array_api_input(X):
    """``(xp, device, dtypes)`` for ``X`` of a non-NumPy array namespace.

    ``(None, None, None)`` unless scikit-learn's array API dispatch is on and
    ``X`` is not NumPy: then the network runs in :mod:`._xp_network` on
    ``X``'s device, in the floating dtypes that device has.
    """
    if not get_config()["array_api_dispatch"]:
        return None, None, None
    xp, is_array_api, device = get_namespace_and_device(X)
    if not is_array_api or _is_numpy_namespace(xp):
        return None, None, None
    if not _xp_network.SUPPORTED:
        import sklearn

        raise ValueError(
            f"Array API input ({xp.__name__} arrays) needs the array API "
            f"helpers of a newer scikit-learn (1.9 is tested) than "
            f"{sklearn.__version__}. Pass NumPy arrays, or upgrade scikit-learn."
        )
    supported = _xp_network.supported_float_dtypes(xp, device)
    return xp, device, tuple(d for d in (xp.float64, xp.float32) if d in supported)


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


class SplitImpossible(ValueError):
    """The data cannot be split into a training and a validation part.

    ``early_stopping=True`` raises it; ``"auto"`` trains on all of the data.
    """


def _times(n):
    """``"once"``, ``"twice"``, ``"3 times"``."""
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


def _column_moments(X):
    """Mean and standard deviation of each column of ``X`` (dense or sparse).

    Finite for any finite ``X``: a column whose variance overflows (values
    beyond 1e154 in float64) is taken again divided by a power of two (an
    exact scaling) and the moments scaled back.
    """
    mean, std = _raw_column_moments(X)
    overflowed = np.flatnonzero(~(np.isfinite(mean) & np.isfinite(std)))
    if not overflowed.size:
        return mean, std
    if sp.issparse(X):
        part = X.tocsc()[:, overflowed]
        scale = power_of_two_below(abs(part).max(axis=0).toarray().ravel())
        part = part @ sp.diags(scale)
    elif _xp_network.is_numpy(X):
        part = X[:, overflowed]
        scale = power_of_two_below(np.abs(part).max(axis=0))
        part = part * scale
    else:
        xp, device = _xp_network.namespace(X), _xp_network.device_of(X)
        part = xp.take(X, xp.asarray(overflowed, device=device), axis=1)
        scale = power_of_two_below(_xp_network.to_host(xp.max(xp.abs(part), axis=0)))
        part = part * xp.asarray(scale, dtype=part.dtype, device=device)
    part_mean, part_std = _raw_column_moments(part)
    mean[overflowed], std[overflowed] = part_mean / scale, part_std / scale
    return mean, std


def power_of_two_below(largest):
    """``2**-e`` with ``largest * 2**-e`` in [0.5, 1): an exact scaling.

    Parameters
    ----------
    largest : float or ndarray
        Finite, non-zero sizes.

    Returns
    -------
    scale : float64 or ndarray of float64, of ``largest``'s shape
    """
    return np.ldexp(1.0, -np.frexp(np.asarray(largest, dtype=np.float64))[1])


def _raw_column_moments(X):
    """Mean and standard deviation of each column, in float64 on the host."""
    if sp.issparse(X):
        with np.errstate(over="ignore", invalid="ignore"):
            mean, var = mean_variance_axis(X, axis=0)
            return np.asarray(mean, np.float64), np.sqrt(np.asarray(var, np.float64))
    if not _xp_network.is_numpy(X):
        xp = _xp_network.namespace(X)
        # A NumPy-backed namespace overflows as NumPy does: the caller
        # rescales such columns.
        with np.errstate(over="ignore", invalid="ignore"):
            return tuple(
                np.array(_xp_network.to_host(f(X, axis=0)), dtype=np.float64)
                for f in (xp.mean, xp.std)
            )
    # In chunks of rows, so that no temporary of X's size is made.
    mean = var = 0.0
    count = 0
    with np.errstate(over="ignore", invalid="ignore"):
        for rows in gen_batches(X.shape[0], 4096):
            mean, var, count = _incremental_mean_and_var(X[rows], mean, var, count)
    return np.array(mean, dtype=np.float64), np.sqrt(np.array(var, np.float64))


def scaling_advice(X):
    """A sentence naming a scaler when ``X`` is far from unit scale, or "".

    StandardScaler for dense ``X``; for sparse ``X``, which cannot be
    centred without densifying it, MaxAbsScaler or StandardScaler without
    centring.

    Far means a column's standard deviation or the size of its mean above
    100, or a ratio above 1e3 between the largest and the smallest non-zero
    column scale. Gradient descent then needs a step too small for the small
    columns to learn; a large mean is a large scale too (a column of 100 plus
    unit noise makes the cost a narrow valley along the bias).
    """
    mean, std = _column_moments(X)
    offset = np.abs(mean[np.isfinite(mean)])
    offset = offset.max() if offset.size else 0.0
    scales = std[np.isfinite(std) & (std > 0)]
    if not scales.size:
        return ""
    largest, ratio = scales.max(), scales.max() / scales.min()
    if largest <= 100 and ratio <= 1e3 and offset <= 100:
        return ""
    means = f"column means up to {offset:.3g} in size, " if offset > 100 else ""
    # StandardScaler cannot centre a sparse matrix: it would densify it; and
    # the variance of values beyond 1e150 overflows in it (every column
    # would become 0), where MaxAbsScaler divides by the largest value.
    huge = max(largest, offset) > SQUARES_OVERFLOW
    if sp.issparse(X):
        example = "make_pipeline(MaxAbsScaler(), ...)" + (
            "" if huge else " or StandardScaler(with_mean=False)"
        )
        example += " (a sparse matrix cannot be centred)"
    elif huge:
        example = (
            "make_pipeline(MaxAbsScaler(), StandardScaler(), ...) (StandardScaler "
            "alone would overflow on values this large)"
        )
    else:
        example = "make_pipeline(StandardScaler(), ...)"
    return (
        f" The features are far from unit scale ({means}column standard "
        f"deviations from {scales.min():.3g} to {largest:.3g}): scale them, "
        f"for example with {example}."
    )


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
        if sample_weight is None:
            return None
        with np.errstate(over="ignore", invalid="ignore"):
            # Weights beyond the range of X's dtype become inf: caught below.
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=X.dtype, ensure_non_negative=True
            )
        return finite_weights(sample_weight, "sample_weight")

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
        if _xp_network.SUPPORTED:
            _xp_network.check_same_namespace(X, self, attribute="W1_", method=method)
        xp, _, dtypes = array_api_input(X)
        if xp is None and not _xp_network.is_numpy(self.W1_):
            raise ValueError(
                f"This {type(self).__name__} was fitted on "
                f"{_xp_network.namespace(self.W1_).__name__} arrays; move it to "
                "NumPy with sk_shallow.move_to(estimator, numpy) first, or "
                "enable sklearn.set_config(array_api_dispatch=True)."
            )
        with np.errstate(over="ignore"):  # longdouble beyond float64: inf
            X = validate_data(
                self,
                X,
                accept_sparse=["csr", "csc"],
                dtype=(np.float64, np.float32) if xp is None else dtypes,
                reset=False,
            )
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            Z2, A2 = _blocked.predict_output(
                self._params, X.T, self.activation, self.out_activation_
            )
        if not _xp_network.all_finite((Z2, A2)):
            raise ValueError(
                "The network's output is not finite for this input: its values "
                "are too large for the fitted weights. Scale the features the "
                "same way as the training data."
            )
        return Z2, A2

    def _objective_at_start(self, X, y, sample_weight=None):
        """The cost ``fit`` minimises and the point it would start from.

        A private hook for :func:`sk_shallow.inspection.check_gradients`: it
        prepares ``X``, ``y`` and ``sample_weight`` the way ``fit`` does and,
        on an unfitted estimator, draws the initial parameters ``fit`` would
        draw (the first draw from ``random_state``). On a fitted estimator the
        data are checked against the fit and the fitted parameters are used.
        An unfitted estimator gains the attributes that describe its data
        (``n_features_in_``, ``classes_``...), so call this on a copy. The
        cost is over all of ``X``: with ``early_stopping``, ``fit`` would
        train on part of it. A regressor's targets are standardised as
        ``fit`` standardises them (a fitted one's as its fit did), and its
        fitted output layer taken back to their units.

        Returns
        -------
        problem : dict
            ``params`` (a copy, in the notes' layout), ``X`` of shape
            (n_features, m), ``Y`` of shape (n_outputs, m), ``sample_weight``
            (None or shape (m,)), and the ``activation``, ``output`` and
            ``alpha`` of the cost :func:`sk_shallow._network.cost`.
        """
        first = not hasattr(self, "W1_")
        X, y, Y, sample_weight = self._training_data(
            X, y, sample_weight, first, False, None
        )
        output = self._output_layer() if first else self.out_activation_
        if first:
            rng = check_random_state(self.random_state)
            params = self._initial_params(rng, X.shape[1], Y.shape[0], X.dtype)
        else:
            if self.W2_.shape[0] != Y.shape[0]:
                raise ValueError(
                    f"y has {Y.shape[0]} outputs; the network was fitted with "
                    f"{self.W2_.shape[0]}."
                )
            params = {k: _xp_network.copy(v) for k, v in self._params.items()}
        # A regressor's fit minimises the cost of its standardised targets,
        # with the output layer in their units.
        state = getattr(self, "_state", None)
        scaling = self._target_scaling(Y, sample_weight, state, first, False)
        if scaling is not None:
            Y = _standardise(Y, scaling)
            if not first:
                params = _fold_scaling(params, scaling, inverse=True)
        return dict(
            params=params,
            X=X.T,
            Y=Y,
            sample_weight=sample_weight,
            activation=self.activation,
            output=output,
            alpha=self.alpha,
        )

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

    def _validates(self, X, y, incremental):
        """Whether this fit holds out a validation set (``early_stopping``).

        ``"auto"`` holds one out from :data:`AUTO_EARLY_STOPPING_ROWS`
        training rows on, or from :data:`AUTO_EARLY_STOPPING_WIDE_ROWS` with
        :data:`AUTO_EARLY_STOPPING_COLUMNS` columns or more; never for
        ``partial_fit``, nor where a class has a single sample, which a
        stratified split cannot put on both sides (``True`` says so instead).
        """
        if self.early_stopping != "auto":
            return self.early_stopping
        rows, columns = X.shape
        wide = (
            columns >= AUTO_EARLY_STOPPING_COLUMNS
            and rows >= AUTO_EARLY_STOPPING_WIDE_ROWS
        )
        if incremental or not (rows >= AUTO_EARLY_STOPPING_ROWS or wide):
            return False
        if self._stratify and y.ndim == 1:
            return bool(np.unique(y, return_counts=True)[1].min() >= 2)
        return True

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
        xp, device, _ = array_api_input(X)
        X, y, Y, sample_weight = self._training_data(
            X, y, sample_weight, first, incremental, classes
        )
        # The dtype the host-side state records (X itself may be on a device).
        host_dtype = X.dtype
        if xp is not None:
            host_dtype = np.float64 if X.dtype == xp.float64 else np.float32
        output = self._output_layer()
        n_outputs = Y.shape[0]
        signature = self._signature(n_outputs, host_dtype)
        config = tuple(getattr(self, name) for name in _SOLVER_PARAMS)

        if first:
            state = self._new_state(
                X.shape[1], n_outputs, host_dtype, signature, config
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
        if xp is not None:  # weights (and optimiser state) on X's device
            state.params = {
                k: xp.astype(_xp_network.to_namespace(v, xp, device), X.dtype)
                for k, v in state.params.items()
            }
            state.solver = _xp_network.convert_state(
                state.solver, lambda a: _xp_network.to_namespace(a, xp, device)
            )

        # The network learns standardised targets (regressors); its output
        # layer is put back in y's units after training.
        scaling = self._target_scaling(Y, sample_weight, state, first, incremental)
        state.target_scaling = scaling
        if scaling is not None:
            Y = _standardise(Y, scaling)
            if not first:
                state.params = _fold_scaling(state.params, scaling, inverse=True)

        XT, Y_train, sw_train, validate = X.T, Y, sample_weight, None
        if self._validates(X, y, incremental):
            rng = state.rng if first else self._split_generator(X, n_outputs, state)
            drawn = rng.get_state()
            try:
                XT, Y_train, sw_train, validate = self._split(
                    X, y, Y, sample_weight, rng, output
                )
            except SplitImpossible:
                if self.early_stopping is True:
                    raise
                # "auto" chose to validate; data that cannot be split (too
                # few rows held out, a side without weight) trains on all of
                # it, as False, from the generator as it was.
                rng.set_state(drawn)

        n_steps = 1 if incremental else self._max_iter
        fit_task, on_iteration = self._callback_hooks(
            X, y, sample_weight, n_steps, output, n_outputs
        )
        objective = self._make_objective(XT, Y_train, sw_train, output)
        # What a model must beat: the cost of the best constant prediction
        # (for partial_fit, on the chunk: the warnings compare with it).
        baseline = self._constant_cost(Y_train, sw_train, output)
        # From the starting weights of a fit, or of a stream's first call.
        saturated = self._saturated_share(state.params, XT) if first else 0.0
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
            advice = self._target_advice(Y_train)
            if advice:
                raise TrainingDiverged(f"{error}{advice}") from error
            raise
        if outcome.best_params is not None:
            state.params = outcome.best_params
        if scaling is not None:
            state.params = _fold_scaling(state.params, scaling)
        outcome.saturated = saturated
        if incremental:  # calls in a row that left the chunk's constant cost
            stuck = learned_little(outcome.final_cost, baseline)
            state.calls_learning_little = (
                getattr(state, "calls_learning_little", 0) + 1 if stuck else 0
            )
            outcome.calls_learning_little = state.calls_learning_little
        self._report(
            outcome, state.solver, X, baseline, incremental, bool(validate), Y_train
        )
        self._publish(state, outcome, n_outputs, output, bool(validate))
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
        # Array API input (a GPU's, say): targets and sample weights, of any
        # namespace, are encoded on the host, then everything moves to X's.
        xp, device, dtypes = array_api_input(X)
        y_in = y
        if get_config()["array_api_dispatch"]:
            y = _xp_network.to_host(y)
            sample_weight = _xp_network.to_host(sample_weight)
        self._check_raw_targets(y, classes)
        with np.errstate(over="ignore"):  # longdouble beyond float64: inf
            X, y = validate_data(
                self,
                X,
                y,
                accept_sparse=["csr", "csc"],
                multi_output=True,
                y_numeric=self._y_numeric,
                dtype=(np.float64, np.float32) if xp is None else dtypes,
                reset=first,
            )
        # What the host-side encoding needs of X: its length and NumPy dtype.
        X_host = X
        if xp is not None:
            dtype = np.float64 if X.dtype == xp.float64 else np.float32
            X_host = np.empty((X.shape[0], 0), dtype)
        y, Y = self._encode_targets(y, first, incremental, classes)
        with np.errstate(over="ignore", invalid="ignore"):
            Y = np.ascontiguousarray(Y.T, dtype=X_host.dtype)
        if not np.isfinite(Y).all():
            raise ValueError(
                f"y has values beyond the range of {X.dtype}, the data type of X: "
                "pass X as float64 or rescale y."
            )
        self._check_targets(Y)
        sample_weight = self._sample_weight(sample_weight, X_host, y, incremental)
        if xp is not None:
            if first:
                self._targets_like(y_in)
            Y, sample_weight = (
                None if a is None else xp.asarray(a, device=device)
                for a in (Y, sample_weight)
            )
        return X, y, Y, sample_weight

    def _target_scaling(self, Y, sample_weight, state, first, incremental):
        """``(shift, scale)`` of the targets the network learns, or None.

        Regressors standardise their targets (see
        :meth:`ShallowNetRegressor._target_scaling`); classifiers learn
        their 0/1 indicators as they are.
        """
        return None

    def _scaling_advice(self, X):
        """The warning's advice on feature scales (:func:`scaling_advice`)."""
        return scaling_advice(X)

    def _saturated_share(self, params, XT):
        """Share of the hidden activations saturated at ``params``, in [0, 1].

        Taken over the first 1,000 columns of ``XT`` (n_features, m), for the
        bounded activations (tanh, sigmoid); 0 for the others. From the
        notes' initial weights (``0.01 * randn``) the units saturate only
        when the features are far from unit scale: each unit then starts
        where its gradient vanishes, and learns slowly if at all.
        """
        if self.activation not in ("tanh", "sigmoid"):
            return 0.0
        columns = XT[:, : min(XT.shape[1], 1000)]
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            cache = _network.forward(params, columns, self.activation, "identity")
        A1 = np.asarray(_xp_network.to_host(cache["A1"]), dtype=np.float64)
        if self.activation == "sigmoid":
            A1 = 2 * A1 - 1  # tanh(z / 2)
        return float(np.mean(np.abs(A1) > SATURATED)) if A1.size else 0.0

    def _constant_cost(self, Y, sample_weight, output):
        """The cost of the best constant prediction of ``Y`` (on the host).

        A cross-entropy's depends on the class frequencies alone: off NumPy,
        only those cross to the host.
        """
        if output in ("sigmoid", "softmax") and not _xp_network.is_numpy(Y):
            mean = _xp_network.row_means(Y, sample_weight)
            return _network.constant_cross_entropy(mean, output)
        to_host = _xp_network.to_host
        sw = None if sample_weight is None else to_host(sample_weight)
        return _network.constant_cost(to_host(Y), output, sw)

    def _make_objective(self, XT, Y, sample_weight, output):
        """The training objective ``(params, batch=None) -> (J, grads)``.

        Built from :meth:`_training_data`'s output (``XT`` is its ``X.T``,
        or the training part of it under early stopping).
        """
        return Objective(XT, Y, sample_weight, self.activation, output, self.alpha)

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

    def _split_generator(self, X, n_outputs, state):
        """The generator that holds out validation rows in a continued fit.

        With an integer ``random_state`` a warm-started fit holds out the rows
        the first fit held out (on the same data): the draws of that fit are
        replayed, so rows it trained on never become validation rows. With a
        generator or None there is no first draw to replay, and the state's
        generator draws a new split.
        """
        if not isinstance(self.random_state, Integral):
            return state.rng
        rng = check_random_state(self.random_state)
        self._initial_params(rng, X.shape[1], n_outputs, state.signature["dtype"])
        return rng

    def _report(self, outcome, solver, X, baseline, incremental, validated, Y=None):
        """Warn about every way the fit may have ended badly.

        ``baseline`` is the cost of the best constant prediction on the
        training part (on the chunk for ``partial_fit``; None when unknown,
        as for dask collections); ``Y`` the targets trained on, of shape
        (n_outputs, m), for the advice.
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
        advice = self._scaling_advice(X) + self._target_advice(Y)
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

    def _split(self, X, y, Y, sample_weight, rng, output):
        """Hold out ``validation_fraction`` of the data (stratified for classes).

        Class labels are split by class, as MLPClassifier splits them, and
        every class must have a sample on both sides; multilabel targets are
        split at random, as there.

        Returns the training part in the notes' layout and a function scoring
        parameters on the held-out part: ``params -> (cost, score)``; raises
        :class:`SplitImpossible` when a side would be too small or weightless.
        """
        n_samples = X.shape[0]
        n_val, stratify = math.ceil(self.validation_fraction * n_samples), None
        if self._stratify and y.ndim == 1:
            labels, counts = np.unique(y, return_counts=True)
            if counts.min() < 2:
                lone = labels[counts < 2].tolist()
                raise SplitImpossible(
                    "early_stopping=True holds out a validation set stratified "
                    "by class, which needs at least 2 samples of every class; "
                    f"the classes {lone} have 1. Set early_stopping=False or "
                    "give every class more samples."
                )
            stratify = y
            # Every class on both sides of the split.
            n_val = min(max(n_val, len(counts)), n_samples - len(counts))
        train_idx, val_idx = train_test_split(
            np.arange(n_samples),
            test_size=n_val,
            stratify=stratify,
            random_state=rng,
        )
        if len(val_idx) < 2:
            raise SplitImpossible(
                f"The validation set is too small: validation_fraction="
                f"{self.validation_fraction} of {X.shape[0]} samples leaves "
                f"{len(val_idx)}. Increase validation_fraction or the data."
            )
        take = _xp_network.take
        sw_train = sw_val = None
        if sample_weight is not None:
            sw_train = take(sample_weight, train_idx)
            sw_val = take(sample_weight, val_idx)
            for part, weights in (("training", sw_train), ("validation", sw_val)):
                if not _xp_network.max_value(weights) > 0:
                    raise SplitImpossible(
                        f"early_stopping split the data so that the {part} part "
                        "has zero total sample_weight. Give more samples a "
                        "non-zero weight or change validation_fraction."
                    )
        X_val, Y_val = take(X, val_idx).T, take(Y, val_idx, axis=1)
        # The score is taken on the host (from the small outputs).
        to_host = _xp_network.to_host
        Y_val_host, sw_val_host = to_host(Y_val), to_host(sw_val)

        def validate(params):
            cache = _network.forward(params, X_val, self.activation, output)
            cost = _network.cost(params, Y_val, cache, output, 0.0, sw_val)
            A2 = to_host(cache["A2"])
            return cost, self._score_output(A2, Y_val_host, sw_val_host)

        return take(X, train_idx).T, take(Y, train_idx, axis=1), sw_train, validate

    #: Split early-stopping data by class (classifiers).
    _stratify = False
    #: What the best constant prediction predicts, for the warnings.
    _constant_prediction = "the mean target"
    #: What ``learning_rate="auto"`` resolves to, by solver.
    _auto_learning_rates = AUTO_LEARNING_RATES
    #: Whether targets must be numbers (regressors).
    _y_numeric = False

    def _targets_like(self, y):
        """Put target attributes in ``y``'s namespace (array API fits)."""

    def __sklearn_array_api_convert__(self, converter):
        """A copy whose fitted arrays went through ``converter``.

        Used by :func:`sk_shallow.move_to`: the weights, ``classes_`` (when
        numeric) and the optimiser's state move; the host-side target
        encoding stays as it is.
        """
        new = copy.copy(self)
        if hasattr(self, "_state"):
            state = new._state = copy.copy(self._state)
            state.params = {k: converter(v) for k, v in state.params.items()}
            state.solver = _xp_network.convert_state(state.solver, converter)
            new.W1_, new.b1_, new.W2_, new.b2_ = (
                state.params[k] for k in _network.PARAM_NAMES
            )
        classes = getattr(self, "classes_", None)
        if classes is not None and (
            not _xp_network.is_numpy(classes) or classes.dtype.kind in "biuf"
        ):
            new.classes_ = converter(classes)
        return new

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.array_api_support = _xp_network.SUPPORTED
        return tags


def metric_weights(sample_weight):
    """``sample_weight`` for a metric, scaled so that its sums cannot overflow.

    A metric weighs through the weights' ratios: NumPy weights beyond 1e100
    are divided by a power of two (exact); anything else is returned as it is.

    Parameters
    ----------
    sample_weight : array-like of shape (n_samples,) or None

    Returns
    -------
    sample_weight : ndarray of shape (n_samples,), or as given
    """
    if sample_weight is None or not _xp_network.is_numpy(sample_weight):
        return sample_weight
    weights = np.asarray(sample_weight)
    if weights.dtype.kind != "f" or not weights.size:
        return sample_weight
    heaviest = float(np.abs(weights).max())
    if not (math.isfinite(heaviest) and heaviest > 1e100):
        return sample_weight
    return weights * power_of_two_below(heaviest)


def _standardise(Y, scaling):
    """``(Y - shift) / scale``, row by row, in ``Y``'s namespace (dask too)."""
    shift, scale = scaling
    return (Y - _like(shift, Y)) / _like(scale, Y)


def _like(values, array):
    """The host column ``values`` in the namespace, device and dtype of ``array``."""
    if _xp_network.is_numpy(array):
        return np.asarray(values, dtype=array.dtype)
    xp = _xp_network.namespace(array)
    return xp.asarray(values, dtype=array.dtype, device=_xp_network.device_of(array))


def _fold_scaling(params, scaling, inverse=False):
    """The output layer in the targets' units: ``W2 scale``, ``b2 scale + shift``.

    With ``inverse``, the other way: the weights that predict standardised
    targets. The hidden layer is the same either way; the network's output
    ``W2 A1 + b2`` becomes ``scale (W2 A1 + b2) + shift``, exactly the
    prediction in ``y``'s units, so the fitted ``W2_`` and ``b2_`` predict
    ``y`` directly (ONNX export and the Dask estimators see a plain network).

    Parameters
    ----------
    params : dict
        ``W2`` of shape (n_outputs, n_hidden) and ``b2`` of shape
        (n_outputs, 1), with the hidden layer's.
    scaling : tuple of ndarray
        ``(shift, scale)``, each of shape (n_outputs, 1), on the host.

    Returns
    -------
    params : dict
        New ``W2`` and ``b2``; the other arrays are those of ``params``.
    """
    shift, scale = (_like(v, params["W2"]) for v in scaling)
    W2, b2 = params["W2"], params["b2"]
    if inverse:
        return {**params, "W2": W2 / scale, "b2": (b2 - shift) / scale}
    return {**params, "W2": W2 * scale, "b2": b2 * scale + shift}


def finite_weights(weights, name):
    """Check per-sample ``weights``: finite, not all zero; rescaled if huge.

    Weights whose sum overflows (equal weights of 1e307) are divided by their
    largest value: the cost is a weighted mean, unchanged by a common factor.
    """
    if not np.isfinite(weights).all():
        raise ValueError(
            f"{name} must be finite; it has NaN or infinite values (or values "
            f"beyond the range of {weights.dtype})."
        )
    if not weights.max(initial=0) > 0:
        raise ValueError(f"{name} gives every sample a zero weight: nothing to fit.")
    with np.errstate(over="ignore"):
        total = weights.sum()
    if not np.isfinite(total):
        weights = weights / weights.max()
    return weights
