"""One home per question (issue 12): the library knows no problem set, and each question's
answer is computed in one place, the problem bank's ``solve``.

- A library module (``dlcalc/*.py``, the problem bank ``dlcalc/problems`` aside) names no
  problem set or question (ids such as ``A2-Q7``, ``HW2-B3``, ``EX-Q4``, the names
  CSE616, CS60010, "Assignment 1", "Homework 2", "the exam", "midsem") and carries no
  question's settings: no module-level constant equal to a question's data, and no
  function whose defaults repeat three or more of one question's settings (two can be a
  textbook's defaults, as Adam's betas).
- Every claim in ``book/records`` reads its answer off a problem's solution: its
  ``answer`` (with the records helpers it calls) reaches a ``solve`` (judgement claims
  aside), uses no dlcalc or numpy function and does no arithmetic.
- No code cell of a page calls a dlcalc computation: a page reaches dlcalc through
  ``problems``; it may call only the presentation functions (``dlcalc.plotting``,
  ``dlcalc.diagrams``, and the ``*_latex`` formatters).
"""

from __future__ import annotations

import ast
import dataclasses
import dis
import inspect
import re
import sys
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import dlcalc
from dlcalc import problems
from pagecheck import BOOK, ROOT

sys.path.insert(0, str(BOOK))
import records  # noqa: E402

LIBRARY = sorted(p for p in (ROOT / "dlcalc").glob("*.py"))

# Evidence that a library module speaks of a problem set or a question.
SET_NAMES = re.compile(
    r"\b(?:A[12]-Q\d+|HW2-[ABC]\d*|EX-Q\d+"            # question ids
    r"|CSE\s?616|CS\s?60010"                        # course codes
    r"|[Aa]ssignment\s?[12]|[Hh]omework(?:\s?2)?"   # the sets by name
    r"|[Ee]xam(?:'s|s)?|[Mm]id-?sem|problem sets?)\b")

PRESENTATION_MODULES = {"dlcalc.plotting", "dlcalc.diagrams"}
# Arithmetic that computes a value (``+``, ``-`` and ``*`` also build tuples, index and
# repeat, so they are left to the other checks): BINARY_OP on 3.11+, the older opcodes.
ARITHMETIC_OPS = {"/", "//", "**", "@", "/=", "//=", "**=", "@="}
ARITHMETIC_OPCODES = {"BINARY_TRUE_DIVIDE", "BINARY_FLOOR_DIVIDE", "BINARY_POWER",
                      "BINARY_MATRIX_MULTIPLY"}
# numpy functions that compare rather than compute.
COMPARISONS = {"isclose", "allclose", "array_equal"}

#: Findings accepted (none now: every finding of the checks below fails).
KNOWN: set[str] = set()


def _check(found: list[str], message: str) -> None:
    """No finding but the KNOWN ones (a finding is known when it starts with an entry of
    KNOWN)."""
    new = [f for f in found if not any(f.startswith(k) for k in KNOWN)]
    assert not new, message + ":\n" + "\n".join(new)


