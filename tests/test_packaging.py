"""The package as a Python user gets it: metadata, licence, a wheel and a source archive that
install into a fresh virtual environment and run the README's reuse example, and a `test`
extra that declares everything the tests import.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import subprocess
import sys
import tarfile
import tomllib
import venv
import zipfile
from email.parser import HeaderParser
from pathlib import Path

import pytest

from pagecheck import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PROJECT = PYPROJECT["project"]
DIST = "dlcalc-worked"
README = (ROOT / "README.md").read_text(encoding="utf-8")


def source_version() -> str:
    """dlcalc.__version__ as written in dlcalc/__init__.py, read without importing it."""
    tree = ast.parse((ROOT / "dlcalc" / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == [
                "__version__"]:
            assert isinstance(node.value, ast.Constant)
            return str(node.value.value)
    raise AssertionError("dlcalc/__init__.py sets no __version__")


def readme_python_blocks() -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", README, re.M | re.S)


# ---- metadata -----------------------------------------------------------------------------

def test_distribution_name_and_one_version() -> None:
    assert PROJECT["name"] == DIST
    assert "version" not in PROJECT and PROJECT["dynamic"] == ["version"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "dlcalc.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", source_version())


def test_licence_metadata_needs_and_gets_setuptools_77() -> None:
    assert PROJECT["license"] == "MIT" and PROJECT["license-files"] == ["LICENSE"]
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License") and "WITHOUT WARRANTY OF ANY KIND" in licence
    requires = PYPROJECT["build-system"]["requires"]
    floor = next(r for r in requires if r.startswith("setuptools"))
    assert int(re.fullmatch(r"setuptools>=(\d+)(\.\d+)*", floor).group(1)) >= 77
    # An SPDX expression excludes the old licence classifiers (setuptools rejects both).
    assert not any(c.startswith("License ::") for c in PROJECT["classifiers"])


def test_metadata_is_complete() -> None:
    assert PROJECT["authors"] and PROJECT["description"] and PROJECT["keywords"]
    classifiers = set(PROJECT["classifiers"])
    assert "Typing :: Typed" in classifiers and (ROOT / "dlcalc" / "py.typed").exists()
    # Every Python the classifiers name is one requires-python admits, from its floor up.
    floor = re.fullmatch(r">=3\.(\d+)", PROJECT["requires-python"]).group(1)
    minors = sorted(int(c.rsplit(".", 1)[1]) for c in classifiers
                    if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c))
    assert minors and minors[0] == int(floor)
    assert minors == list(range(minors[0], minors[-1] + 1))


def test_readme_and_book_install_this_distribution_not_the_namesake() -> None:
    assert f"The distribution is called `{DIST}`" in README
    assert "pip install dlcalc\n" not in README and "pip install dlcalc " not in README
    assert "CC BY 4.0" in README and "MIT" in README
    assert f"distribution is called `{DIST}`" in (ROOT / "book" / "intro.md").read_text(
        encoding="utf-8")
    config = (ROOT / "_config.yml").read_text(encoding="utf-8")
    assert "creativecommons.org/licenses/by/4.0/" in config  # the book's footer


# ---- every test dependency is declared ----------------------------------------------------

# Imported by tests but deliberately outside the `test` extra: torch is installed by
# `make compare` only (a large download); toylib and toypkg are packages tests write.
NOT_IN_TEST_EXTRA = {"torch", "toylib", "toypkg"}


def imported_modules(path: Path) -> set[str]:
    """Top-level names of the absolute imports of a file, and of its importorskip calls."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
        elif (isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "importorskip"
              and node.args and isinstance(node.args[0], ast.Constant)):
            names.add(str(node.args[0].value).split(".")[0])
    return names


def local_modules() -> set[str]:
    """Modules the tests import from the repository itself (tests/, benchmarks/, and any
    module or package under book/, imported with its folder on sys.path)."""
    names = {"dlcalc"}
    for folder in (ROOT / "tests", ROOT / "benchmarks"):
        names.update(p.stem for p in folder.glob("*.py"))
    for path in (ROOT / "book").rglob("*.py"):
        names.add(path.parent.name if path.name == "__init__.py" else path.stem)
    return names


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared(extra: str) -> set[str]:
    """The distributions pyproject.toml names for `dlcalc-worked[extra]`: the extra's own
    requirements, those of the extras it names, and the package's dependencies."""
    from packaging.requirements import Requirement

    names = {canonical(Requirement(r).name) for r in PROJECT["dependencies"]}
    for text in PROJECT["optional-dependencies"][extra]:
        req = Requirement(text)
        if canonical(req.name) == DIST:
            names |= set().union(*(declared(e) for e in req.extras))
        else:
            names.add(canonical(req.name))
    return names


def test_the_test_extra_declares_every_module_the_tests_import() -> None:
    test_files = sorted((ROOT / "tests").glob("*.py"))
    imported = set().union(*(imported_modules(p) for p in test_files))
    third_party = imported - set(sys.stdlib_module_names) - local_modules() - NOT_IN_TEST_EXTRA
    assert {"pytest", "hypothesis", "bs4", "yaml", "scipy"} <= third_party  # the scan works
    providers = importlib.metadata.packages_distributions()
    # Declared by name: arriving as some other package's requirement is not enough.
    names = declared("test")
    undeclared = {m: providers.get(m) for m in third_party
                  if not {canonical(d) for d in providers.get(m, [])} & names}
    assert not undeclared, f"imported by tests, not declared in [test]: {undeclared}"


