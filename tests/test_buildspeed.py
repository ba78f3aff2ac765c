"""book/_ext/buildspeed.py replaces upstream code with cheaper code: the same pages.

The reference is upstream itself. A small Sphinx project with what the book uses (the
book's theme and its titles-only sidebar, autodoc of numpydoc docstrings with examples,
sphinx-codeautolink linking code blocks to the entries, a page with an ``only`` block) is
built twice in fresh processes, once without and once with buildspeed, and every page
must come out the same: byte for byte, except that the pages with Python code, which
sphinx-codeautolink re-serialises as a whole through BeautifulSoup in the build without
buildspeed; those must be the same once both are re-serialised, and their linked code
blocks byte for byte.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

from pagecheck import BOOK

sys.path.insert(0, str(BOOK / "_ext"))
import buildspeed  # noqa: E402

MODULE = '''
"""A module documented by the test project."""


class Adder:
    """Adds a fixed amount.

    Parameters
    ----------
    amount : int
        What is added.

    Examples
    --------
    >>> Adder(2).add(3)
    5
    """

    def __init__(self, amount: int) -> None:
        self.amount = amount

    def add(self, value: int) -> int:
        """The value plus the amount.

        Parameters
        ----------
        value : int
            What the amount is added to.

        Returns
        -------
        int
            The sum.
        """
        return value + self.amount

    def twice(self, value: int) -> int:
        """The value plus twice the amount.

        Parameters
        ----------
        value : int
            What twice the amount is added to.

        Returns
        -------
        int
            The sum.
        """
        return value + 2 * self.amount


def double(x: float) -> float:
    """Twice ``x`` ("double" it, with an  & and a <).

    Parameters
    ----------
    x : float
        The number.

    Returns
    -------
    float
        ``2 * x``.

    Examples
    --------
    >>> double(1.5)
    3.0
    """
    return 2 * x
'''

PAGES = {
    "index.rst": """
        The test book
        =============

        .. toctree::

           guide
           api
           other
           last
        """,
    "guide.rst": """
        Guide
        =====

        First steps
        -----------

        .. code-block:: python

           import tinymod
           adder = tinymod.Adder(1)
           print(adder.add(2), tinymod.double(3.0))

        Second steps
        ------------

        .. code-block:: python
           :caption: Doubling, imported by name
           :name: doubling

           from tinymod import double
           double(4.0)

        :numref:`doubling` imports the function by name.

        .. code-block:: text

           not python: not linked

        .. toctree::

           detail

        A nested section
        ^^^^^^^^^^^^^^^^

        .. code-block:: python

           import tinymod
           tinymod.Adder(5).twice(1)
        """,
    "detail.rst": """
        Detail
        ======

        A page listed from inside a section of another.

        Its section
        -----------

        More.
        """,
    "last.rst": """
        Last
        ====

        The sixth page: Sphinx reads in parallel from six pages on.
        """,
    "api.rst": """
        The API
        =======

        .. automodule:: tinymod
           :members:
           :member-order: bysource
        """,
    "other.rst": """
        Other
        =====

        .. only:: html

           Only in HTML
           ------------

           Some text.

        Always
        ------

        More text.
        """,
}

CONF = """
import os, sys
sys.path[:0] = [os.path.dirname(__file__), {ext!r}]
extensions = ["sphinx.ext.autodoc", "numpydoc", "sphinx_codeautolink"]
if os.environ.get("WITH_BUILDSPEED"):
    extensions.append("buildspeed")
