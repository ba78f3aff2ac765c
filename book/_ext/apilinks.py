"""A local Sphinx extension: each page links to the dlcalc functions its code uses.

The code cells of a MyST notebook page are read (not run) with ``ast``; every dlcalc
name they use (``dc.summarize``, ``from dlcalc import softmax``, ``dlcalc.train.fit``)
is resolved to the module that defines it, and a line "dlcalc on this page" with a
cross-reference to each one's API entry is put under the page's title. The references
are ordinary Sphinx cross-references, so a name without an API entry fails the build
(``-n``) instead of leaving a dead link. The PDFs, which leave the API reference out,
get no such line.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import addnodes

API_PAGES = "book/api/"  # the API page of dlcalc.<module> is book/api/<module>
_CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```\s*$", re.M | re.S)
_OPTION = re.compile(r"^:[a-zA-Z_-]+:.*$|^---$", re.M)


def _cells(text: str) -> list[str]:
    """The Python source of every code cell (options and IPython magics dropped)."""
    cells = []
    for match in _CELL.finditer(text):
        body = _OPTION.sub("", match.group(1))
        body = "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                         for line in body.splitlines())
        cells.append(body)
    return cells


def used_names(cells: list[str]) -> set[str]:
    """Dotted dlcalc names the cells of one page use, e.g. ``{"dlcalc.summarize"}``.

    The cells share one namespace, as in the kernel: an import in the first cell binds
    its names in all of them. Names are given as written, through the package
    (``dlcalc.<name>``) or a module (``dlcalc.<module>.<name>``); :func:`resolve` finds
    where each is defined. A cell that does not parse is skipped (the build reports it).
    """
    trees = []
    for code in cells:
        try:
            trees.append(ast.parse(code))
        except SyntaxError:
            continue
    aliases: dict[str, str] = {}  # local name -> dotted dlcalc path
    for node in (n for tree in trees for n in ast.walk(tree)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "dlcalc" or alias.name.startswith("dlcalc."):
                    aliases[alias.asname or alias.name.split(".")[0]] = (
                        alias.name if alias.asname else "dlcalc")
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and (
                node.module == "dlcalc" or node.module.startswith("dlcalc.")):
            for alias in node.names:
                aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    used: set[str] = set()
    for node in (n for tree in trees for n in ast.walk(tree)):
        if isinstance(node, ast.Attribute):
            chain = []
            inner: ast.expr = node
            while isinstance(inner, ast.Attribute):
                chain.append(inner.attr)
                inner = inner.value
            if isinstance(inner, ast.Name) and inner.id in aliases:
                used.add(".".join([aliases[inner.id], *reversed(chain)]))
        elif isinstance(node, ast.Name) and node.id in aliases and "." in aliases[node.id]:
            used.add(aliases[node.id])
    return used


def resolve(dotted: str) -> str | None:
    """The documented path of a dlcalc object (``dlcalc.<module>.<name>``), or None."""
    parts = dotted.split(".")
    for split in range(len(parts) - 1, 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        try:
            for attr in parts[split:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return None
        if isinstance(obj, type(importlib)):
            return None  # a module: nothing to link
        module = getattr(obj, "__module__", None)
        name = getattr(obj, "__qualname__", None)
        if isinstance(module, str) and isinstance(name, str):
            return f"{module}.{name}" if module.startswith("dlcalc.") and "<" not in name else None
        return _constant(obj, parts[-1])  # a module-level constant, e.g. an edge filter
    return None


def _constant(obj: Any, name: str) -> str | None:
    """Where a dlcalc constant (an object with no ``__module__``) is defined."""
    import dlcalc

    for module_name in sorted(dlcalc.__dict__):
        module = getattr(dlcalc, module_name)
        if isinstance(module, type(importlib)) and getattr(module, name, None) is obj:
            return f"{module.__name__}.{name}"
    return None


def _add_links(app: Any, doctree: nodes.document) -> None:
    source = Path(app.env.doc2path(app.env.docname))
    if source.suffix != ".md" or app.builder.format != "html":
        return  # the printed books leave the API reference out, so nothing to link to
    text = source.read_text(encoding="utf-8")
    # Only names whose module has its API page in this book (a test book without the
    # reference gets no line); a name missing from that page still fails the build.
    targets = sorted(t for t in {resolve(n) for n in used_names(_cells(text))}
                     if t and f"{API_PAGES}{t.split('.')[1]}" in app.env.found_docs)
    sections = [s for s in doctree.children if isinstance(s, nodes.section)]
    if not targets or not sections:
        return
    line = nodes.paragraph(classes=["dlcalc-api-links"])
    line += nodes.strong(text="dlcalc on this page: ")
    for i, target in enumerate(targets):
        if i:
            line += nodes.Text(", ")
        ref = addnodes.pending_xref("", refdomain="py", reftype="obj", reftarget=target,
                                    refexplicit=False, refwarn=True)
        ref += nodes.literal(text=target.split(".", 2)[-1])
        line += ref
    title_section = sections[0]
    first_subsection = next((i for i, child in enumerate(title_section.children)
                             if isinstance(child, nodes.section)), len(title_section.children))
    title_section.insert(first_subsection, line)


def setup(app: Any) -> dict[str, Any]:
    app.connect("doctree-read", _add_links)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
