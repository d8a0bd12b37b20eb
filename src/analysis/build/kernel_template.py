"""The warm kernel template of a build process, and the kernels it forks.

Every report runs in a new kernel process. Where it can, that process is forked from a
template (:mod:`analysis.build.kernel_zygote`) that has already imported ipykernel, IPython,
pandas, Altair and the modules the report notebooks import: a kernel started from
``python -m ipykernel_launcher`` spends about 1.3 s of CPU on interpreter start and imports
before its first cell does any work; a forked kernel starts with them done. The template only
imports, so each kernel starts with the state a new kernel would have after its import cell.

BLAS and OpenMP pools are capped at one thread in the template (a report kernel does not need
more, and several run side by side), and pyarrow's allocator is told not to start its
background thread, so the template stays single-threaded. Where fork is missing or unsafe
(Windows, macOS, a template with more than one thread, a kernel spec that is not ipykernel on
this Python), the kernel is started the usual way and the build's debug log says why.
Turn forking off with ``COOPREPORT_FORK_KERNELS=0``. Each build process (the sequential build,
each worker) has at most one template: :func:`start`, :func:`current`, :func:`stop`.
"""

from __future__ import annotations

import ast
import json
import logging
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from analysis.build.kernel_zygote import PARENT_ENV

log = logging.getLogger(__name__)

FORK_ENV = "COOPREPORT_FORK_KERNELS"  # "0" turns forked kernels off

# thread pools that would start at import time and make fork unsafe: one thread each
# (pyarrow's jemalloc, which pandas loads, starts a background thread unless told not to);
# a value the user has set wins, and the thread count check then decides
THREAD_CAPS = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
               "NUMEXPR_NUM_THREADS": "1", "VECLIB_MAXIMUM_THREADS": "1",
               "JE_ARROW_MALLOC_CONF": "background_thread:false"}
LAUNCHER = "ipykernel_launcher"
READY_TIMEOUT = 120.0  # seconds the template may take to import everything
LISTEN_TIMEOUT = 30.0  # seconds a forked kernel may take to bind its sockets


def fork_supported() -> bool:
    """Whether kernels may be forked here: Linux (fork is unsafe with macOS system frameworks,
    missing on Windows), ``os.pidfd_open`` available, and not turned off by the environment."""
    return (sys.platform.startswith("linux") and hasattr(os, "pidfd_open")
            and hasattr(os, "fork") and os.environ.get(FORK_ENV, "1").strip() != "0")


def notebook_imports(notebooks: Iterable[Path]) -> list[str]:
    """The modules that the notebooks' code cells import at top level, in order, once each.

    Lines that are not Python (IPython magics, shell escapes) are left out before parsing;
    a cell that still does not parse is skipped: the kernel will report it.
    """
    modules: list[str] = []
    for notebook in notebooks:
        try:
            cells = json.loads(Path(notebook).read_text(encoding="utf-8")).get("cells", [])
        except (OSError, ValueError):
            continue
        for cell in cells:
            if cell.get("cell_type") != "code":
                continue
            source = cell.get("source", "")
            source = "".join(source) if isinstance(source, list) else str(source)
            lines = [line for line in source.splitlines()
                     if not line.lstrip().startswith(("%", "!"))]
            try:
                tree = ast.parse("\n".join(lines))
            except SyntaxError:
                continue
            for node in tree.body:
                names: list[str] = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    names = [node.module] + [f"{node.module}.{alias.name}"
                                             for alias in node.names if alias.name != "*"]
                modules += [name for name in names if name not in modules]
    return modules