html_theme = "sphinx_book_theme"
numfig = True
numpydoc_show_class_members = False
codeautolink_autodoc_inject = True
"""


def _build(src: Path, out: Path, with_buildspeed: bool) -> None:
    env = {k: v for k, v in os.environ.items() if k != "WITH_BUILDSPEED"}
    if with_buildspeed:
        env["WITH_BUILDSPEED"] = "1"
    # in parallel (as the book): no doctree is kept from reading to writing
    subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-q", "-W", "-E", "-j", "2",
                    "-d", str(out / ".doctrees"), str(src), str(out)],
                   check=True, env=env, capture_output=True, text=True)


def _normalised(html: str) -> str:
    return str(BeautifulSoup(html, "html.parser"))


def _linked_blocks(html: str) -> list[str]:
    return re.findall(r"<pre>(?:(?!</pre>).)*sphinx-codeautolink-a.*?</pre>", html, re.S)


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    src = tmp_path_factory.mktemp("src")
    (src / "tinymod.py").write_text(MODULE)
    (src / "conf.py").write_text(CONF.format(ext=str(BOOK / "_ext")))
    for name, text in PAGES.items():
        (src / name).write_text(textwrap.dedent(text).lstrip())
    upstream, ours = src.parent / "upstream", src.parent / "ours"
    _build(src, upstream, with_buildspeed=False)
    _build(src, ours, with_buildspeed=True)
    return upstream / "", ours / ""


def test_every_page_is_the_same(builds: tuple[Path, Path]) -> None:
    upstream, ours = builds
    files = sorted(p.relative_to(upstream) for p in upstream.rglob("*")
                   if p.is_file() and ".doctrees" not in p.parts and p.name != ".buildinfo")
    assert sorted(p.relative_to(ours) for p in ours.rglob("*")
                  if p.is_file() and ".doctrees" not in p.parts and p.name != ".buildinfo"
                  ) == files
    names = {p.name for p in files}
    assert {"api.html", "guide.html", "index.html", "other.html", "detail.html",
            "searchindex.js", "objects.inv"} <= names
    for page in files:
        before, after = (upstream / page).read_bytes(), (ours / page).read_bytes()
        if before == after:
            continue
        assert page.suffix == ".html", page
        before, after = before.decode(), after.decode()
        # a page codeautolink rewrote may differ, and only in spelling
        assert _normalised(before) == _normalised(after), page
        assert _linked_blocks(before) == _linked_blocks(after), page
    # the test saw codeautolink at work
    assert len(_linked_blocks((upstream / "guide.html").read_text())) == 3


def test_the_pages_show_what_the_test_is_about(builds: tuple[Path, Path]) -> None:
    _, ours = builds
    guide = (ours / "guide.html").read_text()
    # three linked blocks, the text block left alone
    assert len(_linked_blocks(guide)) == 3
    assert 'href="api.html#tinymod.Adder.twice"' in guide
    # the sidebar lists the pages by title, not their sections or API entries
    nav = guide[guide.index('<nav class="bd-links'):]
    nav = nav[:nav.index("</nav>")]
    assert all(f'href="{p}.html"' in nav for p in ("api", "detail", "other"))
    assert "#" not in re.sub(r'href="#"', "", "".join(re.findall(r'href="[^"]*"', nav)))
    # the API page's own table of contents still lists its entries
    assert 'href="#tinymod.Adder.twice"' in (ours / "api.html").read_text()
    # the code block is numbered (the doctrees loaded to number it are written)
    assert "Listing 1" in guide


def test_titles_only_toc_keeps_titles_and_toctrees() -> None:
    from docutils import nodes
    from sphinx import addnodes

    def entry(text: str, *children: nodes.Node) -> nodes.list_item:
        item = nodes.list_item("", addnodes.compact_paragraph("", "", nodes.Text(text)))
        if children:
            item += nodes.bullet_list("", *children)
        return item

    sub = addnodes.toctree()
    toc = nodes.bullet_list("", entry("Title", entry("Section", entry("Deeper", sub)),
                                      entry("Other")))
    short = buildspeed.titles_only_toc(toc)
    assert short.astext().strip() == "Title"
    assert [type(n) for n in short[0][1].children] == [addnodes.toctree]
    assert toc.astext().split() == ["Title", "Section", "Deeper", "Other"]  # original kept
    lone = nodes.bullet_list("", entry("Alone", entry("Section")))
    assert len(buildspeed.titles_only_toc(lone)[0]) == 1


def test_blocks_of_another_shape_go_to_upstream() -> None:
    wanted = {"highlight-python"}
    plain = ('<div class="highlight-python notranslate"><div class="highlight">'
             '<pre><span></span>x</pre></div>\n</div>\n')
    assert buildspeed._block_spans(plain, wanted) == [(plain.index("<pre>"),
                                                       plain.index("</div>"))]
    odd = plain + '<div class="highlight-python"><pre>y</pre></div>\n'
    assert buildspeed._block_spans(odd, wanted) is None
    one_line = plain.replace("\n", "") + plain
    assert buildspeed._block_spans(one_line, wanted) is None


# ------------------------------------------------------------------ the tree walk

def _kinds() -> tuple[type, ...]:
    from docutils import nodes

    return (nodes.section, nodes.paragraph, nodes.emphasis, nodes.literal_block,
            nodes.container, nodes.reference)


def _random_tree(seed: int) -> Any:
    """A tree of docutils nodes of a few kinds, 1 to 6 levels deep, each labelled."""
    import random

    from docutils import nodes

    rng = random.Random(seed)
    count = iter(range(10**6))

    def grow(depth: int) -> Any:
        kind = rng.choice(_kinds())
        node = kind(label=f"n{next(count)}")
        for _ in range(rng.randrange(0, 4) if depth < 6 else 0):
            if rng.random() < 0.25:
                node += nodes.Text(f"t{next(count)}")
            else:
                node += grow(depth + 1)
        return node

    root = nodes.section(label="root")
    for _ in range(rng.randrange(1, 5)):
        root += grow(1)
    return root


def _label(node: Any) -> str:
    return node.get("label") if hasattr(node, "get") else str(node)


def _walk(seed: int, start_path: tuple[int, ...], kwargs: dict, mutate: bool) -> list[str]:
    """The labels a walk yields; with ``mutate``, the walk's caller changes the tree as it
    goes (removes a later sibling, adds a child, replaces a node), as transforms do."""
    import random

    from docutils import nodes

    tree = _random_tree(seed)
    start = tree
    for index in start_path:
        if not isinstance(start, nodes.Element) or index >= len(start.children):
            break
        start = start.children[index]
    rng = random.Random(seed + 1)
    # docutils' own walk along siblings fails on a tree changed under it: kept unchanged
    mutate = mutate and not (kwargs.get("siblings") or kwargs.get("ascend"))
    seen = []
    for node in start.findall(**kwargs):
        seen.append(_label(node))
        if len(seen) > 500:
            break
        if not mutate or not isinstance(node, nodes.Element):
            continue
        roll = rng.random()
        parent = node.parent
        if parent is not None and not any(child is node for child in parent.children):
            parent = None  # taken out of the tree by an earlier change
        if roll < 0.15 and parent is not None:
            index = parent.index(node)
            if index + 1 < len(parent.children):
                parent.remove(parent.children[index + 1])
        elif roll < 0.3:
            node += nodes.emphasis(label=f"{_label(node)}+")
        elif roll < 0.4 and parent is not None:
            node.replace_self(nodes.container(label=f"{_label(node)}*"))
        elif roll < 0.5:
            node.children.insert(0, nodes.paragraph(label=f"{_label(node)}^"))
            node.children[0].parent = node
    return seen


def _walk_kwargs() -> list[dict]:
    from docutils import nodes

    def some(node: Any) -> bool:
        digits = re.sub(r"\D", "", _label(node))
        return isinstance(node, nodes.Text) or int(digits or 0) % 3 == 0

    return [{}, {"condition": nodes.paragraph}, {"condition": nodes.Element},
            {"condition": some}, {"include_self": False}, {"descend": False},
            {"include_self": False, "condition": nodes.emphasis},
            {"include_self": False, "condition": some}, {"siblings": True},
            {"ascend": True, "condition": nodes.Element}]


@pytest.mark.parametrize("mutate", [False, True])
def test_the_tree_walk_visits_what_docutils_visits(monkeypatch: pytest.MonkeyPatch,
                                                   mutate: bool) -> None:
    from docutils import nodes

    cases = [(seed, path, kwargs) for seed in range(60) for path in [(), (0,), (0, 1)]
             for kwargs in _walk_kwargs()]
    upstream = [_walk(seed, path, kwargs, mutate) for seed, path, kwargs in cases]
    monkeypatch.setitem(buildspeed._UPSTREAM, "Node.findall", nodes.Node.findall)
    monkeypatch.setattr(nodes.Node, "_fast_findall", buildspeed.fast_findall)
    monkeypatch.setattr(nodes.Node, "_superfast_findall", buildspeed.superfast_findall)
    monkeypatch.setattr(nodes.Node, "findall", buildspeed.findall)
    ours = [_walk(seed, path, kwargs, mutate) for seed, path, kwargs in cases]
    assert ours == upstream
    # the cases walk real trees, changed or not as the case says
    assert sum(len(seen) for seen in upstream) > 5 * len(cases)
    if mutate:
        assert any("+" in label or "*" in label or "^" in label
                   for seen in upstream for label in seen)


# ------------------------------------------------------------------ BeautifulSoup's text


def _chapter_cells(skip: tuple[str, ...] = (":", "%")) -> dict[str, list[str]]:
    """Each chapter's code cells without the lines that start with one of ``skip``: by
    default as codeautolink reads them (cell options and magics left out)."""
    pages = {}
    for page in sorted(BOOK.glob("*.md")):
        cells = re.findall(r"```\{code-cell\}[^\n]*\n(.*?)```", page.read_text(), re.S)
        pages[page.stem] = ["\n".join(line for line in cell.splitlines()
                                      if not line.startswith(skip))
                            for cell in cells]
    return pages


def _highlighted_blocks() -> list[str]:
    """Every Python code cell of the book's chapters, highlighted as Sphinx does."""
    from sphinx.highlighting import PygmentsBridge

    bridge = PygmentsBridge("html")
    blocks = []
    for cells in _chapter_cells(skip=(":",)).values():
        for code in cells:
            html = bridge.highlight_block(code, "python")
            blocks.append(re.search(r"<pre>.*</pre>", html, re.S).group(0))
    return blocks


