"""ShallowNetRegressor: the same network with a linear output (notes 3.7)."""

import math

import numpy as np
import scipy.sparse as sp
from sklearn.base import RegressorMixin, _fit_context
from sklearn.metrics import r2_score
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.metaestimators import available_if

from . import _xp_network
from ._base import BaseShallowNet, incremental_solver
from ._problem import (
    SQUARES_OVERFLOW,
    _column_moments,
    metric_weights,
    power_of_two_below,
)
from ._solvers import AUTO_LEARNING_RATES
from ._training import all_or_nothing

#: The smallest normal float64: a power of two above its inverse overflows.
_TINY = np.finfo(np.float64).tiny


def r2(y_true, y_pred, sample_weight=None):
    """:func:`sklearn.metrics.r2_score` for targets of any finite size.

    R² is unchanged when ``y_true`` and ``y_pred`` are multiplied by the
    same factor, or the weights by another: values whose sums of squares
    would overflow, or whose squares would underflow, are first multiplied
    by a power of two, which is exact, and huge weights divided by one
    (:func:`~sk_shallow._problem.metric_weights`).

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,) or (n_samples, n_outputs)
    sample_weight : array-like of shape (n_samples,), default=None

    Returns
    -------
    score : float
    """
    if _xp_network.is_numpy(y_pred):
        y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
        if y_true.dtype.kind in "fiu" and y_true.size:
            # Sums of squares in the dtype r2_score computes in.
            dtype = np.result_type(y_true.dtype, y_pred.dtype, np.float16)
            info = np.finfo(dtype)
            limit = np.sqrt(info.max / y_true.size) / 2
            # Below this size the squares of the residuals underflow.
            small = np.sqrt(info.tiny) / info.eps
            largest = float(max(np.abs(y_true).max(), np.abs(y_pred).max()))
            if math.isfinite(largest) and (largest > limit or 0 < largest < small):
                scale = power_of_two_below(max(largest, _TINY))
                y_true, y_pred = y_true * scale, y_pred * scale
    return float(r2_score(y_true, y_pred, sample_weight=metric_weights(sample_weight)))


