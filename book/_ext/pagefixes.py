"""A local Sphinx extension: small corrections to what the pages show and load.

Exercise boxes carry their question's own number. sphinx-exercise numbers exercises
through the whole book ("Exercise 40" would be Question 1 of the exam), while each heading
and the printed books number a question as its source does ("Question 7(a): ...").
Each exercise takes the number from the heading of the section it stands in (the text
between "Question" and the colon), after Sphinx has numbered the figures, so the box,
its solution's title and every ``{numref}`` to it read "Question 7(a)", in HTML and LaTeX
alike; labels and cross-references are untouched. An exercise outside such a section
keeps sphinx-exercise's number.

jupyter-book 1 and sphinx-book-theme both set sphinx-thebe up, so every page declares
sphinx-thebe's inline configuration script twice and the browser reports
"Identifier 'THEBE_JS_URL' has already been declared". Each page gets every script
once, in its first position. A page's default colour mode is set where the theme leaves
it empty (a first visit otherwise logs "Got invalid theme mode" as a console error).

Nodes parsed by MyST's ``{eval-rst}`` (every API page's ``automodule``) belong to the
page's document again once the page is read. myst-parser parses that reStructuredText into
a scratch document that shares the page's settings, and the nodes it moves into the page
keep pointing at the scratch document. Sphinx strips the build environment from a page's
own settings before it stores the doctree, but not from the scratch document's, so each
API page's doctree carried a pickled copy of the whole environment (2.2 MB per page,
unpickled again whenever Sphinx numbers figures or writes the page).
"""

from __future__ import annotations

import re
from typing import Any

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform



def _adopt_nodes(app: Any, doctree: nodes.document) -> None:
    for node in doctree.findall():
        if node._document is not None and node._document is not doctree:
            node._document = doctree


def _numpydoc_sets(app: Any, config: Any) -> None:
    # numpydoc wants sets; _config.yml can only give lists.
    for name in ("numpydoc_validation_checks", "numpydoc_validation_exclude"):
        value = getattr(config, name, None)
        if isinstance(value, (list, tuple)):
            setattr(config, name, set(value))


def _dedupe_scripts(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple[str, str]] = set()
    unique = []
    for script in scripts:
        attributes = getattr(script, "attributes", {})
        # An inline script is added once with filename None and once with "" (same body).
        key = (str(getattr(script, "filename", script) or ""), str(sorted(attributes.items())))
        if key in seen:
            continue
        seen.add(key)
        unique.append(script)
    context["script_files"] = unique


def _default_mode(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    # pydata-sphinx-theme reads the colour mode from local storage or from the page's
    # default; sphinx-book-theme leaves the default empty, and a first visit then logs
    # "Got invalid theme mode" as a console error. Give it the mode it falls back to.
    if not context.get("default_mode"):
        context["default_mode"] = "auto"


_QUESTION_TITLE = re.compile(r"^Question\s+(.+?)\s*:")
NUMBER_FORMAT = "Question %s"


def question_number(title: str) -> str | None:
    """``"Question 7(a): the output activation"`` -> ``"7(a)"``; None for other titles."""
    match = _QUESTION_TITLE.match(title)
    return match.group(1) if match else None


def _note_exercise_numbers(app: Any, doctree: nodes.document) -> None:
    from sphinx_exercise.nodes import exercise_enumerable_node

    numbers = {}
    for node in doctree.findall(exercise_enumerable_node):
        section = node.parent
        while section is not None and not isinstance(section, nodes.section):
            section = section.parent
        if section is None or not node["ids"] or not isinstance(section[0], nodes.title):
            continue
        number = question_number(section[0].astext())
        if number:
            numbers[node["ids"][0]] = number
    env = app.env
    env.dlcalc_exercise_numbers = getattr(env, "dlcalc_exercise_numbers", {})
    env.dlcalc_exercise_numbers[env.docname] = numbers


def _renumber_exercises(app: Any, env: Any) -> list[str]:
    # Runs after Sphinx's own figure numbering (env-get-updated, later priority).
    for docname, numbers in getattr(env, "dlcalc_exercise_numbers", {}).items():
        assigned = env.toc_fignumbers.get(docname, {}).get("exercise", {})
        for node_id, number in numbers.items():
            if node_id in assigned:
                assigned[node_id] = (number,)
    return []


def _question_format(app: Any, config: Any) -> None:
    config.numfig_format = {**config.numfig_format, "exercise": NUMBER_FORMAT}


class SolutionTitles(SphinxPostTransform):
    """"Solution to Exercise 7(a)" -> "Solution to Question 7(a)", to match its box."""

    default_priority = 22  # after sphinx-exercise has built the solution titles (21)

    def run(self, **kwargs: Any) -> None:
        from sphinx_exercise.nodes import solution_node

        word = NUMBER_FORMAT.split()[0]
        for solution in self.document.findall(solution_node):
            title = solution.children[0] if solution.children else None
            if not isinstance(title, nodes.title):
                continue
            for text in list(title.findall(nodes.Text)):
                if " Exercise " in f" {text} ":
                    text.parent.replace(text, nodes.Text(str(text).replace("Exercise", word)))


def _forget(app: Any, env: Any, docname: str) -> None:
    getattr(env, "dlcalc_exercise_numbers", {}).pop(docname, None)


def _merge(app: Any, env: Any, docnames: set, other: Any) -> None:
    theirs = getattr(other, "dlcalc_exercise_numbers", {})
    env.dlcalc_exercise_numbers = getattr(env, "dlcalc_exercise_numbers", {})
    env.dlcalc_exercise_numbers.update({d: theirs[d] for d in docnames if d in theirs})


def setup(app: Any) -> dict[str, Any]:
    app.connect("config-inited", _question_format, priority=800)
    app.connect("config-inited", _numpydoc_sets, priority=400)  # before numpydoc reads them
    app.connect("doctree-read", _note_exercise_numbers)
    app.connect("doctree-read", _adopt_nodes, priority=900)
    app.connect("env-get-updated", _renumber_exercises, priority=900)
    app.connect("env-purge-doc", _forget)
    app.connect("env-merge-info", _merge)
    app.add_post_transform(SolutionTitles)
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    app.connect("html-page-context", _default_mode, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
