"""ShallowNetClassifier: the notes' one-hidden-layer network as a classifier."""

import numpy as np
from scipy.special import expit, log_expit, log_softmax
from sklearn.base import ClassifierMixin, _fit_context
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import compute_sample_weight
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import column_or_1d

from ._base import BaseShallowNet, incremental_solver


def times_sample_weight(weights, sample_weight, dtype, class_weight):
    """Each sample's class weight ``weights`` times its ``sample_weight``.

    Raises a ValueError naming ``class_weight`` when a product is not finite.
    """
    with np.errstate(over="ignore"):
        weights = weights.astype(dtype)
        if sample_weight is not None:
            weights = weights * sample_weight
    if not np.isfinite(weights).all():
        raise ValueError(
            f"class_weight={class_weight!r} gives non-finite sample "
            "weights: a class's total sample_weight is too small to balance "
            "against the others. Rescale sample_weight."
        )
    return weights


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
        Step size (the notes' ``alpha``; ``learning_rate_init`` in
        scikit-learn's MLPClassifier). ``"auto"`` is 1.2 for ``"gd"`` (the
        notes' value), 0.01 for ``"sgd"`` and 0.001 for ``"adam"``;
        ``"lbfgs"`` takes no step size.
    max_iter : int, default=10000
        Maximum number of iterations: gradient-descent steps for ``"gd"``,
        epochs (passes over the data) for ``"sgd"`` and ``"adam"``, L-BFGS
        iterations for ``"lbfgs"``.
    tol : float, default=1e-6
        Training stops when the cost (or, with ``early_stopping``, the
        validation score) has not improved by at least ``tol`` for more than
        ``n_iter_no_change`` consecutive iterations. For ``"lbfgs"`` it is
        scipy's gradient tolerance ``gtol``.
    n_iter_no_change : int or np.inf, default=10
        See ``tol``; ``np.inf`` disables the rule.
    alpha : float, default=0.0
        L2 penalty, scaled as in MLPClassifier:
        ``J += alpha / (2 m) * (||W1||^2 + ||W2||^2)``.
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
    early_stopping : bool, default=False
        Hold out a stratified ``validation_fraction`` of the training data
        (with its sample weights), stop when the validation accuracy stops
        improving, and keep the weights that scored best. Works with every
        solver.
    validation_fraction : float, default=0.1
        Share of the training data held out for early stopping, in (0, 1).
    max_fun : int, default=15000
        Maximum number of cost evaluations of ``"lbfgs"``.
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, as in LogisticRegression: a dict
        ``{label: weight}``, or ``"balanced"`` for ``n_samples / (n_classes *
        np.bincount(y))``. Multiplied with ``sample_weight``.
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
        ones. The classes must be those of the previous fit.

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
        The best of ``validation_scores_``; its weights are the fitted ones.
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
    and the math core (:mod:`sk_shallow._network`) works in that layout only.

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

    def __init__(
        self,
        n_hidden=4,
        activation="tanh",
        *,
        solver="gd",
        learning_rate="auto",
        max_iter=10000,
        tol=1e-6,
        n_iter_no_change=10,
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
        early_stopping=False,
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
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """One epoch of ``"sgd"`` or ``"adam"`` over the given data.

        For out-of-core training: call it on one chunk after another. The
        optimiser's state (momentum, Adam's moments) carries over between
        calls.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
        classes : array-like of shape (n_classes,), default=None
            Every class that will ever appear; required on the first call.
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : object
        """
        return self._all_or_nothing(
            X, y, sample_weight, incremental=True, classes=classes
        )

    # -- targets --------------------------------------------------------------
    def _encode_targets(self, y, first_fit, incremental=False, classes=None):
        check_classification_targets(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if y.ndim == 2 and type_of_target(y) != "multilabel-indicator":
            raise ValueError(
                f"A 2-D y of shape {y.shape} must be a multilabel indicator "
                "matrix: one column per label, with values 0 and 1."
            )
        if first_fit:
            if incremental and classes is None:
                raise ValueError(
                    "classes must be passed on the first call to partial_fit: "
                    "every class the model will ever see."
                )
            use_classes = incremental and y.ndim == 1
            binarizer = LabelBinarizer().fit(np.unique(classes) if use_classes else y)
            if len(binarizer.classes_) < 2:
                raise ValueError(
                    "ShallowNetClassifier needs samples of at least 2 classes, "
                    f"got one class only: {binarizer.classes_[0]!r}."
                )
            self._label_binarizer = binarizer
            self.classes_ = binarizer.classes_
        elif (
            incremental
            and classes is not None
            and y.ndim == 1
            and not np.array_equal(np.unique(classes), self.classes_)
        ):
            raise ValueError(
                f"classes={np.unique(classes).tolist()} differs from the classes "
                f"of the first call, {self.classes_.tolist()}."
            )
        if self._label_binarizer.y_type_ == "multilabel-indicator":
            if y.ndim != 2 or y.shape[1] != len(self.classes_):
                raise ValueError(
                    f"y must be an indicator matrix of {len(self.classes_)} "
                    f"labels, as in the first fit; got shape {y.shape}."
                )
        else:
            unseen = np.setdiff1d(np.unique(y), self.classes_)
            if unseen.size:
                raise ValueError(
                    f"y has classes {unseen.tolist()} that are not in "
                    f"classes_ = {self.classes_.tolist()}; a fit that continues "
                    "(warm_start, partial_fit) cannot add classes."
                )
        return y, self._label_binarizer.transform(y)

    def _output_layer(self):
        multiclass = self._label_binarizer.y_type_ == "multiclass"
        return "softmax" if multiclass else "sigmoid"

    def _sample_weight(self, sample_weight, X, y, incremental):
        sample_weight = super()._sample_weight(sample_weight, X, y, incremental)
        if self.class_weight is None:
            return sample_weight
        if y.ndim == 2:  # multilabel: one weighting per label
            weights = compute_sample_weight(self.class_weight, y)
        else:
            # "balanced" counts classes by their sample weights, so that a
            # weight of 2 still equals a repeated row.
            # Classes whose samples all weigh 0 are absent and keep weight 0.
            classes, index = np.unique(y, return_inverse=True)
            present = np.ones(len(y), dtype=bool)
            if sample_weight is not None:
                totals = np.bincount(index, weights=sample_weight)
                present = totals[index] > 0
            class_weights = np.zeros(len(classes))
            kept = np.unique(index[present])
            with np.errstate(over="ignore", divide="ignore"):
                class_weights[kept] = compute_class_weight(
                    self.class_weight,
                    classes=classes[kept],
                    y=y[present],
                    sample_weight=(
                        None if sample_weight is None else sample_weight[present]
                    ),
                )
            weights = class_weights[index]
        return times_sample_weight(weights, sample_weight, X.dtype, self.class_weight)

    def _score_output(self, A2, Y, sample_weight):
        if self._label_binarizer.y_type_ == "multiclass":
            correct = A2.argmax(axis=0) == Y.argmax(axis=0)
        else:  # one sigmoid per output: binary, or every label of multilabel
            correct = np.all((A2 > 0.5) == (Y > 0.5), axis=0)
        return float(np.average(correct, weights=sample_weight))

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
        Z2, _ = self._forward(X)
        return Z2[0] if self._is_binary else np.ascontiguousarray(Z2.T)

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
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_labels)
        """
        Z2, _ = self._forward(X)
        if self._is_binary:
            return self.classes_[(Z2[0] > 0).astype(int)]
        if self.out_activation_ == "softmax":
            return self.classes_[Z2.argmax(axis=0)]
        return (Z2.T > 0).astype(int)

    def predict_proba(self, X):
        """Class probabilities ``A2``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns follow ``classes_``; rows sum to 1, except for multilabel
            targets, where column ``k`` is the probability of label ``k``.
            Values are at least the dtype's smallest normal number.
        """
        Z2, A2 = self._forward(X)
        if self._is_binary:
            # sigma(-z) rather than 1 - sigma(z): no rounding to exactly 0.
            proba = np.vstack([expit(-Z2[0]), A2[0]]).T
        else:
            proba = A2.T
        # A probability below the dtype's smallest normal number (e^-87 in
        # float32) is stored as that number rather than as 0, so that
        # log(predict_proba) stays finite, as predict_log_proba is.
        return np.maximum(proba, np.finfo(proba.dtype).tiny, order="C")

    def predict_log_proba(self, X):
        """Logarithm of the class probabilities, computed stably from ``Z2``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        Z2, _ = self._forward(X)
        if self._is_binary:
            return np.ascontiguousarray(
                np.vstack([log_expit(-Z2[0]), log_expit(Z2[0])]).T
            )
        if self.out_activation_ == "softmax":
            return np.ascontiguousarray(log_softmax(Z2, axis=0).T)
        return np.ascontiguousarray(log_expit(Z2).T)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags
