"""Internal links and anchors of the built book, checked by LinkChecker (a library, offline).

External links are not followed (the build machine has no network); every link between
pages of the book, and every #anchor in such a link, must resolve.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from pagecheck import ROOT

HTML = ROOT / "_build" / "html"
# One thread: the checks are CPU-bound in Python, and threads only contend (68 s against
# 180 s for the whole book here).
CONFIG = "[checking]\nthreads=1\n[filtering]\ncheckextern=0\n[AnchorCheck]\n"

pytestmark = pytest.mark.slow


# LinkChecker run as root switches to an unprivileged user before it checks anything, and
# that user cannot read a repository in a private folder (a clone under mktemp -d): not the
# pages, not even LinkChecker's own plugins, which are then silently skipped. The book's
# own files on this machine are what is checked, so the tool is run without that switch.
RUN_LINKCHECKER = ("import sys, linkcheck.command.linkchecker as cli; "
                   "cli.drop_privileges = lambda: None; sys.exit(cli.linkchecker())")


def check_links(html: Path, tmp_path: Path) -> tuple[int, int, str]:
    """Run LinkChecker on ``html``; return (warnings, errors, report)."""
    config = tmp_path / "linkcheckerrc"
    config.write_text(CONFIG)
    result = subprocess.run([sys.executable, "-c", RUN_LINKCHECKER, "--config", str(config),
                             "--no-status", "-o", "text", str(html / "index.html")],
                            capture_output=True, text=True, timeout=600)
    match = re.search(r"(\d+) warnings? found\. (\d+) errors? found\.", result.stdout)
    assert match, result.stdout[-2000:] + result.stderr[-2000:]
    return int(match.group(1)), int(match.group(2)), result.stdout


def test_no_broken_internal_link_or_anchor(tmp_path: Path) -> None:
    if not HTML.is_dir():
        pytest.fail("the book is not built: run `make book` (make test does it first)")
    warnings, errors, report = check_links(HTML, tmp_path)
    assert (warnings, errors) == (0, 0), report[-4000:]


def test_the_link_check_catches_a_broken_link_and_anchor(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    for name in ("page.html", "other.html"):
        (site / name).write_text('<html><body><h1 id="here">Here</h1></body></html>')
    (site / "index.html").write_text(
        '<html><body><a href="page.html#here">ok</a><a href="missing.html">x</a>'
        '<a href="other.html#no-such-anchor">y</a></body></html>')
    warnings, errors, report = check_links(site, tmp_path)
    assert errors == 1 and "missing.html" in report
    assert warnings == 1 and "no-such-anchor" in report
