"""Every solution fits the text column at 1280x800 (issue 12): nothing in a solution
scrolls sideways.

Each chapter page of the built book is loaded in headless Chromium (Debian's chromium and
chromedriver) with a 1280x800 window, every solution dropdown is opened, MathJax and the
fonts are awaited, and each code cell, literal block (the ``solve`` sources the pages
include), cell output and display-math block inside a solution is measured: its
``scrollWidth`` must not exceed its ``clientWidth``. The width of one monospace character
in a code block is measured too, so a failure says how many characters the column holds.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pagecheck import ROOT, chromium

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

pytestmark = pytest.mark.slow

HTML = ROOT / "_build" / "html"
CHAPTERS = ["cse616-assignment2", "assignment1", "homework2", "cs60010-midsem"]
WIDTH, HEIGHT = 1280, 800

# Open every folded solution (sphinx-togglebutton folds a dropdown by the class
# toggle-hidden on it) and report how many solutions the page has.
OPEN_SOLUTIONS = """
const solutions = Array.from(document.querySelectorAll('div.solution'));
for (const s of solutions) {
  for (const el of [s, ...s.querySelectorAll('.toggle-hidden')]) el.classList.remove('toggle-hidden');
  for (const d of s.querySelectorAll('details')) d.open = true;
}
return solutions.length;
"""
READY = """
const done = arguments[arguments.length - 1];
const math = (window.MathJax && MathJax.startup) ? MathJax.startup.promise : Promise.resolve();
Promise.all([math, document.fonts.ready]).then(() => done('ok'), (e) => done('error: ' + e));
"""
# Each block of a solution that must fit: code cells and literal blocks (their <pre>),
# cell outputs, display math (Sphinx's div.math and MathJax's display container).
MEASURE = """
const selector = ['pre', 'div.cell_output', 'div.output', 'div.math',
                  'mjx-container[display="true"]'].join(', ');
const out = [];
for (const s of document.querySelectorAll('div.solution')) {
  for (const el of s.querySelectorAll(selector)) {
    if (el.clientWidth === 0) { out.push({hidden: true, text: el.textContent.slice(0, 80)}); continue; }
    out.push({hidden: false, tag: el.tagName.toLowerCase() + '.' + el.className,
              scroll: el.scrollWidth, client: el.clientWidth,
              solution: s.id, text: el.textContent.trim().split('\\n')[0].slice(0, 100)});
  }
}
const pre = document.querySelector('div.solution div.highlight pre');
let chars = null;
if (pre) {
  const probe = document.createElement('span');
  probe.textContent = 'x'.repeat(100);
  pre.appendChild(probe);
  const style = getComputedStyle(pre);
  const inner = pre.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  chars = inner / (probe.getBoundingClientRect().width / 100);
  probe.remove();
}
return {blocks: out, chars: chars};
"""


@pytest.fixture(scope="module")
def driver() -> Iterator[webdriver.Chrome]:
    with chromium(WIDTH, HEIGHT, ["--hide-scrollbars"]) as chrome:
        yield chrome


@pytest.mark.parametrize("page", CHAPTERS)
def test_nothing_in_a_solution_scrolls_sideways(page: str, server: str,
                                                driver: webdriver.Chrome) -> None:
    driver.get(f"{server}/book/{page}.html")
    WebDriverWait(driver, 30).until(
        lambda d: d.execute_script("return document.readyState") == "complete")
    assert driver.execute_script("return window.innerWidth") == WIDTH
    assert driver.execute_script(OPEN_SOLUTIONS) > 0, f"{page}: no solution found"
    assert driver.execute_async_script(READY) == "ok"
    result = driver.execute_script(MEASURE)
    blocks = result["blocks"]
    assert not [b for b in blocks if b["hidden"]], f"{page}: a solution stayed folded"
    assert any(b["tag"].startswith("pre") for b in blocks), f"{page}: no code measured"
    wide = [f"{b['solution']}: {b['tag']} is {b['scroll']}px wide in {b['client']}px: "
            f"{b['text']!r}" for b in blocks if b["scroll"] > b["client"]]
    assert not wide, f"{page}: blocks that scroll sideways at {WIDTH}x{HEIGHT} (the code " \
        f"column holds {result['chars']:.1f} characters):\n" + "\n".join(wide)
