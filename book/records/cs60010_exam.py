"""CS60010 mid-semester examination, 2022-23: given data and the sources' claims."""

from __future__ import annotations

from .claims import Claim, on_page

PAGE = "cs60010-midsem"
_c = on_page(PAGE)

CLAIMS: list[Claim] = []
