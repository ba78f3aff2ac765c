"""The on-disk store of expensive results (dlcalc/_memo.py).

Each test counts the real computations of a wrapped function (a file it appends to, so
that other processes count too) and checks, by that count, when the store answers and
when it computes: a hit, a miss after an edit of a function the wrapped one calls, a miss
after a version change, no entry after an interrupted write, one computation when two
processes ask at once.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from dlcalc import _memo


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "memo"
    monkeypatch.setenv(_memo.CACHE_ENV, str(folder))
    return folder


@pytest.fixture
def toypkg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A package standing for dlcalc: its source is what the key fingerprints."""
    pkg = tmp_path / "toypkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "helper.py").write_text("def rate():\n    return 2\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(_memo, "PACKAGE", pkg.resolve())
    import toypkg.helper  # noqa: F401  (the module the wrapped function calls)

    yield pkg
    for name in ("toypkg.helper", "toypkg"):
        sys.modules.pop(name, None)


def counted(log: Path):
    """A function that appends to ``log`` each time it really computes."""

    def train(steps: int, lr: float = 0.1) -> dict:
        helper = sys.modules.get("toypkg.helper")
        with open(log, "a") as f:
            f.write("x")
        return {"loss": steps * lr * (helper.rate() if helper else 1)}

    return _memo.memo(train)


def computations(log: Path) -> int:
    return len(log.read_text()) if log.exists() else 0


def test_a_second_call_is_answered_by_the_store(store: Path, tmp_path: Path) -> None:
    log = tmp_path / "log"
    train = counted(log)
    assert train(10, lr=0.5) == {"loss": 5.0}  # 10 * 0.5
    assert train(10, lr=0.5) == {"loss": 5.0}
    assert computations(log) == 1
    assert len(list(store.glob("*.pkl"))) == 1
    assert counted(log)(10, lr=0.5) == {"loss": 5.0}  # another wrapper, same function
    assert computations(log) == 1
    assert train(11, lr=0.5) == {"loss": 5.5}  # other arguments: computed
    assert computations(log) == 2


def test_without_the_variable_nothing_is_stored(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv(_memo.CACHE_ENV, raising=False)
    log = tmp_path / "log"
    train = counted(log)
    train(1)
    train(1)
    assert computations(log) == 2


def test_an_edit_of_a_called_function_is_a_miss(store: Path, tmp_path: Path, toypkg) -> None:
    log = tmp_path / "log"
    train = counted(log)
    assert train(10) == {"loss": 2.0}  # 10 * 0.1 * 2
    (toypkg / "helper.py").write_text("def rate():\n    return 3\n")
    importlib.reload(sys.modules["toypkg.helper"])
    assert train(10) == pytest.approx({"loss": 3.0})  # 10 * 0.1 * 3, computed again
    assert computations(log) == 2
    (toypkg / "helper.py").write_text("def rate():\n    return 2\n")  # the undo: a hit
    importlib.reload(sys.modules["toypkg.helper"])
    assert train(10) == {"loss": 2.0}
    assert computations(log) == 2


def test_a_version_change_is_a_miss(store: Path, tmp_path: Path, monkeypatch) -> None:
    log = tmp_path / "log"
    train = counted(log)
    train(3)
    monkeypatch.setattr(np, "__version__", np.__version__ + ".post1")
    train(3)
    assert computations(log) == 2


def test_the_key_covers_the_package_the_versions_and_the_arguments(toypkg) -> None:
    def f(x):
        return x

    base = _memo.key_of(f, (1,), {})
    assert _memo.key_of(f, (1,), {}) == base
    assert _memo.key_of(f, (2,), {}) != base
    assert _memo.key_of(f, (1,), {"y": 1}) != base
    (toypkg / "new.py").write_text("X = 1\n")  # any file of the package
    assert _memo.key_of(f, (1,), {}) != base


KILLED = textwrap.dedent('''
    import os, signal, sys
    from dlcalc import _memo

    class Killer:
        def __reduce__(self):  # the process dies in the middle of writing the entry
            os.kill(os.getpid(), signal.SIGKILL)

    @_memo.memo
    def train(n):
        return [b"w" * 200_000, Killer()]

    train(1)
''')


def test_an_interrupted_write_leaves_no_entry(store: Path, tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-c", KILLED], capture_output=True,
                            env=dict(os.environ))
    assert result.returncode == -signal.SIGKILL
    assert list(store.glob("*.pkl")) == []  # perhaps a .tmp, never an entry
    log = tmp_path / "log"
    assert counted(log)(1) == {"loss": 0.1}
    assert computations(log) == 1


def _ask(folder: str, log: str) -> float:
    os.environ[_memo.CACHE_ENV] = folder

    def slow(n: int) -> float:
        import time

        with open(log, "a") as f:
            f.write("x")
        time.sleep(1.0)
        return n / 4

    slow.__qualname__ = "slow"
    return _memo.memo(slow)(6)


def test_two_processes_asking_at_once_compute_once(store: Path, tmp_path: Path) -> None:
    log = tmp_path / "log"
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(2) as pool:
        results = pool.starmap(_ask, [(str(store), str(log))] * 2)
    assert results == [1.5, 1.5]  # 6 / 4
    assert computations(log) == 1
