"""Internal links and anchors of the built book.

External links are not followed (the build machine has no network); every link from a page
of the book to a file of the book, and every #anchor in such a link, must resolve. The
checker reads each HTML file once with the standard library's parser and collects its ids,
so the ~8,000 links of the book (code names linked to the API, claims linked to source
lines) are checked in seconds; a self-test shows it catches a broken link and anchor.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from pagecheck import ROOT

HTML = ROOT / "_build" / "html"

pytestmark = pytest.mark.slow

#: Attributes that point at another file of the site.
LINK_ATTRS = {("a", "href"), ("link", "href"), ("img", "src"), ("script", "src"),
              ("iframe", "src"), ("source", "src")}


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta" and dict(attrs).get("http-equiv", "").lower() == "refresh":
            content = dict(attrs).get("content") or ""
            if "url=" in content.lower():  # the front page redirects to the first page
                self.links.append(content[content.lower().index("url=") + 4:].strip())
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (tag == "a" and name == "name"):
                self.ids.add(value)
            if (tag, name) in LINK_ATTRS:
                self.links.append(value)


def _read(path: Path, cache: dict[Path, _Page]) -> _Page:
    if path not in cache:
        page = _Page()
        page.feed(path.read_text(encoding="utf-8", errors="replace"))
        cache[path] = page
    return cache[path]


def broken_links(site: Path) -> tuple[int, list[str]]:
    """Crawl the pages reachable from ``site/index.html``; return how many pages were read
    and every internal link whose file or anchor is missing, as ``"page -> link (reason)"``.
    """
    cache: dict[Path, _Page] = {}
    problems: list[str] = []
    start = (site / "index.html").resolve()
    seen, queue = {start}, [start]
    while queue:
        page_path = queue.pop()
        for link in _read(page_path, cache).links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith(("mailto:", "javascript:")):
                continue  # external: not followed offline
            target = (page_path.parent / unquote(parts.path)).resolve() if parts.path \
                else page_path
            if target.is_dir():
                target = target / "index.html"
            where = f"{page_path.relative_to(site.resolve())} -> {link}"
            if not target.is_file():
                problems.append(f"{where} (no such file)")
                continue
            if target.suffix == ".html" and target not in seen:
                seen.add(target)
                queue.append(target)
            anchor = unquote(parts.fragment)
            if anchor and target.suffix == ".html" and anchor not in _read(target, cache).ids:
                problems.append(f"{where} (no such anchor)")
    return len(seen), sorted(problems)


def test_no_broken_internal_link_or_anchor() -> None:
    if not HTML.is_dir():
        pytest.fail("the book is not built: run `make book` (make test does it first)")
    n_pages, problems = broken_links(HTML)
    assert n_pages > 20  # the crawl really went through the book
    assert problems == [], "\n".join(problems[:50])


def test_the_link_check_catches_a_broken_link_and_anchor(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "sub").mkdir(parents=True)
    for name in ("page.html", "other.html", "sub/index.html"):
        (site / name).write_text('<html><body><h1 id="here">Here</h1></body></html>')
    (site / "index.html").write_text(
        '<html><body><a href="page.html#here">ok</a><a href="sub/">ok</a>'
        '<a href="#top" id="top">ok</a><a href="https://example.org/x">external</a>'
        '<a href="missing.html">x</a><img src="img/none.png">'
        '<a href="other.html#no-such-anchor">y</a></body></html>')
    n_pages, problems = broken_links(site)
    assert n_pages == 4
    assert problems == sorted(["index.html -> missing.html (no such file)",
                               "index.html -> img/none.png (no such file)",
                               "index.html -> other.html#no-such-anchor (no such anchor)"])
