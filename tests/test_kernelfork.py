"""Kernels forked from a preloaded process (book/_ext/kernelfork.py) behave as kernels
started the usual way: the same notebook gives the same outputs in both, they answer
interrupts, and neither a kernel nor the zygote outlives its use."""

from __future__ import annotations

import asyncio
import os
import sys
import subprocess
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))
import kernelfork  # noqa: E402

# A figure with mathtext in its title, legend, labels and log-axis ticks, shown with the
# inline backend's tight bounding box (two renderers of different sizes draw it).
MATH_FIGURE = """import matplotlib.pyplot as plt
fig, ax = plt.subplots(figsize=(3, 2))
ax.plot([1, 10, 100], [1e-3, 1e-2, 1e-1], "o-", label=r"$\\hat m_t / (1 - \\beta_1^t)$")
ax.set_xscale("log")
ax.set_yscale("log")
ax.set_title(r"$\\eta = 10^{-2}$, $\\sqrt{\\hat v_t} + \\epsilon$")
ax.set_xlabel(r"step $t$")
_ = ax.legend()"""

# What a page can see of the process it runs in: where it is, what it imports from its
# folder, its environment and sys.path, which matplotlib backend draws its figures (and
# that a figure comes out as an image), and what it has imported before its first cell.
CELLS = [
    "import os, sys\nprint(os.getcwd())\nprint(sys.path[0] == '' and '' or sys.path[0])",
    "import pagelocal\nprint(pagelocal.VALUE, os.environ.get('KF_TEST'))",
    "print([p for p in sys.path if 'site-packages' in p or 'python3' in p][:4])",
    "print(os.path.basename(sys.argv[0]), 'records' in sys.modules)",
    "import matplotlib\nimport matplotlib.pyplot as plt\nprint(matplotlib.get_backend())\n"
    "fig, ax = plt.subplots(figsize=(1, 1))\n_ = ax.plot([0, 1], [1, 0])",
    MATH_FIGURE,
    MATH_FIGURE,  # drawn again: a forked kernel's mathtext comes from its cache
    "print(os.getpid(), os.getppid())",
]


def run(folder: Path, manager: type | None) -> tuple[list[list[dict]], int, int]:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    extra = {"kernel_manager_class": manager} if manager is not None else {}
    NotebookClient(nb, timeout=60, resources={"metadata": {"path": str(folder)}},
                   **extra).execute()
    outputs = [[{k: v for k, v in o.items() if k != "execution_count"} for o in c.outputs]
               for c in nb.cells]
    pid, parent = map(int, outputs[-1][0]["text"].split())
    return outputs[:-1], pid, parent


def gone(pid: int, within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def zygote(monkeypatch):
    monkeypatch.setenv("KF_TEST", "from the environment")
    z = kernelfork.Zygote()
    yield z
    z.close()


def manager_for(zygote: kernelfork.Zygote) -> type:
    return type("TestManager", (kernelfork.ForkingKernelManager,), {"zygote": zygote})


def test_a_forked_kernel_shows_what_a_new_kernel_shows(tmp_path: Path, zygote) -> None:
    (tmp_path / "pagelocal.py").write_text("VALUE = 41 + 1\n")
    plain, plain_pid, plain_parent = run(tmp_path, None)
    forked, forked_pid, forked_parent = run(tmp_path, manager_for(zygote))
    assert forked == plain
    text = "".join(o.get("text", "") for cell in plain for o in cell)
    assert str(tmp_path) in text and "42 from the environment" in text
    assert "ipykernel_launcher.py False" in text  # no module of the book preloaded
    assert "module://matplotlib_inline.backend_inline" in text
    assert any("image/png" in o.get("data", {}) for o in plain[4])
    # the mathtext figures, pixel for pixel (PNG bytes), twice
    assert all("image/png" in o.get("data", {}) for o in plain[5] + plain[6])
    # the forked kernel is the zygote's child; both kernels have ended
    assert forked_parent == zygote.process.pid and plain_parent == os.getpid()
    assert gone(forked_pid) and gone(plain_pid)


def test_an_interrupt_reaches_a_forked_kernel(zygote) -> None:
    async def interrupted() -> str:
        km = manager_for(zygote)(kernel_name="python3")
        await km.start_kernel()
        kc = km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=60)
            msg_id = kc.execute("import time\ntime.sleep(60)")
            await asyncio.sleep(1.0)
            await km.interrupt_kernel()
            while True:
                reply = await kc.get_shell_msg(timeout=30)
                if reply["parent_header"].get("msg_id") == msg_id:
                    return reply["content"].get("ename", reply["content"]["status"])
        finally:
            kc.stop_channels()
            await km.shutdown_kernel(now=False)
            assert not await km.is_alive()

    assert asyncio.run(interrupted()) == "KeyboardInterrupt"


