"""Dependency-aware execution cache for the book: fast rebuilds that are never stale.

myst-nb's cache mode (jupyter-cache) keys an executed page on its own code cells
only, so an edit to dlcalc would leave pages showing numbers the library no
longer produces (myst-nb issue 299). This Sphinx extension gives every notebook
page a *fingerprint* of everything its outputs depend on:

- the page's own source and its code cells (as myst-nb reads them);
- the local modules its code imports, found by static analysis (:mod:`ast`) of
  the code cells and, transitively, of the modules they import. Names are
  resolved through a package's ``__init__`` re-exports to the module that
  *defines* them, so ``import dlcalc as dc`` followed by ``dc.summarize(...)``
  depends on ``dlcalc/counting.py`` and what counting imports, not on every
  module of dlcalc. A package imported only as the parent of a module counts by
  its ``__init__`` with the re-export lines left out;
- the data files the code names: string literals naming existing files, and for a
  path built by an f-string ending in a suffix (``f"{stem}.md"``), every file with that
  suffix in the page's folder, the module's folder and its parent;
- the installed versions of numpy, matplotlib and of every third-party package
  the analysed code imports (scikit-learn where ``dlcalc.data`` is used), the
  Python version, the execution settings, and this file.

On ``env-get-outdated`` the pages whose fingerprint differs from the one stored
after the last build lose their jupyter-cache records (so myst-nb executes them
again) and are re-read; the others are neither re-read nor executed. If the last
build had warnings or failed, or the toc or config changed, every page is re-read
(unchanged pages still come from the cache), so a warning is emitted again until it
is fixed and ``-W`` keeps failing. (Sphinx's own incremental limits remain: a
reference in an unchanged page to a label removed from a changed page is not
re-checked; the clean build of ``make test`` checks it.) The fingerprints are stored in
``_build/depcache.json`` when the build ends.

Run ``python book/_ext/depcache.py [ROOT]`` (``make why``) to see, for each page,
whether the next build re-executes it and why.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.machinery
import importlib.metadata
import importlib.util
import json
import os
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

FORMAT = 1
STATE_FILE = "depcache.json"
ALWAYS_VERSIONED = ("numpy", "matplotlib")
#: myst-nb execution settings that change what an executed (cached) page contains.
EXEC_SETTINGS = ("nb_execution_allow_errors", "nb_execution_in_temp", "nb_execution_timeout")
_DYNAMIC_IMPORTS = {"import_module", "__import__"}


def _sha(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode()
    return hashlib.sha256(data).hexdigest()[:16]


@cache
def _file_sha(path: Path, mtime_ns: int, size: int) -> str:  # keyed on stat: edits invalidate
    return _sha(path.read_bytes())


def file_sha(path: Path) -> str:
    st = path.stat()
    return _file_sha(path, st.st_mtime_ns, st.st_size)


# ------------------------------------------------------------------ modules


@dataclass
class Module:
    """A local Python module: a ``.py`` file, or a package's ``__init__.py``."""

    name: str
    path: Path
    is_package: bool

    @property
    def package(self) -> str:
        """The package relative imports in this module start from."""
        return self.name if self.is_package else self.name.rpartition(".")[0]

    @property
    def folder(self) -> Path:
        return self.path.parent


@dataclass
class Deps:
    """What a piece of code depends on: local files by kind, third-party packages."""

    files: dict[Path, str] = field(default_factory=dict)  # path -> "module" | "init" | "data"
    modules: dict[Path, Module] = field(default_factory=dict)  # needed in full: closed later
    packages: set[str] = field(default_factory=set)  # top-level import names, third party
    notes: set[str] = field(default_factory=set)  # where the analysis had to be conservative

    def add_file(self, path: Path, kind: str) -> None:
        # a full module dependency subsumes the reduced package-init one
        if self.files.get(path) != "module":
            self.files[path] = kind

    def update(self, other: Deps) -> None:
        for path, kind in other.files.items():
            self.add_file(path, kind)
        self.modules.update(other.modules)
        self.packages |= other.packages
        self.notes |= other.notes

    @classmethod
    def of_module(cls, module: Module) -> Deps:
        deps = cls()
        deps.modules[module.path] = module
        return deps


