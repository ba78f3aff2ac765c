"""A local Sphinx extension: the source solutions as pages of the book, and the verdicts
as downloadable data.

``{source-text} <key>`` (on a page of ``book/sources/``) shows the transcription of one
source solution (a key of ``records.claims.SOURCES``) read from its ``.txt`` file when the
page is built, so the page never drifts from the data the claims quote. The text is shown
verbatim, one line per line of the file, each with its number and an anchor, and each
line that a recorded claim quotes carries links back to the questions whose verdicts cite
it. Every line gets a label ``source-<key>-line-<n>`` (``Source.label``), which the verdict
tables reference with ``{ref}``. A build that leaves the source pages out (the PDFs) shows
those references as plain text.

``{verdict-downloads}`` (on the errata appendix) computes every verdict from the records
when the page is read and offers them as ``verdicts.csv`` and ``verdicts.json``, which the
HTML build writes beside the page.

Both directives read ``records`` (``book/records``); a page that uses neither costs nothing.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.util.docutils import SphinxDirective

BOOK = Path(__file__).resolve().parents[1]
LABEL_PREFIX = "source-"
DOWNLOADS = ("verdicts.csv", "verdicts.json")
#: The columns of the downloadable verdicts, in order.
FIELDS = ["question", "source", "source_name", "line", "quote", "what", "claimed", "answer",
          "verdict", "judgement", "cause", "page", "label"]


def _claims_module() -> Any:
    if str(BOOK) not in sys.path:
        sys.path.insert(0, str(BOOK))
    import records.claims

    return records.claims


def _all_claims() -> list[Any]:
    _claims_module()
    import records

    return records.all_claims()


def verdict_rows(verdicts: list[Any] | None = None) -> list[dict[str, Any]]:
    """Every claim with its verdict, as plain values (the rows of the downloads).

    ``verdicts`` (of every claim) are computed from the records when not given.
    """
    claims = _claims_module()
    if verdicts is None:
        import records

        verdicts = records.all_verdicts()
    rows = []
    for verdict in verdicts:
        claim = verdict.claim
        rows.append({
            "question": claim.question, "source": claim.source,
            "source_name": claims.SOURCES[claim.source].name, "line": claim.line,
            "quote": claim.quote, "what": claim.what, "claimed": claims.fmt(claim.claimed),
            "answer": claims.fmt(verdict.answer), "verdict": verdict.status,
            "judgement": claim.judgement, "cause": claim.cause, "page": claim.page,
            "label": claim.label,
        })
    return rows


def to_csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if row[k] is None else row[k]) for k in FIELDS})
    return out.getvalue()


def to_json(rows: list[dict[str, Any]]) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=1) + "\n"


# ------------------------------------------------------------------ the source pages


class source_listing(nodes.General, nodes.Element):
    """The lines of one source, each a :class:`source_line`."""


class source_line(nodes.General, nodes.Element):
    """One line: its number (``line``), its text and the questions that cite it."""


class source_code(nodes.FixedTextElement):
    """The text of one line, verbatim (a fixed-text node: smart quotes and backslash
    escapes leave it alone, so ``\\`` stays two backslashes)."""


def visit_listing_html(self: Any, node: source_listing) -> None:
    self.body.append(f'<div class="source-text" id="{node["key"]}-text"><pre>')


def depart_listing_html(self: Any, node: source_listing) -> None:
    self.body.append("</pre></div>\n")


def visit_line_html(self: Any, node: source_line) -> None:
    anchor = f"line-{node['line']}"
    # The number is not a link to itself: a thousand self-links would only slow the link
    # check; the line is reached through its anchor from every verdict that cites it.
    self.body.append(f'<span class="source-line" id="{anchor}">'
                     f'<span class="source-lineno">{node["line"]}</span>')


def depart_line_html(self: Any, node: source_line) -> None:
    self.body.append("</span>")  # each line is a block (CSS): no newline between them


def visit_code_html(self: Any, node: source_code) -> None:
    self.body.append(f'<span class="source-code">{self.encode(node.astext())}</span>')
    raise nodes.SkipNode


class SourceText(SphinxDirective):
    """The transcription of one source solution, line by line."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        claims = _claims_module()
        key = self.arguments[0]
        if key not in claims.SOURCES:
            raise self.error(f"source-text: unknown source {key!r}; "
                             f"one of {sorted(claims.SOURCES)}")
        source = claims.SOURCES[key]
        self.env.note_dependency(str(claims.SOURCE_DIR / source.file))
        cited: dict[int, list[Any]] = {}
        for claim in _all_claims():
            if claim.source == key and claim.line is not None:
                cited.setdefault(claim.line, []).append(claim)
        std = self.env.get_domain("std")
        listing = source_listing(key=key)
        for number, text in enumerate(source.lines(), start=1):
            label = source.label(number)
            anchor = f"line-{number}"
            std.anonlabels[label] = (self.env.docname, anchor)
            std.labels[label] = (self.env.docname, anchor, f"{source.name}, line {number}")
            line = source_line(line=number, text=text)
            line += source_code(text, text)
            questions = list(dict.fromkeys((c.question, c.label) for c in cited.get(number, [])))
            if questions:
                refs = nodes.inline(classes=["source-cited"])
                for i, (question, target) in enumerate(questions):
                    if i:
                        refs += nodes.Text(" ")
                    ref = addnodes.pending_xref("", refdomain="std", reftype="ref",
                                                reftarget=target, refexplicit=True,
                                                refwarn=True, refdoc=self.env.docname)
                    ref += nodes.inline(question, question)
                    refs += ref
                line += refs
            listing += line
        if self.env.app.builder.format != "html":
            # Other builders get the text as a plain literal block (the PDFs leave the
            # source pages out).
            text = "\n".join(source.lines())
            listing = nodes.literal_block(text, text)
        self.env.dlcalc_source_pages = getattr(self.env, "dlcalc_source_pages", {})
        self.env.dlcalc_source_pages[self.env.docname] = _citations(key)
        return [listing]