def test_the_zygote_refuses_what_is_not_a_kernel_and_ends_when_closed() -> None:
    z = kernelfork.Zygote()
    with pytest.raises(RuntimeError, match="not a command line of ipykernel_launcher"):
        z.fork([sys.executable, "-c", "print(1)"], "/", dict(os.environ))
    z.close()
    assert z.process.returncode == 0


def test_a_forked_kernel_ends_with_its_zygote() -> None:
    async def kernel_pid(z: kernelfork.Zygote) -> tuple[int, str]:
        km = manager_for(z)(kernel_name="python3")
        await km.start_kernel()
        kc = km.client()
        kc.start_channels()
        await kc.wait_for_ready(timeout=60)
        kc.stop_channels()
        return km.provisioner.pid, km.connection_file

    z = kernelfork.Zygote()
    pid, connection_file = asyncio.run(kernel_pid(z))
    assert not gone(pid, within=0.5)  # running, as long as the zygote does
    z.process.kill()  # the zygote ends without a word to its kernels
    z.process.wait()
    assert gone(pid)  # the kernel's watch on its parent ends it
    Path(connection_file).unlink(missing_ok=True)


def test_renderers_share_one_mathtext_parser_and_draw_the_same_pixels() -> None:
    """``share_mathtext`` (the zygote's): the PNG bytes of figures drawn with it, each twice,
    are those drawn without it (in another process, where matplotlib is as it ships), and
    the second drawing of each parses nothing."""
    script = f"""
import hashlib, io, sys
import matplotlib
matplotlib.use("agg")
import matplotlib.pyplot as plt
from matplotlib import mathtext
sys.path.insert(0, {str(ROOT / "book" / "_ext")!r})
if sys.argv[1] == "shared":
    import kernelfork
    kernelfork.share_mathtext()
for run in range(2):
    for dpi in (72, 100):
        exec({MATH_FIGURE!r})
        out = io.BytesIO()
        fig.savefig(out, format="png", dpi=dpi, bbox_inches="tight")
        plt.close(fig)
        print(run, dpi, hashlib.sha256(out.getvalue()).hexdigest())
print(mathtext.MathTextParser._parse_cached.cache_info().misses)
"""
    def draw(mode: str) -> list[str]:
        done = subprocess.run([sys.executable, "-c", script, mode], capture_output=True,
                              text=True, check=True)
        return done.stdout.split("\n")

    plain, shared = draw("plain"), draw("shared")
    assert shared[:4] == plain[:4]
    assert len(set(line.split()[-1] for line in plain[:4])) == 2  # one per dpi
    # strings parsed: without sharing, by each renderer (two per figure) again
    assert 0 < int(shared[4]) < int(plain[4])


def test_the_book_loads_kernelfork_first_then_what_jupyter_book_would() -> None:
    """The extension list of ``_config.yml`` is jupyter-book's own (its defaults, then the
    book's added ones, then its local extensions), with kernelfork moved to the front: an
    upgrade of jupyter-book that changes its defaults shows here."""
    import yaml
    from jupyter_book.config import get_default_sphinx_config

    sphinx = yaml.safe_load((ROOT / "_config.yml").read_text())["sphinx"]
    listed = sphinx["config"]["extensions"]
    added = ["sphinx.ext.autodoc", "numpydoc", "sphinx_exercise", "sphinx_codeautolink"]
    local = [name for name in sphinx["local_extensions"] if name != "kernelfork"]
    assert listed == ["kernelfork", *get_default_sphinx_config()["extensions"], *added, *local]
    assert set(sphinx["local_extensions"].values()) == {"book/_ext"}


def test_kernelfork_as_an_extension_starts_the_zygote_once(monkeypatch, tmp_path) -> None:
    import depcache

    monkeypatch.setenv("DLCALC_JOBS", "2")
    monkeypatch.delenv("DLCALC_FORK", raising=False)
    app = type("App", (), {"srcdir": str(tmp_path)})()
    (tmp_path / "__pycache__").mkdir()
    assert kernelfork.setup(app)["parallel_read_safe"]
    zygote = app._depcache_zygote
    try:
        assert isinstance(zygote, kernelfork.Zygote)
        assert not (tmp_path / "__pycache__").exists()  # cleared before the zygote imports
        depcache.start_zygote(app)  # depcache's own setup: nothing more
        assert app._depcache_zygote is zygote
    finally:
        zygote.close()
    # one job, or DLCALC_FORK=0: no zygote
    for name, value in (("DLCALC_JOBS", "1"), ("DLCALC_FORK", "0")):
        monkeypatch.setenv(name, value)
        other = type("App", (), {"srcdir": str(tmp_path)})()
        kernelfork.setup(other)
        assert other._depcache_zygote is None
        monkeypatch.setenv("DLCALC_JOBS", "2")
