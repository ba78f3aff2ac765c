"""Original book or practice version: a Sphinx tag for each, and the links between them.

A build with the environment variable ``DLCALC_VARIANT`` set (a seed) renders the
practice version of that seed (``dlcalc.problems.question`` reads the same variable);
otherwise the original. This extension

- adds the tag ``original`` or ``variant``, so a page can keep what belongs to the
  original only, above all what the source solutions said about its numbers, inside an
  ``{only} original`` block;
- serves the self-check script and style (``book/_static/selfcheck.*``) with every HTML
  page, and fills the links of each self-check (``book/records/practice.py`` leaves a
  placeholder in its HTML, since a notebook output cannot know the page it lands on):
  from the original, to the same question in each practice version; from a practice
  version, to the original and to the other versions;
- in a practice version, puts a banner at the top of every page saying which version it
  is, with a link back to the original, and turns a cross-reference to a page that the
  practice build leaves out (the appendices, the API reference) into plain text.

``make practice`` builds the versions of :data:`PRACTICE_SEEDS` (config value
``dlcalc_practice_seeds``) into ``_build/html/practice/<seed>/``; a page ``<doc>.html``
of the original has its version ``practice/<seed>/<doc>.html`` there.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform

#: The practice versions the site offers (``make practice`` builds the same list).
PRACTICE_SEEDS = (1, 2, 3, 4, 5)

#: Where the practice versions live in the site, relative to its root.
PRACTICE_DIR = "practice"

# The placeholder book/records/practice.py writes (kept in one place: imported from there
# would pull IPython into Sphinx's process).
LINKS_PLACEHOLDER = "<!-- dlcalc-practice-links -->"

STATIC = Path(__file__).resolve().parent.parent / "_static"


def _seed() -> int | None:
    from dlcalc.problems import variant_seed

    return variant_seed()


def _tag(app: Sphinx, config: Any) -> None:
    app.tags.add("original" if _seed() is None else "variant")
    static = str(STATIC)
    if static not in config.html_static_path:
        config.html_static_path.append(static)


def site_root(docname: str, seed: int | None) -> str:
    """The relative URL from page ``docname`` of this build to the site's root."""
    depth = docname.count("/") + (0 if seed is None else 2)
    return "../" * depth


def version_url(docname: str, anchor: str, here: int | None, there: int | None) -> str:
    """The URL from page ``docname`` of version ``here`` (None: the original) to the same
    place in version ``there``."""
    prefix = "" if there is None else f"{PRACTICE_DIR}/{there}/"
    return f"{site_root(docname, here)}{prefix}{docname}.html" + (f"#{anchor}" if anchor else "")


def _anchor(node: nodes.Node, labels: set[str]) -> str:
    """The id of the section that holds ``node``: a label of the page when it has one."""
    parent = node.parent
    while parent is not None and not isinstance(parent, nodes.section):
        parent = parent.parent
    if parent is None or not parent["ids"]:
        return ""
    ids = parent["ids"]
    return next((i for i in ids if i in labels), ids[0])


def _links_html(docname: str, anchor: str, here: int | None, seeds: tuple[int, ...]) -> str:
    def link(there: int | None, text: str) -> str:
        url = html.escape(version_url(docname, anchor, here, there))
        return f'<a class="dlcalc-practice-link" href="{url}">{text}</a>'

    if here is None:
        versions = " · ".join(link(s, str(s)) for s in seeds)
        return (f'<span class="dlcalc-practice-links">Practice with new numbers: version '
                f'{versions} (each with its own self-check and worked solution).</span>')
    others = " · ".join(link(s, str(s)) for s in seeds if s != here)
    return (f'<span class="dlcalc-practice-links">This is practice version {here}. '
            f'Also: {link(None, "the original")} · version {others}.</span>')


class PracticeLinks(SphinxPostTransform):
    """Fill each self-check's placeholder with the links to the other versions."""

    default_priority = 400
    formats = ("html",)

    def run(self, **kwargs: Any) -> None:
        docname = self.env.docname
        seeds = tuple(self.config.dlcalc_practice_seeds)
        here = _seed()
        labels = {name for name, (doc, *_rest) in
                  self.env.domaindata["std"]["labels"].items() if doc == docname}
        labels |= {labelid for _name, (doc, labelid, *_rest) in
                   self.env.domaindata["std"]["labels"].items() if doc == docname}
        for raw in list(self.document.findall(nodes.raw)):
            if "html" not in raw.get("format", "").split() or LINKS_PLACEHOLDER not in raw.astext():
                continue
            links = _links_html(docname, _anchor(raw, labels), here, seeds)
            text = raw.astext().replace(LINKS_PLACEHOLDER, links)
            raw.replace_self(nodes.raw("", text, format="html"))


class Banner(SphinxTransform):
    """In a practice version, a banner under each page's title: which version, and the
    way back to the original."""

    default_priority = 700

    def apply(self, **kwargs: Any) -> None:
        seed = _seed()
        if seed is None:
            return
        section = next(iter(self.document.findall(nodes.section)), None)
        if section is None:
            return
        docname = self.env.docname
        back = html.escape(site_root(docname, seed) + "index.html"
                           if docname == self.config.root_doc
                           else version_url(docname, "", seed, None))
        text = (f'<div class="dlcalc-practice-banner" role="note"><strong>Practice version '
                f'{seed}.</strong> The same questions as the book, with new numbers: each has '
                f'its own self-check and worked solution. What the source solutions said '
                f'belongs to <a href="{back}">the original page</a>.</div>')
        title = next((i for i, child in enumerate(section.children)
                      if isinstance(child, nodes.title)), -1)
        section.insert(title + 1, nodes.raw("", text, format="html"))


def _missing(app: Sphinx, env: Any, node: Any, contnode: nodes.Node) -> nodes.Node | None:
    """In a practice version, a reference to a page left out of the build reads as text."""
    if _seed() is None or node.get("refdomain") != "std" or node.get("reftype") not in (
            "ref", "doc", "numref"):
        return None
    return contnode


def _version_title(app: Sphinx, env: Any, docnames: list[str]) -> None:
    # After printbook has set the PDF's title: a handout of a version says so.
    seed = _seed()
    if seed is None or not app.config.latex_documents:
        return
    start, target, title, *rest = app.config.latex_documents[0]
    suffix = f" (version {seed})"
    if not title.endswith(suffix):
        app.config.latex_documents = [(start, target, title + suffix, *rest)]


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("dlcalc_practice_seeds", PRACTICE_SEEDS, "env", [tuple, list])
    app.connect("config-inited", _tag)
    app.add_css_file("selfcheck.css")
    app.add_js_file("selfcheck.js")
    app.add_post_transform(PracticeLinks)
    app.add_transform(Banner)
    app.connect("missing-reference", _missing, priority=900)
    app.connect("env-before-read-docs", _version_title, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
