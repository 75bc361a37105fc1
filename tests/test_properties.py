"""Property-based tests: every draw ends in a valid model or a clear error.

The default ("ci") profile draws a few dozen cases; the thorough run is
``python -m pytest tests/test_properties.py --hypothesis-profile=thorough``.
"""

import warnings

import numpy as np
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.multiclass import type_of_target

from sk_shallow import ShallowNetClassifier

LABELS = {
    "int": lambda k: np.arange(k) * 3 - 2,
    "str": lambda k: np.array([f"class {i}" for i in range(k)]),
    "bool": lambda k: np.array([False, True][:k]),
    "float": lambda k: np.arange(k) / 2.0,
}


@st.composite
def problems(draw):
    m = draw(st.integers(1, 40))
    n = draw(st.integers(1, 5))
    dtype = draw(st.sampled_from([np.float64, np.float32]))
    magnitude = draw(st.sampled_from([1e-150, 1e-8, 1.0, 1e3, 1e8, 1e150]))
    if dtype == np.float32:  # float32 holds magnitudes up to about 3e38
        magnitude = min(magnitude, 1e30)
    elements = st.floats(-1, 1, allow_nan=False, width=32)
    X = draw(arrays(np.float64, (m, n), elements=elements)) * magnitude
    kind = draw(st.sampled_from(sorted(LABELS)))
    k = draw(st.integers(1, 2 if kind == "bool" else 4))
    y = LABELS[kind](k)[draw(arrays(np.int64, m, elements=st.integers(0, k - 1)))]
    weights = draw(
        st.one_of(
            st.none(), arrays(np.float64, m, elements=st.floats(0, 10, allow_nan=False))
        )
    )
    params = dict(
        n_hidden=draw(st.integers(1, 6)),
        activation=draw(
            st.sampled_from(["tanh", "sigmoid", "relu", "leaky_relu", "identity"])
        ),
        solver=draw(st.sampled_from(["gd", "sgd", "adam", "lbfgs"])),
        learning_rate=draw(st.sampled_from(["auto", 1e-3, 0.5, 10.0])),
        alpha=draw(st.sampled_from([0.0, 1e-3, 10.0])),
        init=draw(st.sampled_from(["normal", "glorot", "he"])),
        early_stopping=draw(st.booleans()),
        class_weight=draw(
            st.one_of(
                st.sampled_from([None, "balanced"]),
                st.dictionaries(
                    st.sampled_from([*LABELS[kind](k).tolist(), "unknown"]),
                    st.sampled_from([0.0, 0.5, 2.0, -1.0, np.nan, np.inf]),
                ),
            )
        ),
        max_iter=draw(st.integers(1, 30)),
        random_state=0,
    )
    return X.astype(dtype), y, weights, params


#: The errors a draw may end in, each specific to a cause.
CLEAR_ERRORS = (
    "at least 2 classes",
    "zero weight",
    "at least one non-zero number",  # scikit-learn's all-zero sample_weight
    "validation set is too small",
    "stratified by class",
    "zero total sample_weight",
    "Training diverged",
    "non-finite sample weights",
    "finite and non-negative",
    "not among the classes",
    "Unknown label type",
)


def _required_error(y, class_weight):
    """The error a class_weight dict must raise, or None."""
    if not isinstance(class_weight, dict) or len(np.unique(y)) < 2:
        return None
    if type_of_target(y) not in ("binary", "multiclass"):
        return None  # "Unknown label type" comes first
    labels = set(np.unique(y).tolist())
    # compute_class_weight's rule: labels beyond the classes are ignored
    # when every class has a weight.
    if any(key not in labels for key in class_weight) and any(
        label not in class_weight for label in labels
    ):
        return "not among the classes"
    weights = [v for key, v in class_weight.items() if key in labels]
    if any(not (np.isfinite(v) and v >= 0) for v in weights):
        return "finite and non-negative"
    return None


# Found by the thorough profile: all-zero sample weights and a class_weight
# naming an unknown class; the class_weight's error comes first.
@example(
    (
        np.zeros((2, 1)),
        np.array([False, True]),
        np.zeros(2),
        dict(
            n_hidden=1,
            activation="tanh",
            solver="gd",
            learning_rate="auto",
            alpha=0.0,
            init="normal",
            early_stopping=False,
            class_weight={False: 0.0, "unknown": 0.0},
            max_iter=1,
            random_state=0,
        ),
    )
)
@given(problems())
def test_every_draw_is_a_valid_model_or_a_clear_error(problem):
    X, y, weights, params = problem
    clf = ShallowNetClassifier(**params)
    required = _required_error(y, params["class_weight"])
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no numerical warnings
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", UserWarning)
        try:
            clf.fit(X, y, sample_weight=weights)
        except (ValueError, TypeError) as exc:
            if required is not None:
                assert required in str(exc)
            else:
                assert any(e in str(exc) for e in CLEAR_ERRORS), str(exc)
            return
        assert required is None, f"expected an error: {required}"
        try:
            proba = clf.predict_proba(X)
            pred = clf.predict(X)
        except ValueError as exc:
            assert "too large" in str(exc)
            return
    assert proba.shape == (len(X), len(clf.classes_))
    assert proba.dtype == X.dtype
    assert np.all((proba >= 0) & (proba <= 1))
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)
    assert np.isin(pred, clf.classes_).all()
    assert all(np.isfinite(getattr(clf, p)).all() for p in ("W1_", "b1_", "W2_", "b2_"))
