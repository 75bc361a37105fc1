"""ONNX export of the shallow networks through skl2onnx (optional extra ``[onnx]``).

Importing this module registers a shape calculator and a converter for
:class:`~sk_shallow.ShallowNetClassifier` and
:class:`~sk_shallow.ShallowNetRegressor` with
:func:`skl2onnx.update_registered_converter`, so that skl2onnx converts them
alone or inside a ``Pipeline`` or ``ColumnTransformer``::

    import skl2onnx
    import sk_shallow.onnx  # noqa: F401  (registers the converters)

    onx = skl2onnx.to_onnx(pipeline, X[:1])  # float32 or float64, as X

The graph is the notes' forward pass, written for ONNX's
``(n_samples, n_features)`` rows (``Gemm`` computes ``X W^T + b^T``, the
transpose of the notes' ``W X + b``)::

    Z1 = Gemm(X, W1, b1, transB=1)       A1 = g(Z1)     # (N, n_hidden)
    Z2 = Gemm(A1, W2, b2, transB=1)      A2 = sigma(Z2) # (N, n_outputs)

with ``g`` one of ``Tanh``, ``Sigmoid``, ``Relu``, ``LeakyRelu`` (alpha
0.01; ``Max(z, 0.01 z)`` in float64, which onnxruntime's ``LeakyRelu`` lacks)
or nothing for the identity, and the output:

- binary classes: ``Sigmoid`` of the logits ``[-z, z]``, the two-column
  probabilities ``[sigma(-z), sigma(z)]`` of ``predict_proba``, and the
  label ``classes_[ArgMax([-z, z])]``, i.e. ``classes_[1]`` where ``z > 0``;
- more classes: ``Softmax`` of ``Z2``, label ``classes_[ArgMax(Z2)]``;
- multilabel indicators: ``Sigmoid`` per label, labels ``Z2 > 0`` as int64;
- regression: ``Z2`` (squared error) or ``Exp(Z2)`` (Poisson), always of
  shape ``(N, n_outputs)``, as skl2onnx's regressors are.

Probabilities are floored at the dtype's smallest normal number, as
``predict_proba`` floors them. Numeric labels (of any integer type, bool,
whole floats) come out as int64, as in every skl2onnx classifier, whose
``ZipMap`` keys are int64 or strings: labels beyond int64's range (uint64
from 2**63) are refused at conversion, where ``nocl=True`` gives class
indices instead. String labels come out as strings. The classifier honours
skl2onnx's standard options: ``zipmap`` (``True``, the default: a list of
``{label: probability}`` dicts; ``False``: a probability tensor;
``"columns"``: one output per class), ``nocl`` (labels are class indices) and
``output_class_labels``. The computation runs in the input's precision:
``FloatTensorType`` gives a float32 graph, ``DoubleTensorType`` a float64 one.

An unfitted estimator raises NotFittedError. The Dask estimators are not
converted themselves, their ``to_local()`` is: converting one says so.

The converters read only the public fitted attributes ``W1_``, ``b1_``,
``W2_``, ``b2_``, ``out_activation_`` and ``classes_``, and the
``activation`` parameter.
"""

import sys

import numpy as np
from sklearn.utils.validation import check_is_fitted

try:
    from skl2onnx import update_registered_converter

    # The classifiers' default parser (the ZipMap and its options), run after
    # the fitted check below: skl2onnx has no public name for it.
    from skl2onnx._parse import _parse_sklearn_classifier
    from skl2onnx.common.data_types import (
        DoubleTensorType,
        FloatTensorType,
        Int64TensorType,
        StringTensorType,
    )
    from skl2onnx.common.utils import check_input_and_output_numbers
    from skl2onnx.common.utils_classifier import get_label_classes
    from skl2onnx.proto import onnx_proto
except ModuleNotFoundError as error:
    raise ModuleNotFoundError(
        f"sk_shallow.onnx needs {error.name!r}: install the [onnx] extra "
        '(from a checkout: pip install -e ".[onnx]").',
        name=error.name,
    ) from error

from ._activations import LEAKY_SLOPE
from ._classifier import ShallowNetClassifier
from ._regressor import ShallowNetRegressor

__all__: list[str] = []

#: Hidden activations by name: the ONNX operator and its attributes.
#: ``"identity"`` adds no node.
HIDDEN_OPERATORS = {
    "identity": None,
    "tanh": ("Tanh", {}),
    "sigmoid": ("Sigmoid", {}),
    "relu": ("Relu", {}),
    "leaky_relu": ("LeakyRelu", {"alpha": LEAKY_SLOPE}),
}

#: The skl2onnx options a classifier accepts.
CLASSIFIER_OPTIONS = {
    "zipmap": [True, False, "columns"],
    "nocl": [True, False],
    "output_class_labels": [False, True],
}

_INPUT_TYPES = (FloatTensorType, DoubleTensorType, Int64TensorType)
_INT64 = np.iinfo(np.int64)


