"""A local Sphinx extension: the same book for less of Sphinx's own CPU (issue 15).

Measured on a clean build of the book of 28 Nov 2026 (serial, CPU seconds of the Sphinx
process; reading and writing 34 pages took about 31 s), these cost far more than
the work they do, and each is done here the cheap way with the same result:

- **Python's cycle collector** spent about 11 s rescanning the same long-lived objects
  (imported modules, the build environment, each page read): each full collection walks
  every object of the process, and a build of millions of objects made 20-40 of them.
  What exists when the pages start to be read, after each page is read, once all are read
  and after each page is written is moved out of the collector's sight
  (:func:`gc.freeze`), so that a collection only walks what was made since. Frozen objects
  are still freed when nothing refers to them; the cycles among them that become garbage
  later (a written page's doctree) stay until the process ends, which costs about 60 MB
  at the peak of a serial build (300 -> 360 MB) and nothing a reader sees.
- **The sidebar.** Every page's sidebar lists the book's pages by title only, but Sphinx
  copies the whole table of contents of every page to build it and then drops all but
  the titles: for the API pages that is every documented function, class and attribute
  (1,100 entries for ``dlcalc.problems`` alone), copied once per page written (about 5 s).
  The sidebar is now built from tables of contents already cut to what a titles-only
  toctree keeps (each page's title and the toctrees under it), so nothing else is copied
  and dropped. A page whose table of contents has ``only`` nodes or a ``tocdepth`` is
  left to Sphinx as it is (the cut would not be exact there).
- **Doctrees loaded twice.** To number the figures, Sphinx loads every page's doctree
  after reading (about 1 s for the 34 pages), and then loads each again to write it. The
  doctrees loaded for numbering, which only reads them, are kept for writing, as a
  serial build keeps the doctrees it has just read. A page with nothing to number (no
  node of a numbered kind, no toctree: every API page) is not loaded for numbering at
  all: each page notes when it is read whether it has one, and numbering walks an empty
  document in its place (its writer then loads it, in parallel with the others).
- **The search index** stems every word of every page with a pure-Python Porter
  stemmer, remembering stems within a page only; they are remembered across pages (the
  stem of a word never changes).
- **numpydoc** compiled its Jinja template again for every docstring it rendered (1,600
  compilations of the same file, about 1.5 s); it is compiled once per builder.
- **sphinx-codeautolink** parsed each page's whole body with BeautifulSoup to find its
  code blocks, copied every remaining block for every example it matched, and serialised
  the whole body again (about 3-5 s). Here the code blocks are found in the HTML as Sphinx
  writes them, and only the blocks that get links are parsed and rewritten, by the same
  steps as codeautolink's own ``link_html``. The linked blocks are byte for byte what
  codeautolink makes; the rest of the page's body is left as Sphinx wrote it instead of
  as BeautifulSoup re-serialises it, which differs only in spelling, not in content:
  ``&quot;`` for ``"`` and ``&#160;`` for a no-break space, and blank space between tags
  that BeautifulSoup shortens to one newline (never inside ``<pre>``; HTML shows blank
  space between tags as at most one space anyway). Both read back to the same document
  (the pages of a build with and without this, each re-serialised by BeautifulSoup, are
  identical). A page whose blocks are not all of the shape Sphinx writes is handed to
  codeautolink's own function. A linked block is parsed and written back as BeautifulSoup
  would (:func:`soup_text`: entities read, ``&``, ``<`` and ``>`` escaped again, the
  attributes in alphabetical order) without building its tree, when it is made of
  Pygments' ``<span>``, ``<pre>`` and codeautolink's ``<a>`` tags, properly nested, with
  plain attribute values; any other block goes through BeautifulSoup itself.

- **docutils' tree walk.** Every transform of every page walks the page's tree with
  ``Node.findall``, about 36 walks per page when it is resolved for writing alone.
  docutils walks recursively, a generator per node,
  and each node it yields climbs through one ``yield from`` per level above it. The walks
  are loops over an explicit stack that visit the same nodes in the same order, even when
  the tree changes during the walk (each level reads its node's children as the recursive
  walk does, and a node's children are looked at only once the node has been yielded and
  the caller has resumed); about a third less time per walk on this book's doctrees. Walks
  with ``siblings`` or ``ascend`` keep docutils' own code.

- **docutils' state machines.** Each nested parse (a directive's content, a list, an
  autodoc entry: about 1,700 for the problem bank's API page) makes a state machine of 15
  states, and each state looked up and bound its transitions afresh. A class of state now
  gets, after upstream has made its transitions once, the same names, patterns and next
  states, bound to the new state's own methods; and a machine makes a state the first time
  it is used (a nested parse uses two or three of the 15). A machine costs about 18
  microseconds to make instead of 170.
- **Sphinx's debug messages.** Sphinx's logger lets everything down to DEBUG through and
  its handlers drop what the verbosity does not show; each event emitted logs one (about
  7,500 records for the problem bank's API page, each made, filtered, and in a parallel
  read sent to the main process to be dropped there). The logger's level is the lowest its
  handlers show, so those records are not made; the same messages come out at every
  verbosity.

- **A page's code read once.** With ``codeautolink_concat_default`` a page's code blocks
  are one program, and sphinx-codeautolink parsed, for each block, the whole page up to
  it (0.6 CPU-s for the book). Its visitor reads a module statement by statement, so
  each block is parsed alone, placed on its lines in the whole, and read on from the state
  the text before it left (:func:`parse_names`): the same names.

- **Each chain of names resolved once.** Once every page is read, codeautolink resolves
  each name of the book's code (about 1,400) to the object it ends at, in the main process
  alone; most chains come back many times. Each chain is resolved once per inventory
  (:func:`resolve_location`), and its location (or its error) given again.

- **A module's source parsed once.** autodoc analyses a module through
  ``ModuleAnalyzer.for_module``, a ``literalinclude`` of a solution through ``for_file``,
  and Sphinx keeps the two apart: the reader of a problem set's API entries and of its
  chapter parsed the module twice (about 80 ms for a problem set). A second analyzer of the
  same text gets copies of what the first found (:class:`SourceParser`).

- **A kernel's outputs.** nbclient validates each output a kernel sends against its kind's
  part of nbformat's schema through jsonschema (about 120 microseconds each, 1,100 per
  build, in the main process while it drives the kernels). The same part of the schema is
  compiled once by fastjsonschema (6 microseconds); an output it rejects still goes to
  nbformat's own check, which raises nbformat's error.

- **The parallel write.** Sphinx's main process resolves every page (loads its doctree,
  applies the post-transforms, resolves its toctrees, indexes it for the search) one after
  another, and hands each chunk of resolved pages to a forked process that writes them: the
  writers waited on the main process, and the last chunk, holding the chapters, was written
  alone. Here each forked process resolves, indexes and writes its own pages, costliest
  first (by the size of their doctrees), in chunks started in the order they were queued,
  and sends back what the main process needs of it: the images the pages use and what the
  search index learnt of them, merged as one process would have recorded them (the index
  entries in the order of an alphabetical write). The main process still warms up the
  templates with the cheapest page, as upstream does with the first, while the costliest
  chunk is already being written. Only HTML builds; a page's warnings are reported by the
  main process as upstream reports those of its writers.

Where an upstream function is replaced, the replacement is checked against it in
``tests/test_buildspeed.py``.
"""

