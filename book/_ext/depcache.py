"""The book's execution cache: fast rebuilds that are never stale.

myst-nb's cache mode (jupyter-cache) keys an executed page on its own code cells only,
so an edit to dlcalc would leave pages showing numbers the library no longer produces.
This Sphinx extension keys every executed page on the *state of the book*, a
fingerprint of everything an executed page can depend on:

- every file of the project that a page can read: the ``dlcalc`` package, the pages
  and everything else under ``book/`` (records, sources, extensions, the PDF tables of
  contents), ``_config.yml``, ``_toc.yml``, ``pyproject.toml``; everything under the
  root except build output, hidden folders, ``tests``, ``benchmarks``, ``vendor`` and
  the top-level ``README.md``, ``LICENSE``, ``Makefile``;
- the Python version and the name and version of every installed distribution;
- the ``DLCALC_*`` environment variables that change what a page computes (all but
  :data:`ENV_IGNORED`: the memo store's folder, the PDF switch, and how pages are run in
  parallel and their kernels started).

The records of jupyter-cache live in a folder named by that fingerprint
(``_build/.jupyter_cache/<key>``), so a record can only ever be served in the state it
was executed in, whatever happened to the build that made it (a record made by a build
that failed later is right for its own state, and is used again only if the book returns
to exactly that state). The last few states are kept, so undoing an edit is fast.

A build during which the book changed drops its records and fails (a page may have run
the new code under the old state). A build that does not end cleanly leaves a marker (``_build/depcache-building.json``):
the next build re-reads every page, and if the build was interrupted (killed, Ctrl-C) or
ended with an error, the records of its state are deleted, since a record may have been
half written. After a clean build the state is saved in ``_build/depcache.json``; a page
with code is re-read whenever the state changed since.

The PDFs ``make pdf`` builds carry the state they were made in (``<pdf>.json``); an HTML
build moves a PDF made in another state to ``_build/pdf/stale``, so the book never offers
a PDF older than its pages, and says how to rebuild it.

Why one key for the whole book, rather than an analysis of what each page uses (issue 15,
measured on the book of 28 Nov 2026, 28 modules, 6 pages with code)? Tracing which
modules' functions each page actually runs, a perfect per-page analysis would still have
re-executed, for an edit of a module, 67 % of the pages' execution time on average, and
96 % for 12 of the 28 modules; and that share only grows as the chapters move into
``dlcalc.problems`` (which imports every problem set, each using most of the library).
The static analysis this file held before (890 lines) was worse than imprecise: it saw no
page using ``dlcalc/problems/cse616_a2.py``, ``filters.py``, ``mlp.py``, ``signal.py``,
``signal_steps.py`` or ``_memo.py``, whose code runs in up to five pages, so an edit of
any of them left those pages stale. One key is obviously never stale, and costs one hash
of the project per build.

Run ``python book/_ext/depcache.py [ROOT]`` (``make why``) to see what the next build
does for each page, and why, from the same data the build uses. ``make book`` asks
``depcache.py --up-to-date`` first, and does not start Sphinx when nothing changed since
the last clean build (same state, same PDFs on offer, same MathJax, the HTML as that
build left it; otherwise every page is re-read, none re-executed).

Pages whose records are missing are executed before Sphinx reads them, several at a time
(``DLCALC_JOBS``, default one per core), each in its own kernel, with the same call and
working folder as myst-nb; myst-nb then reads them from the records. When every page is
executed, the kernels are forked from one process that has imported what the pages import
(``kernelfork.py``; ``DLCALC_FORK=0`` starts each kernel as a new process). A page that
fails is left to myst-nb, which executes it again and reports the error as usual.

An HTML build reads and writes its pages in parallel too (``DLCALC_SPHINX_JOBS``, default
one more than ``DLCALC_JOBS``; with ``DLCALC_JOBS=1`` everything is serial). While the
kernels run, one more process reads the pages that need no execution (the API reference,
the sources), then each executed page as soon as it is stored, so that the cores the
kernels leave idle are used; a second reader joins it once a kernel's core has no page
left to take.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import re
import shutil
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

FORMAT = 2
STATE_FILE = "depcache.json"
MARKER_FILE = "depcache-building.json"
TIMES_FILE = "depcache-times.json"
CACHE_FOLDER = ".jupyter_cache"
#: How many states' records are kept (the current one and the most recent others).
KEEP_STATES = 4
#: Folders (anywhere) and top-level files that no page reads.
SKIP_DIRS = {"_build", "__pycache__", "tests", "benchmarks", "vendor", "node_modules",
             "venv", ".ipynb_checkpoints"}
SKIP_TOP_FILES = {"README.md", "LICENSE", "Makefile"}
#: Environment variables that do not change what a page computes.
ENV_IGNORED = {"DLCALC_CACHE_DIR", "DLCALC_PDF", "DLCALC_JOBS", "DLCALC_SPHINX_JOBS",
               "DLCALC_FORK"}
PDF_NAMES = ("dlcalc-questions.pdf", "dlcalc-answers.pdf")


def _sha(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode()
    return hashlib.sha256(data).hexdigest()[:16]


# ------------------------------------------------------------------ the state


def project_files(root: Path) -> list[Path]:
    """Every file a page can read, relative to ``root``, sorted."""
    root = root.resolve()
    out = []
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith(".")
                         and not d.startswith("_build"))
        for name in files:
            if name.endswith((".pyc", ".swp", "~")) or name.startswith(".#"):
                continue
            if here == root and (name in SKIP_TOP_FILES or name.startswith(".")):
                continue
            out.append((here / name).relative_to(root))
    return sorted(out)


def _versions() -> str:
    names = set()
    for dist in importlib.metadata.distributions():
        try:
            names.add(f"{dist.metadata['Name']}=={dist.version}")
        except Exception:  # a broken distribution's metadata: counted by its path
            names.add(str(getattr(dist, "_path", dist)))
    return "\n".join(sorted(names))


def state_inputs(root: Path) -> dict[str, str]:
    """Everything an executed page depends on, by name: file digests, versions, settings."""
    root = root.resolve()
    out = {f"file:{rel.as_posix()}": _sha((root / rel).read_bytes())
           for rel in project_files(root)}
    out["python"] = sys.version.split()[0]
    out["packages"] = _sha(_versions())
    for name in sorted(os.environ):
        if name.startswith("DLCALC_") and name not in ENV_IGNORED:
            out[f"env:{name}"] = os.environ[name]
    return out


def state_key(inputs: dict[str, str]) -> str:
    return _sha(json.dumps(inputs, sort_keys=True))


def changes(old: dict[str, str] | None, new: dict[str, str]) -> list[str]:
    """What differs between two states, in words (at most six items)."""
    if not old:
        return ["no earlier build"]
    out = []
    for name in sorted(set(old) | set(new)):
        if old.get(name) == new.get(name):
            continue
        kind, _, what = name.partition(":")
        label = what or kind
        if kind == "packages":
            label = "installed packages"
        if name not in old:
            out.append(f"{label} added")
        elif name not in new:
            out.append(f"{label} removed")
        elif kind in ("python", "env"):
            out.append(f"{label} {old[name]} -> {new[name]}")
        else:
            out.append(f"{label} changed")
    return out if len(out) <= 6 else out[:5] + [f"and {len(out) - 5} more"]


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("format") == FORMAT else None


def _write_json(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"format": FORMAT, **data}, indent=1, sort_keys=True))
    os.replace(tmp, path)


def outputs_signature(root: Path, build_dir: Path) -> str:
    """What else an HTML build reads, and what it wrote: the PDFs on offer (with their
    states), the vendored MathJax and the HTML pages (by names, sizes and times; not the
    practice versions, which ``make practice`` adds later)."""
    parts = []
    html = build_dir / "html"
    if html.is_dir():
        for path in sorted(html.rglob("*.html")):
            relative = path.relative_to(html)
            if relative.parts[0] != "practice":
                st = path.stat()
                parts.append(f"{relative}:{st.st_size}:{st.st_mtime_ns}")
    for name in PDF_NAMES:
        pdf = build_dir / "pdf" / name
        stamp = _read_json(pdf.with_name(name + ".json")) or {}
        parts.append(f"{name}:{pdf.is_file()}:{stamp.get('key')}")
    vendor = root / "vendor"
    if vendor.is_dir():
        for path in sorted(vendor.rglob("*")):
            st = path.stat()
            parts.append(f"{path.relative_to(root)}:{st.st_size}:{st.st_mtime_ns}")
    return _sha("\n".join(parts))


def records_folder(cache_base: Path, key: str) -> Path:
    return cache_base / key


# ------------------------------------------------------------------ the plan


class Plan:
    """What a build of the book at ``root`` (its build folder ``build_dir``) will do.

    Used by the Sphinx extension and by ``make why`` alike.
    """

    def __init__(self, root: Path, build_dir: Path, cache_base: Path | None = None) -> None:
        self.root = root.resolve()
        self.build_dir = build_dir
        self.cache_base = cache_base or build_dir / CACHE_FOLDER
        self.inputs = state_inputs(self.root)
        self.key = state_key(self.inputs)
        self.state = _read_json(build_dir / STATE_FILE)
        self.marker = _read_json(build_dir / MARKER_FILE)
        # each page's last execution time, for the order of execution only (kept by
        # make book-clean, so that a clean build starts the longest pages first)
        self.times: dict[str, float] = dict((_read_json(build_dir / TIMES_FILE) or {})
                                            .get("times", {}))

    @property
    def records(self) -> Path:
        return records_folder(self.cache_base, self.key)

    @property
    def interrupted(self) -> bool:
        """The last build stopped without finishing (killed, Ctrl-C) or with an error."""
        return bool(self.marker) and not self.marker.get("clean_end", False)

    @property
    def drops_records(self) -> bool:
        """This state's records are deleted first (a build in it did not end)."""
        return self.interrupted and self.marker.get("key") == self.key

    @functools.cached_property
    def outputs_changed(self) -> bool:
        """A page of the HTML was removed or changed since the last clean build, or the
        PDFs on offer or MathJax changed."""
        return (self.state is not None
                and self.state.get("outputs") != outputs_signature(self.root, self.build_dir))

    @property
    def reread_all(self) -> bool:
        """Every page is re-read: no clean build before, the last one did not end cleanly,
        or its output changed since (Sphinx would write the missing pages again without
        reading them, and sphinx-codeautolink's links are only made for pages it reads)."""
        return self.state is None or self.marker is not None or self.outputs_changed

    @property
    def state_changed(self) -> bool:
        return self.state is None or self.state.get("key") != self.key

    @property
    def nothing_to_do(self) -> bool:
        """Nothing changed since the last clean build, its HTML is there: Sphinx need not run."""
        return (not self.reread_all and not self.state_changed
                and (self.build_dir / "html" / "index.html").is_file())

    def why_reread(self) -> str:
        if self.marker is not None:
            return ("the last build was interrupted or failed" if self.interrupted
                    else "the last build had warnings or failed")
        if self.state is None:
            return "no earlier clean build"
        if self.outputs_changed:
            return "the HTML, the PDFs on offer or MathJax changed since the last build"
        return ""

    def stale_pdfs(self) -> dict[Path, list[str]]:
        """The PDFs in ``_build/pdf`` made in another state than this one: why, for each."""
        out = {}
        folder = self.build_dir / "pdf"
        for name in PDF_NAMES:
            pdf = folder / name
            if not pdf.is_file():
                continue
            stamp = _read_json(pdf.with_name(name + ".json"))
            if stamp is None:
                out[pdf] = ["it carries no record of the state it was made in"]
            elif stamp.get("key") != self.key:
                out[pdf] = changes(stamp.get("inputs"), self.inputs)
        return out

    def page_verdict(self, path: Path) -> tuple[str, str]:
        """(verdict, reason) for the page at ``path``: no code, execute or cached."""
        nb = read_notebook(path)
        if nb is None or not any(c.cell_type == "code" for c in nb.cells):
            return "no code", ""
        if not self.reread_all and not self.state_changed:
            return "cached", "the book is unchanged since the last clean build: not re-read"
        if self.records.is_dir() and not self.drops_records:
            from jupyter_cache import get_cache

            try:
                get_cache(str(self.records)).match_cache_notebook(nb)
                return "cached", "executed in this same state by an earlier build"
            except KeyError:
                pass
        if self.drops_records:
            return "execute", "the last build in this state did not end: its records are dropped"
        if self.state_changed and self.state is not None:
            return "execute", "; ".join(changes(self.state.get("inputs"), self.inputs))
        return "execute", "not executed in this state before"


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


