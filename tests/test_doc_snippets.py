"""Every Python code block of README.md and docs/*.rst runs as printed.

The blocks of one page run in order in one namespace (a block may use what
an earlier one defined), in a temporary directory, with every warning an
error. A comment just before a block may mark it:

- ``.. snippet: skip gpu -- <reason>`` or ``skip cluster -- <reason>``
  (``<!-- snippet: ... -->`` in Markdown): the block needs hardware or a
  cluster the test suite does not have. No other reason skips a block.
- ``.. snippet: expect ConvergenceWarning``: the block may raise that
  warning, which the page's text must name (so a reader expects it).
- ``.. snippet: requires sklearn.callback``: the block needs a module that
  the oldest supported versions lack (the page says which version brings
  it); without it, the page's remaining blocks are skipped.

A Python block is a ``code-block:: python`` directive or a Markdown
``python`` fence; a bare ``::`` literal block counts as Python when it
compiles (shell commands and formulas do not).
"""

import ast
import contextlib
import pathlib
import re
import warnings

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.rst"))]
MARK = re.compile(r"snippet:\s*(.*?)\s*(?:-->)?\s*$")
SKIP = re.compile(r"skip (gpu|cluster) -- \S")
#: Pages whose blocks run for longer than the default suite should wait: the
#: README's search fits 41 networks (about 10 s on two cores).
SLOW = {"README.md": "the search fits 41 networks of 10,000 steps"}


def _indented_block(lines, start):
    """The indented block after ``lines[start - 1]`` and the index past it."""
    i = start
    while i < len(lines) and not lines[i].strip():
        i += 1
    body, indent = [], None
    while i < len(lines):
        line = lines[i]
        if line.strip():
            width = len(line) - len(line.lstrip())
            if indent is None:
                indent = width
            if width < indent:
                break
        body.append(line)
        i += 1
    text = "\n".join(line[indent or 0 :] for line in body)
    return text.strip("\n") + "\n", i


def _marker(lines, i):
    """The ``snippet:`` marker in the comment just before line ``i``, if any."""
    j = i - 1
    while j >= 0 and not lines[j].strip():
        j -= 1
    found = MARK.search(lines[j]) if j >= 0 else None
    return found.group(1) if found and "snippet:" in lines[j] else None


def _compiles(code):
    try:
        ast.parse(code)
    except SyntaxError:
        return False
    return True


def rst_blocks(text):
    """``(line, code, marker)`` of every Python block of a reST page."""
    lines = text.splitlines()
    blocks, i = [], 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith(".. code-block::") or stripped.startswith(".. code::"):
            language = stripped.split("::", 1)[1].strip()
            j = i + 1
            while j < len(lines) and lines[j].strip().startswith(":"):
                j += 1  # the directive's options
            code, end = _indented_block(lines, j)
            if language in ("python", "py", "python3"):
                blocks.append((i + 1, code, _marker(lines, i)))
            i = end
        elif stripped.endswith("::") and not stripped.startswith(".."):
            code, end = _indented_block(lines, i + 1)
            if _compiles(code):
                blocks.append((i + 1, code, _marker(lines, i)))
            i = end
        else:
            i += 1
    return blocks


def markdown_blocks(text):
    """``(line, code, marker)`` of every fenced Python block of a Markdown page."""
    lines = text.splitlines()
    blocks, i = [], 0
    while i < len(lines):
        if lines[i].strip() in ("```python", "```py"):
            end = lines.index("```", i + 1)
            code = "\n".join(lines[i + 1 : end]) + "\n"
            blocks.append((i + 1, code, _marker(lines, i)))
            i = end
        i += 1
    return blocks


def page_blocks(path):
    text = path.read_text(encoding="utf-8")
    return (markdown_blocks if path.suffix == ".md" else rst_blocks)(text)


def _prose(path):
    """The page without its code blocks and comments: what a reader reads."""
    text = path.read_text(encoding="utf-8")
    for _, code, _ in page_blocks(path):
        # A reST page indents the block's lines, which the code has lost.
        lines = [re.escape(line) for line in code.strip("\n").splitlines()]
        text = re.sub(r"\n[ \t]*".join(lines), "", text, count=1)
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    return re.sub(r"^\.\. snippet:.*$", "", text, flags=re.M)


PARAMS = [
    pytest.param(
        path,
        id=path.name,
        marks=[pytest.mark.exhaustive] if path.name in SLOW else [],
    )
    for path in PAGES
]


def test_pages_have_python_blocks():
    counts = {p.name: len(page_blocks(p)) for p in PAGES}
    # The pages whose snippets this test exists for.
    for name in ["README.md", "getting_started.rst", "deployment.rst", "gpu.rst"]:
        assert counts[name] >= 1, counts


