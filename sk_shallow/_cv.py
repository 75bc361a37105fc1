"""Model selection in one pass: the grid search of the notes' networks.

:class:`ShallowNetClassifierCV` and :class:`ShallowNetRegressorCV` do what
``GridSearchCV(ShallowNetClassifier(...), param_grid, cv=...)`` does, with
the same scores and the same chosen parameters, but train every network of
every fold together (:mod:`sk_shallow._batch`): one forward and one
backward pass per step for a stack of networks, instead of one per network.
"""

import copy
import time
from numbers import Integral

import numpy as np
import scipy.sparse as sp
from scipy.stats import rankdata
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MetaEstimatorMixin,
    RegressorMixin,
    _fit_context,
    clone,
    is_classifier,
)
from sklearn.exceptions import FitFailedWarning
from sklearn.metrics import check_scoring
from sklearn.model_selection import ParameterGrid, check_cv
from sklearn.utils import _safe_indexing, check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_array, check_is_fitted, indexable

from . import _batch
from ._classifier import ShallowNetClassifier
from ._problem import SplitImpossible
from ._regressor import ShallowNetRegressor
from ._report import warn
from ._stopping import TrainingDiverged

#: What fails one fit of a search (a nan test score) rather than the search:
#: training that runs away, a fold too small to hold out a validation set.
FIT_FAILURES = (TrainingDiverged, SplitImpossible)

#: The notes' sweep of hidden layer sizes: the grid when none is given.
DEFAULT_HIDDEN = [1, 2, 3, 4, 5, 20, 50]


def _best_has(method):
    """``available_if`` check: the refitted (or plain) estimator has ``method``."""

    def check(self):
        if hasattr(self, "best_estimator_"):
            return hasattr(self.best_estimator_, method)
        return hasattr(self._estimator_type_class, method)

    return check


