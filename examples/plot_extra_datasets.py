"""
The course's other data sets
============================

The exercise also tries noisy circles, moons, blobs (labels ``y % 2``) and
Gaussian quantiles. Logistic regression handles only what a line can; the
shallow network follows each shape.
"""

# %%
import matplotlib.pyplot as plt
from sklearn.inspection import DecisionBoundaryDisplay
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sk_shallow import ShallowNetClassifier
from sk_shallow.datasets import load_extra_datasets

datasets = load_extra_datasets(random_state=0)
fig, axes = plt.subplots(2, 4, figsize=(15, 7))
for col, (name, (X, y)) in enumerate(datasets.items()):
    for row, model in enumerate(
        [
            LogisticRegression(),
            make_pipeline(
                StandardScaler(), ShallowNetClassifier(5, max_iter=5000, random_state=2)
            ),
        ]
    ):
        model.fit(X, y)
        ax = axes[row, col]
        DecisionBoundaryDisplay.from_estimator(
            model, X, ax=ax, response_method="predict", cmap="Spectral", alpha=0.6
        )
        ax.scatter(X[:, 0], X[:, 1], c=y, cmap="Spectral", s=8)
        kind = "logistic" if row == 0 else "network"
        ax.set_title(f"{name}, {kind}: {model.score(X, y):.0%}")
fig.tight_layout()
plt.show()