from __future__ import annotations

import gc
import os
import re
from copy import copy
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.utils import new_document
from sphinx import addnodes

_UPSTREAM: dict[str, Any] = {}  # upstream's functions, as they were before replaced

# ------------------------------------------------------------------ the cycle collector


def _freeze(app: Any, *args: Any) -> None:
    gc.freeze()


# ------------------------------------------------------------------ doctrees read twice


def _patch_doctree_reuse() -> None:
    """The doctrees Sphinx loads to number the figures (every page's, before writing) are
    kept for writing, as a serial build keeps the doctrees it has just read, instead of
    being loaded again (``BuildEnvironment.get_and_resolve_doctree`` takes them from
    ``_write_doc_doctree_cache``). Numbering only reads them."""
    from sphinx.environment import BuildEnvironment
    from sphinx.environment.collectors.toctree import TocTreeCollector

    number = TocTreeCollector.assign_figure_numbers
    if getattr(number, "_dlcalc", False):
        return
    get_doctree = BuildEnvironment.get_doctree

    def assign_figure_numbers(self: Any, env: Any) -> list[str]:
        keep = getattr(env.app.builder, "format", "") == "html"
        env._dlcalc_keep_doctrees = keep
        try:
            return number(self, env)
        finally:
            env._dlcalc_keep_doctrees = False
            if keep:
                gc.freeze()  # kept until written, like the environment

    def get_doctree_kept(self: Any, docname: str) -> nodes.document:
        keep = getattr(self, "_dlcalc_keep_doctrees", False)
        if keep and docname in getattr(self, "dlcalc_unnumbered", ()):
            return new_document(docname)  # nothing in it is numbered
        doctree = get_doctree(self, docname)
        if keep:
            self._write_doc_doctree_cache.setdefault(docname, doctree)
        return doctree

    assign_figure_numbers._dlcalc = True  # type: ignore[attr-defined]
    TocTreeCollector.assign_figure_numbers = assign_figure_numbers
    BuildEnvironment.get_doctree = get_doctree_kept


def numbers_something(env: Any, doctree: nodes.document) -> bool:
    """Whether Sphinx's figure numbering can find anything in ``doctree``: a toctree (the
    pages under it are numbered from it), or a node of a kind some domain numbers (a
    figure, a table, a captioned code block, an exercise)."""
    kinds = set()
    for domain in env.domains.values():
        kinds.update(domain.enumerable_nodes)
    for node in doctree.findall(nodes.Element):
        if isinstance(node, addnodes.toctree) or node.__class__ in kinds:
            return True
        if isinstance(node, nodes.container) and "literal_block" in node.attributes:
            return True
    return False


def _note_unnumbered(app: Any, doctree: nodes.document) -> None:
    env = app.env
    env.dlcalc_unnumbered = getattr(env, "dlcalc_unnumbered", set())
    if numbers_something(env, doctree):
        env.dlcalc_unnumbered.discard(env.docname)
    else:
        env.dlcalc_unnumbered.add(env.docname)


def _forget_unnumbered(app: Any, env: Any, docname: str) -> None:
    getattr(env, "dlcalc_unnumbered", set()).discard(docname)


