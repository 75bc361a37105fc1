"""Checks of the built documentation, as a reader would see it.

These run only when ``SK_SHALLOW_DOCS_HTML`` names a built HTML directory::

    python -m sphinx -W -b html docs docs/_build/html
    SK_SHALLOW_DOCS_HTML=docs/_build/html python -m pytest --noconftest \
        tests/test_docs_html.py

(``--noconftest``: the ``[docs]`` extra has pytest but not hypothesis, which
the suite's conftest needs.)

They parse the pages: no machine paths, no script loaded from the network, no
warning or object repr in an example's output, equations marked up for the
MathJax that ships with the pages, every gallery image drawn, and the gallery
in the notes' order; no empty "Section Navigation" sidebar, no heading that
is a link back to a table of contents, no private module in an example's
code, every example's figure below the code that draws it, and a label on
every colorbar and legend entry an example draws. With a Chromium on the
PATH, one more test opens the user guide headless and checks that MathJax
typeset its equations.
"""

import ast
import html
import html.parser
import os
import pathlib
import re
import shutil
import subprocess
import sys

import pytest

HTML_DIR = os.environ.get("SK_SHALLOW_DOCS_HTML")
pytestmark = pytest.mark.skipif(
    not HTML_DIR,
    reason="set SK_SHALLOW_DOCS_HTML to a built HTML directory to check it",
)
ROOT = pathlib.Path(HTML_DIR or ".").resolve()
DOCS = pathlib.Path(__file__).resolve().parent.parent / "docs"

#: Paths of a build machine or an installation, which no page may show.
MACHINE_PATH = re.compile(r"(/(?:work|tmp|home|root|Users)/|site-packages|[A-Z]:\\\\)")
#: What a warning or an object's default repr looks like in captured output.
WARNING_OR_REPR = re.compile(
    r"(\w*Warning\b|warnings\.warn|Traceback|<[\w.]+ object at 0x[0-9a-fA-F]+>)"
)
#: Pages where the notes' equations must be math, not code.
MATH_PAGES = ["user_guide.html", "defaults.html"]


class _Page(html.parser.HTMLParser):
    """Collects scripts, images, math elements and example outputs."""

    def __init__(self):
        super().__init__()
        self.scripts, self.images, self.links = [], [], []
        self.math = 0
        self.outputs = []  # text of each sphx-glr-script-out block
        self.html_outputs = 0  # rich (HTML) reprs of a cell's last value
        self._depth = 0  # nesting depth inside an output block, 0 if outside

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "script" and attrs.get("src"):
            self.scripts.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.links.append((attrs.get("rel"), attrs["href"]))
        if tag == "img" and attrs.get("src"):
            self.images.append(attrs["src"])
        if "math" in classes:
            self.math += 1
        if "output_html" in classes:
            self.html_outputs += 1
        if self._depth:
            self._depth += 1
        elif "sphx-glr-script-out" in classes:
            self._depth = 1
            self.outputs.append("")

    def handle_endtag(self, tag):
        if self._depth:
            self._depth -= 1

    def handle_data(self, data):
        if self._depth:
            self.outputs[-1] += data


def _parse(path):
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def _pages():
    """The built pages (``_static`` holds the theme's templates, not pages)."""
    return sorted(
        p for p in ROOT.rglob("*.html") if "_static" not in p.relative_to(ROOT).parts
    )


def _example_pages():
    return sorted((ROOT / "auto_examples").glob("plot_*.html"))


def test_built():
    assert (ROOT / "index.html").is_file(), f"no index.html in {ROOT}"
    assert _example_pages(), "the gallery has no example pages"


def test_no_machine_paths():
    sources = sorted((ROOT / "_sources").rglob("*.txt"))
    bad = {
        str(p.relative_to(ROOT)): MACHINE_PATH.findall(p.read_text(encoding="utf-8"))
        for p in _pages() + sources
    }
    bad = {k: sorted(set(v)) for k, v in bad.items() if v}
    assert not bad, f"machine paths in the built pages: {bad}"


