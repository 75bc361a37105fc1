r"""
3.6, 3.8 Activation functions and their derivatives
===================================================

Section 3.6 of the notes lists sigmoid, tanh, ReLU and leaky ReLU; section 3.8
writes each derivative in terms of the activation's *output*
:math:`a = g(z)`: :math:`a(1 - a)` for sigmoid, :math:`1 - a^2` for tanh,
and the sign of :math:`a` for the ReLUs (0.01 instead of 0 for leaky ReLU).
The library computes them exactly that way, and :mod:`sk_shallow.notes` gives
the same functions to call; here they are, and the same data fitted with each.
"""

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.inspection import DecisionBoundaryDisplay

from sk_shallow import ShallowNetClassifier
from sk_shallow.datasets import make_flower
from sk_shallow.notes import ACTIVATION_NAMES, activation, activation_derivative

z = np.linspace(-4, 4, 401)
fig, axes = plt.subplots(2, 3, figsize=(9, 5.5), sharex=True, layout="constrained")
for ax, name in zip(axes.flat, ACTIVATION_NAMES):
    a = activation(z, name)
    ax.plot(z, a, label="$g(z)$")
    ax.plot(z, activation_derivative(a, name), "--", label="$g'(z)$, from $a$")
    ax.set_title(name)
    ax.set_xlabel("$z$")
    ax.axhline(0, color="grey", lw=0.5)
# The sixth panel holds the legend, in type as large as the titles'.
axes.flat[-1].axis("off")
axes.flat[-1].legend(*axes.flat[0].get_legend_handles_labels(), loc="center")
plt.show()

# %%
# The flower, fitted with each hidden activation: 8 units and a fixed budget
# of 5000 gradient-descent steps, as the notes train. The ReLUs and the
# identity take a smaller step than the notes' 1.2, which is too large for
# them.
warnings.filterwarnings("ignore", category=ConvergenceWarning)  # the budget
X, y = make_flower()
fig, axes = plt.subplots(2, 3, figsize=(9, 6.5), layout="constrained")
axes.flat[-1].axis("off")
for ax, name in zip(axes.flat, ACTIVATION_NAMES):
    lr = 0.3 if "relu" in name or name == "identity" else 1.2
    model = ShallowNetClassifier(
        8,
        name,
        learning_rate=lr,
        max_iter=5000,
        n_iter_no_change=np.inf,
        random_state=2,
    ).fit(X, y)
    DecisionBoundaryDisplay.from_estimator(
        model, X, ax=ax, response_method="predict", cmap="Spectral", alpha=0.6
    )
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="Spectral", s=5)
    ax.set_title(f"{name}, step {lr}\n{model.score(X, y):.1%}")
plt.show()
