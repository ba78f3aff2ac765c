"""The dependency-aware execution cache (book/_ext/depcache.py).

Unit tests run the static analysis on a small synthetic library and pages, each
expected dependency set written out by hand from the sources below. The slow
tests build books in a temporary folder with the book's real ``_config.yml`` and
``book/_ext``, edit a library function, rebuild, and check which pages myst-nb
executed again (its log) and what their HTML shows.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from textwrap import dedent

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))
import depcache  # noqa: E402
from pagecheck import copy_book_setup  # noqa: E402
from test_build_checks import HEADER  # noqa: E402

JB = Path(sys.executable).with_name("jupyter-book")

TOYLIB = {
    "__init__.py": '''
        """A toy library."""
        __version__ = "1"
        from .alpha import *  # noqa
        from .beta import *  # noqa
        from .gamma import *  # noqa
        from .delta import *  # noqa
        ''',
    "_util.py": '''
        def check(x):
            return x
        ''',
    "alpha.py": '''
        from ._util import check
        __all__ = ["a_fn"]
        def a_fn(x):
            return check(x) + 1
        ''',
    "beta.py": '''
        from .alpha import a_fn as a_again
        __all__ = ["b_fn", "a_again"]
        def b_fn(x):
            return a_again(x) * 2
        ''',
    "gamma.py": '''
        from .beta import b_fn
        __all__ = ["g_fn"]
        def g_fn(x):
            return b_fn(x) - 3
        ''',
    "delta.py": '''
        __all__ = ["d_fn"]
        def d_fn():
            from sklearn import datasets
            return datasets
        ''',
    "unused.py": '''
        def u_fn():
            return 0
        ''',
    "ping.py": '''
        from .pong import pong_fn
        def ping_fn():
            return pong_fn()
        ''',
    "pong.py": '''
        from .extra import X
        def pong_fn():
            from .ping import ping_fn
            return X
        ''',
    "extra.py": '''
        X = 1
        ''',
}
NOTES = {
    "__init__.py": '''
        from importlib import import_module
        from .one import ONE
        CONSTANT = {"a": 1}
        def everything():
            return [import_module(f"{__name__}.{n}") for n in ("one", "two")]
        ''',
    "one.py": '''
        import toylib as tl
        ONE = tl.g_fn(1)
        ''',
    "two.py": '''
        from toylib.alpha import a_fn
        TABLE = open(__file__.replace("two.py", "data.csv")).read()
        NAME = "data.csv"
        ''',
    "data.csv": "1,2\n",
}


def _write(folder: Path, files: dict[str, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(dedent(text).lstrip())


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """root/toylib (on sys.path, like PYTHONPATH) and root/book/notes (beside the pages)."""
    _write(tmp_path / "toylib", TOYLIB)
    _write(tmp_path / "book" / "notes", NOTES)
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def deps_of(root: Path, code: str) -> tuple[set[str], set[str], set[str]]:
    """(modules in full, package inits, data files) of a page's code, relative to root."""
    analyzer = depcache.Analyzer(root, root / "book")
    deps = analyzer.page_deps(depcache._cell_code(dedent(code)), "page")
    kinds: dict[str, set[str]] = {"module": set(), "init": set(), "data": set()}
    for path, kind in deps.files.items():
        kinds[kind].add(path.relative_to(root).as_posix())
    return kinds["module"], kinds["init"], kinds["data"]


def test_a_name_used_through_the_alias_depends_on_its_module_only(project: Path) -> None:
    modules, inits, _ = deps_of(project, "import toylib as tl\ntl.a_fn(1)\n")
    assert modules == {"toylib/alpha.py", "toylib/_util.py"}
    assert inits == {"toylib/__init__.py"}


def test_importing_the_library_alone_depends_on_no_module(project: Path) -> None:
    modules, inits, _ = deps_of(project, "import toylib as tl\n")
    assert modules == set()
    assert inits == {"toylib/__init__.py"}


def test_a_name_defined_in_the_init_depends_on_the_init_alone(project: Path) -> None:
    modules, _, _ = deps_of(project, "import toylib as tl\nprint(tl.__version__)\n")
    assert modules == {"toylib/__init__.py"}


