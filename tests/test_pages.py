"""Checks on the book's sources and on the built HTML book (`make book` builds it)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from pagecheck import BOOK, ROOT, hand_typed_numbers, page_sources

sys.path.insert(0, str(BOOK))
import records  # noqa: E402
from records.claims import label_of  # noqa: E402

HTML = ROOT / "_build" / "html"
QUESTIONS = BOOK / "sources" / "QUESTIONS.md"


@pytest.mark.parametrize("page", page_sources(), ids=lambda p: p.name)
def test_no_number_typed_by_hand_in_a_solution(page: Path) -> None:
    findings = hand_typed_numbers(page.read_text(encoding="utf-8"), page.name)
    assert findings == [], "numbers typed by hand in solutions (glue them from dlcalc):\n" + \
        "\n".join(f"{f.path}:{f.line}: {f.number!r} in {f.text!r}" for f in findings)


def _labels(page: Path) -> set[str]:
    return set(re.findall(r"^\(([^)]+)\)=\s*$", page.read_text(encoding="utf-8"), re.M))


def test_every_claim_points_at_a_labelled_section_of_its_page() -> None:
    claims = records.all_claims()
    assert claims, "no claim recorded"
    for claim in claims:
        page = BOOK / f"{claim.page}.md"
        assert page.exists(), f"{claim.question}: no page {page.name}"
        assert claim.label in _labels(page), f"{claim.question}: no section ({claim.label})= in {page.name}"


def test_every_question_of_the_inventory_has_a_section() -> None:
    ids = re.findall(r"^\| ((?:A2|A1|HW2|EX)-[^ |]+) \|", QUESTIONS.read_text(), re.M)
    assert len(ids) >= 40
    labels = set().union(*(_labels(p) for p in page_sources()))
    missing = [q for q in ids if label_of(q) not in labels]
    assert missing == []


def _built_pages() -> list[Path]:
    if not HTML.is_dir():
        pytest.fail("the book is not built: run `make book` (make test does it first)")
    return sorted(p for p in HTML.glob("*.html") if p.name not in {"genindex.html", "search.html"}) + \
        sorted((HTML / "book").glob("*.html"))


@pytest.mark.slow
def test_built_book_has_every_page() -> None:
    built = {p.stem for p in _built_pages()}
    for page in page_sources():
        assert page.stem in built, f"{page.name} was not built"


@pytest.mark.slow
@pytest.mark.parametrize("marker", ["Traceback (most recent call last)", "&lt;Figure size",
                                    "<Figure size", "Error in glue", "NameError", "nan</"])
def test_no_page_shows_a_traceback_or_a_raw_repr(marker: str) -> None:
    for page in _built_pages():
        assert marker not in page.read_text(encoding="utf-8"), f"{marker!r} in {page.name}"