def prune(cache_base: Path, keep: str) -> None:
    """Delete the records of all but the most recent states (never ``keep``'s)."""
    if not cache_base.is_dir():
        return
    folders = [p for p in cache_base.iterdir() if p.is_dir() and p.name != keep]
    folders.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for old in folders[KEEP_STATES - 1:]:
        shutil.rmtree(old, ignore_errors=True)
    for stray in cache_base.iterdir():  # records of FORMAT 1: one folder for every state
        if stray.is_file() and stray.name.endswith(".db"):
            stray.unlink()


# ------------------------------------------------------------------ Sphinx


def _logger():
    from sphinx.util import logging

    return logging.getLogger(__name__)


#: Extensions Jupyter Book loads that do not say whether Sphinx may read pages in
#: parallel with them, and why they may in an HTML build: the first only replaces how
#: section numbers are assigned, which runs in the main process after the read; the
#: second does nothing unless the builder is LaTeX's.
READ_SAFE_IN_HTML = ("sphinx_multitoc_numbering", "sphinx_jupyterbook_latex")


def _read_and_write_in_parallel(app) -> None:
    """With more than one job (:func:`jobs`), an HTML build reads and writes its pages
    in ``DLCALC_SPHINX_JOBS`` processes, by default one more than the jobs (the main
    process of Sphinx's parallel write hands the pages out and mostly waits). Jupyter
    Book has no option for Sphinx's ``-j``."""
    workers = jobs()
    if app.builder.format != "html" or app.parallel > 1 or workers < 2:
        return
    app.parallel = _env_count("DLCALC_SPHINX_JOBS") or workers + 1
    for name in READ_SAFE_IN_HTML:
        if name in app.extensions and app.extensions[name].parallel_read_safe is None:
            app.extensions[name].parallel_read_safe = True


