"""The book's records: each question's given data and the source solutions' claims.

One module per problem set. Chapters import their own module; the errata
appendix imports :func:`all_claims`, so both show verdicts computed from the
same records.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import cache
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
    """Every claim's verdict, in book order: ``[check(c) for c in all_claims()]``, from
    each chapter's :func:`chapter_verdicts`."""
    return [v for module in CHAPTERS for v in chapter_verdicts(module)]


@cache
def chapter_verdicts(module: str) -> list[Verdict]:
    """The verdicts on the claims of one chapter module (a key of :data:`CHAPTERS`), in
    its order.

    The answers are computed once per state of the book and kept in dlcalc's store of
    results when ``DLCALC_CACHE_DIR`` names one (a book build): the chapter's page computes
    them in its kernel, and the errata page, executed after it, and the errata's downloads,
    made when that page is read, take them from the store instead of solving every
    question again. The key covers dlcalc (the store's own key), the chapter and every
    module of the records (their digest)."""
    claims = import_module(f"{__name__}.{module}").CLAIMS
    return [judge(claim, answer)
            for claim, answer in zip(claims, _answers(module, records_digest()))]


def verdicts_of(claims: Iterable[Claim]) -> list[Verdict]:
    """The verdicts on ``claims`` (claims of the chapters' records), in their order, from
    their chapters' :func:`chapter_verdicts`."""
    modules = {page: module for module, page in CHAPTERS.items()}
    found = {}
    for claim in claims:
        if id(claim) not in found:
            for verdict in chapter_verdicts(modules[claim.page]):
                found.setdefault(id(verdict.claim), verdict)
    return [found[id(claim)] for claim in claims]


def records_digest() -> str:
    """SHA-256 of the source of every module of the records."""
    h = hashlib.sha256()
    for path in sorted(Path(__file__).resolve().parent.glob("*.py")):
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


@memo
def _answers(module: str, digest: str) -> list[Any]:
    """Each claim's computed answer in one chapter module (None where the claim is not
    comparable); ``digest`` (:func:`records_digest`) is part of the store's key only."""
    claims = import_module(f"{__name__}.{module}").CLAIMS
    return [None if claim.answer is None else claim.answer() for claim in claims]
