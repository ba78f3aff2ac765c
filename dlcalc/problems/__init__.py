"""The problem bank: every question of the book's four problem sets as data and one solve.

Each problem set is a module (``cse616_a2``, ``assignment1``, ``homework2``,
``cs60010_exam``) holding one frozen dataclass per question, whose fields are the
question's given data and whose ``solve()`` is the worked computation, written with
dlcalc's public API. The module attribute named after the question (``cse616_a2.Q7``)
is the original question; ``variant(seed)`` gives a practice version with new data.

>>> from dlcalc import problems
>>> q = problems.get("A2-Q7")
>>> q.solve().output_shape
(128, 64, 64)

A page of the book asks for its questions with :func:`question`, which gives the
original, or the practice version named by the environment variable
``DLCALC_VARIANT`` (a non-negative integer) when it is set.
"""

from __future__ import annotations

import os
from types import ModuleType

from ._base import Answer, Problem
from . import assignment1, cs60010_exam, cse616_a2, homework2

__all__ = ["Answer", "Problem", "SETS", "all_problems", "get", "question", "variant_seed"]

#: The problem-set modules, in book order, by their short name.
SETS: dict[str, ModuleType] = {
    "cse616_a2": cse616_a2,
    "assignment1": assignment1,
    "homework2": homework2,
    "cs60010_exam": cs60010_exam,
}

#: The environment variable that selects a practice version for :func:`question`.
VARIANT_ENV = "DLCALC_VARIANT"


def all_problems() -> list[Problem]:
    """Every original question of the bank, in book order."""
    return [p for module in SETS.values() for p in module.PROBLEMS]


def get(qid: str, seed: int | None = None) -> Problem:
    """The question with id ``qid`` (e.g. ``"A2-Q7"``): the original, or the practice
    version ``seed`` when a seed is given."""
    if not isinstance(qid, str):
        raise TypeError(f"qid must be a question id string, got {qid!r}")
    for p in all_problems():
        if p.qid == qid:
            return p if seed is None else p.variant(seed)
    raise ValueError(f"qid must be a question id of the bank, got {qid!r}")


def variant_seed() -> int | None:
    """The practice version named by ``DLCALC_VARIANT``, or None for the original."""
    text = os.environ.get(VARIANT_ENV, "").strip()
    if not text:
        return None
    if not text.isdigit():
        raise ValueError(f"{VARIANT_ENV} must be a non-negative integer, got {text!r}")
    return int(text)


def question(qid: str) -> Problem:
    """The question as this build of the book shows it: the original, or the practice
    version of ``DLCALC_VARIANT`` for questions that have versions."""
    original = get(qid)
    seed = variant_seed()
    if seed is None or not type(original).has_variants():
        return original
    return original.variant(seed)