def test_a_re_import_resolves_to_the_defining_module(project: Path) -> None:
    # beta re-exports alpha's a_fn as a_again: the page needs alpha, not beta
    modules, _, _ = deps_of(project, "from toylib import a_again\n")
    assert modules == {"toylib/alpha.py", "toylib/_util.py"}


def test_internal_imports_are_closed_over(project: Path) -> None:
    # gamma -> beta -> alpha -> _util
    modules, _, _ = deps_of(project, "import toylib\ntoylib.g_fn(2)\n")
    assert modules == {"toylib/gamma.py", "toylib/beta.py", "toylib/alpha.py",
                       "toylib/_util.py"}


@pytest.mark.parametrize("code", [
    "import toylib.alpha\ntoylib.alpha.a_fn(1)\n",
    "from toylib.alpha import a_fn\n",
    "from toylib import alpha\n",
    "import toylib.alpha as al\n",
])
def test_the_forms_of_import_of_one_module(project: Path, code: str) -> None:
    modules, _, _ = deps_of(project, code)
    assert modules == {"toylib/alpha.py", "toylib/_util.py"}


def test_the_library_used_as_a_value_depends_on_all_of_it(project: Path) -> None:
    modules, _, _ = deps_of(project, "import toylib as tl\nprint(getattr(tl, 'a_fn'))\n")
    assert modules == {f"toylib/{name}" for name in TOYLIB}


def test_an_import_cycle_is_closed_whatever_the_order(project: Path) -> None:
    analyzer = depcache.Analyzer(project, project / "book")
    first = analyzer.page_deps("from toylib.ping import ping_fn\n", "a")
    second = analyzer.page_deps("from toylib.pong import pong_fn\n", "b")
    expected = {"toylib/ping.py", "toylib/pong.py", "toylib/extra.py"}
    for deps in (first, second):
        assert {p.relative_to(project).as_posix() for p, k in deps.files.items()
                if k == "module"} == expected


def test_ipython_magics_do_not_hide_the_imports(project: Path) -> None:
    modules, _, _ = deps_of(project, "%matplotlib inline\nimport toylib as tl\ntl.b_fn(1)\n")
    assert modules == {"toylib/beta.py", "toylib/alpha.py", "toylib/_util.py"}


def test_a_local_module_is_followed_into_the_library(project: Path) -> None:
    modules, inits, _ = deps_of(project, "from notes import one\n")
    assert modules == {"book/notes/one.py", "toylib/gamma.py", "toylib/beta.py",
                       "toylib/alpha.py", "toylib/_util.py"}
    assert inits == {"book/notes/__init__.py", "toylib/__init__.py"}


def test_a_constant_of_a_package_init_needs_only_the_init(project: Path) -> None:
    modules, _, _ = deps_of(project, "from notes import CONSTANT\n")
    assert modules == {"book/notes/__init__.py"}


def test_a_dynamic_import_depends_on_the_whole_package(project: Path) -> None:
    modules, _, data = deps_of(project, "from notes import everything\n")
    assert {"book/notes/__init__.py", "book/notes/one.py", "book/notes/two.py",
            "toylib/gamma.py", "toylib/alpha.py"} <= modules
    assert data == {"book/notes/data.csv"}


def test_a_string_naming_a_file_is_a_data_dependency(project: Path) -> None:
    (project / "book" / "table.txt").write_text("7\n")
    _, _, data = deps_of(project, "x = open('table.txt').read()\ny = 'no_such_file.txt'\n")
    assert data == {"book/table.txt"}


# the one-page header of the build checks, then one code cell
PAGE = HEADER.replace("{", "{{").replace("}", "}}") + """
```{{code-cell}} ipython3
{code}
```
"""


def test_the_fingerprint_changes_exactly_with_what_the_page_uses(project: Path) -> None:
    page = project / "book" / "page.md"
    page.write_text(PAGE.format(code="import toylib as tl\ntl.a_fn(1)"))
    before = depcache.fingerprint(page, project, {})
    assert {"version:numpy", "version:matplotlib"} <= set(before)
    assert "version:scikit-learn" not in before  # only delta imports sklearn
    # an unused module, a new re-export line: nothing the page uses
    (project / "toylib" / "unused.py").write_text("def u_fn():\n    return 1\n")
    with open(project / "toylib" / "__init__.py", "a") as init:
        init.write("from .unused import *  # noqa\n")
    assert depcache.fingerprint(page, project, {}) == before
    # the module defining a_fn
    (project / "toylib" / "_util.py").write_text("def check(x):\n    return -x\n")
    after = depcache.fingerprint(page, project, {})
    assert depcache.reasons(before, after) == ["toylib/_util.py changed"]
    assert depcache.reasons(None, after) == ["not executed by an earlier build"]