def _merge_unnumbered(app: Any, env: Any, docnames: set, other: Any) -> None:
    env.dlcalc_unnumbered = getattr(env, "dlcalc_unnumbered", set())
    env.dlcalc_unnumbered |= set(docnames) & getattr(other, "dlcalc_unnumbered", set())


# ------------------------------------------------------------------ docutils' tree walk

def fast_findall(self: nodes.Node, cls: type) -> Any:
    """``Node._fast_findall``: ``self`` and every node below it that is a ``cls``."""
    if isinstance(self, cls):
        yield self
    stack = [iter(self.children)]
    while stack:
        for child in stack[-1]:
            if isinstance(child, cls):
                yield child
            stack.append(iter(child.children))
            break
        else:
            stack.pop()


def superfast_findall(self: nodes.Node) -> Any:
    """``Node._superfast_findall``: ``self`` and every node below it."""
    yield self
    stack = [iter(self.children)]
    while stack:
        for child in stack[-1]:
            yield child
            stack.append(iter(child.children))
            break
        else:
            stack.pop()


def findall(self: nodes.Node, condition: Any = None, include_self: bool = True,
            descend: bool = True, siblings: bool = False, ascend: bool = False) -> Any:
    """``Node.findall`` (docutils' own code for ``siblings`` and ``ascend``)."""
    if ascend or siblings:
        yield from _UPSTREAM["Node.findall"](self, condition, include_self, descend,
                                             siblings, ascend)
        return
    if include_self and descend:
        if condition is None:
            yield from self._superfast_findall()
            return
        if isinstance(condition, type):
            yield from self._fast_findall(condition)
            return
    if isinstance(condition, type):
        node_class = condition

        def condition(node: nodes.Node, node_class: type = node_class) -> bool:
            return isinstance(node, node_class)

    if include_self and (condition is None or condition(self)):
        yield self
    if not descend or not len(self.children):
        return
    # docutils: ``for child in self: yield from child.findall(...)``, which indexes the
    # children afresh at each step and enters a child's children after yielding it; with
    # no condition, each child's own walk is the every-node one
    if condition is None:
        index = 0
        while index < len(self.children):
            child = self.children[index]
            index += 1
            yield from child._superfast_findall()
        return
    stack = [[self, 0]]
    while stack:
        level = stack[-1]
        node, index = level
        if index >= len(node.children):
            stack.pop()
            continue
        child = node.children[index]
        level[1] = index + 1
        if condition(child):
            yield child
        if len(child.children):
            stack.append([child, 0])


def _patch_tree_walk() -> None:
    _UPSTREAM.setdefault("Node.findall", nodes.Node.findall)
    nodes.Node._fast_findall = fast_findall
    nodes.Node._superfast_findall = superfast_findall
    nodes.Node.findall = findall


# ------------------------------------------------------------------ the parallel write


class _FirstOut(dict):
    """A dict whose ``popitem`` takes the item added first (``ParallelTasks`` starts the
    waiting task it pops)."""

    def popitem(self) -> tuple[Any, Any]:
        key = next(iter(self))
        return key, self.pop(key)


def write_chunks(costs: dict[str, int], nproc: int) -> list[list[str]]:
    """The pages to write, costliest first, in chunks of at most ``1/(3 nproc)`` of the
    whole cost (a costlier page alone): ``costs`` maps each page to its cost."""
    order = sorted(costs, key=lambda name: (-costs[name], name))
    limit = sum(costs.values()) / (3 * max(nproc, 1))
    chunks: list[list[str]] = []
    total = 0
    for name in order:
        if chunks and total + costs[name] <= limit:
            chunks[-1].append(name)
            total += costs[name]
        else:
            chunks.append([name])
            total = costs[name]
    return chunks


_INDEX_PAGES = ("_titles", "_filenames", "_all_titles", "_index_entries")
_INDEX_WORDS = ("_mapping", "_title_mapping")


def index_part(indexer: Any, docnames: list[str]) -> dict[str, dict]:
    """What the search index holds of ``docnames``: per page (title, file, titles, index
    entries), and for each word, which of them have it."""
    docs = set(docnames)
    part: dict[str, dict] = {name: {d: getattr(indexer, name)[d] for d in docnames
                                    if d in getattr(indexer, name)}
                             for name in _INDEX_PAGES}
    for name in _INDEX_WORDS:
        part[name] = {word: docs & found for word, found in getattr(indexer, name).items()
                      if not docs.isdisjoint(found)}
    return part


def merge_index_part(indexer: Any, part: dict[str, dict]) -> None:
    """Add what :func:`index_part` took from another process's index."""
    for name in _INDEX_PAGES:
        getattr(indexer, name).update(part[name])
    for name in _INDEX_WORDS:
        mapping = getattr(indexer, name)
        for word, found in part[name].items():
            mapping.setdefault(word, set()).update(found)


