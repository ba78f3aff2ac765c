"""The code a reader sees on a chapter page runs as shown, with only dlcalc installed.

For each chapter page, the code cells the reader sees (every code cell not tagged
``remove-cell`` or ``remove-input``) are run in order in a fresh interpreter started in an
empty temporary directory, isolated from the repository: ``book/`` is not on its path and
the book's ``records`` package cannot be imported; only the installed dlcalc can. Each cell
must run without error, and the results are held against the executed notebook of the
built book (the build's jupyter-cache record of the page), which was run with the book's hidden cells too:

- the value each visible cell displays (its last expression, as IPython formats it) must
  show the same text and the same numbers (to a relative 1e-9) as the page's output;
- every number the page glues for its prose must be a number of the questions and
  solutions the visible cells produced (the fields and results, searched through the
  solution's tuples, dicts, arrays and the library's result objects), so what the prose
  shows is what a reader's run of the visible code computes. The few numbers a hidden
  cell still derives itself are listed in ``DERIVED``.

Training runs are shared with the build through its on-disk memo
(``DLCALC_CACHE_DIR=_build/.dlcalc_memo``), so the test takes seconds once the book is built.
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pagecheck import BOOK, ROOT

pytestmark = pytest.mark.slow

DEPCACHE = ROOT / "_build" / "depcache.json"
MEMO = ROOT / "_build" / ".dlcalc_memo"
CHAPTERS = ["cse616-assignment2", "assignment1", "homework2", "cs60010-midsem"]
HIDDEN_TAGS = {"remove-cell", "remove-input", "hide-cell", "hide-input"}
RTOL = 1e-9
RECORD = "application/papermill.record/"   # how glue stores a value it does not display

_CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```[ \t]*$", re.S | re.M)
_TAGS = re.compile(r"^:tags:\s*\[(.*?)\]\s*$")
_NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


def page_cells(page: str) -> list[tuple[set[str], str]]:
    """The page's code cells in order, as (tags, source)."""
    cells = []
    for match in _CELL.finditer((BOOK / f"{page}.md").read_text(encoding="utf-8")):
        lines = match.group(1).splitlines()
        tags: set[str] = set()
        while lines and lines[0].startswith(":"):
            tag_match = _TAGS.match(lines.pop(0))
            if tag_match:
                tags |= {t.strip().strip("'\"") for t in tag_match.group(1).split(",")}
        cells.append((tags, "\n".join(lines).strip("\n")))
    return cells


def executed_cells(page: str) -> list[dict]:
    """The page's code cells as the last clean build executed them (with their outputs):
    the jupyter-cache record of the book's state (``_build/depcache.json``)."""
    if not DEPCACHE.exists():
        pytest.fail("the book is not built: run `make book` first")
    from jupyter_cache import get_cache

    key = json.loads(DEPCACHE.read_text(encoding="utf-8"))["key"]
    cache = get_cache(str(ROOT / "_build" / ".jupyter_cache" / key))
    uri = str((BOOK / f"{page}.md").resolve())
    records = [r for r in cache.list_cache_records() if r.uri == uri]
    if not records:
        pytest.fail(f"no executed record of book/{page}.md: run `make book` first")
    notebook = cache.get_cache_bundle(records[-1].pk).nb
    return [c for c in notebook.cells if c["cell_type"] == "code"]


def _text(value: str | list[str]) -> str:
    return value if isinstance(value, str) else "".join(value)


def glued_numbers(page: str) -> dict[str, float]:
    """Every glued value of the page whose plain text is one number (bools left out)."""
    out = {}
    for cell in executed_cells(page):
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            data = output.get("data", {})
            plain = _text(data.get("text/plain", data.get(RECORD + "text/plain", ""))).strip()
            if name and plain and plain not in {"True", "False"} and \
                    _NUMBER.fullmatch(plain.replace("np.float64(", "").rstrip(")")):
                out[name] = float(plain.replace("np.float64(", "").rstrip(")"))
    return out


