"""The GitHub Actions workflow runs what the README tells a newcomer to run, and publishes
only what passed.

The README's commands are read from its ```bash blocks; the workflow's from its `run:`
steps. CI must run the README's test command (and `.ci/run` too), and each of its other
jobs runs a command the README documents, so the two cannot drift.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

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


# Each job's one command, as the README documents it.
JOB_COMMANDS = {
    "build": "make test",
    "newest": "make test NEWEST=1",
    "lowest": "make lowest",
    "compare": "make compare",
}


def test_every_other_job_runs_a_readme_command() -> None:
    jobs = workflow()["jobs"]
    assert set(jobs) == set(JOB_COMMANDS) | {"deploy"}
    for name, command in JOB_COMMANDS.items():
        assert run_commands(jobs[name]) == [command], name
    assert set(JOB_COMMANDS.values()) | {"make lint"} <= readme_commands()


def setup_python(job: dict) -> dict:
    return next(s for s in job["steps"] if s.get("uses", "").startswith("actions/setup-python"))


def test_ci_sets_up_python_and_checks_out() -> None:
    jobs = workflow()["jobs"]
    for name in JOB_COMMANDS:
        assert uses(jobs[name])[:2] == ["actions/checkout", "actions/setup-python"], name
    # The lock is tested on 3.11; newest on the newest Python the classifiers declare, lowest
    # on the oldest (the floor of requires-python).
    versions = {name: str(setup_python(jobs[name])["with"]["python-version"])
                for name in JOB_COMMANDS}
    assert versions == {"build": "3.11", "compare": "3.11", "newest": "3.13", "lowest": "3.10"}
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'requires-python = ">=3.10"' in pyproject
    assert '"Programming Language :: Python :: 3.13"' in pyproject
    assert '"Programming Language :: Python :: 3.14"' not in pyproject


def test_every_job_caches_pip_keyed_on_what_it_installs() -> None:
    jobs = workflow()["jobs"]
    for name in JOB_COMMANDS:
        options = setup_python(jobs[name])["with"]
        assert options["cache"] == "pip", name
        locked = name in ("build", "compare")
        assert options["cache-dependency-path"] == (
            "requirements/*.txt" if locked else "pyproject.toml"), name


# The first major of each action that runs on Node 24 (GitHub has retired Node 20 on its
# hosted runners; upload-pages-artifact is composite, and runs upload-artifact v7 from v5).
NODE24_MAJOR = {
    "actions/checkout": 5,
    "actions/setup-python": 6,
    "actions/upload-pages-artifact": 5,
    "actions/deploy-pages": 5,
}


def test_actions_are_on_majors_that_run_on_node_24() -> None:
    steps = [s for job in workflow()["jobs"].values() for s in job["steps"] if "uses" in s]
    assert steps
    for step in steps:
        action, _, ref = step["uses"].partition("@")
        assert action in NODE24_MAJOR, f"{action}: which major runs on Node 24?"
        major = re.fullmatch(r"v(\d+)", ref)
        assert major and int(major.group(1)) >= NODE24_MAJOR[action], step["uses"]


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


# Variables a make run that started these tests passes down (make exports its command-line
# variables, e.g. CI's `make test NEWEST=1`); the dry runs below set their own.
MAKE_VARIABLES = {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "NEWEST", "TORCH_INDEX", "VENV", "PYTHON",
                  "LOWEST_PYTHON"}


def make_dry_run(*args: str) -> list[str]:
    """The commands `make -n` would run in the repository (nothing is run)."""
    env = {k: v for k, v in os.environ.items() if k not in MAKE_VARIABLES}
    done = subprocess.run(["make", "-n", "--always-make", *args], cwd=ROOT,
                          capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_make_test_builds_the_pdfs_the_site_offers() -> None:
    makefile = (ROOT / "Makefile").read_text()
    target = re.search(r"^test:(.*)$", makefile, re.M)
    assert target and "pdf" in target.group(1).split()


def test_make_test_lints_first() -> None:
    makefile = (ROOT / "Makefile").read_text()
    target = re.search(r"^test:(.*)$", makefile, re.M)
    assert target and target.group(1).split()[0] == "lint"
    lines = make_dry_run("lint")
    assert ".venv/bin/ruff check ." in lines and ".venv/bin/mypy" in lines
    mypy = (ROOT / "pyproject.toml").read_text(encoding="utf-8").split("[tool.mypy]")[1]
    assert 'files = ["dlcalc"]' in mypy and "disallow_untyped_defs = true" in mypy


def test_book_and_test_install_the_lock_then_dlcalc_without_dependencies() -> None:
    for goal, lock in (("install-book", "requirements/book.txt"),
                       ("install-test", "requirements/test.txt")):
        lines = make_dry_run(goal)
        installs = [line for line in lines if " install " in line and "pip" in line]
        assert any(line.endswith(f"-r {lock}") for line in installs), (goal, installs)
        assert any(line.endswith("--no-deps -e .") for line in installs), (goal, installs)
        assert not any("'.[" in line for line in installs), (goal, installs)
    newest = [line for line in make_dry_run("install-test", "NEWEST=1") if " install " in line]
    assert any("--upgrade" in line and "-e '.[test]'" in line for line in newest), newest


def test_compare_installs_torch_and_requires_it() -> None:
    lines = make_dry_run("compare")
    install = next(i for i, line in enumerate(lines) if "torch==" in line)
    run = next(i for i, line in enumerate(lines) if "pytest" in line)
    assert install < run
    assert lines[run].startswith("DLCALC_REQUIRE_TORCH=1 ") and "-k torch" in lines[run]
    # the workflow's compare job points pip at CPU builds
    compare = workflow()["jobs"]["compare"]
    assert compare["env"]["TORCH_INDEX"].endswith("/whl/cpu")
    assert any("--extra-index-url " + compare["env"]["TORCH_INDEX"] in line
               for line in make_dry_run("compare", f"TORCH_INDEX={compare['env']['TORCH_INDEX']}"))


def test_lowest_installs_exactly_the_declared_floors() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    floors = dict(re.findall(r'"(numpy|matplotlib|scikit-learn)>=([\d.]+)"', pyproject))
    assert set(floors) == {"numpy", "matplotlib", "scikit-learn"}
    install = next(line for line in make_dry_run("lowest") if " install " in line)
    for name, version in floors.items():
        assert f" {name}=={version} " in f" {install} "
    run = next(line for line in make_dry_run("lowest") if "-m pytest" in line)
    assert "tests/test_layers.py" in run.split() and "dlcalc" in run.split()
    assert "tests/test_pages.py" not in run.split()


def test_a_missing_torch_fails_when_required(tmp_path: Path) -> None:
    """tests/conftest.py: under DLCALC_REQUIRE_TORCH=1, a skip for a missing torch fails."""
    shutil.copy(ROOT / "tests" / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "test_x.py").write_text(
        "import sys\nimport pytest\n\n"
        "def test_needs_torch(monkeypatch):\n"
        "    monkeypatch.setitem(sys.modules, 'torch', None)  # as if it were not installed\n"
        "    pytest.importorskip('torch')\n\n"
        "def test_other_skip():\n"
        "    pytest.skip('unrelated')\n")

    def outcome(require: str | None) -> str:
        env = {k: v for k, v in os.environ.items() if k != "DLCALC_REQUIRE_TORCH"}
        env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # the hook needs no plugin: faster
        if require is not None:
            env["DLCALC_REQUIRE_TORCH"] = require
        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                               "-o", "addopts=", str(tmp_path)],
                              cwd=tmp_path, capture_output=True, text=True, env=env)
        return done.stdout.strip().splitlines()[-1]

    assert re.match(r"2 skipped in ", outcome(None))
    assert re.match(r"2 skipped in ", outcome("0"))
    assert re.match(r"1 failed, 1 skipped in ", outcome("1"))
