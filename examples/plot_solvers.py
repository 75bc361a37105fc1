r"""
3.9–3.10 Gradient descent, other solvers, and the validation loss curve
=======================================================================

Sections 3.9–3.10 of the notes train by full-batch gradient descent,
:math:`W := W - \alpha\, dW`. SGD, Adam and L-BFGS minimise the same cost
:math:`J` by other routes, and reach a good fit in far fewer passes over the
data. With ``early_stopping=True`` a held-out share of the data is scored
after each iteration, and, unlike scikit-learn's MLPClassifier, its *cost* is
recorded too, in ``validation_loss_curve_``.
"""

# %%
import warnings

import matplotlib.pyplot as plt
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sk_shallow import ShallowNetClassifier
from sk_shallow.datasets import make_flower

# Every solver gets the same budget of 3000 iterations, and some use all of
# it: that is the plan here, so their ConvergenceWarning is silenced.
warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y = make_flower(1000, random_state=0)
X = StandardScaler().fit_transform(X)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)

# %%
# The training cost of each solver, iteration by iteration (log scale), with
# the test accuracy it ends at.
fig, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
for solver in ["gd", "sgd", "adam", "lbfgs"]:
    clf = ShallowNetClassifier(10, solver=solver, max_iter=3000, random_state=0)
    clf.fit(X_train, y_train)
    test = clf.score(X_test, y_test)
    ax.plot(clf.loss_curve_, label=f"{solver}: test accuracy {test:.1%}")
ax.set_xscale("log")
ax.set_xlabel("iteration (a step for gd and lbfgs, an epoch for sgd and adam)")
ax.set_ylabel("training cost J")
_ = ax.legend()

# %%
# Early stopping with Adam: the training cost, the held-out cost, and the
# held-out accuracy that decides when to stop. The weights kept are those of
# the best held-out accuracy.
clf = ShallowNetClassifier(
    10,
    solver="adam",
    learning_rate=0.01,
    early_stopping=True,
    n_iter_no_change=50,
    max_iter=3000,
    random_state=0,
).fit(X_train, y_train)
best = max(range(clf.n_iter_), key=clf.validation_scores_.__getitem__)
fig, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
ax.plot(clf.loss_curve_, label="training cost")
ax.plot(clf.validation_loss_curve_, label="validation cost")
ax.plot(clf.validation_scores_, label="validation accuracy")
ax.axvline(best, color="grey", ls=":", label=f"best, epoch {best} (weights kept)")
ax.set_xlabel("epoch")
ax.set_ylabel("cost, or accuracy")
ax.legend()
plt.show()
print(
    f"stopped after {clf.n_iter_} epochs; test accuracy {clf.score(X_test, y_test):.1%}"
)
