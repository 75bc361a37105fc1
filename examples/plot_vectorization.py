r"""
3.3–3.5 Vectorisation: one matrix product instead of a loop
===========================================================

Section 3.3 of the notes computes one example at a time, for a column vector
:math:`x`: :math:`z^{[1]} = W^{[1]} x + b^{[1]}`, :math:`a^{[1]} =
g(z^{[1]})`, and so on. Sections 3.4–3.5 stack the :math:`m` examples as the
columns of :math:`X`, shape :math:`(n^{[0]}, m)`, so that one product
:math:`Z^{[1]} = W^{[1]} X + b^{[1]}` replaces the loop over examples. Both
give the same numbers. The vectorised pass is faster, and the more so the
more examples there are: the loop pays Python's overhead once per example, the
product once per pass. The speed-ups printed below are those of the machine
that built this page (the best of five runs of each).
"""

# %%
import timeit

import matplotlib.pyplot as plt
import numpy as np

from sk_shallow.notes import forward, initialize

rng = np.random.RandomState(0)
params = initialize(2, 4, 1, random_state=0, init_scale=1.0)


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
    A2_loop = loop_forward(params, X)
    A2_vec = forward(params, X, "tanh", "sigmoid")["A2"]
    np.testing.assert_allclose(A2_vec, A2_loop, rtol=1e-12)
    for name, fn in [("loop", loop_forward), ("vectorised", forward)]:
        times[name].append(
            min(timeit.repeat(lambda fn=fn, X=X: fn(params, X), number=1, repeat=5))
        )
    print(
        f"m={m:>5}: same numbers; loop {times['loop'][-1] * 1e3:7.2f} ms, "
        f"vectorised {times['vectorised'][-1] * 1e3:5.2f} ms: "
        f"{times['loop'][-1] / times['vectorised'][-1]:.0f}x faster"
    )

# %%
fig, ax = plt.subplots(figsize=(6, 3.5), layout="constrained")
for name, t in times.items():
    ax.loglog(sizes, t, "o-", label=name)
ax.set_xlabel("m (examples)")
ax.set_ylabel("seconds (best of 5)")
ax.legend()
plt.show()
