"""Assignment 1 - Deep learning: the given data of each question and its worked computation."""

from __future__ import annotations

from ._base import Problem

#: The questions of this set, in the order of the source.
PROBLEMS: tuple[Problem, ...] = ()
