"""Small helpers the book's pages use to glue values and show verdicts.

Every value goes through :func:`plain` before it is glued, so that numpy
scalars are glued as Python numbers (their text form is then a literal that
myst-nb's ``{glue:text}`` formats, e.g. ``{glue:text}`key:,```).
"""

from __future__ import annotations

import dataclasses
import numbers
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
from IPython.display import Markdown, Math, display
from matplotlib_inline.backend_inline import set_matplotlib_formats
from myst_nb import glue

from . import verdicts_of
from .claims import Claim, markdown_table

# dlcalc's figures are matplotlib Figures built without pyplot; registering the PNG
# formatter makes a page show them as images (never as a "<Figure size ...>" repr).
set_matplotlib_formats("png")

__all__ = ["plain", "glue_value", "glue_values", "glue_fields", "glue_math", "glue_md",
           "shape_text", "matrix_latex", "show_verdicts"]


def plain(value: Any) -> Any:
    """Convert numpy scalars to Python numbers (bools stay bools)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    return value


def glue_value(key: str, value: Any) -> None:
    """Glue one number or string without displaying it."""
    glue(key, plain(value), display=False)


def glue_values(prefix: str, values: Mapping[str, Any]) -> None:
    """Glue every item of ``values`` as ``{prefix}_{name}``."""
    for name, value in values.items():
        glue_value(f"{prefix}_{name}", value)


def glue_fields(prefix: str, problem: Any) -> None:
    """Glue every data field of a problem of the bank as ``{prefix}_{field}``."""
    glue_values(prefix, {f.name: getattr(problem, f.name) for f in dataclasses.fields(problem)})


def glue_math(key: str, latex: str) -> None:
    """Glue a LaTeX string as math, for ``{glue:math}`` / ``{glue:}``."""
    glue(key, Math(latex), display=False)


def glue_md(key: str, text: str) -> None:
    """Glue a Markdown string, for ``{glue:md}``."""
    glue(key, Markdown(text), display=False)


def shape_text(shape: Iterable[int], sep: str = " × ") -> str:
    """``(128, 64, 64)`` -> ``'128 × 64 × 64'`` with thousands separators."""
    return sep.join(f"{int(n):,}" for n in shape)


def matrix_latex(a: Any, *, digits: int = 4, env: str = "bmatrix") -> str:
    """A 1-D or 2-D array as a LaTeX matrix, each entry rounded to ``digits``."""
    arr = np.atleast_2d(np.asarray(a))
    def cell(v: Any) -> str:
        v = plain(v)
        if isinstance(v, numbers.Integral):
            return str(v)
        text = f"{float(v):.{digits}f}".rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text
    rows = [" & ".join(cell(v) for v in row) for row in arr]
    return f"\\begin{{{env}}} " + r" \\ ".join(rows) + f" \\end{{{env}}}"


def show_verdicts(claims: Iterable[Claim]) -> None:
    """Display the table of what the sources said about one question, with verdicts.

    In a practice version (``DLCALC_VARIANT`` set) it displays nothing: the sources'
    verdicts are about the original's numbers only."""
    from dlcalc.problems import variant_seed

    if variant_seed() is not None:
        return
    display(Markdown(markdown_table(verdicts_of(list(claims)))))


def glue_verdicts(key: str, claims: Iterable[Claim]) -> None:
    """Glue the table :func:`show_verdicts` shows, for a ``{glue:md}`` directive (e.g.
    inside an ``{only} original`` block, where a code cell cannot stand)."""
    glue_md(key, markdown_table(verdicts_of(list(claims))))


def tex_number(value: Any, fmt: str = "g") -> str:
    """A number for TeX: ``750000`` -> ``750{,}000``, ``1e-05`` -> ``10^{-5}``."""
    value = plain(value)
    if isinstance(value, numbers.Integral):
        return f"{value:,}".replace(",", "{,}")
    text = format(float(value), fmt)
    if "e" in text:
        mantissa, exponent = text.split("e")
        power = f"10^{{{int(exponent)}}}"
        return power if float(mantissa) == 1 else rf"{mantissa} \times {power}"
    return text.replace(",", "{,}")


def glue_tex(key: str, tex: str) -> None:
    """Glue inline math (``$...$``) for ``{glue}`key```: a number in a formula is typeset
    in the formula."""
    from IPython.display import Latex

    glue(key, Latex(f"${tex}$"), display=False)
