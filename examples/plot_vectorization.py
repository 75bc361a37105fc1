r"""
3.3–3.5 Vectorisation: one matrix product instead of a loop
===========================================================

Section 3.3 of the notes computes one example at a time, for a column vector
:math:`x`: :math:`z^{[1]} = W^{[1]} x + b^{[1]}`, :math:`a^{[1]} =
g(z^{[1]})`, and so on. Sections 3.4–3.5 stack the :math:`m` examples as the
columns of :math:`X`, shape :math:`(n^{[0]}, m)`, so that one product
:math:`Z^{[1]} = W^{[1]} X + b^{[1]}` replaces the loop over examples. Both
give the same numbers; the vectorised pass is orders of magnitude faster.
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
fig, ax = plt.subplots(figsize=(6, 3.5), layout="constrained")
for name, t in times.items():
    ax.loglog(sizes, t, "o-", label=name)
ax.set_xlabel("m (examples)")
ax.set_ylabel("seconds")
ax.legend()
plt.show()
