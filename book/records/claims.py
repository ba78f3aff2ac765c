"""What the source solutions claimed, and the verdict dlcalc gives on each claim.

A claim records one answer a source solution gave (as written there), the
question it answers, and a callable that computes the right answer with
dlcalc. Chapters and the errata appendix both evaluate the same records, so a
verdict can never differ between the two.
"""

from __future__ import annotations

import numbers
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

#: Where the five source transcriptions live (book/sources/).
SOURCE_DIR = Path(__file__).resolve().parents[1] / "sources"


@dataclass(frozen=True)
class Source:
    """One transcribed source solution: its file in book/sources and its name in the book."""

    key: str
    name: str
    file: str

    def lines(self) -> list[str]:
        """The transcription's lines (line ``n`` of the source is ``lines()[n - 1]``)."""
        return list(_read_lines(self.file))

    @property
    def page(self) -> str:
        """The book page that shows this source (``book/sources/<file stem>``)."""
        return "sources/" + Path(self.file).stem

    def label(self, line: int) -> str:
        """The label of one line of the source's page (a target for ``{ref}``)."""
        return f"source-{self.key}-line-{line}"


@cache
def solution_of(problem: Any) -> Any:
    """``problem.solve()``, computed once per process for everything of the records that
    reads it: the claims' answers and the self-checks read the same solution of an equal
    problem, and never change it."""
    return problem.solve()


@cache
def _read_lines(file: str) -> tuple[str, ...]:
    return tuple((SOURCE_DIR / file).read_text(encoding="utf-8").splitlines())


class QuoteError(ValueError):
    """A claim's quote is not found in exactly one line of its source."""


#: The five source solutions, by the key the records use.
SOURCES = {s.key: s for s in [
    Source("a2-a", "CSE616 A2, solution A", "cse616-a2-solution-a.txt"),
    Source("a2-b", "CSE616 A2, solution B", "cse616-a2-solution-b.txt"),
    Source("a1", "Assignment 1, solution", "assignment1-solution.txt"),
    Source("hw2", "Homework 2, solution", "homework2-solution.txt"),
    Source("exam", "CS60010 exam, marked solution", "cs60010-exam-solution.txt"),
]}

AGREES = "agrees"
DIFFERS = "differs"
NOT_COMPARABLE = "not comparable"


@dataclass(frozen=True)
class Claim:
    """One answer given by one source solution.

    Parameters
    ----------
    question : str
        The question id of ``shared/QUESTIONS.md``, e.g. ``"A2-Q7"``.
    source : str
        The source solution's key (a key of :data:`SOURCES`).
    what : str
        The quantity claimed, in a few words.
    claimed : str, number, or sequence of those
        The answer as the source wrote it. Numbers written as strings keep the
        precision the source gave ("0.658" is checked to three decimals).
    answer : callable
        Computes the correct answer with dlcalc. ``None`` when the source's
        number comes from an experiment that cannot be re-run as it was
        (the verdict is then "not comparable" and ``cause`` says why).
    cause : str
        Why the claim differs from the answer, where the cause is known.
    label : str
        The MyST label of the question's section, for links.
    judgement : bool
        True when the answer is the book's judgement of a conceptual claim (a constant
        such as ``"dropout"``), not a computation; such a verdict is labelled so.
    quote : str
        Text of the source that the claim judges, as it stands there (a unique
        substring of one line of the transcription), so the claim can link to
        its line.
    """

    question: str
    source: str
    what: str
    claimed: Any
    answer: Callable[[], Any] | None
    label: str
    cause: str = ""
    page: str = ""
    quote: str = ""
    judgement: bool = False

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise ValueError(f"source must be one of {sorted(SOURCES)}, got {self.source!r}")

    @property
    def line(self) -> int | None:
        """The line of the source that :attr:`quote` stands on (1-based); None without a quote.

        Raises :class:`QuoteError` when the quote is on no line of the source or on more
        than one: a claim must point at one place.
        """
        return quote_line(self.source, self.quote, question=self.question, what=self.what)


def quote_line(source: str, quote: str, *, question: str = "", what: str = "") -> int | None:
    """The 1-based line of source ``source`` that holds ``quote`` (None for an empty quote)."""
    if not quote:
        return None
    src = SOURCES[source]
    found = [n for n, text in enumerate(src.lines(), start=1) if quote in text]
    where = f"claim {question} {what!r}: " if question else ""
    if not found:
        raise QuoteError(f"{where}quote {quote!r} is on no line of {src.file}")
    if len(found) > 1:
        raise QuoteError(f"{where}quote {quote!r} is on lines {found} of {src.file}; "
                         "quote more of the line so that it names one")
    return found[0]


@dataclass(frozen=True)
class Verdict:
    claim: Claim
    status: str
    answer: Any = field(default=None)


def _decimals(text: str) -> int:
    text = text.strip().lower()
    if "e" in text:
        mantissa, exp = text.split("e")
        return _decimals(mantissa) - int(exp)
    return len(text.split(".")[1]) if "." in text else 0