def _patch_parallel_write() -> None:
    from sphinx.builders.html import StandaloneHTMLBuilder
    from sphinx.locale import __
    from sphinx.util.build_phase import BuildPhase
    from sphinx.util.display import status_iterator
    from sphinx.util import logging
    from sphinx.util.parallel import ParallelTasks

    logger = logging.getLogger(__name__)
    upstream = StandaloneHTMLBuilder._write_parallel
    if getattr(upstream, "_dlcalc", False):
        return

    def _write_parallel(self: Any, docnames: list[str], nproc: int) -> None:
        if self.indexer is None or not docnames:
            upstream(self, docnames, nproc)
            return

        def cost(docname: str) -> int:
            try:
                return os.path.getsize(os.path.join(self.doctreedir, docname + ".doctree"))
            except OSError:
                return 0

        def write(docname: str) -> None:
            self.app.phase = BuildPhase.RESOLVING
            doctree = self.env.get_and_resolve_doctree(docname, self)
            self.app.phase = BuildPhase.WRITING
            self.write_doc_serialized(docname, doctree)
            self.write_doc(docname, doctree)

        def write_process(docs: list[str]) -> tuple[dict, dict]:
            for docname in docs:
                write(docname)
            return dict(self.images), index_part(self.indexer, docs)

        entries = self.indexer._index_entries
        indexed_before = list(entries)
        costs = {docname: cost(docname) for docname in docnames}
        first = min(docnames, key=lambda name: (costs[name], name))
        del costs[first]
        chunks = write_chunks(costs, nproc)
        logger.info(f"buildspeed: {len(costs)} page(s) resolved and written by {nproc} "
                    f"processes in {len(chunks)} chunk(s)")
        progress = status_iterator(chunks, __("writing output... "), "darkgreen",
                                   len(chunks), self.app.verbosity)

        def merge(docs: list[str], result: tuple[dict, dict]) -> None:
            images, part = result
            self.images.update(images)
            merge_index_part(self.indexer, part)
            next(progress)

        tasks = ParallelTasks(nproc)
        tasks._precvsWaiting = _FirstOut()
        # the costliest chunk starts at once (its process compiles the templates for
        # itself) while this process writes the cheapest page, as upstream does, so that
        # the processes forked after it have the templates compiled
        if chunks:
            tasks.add_task(write_process, chunks[0], merge)
        write(first)
        for chunk in chunks[1:]:
            tasks.add_task(write_process, chunk, merge)
        tasks.join()
        # index entries in the order an alphabetical write in one process leaves them
        kept = set(indexed_before)
        order = [name for name in indexed_before if name in entries]
        order += sorted(name for name in entries if name not in kept)
        reordered = {name: entries[name] for name in order}
        entries.clear()
        entries.update(reordered)

    _write_parallel._dlcalc = True  # type: ignore[attr-defined]
    StandaloneHTMLBuilder._write_parallel = _write_parallel


# ------------------------------------------------------------------ the search index


def _patch_stemmer() -> None:
    """The English stemmer of the search index, remembered across pages (Sphinx remembers
    a word's stem within one page only; the stem of a word never changes)."""
    from sphinx.search.en import SearchEnglish

    stem = SearchEnglish.stem
    if getattr(stem, "_dlcalc", False):
        return

    def remembered(self: Any, word: str) -> str:
        stems = self.__dict__.setdefault("_dlcalc_stems", {})
        try:
            return stems[word]
        except KeyError:
            stems[word] = result = stem(self, word)
            return result

    remembered._dlcalc = True  # type: ignore[attr-defined]
    SearchEnglish.stem = remembered


# ------------------------------------------------------------------ the sidebar


def titles_only_toc(toc: nodes.Element) -> nodes.Element:
    """A copy of a page's table of contents cut as a titles-only toctree cuts it
    (``sphinx.environment.adapters.toctree._entries_from_toctree``): each top-level entry
    keeps its title, and its sub-list only the toctrees inside it (none: no sub-list)."""
    short = toc.deepcopy()
    for top_level in short.children:
        if len(top_level) > 1:
            subtrees = list(top_level.findall(addnodes.toctree))
            if subtrees:
                top_level[1][:] = subtrees
            else:
                top_level.pop(1)
    return short


def _short_tocs(env: Any) -> dict[str, nodes.Element]:
    cached = getattr(env, "_dlcalc_short_tocs", None)
    if cached is not None and cached[0] is env.tocs:
        return cached[1]
    short = {}
    for docname, toc in env.tocs.items():
        exact = (not env.metadata.get(docname, {}).get("tocdepth", 0)
                 and not any(toc.findall(addnodes.only)))
        short[docname] = titles_only_toc(toc) if exact else toc
    env._dlcalc_short_tocs = (env.tocs, short)
    return short


def _patch_sidebar() -> None:
    from sphinx.builders.html import StandaloneHTMLBuilder

    original = StandaloneHTMLBuilder._get_local_toctree
    if getattr(original, "_dlcalc", False):
        return

    def _get_local_toctree(self: Any, docname: str, collapse: bool = True,
                           **kwargs: Any) -> str:
        if not kwargs.get("titles_only"):
            return original(self, docname, collapse, **kwargs)
        env = self.env
        full = env.tocs
        env.tocs = _short_tocs(env)
        try:
            return original(self, docname, collapse, **kwargs)
        finally:
            env.tocs = full

    _get_local_toctree._dlcalc = True  # type: ignore[attr-defined]
    StandaloneHTMLBuilder._get_local_toctree = _get_local_toctree


# ------------------------------------------------------------------ numpydoc


