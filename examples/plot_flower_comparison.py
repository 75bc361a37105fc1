"""
Worked example: logistic regression versus a shallow network
=============================================================

The notes' worked example, after section 3.11. The planar "flower" has two
classes wound around each other; no straight line separates them, so logistic
regression is stuck near 50%, while one hidden layer of four tanh units,
trained as in the notes, follows the petals. The notes report about 47% and
90%; the accuracies in the figure's titles are computed by the code below,
whose network is the one ``python -m sk_shallow`` fits and prints.
"""

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.inspection import DecisionBoundaryDisplay
from sklearn.linear_model import LogisticRegression

from sk_shallow import ShallowNetClassifier
from sk_shallow.datasets import make_flower

X, y = make_flower()
# The course uses LogisticRegressionCV to choose the penalty; for a straight
# line through the flower the penalty makes no difference to speak of.
logreg = LogisticRegression().fit(X, y)
# The notes' run, as ``python -m sk_shallow`` fits it: a budget of 10,000
# gradient-descent steps. Where it ends at that budget while the cost still
# falls a little, it warns (a ConvergenceWarning, see the Defaults page);
# like the command, this example silences that warning.
net = ShallowNetClassifier(4, "tanh", max_iter=10000, random_state=2)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    net.fit(X, y)

# %%
# Decision boundaries side by side, training accuracy in the titles.
fig, axes = plt.subplots(1, 2, figsize=(10, 4.5), layout="constrained")
for ax, (name, model) in zip(
    axes, [("Logistic regression", logreg), ("4 tanh hidden units", net)]
):
    DecisionBoundaryDisplay.from_estimator(
        model, X, ax=ax, response_method="predict", cmap="Spectral", alpha=0.6
    )
    ax.scatter(
        X[:, 0], X[:, 1], c=y, cmap="Spectral", s=12, edgecolors="k", linewidths=0.3
    )
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(f"{name}: {model.score(X, y):.1%}")
plt.show()

# %%
# The network's cost, recorded before each gradient-descent step as the notes
# print it. It starts at :math:`\log 2` (every output 1/2, a coin toss).
fig, ax = plt.subplots(figsize=(6, 3), layout="constrained")
ax.plot(net.loss_curve_)
ax.axhline(np.log(2), color="grey", ls=":", label="log 2")
ax.set_xlabel("iteration")
ax.set_ylabel("cost J")
ax.set_title(f"{net.n_iter_} iterations, final cost {net.loss_curve_[-1]:.3f}")
ax.legend()
plt.show()
