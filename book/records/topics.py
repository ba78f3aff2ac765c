"""The by-topic index: which questions of the four problem sets exercise each topic.

The assignment of questions to topics is the book's judgement, written once here;
the titles and links are read from the chapter pages, so the index follows them.
"""

from __future__ import annotations

import re
from pathlib import Path

from . import CHAPTERS
from .claims import label_of

BOOK = Path(__file__).resolve().parents[1]

TOPICS: dict[str, list[str]] = {
    "Shapes and counting": [
        "A2-Q1", "A2-Q2", "A2-Q6", "A2-Q7", "A2-Q10", "A1-Q4", "A1-Q10", "A1-Q13", "A1-Q14",
        "HW2-B2(i)", "HW2-B2(ii)", "HW2-C(ii)", "EX-Q5", "EX-Q7(a)", "EX-Q7(c)",
    ],
    "Convolution and pooling": [
        "A2-Q3", "A2-Q9", "A2-Q10", "A2-Q12", "A1-Q8", "A1-Q10", "HW2-B3(i)", "HW2-B3(ii)",
        "EX-Q6",
    ],
    "Activations and softmax": [
        "A1-Q1", "A1-Q2", "A1-Q3", "A1-Q5", "EX-Q4(a-f)", "EX-Q7(b)",
    ],
    "Normalisation and dropout": [
        "A2-Q5", "A2-Q8", "A2-Q13", "A1-Q6", "A1-Q7", "EX-Q3", "EX-Q4(a-f)",
    ],
    "Backpropagation": [
        "A1-Q2", "A1-Q5", "A1-Q12", "EX-Q2",
    ],
    "Optimizers": [
        "A2-Q4", "A2-Q14", "A2-Q15", "EX-Q1(a-d)", "EX-Q3", "EX-Q4(a-f)",
    ],
    "Training experiments": [
        "A2-Q11", "A1-Q9", "A1-Q11", "A1-Q12", "HW2-A1(i)", "HW2-A1(ii)", "HW2-A2",
        "HW2-C(i)", "HW2-C(ii)", "HW2-C(iii)", "EX-Q7(c)",
    ],
}

_SECTION = re.compile(r"^\(([^)]+)\)=\s*\n#+\s+(.+)$", re.M)


def section_titles() -> dict[str, tuple[str, str]]:
    """label -> (page stem, heading) for every labelled section of the chapters."""
    titles: dict[str, tuple[str, str]] = {}
    for stem in CHAPTERS.values():
        text = (BOOK / f"{stem}.md").read_text(encoding="utf-8")
        for label, heading in _SECTION.findall(text):
            titles[label] = (stem, heading.strip())
    return titles


def topic_index_markdown() -> str:
    """The index as MyST Markdown: one list per topic, each question linked."""
    titles = section_titles()
    chapters = {"A2": "CSE616 A2", "A1": "Assignment 1", "HW2": "Homework 2", "EX": "CS60010 exam"}
    parts = []
    for topic, questions in TOPICS.items():
        parts.append(f"**{topic}**\n")
        for q in questions:
            label = label_of(q)
            if label not in titles:
                raise ValueError(f"topic {topic!r} lists {q}, but no chapter has a section ({label})=")
            _, heading = titles[label]
            parts.append(f"- {chapters[q.split('-')[0]]}, {{ref}}`{heading} <{label}>` ({q})")
        parts.append("")
    return "\n".join(parts)
