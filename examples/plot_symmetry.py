r"""
3.11 Symmetry: why the weights start random
===========================================

Section 3.11 of the notes: if every weight starts at zero, every hidden unit
computes the same function and receives the same gradient, so the units stay
identical and the hidden layer is worth one unit. ``init="zeros"`` shows it
(and warns); the notes' ``randn * 0.01`` breaks the tie.

With ``tanh`` hidden units it is worse than that. :math:`\tanh(0) = 0`, so
:math:`A^{[1]} = 0`; then :math:`dW^{[2]} = \frac1m dZ^{[2]} A^{[1]T} = 0`,
and with :math:`W^{[2]} = 0` also :math:`dZ^{[1]} = W^{[2]T} dZ^{[2]} \odot
g'(Z^{[1]}) = 0`. Every gradient but :math:`db^{[2]}` is zero: only the
output bias moves, to the log-odds of the classes, and the network predicts
the majority class everywhere. With ``sigmoid`` hidden units,
:math:`\sigma(0) = 1/2`, the gradients are not zero but the same for every
unit, and the symmetry the notes describe appears: the units move, in
lockstep, and the four rows of ``W1_`` stay equal.

On the balanced flower even :math:`db^{[2]}` starts at zero (the initial
output, 1/2, is already the share of each class), and with zero weights
nothing moves at all. So this example keeps half of class 1: 200 points
against 100.
"""

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning

from sk_shallow import ShallowNetClassifier
from sk_shallow.datasets import make_flower

X, y = make_flower()
keep = np.r_[0:200, 200:400:2]  # rows 0-199 are class 0; half of class 1
X, y = X[keep], y[keep]
models = {}
with warnings.catch_warnings():
    # init="zeros" warns that it leaves the units identical: here that is
    # the point. Each fit has a fixed budget of 3000 steps.
    warnings.simplefilter("ignore", UserWarning)
    warnings.simplefilter("ignore", ConvergenceWarning)
    for name, activation, init in [
        ("tanh, init='zeros'", "tanh", "zeros"),
        ("sigmoid, init='zeros'", "sigmoid", "zeros"),
        ("tanh, random (the notes)", "tanh", "normal"),
    ]:
        models[name] = ShallowNetClassifier(
            activation=activation,
            init=init,
            max_iter=3000,
            n_iter_no_change=np.inf,
            random_state=2,
        ).fit(X, y)

for name, model in models.items():
    print(f"{name:<26} accuracy {model.score(X, y):.1%}")
    print("  W1_ =", np.array2string(model.W1_.round(3), prefix="  W1_ = "))

# %%
# The rows of ``W1_`` after training, one pair of bars per hidden unit, and
# the cost of each fit.
fig, axes = plt.subplots(2, 2, figsize=(10, 7.5), layout="constrained")
axes = axes.flat
for ax, (name, model) in zip(axes, models.items()):
    units = np.arange(model.n_hidden)
    ax.bar(units - 0.2, model.W1_[:, 0], width=0.4, label="weight on $x_1$")
    ax.bar(units + 0.2, model.W1_[:, 1], width=0.4, label="weight on $x_2$")
    ax.axhline(0, color="k", lw=0.8)
    ax.set_xticks(units)
    ax.set_xlabel("hidden unit")
    ax.set_ylabel("$W^{[1]}$ entry")
    ax.set_title(f"{name}: {model.score(X, y):.1%}")
    if not model.W1_.any():
        ax.set_ylim(-1, 1)
        ax.text(
            0.5,
            0.7,
            "all zero: no gradient\nreaches $W^{[1]}$",
            ha="center",
            transform=ax.transAxes,
        )
axes[0].legend(loc="lower left")
for (name, model), style in zip(models.items(), ["-", "--", "-"]):
    axes[3].plot(model.loss_curve_, style, lw=2, label=name)
axes[3].set_xlabel("iteration")
axes[3].set_ylabel("cost J")
axes[3].set_title("cost of each fit")
axes[3].legend()
plt.show()
