r"""
3.7 Why a non-linear activation?
================================

Section 3.7 of the notes: with :math:`g(z) = z` the hidden layer collapses,

.. math::

    z^{[2]} = W^{[2]} (W^{[1]} x + b^{[1]}) + b^{[2]}
            = (W^{[2]} W^{[1]}) x + (W^{[2]} b^{[1]} + b^{[2]}) = W' x + b',

so :math:`a^{[2]} = \sigma(W' x + b')` is a logistic regression of
:math:`x`, however many hidden units there are. Its boundary is a straight
line. Without a penalty (``alpha=0``, the default) both minimise the same
cost, so the network's collapsed weights are logistic regression's, here
unpenalised too (a huge ``C``).
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.inspection import DecisionBoundaryDisplay
from sklearn.linear_model import LogisticRegression

from sk_shallow import ShallowNetClassifier
from sk_shallow.datasets import make_flower

X, y = make_flower()
linear_net = ShallowNetClassifier(20, "identity", random_state=2).fit(X, y)
logreg = LogisticRegression(C=1e6).fit(X, y)

W_prime = linear_net.W2_ @ linear_net.W1_  # the collapsed weights, (1, 2)
b_prime = linear_net.W2_ @ linear_net.b1_ + linear_net.b2_
print("W2 W1 =", W_prime.round(4), " W2 b1 + b2 =", b_prime.round(4))
print("logistic regression:", logreg.coef_.round(4), logreg.intercept_.round(4))
agree = np.mean(linear_net.predict(X) == logreg.predict(X))
print(f"the two agree on {agree:.1%} of the points")

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 4.5), layout="constrained")
for ax, (name, model) in zip(
    axes, [("20 identity units", linear_net), ("Logistic regression", logreg)]
):
    DecisionBoundaryDisplay.from_estimator(
        model, X, ax=ax, response_method="predict", cmap="Spectral", alpha=0.6
    )
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="Spectral", s=8)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(f"{name}: {model.score(X, y):.1%}")
plt.show()
