"""
Worked example: how many hidden units? A grid search
====================================================

The notes' worked example sweeps the hidden layer size over 1, 2, 3, 4, 5, 20
and 50, with 5000 gradient-descent steps each, and section 3.6 lists the
choices to make: how many units, which activation. With
:class:`~sklearn.model_selection.GridSearchCV` the same sweep crosses the
activation and is scored on held-out folds. tanh takes the notes' step of
1.2; ReLU takes 0.3, since 1.2 is too large a step for it. The table and the
curve below show what each reaches: here ReLU, whose units are piecewise
linear, needs more of them than tanh to bend around the petals.
"""

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.inspection import DecisionBoundaryDisplay
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from sk_shallow import ShallowNetClassifier
from sk_shallow.datasets import make_flower

# The notes' sweep trains each network for a fixed 5000 steps: every fit uses
# its whole budget, as planned, so the ConvergenceWarning is silenced.
warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y = make_flower()
sizes = [1, 2, 3, 4, 5, 20, 50]
steps = {"tanh": 1.2, "relu": 0.3}
search = GridSearchCV(
    ShallowNetClassifier(max_iter=5000, n_iter_no_change=np.inf, random_state=2),
    [
        {"n_hidden": sizes, "activation": [name], "learning_rate": [lr]}
        for name, lr in steps.items()
    ],
    cv=StratifiedKFold(3, shuffle=True, random_state=0),
).fit(X, y)

# %%
# The table of cross-validated accuracies.
scores = search.cv_results_["mean_test_score"].reshape(len(steps), len(sizes))
print("n_hidden   " + "  ".join(f"{n:>5}" for n in sizes))
for activation, row in zip(steps, scores):
    print(f"{activation:<10} " + "  ".join(f"{s:5.1%}" for s in row))
print("best:", search.best_params_, f"{search.best_score_:.1%}")

# %%
# A grid of decision boundaries, one per size (tanh, trained on all the
# data), and the cross-validated accuracy of both activations by size.
fig, axes = plt.subplots(2, 4, figsize=(14, 7), layout="constrained")
for ax, n_hidden in zip(axes.flat, sizes):
    model = ShallowNetClassifier(
        n_hidden, max_iter=5000, n_iter_no_change=np.inf, random_state=2
    ).fit(X, y)
    DecisionBoundaryDisplay.from_estimator(
        model, X, ax=ax, response_method="predict", cmap="Spectral", alpha=0.6
    )
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="Spectral", s=6)
    units = "unit" if n_hidden == 1 else "units"
    ax.set_title(f"{n_hidden} tanh hidden {units}: {model.score(X, y):.1%}")
ax = axes.flat[-1]
for (activation, lr), row, marker in zip(steps.items(), scores, "os"):
    ax.plot(sizes, row, marker + "-", label=f"{activation} (step {lr})")
fig.suptitle(
    "Training accuracy after the sweep's 5000 gradient-descent steps "
    "(python -m sk_shallow --sweep)"
)
ax.set_xscale("log")
ax.set_xlabel("n_hidden")
ax.set_ylabel("cross-validated accuracy")
ax.legend()
plt.show()
