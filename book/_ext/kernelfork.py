"""Kernels for depcache's parallel execution, forked from one process that has already
imported what every page imports.

A Jupyter kernel started the usual way is a new Python process that imports ipykernel,
IPython, numpy, matplotlib and dlcalc before the page's first cell runs: about 1.2
CPU-seconds per page, paid again by each of the book's executed pages. Here one process,
the *zygote*, imports them once (while Sphinx is still starting, on the other core), and
every kernel is a fork of it: the page's kernel starts with those modules already in
memory, shared copy-on-write, and runs exactly the ``ipykernel_launcher`` it would have
run, with the same command line, working folder, environment and ``sys.path``.

What the zygote must not do before forking, so that a forked kernel behaves as a fresh
one: start threads or event loops (the modules are imported, nothing is run), or choose
matplotlib's backend (it sets ``MPLBACKEND`` as ipykernel would, and leaves the inline
backend's module to be imported in the kernel, where it hooks into the kernel's shell).
It imports only installed packages, never the book's own ``records``, which a page finds
from its own folder. It draws one small figure (without pyplot, on a canvas of its own),
so that what matplotlib sets up on its first drawing is done once, and it gives matplotlib's
Agg renderers one mathtext parser to share (:func:`share_mathtext`; the same pixels, each
string parsed once per kernel instead of once per drawing).

:class:`ForkingKernelManager` is a jupyter_client kernel manager whose kernels come from
a :class:`Zygote` (nbclient's ``kernel_manager_class``); everything else (connection files,
messages, interrupts, shutdown) is jupyter_client's own. A kernel is put in a session of its
own, as jupyter_client does, so interrupts and kills reach its process group; it watches
the zygote as a kernel watches its parent, so none outlives a build.
"""

from __future__ import annotations

import gc
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner

#: Imported by the zygote; every executed page of the book imports these.
PRELOAD = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    # what a kernel imports as it starts, after the fork (its debugger's modules, for its
    # history, its usage reports): half of a forked kernel's CPU before its first cell
    "ipykernel.debugger",
    "psutil",
    "pdb",
    "sqlite3",
    "http.server",
    "IPython.display",
    "numpy",
    "matplotlib",
    "matplotlib.pyplot",
    "myst_nb",
    "dlcalc",
    "dlcalc.problems",
)

INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


class Zygote:
    """The process kernels are forked from (started at once; imports in the background)."""

    def __init__(self) -> None:
        env = dict(os.environ)
        env.setdefault("MPLBACKEND", INLINE_BACKEND)  # as ipykernel sets it, before import
        # Pages run one per core: OpenBLAS's own threads would only contend for the cores
        # (each page's products are small; every question's solution was checked to be the
        # same, bit for bit, with one thread).
        env.setdefault("OPENBLAS_NUM_THREADS", "1")
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), *PRELOAD],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True)
        self._lock = threading.Lock()

    def fork(self, cmd: list[str], cwd: str, env: dict[str, str]) -> int:
        """Start a kernel (``cmd``: the kernel spec's ``python -m ipykernel_launcher ...``)
        as a fork of the zygote; its process id."""
        request = json.dumps({"argv": cmd, "cwd": cwd, "env": env})
        with self._lock:
            assert self.process.stdin is not None and self.process.stdout is not None
            self.process.stdin.write(request + "\n")
            self.process.stdin.flush()
            reply = self.process.stdout.readline()
        if not reply:
            raise RuntimeError("the kernel zygote has exited; see the messages above")
        answer = json.loads(reply)
        if "error" in answer:
            raise RuntimeError(f"the kernel zygote could not start a kernel: {answer['error']}")
        return int(answer["pid"])

    def close(self) -> None:
        """End the zygote (it exits when its input closes)."""
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover - a zygote stuck in an import
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


class ForkedProcess:
    """What jupyter_client's provisioner needs of a ``Popen``, for a kernel that is the
    zygote's child, not ours (the zygote reaps it; it is gone once it cannot be signalled)."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                self.returncode = 0  # its status went to the zygote
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout or 0)
            time.sleep(0.01)
        return self.returncode or 0

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class ForkingProvisioner(LocalProvisioner):  # type: ignore[misc]
    """jupyter_client's local provisioner, launching through the zygote."""

    zygote: Zygote | None = None

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
        assert self.zygote is not None
        env = dict(kwargs.get("env") or os.environ)
        cwd = str(kwargs.get("cwd") or Path.cwd())
        pid = self.zygote.fork([os.path.expanduser(part) for part in cmd], cwd, env)
        self.process = ForkedProcess(pid)
        self.pid = self.pgid = pid  # the kernel leads a session of its own
        self.cwd = cwd
        return self.connection_info


class ForkingKernelManager(AsyncKernelManager):  # type: ignore[misc]
    """An asynchronous kernel manager whose kernels are forks of :attr:`zygote`."""

    zygote: Zygote | None = None

    async def _async_pre_start_kernel(self, **kw: Any) -> tuple[list[str], dict[str, Any]]:
        cmd, kw = await super()._async_pre_start_kernel(**kw)
        provisioner = self.provisioner
        if self.zygote is not None and type(provisioner) is LocalProvisioner:
            provisioner.__class__ = ForkingProvisioner
            provisioner.zygote = self.zygote
        return cmd, kw


# ------------------------------------------------------------------ the zygote itself


