"""
Beyond the notes: the flower on a GPU (or any array library)
============================================================

With scikit-learn's array API dispatch on, the networks train on the arrays
they are given, where those arrays live: PyTorch tensors on a GPU, CuPy
arrays, ... The fitted weights stay on that device and predictions come back
there; :func:`sk_shallow.move_to` brings a fitted model back to NumPy to serve
it anywhere.

This example uses PyTorch on the GPU when there is one, PyTorch on the CPU
otherwise, and ``array_api_strict`` (the standard's reference implementation)
when PyTorch is not installed. The first line of output and the figure's
title name the library and the device that ran the fit: where these pages
are built without a GPU or PyTorch, that is ``array_api_strict``, on the
CPU. The fit is the same as the NumPy one, to rounding: the two loss curves
below lie on each other.
"""

# %%
# Set-up: scipy must see ``SCIPY_ARRAY_API=1`` before it is first imported
# (in a script: set it in the shell, or at the top as here).
import os

os.environ.setdefault("SCIPY_ARRAY_API", "1")

import importlib.util  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import sklearn  # noqa: E402

from sk_shallow import ShallowNetClassifier, move_to  # noqa: E402
from sk_shallow.datasets import make_flower  # noqa: E402

if importlib.util.find_spec("torch") is not None:
    import torch as xp

    device = "cuda" if xp.cuda.is_available() else "cpu"
    if device == "cpu":
        xp.set_num_threads(1)  # data this small: more threads only add overhead
else:
    import array_api_strict as xp

    device = None
backend = f"{xp.__name__} on {device or 'its default device'}"
print(f"Fitting with {backend}")

# %%
# The same fit twice, the notes' gradient descent on the flower data: NumPy
# arrays on the host, and ``xp`` arrays on the device with the dispatch on.
X, y = make_flower(400, random_state=0)
params = dict(n_hidden=5, tol=1e-4, random_state=0)
on_host = ShallowNetClassifier(**params).fit(X, y)

X_device, y_device = xp.asarray(X, device=device), xp.asarray(y, device=device)
with sklearn.config_context(array_api_dispatch=True):
    on_device = ShallowNetClassifier(**params).fit(X_device, y_device)
    proba = on_device.predict_proba(X_device)
for name, array in [("weights W1_", on_device.W1_), ("probabilities", proba)]:
    library = type(array).__module__.split(".")[0]
    print(f"{name}: {library} arrays, on {array.device}")

# %%
# To serve the model without the device (or without the dispatch), move it
# to NumPy; it predicts what it predicted on the device.
served = move_to(on_device, np)
print("largest difference from the NumPy fit:", end=" ")
print(f"{np.abs(served.predict_proba(X) - on_host.predict_proba(X)).max():.1e}")

fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
axes[0].plot(on_host.loss_curve_, lw=4, alpha=0.4, label="NumPy")
axes[0].plot(on_device.loss_curve_, "k--", label=backend)
axes[0].set_xlabel("gradient-descent iteration")
axes[0].set_ylabel("cost")
axes[0].legend()
xx, yy = np.meshgrid(np.linspace(-4.5, 4.5, 200), np.linspace(-4.5, 4.5, 200))
grid = np.c_[xx.ravel(), yy.ravel()]
proba_grid = served.predict_proba(grid)[:, 1].reshape(xx.shape)
shading = axes[1].contourf(xx, yy, proba_grid, 20, cmap="RdBu")
for label, marker, color in [(0, "o", "gold"), (1, "s", "black")]:
    axes[1].scatter(
        *X[y == label].T,
        marker=marker,
        c=color,
        s=8,
        lw=0.2,
        edgecolors="k",
        label=f"class {label}",
    )
axes[1].legend(loc="lower left", fontsize=8)
fig.colorbar(shading, ax=axes[1], label="P(class 1), predict_proba[:, 1]")
axes[1].set_title("The device-fitted model, moved to NumPy")
fig.suptitle(f"Fitted with {backend}")
plt.show()