def test_a_page_using_the_data_module_is_keyed_on_scikit_learn(project: Path) -> None:
    page = project / "book" / "page.md"
    page.write_text(PAGE.format(code="import toylib as tl\ntl.d_fn()"))
    assert "version:scikit-learn" in depcache.fingerprint(page, project, {})


def test_a_page_without_code_has_no_fingerprint(project: Path) -> None:
    page = project / "book" / "text.md"
    page.write_text("# Text only\n\nNo code here.\n")
    assert depcache.fingerprint(page, project, {}) is None


# ------------------------------------------------------------------ builds

MARKER = re.compile(r"(\S+?)\.md: (Executing notebook|Using cached notebook)")


def build(root: Path) -> tuple[set[str], set[str], str]:
    """Build the book at root; (pages executed, pages from the cache, log)."""
    env = dict(os.environ, PYTHONPATH=str(root))
    result = subprocess.run([str(JB), "build", str(root), "-W", "-n", "--keep-going"],
                            capture_output=True, text=True, timeout=900, env=env, cwd=root)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-4000:]
    executed, cached = set(), set()
    for path, what in MARKER.findall(log):
        page = Path(path).resolve().relative_to(root.resolve()).as_posix()
        (executed if what.startswith("Executing") else cached).add(page)
    return executed, cached, log


def book_copy(tmp_path: Path, pages: dict[str, str]) -> Path:
    """The book's real configuration and extensions, with the given pages as its toc."""
    root = tmp_path / "book-copy"
    copy_book_setup(root)
    names = list(pages)
    toc = f"format: jb-book\nroot: book/{names[0]}\nchapters:\n"
    toc += "".join(f"  - file: book/{name}\n" for name in names[1:])
    (root / "_toc.yml").write_text(toc)
    for name, code in pages.items():
        (root / "book" / f"{name}.md").write_text(PAGE.format(code=code) + (
            "\nThe answer is {glue:text}`answer`.\n" if "glue(" in code else ""))
    return root


def glued(root: Path, page: str) -> str:
    return (root / "_build" / "html" / "book" / f"{page}.html").read_text()


def set_return(path: Path, function: str, value: str) -> None:
    """Make ``function`` in the module at ``path`` return ``value`` first thing."""
    source = path.read_text()
    node = next(n for n in ast.walk(ast.parse(source))
                if isinstance(n, ast.FunctionDef) and n.name == function)
    first = node.body[0]
    lines = source.splitlines(keepends=True)
    lines.insert(first.lineno - 1, " " * first.col_offset + f"return {value}\n")
    path.write_text("".join(lines))


GLUE = "from myst_nb import glue\n"


