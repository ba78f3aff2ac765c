"""The source solutions in the repository, and every claim's place in them.

Each claim quotes the text of its source that it judges; the quote must stand on exactly one
line of that source's transcription (book/sources/*.txt), so its verdict can link to the
line. These tests need no built book.
"""

from __future__ import annotations

import html as htmllib
import re
import sys

import pytest
import yaml

from pagecheck import BOOK, ROOT

sys.path.insert(0, str(BOOK))
from records import all_claims  # noqa: E402
from records.claims import SOURCE_DIR, SOURCES, QuoteError, quote_line  # noqa: E402


def test_each_source_is_a_file_of_the_repository_with_a_page_in_the_book() -> None:
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    files = yaml.safe_load(toc)
    listed = re.findall(r"file: (\S+)", toc)
    assert files and "book/sources/index" in listed
    for source in SOURCES.values():
        assert (SOURCE_DIR / source.file).is_file(), source.file
        assert len(source.lines()) > 50, source.file
        assert f"book/{source.page}" in listed, source.page
        page = (BOOK / f"{source.page}.md").read_text(encoding="utf-8")
        # The page shows the text through the directive (never a copy that could drift)
        # and names the file it comes from.
        assert f"```{{source-text}} {source.key}\n```" in page, source.page
        assert f"book/sources/{source.file}" in page, source.page
        assert page.splitlines()[1] == f"# {source.name}", source.page


def test_a_quote_must_name_exactly_one_line() -> None:
    lines = SOURCES["exam"].lines()
    # A whole line that occurs once names itself (found by reading, not by the function).
    unique = next(n for n, text in enumerate(lines, start=1)
                  if len(text) > 30 and sum(text in other for other in lines) == 1)
    assert quote_line("exam", lines[unique - 1]) == unique
    assert quote_line("exam", "") is None
    with pytest.raises(QuoteError, match="on no line"):
        quote_line("exam", "this sentence is in no source")
    repeated = next(text for text in lines if text.strip() and lines.count(text) > 1)
    with pytest.raises(QuoteError, match="on lines"):
        quote_line("exam", repeated)


def test_every_claim_quotes_one_line_of_its_source() -> None:
    problems = []
    for claim in all_claims():
        where = f"{claim.question} [{claim.source}] {claim.what!r}"
        if not claim.quote:
            problems.append(f"{where}: no quote")
            continue
        try:
            line = claim.line
        except QuoteError as error:
            problems.append(str(error))
            continue
        assert claim.quote in SOURCES[claim.source].lines()[line - 1]
    assert problems == [], f"{len(problems)} claims:\n" + "\n".join(problems)


def test_no_source_is_called_a_seed_in_the_book_sources() -> None:
    seed = re.compile(r"\bseeds? ?\d{3}\b", re.I)
    files = [*BOOK.glob("*.md"), *BOOK.glob("sources/*.md"), *BOOK.glob("pdf/*.md"),
             *BOOK.glob("records/*.py")]
    found = [f"{path.relative_to(ROOT)}:{n}" for path in files
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if seed.search(line)]
    assert found == []


# ------------------------------------------------------------------ the built pages

HTML = ROOT / "_build" / "html"


def _built(path: str) -> str:
    page = HTML / path
    if not page.is_file():
        pytest.fail("the book is not built: run `make book`")
    return page.read_text(encoding="utf-8")


@pytest.mark.slow
def test_every_source_page_shows_every_line_with_its_anchor() -> None:
    for source in SOURCES.values():
        html = _built(f"book/{source.page}.html")
        ids = re.findall(r'<span class="source-line" id="line-(\d+)">', html)
        assert ids == [str(n) for n in range(1, len(source.lines()) + 1)], source.page
        assert "(source-" not in html and source.name in html
        # Verbatim: every line's text as it stands in the file (LaTeX's \\ included).
        codes = re.findall(r'<span class="source-code">(.*?)</span>', html, re.S)
        assert [htmllib.unescape(c) for c in codes] == source.lines(), source.page


@pytest.mark.slow
def test_every_link_to_a_source_line_lands_on_it() -> None:
    links = 0
    for page in ["cse616-assignment2", "assignment1", "homework2", "cs60010-midsem", "errata"]:
        html = _built(f"book/{page}.html")
        for target, line in re.findall(r'href="(sources/[a-z0-9-]+\.html)#line-(\d+)"', html):
            links += 1
            assert f'id="line-{line}"' in _built(f"book/{target}"), (page, target, line)
    quoted = sum(1 for c in all_claims() if c.quote)
    # Each quoted claim is linked at least twice: on its chapter and in the appendix.
    assert links >= 2 * quoted


@pytest.mark.slow
def test_no_built_page_calls_a_source_a_seed() -> None:
    seed = re.compile(r"\bseeds? ?\d{3}\b", re.I)
    found = [str(path.relative_to(HTML)) for path in HTML.rglob("*.html")
             if seed.search(re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8")))]
    assert found == []


@pytest.mark.slow
def test_a_cited_line_links_back_to_its_question() -> None:
    for claim in all_claims():
        html = _built(f"book/{SOURCES[claim.source].page}.html")
        start = html.index(f'<span class="source-line" id="line-{claim.line}">')
        end = html.find('<span class="source-line"', start + 1)
        line = html[start:end if end > 0 else None]
        assert f'href="../{claim.page}.html#{claim.label}"' in line, (claim.question, claim.what)