def _tolerance(claimed: str) -> float:
    # A number written with d decimals stands for anything that rounds to it.
    return 0.5 * 10.0 ** (-_decimals(claimed)) * (1 + 1e-9)


def _matches(claimed: Any, answer: Any) -> bool:
    if isinstance(claimed, str):
        try:
            value = float(claimed.replace(",", ""))
        except ValueError:
            return claimed.strip().lower() == str(answer).strip().lower()
        if isinstance(answer, str) or np.ndim(answer) != 0:
            return False
        return abs(value - float(answer)) <= _tolerance(claimed.replace(",", ""))
    if isinstance(claimed, numbers.Number) and not isinstance(claimed, bool):
        if isinstance(answer, str) or np.ndim(answer) != 0:
            return False
        return bool(np.isclose(float(claimed), float(answer), rtol=1e-12, atol=0.0))
    if isinstance(claimed, (list, tuple)):
        if isinstance(answer, str):
            return False
        answer_seq = np.asarray(answer, dtype=object).ravel().tolist() if np.ndim(answer) else [answer]
        claimed_flat = list(np.asarray(claimed, dtype=object).ravel())
        if len(claimed_flat) != len(answer_seq):
            return False
        return all(_matches(c, a) for c, a in zip(claimed_flat, answer_seq))
    return claimed == answer


def check(claim: Claim) -> Verdict:
    """Compute the verdict on one claim."""
    return judge(claim, None if claim.answer is None else claim.answer())


def judge(claim: Claim, answer: Any) -> Verdict:
    """The verdict on ``claim``, given its computed ``answer`` (``claim.answer()``)."""
    if claim.answer is None:
        return Verdict(claim, NOT_COMPARABLE, None)
    return Verdict(claim, AGREES if _matches(claim.claimed, answer) else DIFFERS, answer)


def fmt(value: Any) -> str:
    """Format a claimed or computed value the way the book shows it."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}"
    if isinstance(value, numbers.Real):
        v = float(value)
        if v != 0 and (abs(v) >= 1e6 or abs(v) < 1e-4):
            return f"{v:.4g}"
        return f"{v:.6g}"  # enough digits to compare with a source's ".06125"
    if isinstance(value, tuple) and all(isinstance(v, numbers.Integral) for v in value):
        return " × ".join(f"{int(v):,}" for v in value)
    arr = np.asarray(value, dtype=object)
    return "[" + ", ".join(fmt(v) for v in arr.ravel().tolist()) + "]"


_LIST_MARKER = re.compile(r"^(?:[-+*>#]|\d+([.)])(?=\s|$))")


def _cell(text: str) -> str:
    """Text as the content of one cell of a MyST list-table (one line, no Markdown)."""
    text = " ".join(str(text).split())
    text = text.replace("\\", "\\\\").replace("*", "\\*").replace("`", "\\`")
    text = text.replace("[", "\\[").replace("_", "\\_").replace("$", "\\$")
    # A cell that starts like a list item or a heading would become one: escape its marker.
    text = _LIST_MARKER.sub(lambda m: m.group(0)[:-1] + "\\" + m.group(0)[-1], text)
    return text or "&nbsp;"


def source_ref(claim: Claim) -> str:
    """The claim's source as MyST: its name and, where the quote is, a link to its line."""
    source = SOURCES[claim.source]
    line = claim.line
    if line is None:
        return _cell(source.name)
    return f"{{ref}}`{source.name}, line {line} <{source.label(line)}>`"


def verdict_text(verdict: Verdict) -> str:
    """The verdict as the tables say it: a judgement is labelled as one, a cause follows."""
    c = verdict.claim
    text = verdict.status
    if c.judgement:
        text += " (a judgement)"
    if c.cause and verdict.status != AGREES:
        text += f": {c.cause}"
    return text


def question_ref(claim: Claim) -> str:
    return f"{{ref}}`{claim.question} <{claim.label}>`"


def printed() -> bool:
    """True while a page is executed for the printed books (``make pdf`` sets ``DLCALC_PDF``)."""
    return bool(os.environ.get("DLCALC_PDF"))


def list_table(head: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[int],
               *, css: str = "verdicts") -> str:
    """A MyST list-table whose cells are given as MyST (see :func:`_cell`).

    Its column widths are given, so a long cell wraps within its column. In the printed
    books (:func:`printed`) the same rows are a list, one item per row, each cell named by
    its column: a page is too narrow for six columns of sentences, and a list reads in
    order (pdftotext included).
    """
    if printed():
        items = []
        for row in rows:
            rest = "; ".join(f"{h.lower() if i else h}: {c}"
                             for i, (h, c) in enumerate(zip(head[1:], row[1:])))
            items.append(f"- **{row[0]}** — {rest}")
        return "\n".join(items)
    lines = [":::{list-table}", ":header-rows: 1", f":widths: {' '.join(map(str, widths))}",
             f":class: {css}", ""]
    for row in [list(map(_cell, head)), *rows]:
        lines.append(f"* - {row[0]}")
        lines.extend(f"  - {cell}" for cell in row[1:])
    lines.append(":::")
    return "\n".join(lines)


