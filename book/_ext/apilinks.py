"""A local Sphinx extension: code linked to its documentation, through sphinx-codeautolink.

sphinx-codeautolink reads every Python block of the book (myst-nb's code cells, the
``literalinclude``d ``solve`` functions of the problem bank), resolves each name it uses
(``dc.conv2d_forward``, ``sol.output_shape`` through the return annotations) and links it
to its entry in the API reference; under each API entry it lists the sections whose code
uses it (``codeautolink_autodoc_inject``). Its configuration is in ``_config.yml``: a page's
cells are read as one program, and the imports of the hidden cells are its global preface.

Two incompatibilities are bridged here. Doctest flags (``# doctest: +NORMALIZE_WHITESPACE``)
are trimmed from an example before codeautolink reads it, as the HTML shows it trimmed
(otherwise codeautolink cannot find the example in the page and warns). And
sphinx-exercise wraps the body of every exercise and solution in an untitled ``section``;
codeautolink pushes a section's title when it visits the title and pops one when it leaves
any section, so the first untitled section empties its stack and the build fails ("pop
from empty list"). Untitled sections are now passed through, so a code example inside a
solution is listed under its question's heading, with that section's anchor.

A docstring may name an object as the package re-exports it (``dlcalc.Network``); the
reference resolves to where it is documented (``dlcalc.mlp.Network``).
"""

from __future__ import annotations

from typing import Any

from docutils import nodes


def _titled(node: nodes.Element) -> bool:
    return bool(node.children) and isinstance(node.children[0], nodes.title)


def _patch_codeautolink() -> None:
    from sphinx_codeautolink.extension import block

    analyser = block.CodeBlockAnalyser
    if getattr(analyser, "_dlcalc_untitled_sections", False):
        return
    visit_section, depart_section = analyser.visit_section, analyser.depart_section

    def visit(self: Any, node: nodes.section) -> None:
        if _titled(node):
            visit_section(self, node)

    def depart(self: Any, node: nodes.section) -> None:
        if _titled(node):
            depart_section(self, node)

    analyser.visit_section = visit
    analyser.depart_section = depart
    analyser._dlcalc_untitled_sections = True


def _trim_doctest_flags(app: Any, doctree: nodes.document) -> None:
    from sphinx.ext.doctest import blankline_re, doctestopt_re

    if not app.config.trim_doctest_flags:
        return
    for block in doctree.findall(nodes.doctest_block):
        text = block.astext()
        trimmed = doctestopt_re.sub("", blankline_re.sub("", text))
        if trimmed != text:
            block.rawsource = trimmed
            block[:] = [nodes.Text(trimmed)]


def documented_path(target: str) -> str | None:
    """``"dlcalc.Network"`` -> ``"dlcalc.mlp.Network"``; None for anything else."""
    import importlib

    parts = target.split(".")
    if len(parts) != 2 or parts[0] != "dlcalc":
        return None
    package = importlib.import_module("dlcalc")
    obj = getattr(package, parts[1], None)
    module, name = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
    if not (isinstance(module, str) and isinstance(name, str)) or not module.startswith("dlcalc."):
        return None
    return f"{module}.{name}"


def _reexported(app: Any, env: Any, node: Any, contnode: Any) -> Any:
    if node.get("refdomain") != "py":
        return None
    real = documented_path(node.get("reftarget", ""))
    if real is None:
        return None
    return env.get_domain("py").resolve_xref(env, node.get("refdoc", env.docname), app.builder,
                                             node["reftype"], real, node, contnode)


def setup(app: Any) -> dict[str, Any]:
    app.connect("missing-reference", _reexported)
    app.setup_extension("sphinx_codeautolink")
    _patch_codeautolink()
    app.connect("doctree-read", _trim_doctest_flags, priority=400)  # before codeautolink (490)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
