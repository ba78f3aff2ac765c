"""The two printed PDFs, built by `make pdf` and read back with pdftotext (poppler-utils).

The question handout must hold every question and no solution; the answer key must hold
every question with its solution, its glued numbers exactly as the HTML book shows them,
its figures and its verdicts. Neither may show raw TeX or a widget of the HTML pages.
The glued values are read from the built HTML book (`make test` builds it first).
"""

from __future__ import annotations

import re
import subprocess
import sys
import unicodedata
from functools import cache
from typing import Any

import pytest

from pagecheck import BOOK, ROOT

sys.path[:0] = [str(BOOK), str(BOOK / "_ext")]
from pagefixes import question_number  # noqa: E402
from printbook import PDFS  # noqa: E402
from records import all_claims  # noqa: E402
from records.claims import DIFFERS, SOURCES, check, fmt, label_of, verdict_text  # noqa: E402
from records.topics import TOPICS, section_titles  # noqa: E402

bs4 = pytest.importorskip("bs4")

PDF_DIR = ROOT / "_build" / "pdf"
HTML = ROOT / "_build" / "html" / "book"
QUESTIONS = sorted({q for qs in TOPICS.values() for q in qs})
PAGES = {"A2": "cse616-assignment2", "A1": "assignment1", "HW2": "homework2",
         "EX": "cs60010-midsem"}
#: Questions whose glued answers are compared with the HTML page, value by value.
GLUED = ["A2-Q2", "A2-Q7", "A1-Q1", "A1-Q13", "EX-Q2", "EX-Q7(a)", "HW2-B2(ii)"]

pytestmark = pytest.mark.slow


def normalise(text: str) -> str:
    """One form for PDF and HTML text: compatibility characters (ligatures, math italic
    letters) folded, typographic apostrophes straightened, all whitespace one space."""
    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'")
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def pdfs() -> dict[str, str]:
    """The text of both PDFs by kind: the ones `make pdf` made (make test builds them
    first), if they were made in the present state of the book; else built now."""
    import depcache

    made = all((PDF_DIR / f"dlcalc-{kind}.pdf").is_file() for kind in ("questions", "answers"))
    if not made or depcache.Plan(ROOT, ROOT / "_build").stale_pdfs():
        result = subprocess.run(["make", "pdf"], cwd=ROOT, capture_output=True, text=True,
                                timeout=1800)
        assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    texts = {}
    for kind in ("questions", "answers"):
        pdf = PDF_DIR / f"dlcalc-{kind}.pdf"
        out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"],
                             capture_output=True, text=True, check=True)
        texts[kind] = out.stdout
    return texts


def heading(question: str) -> str:
    return section_titles()[label_of(question)][1]


def sections(text: str) -> dict[str, str]:
    """The body text of each question's section, from its numbered heading to the next
    one (the table of contents, with its dot leaders, and running heads are skipped)."""
    starts = {}
    for question in QUESTIONS:
        pattern = re.compile(r"^\d+\.\d+ " + re.escape(heading(question)) + r"$", re.M)
        match = pattern.search(text.replace("\u2019", "'"))
        if match:
            starts[question] = match.start()
    bounds = sorted(starts.values()) + [len(text)]
    return {q: normalise(text[s:bounds[bounds.index(s) + 1]]) for q, s in starts.items()}


@cache
def html_question(question: str) -> tuple[str, list[str], list[str]]:
    """From the built HTML page: the exercise's text, its glued values and the solution's
    glued values, in page order."""
    page = HTML / f"{PAGES[question.split('-')[0]]}.html"
    if not page.is_file():
        pytest.fail("the book is not built: run `make book` (make test does it first)")
    soup = bs4.BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    section = soup.find(id=label_of(question)).parent
    exercise = section.find("div", class_="exercise")
    solution = section.find("div", class_="solution")
    def glued(div: Any) -> list[str]:
        return [normalise(s.get_text()) for s in div.find_all(class_="pasted-text")]

    return normalise(exercise.get_text(" ")), glued(exercise), glued(solution)


