"""The book's execution cache (book/_ext/depcache.py): never stale.

Unit tests check what the state of the book covers. The slow tests build a small book
(the book's real ``_config.yml`` and ``book/_ext``) whose pages use a toy library, and
run the sequences of issue 17: an edit that fails a later check in the same build, then
an undo; an interrupted build; an edit, a good build, an undo; stale PDFs; and random
sequences of edits, undos, failing, interrupted and passing builds, which must end, after
a passing build, with every page as a clean build shows it. The expected numbers are
worked out by hand from the toy library below.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))
import depcache  # noqa: E402
from pagecheck import copy_book_setup  # noqa: E402
from test_build_checks import HEADER  # noqa: E402

JB = Path(sys.executable).with_name("jupyter-book")


def toy_env(**extra: str) -> dict[str, str]:
    """The environment of a toy book's build: this process's, without the DLCALC_ settings
    a test or make may have set for the real book (a toy book keeps its own store)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DLCALC_")}
    env.update(extra)
    return env


# conv_params(c, f, k): f * c * k * k weights and f biases; (3, 10, 5) -> 750 and 10.
LIBRARY = '''\

def conv_params(c, f, k):
    return f * c * k * k, f


def scale():
    return 2
'''
BROKEN = LIBRARY.replace("return f * c * k * k, f", "return f * c * k * k + 1, f")
RESCALED = LIBRARY.replace("return 2", "return 3")

PAGE = HEADER.replace("{", "{{").replace("}", "}}") + """
```{{code-cell}} ipython3
:tags: [remove-cell]
{code}
```

{text}
"""
PAGES = {
    # read first (Sphinx reads in name order): shows the weights and a product
    "alpha": ("from myst_nb import glue\nimport toylib as tl\n"
              "glue('weights', tl.conv_params(3, 10, 5)[0], display=False)\n"
              "glue('scaled', 7 * tl.scale(), display=False)",
              "Weights {glue:text}`weights`, scaled {glue:text}`scaled`."),
    # read last: the consistency check, which fails when the weights are wrong
    "zcheck": ("import os, time\n"
               "if os.environ.get('TOY_SLOW'):\n"
               "    open(os.environ['TOY_SLOW'], 'w').close()\n"
               "    time.sleep(120)\n"
               "if os.environ.get('TOY_WAIT'):\n"
               "    open(os.environ['TOY_WAIT'] + '.ready', 'w').close()\n"
               "    while not os.path.exists(os.environ['TOY_WAIT']):\n"
               "        time.sleep(0.1)\n"
               "import toylib as tl\n"
               "assert tl.conv_params(3, 10, 5)[0] == 750, 'the weights are wrong'\n"
               "print('checked')",
               "Checked."),
}


def make_book(tmp_path: Path, name: str = "book-copy", pages: dict | None = None) -> Path:
    root = tmp_path / name
    pages = PAGES if pages is None else pages
    copy_book_setup(root)
    (root / "_toc.yml").write_text("format: jb-book\nroot: book/intro\nchapters:\n"
                                   + "".join(f"  - file: book/{p}\n" for p in pages))
    (root / "book" / "intro.md").write_text("# A small book\n\n```{pdf-downloads}\n```\n")
    for page, (code, text) in pages.items():
        (root / "book" / f"{page}.md").write_text(PAGE.format(code=code, text=text))
    (root / "toylib").mkdir()
    (root / "toylib" / "__init__.py").write_text(LIBRARY)
    return root


MARKER = re.compile(r"(\S+?)\.md: (Executing notebook|Using cached notebook)")


def run_build(root: Path, **env: str) -> tuple[int, set[str], set[str], str]:
    """Build the book at root: (exit code, pages executed, pages from records, log)."""
    result = subprocess.run([str(JB), "build", str(root), "-W", "-n", "--keep-going"],
                            capture_output=True, text=True, timeout=900, cwd=root,
                            env=toy_env(PYTHONPATH=str(root), **env))
    log = result.stdout + result.stderr
    executed, cached = set(), set()
    for path, what in MARKER.findall(log):
        page = Path(path).stem
        (executed if what.startswith("Executing") else cached).add(page)
    # a page executed before the read (several at a time) is then read from its record
    return result.returncode, executed, cached - executed, log