# --------------------------------------------------------------------------
# Parser and shape calculators: the outputs, their types and shapes.
# --------------------------------------------------------------------------
def parse_classifier(scope, model, inputs, custom_parsers=None):
    """skl2onnx's parser of classifiers, for a fitted classifier only.

    That parser reads ``classes_`` first, and fails on an unfitted model
    with an error that does not say why: here it is NotFittedError, as for
    the regressor (whose first reader is its shape calculator).
    """
    check_is_fitted(model)
    return _parse_sklearn_classifier(
        scope, model, inputs, custom_parsers=custom_parsers
    )


def _float_type(operator):
    """``DoubleTensorType`` for a float64 input, else ``FloatTensorType``."""
    is_double = isinstance(operator.inputs[0].type, DoubleTensorType)
    return DoubleTensorType if is_double else FloatTensorType


def _check_input(operator, n_outputs):
    check_input_and_output_numbers(
        operator, input_count_range=1, output_count_range=n_outputs
    )
    input_type = operator.inputs[0].type
    if not isinstance(input_type, _INPUT_TYPES):
        raise TypeError(
            f"{type(operator.raw_operator).__name__} converts float, double or "
            f"int64 tensors, not {type(input_type).__name__}."
        )
    check_is_fitted(operator.raw_operator)
    n_features = operator.raw_operator.W1_.shape[1]
    shape = input_type.shape
    if len(shape) == 2 and isinstance(shape[1], int) and shape[1] != n_features:
        raise ValueError(
            f"The input has {shape[1]} features; the network was fitted on "
            f"{n_features}."
        )


def calculate_classifier_output_shapes(operator):
    """Labels ``(N,)`` (``(N, n_labels)`` for multilabel) and probabilities."""
    _check_input(operator, [1, 2])
    model = operator.raw_operator
    n_samples = operator.inputs[0].get_first_dimension()
    classes = get_label_classes(operator.scope_inst, model)
    label_shape = [n_samples, len(classes)] if _is_multilabel(model) else [n_samples]
    _, proto = _label_table(classes)
    is_string = proto == onnx_proto.TensorProto.STRING
    label_type = StringTensorType if is_string else Int64TensorType
    operator.outputs[0].type = label_type(label_shape)
    if len(operator.outputs) == 2:
        operator.outputs[1].type = _float_type(operator)([n_samples, len(classes)])


def calculate_regressor_output_shapes(operator):
    """Predictions of shape ``(N, n_outputs)``."""
    _check_input(operator, 1)
    n_samples = operator.inputs[0].get_first_dimension()
    n_outputs = operator.raw_operator.W2_.shape[0]
    operator.outputs[0].type = _float_type(operator)([n_samples, n_outputs])


# --------------------------------------------------------------------------
# Converters: the graph.
# --------------------------------------------------------------------------
def _label_table(classes):
    """The class labels as ONNX stores them: ``(values, proto type)``.

    Numbers become int64 (as in every skl2onnx classifier, whose ZipMap
    keys are int64 or strings; float labels are whole numbers, or the
    classifier would not have fitted), anything else UTF-8 strings. Numbers
    that int64 cannot hold (uint64 labels from 2**63) are refused.
    """
    if np.issubdtype(classes.dtype, np.number) or classes.dtype == bool:
        beyond = [c for c in classes.tolist() if not _INT64.min <= int(c) <= _INT64.max]
        if beyond:
            raise ValueError(
                f"The class labels {beyond[:3]} are beyond the range of int64, "
                "the type of an ONNX classifier's numeric labels (skl2onnx "
                "gives labels as int64 or strings). Fit on labels within that "
                "range or on strings, or convert with the option nocl=True to "
                "get class indices (positions in classes_) as labels."
            )
        return classes.astype(np.int64), onnx_proto.TensorProto.INT64
    values = np.array([str(c).encode("utf-8") for c in classes])
    return values, onnx_proto.TensorProto.STRING


def _is_multilabel(model):
    """Sigmoid outputs, one per label (a binary network has one output)."""
    return model.out_activation_ == "sigmoid" and model.W2_.shape[0] > 1