def _with_links(block: str, seed: int) -> str:
    """``block`` with some of its name spans wrapped in links, as codeautolink wraps them."""
    import random

    rng = random.Random(seed)

    def link(match: re.Match) -> str:
        if rng.random() < 0.5:
            return match.group(0)
        title = rng.choice(["", ' title="dlcalc.problems.question"'])
        return (f'<a href="../api/x.html#dlcalc.x"{title} class="sphinx-codeautolink-a">'
                f"{match.group(0)}</a>")

    return re.sub(r'<span class="n">[^<]*</span>', link, block)


def test_soup_text_writes_what_beautifulsoup_writes() -> None:
    blocks = _highlighted_blocks()
    assert len(blocks) > 100
    tricky = ['<pre><span class="s1">&#39;a&quot;b&amp;c&lt;d&gt;e &#x27;</span>\n x</pre>',
              '<pre><span></span>if a &lt; b &amp;&amp; c:\n    pass\n</pre>',
              '<a title="t" href="h" class="c">x</a>', "<pre>\u00a0text</pre>"]
    handled = 0
    linked = [_with_links(b, seed) for seed, b in enumerate(blocks)]
    assert sum("sphinx-codeautolink-a" in b for b in linked) > len(blocks) / 3
    for block in blocks + linked + tricky:
        ours = buildspeed.soup_text(block)
        if ours is not None:
            handled += 1
            assert ours == str(BeautifulSoup(block, "html.parser")), block
    assert handled == 2 * len(blocks) + len(tricky)  # the blocks Sphinx writes take the quick way
    # what it does not write itself is left to BeautifulSoup
    for odd in ['<pre><span class="a  b">x</span></pre>', "<pre><b>x</b></pre>",
                '<pre><span class="n">x</pre>', "<pre>x</span></pre>", "<pre>a &nbsp; b</pre>",
                '<pre><span id="x">y</span></pre>', "<pre>a < b</pre>", "<pre>a & b</pre>",
                '<pre><span class="n">x<a href="h">y</span></a></pre>']:
        assert buildspeed.soup_text(odd) is None, odd


