"""A local Sphinx extension: small corrections to what the HTML pages load.

jupyter-book 1 and sphinx-book-theme both set sphinx-thebe up, so every page declares
sphinx-thebe's inline configuration script twice and the browser reports
"Identifier 'THEBE_JS_URL' has already been declared". Each page gets every script
once, in its first position.
"""

from __future__ import annotations

from typing import Any


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


def setup(app: Any) -> dict[str, Any]:
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
