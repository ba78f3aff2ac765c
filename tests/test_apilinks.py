"""Code linked to its documentation (sphinx-codeautolink, bridged by book/_ext/apilinks.py).

Which dlcalc names a page's visible code calls is found here independently of the
extension: the page's code cells are read with ``ast`` and each ``dc.<name>`` is looked up
in the package. Each such call must be a link to its API entry in the built page, and the
API entry must list the question whose code calls it.
"""

from __future__ import annotations

import ast
import html
import re
import sys
from collections.abc import Callable
from functools import cache

import pytest

from pagecheck import BOOK, ROOT

sys.path.insert(0, str(BOOK / "_ext"))
import apilinks  # noqa: E402

import dlcalc  # noqa: E402

HTML = ROOT / "_build" / "html" / "book"
PAGES = ["cse616-assignment2", "assignment1", "homework2", "cs60010-midsem"]
_CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```\s*$", re.M | re.S)
_HEADING = re.compile(r"^## (.+)$", re.M)
_HIDDEN = re.compile(r"^:tags: \[.*remove-(?:cell|input).*\]", re.M)


_INCLUDE = re.compile(r"^```\{literalinclude\} (\S+)\n((?::[\w-]+:.*\n)*)", re.M)


def _dc_calls(code: str) -> set[str]:
    """``dc.<name>(...)`` calls in some code, by where each name is defined."""
    found = set()
    for node in ast.walk(ast.parse(code)):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "dc"):
            obj = getattr(dlcalc, node.func.attr)
            found.add(f"{obj.__module__}.{obj.__qualname__}")
    return found


def _np_calls(code: str) -> set[str]:
    """Full names of the numpy functions called in some code as ``np.<name>(...)`` or
    ``np.<module>.<name>(...)``."""
    found = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Call):
            parts, func = [], node.func
            while isinstance(func, ast.Attribute):
                parts.insert(0, func.attr)
                func = func.value
            if isinstance(func, ast.Name) and func.id == "np" and parts:
                found.add(".".join(["numpy", *parts]))
    return found


def _pyobject(path: str, name: str) -> str:
    """The source of ``Class.method`` (or a function) in a Python file."""
    source = (BOOK / path).read_text(encoding="utf-8")
    scope: list[ast.AST] = [ast.parse(source)]
    for part in name.split("."):
        scope = [n for s in scope for n in ast.iter_child_nodes(s)
                 if isinstance(n, (ast.ClassDef, ast.FunctionDef)) and n.name == part]
    assert len(scope) == 1, (path, name)
    return ast.get_source_segment(source, scope[0])


def visible_calls(page: str, calls_in: Callable[[str], set[str]] = _dc_calls,
                  ) -> dict[str, set[str]]:
    """For each question heading of a page, the dlcalc functions called as ``dc.<name>``
    (or what ``calls_in`` finds) by the code the page shows: its visible cells and the solve
    functions it includes."""
    text = (BOOK / f"{page}.md").read_text(encoding="utf-8")
    headings = [(m.start(), m.group(1).strip()) for m in _HEADING.finditer(text)]
    blocks = []
    for cell in _CELL.finditer(text):
        if not _HIDDEN.search(cell.group(1)):
            blocks.append((cell.start(), "\n".join(
                line for line in cell.group(1).splitlines()
                if not line.startswith((":", "%", "!")))))
    for include in _INCLUDE.finditer(text):
        obj = re.search(r"^:pyobject: (\S+)$", include.group(2), re.M)
        if obj:
            blocks.append((include.start(), _pyobject(include.group(1), obj.group(1))))
    calls: dict[str, set[str]] = {}
    for at, code in blocks:
        before = [h for start, h in headings if start < at]
        found = calls_in(code)
        if before and found:
            calls.setdefault(before[-1], set()).update(found)
    return calls


@cache
def built(path: str) -> str:
    page = HTML / path
    if not page.is_file():
        pytest.fail("the book is not built: run `make book`")
    return page.read_text(encoding="utf-8")


def test_untitled_sections_keep_the_enclosing_heading() -> None:
    # docutils' node classes as codeautolink's analyser sees them
    from sphinx_codeautolink.extension.block import CodeBlockAnalyser, nodes

    apilinks._patch_codeautolink()
    analyser = CodeBlockAnalyser.__new__(CodeBlockAnalyser)
    analyser.title_stack, analyser.current_refid = ["Question 7: output block"], "q7"
    untitled = nodes.section(ids=["exercise-content"])
    untitled += nodes.paragraph(text="no title")
    analyser.visit_section(untitled)
    analyser.depart_section(untitled)
    assert (analyser.title_stack, analyser.current_refid) == (["Question 7: output block"], "q7")


def test_the_pages_call_dlcalc_in_visible_code() -> None:
    for page in PAGES:
        assert sum(len(v) for v in visible_calls(page).values()) >= 3, page


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_a_dlcalc_call_in_a_cell_links_to_its_api_entry(page: str) -> None:
    text = built(f"{page}.html")
    linked = set(re.findall(r'class="sphinx-codeautolink-a" href="[^"#]*api/[a-z_]+\.html#'
                            r'(dlcalc\.[\w.]+)"', text))
    called = set().union(*visible_calls(page).values())
    assert called and called <= linked, sorted(called - linked)


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_an_api_entry_lists_the_questions_that_call_it(page: str) -> None:
    for heading, targets in visible_calls(page).items():
        for target in targets:
            module = target.split(".")[1]
            api = built(f"api/{module}.html")
            start = api.index(f'id="{target}"')
            end = api.find("<dt class=\"sig", start + 1)
            entry = html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", api[start:end])))
            entry = entry.replace("\u2019", "'")  # typographic apostrophes
            assert f"References to {target}" in entry or f"references to {target}" in entry, \
                target
            assert heading in entry, (target, heading)


