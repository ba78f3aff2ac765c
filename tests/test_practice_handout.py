"""An instructor's handout and answer key of a practice version, and the printed book.

``book/practice/handout.py`` (``make handout SEED=<n> SET=<set>``) is run for one set and a
seed that the HTML site also offers as a practice version; the PDFs are read back with
pdftotext and compared with that version's HTML pages (``make practice``):

- the handout holds each question of the version with its new data, and no solution: no
  solution box, and none of the values that only the HTML solution shows;
- the answer key holds the HTML solution's glued values, in order, and nothing of what the
  sources said (that belongs to the original);
- neither PDF, nor the original ones of ``make pdf``, shows the HTML self-check.
"""

from __future__ import annotations

import re
import subprocess
import sys
import unicodedata
from functools import cache

import pytest

from pagecheck import BOOK, ROOT

sys.path[:0] = [str(BOOK), str(BOOK / "_ext"), str(BOOK / "practice")]
import handout  # noqa: E402
from dlcalc import problems  # noqa: E402
from records.claims import label_of  # noqa: E402
from records.topics import section_titles  # noqa: E402

bs4 = pytest.importorskip("bs4")

pytestmark = pytest.mark.slow

SEED = 3
SET = "cse616_a2"
OUT = ROOT / "_build" / "handout" / str(SEED)
PAGE = ROOT / "_build" / "html" / "practice" / str(SEED) / f"{handout.CHAPTERS[SET]}.html"
WIDGET = ["Check your answer", "Practice with new numbers", "this form does not hold"]


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'")
    return re.sub(r"\s+", " ", text).strip()


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


@pytest.fixture(scope="module")
def pdfs() -> dict[str, str]:
    result = subprocess.run([sys.executable, str(BOOK / "practice" / "handout.py"),
                             "--seed", str(SEED), "--set", SET, "--out", str(OUT)],
                            cwd=ROOT, capture_output=True, text=True, timeout=3600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    paths = handout.outputs(SEED, SET, OUT)
    return {kind: pdf_text(path) for kind, path in paths.items()}


def numeric_questions() -> list[problems.Problem]:
    return [p for p in problems.SETS[SET].PROBLEMS if type(p).has_variants()]


def section_of(text: str, qid: str) -> str:
    """A question's section of the PDF text, from its numbered heading to the next one."""
    title = section_titles()[label_of(qid)][1]
    flat = text.replace("\u2019", "'")
    starts = [m.start() for m in re.finditer(r"^\d+\.\d+ \S.*$", flat, re.M)]
    match = re.search(r"^\d+\.\d+ " + re.escape(title) + r"$", flat, re.M)
    assert match, f"{qid}: heading {title!r} not in the PDF"
    end = next((s for s in starts if s > match.start()), len(flat))
    return normalise(flat[match.start():end])


@cache
def html_glued(qid: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """From the version's HTML page: the exercise text, its glued values, the solution's."""
    if not PAGE.is_file():
        pytest.fail("the practice versions are not built: run `make practice`")
    soup = bs4.BeautifulSoup(PAGE.read_text(encoding="utf-8"), "html.parser")
    section = soup.find(id=label_of(qid))
    section = section if section.name == "section" else section.parent
    exercise = section.find("div", class_="exercise")
    solution = section.find("div", class_="solution")
    def glued(div) -> tuple[str, ...]:
        return tuple(normalise(s.get_text()) for s in div.find_all(class_="pasted-text"))

    return normalise(exercise.get_text(" ")), glued(exercise), glued(solution)


def test_the_set_has_numeric_questions() -> None:
    assert numeric_questions()


def test_both_pdfs_are_the_version_s(pdfs: dict[str, str]) -> None:
    for kind, text in pdfs.items():
        assert f"(version {SEED})" in normalise(text)[:300], kind
        for p in numeric_questions():
            _, given, _ = html_glued(p.qid)
            body = section_of(text, p.qid)
            missing = [v for v in given if v not in body]
            assert missing == [], f"{kind} {p.qid}: the version's data {missing} missing"


def test_the_handout_holds_no_solution(pdfs: dict[str, str]) -> None:
    questions, answers = normalise(pdfs["questions"]), normalise(pdfs["answers"])
    # sphinx-exercise titles each solution box "Solution to <the exercise's title>"
    assert answers.count("Solution to ") >= len(numeric_questions())
    assert "Solution to " not in questions
    for p in numeric_questions():
        exercise, given, solved = html_glued(p.qid)
        only_solution = {v for v in solved if len(v) >= 3 and v not in given
                         and v not in exercise}
        assert only_solution, p.qid
        body = section_of(pdfs["questions"], p.qid)
        leaked = sorted(v for v in only_solution if v in body)
        assert leaked == [], f"{p.qid}: the handout shows {leaked}"


def test_the_key_shows_the_version_s_glued_answers(pdfs: dict[str, str]) -> None:
    for p in numeric_questions():
        _, given, solved = html_glued(p.qid)
        body = section_of(pdfs["answers"], p.qid)
        at, missing = 0, []
        for v in given + solved:
            found = body.find(v, at)
            if found < 0:
                missing.append(v)
            else:
                at = found + len(v)
        assert missing == [], f"{p.qid}: not in the key, in page order: {missing}"


def test_the_key_of_a2_q7_has_the_block_by_the_formula(pdfs: dict[str, str]) -> None:
    q = problems.get("A2-Q7", SEED)
    side = (q.height + 2 * q.padding - q.kernel) // q.stride + 1
    block = f"{q.filters:,} × {side:,} × {side:,}"
    assert block in section_of(pdfs["answers"], "A2-Q7")
    assert block not in section_of(pdfs["questions"], "A2-Q7")


def test_no_verdicts_and_no_widget_in_a_version(pdfs: dict[str, str]) -> None:
    for kind, text in pdfs.items():
        flat = normalise(text)
        for phrase in ["What the sources said", "Verdict", "Appendix"] + WIDGET:
            assert phrase not in flat, f"{kind}: {phrase!r}"


def test_the_printed_book_shows_no_selfcheck() -> None:
    for kind in ("questions", "answers"):
        pdf = ROOT / "_build" / "pdf" / f"dlcalc-{kind}.pdf"
        if not pdf.is_file():
            pytest.fail("the PDFs are not built: run `make pdf` (make test does it first)")
        flat = normalise(pdf_text(pdf))
        for phrase in WIDGET:
            assert phrase not in flat, f"{kind}: {phrase!r}"


@pytest.mark.parametrize("seed, chosen, message", [
    ("", "", "SEED must be a non-negative integer"),
    ("-1", "", "SEED must be a non-negative integer"),
    ("3", "homework3", "SET must be one of"),
])
def test_the_command_explains_bad_arguments(seed: str, chosen: str, message: str) -> None:
    result = subprocess.run([sys.executable, str(BOOK / "practice" / "handout.py"),
                             "--seed", seed, "--set", chosen], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2 and message in result.stderr, result.stderr