def _on_builder_inited(app) -> None:
    """After myst-nb's own set-up: point it at this state's records; write the marker."""
    logger = _logger()
    _read_and_write_in_parallel(app)
    build_dir = Path(app.doctreedir).parent
    os.environ.setdefault("DLCALC_CACHE_DIR", str(build_dir / ".dlcalc_memo"))
    config = getattr(app.env, "mystnb_config", None)
    base = Path(config.execution_cache_path) if config and config.execution_cache_path \
        else build_dir / CACHE_FOLDER
    plan = Plan(Path(app.srcdir), build_dir, base)
    if plan.interrupted:
        old = records_folder(base, plan.marker.get("key", ""))
        if plan.marker.get("key") and old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
            logger.info(f"depcache: the last build did not end; its records ({old.name}) "
                        "are dropped")
    prune(base, plan.key)
    plan.records.mkdir(parents=True, exist_ok=True)
    os.utime(plan.records)
    if config is not None:
        app.env.mystnb_config = config.copy(execution_cache_path=str(plan.records))
    _write_json(build_dir / MARKER_FILE, {"key": plan.key, "pid": os.getpid(),
                                           "started": time.time()})
    app._depcache = plan
    logger.info(f"depcache: state {plan.key}; records in {plan.records}")
    if app.builder.format == "html" and not os.environ.get("DLCALC_PDF"):
        _retract_stale_pdfs(app, plan)


