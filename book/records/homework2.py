"""Homework 2: given data and the sources' claims."""

from __future__ import annotations

from .claims import Claim, on_page

PAGE = "homework2"
_c = on_page(PAGE)

CLAIMS: list[Claim] = []
