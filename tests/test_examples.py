"""Every gallery example runs, headless, as a smoke test."""

import ast
import pathlib
import runpy
import warnings

import matplotlib
import pytest

matplotlib.use("Agg")

EXAMPLES = sorted((pathlib.Path(__file__).parent.parent / "examples").glob("plot_*.py"))
#: Examples of optional extras: the packages they need, skipped without them.
REQUIRES = {
    "plot_deploy_onnx": ("skl2onnx", "onnxruntime"),
    "plot_dask": ("dask", "distributed"),
}


def test_examples_found():
    assert len(EXAMPLES) >= 9


# The documentation build runs every example too; here they are part of the
# exhaustive set (python -m pytest -m exhaustive), which CI runs.
@pytest.mark.exhaustive
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_runs(path, monkeypatch):
    import matplotlib.pyplot as plt

    for name in REQUIRES.get(path.stem, ()):
        pytest.importorskip(name)
    monkeypatch.chdir(path.parent)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # plt.show() under Agg
        runpy.run_path(str(path), run_name="__main__")
    assert plt.get_fignums(), f"{path.name} drew no figure"
    plt.close("all")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_use_the_public_api(path):
    """An example shows what a user may write: no private module of ours."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    private = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            modules = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            modules = [a.name for a in node.names]
        else:
            continue
        private += [
            m
            for m in modules
            if m.split(".")[0] == "sk_shallow"
            and any(part.startswith("_") for part in m.split(".")[1:])
        ]
    assert not private, f"{path.name} imports private modules: {private}"
