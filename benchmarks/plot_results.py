"""Plot the ratios of ``benchmarks/results.json`` for the documentation.

Usage: ``python benchmarks/plot_results.py [results.json] [out.png]``.
"""

import json
import pathlib
import sys
import textwrap

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    src = pathlib.Path(argv[0]) if argv else HERE / "results.json"
    out = (
        pathlib.Path(argv[1])
        if len(argv) > 1
        else (HERE.parent / "docs" / "_static" / "benchmarks.png")
    )
    results = json.loads(src.read_text())["results"]
    labels, vs_mlp, vs_floor, unblocked = [], [], [], []
    for name, t in results.items():
        if isinstance(t, dict) and "ours" in t and "MLPClassifier" in t:
            if not isinstance(t["ours"], (int, float)) or "memory" in name:
                continue  # time ratios only: memory has its own table
            row, what = name.split(":", 1)
            labels.append(textwrap.fill(f"{row}: {what.strip()}", 34))
            vs_mlp.append(t["ours"] / t["MLPClassifier"])
            vs_floor.append(t["ours"] / t["floor"] if "floor" in t else 0)
            unblocked.append(
                t["unblocked"] / t["MLPClassifier"] if "unblocked" in t else 0
            )
    fig, ax = plt.subplots(figsize=(10, 0.75 * len(labels) + 1.4), layout="constrained")
    y = range(len(labels))
    bars = (
        (unblocked, "unblocked / MLPClassifier"),
        (vs_mlp, "ours / MLPClassifier"),
        (vs_floor, "ours / BLAS floor"),
    )
    for shift, (values, label) in zip((-0.27, 0, 0.27), bars, strict=True):
        ax.barh([i + shift for i in y], values, height=0.27, label=label)
    ax.axvline(1, color="k", lw=0.8)
    ax.annotate(
        "equal times",
        (1, 1),
        xycoords=("data", "axes fraction"),
        xytext=(3, -3),
        textcoords="offset points",
        va="top",
    )
    ax.set_yticks(list(y), labels)
    ax.invert_yaxis()
    # Each bar is a ratio of two times; where it is below 1, the first of the
    # two (in the legend) is faster. The floor is a contender like the others.
    ax.set_xlabel("time ratio, as named in the legend (below 1: the first is faster)")
    fig.legend(loc="outside lower center", ncols=3)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=100)
    print(f"saved {out}")


if __name__ == "__main__":
    main()
