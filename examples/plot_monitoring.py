"""
3.9–3.10 Monitoring training with callbacks
===========================================

Gradient descent in sections 3.9–3.10 of the notes computes the cost
:math:`J` at every iteration; ``loss_curve_`` keeps it. scikit-learn 1.9
brought callbacks (:mod:`sklearn.callback`) for watching a fit as it runs.
sk_shallow reports one task per fit and one subtask per iteration (per epoch
for SGD and Adam, per L-BFGS iteration), for every solver.
:class:`~sklearn.callback.ProgressBar` draws a live bar (it needs ``rich``);
:class:`~sklearn.callback.ScoringMonitor` scores the model at every
iteration. A callback can also stop training.
"""

# %%
import warnings

import matplotlib.pyplot as plt
from sklearn.callback import ProgressBar, ScoringMonitor
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from sk_shallow import ShallowNetClassifier
from sk_shallow.datasets import make_flower

X, y = make_flower(1000, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)

# %%
# A progress bar over the iterations of an L-BFGS fit. In a terminal it moves
# as the fit runs; this page shows where it ended.
clf = ShallowNetClassifier(8, solver="lbfgs", tol=1e-4, max_iter=3000, random_state=0)
_ = clf.set_callbacks(ProgressBar()).fit(X_train, y_train)

# %%
# Training accuracy at every Adam epoch, from ScoringMonitor, beside the
# training cost (``loss_curve_``) and the held-out cost of early stopping.
monitor = ScoringMonitor(scoring="accuracy")
clf = ShallowNetClassifier(
    16,
    solver="adam",
    learning_rate=0.01,
    max_iter=1000,
    early_stopping=True,
    n_iter_no_change=100,
    random_state=0,
)
# Early stopping ends the fit once the held-out accuracy has not improved
# for n_iter_no_change epochs. By then mini-batch Adam's training cost is
# wandering up and down, and the fit warns that it was rising when it
# stopped (a ConvergenceWarning): expected here, so it is silenced.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    clf.set_callbacks(monitor).fit(X_train, y_train)
rows = [r for r in monitor.get_logs().data if r["task_name"] == "iteration"]

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3.5), layout="constrained")
ax1.plot(clf.loss_curve_, label="training cost")
ax1.plot(clf.validation_loss_curve_, label="validation cost")
ax1.set_xlabel("epoch")
ax1.set_ylabel("cost J")
ax1.legend()
ax2.plot(
    [r["task_id"] for r in rows],
    [r["accuracy"] for r in rows],
    label="training accuracy (ScoringMonitor)",
)
ax2.plot(clf.validation_scores_, label="validation accuracy")
ax2.set_xlabel("epoch")
ax2.set_ylabel("accuracy")
ax2.legend()
plt.show()
print(f"test accuracy {clf.score(X_test, y_test):.1%} after {clf.n_iter_} epochs")