def _retract_stale_pdfs(app, plan: Plan) -> None:
    logger = _logger()
    for pdf, why in plan.stale_pdfs().items():
        stale = pdf.parent / "stale"
        stale.mkdir(exist_ok=True)
        for path in (pdf, pdf.with_name(pdf.name + ".json")):
            if path.exists():
                os.replace(path, stale / path.name)
        for copy in Path(app.outdir).glob(f"_downloads/*/{pdf.name}"):
            copy.unlink()
        logger.info(f"depcache: {pdf.name} was made from an earlier state of the book "
                    f"({'; '.join(why)}): the book no longer offers it (moved to {stale}); "
                    "run `make pdf` to rebuild it")


def _on_outdated(app, env, added, changed, removed) -> list[str]:
    plan: Plan | None = getattr(app, "_depcache", None)
    if plan is None:
        return []
    logger = _logger()
    if plan.reread_all:
        logger.info(f"depcache: every page is re-read ({plan.why_reread()})")
        return sorted(env.found_docs)
    if not plan.state_changed:
        return []
    # Every page is re-read, not only those with code: pages without code can show what
    # the project's files hold too (the source pages and their verdict links are made by
    # a directive from book/sources and the claims; the API pages from dlcalc's docstrings).
    logger.info(f"depcache: the book changed ({'; '.join(changes(plan.state['inputs'], plan.inputs))})"
                f"; its {len(env.found_docs)} pages are re-read")
    return sorted(env.found_docs)


