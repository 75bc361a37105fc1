"""Array API input (array-api-strict, PyTorch on the CPU) against the NumPy fit.

scikit-learn's array API dispatch needs ``SCIPY_ARRAY_API=1`` in the
environment before scipy is first imported. When the test run was started
without it, the tests of this module run once more in a fresh interpreter
that has it, from :func:`test_in_fresh_interpreter`.
"""

import os
import pathlib
import pickle
import subprocess
import sys
import warnings

import numpy as np
import pytest
import sklearn
from helpers import PARAMS
from numpy.testing import assert_allclose
from sklearn.exceptions import ConvergenceWarning, DataConversionWarning
from sklearn.model_selection import GridSearchCV
from sklearn.utils.estimator_checks import check_array_api_input

from sk_shallow import (
    ShallowNetClassifier,
    ShallowNetClassifierCV,
    ShallowNetRegressor,
    _network,
    move_to,
)
from sk_shallow._problem import ArrayAPIProblem
from sk_shallow.datasets import make_flower

# SciPy's array API switch (SciPy 1.12 and newer; older SciPy has none).
_scipy_array_api = pytest.importorskip(
    "scipy._lib._array_api", reason="array API input needs SciPy >= 1.12"
)

try:  # newer scikit-learn (1.9): the checks and helpers used below
    from sklearn.utils._array_api import device, move_estimator_to
    from sklearn.utils.estimator_checks import (
        check_array_api_mixed_inputs,
        check_array_api_same_namespace,
    )
except ImportError:
    pytest.skip(
        f"scikit-learn {sklearn.__version__} lacks the array API checks",
        allow_module_level=True,
    )

#: Whether scipy was imported with its array API support on.
ARRAY_API = bool(_scipy_array_api.SCIPY_ARRAY_API)
needs_array_api = pytest.mark.skipif(
    not ARRAY_API,
    reason="SCIPY_ARRAY_API=1 was not set before scipy was imported; "
    "test_in_fresh_interpreter runs these tests",
)

SOLVERS = ("gd", "sgd", "adam", "lbfgs")


