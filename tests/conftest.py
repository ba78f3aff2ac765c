"""Shared pytest configuration.

The comparisons with PyTorch skip when torch is not installed (`make test` does not install
it). With DLCALC_REQUIRE_TORCH=1 (`make compare`, CI's compare job) such a skip is a
failure instead, so a run that claims to compare with PyTorch cannot pass without it.

The `server` fixture serves the built book to the browser tests.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from typing import Any

import pytest

REQUIRE_TORCH = "DLCALC_REQUIRE_TORCH"


def _skipped_for_missing_torch(report: pytest.TestReport) -> bool:
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    return report.skipped and "could not import 'torch'" in reason


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]
                              ) -> Generator[None, Any, None]:
    outcome = yield
    report = outcome.get_result()
    if os.environ.get(REQUIRE_TORCH) == "1" and _skipped_for_missing_torch(report):
        report.outcome = "failed"
        report.longrepr = f"{REQUIRE_TORCH}=1, but torch cannot be imported: {report.longrepr}"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """The built book served on localhost, for the browser tests (test_browser.py,
    test_column.py): its address. (pagecheck is imported here, so that the torch hook
    above works in a conftest.py copied on its own, as test_workflow.py does.)"""
    from pagecheck import ROOT, serve

    html = ROOT / "_build" / "html"
    if not (html / "index.html").exists():
        pytest.fail("the book is not built: run `make book` (make test does it first)")
    with serve(html) as address:
        yield address
