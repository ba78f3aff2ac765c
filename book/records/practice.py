"""The self-check under each numeric question: a small form that says right or not yet.

:func:`selfcheck` displays, under a question, one input per answer the question asks for
(``Problem.answers``), a Check button and the verdict, with the tolerance it uses. It
works offline: the check runs in the reader's browser (``book/_static/selfcheck.js``),
with no server. The page never holds an answer in plain text: for each answer it holds
the SHA-256 of the answer's canonical form, salted with the question id and the answer's
name (:func:`digest`). The browser reads the reader's answer, brings it to the same
canonical form (:func:`canonical` here, ``canonical`` in the script: the two are tested
to agree) and compares the digests.

Canonical forms, by kind of answer:

- integer: the digits with a sign, ``-12``;
- decimal: the value rounded half away from zero to ``decimals`` places, written with
  exactly that many places, ``0.125`` at 2 places is ``0.13``; zero has no sign;
- shape: the sizes joined by ``x``, ``128x64x64``;
- list: the numbers, each rounded as a decimal, joined by ``,``;
- choice: the words in lower case, single-spaced, without surrounding punctuation.

Rounding works on the decimal digits (the shortest text that reads back as the float),
never on binary floating point, so Python and JavaScript round alike. A value computed
in floating point that lies within a hair of a rounding boundary (0.12499999999999997
for an exact 0.125) accepts both neighbours.

The output is HTML, with a Markdown alternative that is a mere comment: the LaTeX builds
of the handout and the answer key show nothing in its place.
"""

from __future__ import annotations

import hashlib
import html
import itertools
import numbers
import re
import unicodedata
from decimal import Decimal
from typing import Any

import numpy as np
from IPython.display import display

from dlcalc.problems import Answer, Problem, variant_seed

from .claims import solution_of

__all__ = ["canonical", "canonicals", "digest", "tolerance_text", "widget_html", "selfcheck",
           "LINKS_PLACEHOLDER"]

#: Replaced by ``book/_ext/variants.py`` with the links to the practice versions (HTML
#: builds only): the notebook output cannot know the page it lands on.
LINKS_PLACEHOLDER = "<!-- dlcalc-practice-links -->"

#: What the LaTeX builds show in place of the form: nothing (an empty Markdown output is
#: dropped from the notebook, and an output with HTML only fails the LaTeX build).
MARKDOWN_STANDIN = "<!-- self-check: in the HTML book only -->"

#: Relative distance to a rounding boundary under which both neighbours are accepted.
NEAR_TIE = 1e-9
#: At most this many accepted forms per answer (a list with many near ties keeps one).
MAX_FORMS = 64


# ------------------------------------------------------------------ canonical forms


def _digits(value: Any) -> tuple[int, int, int]:
    """``value`` as (sign, integer mantissa, exponent): value = sign * m * 10**e."""
    if isinstance(value, bool):
        raise TypeError(f"value must be a number, got {value!r}")
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, numbers.Integral):
        return (-1 if value < 0 else 1), abs(int(value)), 0
    if isinstance(value, numbers.Real):
        v = float(value)
        if not np.isfinite(v):
            raise ValueError(f"value must be finite, got {value!r}")
        d = Decimal(repr(v))  # the shortest text that reads back as v
    elif isinstance(value, str):
        d = Decimal(value)
    else:
        raise TypeError(f"value must be a number, got {value!r}")
    sign, digits, exponent = d.as_tuple()
    mantissa = int("".join(map(str, digits)) or "0")
    return (-1 if sign else 1), mantissa, int(exponent)


def round_text(value: Any, decimals: int) -> str:
    """``value`` rounded half away from zero to ``decimals`` places, as text with exactly
    that many places (no sign on zero). Works on decimal digits, as the script does."""
    sign, m, e = _digits(value)
    shift = e + decimals
    if shift >= 0:
        n = m * 10 ** shift
    else:
        unit = 10 ** (-shift)
        n, rest = divmod(m, unit)
        if 2 * rest >= unit:
            n += 1
    text = str(n).rjust(decimals + 1, "0")
    body = f"{text[:-decimals]}.{text[-decimals:]}" if decimals else text
    return ("-" if sign < 0 and n else "") + body


def _near(value: Any, decimals: int) -> list[str]:
    """The rounded forms of ``value`` and, near a rounding boundary, of its neighbour."""
    forms = [round_text(value, decimals)]
    if isinstance(value, (numbers.Integral, str)) and not isinstance(value, float):
        return forms
    v = float(value)
    hair = max(abs(v) * NEAR_TIE, 1e-12)
    for w in (v - hair, v + hair):
        text = round_text(w, decimals)
        if text not in forms:
            forms.append(text)
    return forms


def _choice_text(value: str) -> str:
    text = unicodedata.normalize("NFKC", value).lower()
    text = re.sub(r"\s+", " ", text).strip()
    return text.strip(" .,;:!?\"'`()[]{}")


