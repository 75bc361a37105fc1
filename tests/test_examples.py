"""Every gallery example runs, headless, as a smoke test."""

import pathlib
import runpy
import warnings

import matplotlib
import pytest

matplotlib.use("Agg")

EXAMPLES = sorted((pathlib.Path(__file__).parent.parent / "examples").glob("plot_*.py"))
#: Examples of optional extras: the packages they need, skipped without them.
REQUIRES = {"plot_deploy_onnx": ("skl2onnx", "onnxruntime")}


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
