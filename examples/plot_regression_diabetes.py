"""
Regression: a linear output layer on the diabetes data
=======================================================

The notes keep a linear activation for the output of a regression problem.
:class:`~sk_shallow.ShallowNetRegressor` is that network; here it is compared,
on scikit-learn's diabetes data, with ridge regression (the linear model it
reduces to) and with scikit-learn's MLPRegressor: the regression twin of the
notes' comparison with logistic regression.
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


def scaled(model):
    return TransformedTargetRegressor(
        make_pipeline(StandardScaler(), model), transformer=StandardScaler()
    )


models = {
    "RidgeCV": scaled(RidgeCV(alphas=np.logspace(-3, 3, 13))),
    "ShallowNetRegressor": scaled(
        GridSearchCV(
            ShallowNetRegressor(8, solver="lbfgs", random_state=0),
            {"alpha": [1.0, 10.0, 30.0, 100.0]},
            cv=3,
        )
    ),
    "MLPRegressor (defaults)": scaled(MLPRegressor(max_iter=2000, random_state=0)),
}
scores = {name: cross_val_score(m, X, y, cv=cv) for name, m in models.items()}
for name, s in scores.items():
    print(f"{name:<25} R^2 = {s.mean():.3f} +/- {s.std():.3f}")

# %%
fig, ax = plt.subplots(figsize=(7, 3))
ax.boxplot(list(scores.values()), vert=False)
ax.set_yticks(range(1, len(scores) + 1), list(scores))
ax.set_xlabel("cross-validated R^2")
fig.tight_layout()
plt.show()
