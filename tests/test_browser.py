"""The built book as a reader meets it, in headless Chromium (Debian's chromium package).

Every page is loaded from a server on localhost and checked: all math typeset (no raw TeX
left), every image loaded, no console error, no network request leaving localhost. A
solution toggle is opened and shows its content, the search page finds a word, and one
screenshot per chapter is saved under ``_build/screenshots`` for people to look at.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from pagecheck import ROOT, chromium

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
CHAPTERS = ["cse616-assignment2", "assignment1", "homework2", "cs60010-midsem"]

pytestmark = pytest.mark.slow

# Raw TeX a reader should never see: delimiters and commands left in text outside code.
FIND_RAW_TEX = r"""
const bad = [];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
const skip = 'pre, code, script, style, mjx-container, .MathJax, textarea, .highlight';
const pattern = /\\\(|\\\[|\$\$|\\frac|\\begin\{|\\left|\\times|\\cdot/;
while (walker.nextNode()) {
  const node = walker.currentNode;
  const parent = node.parentElement;
  if (!parent || parent.closest(skip)) continue;
  if (pattern.test(node.textContent)) bad.push(node.textContent.trim().slice(0, 120));
}
return bad;
"""
MATHJAX_DONE = """
const done = arguments[arguments.length - 1];
if (!window.MathJax || !MathJax.startup) { done('no-mathjax'); return; }
MathJax.startup.promise.then(() => done('ok'), (e) => done('error: ' + e));
"""


@pytest.fixture(scope="module")
def driver() -> Iterator[webdriver.Chrome]:
    # The browser's console and its network requests are logged, to be read by the tests.
    logging = {"goog:loggingPrefs": {"browser": "ALL", "performance": "ALL"}}
    with chromium(1280, 1600, ["--disable-quic"], logging) as chrome:
        yield chrome


def _pages() -> list[str]:
    pages = sorted(str(p.relative_to(HTML)) for p in (HTML / "book").rglob("*.html"))
    return pages or ["book/intro.html"]


def _load(driver: webdriver.Chrome, url: str) -> None:
    driver.get_log("browser")
    driver.get_log("performance")
    driver.get(url)
    WebDriverWait(driver, 30).until(lambda d: d.execute_script("return document.readyState") == "complete")


def _requests(driver: webdriver.Chrome) -> list[str]:
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


@pytest.mark.parametrize("page", _pages())
def test_page_renders_offline(page: str, server: str, driver: webdriver.Chrome) -> None:
    _load(driver, f"{server}/{page}")
    status = driver.execute_async_script(MATHJAX_DONE)
    if status == "no-mathjax":  # Sphinx loads MathJax only on pages that have math
        assert driver.execute_script("return document.querySelectorAll('.math').length") == 0
    else:
        assert status == "ok"
    assert driver.execute_script(FIND_RAW_TEX) == []
    broken = driver.execute_script(
        "return [...document.images].filter(i => !(i.complete && i.naturalWidth > 0))"
        ".map(i => i.src)")
    assert broken == []
    errors = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
    outside = [u for u in _requests(driver)
               if urlparse(u).scheme not in ("data", "blob", "about", "chrome-extension")
               and urlparse(u).hostname not in ("127.0.0.1", "localhost")]
    assert outside == []
    stem = Path(page).stem
    if stem in CHAPTERS or stem == "intro":
        SHOTS.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(SHOTS / f"{stem}.png"))


def test_math_is_typeset_by_the_local_mathjax(server: str, driver: webdriver.Chrome) -> None:
    _load(driver, f"{server}/book/cse616-assignment2.html")
    assert driver.execute_async_script(MATHJAX_DONE) == "ok"
    assert driver.execute_script("return document.querySelectorAll('mjx-container').length") > 5
    scripts = driver.execute_script("return [...document.scripts].map(s => s.src)")
    assert any(s.startswith(server) and s.split("?")[0].endswith("mathjax/tex-chtml.js") for s in scripts)


def test_a_solution_opens_and_shows_its_content(server: str, driver: webdriver.Chrome) -> None:
    _load(driver, f"{server}/book/cse616-assignment2.html")
    solution = driver.find_element(By.CSS_SELECTOR, "div.solution.dropdown")
    body = solution.find_element(By.CSS_SELECTOR, ".admonition-title ~ *")
    assert not body.is_displayed()
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", solution)
    solution.find_element(By.CSS_SELECTOR, "button.toggle-button").click()
    WebDriverWait(driver, 10).until(lambda d: body.is_displayed())
    assert body.text.strip() != ""


def test_search_finds_a_word(server: str, driver: webdriver.Chrome) -> None:
    _load(driver, f"{server}/search.html?q=receptive")
    WebDriverWait(driver, 30).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, "#search-results li, ul.search li"))
    links = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "ul.search li a")]
    assert any("cse616-assignment2" in href for href in links)


# ---------------------------------------------------------------- self-check (issue 13)
# On a practice version (make practice), the self-check under A2-Q7: the right answer in
# any usual notation is accepted, a wrong one is not, a malformed one gets a readable
# message, and none of it opens the solution. The right answer is recomputed here from
# the version's data by the output-size formula.

PRACTICE_SEED = 1
PRACTICE_PAGE = f"practice/{PRACTICE_SEED}/book/cse616-assignment2.html"


def _a2_q7_answer(seed: int) -> tuple[int, int, int]:
    from dlcalc import problems

    q = problems.get("A2-Q7", seed)
    side = (q.height + 2 * q.padding - q.kernel) // q.stride + 1
    return q.filters, side, (q.width + 2 * q.padding - q.kernel) // q.stride + 1


def _check(driver: webdriver.Chrome, form, text: str) -> tuple[str, str]:
    field = form.find_element(By.CSS_SELECTOR, "input")
    field.clear()
    field.send_keys(text)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    row = form.find_element(By.CSS_SELECTOR, ".dlcalc-selfcheck-row")
    WebDriverWait(driver, 10).until(lambda d: row.get_attribute("data-state"))
    state = row.get_attribute("data-state")
    message = row.find_element(By.CSS_SELECTOR, ".dlcalc-selfcheck-result").text
    driver.execute_script("arguments[0].removeAttribute('data-state')", row)
    return state, message


def _selfcheck_on(driver: webdriver.Chrome, site: str, seed: int) -> None:
    _load(driver, f"{site}/{PRACTICE_PAGE}")
    errors = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == [], errors
    form = driver.find_element(By.CSS_SELECTOR, "form.dlcalc-selfcheck[data-qid='A2-Q7']")
    assert form.get_attribute("data-version") == str(seed)
    section = form.find_element(By.XPATH, "./ancestor::section[1]")
    solution = section.find_element(By.CSS_SELECTOR, "div.solution.dropdown")
    body = solution.find_element(By.CSS_SELECTOR, ".admonition-title ~ *")
    assert not body.is_displayed()
    d, h, w = _a2_q7_answer(seed)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", form)
    for text in [f"{d} x {h} x {w}", f"{d}×{h}×{w}", f"({d}, {h}, {w})"]:
        state, message = _check(driver, form, text)
        assert state == "right" and message.startswith("Right"), (text, message)
        assert "shape" in message  # the verdict states how the answer is read
    state, message = _check(driver, form, f"{d} x {h + 1} x {w}")
    assert state == "not-yet" and message.startswith("Not yet"), message
    state, message = _check(driver, form, f"{d} x {h} x banana")
    assert state == "unreadable" and '"banana" is not a size' in message, message
    state, message = _check(driver, form, f"{d} x {h}")
    assert state == "unreadable" and "has 3 sizes" in message, message
    assert not body.is_displayed(), "checking an answer opened the solution"
    # the version links back to the original and on to the other versions
    links = [a.get_attribute("href") for a in form.find_elements(By.CSS_SELECTOR, "a")]
    assert f"{site}/book/cse616-assignment2.html#a2-q7" in links, links
    assert len(links) >= 5


def test_selfcheck_on_a_practice_version(server: str, driver: webdriver.Chrome) -> None:
    if not (HTML / PRACTICE_PAGE).exists():
        pytest.fail("the practice versions are not built: run `make practice`")
    _selfcheck_on(driver, server, PRACTICE_SEED)


def test_selfcheck_works_offline_from_a_file(driver: webdriver.Chrome) -> None:
    # From file://, as a reader who downloaded the site opens it: no server at all.
    if not (HTML / PRACTICE_PAGE).exists():
        pytest.fail("the practice versions are not built: run `make practice`")
    _selfcheck_on(driver, HTML.resolve().as_uri(), PRACTICE_SEED)


def test_the_original_selfcheck_links_to_every_practice_version(
        server: str, driver: webdriver.Chrome) -> None:
    _load(driver, f"{server}/book/cse616-assignment2.html")
    form = driver.find_element(By.CSS_SELECTOR, "form.dlcalc-selfcheck[data-qid='A2-Q7']")
    assert form.get_attribute("data-version") == "original"
    hrefs = [a.get_attribute("href") for a in form.find_elements(By.CSS_SELECTOR, "a")]
    for seed in range(1, 6):
        assert f"{server}/practice/{seed}/book/cse616-assignment2.html#a2-q7" in hrefs
    state, _ = _check(driver, form, "1 x 1 x 1")
    assert state == "not-yet"