class _GraphBuilder:
    """Adds nodes and constants of one dtype to skl2onnx's container."""

    def __init__(self, scope, operator, container):
        self.scope, self.operator, self.container = scope, operator, container
        if isinstance(operator.inputs[0].type, DoubleTensorType):
            self.proto, self.dtype = onnx_proto.TensorProto.DOUBLE, np.float64
        else:
            self.proto, self.dtype = onnx_proto.TensorProto.FLOAT, np.float32

    def name(self, hint):
        return self.scope.get_unique_variable_name(hint)

    def constant(self, hint, value, proto=None):
        value = np.asarray(value)
        name = self.name(hint)
        if proto is None:
            proto, value = self.proto, value.astype(self.dtype)
        self.container.add_initializer(name, proto, value.shape, value.ravel())
        return name

    def node(self, op_type, inputs, output=None, **attrs):
        output = output or self.name(op_type.lower())
        self.container.add_node(
            op_type,
            inputs,
            output,
            name=self.scope.get_unique_operator_name(op_type),
            **attrs,
        )
        return output

    def input(self):
        """The input, cast to the graph's float type if it is not of it."""
        X = self.operator.inputs[0]
        if isinstance(X.type, (FloatTensorType, DoubleTensorType)):
            return X.full_name
        return self.node("Cast", [X.full_name], to=self.proto)

    def forward(self, model):
        """``Z2`` of shape (N, n_outputs): the notes' forward pass up to ``Z2``."""
        W1 = self.constant("W1", model.W1_)
        b1 = self.constant("b1", model.b1_.ravel())
        W2 = self.constant("W2", model.W2_)
        b2 = self.constant("b2", model.b2_.ravel())
        A1 = self.node("Gemm", [self.input(), W1, b1], self.name("Z1"), transB=1)
        if model.activation == "leaky_relu" and self.dtype == np.float64:
            # onnxruntime has no float64 LeakyRelu: max(z, 0.01 z), as numpy.
            slope = self.constant("slope", LEAKY_SLOPE)
            scaled = self.node("Mul", [A1, slope])
            A1 = self.node("Max", [A1, scaled], self.name("A1"))
        elif HIDDEN_OPERATORS[model.activation] is not None:
            op_type, attrs = HIDDEN_OPERATORS[model.activation]
            A1 = self.node(op_type, [A1], self.name("A1"), **attrs)
        return self.node("Gemm", [A1, W2, b2], self.name("Z2"), transB=1)

    def labels(self, classes, index, output):
        """``classes[index]``: int64 or string labels of shape (N,)."""
        table = self.constant("classes", *_label_table(classes))
        return self.node("Gather", [table, index], output, axis=0)


def convert_classifier(scope, operator, container):
    """Labels and (floored) probabilities of a fitted ShallowNetClassifier."""
    model = operator.raw_operator
    graph = _GraphBuilder(scope, operator, container)
    label_out = operator.outputs[0].full_name
    Z2 = graph.forward(model)
    if model.out_activation_ == "softmax":
        proba = graph.node("Softmax", [Z2], axis=1)
        index = graph.node("ArgMax", [Z2], axis=1, keepdims=0)
        graph.labels(get_label_classes(scope, model), index, label_out)
    elif _is_multilabel(model):
        proba = graph.node("Sigmoid", [Z2])
        zero = graph.constant("zero", 0)
        positive = graph.node("Greater", [Z2, zero])
        graph.node("Cast", [positive], label_out, to=onnx_proto.TensorProto.INT64)
    else:  # binary: the logits of the two classes are -z and z
        minus_z = graph.node("Neg", [Z2])
        logits = graph.node("Concat", [minus_z, Z2], axis=1)
        proba = graph.node("Sigmoid", [logits])
        # ArgMax keeps the first of equal values: z = 0 gives classes_[0], as
        # predict does.
        index = graph.node("ArgMax", [logits], axis=1, keepdims=0)
        graph.labels(get_label_classes(scope, model), index, label_out)
    if len(operator.outputs) == 2:
        tiny = graph.constant("tiny", np.finfo(graph.dtype).tiny)
        graph.node("Max", [proba, tiny], operator.outputs[1].full_name)


def convert_regressor(scope, operator, container):
    """Predictions ``A2`` of a fitted ShallowNetRegressor, (N, n_outputs)."""
    model = operator.raw_operator
    graph = _GraphBuilder(scope, operator, container)
    output = operator.outputs[0].full_name
    Z2 = graph.forward(model)
    if model.out_activation_ == "exp":
        graph.node("Exp", [Z2], output)
    else:
        graph.node("Identity", [Z2], output)


def refuse_dask_model(scope, model, inputs, custom_parsers=None):
    """A Dask estimator converts through ``to_local()``: say so."""
    raise TypeError(
        f"{type(model).__name__} is not converted to ONNX itself: convert "
        "model.to_local(), the in-memory estimator with the same weights."
    )


def register_dask(module):
    """Register the Dask estimators of ``module`` (:mod:`sk_shallow.dask`).

    Their parser raises an error that names ``to_local()``, instead of
    skl2onnx's missing shape calculator. Called by whichever of this module
    and :mod:`sk_shallow.dask` is imported second, so that neither imports
    the other's optional dependencies.
    """
    for model, shapes, converter in (
        (
            module.DaskShallowNetClassifier,
            calculate_classifier_output_shapes,
            convert_classifier,
        ),
        (
            module.DaskShallowNetRegressor,
            calculate_regressor_output_shapes,
            convert_regressor,
        ),
    ):
        update_registered_converter(
            model, f"Sk{model.__name__}", shapes, converter, parser=refuse_dask_model
        )


def _register():
    """Register the converters with skl2onnx (done when the module is imported)."""
    update_registered_converter(
        ShallowNetClassifier,
        "SkShallowNetClassifier",
        calculate_classifier_output_shapes,
        convert_classifier,
        parser=parse_classifier,
        options=CLASSIFIER_OPTIONS,
    )
    update_registered_converter(
        ShallowNetRegressor,
        "SkShallowNetRegressor",
        calculate_regressor_output_shapes,
        convert_regressor,
    )
    if "sk_shallow.dask" in sys.modules:
        register_dask(sys.modules["sk_shallow.dask"])


_register()
