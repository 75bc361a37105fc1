"""
3.9–3.10 Training curves and early stopping
===========================================

Every fit records the cost of each iteration in ``loss_curve_``. With
``early_stopping=True`` it also holds out ``validation_fraction`` of the data,
records the held-out cost and score (``validation_loss_curve_``,
``validation_scores_``), stops once the score has not improved for
``n_iter_no_change`` iterations, and keeps the weights of the best one.
:class:`~sk_shallow.inspection.TrainingCurveDisplay` draws all of them and
marks the iteration whose weights were kept.
"""

# %%
import warnings

import matplotlib.pyplot as plt
from sklearn.callback import ScoringMonitor
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from sk_shallow import ShallowNetClassifier
from sk_shallow.datasets import make_flower
from sk_shallow.inspection import TrainingCurveDisplay

X, y = make_flower(1000, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)

# A ScoringMonitor callback also records the training accuracy of each epoch.
monitor = ScoringMonitor(scoring="accuracy")
clf = ShallowNetClassifier(
    8,
    solver="adam",
    learning_rate=0.02,
    batch_size=64,
    max_iter=2000,
    early_stopping=True,
    n_iter_no_change=50,
    random_state=0,
)
# Early stopping ends the fit once the held-out accuracy has not improved
# for n_iter_no_change epochs. By then mini-batch Adam's training cost is
# wandering up and down, and the fit warns that it was rising when it
# stopped (a ConvergenceWarning): expected here, so it is silenced.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    clf.set_callbacks(monitor).fit(X_train, y_train)
print(
    f"stopped after {clf.n_iter_} epochs; best validation accuracy "
    f"{clf.best_validation_score_:.1%}, test accuracy {clf.score(X_test, y_test):.1%}"
)

# %%
# Training and validation cost on the left axis, validation accuracy on the
# right, and a dotted line at the epoch whose weights early stopping kept:
# after it the validation accuracy only wanders, and training goes on for
# ``n_iter_no_change`` epochs before it stops.
disp = TrainingCurveDisplay.from_estimator(clf)
disp.ax_.set_title("Adam with early stopping")
plt.show()

# %%
# Curves recorded any other way go to ``from_history``: here the training
# accuracy that the callback logged, beside the same costs.
rows = [r for r in monitor.get_logs().data if r["task_name"] == "iteration"]
disp = TrainingCurveDisplay.from_history(
    clf.loss_curve_,
    validation_loss_curve=clf.validation_loss_curve_,
    scores=[r["accuracy"] for r in rows],
    score_name="training accuracy (ScoringMonitor)",
    best_iteration=None,
    xlabel="epoch",
)
disp.ax_.set_title("The same fit, with the callback's record")
plt.show()

# %%
# The full-batch solvers side by side, on a logarithmic cost axis: gradient
# descent (the notes' method) creeps over thousands of iterations, L-BFGS
# gets lower in about a hundred.
fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
for ax, solver, tol in zip(axes, ["gd", "lbfgs"], [1e-5, 1e-3]):
    model = ShallowNetClassifier(
        8, solver=solver, tol=tol, max_iter=5000, random_state=0
    )
    model.fit(X_train, y_train)
    TrainingCurveDisplay.from_estimator(model, ax=ax, log_scale=True)
    ax.set_title(f"solver={solver!r}: {model.n_iter_} iterations")
fig.tight_layout()
plt.show()
