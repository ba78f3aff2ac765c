"""The book's records: each question's given data and the source solutions' claims.

One module per problem set. Chapters import their own module; the errata
appendix imports :func:`all_claims`, so both show verdicts computed from the
same records.
"""

from __future__ import annotations

import hashlib
from importlib import import_module
from pathlib import Path
from typing import Any

from dlcalc._memo import memo

from .claims import Claim, Verdict, check as check, judge  # check re-exported

#: Chapter modules, in book order, with the page (file stem) each belongs to.
CHAPTERS = {
    "cse616_a2": "cse616-assignment2",
    "assignment1": "assignment1",
    "homework2": "homework2",
    "cs60010_exam": "cs60010-midsem",
}


def all_claims() -> list[Claim]:
    """Every claim of every chapter, in book order."""
    claims: list[Claim] = []
    for module in CHAPTERS:
        claims.extend(import_module(f"{__name__}.{module}").CLAIMS)
    return claims


def claims_for(claims: list[Claim], question: str) -> list[Claim]:
    """The claims about one question id."""
    return [c for c in claims if c.question == question]


def all_verdicts() -> list[Verdict]:
    """Every claim's verdict, in book order: ``[check(c) for c in all_claims()]``.

    The answers are computed once per state of the book and kept in dlcalc's store of
    results when ``DLCALC_CACHE_DIR`` names one (a book build): the errata page computes
    them in its kernel, and its downloads, made when the page is read, take them from
    the store instead of solving every question again. The key covers dlcalc (the
    store's own key) and every module of the records (their digest)."""
    claims = all_claims()
    return [judge(claim, answer) for claim, answer in zip(claims, _answers(records_digest()))]


def records_digest() -> str:
    """SHA-256 of the source of every module of the records."""
    h = hashlib.sha256()
    for path in sorted(Path(__file__).resolve().parent.glob("*.py")):
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


@memo
def _answers(digest: str) -> list[Any]:
    """Each claim's computed answer (None where the claim is not comparable); ``digest``
    (:func:`records_digest`) is part of the store's key only."""
    return [None if claim.answer is None else claim.answer() for claim in all_claims()]
