"""ShallowNetClassifier: the notes' one-hidden-layer network as a classifier."""

import numpy as np
from scipy.special import log_expit, log_softmax
from sklearn.base import ClassifierMixin
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils.multiclass import check_classification_targets

from ._base import BaseShallowNet


class ShallowNetClassifier(ClassifierMixin, BaseShallowNet):
    """One-hidden-layer neural network classifier, as in the notes.

    The network computes ``A2 = sigma(W2 g(W1 X + b1) + b2)`` with a sigmoid
    output for two classes and a softmax output for more, and learns by
    minimising the cross-entropy with gradient descent. The defaults are the
    notes' worked example: 4 tanh hidden units, learning rate 1.2, 10000
    iterations, weights drawn as ``randn * 0.01``.

    Parameters
    ----------
    n_hidden : int, default=4
        Number of hidden units ``n[1]``.
    activation : {"tanh", "sigmoid", "relu", "leaky_relu", "identity"}, \
            default="tanh"
        Hidden activation ``g``. ``"leaky_relu"`` is ``max(0.01 z, z)``;
        ``"identity"`` makes the network a linear model (notes 3.7).
    solver : {"gd"}, default="gd"
        ``"gd"`` is the notes' full-batch gradient descent.
    learning_rate : float, default=1.2
        Step size ``alpha`` of gradient descent (``learning_rate_init`` in
        scikit-learn's MLPClassifier).
    max_iter : int, default=10000
        Maximum number of iterations (full passes over the data).
    tol : float, default=1e-6
        Training stops when the cost has not improved by at least ``tol`` for
        more than ``n_iter_no_change`` consecutive iterations.
    n_iter_no_change : int or np.inf, default=10
        See ``tol``; ``np.inf`` disables the stopping rule.
    alpha : float, default=0.0
        L2 penalty, scaled as in MLPClassifier:
        ``J += alpha / (2 m) * (||W1||^2 + ||W2||^2)``.
    init : {"normal", "glorot", "he", "zeros"}, default="normal"
        Weight initialisation. ``"normal"`` is the notes' ``randn * init_scale``
        (``W1`` drawn before ``W2``, zero biases); ``"glorot"`` is
        MLPClassifier's uniform draw (same weights for the same
        ``random_state``); ``"he"`` is ``randn * sqrt(2 / fan_in)``;
        ``"zeros"`` shows the symmetry problem of notes 3.11 and warns.
    init_scale : float, default=0.01
        Scale of the ``"normal"`` initialisation.
    random_state : int, RandomState instance or None, default=None
        Seed of the weight initialisation. ``random_state=2`` with the
        defaults draws exactly ``np.random.seed(2); randn(n_h, n_x) * 0.01;
        randn(n_y, n_h) * 0.01``.
    verbose : int, default=0
        ``1`` prints the cost about a hundred times during training, ``2``
        and more at every iteration.
    warm_start : bool, default=False
        Continue from the weights of the previous fit instead of drawing new
        ones.

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
        Class labels.
    n_outputs_ : int
        Number of output units: 1 for two classes, ``n_classes`` otherwise.
    out_activation_ : str
        ``"sigmoid"`` or ``"softmax"``.
    loss_ : float
        The cost at the last recorded iteration.
    loss_curve_ : list of float
        The cost of every iteration, computed on the forward pass before that
        iteration's update (as the notes print it). With ``warm_start`` the
        new iterations are appended.
    best_loss_ : float
        The lowest value in ``loss_curve_``.
    n_iter_ : int
        Number of iterations run by the last fit.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
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

    def __init__(
        self,
        n_hidden=4,
        activation="tanh",
        *,
        solver="gd",
        learning_rate=1.2,
        max_iter=10000,
        tol=1e-6,
        n_iter_no_change=10,
        alpha=0.0,
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
            init=init,
            init_scale=init_scale,
            random_state=random_state,
            verbose=verbose,
            warm_start=warm_start,
        )

    def _encode_targets(self, y, first_fit):
        check_classification_targets(y)
        if first_fit:
            binarizer = LabelBinarizer().fit(y)
            if len(binarizer.classes_) < 2:
                raise ValueError(
                    "ShallowNetClassifier needs samples of at least 2 classes, "
                    f"got one class only: {binarizer.classes_[0]!r}."
                )
            self._label_binarizer = binarizer
            self.classes_ = binarizer.classes_
        else:
            unseen = np.setdiff1d(np.unique(y), self.classes_)
            if unseen.size:
                raise ValueError(
                    f"y has classes {unseen.tolist()} not seen in the first fit "
                    f"(classes_ = {self.classes_.tolist()}); warm_start cannot "
                    "add classes."
                )
        return y, self._label_binarizer.transform(y)

    def _output_layer(self):
        return "softmax" if len(self.classes_) > 2 else "sigmoid"

    def decision_function(self, X):
        """The output layer's pre-activation ``Z2`` for each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            ``Z2`` transposed: one column per output unit, raveled for two
            classes (positive values favour ``classes_[1]``).
        """
        Z2, _ = self._forward(X)
        return Z2[0] if Z2.shape[0] == 1 else Z2.T

    def predict(self, X):
        """Predict class labels: ``A2 > 0.5`` for two classes, else the argmax.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        Z2, _ = self._forward(X)
        index = (Z2[0] > 0).astype(int) if Z2.shape[0] == 1 else Z2.argmax(axis=0)
        return self.classes_[index]

    def predict_proba(self, X):
        """Class probabilities ``A2``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns follow ``classes_``; rows sum to 1.
        """
        _, A2 = self._forward(X)
        if A2.shape[0] == 1:
            return np.ascontiguousarray(np.vstack([1 - A2[0], A2[0]]).T)
        return np.ascontiguousarray(A2.T)

    def predict_log_proba(self, X):
        """Logarithm of the class probabilities, computed stably from ``Z2``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        Z2, _ = self._forward(X)
        if Z2.shape[0] == 1:
            return np.ascontiguousarray(
                np.vstack([log_expit(-Z2[0]), log_expit(Z2[0])]).T
            )
        return np.ascontiguousarray(log_softmax(Z2, axis=0).T)