def _citations(key: str) -> tuple:
    """What a source page shows from the records: each cited line and its questions."""
    return tuple(sorted({(c.line, c.question) for c in _all_claims()
                         if c.source == key and c.line is not None}))


# ------------------------------------------------------------------ the downloads


class VerdictDownloads(SphinxDirective):
    """Links to every verdict as CSV and JSON (HTML builds; nothing elsewhere)."""

    def run(self) -> list[nodes.Node]:
        if self.env.app.builder.format != "html":
            return []
        self.env.dlcalc_verdicts = getattr(self.env, "dlcalc_verdicts", {})
        self.env.dlcalc_verdicts[self.env.docname] = verdict_rows()
        para = nodes.paragraph(classes=["verdict-downloads"])
        para += nodes.Text("Every verdict as data: ")
        for i, name in enumerate(DOWNLOADS):
            if i:
                para += nodes.Text(", ")
            ref = nodes.reference("", "", internal=False, refuri=name)
            ref += nodes.literal(text=name)
            para += ref
        para += nodes.Text(" (one row per claim: question, source, line, quote, what the "
                           "source claimed, the right answer, verdict, whether it is a "
                           "judgement, cause).")
        return [para]


def _write_downloads(app: Any, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    for docname, rows in getattr(app.env, "dlcalc_verdicts", {}).items():
        folder = Path(app.outdir) / Path(docname).parent
        folder.mkdir(parents=True, exist_ok=True)
        (folder / DOWNLOADS[0]).write_text(to_csv(rows), encoding="utf-8")
        (folder / DOWNLOADS[1]).write_text(to_json(rows), encoding="utf-8")


# ------------------------------------------------------------------ bookkeeping


def _outdated(app: Any, env: Any, added: set, changed: set, removed: set) -> list[str]:
    """Source pages whose citations changed (a claim's quote moved): read them again."""
    pages = getattr(env, "dlcalc_source_pages", {})
    if not pages:
        return []
    stale = []
    for docname, shown in pages.items():
        if docname not in env.found_docs:
            continue
        key = next((line_key for line_key in _keys_of(env, docname)), None)
        try:
            if key is None or _citations(key) != shown:
                stale.append(docname)
        except Exception:  # noqa: BLE001 - a broken record: reading the page reports it
            stale.append(docname)
    return stale


def _keys_of(env: Any, docname: str) -> list[str]:
    return getattr(env, "dlcalc_source_keys", {}).get(docname, [])


def _note_key(app: Any, doctree: nodes.document) -> None:
    keys = [node["key"] for node in doctree.findall(source_listing)]
    if keys:
        app.env.dlcalc_source_keys = getattr(app.env, "dlcalc_source_keys", {})
        app.env.dlcalc_source_keys[app.env.docname] = keys


def _source_refs_without_pages(app: Any, env: Any, node: Any, contnode: Any) -> Any:
    """In a build without the source pages (the PDFs), a line reference is plain text."""
    target = node.get("reftarget", "")
    if node.get("reftype") != "ref" or not target.startswith(LABEL_PREFIX):
        return None
    if any(doc.startswith("book/sources/") for doc in env.found_docs):
        return None  # the pages are part of this build: a missing line is an error
    return contnode


def _purge(app: Any, env: Any, docname: str) -> None:
    for attr in ("dlcalc_source_pages", "dlcalc_source_keys", "dlcalc_verdicts"):
        getattr(env, attr, {}).pop(docname, None)


def _merge(app: Any, env: Any, docnames: set, other: Any) -> None:
    for attr in ("dlcalc_source_pages", "dlcalc_source_keys", "dlcalc_verdicts"):
        theirs = getattr(other, attr, {})
        mine = getattr(env, attr, {})
        mine.update({doc: theirs[doc] for doc in docnames if doc in theirs})
        setattr(env, attr, mine)


def setup(app: Any) -> dict[str, Any]:
    app.add_node(source_listing, html=(visit_listing_html, depart_listing_html))
    app.add_node(source_line, html=(visit_line_html, depart_line_html))
    app.add_node(source_code, html=(visit_code_html, None))
    app.add_directive("source-text", SourceText)
    app.add_directive("verdict-downloads", VerdictDownloads)
    app.connect("doctree-read", _note_key)
    app.connect("env-get-outdated", _outdated)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("missing-reference", _source_refs_without_pages)
    app.connect("build-finished", _write_downloads)
    static = Path(__file__).parent / "static"
    app.connect("builder-inited", lambda app: app.config.html_static_path.append(str(static))
                if app.builder.format == "html" else None)
    app.add_css_file("sourcetext.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
