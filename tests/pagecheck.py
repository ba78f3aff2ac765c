"""Checks on the book's page sources, shared by the tests.

``hand_typed_numbers`` finds numerals typed by hand in the prose of a solution:
every number a solution shows must be glued from a dlcalc result. Code cells,
glue roles and directives, labels, links and directive options are skipped;
inside math only the structural constants 0, 1 and 2 (as in ``\\frac{1}{m}``,
``x^2``, ``1 - \\beta``) and indices (``w_3``, ``a^{[2]}``) are allowed; in prose, only
the seed names ("seed 001").
"""

from __future__ import annotations

import functools
import http.server
import re
import shutil
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"

_FENCE = re.compile(r"^(`{3,}|:{3,})\s*(\{[^}]*\})?(.*)$")
_ROLE = re.compile(r"\{[a-zA-Z:_-]+\}`[^`]*`")
_LABEL = re.compile(r"^\([^)]*\)=\s*$")
_OPTION = re.compile(r"^:[a-zA-Z_-]+:.*$")
_LINK_TARGET = re.compile(r"\]\([^)]*\)")
_DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$", re.S)
_INLINE_MATH = re.compile(r"\$([^$\n]+?)\$")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_SEED = re.compile(r"\bseeds? \d{3}(?:(?:,| and| or) \d{3})*\b")
_MATH_ALLOWED = {"0", "1", "2"}
# Indices are names, not values: w_3, b_{3}, a^{[2]}, W^{(1)}.
_MATH_INDEX = re.compile(r"_\{?\d+\}?|\^\{?[\[(]\d+[\])]\}?")


class Finding(NamedTuple):
    path: str
    line: int
    text: str
    number: str


def _solution_lines(source: str) -> list[tuple[int, str]]:
    """Lines of prose inside solution blocks, code cells and directive fences removed."""
    out: list[tuple[int, str]] = []
    in_solution = False
    code_fence: str | None = None
    for number, line in enumerate(source.splitlines(), start=1):
        stripped = line.strip()
        match = _FENCE.match(stripped)
        if match and "{solution-start}" in stripped:
            in_solution = True
            continue
        if match and "{solution-end}" in stripped:
            in_solution = False
            continue
        if code_fence is not None:
            if stripped == code_fence:
                code_fence = None
            continue
        if match and match.group(2) and match.group(2).strip("{}") in {
                "code-cell", "glue:math", "glue:figure", "glue", "glue:any", "glue:md"}:
            code_fence = match.group(1)
            continue
        if not in_solution:
            continue
        if match or _LABEL.match(stripped) or _OPTION.match(stripped):
            continue  # other directive fences (their arguments are not prose) and options
        out.append((number, line))
    return out


def hand_typed_numbers(source: str, path: str = "<page>") -> list[Finding]:
    """Every numeral typed by hand in the solutions of one MyST page."""
    findings: list[Finding] = []
    lines = _solution_lines(source)
    # Join consecutive lines so display math spanning lines is seen whole.
    text = "\n".join(line for _, line in lines)
    starts = [n for n, _ in lines]

    def line_of(offset: int) -> int:
        return starts[text.count("\n", 0, offset)] if starts else 0

    text = _ROLE.sub(lambda m: " " * len(m.group(0)), text)
    text = _LINK_TARGET.sub(lambda m: "]" + " " * (len(m.group(0)) - 1), text)
    for pattern in (_DISPLAY_MATH, _INLINE_MATH):
        for m in pattern.finditer(text):
            for num in _NUMBER.finditer(_MATH_INDEX.sub(" ", m.group(1))):
                if num.group(0) not in _MATH_ALLOWED:
                    findings.append(Finding(path, line_of(m.start()), m.group(0), num.group(0)))
        text = pattern.sub(lambda m: " " * len(m.group(0)), text)
    text = _SEED.sub(lambda m: " " * len(m.group(0)), text)
    for num in _NUMBER.finditer(text):
        start = text.rfind("\n", 0, num.start()) + 1
        end = text.find("\n", num.end())
        findings.append(Finding(path, line_of(num.start()), text[start:end if end >= 0 else None].strip(),
                                num.group(0)))
    return findings


def page_sources() -> list[Path]:
    """Every MyST page of the book."""
    return sorted(BOOK.glob("*.md"))


def copy_book_setup(dest: Path) -> None:
    """Copy the book's real configuration, local extensions and static files into ``dest``,
    so a test book there builds exactly as the real one does (MathJax itself is left out:
    an empty ``vendor`` folder stands for it)."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "_config.yml", dest / "_config.yml")
    for folder in ("_ext", "_static"):
        shutil.copytree(BOOK / folder, dest / "book" / folder, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__"))
    (dest / "vendor").mkdir(exist_ok=True)


# ---------------------------------------------------------------- the built book in a browser
# (test_browser.py, test_column.py)

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
#: The flags of every headless Chromium the tests start: no sandbox, no GPU, no first-run
#: pages, no background downloads or updates, no syncing, /tmp rather than /dev/shm.
CHROMIUM_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--disable-dev-shm-usage"]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """An HTTP server on localhost (a free port) for ``directory``, for as long as the
    with-block lasts; gives its address, ``http://127.0.0.1:<port>``."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()


@contextmanager
def chromium(width: int, height: int, flags: Sequence[str] = (),
             capabilities: dict[str, Any] | None = None) -> Iterator[Any]:
    """Debian's Chromium, headless, driven through its ChromeDriver (selenium), with a
    window of ``width`` x ``height``, :data:`CHROMIUM_FLAGS` and ``flags``, and the given
    capabilities; scripts and page loads time out after 60 s. Quit after the with-block."""
    import pytest
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    if not Path(CHROMIUM).exists() or not Path(CHROMEDRIVER).exists():
        pytest.fail("Chromium is missing: `make test` installs Debian's chromium and chromium-driver")
    options = Options()
    options.binary_location = CHROMIUM
    for flag in [*CHROMIUM_FLAGS, *flags, f"--window-size={width},{height}"]:
        options.add_argument(flag)
    for name, value in (capabilities or {}).items():
        options.set_capability(name, value)
    chrome = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    try:
        chrome.set_script_timeout(60)
        chrome.set_page_load_timeout(60)
        chrome.set_window_size(width, height)
        yield chrome
    finally:
        chrome.quit()