def _patch_numpydoc(app: Any) -> None:
    import numpydoc.numpydoc as npd
    from numpydoc import docscrape_sphinx as ds

    if getattr(npd.get_doc_object, "_dlcalc", False):
        return
    templates: dict[int, Any] = {}

    def get_doc_object(obj: Any, what: str | None = None, doc: Any = None,
                       config: dict[str, Any] | None = None, builder: Any = None) -> Any:
        if config is None:
            config = {}
        key = id(builder)
        if key not in templates:
            # exactly as numpydoc.docscrape_sphinx.get_doc_object makes it, once
            from jinja2 import FileSystemLoader
            from jinja2.sandbox import SandboxedEnvironment
            from sphinx.jinja2glue import BuiltinTemplateLoader

            template_dirs = [os.path.join(os.path.dirname(ds.__file__), "templates")]
            loader: Any
            if builder is not None:
                loader = BuiltinTemplateLoader()
                loader.init(builder, dirs=template_dirs)
            else:
                loader = FileSystemLoader(template_dirs)
            templates[key] = SandboxedEnvironment(loader=loader).get_template(
                "numpydoc_docstring.rst")
        config["template"] = templates[key]
        return ds.get_doc_object_orig(obj, what=what, doc=doc, config=config,
                                      class_doc=ds.SphinxClassDoc,
                                      func_doc=ds.SphinxFunctionDoc,
                                      obj_doc=ds.SphinxObjDoc)

    get_doc_object._dlcalc = True  # type: ignore[attr-defined]
    npd.get_doc_object = get_doc_object


# ------------------------------------------------------------------ docutils' state machines

_TRANSITIONS: dict[tuple[str, type], tuple[tuple, list, list]] = {}


def _initial_transitions(level: str) -> Any:
    """``add_initial_transitions`` of docutils' ``State`` (``level`` "State") or
    ``StateWS`` ("StateWS"): upstream's own the first time a class of state is made, then
    the same transitions (names in order, patterns, next states, each bound to the new
    state's method of the transition's name) from what upstream made then."""
    from docutils import statemachine

    upstream = _UPSTREAM.setdefault(f"{level}.add_initial_transitions",
                                    getattr(statemachine, level).add_initial_transitions)

    def add_initial_transitions(self: Any) -> None:
        cls = self.__class__
        # what the transitions were made from, the objects themselves (kept alive here)
        key = (self.initial_transitions, getattr(self, "ws_initial_transitions", None),
               self.patterns)
        made = _TRANSITIONS.get((level, cls))
        if made is None or any(a is not b for a, b in zip(made[0], key)):
            upstream(self)
            order = list(self.transition_order)
            if all(self.transitions[name][1] == getattr(self, name) for name in order):
                _TRANSITIONS[(level, cls)] = (key, order, [
                    (name, self.transitions[name][0], self.transitions[name][2])
                    for name in order])
            return
        if level == "StateWS":  # upstream adds the blank-line patterns to the state's own
            if self.patterns is None:
                self.patterns = {}
            self.patterns.update(self.ws_patterns)
        self.transition_order[:0] = made[1]
        transitions = self.transitions
        for name, pattern, next_state in made[2]:
            transitions[name] = (pattern, getattr(self, name), next_state)

    return add_initial_transitions


class LazyStates(dict):
    """A state machine's ``states``: each state is made the first time it is looked up
    (docutils makes all of them with the machine, and a nested parse uses two or three
    of its 15). One made while the machine runs is initialised for the run, as the states
    the machine had when it started were. ``in`` and adding a state see every state the
    machine has, made or not; ``values()`` (initialising and unlinking them) the states
    made, the only ones that have anything to initialise or unlink."""

    def __init__(self, machine: Any) -> None:
        super().__init__()
        self.machine = machine
        self.classes: dict[str, type] = {}
        self.running = False

    def __missing__(self, name: str) -> Any:
        state_class = self.classes[name]  # KeyError, as before, for a state it has not
        state = self[name] = state_class(self.machine, self.machine.debug)
        if self.running:
            state.runtime_init()
        return state

    def __contains__(self, name: object) -> bool:
        return name in self.classes or dict.__contains__(self, name)


def add_state(self: Any, state_class: type) -> None:
    """``StateMachine.add_state``: the state is made when first looked up."""
    from docutils.statemachine import DuplicateStateError

    states = self.states
    if not isinstance(states, LazyStates):
        made = states
        states = self.states = LazyStates(self)
        states.update(made)
    name = state_class.__name__
    if name in states:
        raise DuplicateStateError(name)
    states.classes[name] = state_class


def runtime_init(self: Any) -> None:
    """``StateMachine.runtime_init``: the states made so far, and those made later."""
    if isinstance(self.states, LazyStates):
        self.states.running = True
    for state in self.states.values():
        state.runtime_init()


def _patch_state_machines() -> None:
    """Every nested parse (a directive's content, a list, an autodoc entry) makes a state
    machine of 15 states, each of which looked up and bound its 2-14 transitions afresh:
    about 1,700 machines for the problem bank's API page alone. A machine's states are
    made when first used, each with the transitions its class had the first time."""
    from docutils import statemachine

    for level in ("State", "StateWS"):
        getattr(statemachine, level).add_initial_transitions = _initial_transitions(level)
    machine = statemachine.StateMachine
    for name, replacement in (("add_state", add_state), ("runtime_init", runtime_init)):
        _UPSTREAM.setdefault(f"StateMachine.{name}", getattr(machine, name))
        setattr(machine, name, replacement)


# ------------------------------------------------------------------ Sphinx's debug messages


