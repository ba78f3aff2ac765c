"""An on-disk store for expensive results (training runs), never stale.

:func:`memo` wraps a function so that, when the environment variable
``DLCALC_CACHE_DIR`` names a folder, its result is stored there and reused by every
later call with the same arguments, in any process (the pages of one book build share
it: ``make book`` sets it to ``_build/.dlcalc_memo``). The key is a fingerprint of
everything the result can depend on:

- the source of every module of the dlcalc package, so a change to any code the
  function may call makes a new key (no analysis of what it calls, so nothing missed);
- the versions of Python, numpy and matplotlib, and of every installed distribution
  (scikit-learn's digits, for example);
- the function's qualified name (and, for a function defined outside dlcalc, the source
  of its module) and its arguments (pickled: problems are frozen
  dataclasses of tuples, so equal data gives equal bytes).

Without the variable the function simply runs. An entry is written under a temporary
name and renamed when complete, so an interrupted run leaves no entry; while one process
computes a key, another asking for the same key waits for it (a lock file) instead of
computing it again. joblib's ``Memory`` keys a result on the function's own code only, not
on the code it calls, which is why this store is dlcalc's own.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import inspect
import os
import pickle
import platform
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

__all__: list[str] = []

F = TypeVar("F", bound=Callable[..., Any])

CACHE_ENV = "DLCALC_CACHE_DIR"
PACKAGE = Path(__file__).resolve().parent


@functools.lru_cache(maxsize=1)
def _distributions() -> str:
    names = set()
    for dist in importlib.metadata.distributions():
        try:
            names.add(f"{dist.metadata['Name']}=={dist.version}")
        except Exception:  # pragma: no cover - a distribution with broken metadata
            continue
    return "\n".join(sorted(names))


def package_fingerprint() -> str:
    """Hash of every source file of dlcalc and of the versions results depend on."""
    import matplotlib
    import numpy as np

    h = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*.py")):
        h.update(str(path.relative_to(PACKAGE)).encode() + b"\0")
        h.update(path.read_bytes() + b"\0")
    h.update(f"{platform.python_version()} {np.__version__} {matplotlib.__version__}".encode())
    h.update(_distributions().encode())
    return h.hexdigest()


def key_of(func: Callable[..., Any], args: tuple, kwargs: dict) -> str:
    """The store's key for ``func(*args, **kwargs)``."""
    h = hashlib.sha256(package_fingerprint().encode())
    h.update(f"{func.__module__}.{func.__qualname__}".encode() + b"\0")
    try:  # a function defined outside the package: its own module's source too
        source = Path(inspect.getsourcefile(func) or "")
    except TypeError:
        source = Path("")
    if source.is_file() and not source.resolve().is_relative_to(PACKAGE):
        h.update(source.read_bytes() + b"\0")
    h.update(pickle.dumps((args, sorted(kwargs.items())), protocol=4))
    return h.hexdigest()


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (released by the system if the process dies)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock, at worst computed twice
        yield
        return
    with open(path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _load(path: Path) -> tuple[bool, Any]:
    try:
        with path.open("rb") as f:
            return True, pickle.load(f)
    except FileNotFoundError:
        return False, None
    except Exception:  # unreadable (e.g. a class that no longer unpickles): recompute
        return False, None


def memo(func: F) -> F:
    """Store ``func``'s results under ``$DLCALC_CACHE_DIR`` (see the module docstring)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        folder = os.environ.get(CACHE_ENV)
        if not folder:
            return func(*args, **kwargs)
        key = key_of(func, args, kwargs)
        path = Path(folder) / f"{key}.pkl"
        found, value = _load(path)
        if found:
            return value
        path.parent.mkdir(parents=True, exist_ok=True)
        with _locked(path.with_suffix(".lock")):
            found, value = _load(path)  # computed by another process meanwhile
            if found:
                return value
            result = func(*args, **kwargs)
            # Written under a temporary name and renamed: an interrupted run leaves no
            # half-written entry.
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as f:
                    pickle.dump(result, f, protocol=4)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        return result

    return wrapper  # type: ignore[return-value]
