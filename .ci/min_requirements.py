"""Print the declared floors of pyproject.toml as exact pins.

``numpy>=1.24`` becomes ``numpy==1.24``: the minimum-versions job installs
exactly what the project says it supports at the bottom of its range.
``python .ci/min_requirements.py`` pins the runtime dependencies;
``--extra test`` adds that extra's requirements, unpinned.
"""

import argparse
import pathlib
import re
import sys

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

PYPROJECT = pathlib.Path(__file__).resolve().parent.parent / "pyproject.toml"


def pin(requirement):
    """``name>=X`` as ``name==X``; a requirement with no floor is an error."""
    match = re.fullmatch(r"\s*([A-Za-z0-9_.\-\[\]]+)\s*>=\s*([^,;\s]+)\s*", requirement)
    if match is None:
        raise SystemExit(f"runtime dependency without a plain floor: {requirement!r}")
    return f"{match[1]}=={match[2]}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extra", action="append", default=[])
    args = parser.parse_args(argv)
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    lines = [pin(r) for r in project["dependencies"]]
    for extra in args.extra:
        lines += project["optional-dependencies"][extra]
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