def _parse(source: str, filename: str) -> ast.Module:
    return ast.parse(source, filename=filename)


def _cell_code(source: str) -> str:
    """A code cell as plain Python (IPython magics and shell escapes translated)."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except ImportError:  # pragma: no cover - IPython comes with myst-nb
        return "\n".join(line for line in source.splitlines()
                         if not line.lstrip().startswith(("%", "!")))
    return TransformerManager().transform_cell(source)


def _reexport_statements(tree: ast.Module) -> list[ast.ImportFrom]:
    """A package ``__init__``'s relative ``from .x import ...`` lines: re-exports."""
    return [node for node in tree.body if isinstance(node, ast.ImportFrom) and node.level > 0]


def _static_all(tree: ast.Module) -> list[str] | None:
    names: list[str] | None = None
    for node in tree.body:
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        if not any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
            continue
        try:
            value = ast.literal_eval(node.value)
        except (ValueError, TypeError, SyntaxError):
            return None
        value = [str(v) for v in value]
        names = value if not isinstance(node, ast.AugAssign) else (names or []) + value
    return names


def _bound_names(node: ast.stmt) -> list[str]:
    """Names a top-level statement other than an import binds."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    targets: list[ast.expr] = []
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.For, ast.AsyncFor)):
        targets = [node.target]
    elif isinstance(node, (ast.With, ast.AsyncWith)):
        targets = [item.optional_vars for item in node.items if item.optional_vars]
    names = []
    for target in targets:
        names += [n.id for n in ast.walk(target) if isinstance(n, ast.Name)]
    return names


class Analyzer:
    """Static dependency analysis of pages and local modules under ``root``.

    ``cwd`` is the folder a page is executed in: its first entry on ``sys.path``.
    """

    def __init__(self, root: Path, cwd: Path) -> None:
        self.root = root.resolve()
        self.cwd = cwd.resolve()
        self._trees: dict[Path, ast.Module] = {}
        self._full: dict[Path, Deps] = {}
        self._in_progress: set[Path] = set()
        self._found: dict[str, Module | None | str] = {}

    # -- locating modules

    def is_local(self, path: Path) -> bool:
        path = path.resolve()
        if not path.is_relative_to(self.root):
            return False
        parts = path.relative_to(self.root).parts
        return not any(p in {".venv", "venv", "site-packages", "_build"} for p in parts)

    def _top_level(self, name: str) -> Module | None | str:
        """A top-level module: a local Module, "external", or None (stdlib/unknown)."""
        # the kernel's sys.path: its working folder, then this process's path (PYTHONPATH
        # included); sys.modules is not consulted, so an imported copy elsewhere is ignored
        spec = importlib.machinery.PathFinder.find_spec(name, [str(self.cwd)] + sys.path)
        if spec is None:
            try:
                spec = importlib.util.find_spec(name)
            except (ImportError, ValueError):
                spec = None
        if spec is None:
            return None
        origin = spec.origin
        if origin in (None, "built-in", "frozen") and spec.submodule_search_locations:
            locations = list(spec.submodule_search_locations)
            origin = os.path.join(locations[0], "__init__.py") if locations else None
        if origin is None or origin in ("built-in", "frozen"):
            return None
        path = Path(origin)
        if self.is_local(path) and path.suffix == ".py":
            return Module(name, path.resolve(), path.name == "__init__.py")
        return "external"

    def find(self, dotted: str) -> Module | None | str:
        if dotted not in self._found:
            self._found[dotted] = self._find(dotted)
        return self._found[dotted]

    def _find(self, dotted: str) -> Module | None | str:
        top, *rest = dotted.split(".")
        module = self._top_level(top)
        for part in rest:
            if not isinstance(module, Module):
                return module
            module = self.submodule(module, part)
            if module is None:
                return None
        return module

    def submodule(self, package: Module, name: str) -> Module | None:
        if not package.is_package:
            return None
        for candidate, is_pkg in ((package.folder / name / "__init__.py", True),
                                  (package.folder / f"{name}.py", False)):
            if candidate.is_file():
                return Module(f"{package.name}.{name}", candidate.resolve(), is_pkg)
        return None

    def parents(self, module: Module) -> list[Module]:
        """The packages Python imports before ``module``, outermost first."""
        parts = module.name.split(".")
        out = []
        for i in range(1, len(parts)):
            found = self.find(".".join(parts[:i]))
            if isinstance(found, Module):
                out.append(found)
        return out

    def tree(self, module: Module) -> ast.Module:
        if module.path not in self._trees:
            self._trees[module.path] = _parse(module.path.read_text(), str(module.path))
        return self._trees[module.path]

    # -- names

    def exports(self, module: Module) -> list[str]:
        """Names ``from module import *`` binds."""
        tree = self.tree(module)
        names = _static_all(tree)
        if names is not None:
            return names
        out = []
        for node in tree.body:
            out += _bound_names(node)
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                out += [(a.asname or a.name).split(".")[0] for a in node.names if a.name != "*"]
        return [n for n in out if not n.startswith("_")]

    def resolve_relative(self, module: Module | None, node: ast.ImportFrom) -> str | None:
        if node.level == 0:
            return node.module
        if module is None:
            return None
        base = module.package.split(".")
        if node.level > 1:
            base = base[: len(base) - (node.level - 1)]
        return ".".join(base + ([node.module] if node.module else []))

    def resolve_name(self, module: Module, name: str, seen: frozenset = frozenset()) -> Deps:
        """What using ``module.name`` depends on: the module that defines it, in full."""
        key = (module.path, name)
        if key in seen:
            return Deps()
        seen = seen | {key}
        tree = self.tree(module)
        binding: Any = None
        for node in tree.body:  # the last binding wins
            if isinstance(node, ast.ImportFrom):
                source = self.resolve_relative(module, node)
                for alias in node.names:
                    if alias.name == "*":
                        target = self.find(source) if source else None
                        if isinstance(target, Module) and name in self.exports(target):
                            binding = ("from", target, name)
                    elif (alias.asname or alias.name) == name:
                        binding = ("from", source, alias.name)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if (alias.asname or alias.name.split(".")[0]) == name:
                        binding = ("import", alias.name if alias.asname else name)
            elif name in _bound_names(node):
                binding = ("def",)
        deps = Deps()
        if binding is None:
            sub = self.submodule(module, name)
            if sub is not None:
                return self.module_deps(sub)
            if module.is_package:  # not found statically: the whole package counts
                deps = self.whole_package(module)
                deps.notes.add(f"{module.name}.{name} not found statically: "
                               f"all of {module.name} counts")
                return deps
            binding = ("def",)  # made at run time: depend on the whole module
        if binding[0] == "from":
            source = binding[1]
            target = source if isinstance(source, Module) else (
                self.find(source) if source else None)
            if isinstance(target, Module):
                return self.resolve_name(target, binding[2], seen)
            if target == "external":
                deps.packages.add(str(source).split(".")[0])
            return deps
        if binding[0] == "import":
            target = self.find(binding[1])
            if isinstance(target, Module):
                return self.module_deps(target)
            if target == "external":
                deps.packages.add(binding[1].split(".")[0])
            return deps
        # defined in this module
        if module.is_package:
            return self.init_definition_deps(module, name, seen)
        return Deps.of_module(module)

    def module_deps(self, module: Module) -> Deps:
        """Importing ``module`` and using it: a package by its init, a module in full."""
        if module.is_package:
            deps = Deps()
            for parent in self.parents(module) + [module]:
                deps.add_file(parent.path, "init")
            return deps
        return Deps.of_module(module)

    def init_definition_deps(self, package: Module, name: str, seen: frozenset) -> Deps:
        """Using ``name`` that a package's ``__init__`` defines itself (a function, a constant).

        Only the statements binding ``name`` count, with what they use: the package's other
        top-level names (resolved in turn) and its absolute imports. The re-exports do not.
        """
        tree = self.tree(package)
        prelude = [n for n in tree.body
                   if isinstance(n, ast.Import) or (isinstance(n, ast.ImportFrom) and n.level == 0)]
        own = [n for n in tree.body if name in _bound_names(n)]
        deps = self.code_deps(ast.Module(body=prelude + own, type_ignores=[]), package)
        deps.add_file(package.path, "module")
        top_level = set()
        for node in tree.body:
            top_level |= set(_bound_names(node))
            if isinstance(node, ast.ImportFrom) and node.level > 0:
                top_level |= {a.asname or a.name for a in node.names if a.name != "*"}
        used = {n.id for stmt in own for n in ast.walk(stmt)
                if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
        for other in sorted(used & top_level - {name}):
            deps.update(self.resolve_name(package, other, seen))
        return deps

    def direct(self, module: Module) -> Deps:
        """A regular module's own needs: its file, its parents' inits, what it imports."""
        if module.path in self._full:
            return self._full[module.path]
        deps = Deps()
        try:
            tree = self.tree(module)
        except SyntaxError:
            deps.notes.add(f"{self.rel(module.path)} does not parse: its package counts whole")
            tree = None
        if tree is not None:
            deps.update(self.code_deps(tree, module))
        else:
            deps.update(self.whole_package(module))
        for parent in self.parents(module):
            deps.add_file(parent.path, "init")
        deps.add_file(module.path, "module")
        self._full[module.path] = deps
        return deps

    def close(self, deps: Deps) -> Deps:
        """Close ``deps`` over the modules it needs in full, transitively."""
        out = Deps()
        out.update(deps)
        todo, done = list(deps.modules.values()), set()
        while todo:
            module = todo.pop()
            if module.path in done:
                continue
            done.add(module.path)
            direct = self.direct(module)
            out.update(direct)
            todo += [m for m in direct.modules.values() if m.path not in done]
        return out

    def whole_package(self, module: Module) -> Deps:
        """Every module of the package ``module`` belongs to (the conservative answer)."""
        top = self.find(module.name.split(".")[0]) if module.name else None
        if isinstance(top, Module) and top.is_package:
            return self.modules_under(top.folder, top.name)
        return self.modules_under(module.folder, "")

    def modules_under(self, folder: Path, package: str) -> Deps:
        deps = Deps()
        for path in sorted(folder.rglob("*.py")):
            if not self.is_local(path):
                continue
            parts = list(path.relative_to(folder).with_suffix("").parts)
            is_pkg = parts[-1] == "__init__"
            if is_pkg:
                parts = parts[:-1]
            name = ".".join(([package] if package else []) + parts)
            deps.update(Deps.of_module(Module(name, path.resolve(), is_pkg)))
        return deps

    def rel(self, path: Path) -> str:
        path = path.resolve()
        return path.relative_to(self.root).as_posix() if path.is_relative_to(self.root) else str(path)

    # -- code

    def code_deps(self, tree: ast.Module, module: Module | None,
                  skip: set[int] = frozenset()) -> Deps:
        """What a page's code (``module`` None) or a local module's code depends on."""
        deps = Deps()
        aliases: dict[str, Module] = {}  # names bound to a local package
        parents: dict[int, ast.AST] = {}
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                parents[id(child)] = node
        for node in ast.walk(tree):
            if id(node) in skip:
                continue
            if isinstance(node, ast.Import):
                for alias in node.names:
                    target = self.find(alias.name)
                    if target == "external":
                        deps.packages.add(alias.name.split(".")[0])
                    if not isinstance(target, Module):
                        continue
                    for parent in self.parents(target):
                        deps.add_file(parent.path, "init")
                    deps.update(self.module_deps(target))
                    bound = alias.asname or alias.name.split(".")[0]
                    bound_module = target if alias.asname else self.find(bound)
                    if isinstance(bound_module, Module) and bound_module.is_package:
                        aliases[bound] = bound_module
            elif isinstance(node, ast.ImportFrom):
                source = self.resolve_relative(module, node)
                target = self.find(source) if source else None
                if target == "external":
                    deps.packages.add(str(source).split(".")[0])
                if not isinstance(target, Module):
                    continue
                deps.update(self.module_deps(target))
                for alias in node.names:
                    if alias.name == "*":
                        for name in self.exports(target):
                            deps.update(self.resolve_name(target, name))
                        continue
                    sub = self.submodule(target, alias.name)
                    if sub is not None and sub.is_package:
                        aliases[alias.asname or alias.name] = sub
                    deps.update(self.resolve_name(target, alias.name))
            elif isinstance(node, ast.Call) and self._is_dynamic_import(node):
                arg = node.args[0] if node.args else None
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str) \
                        and not arg.value.startswith("."):
                    target = self.find(arg.value)
                    if isinstance(target, Module):
                        deps.update(self.module_deps(target))
                    elif target == "external":
                        deps.packages.add(arg.value.split(".")[0])
                else:
                    where = self.rel(module.path) if module else "a page"
                    deps.notes.add(f"dynamic import in {where}: its whole package counts")
                    if module is not None:
                        deps.update(self.whole_package(module))
                    else:
                        deps.update(self.modules_under(self.cwd, ""))
        for node in ast.walk(tree):  # attribute uses of aliased packages: dc.summarize
            if not (isinstance(node, ast.Name) and node.id in aliases
                    and isinstance(node.ctx, ast.Load)):
                continue
            package, chain, cursor = aliases[node.id], [], node
            while isinstance(parents.get(id(cursor)), ast.Attribute) and \
                    parents[id(cursor)].value is cursor:
                cursor = parents[id(cursor)]
                chain.append(cursor.attr)
            deps.update(self._chain_deps(package, chain, where=module))
        deps.update(self._data_files(tree, module))
        return deps

    def _chain_deps(self, package: Module, chain: list[str], where: Module | None) -> Deps:
        current = package
        for attr in chain:
            sub = self.submodule(current, attr)
            if sub is not None and sub.is_package and not self._binds(current, attr):
                current = sub
                continue
            return self.resolve_name(current, attr)
        # the package itself is used as a value (passed, getattr'ed): all of it counts
        deps = self.whole_package(current)
        place = self.rel(where.path) if where else "a page"
        deps.notes.add(f"{current.name} used as a whole in {place}")
        return deps

    def _binds(self, package: Module, name: str) -> bool:
        tree = self.tree(package)
        return any(name in _bound_names(node) for node in tree.body)

    @staticmethod
    def _is_dynamic_import(node: ast.Call) -> bool:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        return name in _DYNAMIC_IMPORTS

    def _data_files(self, tree: ast.Module, module: Module | None) -> Deps:
        deps = Deps()
        bases = [self.cwd, self.root] + ([module.folder] if module else [])
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr):  # f"{stem}.md": every such file nearby counts
                tail = node.values[-1] if node.values else None
                if isinstance(tail, ast.Constant) and isinstance(tail.value, str):
                    suffix = re.search(r"\.[A-Za-z0-9]{1,8}$", tail.value)
                    folders = {self.cwd} | ({module.folder, module.folder.parent} if module else set())
                    for folder in folders if suffix else ():
                        for path in folder.glob(f"*{suffix.group()}"):
                            if path.is_file() and self.is_local(path):
                                deps.add_file(path.resolve(), "data")
                continue
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
                continue
            text = node.value
            if not text.strip(" ./") or "\n" in text or len(text) > 255 or "\0" in text:
                continue
            for base in bases:
                try:
                    candidate = (base / text)
                    if candidate.is_file():
                        deps.add_file(candidate.resolve(), "data")
                        break
                except (OSError, ValueError):
                    continue
        return deps

    def page_deps(self, code: str, label: str) -> Deps:
        try:
            tree = _parse(code, label)
        except SyntaxError as err:
            deps = Deps()
            deps.notes.add(f"{label}: code does not parse ({err.msg}); dlcalc counts whole")
            top = self.find("dlcalc")
            if isinstance(top, Module):
                deps.update(self.whole_package(top))
            return self.close(deps)
        return self.close(self.code_deps(tree, None))


# ------------------------------------------------------------------ pages


def read_notebook(path: Path):
    """The page as myst-nb reads it, or None if it is not a notebook."""
    import nbformat
    from myst_nb.core.read import is_myst_markdown_notebook, read_myst_markdown_notebook

    text = path.read_text()
    if path.suffix == ".ipynb":
        return nbformat.reads(text, as_version=4)
    if path.suffix == ".md" and is_myst_markdown_notebook(text):
        return read_myst_markdown_notebook(text, path=path)
    return None


@lru_cache(maxsize=1)
def _distributions() -> dict[str, list[str]]:
    return importlib.metadata.packages_distributions()


_KNOWN = {"sklearn": "scikit-learn", "IPython": "ipython", "myst_nb": "myst-nb"}


@cache
def _dist_name(import_name: str) -> str:
    """The distribution that installs ``import_name`` (scanning all only when needed)."""
    for name in (_KNOWN.get(import_name), import_name, import_name.replace("_", "-")):
        if name:
            try:
                importlib.metadata.version(name)
                return name
            except importlib.metadata.PackageNotFoundError:
                continue
    dists = _distributions().get(import_name)
    return dists[0] if dists else import_name


def _version(import_name: str) -> str | None:
    try:
        return importlib.metadata.version(_dist_name(import_name))
    except importlib.metadata.PackageNotFoundError:
        return None


def fingerprint(path: Path, root: Path, settings: dict[str, Any],
                analyzers: dict[Path, Analyzer] | None = None) -> dict[str, str] | None:
    """Everything the executed outputs of the page at ``path`` depend on, or None.

    Keys name the dependency (``page``, ``cells``, ``module:dlcalc/counting.py``,
    ``data:book/x.csv``, ``version:numpy``, ...), values are digests or versions.
    None when the page has no code to execute. Pass the same ``analyzers`` dict to the
    calls of one build to share the analysis of modules between pages.
    """
    path = path.resolve()
    nb = read_notebook(path)
    if nb is None:
        return None
    cells = [c.source for c in nb.cells if c.cell_type == "code"]
    if not cells:
        return None
    root = root.resolve()
    cwd = Path(settings.get("cwd") or path.parent)
    analyzers = {} if analyzers is None else analyzers
    if cwd.resolve() not in analyzers:
        analyzers[cwd.resolve()] = Analyzer(root, cwd)
    analyzer = analyzers[cwd.resolve()]
    code = "\n".join(_cell_code(c) for c in cells)
    deps = analyzer.page_deps(code, analyzer.rel(path))
    out: dict[str, str] = {
        "page": file_sha(path),
        "cells": _sha("\x00".join(cells)),
        "depcache": file_sha(Path(__file__).resolve()),
        "python": sys.version.split()[0],
    }
    for name in EXEC_SETTINGS:
        if name in settings:
            out[f"setting:{name}"] = json.dumps(settings[name])
    for dep, kind in deps.files.items():
        key = f"{kind}:{analyzer.rel(dep)}"
        if kind == "init":
            tree = analyzer.tree(Module("", dep, True))
            drop = set()
            for node in _reexport_statements(tree):
                drop |= set(range(node.lineno, (node.end_lineno or node.lineno) + 1))
            lines = dep.read_text().splitlines()
            out[key] = _sha("\n".join(s for i, s in enumerate(lines, 1) if i not in drop))
        else:
            out[key] = file_sha(dep)
    packages = set(ALWAYS_VERSIONED) | {p for p in deps.packages if p not in sys.stdlib_module_names}
    for package in sorted(packages):
        version = _version(package)
        if version is not None:
            out[f"version:{_dist_name(package)}"] = version
    for note in sorted(deps.notes):
        out[f"note:{note}"] = "1"
    return dict(sorted(out.items()))


def digest(print_: dict[str, str]) -> str:
    return _sha(json.dumps(print_, sort_keys=True))


def reasons(old: dict[str, str] | None, new: dict[str, str]) -> list[str]:
    """Why a page with fingerprint ``new`` (stored ``old``) must be executed: [] if not."""
    if old is None:
        return ["not executed by an earlier build"]
    out = []
    for key in sorted(set(old) | set(new)):
        if old.get(key) == new.get(key):
            continue
        kind, _, what = key.partition(":")
        if key not in old:
            out.append(f"new dependency {what or kind}")
        elif key not in new:
            out.append(f"no longer depends on {what or kind}")
        elif kind in ("version", "python", "setting"):
            out.append(f"{what or kind} {old[key]} -> {new[key]}")
        elif kind in ("page", "cells"):
            out.append("page source changed" if kind == "page" else "code cells changed")
        elif kind == "depcache":
            out.append("the dependency analysis (depcache.py) changed")
        else:
            out.append(f"{what} changed")
    if "code cells changed" in out and "page source changed" in out:
        out.remove("page source changed")
    if old.get("depcache") != new.get("depcache"):  # the rest follows from it
        return ["the dependency analysis (depcache.py) changed"]
    return out if len(out) <= 6 else out[:5] + [f"and {len(out) - 5} more"]


def load_state(build_dir: Path) -> dict[str, Any]:
    try:
        state = json.loads((build_dir / STATE_FILE).read_text())
    except (OSError, ValueError):
        return {"format": FORMAT, "clean": False, "pages": {}, "global": None}
    if state.get("format") != FORMAT:
        return {"format": FORMAT, "clean": False, "pages": {}, "global": None}
    return state


def save_state(build_dir: Path, state: dict[str, Any]) -> None:
    build_dir.mkdir(parents=True, exist_ok=True)
    tmp = build_dir / (STATE_FILE + ".tmp")
    tmp.write_text(json.dumps(state, indent=1, sort_keys=True))
    tmp.replace(build_dir / STATE_FILE)


def global_digest(root: Path, extra: Iterable[Path] = ()) -> str:
    """The book-wide inputs (toc, config): any change re-reads every page."""
    parts = []
    for path in [root / "_toc.yml", root / "_config.yml", root / "conf.py", *extra]:
        parts.append(f"{path.name}:{file_sha(path) if path.is_file() else '-'}")
    return _sha("\n".join(parts))


def remove_cache_records(cache_path: Path, page: Path) -> int:
    """Delete the jupyter-cache records of ``page`` (by its path and by its code hash)."""
    if not cache_path.exists():
        return 0
    from jupyter_cache import get_cache

    cache = get_cache(str(cache_path))
    page = page.resolve()
    doomed = set()
    for record in cache.list_cache_records():
        try:
            if record.uri and Path(record.uri).resolve() == page:
                doomed.add(record.pk)
        except (OSError, ValueError):
            continue
    nb = read_notebook(page)
    if nb is not None:
        try:
            doomed.add(cache.match_cache_notebook(nb).pk)
        except KeyError:
            pass
    for pk in doomed:
        cache.remove_cache(pk)
    return len(doomed)


# ------------------------------------------------------------------ Sphinx


def _settings(config: Any) -> dict[str, Any]:
    return {name: getattr(config, name) for name in EXEC_SETTINGS if hasattr(config, name)}


def _on_outdated(app, env, added, changed, removed) -> list[str]:
    from sphinx.util import logging

    logger = logging.getLogger(__name__)
    root = Path(app.srcdir)
    build_dir = Path(app.doctreedir).parent
    state = load_state(build_dir)
    settings = _settings(app.config)
    mode = getattr(app.config, "nb_execution_mode", "off")
    current: dict[str, dict[str, str]] = {}
    analyzers: dict[Path, Analyzer] = {}
    to_execute: dict[str, list[str]] = {}
    for docname in sorted(env.found_docs):
        path = Path(env.doc2path(docname))
        if path.suffix not in (".md", ".ipynb"):
            continue
        try:
            print_ = fingerprint(path, root, settings, analyzers)
        except Exception as err:  # never let the analysis hide a page: execute it
            logger.warning(f"depcache: cannot analyse {docname} ({err}); it is executed",
                           type="depcache")
            print_ = {"error": str(err)}
        if print_ is None:
            continue
        current[docname] = print_
        why = reasons(state["pages"].get(docname), print_)
        if why:
            to_execute[docname] = why
    cache_path = getattr(env, "mystnb_config", None)
    cache_path = Path(cache_path.execution_cache_path) if cache_path and \
        cache_path.execution_cache_path else build_dir / ".jupyter_cache"
    for docname, why in to_execute.items():
        if mode == "cache":
            remove_cache_records(cache_path, Path(env.doc2path(docname)))
        logger.info(f"depcache: executing {docname}: {'; '.join(why)}")
    global_now = global_digest(root)
    app._depcache = {"pages": current, "global": global_now, "old": state}
    if not state.get("clean") or state.get("global") != global_now:
        logger.info(f"depcache: {len(to_execute)} page(s) to execute, the rest from the cache; "
                    "every page is re-read (the last build was not clean, or toc/config changed)")
        return sorted(env.found_docs)
    logger.info(f"depcache: {len(to_execute)} page(s) to execute")
    return sorted(to_execute)


def _on_finished(app, exception) -> None:
    current = getattr(app, "_depcache", None)
    if current is None:
        return
    build_dir = Path(app.doctreedir).parent
    old = current["old"]
    if exception is not None:  # keep what is known good; re-read everything next time
        save_state(build_dir, {**old, "clean": False})
        return
    save_state(build_dir, {"format": FORMAT, "clean": app._warncount == 0,
                           "global": current["global"], "pages": current["pages"]})


def setup(app) -> dict[str, Any]:
    app.connect("env-get-outdated", _on_outdated)
    app.connect("build-finished", _on_finished)
    return {"version": str(FORMAT), "parallel_read_safe": True, "parallel_write_safe": True}


# ------------------------------------------------------------------ make why


def _book_pages(root: Path) -> list[tuple[str, Path]]:
    from sphinx_external_toc.parsing import parse_toc_yaml

    site_map = parse_toc_yaml(root / "_toc.yml")
    out = []
    for docname in site_map:
        for suffix in (".md", ".ipynb"):
            if (root / f"{docname}{suffix}").is_file():
                out.append((docname, root / f"{docname}{suffix}"))
                break
    return out


def _book_settings(root: Path) -> dict[str, Any]:
    from jupyter_book.config import get_final_config
    from myst_nb.core.config import NbParserConfig

    config, _ = get_final_config(user_yaml=root / "_config.yml", sourcedir=root,
                                 cli_config={"latex_individualpages": False})
    defaults = NbParserConfig()
    return {name: config.get(name, getattr(defaults, name[len("nb_"):])) for name in EXEC_SETTINGS}


def explain(root: Path) -> list[tuple[str, str, list[str]]]:
    """For each page of the book at ``root``: (page, verdict, reasons)."""
    root = root.resolve()
    state = load_state(root / "_build")
    settings = _book_settings(root)
    rows = []
    analyzers: dict[Path, Analyzer] = {}
    for docname, path in _book_pages(root):
        print_ = fingerprint(path, root, settings, analyzers)
        if print_ is None:
            rows.append((docname, "no code", []))
            continue
        why = reasons(state["pages"].get(docname), print_)
        rows.append((docname, "execute" if why else "cached", why))
    return rows


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    root = Path(args[0]) if args else Path.cwd()
    state = load_state(root / "_build")
    rows = explain(root)
    width = max(len(d) for d, _, _ in rows) if rows else 10
    for docname, verdict, why in rows:
        print(f"{docname:<{width}}  {verdict:<8} {'; '.join(why)}")
    if not state.get("clean") or state.get("global") != global_digest(root.resolve()):
        print("\nThe last build failed, had warnings, or the toc/config changed: "
              "every page is re-read (only the pages marked 'execute' are executed).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
