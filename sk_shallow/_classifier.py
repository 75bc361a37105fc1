"""ShallowNetClassifier: the notes' one-hidden-layer network as a classifier."""

import contextlib
import math
import warnings
from numbers import Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import ClassifierMixin, _fit_context
from sklearn.metrics import accuracy_score
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import column_or_1d

from . import _xp_network
from ._base import BaseShallowNet
from ._problem import finite_weights, metric_weights
from ._report import warn
from ._solvers import incremental_solver
from ._training import all_or_nothing


class ShallowNetClassifier(ClassifierMixin, BaseShallowNet):
    """One-hidden-layer neural network classifier, as in the notes.

    The network computes ``A2 = sigma(W2 g(W1 X + b1) + b2)`` with a sigmoid
    output for two classes (and for each label of multilabel targets) and a
    softmax output for more classes, and learns by minimising the
    cross-entropy. The defaults are the notes' worked example: 4 tanh hidden
    units, full-batch gradient descent with learning rate 1.2, up to 10000
    iterations, weights drawn as ``randn * 0.01``.

    Parameters
    ----------
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

    Attributes
    ----------
    W1_ : ndarray of shape (n_hidden, n_features)
        Hidden-layer weights; row ``i`` is hidden unit ``i``.
    b1_ : ndarray of shape (n_hidden, 1)
        Hidden-layer biases.
    W2_ : ndarray of shape (n_outputs, n_hidden)
        Output-layer weights.
    b2_ : ndarray of shape (n_outputs, 1)
        Output-layer biases.
    classes_ : ndarray of shape (n_classes,)
        Class labels (the label indices for multilabel targets).
    n_outputs_ : int
        Number of output units: 1 for two classes, ``n_classes`` otherwise.
    out_activation_ : str
        ``"sigmoid"`` or ``"softmax"``.
    loss_ : float
        The cost at the last recorded iteration.
    loss_curve_ : list of float
        The cost of every iteration. For ``"gd"`` it is computed on the
        forward pass before that iteration's update, as the notes print it;
        for the stochastic solvers it is the mean over the epoch's batches,
        and for ``"lbfgs"`` the cost after each iteration. With
        ``warm_start`` and ``partial_fit`` new iterations are appended.
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
        With ``early_stopping``, the accuracy on the held-out data after each
        iteration.
    validation_loss_curve_ : list of float or None
        With ``early_stopping``, the cross-entropy on the held-out data after
        each iteration (without the L2 penalty).
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
    sklearn.neural_network.MLPClassifier : Multi-layer perceptron classifier.
    sklearn.linear_model.LogisticRegression : The linear model the network
        reduces to with ``activation="identity"``.

    Notes
    -----
    scikit-learn passes ``X`` as ``(n_samples, n_features)``; the estimator
    transposes it once, as a view, into the notes' ``(n_features, m)`` layout,
    and the math core (``sk_shallow._network``) works in that layout only.

    Examples
    --------
    >>> from sk_shallow import ShallowNetClassifier
    >>> from sk_shallow.datasets import make_flower
    >>> X, y = make_flower()
    >>> clf = ShallowNetClassifier(random_state=2).fit(X, y)
    >>> clf.W1_.shape, clf.b1_.shape, clf.W2_.shape, clf.b2_.shape
    ((4, 2), (4, 1), (1, 4), (1, 1))
    >>> print(f"{clf.score(X, y):.2f}")
    0.91
    """

    _parameter_constraints: dict = {
        **BaseShallowNet._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }
    _stratify = True
    _constant_prediction = "the class frequencies"

    def __init__(
        self,
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
        epsilon=1e-8,
        early_stopping="auto",
        validation_fraction=0.1,
        max_fun=15000,
        class_weight=None,
        init="normal",
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
        self.class_weight = class_weight

    @available_if(incremental_solver)
    @all_or_nothing
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """One epoch of ``"sgd"`` or ``"adam"`` over the given data.

        For out-of-core training: call it on one chunk after another. The
        optimiser's state (momentum, Adam's moments) carries over between
        calls.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            One chunk of training data.
        y : {array-like, sparse matrix} of shape (n_samples,) or \
                (n_samples, n_labels)
            The chunk's labels, or its label indicator matrix (multilabel,
            dense or sparse).
        classes : array-like of shape (n_classes,), default=None
            Every class that will ever appear; required on the first call.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights of the chunk; None weighs every sample 1.

        Returns
        -------
        self : object
            The estimator, trained one more epoch.
        """
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    # -- targets --------------------------------------------------------------
    def _check_raw_targets(self, y, classes):
        if y is not None and not sp.issparse(y):
            _check_labels(y, "y")
        if classes is not None:
            _check_labels(classes, "classes")

    def _encode_targets(self, y, first_fit, incremental=False, classes=None):
        sparse = sp.issparse(y)
        if y.ndim == 2 and y.shape[1] == 1 and not sparse:
            y = column_or_1d(y, warn=True)
        # Labels: their distinct values, found once. A 1-D target's type is
        # that of its distinct values, so scikit-learn's checks run on those.
        labels, inverse = (y, None) if y.ndim == 2 else _unique_inverse(y)
        if y.ndim == 2:
            check_classification_targets(y)
        else:
            check_label_values(labels, len(y))
        if y.ndim == 2 and type_of_target(y) != "multilabel-indicator":
            raise ValueError(
                f"A 2-D y of shape {y.shape} must be a multilabel indicator "
                "matrix: one column per label (at least 2), with values 0 and 1"
                + ("; pass class labels as a dense 1-D array." if sparse else ".")
            )
        if sparse:
            # The binarizer fitted on the sparse matrix remembers it, so that
            # predict returns a sparse indicator matrix, as MLPClassifier's
            # does; the dense copy is the size of the encoded targets. A
            # sparse indicator may store its one value as any number (see
            # type_of_target): each stored entry is a label that is on.
            y = (y != 0).toarray().astype(np.intp)
        if first_fit:
            if incremental and classes is None:
                raise ValueError(
                    "classes must be passed on the first call to partial_fit: "
                    "every class the model will ever see."
                )
            use_classes = incremental and y.ndim == 1
            self._set_classes(np.unique(classes) if use_classes else labels)
        elif (
            incremental
            and classes is not None
            and y.ndim == 1
            and not np.array_equal(np.unique(classes), self._host_classes)
        ):
            raise ValueError(
                f"classes={np.unique(classes).tolist()} differs from the classes "
                f"of the first call, {self._host_classes.tolist()}. "
                + self._restart_advice(incremental)
            )
        if self._label_binarizer.y_type_ == "multilabel-indicator":
            if y.ndim != 2 or y.shape[1] != len(self._host_classes):
                raise ValueError(
                    f"y must be an indicator matrix of {len(self._host_classes)} "
                    f"labels, as in the first fit; got shape {y.shape}. "
                    + self._restart_advice(incremental)
                )
            return y, self._label_binarizer.transform(y)
        if y.ndim != 1:
            raise ValueError(
                f"y must be 1-D labels, as in the first fit; got shape {y.shape}. "
                + self._restart_advice(incremental)
            )
        self._check_known_classes(labels, incremental)
        # LabelBinarizer's indicator matrix, from each label's class index.
        index = np.searchsorted(self._host_classes, labels)[inverse]
        if self._is_binary:
            return y, (index == 1)[:, np.newaxis]
        return y, (index == np.arange(len(self._host_classes))[:, np.newaxis]).T

    def _check_known_classes(self, labels, incremental=False):
        """Raise if the distinct ``labels`` hold a class not in ``classes_``.

        ``incremental``: the continued fit is ``partial_fit`` (for the advice).
        """
        unseen = np.setdiff1d(labels, self._host_classes)
        if unseen.size:
            first = (
                "Pass every class in classes on the first call to partial_fit; "
                if incremental
                else ""
            )
            raise ValueError(
                f"y has classes {unseen.tolist()} that are not in "
                f"classes_ = {self._host_classes.tolist()}; a fit that continues "
                f"(warm_start, partial_fit) cannot add classes. {first}"
                + self._restart_advice(incremental)
            )

    @property
    def _host_classes(self):
        """``classes_`` on the host (the attribute may live on a device)."""
        return self._label_binarizer.classes_

    def _targets_like(self, xp, device):
        # scikit-learn's convention (LinearDiscriminantAnalysis, Ridge):
        # numeric classes_ follow y's namespace and device.
        self.classes_ = xp.asarray(self._host_classes, device=device)

    def _set_classes(self, labels):
        """Fit the label binarizer on ``labels``; set ``classes_``."""
        with _without_regression_hint():  # for the classes, not the samples
            binarizer = LabelBinarizer().fit(labels)
        if len(binarizer.classes_) < 2:
            raise ValueError(
                "ShallowNetClassifier needs samples of at least 2 classes, "
                f"got one class only: {binarizer.classes_.tolist()[0]!r}."
            )
        self._label_binarizer = binarizer
        self.classes_ = binarizer.classes_

    def _output_layer(self):
        multiclass = self._label_binarizer.y_type_ == "multiclass"
        return "softmax" if multiclass else "sigmoid"

    def _check_incremental(self):
        if isinstance(self.class_weight, str) and self.class_weight == "balanced":
            raise AttributeError(
                "partial_fit is not available with class_weight='balanced': a "
                "chunk's class counts are not the data's. Pass a dict of weights "
                "computed from the whole data instead."
            )

    def _sample_weight(self, sample_weight, X, y, incremental):
        # A class_weight dict's errors come first: they hold for any weights.
        if isinstance(self.class_weight, dict):
            if y.ndim == 2:
                raise ValueError(
                    "class_weight as a dict is not supported for multilabel "
                    "targets (which weight would a sample with several labels "
                    "get?). Use class_weight='balanced' or sample_weight."
                )
            self._dict_class_weights()
        sample_weight = super()._sample_weight(sample_weight, X, y, incremental)
        if self.class_weight is None:
            return sample_weight
        base = np.ones(len(y)) if sample_weight is None else sample_weight
        if y.ndim == 2:  # multilabel: each label is a two-class problem
            # A sample's weight is the product over labels, as in
            # sklearn.utils.compute_sample_weight, with counts by weight.
            weights = np.ones(len(y))
            for column in y.T:
                index = (column > 0).astype(np.intp)
                weights *= self._class_weights(index, 2, base)[index]
        else:
            index = np.searchsorted(self._host_classes, y)
            weights = self._class_weights(index, len(self._host_classes), base)[index]
        with np.errstate(over="ignore", invalid="ignore"):
            weights = (weights * base).astype(X.dtype)
        if not np.isfinite(weights).all():
            raise ValueError(
                f"class_weight={self.class_weight!r} gives non-finite sample "
                "weights: a class's total sample_weight is too small to balance "
                "against the others. Rescale sample_weight."
            )
        return finite_weights(weights, f"class_weight={self.class_weight!r}")

    def _class_weights(self, index, n_classes, base):
        """The weight of each class (by its index), from ``class_weight``.

        ``"balanced"`` is ``S / (k * S_c)``, with ``S_c`` the total sample
        weight of class ``c``, ``S`` their sum and ``k`` the number of classes
        that weigh anything, so that a weight of 2 still equals a repeated row;
        a class absent from ``y`` (or of zero total weight) keeps weight 0.
        Written here rather than with ``compute_class_weight``, which counts
        rows before scikit-learn 1.7 and gives NaN for an absent class in 1.7.
        """
        if isinstance(self.class_weight, dict):
            return self._dict_class_weights()
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            totals = np.bincount(index, weights=base, minlength=n_classes)
            present = totals > 0
            weights = np.zeros(n_classes)
            weights[present] = totals.sum() / (present.sum() * totals[present])
        return weights

    def _dict_class_weights(self):
        """``class_weight[c]`` for each class in ``classes_`` (1 if not given).

        The rule of scikit-learn's ``compute_class_weight`` (1.7 to 1.9), which
        LogisticRegression applies: labels of the dict that are not classes
        (a class missing from a cross-validation fold) are ignored, unless
        some class has no weight in the dict, when the dict was likely meant
        for other labels. Written here because scikit-learn 1.9 looks labels
        up as ``int(label)``, which rounds 0.5 to 0 and turns "1" into 1.
        """
        classes = self._host_classes.tolist()
        known = set(classes)
        extra = [k for k in self.class_weight if k not in known]
        missing = [c for c in classes if c not in self.class_weight]
        if extra and missing:
            raise ValueError(
                f"class_weight has labels {extra} that are not among the "
                f"classes {classes}, and no weight for the classes {missing}. "
                "A dict may name labels absent from y only if it gives a "
                "weight to every class."
            )
        weights = np.ones(len(self._host_classes))
        for i, c in enumerate(self._host_classes.tolist()):
            value = self.class_weight.get(c, 1.0)
            if isinstance(value, (bool, np.bool_)) or not isinstance(
                value, (Real, np.number)
            ):
                raise ValueError(
                    f"class_weight values must be numbers; class {c!r} has {value!r}."
                )
            if not (np.isfinite(value) and value >= 0):
                raise ValueError(
                    "class_weight values must be finite and non-negative; "
                    f"class {c!r} has {value!r}."
                )
            weights[i] = value
        return weights

    def _score_output(self, A2, Y, sample_weight):
        if self._label_binarizer.y_type_ == "multiclass":
            correct = A2.argmax(axis=0) == Y.argmax(axis=0)
        else:  # one sigmoid per output: binary, or every label of multilabel
            correct = np.all((A2 > 0.5) == (Y > 0.5), axis=0)
        return float(np.average(correct, weights=sample_weight))

    def score(self, X, y, sample_weight=None):
        """The mean accuracy of the predictions (subset accuracy for multilabel).

        As :meth:`sklearn.base.ClassifierMixin.score`, also for sample
        weights whose sum overflows (see
        :func:`~sk_shallow._problem.metric_weights`).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            True labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights; None weighs every sample 1.

        Returns
        -------
        score : float
            The mean accuracy of ``self.predict(X)`` against ``y``.
        """
        return float(
            accuracy_score(
                y, self.predict(X), sample_weight=metric_weights(sample_weight)
            )
        )

    # -- predictions ----------------------------------------------------------
    def decision_function(self, X):
        """The output layer's pre-activation ``Z2`` for each sample.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            ``Z2`` transposed: one column per output unit, raveled for two
            classes (positive values favour ``classes_[1]``).
        """
        Z2, _ = self._forward(X, "decision_function")
        return Z2[0, ...] if self._is_binary else _xp_network.transpose(Z2)

    @property
    def _is_binary(self):
        return self._label_binarizer.y_type_ == "binary"

    def predict(self, X):
        """Predict labels: ``A2 > 0.5`` per sigmoid output, else the argmax.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y_pred : {ndarray, sparse matrix} of shape (n_samples,) or \
                (n_samples, n_labels)
            Labels from ``classes_``, or a 0/1 indicator matrix for
            multilabel targets: a SciPy CSR matrix when the first fit's ``y``
            was sparse, as MLPClassifier returns.
        """
        Z2, _ = self._forward(X, "predict")
        multilabel = self.out_activation_ == "sigmoid" and not self._is_binary
        y_pred = _xp_network.predicted_labels(
            Z2, self.classes_, self._is_binary, multilabel
        )
        return sp.csr_matrix(y_pred) if multilabel and self._sparse_targets else y_pred

    @property
    def _sparse_targets(self):
        """Whether the first fit's ``y`` was a sparse indicator matrix."""
        return getattr(self._label_binarizer, "sparse_input_", False)

    def predict_proba(self, X):
        """Class probabilities ``A2``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns follow ``classes_``; rows sum to 1, except for multilabel
            targets, where column ``k`` is the probability of label ``k``,
            strictly between 0 and 1 (below 1 by at least half the dtype's
            epsilon). Values are at least the dtype's smallest normal number.
        """
        Z2, A2 = self._forward(X, "predict_proba")
        # A label's sigmoid reaches neither 0 nor 1; rounded, it can.
        multilabel = self.out_activation_ == "sigmoid" and not self._is_binary
        return _xp_network.class_probabilities(Z2, A2, self._is_binary, multilabel)

    def predict_log_proba(self, X):
        """Logarithm of the class probabilities, computed stably from ``Z2``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            ``log(predict_proba(X))``, computed from ``Z2`` without
            rounding; like ``predict_proba``, which stores a probability
            below the dtype's smallest normal number as that number, it is at
            least the logarithm of that number (about -708 in float64), so the
            two always agree. Columns follow ``classes_``.
        """
        Z2, _ = self._forward(X, "predict_log_proba")
        softmax = self.out_activation_ == "softmax"
        return _xp_network.log_class_probabilities(Z2, self._is_binary, softmax)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


def _is_missing(value):
    """None, a float NaN or pandas' NA (recognised without importing pandas)."""
    if value is None or type(value).__name__ in ("NAType", "NaTType"):
        return True
    return isinstance(value, (float, np.floating)) and math.isnan(value)


_REGRESSION_HINT = (
    "The number of unique classes is greater than 50% of the number of "
    "samples. `y` could represent a regression problem, not a classification "
    "problem."
)


@contextlib.contextmanager
def _without_regression_hint():
    """Silence scikit-learn's many-classes warning, meant for samples, not classes."""
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="The number of unique classes", category=UserWarning
        )
        yield