def build_ok(root: Path) -> tuple[set[str], set[str], str]:
    code, executed, cached, log = run_build(root)
    assert code == 0, log[-4000:]
    return executed, cached, log


def interrupted_build(root: Path, tmp_path: Path) -> bool:
    """A build killed (with its kernel) while the last page executes; False if that page
    came from the records, so the build ended by itself."""
    flag = tmp_path / "started"
    flag.unlink(missing_ok=True)
    proc = subprocess.Popen([str(JB), "build", str(root), "-W", "-n", "--keep-going"],
                            cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=toy_env(PYTHONPATH=str(root), TOY_SLOW=str(flag)),
                            start_new_session=True)
    deadline = time.monotonic() + 300
    while not flag.exists():
        if proc.poll() is not None:
            return False
        assert time.monotonic() < deadline, "the page never started"
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    return True


def shown(root: Path, page: str = "alpha") -> tuple[str, str]:
    """(weights, scaled) as the built HTML page shows them."""
    html = (root / "_build" / "html" / "book" / f"{page}.html").read_text()
    match = re.search(r"Weights\s+(?:<[^>]*>)*\s*(\d+)(?:<[^>]*>)*, scaled\s+(?:<[^>]*>)*(\d+)",
                      html)
    assert match, html[-3000:]
    return match.group(1), match.group(2)


def make_why(root: Path) -> str:
    result = subprocess.run([sys.executable, str(ROOT / "book" / "_ext" / "depcache.py"),
                             str(root)], capture_output=True, text=True,
                            env=toy_env(PYTHONPATH=str(root)))
    assert result.returncode == 0, result.stderr
    return result.stdout


def up_to_date(root: Path) -> bool:
    """Would make book skip Sphinx? (``depcache.py --up-to-date``)"""
    return subprocess.run([sys.executable, str(ROOT / "book" / "_ext" / "depcache.py"),
                           "--up-to-date", str(root)], capture_output=True).returncode == 0


def set_library(root: Path, text: str) -> None:
    (root / "toylib" / "__init__.py").write_text(text)


# ------------------------------------------------------------------ the state


def test_the_state_covers_the_library_pages_data_and_settings(tmp_path: Path,
                                                              monkeypatch) -> None:
    root = make_book(tmp_path)
    first = depcache.state_inputs(root)
    assert "file:toylib/__init__.py" in first and "file:book/alpha.md" in first
    assert {"python", "packages", "file:book/_ext/depcache.py"} <= set(first)
    key = depcache.state_key(first)
    # what no page reads: build output, tests, the README, bytecode
    for rel in ("_build/x.txt", "tests/test_x.py", "README.md", "toylib/__pycache__/a.pyc"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("x")
    assert depcache.state_key(depcache.state_inputs(root)) == key
    # what a page may read: the library, a page, a data file beside the pages
    for rel, text in (("toylib/__init__.py", BROKEN), ("book/alpha.md", "# edited\n"),
                      ("book/table.csv", "1,2\n")):
        before = depcache.state_inputs(root)
        (root / rel).write_text(text)
        after = depcache.state_inputs(root)
        assert depcache.state_key(after) != depcache.state_key(before)
        assert depcache.changes(before, after) == [
            f"{rel} {'changed' if f'file:{rel}' in before else 'added'}"]
    # a practice version computes other numbers: part of the state; the memo folder is not
    before = depcache.state_inputs(root)
    monkeypatch.setenv("DLCALC_VARIANT", "3")
    monkeypatch.setenv("DLCALC_CACHE_DIR", str(tmp_path / "memo"))
    after = depcache.state_inputs(root)
    assert depcache.changes(before, after) == ["DLCALC_VARIANT added"]


def test_a_build_starts_with_no_bytecode_of_the_project(tmp_path: Path) -> None:
    # Python serves a cached module whose source has the same size and second of
    # modification: after an edit undone within that second, the edited code would return.
    kept = ["tests/__pycache__", ".venv/lib/site/__pycache__", "_build/x/__pycache__",
            "benchmarks/__pycache__"]
    removed = ["toylib/__pycache__", "dlcalc/problems/__pycache__", "book/records/__pycache__"]
    for folder in kept + removed:
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "m.cpython-311.pyc").write_bytes(b"\x00")
    depcache.clear_bytecode(tmp_path)
    assert [f for f in kept + removed if (tmp_path / f).exists()] == kept


