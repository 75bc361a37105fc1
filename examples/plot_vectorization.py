"""
Vectorisation: one matrix product instead of a loop
===================================================

Section 3.4 stacks the examples as the columns of ``X`` so that one product
``W1 X + b1`` replaces a loop over examples. Both give the same numbers; the
vectorised pass is orders of magnitude faster.
"""

# %%
import time

import matplotlib.pyplot as plt
import numpy as np

from sk_shallow import _network

rng = np.random.RandomState(0)
params = _network.initialize(2, 4, 1, rng, init_scale=1.0)


def loop_forward(params, X):
    """The notes' section 3.3, one column vector x at a time."""
    out = np.empty((1, X.shape[1]))
    for i in range(X.shape[1]):
        x = X[:, [i]]
        a1 = np.tanh(params["W1"] @ x + params["b1"])
        out[:, [i]] = 1 / (1 + np.exp(-(params["W2"] @ a1 + params["b2"])))
    return out


sizes = [100, 1000, 10000]
times = {"loop": [], "vectorised": []}
for m in sizes:
    X = rng.standard_normal((2, m))  # the notes' layout: one example per column
    start = time.perf_counter()
    A2_loop = loop_forward(params, X)
    times["loop"].append(time.perf_counter() - start)
    start = time.perf_counter()
    A2_vec = _network.forward(params, X, "tanh", "sigmoid")["A2"]
    times["vectorised"].append(time.perf_counter() - start)
    np.testing.assert_allclose(A2_vec, A2_loop, rtol=1e-12)
    print(
        f"m={m}: same numbers; loop {times['loop'][-1]:.4f} s, vectorised "
        f"{times['vectorised'][-1]:.5f} s"
    )

# %%
fig, ax = plt.subplots(figsize=(6, 3.5))
for name, t in times.items():
    ax.loglog(sizes, t, "o-", label=name)
ax.set_xlabel("m (examples)")
ax.set_ylabel("seconds")
ax.legend()
fig.tight_layout()
plt.show()
