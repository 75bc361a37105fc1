"""
Beyond the notes: the same fit on a Dask cluster
================================================

The notes' cost and gradients are sums over the examples, so one full-batch
step over data split into row-chunks is the single-machine step: each chunk
adds up its examples, and the client adds the chunks' sums.
:class:`~sk_shallow.dask.DaskShallowNetClassifier` trains that way where the
chunks live, on a ``distributed`` cluster (see :doc:`/scaling`).

Here the cluster is a small ``LocalCluster`` in this process (two workers,
one thread each), and the data is the flower split into four chunks of 250
rows. The fit on the cluster is compared with the in-memory fit of
:class:`~sk_shallow.ShallowNetClassifier`: same parameters, same data, and
the weights agree to the order of floating-point additions.

It needs the ``dask`` extra: ``pip install ".[dask]"`` from a checkout.
"""

# %%
import dask.array as da
import matplotlib.pyplot as plt
import numpy as np
from distributed import Client, LocalCluster

from sk_shallow import ShallowNetClassifier
from sk_shallow.dask import DaskShallowNetClassifier
from sk_shallow.datasets import make_flower

X, y = make_flower(1000, random_state=0)
X_dask = da.from_array(X, chunks=(250, 2))  # row-chunks, all the features
y_dask = da.from_array(y, chunks=250)

# The notes' gradient descent; each of its steps is one round trip to the
# workers. A loose tol stops it after a few hundred steps. A dask collection
# is never split for early stopping, while early_stopping="auto" holds out a
# tenth of 1,000 in-memory rows: off here, both fits train on all the rows.
params = dict(n_hidden=5, tol=1e-4, init="glorot", early_stopping=False, random_state=0)
with (
    LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster,
    Client(cluster) as client,
):
    on_cluster = DaskShallowNetClassifier(**params).fit(X_dask, y_dask)
    proba = on_cluster.predict_proba(X_dask)  # lazy: a dask array
    print(f"predict_proba: a lazy dask array of {proba.numblocks[0]} chunks")
    proba = proba.compute()
in_memory = ShallowNetClassifier(**params).fit(X, y)

# %%
# The two fits, iteration by iteration and weight by weight.
gap = max(
    np.abs(getattr(on_cluster, k) - getattr(in_memory, k)).max()
    for k in ("W1_", "b1_", "W2_", "b2_")
)
print(f"iterations: {on_cluster.n_iter_} on the cluster, {in_memory.n_iter_} in memory")
scale = max(np.abs(getattr(in_memory, k)).max() for k in ("W1_", "W2_"))
print(f"largest difference of the weights: {gap:.1e} (largest weight {scale:.1f})")
print(
    f"training accuracy: {on_cluster.score(X, y):.1%} on the cluster, "
    f"{in_memory.score(X, y):.1%} in memory"
)

fig, ax = plt.subplots(figsize=(6.5, 3.8), layout="constrained")
ax.plot(in_memory.loss_curve_, lw=5, alpha=0.4, label="in memory")
ax.plot(on_cluster.loss_curve_, "k--", label="on the LocalCluster (4 chunks)")
ax.set_xlabel("gradient-descent iteration")
ax.set_ylabel("training cost J")
ax.set_title("The same trajectory, in memory and on the cluster")
ax.legend()
plt.show()
