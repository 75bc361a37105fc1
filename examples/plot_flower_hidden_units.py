"""
Worked example: four hidden-unit lines make the petals
======================================================

Section 3.3 reads each hidden unit as a logistic-regression unit: unit ``j``
computes ``a_j = g(w_j . x + b_j)``, which changes from one value to the
other across the line ``w_j . x + b_j = 0``. The output unit adds the ``a_j``
with the weights ``W2[j]`` and thresholds the sum. With four units the
network has four lines, and the regions they cut the plane into, each counted
for or against the red class, are the flower's petals.

:class:`~sk_shallow.inspection.HiddenUnitsDisplay` draws the lines over the
network's probability of the red class: red lines are units that vote for
it (``W2[j] > 0``), blue lines units that vote against; the thicker the line,
the larger ``|W2[j]|``. The tick on each line points to the side where the
unit is on. The small plots show each unit's activation ``a_j``.
"""

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning

from sk_shallow import ShallowNetClassifier
from sk_shallow.datasets import make_flower
from sk_shallow.inspection import HiddenUnitsDisplay

X, y = make_flower()
# The notes' run, as ``python -m sk_shallow`` fits it: a budget of 10,000
# gradient-descent steps. Where it ends at that budget while the cost still
# falls a little, it warns (a ConvergenceWarning, see the Defaults page);
# like the command, this example silences that warning.
warnings.filterwarnings("ignore", category=ConvergenceWarning)
clf = ShallowNetClassifier(4, max_iter=10000, random_state=2).fit(X, y)
print(f"training accuracy: {clf.score(X, y):.1%}")
print("outgoing weights W2:", np.round(clf.W2_[0], 2))

# %%
# The four lines, the decision boundary they make, and each unit's map.
disp = HiddenUnitsDisplay.from_estimator(clf, X, y, activations=True)
disp.ax_.set_title(f"4 hidden units ({clf.activation}): {clf.score(X, y):.1%}")
plt.show()

# %%
# With only two units there are only two lines, and no way to cut out all
# the petals.
small = ShallowNetClassifier(2, max_iter=10000, random_state=2).fit(X, y)
fig, ax = plt.subplots(figsize=(5.5, 4.5))
disp = HiddenUnitsDisplay.from_estimator(small, X, y, ax=ax)
_ = ax.set_title(f"2 hidden units: {small.score(X, y):.1%}")
plt.show()
