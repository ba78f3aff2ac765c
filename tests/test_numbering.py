"""Each exercise box carries its question's own number, the one of its heading (issue 16).

The headings number questions as the sources do ("Question 7(a): ..."); sphinx-exercise
would number the boxes through the whole book. Read from the built HTML book.
"""

from __future__ import annotations

import re
import sys
from typing import Any

import pytest

from pagecheck import BOOK, ROOT

sys.path.insert(0, str(BOOK / "_ext"))
from pagefixes import question_number  # noqa: E402

bs4 = pytest.importorskip("bs4")

HTML = ROOT / "_build" / "html" / "book"
PAGES = ["cse616-assignment2", "assignment1", "homework2", "cs60010-midsem"]


def test_the_number_is_the_one_of_the_heading() -> None:
    assert question_number("Question 7(a): shapes and parameters") == "7(a)"
    assert question_number("Question A1 (i): all weights initialised to zero") == "A1 (i)"
    assert question_number("Question 12: why convolutions") == "12"
    assert question_number("Appendix: errata") is None


def boxes(page: str) -> list[tuple[str, str, str]]:
    """(heading, exercise title, solution title) of every question section of a page."""
    path = HTML / f"{page}.html"
    if not path.is_file():
        pytest.fail("the book is not built: run `make book`")
    soup = bs4.BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    found = []
    for section in soup.select("section"):
        heading = section.find(["h2", "h3"], recursive=False)
        exercise = section.find("div", class_="exercise", recursive=False)
        if heading is None or exercise is None:
            continue
        solution = section.find("div", class_="solution")
        found.append((heading.get_text().replace("#", "").strip(), _title(exercise),
                      _title(solution)))
    return found


def _title(div: Any) -> str:
    """The admonition title of an exercise or solution box ("" when there is no box)."""
    if not div:
        return ""
    text = div.find(class_="admonition-title").get_text(" ")
    return re.sub(r"\s+", " ", text).replace("#", "").strip()


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_each_box_carries_the_number_of_its_heading(page: str) -> None:
    found = boxes(page)
    assert len(found) >= 9
    for heading, exercise, solution in found:
        number = question_number(heading)
        assert number, heading
        assert exercise == f"Question {number}" or exercise.startswith(f"Question {number} ("), \
            (heading, exercise)
        assert solution.startswith(f"Solution to Question {number}"), (heading, solution)