# ------------------------------------------------------------------ the parallel write


def test_write_chunks_cover_every_page_once_costliest_first() -> None:
    costs = {"big": 900, "a": 100, "b": 80, "c": 60, "d": 60, "e": 50, "f": 30, "g": 20}
    chunks = buildspeed.write_chunks(costs, nproc=2)
    assert sorted(p for chunk in chunks for p in chunk) == sorted(costs)
    assert chunks[0] == ["big"]  # a page costlier than a chunk's share stands alone
    flat = [p for chunk in chunks for p in chunk]
    assert [costs[p] for p in flat] == sorted(costs.values(), reverse=True)
    limit = sum(costs.values()) / 6  # a sixth of the whole for two processes
    assert all(len(chunk) == 1 or sum(costs[p] for p in chunk) <= limit for chunk in chunks)
    assert len(chunks) > 2


def test_index_parts_merged_are_the_index_one_process_makes() -> None:
    import copy
    from types import SimpleNamespace

    from docutils.core import publish_doctree
    from sphinx.search import IndexBuilder

    from sphinx import addnodes

    texts = {"zero": "Zero\n====\n\nThe warm-up page.",
             "one": "One\n===\n\nGradient descent steps down.",
             "two": "Two\n===\n\nDescent again, and convolution.\n\nMore\n----\n\nSteps."}
    doctrees = {name: publish_doctree(text) for name, text in texts.items()}
    for name, term in (("zero", "warm"), ("one", "descent"), ("two", "descent")):
        doctrees[name] += addnodes.index(entries=[("single", term, f"index-{name}", "",
                                                   None)])

    def indexer() -> Any:
        env = SimpleNamespace(**{f"_search_index_{name}": {} for name in (
            "titles", "filenames", "mapping", "title_mapping", "all_titles",
            "index_entries", "objtypes", "objnames")}, config=SimpleNamespace())
        return IndexBuilder(env, "en", {}, "")

    def feed(ix: Any, name: str) -> None:
        ix.feed(name, f"{name}.rst", name.title(), doctrees[name])

    whole = indexer()
    for name in texts:
        feed(whole, name)
    main = indexer()
    feed(main, "zero")  # the page the main process writes before forking
    parts = []
    for name in ("one", "two"):  # each written by a forked process
        forked = copy.deepcopy(main)
        feed(forked, name)
        parts.append(buildspeed.index_part(forked, [name]))
    for part in parts:
        buildspeed.merge_index_part(main, part)
    for name in ("_titles", "_filenames", "_all_titles", "_index_entries", "_mapping",
                 "_title_mapping"):
        assert getattr(main, name) == getattr(whole, name), name
    # the pages were indexed: words of two pages, index entries
    assert whole._mapping["descent"] == {"one", "two"}
    assert whole._index_entries["one"] and whole._index_entries["two"]


