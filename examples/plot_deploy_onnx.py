"""
Beyond the notes: deploy with ONNX
==================================

A fitted network is four small arrays and two activations, so it deploys
anywhere that runs an `ONNX <https://onnx.ai>`_ graph: onnxruntime in Python,
C++, Java, C# or the browser. Importing :mod:`sk_shallow.onnx` teaches
`skl2onnx <https://onnx.ai/sklearn-onnx/>`_ to convert
:class:`~sk_shallow.ShallowNetClassifier` and
:class:`~sk_shallow.ShallowNetRegressor`, alone or inside a whole
``Pipeline``; the graph is the notes' forward pass. Here we fit a pipeline,
convert it, run it with onnxruntime and compare it with ``predict_proba``.

It needs the ``onnx`` extra: ``pip install ".[onnx]"`` from a checkout.
"""

# %%
# Fit a scaler and a network on the notes' flower data.
import matplotlib.pyplot as plt
import numpy as np
import onnxruntime as ort
import skl2onnx
from matplotlib.colors import LogNorm
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import sk_shallow.onnx  # noqa: F401  (registers the converters with skl2onnx)
from sk_shallow import ShallowNetClassifier
from sk_shallow.datasets import make_flower

X, y = make_flower(1000, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
model = make_pipeline(
    StandardScaler(),
    ShallowNetClassifier(8, solver="lbfgs", tol=1e-4, random_state=0),
).fit(X_train, y_train)
print(f"test accuracy: {model.score(X_test, y_test):.1%}")

# %%
# Convert the whole pipeline. ``X[:1]`` only tells skl2onnx the input's type
# and width: float64 data gives a float64 graph (``DoubleTensorType``),
# float32 data a float32 one. ``zipmap=False`` returns the probabilities as
# one tensor rather than as a list of ``{label: probability}`` dicts.
options = {ShallowNetClassifier: {"zipmap": False}}
graphs = {
    dtype: skl2onnx.to_onnx(model, X_train[:1].astype(dtype), options=options)
    for dtype in (np.float32, np.float64)
}
onx = graphs[np.float32]
print(f"{len(onx.graph.node)} nodes:", " ".join(n.op_type for n in onx.graph.node))
n_weights = sum(int(np.prod(t.dims)) for t in onx.graph.initializer)
print(f"{n_weights} stored numbers, {onx.ByteSize()} bytes serialised")

# %%
# Run the graphs with onnxruntime and compare them with the pipeline.
for dtype, graph in graphs.items():
    session = ort.InferenceSession(
        graph.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    X_in = X_test.astype(dtype)
    labels, proba = session.run(None, {session.get_inputs()[0].name: X_in})
    same = np.mean(labels == model.predict(X_in))
    gap = np.abs(proba - model.predict_proba(X_in)).max()
    print(f"{dtype.__name__}: labels equal {same:.0%}, largest gap {gap:.1e}")

# %%
# The ONNX graph's probabilities over the plane, and where (and by how much)
# the float32 graph differs from the pipeline's own float32 computation, on
# a logarithmic scale. The two round differently (onnxruntime's ``Gemm`` sums
# in another order than NumPy), so they differ by about float32's rounding,
# 1e-7, except along the decision boundary: there the probability is
# steepest, and the gap grows to the order of either float32 computation's
# own error against float64 (the line printed below gives all three). Where
# that matters, convert with float64 data.
session = ort.InferenceSession(
    onx.SerializeToString(), providers=["CPUExecutionProvider"]
)
lo, hi = X.min(axis=0) - 0.5, X.max(axis=0) + 0.5
xx, yy = np.meshgrid(np.linspace(lo[0], hi[0], 200), np.linspace(lo[1], hi[1], 200))
grid = np.c_[xx.ravel(), yy.ravel()].astype(np.float32)
_, grid_proba = session.run(None, {session.get_inputs()[0].name: grid})
gap = np.abs(grid_proba[:, 1] - model.predict_proba(grid)[:, 1])
exact = model.predict_proba(grid.astype(np.float64))[:, 1]
print(
    f"grid: largest gap {gap.max():.1e}; from float64, onnxruntime float32 "
    f"{np.abs(grid_proba[:, 1] - exact).max():.1e}, NumPy float32 "
    f"{np.abs(model.predict_proba(grid)[:, 1] - exact).max():.1e}"
)

fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
shading = axes[0].contourf(xx, yy, grid_proba[:, 1].reshape(xx.shape), 20, cmap="RdBu")
# The test points in colours of their own, so that both classes stand out
# from the shading beneath them.
for label, marker, color in [(0, "o", "gold"), (1, "s", "black")]:
    axes[0].scatter(
        *X_test[y_test == label].T,
        marker=marker,
        c=color,
        edgecolors="k",
        linewidths=0.4,
        s=14,
        label=f"test points of class {label}",
    )
axes[0].legend(loc="lower left", fontsize=8)
axes[0].set_title("P(class 1), computed by onnxruntime")
fig.colorbar(shading, ax=axes[0], label="P(class 1)")
image = axes[1].imshow(
    np.maximum(gap, 1e-9).reshape(xx.shape),  # 0 shown as 1e-9 on the log scale
    origin="lower",
    extent=(lo[0], hi[0], lo[1], hi[1]),
    aspect="auto",
    cmap="viridis",
    norm=LogNorm(vmin=1e-9),
)
axes[1].set_title("|onnxruntime - predict_proba|, float32")
fig.colorbar(image, ax=axes[1], label="absolute difference of P(class 1)")
fig.tight_layout()
plt.show()
