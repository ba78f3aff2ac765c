"""A local Sphinx extension for the printed book: the question handout and the answer key.

``make pdf`` builds the book twice with Jupyter Book's LaTeX builder, with the environment
variable ``DLCALC_PDF`` (read into the config value ``dlcalc_pdf``) naming the document:

- ``questions``: the handout. Every solution is removed before the LaTeX writer runs: the
  ``solution_node`` that sphinx-exercise's transform builds from a gated ``solution-start`` ...
  ``solution-end`` block, with everything in it (text, code, glued numbers, figures,
  verdicts). sphinx-exercise 1.2.1's own ``hide_solutions`` crashes on gated solutions.
- ``answers``: the answer key, every solution kept.

Each PDF gets its own title. In both, the exercise and solution boxes are typeset by the
package ``book/pdf/dlcalcbook.sty`` (a title bar and a closing rule, not Sphinx's framed
note box, inside which no code block, table or figure can break across pages: they ran off
the bottom of the page), and a figure inside a box is set in place rather than floated out
of it.

For the HTML book, the directive ``{pdf-downloads}`` (on the front page) offers the two
PDFs for download when ``make pdf`` has built them into ``_build/pdf`` (Sphinx copies them
into ``_build/html/_downloads``), and otherwise says how to build them. A page with the
directive is read again whenever the set of built PDFs changes, so a link is never broken.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.errors import ExtensionError
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.docutils import SphinxDirective

#: The PDFs ``make pdf`` builds, by kind: file name in ``_build/pdf``, title, link text.
PDFS = {
    "questions": ("dlcalc-questions.pdf", "Deep learning problem sets: the questions",
                  "question handout"),
    "answers": ("dlcalc-answers.pdf", "Deep learning, worked and checked: the answer key",
                "answer key"),
}


def pdf_dir(app: Any) -> Path:
    """Where ``make pdf`` puts the PDFs: ``_build/pdf``, beside ``_build/html``."""
    return Path(app.outdir).parent / "pdf"


def built_pdfs(app: Any) -> tuple[str, ...]:
    """The kinds of PDF that exist now, in the order of :data:`PDFS`."""
    return tuple(kind for kind, (name, _, _) in PDFS.items() if (pdf_dir(app) / name).is_file())


# ------------------------------------------------------------------ the PDFs


class RemoveSolutions(SphinxPostTransform):
    """In the handout, drop every solution with all it holds."""

    default_priority = 1  # before references inside the solutions are resolved

    def run(self, **kwargs: Any) -> None:
        if self.config.dlcalc_pdf != "questions":
            return
        from sphinx_exercise.nodes import solution_end_node, solution_node, solution_start_node

        # After sphinx-exercise's transform only solution nodes remain; a start or end node
        # left unmerged would crash the writers, so it goes too.
        for node in list(self.document.findall(
                lambda n: isinstance(n, (solution_node, solution_start_node, solution_end_node)))):
            node.parent.remove(node)


def _set_title(app: Any, env: Any, docnames: list[str]) -> None:
    # Here, not at config-inited: Jupyter Book sets the book's title after Sphinx starts.
    config = app.config
    if config.dlcalc_pdf not in PDFS:
        return
    start, target, _title, author, theme, *rest = config.latex_documents[0]
    config.latex_documents = [(start, target, PDFS[config.dlcalc_pdf][1], author, theme, *rest)]


#: The LaTeX package of the PDFs' boxes, and how sphinx-exercise opens and closes a box
#: (a Sphinx note) and what the PDFs write instead.
STYLE = Path(__file__).resolve().parent.parent / "pdf" / "dlcalcbook.sty"
BOX = [("\\begin{sphinxadmonition}{note}", "\\begin{dlcalcbox}"),
       ("\\end{sphinxadmonition}", "\\end{dlcalcbox}")]


def _swap(body: list[str], start: int, old: str, new: str) -> None:
    """Replace sphinx-exercise's ``old`` by ``new`` in what a visitor wrote from ``start`` on."""
    for i in range(start, len(body)):
        if old in body[i]:
            body[i] = body[i].replace(old, new, 1)
            return
    raise ExtensionError(f"printbook: sphinx-exercise no longer writes {old!r} for its boxes")