def _on_finished(app, exception) -> None:
    plan: Plan | None = getattr(app, "_depcache", None)
    if plan is None:
        return
    build_dir = plan.build_dir
    if state_key(state_inputs(plan.root)) != plan.key:
        # edited while the build ran: a page may have run the new code under the old state
        shutil.rmtree(plan.records, ignore_errors=True)
        _write_json(build_dir / MARKER_FILE, {"key": plan.key, "clean_end": False})
        _logger().warning("depcache: the book changed while it was being built; the records "
                          "of this build are dropped: run the build again", type="depcache")
        return
    if exception is None and app._warncount == 0:
        _write_json(build_dir / STATE_FILE, {
            "key": plan.key, "inputs": plan.inputs,
            "outputs": outputs_signature(plan.root, build_dir)})
        (build_dir / MARKER_FILE).unlink(missing_ok=True)
        return
    # warnings: every page is read again next time, so they are reported again; an error:
    # as if interrupted (a record may be half written)
    _write_json(build_dir / MARKER_FILE, {"key": plan.key, "clean_end": exception is None})


# ------------------------------------------------------------------ parallel execution


def _env_count(name: str) -> int | None:
    """The positive integer the environment variable ``name`` holds, None if unset."""
    text = os.environ.get(name, "").strip()
    if not text:
        return None
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"{name} must be a positive integer, got {text!r}")
    return int(text)


def jobs() -> int:
    """How many pages are executed at once: ``DLCALC_JOBS``, else one per core."""
    count = _env_count("DLCALC_JOBS")
    if count is not None:
        return count
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _execute(path: str, nb: Any, cwd: str, allow_errors: bool, timeout: int | None,
             manager: type | None = None):
    """In a worker thread: execute one notebook as myst-nb does (same call, same folder),
    in a kernel of the class ``manager`` (a forking one, kernelfork.py) if given."""
    from jupyter_cache.executors.utils import single_nb_execution

    extra = {"kernel_manager_class": manager} if manager is not None else {}
    try:
        result = single_nb_execution(nb, cwd=cwd, allow_errors=allow_errors, timeout=timeout,
                                     meta_override=True, **extra)
    except Exception:  # noqa: BLE001 - e.g. a kernel that died while starting
        # Nothing is stored for this page: myst-nb executes it again on its own and
        # reports the error there if it is real.
        return path, nb, False, 0.0
    return path, nb, result.err is None, result.time


def _on_before_read(app, env, docnames: list[str]) -> None:
    """Execute, a few at a time, the pages about to be read that have no record in this
    state, and store them as myst-nb would; myst-nb then reads them from the records (a
    page that fails is left to myst-nb, which executes it again and reports the error)."""
    plan: Plan | None = getattr(app, "_depcache", None)
    config = getattr(env, "mystnb_config", None)
    if plan is None or config is None or config.execution_mode != "cache":
        return
    workers = jobs()
    if workers < 2:
        return
    from jupyter_cache import get_cache
    from myst_nb.core.read import is_myst_markdown_notebook, read_myst_markdown_notebook

    logger = _logger()
    cache = get_cache(str(plan.records))
    todo = []
    fresh = not cache.list_cache_records()  # nothing to match in a state's first build
    for docname in docnames:
        path = Path(env.doc2path(docname))
        if path.suffix == ".md":
            text = path.read_text()
            if not is_myst_markdown_notebook(text):
                continue
            # exactly as myst-nb's parser reads it
            nb = read_myst_markdown_notebook(text, config=env.myst_config,
                                             add_source_map=True, path=path)
        elif path.suffix == ".ipynb":
            nb = read_notebook(path)
        else:
            continue
        if not any(c.cell_type == "code" for c in nb.cells):
            continue
        if not fresh:
            try:
                cache.match_cache_notebook(nb)
                continue
            except KeyError:
                pass
        todo.append((docname, path, nb))
    if len(todo) < 2:
        return
    # Longest first (by the last build's times; else the most code first), except the pages
    # that read results other pages compute (front matter ``dlcalc: {execute_after: [...]}``,
    # the errata): started as soon as the pages it names have finished, not before (it
    # would wait for their results on the memo store's lock and hold a core idle) and not
    # after the others (its own reading would be the last thing of the build).
    todo.sort(key=lambda item: (bool(_after(item[2])), -plan.times.get(item[0], 0.0),
                                -sum(len(c.source) for c in item[2].cells
                                     if c.cell_type == "code")))
    workers = min(workers, len(todo))
    logger.info(f"depcache: executing {len(todo)} page(s), {workers} at a time")
    manager = _forking_manager(app)
    early = _EarlyRead(app, [d for d in docnames if d not in {t[0] for t in todo}])
    try:
        _execute_all(env, plan, config, cache, todo, workers, manager, early.executed,
                     early.core_free)
    finally:
        done = early.finish()
    docnames[:] = [d for d in docnames if d not in done]
    _write_json(plan.build_dir / TIMES_FILE, {"times": plan.times})
    _end_zygote(app)


