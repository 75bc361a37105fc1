"""
Worked example: the course's other data sets
=============================================

The course's exercise also tries noisy circles, moons, blobs (labels
``y % 2``) and Gaussian quantiles. Logistic regression can only draw a
straight line. The shallow network (5 tanh units, features standardised) is
trained as the notes train, for a fixed 5000 gradient-descent steps; the
titles give the training accuracy of each.
"""

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.inspection import DecisionBoundaryDisplay
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sk_shallow import ShallowNetClassifier
from sk_shallow.datasets import load_extra_datasets

# Each network uses its whole budget of steps, as planned: the
# ConvergenceWarning that says so is silenced.
warnings.filterwarnings("ignore", category=ConvergenceWarning)

datasets = load_extra_datasets(random_state=0)
models = {}
for name, (X, y) in datasets.items():
    network = ShallowNetClassifier(
        5, max_iter=5000, n_iter_no_change=np.inf, random_state=2
    )
    models[name] = [
        LogisticRegression().fit(X, y),
        make_pipeline(StandardScaler(), network).fit(X, y),
    ]
    scores = [f"{model.score(X, y):.0%}" for model in models[name]]
    print(f"{name:<20} logistic {scores[0]:>4}, network {scores[1]:>4}")

# %%
# The decision boundaries: logistic regression above, the network below.
fig, axes = plt.subplots(2, 4, figsize=(13, 7), layout="constrained")
for col, (name, (X, y)) in enumerate(datasets.items()):
    for row, model in enumerate(models[name]):
        ax = axes[row, col]
        DecisionBoundaryDisplay.from_estimator(
            model, X, ax=ax, response_method="predict", cmap="Spectral", alpha=0.6
        )
        ax.scatter(X[:, 0], X[:, 1], c=y, cmap="Spectral", s=8)
        kind = "logistic" if row == 0 else "network"
        ax.set_title(f"{name}\n{kind}: {model.score(X, y):.0%}")
plt.show()
