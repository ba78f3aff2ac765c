"""What every problem of the bank shares: validated data, one ``solve``, answers, variants.

A problem is a frozen dataclass whose fields are the question's given data. Its
``__post_init__`` validates every field (a bad value raises ``ValueError`` or
``TypeError`` naming the field), ``solve()`` computes every number and figure the
worked solution shows, with dlcalc's public API only, and ``answers()`` says which of
those numbers the question asks for (what a reader checks their own answer against).
A numeric problem also has ``generate(rng)``: new valid data for a practice version.
"""

from __future__ import annotations

import dataclasses
import numbers
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, TypeVar

import numpy as np

__all__ = ["Problem", "Answer", "KINDS"]

P = TypeVar("P", bound="Problem")

#: How a reader's answer is read and compared: an exact integer, a decimal number
#: rounded to ``Answer.decimals`` places, a shape such as ``128 x 64 x 64``, a list of
#: numbers such as ``4, -7, -3`` (each rounded to ``decimals``), or one word or phrase
#: of a closed choice.
KINDS = ("integer", "decimal", "shape", "list", "choice")


@dataclass(frozen=True)
class Answer:
    """One answer a question asks for, with how a reader's answer is compared to it.

    Parameters
    ----------
    name : str
        Short key, unique within the question (``"output_shape"``).
    prompt : str
        What the reader is asked for, in words (``"Output block (D × H × W)"``).
    value : int, float, tuple of int, or sequence of float, or str
        The right answer, from the problem's ``solve``.
    kind : {"integer", "decimal", "shape", "list", "choice"}
        How the reader's answer is read (see :data:`KINDS`).
    decimals : int
        For ``"decimal"`` and ``"list"``: the answer is right when it rounds to the
        same value at this many decimal places. Ignored for the other kinds.
    """

    name: str
    prompt: str
    value: Any
    kind: Literal["integer", "decimal", "shape", "list", "choice"]
    decimals: int = 0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}")
        if not isinstance(self.decimals, int) or isinstance(self.decimals, bool) \
                or not 0 <= self.decimals <= 12:
            raise ValueError(f"decimals must be an int in [0, 12], got {self.decimals!r}")


@dataclass(frozen=True)
class Problem:
    """Base of every question of the bank (a frozen dataclass of the given data).

    Subclasses set the class attributes ``qid`` (the question id, e.g. ``"A2-Q7"``) and
    ``title``, declare the data as dataclass fields, and override :meth:`validate`,
    :meth:`solve`, and, for numeric questions, :meth:`answers` and :meth:`generate`.
    """

    qid: ClassVar[str] = ""
    title: ClassVar[str] = ""

    def __post_init__(self) -> None:
        self.validate()

    # -- to override ------------------------------------------------------------------
    def validate(self) -> None:
        """Raise ``ValueError``/``TypeError`` naming the field if the data are not valid."""

    def solve(self) -> Any:
        """Compute every number and figure of the worked solution from the data."""
        raise NotImplementedError(f"{type(self).__name__} has no solve")

    def answers(self, solution: Any) -> tuple[Answer, ...]:
        """The answers the question asks for, read off ``solution`` (empty: conceptual)."""
        return ()

    @classmethod
    def generate(cls: type[P], rng: np.random.Generator) -> P:
        """New valid data for a practice version, drawn with ``rng``."""
        raise NotImplementedError(f"{cls.__name__} has no practice versions")

    # -- shared -----------------------------------------------------------------------
    @classmethod
    def has_variants(cls) -> bool:
        """Whether the question has practice versions (it defines ``generate``)."""
        return cls.generate.__func__ is not Problem.generate.__func__  # type: ignore[attr-defined]

    def variant(self: P, seed: int) -> P:
        """The practice version number ``seed`` of this question (same seed, same data)."""
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
            raise ValueError(f"seed must be a non-negative int, got {seed!r}")
        if not type(self).has_variants():
            raise ValueError(f"{self.qid} is conceptual and has no practice versions")
        # The stream depends on the seed and the question id, never on the order in which
        # questions are generated, so a seed names one version on every machine.
        rng = np.random.default_rng([int(seed), zlib.crc32(self.qid.encode())])
        return type(self).generate(rng)

    def replace(self: P, **changes: Any) -> P:
        """A copy with some data changed, validated like the original."""
        return dataclasses.replace(self, **changes)


# ---- field checks: each names the field (``Q7.stride``) and the value it got ---------

def _where(problem: Problem, field: str) -> str:
    return f"{type(problem).__name__}.{field}"


def _interval(low: float | None, high: float | None) -> str:
    return f"[{'-inf' if low is None else low}, {'inf' if high is None else high}]"


def check_int(problem: Problem, field: str, *, low: int | None = None,
              high: int | None = None) -> int:
    """The field as an int in [low, high], or a clear error."""
    value = getattr(problem, field)
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{_where(problem, field)} must be an int, got {value!r}")
    number = int(value)
    if (low is not None and number < low) or (high is not None and number > high):
        raise ValueError(f"{_where(problem, field)} must be in {_interval(low, high)}, "
                         f"got {value!r}")
    return number


def check_real(problem: Problem, field: str, *, low: float | None = None,
               high: float | None = None) -> float:
    """The field as a finite float in [low, high], or a clear error."""
    value = getattr(problem, field)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{_where(problem, field)} must be a real number, got {value!r}")
    v = float(value)
    if not np.isfinite(v) or (low is not None and v < low) or (high is not None and v > high):
        raise ValueError(f"{_where(problem, field)} must be finite and in {_interval(low, high)}, "
                         f"got {value!r}")
    return v


def check_reals(problem: Problem, field: str, *, shape: Sequence[int | None] | None = None
                ) -> np.ndarray:
    """The field (a tuple of numbers, possibly nested) as a finite float array, or a clear
    error. ``shape`` may hold ``None`` for a free axis. Fields hold tuples, not arrays, so
    that a problem stays hashable and comparable."""
    value = getattr(problem, field)
    if isinstance(value, np.ndarray):
        raise TypeError(f"{_where(problem, field)} must be a tuple of numbers (problems hold "
                        f"hashable data), got an ndarray")
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError, OverflowError) as exc:
        raise TypeError(f"{_where(problem, field)} must hold real numbers, got {value!r}") \
            from exc
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{_where(problem, field)} must hold finite numbers, got {value!r}")
    if shape is not None and (arr.ndim != len(shape) or any(
            want is not None and got != want for got, want in zip(arr.shape, shape))):
        raise ValueError(f"{_where(problem, field)} must have shape "
                         f"{tuple('*' if s is None else s for s in shape)}, got {arr.shape}")
    return arr


def check_choice(problem: Problem, field: str, choices: Sequence[Any]) -> Any:
    """The field if it is one of ``choices``, or a clear error."""
    value = getattr(problem, field)
    if value not in tuple(choices):
        raise ValueError(f"{_where(problem, field)} must be one of {tuple(choices)}, "
                         f"got {value!r}")
    return value