@pytest.mark.slow
def test_a_library_edit_re_executes_exactly_the_pages_using_it(tmp_path: Path) -> None:
    root = book_copy(tmp_path, {
        "intro": "print('no library here')",
        "alpha": GLUE + "import toylib as tl\nglue('answer', tl.a_fn(40), display=False)",
        "gamma": GLUE + "from toylib import g_fn\nglue('answer', g_fn(5), display=False)",
    })
    _write(root / "toylib", TOYLIB)
    pages = {"book/intro", "book/alpha", "book/gamma"}

    executed, cached, _ = build(root)
    assert executed == pages and cached == set()
    assert ">41<" in glued(root, "alpha")  # check(40) + 1
    assert ">9<" in glued(root, "gamma")  # (5 + 1) * 2 - 3

    executed, cached, log = build(root)  # nothing changed
    assert executed == set() and cached == set(), log[-3000:]

    set_return(root / "toylib" / "beta.py", "b_fn", "7000")  # used by gamma only
    executed, cached, _ = build(root)
    assert executed == {"book/gamma"} and cached == set()  # the others are not even re-read
    assert ">6997<" in glued(root, "gamma")  # 7000 - 3
    assert ">41<" in glued(root, "alpha")

    set_return(root / "toylib" / "unused.py", "u_fn", "123")  # used by no page
    executed, cached, _ = build(root)
    assert executed == set() and cached == set()

    set_return(root / "toylib" / "_util.py", "check", "100")  # alpha, and gamma through beta
    executed, _, _ = build(root)
    assert executed == {"book/alpha", "book/gamma"}
    assert ">101<" in glued(root, "alpha")  # 100 + 1
    assert ">6997<" in glued(root, "gamma")  # b_fn still returns 7000 first

    page = root / "book" / "intro.md"
    page.write_text(page.read_text() + "\nMore prose.\n")
    executed, _, _ = build(root)
    assert executed == {"book/intro"}

    why = subprocess.run([sys.executable, str(ROOT / "book" / "_ext" / "depcache.py"), str(root)],
                         capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(root)))
    assert why.returncode == 0, why.stderr
    assert re.search(r"book/alpha\s+cached", why.stdout), why.stdout
    set_return(root / "toylib" / "alpha.py", "a_fn", "5")
    why = subprocess.run([sys.executable, str(ROOT / "book" / "_ext" / "depcache.py"), str(root)],
                         capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(root)))
    assert re.search(r"book/alpha\s+execute\s+toylib/alpha.py changed", why.stdout), why.stdout
    assert re.search(r"book/intro\s+cached", why.stdout), why.stdout


@pytest.mark.slow
def test_a_page_with_a_warning_fails_every_rebuild_until_fixed(tmp_path: Path) -> None:
    root = book_copy(tmp_path, {
        "intro": "print('hello')",
        "alpha": GLUE + "import toylib as tl\nglue('answer', tl.a_fn(1), display=False)",
    })
    _write(root / "toylib", TOYLIB)
    build(root)
    page = root / "book" / "alpha.md"
    good = page.read_text()
    page.write_text(good.replace("{glue:text}`answer`", "{glue:text}`missing`"))
    env = dict(os.environ, PYTHONPATH=str(root))
    command = [str(JB), "build", str(root), "-W", "-n", "--keep-going"]
    for _ in range(2):  # the second build must not pass on the first one's cache
        result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=root)
        assert result.returncode != 0 and "missing" in result.stdout + result.stderr
    page.write_text(good)
    executed, cached, _ = build(root)
    # after failed builds every page is re-read: alpha executed (its source changed back),
    # intro from the cache
    assert executed == {"book/alpha"} and cached == {"book/intro"}


@pytest.mark.slow
def test_on_the_real_book_layout_a_dlcalc_edit_re_executes_its_pages(tmp_path: Path) -> None:
    """The real _config.yml, book/_ext, book/records and dlcalc; two small pages."""
    root = book_copy(tmp_path, {
        "intro": "import dlcalc as dc\nfrom records.page import glue_value\n"
                 "glue_value('answer', dc.conv_output_size(32, 5))",
        "soft": "import dlcalc as dc\nfrom records.page import glue_value\n"
                "glue_value('answer', float(dc.softmax([0.0, 0.0])[0]))",
    })
    for page in ("intro", "soft"):
        path = root / "book" / f"{page}.md"
        path.write_text(path.read_text() + "\nThe answer is {glue:text}`answer`.\n")
    shutil.copytree(ROOT / "book" / "records", root / "book" / "records",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "dlcalc", root / "dlcalc", ignore=shutil.ignore_patterns("__pycache__"))

    executed, _, _ = build(root)
    assert executed == {"book/intro", "book/soft"}
    assert ">28<" in glued(root, "intro")  # 32 - 5 + 1
    assert ">0.5<" in glued(root, "soft")  # e^0 / (e^0 + e^0)

    set_return(root / "dlcalc" / "shapes.py", "conv_output_size", "424242")
    executed, cached, _ = build(root)
    assert executed == {"book/intro"} and cached == set()  # soft is not even re-read
    assert ">424242<" in glued(root, "intro")

    optim = root / "dlcalc" / "optim.py"  # used by neither page
    optim.write_text(optim.read_text() + "\n\ndef _unused_helper():\n    return 1\n")
    executed, cached, _ = build(root)
    assert executed == set() and cached == set()
