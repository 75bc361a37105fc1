"""The displays draw what the network computed; the gradient check catches bugs."""

import copy
import subprocess
import sys

import numpy as np
import pytest
import scipy.sparse as sp
from helpers import PARAMS, quiet_fit
from sklearn.base import clone
from sklearn.datasets import make_regression
from sklearn.decomposition import PCA
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from sk_shallow import (
    ShallowNetClassifier,
    ShallowNetRegressor,
    _activations,
    _network,
)
from sk_shallow.datasets import make_flower
from sk_shallow.inspection import (
    HiddenUnitsDisplay,
    TrainingCurveDisplay,
    check_gradients,
)

pytest.importorskip("matplotlib")

HIDDEN = list(_activations.ACTIVATIONS)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture(scope="module")
def flower():
    X, y = make_flower(120, random_state=0)
    return X, y


def test_importing_does_not_import_matplotlib():
    code = (
        "import sys, sk_shallow, sk_shallow.inspection; "
        "print(sorted(m for m in sys.modules if m.startswith('matplotlib')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


# --------------------------------------------------------------------------
# TrainingCurveDisplay
# --------------------------------------------------------------------------
@pytest.mark.parametrize("solver", ["gd", "sgd", "adam", "lbfgs"])
@pytest.mark.parametrize("Est", [ShallowNetClassifier, ShallowNetRegressor])
def test_training_curve_draws_the_loss_curve(flower, Est, solver):
    X, y = flower
    est = quiet_fit(Est(3, solver=solver, max_iter=15, random_state=0), X, y)
    disp = TrainingCurveDisplay.from_estimator(est, color="k")
    n = len(est.loss_curve_)
    np.testing.assert_array_equal(disp.line_.get_xdata(), np.arange(1, n + 1))
    np.testing.assert_array_equal(disp.line_.get_ydata(), est.loss_curve_)
    assert disp.line_.get_color() == "k"  # **kwargs reach the training line
    assert disp.validation_line_ is None and disp.score_line_ is None
    assert disp.score_ax_ is None
    assert disp.best_line_ is None  # the fitted weights are the last ones
    unit = "epoch" if solver in ("sgd", "adam") else "iteration"
    assert disp.ax_.get_xlabel() == unit and disp.ax_.get_ylabel() == "cost"
    assert disp.figure_ is disp.ax_.figure


@pytest.mark.parametrize("Est", [ShallowNetClassifier, ShallowNetRegressor])
def test_training_curve_with_early_stopping(flower, Est):
    import matplotlib.pyplot as plt

    X, y = flower
    est = Est(
        4,
        solver="adam",
        learning_rate=0.05,
        early_stopping=True,
        n_iter_no_change=5,
        max_iter=200,
        random_state=0,
    )
    est = quiet_fit(est, X, y)
    _, ax = plt.subplots()
    disp = TrainingCurveDisplay.from_estimator(est, ax=ax, log_scale=True)
    assert disp.ax_ is ax and ax.get_yscale() == "log"
    n = len(est.loss_curve_)
    for line, curve in (
        (disp.validation_line_, est.validation_loss_curve_),
        (disp.score_line_, est.validation_scores_),
    ):
        np.testing.assert_array_equal(line.get_xdata(), np.arange(1, n + 1))
        np.testing.assert_array_equal(line.get_ydata(), curve)
    # The score sits on the second y-axis, the costs on the first.
    assert disp.score_line_.axes is disp.score_ax_ is not ax
    assert disp.validation_line_.axes is ax
    # The mark is at the weights early stopping kept.
    best = disp.best_line_.get_xdata()[0]
    assert est.validation_scores_[best - 1] == est.best_validation_score_
    assert best - 1 == np.argmax(est.validation_scores_)
    what = "accuracy" if Est is ShallowNetClassifier else "R²"
    assert disp.score_ax_.get_ylabel() == f"validation {what}"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[:2] == ["training cost", "validation cost"]


def test_training_curve_marks_the_kept_weights_after_a_worse_warm_fit():
    X, y = make_flower(400, random_state=0)
    est = ShallowNetClassifier(
        solver="adam",
        learning_rate=0.1,
        early_stopping=True,
        warm_start=True,
        n_iter_no_change=np.inf,
        max_iter=60,
        random_state=1,
    )
    quiet_fit(est, X, y)
    proba = est.predict_proba(X)
    # A penalty that pulls every weight to zero: every later score is worse.
    quiet_fit(est.set_params(alpha=1000.0, max_iter=10), X, y)
    assert max(est.validation_scores_[60:]) < est.best_validation_score_
    disp = TrainingCurveDisplay.from_estimator(est)
    # The mark is in the first fit, whose best weights are the fitted ones.
    assert disp.best_line_.get_xdata()[0] <= 60
    np.testing.assert_array_equal(est.predict_proba(X), proba)


def test_training_curve_reads_scikit_learn_mlp(flower):
    X, y = flower
    mlp = quiet_fit(
        MLPClassifier((3,), early_stopping=True, max_iter=30, random_state=0), X, y
    )
    disp = TrainingCurveDisplay.from_estimator(mlp)
    np.testing.assert_array_equal(disp.line_.get_ydata(), mlp.loss_curve_)
    np.testing.assert_array_equal(disp.score_line_.get_ydata(), mlp.validation_scores_)
    assert disp.validation_line_ is None


def test_training_curve_from_history():
    loss = [3.0, 2.0, 1.5, 1.2, 1.3]
    scores = [0.5, 0.7, 0.6]  # the last three iterations only
    disp = TrainingCurveDisplay.from_history(
        loss, scores=scores, score_name="accuracy", linestyle="-."
    )
    np.testing.assert_array_equal(disp.score_line_.get_xdata(), [3, 4, 5])
    np.testing.assert_array_equal(disp.score_line_.get_ydata(), scores)
    assert disp.best_line_.get_xdata()[0] == 4  # the best score's iteration
    assert disp.line_.get_linestyle() == "-."
    assert disp.score_ax_.get_ylabel() == "accuracy"
    disp = TrainingCurveDisplay.from_history(loss, scores=scores, best_iteration=None)
    assert disp.best_line_ is None
    disp = TrainingCurveDisplay.from_history(loss, best_iteration=2)
    assert disp.best_line_.get_xdata()[0] == 2
    assert TrainingCurveDisplay.from_history(loss).best_line_ is None
    with pytest.raises(ValueError, match="no longer than loss_curve"):
        TrainingCurveDisplay.from_history(loss, validation_loss_curve=[1] * 6)
    with pytest.raises(ValueError, match="non-empty 1-D"):
        TrainingCurveDisplay.from_history([])


@pytest.mark.parametrize("early_stopping", [False, True])
def test_training_curve_of_a_pipeline_is_its_final_step(flower, early_stopping):
    X, y = flower
    net = ShallowNetClassifier(
        3, early_stopping=early_stopping, max_iter=15, random_state=0
    )
    pipe = quiet_fit(make_pipeline(StandardScaler(), net), X, y)
    disp = TrainingCurveDisplay.from_estimator(pipe)
    np.testing.assert_array_equal(disp.line_.get_ydata(), net.loss_curve_)
    assert (disp.score_line_ is not None) is early_stopping
    assert disp.ax_.get_title() == "ShallowNetClassifier"
    # A nested pipeline, and scikit-learn's MLP at the end of one.
    nested = quiet_fit(make_pipeline(make_pipeline(StandardScaler(), net)), X, y)
    disp = TrainingCurveDisplay.from_estimator(nested)
    np.testing.assert_array_equal(disp.line_.get_ydata(), net.loss_curve_)
    mlp = MLPClassifier((3,), max_iter=5, random_state=0)
    quiet_fit(make_pipeline(StandardScaler(), mlp), X, y)
    disp = TrainingCurveDisplay.from_estimator(make_pipeline(StandardScaler(), mlp))
    np.testing.assert_array_equal(disp.line_.get_ydata(), mlp.loss_curve_)


def test_training_curve_needs_a_fit():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        TrainingCurveDisplay.from_estimator(ShallowNetClassifier())


# --------------------------------------------------------------------------
# HiddenUnitsDisplay
# --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def flower_net(flower):
    X, y = flower
    return quiet_fit(ShallowNetClassifier(4, max_iter=300, random_state=2), X, y)


def test_hidden_unit_lines_follow_the_weights(flower, flower_net):
    X, y = flower
    net = flower_net
    disp = HiddenUnitsDisplay.from_estimator(net, X, y, grid_resolution=50)
    assert len(disp.unit_lines_) == len(disp.unit_ticks_) == net.n_hidden
    x_lo, x_hi = X[:, 0].min() - 0.5, X[:, 0].max() + 0.5
    y_lo, y_hi = X[:, 1].min() - 0.5, X[:, 1].max() + 0.5
    np.testing.assert_allclose(disp.ax_.get_xlim(), (x_lo, x_hi))
    W2 = net.W2_[0]
    for j, (line, tick) in enumerate(
        zip(disp.unit_lines_, disp.unit_ticks_, strict=True)
    ):
        pts = np.c_[line.get_xdata(), line.get_ydata()]
        assert pts.shape == (2, 2)
        # On the unit's line z_j = w_j . x + b_j = 0 ...
        np.testing.assert_allclose(
            pts @ net.W1_[j] + net.b1_[j, 0], 0, atol=1e-9 * np.abs(net.W1_[j]).sum()
        )
        # ... and from border to border of the drawn rectangle.
        on_border = np.isclose(pts[:, 0], [[x_lo], [x_hi]]).any(axis=0) | np.isclose(
            pts[:, 1], [[y_lo], [y_hi]]
        ).any(axis=0)
        assert on_border.all()
        # The tick starts on the line and points to where the unit is active.
        start, end = np.c_[tick.get_xdata(), tick.get_ydata()]
        assert abs(start @ net.W1_[j] + net.b1_[j, 0]) < 1e-9 * np.abs(net.W1_[j]).sum()
        assert end @ net.W1_[j] + net.b1_[j, 0] > 0
        expected = "firebrick" if W2[j] >= 0 else "navy"
        assert line.get_color() == expected
    widths = [line.get_linewidth() for line in disp.unit_lines_]
    assert np.argsort(widths).tolist() == np.argsort(np.abs(W2)).tolist()
    assert max(widths) == pytest.approx(4.0)  # the largest |W2|
    assert disp.boundary_ is not None and disp.surface_ is not None
    np.testing.assert_array_equal(disp.scatter_.get_offsets(), X)
    assert disp.activation_axes_ is None
    assert disp.figure_ is disp.ax_.figure


def test_hidden_units_surface_and_activation_maps(flower, flower_net):
    X, y = flower
    net = flower_net
    disp = HiddenUnitsDisplay.from_estimator(
        net, X, y, grid_resolution=30, activations=True
    )
    grid = np.c_[disp.xx0.ravel(), disp.xx1.ravel()]
    # The surface is the probability of the positive class, the boundary 1/2.
    np.testing.assert_allclose(
        disp.response.ravel(), net.predict_proba(grid)[:, 1], rtol=1e-12
    )
    assert disp.boundary_.levels.tolist() == [0.5]
    # Activation maps: a_j = tanh(w_j . x + b_j), written out independently.
    assert len(disp.activation_axes_) == len(disp.activation_images_) == 4
    for j in range(4):
        expected = np.tanh(grid @ net.W1_[j] + net.b1_[j, 0])
        np.testing.assert_allclose(
            disp.activation_maps[j].ravel(), expected, atol=1e-12
        )
        assert disp.activation_axes_[j].figure is disp.figure_


def test_hidden_units_multiclass_and_regression():
    rng = np.random.RandomState(0)
    X = rng.uniform(-2, 2, (90, 2))
    y = np.digitize(X[:, 0] + X[:, 1], [-1, 1])
    clf = quiet_fit(
        ShallowNetClassifier(3, activation="relu", max_iter=50, random_state=0), X, y
    )
    disp = HiddenUnitsDisplay.from_estimator(clf, X, y, grid_resolution=20, output=2)
    grid = np.c_[disp.xx0.ravel(), disp.xx1.ravel()]
    np.testing.assert_array_equal(disp.response.ravel(), clf.predict(grid))
    assert disp.boundary_.levels.tolist() == [0.5, 1.5]
    colours = [line.get_color() for line in disp.unit_lines_]
    assert colours == ["firebrick" if w >= 0 else "navy" for w in clf.W2_[2]]

    labels = np.c_[X[:, 0] > 0, X[:, 1] > 0].astype(int)
    multilabel = quiet_fit(ShallowNetClassifier(3, max_iter=50), X, labels)
    disp = HiddenUnitsDisplay.from_estimator(
        multilabel, X, grid_resolution=20, output=1
    )
    np.testing.assert_allclose(
        disp.response.ravel(), multilabel.predict_proba(grid)[:, 1]
    )
    assert disp.boundary_.levels.tolist() == [0.5]

    reg = quiet_fit(ShallowNetRegressor(3, max_iter=50, random_state=0), X, X[:, 0])
    disp = HiddenUnitsDisplay.from_estimator(reg, X, grid_resolution=20)
    np.testing.assert_allclose(
        disp.response.ravel(), reg.predict(np.c_[disp.xx0.ravel(), disp.xx1.ravel()])
    )
    assert disp.boundary_ is None and len(disp.unit_lines_) == 3


def test_hidden_units_edge_cases(flower, flower_net):
    import matplotlib.pyplot as plt

    X, y = flower
    net = copy.deepcopy(flower_net)
    net.W1_[0] = 0  # a unit without a line
    disp = HiddenUnitsDisplay.from_estimator(net, X, grid_resolution=10)
    assert len(disp.unit_lines_[0].get_xdata()) == 0
    assert disp.unit_segment(0).shape == (0, 2)
    with pytest.raises(ValueError, match="needs 5 axes"):
        HiddenUnitsDisplay.from_estimator(
            flower_net, X, activations=True, ax=plt.subplots(1, 2)[1]
        )
    with pytest.raises(ValueError, match="not an output unit"):
        HiddenUnitsDisplay.from_estimator(flower_net, X, output=1)
    three = np.c_[X, X[:, 0]]
    wide = quiet_fit(ShallowNetClassifier(2, max_iter=5), three, y)
    with pytest.raises(ValueError, match="2 input features.*has 3"):
        HiddenUnitsDisplay.from_estimator(wide, three, y)
    with pytest.raises(TypeError, match="ShallowNetClassifier or"):
        HiddenUnitsDisplay.from_estimator(MLPClassifier(), X, y)


def test_hidden_units_of_a_pipeline_live_in_its_last_transform(flower):
    # Four raw features, projected on two by PCA: the network's lines and
    # its surface are drawn in the plane of the projection.
    X, y = flower
    rng = np.random.RandomState(0)
    raw = np.c_[X, X @ rng.standard_normal((2, 2))] + 0.01 * rng.standard_normal(
        (len(X), 4)
    )
    net = ShallowNetClassifier(3, max_iter=50, random_state=0)
    pipe = quiet_fit(make_pipeline(PCA(2), net), raw, y)
    disp = HiddenUnitsDisplay.from_estimator(pipe, raw, y, grid_resolution=20)
    projected = pipe[0].transform(raw)
    np.testing.assert_allclose(disp.scatter_.get_offsets(), projected)
    grid = np.c_[disp.xx0.ravel(), disp.xx1.ravel()]
    np.testing.assert_allclose(disp.response.ravel(), net.predict_proba(grid)[:, 1])
    np.testing.assert_allclose(disp.W1, net.W1_)
    assert (disp.ax_.get_xlabel(), disp.ax_.get_ylabel()) == ("pca0", "pca1")
    # The same as drawing the network on the projected data.
    direct = HiddenUnitsDisplay.from_estimator(net, projected, y, grid_resolution=20)
    np.testing.assert_allclose(disp.response, direct.response)
    with pytest.raises(TypeError, match="Pipeline ending in one"):
        HiddenUnitsDisplay.from_estimator(make_pipeline(PCA(2)), raw, y)


# --------------------------------------------------------------------------
# check_gradients
# --------------------------------------------------------------------------
def _targets(kind, rng, m):
    """An estimator class and targets for each output layer."""
    if kind == "sigmoid":
        return ShallowNetClassifier, {}, rng.randint(2, size=m)
    if kind == "softmax":
        return ShallowNetClassifier, {}, rng.randint(3, size=m)
    if kind == "multilabel":
        return ShallowNetClassifier, {}, rng.randint(2, size=(m, 3))
    if kind == "identity":
        return ShallowNetRegressor, {}, rng.standard_normal((m, 2))
    return ShallowNetRegressor, {"loss": "poisson"}, rng.poisson(2.0, size=m)


OUTPUT_KINDS = ["sigmoid", "softmax", "multilabel", "identity", "exp"]


@pytest.mark.parametrize("kind", OUTPUT_KINDS)
@pytest.mark.parametrize("activation", HIDDEN)
def test_gradients_agree_with_finite_differences(activation, kind):
    rng = np.random.RandomState(HIDDEN.index(activation) * 10 + len(kind))
    X = rng.standard_normal((15, 3))
    Est, extra, y = _targets(kind, rng, 15)
    est = Est(4, activation=activation, init="glorot", alpha=0.3, random_state=0)
    errors = check_gradients(est.set_params(**extra), X, y)
    assert sorted(errors) == ["W1", "W2", "b1", "b2"]
    assert max(errors.values()) < 1e-7, errors


@pytest.mark.parametrize("activation", HIDDEN)
def test_a_wrong_derivative_is_caught(activation, monkeypatch):
    right = _activations.DERIVATIVES[activation]

    def wrong(A):  # off by a factor: the kind of slip a derivation makes
        return np.multiply(right(A), 0.5, out=A)

    monkeypatch.setitem(_activations.DERIVATIVES, activation, wrong)
    rng = np.random.RandomState(0)
    X, y = rng.standard_normal((15, 3)), rng.randint(3, size=15)
    est = ShallowNetClassifier(4, activation=activation, init="glorot", random_state=0)
    errors = check_gradients(est, X, y)
    assert errors["W1"] > 1e-3 and errors["b1"] > 1e-3
    # The output layer does not use g', so its gradients stay right.
    assert errors["W2"] < 1e-7 and errors["b2"] < 1e-7


@pytest.mark.parametrize("fitted", [False, True])
def test_a_wrong_derivative_is_caught_on_targets_in_their_own_units(
    fitted, monkeypatch
):
    # The regressor's fit minimises the cost of standardised targets; checked
    # on y as it is (offset 1e6), that cost's size would hide the slip under
    # the error's floor (2e-6 instead of 1/3).
    rng = np.random.RandomState(0)
    X = rng.standard_normal((15, 3))
    y = 1e6 + 1e3 * rng.standard_normal(15)
    est = ShallowNetRegressor(4, init="glorot", alpha=0.3, random_state=0)
    if fitted:
        est = quiet_fit(est.set_params(solver="lbfgs", max_iter=3), X, y)
    assert max(check_gradients(est, X, y).values()) < 1e-7
    right = _activations.DERIVATIVES["tanh"]

    def wrong(A):
        return np.multiply(right(A), 0.5, out=A)

    monkeypatch.setitem(_activations.DERIVATIVES, "tanh", wrong)
    errors = check_gradients(est, X, y)
    assert errors["W1"] > 1e-3 and errors["b1"] > 1e-3, errors


def test_the_classic_tanh_slip_is_caught(monkeypatch):
    def one_minus_a(A):  # 1 - a instead of 1 - a^2
        return np.subtract(1, A, out=A)

    monkeypatch.setitem(_activations.DERIVATIVES, "tanh", one_minus_a)
    X, y = make_flower(40, random_state=0)
    errors = check_gradients(ShallowNetClassifier(4, init="he", random_state=0), X, y)
    assert min(errors["W1"], errors["b1"]) > 1e-3


NOTES_KINDS = ["sigmoid", "softmax", "multilabel", "identity"]


def _notes_problem(kind, activation):
    """The notes' initialisation on the full flower, balanced in every kind."""
    X, y = make_flower()
    n = np.arange(len(y))
    Est = ShallowNetRegressor if kind == "identity" else ShallowNetClassifier
    targets = {
        "sigmoid": y,
        "softmax": n % 3,
        "multilabel": np.c_[y, n % 2],
        "identity": X @ [1.0, -2.0],
    }
    est = Est(4, activation=activation, init="normal", init_scale=0.01)
    return est.set_params(random_state=2), X, targets[kind]


@pytest.mark.parametrize("kind", NOTES_KINDS)
@pytest.mark.parametrize("activation", HIDDEN)
def test_a_right_gradient_reads_right_at_the_notes_initialisation(activation, kind):
    # The true gradient of b2 (and of b1 for the identity) is about 0 here:
    # the rounding of the cost differences is no mistake of the backward pass.
    est, X, y = _notes_problem(kind, activation)
    errors = check_gradients(est, X, y)
    assert max(errors.values()) < 1e-7, errors


@pytest.mark.parametrize("factor, least", [(0.5, 5e-4), (0.99, 1e-5)])
@pytest.mark.parametrize("kind", NOTES_KINDS)
@pytest.mark.parametrize("activation", HIDDEN)
def test_a_wrong_derivative_is_caught_at_the_notes_initialisation(
    activation, kind, factor, least, monkeypatch
):
    right = _activations.DERIVATIVES[activation]

    def wrong(A):
        return np.multiply(right(A), factor, out=A)

    monkeypatch.setitem(_activations.DERIVATIVES, activation, wrong)
    est, X, y = _notes_problem(kind, activation)
    errors = check_gradients(est, X, y)
    assert errors["W1"] > least, errors
    assert errors["W2"] < 1e-7 and errors["b2"] < 1e-7


@pytest.mark.parametrize("fitted", [False, True])
@pytest.mark.parametrize("scale", [1.0, 1e6])
def test_targets_in_their_own_units_are_checked_as_fit_learns_them(
    scale, fitted, monkeypatch
):
    # The regressor learns standardised targets: the check takes that cost,
    # whose size does not hide a wrong derivative behind the floor (with y
    # in millions the cost is 1e12 and a derivative off by half read 2e-8).
    X, y = make_regression(60, 3, noise=1.0, random_state=0)
    est = ShallowNetRegressor(4, max_iter=20, random_state=0)
    if fitted:
        est = quiet_fit(est, X, y * scale)
    assert max(check_gradients(est, X, y * scale).values()) < 1e-7
    right = _activations.DERIVATIVES["tanh"]
    monkeypatch.setitem(
        _activations.DERIVATIVES, "tanh", lambda A: np.multiply(right(A), 0.5, out=A)
    )
    assert check_gradients(est, X, y * scale)["W1"] > 1e-2


@pytest.mark.parametrize("activation", ["relu", "leaky_relu"])
def test_a_kink_next_to_the_weights_is_not_crossed(activation):
    # A sample 1e-9 from hidden unit 0's kink: a central difference of b1[0]
    # crosses it and averages two slopes; the check must not.
    X, y = make_flower(40, random_state=0)
    net = ShallowNetClassifier(3, activation=activation, max_iter=30, random_state=0)
    net = quiet_fit(net, X, y)
    w, b = net.W1_[0], net.b1_[0, 0]
    X[0] = (1e-9 - b) * w / (w @ w)
    params = {k: getattr(net, k + "_").copy() for k in ("W1", "b1", "W2", "b2")}

    def cost(shift):
        params["b1"][0, 0] = b + shift
        cache = _network.forward(params, X.T, activation, "sigmoid")
        return _network.cost(params, y[np.newaxis, :] * 1.0, cache, "sigmoid")

    eps = 1e-7
    central = (cost(eps) - cost(-eps)) / (2 * eps)
    one_sided = (-3 * cost(0) + 4 * cost(eps) - cost(2 * eps)) / (2 * eps)
    assert abs(central - one_sided) > 1e-4 * abs(one_sided)  # the kink matters
    errors = check_gradients(net, X, y)
    assert max(errors.values()) < 1e-7, errors


def test_check_gradients_of_a_pipeline_checks_its_network(flower):
    X, y = flower
    net = ShallowNetClassifier(4, init="he", random_state=3)
    pipe = make_pipeline(StandardScaler(), net)
    scaled = StandardScaler().fit_transform(X)
    # Unfitted: where the pipeline's fit would start the network.
    assert check_gradients(pipe, X, y) == check_gradients(net, scaled, y)
    assert not hasattr(pipe[0], "mean_")
    quiet_fit(pipe.set_params(shallownetclassifier__max_iter=3), X, y)
    assert check_gradients(pipe, X, y) == check_gradients(net, scaled, y)


def test_unfitted_estimator_is_checked_where_fit_starts(flower):
    X, y = flower
    est = ShallowNetClassifier(4, init="he", random_state=3)
    errors = check_gradients(est, X, y)
    assert not any(k.endswith("_") for k in vars(est))  # left unfitted
    # A fit whose one step is too small to move the weights stops where fit
    # starts: its check must give the same numbers.
    still = quiet_fit(
        clone(est).set_params(solver="gd", learning_rate=1e-300, max_iter=1), X, y
    )
    assert check_gradients(still, X, y) == pytest.approx(errors, rel=1e-6)
    other = check_gradients(est.set_params(random_state=4), X, y)
    assert other != pytest.approx(errors, rel=1e-3)


def test_fitted_estimator_is_checked_at_its_weights(flower):
    X, y = flower
    net = ShallowNetClassifier(4, init="glorot", max_iter=10, random_state=0)
    net = quiet_fit(net, X, y)
    before = {k: getattr(net, k).copy() for k in PARAMS}
    errors = check_gradients(net, X, y, sample_weight=np.arange(len(y)) % 3 + 1.0)
    # After 10 steps the gradient of b2 is small, and rounding in the cost
    # differences is a larger share of it: at these weights about 2e-7 of
    # relative error, whether the check runs np.tanh or the float64 tanh
    # from exp (weights that differ in their last bits give 7e-8).
    assert max(errors.values()) < 1e-6, errors
    for k in PARAMS:
        np.testing.assert_array_equal(getattr(net, k), before[k])
    with pytest.raises(ValueError, match="features"):
        check_gradients(net, X[:, :1], y)


def test_gradients_with_weights_sparse_and_float32():
    rng = np.random.RandomState(1)
    X = rng.standard_normal((20, 4))
    X[X < 0.3] = 0
    y = rng.randint(3, size=20)
    est = ShallowNetClassifier(
        3, activation="sigmoid", init="glorot", class_weight="balanced", random_state=0
    )
    dense = check_gradients(est, X, y, sample_weight=rng.uniform(0.5, 2, 20))
    assert max(dense.values()) < 1e-7
    sparse = check_gradients(est, sp.csr_matrix(X), y, sample_weight=np.ones(20))
    assert max(sparse.values()) < 1e-7
    assert max(check_gradients(est, X.astype(np.float32), y).values()) < 1e-7


def test_zero_gradients_give_zero_error():
    # init="zeros": with W2 = 0 no gradient reaches the hidden layer.
    X, y = np.eye(3)[[0, 1, 2, 0]], np.array([0, 1, 1, 0])
    errors = check_gradients(ShallowNetClassifier(2, init="zeros"), X, y)
    assert errors["W1"] == errors["b1"] == 0.0
    assert errors["W2"] < 1e-7


def test_check_gradients_rejects_bad_input():
    X, y = np.eye(3), np.array([0, 1, 1])
    with pytest.raises(TypeError, match="ShallowNetClassifier or ShallowNetRegressor"):
        check_gradients(MLPClassifier(), X, y)
    with pytest.raises(InvalidParameterError, match="eps"):
        check_gradients(ShallowNetClassifier(), X, y, eps=0)


@pytest.mark.parametrize("activation", ["relu", "leaky_relu"])
def test_a_pre_activation_on_the_kink_reads_right(activation):
    # An example at the origin under the notes' zero biases: its hidden
    # pre-activations are exactly 0, where the backward pass takes the slope
    # below the kink; a central difference of b1 averages both slopes.
    X, y = make_flower(40, random_state=0)
    X[0] = 0.0
    net = ShallowNetClassifier(4, activation=activation, random_state=0)
    errors = check_gradients(net, X, y)
    assert max(errors.values()) < 1e-7, errors
    # The same at the origin of a fitted network's last hidden unit.
    fitted = quiet_fit(clone(net).set_params(max_iter=20), X, y)
    w, b = fitted.W1_[-1], fitted.b1_[-1, 0]
    X[1] = -b * w / (w @ w)
    fitted.b1_[-1, 0] = b = -(fitted.W1_[-1] @ X[1])  # exactly 0 at X[1]
    assert fitted.W1_[-1] @ X[1] + b == 0
    errors = check_gradients(fitted, X, y)
    assert max(errors.values()) < 1e-7, errors


def test_hidden_units_of_a_pipeline_with_passthrough_steps_or_sparse_input(flower):
    # Earlier steps that are all "passthrough" or None name no features; a
    # step whose output is sparse, like the network's own sparse input,
    # draws as its dense values.
    X, y = flower
    net = quiet_fit(ShallowNetClassifier(3, max_iter=20, random_state=0), X, y)
    direct = HiddenUnitsDisplay.from_estimator(net, X, y, grid_resolution=10)
    for step in ("passthrough", None):
        pipe = Pipeline([("skip", step), ("net", net)])
        disp = HiddenUnitsDisplay.from_estimator(pipe, X, y, grid_resolution=10)
        assert disp.ax_.get_xlabel() == "$x_1$"
        np.testing.assert_array_equal(disp.response, direct.response)
    as_sparse = FunctionTransformer(sp.csr_matrix, accept_sparse=True).fit(X)
    pipe = Pipeline([("sparse", as_sparse), ("net", net)])
    for disp in (
        HiddenUnitsDisplay.from_estimator(pipe, X, y, grid_resolution=10),
        HiddenUnitsDisplay.from_estimator(net, sp.csr_matrix(X), y, grid_resolution=10),
    ):
        np.testing.assert_array_equal(disp.scatter_.get_offsets(), X)
        np.testing.assert_array_equal(disp.response, direct.response)
