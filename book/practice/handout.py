"""An instructor's version of the problem sets: ``make handout SEED=<n> [SET=<set>]``.

Builds, for practice version ``SEED`` (the numbers of ``DLCALC_VARIANT=<seed>``), the
question handout and its answer key as PDFs, typeset like ``make pdf`` (Jupyter Book's
LaTeX builder with ``book/_ext/printbook.py``: ``DLCALC_PDF=questions`` removes every
solution). All four problem sets, or one (``SET`` is a key of ``dlcalc.problems.SETS``).
What the source solutions said is left out (it belongs to the original's numbers).

Run from the repository's root::

    python book/practice/handout.py --seed 7 [--set cse616_a2]

The PDFs land in ``_build/handout/<seed>/``: ``dlcalc-v<seed>[-<set>]-questions.pdf`` and
``dlcalc-v<seed>[-<set>]-answers.pdf``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: Each problem set's chapter, by the set's key in ``dlcalc.problems.SETS``.
CHAPTERS = {
    "cse616_a2": "book/cse616-assignment2",
    "assignment1": "book/assignment1",
    "homework2": "book/homework2",
    "cs60010_exam": "book/cs60010-midsem",
}
KINDS = ("questions", "answers")
FLAGS = ("-W", "-n", "--keep-going")


def parse_seed(text: str) -> int:
    text = text.strip()
    if not text.isdigit():
        raise ValueError(f"SEED must be a non-negative integer, got {text!r} "
                         "(make handout SEED=<n> [SET=<set>])")
    return int(text)


def parse_set(text: str) -> str | None:
    text = text.strip()
    if text and text not in CHAPTERS:
        raise ValueError(f"SET must be one of {', '.join(CHAPTERS)} (or empty for all four), "
                         f"got {text!r}")
    return text or None


def toc(kind: str, chapters: list[str]) -> str:
    lines = ["format: jb-book", f"root: book/practice/handout-{kind}", "chapters:"]
    return "\n".join(lines + [f"  - file: {c}" for c in chapters]) + "\n"


def outputs(seed: int, chosen: str | None, out: Path) -> dict[str, Path]:
    stem = f"dlcalc-v{seed}" + (f"-{chosen}" if chosen else "")
    return {kind: out / f"{stem}-{kind}.pdf" for kind in KINDS}


def build(seed: int, chosen: str | None, out: Path) -> dict[str, Path]:
    chapters = [CHAPTERS[chosen]] if chosen else list(CHAPTERS.values())
    work = out / ("work-" + (chosen or "all"))
    work.mkdir(parents=True, exist_ok=True)
    jb = Path(sys.executable).parent / "jupyter-book"
    pdfs = outputs(seed, chosen, out)
    for kind in KINDS:
        toc_file = work / f"{kind}.yml"
        toc_file.write_text(toc(kind, chapters))
        latex = work / "_build" / "latex"
        shutil.rmtree(latex, ignore_errors=True)
        env = dict(os.environ, DLCALC_VARIANT=str(seed), DLCALC_PDF=kind)
        command = [str(jb), "build", str(ROOT), "--builder", "pdflatex", "--toc",
                   str(toc_file), "--path-output", str(work), *FLAGS]
        log = out / f"{kind}.log"
        start = time.perf_counter()
        print(f"DLCALC_VARIANT={seed} DLCALC_PDF={kind} {' '.join(command[1:])}", flush=True)
        with log.open("w") as stream:
            done = subprocess.run(command, cwd=ROOT, env=env, stdout=stream,
                                  stderr=subprocess.STDOUT)
        if done.returncode != 0 or not (latex / "book.pdf").is_file():
            tail = log.read_text().splitlines()[-40:]
            raise SystemExit("\n".join(tail) + f"\nthe {kind} PDF failed: see {log}")
        shutil.copyfile(latex / "book.pdf", pdfs[kind])
        print(f"  {pdfs[kind]} ({time.perf_counter() - start:.0f} s)", flush=True)
    return pdfs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", required=True, help="the practice version (an integer)")
    parser.add_argument("--set", default="", help=f"one problem set: {', '.join(CHAPTERS)}")
    parser.add_argument("--out", default=None, help="folder (default _build/handout/<seed>)")
    args = parser.parse_args(argv)
    try:
        seed, chosen = parse_seed(args.seed), parse_set(args.set)
    except ValueError as exc:
        parser.error(str(exc))
    out = Path(args.out) if args.out else ROOT / "_build" / "handout" / str(seed)
    out.mkdir(parents=True, exist_ok=True)
    pdfs = build(seed, chosen, out.resolve())
    print(f"The handout is {pdfs['questions']}; its answer key is {pdfs['answers']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
