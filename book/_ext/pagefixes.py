"""A local Sphinx extension: small corrections to what the HTML pages load.

jupyter-book 1 and sphinx-book-theme both set sphinx-thebe up, so every page declares
sphinx-thebe's inline configuration script twice and the browser reports
"Identifier 'THEBE_JS_URL' has already been declared". Each page gets every script
once, in its first position. A page's default colour mode is set where the theme leaves
it empty (a first visit otherwise logs "Got invalid theme mode" as a console error).

numpydoc References sections number their entries ``.. [1]`` and cite them ``[1]_``:
footnote labels, which docutils requires unique in a page, and an API page holds many
docstrings. Each docstring's numeric labels become auto-numbered footnotes named after
the object (``.. [1]`` -> ``.. [#dlcalc.layers.dropout_forward-1]``), unique in the page.
MyST parses an ``{eval-rst}`` block into a separate document whose footnotes docutils
never numbers or links, and it reports every footnote reference it finds as a missing
Markdown footnote. So a citation ``[1]_`` becomes a plain link to its entry, and once
the page is read the entries get consecutive numbers and the links become footnote
references showing them.
"""

from __future__ import annotations

import re
from typing import Any

from docutils import nodes

_FOOTNOTE_DEFINITION = re.compile(r"^(\s*\.\.\s+)\[(\d+)\](?=\s|$)")
_FOOTNOTE_REFERENCE = re.compile(r"\[(\d+)\]_")


def _unique_footnotes(app: Any, what: str, name: str, obj: Any, options: Any,
                      lines: list[str]) -> None:
    for i, line in enumerate(lines):
        line = _FOOTNOTE_DEFINITION.sub(lambda m: f"{m.group(1)}[#{name}-{m.group(2)}]", line)
        lines[i] = _FOOTNOTE_REFERENCE.sub(
            lambda m: f"`[{m.group(1)}] <#{nodes.make_id(f'{name}-{m.group(1)}')}>`__", line)


def _number_footnotes(app: Any, doctree: nodes.document) -> None:
    def label(footnote: nodes.footnote) -> str | None:
        found = [child for child in footnote.children if isinstance(child, nodes.label)]
        return found[0].astext() if found else None

    taken = {label(f) for f in doctree.findall(nodes.footnote)}
    numbered: dict[str, str] = {}
    number = 0
    for footnote in doctree.findall(nodes.footnote):
        if not footnote.get("auto") or label(footnote) is not None:
            continue
        number += 1
        while str(number) in taken:
            number += 1
        footnote.insert(0, nodes.label("", str(number)))
        numbered[footnote["ids"][0]] = str(number)
    for link in list(doctree.findall(nodes.reference)):
        uri = link.get("refuri", "")
        if uri.startswith("#") and uri[1:] in numbered:
            link.replace_self(nodes.footnote_reference("", numbered[uri[1:]], refid=uri[1:]))


def _dedupe_scripts(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple[str, str]] = set()
    unique = []
    for script in scripts:
        attributes = getattr(script, "attributes", {})
        # An inline script is added once with filename None and once with "" (same body).
        key = (str(getattr(script, "filename", script) or ""), str(sorted(attributes.items())))
        if key in seen:
            continue
        seen.add(key)
        unique.append(script)
    context["script_files"] = unique


def _default_mode(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    # pydata-sphinx-theme reads the colour mode from local storage or from the page's
    # default; sphinx-book-theme leaves the default empty, and a first visit then logs
    # "Got invalid theme mode" as a console error. Give it the mode it falls back to.
    if not context.get("default_mode"):
        context["default_mode"] = "auto"


def setup(app: Any) -> dict[str, Any]:
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    app.connect("html-page-context", _default_mode, priority=900)
    app.connect("autodoc-process-docstring", _unique_footnotes, priority=600)
    app.connect("doctree-read", _number_footnotes)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
