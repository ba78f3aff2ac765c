"""An on-disk store for expensive results (training runs), never stale.

:func:`memo` wraps a function so that, when the environment variable
``DLCALC_CACHE_DIR`` names a folder, its result is stored there and reused. The key
is a fingerprint of everything the result can depend on: the source of every module
of the dlcalc package (so any change to any code it may call makes a new key), the
versions of Python, numpy and matplotlib, the function's qualified name and its
arguments. Without the variable the function simply runs.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import platform
import tempfile
from pathlib import Path
from typing import Any, Callable, TypeVar

import matplotlib
import numpy as np

__all__: list[str] = []

F = TypeVar("F", bound=Callable[..., Any])

CACHE_ENV = "DLCALC_CACHE_DIR"
PACKAGE = Path(__file__).resolve().parent


def package_fingerprint() -> str:
    """Hash of every source file of dlcalc and of the versions results depend on."""
    h = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*.py")):
        h.update(str(path.relative_to(PACKAGE)).encode())
        h.update(path.read_bytes())
    h.update(f"{platform.python_version()} {np.__version__} {matplotlib.__version__}".encode())
    return h.hexdigest()


def key_of(func: Callable[..., Any], args: tuple, kwargs: dict) -> str:
    h = hashlib.sha256(package_fingerprint().encode())
    h.update(f"{func.__module__}.{func.__qualname__}".encode())
    h.update(pickle.dumps((args, sorted(kwargs.items())), protocol=4))
    return h.hexdigest()


def memo(func: F) -> F:
    """Store ``func``'s results under ``$DLCALC_CACHE_DIR`` (see the module docstring)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        folder = os.environ.get(CACHE_ENV)
        if not folder:
            return func(*args, **kwargs)
        path = Path(folder) / f"{key_of(func, args, kwargs)}.pkl"
        if path.exists():
            with path.open("rb") as f:
                return pickle.load(f)
        result = func(*args, **kwargs)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written under a temporary name and renamed: an interrupted run leaves no
        # half-written entry, and two pages computing the same key do not collide.
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            pickle.dump(result, f, protocol=4)
        os.replace(tmp, path)
        return result

    return wrapper  # type: ignore[return-value]