def _drop_unshown_debug(app: Any) -> None:
    """Sphinx's logger takes every message down to DEBUG and leaves it to its handlers to
    drop those below the verbosity asked for; ``EventManager.emit`` alone logs one per
    event (about 7,500 records for the problem bank's API page, each made, filtered and,
    in a parallel read, sent to the main process to be dropped there). The logger's level
    is raised to the lowest level one of its handlers shows, so those are not made."""
    import logging

    logger = logging.getLogger("sphinx")
    levels = [handler.level for handler in logger.handlers]
    if levels and min(levels) > logger.level:
        logger.setLevel(min(levels))


# ------------------------------------------------------------------ a kernel's outputs


def _compiled_output_checks() -> dict[str, Any]:
    """For each kind of output a kernel sends, nbformat's schema of it compiled by
    fastjsonschema (the schema ``nbformat.v4.nbbase.validate`` checks an output against:
    the latest v4 schema's definition of the kind)."""
    import json

    import fastjsonschema
    import nbformat.v4 as v4

    schema = json.loads((Path(v4.__file__).parent / v4.nbformat_schema[(None, None)])
                        .read_text(encoding="utf-8"))
    return {kind: fastjsonschema.compile({**schema, "$ref": f"#/definitions/{kind}"})
            for kind in ("stream", "display_data", "execute_result", "error")}


def _patch_output_validation() -> None:
    """nbclient makes each output a kernel sends with ``nbformat.v4.output_from_msg``, which
    validates it against its kind's part of the schema, through jsonschema (nbformat's
    fastjsonschema validator only checks whole notebooks): about 120 microseconds per
    output, 1,100 outputs per build, in the main process while it drives the kernels. An
    output of a known kind is checked here by the same schema compiled by fastjsonschema
    (6 microseconds); one it finds invalid, or of another kind, goes to nbformat's own
    check, which raises its own error for it."""
    import fastjsonschema
    import nbformat.v4.nbbase as nbbase

    upstream = _UPSTREAM.setdefault("nbbase.validate", nbbase.validate)
    checks: dict[str, Any] = {}

    def validate(node: Any, ref: str | None = None) -> Any:
        if not checks:
            checks.update(_compiled_output_checks())
        check = checks.get(ref) if isinstance(ref, str) else None
        if check is not None:
            try:
                check(node)
                return None
            except fastjsonschema.JsonSchemaException:
                pass
        return upstream(node, ref)

    nbbase.validate = validate


# ------------------------------------------------------------------ a page's code, read once

_PARSED: dict[str, Any] = {}  # the last source parse_names read, and its visitor after it


def parse_names(source: str, doctree_node: Any) -> list:
    """sphinx-codeautolink's ``parse_names``, for a source that extends the last one.

    With ``codeautolink_concat_default`` a page's code blocks are read as one program:
    codeautolink parses, for each block, everything before it on the page and the block,
    and keeps the names of the block (0.6 CPU-s for the book, mostly on pages of 30-60
    blocks). Its visitor reads a module statement by statement, so after the text before a
    block it is in the state the last call left it in: here only the new block is parsed,
    placed on the lines it has in the whole, and read on from that state. The names are
    those the whole parse finds on the block's lines (codeautolink drops the others), as
    the block's statements are those of the whole that follow the text before it (the
    text before parsed, so it ends no statement the block could continue). A source that
    does not extend the last one is parsed whole, as upstream does."""
    import ast

    from sphinx_codeautolink.parse import ImportTrackerVisitor

    last, visitor = _PARSED.get("source"), _PARSED.get("visitor")
    _PARSED.clear()  # until this parse has succeeded
    if last is not None and visitor is not None and source.startswith(last + "\n"):
        tree = ast.increment_lineno(ast.parse(source[len(last) + 1:]), last.count("\n") + 1)
        before = len(visitor.accessed)
        visitor.doctree_node = doctree_node
        visitor.visit(tree)
        _PARSED.update(source=source, visitor=visitor)
        return visitor.accessed[before:]
    visitor = ImportTrackerVisitor(doctree_node)
    visitor.visit(ast.parse(source))
    _PARSED.update(source=source, visitor=visitor)
    return list(visitor.accessed)


# ------------------------------------------------------------------ a module's source, parsed once


class SourceParser:
    """``sphinx.pycode.Parser`` for ``ModuleAnalyzer.analyze``, parsing each text once.

    autodoc analyses a module it documents (``ModuleAnalyzer.for_module``) and a
    ``literalinclude`` with ``:pyobject:`` the file it includes (``for_file``); Sphinx
    keeps the two analyzers apart, so a process that reads a problem set's API entries and
    its chapter (whose solutions are included from the module) parsed the module twice.
    What a parse finds is a function of the text: the second analyzer gets copies of the
    first one's findings."""

    found: dict[str, dict[str, Any]] = {}
    FIELDS = ("annotations", "comments", "deforders", "definitions", "finals", "overloads")

    def __init__(self, code: str, encoding: str = "utf-8") -> None:
        self.code, self.encoding = code, encoding

    def parse(self) -> None:
        found = self.found.get(self.code)
        if found is None:
            parser = _UPSTREAM["Parser"](self.code, self.encoding)
            parser.parse()
            found = {name: getattr(parser, name) for name in self.FIELDS}
            self.found[self.code] = found
        for name, value in found.items():
            setattr(self, name, copy(value))