def test_old_states_records_are_pruned_but_the_current_one_kept(tmp_path: Path) -> None:
    base = tmp_path / "cache"
    for i in range(7):
        folder = base / f"state{i}"
        folder.mkdir(parents=True)
        os.utime(folder, (1000 + i, 1000 + i))
    depcache.prune(base, keep="state0")  # the oldest is the current state
    left = sorted(p.name for p in base.iterdir())
    # the current one and the KEEP_STATES - 1 most recent others
    assert left == ["state0", "state4", "state5", "state6"]


# ------------------------------------------------------------------ builds

@pytest.mark.slow
def test_a_failed_build_then_an_undo_shows_the_right_number(tmp_path: Path) -> None:
    root = make_book(tmp_path)
    executed, _, _ = build_ok(root)
    assert executed == {"alpha", "zcheck"}
    assert shown(root) == ("750", "14")  # 10 * 3 * 5 * 5; 7 * 2

    set_library(root, BROKEN)  # one weight too many: alpha shows 751, zcheck fails
    code, executed, _, log = run_build(root)
    assert code != 0 and "the weights are wrong" in log
    assert "alpha" in executed

    set_library(root, LIBRARY)  # the undo
    assert re.search(r"book/alpha\s+cached", make_why(root))
    executed, cached, _ = build_ok(root)
    assert shown(root) == ("750", "14")
    # served from the records of this very state, made by the first build
    assert cached == {"alpha", "zcheck"} and executed == set()
    assert re.search(r"book/alpha\s+cached\s+the book is unchanged", make_why(root))
    executed, cached, _ = build_ok(root)  # a no-op
    assert executed == set() and cached == set()


@pytest.mark.slow
def test_an_interrupted_build_leaves_nothing_taken_for_current(tmp_path: Path) -> None:
    root = make_book(tmp_path)
    build_ok(root)
    set_library(root, BROKEN)
    assert interrupted_build(root, tmp_path)  # alpha executed with 751, killed in zcheck

    set_library(root, LIBRARY)
    why = make_why(root)
    assert "interrupted" in why and re.search(r"book/alpha\s+cached", why)
    build_ok(root)
    assert shown(root) == ("750", "14")

    # back to the broken state: its records may be half written, so they were dropped:
    # the build executes the pages again (and fails, as a clean build in that state does)
    set_library(root, BROKEN)
    assert re.search(r"book/alpha\s+execute", make_why(root))
    code, executed, _, log = run_build(root)
    assert code != 0 and "the weights are wrong" in log
    assert executed == {"alpha", "zcheck"}


@pytest.mark.slow
def test_an_edit_a_good_build_and_an_undo(tmp_path: Path) -> None:
    root = make_book(tmp_path)
    assert not up_to_date(root)
    build_ok(root)
    assert up_to_date(root)  # make book would not even start Sphinx
    set_library(root, RESCALED)
    assert not up_to_date(root)
    assert re.search(r"book/alpha\s+execute\s+toylib/__init__.py changed", make_why(root))
    executed, _, _ = build_ok(root)
    assert executed == {"alpha", "zcheck"} and shown(root) == ("750", "21")  # 7 * 3
    set_library(root, LIBRARY)
    executed, cached, _ = build_ok(root)
    # re-read, and served only from records executed in exactly this state
    assert cached | executed == {"alpha", "zcheck"}
    assert shown(root) == ("750", "14")


@pytest.mark.slow
def test_a_page_removed_or_edited_in_the_html_is_built_again(tmp_path: Path) -> None:
    root = make_book(tmp_path)
    build_ok(root)
    page = root / "_build" / "html" / "book" / "alpha.html"
    before = _body(root, "alpha")
    assert up_to_date(root)
    page.unlink()
    assert not up_to_date(root)
    assert "the HTML, the PDFs on offer or MathJax changed" in make_why(root)
    executed, cached, log = build_ok(root)
    # every page read again (from the records: nothing executed), so nothing is written
    # without being read
    assert not executed and cached == {"alpha", "zcheck"}
    assert "every page is re-read" in log
    assert _body(root, "alpha") == before and up_to_date(root)
    page.write_text(page.read_text().replace("Weights", "Biases"))
    assert not up_to_date(root)
    build_ok(root)
    assert _body(root, "alpha") == before


