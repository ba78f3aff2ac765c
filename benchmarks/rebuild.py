"""Rebuild times of the book with the dependency-aware execution cache (issue 7).

From one run, on a temporary copy of the book (the work tree is never edited):
a clean build, a no-op rebuild, a rebuild after editing a dlcalc module that one
chapter uses, and a rebuild after editing a page; each also as a fraction of the
clean build. Targets: no-op <= 10 %, one-chapter module edit <= 40 %.

The module is chosen by the dependency analysis itself: the dlcalc module used by
the fewest chapters (at least one); the edit appends a function, which changes the
module's text and so its fingerprint.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))
import depcache  # noqa: E402

JB = Path(sys.executable).with_name("jupyter-book")
COPY = ["_config.yml", "_toc.yml", "book", "dlcalc", "vendor"]
TARGETS = {"no-op rebuild": 0.10, "one-chapter module edit": 0.40}


def copy_book(destination: Path) -> Path:
    for name in COPY:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, destination / name,
                            ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
        elif source.exists():
            shutil.copy(source, destination / name)
    (destination / "vendor").mkdir(exist_ok=True)
    return destination


def timed_build(root: Path) -> tuple[float, int, str]:
    env = dict(os.environ, PYTHONPATH=str(root))
    start = time.perf_counter()
    result = subprocess.run([str(JB), "build", str(root), "-W", "-n", "--keep-going"],
                            capture_output=True, text=True, env=env, cwd=root)
    return time.perf_counter() - start, result.returncode, result.stdout + result.stderr


def module_of_one_chapter(root: Path) -> tuple[Path, list[str]]:
    """The dlcalc module the fewest executed pages depend on (at least one)."""
    users: dict[str, list[str]] = {}
    sys.path.insert(0, str(root))  # as PYTHONPATH does for the build: the copy's dlcalc
    for docname, verdict, _ in depcache.explain(root):
        if verdict == "no code":
            continue
        path = next(root.glob(f"{docname}.*"))
        print_ = depcache.fingerprint(path, root, {})
        for key in print_ or {}:
            if key.startswith("module:dlcalc/") and not key.endswith("__init__.py"):
                users.setdefault(key.split(":", 1)[1], []).append(docname)
    sys.path.remove(str(root))
    name = min(users, key=lambda k: (len(users[k]), k))
    return root / name, users[name]


def main() -> dict[str, float]:
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="dlcalc-rebuild-") as tmp:
        root = copy_book(Path(tmp))
        steps = []

        def step(label: str) -> None:
            seconds, code, log = timed_build(root)
            executed = log.count("Executing notebook")
            steps.append((label, seconds, code, executed))
            results[label] = seconds

        step("clean build")
        step("no-op rebuild")
        module, pages = module_of_one_chapter(root)
        with open(module, "a") as handle:
            handle.write("\n\ndef _benchmark_edit():\n    return 1\n")
        step("one-chapter module edit")
        page = next(root.glob(f"{pages[0]}.*"))
        page.write_text(page.read_text() + "\nA sentence added by the benchmark.\n")
        step("page edit")

    clean = results["clean build"]
    print(f"Rebuild times (module edited: {module.relative_to(root)}, "
          f"used by {', '.join(pages)}; page edited: {pages[0]})")
    for label, seconds, code, executed in steps:
        fraction = seconds / clean
        target = TARGETS.get(label)
        verdict = "" if target is None else (
            f"  target <= {target:.0%}: {'met' if fraction <= target else 'MISSED'}")
        status = "" if code == 0 else f"  (build exit code {code}: the book has warnings)"
        print(f"  {label:<24} {seconds:7.1f} s  {fraction:6.1%} of clean  "
              f"{executed} page(s) executed{verdict}{status}")
        results[f"{label} fraction"] = fraction
    return results


if __name__ == "__main__":
    main()