def displayed(cell: dict) -> str | None:
    """The plain text of the value a notebook cell displays, if it displays one."""
    for output in cell.get("outputs", []):
        if output["output_type"] == "execute_result":
            return _text(output["data"].get("text/plain", ""))
    return None


# Run in the fresh interpreter: each cell through IPython (as the notebook ran it), the
# formatted result recorded, and every number reachable from the questions and solutions
# in the namespace after each cell collected.
_RUNNER = textwrap.dedent('''
    import dataclasses, importlib.util, json, sys, traceback
    import numpy as np
    from IPython.core.interactiveshell import InteractiveShell

    cells = json.load(open(sys.argv[1], encoding="utf-8"))
    result = {"records": importlib.util.find_spec("records") is not None,
              "path": sys.path, "cells": [], "numbers": []}
    shell = InteractiveShell.instance()
    numbers = set()

    def walk(obj, depth=0):
        if depth > 8 or isinstance(obj, (bool, str, bytes, type(None))):
            return
        if isinstance(obj, (int, float, np.integer, np.floating)):
            numbers.add(float(obj))
        elif isinstance(obj, np.ndarray):
            numbers.update(float(n) for n in obj.shape)
            if obj.dtype.kind in "iuf" and obj.size <= 200_000:
                numbers.update(np.unique(obj.astype(float)).tolist())
            elif obj.dtype == object:
                for item in obj.ravel()[:10_000]:
                    walk(item, depth + 1)
        elif isinstance(obj, dict):
            for key, item in obj.items():
                walk(key, depth + 1)
                walk(item, depth + 1)
        elif isinstance(obj, (tuple, list, set, frozenset)):
            for item in obj:
                walk(item, depth + 1)
            if type(obj).__module__.startswith("dlcalc"):
                properties(obj, depth)
        elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            for field in dataclasses.fields(obj):
                walk(getattr(obj, field.name), depth + 1)
            if type(obj).__module__.startswith("dlcalc"):
                properties(obj, depth)
        elif type(obj).__module__.startswith("dlcalc"):
            properties(obj, depth)

    def properties(obj, depth):
        # a result object of the library: its public values and properties
        for name in dir(type(obj)):
            if isinstance(getattr(type(obj), name, None), property):
                walk(getattr(obj, name, None), depth + 1)
        for value in getattr(obj, "__dict__", {}).values():
            walk(value, depth + 1)

    for source in cells:
        run = shell.run_cell(source, store_history=True)
        error = run.error_before_exec or run.error_in_exec
        plain = None
        if run.result is not None:
            plain = shell.display_formatter.format(run.result)[0].get("text/plain")
        result["cells"].append({"error": None if error is None else repr(error),
                                "plain": plain})
        if error is not None:
            break
        for name, value in list(shell.user_ns.items()):
            if not name.startswith("_") and (isinstance(value, tuple) and
                                             hasattr(value, "_fields")
                                             or dataclasses.is_dataclass(value)):
                walk(value)
    result["numbers"] = sorted(n for n in numbers if np.isfinite(n))
    json.dump(result, open(sys.argv[2], "w", encoding="utf-8"))
''')


# Glued numbers that are not a solution's: the sources' own values (from their claims),
# and numbers the pages' hidden cells derive from a solution rather than read (found by
# this test; each belongs in its question's solve, then its entry goes).
DERIVED = {
    "assignment1": {"q1_src_p1",      # the source's value, from its claim
                    "q10_ratio",      # dense_params / conv_params
                    "q14_ratio3",     # ratios of A1-Q14's multiplication counts
                    "q14_ratio5"},
    "homework2": {"c_n_images",       # n_train + n_test
                  "c_step",           # 1 / n_test
                  "c_sec_mean",       # the mean of the epoch times
                  "src_off",          # the source's counts against whole numbers
                  "src_first_count"},  # the source's first count, rounded
    "cs60010-midsem": {"q3_loss_sum"},  # loss_plain + penalty
}


