"""Practice versions and the self-check (issue 13), without a book build.

- every generator of the problem bank gives valid data for a range of seeds, the same seed
  gives the same version (in another process too, and whatever was generated before), and
  the practice seeds give versions with new numbers;
- A2-Q7's versions are solved as the output-size formula written here says;
- the self-check's canonical forms: Python's rounding agrees with ``decimal``'s
  ROUND_HALF_UP, and the browser script (run by Node) reads every usual notation of a
  number, shape and list to the same canonical form and digest as Python;
  malformed input gets a readable message;
- the form holds digests, never the answer; the links between versions resolve;
- ``show_verdicts`` shows nothing in a practice version.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import posixpath
import re
import shutil
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pytest

from pagecheck import ROOT

sys.path.insert(0, str(ROOT / "book"))
sys.path.insert(0, str(ROOT / "book" / "_ext"))

from dlcalc import problems  # noqa: E402
from dlcalc.problems import Answer  # noqa: E402
from records import practice  # noqa: E402
import variants  # noqa: E402

SCRIPT = ROOT / "book" / "_static" / "selfcheck.js"
NODE = shutil.which("node")
NUMERIC = [p for p in problems.all_problems() if type(p).has_variants()]
SEEDS = range(0, 40)


def _data(problem: problems.Problem) -> dict:
    return {f.name: getattr(problem, f.name) for f in dataclasses.fields(problem)}


# ------------------------------------------------------------------ generators


def test_the_bank_has_numeric_questions() -> None:
    assert "A2-Q7" in {p.qid for p in NUMERIC}


@pytest.mark.parametrize("problem", NUMERIC, ids=lambda p: p.qid)
def test_every_version_is_valid_and_reproducible(problem: problems.Problem) -> None:
    for seed in SEEDS:
        version = problem.variant(seed)
        assert type(version) is type(problem)
        version.validate()  # construction validated it; the check is explicit here
        assert problems.get(problem.qid, seed) == version == problem.variant(seed)


@pytest.mark.parametrize("problem", NUMERIC, ids=lambda p: p.qid)
def test_practice_versions_have_new_numbers_and_answers(problem: problems.Problem) -> None:
    versions = [problem.variant(s) for s in variants.PRACTICE_SEEDS]
    assert all(v != problem for v in versions), "a practice version repeats the original"
    assert len(set(versions)) == len(versions), "two practice versions are the same"
    for v in versions:
        answers = v.answers(v.solve())
        assert answers, f"{problem.qid}: a numeric question must ask for an answer"
        for a in answers:
            assert practice.canonicals(a)  # every answer has a canonical form


def test_the_same_seed_gives_the_same_version_in_a_fresh_process() -> None:
    code = ("import dataclasses, json; from dlcalc import problems\n"
            "out = {p.qid: [repr(p.variant(s)) for s in (1, 2, 3, 17)]\n"
            "       for p in reversed(problems.all_problems()) if type(p).has_variants()}\n"
            "print(json.dumps(out))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={"PYTHONHASHSEED": "12345", "PATH": "/usr/bin:/bin"},
                            cwd=ROOT, check=True)
    other = json.loads(result.stdout)
    here = {p.qid: [repr(p.variant(s)) for s in (1, 2, 3, 17)] for p in NUMERIC}
    assert other == here


# Stored once: these versions must be the same on every machine and every build (a change
# of generator changes the published practice pages and every instructor's handout).
A2_Q7_VERSIONS = {
    1: dict(channels=96, height=224, width=224, filters=256, kernel=7, stride=2, padding=3),
    2: dict(channels=128, height=224, width=224, filters=16, kernel=7, stride=4, padding=2),
    3: dict(channels=16, height=112, width=112, filters=32, kernel=11, stride=2, padding=5),
}


@pytest.mark.parametrize("seed", sorted(A2_Q7_VERSIONS))
def test_a2_q7_versions_are_the_stored_ones(seed: int) -> None:
    assert _data(problems.get("A2-Q7", seed)) == A2_Q7_VERSIONS[seed]


@pytest.mark.parametrize("seed", SEEDS)
def test_a2_q7_version_output_shape_by_the_formula(seed: int) -> None:
    q = problems.get("A2-Q7", seed)
    # one map per filter; along each axis floor((n + 2p - k) / s) + 1
    h = (q.height + 2 * q.padding - q.kernel) // q.stride + 1
    w = (q.width + 2 * q.padding - q.kernel) // q.stride + 1
    assert q.solve().output_shape == (q.filters, h, w)
    assert h >= 1 and w >= 1


def test_the_question_of_a_build_follows_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DLCALC_VARIANT", "4")
    assert problems.question("A2-Q7") == problems.get("A2-Q7").variant(4)
    monkeypatch.delenv("DLCALC_VARIANT")
    assert problems.question("A2-Q7") == problems.get("A2-Q7")


# ------------------------------------------------------------------ canonical forms


def _half_up(text: str, places: int) -> str:
    """The independent reference: decimal's quantize, half away from zero."""
    q = Decimal(text).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    out = f"{q:f}"
    return out[1:] if out.startswith("-") and Decimal(out) == 0 else out