@pytest.mark.skipif(ARRAY_API, reason="this run has SCIPY_ARRAY_API=1 already")
@pytest.mark.parametrize(
    "marker",
    ["not exhaustive", pytest.param("exhaustive", marks=pytest.mark.exhaustive)],
)
def test_in_fresh_interpreter(marker):
    pytest.importorskip("array_api_strict")
    root = pathlib.Path(__file__).parent.parent
    env = {**os.environ, "SCIPY_ARRAY_API": "1"}
    env["PYTHONPATH"] = os.pathsep.join(
        [str(root), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", __file__, "-q", "-m", marker]
        + ["-p", "no:cacheprovider", "-W", "error::RuntimeWarning"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and " failed" not in result.stdout


# --------------------------------------------------------------------------
# Namespaces
# --------------------------------------------------------------------------
NAMESPACES = ("array_api_strict", "torch", "torch_cuda")


@pytest.fixture(autouse=True)
def one_torch_thread():
    """Small data on a shared CPU: torch's thread pool only adds contention."""
    torch = sys.modules.get("torch")
    threads = torch.get_num_threads() if torch else None
    yield
    if torch:
        torch.set_num_threads(threads)


class OnDevice:
    """A namespace whose ``asarray`` puts arrays on one device (torch on CUDA)."""

    def __init__(self, module, device):
        self.module, self.device = module, device
        self.__name__ = module.__name__

    def asarray(self, x):
        return self.module.asarray(x, device=self.device)

    def __getattr__(self, name):
        return getattr(self.module, name)


def import_namespace(name):
    if name == "torch_cuda":
        torch = import_namespace("torch")
        if not torch.cuda.is_available():
            pytest.skip("no CUDA device here")
        return OnDevice(torch, "cuda")
    module = pytest.importorskip(name)
    if name == "torch":
        module.set_num_threads(1)
    return module


@pytest.fixture(params=NAMESPACES)
def xp(request):
    return import_namespace(request.param)


def namespace_name(array):
    return type(array).__module__.split(".")[0]


def to_numpy(array):
    return np.asarray(move_to_numpy(array))


def move_to_numpy(array):
    if isinstance(array, np.ndarray):
        return array
    if namespace_name(array) == "torch":
        return array.cpu().numpy()
    return np.from_dlpack(array)


def data(kind, dtype=np.float64, n=80):
    rng = np.random.RandomState(0)
    X = rng.standard_normal((n, 5)).astype(dtype)
    if kind == "binary":
        y = (X[:, 0] + X[:, 1] ** 2 > 0.5).astype(np.int64)
    elif kind == "multiclass":
        y = np.digitize(X[:, 0] + 0.5 * X[:, 2], [-0.5, 0.5]).astype(np.int64)
    elif kind == "multilabel":
        y = np.stack([X[:, 0] > 0, X[:, 1] * X[:, 2] > 0], axis=1).astype(np.int64)
    elif kind == "regression":
        y = (np.sin(X[:, 0]) + X[:, 1] * X[:, 2]).astype(dtype)
    elif kind == "multioutput":
        y = np.stack([np.sin(X[:, 0]), X[:, 1] * X[:, 2]], axis=1).astype(dtype)
    else:  # counts
        y = rng.poisson(np.exp(0.5 * X[:, 0])).astype(dtype)
    return X, y


def fit_both(est, xp, X, y, sample_weight=None):
    """The NumPy fit and the fit on ``xp`` arrays of the same data."""
    numpy_fit = sklearn.base.clone(est)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        numpy_fit.fit(X, y, sample_weight=sample_weight)
        with sklearn.config_context(array_api_dispatch=True):
            sw = None if sample_weight is None else xp.asarray(sample_weight)
            xp_fit = sklearn.base.clone(est).fit(xp.asarray(X), xp.asarray(y), sw)
    return numpy_fit, xp_fit


def assert_same_model(numpy_fit, xp_fit, xp, X, y, tol32=1e-5):
    """Attributes and outputs in ``xp``, equal to the NumPy fit's.

    To ``tol32`` (relative and absolute) in float32, 1e-8 in float64.
    """
    rtol, atol = (tol32, tol32) if X.dtype == np.float32 else (0, 1e-8)
    X_xp = xp.asarray(X)
    for name in PARAMS:
        value = getattr(xp_fit, name)
        assert namespace_name(value) == xp.__name__, name
        assert device(value) == device(X_xp), name
        assert to_numpy(value).dtype == X.dtype
        assert_allclose(to_numpy(value), getattr(numpy_fit, name), rtol, 10 * atol)
    assert numpy_fit.n_iter_ == xp_fit.n_iter_
    assert_allclose(xp_fit.loss_curve_, numpy_fit.loss_curve_, rtol=max(rtol, 1e-5))
    methods = ["predict"]
    if isinstance(numpy_fit, ShallowNetClassifier):
        methods += ["predict_proba", "predict_log_proba", "decision_function"]
        assert namespace_name(xp_fit.classes_) == xp.__name__
        assert_allclose(to_numpy(xp_fit.classes_), numpy_fit.classes_)
    with sklearn.config_context(array_api_dispatch=True):
        for method in methods:
            out = getattr(xp_fit, method)(X_xp)
            assert namespace_name(out) == xp.__name__, method
            assert device(out) == device(X_xp), method
            expected = getattr(numpy_fit, method)(X)
            assert out.shape == expected.shape, method
            assert_allclose(to_numpy(out), expected, rtol, atol, err_msg=method)
        score = xp_fit.score(X_xp, xp.asarray(y))
    assert score == pytest.approx(numpy_fit.score(X, y), abs=1e-6)


# One fast configuration per solver and estimator; the product below.
CLASSIFIER = dict(max_iter=20, random_state=0, n_hidden=6)
REGRESSOR = dict(max_iter=20, random_state=0, n_hidden=6)
BALANCED_ADAM = dict(solver="adam", early_stopping=True, class_weight="balanced")
FAST_CASES = [
    ("binary", dict(solver="gd"), True),
    ("multiclass", dict(solver="sgd", batch_size=32), False),
    ("multilabel", dict(solver="adam", learning_rate=0.01), False),
    ("binary", dict(solver="lbfgs", max_iter=15), False),
    (
        "multiclass",
        dict(solver="adam", early_stopping=True, class_weight="balanced"),
        True,
    ),
    ("regression", dict(solver="gd"), True),
    ("multioutput", dict(solver="sgd", learning_rate=0.01, batch_size=32), False),
    ("counts", dict(solver="adam", loss="poisson", learning_rate=0.01), True),
    ("regression", dict(solver="lbfgs", max_iter=15, early_stopping=True), False),
]


def make(kind, params):
    if kind in ("binary", "multiclass", "multilabel"):
        return ShallowNetClassifier(**{**CLASSIFIER, **params})
    return ShallowNetRegressor(**{**REGRESSOR, **params})


@needs_array_api
@pytest.mark.parametrize(
    "name, kind, params, weighted",
    # Each case on one namespace by turns; all on both under exhaustive.
    [(NAMESPACES[i % 2], *case) for i, case in enumerate(FAST_CASES)]
    + [
        pytest.param(NAMESPACES[1 - i % 2], *case, marks=pytest.mark.exhaustive)
        for i, case in enumerate(FAST_CASES)
    ]
    # Every case on a GPU, where there is one.
    + [("torch_cuda", *case) for case in FAST_CASES],
)
def test_same_fit_as_numpy(name, kind, params, weighted):
    xp = import_namespace(name)
    X, y = data(kind)
    sw = np.random.RandomState(1).uniform(0.5, 2, len(y)) if weighted else None
    numpy_fit, xp_fit = fit_both(make(kind, params), xp, X, y, sw)
    assert_same_model(numpy_fit, xp_fit, xp, X, y)


@needs_array_api
@pytest.mark.exhaustive
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("early_stopping", [False, True])
@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize(
    "kind", ["binary", "multiclass", "multilabel", "regression", "multioutput"]
)
def test_same_fit_as_numpy_product(xp, kind, solver, early_stopping, weighted, dtype):
    X, y = data(kind, dtype)
    sw = np.random.RandomState(1).uniform(0.5, 2, len(y)) if weighted else None
    params = dict(solver=solver, early_stopping=early_stopping)
    tol32 = 1e-5
    if solver == "lbfgs":
        # Its line searches amplify float32 rounding (the NumPy path sums in
        # blocks, in another order): after 5 steps the paths differ by up to
        # ~1e-4, after 15 by up to ~1e-2, so float32 is compared after 5.
        params["max_iter"] = 15 if dtype == np.float64 else 5
        tol32 = 1e-3
    elif solver != "gd":
        params.update(learning_rate=0.01, batch_size=32)
    numpy_fit, xp_fit = fit_both(make(kind, params), xp, X, y, sw)
    assert_same_model(numpy_fit, xp_fit, xp, X, y, tol32)


@needs_array_api
def test_partial_fit_and_warm_start(xp):
    X, y = data("multiclass")
    est = ShallowNetClassifier(solver="adam", learning_rate=0.01, random_state=0)
    host, device = sklearn.base.clone(est), sklearn.base.clone(est)
    classes = np.unique(y)
    with sklearn.config_context(array_api_dispatch=True):
        for part in (slice(0, 60), slice(60, None)):
            host.partial_fit(X[part], y[part], classes=classes)
            device.partial_fit(xp.asarray(X[part]), xp.asarray(y[part]), classes)
    assert_allclose(to_numpy(device.W1_), host.W1_, atol=1e-10)
    warm = dict(warm_start=True, max_iter=5, solver="gd", random_state=0)
    host_warm, device_warm = fit_both(ShallowNetClassifier(**warm), xp, X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        host_warm.fit(X, y)
        with sklearn.config_context(array_api_dispatch=True):
            device_warm.fit(xp.asarray(X), xp.asarray(y))
    assert device_warm.n_iter_ == 5 and len(device_warm.loss_curve_) == 10
    assert_allclose(to_numpy(device_warm.W2_), host_warm.W2_, atol=1e-10)


@needs_array_api
def test_string_labels_stay_on_the_host(xp):
    X, y = data("binary")
    labels = np.array(["no", "yes"])[y]
    with sklearn.config_context(array_api_dispatch=True):
        clf = ShallowNetClassifier(max_iter=50, random_state=0)
        clf.fit(xp.asarray(X), labels)
        pred = clf.predict(xp.asarray(X))
    assert isinstance(clf.classes_, np.ndarray) and isinstance(pred, np.ndarray)
    host = ShallowNetClassifier(max_iter=50, random_state=0).fit(X, labels)
    np.testing.assert_array_equal(pred, host.predict(X))


# --------------------------------------------------------------------------
# Moving and pickling a fitted model
# --------------------------------------------------------------------------
@needs_array_api
def test_move_to_numpy_and_back(xp):
    X, y = data("multiclass")
    est = ShallowNetClassifier(solver="sgd", max_iter=20, random_state=0)
    _, fitted = fit_both(est, xp, X, y)
    with sklearn.config_context(array_api_dispatch=True):
        expected = to_numpy(fitted.predict_proba(xp.asarray(X)))
    # Served with NumPy, without the dispatch.
    on_host = move_to(fitted, np)
    for name in (*PARAMS, "classes_"):
        assert isinstance(getattr(on_host, name), np.ndarray), name
    assert_allclose(on_host.predict_proba(X), expected, rtol=1e-12)
    assert namespace_name(fitted.W1_) == xp.__name__  # the original is kept
    # A model fitted on a device refuses NumPy input without the dispatch.
    with pytest.raises(ValueError, match="move_to"):
        fitted.predict(X)
    # And back, following an array's namespace and device; training goes on
    # from the moved optimiser state exactly as it would have.
    back = move_to(on_host, xp.asarray(X[:1]))
    assert namespace_name(back.W1_) == xp.__name__
    with sklearn.config_context(array_api_dispatch=True):
        fitted.partial_fit(xp.asarray(X), xp.asarray(y))
        back.partial_fit(xp.asarray(X), xp.asarray(y))
    assert_allclose(to_numpy(back.W1_), to_numpy(fitted.W1_), atol=1e-12)
    on_host.partial_fit(X, y)
    assert_allclose(on_host.W1_, to_numpy(fitted.W1_), atol=1e-12)
    # scikit-learn's helper goes through the same conversion.
    with sklearn.config_context(array_api_dispatch=True):
        moved = move_estimator_to(fitted, np, "cpu")
    assert isinstance(moved.W2_, np.ndarray)
    assert moved._label_binarizer is fitted._label_binarizer


@needs_array_api
def test_pickle_round_trip(xp):
    X, y = data("regression")
    _, fitted = fit_both(ShallowNetRegressor(max_iter=20, random_state=0), xp, X, y)
    restored = pickle.loads(pickle.dumps(fitted))
    assert namespace_name(restored.W1_) == xp.__name__
    with sklearn.config_context(array_api_dispatch=True):
        a, b = fitted.predict(xp.asarray(X)), restored.predict(xp.asarray(X))
    assert_allclose(to_numpy(a), to_numpy(b), rtol=0, atol=0)


# --------------------------------------------------------------------------
# scikit-learn's own checks
# --------------------------------------------------------------------------
CHECKED = [
    ShallowNetClassifier(max_iter=100, random_state=0),
    ShallowNetRegressor(max_iter=100, random_state=0),
]
COMBINATIONS = [
    (name, device, dtype)
    for name, devices in (
        ("numpy", (None,)),  # the dispatch on, NumPy input: the NumPy path
        ("array_api_strict", ("CPU_DEVICE", "device1")),
        ("torch", ("cpu", "cuda")),
    )
    for device in devices
    for dtype in ("float64", "float32")
]
#: The default run checks each namespace in both dtypes; all under exhaustive.
FAST_COMBINATIONS = [
    ("numpy", None, "float32"),
    ("array_api_strict", "CPU_DEVICE", "float64"),
    ("array_api_strict", "device1", "float32"),
    ("torch", "cpu", "float64"),
    ("torch", "cpu", "float32"),
]


@needs_array_api
@pytest.mark.parametrize(
    "name, device, dtype",
    [
        c
        if c in FAST_COMBINATIONS or c[1] == "cuda"
        else pytest.param(*c, marks=pytest.mark.exhaustive)
        for c in COMBINATIONS
    ],
)
@pytest.mark.parametrize("estimator", CHECKED, ids=lambda e: type(e).__name__)
def test_check_array_api_input(estimator, name, device, dtype):
    module = import_namespace(name)
    if device == "cuda" and not module.cuda.is_available():
        pytest.skip("no CUDA device here")
    check_array_api_input(
        type(estimator).__name__,
        estimator,
        name,
        device_name=device,
        dtype_name=dtype,
        check_values=True,
        check_sample_weight=True,
    )


@needs_array_api
@pytest.mark.parametrize(
    "estimator",
    [CHECKED[0], pytest.param(CHECKED[1], marks=pytest.mark.exhaustive)],
    ids=lambda e: type(e).__name__,
)
def test_mixed_inputs_and_namespace_consistency(estimator):
    import_namespace("torch")
    from sklearn.utils._array_api import NamespaceAndDevice

    name = type(estimator).__name__
    check_array_api_mixed_inputs(
        name,
        estimator,
        X_ns_and_device=NamespaceAndDevice("array_api_strict", "device1"),
        other_ns_and_device=NamespaceAndDevice("torch", "cpu"),
    )
    check_array_api_same_namespace(name, estimator, "array_api_strict")


@needs_array_api
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_optimiser_state_trained_on_numpy_goes_on_in_xp(xp, solver):
    # NumPy keeps the optimiser's state as one vector, other namespaces per
    # parameter: moved either way, training goes on as it would have.
    X, y = data("multiclass")
    est = ShallowNetClassifier(solver=solver, learning_rate=0.01, random_state=0)
    host = est.partial_fit(X, y, classes=np.unique(y))
    moved = move_to(host, xp.asarray(X[:1]))
    with sklearn.config_context(array_api_dispatch=True):
        moved.partial_fit(xp.asarray(X), xp.asarray(y))
    back = move_to(moved, np)
    host.partial_fit(X, y)
    assert_allclose(to_numpy(moved.W1_), host.W1_, atol=1e-12)
    back.partial_fit(X, y)
    host.partial_fit(X, y)
    assert_allclose(back.W1_, host.W1_, atol=1e-12)


@pytest.mark.parametrize("output", ["sigmoid", "softmax", "identity", "exp"])
@pytest.mark.parametrize("weighted", [False, True])
def test_constant_cost_is_the_hosts(xp, output, weighted):
    # The stopping rule's floor: off NumPy, a cross-entropy's comes from the
    # class frequencies taken on the device; every output's equals NumPy's.
    rng = np.random.RandomState(0)
    Y = rng.uniform(0, 1, (3, 50))
    if output in ("sigmoid", "softmax"):
        Y = np.eye(3)[rng.randint(0, 3, 50)].T if output == "softmax" else Y > 0.5
        Y = Y.astype(np.float64)
    sw = rng.uniform(0.5, 2, 50) if weighted else None
    expected = _network.constant_cost(Y, output, sw)
    Y_xp = xp.asarray(Y)
    sw_xp = None if sw is None else xp.asarray(sw)
    problem = ArrayAPIProblem(xp.asarray(np.zeros((50, 2))), None, Y_xp, sw_xp)
    assert problem.constant_cost(output) == pytest.approx(expected, rel=1e-12)


@needs_array_api
def test_hidden_units_display_of_a_model_fitted_on_array_api_input():
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sk_shallow.inspection import HiddenUnitsDisplay

    xp = import_namespace("array_api_strict")
    X, y = data("multiclass")
    X = X[:, :2]
    est = ShallowNetClassifier(5, activation="relu", max_iter=30, random_state=0)
    numpy_fit, xp_fit = fit_both(est, xp, X, y)
    disp = HiddenUnitsDisplay.from_estimator(xp_fit, X, y, grid_resolution=7)
    # The hidden layer by hand, from the fitted weights on the host.
    grid = np.c_[disp.xx0.ravel(), disp.xx1.ravel()]
    W1, b1 = to_numpy(xp_fit.W1_), to_numpy(xp_fit.b1_)
    expected = np.maximum(W1 @ grid.T + b1, 0).reshape((-1, *disp.xx0.shape))
    assert_allclose(disp.activation_maps, expected, rtol=1e-12, atol=1e-12)
    assert len(disp.unit_lines_) == 5
    # The estimator keeps its arrays where they were.
    assert namespace_name(xp_fit.W1_) == "array_api_strict"
    plt.close("all")


@needs_array_api
@pytest.mark.parametrize("Estimator", [ShallowNetClassifier, ShallowNetRegressor])
def test_displays_of_a_model_fitted_and_drawn_on_array_api_input(
    Estimator, monkeypatch
):
    # The training curves and the hidden units of a model fitted on a
    # device, drawn from data on the device: the curves it recorded, the
    # output of its one forward pass on the grid.
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sk_shallow.inspection import HiddenUnitsDisplay, TrainingCurveDisplay

    xp = import_namespace("array_api_strict")
    X, y = make_flower()
    y = y if Estimator is ShallowNetClassifier else y.astype(np.float64)
    est = Estimator(solver="adam", early_stopping=True, max_iter=5, n_iter_no_change=10)
    est.set_params(random_state=0)
    _, xp_fit = fit_both(est, xp, X, y)
    curves = TrainingCurveDisplay.from_estimator(xp_fit)
    assert_allclose(curves.line_.get_ydata(), xp_fit.loss_curve_)
    assert_allclose(curves.validation_line_.get_ydata(), xp_fit.validation_loss_curve_)
    passes = []  # the display's forward passes over the grid

    def forward(params, X, *args, **kwargs):
        passes.append(X.shape)
        return original(params, X, *args, **kwargs)

    original = _network.forward
    with sklearn.config_context(array_api_dispatch=True):
        with monkeypatch.context() as patch:
            patch.setattr(_network, "forward", forward)
            units = HiddenUnitsDisplay.from_estimator(
                xp_fit, xp.asarray(X), xp.asarray(y), grid_resolution=6
            )
        assert passes == [(2, 36)]
        grid = xp.asarray(np.c_[units.xx0.ravel(), units.xx1.ravel()])
        if Estimator is ShallowNetClassifier:
            expected = to_numpy(xp_fit.predict_proba(grid))[:, 1]
        else:
            expected = to_numpy(xp_fit.predict(grid))
    assert_allclose(units.response.ravel(), expected, rtol=1e-12)
    assert units.activation_maps.shape == (4, 6, 6)
    assert namespace_name(xp_fit.W1_) == "array_api_strict"
    plt.close("all")


@needs_array_api
@pytest.mark.parametrize("kind", ["binary", "multiclass", "multilabel"])
def test_log_probabilities_floored_as_on_numpy(kind):
    # Far from the data, log(sigma(-z)) falls below the logarithm of the
    # smallest normal number: predict_log_proba stops there on every
    # namespace, as predict_proba stops at that number.
    xp = import_namespace("array_api_strict")
    X, y = data(kind)
    est = ShallowNetClassifier(5, activation="relu", max_iter=30, random_state=0)
    _, xp_fit = fit_both(est, xp, X, y)
    far = X * 1e6
    with sklearn.config_context(array_api_dispatch=True):
        log_proba = to_numpy(xp_fit.predict_log_proba(xp.asarray(far)))
        proba = to_numpy(xp_fit.predict_proba(xp.asarray(far)))
    host = move_to(xp_fit, np)
    floor = np.log(np.finfo(np.float64).tiny)
    assert log_proba.min() == floor
    assert_allclose(log_proba, host.predict_log_proba(far), rtol=1e-12)
    assert_allclose(np.exp(log_proba), proba, rtol=1e-9)


@needs_array_api
def test_gradient_check_of_a_model_fitted_on_array_api_input():
    from sk_shallow.inspection import check_gradients

    xp = import_namespace("array_api_strict")
    X, y = data("binary", n=30)
    est = ShallowNetClassifier(3, init="glorot", max_iter=3, random_state=0)
    _, xp_fit = fit_both(est, xp, X, y)
    errors = check_gradients(xp_fit, X, y)
    # The same check on the same weights moved to NumPy beforehand.
    assert errors == check_gradients(move_to(xp_fit, np), X, y)
    assert max(errors.values()) < 1e-6


@needs_array_api
@pytest.mark.parametrize("batch", [slice(0, 4), np.array([3, 0, 2])])
def test_a_batch_of_zero_weight_has_no_cost_in_every_namespace(batch):
    from sk_shallow._objective import Objective

    xp = import_namespace("array_api_strict")
    rng = np.random.RandomState(0)
    X, Y = rng.standard_normal((3, 10)), np.eye(2)[:, rng.randint(2, size=10)]
    sw = np.r_[np.zeros(4), np.ones(6)]
    params = _network.initialize(3, 4, 2, rng, init_scale=0.5)
    answers = []
    for space in (np, xp):
        objective = Objective(
            *(space.asarray(a) for a in (X, Y, sw)), "tanh", "softmax", 0.1
        )
        p = {k: space.asarray(v) for k, v in params.items()}
        answers.append(objective(p, batch))
        J, grads = objective(p, slice(2, 6))  # weighs 2 of the 4 examples
        assert np.isfinite(J) and grads is not None
    assert answers == [(None, None), (None, None)]


def _as_dask(*arrays):
    da = pytest.importorskip("dask.array")
    return [da.from_array(a, chunks=(50,) + a.shape[1:]) for a in arrays]


@pytest.mark.parametrize(
    "backend", ["numpy", pytest.param("array_api", marks=needs_array_api), "dask"]
)
@pytest.mark.parametrize("solver", ["gd", "adam"])
def test_warnings_point_at_the_callers_line(backend, solver):
    # Every warning of a fit (the library's ConvergenceWarning and
    # UserWarning, scikit-learn's DataConversionWarning about y) points at
    # the line that called fit, whatever the data's backend.
    X, y = make_flower()
    X = X * 1e3  # far from unit scale: advice
    y = y[:, np.newaxis]  # a column vector: scikit-learn warns
    params = dict(solver=solver, init="zeros", max_iter=3, random_state=0)
    est = ShallowNetClassifier(**params)
    expected = {UserWarning, ConvergenceWarning, DataConversionWarning}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if backend == "numpy":
            est.fit(X, y)
        elif backend == "array_api":
            xp = import_namespace("array_api_strict")
            with sklearn.config_context(array_api_dispatch=True):
                est.fit(xp.asarray(X), xp.asarray(y))
        else:  # Dask's classifier takes 1-D labels only
            from sk_shallow.dask import DaskShallowNetClassifier

            est = DaskShallowNetClassifier(**params)
            est.fit(*_as_dask(X, y.ravel()))
            expected.remove(DataConversionWarning)
    assert {w.category for w in caught} == expected
    for w in caught:
        assert w.filename == __file__, (w.filename, w.lineno, str(w.message))


@needs_array_api
def test_saturated_units_of_huge_features_reported_without_overflow_warnings():
    xp = import_namespace("array_api_strict")
    X, y = make_flower()
    est = ShallowNetClassifier(max_iter=20, random_state=0)
    with sklearn.config_context(array_api_dispatch=True):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            est.fit(xp.asarray(X * 1e160), xp.asarray(y))
    messages = [str(w.message) for w in caught]
    assert all(issubclass(w.category, ConvergenceWarning) for w in caught), messages
    assert any("started saturated" in m and "MaxAbsScaler" in m for m in messages)


@needs_array_api
def test_model_selection_fits_array_api_input_one_by_one():
    """The CV estimators stack NumPy fits only; others are fitted alone."""
    xp = pytest.importorskip("array_api_strict")

    X, y = make_flower(n_samples=80, random_state=0)
    with sklearn.config_context(array_api_dispatch=True):
        search = ShallowNetClassifierCV({"n_hidden": [1, 2]}, cv=2, max_iter=20)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            search.fit(xp.asarray(X), xp.asarray(y))
        assert type(search.best_estimator_.W1_).__module__.startswith(
            "array_api_strict"
        )
        reference = GridSearchCV(
            ShallowNetClassifier(max_iter=20), {"n_hidden": [1, 2]}, cv=2
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            reference.fit(xp.asarray(X), xp.asarray(y))
    np.testing.assert_allclose(
        search.cv_results_["mean_test_score"], reference.cv_results_["mean_test_score"]
    )