def test_no_network_scripts():
    remote = re.compile(r"^(https?:)?//", re.IGNORECASE)
    bad = {}
    for path in _pages():
        page = _parse(path)
        found = [s for s in page.scripts if remote.match(s)]
        found += [
            href
            for rel, href in page.links
            if rel == "stylesheet" and remote.match(href)
        ]
        if found:
            bad[str(path.relative_to(ROOT))] = found
    assert not bad, f"pages load scripts or styles from the network: {bad}"


def test_local_scripts_exist():
    missing = set()
    for path in _pages():
        for src in _parse(path).scripts:
            target = (path.parent / src.split("?")[0]).resolve()
            if not target.is_file():
                missing.add(src)
    assert not missing, f"scripts the pages load but the build lacks: {missing}"


@pytest.mark.parametrize("name", MATH_PAGES)
def test_math_marked_up_for_local_mathjax(name):
    page = _parse(ROOT / name)
    assert page.math >= 3, f"{name}: {page.math} math elements"
    mathjax = [s for s in page.scripts if "mathjax" in s.lower()]
    assert mathjax, f"{name} loads no MathJax"
    assert all((ROOT / s.split("?")[0]).is_file() for s in mathjax), mathjax


def test_example_outputs_are_clean():
    bad = {}
    for path in _example_pages():
        page = _parse(path)
        found = [m for out in page.outputs for m in WARNING_OR_REPR.findall(out)]
        if page.html_outputs:
            found.append(f"{page.html_outputs} HTML repr(s) of a cell's last value")
        if found:
            bad[path.name] = found
    assert not bad, f"example outputs with warnings or reprs: {bad}"


def test_gallery_images_are_drawn():
    image = pytest.importorskip("matplotlib.image")
    pngs = sorted((ROOT / "_images").glob("sphx_glr_plot_*.png"))
    assert pngs, "no gallery images"
    blank = {}
    for png in pngs:
        pixels = image.imread(png)[..., :3]
        # The share of pixels that are not background (white) and their spread.
        ink = (pixels.mean(axis=-1) < 0.95).mean()
        if pixels.std() < 0.02 or ink < 0.01:
            blank[png.name] = (round(float(pixels.std()), 4), round(float(ink), 4))
    assert not blank, f"blank gallery images (std, share of ink): {blank}"
    for path in _example_pages():
        images = [s for s in _parse(path).images if "sphx_glr_" in s]
        assert images, f"{path.name} shows no figure"


def test_gallery_follows_the_notes():
    sys.path.insert(0, str(DOCS / "sphinxext"))
    try:
        from gallery_order import NOTES_ORDER
    finally:
        sys.path.remove(str(DOCS / "sphinxext"))
    index = (ROOT / "auto_examples" / "index.html").read_text(encoding="utf-8")
    stems = [n.removesuffix(".py") for n in NOTES_ORDER]
    positions = [index.find(f"{s}.html") for s in stems]
    assert all(p >= 0 for p in positions), dict(zip(stems, positions, strict=True))
    assert positions == sorted(positions), "the gallery is not in the notes' order"


def test_mathjax_typesets_in_a_browser(tmp_path):
    browser = next(
        (shutil.which(b) for b in ("chromium", "chromium-browser") if shutil.which(b)),
        None,
    )
    if browser is None:
        pytest.skip("no chromium on the PATH")
    dom = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--user-data-dir={tmp_path}",
            "--virtual-time-budget=20000",
            "--dump-dom",
            (ROOT / "user_guide.html").as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert dom.count("<mjx-container") >= 3, "MathJax typeset no equation"
    assert "<mjx-merror" not in dom, "MathJax reports an error in an equation"


