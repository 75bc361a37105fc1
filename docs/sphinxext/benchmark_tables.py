"""``.. benchmark-results::``: the tables of ``benchmarks/results.json``.

Each kind of measurement gets its own table, with a column that means the same
thing on every row: times against MLPClassifier, peak memory, time to an
accuracy, and time per sample as the data grows. The numbers are read at build
time, so the page always shows the latest committed run.
"""

import json
import pathlib
from string import ascii_lowercase

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective


def _seconds(t):
    return f"{t:.3g}\u00a0s"  # no break between number and unit


def _table(title, header, rows):
    lines = [f".. list-table:: {title}", "   :header-rows: 1", ""]
    for row in [header, *rows]:
        lines.append(f"   * - {row[0]}")
        lines.extend(f"     - {cell}" for cell in row[1:])
    return lines + [""]


def benchmark_rst(results):
    """reStructuredText for the results dict of ``bench_mlp.py --json``."""
    time_rows, memory, to_accuracy, scaling, other = [], [], None, None, []
    for name, value in results.items():
        row, what = name.split(":", 1)
        what = what.strip()
        if "peak memory" in what:
            memory.append((row, what, value))
        elif "time to" in what:
            to_accuracy = (row, what, value)
        elif "per sample per iteration" in what:
            scaling = (row, what, value)
        elif (
            isinstance(value, dict)
            and isinstance(value.get("ours"), (int, float))
            and isinstance(value.get("MLPClassifier"), (int, float))
        ):
            time_rows.append((row, what, value))
        else:  # a row of another shape: show its numbers as they are
            other.append([row, what, json.dumps(value)])

    lines = []
    rows = []
    for row, what, t in time_rows:
        floor = t.get("floor")
        rows.append(
            [
                row,
                what,
                _seconds(t["ours"]),
                _seconds(t["MLPClassifier"]),
                _seconds(floor) if floor else "—",
                f"**{t['ours'] / t['MLPClassifier']:.2f}**",
                f"{t['ours'] / floor:.2f}" if floor else "—",
            ]
        )
    lines += _table(
        "Time: the same algorithm as MLPClassifier (ratios below 1: ours faster)",
        ["row", "what", "ours", "MLPClassifier", "floor", "ours / MLP", "ours / floor"],
        rows,
    )
    if memory:
        lines += _table(
            "Peak memory (lower is better)",
            ["row", "what", "ours", "MLPClassifier", "unit", "ours / MLP"],
            [
                [
                    row,
                    what,
                    f"{m['ours']:.2f}",
                    f"{m['MLPClassifier']:.2f}",
                    # The fit's row is a multiple of X.nbytes, the others MiB.
                    "X.nbytes" if "X.nbytes" in what else "MiB",
                    f"{m['ours'] / m['MLPClassifier']:.2f}",
                ]
                for row, what, m in memory
            ],
        )
    if to_accuracy:
        row, what, runs = to_accuracy
        base = runs.get("ours, gd (default)", [None, None])[1]
        rows = []
        for label, (contender, (n_iter, t)) in zip(
            ascii_lowercase, runs.items(), strict=False
        ):
            if t is None:
                rows.append([row + label, contender, "not reached", "—", "—"])
            else:
                rows.append(
                    [
                        row + label,
                        contender,
                        str(n_iter),
                        _seconds(t),
                        f"{base / t:.1f}" if base else "—",
                    ]
                )
        lines += _table(
            f"Training {what} (speed-up: ours with gd's time / this time)",
            ["row", "contender", "iterations", "time", "speed-up over gd"],
            rows,
        )
    if scaling:
        row, what, per_m = scaling
        ms = sorted(per_m, key=int)
        first = per_m[ms[0]]
        lines += _table(
            "Fit time per sample and iteration as the data grows (float32)",
            ["row", "m", "per sample per iteration", f"relative to m = {ms[0]}"],
            [
                [
                    row + label,
                    f"{int(m):,}",
                    f"{per_m[m] * 1e9:.0f}\u00a0ns",
                    f"{per_m[m] / first:.2f}",
                ]
                for label, m in zip(ascii_lowercase, ms, strict=False)
            ],
        )
    if other:
        lines += _table("Other rows", ["row", "what", "results"], other)
    return lines


class BenchmarkResults(SphinxDirective):
    """Tables of a ``bench_mlp.py --json`` file, given relative to this page."""

    required_arguments = 1

    def run(self):
        path = pathlib.Path(self.env.relfn2path(self.arguments[0])[1])
        self.env.note_dependency(str(path))
        data = json.loads(path.read_text())
        lines = [f"Environment: {data['environment']}.", ""]
        lines += benchmark_rst(data["results"])
        node = nodes.section()
        node.document = self.state.document
        self.state.nested_parse(StringList(lines, str(path)), 0, node)
        return node.children


def setup(app):
    app.add_directive("benchmark-results", BenchmarkResults)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
