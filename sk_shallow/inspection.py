"""Looking inside a fitted network: training curves, hidden units, gradients.

The displays follow scikit-learn's Display API
(:class:`sklearn.inspection.DecisionBoundaryDisplay`,
:class:`sklearn.model_selection.LearningCurveDisplay`): a class method
``from_estimator`` computes what to draw and calls ``plot``, which draws on
``ax`` (a new figure when None) and keeps the artists as attributes ending in
``_``. matplotlib is imported inside the functions that draw, so importing
this module does not need it.

:func:`check_gradients` is the notes' gradient check: the backward pass
against central finite differences of the cost.
"""

from numbers import Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import clone, is_classifier
from sklearn.pipeline import Pipeline
from sklearn.utils._optional_dependencies import check_matplotlib_support
from sklearn.utils._param_validation import Interval, validate_params
from sklearn.utils.validation import check_is_fitted

from . import _network, _problem
from ._base import BaseShallowNet
from ._xp_network import move_to, to_host

__all__ = ["HiddenUnitsDisplay", "TrainingCurveDisplay", "check_gradients"]


def _check_network(estimator, who):
    if not isinstance(estimator, BaseShallowNet):
        raise TypeError(
            f"{who} takes a ShallowNetClassifier or ShallowNetRegressor, or a "
            f"Pipeline ending in one; got {type(estimator).__name__}."
        )


def _final_step(estimator, X=None, y=None, fit=False):
    """The estimator a pipeline ends in, and ``X`` as that estimator sees it.

    A :class:`~sklearn.pipeline.Pipeline` (nested ones too) stands for its
    final step, as in scikit-learn's displays; ``X`` (when given) goes
    through the earlier steps: their ``transform``, or with ``fit`` the
    ``fit_transform`` of a clone of them, as the pipeline's ``fit`` would.
    Anything else is returned as it is.

    Parameters
    ----------
    estimator : object
        A pipeline, or the estimator itself.
    X : array-like of shape (n_samples, n_features), default=None
        The pipeline's input.
    y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
        The targets, for ``fit``.
    fit : bool, default=False
        Fit a clone of the earlier steps on ``X``, ``y`` rather than use them.

    Returns
    -------
    estimator : object
        The final step.
    X : array-like of shape (n_samples, n_features_out) or None
        The final step's input.
    names : ndarray of shape (n_features_out,) or None
        The earlier steps' output feature names, where they have them.
    """
    names = None
    while isinstance(estimator, Pipeline):
        head, estimator = estimator[:-1], estimator[-1]
        if X is not None and len(head.steps):
            X = clone(head).fit_transform(X, y) if fit else head.transform(X)
            try:
                # None where every earlier step is "passthrough" or None.
                names = head.get_feature_names_out()
            except (AttributeError, TypeError, ValueError):
                names = None
            names = None if names is None else np.asarray(names)
    return estimator, X, names


def _get_ax(ax):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots()
    return ax