def _patch_pycode() -> None:
    import sphinx.pycode

    _UPSTREAM.setdefault("Parser", sphinx.pycode.Parser)
    sphinx.pycode.Parser = SourceParser  # the name ModuleAnalyzer.analyze calls


# ------------------------------------------------------------------ sphinx-codeautolink

_DIV = re.compile(r"<div\b[^>]*>")
_CLASS = re.compile(r'\sclass="([^"]*)"')
#: A code block as Sphinx's HTML writer writes it (``visit_literal_block``).
_BLOCK = re.compile(r'<div class="([^"<>]*)"><div class="highlight">(<pre>.*?</pre>)', re.S)


#: What :func:`soup_text` writes itself: the tags of a highlighted block and of its links.
_SOUP_TAGS = {"pre", "span", "a"}
_SOUP_TOKEN = re.compile(r"<[^<>]*>|[^<>]+")
_SOUP_OPEN = re.compile(r'<([a-z]+)((?:\s+[a-z]+="[^"<>&\']*")*)>\Z')
_SOUP_ATTR = re.compile(r'([a-z]+)="([^"]*)"')
_SOUP_ENTITY = re.compile(r"&(?:amp|lt|gt|quot|#39|#x27);")
_SOUP_CHARS = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'",
               "&#x27;": "'"}