def in_order(values: list[str], text: str) -> list[str]:
    """The values not found in ``text`` one after the other (empty: all found in order)."""
    missing, at = [], 0
    for value in values:
        found = text.find(value, at)
        if found < 0:
            missing.append(value)
        else:
            at = found + len(value)
    return missing


def test_both_pdfs_hold_every_question(pdfs: dict[str, str]) -> None:
    assert len(QUESTIONS) >= 40
    for kind, text in pdfs.items():
        assert normalise(text).startswith(PDFS[kind][1]), f"{kind}: not its own title"
        found = sections(text)
        assert [q for q in QUESTIONS if q not in found] == [], f"{kind}: questions missing"
        # The topic index prints each question's id beside its title.
        flat = normalise(text)
        assert [q for q in QUESTIONS if f"({q})" not in flat] == [], f"{kind}: ids missing"


def test_the_handout_holds_no_solution(pdfs: dict[str, str]) -> None:
    questions, answers = normalise(pdfs["questions"]), normalise(pdfs["answers"])
    for phrase in ["Solution to Question", "What the sources said", "Appendix: errata",
                   "problems.question(", "def solve", "dc.conv_params("]:
        assert phrase in answers, phrase
        assert phrase not in questions, phrase
    assert answers.count("Solution to Question") == len(QUESTIONS)


def test_the_handout_does_not_give_the_answers_away(pdfs: dict[str, str]) -> None:
    handout = sections(pdfs["questions"])
    for question in GLUED:
        exercise_text, given, solved = html_question(question)
        answers_only = {v for v in solved if len(v) >= 3 and v not in given
                        and v not in exercise_text}
        assert answers_only, question
        leaked = [v for v in sorted(answers_only) if v in handout[question]]
        assert leaked == [], f"{question}: the handout shows {leaked}"


def test_the_answer_key_shows_the_glued_answers_of_the_html_book(pdfs: dict[str, str]) -> None:
    answers = sections(pdfs["answers"])
    for question in GLUED:
        _, given, solved = html_question(question)
        assert solved, question
        assert in_order(given + solved, answers[question]) == [], question


def test_the_answer_key_has_every_figure(pdfs: dict[str, str]) -> None:
    html_images = set()
    for page in list(PAGES.values()) + ["errata"]:
        soup = bs4.BeautifulSoup((HTML / f"{page}.html").read_text(encoding="utf-8"),
                                 "html.parser")
        html_images |= {img["src"] for img in soup.select("article img")}
    listing = subprocess.run(["pdfimages", "-list", str(PDF_DIR / "dlcalc-answers.pdf")],
                             capture_output=True, text=True, check=True).stdout
    pdf_images = [line for line in listing.splitlines()[2:] if " image " in line]
    assert html_images and len(pdf_images) >= len(html_images)


def test_math_is_typeset_and_no_html_widget_is_left(pdfs: dict[str, str]) -> None:
    # Typeset math comes out of pdftotext as mathematical italic letters (U+1D400 on).
    for kind, text in pdfs.items():
        assert re.search("[\U0001D400-\U0001D7FF]", text), f"{kind}: no typeset math"
        flat = normalise(text)
        # Glued math left as text or as a Python repr; the HTML pages' buttons and prompts;
        # the source of a cell whose input is removed.
        for junk in [r"\displaystyle", "<IPython", "IPython.core.display", "Show code cell",
                     "Hide code cell", "Copy to clipboard", "Click to show", "show_verdicts("]:
            assert junk not in flat, f"{kind}: {junk!r}"
    # The handout has no code at all, so no TeX may show in it.
    handout = normalise(pdfs["questions"])
    for tex in [r"\frac", r"\begin", r"\times", r"\(", "$"]:
        assert tex not in handout, tex