def test_the_patterns_find_what_they_should() -> None:
    said = ["A2-Q7", "HW2-B3(i)", "EX-Q4", "CSE616", "CS 60010", "Assignment 1",
            "Homework 2's experiment", "the exam's notation", "Midsem", "a problem set"]
    unsaid = ["example", "examine", "assignments of weights", "in-place assignment",
              "Q7 of the bank", "homeworld"]
    assert all(SET_NAMES.search(s) for s in said), [s for s in said if not SET_NAMES.search(s)]
    assert not any(SET_NAMES.search(s) for s in unsaid), [s for s in unsaid
                                                          if SET_NAMES.search(s)]


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: p.name)
def test_library_module_names_no_problem_set(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    found = [f"{path.name}: {match.group(0)!r} (line {n}: {line.strip()})"
             for n, line in enumerate(lines, 1) for match in SET_NAMES.finditer(line)]
    _check(found, "a library module speaks of a problem set (say it in the problem bank "
           "or the book)")


def _data(problem: problems.Problem) -> dict[str, Any]:
    return {f.name: getattr(problem, f.name) for f in dataclasses.fields(problem)}


def _library_modules() -> Iterator[types.ModuleType]:
    for path in LIBRARY:
        if path.stem != "__init__":
            yield __import__(f"dlcalc.{path.stem}", fromlist=["_"])


def _as_plain(value: Any) -> Any:
    """Arrays, lists and tuples as nested tuples, for comparing with a question's data."""
    if hasattr(value, "tolist") and not isinstance(value, (int, float)):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return tuple(_as_plain(v) for v in value)
    if isinstance(value, dict):
        return {k: _as_plain(v) for k, v in value.items()}
    return value


def _same_settings(given: dict[str, Any], data: dict[str, Any]) -> list[str]:
    """The names ``given`` binds to the value a question's ``data`` has for them (a
    question's setting), None, booleans, 0 and 1 aside (they identify nothing)."""
    return sorted(name for name, value in given.items()
                  if isinstance(name, str) and name in data and not isinstance(value, bool)
                  and value is not None and _as_plain(value) not in (0, 1)
                  and _as_plain(value) == _as_plain(data[name]))


def test_library_carries_no_question_settings() -> None:
    """No module-level mapping of the library (a configuration) holds three or more of one
    question's settings under their names, itself or as one of its values."""
    settings = [(p.qid, _data(p)) for p in problems.all_problems()]
    found = []
    for module in _library_modules():
        for attr, value in vars(module).items():
            if not isinstance(value, dict) or attr.startswith("__"):
                continue
            for config in [value, *(v for v in value.values() if isinstance(v, dict))]:
                for qid, data in settings:
                    same = _same_settings(config, data)
                    if len(same) >= 3:
                        found.append(f"{module.__name__}.{attr} holds {qid}'s {same}")
    assert not found, "\n".join(found)


def test_library_defaults_repeat_no_question_settings() -> None:
    settings = [(p.qid, _data(p)) for p in problems.all_problems()]
    found = []
    for module in _library_modules():
        for attr, fn in vars(module).items():
            if not inspect.isfunction(fn) or fn.__module__ != module.__name__:
                continue
            defaults = {name: param.default for name, param in
                        inspect.signature(fn).parameters.items()
                        if param.default is not inspect.Parameter.empty}
            for qid, data in settings:
                same = _same_settings(defaults, data)
                if len(same) >= 3:
                    found.append(f"{module.__name__}.{attr}: {qid}'s settings {same} "
                                 "are its defaults")
    _check(found, "library defaults that carry a question's settings")


# ---------------------------------------------------------------- claims read solutions

def _globals_used(code: types.CodeType) -> Iterator[str]:
    for instruction in dis.get_instructions(code):
        if instruction.opname in {"LOAD_GLOBAL", "LOAD_NAME"}:
            yield str(instruction.argval)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _globals_used(const)


def _arithmetic(code: types.CodeType) -> list[str]:
    ops = [f"{i.opname} {i.argrepr}".strip() for i in dis.get_instructions(code)
           if i.opname in ARITHMETIC_OPCODES
           or i.opname == "BINARY_OP" and i.argrepr in ARITHMETIC_OPS]
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            ops += _arithmetic(const)
    return ops


def _names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _names(const)
    return names


def audit_answer(fn: Callable[..., Any], seen: set[int] | None = None
                 ) -> tuple[bool, list[str]]:
    """Whether ``fn`` (with the records helpers it calls) reaches a ``solve``, and what it
    does besides reading: dlcalc or numpy functions it uses, arithmetic it does."""
    seen = set() if seen is None else seen
    if id(fn) in seen:
        return False, []
    seen.add(id(fn))
    fn = inspect.unwrap(fn)
    code = fn.__code__
    reaches = "solve" in _names(code)
    problems_found = [f"{fn.__qualname__} does {op}" for op in _arithmetic(code)]
    referenced = [(name, fn.__globals__.get(name)) for name in _globals_used(code)]
    referenced += [(name, cell.cell_contents) for name, cell in
                   zip(code.co_freevars, fn.__closure__ or ())]
    for name, value in referenced:
        module = getattr(value, "__name__", "") if isinstance(value, types.ModuleType) \
            else getattr(value, "__module__", "") or ""
        if module.startswith("dlcalc.problems"):
            reaches = True
        elif module == "numpy" and isinstance(value, types.ModuleType):
            used = _names(code) & set(dir(value)) - COMPARISONS
            problems_found += [f"{fn.__qualname__} uses numpy.{u}" for u in sorted(used)]
        elif module.startswith(("dlcalc", "numpy")):
            problems_found.append(f"{fn.__qualname__} uses {name} ({module})")
        elif inspect.isfunction(inspect.unwrap(value)) and module.startswith("records"):
            sub_reaches, sub_found = audit_answer(value, seen)
            reaches |= sub_reaches
            problems_found += sub_found
    return reaches, problems_found


def test_the_claim_audit_catches_a_computation() -> None:
    import numpy as np

    from dlcalc.problems import cse616_a2
    assert audit_answer(lambda: cse616_a2.Q7.solve().output_shape) == (True, [])
    reaches, found = audit_answer(lambda: dlcalc.conv_output_shape((3, 32, 32), 8, 5))
    assert not reaches and found
    assert audit_answer(lambda: cse616_a2.Q7.solve().output_shape[0] / 2)[1]
    assert audit_answer(lambda: np.prod(cse616_a2.Q7.solve().output_shape))[1]


def test_every_claim_reads_its_answer_off_a_solution() -> None:
    claims = records.all_claims()
    assert claims
    bad = []
    for claim in claims:
        if claim.answer is None:
            continue
        reaches, found = audit_answer(claim.answer)
        if not reaches and not claim.judgement:
            found.append("does not read a problem's solution")
        bad += [f"{claim.question} {claim.source} {claim.what!r}: {f}" for f in found]
    _check(bad, "claims that compute (they must read the problem bank's solve)")


# ---------------------------------------------------------------- pages call problems

def _code_cells(page: Path) -> Iterator[tuple[int, str]]:
    text = page.read_text(encoding="utf-8")
    for match in re.finditer(r"^```\{code-cell\}[^\n]*\n(.*?)^```[ \t]*$", text, re.S | re.M):
        line = text.count("\n", 0, match.start()) + 1
        source = "\n".join(line for line in match.group(1).splitlines()
                           if not line.startswith((":", "%", "!")))
        yield line, source


def _presentation(name: str) -> bool:
    fn = getattr(dlcalc, name, None)
    return name.endswith("_latex") or getattr(fn, "__module__", "") in PRESENTATION_MODULES


def dlcalc_bindings(sources: list[str]) -> tuple[set[str], dict[str, str]]:
    """The names a page (one notebook: its imports hold in every cell after them) binds
    to the dlcalc package, and to functions imported from it (local name -> its name)."""
    aliases, direct = {"dlcalc"}, {}
    for node in (n for s in sources for n in ast.walk(ast.parse(s))):
        if isinstance(node, ast.Import):
            aliases |= {a.asname or a.name for a in node.names if a.name == "dlcalc"}
        elif isinstance(node, ast.ImportFrom) and node.module and \
                node.module.split(".")[0] == "dlcalc" and ".problems" not in node.module:
            direct |= {a.asname or a.name: a.name for a in node.names if a.name != "problems"}
    return aliases, direct


def dlcalc_computations(source: str, bindings: tuple[set[str], dict[str, str]] | None = None
                        ) -> list[str]:
    """The dlcalc functions a cell calls other than through the problem bank and the
    presentation functions."""
    aliases, direct = bindings or dlcalc_bindings([source])
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and \
                func.value.id in aliases and not _presentation(func.attr):
            found.append(f"{func.value.id}.{func.attr}")
        elif isinstance(func, ast.Name) and func.id in direct and \
                not _presentation(direct[func.id]):
            found.append(func.id)
    return found


def test_the_page_audit_tells_computation_from_presentation() -> None:
    assert dlcalc_computations("import dlcalc as dc\nx = dc.conv_output_shape((3, 8, 8), 2, 3)")
    assert dlcalc_computations("from dlcalc import forward_trace\nforward_trace(n, [1])")
    cells = ["import dlcalc as dc", "z = dc.forward_trace(n, [1]).z"]
    assert dlcalc_computations(cells[1], dlcalc_bindings(cells))
    assert not dlcalc_computations("import dlcalc as dc\nfrom dlcalc import problems\n"
                                   "sol = problems.question('A2-Q7').solve()\n"
                                   "dc.plot_training_curves(sol.histories)\n"
                                   "dc.conv_output_size_latex(7, 2, stride=2)")


PAGES = sorted(BOOK.glob("*.md"))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_no_page_computes_outside_the_problem_bank(page: Path) -> None:
    cells = list(_code_cells(page))
    bindings = dlcalc_bindings([source for _, source in cells])
    found = [f"{page.name}: {call} (cell at line {line})" for line, source in cells
             for call in dlcalc_computations(source, bindings)]
    _check(found, "page cells that call dlcalc computations (move them into the "
           "question's solve and read the solution)")