def soup_text(html: str) -> str | None:
    """``str(BeautifulSoup(html, "html.parser"))`` for HTML made of ``<pre>``, ``<span>`` and
    ``<a>`` tags, properly nested, whose attributes are ``class``, ``href`` or ``title``
    with plain values, and text whose only entities are those Pygments writes; None for
    anything else (which BeautifulSoup itself must then read)."""
    out: list[str] = []
    open_tags: list[str] = []
    position = 0
    for match in _SOUP_TOKEN.finditer(html):
        if match.start() != position:
            return None  # a lone < or >
        position = match.end()
        token = match.group(0)
        if token.startswith("</"):
            name = token[2:-1]
            if not open_tags or open_tags.pop() != name:
                return None
            out.append(token)
        elif token.startswith("<"):
            tag = _SOUP_OPEN.match(token)
            if tag is None or tag.group(1) not in _SOUP_TAGS:
                return None
            attributes = _SOUP_ATTR.findall(tag.group(2))
            names = [name for name, _ in attributes]
            if not set(names) <= {"class", "href", "title"} or len(set(names)) < len(names):
                return None
            if any(name == "class" and value != " ".join(value.split())
                   for name, value in attributes):
                return None  # BeautifulSoup would respace a class list
            open_tags.append(tag.group(1))
            out.append("<" + tag.group(1)
                       + "".join(f' {name}="{value}"' for name, value in sorted(attributes))
                       + ">")
        else:
            if "&" in _SOUP_ENTITY.sub("", token):
                return None
            text = _SOUP_ENTITY.sub(lambda m: _SOUP_CHARS[m.group(0)], token)
            out.append(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
    if position != len(html) or open_tags:
        return None
    return "".join(out)


def _soup(html: str) -> str:
    """``str(BeautifulSoup(html, "html.parser"))``, the cheap way when it can be."""
    text = soup_text(html)
    if text is None:
        from bs4 import BeautifulSoup

        text = str(BeautifulSoup(html, "html.parser"))
    return text


def _pre_text(pre: Any) -> str:
    """The text codeautolink compares with an example's source (line numbers left out)."""
    if pre.find("span", attrs={"class": "linenos"}) is not None:
        pre = copy(pre)
        for lineno in pre.find_all("span", attrs={"class": "linenos"}):
            lineno.extract()
    return "".join(pre.strings).rstrip()


def _block_spans(html: str, wanted: set[str]) -> list[tuple[int, int]] | None:
    """Where the ``<pre>`` of each code block codeautolink looks at is, in page order;
    None if a block is not of the shape Sphinx writes, or two start on one line
    (codeautolink would keep only the last of those)."""
    def is_block(classes: str) -> bool:
        return not wanted.isdisjoint(classes.split()) or classes in wanted

    expected = 0
    for match in _DIV.finditer(html):
        found = _CLASS.search(match.group(0))
        expected += bool(found) and is_block(found.group(1))
    spans, lines = [], set()
    for match in _BLOCK.finditer(html):
        if is_block(match.group(1)):
            line = html.count("\n", 0, match.start())
            if line in lines:
                return None
            lines.add(line)
            spans.append(match.span(2))
    return spans if len(spans) == expected else None


def link_html(document: str, html: str, transforms: list, inventory: dict,
              custom_blocks: dict, search_css_classes: list, builder_name: str = "html",
              *, disable_link_titles: bool) -> str:
    """sphinx-codeautolink's ``block.link_html``, parsing only the blocks it links."""
    from bs4 import BeautifulSoup
    from sphinx_codeautolink.extension import block
    from sphinx_codeautolink.warn import logger, warn_type

    wanted = ({f"highlight-{t}" for t in block.BUILTIN_BLOCKS.keys() | custom_blocks.keys()}
              | {"doctest"} | set(search_css_classes))
    spans = _block_spans(html, wanted)
    if spans is None:
        return _UPSTREAM["link_html"](document, html, transforms, inventory, custom_blocks,
                                      search_css_classes, builder_name,
                                      disable_link_titles=disable_link_titles)
    if builder_name == "dirhtml" and Path(document).name != "index":
        html_file = Path(document) / "index.html"
    else:
        html_file = Path(document + ".html")
    local_prefix = "../" * (len(html_file.parents) - 1)
    link_pattern = '<a href="{link}"{title} class="sphinx-codeautolink-a">{text}</a>'

    remaining = list(range(len(spans)))
    pres: dict[int, str] = {}
    texts: dict[int, str] = {}
    linked: dict[int, str] = {}
    for trans in transforms:
        source = trans.source.rstrip()
        for ix, k in enumerate(remaining):
            if k not in texts:
                start, end = spans[k]
                raw = html[start:end]
                # line numbers are left out of the text: BeautifulSoup's way only
                quick = None if 'class="linenos"' in raw else soup_text(raw)
                if quick is not None:
                    # the block's text: what its tags enclose, entities read
                    pres[k] = quick
                    texts[k] = re.sub(r"<[^>]*>", "", quick).replace(
                        "&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").rstrip()
                else:
                    pre = BeautifulSoup(raw, "html.parser").pre
                    pres[k], texts[k] = str(pre), _pre_text(pre)
            if texts[k] == source:
                del remaining[ix]
                break
        else:
            msg = f"Could not match a code example to HTML, source:\n{trans.source}"
            logger.warning(msg, type=warn_type, subtype="match_block", location=document)
            continue

        lines = pres[k].split("\n")
        for name in trans.names:
            begin_line = name.lineno - 1
            end_line = name.end_lineno - 1
            selection = "\n".join(lines[begin_line : end_line + 1])
            # reversed: a.b = a.b is replaced from the right
            matches = list(re.finditer(block.construct_name_pattern(name), selection))[::-1]
            if not matches:
                msg = (f"Could not match transformation of `{name.code_str}` "
                       f"on source lines {name.lineno}-{name.end_lineno}, "
                       f"source:\n{trans.source}")
                logger.warning(msg, type=warn_type, subtype="match_name", location=document)
                continue
            start, end = matches[0].span()
            start += len(matches[0].group(1))
            location = inventory[name.resolved_location]
            if not location.startswith(("http://", "https://")):
                location = local_prefix + location
            text = selection[start:end]
            title = ("" if disable_link_titles
                     else block.format_title(name.resolved_location, text))
            link = link_pattern.format(link=location, title=title, text=text)
            transformed = selection[:start] + link + selection[end:]
            lines[begin_line : end_line + 1] = transformed.split("\n")
        linked[k] = _soup("\n".join(lines))

    out, position = [], 0
    for k in sorted(linked):
        start, end = spans[k]
        out += [html[position:start], linked[k]]
        position = end
    out.append(html[position:])
    return "".join(out)


_RESOLVED: dict[str, Any] = {}  # the inventory names were last resolved with, and results


def resolve_location(chain: Any, inventory: Any) -> Any:
    """sphinx-codeautolink's ``resolve_location``, once per chain of names and inventory.

    Once every page is read, codeautolink resolves each name used in the book's code to
    the object it ends at (importing modules, following annotations: about 1,400 names, in
    the main process, while the other core waits); most chains (``dc.train``,
    ``q.solve()``) come back many times. What it finds is a function of the chain's
    components, the inventory and the (imported, unchanging) library: each chain is
    resolved once per inventory, and what it gave (a location or ``CouldNotResolve``) given
    again."""
    if _RESOLVED.get("inventory") is not inventory:
        _RESOLVED.clear()
        _RESOLVED.update(inventory=inventory, found={})
    found = _RESOLVED["found"]
    key = tuple(chain.import_components)
    if key not in found:
        try:
            found[key] = (True, _UPSTREAM["resolve_location"](chain, inventory))
        except Exception as error:  # noqa: BLE001 - given again, as it was raised
            found[key] = (False, error)
    ok, result = found[key]
    if not ok:
        raise result
    return result


def _patch_codeautolink() -> None:
    import sphinx_codeautolink.extension as extension
    from sphinx_codeautolink.extension import block

    _UPSTREAM.setdefault("link_html", block.link_html)
    extension.link_html = link_html  # the name SphinxCodeAutoLink.apply_links calls
    _UPSTREAM.setdefault("parse_names", block.parse_names)
    block.parse_names = parse_names  # the name CodeBlockAnalyser.parse_source calls
    _UPSTREAM.setdefault("resolve_location", extension.resolve_location)
    extension.resolve_location = resolve_location  # the name filter_and_resolve calls


def setup(app: Any) -> dict[str, Any]:
    app.setup_extension("sphinx_codeautolink")
    _patch_codeautolink()
    _patch_sidebar()
    _patch_doctree_reuse()
    _patch_stemmer()
    _patch_tree_walk()
    _patch_state_machines()
    _patch_pycode()
    _patch_output_validation()
    _patch_parallel_write()
    _drop_unshown_debug(app)
    app.connect("builder-inited", _patch_numpydoc)
    app.connect("doctree-read", _note_unnumbered, priority=990)  # after the page's changes
    app.connect("env-purge-doc", _forget_unnumbered)
    app.connect("env-merge-info", _merge_unnumbered)
    # what exists when the pages start to be read, then after each page read; the
    # environment once all are read, then after each page written
    for event in ("env-before-read-docs", "doctree-read", "env-updated", "html-page-context"):
        app.connect(event, _freeze, priority=1000)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
