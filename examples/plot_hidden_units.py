"""
How many hidden units? A grid search
====================================

The notes sweep the hidden layer size over 1, 2, 3, 4, 5, 20 and 50. With
:class:`~sklearn.model_selection.GridSearchCV` the same sweep also crosses the
activation and is scored on held-out folds: one or two units are too few for
the flower's petals, three or more fit them, and many more add little.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.inspection import DecisionBoundaryDisplay
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from sk_shallow import ShallowNetClassifier
from sk_shallow.datasets import make_flower

X, y = make_flower()
sizes = [1, 2, 3, 4, 5, 20, 50]
search = GridSearchCV(
    ShallowNetClassifier(max_iter=5000, random_state=2),
    {"n_hidden": sizes, "activation": ["tanh", "relu"]},
    cv=StratifiedKFold(3, shuffle=True, random_state=0),
).fit(X, y)

# %%
# The table of cross-validated accuracies.
scores = search.cv_results_["mean_test_score"].reshape(2, len(sizes))
print("n_hidden   " + "  ".join(f"{n:>5}" for n in sizes))
for activation, row in zip(["tanh", "relu"], scores):
    print(f"{activation:<10} " + "  ".join(f"{s:5.1%}" for s in row))

# %%
# A grid of decision boundaries, one per size (tanh).
fig, axes = plt.subplots(2, 4, figsize=(14, 7))
for ax, n_hidden in zip(axes.flat, sizes):
    model = ShallowNetClassifier(n_hidden, max_iter=5000, random_state=2).fit(X, y)
    DecisionBoundaryDisplay.from_estimator(
        model, X, ax=ax, response_method="predict", cmap="Spectral", alpha=0.6
    )
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="Spectral", s=6)
    ax.set_title(f"{n_hidden} hidden units: {model.score(X, y):.1%}")
axes.flat[-1].plot(sizes, scores[0], "o-", label="tanh")
axes.flat[-1].plot(sizes, scores[1], "s-", label="relu")
axes.flat[-1].set_xscale("log")
axes.flat[-1].set_xlabel("n_hidden")
axes.flat[-1].set_ylabel("CV accuracy")
axes.flat[-1].legend()
fig.tight_layout()
plt.show()
print("best:", search.best_params_, f"{search.best_score_:.1%}")
assert np.isfinite(scores).all()
