"""
Activation functions and their derivatives
==========================================

Section 3.6 of the notes lists sigmoid, tanh, ReLU and leaky ReLU; section 3.8
writes each derivative in terms of the activation's *output* ``a``:
``a(1 - a)``, ``1 - a^2``, and the sign of ``a`` for the ReLUs. The library
computes them exactly that way; here they are, and the same data fitted with
each.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.inspection import DecisionBoundaryDisplay

from sk_shallow import ShallowNetClassifier
from sk_shallow._activations import ACTIVATIONS, DERIVATIVES
from sk_shallow.datasets import make_flower

z = np.linspace(-4, 4, 401)
fig, axes = plt.subplots(1, 5, figsize=(16, 3), sharex=True)
for ax, name in zip(axes, ACTIVATIONS):
    a = ACTIVATIONS[name](z.copy())
    ax.plot(z, a, label="g(z)")
    ax.plot(z, DERIVATIVES[name](a.copy()), "--", label="g'(z) from a")
    ax.set_title(name)
    ax.axhline(0, color="grey", lw=0.5)
axes[0].legend()
fig.tight_layout()

# %%
# The flower, fitted with each hidden activation (ReLUs take a smaller step).
X, y = make_flower()
fig, axes = plt.subplots(1, 5, figsize=(16, 3.4))
for ax, name in zip(axes, ACTIVATIONS):
    lr = 0.3 if "relu" in name or name == "identity" else 1.2
    model = ShallowNetClassifier(
        8, name, learning_rate=lr, max_iter=5000, random_state=2
    ).fit(X, y)
    DecisionBoundaryDisplay.from_estimator(
        model, X, ax=ax, response_method="predict", cmap="Spectral", alpha=0.6
    )
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="Spectral", s=5)
    ax.set_title(f"{name}: {model.score(X, y):.1%}")
fig.tight_layout()
plt.show()