@pytest.mark.slow
def test_an_edit_during_a_build_leaves_no_record(tmp_path: Path) -> None:
    root = make_book(tmp_path)
    go = tmp_path / "go"
    proc = subprocess.Popen([str(JB), "build", str(root), "-W", "-n", "--keep-going"],
                            cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, env=toy_env(PYTHONPATH=str(root),
                                                TOY_WAIT=str(go)))
    # zcheck waits before it imports the library; meanwhile the library is edited, so
    # zcheck runs the edited library in a build that began in the state of before
    deadline = time.monotonic() + 300
    while not Path(f"{go}.ready").exists():
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.2)
    set_library(root, RESCALED)
    go.touch()
    log, _ = proc.communicate(timeout=600)
    assert proc.returncode != 0 and "changed while it was being built" in log
    set_library(root, LIBRARY)  # back to the state the build began in
    assert re.search(r"book/zcheck\s+execute", make_why(root))
    executed, _, _ = build_ok(root)
    assert executed == {"alpha", "zcheck"}  # the records of that build were dropped
    assert shown(root) == ("750", "14")


def fake_pdfs(root: Path) -> None:
    """What `make pdf` leaves: the two PDFs, each with the state it was made in."""
    folder = root / "_build" / "pdf"
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, str(ROOT / "book" / "_ext" / "depcache.py"), "--stamp",
                    str(root), str(folder / "state.json")], check=True)
    for name in depcache.PDF_NAMES:
        (folder / name).write_bytes(b"%PDF-1.5\n% " + name.encode() + b"\n")
        shutil.copy(folder / "state.json", folder / f"{name}.json")


def offered(root: Path) -> list[str]:
    html = (root / "_build" / "html" / "book" / "intro.html").read_text()
    return sorted(set(re.findall(r'href="[^"]*/(dlcalc-\w+\.pdf)"', html)))


@pytest.mark.slow
def test_a_pdf_older_than_the_pages_is_no_longer_offered(tmp_path: Path) -> None:
    root = make_book(tmp_path)
    fake_pdfs(root)
    build_ok(root)
    assert offered(root) == sorted(depcache.PDF_NAMES)

    set_library(root, RESCALED)  # the pages now show other numbers than the PDFs
    assert "dlcalc-answers.pdf was made from an earlier state" in make_why(root)
    _, _, log = build_ok(root)
    assert offered(root) == []
    assert "run `make pdf` to rebuild it" in log and "toylib/__init__.py changed" in log
    assert not list((root / "_build" / "html").glob("_downloads/*/dlcalc-*.pdf"))
    assert (root / "_build" / "pdf" / "stale" / "dlcalc-answers.pdf").is_file()

    assert up_to_date(root)
    fake_pdfs(root)  # make pdf again, in this state: offered again
    assert not up_to_date(root)
    build_ok(root)
    assert offered(root) == sorted(depcache.PDF_NAMES)


# ------------------------------------------------------------------ parallel execution

VISIBLE = HEADER.replace("{", "{{").replace("}", "}}") + """
```{{code-cell}} ipython3
{code}
```
"""