def _child(request: dict[str, Any], channels: tuple[int, ...]) -> None:
    """In the forked kernel: become what ``python -m ipykernel_launcher ...`` would be."""
    try:
        for fd in channels:
            os.close(fd)
        os.setsid()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        os.chdir(request["cwd"])
        env = dict(request["env"])
        env["JPY_PARENT_PID"] = str(os.getppid())
        os.environ.clear()
        os.environ.update(env)
        import ipykernel_launcher

        # The kernel exits if the zygote goes. (ipykernel read JPY_PARENT_PID for this
        # default when the zygote imported it, so it is given on the command line.)
        sys.argv = [ipykernel_launcher.__file__, *_kernel_arguments(request["argv"]),
                    f"--IPKernelApp.parent_handle={os.getppid()}"]
        from ipykernel import kernelapp

        kernelapp.launch_new_instance()
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 1
    except BaseException:  # noqa: BLE001 - reported, then the child ends
        import traceback

        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _kernel_arguments(argv: list[str]) -> list[str]:
    """The arguments after ``-m ipykernel_launcher`` of a kernel's command line."""
    if "-m" not in argv or argv[argv.index("-m") + 1:][:1] != ["ipykernel_launcher"]:
        raise ValueError(f"not a command line of ipykernel_launcher: {argv!r}")
    return argv[argv.index("-m") + 2:]


def _reap(signum: int, frame: Any) -> None:
    # waited for (not ignored), so that their CPU time counts in the zygote's children
    try:
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
    except ChildProcessError:
        pass


def share_mathtext() -> None:
    """Parse each mathtext string once per kernel, not once per drawing of it.

    Agg gives every renderer its own ``MathTextParser``, and a figure shown with a tight
    bounding box is drawn by two renderers (the second at the cropped size), so each of
    its mathtext strings was parsed twice, and again for the next figure; the parsers'
    shared cache of parses keeps 50. Here every Agg renderer gets the same parser, whose
    cache keeps 2,000. A parse is a function of what the cache is keyed on (the string,
    the dpi, a copy of the font properties, antialiasing, the glyph flags), and a cached
    parse is what a renderer got back before when it drew the same string twice, so the
    pixels are the same (``tests/test_kernelfork.py`` compares the PNG bytes)."""
    import functools

    from matplotlib import mathtext
    from matplotlib.backends import backend_agg

    renderer = backend_agg.RendererAgg
    if getattr(renderer.__init__, "_dlcalc_shared", False):
        return
    parse = mathtext.MathTextParser._parse_cached
    mathtext.MathTextParser._parse_cached = functools.lru_cache(2000)(parse.__wrapped__)
    shared: dict[str, Any] = {}  # the output type (a renderer's is "path") -> its parser
    init = renderer.__init__

    @functools.wraps(init)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        parser = self.mathtext_parser
        self.mathtext_parser = shared.setdefault(parser._output_type, parser)

    __init__._dlcalc_shared = True
    renderer.__init__ = __init__


def warm_matplotlib() -> None:
    """Draw one small figure to PNG as a page does (ticks, a log axis, mathtext, a legend,
    an image, ``tight_layout``, a tight bounding box), without pyplot and without choosing
    a backend: what matplotlib builds the first time it draws (the modules it imports
    then, the mathtext parser, its caches of text layouts) is then built once, in the
    zygote, instead of once in each page's kernel."""
    import io

    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 3))
    FigureCanvasAgg(fig)
    ax1, ax2 = fig.subplots(1, 2)
    ax1.plot([1, 10, 100], [0.5, 0.25, 0.125], "o-", label=r"$\hat m_t$")
    ax1.set_xscale("log")
    ax1.set_xlabel("step t")
    ax1.set_title(r"$\beta_1 = 0.9$")
    ax1.legend()
    ax2.imshow(np.arange(16.0).reshape(4, 4), cmap="RdBu")
    fig.tight_layout()
    fig.savefig(io.BytesIO(), format="png", bbox_inches="tight")


def setup(app: Any) -> dict[str, Any]:
    """As a Sphinx extension, loaded first (``_config.yml``): start the zygote at once
    (``depcache.start_zygote``), half a second before Sphinx would reach depcache, so that
    its imports take the core Sphinx's own start leaves idle."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    try:
        import depcache
    finally:
        sys.path.pop(0)
    depcache.start_zygote(app)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def _serve(modules: list[str]) -> None:
    del sys.path[0]  # this file's folder: a kernel's sys.path does not have it
    requests = os.fdopen(os.dup(0), "r")
    replies = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # what a kernel writes to its own stdout goes to the build's log
    import importlib

    for name in modules:
        importlib.import_module(name)
    if "matplotlib" in modules:
        share_mathtext()
        warm_matplotlib()
    if "matplotlib_inline.backend_inline" in sys.modules:  # pragma: no cover - guard
        raise RuntimeError("a preloaded module chose matplotlib's backend")
    # What the imports made is permanent for the collector: a kernel's collections do not
    # scan it again, nor write to (and so copy) the memory it shares with the zygote.
    gc.collect()
    gc.freeze()
    signal.signal(signal.SIGCHLD, _reap)  # kernels are reaped as they end
    for line in requests:
        request = json.loads(line)
        try:
            _kernel_arguments(request["argv"])
            if threading.active_count() != 1:  # pragma: no cover - guard
                raise RuntimeError("a preloaded module started a thread: forking is unsafe")
        except (ValueError, RuntimeError) as error:
            replies.write(json.dumps({"error": str(error)}) + "\n")
            replies.flush()
            continue
        pid = os.fork()
        if pid == 0:
            _child(request, (requests.fileno(), replies.fileno()))
        replies.write(json.dumps({"pid": pid}) + "\n")
        replies.flush()


if __name__ == "__main__":
    _serve(sys.argv[1:])