def _values(n: int = 400) -> list[float]:
    rng = np.random.default_rng(2026)
    values = list(rng.normal(size=n // 4)) + list(rng.normal(size=n // 4) * 10.0 **
                                                  rng.integers(-8, 9, size=n // 4))
    values += [k / 8 for k in range(-40, 41)]          # exact binary ties: 0.125, 0.375 ...
    values += [k / 1000 + 0.0005 for k in range(-50, 50)]  # ties in decimal, not in binary
    values += [0.0, -0.0, 1e-300, 123456789.125, -2.5, 0.5, 1.5]
    return [float(v) for v in values]


@pytest.mark.parametrize("places", [0, 1, 2, 3, 4, 6])
def test_python_rounding_agrees_with_decimal_half_up(places: int) -> None:
    for v in _values():
        assert practice.round_text(v, places) == _half_up(repr(v), places), (v, places)


def test_a_value_within_a_hair_of_a_boundary_accepts_both_neighbours() -> None:
    almost = 0.125 - 2e-17  # what a float computation of an exact 0.125 may give
    forms = practice.canonicals(Answer("x", "x", almost, "decimal", decimals=2))
    assert set(forms) == {"0.12", "0.13"}
    assert practice.canonicals(Answer("x", "x", 0.3, "decimal", decimals=2)) == ["0.30"]


def test_canonical_forms_of_each_kind() -> None:
    assert practice.canonicals(Answer("s", "s", (128, 64, 64), "shape")) == ["128x64x64"]
    assert practice.canonicals(Answer("n", "n", np.int64(-12), "integer")) == ["-12"]
    assert practice.canonicals(Answer("l", "l", [4, -7.0, -3], "list")) == ["4,-7,-3"]
    assert practice.canonicals(Answer("c", "c", "Inverted Dropout.", "choice")) == \
        ["inverted dropout"]
    with pytest.raises(TypeError, match="integer answer"):
        practice.canonicals(Answer("n", "n", 2.5, "integer"))


def test_digest_is_salted_sha256() -> None:
    expected = hashlib.sha256(b"dlcalc|A2-Q7|output_shape|128x64x64").hexdigest()
    assert practice.digest("A2-Q7", "output_shape", "128x64x64") == expected
    assert practice.digest("A2-Q8", "output_shape", "128x64x64") != expected


# ------------------------------------------------------------------ the browser script


def _run_script(cases: list[dict]) -> list[dict]:
    """Each case {kind, decimals, text, count, qid, name} through selfcheck.js in Node."""
    if NODE is None:
        pytest.fail("Node is missing (make book installs MathJax with npm, which needs it)")
    code = f"""
const s = require({json.dumps(str(SCRIPT))});
const cases = JSON.parse(require("fs").readFileSync(0, "utf8"));
const out = cases.map((c) => {{
  try {{
    const form = s.canonical(c.kind, c.decimals, c.text, c.count);
    return {{form, digest: s.digest(c.qid, c.name, form)}};
  }} catch (e) {{
    if (!(e instanceof s.Unreadable)) throw e;
    return {{error: e.message}};
  }}
}});
process.stdout.write(JSON.stringify(out));
"""
    result = subprocess.run([NODE, "-e", code], input=json.dumps(cases), capture_output=True,
                            text=True, timeout=120, check=True)
    return json.loads(result.stdout)


def _notations(v: float) -> list[str]:
    """Usual ways a reader writes the number v, each naming exactly v's decimal value."""
    r = repr(v)
    d = Decimal(r)
    plain = f"{d:f}"
    forms = [r, plain, f"{d:E}", f"{d:e}", f"{d:e}".replace("e+", "e")]
    if not plain.startswith("-"):
        forms.append("+" + plain)
    else:
        forms.append("\u2212" + plain[1:])          # a unicode minus
    if plain.lstrip("-").startswith("0."):
        forms.append(plain.replace("0.", ".", 1))  # .5
    whole = plain.lstrip("-").split(".")[0]
    if len(whole) > 3:                             # 1,234.5
        grouped = f"{int(whole):,}" + plain.lstrip("-")[len(whole):]
        forms.append(("-" if plain.startswith("-") else "") + grouped)
    return forms


def test_script_reads_numbers_as_python_rounds_them() -> None:
    cases, expected = [], []
    for v in _values(200):
        if v == 0 and str(v).startswith("-"):
            continue
        for places in (0, 2, 3):
            for text in _notations(v):
                cases.append(dict(kind="decimal", decimals=places, text=text, count=1,
                                  qid="T-Q1", name="x"))
                expected.append(_half_up(repr(v), places))
    out = _run_script(cases)
    for case, want, got in zip(cases, expected, out):
        assert got.get("form") == want, (case, got)
        assert got["digest"] == hashlib.sha256(
            f"dlcalc|T-Q1|x|{want}".encode()).hexdigest()


def test_script_matches_the_digests_python_puts_on_the_page() -> None:
    cases, digests = [], []
    rng = np.random.default_rng(7)
    for i in range(150):
        places = int(rng.integers(0, 5))
        shape = tuple(int(n) for n in rng.integers(1, 600, size=int(rng.integers(1, 5))))
        items = [float(x) for x in np.round(rng.normal(size=int(rng.integers(1, 7))) * 20, 6)]
        value = float(rng.normal() * 10.0 ** rng.integers(-3, 6))
        for answer, text in [
            (Answer("a", "a", shape, "shape"), " × ".join(map(str, shape))),
            (Answer("a", "a", shape, "shape"), "(" + ", ".join(map(str, shape)) + ")"),
            (Answer("a", "a", shape, "shape"), "x".join(map(str, shape))),
            (Answer("a", "a", items, "list", decimals=places), ", ".join(map(repr, items))),
            (Answer("a", "a", items, "list", decimals=places),
             "[" + " ".join(map(repr, items)) + "]"),
            (Answer("a", "a", value, "decimal", decimals=places), repr(value)),
            (Answer("a", "a", int(value * 100), "integer"), f"{int(value * 100):,}"),
        ]:
            cases.append(dict(kind=answer.kind, decimals=answer.decimals, text=text,
                              count=len(shape) if answer.kind == "shape" else
                              len(items) if answer.kind == "list" else 1,
                              qid=f"T-Q{i}", name="a"))
            digests.append({practice.digest(f"T-Q{i}", "a", f)
                            for f in practice.canonicals(answer)})
    for case, want, got in zip(cases, digests, _run_script(cases)):
        assert got.get("digest") in want, (case, got)


@pytest.mark.parametrize("kind, text, message", [
    ("decimal", "abc", "is not a number"),
    ("decimal", "1.2.3", "is not a number"),
    ("decimal", "12,34", "is not a number"),
    ("integer", "2.5", "not a whole number"),
    ("shape", "128 x banana", "is not a size"),
    ("shape", "128 x 64", "has 3 sizes; you gave 2"),
    ("list", "4, -7, x", "is not a number"),
    ("list", "1 2", "has 3 numbers; you gave 2"),
    ("decimal", "   ", "Type an answer"),
])
def test_script_explains_malformed_input(kind: str, text: str, message: str) -> None:
    [got] = _run_script([dict(kind=kind, decimals=2, text=text, count=3, qid="T", name="a")])
    assert message in got.get("error", ""), got


def test_script_sha256_agrees_with_hashlib() -> None:
    texts = ["", "abc", "a" * 55, "a" * 56, "a" * 64, "a" * 1000, "× − ü 日本"]
    code = (f"const s = require({json.dumps(str(SCRIPT))});"
            f"process.stdout.write(JSON.stringify({json.dumps(texts)}.map(s.sha256)))")
    if NODE is None:
        pytest.fail("Node is missing")
    got = json.loads(subprocess.run([NODE, "-e", code], capture_output=True, text=True,
                                    check=True).stdout)
    assert got == [hashlib.sha256(t.encode()).hexdigest() for t in texts]


# ------------------------------------------------------------------ the form and links


@pytest.mark.parametrize("seed", [None, 1, 2])
def test_the_form_holds_digests_not_the_answer(seed: int | None,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    if seed is not None:
        monkeypatch.setenv("DLCALC_VARIANT", str(seed))
    q = problems.question("A2-Q7")
    shape = q.solve().output_shape
    markup = practice.widget_html(q)
    for text in ["x".join(map(str, shape)), " × ".join(map(str, shape)), repr(shape),
                 ", ".join(map(str, shape))]:
        assert text not in markup
    digests = re.search(r'data-digests="([0-9a-f ]+)"', markup).group(1).split()
    assert hashlib.sha256(("dlcalc|A2-Q7|output_shape|" + "x".join(map(str, shape)))
                          .encode()).hexdigest() in digests
    assert f'data-version="{"original" if seed is None else seed}"' in markup
    assert "checked" in markup or "shape" in markup  # the tolerance is stated
    assert practice.LINKS_PLACEHOLDER == variants.LINKS_PLACEHOLDER


@pytest.mark.parametrize("doc", ["book/cse616-assignment2", "book/sub/page"])
@pytest.mark.parametrize("here, there", [(None, 3), (3, None), (2, 5)])
def test_links_between_versions_resolve(doc: str, here: int | None, there: int | None) -> None:
    where = doc + ".html" if here is None else f"practice/{here}/{doc}.html"
    url = variants.version_url(doc, "q7", here, there)
    path, _, anchor = url.partition("#")
    target = posixpath.normpath(posixpath.join(posixpath.dirname(where), path))
    assert target == (doc + ".html" if there is None else f"practice/{there}/{doc}.html")
    assert anchor == "q7"


def test_makefile_builds_the_seeds_the_links_name() -> None:
    text = (ROOT / "Makefile").read_text()
    seeds = re.search(r"^PRACTICE_SEEDS\s*:=\s*(.*)$", text, re.M).group(1).split()
    assert tuple(int(s) for s in seeds) == variants.PRACTICE_SEEDS
    assert len(variants.PRACTICE_SEEDS) >= 5


def test_verdicts_are_not_shown_in_a_practice_version(monkeypatch: pytest.MonkeyPatch) -> None:
    from records import page
    from records.claims import Claim  # noqa: F401  (the claims module loads)

    shown = []
    monkeypatch.setattr(page, "display", lambda *a, **k: shown.append(a))
    monkeypatch.setenv("DLCALC_VARIANT", "2")
    page.show_verdicts([])
    assert shown == []
    monkeypatch.delenv("DLCALC_VARIANT")
    page.show_verdicts([])
    assert len(shown) == 1
