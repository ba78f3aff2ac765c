"""`make bench [REF=<commit>]`: the book's build times, compared with a reference commit
on the same machine in one run.

Builds a git worktree of the reference commit (default a5a6e6f, the main before the
execution cache keyed on the whole book, the result store and the parallel execution)
and a copy of the work tree, each in a folder of its own with this work tree's virtual
environment (the code of each comes first on ``PYTHONPATH``). The clean builds alternate,
reference then work tree, for ``--rounds`` rounds (default 3): each round's two builds
are seconds apart, and the ratio compared with the target is the median of the rounds'
ratios (one machine's speed moves by 10-20 % within minutes; every round is printed).
Then, for each, each page's execution time in its last clean build, a no-op rebuild and
a rebuild after a one-line edit of one library module (``dlcalc/counting.py``), with
their ratios to its median clean build. The machine's GEMM throughput (numpy, float64)
is measured before and after, for the record: machines of the same kind differ widely, so
the ratios measured in one run are the figures to compare, not the absolute times.

Targets (issue 15): the work tree's clean build at most 45 % of the reference's; a no-op
rebuild at most 10 % of a clean build.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
JB = Path(sys.executable).with_name("jupyter-book")
COPY = ["_config.yml", "_toc.yml", "book", "dlcalc", "pyproject.toml"]
DEFAULT_REF = "a5a6e6f"
EDITED = "dlcalc/counting.py"
TARGETS = {"clean ratio": 0.45, "no-op": 0.10}
#: Lines that give a page's execution time: myst-nb's own, and depcache's (pages
#: executed several at a time before the read).
TIMES = [re.compile(r"(\S+)\.(?:md|ipynb): Executed notebook in ([\d.]+) seconds"),
         re.compile(r"depcache: executed (\S+) in ([\d.]+) s")]


def gemm_gflops(n: int = 1024, repeats: int = 5) -> float:
    """Best of ``repeats`` float64 n x n matrix products, in GFLOP/s."""
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((n, n)), rng.standard_normal((n, n))
    a @ b
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - start)
    return 2 * n**3 / best / 1e9


def build(root: Path) -> tuple[float, dict[str, float], str]:
    """Build the book at ``root`` as `make book` does: (seconds, page times, log)."""
    env = {k: v for k, v in os.environ.items() if k != "DLCALC_CACHE_DIR"}
    env["PYTHONPATH"] = str(root)
    start = time.perf_counter()
    depcache = root / "book" / "_ext" / "depcache.py"
    if "--up-to-date" in depcache.read_text():  # as make book: no Sphinx when nothing changed
        check = subprocess.run([sys.executable, str(depcache), "--up-to-date", str(root)],
                               capture_output=True, text=True, env=env, cwd=root)
        if check.returncode == 0:
            return time.perf_counter() - start, {}, check.stdout
    result = subprocess.run([str(JB), "build", str(root), "-W", "-n", "--keep-going"],
                            capture_output=True, text=True, env=env, cwd=root)
    seconds = time.perf_counter() - start
    log = result.stdout + result.stderr
    if result.returncode != 0:
        print(log[-3000:], file=sys.stderr)
        raise SystemExit(f"the build of {root} failed; no timing reported")
    pages: dict[str, float] = {}
    for pattern in TIMES:
        for name, secs in pattern.findall(log):
            page = Path(name).as_posix()
            page = page[page.index("book/"):] if "book/" in page else page
            pages[page.removesuffix(".md")] = float(secs)
    return seconds, pages, log


def clean_build(root: Path) -> tuple[float, dict[str, float]]:
    """A build of ``root`` from nothing: (seconds, page times)."""
    shutil.rmtree(root / "_build", ignore_errors=True)
    seconds, pages, _ = build(root)
    return seconds, pages


def rebuilds(label: str, root: Path, clean: float, pages: dict[str, float]) -> float:
    """Report ``root``'s last clean build's page times, then time a no-op rebuild and a
    rebuild after an edit of one module (on top of the last clean build); the no-op's
    seconds."""
    noop, _, _ = build(root)
    module = root / EDITED
    module.write_text(module.read_text() + "\n\ndef _benchmark_edit():\n    return 1\n")
    edit, edited_pages, _ = build(root)
    print(f"{label}: clean build {clean:6.1f} s (median)")
    for page, secs in sorted(pages.items(), key=lambda kv: -kv[1]):
        print(f"    {page:<28} executed in {secs:6.1f} s")
    print(f"  no-op rebuild          {noop:6.1f} s  {noop / clean:6.1%} of its clean build")
    print(f"  edit of {EDITED:<14} {edit:6.1f} s  {edit / clean:6.1%} of its clean build "
          f"({len(edited_pages)} page(s) executed)")
    sys.stdout.flush()
    return noop


def reference_worktree(ref: str, where: Path) -> Path:
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(where), ref],
                   check=True, capture_output=True, text=True)
    return where


def work_copy(where: Path) -> Path:
    where.mkdir(parents=True, exist_ok=True)
    for name in COPY:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, where / name, ignore=shutil.ignore_patterns(
                "__pycache__", ".ipynb_checkpoints"))
        elif source.exists():
            shutil.copy(source, where / name)
    return where


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref", default=os.environ.get("REF") or DEFAULT_REF,
                        help=f"the reference commit (default {DEFAULT_REF})")
    parser.add_argument("--rounds", type=int, default=os.environ.get("ROUNDS") or "3",
                        help="clean builds of each, alternating (default 3)")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error(f"--rounds must be at least 1, got {args.rounds}")
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", args.ref],
                            check=True, capture_output=True, text=True).stdout.strip()
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                          check=True, capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--",
                            *COPY], capture_output=True, text=True).stdout.strip()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"machine: {cores} cores; load average {os.getloadavg()[0]:.2f}; "
          f"numpy GEMM (float64, 1024^3) {gemm_gflops():.0f} GFLOP/s")
    print(f"reference {commit}; work tree {head}{' with uncommitted changes' if dirty else ''}")
    sys.stdout.flush()
    vendor = ROOT / "vendor"
    with tempfile.TemporaryDirectory(prefix="dlcalc-bench-") as tmp:
        ref_root = Path(tmp) / "reference"
        try:
            reference_worktree(commit, ref_root)
            for root in (ref_root, work_copy(Path(tmp) / "work")):
                if vendor.is_dir() and not (root / "vendor").exists():
                    shutil.copytree(vendor, root / "vendor")
                (root / "vendor").mkdir(exist_ok=True)
            work_root = Path(tmp) / "work"
            rounds: list[tuple[float, float]] = []
            for number in range(1, args.rounds + 1):
                ref_clean, ref_pages = clean_build(ref_root)
                work_clean, work_pages = clean_build(work_root)
                rounds.append((ref_clean, work_clean))
                print(f"round {number}: clean build, reference {ref_clean:5.1f} s, work tree "
                      f"{work_clean:5.1f} s: {work_clean / ref_clean:.1%}")
                sys.stdout.flush()
            ref_median = statistics.median(ref for ref, _ in rounds)
            work_median = statistics.median(work for _, work in rounds)
            rebuilds(f"reference {commit}", ref_root, ref_median, ref_pages)
            noop = rebuilds(f"work tree {head}", work_root, work_median, work_pages)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force",
                            str(ref_root)], capture_output=True)
    ratio = statistics.median(work / ref for ref, work in rounds)
    noop /= work_median
    print(f"clean build, work tree / reference: median of {len(rounds)} round(s) {ratio:.1%}"
          f" (rounds {', '.join(f'{work / ref:.1%}' for ref, work in rounds)})"
          f"  (target <= {TARGETS['clean ratio']:.0%}: "
          f"{'met' if ratio <= TARGETS['clean ratio'] else 'NOT met'})")
    print(f"no-op rebuild, work tree: {noop:.1%} of its clean build  (target <= "
          f"{TARGETS['no-op']:.0%}: {'met' if noop <= TARGETS['no-op'] else 'NOT met'})")
    print(f"machine at the end: load average {os.getloadavg()[0]:.2f}; "
          f"numpy GEMM {gemm_gflops():.0f} GFLOP/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
