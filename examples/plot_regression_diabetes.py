r"""
3.7 Regression: a linear output layer on the diabetes data
==========================================================

Section 3.7 of the notes keeps a linear activation for the output of a
regression problem. :class:`~sk_shallow.ShallowNetRegressor` is that network:
:math:`\hat y = W^{[2]} g(W^{[1]} x + b^{[1]}) + b^{[2]}`, fitted to the half
squared error. Here it is compared, on scikit-learn's diabetes data, with
ridge regression (the linear model) and with scikit-learn's MLPRegressor
configured alike: 8 tanh hidden units, L-BFGS, Glorot's initial weights, and
the L2 penalty ``alpha`` chosen by the same inner grid search, which means
the same for both (the penalty is scaled the same way).
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import load_diabetes
from sklearn.linear_model import RidgeCV
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sk_shallow import ShallowNetRegressor

X, y = load_diabetes(return_X_y=True)
cv = KFold(5, shuffle=True, random_state=0)
alphas = {"alpha": [1.0, 10.0, 100.0]}


def scaled(model):
    """Standardise the features and the target around ``model``."""
    return TransformedTargetRegressor(
        make_pipeline(StandardScaler(), model), transformer=StandardScaler()
    )


models = {
    "RidgeCV": scaled(RidgeCV(alphas=np.logspace(-3, 3, 13))),
    "ShallowNetRegressor": scaled(
        GridSearchCV(
            ShallowNetRegressor(8, solver="lbfgs", max_iter=15000, random_state=0),
            alphas,
            cv=3,
        )
    ),
    "MLPRegressor": scaled(
        GridSearchCV(
            MLPRegressor(
                hidden_layer_sizes=(8,),
                activation="tanh",
                solver="lbfgs",
                max_iter=15000,
                random_state=0,
            ),
            alphas,
            cv=3,
        )
    ),
}
scores = {name: cross_val_score(m, X, y, cv=cv) for name, m in models.items()}
for name, s in scores.items():
    print(f"{name:<20} R^2 = {s.mean():.3f} +/- {s.std():.3f}")

# %%
# Each outer fold's :math:`R^2` (dots) and their mean (bar). Configured
# alike, the two networks run the same algorithm from the same initial
# weights, and their scores show it.
fig, ax = plt.subplots(figsize=(7, 3), layout="constrained")
for i, s in enumerate(scores.values()):
    ax.plot(s, np.full_like(s, i), "o", alpha=0.6, color=f"C{i}")
    ax.plot([s.mean()] * 2, [i - 0.3, i + 0.3], color=f"C{i}", lw=3)
ax.set_yticks(range(len(scores)), list(scores))
ax.set_ylim(len(scores) - 0.5, -0.5)
ax.set_xlabel("cross-validated $R^2$ (5 folds)")
plt.show()