#: "A few points": LaTeX's own tolerance for a line that sticks out unnoticed.
OVERFULL_PT = 3.0


def overfull_boxes(log: str) -> list[tuple[str, float]]:
    """Each overfull box of the final LaTeX run in a build log: ``("hbox", pt)`` for a line
    wider than the page, ``("vbox", pt)`` for a page (or a piece of one) taller than it."""
    runs = re.split(r"Run number \d+ of rule '(?:pdf|xe|lua)?latex'", log)
    assert len(runs) > 1, "no LaTeX run in the log"
    return [(kind, float(pt)) for kind, pt in
            re.findall(r"Overfull \\([hv]box) \(([0-9.]+)pt too (?:wide|high)\)", runs[-1])]


def test_overfull_boxes_are_read_from_the_last_run() -> None:
    log = ("Run number 1 of rule 'xelatex'\n"
           "Overfull \\hbox (99.0pt too wide) in paragraph at lines 1--2\n"
           "Run number 2 of rule 'xelatex'\n"
           "Overfull \\hbox (12.5pt too wide) in paragraph at lines 10--12\n"
           "[3] [4]\nOverfull \\vbox (146.95995pt too high) detected at line 1847\n"
           "Underfull \\vbox (badness 10000) has occurred while \\output is active [5]\n")
    assert overfull_boxes(log) == [("hbox", 12.5), ("vbox", 146.95995)]


def test_nothing_runs_off_the_page(pdfs: dict[str, str]) -> None:
    # The log `make pdf` keeps of each PDF's build.
    for kind in PDFS:
        log = (PDF_DIR / f"{kind}.log").read_text(encoding="utf-8", errors="replace")
        found = overfull_boxes(log)
        over = sorted(((pt, box) for box, pt in found if pt > OVERFULL_PT), reverse=True)
        assert over == [], (f"{kind}: {len(over)} boxes run off the page, the worst "
                            f"{over[0][0]} pt ({over[0][1]})")


def squash(text: str) -> str:
    """Letters and digits only: line breaks, hyphenation, spacing and punctuation of the
    typeset text do not matter."""
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text)).lower()


def test_the_answer_key_holds_every_verdict_of_the_appendix(pdfs: dict[str, str]) -> None:
    text = pdfs["answers"]
    opening = text.index("claims checked")  # the appendix opens with its counts
    appendix = squash(text[text.rindex("Appendix: errata", 0, opening):])
    missing = []
    for claim in all_claims():
        verdict = check(claim)
        line = claim.line
        source = SOURCES[claim.source].name + (f", line {line}" if line else "")
        # One item of the appendix: question, source, quantity, ..., verdict, close together.
        pieces = [claim.question, source, claim.what, verdict_text(verdict)]
        if verdict.status == DIFFERS:
            # Listed among the errors, under its question's heading, with its cause.
            pieces = [source, claim.what, claim.cause]
            assert squash(claim.question) in appendix, claim.question
        if not re.search(".{0,300}?".join(re.escape(squash(p)) for p in pieces), appendix):
            missing.append(f"{claim.question} [{claim.source}] {claim.what}: "
                           f"{verdict_text(verdict)} ({fmt(verdict.answer)})")
    assert missing == []


def test_no_pdf_calls_a_source_a_seed(pdfs: dict[str, str]) -> None:
    for kind, text in pdfs.items():
        assert re.findall(r"\bseeds? ?\d{3}\b", text, re.I) == [], kind


def test_exercise_numbers_are_the_question_numbers(pdfs: dict[str, str]) -> None:
    for kind, text in pdfs.items():
        found = sections(text)
        for question in QUESTIONS:
            number = question_number(heading(question))
            assert number, question
            body = found[question]
            # The box's title follows the heading: "Question 7(a)" (then its text).
            after = body.split(heading(question), 1)[-1]
            assert f"Question {number}" in after, (kind, question)
            if kind == "answers":
                assert f"Solution to Question {number}" in body, question
