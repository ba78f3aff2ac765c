"""The line "dlcalc on this page" of each chapter: which names a page's code uses, and
where each is documented."""

from __future__ import annotations

import sys

import pytest

from pagecheck import BOOK, ROOT

sys.path.insert(0, str(BOOK / "_ext"))
import apilinks  # noqa: E402


def test_names_are_found_through_aliases_shared_by_the_cells() -> None:
    cells = [
        "import dlcalc as dc\nfrom dlcalc.train import fit as train_fit\nimport numpy as np",
        "x = dc.summarize((3, 8, 8), [dc.Flatten(), dc.Dense(4)])\nnp.zeros(3)",
        "out = train_fit\nshape = dc.receptive_field(layers).size\n%matplotlib inline",
    ]
    cells = apilinks._cells("".join(f"```{{code-cell}} ipython3\n{c}\n```\n\n" for c in cells))
    assert apilinks.used_names(cells) == {
        "dlcalc.summarize", "dlcalc.Flatten", "dlcalc.Dense", "dlcalc.train.fit",
        "dlcalc.receptive_field",
    }


def test_names_resolve_to_the_module_that_defines_them() -> None:
    assert apilinks.resolve("dlcalc.summarize") == "dlcalc.counting.summarize"
    assert apilinks.resolve("dlcalc.Conv2d") == "dlcalc.specs.Conv2d"
    assert apilinks.resolve("dlcalc.train.fit") == "dlcalc.training.fit"
    assert apilinks.resolve("dlcalc.VERTICAL_EDGE") == "dlcalc.filters.VERTICAL_EDGE"
    assert apilinks.resolve("dlcalc.mlp") is None  # a module
    assert apilinks.resolve("dlcalc.no_such_name") is None


@pytest.mark.slow  # reads the built book (make book)
def test_every_chapter_links_the_functions_it_uses() -> None:
    html = ROOT / "_build" / "html" / "book"
    for page in ("cse616-assignment2", "assignment1", "homework2", "cs60010-midsem"):
        text = (html / f"{page}.html").read_text(encoding="utf-8")
        start = text.index("dlcalc-api-links")
        line = text[start:text.index("</p>", start)]
        assert line.count('href="api/') >= 5, page
