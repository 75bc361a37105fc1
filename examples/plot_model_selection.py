"""
Worked example: how many hidden units, in one pass
==================================================

The notes' worked example asks how many hidden units the flower needs and
answers by training networks of 1, 2, 3, 4, 5, 20 and 50 units and looking
at their accuracy on the data they were trained on. A held-out answer needs
every size on every fold of a cross-validation, and the notes' small random
start (``0.01 * randn``) sometimes lands a run badly, so each fit is worth a
few restarts: with 5 folds and 2 restarts that is 70 networks.

:class:`~sk_shallow.ShallowNetClassifierCV` trains them together: every
network is the notes' gradient descent with its own stopping rule and step
safeguard, but one forward and one backward pass per step serve a stack of
networks. Its results are those of
:class:`~sklearn.model_selection.GridSearchCV` over
:class:`~sk_shallow.ShallowNetClassifier` (with ``n_init=1``, the same
scores to 1e-12), and ``cv_results_`` tabulates the same way.
"""

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.inspection import DecisionBoundaryDisplay
from sklearn.model_selection import StratifiedKFold

from sk_shallow import ShallowNetClassifierCV
from sk_shallow.datasets import make_flower

# The notes' sweep trains each network for at most 5000 steps; the runs that
# use them all say so with a ConvergenceWarning, silenced here.
warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y = make_flower()
sizes = [1, 2, 3, 4, 5, 20, 50]
# The flower's rows come petal by petal: the folds are drawn at random.
folds = StratifiedKFold(5, shuffle=True, random_state=0)
search = ShallowNetClassifierCV(
    {"n_hidden": sizes}, cv=folds, n_init=2, max_iter=5000, random_state=2
).fit(X, y)
results = search.cv_results_
for n_hidden, mean, std in zip(
    sizes, results["mean_test_score"], results["std_test_score"], strict=True
):
    print(f"{n_hidden:2d} hidden units: {mean:.3f} +- {std:.3f}")
print("best:", search.best_params_, f"{search.best_score_:.3f}")

# %%
# The held-out accuracy jumps between two and three units and levels off
# from three or four (the petals need that many lines, see the hidden-unit
# lines example); 20 and 50 units fit the training data better but do not
# generalise better. The refit of the best size on all the data is a plain
# ShallowNetClassifier, ``search.best_estimator_``.
fig, (ax, ax_map) = plt.subplots(1, 2, figsize=(10, 4))
mean, std = results["mean_test_score"], results["std_test_score"]
ax.errorbar(sizes, mean, yerr=std, marker="o", capsize=3, label="5-fold CV")
ax.axvline(search.best_params_["n_hidden"], color="grey", ls=":", label="best")
ax.set_xscale("log")
ax.set_xticks(sizes, [str(s) for s in sizes])
ax.set_xlabel("hidden units n[1]")
ax.set_ylabel("held-out accuracy")
ax.set_title("How many hidden units? (mean +- std over folds)")
ax.legend(loc="lower right")

DecisionBoundaryDisplay.from_estimator(
    search.best_estimator_, X, ax=ax_map, cmap="RdBu", alpha=0.5
)
ax_map.scatter(X[:, 0], X[:, 1], c=y, cmap="RdBu", s=8, edgecolors="k", lw=0.2)
best = search.best_estimator_
ax_map.set_title(f"refit with {best.n_hidden} units: {best.score(X, y):.1%} (training)")
fig.tight_layout()
plt.show()

# %%
# The steps each kept fit took, per size and fold: every network stopped on
# its own rule, whatever the others did.
print(np.column_stack([results[f"split{k}_n_iter"] for k in range(5)]))