class Zygote:
    """A template process started by this process, and the kernels it forks for us."""

    def __init__(self, interpreter: Sequence[str], modules: Sequence[str], cwd: Path) -> None:
        ours, theirs = socket.socketpair()
        env = {**THREAD_CAPS, **os.environ, PARENT_ENV: str(os.getpid())}
        self.interpreter = list(interpreter)
        self.process = subprocess.Popen(
            [*interpreter, "-m", "analysis.build.kernel_zygote", str(theirs.fileno()),
             *modules],
            pass_fds=(theirs.fileno(),), cwd=cwd, env=env, stdin=subprocess.DEVNULL)
        theirs.close()
        self._sock = ours
        self._buffer = b""
        self._exits: dict[int, int] = {}
        self._lock = threading.Lock()
        self.ready: bool | None = None  # not known until the template says so
        self.reason = ""

    def wait_ready(self) -> bool:
        """Wait for the template's imports; False (and the template stopped) if it cannot
        serve kernels."""
        if self.ready is not None:
            return self.ready
        message = self._read(timeout=READY_TIMEOUT)
        if message is None:
            self.reason = "the kernel template did not start"
        elif not message.get("ready"):
            self.reason = (f"the kernel template has {message.get('threads')} threads after "
                           "its imports; forking it would not be safe")
        if message is None or not message.get("ready"):
            self.close()
            log.debug("kernels start the usual way: %s", self.reason)
            return False
        self.ready = True
        if message.get("failed"):
            log.debug("kernel template could not import %s", ", ".join(message["failed"]))
        return True

    def _read(self, timeout: float | None) -> dict[str, Any] | None:
        """The next message that is not a kernel's exit (exits are kept), or None at timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            while b"\n" in self._buffer:
                line, self._buffer = self._buffer.split(b"\n", 1)
                message = json.loads(line)
                if "exited" in message:
                    self._exits[message["exited"]] = message["code"]
                    continue
                return message
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return None
            readable, _, _ = select.select([self._sock], [], [], left)
            if not readable:
                return None
            chunk = self._sock.recv(65536)
            if not chunk:
                return None
            self._buffer += chunk

    def _drain(self) -> None:
        """Read what the template has sent without waiting (kernels' exits)."""
        while True:
            readable, _, _ = select.select([self._sock], [], [], 0)
            if not readable:
                break
            chunk = self._sock.recv(65536)
            if not chunk:
                break
            self._buffer += chunk
        while b"\n" in self._buffer:
            line, self._buffer = self._buffer.split(b"\n", 1)
            message = json.loads(line)
            if "exited" in message:
                self._exits[message["exited"]] = message["code"]

    def fork_kernel(self, argv: Sequence[str], cwd: str, env: dict[str, str]) -> ForkedKernel:
        """A new kernel forked from the template; its ``ready`` pipe becomes readable once the
        kernel listens (or has died)."""
        ready, ready_w = os.pipe()
        try:
            with self._lock:
                request = json.dumps({"argv": list(argv), "cwd": cwd, "env": env}).encode()
                socket.send_fds(self._sock, [request + b"\n"], [ready_w])
                os.close(ready_w)
                ready_w = -1
                message = self._read(timeout=30)
            if message is None or "pid" not in message:
                raise OSError((message or {}).get("error", "the kernel template did not answer"))
        except BaseException:
            os.close(ready)
            raise
        finally:
            if ready_w >= 0:
                os.close(ready_w)
        return ForkedKernel(message["pid"], self, ready)

    def exit_code(self, pid: int, wait: float) -> int | None:
        """The exit code the template reported for its kernel ``pid``, waiting up to ``wait``
        seconds for the report; None when it does not come (or the template is closed)."""
        with self._lock:
            if self._sock.fileno() < 0:
                return self._exits.pop(pid, None)
            self._drain()
            deadline = time.monotonic() + wait
            while pid not in self._exits and time.monotonic() < deadline:
                readable, _, _ = select.select([self._sock], [], [],
                                               max(0.0, deadline - time.monotonic()))
                if not readable:
                    break
                self._drain()
            return self._exits.pop(pid, None)

    def alive(self) -> bool:
        return bool(self.ready) and self.process.poll() is None

    def close(self) -> None:
        self.ready = False
        try:
            self._sock.close()
        finally:
            if self.process.poll() is None:
                self.process.kill()
            self.process.wait()


def _settle(future: Any) -> None:
    if not future.done():
        future.set_result(None)


class ForkedKernel:
    """What jupyter_client's local provisioner needs of a ``Popen``, for a forked kernel.

    The kernel is the template's child, not ours: liveness comes from a pidfd (no mix-up with
    a later process of the same pid), the exit code from the template, which reaps it.
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int, zygote: Zygote, ready: int = -1) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self._zygote = zygote
        self._pidfd = os.pidfd_open(pid)
        self._ready = ready

    async def listening(self, timeout: float) -> None:
        """Wait until the kernel has bound its sockets, has died, or ``timeout`` has passed
        (then nbclient's own start-up wait takes over)."""
        import asyncio

        if self._ready < 0:
            return
        loop = asyncio.get_running_loop()
        signalled = loop.create_future()
        loop.add_reader(self._ready, _settle, signalled)
        try:
            await asyncio.wait_for(signalled, timeout)
        except TimeoutError:
            pass
        finally:
            loop.remove_reader(self._ready)
            os.close(self._ready)
            self._ready = -1

    def poll(self) -> int | None:
        if self.returncode is None and self._pidfd >= 0:
            readable, _, _ = select.select([self._pidfd], [], [], 0)
            if readable:
                code = self._zygote.exit_code(self.pid, wait=2.0)
                self.returncode = -signal.SIGKILL if code is None else code
                os.close(self._pidfd)
                self._pidfd = -1
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout or 0)
            if self._pidfd >= 0:
                select.select([self._pidfd], [], [], 0.1)
        assert self.returncode is not None
        return self.returncode

    async def exited(self) -> int:
        """Wait, without blocking the event loop, until the kernel has ended; its exit code."""
        import asyncio

        if self.poll() is None:
            loop = asyncio.get_running_loop()
            ended = loop.create_future()
            loop.add_reader(self._pidfd, _settle, ended)
            try:
                await ended
            finally:
                loop.remove_reader(self._pidfd)
        return self.wait()

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            signal.pidfd_send_signal(self._pidfd, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


_zygote: Zygote | None = None


def start(notebooks: Iterable[Path], cwd: Path, kernel_name: str = "python3") -> None:
    """Start this process's kernel template (once), warm with the notebooks' imports, when
    the kernel ``kernel_name`` is ipykernel run by this Python.

    Returns at once; the first kernel waits for the template's imports to finish."""
    global _zygote
    if _zygote is not None or not fork_supported():
        return
    interpreter = kernel_interpreter(kernel_name)
    if interpreter is None:
        log.debug("kernels start the usual way: kernel %r is not ipykernel on %s", kernel_name,
                  sys.executable)
        return
    modules = notebook_imports(notebooks)
    _zygote = Zygote(interpreter, modules, cwd)
    log.debug("kernel template started (pid %d), importing %s", _zygote.process.pid,
              ", ".join(modules) or "the kernel's own modules")


def kernel_interpreter(kernel_name: str) -> list[str] | None:
    """The interpreter part of the kernel's command (``python [-X...]``) when the kernel is
    ``ipykernel_launcher`` on this Python, else None."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        argv = KernelSpecManager().get_kernel_spec(kernel_name).argv
    except (NoSuchKernel, OSError, ValueError):
        return None
    for index in range(1, len(argv) - 1):
        if argv[index] == "-m" and argv[index + 1] == LAUNCHER:
            interpreter = list(argv[:index])
            same = os.path.realpath(interpreter[0]) == os.path.realpath(sys.executable)
            # interpreter options only (-X..., -E, -s ...): any other argument changes meaning
            if same and all(a.startswith("-") and a not in ("-c", "-m") for a in interpreter[1:]):
                return interpreter
            return None
    return None


def current() -> Zygote | None:
    """This process's kernel template, when one is running and can fork kernels."""
    if _zygote is None or not _zygote.wait_ready() or not _zygote.alive():
        return None
    return _zygote


def template_pid() -> int | None:
    """The process id of this process's kernel template, when one was started and runs."""
    if _zygote is None or _zygote.process.poll() is not None:
        return None
    return _zygote.process.pid


def stop() -> None:
    """Stop this process's kernel template (its kernels are not affected)."""
    global _zygote
    if _zygote is not None:
        _zygote.close()
        _zygote = None