def _execute_all(env, plan: Plan, config, cache, todo: list, workers: int,
                 manager: type | None, stored: Callable[[str], None],
                 core_free: Callable[[], None]) -> None:
    """Execute the pages of ``todo``, ``workers`` at a time, storing each in ``cache``
    (and telling ``stored`` its name; ``core_free`` is called when a kernel's core has
    no page left to take)."""
    import concurrent.futures

    from jupyter_cache.base import CacheBundleIn

    logger = _logger()
    executing = {docname for docname, _, _ in todo}
    waits = {docname: set(_after(nb)) & executing for docname, _, nb in todo}
    pending, running, finished = list(todo), {}, set()
    # threads: each page runs in a kernel process of its own; a thread only waits for it
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        while pending or running:
            while pending and len(running) < workers:
                # a page that waited for others starts as soon as they have finished
                ready = sorted((t for t in pending if waits[t[0]] <= finished),
                               key=lambda t: not waits[t[0]])
                if not ready and running:
                    break
                docname, path, nb = (ready or pending)[0]  # nothing runs: no waiting
                pending.remove((docname, path, nb))
                logger.info("Executing notebook (depcache)", location=docname)
                running[pool.submit(_execute, str(path), nb, str(path.parent),
                                    config.execution_allow_errors,
                                    config.execution_timeout, manager)] = docname
            if not pending and len(running) < workers:
                core_free()
            done, _ = concurrent.futures.wait(
                running, return_when=concurrent.futures.FIRST_COMPLETED)
            for future in done:
                finished.add(running.pop(future))
                path, nb, ok, seconds = future.result()
                doc = env.path2doc(path)
                if not ok:
                    logger.info(f"depcache: {doc} failed; myst-nb executes it again and "
                                "reports why")
                    continue
                cache.cache_notebook_bundle(
                    CacheBundleIn(nb, path, data={"execution_seconds": seconds}),
                    check_validity=False, overwrite=True)
                plan.times[doc] = seconds
                logger.info(f"depcache: executed {doc} in {seconds:.1f} s")
                stored(doc)


def _after(nb: Any) -> list[str]:
    """The pages (docnames) a page is executed after: its ``dlcalc: execute_after``."""
    after = nb.metadata.get("dlcalc", {}).get("execute_after", [])
    return [after] if isinstance(after, str) else list(after)


#: What a reader's environment has as the main process gave it (intersphinx's inventories,
#: loaded before the pages are read and only looked up while they are written).
INHERITED = ("intersphinx_cache", "intersphinx_inventory", "intersphinx_named_inventory")


def _slim(env, read: list[str]) -> None:
    """A reader's environment, before it is sent back to the main process, without what
    the main process has already or never looks at: it was 5 MB, most of which was the
    intersphinx inventories the main process loaded itself, and the whole doctree of each
    chapter read, reached from sphinx-exercise's record of its solutions (the nodes in the
    page, whose parents lead to the document); unpickling it took the main process about
    0.6 s per reader at the end of the read. The record keeps a copy of each node, with no
    parent and no document (sphinx-exercise looks at its attributes and children only,
    except in a LaTeX build, which is never read in parallel)."""
    from docutils import nodes

    for name in INHERITED:
        env.__dict__.pop(name, None)
    pages = set(read)
    for entry in getattr(env, "sphinx_exercise_registry", {}).values():
        if not isinstance(entry, dict) or entry.get("docname") not in pages:
            continue
        node = entry.get("node")
        if not isinstance(node, nodes.Element):
            continue
        copy = node.deepcopy()
        for part in copy.findall():
            part._document = None
        entry["node"] = copy