def canonicals(answer: Answer) -> list[str]:
    """Every canonical form the check accepts for ``answer`` (the first is the value's own)."""
    kind, value = answer.kind, answer.value
    if kind == "integer":
        if isinstance(value, bool) or not isinstance(value, (numbers.Integral, np.integer)):
            raise TypeError(f"answer {answer.name!r} is an integer answer, got {value!r}")
        return [str(int(value))]
    if kind == "decimal":
        return _near(value, answer.decimals)
    if kind == "shape":
        sizes = [int(n) for n in value]
        return ["x".join(map(str, sizes))]
    if kind == "list":
        items = [_near(v, answer.decimals) for v in np.ravel(np.asarray(value, dtype=object))]
        forms = []
        for combo in itertools.product(*items):
            forms.append(",".join(combo))
            if len(forms) >= MAX_FORMS:
                break
        return forms
    if kind == "choice":
        return [_choice_text(str(value))]
    raise ValueError(f"answer.kind must be one of the problem bank's kinds, got {kind!r}")


def canonical(answer: Answer) -> str:
    """The canonical form of the answer's own value."""
    return canonicals(answer)[0]


def digest(qid: str, name: str, form: str) -> str:
    """SHA-256 (hex) of a canonical form, salted with the question id and answer name."""
    return hashlib.sha256(f"dlcalc|{qid}|{name}|{form}".encode()).hexdigest()


# ------------------------------------------------------------------ the form


def tolerance_text(answer: Answer) -> str:
    """How the answer is read and compared, in words, for the page."""
    d = answer.decimals
    places = f"{d} decimal place{'s' if d != 1 else ''}"
    if answer.kind == "integer":
        return "an exact integer"
    if answer.kind == "decimal":
        return (f"checked to {places} (right when it rounds to the same value)" if d
                else "checked to a whole number (right when it rounds to the same)")
    if answer.kind == "shape":
        return "a shape: sizes separated by ×, x or commas, brackets optional"
    if answer.kind == "list":
        count = np.size(np.asarray(answer.value, dtype=object))
        return (f"{count} numbers separated by commas or spaces, brackets optional; "
                f"each checked to {places}" if d else
                f"{count} numbers separated by commas or spaces, brackets optional; "
                "each checked to a whole number")
    return "a word or phrase (case and surrounding punctuation ignored)"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def widget_html(problem: Problem, solution: Any = None) -> str:
    """The self-check form of ``problem`` as HTML (empty when it asks for no answer)."""
    solution = solution_of(problem) if solution is None else solution
    answers = problem.answers(solution)
    if not answers:
        return ""
    seed = variant_seed() if type(problem).has_variants() else None
    version = "original" if seed is None else str(seed)
    qid = problem.qid
    rows = []
    for answer in answers:
        hashes = " ".join(dict.fromkeys(digest(qid, answer.name, f) for f in canonicals(answer)))
        count = np.size(np.asarray(answer.value, dtype=object)) if answer.kind in (
            "list", "shape") else 1
        ident = f"selfcheck-{_slug(qid)}-{_slug(answer.name)}"
        rows.append(
            f'<div class="dlcalc-selfcheck-row" data-name="{html.escape(answer.name)}" '
            f'data-kind="{answer.kind}" data-decimals="{answer.decimals}" '
            f'data-count="{count}" data-digests="{hashes}">'
            f'<label for="{ident}">{html.escape(answer.prompt)}</label> '
            f'<input id="{ident}" type="text" autocomplete="off" spellcheck="false" '
            f'autocapitalize="off">'
            f'<span class="dlcalc-selfcheck-tolerance">{html.escape(tolerance_text(answer))}'
            f'</span>'
            f'<output class="dlcalc-selfcheck-result" aria-live="polite"></output></div>')
    return (f'<form class="dlcalc-selfcheck" data-qid="{html.escape(qid)}" '
            f'data-version="{version}" onsubmit="return false">'
            f'<p class="dlcalc-selfcheck-title">Check your answer</p>'
            + "".join(rows) +
            '<p class="dlcalc-selfcheck-actions"><button type="submit">Check</button> '
            '<span class="dlcalc-selfcheck-note">Checked in your browser: this form does not '
            'hold the answer.</span></p>'
            f'<p class="dlcalc-selfcheck-more">{LINKS_PLACEHOLDER}</p></form>')


def selfcheck(problem: Problem, solution: Any = None) -> None:
    """Display the self-check of ``problem`` (call it in a ``remove-input`` cell right after
    the exercise box). ``solution`` is ``problem.solve()`` when not given."""
    if not isinstance(problem, Problem):
        raise TypeError(f"problem must be a problem of dlcalc.problems, got {problem!r}")
    markup = widget_html(problem, solution)
    if markup:
        # HTML for the web page; the LaTeX builds, which cannot show HTML, pick the
        # Markdown, a comment that prints nothing.
        display({"text/html": markup, "text/markdown": MARKDOWN_STANDIN}, raw=True)