def test_benchmarks_page_shows_every_measured_row():
    import html as html_lib
    import json

    results = json.loads(
        (DOCS.parent / "benchmarks" / "results.json").read_text(encoding="utf-8")
    )["results"]
    page = (ROOT / "benchmarks.html").read_text(encoding="utf-8")
    text = " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    rows = [
        name.split(":", 1)[1].strip()
        for name, value in results.items()
        if isinstance(value, dict) and isinstance(value.get("ours"), (int, float))
    ]
    assert len(rows) >= 8
    missing = [what for what in rows if " ".join(what.split()) not in text]
    assert not missing, missing
    # Each measurement its own label (4a, 4b, ...), the groups in order.
    labels = [name.split(":", 1)[0] for name in results]
    assert len(set(labels)) == len(labels), labels
    groups = [int(re.match(r"\d+", label)[0]) for label in labels]
    assert groups == sorted(groups), labels


class _Navs(html.parser.HTMLParser):
    """The links inside each section-navigation sidebar of a page."""

    def __init__(self):
        super().__init__()
        self.navs = []  # links per "bd-docs-nav" element
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if self._depth:
            self._depth += 1
            if tag == "a":
                self.navs[-1] += 1
        elif tag == "nav" and "bd-docs-nav" in classes:
            self._depth = 1
            self.navs.append(0)

    def handle_endtag(self, tag):
        if self._depth:
            self._depth -= 1


def test_no_empty_section_navigation():
    empty = []
    for path in _pages():
        navs = _Navs()
        navs.feed(path.read_text(encoding="utf-8"))
        if any(n == 0 for n in navs.navs):
            empty.append(str(path.relative_to(ROOT)))
    assert not empty, f"pages with an empty Section Navigation sidebar: {empty}"


def test_headings_are_not_links():
    """A local ``contents`` directive makes every heading a back-link."""
    bad = [
        str(p.relative_to(ROOT))
        for p in _pages()
        if "toc-backref" in p.read_text(encoding="utf-8")
    ]
    assert not bad, f"headings rendered as links: {bad}"


def _text(path):
    page = path.read_text(encoding="utf-8")
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def test_examples_show_no_private_module():
    private = re.compile(r"\bsk_shallow\._\w+|from sk_shallow import _\w+")
    bad = {p.name: private.findall(_text(p)) for p in _example_pages()}
    bad = {k: sorted(set(v)) for k, v in bad.items() if v}
    assert not bad, f"examples showing private modules: {bad}"


def test_example_figures_follow_their_code():
    bad = []
    for path in _example_pages():
        page = path.read_text(encoding="utf-8")
        code = page.find('class="highlight-Python')
        figure = page.find('src="../_images/sphx_glr_')
        if figure >= 0 and (code < 0 or figure < code):
            bad.append(path.name)
    assert not bad, f"a figure above the code that draws it: {bad}"


def _calls(tree, name):
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == name
    ]


def test_example_colorbars_and_legends_are_labelled():
    """Each colorbar says what its colours mean; a legend has labels to show."""
    bad = {}
    for path in sorted((DOCS.parent / "examples").glob("plot_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        problems = [
            f"colorbar at line {c.lineno} has no label"
            for c in _calls(tree, "colorbar")
            if not any(k.arg == "label" for k in c.keywords)
        ]
        labelled = any(
            k.arg == "label"
            for c in ast.walk(tree)
            if isinstance(c, ast.Call)
            for k in c.keywords
        )
        problems += [
            f"legend at line {c.lineno} with no labelled artist"
            for c in _calls(tree, "legend")
            if not c.args and not labelled
        ]
        if problems:
            bad[path.name] = problems
        stem = path.stem
        built = ROOT / "auto_examples" / f"{stem}.html"
        if (_calls(tree, "colorbar") or _calls(tree, "legend")) and built.is_file():
            assert "sphx_glr_" + stem in built.read_text(encoding="utf-8"), stem
    assert not bad, bad
