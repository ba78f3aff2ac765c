"""The build fails on the failures the book promises to catch.

Each test builds a one-page book in a temporary folder with the book's real
``_config.yml`` and the same flags as ``make book`` and checks the outcome: a
good page builds; a raising cell, a missing glue key and a broken reference
each fail the build; the page check flags a number typed by hand in a solution.
The last test reads the real book as `make test` leaves it (the PDFs, then the HTML):
every PDF the front page offers was made in the state the pages were built in.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pagecheck import copy_book_setup, hand_typed_numbers

JB = Path(sys.executable).with_name("jupyter-book")
HEADER = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

# A page

"""
GOOD = HEADER + """
```{code-cell} ipython3
from myst_nb import glue
glue("answer", 6 * 7, display=False)
```

```{exercise}
:label: ex-one

What is six times seven?
```

````{solution-start} ex-one
:class: dropdown
````

It is {glue:text}`answer`.

````{solution-end}
````
"""


def build(tmp_path: Path, page: str) -> subprocess.CompletedProcess[str]:
    copy_book_setup(tmp_path)
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: page\n")
    (tmp_path / "page.md").write_text(page)
    return subprocess.run([str(JB), "build", str(tmp_path), "-W", "-n", "--keep-going"],
                          capture_output=True, text=True, timeout=300)


pytestmark = pytest.mark.slow


def test_a_good_page_builds(tmp_path: Path) -> None:
    result = build(tmp_path, GOOD)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    html = (tmp_path / "_build" / "html" / "page.html").read_text()
    assert ">42<" in html


def test_a_raising_cell_fails_the_build(tmp_path: Path) -> None:
    page = GOOD.replace('glue("answer", 6 * 7, display=False)',
                        'glue("answer", 6 * 7, display=False)\nraise ValueError("boom")')
    result = build(tmp_path, page)
    assert result.returncode != 0
    assert "boom" in result.stdout + result.stderr


def test_a_missing_glue_key_fails_the_build(tmp_path: Path) -> None:
    result = build(tmp_path, GOOD.replace("{glue:text}`answer`", "{glue:text}`no_such_key`"))
    assert result.returncode != 0
    assert "no_such_key" in result.stdout + result.stderr


def test_a_broken_reference_fails_the_build(tmp_path: Path) -> None:
    result = build(tmp_path, GOOD + "\nSee {ref}`no-such-label`.\n")
    assert result.returncode != 0
    assert "no-such-label" in result.stdout + result.stderr


def test_a_number_typed_by_hand_in_a_solution_is_flagged() -> None:
    assert hand_typed_numbers(GOOD) == []
    bad = GOOD.replace("It is {glue:text}`answer`.", "It is 42, as {glue:text}`answer` says.")
    assert [f.number for f in hand_typed_numbers(bad)] == ["42"]


@pytest.mark.parametrize("text, numbers", [
    ("The output is $\\frac{128 + 6 - 7}{2}$.", ["128", "6", "7"]),
    ("The variance is $\\frac{1}{m}\\sum (x_i - \\mu)^2$.", []),
    ("As seed 001 says, it is 3.464.", ["3.464"]),
    ("The weights $w_3$, $b_{3}$ and $a^{[2]}$ are indices; $w_3 = 0.2$ is not.", ["0.2"]),
    ("$$\nW = 750 \\times 100\n$$", ["750", "100"]),
    ("A {glue:text}`q7_out` block, see [the question](#a2-q7).", []),
])
def test_the_page_check_reads_math_roles_and_links(text: str, numbers: list[str]) -> None:
    page = GOOD.replace("It is {glue:text}`answer`.", text)
    assert [f.number for f in hand_typed_numbers(page)] == numbers


def test_the_pdfs_the_book_offers_were_made_in_the_state_of_its_pages() -> None:
    import json
    import re

    from pagecheck import ROOT

    build = ROOT / "_build"
    front = build / "html" / "book" / "intro.html"
    if not front.is_file():
        pytest.skip("the book is not built (make book)")
    state = json.loads((build / "depcache.json").read_text())
    offered = set(re.findall(r'href="[^"]*/(dlcalc-\w+\.pdf)"', front.read_text()))
    if not offered:
        pytest.skip("the book offers no PDF (make pdf, then make book)")
    for name in offered:
        stamp = json.loads((build / "pdf" / f"{name}.json").read_text())
        assert stamp["key"] == state["key"], f"{name} was made in another state"
