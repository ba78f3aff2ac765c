"""What the source solutions claimed, and the verdict dlcalc gives on each claim.

A claim records one answer a source solution gave (as written there), the
question it answers, and a callable that computes the right answer with
dlcalc. Chapters and the errata appendix both evaluate the same records, so a
verdict can never differ between the two.
"""

from __future__ import annotations

import numbers
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

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
        return (SOURCE_DIR / self.file).read_text(encoding="utf-8").splitlines()


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
    if claim.answer is None:
        return Verdict(claim, NOT_COMPARABLE, None)
    answer = claim.answer()
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


def _escape(text: str) -> str:
    return text.replace("|", "\\|")


def markdown_table(verdicts: Sequence[Verdict], *, with_question: bool = False) -> str:
    """A Markdown table of verdicts (MyST renders it when displayed as text/markdown)."""
    head = ["Source", "Quantity", "Source's answer", "dlcalc", "Verdict"]
    if with_question:
        head.insert(0, "Question")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for v in verdicts:
        c = v.claim
        status = v.status
        if c.cause and v.status != AGREES:
            status = f"{status}: {c.cause}"
        row = [SOURCES[c.source].name, c.what, fmt(c.claimed), fmt(v.answer), status]
        if with_question:
            row.insert(0, f"{{ref}}`{c.question} <{c.label}>`")
        lines.append("| " + " | ".join(_escape(str(x)) for x in row) + " |")
    return "\n".join(lines)


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
