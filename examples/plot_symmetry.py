"""
Symmetry: why the weights start random
======================================

Section 3.11: if every weight starts at zero, every hidden unit computes the
same function and receives the same gradient, so the units stay identical
forever and the hidden layer is worth one unit. ``init="zeros"`` shows it
(and warns); the notes' ``randn * 0.01`` breaks the tie.
"""

# %%
import warnings

import matplotlib.pyplot as plt

from sk_shallow import ShallowNetClassifier
from sk_shallow.datasets import make_flower

X, y = make_flower()
with warnings.catch_warnings():
    warnings.simplefilter("ignore", UserWarning)
    zeros = ShallowNetClassifier(init="zeros", max_iter=3000).fit(X, y)
random = ShallowNetClassifier(max_iter=3000, random_state=2).fit(X, y)

# %%
# The rows of ``W1_``: one per hidden unit.
fig, axes = plt.subplots(1, 3, figsize=(14, 3.5))
for ax, (name, model) in zip(axes, [("init='zeros'", zeros), ("random", random)]):
    ax.bar(range(4), model.W1_[:, 0], width=0.4, label="weight on x1")
    ax.bar(
        [i + 0.4 for i in range(4)], model.W1_[:, 1], width=0.4, label="weight on x2"
    )
    ax.set_xticks(range(4))
    ax.set_xlabel("hidden unit")
    ax.set_title(f"{name}: {model.score(X, y):.1%}")
axes[0].legend()
axes[2].plot(zeros.loss_curve_, label="init='zeros'")
axes[2].plot(random.loss_curve_, label="random")
axes[2].set_xlabel("iteration")
axes[2].set_ylabel("cost")
axes[2].legend()
fig.tight_layout()
plt.show()
