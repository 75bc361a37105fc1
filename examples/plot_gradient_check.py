"""
3.9–3.10 Gradient checking
==========================

The notes' check that a backward pass is right: nudge each parameter by
``eps`` both ways, take the central difference of the cost,
``(J(theta + eps) - J(theta - eps)) / (2 eps)``, and compare it with the
gradient backpropagation computed. Per parameter block (``n_k``
parameters) the error ``||g - g_num|| / max(||g|| + ||g_num||, sqrt(n_k)
|J| / 10)``, relative unless the gradient is small against the cost,
should be below about ``1e-7``; above ``1e-3`` there is a bug.

:func:`~sk_shallow.inspection.check_gradients` does it for any network
configuration, fitted or not (an unfitted one is checked where ``fit``
would start). Below it passes, then catches a derivative written wrong.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from sk_shallow import ShallowNetClassifier, _activations
from sk_shallow.datasets import make_flower
from sk_shallow.inspection import check_gradients

X, y = make_flower(60, random_state=0)
clf = ShallowNetClassifier(4, activation="tanh", init="he", random_state=0)

right = check_gradients(clf, X, y)
print("backward pass as shipped:")
for block, error in right.items():
    print(f"  {block}: {error:.1e}")

# %%
# Now the classic slip: the derivative of ``tanh`` written as ``1 - a``
# instead of ``1 - a**2``. Only the hidden layer's gradients use ``g'``, so
# only ``W1`` and ``b1`` go wrong.


def wrong_tanh_derivative(A):
    """``1 - a``: wrong, it should be ``1 - a**2``."""
    return np.subtract(1, A, out=A)


shipped = _activations.DERIVATIVES["tanh"]
_activations.DERIVATIVES["tanh"] = wrong_tanh_derivative
try:
    broken = check_gradients(clf, X, y)
finally:
    _activations.DERIVATIVES["tanh"] = shipped
print("with g'(z) = 1 - a:")
for block, error in broken.items():
    print(f"  {block}: {error:.1e}")

# %%
# The two checks side by side, with the notes' thresholds.
blocks = list(right)
positions = np.arange(len(blocks))
fig, ax = plt.subplots(figsize=(6.5, 4))
ax.bar(positions - 0.2, list(right.values()), width=0.4, label="correct g'")
ax.bar(positions + 0.2, list(broken.values()), width=0.4, label="g' = 1 - a")
ax.axhline(1e-7, color="g", linestyle="--", label="1e-7: right")
ax.axhline(1e-3, color="r", linestyle="--", label="1e-3: a bug")
ax.set_yscale("log")
ax.set_xticks(positions, blocks)
ax.set_xlabel("parameter block")
ax.set_ylabel("error")
ax.set_title("check_gradients on a tanh network")
_ = ax.legend(loc="center right")
plt.show()