@pytest.mark.slow
def test_pages_executed_in_parallel_equal_a_serial_build(tmp_path: Path) -> None:
    pages = dict(PAGES)
    figure = ("import matplotlib.pyplot as plt\nimport toylib as tl\n"
              "fig, ax = plt.subplots(figsize=(2, 2))\n"
              "ax.plot([0, 1, 2], [tl.scale(), 1, 0])\nprint(tl.conv_params(3, 10, 5))")
    # pages without code, so that the book has more than the five pages below which
    # Sphinx reads serially; each refers to a section of another page
    prose = {f"notes{i}": ("", f"Note {i}, see {{ref}}`the weights <weights-{(i + 1) % 3}>`.")
             for i in range(3)}
    roots = {}
    for jobs in ("1", "2"):
        root = make_book(tmp_path, f"jobs{jobs}", pages)
        # the page with the most code, but marked to be executed after alpha
        (root / "book" / "plot.md").write_text(VISIBLE.format(code=figure).replace(
            "  name: python3\n", "  name: python3\ndlcalc:\n  execute_after: [book/alpha]\n",
            1))
        with open(root / "_toc.yml", "a") as toc:
            toc.write("  - file: book/plot\n")
            for name, (_, text) in prose.items():
                (root / "book" / f"{name}.md").write_text(
                    f"# {name}\n\n({name.replace('notes', 'weights-')})=\n## Weights\n\n"
                    f"{text}\n")
                toc.write(f"  - file: book/{name}\n")
        code, executed, _, log = run_build(root, DLCALC_JOBS=jobs)
        assert code == 0, log[-3000:]
        assert executed == {"alpha", "zcheck", "plot"}
        assert ("at a time" in log) == (jobs == "2")  # executed before the read, together
        if jobs == "2":  # plot, whose code is the longest, starts only once alpha has ended
            events = re.findall(r"book/(\w+)\.md: Executing notebook \(depcache\)|"
                                r"depcache: executed book/(\w+)", log)
            order = [("start " + a) if a else ("end " + b) for a, b in events]
            assert order.index("start plot") > order.index("end alpha"), order
        # in kernels forked from a process that has imported numpy, matplotlib, dlcalc
        assert ("kernels are forked" in log) == (jobs == "2")
        # and Sphinx reads and writes in several processes: the pages without code (all
        # four here, or the first of them) while the kernels run, in a process of their
        # own; the pages are resolved and written in chunks by forked processes
        plain = re.sub(r"\x1b\[[0-9;]*m", "", log)
        early = re.findall(r"depcache: (\d+) page\(s\) read while the kernels ran", plain)
        assert [int(n) > 0 for n in early] == ([True] if jobs == "2" else []), early
        chunks = re.findall(r"buildspeed: \d+ page\(s\) resolved and written by [2-9] "
                            r"processes", plain)
        assert bool(chunks) == (jobs == "2"), log[-3000:]
        roots[jobs] = root
    for page in ("intro", "alpha", "zcheck", "plot", *prose):
        assert _body(roots["1"], page) == _body(roots["2"], page)
    assert 'href="notes2.html#weights-2"' in _body(roots["2"], "notes1")
    assert "(750, 10)" in _body(roots["2"], "plot")  # 10 * 3 * 5 * 5 weights, 10 biases
    assert "<img" in _body(roots["2"], "plot")


SHARED = '''\
import os

from dlcalc._memo import memo


@memo
def train(steps):
    with open(os.environ["TOY_COUNT"], "a") as log:
        log.write("x")
    return steps * 3
'''


@pytest.mark.slow
def test_pages_of_one_build_share_a_result_computed_once(tmp_path: Path) -> None:
    use = ("from myst_nb import glue\nimport toyshared\n"
           "glue('weights', toyshared.train(250), display=False)\n"
           "glue('scaled', 1, display=False)", "Weights {glue:text}`weights`, scaled {glue:text}`scaled`.")
    root = make_book(tmp_path, pages={"chapter": use, "errata": use})
    (root / "toyshared.py").write_text(SHARED)
    count = tmp_path / "count"
    result = subprocess.run([str(JB), "build", str(root), "-W", "-n", "--keep-going"],
                            capture_output=True, text=True, timeout=900, cwd=root,
                            env=toy_env(PYTHONPATH=f"{root}{os.pathsep}{ROOT}",
                                     TOY_COUNT=str(count)))
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    assert shown(root, "chapter") == shown(root, "errata") == ("750", "1")  # 250 * 3
    assert count.read_text() == "x"  # computed by one page, read by the other
    assert list((root / "_build" / ".dlcalc_memo").glob("*.pkl"))


# ------------------------------------------------------------------ random sequences

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

#: The library's versions: what alpha shows with each (weights, scaled), by hand.
VERSIONS = {"good": (LIBRARY, ("750", "14")), "broken": (BROKEN, ("751", "14")),
            "rescaled": (RESCALED, ("750", "21"))}
ACTIONS = st.sampled_from(["good", "broken", "rescaled", "build", "build", "interrupt"])


