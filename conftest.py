"""Collection rules for the whole repository.

``--doctest-modules`` imports every module of the package; the modules of
optional extras are left out when their dependencies are not installed.
"""

import importlib.util

#: Modules of optional extras and the packages they need.
OPTIONAL_MODULES = {
    "sk_shallow/onnx.py": ("skl2onnx", "onnxruntime"),
    "sk_shallow/dask.py": ("dask", "distributed"),
}

collect_ignore = [
    path
    for path, needs in OPTIONAL_MODULES.items()
    if any(importlib.util.find_spec(name) is None for name in needs)
]
