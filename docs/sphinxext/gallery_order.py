"""The gallery's order: the notes' sections, 3.1 to 3.11, then the worked example.

sphinx-gallery imports :class:`NotesOrder` by name (``within_subsection_order``
in ``conf.py``) and sorts each gallery's files with it. Examples not listed
here come last, alphabetically, so a new example appears without an edit
here; list it to give it its place in the notes.
"""

import os

#: Example files in the order of the notes' sections.
NOTES_ORDER = (
    "plot_vectorization.py",  # 3.3-3.5
    "plot_activations.py",  # 3.6, 3.8
    "plot_why_nonlinear.py",  # 3.7
    "plot_regression_diabetes.py",  # 3.7, the linear output layer
    "plot_solvers.py",  # 3.9-3.10
    "plot_monitoring.py",  # 3.9-3.10, the cost per iteration
    "plot_symmetry.py",  # 3.11
    "plot_flower_comparison.py",  # the worked example
    "plot_hidden_units.py",  # the worked example's sweep
    "plot_extra_datasets.py",  # the worked example's other data sets
    "plot_gpu.py",  # the worked example on a GPU (array API input)
)


class NotesOrder:
    """Sort key: listed examples in the notes' order, the others after them."""

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __call__(self, filename):
        name = os.path.basename(filename)
        if name in NOTES_ORDER:
            return (NOTES_ORDER.index(name), name)
        return (len(NOTES_ORDER), name)

    def __repr__(self):
        return f"<{type(self).__name__}>"
