"""How ``numpy.inv`` beside this file was made (see README.md here): run once by hand, not
by the build.

    pip download --no-deps nbdev-numpy==0.0.2386       # the wheel, from PyPI
    python make_numpy_inv.py OBJECTS_NUMPY_1_13.inv nbdev_numpy-0.0.2386-py3-none-any.whl

Two inputs, both copies of NumPy's own documentation inventory:

- NumPy 1.13's ``objects.inv`` (sphobjinv's test resources): every Python object with its
  role, among them the ufuncs and constants (``py:data``);
- nbdev-numpy's ``_modidx.py``: the functions, classes, methods and modules of the inventory
  of NumPy's stable documentation in February 2026, as full addresses, without roles.

The output holds the Python objects of both: where a name is in both, the 2026 address;
a name only in 2026's gets its role from where nbdev files it (a method under its module two
levels up) and, for the others, from the installed NumPy (module, class or function).
"""

from __future__ import annotations

import ast
import importlib
import inspect
import sys
import zipfile
import zlib
from pathlib import Path

from sphinx.util.inventory import InventoryFile

STABLE = "https://numpy.org/doc/stable/"


def read_old(path: Path) -> dict[str, tuple[str, str]]:
    """name -> (role, address relative to the documentation's root), Python objects only."""
    with path.open("rb") as stream:
        inventory = InventoryFile.load(stream, "", lambda base, uri: uri)
    return {name: (role, entry[2]) for role, entries in inventory.items()
            if role.startswith("py:") for name, entry in entries.items()}


def read_nbdev(wheel: Path) -> dict[str, tuple[str, str]]:
    """name -> (module nbdev files it under, full address)."""
    with zipfile.ZipFile(wheel) as archive:
        source = archive.read("nbdev_numpy/_modidx.py").decode()
    index = ast.literal_eval(source.split("d = ", 1)[1])
    return {name: (module, address) for module, names in index["syms"].items()
            for name, address in names.items()}


def role_of(name: str, module: str) -> str:
    if module == name.rsplit(".", 2)[0] != name.rsplit(".", 1)[0]:
        return "py:method"
    parent, _, attr = name.rpartition(".")
    try:
        obj = getattr(importlib.import_module(parent), attr)
    except (ImportError, AttributeError):
        try:
            obj = importlib.import_module(name)
        except ImportError:
            return "py:function"
    if inspect.ismodule(obj):
        return "py:module"
    return "py:class" if inspect.isclass(obj) else "py:function"


def main(old_path: str, wheel: str, out: str = "numpy.inv") -> None:
    entries = read_old(Path(old_path))
    for name, (module, address) in read_nbdev(Path(wheel)).items():
        if not address.startswith(STABLE):
            continue
        role = entries[name][0] if name in entries else role_of(name, module)
        entries[name] = (role, address[len(STABLE):])
    lines = [f"{name} {role} 1 {uri} -" for name, (role, uri) in sorted(entries.items())]
    header = ("# Sphinx inventory version 2\n# Project: NumPy\n# Version: 1.13 and stable (2026)\n"
              "# The remainder of this file is compressed using zlib.\n")
    Path(out).write_bytes(header.encode() + zlib.compress("\n".join(lines).encode() + b"\n", 9))
    print(f"{out}: {len(lines)} objects")


if __name__ == "__main__":
    main(*sys.argv[1:])