def test_a_page_with_nothing_to_number_is_known_as_such() -> None:
    from types import SimpleNamespace

    from docutils import nodes
    from docutils.utils import new_document
    from sphinx import addnodes

    class exercise(nodes.Admonition, nodes.Element):  # an extension's numbered node
        pass

    env = SimpleNamespace(domains={
        "std": SimpleNamespace(enumerable_nodes={nodes.figure: ("figure", None),
                                                 nodes.table: ("table", None),
                                                 exercise: ("exercise", None)}),
        "py": SimpleNamespace(enumerable_nodes={})})

    def page(*inner: nodes.Node) -> nodes.document:
        document = new_document("page")
        section = nodes.section("", nodes.title(text="Title"),
                                nodes.paragraph(text="Some prose."))
        section += nodes.section("", nodes.title(text="Deeper"), *inner)
        document += section
        return document

    assert not buildspeed.numbers_something(env, page())
    assert not buildspeed.numbers_something(env, page(nodes.literal_block(text="x = 1"),
                                                      nodes.container()))
    for numbered in (nodes.figure(), nodes.table(), exercise(), addnodes.toctree(),
                     nodes.container(literal_block=True)):
        assert buildspeed.numbers_something(env, page(nodes.paragraph(), numbered))


# ------------------------------------------------------------------ docutils' state machines


def _machine_transitions() -> dict[str, tuple]:
    """What each state of a nested reStructuredText state machine can do: its transitions
    in order, each as (pattern, the function of the method it calls, the next state)."""
    from docutils.parsers.rst import states

    machine = states.NestedStateMachine(state_classes=states.state_classes,
                                        initial_state="Body")
    seen = {}
    for name in (state_class.__name__ for state_class in states.state_classes):
        state = machine.states[name]
        seen[name] = (list(state.transition_order),
                      [(pattern.pattern, method.__func__, method.__self__ is state, nxt)
                       for pattern, method, nxt in (state.transitions[t]
                                                    for t in state.transition_order)],
                      dict(state.patterns or {}))
    return seen


def _upstream_state_machines(monkeypatch: pytest.MonkeyPatch) -> None:
    """docutils' own state machines, whatever the test session did before."""
    from docutils import statemachine

    for owner, name in (("State", "add_initial_transitions"),
                        ("StateWS", "add_initial_transitions"),
                        ("StateMachine", "add_state"), ("StateMachine", "runtime_init")):
        cls = getattr(statemachine, owner)
        monkeypatch.setattr(cls, name, buildspeed._UPSTREAM.get(f"{owner}.{name}",
                                                                getattr(cls, name)))


#: reStructuredText with every kind of state a nested parse goes through: sections, lists
#: of each kind, nested in directives, literal blocks, tables, substitutions, comments.
RST = """
Title
=====

A paragraph with *emphasis*, ``code`` and a |sub|.

.. |sub| replace:: substitution

- a bullet

  * nested, with a paragraph
    on two lines

1. enumerated
2. items

:field: value
:other: a longer
   value

term
   definition

-o, --option  an option list

| a line block
|   indented

.. note:: A note

   with two paragraphs

   #. and an auto-enumerated list

::

    literal block

+-----+-----+
| a   | b   |
+=====+=====+
| 1   | 2   |
+-----+-----+

.. a comment

Section
-------

>>> 1 + 1
2

Transition below

----

End.
"""