class _BaseShallowNetCV(MetaEstimatorMixin, BaseEstimator):
    """Grid search over a shallow network's parameters; use a subclass."""

    #: The plain estimator whose parameters this one takes.
    _plain_class = None

    #: Grid parameters that a search cannot vary, and why.
    _fixed = {
        "warm_start": "every fit of a search starts from new weights",
        "verbose": "set verbose on the search itself",
    }

    @property
    def _estimator_type_class(self):
        return self._plain_class

    def _plain(self):
        """The plain estimator with this one's parameters."""
        names = self._plain_class._get_param_names()
        return self._plain_class(**{k: getattr(self, k) for k in names})

    def _candidates(self, base):
        """The grid's parameter dicts, checked; ValueError for a bad grid."""
        grid = self.param_grid
        if grid is None:
            grid = {"n_hidden": DEFAULT_HIDDEN}
        if isinstance(grid, dict):
            grid = [grid]
        grid = list(grid)
        if not grid:
            raise ValueError("param_grid is empty: give at least one dict.")
        known = set(base.get_params(deep=False))
        for point in grid:
            if not isinstance(point, dict):
                raise TypeError(
                    f"param_grid must be a dict or a list of dicts, not {point!r}."
                )
            for name in point:
                if name not in known:
                    raise ValueError(
                        f"param_grid has an unknown parameter {name!r}; the "
                        f"parameters of {type(base).__name__} are "
                        f"{sorted(known)}."
                    )
                if name in self._fixed:
                    raise ValueError(
                        f"param_grid cannot vary {name!r}: {self._fixed[name]}."
                    )
                if name == "random_state" and self.n_init > 1:
                    raise ValueError(
                        "param_grid cannot vary 'random_state' with n_init > 1: "
                        "the restarts draw their seeds from random_state."
                    )
        candidates = list(ParameterGrid(grid))
        for params in candidates:
            clone(base).set_params(**params)._validate_params()
        return candidates

    def _seeds(self):
        """The ``random_state`` of each restart: the search's own first."""
        rng = check_random_state(copy.deepcopy(self.random_state))
        draws = rng.randint(np.iinfo(np.int32).max, size=self.n_init)
        return [self.random_state, *(int(s) for s in draws[1:])]

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None, groups=None):
        """Score every grid point on every fold, then refit the best on all data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights of every fit (split with the folds). The
            test scores are unweighted, as ``GridSearchCV``'s by default.
        groups : array-like of shape (n_samples,), default=None
            Group labels for a group splitter in ``cv``.

        Returns
        -------
        self : object
            The fitted search.
        """
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y "
                "is None."
            )
        base = self._plain()
        base._validate_params()
        candidates = self._candidates(base)
        # The data checked once, whole, as the plain estimator checks it: bad
        # input is an error, not a failed fit per fold.
        clone(base)._prepare(X, y, sample_weight, True, False, None)
        X, y, groups = indexable(X, y, groups)
        cv = check_cv(self.cv, y, classifier=is_classifier(base))
        splits = list(cv.split(X, y, groups))
        scorer = check_scoring(base, scoring=self.scoring)
        seeds = self._seeds()
        # One array per fold, shared by the fold's networks: their stack.
        # The refit takes X as given (a DataFrame's column names included).
        given = X
        dense = _dense_numpy(X)
        if dense is not None:
            X = dense
        if sample_weight is not None:
            sample_weight = np.asarray(sample_weight)

        n_c, n_f = len(candidates), len(splits)
        jobs = []  # (candidate, fold, training set, estimators of its restarts)
        for f, (train, _) in enumerate(splits):
            data = (
                _safe_indexing(X, train),
                _safe_indexing(y, train),
                None if sample_weight is None else sample_weight[train],
            )
            for c, params in enumerate(candidates):
                restarts = [
                    clone(base).set_params(**{"random_state": seed, **params})
                    for seed in seeds
                ]
                jobs.append((c, f, data, restarts))
        fitted, failures, seconds = _fit_all(jobs, batch=dense is not None)

        def _score_weights(test):
            # As GridSearchCV: the weights reach a scorer that takes them.
            if sample_weight is None or not scorer._accept_sample_weight():
                return {}
            return {"sample_weight": sample_weight[test]}

        scores = np.full((n_c, n_f), np.nan)
        fit_times = np.zeros((n_c, n_f))
        score_times = np.zeros((n_c, n_f))
        errors = np.full((n_c, n_f), "", dtype=object)
        n_iters = np.zeros((n_c, n_f), dtype=int)
        for j, (c, f, _, _) in enumerate(jobs):
            fit_times[c, f] = seconds[j]
            best = _best_restart(fitted[j])
            if best is None:
                errors[c, f] = failures[j]
                warn(
                    f"Every fit of {candidates[c]} on fold {f} failed: "
                    f"{failures[j]} Its test score is nan.",
                    FitFailedWarning,
                )
                continue
            test = splits[f][1]
            X_te, y_te = _safe_indexing(X, test), _safe_indexing(y, test)
            start = time.perf_counter()
            scores[c, f] = scorer(best, X_te, y_te, **_score_weights(test))
            score_times[c, f] = time.perf_counter() - start
            n_iters[c, f] = best.n_iter_
        fitted_attributes = self._results(
            candidates, scores, fit_times, score_times, errors, n_iters
        )
        if self.refit:
            best_params = fitted_attributes["best_params_"]
            restarts = [
                clone(base).set_params(**{"random_state": seed, **best_params})
                for seed in seeds
            ]
            start = time.perf_counter()
            fitted, failures, _ = _fit_all(
                [(0, 0, (given, y, sample_weight), restarts)], batch=dense is not None
            )
            best = _best_restart(fitted[0])
            if best is None:
                raise ValueError(
                    f"The refit of the best parameters {best_params} on all the "
                    f"data failed: {failures[0]}"
                )
            fitted_attributes["best_estimator_"] = best
            fitted_attributes["refit_time_"] = time.perf_counter() - start
        # Published together: a search that fails leaves the last one intact.
        if not self.refit and hasattr(self, "best_estimator_"):
            del self.best_estimator_
        for name, value in fitted_attributes.items():
            setattr(self, name, value)
        self.n_splits_ = n_f
        self.scorer_ = scorer
        self.multimetric_ = False
        return self

    def _results(self, candidates, scores, fit_times, score_times, errors, iters):
        """``cv_results_`` with GridSearchCV's keys, and the best candidate.

        Returns the fitted attributes they make, by name.
        """
        results = {
            "mean_fit_time": fit_times.mean(axis=1),
            "std_fit_time": fit_times.std(axis=1),
            "mean_score_time": score_times.mean(axis=1),
            "std_score_time": score_times.std(axis=1),
        }
        names = sorted({k for params in candidates for k in params})
        for name in names:
            column = np.ma.MaskedArray(np.empty(len(candidates), dtype=object))
            column.mask = True
            for c, params in enumerate(candidates):
                if name in params:
                    column[c] = params[name]
            results[f"param_{name}"] = column
        results["params"] = candidates
        for f in range(scores.shape[1]):
            results[f"split{f}_test_score"] = scores[:, f]
        with np.errstate(invalid="ignore"):
            results["mean_test_score"] = scores.mean(axis=1)
            results["std_test_score"] = scores.std(axis=1)
        mean = results["mean_test_score"]
        if np.isnan(mean).all():
            ranks = np.ones(len(mean), dtype=np.int32)
        else:
            low = np.nanmin(mean) - 1
            ranks = rankdata(-np.where(np.isnan(mean), low, mean), method="min")
        results["rank_test_score"] = np.asarray(ranks, dtype=np.int32)
        for f in range(scores.shape[1]):
            results[f"split{f}_fit_error"] = errors[:, f]
            results[f"split{f}_n_iter"] = iters[:, f]
        best = int(np.flatnonzero(ranks == 1)[0])
        return dict(
            cv_results_=results,
            best_index_=best,
            best_params_=candidates[best],
            best_score_=float(mean[best]),
        )

    # -- what the best estimator does ----------------------------------------
    @property
    def classes_(self):
        """The class labels of the best estimator."""
        check_is_fitted(self, "best_estimator_")
        return self.best_estimator_.classes_

    @property
    def n_iter_(self):
        """The iterations of the best estimator's fit."""
        check_is_fitted(self, "best_estimator_")
        return self.best_estimator_.n_iter_

    @property
    def n_features_in_(self):
        """The number of features seen during :meth:`fit`."""
        check_is_fitted(self, "best_estimator_")
        return self.best_estimator_.n_features_in_

    @available_if(_best_has("predict"))
    def predict(self, X):
        """The best estimator's predictions.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predicted targets or labels.
        """
        check_is_fitted(self, "best_estimator_")
        return self.best_estimator_.predict(X)

    @available_if(_best_has("predict_proba"))
    def predict_proba(self, X):
        """The best estimator's class probabilities.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            The probability of each class, in the order of ``classes_``.
        """
        check_is_fitted(self, "best_estimator_")
        return self.best_estimator_.predict_proba(X)

    @available_if(_best_has("predict_log_proba"))
    def predict_log_proba(self, X):
        """The logarithms of the best estimator's class probabilities.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            The log-probability of each class, in the order of ``classes_``.
        """
        check_is_fitted(self, "best_estimator_")
        return self.best_estimator_.predict_log_proba(X)

    @available_if(_best_has("decision_function"))
    def decision_function(self, X):
        """The best estimator's decision function.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            The output layer's pre-activation.
        """
        check_is_fitted(self, "best_estimator_")
        return self.best_estimator_.decision_function(X)

    def score(self, X, y, sample_weight=None):
        """The best estimator's score (accuracy, or R^2 for a regressor).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Test samples.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            True targets or labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            ``self.best_estimator_.score(X, y, sample_weight)``.
        """
        check_is_fitted(self, "best_estimator_")
        return self.best_estimator_.score(X, y, sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        plain = self._plain().__sklearn_tags__()
        tags.input_tags = plain.input_tags
        tags.target_tags = plain.target_tags
        # Array API input is fitted one network at a time (no stack).
        tags.array_api_support = plain.array_api_support
        return tags


def _dense_numpy(X):
    """``X`` as a float NumPy array that the folds can share, or None.

    None for sparse input and for arrays of other namespaces: their fits run
    one by one.
    """
    if sp.issparse(X) or not isinstance(X, (np.ndarray, list, tuple)):
        if not hasattr(X, "iloc"):  # a DataFrame converts, others are fitted alone
            return None
    try:
        return check_array(
            X, dtype=(np.float64, np.float32), ensure_all_finite=False, order="C"
        )
    except (TypeError, ValueError):
        return None


def _fit_all(jobs, batch):
    """Fit the restarts of every job ``(c, f, (X, y, sample_weight), restarts)``.

    The gradient-descent fits of all jobs are stacked and trained together
    (``batch``); the others are fitted one by one. Returns, per job, the
    fitted restarts (None for a failed one), the error message of its last
    failure, and its share of the time.
    """
    fitted = [[None] * len(job[3]) for job in jobs]
    failures = [""] * len(jobs)
    seconds = [0.0] * len(jobs)
    prepared = []
    start = time.perf_counter()
    for j, (_, _, (X, y, sw), restarts) in enumerate(jobs):
        for r, est in enumerate(restarts):
            if batch and _batch.batchable(est):
                try:
                    prepared.append((j, r, _batch.prepare(est, X, y, sw)))
                except FIT_FAILURES as error:
                    failures[j] = str(error)
                continue
            alone = time.perf_counter()
            try:
                fitted[j][r] = est.fit(X, y, sample_weight=sw)
            except FIT_FAILURES as error:
                failures[j] = str(error)
            seconds[j] += time.perf_counter() - alone
    _batch.train([fit for _, _, fit in prepared])
    for j, r, fit in prepared:
        try:
            fitted[j][r] = _batch.finish(fit)
        except FIT_FAILURES as error:
            failures[j] = str(error)
    # The stack's time, shared between its networks by their steps.
    shared = time.perf_counter() - start - sum(seconds)
    steps = {(j, r): max(1, fit.progress.n_iter) for j, r, fit in prepared}
    total = sum(steps.values())
    for (j, _), n in steps.items():
        seconds[j] += shared * n / total
    return fitted, failures, seconds


def _best_restart(estimators):
    """The fitted restart with the lowest final training cost, or None."""
    done = [e for e in estimators if e is not None]
    if not done:
        return None
    return min(done, key=lambda e: e.loss_)


_CV_CONSTRAINTS = {
    "param_grid": [dict, list, None],
    "cv": ["cv_object"],
    "scoring": [StrOptions(set()), callable, None, HasMethods("__call__")],
    "refit": ["boolean"],
    "n_init": [Interval(Integral, 1, None, closed="left")],
}
_CV_CONSTRAINTS["scoring"] = [str, callable, None]


class ShallowNetClassifierCV(ClassifierMixin, _BaseShallowNetCV):
    """ShallowNetClassifier, its parameters chosen by cross-validation.

    A grid search, as ``GridSearchCV(ShallowNetClassifier(...), param_grid,
    cv=cv, scoring=scoring)`` does it, with the same test scores and the
    same ``best_params_``, but with the gradient-descent fits of every grid
    point, fold and restart trained together: one forward and one backward
    pass per step for a stack of networks. Each network still stops on its
    own stopping rule, with its own step safeguard and halvings; one that
    diverges has a test score of nan (its error in
    ``cv_results_["split<k>_fit_error"]``) and does not stop the others.

    What cannot be stacked is fitted one by one, with the same results:
    other solvers, sparse input, array API input (scikit-learn's
    ``array_api_dispatch``: the fits run one by one in the input's
    namespace). Dask collections are out of scope: search over
    :mod:`sk_shallow.dask` estimators with Dask-ML's own searches.

    Parameters
    ----------
    param_grid : dict, list of dict or None, default=None
        None searches the notes' hidden layer sizes, ``{"n_hidden": [1, 2,
        3, 4, 5, 20, 50]}``. Otherwise parameter names of the plain
        estimator mapped to lists of values to try, as ``GridSearchCV``'s.
        Every parameter may vary but ``warm_start`` and ``verbose`` (and
        ``random_state`` when
        ``n_init > 1``). The candidates with ``solver="gd"`` (the default,
        the notes' full-batch descent) train together, in stacks of
        networks with training sets of one size, whatever else they vary
        (``activation``, ``n_hidden``,
        ``learning_rate``, ``alpha``, ``init``, ``init_scale``, ``tol``,
        ``max_iter``...); those with another solver are fitted one by one.
    n_hidden : int, default=4
        Number of hidden units ``n[1]``.
    activation : {"tanh", "sigmoid", "relu", "leaky_relu", "identity"}, \
            default="tanh"
        Hidden activation ``g``. ``"leaky_relu"`` is ``max(0.01 z, z)``;
        ``"identity"`` makes the network a linear model (notes 3.7).
    solver : {"gd", "sgd", "adam", "lbfgs"}, default="gd"
        - ``"gd"``: the notes' full-batch gradient descent.
        - ``"sgd"``: mini-batch stochastic gradient descent with momentum.
        - ``"adam"``: Adam, a stochastic solver with adaptive steps.
        - ``"lbfgs"``: L-BFGS-B from :func:`scipy.optimize.minimize`, often
          the fastest on small data.
    learning_rate : "auto" or float, default="auto"
        Step size: the notes' alpha (not our ``alpha``, the L2 penalty);
        ``learning_rate_init`` in scikit-learn's MLPClassifier. ``"auto"`` is
        1.2 for ``"gd"`` (the notes' value), 0.01 for ``"sgd"`` and 0.001 for
        ``"adam"``; ``"lbfgs"`` takes no step size. ``"gd"`` undoes a step
        that raises the cost by more than 1% and halves it (``learning_rate_``);
        with ``"auto"``, ``"sgd"`` and ``"adam"`` undo an update whose cost
        runs away and halve the step, where a chosen step raises an error.
    max_iter : int or "auto", default="auto"
        Maximum number of iterations: gradient-descent steps for ``"gd"``,
        epochs (passes over the data) for ``"sgd"`` and ``"adam"``, L-BFGS
        iterations for ``"lbfgs"``. ``"auto"`` is the notes' 10000 steps for
        ``"gd"``, 1000 epochs for ``"sgd"`` and ``"adam"``, and 200
        iterations for ``"lbfgs"`` (MLPClassifier's).
    tol : float or "auto", default="auto"
        Training stops when the cost (or the held-out value early stopping
        watches: the validation score with ``early_stopping=True``, the
        validation cost with ``"auto"``) has not improved by at least
        ``tol`` for more than ``n_iter_no_change`` consecutive iterations,
        unless the gains are those of a plateau being escaped (see the user
        guide's stopping rule). ``"auto"`` is 1e-7 for ``"gd"`` and 1e-6
        for the others. For ``"lbfgs"`` it is scipy's gradient tolerance
        ``gtol``.
    n_iter_no_change : int, np.inf or "auto", default="auto"
        See ``tol``; ``np.inf`` disables the rule. ``"auto"`` is 10 on the
        training cost; on the held-out cost or score (early stopping) it is
        200 steps for ``"gd"`` (a full-batch step moves the weights far less
        than an epoch of mini-batches) and 10 iterations otherwise.
    alpha : float, default=0.0
        L2 penalty, scikit-learn's ``alpha`` (the notes' step size alpha is
        ``learning_rate``), scaled as in MLPClassifier:
        ``J += alpha / (2 m) * (||W1||^2 + ||W2||^2)``, so that ``alpha=1.0``
        is LogisticRegression's default strength ``C=1`` (``alpha = 1 / C``).
        The default 0 is the notes' cost; on a few hundred rows of several
        columns, which 10,000 unpenalised steps overfit, ``alpha=1.0`` is
        the usual cure (see :ref:`tabular-defaults`).
    batch_size : int or "auto", default="auto"
        Examples per update of ``"sgd"`` and ``"adam"``; ``"auto"`` is
        ``min(200, n_samples)``, and larger values are clipped to
        ``n_samples``.
    shuffle : bool, default=True
        Shuffle the examples before each epoch of ``"sgd"`` and ``"adam"``.
    learning_rate_schedule : {"constant", "invscaling", "adaptive"}, \
            default="constant"
        Step schedule of ``"sgd"`` (MLPClassifier's ``learning_rate``):
        ``"invscaling"`` decays the step as ``learning_rate / (t + 1) **
        power_t`` with ``t`` the samples seen; ``"adaptive"`` divides it by 5
        whenever the stopping rule would stop, until it falls below 1e-6.
    power_t : float, default=0.5
        Exponent of ``"invscaling"``.
    momentum : float, default=0.9
        Momentum of ``"sgd"``, in [0, 1].
    nesterovs_momentum : bool, default=True
        Use Nesterov's momentum with ``"sgd"``.
    beta_1, beta_2 : float, default=0.9, 0.999
        Decay rates of Adam's first and second moment estimates, in [0, 1).
    epsilon : float, default=1e-8
        Adam's numerical-stability constant.
    early_stopping : bool or "auto", default="auto"
        ``True``: hold out a stratified ``validation_fraction`` of the training data
        (with its sample weights), stop when the validation accuracy stops
        improving, and keep the weights that scored best. ``"auto"``: the
        same from 1000 training rows on, or 500 with 10 columns or more
        (never for ``partial_fit`` or dask collections), but stopping on,
        and keeping the best, held-out cost, which keeps falling while a
        plateau is crossed; on smaller data (the notes' flower: 400 rows, 2
        columns), or where the split would hold out fewer than 2 rows or
        leave a side without weight, it trains on all of it, as ``False``.
        Works with every solver.
        As in MLPClassifier, a class with a single sample is an error when
        data are held out (it cannot be on both sides of the split) and
        multilabel targets are split at random.
    validation_fraction : float, default=0.1
        Share of the training data held out for early stopping, in (0, 1).
    max_fun : int, default=15000
        Maximum number of cost evaluations of ``"lbfgs"``.
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, as in LogisticRegression: a dict
        ``{label: weight}``, or ``"balanced"`` for ``n_samples / (n_classes *
        np.bincount(y))``. Multiplied with ``sample_weight``. A class missing
        from the dict weighs 1; labels of the dict that are not classes of
        ``y`` (a class absent from a cross-validation fold) are ignored when
        the dict weighs every class, an error otherwise.
    init : {"normal", "glorot", "he", "zeros"}, default="normal"
        Weight initialisation. ``"normal"`` is the notes' ``randn * init_scale``
        (``W1`` drawn before ``W2``, zero biases); ``"glorot"`` is
        MLPClassifier's uniform draw (same weights for the same
        ``random_state``); ``"he"`` is ``randn * sqrt(2 / fan_in)``;
        ``"zeros"`` shows the symmetry problem of notes 3.11 and warns.
    init_scale : float, default=0.01
        Scale of the ``"normal"`` initialisation.
    random_state : int, RandomState instance or None, default=None
        Seed of the initialisation, the shuffling and the validation split.
        ``random_state=2`` with the defaults draws exactly
        ``np.random.seed(2); randn(n_h, n_x) * 0.01; randn(n_y, n_h) * 0.01``.
    verbose : int, default=0
        ``1`` prints the cost (and validation cost and score) about a hundred
        times during training, ``2`` and more at every iteration.
    warm_start : bool, default=False
        Continue from the weights of the previous fit instead of drawing new
        ones, with a new optimiser; ``loss_curve_`` (and
        ``validation_scores_``) continue too. The classes, ``n_hidden`` and
        ``activation`` must be those of the previous fit (an error says so).
    cv : int, cross-validation generator or iterable, default=None
        The folds, as ``check_cv`` takes them: None for 5 folds (stratified
        for a classifier), an integer, a splitter or ``(train, test)`` pairs.
    scoring : str, callable or None, default=None
        The test score, as ``GridSearchCV``'s single metric: None for the
        estimator's ``score`` (accuracy, R^2).
    refit : bool, default=True
        Refit the best parameters on all the data as ``best_estimator_``.
    n_init : int, default=1
        Independent restarts of every fit, each from its own initial
        weights; the one with the lowest final training cost (``loss_``)
        is kept. The first uses ``random_state`` itself (so ``n_init=1``
        fits what the plain estimator fits), the others seeds drawn from it.

    Attributes
    ----------
    cv_results_ : dict of ndarray
        ``GridSearchCV``'s keys (``params``, ``param_<name>``,
        ``split<k>_test_score``, ``mean_test_score``, ``std_test_score``,
        ``rank_test_score``, ``mean_fit_time``...), so that
        ``pandas.DataFrame(cv_results_)`` tabulates them; and per fold
        ``split<k>_n_iter`` (the kept restart's iterations) and
        ``split<k>_fit_error`` (why every restart failed, or ""). A stacked
        fit's time is its share of the stack's, by its steps.
    best_params_ : dict
        The grid point of the best mean test score.
    best_score_ : float
        Its mean test score.
    best_index_ : int
        Its index in ``cv_results_``.
    best_estimator_ : ShallowNetClassifier
        The plain estimator refit with ``best_params_`` on all the data
        (with ``refit=True``), the restart of lowest training cost kept.
    refit_time_ : float
        Seconds the refit took.
    n_splits_ : int
        The number of folds.
    scorer_ : callable
        The scorer of the test scores.

    See Also
    --------
    ShallowNetClassifier : The plain estimator.
    sklearn.model_selection.GridSearchCV : The search this one reproduces.

    Examples
    --------
    >>> from sk_shallow import ShallowNetClassifierCV
    >>> from sklearn.datasets import make_moons
    >>> X, y = make_moons(n_samples=100, random_state=0)
    >>> search = ShallowNetClassifierCV(
    ...     {"n_hidden": [1, 4]}, max_iter=200, cv=3, random_state=0
    ... ).fit(X, y)
    >>> sorted(search.best_params_)
    ['n_hidden']
    """

    _plain_class = ShallowNetClassifier
    _parameter_constraints: dict = {
        **ShallowNetClassifier._parameter_constraints,
        **_CV_CONSTRAINTS,
    }

    def __init__(
        self,
        param_grid=None,
        n_hidden=4,
        activation="tanh",
        *,
        solver="gd",
        learning_rate="auto",
        max_iter="auto",
        tol="auto",
        n_iter_no_change="auto",
        alpha=0.0,
        batch_size="auto",
        shuffle=True,
        learning_rate_schedule="constant",
        power_t=0.5,
        momentum=0.9,
        nesterovs_momentum=True,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-08,
        early_stopping="auto",
        validation_fraction=0.1,
        max_fun=15000,
        class_weight=None,
        init="normal",
        init_scale=0.01,
        random_state=None,
        verbose=0,
        warm_start=False,
        cv=None,
        scoring=None,
        refit=True,
        n_init=1,
    ):
        self.param_grid = param_grid
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
        self.class_weight = class_weight
        self.init = init
        self.init_scale = init_scale
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start
        self.cv = cv
        self.scoring = scoring
        self.refit = refit
        self.n_init = n_init


class ShallowNetRegressorCV(RegressorMixin, _BaseShallowNetCV):
    """ShallowNetRegressor, its parameters chosen by cross-validation.

    A grid search, as ``GridSearchCV(ShallowNetRegressor(...), param_grid,
    cv=cv, scoring=scoring)`` does it, with the same test scores and the
    same ``best_params_``, but with the gradient-descent fits of every grid
    point, fold and restart trained together: one forward and one backward
    pass per step for a stack of networks. Each network still stops on its
    own stopping rule, with its own step safeguard and halvings; one that
    diverges has a test score of nan (its error in
    ``cv_results_["split<k>_fit_error"]``) and does not stop the others.

    What cannot be stacked is fitted one by one, with the same results:
    other solvers, sparse input, array API input (scikit-learn's
    ``array_api_dispatch``: the fits run one by one in the input's
    namespace). Dask collections are out of scope: search over
    :mod:`sk_shallow.dask` estimators with Dask-ML's own searches.

    Parameters
    ----------
    param_grid : dict, list of dict or None, default=None
        None searches the notes' hidden layer sizes, ``{"n_hidden": [1, 2,
        3, 4, 5, 20, 50]}``. Otherwise parameter names of the plain
        estimator mapped to lists of values to try, as ``GridSearchCV``'s.
        Every parameter may vary but ``warm_start`` and ``verbose`` (and
        ``random_state`` when
        ``n_init > 1``). The candidates with ``solver="gd"`` (the default,
        the notes' full-batch descent) train together, in stacks of
        networks with training sets of one size, whatever else they vary
        (``activation``, ``n_hidden``,
        ``learning_rate``, ``alpha``, ``init``, ``init_scale``, ``tol``,
        ``max_iter``...); those with another solver are fitted one by one.
    n_hidden : int, default=4
        Number of hidden units ``n[1]``.
    activation : {"tanh", "sigmoid", "relu", "leaky_relu", "identity"}, \
            default="tanh"
        Hidden activation ``g``.
    loss : {"squared_error", "poisson"}, default="squared_error"
        ``"squared_error"``: identity output, ``J = 1/(2m) sum (y - y_hat)^2``
        (summed over targets). ``"poisson"``: ``y_hat = exp(z)``, half Poisson
        deviance; ``y`` must be non-negative.
    solver : {"gd", "sgd", "adam", "lbfgs"}, default="gd"
        The notes' gradient descent, mini-batch SGD, Adam, or L-BFGS-B (see
        :class:`ShallowNetClassifier`).
    learning_rate : "auto" or float, default="auto"
        ``"auto"`` is 0.1 for ``"gd"``, 0.01 for ``"sgd"`` and 0.001 for
        ``"adam"`` (squared errors are steeper than log-losses, so gradient
        descent takes a smaller step than the classifier's 1.2). As in
        :class:`ShallowNetClassifier`, ``"gd"`` halves a step that raises the
        cost by more than 1%, and with ``"auto"`` the stochastic solvers
        undo a run-away update and halve theirs (``learning_rate_``).
    max_iter : int or "auto", default="auto"
        Maximum number of iterations (steps for ``"gd"``, epochs for
        ``"sgd"`` and ``"adam"``, iterations for ``"lbfgs"``). ``"auto"`` is
        10000 for ``"gd"``, 1000 for ``"sgd"`` and ``"adam"``, 200 for
        ``"lbfgs"``.
    tol : float or "auto", default="auto"
        Stop when the cost (or the held-out value early stopping watches:
        the validation R^2 with ``early_stopping=True``, the validation cost
        with ``"auto"``) has not improved by ``tol`` for more than
        ``n_iter_no_change`` iterations, unless escaping a plateau; scipy's
        ``gtol`` for ``"lbfgs"``. ``"auto"`` is 1e-7 for ``"gd"``, 1e-6 otherwise.
    n_iter_no_change : int, np.inf or "auto", default="auto"
        See ``tol``; ``np.inf`` disables the rule. ``"auto"`` is 10 on the
        training cost; on the held-out cost or score (early stopping) it is
        200 steps for ``"gd"`` (a full-batch step moves the weights far less
        than an epoch of mini-batches) and 10 iterations otherwise.
    alpha : float, default=1.0
        L2 penalty ``alpha / (2 m) * (||W1||^2 + ||W2||^2)``, as in
        MLPRegressor (the notes' step size alpha is ``learning_rate``).
        With the squared error on the standardised targets,
        ``J = 1/(2m) (||y - y_hat||^2 + alpha ||W||^2)`` is Ridge's
        objective up to the factor ``1/(2m)``, so the default 1.0 is the
        strength of ``Ridge()``'s default ``alpha=1.0``: without it, 10,000
        steps overfit a few hundred rows (see :ref:`tabular-defaults`).
        ``alpha=0`` is the notes' unpenalised cost.
    batch_size : int or "auto", default="auto"
        Examples per update of ``"sgd"`` and ``"adam"``.
    shuffle : bool, default=True
        Shuffle the examples before each epoch of ``"sgd"`` and ``"adam"``.
    learning_rate_schedule : {"constant", "invscaling", "adaptive"}, \
            default="constant"
        Step schedule of ``"sgd"`` (MLPClassifier's ``learning_rate``):
        ``"invscaling"`` decays the step as ``learning_rate / (t + 1) **
        power_t`` with ``t`` the samples seen; ``"adaptive"`` divides it by 5
        whenever the stopping rule would stop, until it falls below 1e-6.
    power_t : float, default=0.5
        Exponent of ``"invscaling"``.
    momentum : float, default=0.9
        Momentum of ``"sgd"``.
    nesterovs_momentum : bool, default=True
        Use Nesterov's momentum with ``"sgd"``.
    beta_1 : float, default=0.9
        Adam's decay rate of the first moment.
    beta_2 : float, default=0.999
        Adam's decay rate of the second moment.
    epsilon : float, default=1e-8
        Adam's numerical-stability constant.
    early_stopping : bool or "auto", default="auto"
        ``True``: hold out ``validation_fraction`` of the training data
        (with its sample weights), stop when the validation R^2 stops
        improving, and keep the weights that scored best. ``"auto"``: the
        same from 1000 training rows on, or 500 with 10 columns or more
        (never for ``partial_fit`` or dask collections), but stopping on,
        and keeping the best, held-out cost, which keeps falling while a
        plateau is crossed; on smaller data (the notes' flower: 400 rows, 2
        columns), or where the split would hold out fewer than 2 rows or
        leave a side without weight, it trains on all of it, as ``False``.
        Works with every solver.
    validation_fraction : float, default=0.1
        Share of the data held out for early stopping.
    max_fun : int, default=15000
        Maximum number of cost evaluations of ``"lbfgs"``.
    init : {"normal", "glorot", "he", "zeros"}, default="glorot"
        Unlike the classifier, the regressor starts from MLPRegressor's Glorot
        draw: from the notes' tiny ``randn * 0.01`` weights a regression sits
        on a long plateau near the best linear fit, where the stopping rule
        ends it.
    init_scale : float, default=0.01
        Scale of the ``"normal"`` initialisation.
    random_state : int, RandomState instance or None, default=None
        Seed of the initialisation, the shuffling and the validation split.
    verbose : int, default=0
        ``1`` prints the cost about a hundred times, ``2`` at every iteration.
    warm_start : bool, default=False
        Continue from the weights of the previous fit, with a new optimiser;
        ``n_hidden`` and ``activation`` must be those of the previous fit.
    cv : int, cross-validation generator or iterable, default=None
        The folds, as ``check_cv`` takes them: None for 5 folds (stratified
        for a classifier), an integer, a splitter or ``(train, test)`` pairs.
    scoring : str, callable or None, default=None
        The test score, as ``GridSearchCV``'s single metric: None for the
        estimator's ``score`` (accuracy, R^2).
    refit : bool, default=True
        Refit the best parameters on all the data as ``best_estimator_``.
    n_init : int, default=1
        Independent restarts of every fit, each from its own initial
        weights; the one with the lowest final training cost (``loss_``)
        is kept. The first uses ``random_state`` itself (so ``n_init=1``
        fits what the plain estimator fits), the others seeds drawn from it.

    Attributes
    ----------
    cv_results_ : dict of ndarray
        ``GridSearchCV``'s keys (``params``, ``param_<name>``,
        ``split<k>_test_score``, ``mean_test_score``, ``std_test_score``,
        ``rank_test_score``, ``mean_fit_time``...), so that
        ``pandas.DataFrame(cv_results_)`` tabulates them; and per fold
        ``split<k>_n_iter`` (the kept restart's iterations) and
        ``split<k>_fit_error`` (why every restart failed, or ""). A stacked
        fit's time is its share of the stack's, by its steps.
    best_params_ : dict
        The grid point of the best mean test score.
    best_score_ : float
        Its mean test score.
    best_index_ : int
        Its index in ``cv_results_``.
    best_estimator_ : ShallowNetRegressor
        The plain estimator refit with ``best_params_`` on all the data
        (with ``refit=True``), the restart of lowest training cost kept.
    refit_time_ : float
        Seconds the refit took.
    n_splits_ : int
        The number of folds.
    scorer_ : callable
        The scorer of the test scores.

    See Also
    --------
    ShallowNetRegressor : The plain estimator.
    sklearn.model_selection.GridSearchCV : The search this one reproduces.

    Examples
    --------
    >>> from sk_shallow import ShallowNetRegressorCV
    >>> from sklearn.datasets import make_friedman1
    >>> X, y = make_friedman1(n_samples=100, random_state=0)
    >>> search = ShallowNetRegressorCV(
    ...     {"n_hidden": [1, 4]}, max_iter=200, cv=3, random_state=0
    ... ).fit(X, y)
    >>> sorted(search.best_params_)
    ['n_hidden']
    """

    _plain_class = ShallowNetRegressor
    _parameter_constraints: dict = {
        **ShallowNetRegressor._parameter_constraints,
        **_CV_CONSTRAINTS,
    }

    def __init__(
        self,
        param_grid=None,
        n_hidden=4,
        activation="tanh",
        *,
        loss="squared_error",
        solver="gd",
        learning_rate="auto",
        max_iter="auto",
        tol="auto",
        n_iter_no_change="auto",
        alpha=1.0,
        batch_size="auto",
        shuffle=True,
        learning_rate_schedule="constant",
        power_t=0.5,
        momentum=0.9,
        nesterovs_momentum=True,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-08,
        early_stopping="auto",
        validation_fraction=0.1,
        max_fun=15000,
        init="glorot",
        init_scale=0.01,
        random_state=None,
        verbose=0,
        warm_start=False,
        cv=None,
        scoring=None,
        refit=True,
        n_init=1,
    ):
        self.param_grid = param_grid
        self.n_hidden = n_hidden
        self.activation = activation
        self.loss = loss
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
        self.cv = cv
        self.scoring = scoring
        self.refit = refit
        self.n_init = n_init
