"""`make bench`: every timing of the project, measured in one run on this machine.

Prints the clean build time of the whole book (every page executed; target 60 s on two
cores), the time of the test suite, then the conv2d benchmark and, where present, the
rebuild benchmark, each of which prints its own ratios. Timings on a shared machine
move with its load; the ratios inside one run are the figures to compare.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CLEAN_BUILD_TARGET_S = 60.0


def _timed(cmd: list[str], **kwargs: object) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, **kwargs)
    return time.perf_counter() - start, result


def clean_build() -> float:
    for sub in ("html", "jupyter_execute", ".doctrees", ".jupyter_cache"):
        shutil.rmtree(ROOT / "_build" / sub, ignore_errors=True)
    seconds, result = _timed([str(BIN / "jupyter-book"), "build", ".", "-W", "-n", "--keep-going"],
                             env={**os.environ, "DLCALC_CLEAN_BUILD": "1"})
    if result.returncode != 0:
        print(result.stdout[-3000:], result.stderr[-3000:], file=sys.stderr)
        raise SystemExit("the clean build failed; no timing reported")
    return seconds


def test_suite() -> tuple[float, str]:
    seconds, result = _timed([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"])
    summary = [line for line in result.stdout.splitlines() if " passed" in line or " failed" in line]
    return seconds, summary[-1] if summary else "no summary"


def _run_module_main(path: Path) -> None:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main()


def main() -> None:
    print(f"machine: {os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f} at start")
    build_s = clean_build()
    verdict = "met" if build_s <= CLEAN_BUILD_TARGET_S else "NOT met"
    print(f"clean book build: {build_s:.1f} s  (target {CLEAN_BUILD_TARGET_S:.0f} s: {verdict}; "
          f"{build_s / CLEAN_BUILD_TARGET_S:.2f} of the target)")
    suite_s, summary = test_suite()
    print(f"test suite: {suite_s:.1f} s  ({summary}; {suite_s / build_s:.2f} x the clean build)")
    for name in ("conv.py", "rebuild.py"):
        path = ROOT / "benchmarks" / name
        if path.exists():
            print(f"--- {name}")
            sys.stdout.flush()
            _run_module_main(path)
    print(f"load average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