class _EarlyRead:
    """Sphinx reads pages while the kernels run.

    The kernels leave part of the cores idle (a kernel waits on its messages, one page
    ends before another): one process forked as Sphinx forks its parallel readers (same
    task runner, same merge of what it read into the environment) reads the pages that
    need no execution, the costliest first, then each executed page as soon as it is
    stored. Once a kernel's core has no page left to take, a second reader shares the
    queue with it. Only in a parallel HTML read."""

    def __init__(self, app, docnames: list[str]) -> None:
        import multiprocessing

        self.read: list[str] = []
        self.tasks = None
        if not docnames or app.parallel < 2 or not app.is_parallel_allowed("read"):
            return
        import pickle

        from sphinx.util.parallel import ParallelTasks

        env, builder = app.env, app.builder
        unexecuted = set(docnames)
        self.queue = multiprocessing.get_context("fork").SimpleQueue()
        for docname in sorted(docnames, key=lambda d: -_read_cost(env, d)):
            app.events.emit("env-purge-doc", env, docname)
            env.clear_doc(docname)
            self.queue.put(docname)

        # ``which`` only names the reader: Sphinx's task runner passes no argument at all
        # to a task whose argument is None
        def read_process(which: str) -> tuple[list[str], bytes]:
            _die_with_parent()  # a build killed while it reads leaves no reader behind
            env.app = app
            read = []
            while (docname := self.queue.get()) is not None:
                if docname not in unexecuted:  # executed: what the fork knew of it goes
                    app.events.emit("env-purge-doc", env, docname)
                    env.clear_doc(docname)
                builder.read_doc(docname, _cache=False)
                read.append(docname)
            _slim(env, read)
            return read, pickle.dumps(env, pickle.HIGHEST_PROTOCOL)

        def merge(which: str, result: tuple[list[str], bytes]) -> None:
            read, pickled = result
            for docname in set(read) - unexecuted:
                app.events.emit("env-purge-doc", env, docname)
                env.clear_doc(docname)
            env.merge_info_from(read, pickle.loads(pickled), app)
            self.read.extend(read)

        self.read_process, self.merge = read_process, merge
        self.tasks = ParallelTasks(2)
        self.tasks.add_task(read_process, "first", merge)
        self.second = False

    def executed(self, docname: str) -> None:
        """``docname`` was executed and stored: it can be read."""
        if self.tasks is not None:
            self.queue.put(docname)

    def core_free(self) -> None:
        """A kernel has ended and no page waits to be executed: a second reader shares
        the queue with the first from now on."""
        if self.tasks is not None and not self.second:
            self.second = True
            self.tasks.add_task(self.read_process, "second", self.merge)

    def finish(self) -> set[str]:
        """Every kernel has ended (a second reader shares what is left with the first, if
        it does not already); the pages read (merged into the environment)."""
        if self.tasks is None:
            return set()
        self.core_free()
        self.queue.put(None)
        self.queue.put(None)
        self.tasks.join()
        _logger().info(f"depcache: {len(self.read)} page(s) read while the kernels ran "
                       "or just after")
        return set(self.read)


def _die_with_parent() -> None:
    """Linux: this process is killed when the process that forked it ends."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass


def _read_cost(env, docname: str) -> int:
    """A page's likely cost to read: its size, plus the source of the modules it documents
    (an API page is a few lines of ``automodule``)."""
    path = Path(env.doc2path(docname))
    text = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
    cost = len(text)
    for name in re.findall(r"automodule::\s*([\w.]+)", text):
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            continue
        origin = Path(spec.origin)
        files = origin.parent.rglob("*.py") if origin.name == "__init__.py" else [origin]
        cost += sum(f.stat().st_size for f in files)
    return cost


def clear_bytecode(root: Path) -> None:
    """Remove the project's ``__pycache__`` folders (not those of the tests, the venv or
    anything :data:`SKIP_DIRS` or hidden): Python takes a cached module as current when its
    source has the same size and modification time in whole seconds, so an edit undone
    within the second after a build imported it would bring the edited code back into the
    next build's pages, whatever the state key says."""
    for folder, dirs, _ in os.walk(root):
        if Path(folder).name == "__pycache__":
            shutil.rmtree(folder, ignore_errors=True)
            dirs[:] = []
            continue
        dirs[:] = [d for d in dirs if d == "__pycache__"
                   or (d not in SKIP_DIRS and not d.startswith("."))]


