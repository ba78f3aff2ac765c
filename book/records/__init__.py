"""The book's records: each question's given data and the source solutions' claims.

One module per problem set. Chapters import their own module; the errata
appendix imports :func:`all_claims`, so both show verdicts computed from the
same records.
"""

from __future__ import annotations

from importlib import import_module

from .claims import Claim, check as check  # re-exported

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
