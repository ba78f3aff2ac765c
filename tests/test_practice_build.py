"""The self-checks and practice versions in the built site (`make book`, `make practice`).

For every question of the bank that asks for answers and whose page renders it
(``problems.question(qid)``):

- its page has a self-check, between the exercise and the solution, whose digests are
  those of the question's answers (original on the book's page, version ``seed`` on
  ``practice/<seed>/``), and no answer in plain text;
- the original's self-check links to each practice version, at an anchor that exists
  there, and each version links back;
- each practice version has new numbers (in its question, or in its solution);
- practice pages carry the banner and nothing of what the sources said.
"""

from __future__ import annotations

from collections.abc import Iterator

import re
import sys
from functools import cache
from pathlib import Path
from urllib.parse import urldefrag

import pytest

from pagecheck import BOOK, ROOT

sys.path[:0] = [str(BOOK), str(BOOK / "_ext")]
from dlcalc import problems  # noqa: E402
from records import practice  # noqa: E402
import variants  # noqa: E402

bs4 = pytest.importorskip("bs4")

pytestmark = pytest.mark.slow

HTML = ROOT / "_build" / "html"


@pytest.fixture(autouse=True, scope="module")
def _memo_of_the_build() -> Iterator[None]:
    """Expensive solves (training runs) come from the store the book build filled; set for
    this module's tests only (other tests build toy books with stores of their own)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DLCALC_CACHE_DIR", str(ROOT / "_build" / ".dlcalc_memo"))
        yield

SOURCES = {p: p.read_text(encoding="utf-8") for p in sorted(BOOK.glob("*.md"))}


def rendered() -> list[tuple[problems.Problem, str]]:
    """(problem, page name) for each question with answers that a page renders."""
    out = []
    for p in problems.all_problems():
        pages = [path.stem for path, text in SOURCES.items()
                 if f'problems.question("{p.qid}")' in text]
        if pages and p.answers(p.solve()):
            out.extend((p, page) for page in pages)
    return out


CASES = rendered()


@cache
def soup(path: Path):
    if not path.is_file():
        pytest.fail(f"{path.relative_to(ROOT)} is not built: run `make book` and "
                    "`make practice` (make test does both)")
    return bs4.BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def page_path(page: str, seed: int | None) -> Path:
    return HTML / ("" if seed is None else f"practice/{seed}") / "book" / f"{page}.html"


def form_of(page: str, seed: int | None, qid: str):
    forms = soup(page_path(page, seed)).select(f'form.dlcalc-selfcheck[data-qid="{qid}"]')
    assert len(forms) == 1, f"{page}: {len(forms)} self-checks for {qid}"
    return forms[0]


def test_every_rendered_question_with_answers_is_found() -> None:
    assert "A2-Q7" in {p.qid for p, _ in CASES}


def test_every_page_calls_selfcheck_for_its_questions() -> None:
    missing = [f"{page}: {p.qid}" for p, page in CASES
               if f'selfcheck(problems.question("{p.qid}")' not in SOURCES[BOOK / f"{page}.md"]]
    assert missing == [], ("add a remove-input cell `selfcheck(problems.question(qid))` right "
                           f"after the exercise (book/records/practice.py): {missing}")


@pytest.mark.parametrize("seed", (None,) + variants.PRACTICE_SEEDS)
@pytest.mark.parametrize("problem, page", CASES, ids=lambda x: getattr(x, "qid", x))
def test_the_selfcheck_holds_the_digests_of_its_version(problem, page, seed) -> None:
    version = problem if seed is None or not type(problem).has_variants() \
        else problem.variant(seed)
    if seed is not None and not type(problem).has_variants():
        pytest.skip("a conceptual question has no practice versions")
    form = form_of(page, seed, problem.qid)
    assert form["data-version"] == ("original" if seed is None else str(seed))
    rows = {row["data-name"]: row for row in form.select(".dlcalc-selfcheck-row")}
    answers = version.answers(version.solve())
    assert set(rows) == {a.name for a in answers}
    # what the form says and holds, but for its digests and links
    bare = bs4.BeautifulSoup(str(form), "html.parser")
    for tag in bare.find_all(True):
        for attr in ("data-digests", "href"):
            tag.attrs.pop(attr, None)
    for link in bare.select(".dlcalc-practice-links"):
        link.decompose()
    bare_text = str(bare)
    given = _exercise_text(form)
    for a in answers:
        want = {practice.digest(problem.qid, a.name, f) for f in practice.canonicals(a)}
        assert set(rows[a.name]["data-digests"].split()) == want, (problem.qid, a.name)
        assert rows[a.name].select_one(".dlcalc-selfcheck-tolerance").get_text().strip()
        if a.kind == "choice":
            continue  # a word of the answer may stand in another answer's prompt
        for form_text in practice.canonicals(a):
            if form_text in given:
                continue  # given in the question (a layer's filter count, say)
            # long enough not to be a count or a size of the prompt by chance
            if len(form_text.replace("-", "").replace(".", "")) >= 3 or "," in form_text \
                    or "x" in form_text:
                assert not re.search(rf"(?<![\w.]){re.escape(form_text)}(?![\w.])",
                                     bare_text), (problem.qid, a.name, form_text)
    # between the exercise and the solution, in the question's own section
    section = form.find_parent("section")
    exercise = section.find("div", class_="exercise")
    solution = section.find("div", class_="solution")
    order = [el for el in section.descendants if el in (exercise, form, solution)]
    assert order == [exercise, form, solution]


@pytest.mark.parametrize("problem, page", [c for c in CASES if type(c[0]).has_variants()],
                         ids=lambda x: getattr(x, "qid", x))
def test_versions_link_to_each_other_and_have_new_numbers(problem, page) -> None:
    original = form_of(page, None, problem.qid)
    here = page_path(page, None)
    links = [a["href"] for a in original.select("a.dlcalc-practice-link")]
    assert len(links) == len(variants.PRACTICE_SEEDS) >= 5
    def seen(form) -> tuple[str, str]:
        """What a reader meets: the question, and the whole section (solution included:
        a question may refer to the data of an earlier one)."""
        section = bs4.BeautifulSoup(str(form.find_parent("section")), "html.parser")
        for own in section.select("form.dlcalc-selfcheck, .dlcalc-practice-banner"):
            own.decompose()  # the links differ between versions; the data must too
        figures = " ".join(img.get("src", "") for img in section.select("img"))
        return _exercise_text(form), re.sub(r"\s+", " ", section.get_text(" ")) + figures

    texts = {None: seen(form_of(page, None, problem.qid))}
    for seed, href in zip(variants.PRACTICE_SEEDS, links):
        path, anchor = urldefrag(href)
        target = (here.parent / path).resolve()
        assert target == page_path(page, seed).resolve(), href
        assert soup(target).find(id=anchor) is not None, f"{href}: no #{anchor} there"
        form = form_of(page, seed, problem.qid)
        assert form.find_parent("section").find(id=anchor) or \
            form.find_parent("section").get("id") == anchor
        back = [a["href"] for a in form.select("a.dlcalc-practice-link")]
        assert any((target.parent / urldefrag(b)[0]).resolve() == here.resolve() for b in back)
        texts[seed] = seen(form)
    # New numbers: in the question's text or figures, or (when the question refers to the
    # data of an earlier one) in its worked solution.
    assert all(texts[s][0] != texts[None][0] or texts[s][1] != texts[None][1]
               for s in variants.PRACTICE_SEEDS), \
        f"{problem.qid}: a practice version reads as the original"


def _exercise_text(form) -> str:
    """The exercise's text and its figures (a question may give its data as a figure)."""
    exercise = form.find_parent("section").find("div", class_="exercise")
    figures = " ".join(img.get("src", "") for img in exercise.select("img"))
    return re.sub(r"\s+", " ", exercise.get_text(" ")) + " " + figures


@pytest.mark.parametrize("seed", variants.PRACTICE_SEEDS)
def test_practice_pages_have_a_banner(seed: int) -> None:
    pages = sorted((HTML / "practice" / str(seed) / "book").glob("*.html"))
    assert {p.stem for p in pages} >= {"cse616-assignment2", "assignment1", "homework2",
                                       "cs60010-midsem"}
    for path in pages:
        banner = soup(path).select_one(".dlcalc-practice-banner")
        assert banner is not None and f"Practice version {seed}" in banner.get_text(), path


@pytest.mark.parametrize("seed", variants.PRACTICE_SEEDS)
@pytest.mark.parametrize("problem, page", [c for c in CASES if type(c[0]).has_variants()],
                         ids=lambda x: getattr(x, "qid", x))
def test_a_practice_question_shows_nothing_of_the_sources(problem, page, seed) -> None:
    section = form_of(page, seed, problem.qid).find_parent("section")
    text = section.get_text(" ")
    for phrase in ["What the sources said", "Verdict", "seed 00", "solution A",
                   "solution B"]:
        assert phrase not in text, f"{page} {problem.qid} version {seed}: {phrase!r}"
    assert section.select("table") == [] or all(
        "Verdict" not in t.get_text() for t in section.select("table"))