def start_zygote(app) -> None:
    """As soon as Sphinx loads extensions, before it has read its configuration: start the
    process kernels are forked from (kernelfork.py), so that its imports run on a core
    Sphinx's own start leaves idle. ``kernelfork`` is the first extension the book loads
    (``_config.yml``) and calls this; depcache's own setup calls it too (it does nothing
    the second time). Only when pages are executed in parallel; ``DLCALC_FORK=0`` starts
    every kernel as a new process instead. The project's bytecode is cleared first
    (:func:`clear_bytecode`): the zygote imports dlcalc."""
    if hasattr(app, "_depcache_zygote"):
        return
    app._depcache_zygote = None
    clear_bytecode(Path(app.srcdir))  # before anything of the project is imported
    if os.environ.get("DLCALC_FORK", "1") == "0" or jobs() < 2:
        return
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    try:
        import kernelfork
    finally:
        sys.path.pop(0)
    app._depcache_zygote = kernelfork.Zygote()


def _keep_zygote(app) -> None:
    """At builder-inited: the zygote stays only if every page will be executed (no
    records in this state yet)."""
    plan: Plan | None = getattr(app, "_depcache", None)
    if getattr(app, "_depcache_zygote", None) is None:
        return
    if plan is None or any(plan.records.iterdir()):
        _end_zygote(app)
        return
    _logger().info("depcache: kernels are forked from one process that has imported "
                   + ", ".join(sys.modules["kernelfork"].PRELOAD))


def _forking_manager(app) -> type | None:
    zygote = getattr(app, "_depcache_zygote", None)
    if zygote is None:
        return None
    manager = sys.modules["kernelfork"].ForkingKernelManager
    return type("BuildKernelManager", (manager,), {"zygote": zygote})


def _end_zygote(app, exception: BaseException | None = None) -> None:
    zygote = getattr(app, "_depcache_zygote", None)
    if zygote is not None:
        app._depcache_zygote = None
        zygote.close()


def _freeze_heap(app, exception) -> None:
    """Last at the end of a build: move every object into the collector's permanent
    generation. The process exits soon after, and Python's final collection over the
    millions of objects a build leaves (doctrees, the environment) took 2-3 s of a
    30-60 s build; nothing is collected or changed by this, only not scanned again."""
    import gc

    gc.freeze()


def setup(app) -> dict[str, Any]:
    app.connect("builder-inited", _on_builder_inited, priority=900)
    app.connect("builder-inited", _keep_zygote, priority=950)
    app.connect("env-before-read-docs", _on_before_read, priority=900)
    app.connect("env-get-outdated", _on_outdated)
    app.connect("build-finished", _on_finished)
    app.connect("build-finished", _end_zygote)
    app.connect("build-finished", _freeze_heap, priority=1000)
    start_zygote(app)
    return {"version": str(FORMAT), "parallel_read_safe": True, "parallel_write_safe": True}


# ------------------------------------------------------------------ make why and make pdf


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


def explain(root: Path) -> tuple[Plan, list[tuple[str, str, str]]]:
    """The plan of the next build of the book at ``root``, and (page, verdict, reason)s."""
    root = root.resolve()
    plan = Plan(root, root / "_build")
    return plan, [(doc, *plan.page_verdict(path)) for doc, path in _book_pages(root)]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] == "--stamp":  # --stamp ROOT OUT: the state, for make pdf
        root, out = Path(args[1]), Path(args[2])
        inputs = state_inputs(root)
        _write_json(out, {"key": state_key(inputs), "inputs": inputs})
        return 0
    if args and args[0] == "--up-to-date":  # exit 0 when make book has nothing to do
        root = Path(args[1] if len(args) > 1 else ".").resolve()
        plan = Plan(root, root / "_build")
        if plan.nothing_to_do:
            print(f"depcache: nothing changed since the last build (state {plan.key}); "
                  "make book-clean builds everything again")
            return 0
        return 1
    root = Path(args[0]) if args else Path.cwd()
    plan, rows = explain(root)
    width = max((len(d) for d, _, _ in rows), default=10)
    print(f"state of the book: {plan.key}")
    for docname, verdict, why in rows:
        print(f"{docname:<{width}}  {verdict:<8} {why}")
    if plan.nothing_to_do:
        print("\nNothing changed since the last build: make book does not run Sphinx.")
    if plan.reread_all:
        print(f"\nEvery page is re-read ({plan.why_reread()}); only the pages marked "
              "'execute' are executed.")
    for pdf, why in plan.stale_pdfs().items():
        print(f"\n{pdf.name} was made from an earlier state ({'; '.join(why)}): the next "
              "make book stops offering it; run `make pdf` to rebuild it.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
