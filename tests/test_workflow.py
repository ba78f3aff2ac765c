"""The GitHub Actions workflow runs what the README tells a newcomer to run, and publishes
only what passed.

The README's commands are read from its ```bash blocks; the workflow's from its `run:`
steps. CI must run the README's test command (and `.ci/run` too), so the two cannot drift.
"""

from __future__ import annotations

import re

import pytest

from pagecheck import ROOT

yaml = pytest.importorskip("yaml")

WORKFLOW = ROOT / ".github" / "workflows" / "book.yml"
README = ROOT / "README.md"
MAIN_PUSH = "github.event_name == 'push' && github.ref == 'refs/heads/main'"


def readme_commands() -> set[str]:
    blocks = re.findall(r"^```bash\n(.*?)^```", README.read_text(encoding="utf-8"), re.M | re.S)
    lines = (line.split("#")[0].strip() for block in blocks for line in block.splitlines())
    return {line for line in lines if line}


def workflow() -> dict:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def run_commands(job: dict) -> list[str]:
    return [line.strip() for step in job["steps"] if "run" in step
            for line in step["run"].splitlines() if line.strip()]


def uses(job: dict) -> list[str]:
    return [step["uses"].split("@")[0] for step in job["steps"] if "uses" in step]


def test_the_readme_names_its_commands() -> None:
    assert {"make book", "make test", "make pdf"} <= readme_commands()


def test_ci_runs_exactly_the_readme_test_command() -> None:
    flow = workflow()
    assert set(flow["on"]) == {"push", "pull_request"}
    build = flow["jobs"]["build"]
    assert run_commands(build) == ["make test"]
    assert set(run_commands(build)) <= readme_commands()
    ci_run = (ROOT / ".ci" / "run").read_text().splitlines()
    assert ci_run[-1] == "make test"


def test_ci_sets_up_python_and_checks_out() -> None:
    build = workflow()["jobs"]["build"]
    assert uses(build)[:2] == ["actions/checkout", "actions/setup-python"]
    setup = next(s for s in build["steps"] if s.get("uses", "").startswith("actions/setup-python"))
    assert str(setup["with"]["python-version"]) == "3.11"


def test_only_a_passing_build_of_main_is_published() -> None:
    jobs = workflow()["jobs"]
    build, deploy = jobs["build"], jobs["deploy"]
    steps = build["steps"]
    upload = next((i for i, s in enumerate(steps) if s.get("uses", "").startswith(
        "actions/upload-pages-artifact")), None)
    test = next((i for i, s in enumerate(steps) if s.get("run", "").strip() == "make test"), None)
    assert upload is not None and test is not None and test < upload
    assert steps[upload]["if"] == MAIN_PUSH and steps[upload]["with"]["path"] == "_build/html"
    assert deploy["needs"] == "build" and deploy["if"] == MAIN_PUSH
    assert uses(deploy) == ["actions/deploy-pages"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert workflow()["permissions"] == {"contents": "read"}


def test_make_test_builds_the_pdfs_the_site_offers() -> None:
    makefile = (ROOT / "Makefile").read_text()
    target = re.search(r"^test:(.*)$", makefile, re.M)
    assert target and "pdf" in target.group(1).split()
