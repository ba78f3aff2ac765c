"""Original book or practice version: a Sphinx tag for each.

A build with the environment variable ``DLCALC_VARIANT`` set (a seed) renders the
practice version of that seed (``dlcalc.problems.question`` reads the same variable);
otherwise the original. This extension adds the tag ``original`` or ``variant`` so a
page can keep what belongs to the original only, above all what the source solutions
said about its numbers, inside an ``{only} original`` block.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx


def _tag(app: Sphinx, config: Any) -> None:
    from dlcalc.problems import variant_seed

    app.tags.add("original" if variant_seed() is None else "variant")


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", _tag)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