@pytest.mark.slow
def test_the_solve_functions_shown_link_their_calls() -> None:
    # FilterBank.solve (A2-Q7), included from the problem bank, calls conv_output_shape.
    assert "dlcalc.shapes.conv_output_shape" in _dc_calls(
        _pyobject("../dlcalc/problems/cse616_a2.py", "FilterBank.solve"))
    text = built("cse616-assignment2.html")
    blocks = re.findall(r'<div class="highlight-python notranslate">(.*?)</pre>', text, re.S)
    solve = [b for b in blocks
             if "dc.conv_output_shape(" in re.sub(r"<[^>]+>", "", b)]
    assert solve and all('href="../book/api/shapes.html#dlcalc.shapes.conv_output_shape"' in b
                         for b in solve)


def test_a_reexported_name_resolves_to_its_module() -> None:
    assert apilinks.documented_path("dlcalc.Network") == "dlcalc.mlp.Network"
    assert apilinks.documented_path("dlcalc.conv_output_shape") == "dlcalc.shapes.conv_output_shape"
    assert apilinks.documented_path("dlcalc.mlp.Network") is None
    assert apilinks.documented_path("numpy.zeros") is None


#: numpy's inventory kept in the repository (book/_ext/inventories/README.md), read with
#: Sphinx's own reader: each documented name and its address in numpy's documentation.
NUMPY_DOCS = "https://numpy.org/doc/stable/"


@cache
def numpy_inventory() -> dict[str, str]:
    from sphinx.util.inventory import InventoryFile

    with (BOOK / "_ext" / "inventories" / "numpy.inv").open("rb") as stream:
        inventory = InventoryFile.load(stream, NUMPY_DOCS, lambda base, uri: base + uri)
    return {name: entry[2] for entries in inventory.values() for name, entry in entries.items()}


def test_numpy_calls_are_found_in_code() -> None:
    code = "x = np.zeros(3)\nrng = np.random.default_rng(0)\ny = dc.relu(np.abs(x)).sum()\n"
    assert _np_calls(code) == {"numpy.zeros", "numpy.random.default_rng", "numpy.abs"}


def test_the_numpy_inventory_has_the_names_the_book_uses() -> None:
    inventory = numpy_inventory()
    assert inventory["numpy.zeros"] == NUMPY_DOCS + "reference/generated/numpy.zeros.html#numpy.zeros"
    used = set().union(*(calls for page in PAGES
                         for calls in visible_calls(page, _np_calls).values()))
    assert {"numpy.array", "numpy.zeros", "numpy.random.default_rng"} <= used
    # np.abs is numpy's alias of np.absolute, listed under that name only.
    assert sorted(used - set(inventory)) == ["numpy.abs"]


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_a_numpy_call_in_a_cell_links_to_numpy_docs(page: str) -> None:
    text = built(f"{page}.html")
    linked = set(re.findall(r'class="sphinx-codeautolink-a" href="([^"]+)"', text))
    called = set().union(*visible_calls(page, _np_calls).values()) & set(numpy_inventory())
    assert called, page
    assert sorted(n for n in called if numpy_inventory()[n] not in linked) == []


@pytest.mark.slow
def test_np_array_in_a_cell_is_a_link_to_its_page_of_numpy_docs() -> None:
    text = built("cse616-assignment2.html")
    link = ('<a class="sphinx-codeautolink-a" href="https://numpy.org/doc/stable/reference/'
            'generated/numpy.array.html#numpy.array"')
    assert link in text


# An API page shows what the library is, never where the build machine keeps it: a
# module-level value such as ``dlcalc.problems.SETS`` (a dict of modules) would otherwise
# be rendered with each module's repr, ``<module '...' from '/home/.../assignment1.py'>``.
_ABSOLUTE_PATH = re.compile(r"(?<![\w.:/~-])(?:/[\w.+-]+){2,}\.(?:py|pyc|so|json|npz?)\b"
                            r"|\b[A-Za-z]:\\[\w.+-]+")


def filesystem_paths(page_html: str) -> list[str]:
    """Absolute paths of files, and the paths of this checkout and of this Python's
    installation, in a page's text and attribute values."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", page_html))
    attributes = html.unescape(" ".join(re.findall(r'="([^"]*)"', page_html)))
    found = _ABSOLUTE_PATH.findall(text) + _ABSOLUTE_PATH.findall(attributes)
    for machine in {str(ROOT), sys.prefix, sys.base_prefix}:
        if machine in page_html:
            found.append(machine)
    return found


def test_a_filesystem_path_is_found() -> None:
    shown = ('<span class="pre">&lt;module</span> <span class="pre">\'dlcalc.problems.a1\''
             '</span> <span class="pre">from</span> <span class="pre">'
             '\'/srv/build/dlcalc/problems/a1.py\'&gt;,</span>')
    assert filesystem_paths(shown) == ["/srv/build/dlcalc/problems/a1.py"]
    assert filesystem_paths("<p>'C:\\build\\a1.py'</p>") == ["C:\\build"]
    assert filesystem_paths(f"<p>{ROOT}</p>") == [str(ROOT)]
    assert filesystem_paths('<a href="../_static/x.js">dlcalc/problems/a1.py</a>'
                            ' <span>10/3/2.5</span>') == []


@pytest.mark.slow
@pytest.mark.parametrize("page", sorted(p.stem for p in (BOOK / "api").glob("*.md")))
def test_no_api_page_shows_a_filesystem_path(page: str) -> None:
    assert filesystem_paths(built(f"api/{page}.html")) == []