def test_parsers_find_what_they_should():
    rst = (
        "Text::\n\n    x = 1\n\nShell::\n\n    pip install .\n\n"
        ".. snippet: skip gpu -- CUDA\n\n.. code-block:: python\n   :caption: c\n\n"
        "    y = x + 1\n\n.. code-block:: bash\n\n    ls\n"
    )
    found = [(code, marker) for _, code, marker in rst_blocks(rst)]
    assert found == [("x = 1\n", None), ("y = x + 1\n", "skip gpu -- CUDA")]
    md = "a\n<!-- snippet: expect ConvergenceWarning -->\n```python\nz = 2\n```\n"
    assert [(c, m) for _, c, m in markdown_blocks(md)] == [
        ("z = 2\n", "expect ConvergenceWarning")
    ]


def test_prose_leaves_out_the_code(tmp_path):
    # The text must name an expected warning where a reader reads it, not
    # only in the code: an indented reST block is code too.
    page = tmp_path / "page.rst"
    page.write_text(
        "Intro.\n\n.. code-block:: python\n\n    import warnings\n\n"
        "    if True:\n        w = 'ConvergenceWarning'\n\nAfter.\n",
        encoding="utf-8",
    )
    prose = _prose(page)
    assert "ConvergenceWarning" not in prose and "warnings" not in prose, prose
    assert "Intro." in prose and "After." in prose


@pytest.mark.parametrize("path", PARAMS)
def test_page_snippets_run(path, tmp_path, monkeypatch):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    monkeypatch.chdir(tmp_path)
    namespace = {"__name__": "__snippet__"}
    prose = _prose(path)
    for line, code, marker in page_blocks(path):
        where = f"{path.name}, block at line {line}"
        expected = []
        if marker and marker.startswith("skip"):
            assert SKIP.match(marker), f"{where}: skip only 'gpu' or 'cluster' -- why"
            continue
        if marker and marker.startswith("requires "):
            module = marker.split()[1]
            assert module.split(".")[-1] in prose, f"{where}: {module} unexplained"
            pytest.importorskip(module, reason=f"{where} needs {module}")
            marker = None
        if marker:
            assert marker.startswith("expect "), f"{where}: unknown marker {marker!r}"
            expected = marker.split()[1:]
            for name in expected:
                assert name in prose, f"{where}: the text never mentions {name}"
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            # matplotlib's Agg backend on plt.show(): not the page's doing.
            warnings.filterwarnings("ignore", message=".*non-interactive.*")
            for name in expected:
                category = _warning_class(name)
                warnings.filterwarnings("ignore", category=category)
            with contextlib.redirect_stdout(None):
                try:
                    exec(compile(code, where, "exec"), namespace)  # noqa: S102
                except Exception as exc:
                    raise AssertionError(f"{where} fails:\n{code}") from exc
    plt.close("all")
    if not page_blocks(path):
        pytest.skip(f"{path.name} has no Python block")


def _warning_class(name):
    import builtins

    import sklearn.exceptions

    found = getattr(sklearn.exceptions, name, None) or getattr(builtins, name, None)
    assert isinstance(found, type) and issubclass(found, Warning), name
    return found


def _pyproject():
    try:
        import tomllib
    except ImportError:  # Python 3.10
        tomllib = pytest.importorskip("tomli")
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


#: What a page may tell a reader to install before sk_shallow is on PyPI.
EXTRA = re.compile(r"""["']?\.\[(\w+)\]["']?""")
DOCS = sorted((ROOT / "docs").glob("*.rst")) + sorted((ROOT / "examples").glob("*.py"))


@pytest.mark.parametrize("path", [ROOT / "README.md", *DOCS], ids=lambda p: p.name)
def test_install_commands_work_from_a_checkout(path):
    """``pip install sk_shallow[...]`` cannot work before a release; the
    extras a page names exist."""
    extras = set(_pyproject()["project"]["optional-dependencies"])
    text = path.read_text(encoding="utf-8")
    # One paragraph at a time, joined across its line breaks.
    for paragraph in re.split(r"\n\s*\n", text):
        flat = " ".join(paragraph.split())
        for command in re.findall(r"pip install ([^`\n]*?)(?:``|`|&&|$|\))", flat):
            for extra in EXTRA.findall(command):
                assert extra in extras, f"{path.name}: no extra [{extra}]: {command}"
            names_release = re.search(r"(?<![-/\w])sk_shallow(?!-\*)", command)
            if names_release:
                assert "published on PyPI" in flat, (
                    f"{path.name}: {command!r} installs a release that does not "
                    'exist yet; install from the checkout (pip install ".[x]")'
                )


def test_newest_tested_python_is_the_newest_classifier():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    row = re.search(r"^\| Python \| ([\d.]+) \| ([\d.]+) \|$", readme, re.M)
    assert row, "README's versions table has no Python row"
    listed = [
        c.rsplit("::", 1)[1].strip()
        for c in _pyproject()["project"]["classifiers"]
        if re.match(r"Programming Language :: Python :: 3\.\d+$", c)
    ]
    assert listed[0] == row.group(1) and listed[-1] == row.group(2), (listed, row[0])
    assert _pyproject()["project"]["requires-python"] == f">={row.group(1)}"