def test_torch_stays_out_of_the_extras() -> None:
    extras = PROJECT["optional-dependencies"]
    assert not any(re.match(r"torch\b", r) for reqs in extras.values() for r in reqs)


# ---- build, install into a fresh venv, reuse ----------------------------------------------

def run(*args: str | Path, cwd: Path) -> str:
    done = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True)
    assert done.returncode == 0, f"{args} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sdist and the wheel `python -m build` makes (the wheel is built from the sdist)."""
    out = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "build", "--outdir", out, ROOT, cwd=ROOT)
    return out


@pytest.mark.slow
def test_the_wheel_carries_metadata_licence_and_types(built: Path) -> None:
    version = source_version()
    wheel = built / f"dlcalc_worked-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        info = f"dlcalc_worked-{version}.dist-info"
        meta = HeaderParser().parsestr(z.read(f"{info}/METADATA").decode())
        licence = z.read(f"{info}/licenses/LICENSE").decode()
    assert meta["Name"] == DIST and meta["Version"] == version
    assert meta["License-Expression"] == "MIT" and meta["License-File"] == "LICENSE"
    assert licence == (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert {"dlcalc/py.typed", "dlcalc/problems/__init__.py", "dlcalc/problems/_base.py"} <= names
    assert all(n.startswith(("dlcalc/", info)) for n in names)  # no tests, no book

    with tarfile.open(built / f"dlcalc_worked-{version}.tar.gz") as tar:
        members = {m.name.split("/", 1)[1] for m in tar.getmembers() if "/" in m.name}
    assert {"LICENSE", "README.md", "pyproject.toml", "dlcalc/problems/cse616_a2.py"} <= members
    assert not any(m.startswith("tests/") for m in members)


@pytest.mark.slow
def test_the_wheel_installs_in_a_fresh_venv_and_runs_the_readme_example(
        built: Path, tmp_path: Path) -> None:
    version = source_version()
    env = tmp_path / "venv"
    venv.create(env, with_pip=True, symlinks=True)
    python = env / "bin" / "python"
    run(python, "-m", "pip", "install", "--quiet",
        built / f"dlcalc_worked-{version}-py3-none-any.whl", cwd=tmp_path)

    # The example's last line is `expression  # the value it shows`.
    block = next(b for b in readme_python_blocks() if "problems.get(" in b)
    *setup, last = [line for line in block.splitlines() if line.strip()]
    expression, _, value = (part.strip() for part in last.partition("#"))
    assert expression and value, "the README's reuse example states no value to check"
    program = "\n".join([
        *setup,
        "import dlcalc, importlib.metadata",
        f"print(repr({expression}))",
        "print(dlcalc.__file__)",
        f"print(importlib.metadata.version({DIST!r}), dlcalc.__version__)",
    ])
    # Run from an empty folder, so that only the installed package can be imported.
    shown, where, versions = run(python, "-c", program, cwd=tmp_path).splitlines()
    assert shown == value
    assert Path(where).is_relative_to(env)
    assert versions == f"{version} {version}"


# ---- the lock ------------------------------------------------------------------------------

LOCKS = {"book": ROOT / "requirements" / "book.txt", "test": ROOT / "requirements" / "test.txt"}


def pins(extra: str, here: bool = False) -> dict[str, list[str]]:
    """The lock's pins as {name: [versions]} (several where the Python decides), or with
    `here` only those this interpreter installs. Every requirement line must be a pin."""
    from packaging.requirements import Requirement

    found: dict[str, list[str]] = {}
    for line in LOCKS[extra].read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        req = Requirement(line)
        (spec,) = req.specifier
        assert spec.operator == "==" and not req.extras and not req.url, line
        if not here or req.marker is None or req.marker.evaluate():
            found.setdefault(canonical(req.name), []).append(spec.version)
    return found


def test_the_lock_is_what_make_lock_writes_for_every_supported_python() -> None:
    floor = re.fullmatch(r">=(3\.\d+)", PROJECT["requires-python"]).group(1)
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert f"--universal --python-version {floor} pyproject.toml" in makefile
    for extra, path in LOCKS.items():
        header = path.read_text(encoding="utf-8").splitlines()[1]
        assert f"uv pip compile --universal --python-version {floor} pyproject.toml " \
               f"--extra {extra}" in header, header


def test_the_lock_pins_every_declared_requirement_within_its_range() -> None:
    """A requirement added to or changed in pyproject.toml without `make lock` fails here."""
    from packaging.requirements import Requirement
    from packaging.version import Version

    for extra in LOCKS:
        locked = pins(extra)
        wanted = [Requirement(r) for r in PROJECT["dependencies"]]
        for text in PROJECT["optional-dependencies"][extra]:
            req = Requirement(text)
            wanted += ([Requirement(r) for e in req.extras
                        for r in PROJECT["optional-dependencies"][e]]
                       if canonical(req.name) == DIST else [req])
        for req in wanted:
            if canonical(req.name) == DIST:  # book -> data
                continue
            versions = locked.get(canonical(req.name), [])
            assert versions, f"{req.name} is declared for [{extra}] but not in the lock"
            assert all(req.specifier.contains(Version(v)) for v in versions), (req, versions)


def test_book_and_test_locks_agree_and_leave_torch_out() -> None:
    book, test = pins("book", here=True), pins("test", here=True)
    assert all(len(v) == 1 for v in test.values()), "one version of each package per Python"
    assert book.keys() <= test.keys() and {k: test[k] for k in book} == book
    assert not any(name == "torch" or name.startswith("nvidia-") for name in pins("test"))