def markdown_table(verdicts: Sequence[Verdict], *, with_question: bool = False) -> str:
    """The table of verdicts as MyST (rendered when displayed as text/markdown).

    One row per claim: the source with a link to the line it is quoted from, the quantity,
    the source's answer, the right answer, and the verdict with its cause.
    """
    head = ["Source", "Quantity", "Source's answer", "Right answer", "Verdict"]
    widths = [18, 20, 16, 16, 30]
    if with_question:
        head.insert(0, "Question")
        widths = [10, 16, 18, 15, 15, 26]
    rows = []
    for v in verdicts:
        c = v.claim
        row = [source_ref(c), _cell(c.what), _cell(fmt(c.claimed)), _cell(fmt(v.answer)),
               _cell(verdict_text(v))]
        if with_question:
            row.insert(0, question_ref(c))
        rows.append(row)
    return list_table(head, rows, widths)


def label_of(question: str) -> str:
    """The MyST label of a question's section: ``"HW2-B2(i)"`` -> ``"hw2-b2i"``."""
    return re.sub(r"[^a-z0-9-]", "", question.lower())


def on_page(page: str) -> Callable[..., Claim]:
    """A claim constructor for the questions of one page (fills ``label`` and ``page``)."""

    def make(question: str, source: str, what: str, claimed: Any,
             answer: Callable[[], Any] | None, cause: str = "", *, quote: str = "",
             judgement: bool = False) -> Claim:
        return Claim(question=question, source=source, what=what, claimed=claimed,
                     answer=answer, label=label_of(question), cause=cause, page=page,
                     quote=quote, judgement=judgement)

    return make


# ---------------------------------------------------------------- the errata appendix


def counts(verdicts: Sequence[Verdict]) -> dict[str, int]:
    """How many claims were checked, and how many of them agree, differ, cannot be
    compared, and are judgements (of any verdict)."""
    return {
        "checked": len(verdicts),
        "agree": sum(v.status == AGREES for v in verdicts),
        "differ": sum(v.status == DIFFERS for v in verdicts),
        "not comparable": sum(v.status == NOT_COMPARABLE for v in verdicts),
        "judgement": sum(v.claim.judgement for v in verdicts),
    }


def counts_text(verdicts: Sequence[Verdict]) -> str:
    """The opening of the errata, as Markdown, from the verdicts."""
    n = counts(verdicts)
    judged = [v for v in verdicts if v.claim.judgement]
    judged_differ = sum(v.status == DIFFERS for v in judged)
    text = (f"**{n['checked']} claims checked**: {n['agree']} agree, **{n['differ']} differ**, "
            f"{n['not comparable']} cannot be compared (the source's number comes from an "
            f"experiment that cannot be run again as it was).")
    if n["judgement"]:
        text += (f" {n['judgement']} of the claims are conceptual answers whose verdict is "
                 f"the book's judgement, not a computation ({n['judgement'] - judged_differ} "
                 f"of them agree, {judged_differ} differ); the tables label them so.")
    return text


def differing_text(verdicts: Sequence[Verdict], page: str) -> str:
    """Every differing claim of one chapter, grouped by question: the source's answer, the
    right one and the cause, as MyST."""
    wrong = [v for v in verdicts if v.claim.page == page and v.status == DIFFERS]
    if not wrong:
        return "No answer of this problem set's sources differs from the right one."
    parts = []
    for question in dict.fromkeys(v.claim.question for v in wrong):
        rows = [v for v in wrong if v.claim.question == question]
        parts.append(f"**{question_ref(rows[0].claim)}**")
        parts.append(list_table(
            ["Source", "Quantity", "Source's answer", "Right answer", "Cause"],
            [[source_ref(v.claim), _cell(v.claim.what), _cell(fmt(v.claim.claimed)),
              _cell(fmt(v.answer)),
              _cell(("a judgement: " if v.claim.judgement else "") + (v.claim.cause or "—"))]
             for v in rows],
            [18, 20, 15, 15, 32], css="verdicts errata"))
    return "\n\n".join(parts)


def not_comparable_text(verdicts: Sequence[Verdict]) -> str:
    """The claims that cannot be compared, with the reason, as MyST."""
    rows = [v for v in verdicts if v.status == NOT_COMPARABLE]
    return markdown_table(rows, with_question=True)


def ledger_text(verdicts: Sequence[Verdict]) -> str:
    """Every claim that agrees, in one folded table (a dropdown), as MyST."""
    rows = [v for v in verdicts if v.status == AGREES]
    table = markdown_table(rows, with_question=True)
    return f"::::{{dropdown}} The {len(rows)} claims that agree\n\n{table}\n::::"