@pytest.mark.slow
@settings(max_examples=3, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(steps=st.lists(ACTIONS, min_size=3, max_size=6))
def test_any_sequence_ends_as_a_clean_build(tmp_path_factory, steps: list[str]) -> None:
    tmp = tmp_path_factory.mktemp("seq")
    root = make_book(tmp)
    version = "good"
    for step in steps:
        if step in VERSIONS:
            version = step
            set_library(root, VERSIONS[step][0])
        elif step == "build":
            code, _, _, log = run_build(root)
            assert (code == 0) == (version != "broken"), log[-3000:]
        else:
            interrupted_build(root, tmp)
    if version == "broken":  # end in a state whose build passes
        version = "good"
        set_library(root, LIBRARY)
    build_ok(root)
    clean = make_book(tmp, "clean-copy")
    set_library(clean, VERSIONS[version][0])
    build_ok(clean)
    assert shown(root) == shown(clean) == VERSIONS[version][1]
    for page in ("intro", "alpha", "zcheck"):
        assert _body(root, page) == _body(clean, page)


def _body(root: Path, page: str) -> str:
    """The article of a built page (the part that does not name the build's folder)."""
    html = (root / "_build" / "html" / "book" / f"{page}.html").read_text()
    match = re.search(r'<article class="bd-article">(.*?)</article>', html, re.S)
    assert match, page
    return match.group(1)


def test_a_page_whose_kernel_dies_in_the_parallel_run_is_left_to_myst_nb(monkeypatch) -> None:
    # A kernel can die while it starts (seen once in CI, several kernels starting at once):
    # the parallel run then stores nothing for the page, and myst-nb executes it itself.
    import jupyter_cache.executors.utils as utils

    def dies(*args, **kwargs):
        raise RuntimeError("Kernel died before replying to kernel_info")

    monkeypatch.setattr(utils, "single_nb_execution", dies)
    assert depcache._execute("page.md", "nb", "/tmp", False, 30) == ("page.md", "nb", False, 0.0)


def test_a_reader_sends_back_what_it_read_not_what_the_main_process_has() -> None:
    import pickle
    from types import SimpleNamespace

    from docutils import nodes
    from docutils.frontend import get_default_settings
    from docutils.parsers.rst import Parser
    from docutils.utils import new_document

    def page(text: str) -> tuple[nodes.document, nodes.Element]:
        document = new_document("page", get_default_settings(Parser))
        section = nodes.section()
        for n in range(2000):  # a chapter's worth of nodes
            section += nodes.paragraph(text=f"{text} {n}")
        solution = nodes.container(classes=["solution"])
        solution += nodes.title(text=f"Solution of {text}")
        section += solution
        document += section
        solution.document = document
        return document, solution

    read_doc, read_node = page("read here")
    other_doc, other_node = page("read by the other reader")
    inventory = {f"numpy.f{n}": ("numpy", "2", f"https://numpy.org/f{n}", "-")
                 for n in range(5000)}
    env = SimpleNamespace(intersphinx_cache={"numpy": inventory},
                          intersphinx_inventory={"py:function": inventory},
                          intersphinx_named_inventory={"numpy": inventory},
                          sphinx_exercise_registry={
                              "sol-here": {"type": "solution", "docname": "book/here",
                                           "node": read_node},
                              "sol-there": {"type": "solution", "docname": "book/there",
                                            "node": other_node}},
                          titles={"book/here": "Here"})
    whole = len(pickle.dumps(env.sphinx_exercise_registry["sol-here"]))
    depcache._slim(env, ["book/here"])
    assert not any(hasattr(env, name) for name in depcache.INHERITED)
    assert env.titles == {"book/here": "Here"}
    sent = env.sphinx_exercise_registry["sol-here"]["node"]
    # the record holds a copy of the node: same attributes and children, no page around it
    assert sent is not read_node and sent.parent is None and sent.document is None
    assert sent.astext() == "Solution of read here" and sent["classes"] == ["solution"]
    assert len(pickle.dumps(env.sphinx_exercise_registry["sol-here"])) < whole / 50
    # the page itself is untouched, and so is another reader's page
    assert read_node.parent is not None and read_node.document is read_doc
    assert env.sphinx_exercise_registry["sol-there"]["node"] is other_node
