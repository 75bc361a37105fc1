"""
The course comparison: logistic regression versus a shallow network
====================================================================

The notes' worked example. The planar "flower" has two classes wound around
each other; no straight line separates them, so logistic regression is stuck
near 50% while one hidden layer of four tanh units reaches about 90%.
"""

# %%
import matplotlib.pyplot as plt
from sklearn.inspection import DecisionBoundaryDisplay
from sklearn.linear_model import LogisticRegressionCV

from sk_shallow import ShallowNetClassifier
from sk_shallow.datasets import make_flower

X, y = make_flower()
logreg = LogisticRegressionCV(scoring="accuracy").fit(X, y)
net = ShallowNetClassifier(random_state=2).fit(X, y)  # the course's defaults

# %%
# Decision boundaries side by side, training accuracy in the titles.
fig, axes = plt.subplots(1, 2, figsize=(10, 4.5))
for ax, (name, model) in zip(
    axes, [("Logistic regression", logreg), ("4 tanh hidden units", net)]
):
    DecisionBoundaryDisplay.from_estimator(
        model, X, ax=ax, response_method="predict", cmap="Spectral", alpha=0.6
    )
    ax.scatter(
        X[:, 0], X[:, 1], c=y, cmap="Spectral", s=12, edgecolors="k", linewidths=0.3
    )
    ax.set_title(f"{name}: {model.score(X, y):.1%}")
fig.tight_layout()

# %%
# The network's cost, recorded before each gradient-descent step as the notes
# print it, falls from log 2 (a coin toss) to about 0.22.
fig, ax = plt.subplots(figsize=(6, 3))
ax.plot(net.loss_curve_)
ax.set_xlabel("iteration")
ax.set_ylabel("cost J")
ax.set_title(f"Stopped after {net.n_iter_} iterations")
fig.tight_layout()
plt.show()
