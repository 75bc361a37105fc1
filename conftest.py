"""Doctest collection: modules of optional extras that are not installed."""

from importlib.util import find_spec

collect_ignore = []
if find_spec("dask") is None or find_spec("distributed") is None:
    collect_ignore.append("sk_shallow/dask.py")
