"""The library's reference stays complete: every module has its API page, every public
function a docstring with a runnable example (pytest runs them with --doctest-modules)."""

from __future__ import annotations

import inspect
import pkgutil

import pytest

import dlcalc
from pagecheck import BOOK, ROOT

MODULES = sorted(m.name for m in pkgutil.iter_modules(dlcalc.__path__) if not m.name.startswith("_"))
#: Topic modules, whose public names are re-exported at the top level; the problem bank
#: (a subpackage) is used as ``dlcalc.problems`` and keeps its names to itself.
TOPIC_MODULES = [m.name for m in pkgutil.iter_modules(dlcalc.__path__)
                 if not m.name.startswith("_") and not m.ispkg]
PUBLIC = sorted(
    (name, obj) for name, obj in vars(dlcalc).items()
    if not name.startswith("_") and inspect.isfunction(obj) and obj.__module__.startswith("dlcalc.")
)


@pytest.mark.parametrize("module", MODULES)
def test_every_module_has_an_api_page_in_the_toc(module: str) -> None:
    page = BOOK / "api" / f"{module}.md"
    assert page.exists(), f"no API page for dlcalc.{module}"
    assert f".. automodule:: dlcalc.{module}" in page.read_text()
    assert f"book/api/{module}\n" in (ROOT / "_toc.yml").read_text()


@pytest.mark.parametrize("module", TOPIC_MODULES)
def test_every_module_is_re_exported(module: str) -> None:
    mod = __import__(f"dlcalc.{module}", fromlist=["__all__"])
    assert hasattr(mod, "__all__"), f"dlcalc.{module} has no __all__"
    missing = [name for name in mod.__all__ if getattr(dlcalc, name, None) is not getattr(mod, name)]
    assert missing == []


def test_the_problem_bank_is_not_re_exported() -> None:
    assert "problems" in MODULES and "problems" not in TOPIC_MODULES
    assert not hasattr(dlcalc, "question") and not hasattr(dlcalc, "all_problems")


@pytest.mark.parametrize("name, func", PUBLIC, ids=[n for n, _ in PUBLIC])
def test_every_public_function_documents_parameters_and_an_example(name: str, func: object) -> None:
    doc = inspect.getdoc(func) or ""
    if inspect.signature(func).parameters:
        assert "Parameters\n----------" in doc, f"{name}: no Parameters section"
    assert "Returns\n-------" in doc or "Yields\n------" in doc, f"{name}: no Returns section"
    assert ">>> " in doc, f"{name}: no example"