def test_a_document_parses_the_same_with_states_made_when_used(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from docutils.core import publish_doctree
    from docutils.parsers.rst import states

    def parse() -> str:
        return publish_doctree(RST, settings_overrides={"report_level": 5}).pformat()

    _upstream_state_machines(monkeypatch)
    upstream = parse()
    monkeypatch.setattr(buildspeed, "_TRANSITIONS", {})
    buildspeed._patch_state_machines()
    assert parse() == upstream
    for kind in ("bullet_list", "enumerated_list", "field_list", "definition_list",
                 "option_list", "line_block", "note", "literal_block", "table",
                 "doctest_block", "transition", "comment"):
        assert f"<{kind}" in upstream
    # a machine has every state it was given, and makes the ones it uses
    machine = states.NestedStateMachine(state_classes=states.state_classes,
                                        initial_state="Body")
    assert all(cls.__name__ in machine.states for cls in states.state_classes)
    assert list(machine.states.values()) == []
    assert isinstance(machine.states["Text"], states.Text)
    assert [type(state) for state in machine.states.values()] == [states.Text]
    with pytest.raises(KeyError):
        machine.states["NoSuchState"]
    with pytest.raises(Exception, match="Body"):  # DuplicateStateError, as upstream
        machine.add_state(states.Body)


def test_states_get_the_transitions_docutils_gives_them(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from docutils.parsers.rst import states

    _upstream_state_machines(monkeypatch)
    upstream = _machine_transitions()
    monkeypatch.setattr(buildspeed, "_TRANSITIONS", {})
    buildspeed._patch_state_machines()
    first, again = _machine_transitions(), _machine_transitions()  # made, then reused
    assert first == upstream and again == upstream
    assert len(buildspeed._TRANSITIONS) >= len(states.state_classes)
    # every state can do something, and the states of a kind differ in what
    assert all(order for order, _, _ in upstream.values())
    assert upstream["Body"][0] != upstream["Text"][0]


def test_a_state_class_changing_its_transitions_is_seen(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The transitions are remembered per class along with the lists they came from: a
    class given other transitions gets them, as upstream would give them."""
    from docutils.parsers.rst import states

    buildspeed._patch_state_machines()
    _machine_transitions()
    monkeypatch.setattr(states.Text, "initial_transitions", [("text", "Body")])
    assert _machine_transitions()["Text"][0] == ["blank", "indent", "text"]


# ------------------------------------------------------------------ Sphinx's debug messages


@pytest.mark.parametrize("verbosity", [0, 1, 2])
def test_debug_messages_are_made_only_when_shown(verbosity: int,
                                                 tmp_path: Path) -> None:
    """Sphinx's logger set up for a verbosity, then raised by buildspeed: a message at a
    level the verbosity shows still comes out, one below it is not even made."""
    import io
    import logging

    from sphinx.util import logging as sphinx_logging

    class App:  # what sphinx.util.logging.setup reads of the application
        pass

    app = App()
    app.verbosity, app.warningiserror, app.quiet = verbosity, False, False
    app.config = type("Config", (), {"suppress_warnings": []})()
    app.messagelog, app.pdb, app._warncount = [], False, 0
    status, warning = io.StringIO(), io.StringIO()
    sphinx_logging.setup(app, status, warning)
    try:
        buildspeed._drop_unshown_debug(app)
        logger = sphinx_logging.getLogger("sphinx.events")
        made = []
        factory = logging.getLogRecordFactory()

        def counting(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = factory(*args, **kwargs)
            made.append(record.levelno)
            return record

        logging.setLogRecordFactory(counting)
        try:
            for say in (logger.debug, logger.verbose, logger.info, logger.warning):
                say("%s message", say.__name__)
        finally:
            logging.setLogRecordFactory(factory)
        shown = {2: ["debug", "verbose", "info"], 1: ["verbose", "info"], 0: ["info"]}
        levels = {"debug": logging.DEBUG, "verbose": sphinx_logging.VERBOSE,
                  "info": logging.INFO, "warning": logging.WARNING}
        lines = re.sub(r"\x1b\[[0-9;]*m", "", status.getvalue()).splitlines()
        assert lines == [f"{word} message" for word in shown[verbosity]]
        assert "warning message" in warning.getvalue()
        # nothing is made of what is not shown
        assert made == [levels[word] for word in shown[verbosity] + ["warning"]]
        assert logging.getLogger("sphinx").isEnabledFor(logging.DEBUG) == (verbosity >= 2)
    finally:
        logging.getLogger("sphinx").handlers.clear()


# ------------------------------------------------------------------ a kernel's outputs


def _outputs() -> list[tuple[dict, str]]:
    """Outputs as a kernel's messages make them, valid and not, each with the kind it is
    checked as."""
    good = [
        {"output_type": "stream", "name": "stdout", "text": "42\n"},
        {"output_type": "stream", "name": "stderr", "text": ["a\n", "b"]},
        {"output_type": "display_data", "metadata": {"scrapbook": {"name": "q1_w"}},
         "data": {"text/plain": "0.25", "text/markdown": "**0.25**"}},
        {"output_type": "display_data", "metadata": {},
         "data": {"image/png": "iVBORw0KGgo=", "text/plain": "<Figure size 640x480>"}},
        {"output_type": "execute_result", "execution_count": 3, "metadata": {},
         "data": {"text/plain": "(1, 2)"}},
        {"output_type": "execute_result", "execution_count": None, "metadata": {},
         "data": {"application/json": {"a": [1, 2]}}},
        {"output_type": "error", "ename": "ValueError", "evalue": "n must be positive",
         "traceback": ["Traceback", "ValueError: n must be positive"]},
    ]
    cases = [(dict(output), output["output_type"]) for output in good]
    for output in good:
        for key in output:
            if key != "output_type":  # each required field missing in turn
                cases.append(({k: v for k, v in output.items() if k != key},
                              output["output_type"]))
        cases.append(({**output, "unexpected": 1}, output["output_type"]))
    cases += [
        ({**good[0], "name": 3}, "stream"),
        ({**good[2], "data": "text"}, "display_data"),
        ({**good[4], "execution_count": "3"}, "execute_result"),
        ({**good[6], "traceback": "one line"}, "error"),
        (good[2], "execute_result"),  # checked as another kind
        ({"cell_type": "markdown", "id": "intro", "metadata": {}, "source": "# t"},
         "markdown_cell"),
        ({"cell_type": "markdown", "metadata": {}, "source": 5}, "markdown_cell"),
    ]
    return cases


def test_outputs_are_valid_exactly_when_nbformat_says_so(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import nbformat
    import nbformat.v4.nbbase as nbbase

    upstream = buildspeed._UPSTREAM.get("nbbase.validate", nbbase.validate)
    monkeypatch.setattr(nbbase, "validate", upstream)

    def verdicts() -> list[str | None]:
        seen = []
        for output, kind in _outputs():
            try:
                nbbase.validate(nbformat.from_dict(output), kind)
                seen.append(None)
            except nbformat.ValidationError as error:
                seen.append(error.message)
        return seen

    expected = verdicts()
    buildspeed._patch_output_validation()
    assert nbbase.validate is not upstream
    assert verdicts() == expected  # the same outputs pass; the others, with the same error
    assert expected.count(None) == 8 and len(expected) > 30
    # what nbclient calls makes its outputs through the check
    message = {"header": {"msg_type": "stream"}, "content": {"name": "stdout", "text": "1"}}
    assert nbformat.v4.output_from_msg(message) == {"output_type": "stream",
                                                    "name": "stdout", "text": "1"}


# ------------------------------------------------------------------ a page's code, read once


def _names_by_block(parse: Any, blocks: list[str], preface: list[str]) -> list[list]:
    """The names codeautolink keeps for each block of a page read as one program: those
    on the block's own lines of the whole source parsed for it."""
    kept, before = [], []
    for block in blocks:
        source = "\n".join(preface + before + [block])
        first = source.count("\n") - block.count("\n") + 1  # the block's first line
        kept.append([(name.import_components, name.code_str, name.lineno - first,
                      name.end_lineno - first, name.context)
                     for name in parse(source, None) if name.lineno >= first])
        before.append(block)
    return kept


def test_a_page_read_block_by_block_finds_the_names_a_whole_parse_finds(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from sphinx_codeautolink.parse import parse_names as upstream

    monkeypatch.setattr(buildspeed, "_PARSED", {})
    preface = ["import numpy as np", "import dlcalc", "import dlcalc as dc",
               "from dlcalc import problems"]
    pages = _chapter_cells()
    found = 0
    for blocks in pages.values():
        expected = _names_by_block(upstream, blocks, preface)
        assert _names_by_block(buildspeed.parse_names, blocks, preface) == expected
        found += sum(map(len, expected))
    assert len(pages["assignment1"]) > 30 and found > 1000
    # names bound in one block and used in a later one are followed (a solution's fields)
    blocks = ["import dlcalc as dc\nrun = dc.train", "out = run(1)\nout.history"]
    assert _names_by_block(buildspeed.parse_names, blocks, []) == \
        _names_by_block(upstream, blocks, [])
    assert any("train" in name[0] for name in _names_by_block(upstream, blocks, [])[1])


def test_a_source_that_does_not_extend_the_last_is_parsed_whole(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(buildspeed, "_PARSED", {})
    buildspeed.parse_names("import numpy as np\nx = np.ones(3)", None)
    # another page: only what it says
    names = buildspeed.parse_names("import math\nmath.pi", None)
    assert [name.import_components for name in names] == [["math"], ["math", "pi"]]
    # a block that does not parse: upstream's error, and nothing is read on from it
    with pytest.raises(SyntaxError):
        buildspeed.parse_names("import math\nmath.pi\nx = (", None)
    assert buildspeed._PARSED == {}
    names = buildspeed.parse_names("import math\nmath.pi\nmath.e", None)
    assert [name.lineno for name in names] == [1, 2, 3]  # parsed whole


# ------------------------------------------------------------------ a module's source, parsed once


def _analysis(analyzer: Any) -> tuple:
    analyzer.analyze()
    return (analyzer.attr_docs, analyzer.annotations, analyzer.finals,
            {name: [str(sig) for sig in sigs] for name, sigs in analyzer.overloads.items()},
            analyzer.tags, analyzer.tagorder)


def test_a_module_analysed_twice_is_parsed_once_with_the_same_findings(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib
    import pkgutil

    import sphinx.pycode
    from sphinx.pycode import ModuleAnalyzer

    import dlcalc

    names = ["dlcalc"] + [m.name for m in pkgutil.walk_packages(dlcalc.__path__, "dlcalc.")]
    upstream_parser = buildspeed._UPSTREAM.get("Parser", sphinx.pycode.Parser)
    monkeypatch.setattr(sphinx.pycode, "Parser", upstream_parser)
    monkeypatch.setattr(ModuleAnalyzer, "cache", {})
    upstream = {name: _analysis(ModuleAnalyzer.for_module(name)) for name in names}

    parsed = []

    class Counting(upstream_parser):  # type: ignore[misc, valid-type]
        def parse(self) -> None:
            parsed.append(self.code)
            super().parse()

    monkeypatch.setitem(buildspeed._UPSTREAM, "Parser", Counting)
    monkeypatch.setattr(buildspeed.SourceParser, "found", {})
    monkeypatch.setattr(sphinx.pycode, "Parser", buildspeed.SourceParser)
    monkeypatch.setattr(ModuleAnalyzer, "cache", {})
    for name in names:  # as autodoc, then as a literalinclude of the file
        assert _analysis(ModuleAnalyzer.for_module(name)) == upstream[name]
        path = importlib.import_module(name).__file__
        assert _analysis(ModuleAnalyzer.for_file(path, "")) == upstream[name]
    assert len(parsed) == len(names) == len(set(parsed))  # each source once
    # what one analyzer is given is its own: changing it leaves the other's alone
    first = ModuleAnalyzer.for_module("dlcalc.problems.homework2")
    second = ModuleAnalyzer.for_file(importlib.import_module(first.modname).__file__, "")
    first.tags.clear()
    assert second.find_tags() == upstream["dlcalc.problems.homework2"][4] != {}


def test_names_resolved_once_per_chain_give_what_upstream_gives(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from sphinx_codeautolink.extension import resolve
    from sphinx_codeautolink.parse import parse_names

    import dlcalc

    preface = ["import numpy as np", "import dlcalc", "import dlcalc as dc",
               "from dlcalc import problems"]
    names = []
    for blocks in _chapter_cells().values():
        names += parse_names("\n".join(preface + blocks), None)
    inventory = {f"dlcalc.{name}": "" for name in dir(dlcalc) if not name.startswith("_")}

    def outcomes(resolve_location: Any) -> list[tuple[str, str]]:
        seen = []
        for name in names:
            try:
                seen.append(("found", resolve_location(name, inventory)))
            except Exception as error:  # noqa: BLE001 - compared, kind and message
                seen.append((type(error).__name__, str(error)))
        return seen

    upstream = outcomes(resolve.resolve_location)
    calls = []

    def counting(chain: Any, inventory: Any) -> Any:
        calls.append(tuple(chain.import_components))
        return resolve.resolve_location(chain, inventory)

    monkeypatch.setitem(buildspeed._UPSTREAM, "resolve_location", counting)
    monkeypatch.setattr(buildspeed, "_RESOLVED", {})
    assert outcomes(buildspeed.resolve_location) == upstream
    assert len(calls) == len(set(calls)) < len(names) // 2  # each chain once
    assert {kind for kind, _ in upstream} >= {"found", "CouldNotResolve"}
    # another inventory: resolved again
    inventory = dict(inventory)
    buildspeed.resolve_location(names[0], inventory)
    assert len(calls) == len(set(calls)) + 1