def _boxed(visit: Any, depart: Any) -> tuple[Any, Any]:
    """LaTeX visitors that write the box as ``dlcalcbox`` and set figures in place
    (``[H]``) inside it."""

    def visit_boxed(self: Any, node: Any) -> None:
        self.no_latex_floats += 1
        start = len(self.body)
        visit(self, node)
        _swap(self.body, start, *BOX[0])

    def depart_boxed(self: Any, node: Any) -> None:
        start = len(self.body)
        depart(self, node)
        _swap(self.body, start, *BOX[1])
        self.no_latex_floats -= 1

    return visit_boxed, depart_boxed


def _add_style(app: Any, config: Any) -> None:
    # Copied beside book.tex by the LaTeX builder; an absolute path stays one under confdir.
    config.latex_additional_files = [*config.latex_additional_files, str(STYLE)]


def _register_boxes(app: Any) -> None:
    from sphinx_exercise import nodes as ex

    for node, visit, depart in [
        (ex.exercise_node, ex.visit_exercise_node, ex.depart_exercise_node),
        (ex.exercise_enumerable_node, ex.visit_exercise_enumerable_node,
         ex.depart_exercise_enumerable_node),
        (ex.solution_node, ex.visit_solution_node, ex.depart_solution_node),
    ]:
        app.add_node(node, override=True, latex=_boxed(visit, depart))


# ------------------------------------------------------------------ the HTML front page


class PdfDownloads(SphinxDirective):
    """Links to the built PDFs, or how to build them."""

    def run(self) -> list[nodes.Node]:
        if self.env.app.builder.format != "html":
            return []
        kinds = built_pdfs(self.env.app)
        self.env.dlcalc_pdf_pages = getattr(self.env, "dlcalc_pdf_pages", {})
        self.env.dlcalc_pdf_pages[self.env.docname] = kinds
        para = nodes.paragraph()
        if not kinds:
            para += nodes.Text("The PDFs are not part of this build: run ")
            para += nodes.literal(text="make pdf")
            para += nodes.Text(" to make them, then ")
            para += nodes.literal(text="make book")
            para += nodes.Text(" to link them here.")
            return [para]
        para += nodes.Text("Download: ")
        srcdir = Path(self.env.srcdir)
        for i, kind in enumerate(kinds):
            name, _, text = PDFS[kind]
            target = "/" + os.path.relpath(pdf_dir(self.env.app) / name, srcdir)
            ref = addnodes.download_reference(
                "", "", refdoc=self.env.docname, refdomain="", reftype="download",
                refexplicit=True, refwarn=False, reftarget=target)
            ref += nodes.Text(f"the {text} ({name})")
            para += nodes.Text("; " if i else "")
            para += ref
        para += nodes.Text(".")
        return [para]


def _outdated(app: Any, env: Any, added: set, changed: set, removed: set) -> list[str]:
    pages = getattr(env, "dlcalc_pdf_pages", {})
    now = built_pdfs(app)
    return [doc for doc, kinds in pages.items() if kinds != now and doc in env.found_docs]


def _purge(app: Any, env: Any, docname: str) -> None:
    getattr(env, "dlcalc_pdf_pages", {}).pop(docname, None)


def _merge(app: Any, env: Any, docnames: set, other: Any) -> None:
    pages = getattr(other, "dlcalc_pdf_pages", {})
    env.dlcalc_pdf_pages = getattr(env, "dlcalc_pdf_pages", {})
    env.dlcalc_pdf_pages.update({doc: pages[doc] for doc in docnames if doc in pages})


def setup(app: Any) -> dict[str, Any]:
    app.setup_extension("sphinx_exercise")
    app.add_config_value("dlcalc_pdf", os.environ.get("DLCALC_PDF", ""), "env", [str])
    app.connect("env-before-read-docs", _set_title)
    app.connect("config-inited", _add_style)
    app.add_latex_package(STYLE.stem)
    app.add_post_transform(RemoveSolutions)
    _register_boxes(app)
    app.add_directive("pdf-downloads", PdfDownloads)
    app.connect("env-get-outdated", _outdated)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
