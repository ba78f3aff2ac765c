"""Checks on the book's page sources, shared by the tests.

``hand_typed_numbers`` finds numerals typed by hand in the prose of a solution:
every number a solution shows must be glued from a dlcalc result. Code cells,
glue roles and directives, labels, links and directive options are skipped;
inside math only the structural constants 0, 1 and 2 (as in ``\\frac{1}{m}``,
``x^2``, ``1 - \\beta``) and indices (``w_3``, ``a^{[2]}``) are allowed; in prose, only
the seed names ("seed 001").
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"

_FENCE = re.compile(r"^(`{3,}|:{3,})\s*(\{[^}]*\})?(.*)$")
_ROLE = re.compile(r"\{[a-zA-Z:_-]+\}`[^`]*`")
_LABEL = re.compile(r"^\([^)]*\)=\s*$")
_OPTION = re.compile(r"^:[a-zA-Z_-]+:.*$")
_LINK_TARGET = re.compile(r"\]\([^)]*\)")
_DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$", re.S)
_INLINE_MATH = re.compile(r"\$([^$\n]+?)\$")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_SEED = re.compile(r"\bseeds? \d{3}(?:(?:,| and| or) \d{3})*\b")
_MATH_ALLOWED = {"0", "1", "2"}
# Indices are names, not values: w_3, b_{3}, a^{[2]}, W^{(1)}.
_MATH_INDEX = re.compile(r"_\{?\d+\}?|\^\{?[\[(]\d+[\])]\}?")


class Finding(NamedTuple):
    path: str
    line: int
    text: str
    number: str


def _solution_lines(source: str) -> list[tuple[int, str]]:
    """Lines of prose inside solution blocks, code cells and directive fences removed."""
    out: list[tuple[int, str]] = []
    in_solution = False
    code_fence: str | None = None
    for number, line in enumerate(source.splitlines(), start=1):
        stripped = line.strip()
        match = _FENCE.match(stripped)
        if match and "{solution-start}" in stripped:
            in_solution = True
            continue
        if match and "{solution-end}" in stripped:
            in_solution = False
            continue
        if code_fence is not None:
            if stripped == code_fence:
                code_fence = None
            continue
        if match and match.group(2) and match.group(2).strip("{}") in {
                "code-cell", "glue:math", "glue:figure", "glue", "glue:any", "glue:md"}:
            code_fence = match.group(1)
            continue
        if not in_solution:
            continue
        if match or _LABEL.match(stripped) or _OPTION.match(stripped):
            continue  # other directive fences (their arguments are not prose) and options
        out.append((number, line))
    return out


def hand_typed_numbers(source: str, path: str = "<page>") -> list[Finding]:
    """Every numeral typed by hand in the solutions of one MyST page."""
    findings: list[Finding] = []
    lines = _solution_lines(source)
    # Join consecutive lines so display math spanning lines is seen whole.
    text = "\n".join(line for _, line in lines)
    starts = [n for n, _ in lines]

    def line_of(offset: int) -> int:
        return starts[text.count("\n", 0, offset)] if starts else 0

    text = _ROLE.sub(lambda m: " " * len(m.group(0)), text)
    text = _LINK_TARGET.sub(lambda m: "]" + " " * (len(m.group(0)) - 1), text)
    for pattern in (_DISPLAY_MATH, _INLINE_MATH):
        for m in pattern.finditer(text):
            for num in _NUMBER.finditer(_MATH_INDEX.sub(" ", m.group(1))):
                if num.group(0) not in _MATH_ALLOWED:
                    findings.append(Finding(path, line_of(m.start()), m.group(0), num.group(0)))
        text = pattern.sub(lambda m: " " * len(m.group(0)), text)
    text = _SEED.sub(lambda m: " " * len(m.group(0)), text)
    for num in _NUMBER.finditer(text):
        start = text.rfind("\n", 0, num.start()) + 1
        end = text.find("\n", num.end())
        findings.append(Finding(path, line_of(num.start()), text[start:end if end >= 0 else None].strip(),
                                num.group(0)))
    return findings


def page_sources() -> list[Path]:
    """Every MyST page of the book."""
    return sorted(BOOK.glob("*.md"))


def copy_book_setup(dest: Path) -> None:
    """Copy the book's real configuration, local extensions and static files into ``dest``,
    so a test book there builds exactly as the real one does (MathJax itself is left out:
    an empty ``vendor`` folder stands for it)."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "_config.yml", dest / "_config.yml")
    for folder in ("_ext", "_static"):
        shutil.copytree(BOOK / folder, dest / "book" / folder, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__"))
    (dest / "vendor").mkdir(exist_ok=True)
