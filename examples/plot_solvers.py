"""
Solvers and the validation loss curve
=====================================

Gradient descent is the notes' method; SGD, Adam and L-BFGS reach a good fit
in far fewer passes over the data. With ``early_stopping=True`` a held-out
share of the data is scored after each iteration, and, unlike scikit-learn's
MLPClassifier, its *cost* is recorded too, in ``validation_loss_curve_``.
"""

# %%
import matplotlib.pyplot as plt
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sk_shallow import ShallowNetClassifier
from sk_shallow.datasets import make_flower

X, y = make_flower(1000, random_state=0)
X = StandardScaler().fit_transform(X)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)

fig, axes = plt.subplots(1, 2, figsize=(12, 4))
for solver in ["gd", "sgd", "adam", "lbfgs"]:
    clf = ShallowNetClassifier(10, solver=solver, max_iter=3000, random_state=0)
    clf.fit(X_train, y_train)
    axes[0].plot(
        clf.loss_curve_, label=f"{solver}: test {clf.score(X_test, y_test):.1%}"
    )
axes[0].set_xscale("log")
axes[0].set_xlabel("iteration (a step for gd, an epoch for sgd/adam)")
axes[0].set_ylabel("training cost")
axes[0].legend()

# %%
# Early stopping with Adam: the training cost, the held-out cost, and the
# held-out accuracy that decides when to stop.
clf = ShallowNetClassifier(
    10,
    solver="adam",
    learning_rate=0.01,
    early_stopping=True,
    n_iter_no_change=50,
    max_iter=3000,
    random_state=0,
).fit(X_train, y_train)
axes[1].plot(clf.loss_curve_, label="training cost")
axes[1].plot(clf.validation_loss_curve_, label="validation cost")
axes[1].plot(clf.validation_scores_, label="validation accuracy")
axes[1].axvline(
    max(range(clf.n_iter_), key=clf.validation_scores_.__getitem__),
    color="grey",
    ls=":",
    label="best (weights kept)",
)
axes[1].set_xlabel("epoch")
axes[1].legend()
fig.tight_layout()
plt.show()
