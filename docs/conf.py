"""Sphinx configuration for the sk_shallow documentation."""

import os
import re
import sys
import warnings

sys.path.insert(0, os.path.abspath(".."))
# Local extensions: the gallery's order and the benchmark tables.
sys.path.insert(0, os.path.abspath("sphinxext"))

import sk_shallow  # noqa: E402

project = "sk_shallow"
author = "The sk_shallow developers"
copyright = "2026, The sk_shallow developers"
release = version = sk_shallow.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    # MathJax from the package, copied into _static: the pages load no
    # script from the network.
    "sphinx-mathjax-offline",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "benchmark_tables",
]

autosummary_generate = True
# The class template (docs/_templates/autosummary/class.rst) lists the
# methods to document: our own, not those every scikit-learn estimator
# inherits, whose docstrings cite scikit-learn's own pages.
numpydoc_show_class_members = False
numpydoc_xref_param_type = False
# "fit()" rather than "ShallowNetClassifier.fit()" in the page's contents, which
# the theme's narrow right-hand column would cut.
toc_object_entries_show_parents = "hide"
exclude_patterns = ["_build", "generated/*.examples", "sphinxext"]
templates_path = ["_templates"]

html_theme = "pydata_sphinx_theme"
html_title = "sk_shallow"
html_static_path = ["_static"]
html_css_files = ["custom.css"]
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    # As many pages in the header as fit on one line at 1280 px.
    "header_links_before_dropdown": 6,
}
# Pages with no section below them have nothing to navigate: no empty left
# column, more room for the text and the tables (tests/test_docs_html.py
# checks that no page shows an empty one). The gallery's examples and the
# API's classes keep theirs, which list their neighbours.
html_sidebars = {
    page: []
    for page in [
        "index",
        "getting_started",
        "user_guide",
        "defaults",
        "monitoring",
        "deployment",
        "scaling",
        "gpu",
        "auto_examples/index",
        "api",
        "benchmarks",
        "architecture",
        "changelog",
    ]
}

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    # The computation-times pages load jQuery and DataTables from a CDN; the
    # built pages must load nothing from the network.
    "write_computation_times": False,
    # The notes' order, 3.1 to 3.11, then the worked example; unlisted
    # examples come last (docs/sphinxext/gallery_order.py).
    "within_subsection_order": "gallery_order.NotesOrder",
}

# The examples silence nothing; matplotlib's Agg backend warns on plt.show().
warnings.filterwarnings("ignore", message=".*non-interactive.*")
os.environ.setdefault("MPLBACKEND", "Agg")

# ``score`` and ``set_callbacks`` come from scikit-learn, whose docstrings
# point at labels of scikit-learn's own documentation; keep their text.
_SKLEARN_REF = re.compile(r":(?:ref|term):`([^`<]*?)\s*(?:<[^>]*>)?`")


def _unlink_sklearn_refs(app, what, name, obj, options, lines):
    if getattr(obj, "__module__", "").startswith("sklearn"):
        lines[:] = [_SKLEARN_REF.sub(r"\1", line) for line in lines]


def setup(app):
    app.connect("autodoc-process-docstring", _unlink_sklearn_refs)
