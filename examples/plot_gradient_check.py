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
would start). Below it passes for the library's backward pass; then the same
check, on a backward pass written out by hand, catches a derivative written
wrong.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from sk_shallow import ShallowNetClassifier
from sk_shallow.datasets import make_flower
from sk_shallow.inspection import check_gradients
from sk_shallow.notes import cost, forward, initialize

X, y = make_flower(60, random_state=0)
clf = ShallowNetClassifier(4, activation="tanh", init="he", random_state=0)

right = check_gradients(clf, X, y)
print("backward pass as shipped:")
for block, error in right.items():
    print(f"  {block}: {error:.1e}")

# %%
# Now the classic slip, in a backward pass written out by hand from the notes
# (sections 3.9-3.10) with the functions of :mod:`sk_shallow.notes`: the
# derivative of ``tanh`` written as ``1 - a`` instead of ``1 - a**2``. Only
# the hidden layer's gradients use ``g'``, so only ``W1`` and ``b1`` go
# wrong. The check is the same central difference, of the notes' cost
# :func:`sk_shallow.notes.cost`, from the weights ``fit`` would start from.
params = initialize(2, 4, 1, random_state=0, init="he")  # clf's first weights
X_cols, Y = X.T, y[np.newaxis, :].astype(float)  # the notes' layout


def backward_by_hand(params, tanh_derivative):
    """The notes' backward pass, with ``g'`` computed from ``a`` as given."""
    m = X_cols.shape[1]
    cache = forward(params, X_cols)
    dZ2 = cache["A2"] - Y
    dZ1 = params["W2"].T @ dZ2 * tanh_derivative(cache["A1"])
    return {
        "W1": dZ1 @ X_cols.T / m,
        "b1": dZ1.sum(axis=1, keepdims=True) / m,
        "W2": dZ2 @ cache["A1"].T / m,
        "b2": dZ2.sum(axis=1, keepdims=True) / m,
    }


def relative_errors(grads, eps=1e-7):
    """The notes' gradient check of ``grads`` at ``params``, block by block."""
    errors = {}
    for key, value in params.items():
        numeric = np.empty_like(value)
        for i in np.ndindex(value.shape):
            up, down = dict(params, **{key: value.copy()}), dict(params)
            down[key] = value.copy()
            up[key][i] += eps
            down[key][i] -= eps
            numeric[i] = (cost(up, X_cols, Y) - cost(down, X_cols, Y)) / (2 * eps)
        difference = np.linalg.norm(grads[key] - numeric)
        errors[key] = difference / (
            np.linalg.norm(grads[key]) + np.linalg.norm(numeric)
        )
    return errors


by_hand = relative_errors(backward_by_hand(params, lambda a: 1 - a**2))
broken = relative_errors(backward_by_hand(params, lambda a: 1 - a))
for title, errors in [
    ("by hand, g' = 1 - a**2:", by_hand),
    ("with g' = 1 - a:", broken),
]:
    print(title)
    for block, error in errors.items():
        print(f"  {block}: {error:.1e}")

# %%
# The three checks side by side, with the notes' thresholds.
blocks = list(right)
positions = np.arange(len(blocks))
fig, ax = plt.subplots(figsize=(6.5, 4))
for shift, errors, label in [
    (-0.27, right, "check_gradients (the library)"),
    (0, by_hand, "by hand, g' = 1 - a²"),
    (0.27, broken, "by hand, g' = 1 - a"),
]:
    ax.bar(positions + shift, list(errors.values()), width=0.27, label=label)
ax.axhline(1e-7, color="g", linestyle="--", label="1e-7: right")
ax.axhline(1e-3, color="r", linestyle="--", label="1e-3: a bug")
ax.set_yscale("log")
ax.set_xticks(positions, blocks)
ax.set_xlabel("parameter block")
ax.set_ylabel("error")
ax.set_title("check_gradients on a tanh network")
_ = ax.legend(loc="center right")
plt.show()