def run_fresh(sources: list[str], tmp: Path) -> dict:
    (tmp / "cells.json").write_text(json.dumps(sources), encoding="utf-8")
    (tmp / "runner.py").write_text(_RUNNER, encoding="utf-8")
    env = {k: v for k, v in os.environ.items()
           if k not in {"PYTHONPATH", "DLCALC_VARIANT", "PYTHONSTARTUP"}}
    env.update(MPLBACKEND="Agg", DLCALC_CACHE_DIR=str(MEMO))
    done = subprocess.run([sys.executable, "-I", "runner.py", "cells.json", "out.json"],
                          cwd=tmp, env=env, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads((tmp / "out.json").read_text(encoding="utf-8"))


def _skeleton(text: str) -> tuple[str, list[float]]:
    """Text with its numbers taken out (whitespace ignored), and the numbers."""
    numbers = [float(n) for n in _NUMBER.findall(text)]
    return re.sub(r"\s+", "", _NUMBER.sub("#", text)), numbers


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=RTOL, abs_tol=1e-12)


@pytest.fixture(scope="module", params=CHAPTERS)
def chapter(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
            ) -> tuple[str, list[dict], dict]:
    page = request.param
    cells = page_cells(page)
    executed = executed_cells(page)
    assert [src for _, src in cells] == [_text(c["source"]).strip("\n") for c in executed], \
        f"the executed record of book/{page}.md is older than the page: run make book"
    visible = [(src, out) for (tags, src), out in zip(cells, executed)
               if not tags & HIDDEN_TAGS]
    assert visible, f"{page} shows no code"
    fresh = run_fresh([src for src, _ in visible], tmp_path_factory.mktemp(page))
    return page, [out for _, out in visible], fresh


def test_visible_cells_run_without_the_repository(chapter: tuple[str, list[dict], dict]
                                                  ) -> None:
    page, executed, fresh = chapter
    assert not fresh["records"], "the book's records package is importable in the fresh run"
    assert not any(p and Path(p).resolve() in {BOOK.resolve()} for p in fresh["path"])
    failed = [(i, c["error"]) for i, c in enumerate(fresh["cells"]) if c["error"]]
    assert not failed, f"{page}: visible cell {failed[0][0]} fails: {failed[0][1]}"
    assert len(fresh["cells"]) == len(executed)


def test_visible_cells_show_what_the_page_shows(chapter: tuple[str, list[dict], dict]
                                               ) -> None:
    page, executed, fresh = chapter
    shown = 0
    for index, (cell, run) in enumerate(zip(executed, fresh["cells"])):
        expected = displayed(cell)
        if expected is None:
            continue
        shown += 1
        assert run["plain"] is not None, f"{page}: visible cell {index} displays nothing"
        want_text, want_numbers = _skeleton(expected)
        got_text, got_numbers = _skeleton(run["plain"])
        source = _text(cell["source"])
        assert got_text == want_text, f"{page}: cell {source!r} shows {run['plain']!r}, " \
            f"the page {expected!r}"
        assert len(got_numbers) == len(want_numbers) and all(
            _close(g, w) for g, w in zip(got_numbers, want_numbers)), \
            f"{page}: cell {source!r} computes {run['plain']!r}, the page shows {expected!r}"
    assert shown, f"{page}: no visible cell displays a result"


def test_glued_numbers_come_from_the_visible_solutions(chapter: tuple[str, list[dict], dict]
                                                      ) -> None:
    page, _, fresh = chapter
    numbers = fresh["numbers"]
    glued = glued_numbers(page)
    assert glued, f"{page}: no glued number found"
    missing = {key: value for key, value in glued.items()
               if not any(_close(value, n) for n in _near(numbers, value))}
    known = DERIVED.get(page, set())
    new = {k: v for k, v in missing.items() if k not in known}
    assert not new, f"{page}: glued numbers the visible code does not compute: {new}"


def _near(numbers: list[float], value: float) -> list[float]:
    """The few sorted numbers around ``value`` (bisection; the list can be long)."""
    import bisect
    i = bisect.bisect_left(numbers, value)
    return numbers[max(0, i - 2):i + 2]