def check_label_values(labels, n_samples):
    """scikit-learn's checks of 1-D class labels, run on their distinct values.

    The distinct ``labels`` have the type that all ``n_samples`` labels have,
    so ``check_classification_targets`` finds the same errors on them. Its
    warning that there are more classes than half the samples is the
    exception (it would fire for any 21 distinct labels): that warning is
    given here from ``n_samples``, in scikit-learn's words.
    """
    with _without_regression_hint():
        check_classification_targets(labels)
    if n_samples > 20 and len(labels) > round(0.5 * n_samples):
        warn(_REGRESSION_HINT, UserWarning)


def _unique_inverse(y):
    """``np.unique(y, return_inverse=True)`` for 1-D ``y``: the labels and indices.

    Integer labels that span a range no wider than the data are counted
    (``np.bincount``) rather than sorted: a million labels take a few
    milliseconds instead of tens.
    """
    if y.dtype.kind in "iu" and y.size:
        low, high = y.min(), y.max()
        if int(high) - int(low) <= y.size:
            # In 64 bits: the span of int8 labels may not fit in int8.
            wide = np.int64 if y.dtype.kind == "i" else np.uint64
            offset = y.astype(wide, copy=False)
            if low != 0:
                offset = offset - wide(low)
            offset = offset.astype(np.intp, copy=False)
            present = np.bincount(offset) > 0
            if present.all():  # low, low + 1, ...: each offset is its index
                inverse = offset
            else:
                inverse = (np.cumsum(present) - 1)[offset]
            labels = np.flatnonzero(present).astype(wide) + wide(low)
            return labels.astype(y.dtype), inverse
    labels, inverse = np.unique(y, return_inverse=True)
    return labels, inverse.reshape(-1)


def _check_labels(values, name):
    """Raise a ValueError naming ``name`` for missing or mixed-type labels.

    scikit-learn itself fails on these with errors about comparing types;
    a user should read what is wrong with their ``y`` or ``classes``.
    """
    if isinstance(values, np.ndarray) and values.dtype.kind in "biuUS":
        return  # integers, booleans and strings have no missing value
    # A list keeps its elements' types as objects: [0, 1, "a"] would
    # otherwise become strings without a trace of the mix.
    if not hasattr(values, "dtype") or getattr(values.dtype, "kind", "O") != "f":
        values = np.asarray(values, dtype=object)
    values = np.asarray(values)
    if values.dtype.kind == "f" and np.isnan(values).any():
        raise ValueError(f"{name} contains NaN: every label must be known.")
    if values.dtype.kind != "O":
        return
    flat = values.ravel().tolist()
    if any(_is_missing(v) for v in flat):
        raise ValueError(
            f"{name} contains missing values (None, NaN or pd.NA): every label "
            "must be known. Drop or impute those rows first."
        )
    strings = [isinstance(v, str) for v in flat]
    if any(strings) and not all(strings):
        raise ValueError(
            f"{name} mixes strings with other types: labels must be all "
            "strings or all numbers."
        )