# --------------------------------------------------------------------------
# Training curves
# --------------------------------------------------------------------------
class TrainingCurveDisplay:
    """The cost at every iteration, with the validation curves if recorded.

    Build it with :meth:`from_estimator` (a fitted network, or any estimator
    with a ``loss_curve_``, such as scikit-learn's MLP) or :meth:`from_history`
    (curves recorded some other way, e.g. by a callback). The training cost
    and the validation cost share the left axis; the validation score, on
    another scale, is drawn on a second y-axis on the right. A dotted
    vertical line marks the best iteration.

    Parameters
    ----------
    loss_curve : array-like of shape (n_iter,)
        The training cost after each iteration.
    validation_loss_curve : array-like of shape (n_val,), default=None
        The held-out cost of the last ``n_val <= n_iter`` iterations.
    scores : array-like of shape (n_scored,), default=None
        A score (higher is better) of the last ``n_scored <= n_iter``
        iterations, such as the validation score of early stopping.
    best_iteration : int, default=None
        The iteration (counted from 1) to mark, or None for no mark.
    score_name : str, default="validation score"
        Label of the score axis.
    xlabel : str, default="iteration"
        Label of the x-axis ("epoch" for the stochastic solvers).
    estimator_name : str, default=None
        Title of the plot.

    Attributes
    ----------
    line_ : matplotlib Line2D
        The training cost.
    validation_line_ : matplotlib Line2D or None
        The validation cost.
    score_line_ : matplotlib Line2D or None
        The score, on ``score_ax_``.
    best_line_ : matplotlib Line2D or None
        The vertical line at ``best_iteration``.
    ax_ : matplotlib Axes
        The axes of the costs.
    score_ax_ : matplotlib Axes or None
        The second y-axis, sharing ``ax_``'s x-axis, when a score is drawn.
    figure_ : matplotlib Figure

    Examples
    --------
    >>> from sk_shallow import ShallowNetClassifier
    >>> from sk_shallow.datasets import make_flower
    >>> from sk_shallow.inspection import TrainingCurveDisplay
    >>> X, y = make_flower()
    >>> clf = ShallowNetClassifier(4, max_iter=200, tol=0, random_state=0)
    >>> clf = clf.fit(X, y)  # doctest: +SKIP
    >>> TrainingCurveDisplay.from_estimator(clf)  # doctest: +SKIP
    """

    def __init__(
        self,
        *,
        loss_curve,
        validation_loss_curve=None,
        scores=None,
        best_iteration=None,
        score_name="validation score",
        xlabel="iteration",
        estimator_name=None,
    ):
        self.loss_curve = loss_curve
        self.validation_loss_curve = validation_loss_curve
        self.scores = scores
        self.best_iteration = best_iteration
        self.score_name = score_name
        self.xlabel = xlabel
        self.estimator_name = estimator_name

    def plot(
        self, ax=None, *, log_scale=False, validation_kw=None, score_kw=None, **kwargs
    ):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw the costs on; a new figure when None.
        log_scale : bool, default=False
            Logarithmic cost axis, which shows slow late progress.
        validation_kw : dict, default=None
            Keyword arguments for the validation cost's ``ax.plot``.
        score_kw : dict, default=None
            Keyword arguments for the score's ``plot``.
        **kwargs : dict
            Keyword arguments for the training cost's ``ax.plot``.

        Returns
        -------
        display : TrainingCurveDisplay
        """
        check_matplotlib_support(f"{type(self).__name__}.plot")
        ax = _get_ax(ax)
        loss = np.asarray(self.loss_curve, dtype=float)
        n_iter = len(loss)
        self.line_ = ax.plot(
            np.arange(1, n_iter + 1), loss, **{"label": "training cost", **kwargs}
        )[0]
        self.validation_line_ = self.score_line_ = self.score_ax_ = None
        if self.validation_loss_curve is not None:
            val = np.asarray(self.validation_loss_curve, dtype=float)
            self.validation_line_ = ax.plot(
                _last_iterations(n_iter, len(val)),
                val,
                **{"label": "validation cost", **(validation_kw or {})},
            )[0]
        self.best_line_ = None
        if self.best_iteration is not None:
            self.best_line_ = ax.axvline(
                self.best_iteration,
                color="0.4",
                linestyle=":",
                label=f"best iteration ({self.best_iteration})",
            )
        if log_scale:
            ax.set_yscale("log")
        ax.set_xlabel(self.xlabel)
        ax.set_ylabel("cost")
        handles = [self.line_, self.validation_line_, self.best_line_]
        if self.scores is not None:
            scores = np.asarray(self.scores, dtype=float)
            self.score_ax_ = ax.twinx()
            kw = {"color": "C2", "linestyle": "--", "label": self.score_name}
            self.score_line_ = self.score_ax_.plot(
                _last_iterations(n_iter, len(scores)),
                scores,
                **{**kw, **(score_kw or {})},
            )[0]
            self.score_ax_.set_ylabel(self.score_name)
            handles.append(self.score_line_)
        handles = [h for h in handles if h is not None]
        ax.legend(handles=handles, loc="center right")
        if self.estimator_name is not None:
            ax.set_title(self.estimator_name)
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        *,
        ax=None,
        log_scale=False,
        score_name=None,
        validation_kw=None,
        score_kw=None,
        **kwargs,
    ):
        """Plot the curves a fitted estimator recorded.

        Reads ``loss_curve_`` and, where early stopping recorded them,
        ``validation_loss_curve_`` and ``validation_scores_``. With
        validation scores, the iteration with the first best score (whose
        weights early stopping keeps) is marked; without, the weights of the
        last iteration are the fitted ones and nothing is marked.

        Parameters
        ----------
        estimator : fitted estimator
            A :class:`~sk_shallow.ShallowNetClassifier`,
            :class:`~sk_shallow.ShallowNetRegressor`, or any estimator with a
            ``loss_curve_`` (scikit-learn's MLPs included), or a
            :class:`~sklearn.pipeline.Pipeline` ending in one: its final
            step's curves are drawn.
        ax : matplotlib Axes, default=None
        log_scale : bool, default=False
            Logarithmic cost axis.
        score_name : str, default=None
            Label of the score axis; by default "validation accuracy" for a
            classifier and "validation R²" for a regressor.
        validation_kw, score_kw : dict, default=None
            Keyword arguments for the validation cost's and score's ``plot``.
        **kwargs : dict
            Keyword arguments for the training cost's ``plot``.

        Returns
        -------
        display : TrainingCurveDisplay
        """
        check_matplotlib_support(f"{cls.__name__}.from_estimator")
        check_is_fitted(estimator)
        estimator, _, _ = _final_step(estimator)
        if getattr(estimator, "loss_curve_", None) is None:
            raise ValueError(
                f"{type(estimator).__name__} recorded no loss_curve_; "
                "TrainingCurveDisplay needs the cost of every iteration."
            )
        if score_name is None:
            what = "accuracy" if is_classifier(estimator) else "R²"
            score_name = f"validation {what}"
        # The stochastic solvers record one value per pass over the data.
        epochs = getattr(estimator, "solver", None) in ("sgd", "adam")
        return cls.from_history(
            estimator.loss_curve_,
            validation_loss_curve=getattr(estimator, "validation_loss_curve_", None),
            scores=getattr(estimator, "validation_scores_", None),
            score_name=score_name,
            xlabel="epoch" if epochs else "iteration",
            estimator_name=type(estimator).__name__,
            ax=ax,
            log_scale=log_scale,
            validation_kw=validation_kw,
            score_kw=score_kw,
            **kwargs,
        )

    @classmethod
    def from_history(
        cls,
        loss_curve,
        *,
        validation_loss_curve=None,
        scores=None,
        best_iteration="auto",
        score_name="validation score",
        xlabel="iteration",
        estimator_name=None,
        ax=None,
        log_scale=False,
        validation_kw=None,
        score_kw=None,
        **kwargs,
    ):
        """Plot curves recorded elsewhere, such as by a callback.

        Parameters
        ----------
        loss_curve : array-like of shape (n_iter,)
            The training cost after each iteration.
        validation_loss_curve : array-like of shape (n_val,), default=None
            The held-out cost of the last ``n_val <= n_iter`` iterations.
        scores : array-like of shape (n_scored,), default=None
            A score of the last ``n_scored <= n_iter`` iterations, higher
            being better: a validation score, or for instance the
            per-iteration scores a :class:`sklearn.callback.ScoringMonitor`
            logged.
        best_iteration : int, "auto" or None, default="auto"
            The iteration (from 1) to mark. ``"auto"``: the first with the
            best score, no mark without scores. None: no mark.
        score_name : str, default="validation score"
            Label of the score axis.
        xlabel : str, default="iteration"
        estimator_name : str, default=None
            Title of the plot.
        ax : matplotlib Axes, default=None
        log_scale : bool, default=False
        validation_kw, score_kw : dict, default=None
            Keyword arguments for the validation cost's and score's ``plot``.
        **kwargs : dict
            Keyword arguments for the training cost's ``plot``.

        Returns
        -------
        display : TrainingCurveDisplay
        """
        check_matplotlib_support(f"{cls.__name__}.from_history")
        loss = np.asarray(loss_curve, dtype=float)
        if loss.ndim != 1 or not len(loss):
            raise ValueError(
                f"loss_curve must be a non-empty 1-D sequence; got shape {loss.shape}."
            )
        curves = {"validation_loss_curve": validation_loss_curve, "scores": scores}
        for name, curve in curves.items():
            if curve is not None:
                curves[name] = curve = np.asarray(curve, dtype=float)
                if curve.ndim != 1 or len(curve) > len(loss):
                    raise ValueError(
                        f"{name} must be 1-D and no longer than loss_curve "
                        f"({len(loss)} iterations); got shape {curve.shape}."
                    )
        scores = curves["scores"]
        if isinstance(best_iteration, str) and best_iteration == "auto":
            best_iteration = None
            if scores is not None and len(scores):
                first = len(loss) - len(scores) + 1
                best_iteration = first + int(np.argmax(scores))
        return cls(
            loss_curve=loss,
            validation_loss_curve=curves["validation_loss_curve"],
            scores=scores,
            best_iteration=best_iteration,
            score_name=score_name,
            xlabel=xlabel,
            estimator_name=estimator_name,
        ).plot(
            ax=ax,
            log_scale=log_scale,
            validation_kw=validation_kw,
            score_kw=score_kw,
            **kwargs,
        )


def _last_iterations(n_iter, n):
    """The iteration numbers of the last ``n`` of ``n_iter`` iterations."""
    return np.arange(n_iter - n + 1, n_iter + 1)


# --------------------------------------------------------------------------
# Hidden units
# --------------------------------------------------------------------------
class HiddenUnitsDisplay:
    """Each hidden unit's line in a 2-D input plane, and what the network makes of them.

    Hidden unit ``j`` computes ``a_j = g(w_j . x + b_j)``: it changes most
    across the line ``w_j . x + b_j = 0``, and ``a_j`` grows on the side
    ``w_j`` points to. The output layer adds the units up with the weights
    ``W2[:, j]``, so a handful of lines make the network's decision boundary
    (notes 3.3). The lines are coloured by the sign of the chosen output
    unit's weight ``W2[output, j]`` (red positive, blue negative) and their
    widths grow with its size; a small tick on each line points to the side
    where the unit is active. Behind them, the network's output (probability
    of the positive class, predicted class, or regression output) and, for a
    classifier, its decision boundary in black.

    Build it with :meth:`from_estimator`.

    Parameters
    ----------
    W1 : ndarray of shape (n_hidden, 2)
    b1 : ndarray of shape (n_hidden, 1)
    W2 : ndarray of shape (n_outputs, n_hidden)
    xx0, xx1 : ndarray of shape (grid_resolution, grid_resolution)
        The grid of inputs, as :func:`numpy.meshgrid` makes it.
    response : ndarray of shape (grid_resolution, grid_resolution)
        The network's output on the grid.
    boundary_level : float or array-like or None
        Level(s) of ``response`` at the decision boundary; None for a
        regression surface.
    activation_maps : ndarray of shape (n_hidden, grid_resolution, grid_resolution)
        Each unit's activation ``a_j`` on the grid.
    output : int, default=0
        The output unit whose weights colour the lines.
    xlabel, ylabel : str, default=None
    X, y : array-like, default=None
        Data points to draw on top (coloured by ``y`` if given).

    Attributes
    ----------
    unit_lines_ : list of matplotlib Line2D
        One per hidden unit, clipped to the grid; empty when ``w_j = 0``.
    unit_ticks_ : list of matplotlib Line2D
        One short segment per unit, from its line towards its active side.
    surface_ : matplotlib QuadContourSet
        The filled network output.
    boundary_ : matplotlib QuadContourSet or None
        The decision boundary.
    scatter_ : matplotlib PathCollection or None
    legend_ : matplotlib Legend
    activation_axes_ : list of matplotlib Axes or None
        One small plot per unit when drawn with ``activations=True``.
    activation_images_ : list of matplotlib QuadContourSet or None
    ax_ : matplotlib Axes
        The main plot.
    figure_ : matplotlib Figure
    """

    def __init__(
        self,
        *,
        W1,
        b1,
        W2,
        xx0,
        xx1,
        response,
        boundary_level,
        activation_maps,
        output=0,
        xlabel=None,
        ylabel=None,
        X=None,
        y=None,
    ):
        self.W1 = W1
        self.b1 = b1
        self.W2 = W2
        self.xx0 = xx0
        self.xx1 = xx1
        self.response = response
        self.boundary_level = boundary_level
        self.activation_maps = activation_maps
        self.output = output
        self.xlabel = xlabel
        self.ylabel = ylabel
        self.X = X
        self.y = y

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        y=None,
        *,
        grid_resolution=200,
        eps=0.5,
        output=0,
        activations=False,
        ax=None,
        cmap="RdBu_r",
        **kwargs,
    ):
        """Draw the hidden units of a network fitted on two features.

        Parameters
        ----------
        estimator : ShallowNetClassifier, ShallowNetRegressor or Pipeline
            Fitted on exactly 2 features. The lines live in the space the
            network sees: for a :class:`~sklearn.pipeline.Pipeline` ending in
            a network, ``X`` goes through the earlier steps' ``transform``
            and the plane is that of their output (a PCA's components, say).
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data that sets the plotted range and is drawn on top: 2 features,
            or a pipeline's input that its earlier steps map to 2.
        y : array-like of shape (n_samples,), default=None
            Targets, to colour the points.
        grid_resolution : int, default=200
            Grid points along each axis.
        eps : float, default=0.5
            Margin around ``X``'s range.
        output : int, default=0
            Output unit whose weights colour the lines (the only one for two
            classes or one target; a class, label or target otherwise).
        activations : bool, default=False
            Also draw each unit's activation map in a grid of small plots;
            ``ax`` then is a sequence of ``n_hidden + 1`` axes, the main plot
            first, or None for a new figure.
        ax : matplotlib Axes or sequence of Axes, default=None
        cmap : str or Colormap, default="RdBu_r"
            Colour map of the network's output.
        **kwargs : dict
            Keyword arguments for the output's ``contourf``.

        Returns
        -------
        display : HiddenUnitsDisplay

        Raises
        ------
        ValueError
            If the network was not fitted on exactly two features.
        """
        check_matplotlib_support(f"{cls.__name__}.from_estimator")
        network, _, _ = _final_step(estimator)
        _check_network(network, cls.__name__)
        check_is_fitted(network)
        estimator, X, step_names = _final_step(estimator, X)
        estimator = move_to(estimator, np)  # what it draws lives on the host
        n_features = estimator.W1_.shape[1]
        if n_features != 2:
            raise ValueError(
                f"HiddenUnitsDisplay draws networks of 2 input features, as "
                f"lines in the plane; this one has {n_features}. Fit a network "
                "on two features (or on a 2-D projection such as PCA's, and "
                "pass the network and the projected X)."
            )
        n_outputs = estimator.W2_.shape[0]
        if not 0 <= output < n_outputs:
            raise ValueError(
                f"output={output} is not an output unit of this network "
                f"(it has {n_outputs})."
            )
        X_arr = X.toarray() if sp.issparse(X) else np.asarray(to_host(X))
        if X_arr.ndim != 2 or X_arr.shape[1] != 2:
            raise ValueError(
                f"X must have shape (n_samples, 2); got shape {X_arr.shape}."
            )
        X_arr = X_arr.astype(float)
        lo, hi = X_arr.min(axis=0) - eps, X_arr.max(axis=0) + eps
        xx0, xx1 = np.meshgrid(
            np.linspace(lo[0], hi[0], grid_resolution),
            np.linspace(lo[1], hi[1], grid_resolution),
        )
        # One forward pass over the grid gives the hidden units' maps and
        # the network's output (W2_, b2_ predict y in its own units).
        grid_T = np.vstack([xx0.ravel(), xx1.ravel()]).astype(estimator.W1_.dtype)
        out_activation = estimator.out_activation_
        with np.errstate(over="ignore", under="ignore"):
            cache = _network.forward(
                estimator._params, grid_T, estimator.activation, out_activation
            )
        A1, A2 = cache["A1"], cache["A2"]
        boundary_level = None
        if is_classifier(estimator) and out_activation == "softmax":
            response = A2.argmax(axis=0).astype(float)  # the predicted class
            boundary_level = np.arange(n_outputs - 1) + 0.5
        else:  # a regressor's prediction, a (binary or label's) probability
            response = A2[output].astype(float)
            if is_classifier(estimator):
                boundary_level = 0.5
        names = getattr(estimator, "feature_names_in_", step_names)
        xlabel, ylabel = ("$x_1$", "$x_2$") if names is None else names[:2]
        return cls(
            W1=estimator.W1_,
            b1=estimator.b1_,
            W2=estimator.W2_,
            xx0=xx0,
            xx1=xx1,
            response=response.reshape(xx0.shape),
            boundary_level=boundary_level,
            activation_maps=A1.reshape((-1, *xx0.shape)),
            output=output,
            xlabel=xlabel,
            ylabel=ylabel,
            X=X_arr,
            y=y,
        ).plot(ax=ax, activations=activations, cmap=cmap, **kwargs)

    def unit_segment(self, j):
        """End points of unit ``j``'s line ``w_j . x + b_j = 0`` inside the grid.

        Parameters
        ----------
        j : int

        Returns
        -------
        points : ndarray of shape (2, 2) or (0, 2)
            The two points, one per row, where the line leaves the grid's
            rectangle; no rows if the line misses it (or ``w_j = 0``).
        """
        w = np.asarray(self.W1[j], dtype=float)
        b = float(np.ravel(self.b1)[j])
        x_lo, x_hi = self.xx0.min(), self.xx0.max()
        y_lo, y_hi = self.xx1.min(), self.xx1.max()
        points = []
        # Intersect the line with each side of the rectangle.
        if w[1] != 0:
            for x in (x_lo, x_hi):
                y = -(w[0] * x + b) / w[1]
                if y_lo <= y <= y_hi:
                    points.append((x, y))
        if w[0] != 0:
            for y in (y_lo, y_hi):
                x = -(w[1] * y + b) / w[0]
                if x_lo <= x <= x_hi:
                    points.append((x, y))
        if len(points) < 2:
            return np.empty((0, 2))
        points = np.array(points)
        # A line through a corner meets two sides there: keep the two points
        # farthest apart.
        dist = np.linalg.norm(points[:, None] - points[None], axis=-1)
        i, k = np.unravel_index(dist.argmax(), dist.shape)
        return points[[i, k]]

    def plot(self, ax=None, *, activations=False, cmap="RdBu_r", **kwargs):
        """Draw the display.

        Parameters
        ----------
        ax : matplotlib Axes or sequence of Axes, default=None
            The main plot's axes; with ``activations=True``, a sequence of
            ``n_hidden + 1`` axes, the main plot first. None: a new figure.
        activations : bool, default=False
            Also draw each unit's activation map.
        cmap : str or Colormap, default="RdBu_r"
        **kwargs : dict
            Keyword arguments for the output's ``contourf``.

        Returns
        -------
        display : HiddenUnitsDisplay
        """
        check_matplotlib_support(f"{type(self).__name__}.plot")
        import matplotlib.pyplot as plt

        n_hidden = self.W1.shape[0]
        unit_axes = None
        if activations:
            if ax is None:
                ax, unit_axes = _activation_layout(plt, n_hidden)
            else:
                axes = list(np.ravel(ax))
                if len(axes) < n_hidden + 1:
                    raise ValueError(
                        f"activations=True needs {n_hidden + 1} axes, the main "
                        f"plot and one per hidden unit; got {len(axes)}."
                    )
                ax, unit_axes = axes[0], axes[1 : n_hidden + 1]
        ax = _get_ax(ax)

        kw = {"cmap": cmap, "alpha": 0.35}
        if self.boundary_level is not None:
            # Probabilities in tenths; predicted classes one band each.
            n_levels = np.size(self.boundary_level)
            kw["levels"] = (
                np.linspace(0, 1, 11)
                if n_levels == 1
                else np.arange(-0.5, n_levels + 1)
            )
        self.surface_ = ax.contourf(
            self.xx0, self.xx1, self.response, **{**kw, **kwargs}
        )
        self.boundary_ = None
        if self.boundary_level is not None:
            self.boundary_ = ax.contour(
                self.xx0,
                self.xx1,
                self.response,
                levels=np.atleast_1d(self.boundary_level),
                colors="k",
                linewidths=1.5,
            )

        self.scatter_ = None
        if self.X is not None:
            colour = (
                {"c": "0.3"}
                if self.y is None
                else {"c": _numeric_labels(self.y), "cmap": cmap}
            )
            self.scatter_ = ax.scatter(
                self.X[:, 0],
                self.X[:, 1],
                **colour,
                s=10,
                edgecolors="k",
                linewidths=0.3,
            )

        self.unit_lines_, self.unit_ticks_ = self._draw_units(ax)
        ax.set_xlim(self.xx0.min(), self.xx0.max())
        ax.set_ylim(self.xx1.min(), self.xx1.max())
        ax.set_xlabel(self.xlabel)
        ax.set_ylabel(self.ylabel)

        self.activation_axes_ = self.activation_images_ = None
        if unit_axes is not None:
            self.activation_axes_ = unit_axes
            self.activation_images_ = []
            for j, unit_ax in enumerate(unit_axes):
                self.activation_images_.append(
                    unit_ax.contourf(
                        self.xx0, self.xx1, self.activation_maps[j], cmap="viridis"
                    )
                )
                seg = self.unit_segment(j)
                unit_ax.plot(seg[:, 0], seg[:, 1], color="w", linewidth=1)
                unit_ax.set_xlim(self.xx0.min(), self.xx0.max())
                unit_ax.set_ylim(self.xx1.min(), self.xx1.max())
                unit_ax.set_title(f"$a_{{{j + 1}}}$", fontsize="small")
                unit_ax.set_xticks([])
                unit_ax.set_yticks([])
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    def _draw_units(self, ax):
        """One line per hidden unit, a tick towards its active side, a label."""
        from matplotlib.lines import Line2D
        from matplotlib.patheffects import withStroke

        weights = np.asarray(self.W2, dtype=float)[self.output]
        largest = np.abs(weights).max() or 1.0
        span = max(np.ptp(self.xx0), np.ptp(self.xx1))
        lines, ticks = [], []
        for j in range(self.W1.shape[0]):
            seg = self.unit_segment(j)
            width = 1 + 3 * abs(weights[j]) / largest
            style = {
                "color": _POSITIVE if weights[j] >= 0 else _NEGATIVE,
                "linewidth": width,
                "path_effects": [withStroke(linewidth=width + 1.5, foreground="w")],
            }
            lines.append(ax.plot(seg[:, 0], seg[:, 1], **style)[0])
            tick = np.empty((0, 2))
            if len(seg):
                # Near one end, where lines through a common centre part: the
                # end farther from the legend in the lower left corner.
                corner = np.array([self.xx0.min(), self.xx1.min()])
                far, near = sorted(seg, key=lambda p: -np.abs(p - corner).sum())
                at = 0.85 * far + 0.15 * near
                normal = self.W1[j] / np.linalg.norm(self.W1[j])
                tick = np.array([at, at + 0.04 * span * normal])
                ax.annotate(
                    str(j + 1),
                    at - 0.04 * span * normal,
                    ha="center",
                    va="center",
                    fontsize="small",
                    fontweight="bold",
                    color=style["color"],
                    path_effects=style["path_effects"],
                )
            ticks.append(ax.plot(tick[:, 0], tick[:, 1], **style)[0])
        handles = [
            Line2D([], [], color=_POSITIVE, linewidth=2.5, label="unit, $W_2 > 0$"),
            Line2D([], [], color=_NEGATIVE, linewidth=2.5, label="unit, $W_2 < 0$"),
        ]
        if self.boundary_level is not None:
            handles.append(Line2D([], [], color="k", label="decision boundary"))
        self.legend_ = ax.legend(handles=handles, loc="lower left", fontsize="small")
        return lines, ticks


#: Line colours of hidden units with a positive and a negative outgoing weight.
_POSITIVE, _NEGATIVE = "firebrick", "navy"


def _numeric_labels(y):
    """Colour values for the labels ``y``: their index among the sorted labels."""
    return np.unique(np.asarray(y), return_inverse=True)[1].ravel()


def _activation_layout(plt, n_hidden):
    """A figure with the main plot on the left and a grid of unit plots."""
    n_cols = int(np.ceil(np.sqrt(n_hidden)))
    n_rows = int(np.ceil(n_hidden / n_cols))
    fig = plt.figure(figsize=(6 + 2.2 * n_cols, max(4.5, 2.2 * n_rows)))
    outer = fig.add_gridspec(1, 2, width_ratios=[6, 2.2 * n_cols])
    main = fig.add_subplot(outer[0])
    inner = outer[1].subgridspec(n_rows, n_cols)
    units = [fig.add_subplot(inner[j // n_cols, j % n_cols]) for j in range(n_hidden)]
    return main, units


# --------------------------------------------------------------------------
# Gradient check
# --------------------------------------------------------------------------
#: Hidden activations with a kink at ``z = 0``, where ``g'`` jumps.
_KINKED = ("relu", "leaky_relu")

#: The error's floor, as a share of ``sqrt(n_k) |J|``: see check_gradients.
_FLOOR = 0.1


@validate_params(
    {
        "estimator": [object],
        "X": ["array-like", "sparse matrix"],
        "y": ["array-like"],
        "sample_weight": ["array-like", None],
        "eps": [Interval(Real, 0, None, closed="neither")],
    },
    prefer_skip_nested_validation=True,
)
def check_gradients(estimator, X, y, *, sample_weight=None, eps=1e-7):
    """Compare the backward pass with central finite differences of the cost.

    The notes' gradient check: for every parameter ``theta_i``,
    ``(J(theta + eps e_i) - J(theta - eps e_i)) / (2 eps)`` against the
    backward pass's ``dJ/dtheta_i``, and per parameter block ``k`` (of
    ``n_k`` parameters) the error

    ``||g - g_num|| / max(||g|| + ||g_num||, sqrt(n_k) |J| / 10)``

    (0 when the difference is 0). It is the relative error, except for a
    block whose gradient is small against the cost ``J``: the differences of
    the cost are rounded at about ``1e-16 |J|``, which makes an error of
    about ``1e-16 |J| / eps`` in each ``g_num``, and a gradient of nearly 0
    (that of ``b2`` at a small initialisation on balanced classes) would
    turn that rounding into a large relative error. The floor measures such
    a block's error against the cost's size instead. Below about ``1e-7``
    the backward pass is right. A wrong one reads orders of magnitude more:
    at the notes' initialisation, where every gradient is small, a hidden
    activation's derivative off by 1% reads above ``1e-5`` and one off by
    half above ``5e-4``; from larger weights (``init="glorot"``) the latter
    reads above ``1e-3``. The cost is the one ``fit`` minimises on ``X``,
    ``y`` (penalty and sample weights included; a regressor's on its
    standardised targets), computed in float64.

    Parameters
    ----------
    estimator : ShallowNetClassifier, ShallowNetRegressor or Pipeline
        A fitted network is checked at its fitted parameters. An unfitted one
        is checked where ``fit`` would start, with the same ``random_state``
        draw; the estimator itself is not changed. A
        :class:`~sklearn.pipeline.Pipeline` ending in a network stands for
        that network, on ``X`` as its earlier steps transform it (fitted on
        ``X`` and ``y`` where the pipeline is not fitted).
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
    sample_weight : array-like of shape (n_samples,), default=None
    eps : float, default=1e-7
        The finite-difference step.

    Returns
    -------
    errors : dict
        ``{"W1": float, "b1": float, "W2": float, "b2": float}``.

    Notes
    -----
    ``"relu"`` and ``"leaky_relu"`` have a kink at 0, where a central
    difference that crosses it averages two slopes. A parameter whose step
    would move some example's hidden pre-activation across 0 is
    differentiated on one side instead, with the second-order one-sided
    difference ``(-3 J(theta) + 4 J(theta + h) - J(theta + 2h)) / (2h)``
    (``h = +-eps``), where that side has room for it. A pre-activation at
    exactly 0 (an example at the origin under zero biases, say) is on the
    kink: the backward pass takes the slope below it, and the difference is
    taken on the side that lowers it.

    Near a minimum the gradient itself tends to zero and the error measures
    rounding noise rather than mistakes; check a network early in training
    or unfitted. Keep ``X`` small: the check costs two forward passes per
    parameter.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_shallow import ShallowNetClassifier
    >>> from sk_shallow.inspection import check_gradients
    >>> rng = np.random.RandomState(0)
    >>> X, y = rng.standard_normal((20, 3)), rng.randint(3, size=20)
    >>> errors = check_gradients(
    ...     ShallowNetClassifier(4, init="glorot", random_state=0), X, y
    ... )
    >>> sorted(errors)
    ['W1', 'W2', 'b1', 'b2']
    >>> max(errors.values()) < 1e-7
    True
    """
    network, _, _ = _final_step(estimator)
    _check_network(network, "check_gradients")
    fitted = hasattr(network, "W1_")
    _, X, _ = _final_step(estimator, X, y, fit=not fitted)
    # clone: an unfitted network learns about the data while preparing it.
    problem = _problem.at_start(
        network if fitted else clone(network), X, y, sample_weight
    )

    def f64(a):  # on the host: the check runs in NumPy, whatever fit used
        return None if a is None else to_host(a).astype(np.float64)

    params = {k: f64(v) for k, v in problem["params"].items()}
    XT, Y, sw = f64(problem["X"]), f64(problem["Y"]), f64(problem["sample_weight"])
    activation, output, alpha = (problem[k] for k in ("activation", "output", "alpha"))

    with np.errstate(over="ignore", under="ignore"):
        cost, grads = _network.loss_and_gradients(
            params, XT, Y, activation, output, alpha, sw
        )
        theta = _network.pack(params)
        ahead, behind = _room_to_kinks(params, XT, activation)
        numeric = np.empty_like(theta)
        cache = {}

        def J(t):
            p = _network.unpack(t, params)
            _network.forward(p, XT, activation, output, cache)
            return _network.cost(p, Y, cache, output, alpha, sw)

        def J_at(i, step):
            saved = theta[i]
            theta[i] = saved + step
            value = J(theta)
            theta[i] = saved
            return value

        for i in range(theta.size):
            room = (ahead[i], behind[i])
            # Central where no kink is near or where one is near on both sides.
            if min(room) > eps or max(room) <= 2 * eps:
                numeric[i] = (J_at(i, eps) - J_at(i, -eps)) / (2 * eps)
                continue
            h = eps if ahead[i] > 2 * eps else -eps
            numeric[i] = (-3 * cost + 4 * J_at(i, h) - J_at(i, 2 * h)) / (2 * h)
    numeric = _network.unpack(numeric, params)
    errors = {}
    for k in _network.PARAM_NAMES:
        g, g_num = grads[k].ravel(), numeric[k].ravel()
        difference = np.linalg.norm(g - g_num)
        floor = _FLOOR * np.sqrt(g.size) * abs(cost)
        scale = max(np.linalg.norm(g) + np.linalg.norm(g_num), floor)
        errors[k] = float(difference / scale) if difference else 0.0
    return errors


def _room_to_kinks(params, XT, activation):
    """How far each parameter may move up and down before a kink is crossed.

    Parameters
    ----------
    params : dict
        ``W1``, ``b1``, ``W2``, ``b2`` in the notes' layout.
    XT : {ndarray, sparse matrix} of shape (n_features, m)
    activation : str

    Returns
    -------
    ahead, behind : ndarray of shape (n_params,)
        In the order of :func:`sk_shallow._network.pack`: the largest step
        up and down that moves no hidden pre-activation ``z_js`` across 0,
        nor one at 0 above it (0 in that direction); ``inf`` for the output
        layer and for smooth activations.
    """
    ahead = {k: np.full(v.shape, np.inf) for k, v in params.items()}
    behind = {k: np.full(v.shape, np.inf) for k, v in params.items()}
    if activation in _KINKED:
        X = XT.toarray() if sp.issparse(XT) else XT
        # The hidden pre-activations: the forward pass without the activation.
        Z1 = _network.forward(params, X, "identity", "identity")["A1"]
        at_kink = (Z1 == 0)[:, np.newaxis, :]
        # Moving W1[j, i] by t moves z_js by t X[i, s]; moving b1[j], by t.
        for k, rate in (("W1", X[np.newaxis, :, :]), ("b1", np.ones((1, 1, 1)))):
            with np.errstate(divide="ignore", invalid="ignore"):
                t = -Z1[:, np.newaxis, :] / rate
            # A z_js at 0 sits on the kink: the backward pass takes the slope
            # below it, so a step that raises z_js leaves that slope at once.
            up = (t > 0) | (at_kink & (rate > 0))
            down = (t < 0) | (at_kink & (rate < 0))
            ahead[k] = np.where(up, np.abs(t), np.inf).min(axis=-1, initial=np.inf)
            behind[k] = np.where(down, np.abs(t), np.inf).min(axis=-1, initial=np.inf)
    return _network.pack(ahead), _network.pack(behind)