class ShallowNetRegressor(RegressorMixin, BaseShallowNet):
    """One-hidden-layer neural network regressor.

    The notes (section 3.7) keep a linear activation for the output layer of a
    regression problem: ``y_hat = W2 g(W1 X + b1) + b2``, trained on half the
    squared error, scaled as scikit-learn's MLPRegressor so that ``alpha`` and
    learning rates carry over. ``loss="poisson"`` uses an exponential output
    and the half Poisson deviance instead, for counts and rates.

    With the squared error the network learns the standardised targets
    ``(y - mean) / std`` (the training data's, weighted by
    ``sample_weight``), so that the step size, the tolerance and the
    initial weights suit targets in any units; after training the scaling
    is folded into the output layer (``W2_ * std``, ``b2_ * std + mean``),
    so the fitted weights predict ``y`` in its own units (ONNX export and
    the Dask estimators see a plain network). ``loss_curve_`` is the cost of
    the standardised targets. A continued fit keeps the first fit's scaling.

    Parameters
    ----------
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

    Attributes
    ----------
    W1_ : ndarray of shape (n_hidden, n_features)
        Hidden-layer weights.
    b1_ : ndarray of shape (n_hidden, 1)
        Hidden-layer biases.
    W2_ : ndarray of shape (n_targets, n_hidden)
        Output-layer weights, in ``y``'s units (the scaling folded in).
    b2_ : ndarray of shape (n_targets, 1)
        Output-layer biases, in ``y``'s units.
    n_outputs_ : int
        Number of targets.
    out_activation_ : str
        ``"identity"`` or ``"exp"``.
    loss_ : float
        The cost at the last recorded iteration.
    loss_curve_ : list of float
        The cost of every iteration (see :class:`ShallowNetClassifier`). With
        the squared error, the cost of the standardised targets the network
        learns (see above), so that it reads the same in any units of ``y``;
        a model begun with ``partial_fit`` learns ``y`` as it is.
    best_loss_ : float
        The lowest value in ``loss_curve_``.
    learning_rate_ : float or None
        The step in use at the end of training: the start step, halved by
        ``"gd"`` for every step it had to undo or for a stall on a climbing
        cost, by ``"sgd"`` and ``"adam"`` (with ``learning_rate="auto"``) for
        every run-away they undid or a stall on a rising cost, or changed by
        ``"sgd"``'s schedule; None for ``"lbfgs"``.
    n_iter_ : int
        Number of iterations run by the last call to ``fit`` or
        ``partial_fit``.
    validation_scores_ : list of float or None
        With ``early_stopping``, the held-out R^2 after each iteration.
    validation_loss_curve_ : list of float or None
        With ``early_stopping``, the held-out cost (half squared error of the
        standardised targets or half Poisson deviance, without the L2
        penalty) after each iteration.
    best_validation_score_ : float or None
        The validation score of the fitted weights: with
        ``early_stopping=True`` the best of ``validation_scores_``; with
        ``"auto"``, which keeps the weights of the lowest validation cost,
        the score at that iteration. A warm-started fit keeps the weights it
        started from unless they are beaten (as scikit-learn's MLP does).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features seen during fit, when ``X`` has string column
        names.

    See Also
    --------
    ShallowNetClassifier : The same network for classification.
    sklearn.neural_network.MLPRegressor : Multi-layer perceptron regressor.
    sklearn.linear_model.Ridge : The linear model the network reduces to with
        ``activation="identity"`` and ``alpha``.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_shallow import ShallowNetRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.uniform(-2, 2, size=(200, 1))
    >>> y = np.sin(2 * X[:, 0])
    >>> reg = ShallowNetRegressor(n_hidden=8, solver="lbfgs", random_state=0)
    >>> print(f"{reg.fit(X, y).score(X, y):.2f}")
    1.00
    >>> reg.W2_.shape, reg.predict(X[:3]).shape
    ((1, 8), (3,))
    """

    _parameter_constraints: dict = {
        **BaseShallowNet._parameter_constraints,
        "loss": [StrOptions({"squared_error", "poisson"})],
    }
    _auto_learning_rates = {**AUTO_LEARNING_RATES, "gd": 0.1}
    _y_numeric = True

    def __init__(
        self,
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
        epsilon=1e-8,
        early_stopping="auto",
        validation_fraction=0.1,
        max_fun=15000,
        init="glorot",
        init_scale=0.01,
        random_state=None,
        verbose=0,
        warm_start=False,
    ):
        super().__init__(
            n_hidden,
            activation,
            solver=solver,
            learning_rate=learning_rate,
            max_iter=max_iter,
            tol=tol,
            n_iter_no_change=n_iter_no_change,
            alpha=alpha,
            batch_size=batch_size,
            shuffle=shuffle,
            learning_rate_schedule=learning_rate_schedule,
            power_t=power_t,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            max_fun=max_fun,
            init=init,
            init_scale=init_scale,
            random_state=random_state,
            verbose=verbose,
            warm_start=warm_start,
        )
        self.loss = loss

    @available_if(incremental_solver)
    @all_or_nothing
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """One epoch of ``"sgd"`` or ``"adam"`` over the given data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            One chunk of training data.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            The chunk's targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights of the chunk; None weighs every sample 1.

        Returns
        -------
        self : object
            The estimator, trained one more epoch.
        """
        return self._fit(X, y, sample_weight, incremental=True)

    def _check_raw_targets(self, y, classes):
        if sp.issparse(y):
            raise ValueError(
                "y must be dense: sparse targets are not supported; pass y.toarray()."
            )

    def _encode_targets(self, y, first_fit, incremental=False, classes=None):
        if self.loss == "poisson" and np.any(y < 0):
            raise ValueError(
                "loss='poisson' needs non-negative targets; y has negative values."
            )
        if first_fit:
            self._y_ndim = y.ndim
        elif y.ndim != self._y_ndim and y.reshape(len(y), -1).shape[1] != 1:
            raise ValueError(
                "y must have the shape of the first fit's targets "
                f"({self.n_outputs_} columns); got shape {y.shape}. "
                + self._restart_advice(incremental)
            )
        return y, y.reshape(len(y), -1)

    def _output_layer(self):
        return "exp" if self.loss == "poisson" else "identity"

    def _target_scaling(self, Y, sample_weight, state, first, incremental):
        """The targets' (weighted) mean and standard deviation, for the squared error.

        The network learns ``(y - mean) / std`` and its output layer is put
        back in ``y``'s units after training, as
        :class:`~sklearn.compose.TransformedTargetRegressor` with a
        :class:`~sklearn.preprocessing.StandardScaler` would, but built in:
        the step size, the tolerance and the initial weights then suit
        targets of any units. A continued fit (``warm_start``,
        ``partial_fit``) keeps the scaling of the fit it continues; the
        first call of ``partial_fit`` sees one chunk, and scales nothing.
        A target that does not vary keeps a scale of 1.
        """
        if self.loss != "squared_error":
            return None
        if not first:
            return state.target_scaling
        if incremental:
            return None
        Y = np.asarray(_xp_network.to_host(Y), dtype=np.float64)
        sw = None
        if sample_weight is not None:
            sw = np.asarray(_xp_network.to_host(sample_weight), dtype=np.float64)
            if not sw.sum() > 0:
                return None  # nothing to fit: said where the weights are checked
        # Each output's moments taken on it times a power of two (exact)
        # that brings its largest value near 1: the squares of tiny targets
        # would underflow, and their spread read as none.
        largest = np.abs(Y).max(axis=1, keepdims=True)
        # (Subnormal targets are brought to the smallest normal's scale.)
        unit = power_of_two_below(np.clip(largest, _TINY, None) + (largest == 0))
        Y = Y * unit
        mean = np.average(Y, axis=1, weights=sw)[:, np.newaxis]
        std = np.sqrt(np.average((Y - mean) ** 2, axis=1, weights=sw))[:, np.newaxis]
        return mean / unit, np.where(std > 0, std / unit, 1.0)

    def _score_output(self, A2, Y, sample_weight):
        return r2(Y.T, A2.T, sample_weight)

    def score(self, X, y, sample_weight=None):
        """The coefficient of determination R² of the predictions.

        As :meth:`sklearn.base.RegressorMixin.score`, also for targets whose
        squares overflow or underflow (see :func:`r2`).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            True targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights; None weighs every sample 1.

        Returns
        -------
        score : float
            The R² of ``self.predict(X)`` against ``y``.
        """
        return r2(y, self.predict(X), sample_weight)

    def _check_targets(self, Y):
        self._check_target_size(
            np.abs(Y).max(initial=0), Y.shape, Y.dtype, lambda: self._target_advice(Y)
        )

    def _check_target_size(self, largest, shape, dtype, advice):
        """Raise ValueError when targets up to ``largest`` overflow the cost.

        ``shape`` is ``(n_outputs, m)``; ``advice()`` gives the sentence on
        scaling ``y`` for the message.
        """
        if self.loss == "poisson":
            return  # no squares: the deviance takes any finite count
        # The cost sums every output's squared error over the examples.
        limit = np.sqrt(np.finfo(dtype).max / math.prod(shape)) / 2
        if largest <= limit:
            return
        wider = ""
        if dtype != np.float64 and largest <= limit * np.sqrt(
            np.finfo(np.float64).max / np.finfo(dtype).max
        ):
            wider = " Or pass X as float64, whose range is wide enough."
        raise ValueError(
            f"y has values up to {largest:.3g} in size: their squared error "
            f"overflows {np.dtype(dtype).name} (the limit for {shape[1]} samples "
            f"is {limit:.3g})." + advice() + wider
        )

    def _target_advice(self, Y):
        """A sentence on scaling ``y`` when it is far from unit scale, or "".

        Far means an output's mean or standard deviation above 100 in size,
        as for the features (:func:`~sk_shallow._problem.scaling_advice`): the
        output layer starts near 0 and its steps are not made for such
        targets. ``Y`` of shape (n_outputs, m).
        """
        if Y is None:
            return ""
        mean, std = _column_moments(_xp_network.transpose(Y))
        offset = np.abs(mean[np.isfinite(mean)]).max(initial=0)
        scale = std[np.isfinite(std)].max(initial=0)
        if offset <= 100 and scale <= 100:
            return ""
        # A count stays non-negative under MaxAbsScaler; StandardScaler's
        # variance of targets beyond 1e150 would overflow, MaxAbsScaler's
        # largest value does not.
        large = max(offset, scale) > SQUARES_OVERFLOW
        scaler = "MaxAbsScaler" if self.loss == "poisson" or large else "StandardScaler"
        return (
            f" The targets are far from unit scale (means up to {offset:.3g} "
            f"in size, standard deviations up to {scale:.3g}): scale y, for "
            "example with TransformedTargetRegressor(regressor, "
            f"transformer={scaler}())."
        )

    def predict(self, X):
        """Predict ``y_hat = A2``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_targets)
            Of the shape of ``y`` seen in fit.
        """
        _, A2 = self._forward(X, "predict")
        return A2[0, ...] if self._y_ndim == 1 else _xp_network.transpose(A2)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.positive_only = self.loss == "poisson"
        return tags
