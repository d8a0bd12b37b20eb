"""The kernel template ("zygote"): a process that imports a kernel's modules once and forks
report kernels from itself (started and used by :mod:`analysis.build.kernels`).

The template only imports: it runs no report code, holds no data and opens no file a kernel
could see. Forking is safe only from a process with one thread (a thread pool copied into a
child holds locks nobody will release): the template counts its threads after the imports and
refuses to serve when there is more than one.

Protocol, over a Unix socket pair, one JSON object per line:

- template → worker, once: ``{"ready": true, "threads": N, "failed": [modules]}``;
- worker → template: ``{"argv": [...], "cwd": "...", "env": {...}}`` asks for a kernel, with
  the write end of a pipe attached (``SCM_RIGHTS``) that the kernel writes to once it listens;
- template → worker: ``{"pid": N}`` or ``{"error": "..."}``;
- template → worker, whenever a kernel ends: ``{"exited": PID, "code": CODE}``.

Run as ``python -m analysis.build.kernel_zygote FD MODULE...``.
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import sys
import threading
from collections.abc import Sequence
from typing import Any

from analysis.core.process import die_with_parent

PARENT_ENV = "COOPREPORT_TEMPLATE_PARENT"  # the process that started the template

# imported by every ipykernel kernel; the notebooks' own imports are added to these
# (measured: ipykernel.debugger pulls in debugpy, 0.19 s of each kernel's start)
KERNEL_MODULES = ("ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell",
                  "ipykernel.debugger", "IPython.core.interactiveshell", "IPython.display",
                  "IPython.extensions.storemagic", "zmq", "tornado.ioloop")


def serve(sock: socket.socket, modules: Sequence[str]) -> None:
    """Import ``modules``, report readiness, then fork a kernel for each request."""
    import importlib

    failed = []
    for name in (*KERNEL_MODULES, *modules):
        try:
            importlib.import_module(name)
        except ImportError:
            # ``from analysis import report`` names a submodule or an attribute: both are fine
            if "." not in name or importlib.util.find_spec(name.rsplit(".", 1)[0]) is None:
                failed.append(name)
        except Exception:  # noqa: BLE001  (a module failing here fails again in the kernel)
            failed.append(name)
    threads = _thread_count()
    stream = sock.makefile("rwb", buffering=0)
    _send(stream, {"ready": threads == 1, "threads": threads, "failed": failed})
    if threads != 1:
        return
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)  # wakes select through the wakeup fd
    buffer = b""
    ready_fds: list[int] = []  # each request comes with the pipe its kernel reports ready on
    while True:
        readable, _, _ = select.select([sock.fileno(), wake_r], [], [])
        if wake_r in readable:
            os.read(wake_r, 4096)
            _reap(stream)
        if sock.fileno() in readable:
            chunk, fds, _, _ = socket.recv_fds(sock, 65536, 4)
            if not chunk:  # the worker is gone
                return
            buffer += chunk
            ready_fds += fds
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                request = json.loads(line)
                ready = ready_fds.pop(0) if ready_fds else -1
                try:
                    pid = os.fork()
                except OSError as exc:
                    _send(stream, {"error": f"fork failed: {exc}"})
                    pid = -1
                if pid == 0:
                    _exit(_become_kernel(request, ready, sock, (wake_r, wake_w)))
                if ready >= 0:
                    os.close(ready)
                if pid > 0:
                    _send(stream, {"pid": pid})


def _reap(stream: Any) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        _send(stream, {"exited": pid, "code": os.waitstatus_to_exitcode(status)})


def _become_kernel(request: dict[str, Any], ready: int, sock: socket.socket,
                   fds: Sequence[int]) -> int:
    """In the forked child: become ``python -m ipykernel_launcher ARGV`` with the request's
    working folder and environment, as the usual launch would; returns the exit code, for the
    child to exit the way any Python process does (see :func:`_serve`).

    Once its sockets are bound it writes to ``ready`` (and closes it), so the worker connects
    to a kernel that is listening instead of retrying every 0.1 s and missing its first
    messages."""
    try:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)  # interrupts reach the cell
        # detach, not close: the template's stream over this socket holds a reference that
        # would keep the descriptor open in the kernel (code review, 3.4)
        os.close(sock.detach())
        for fd in fds:
            os.close(fd)
        os.setsid()  # its own process group, as jupyter_client starts kernels
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        # ipykernel exits when we are gone; it read JPY_PARENT_PID when the template
        # imported it, so the parent is also given on the command line
        parent = str(os.getppid())
        os.environ["JPY_PARENT_PID"] = parent
        argv = [*request["argv"], f"--IPKernelApp.parent_handle={parent}"]
        import ipykernel_launcher
        from ipykernel import kernelapp

        sys.argv = [ipykernel_launcher.__file__, *request["argv"]]
        # the launcher runs with the kernel's folder, not the template's, first on sys.path;
        # it takes it off while loading and IPython puts "" back (InteractiveShellApp.init_path)
        if sys.path and sys.path[0] in ("", _template_dir):
            del sys.path[0]
        app = kernelapp.IPKernelApp.instance()
        app.initialize(argv)
        if ready >= 0:
            os.write(ready, b"1")
            os.close(ready)
        app.start()
        _stop_control_thread(app)
        return 0
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001  (print it as an ordinary kernel would, then exit)
        import traceback

        traceback.print_exc()
        return 1


def _exit(code: int) -> None:
    """End the kernel process as Python ends: wait for non-daemon threads, run the atexit
    handlers (ipykernel's close its sockets), flush the standard streams, exit with ``code``.

    What Python would do after that (tearing down every module, ~0.3 s with pandas and
    pyarrow loaded) is skipped: Python does not promise it anyway, and the build waits for
    each kernel to end.
    """
    import atexit

    try:
        threading._shutdown()  # type: ignore[attr-defined]  # what Py_Finalize calls first
        atexit._run_exitfuncs()
        for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
            try:
                if stream is not None:
                    stream.flush()
            except (OSError, ValueError):
                pass
    finally:
        os._exit(code)


def _stop_control_thread(app: Any) -> None:
    """Let ipykernel's control thread finish before the kernel closes its sockets.

    At exit ipykernel's ``close()`` stops the IOPub thread first and then joins the control
    thread; a control thread still flushing output after the shutdown reply then waits
    forever on the stopped IOPub pipe, and the kernel hangs until jupyter_client kills it
    (seen here in about one shutdown of twenty, with forked and ordinary kernels alike; also
    posit-dev/positron#7142). Stopping the control thread first takes the race away.
    """
    thread = getattr(app, "control_thread", None)
    if thread is not None and thread.is_alive() and hasattr(thread, "stop"):
        thread.stop()
        thread.join(timeout=5)


_template_dir = ""


def _thread_count() -> int:
    try:
        return len(os.listdir(f"/proc/{os.getpid()}/task"))
    except OSError:
        return threading.active_count()


def _send(stream: Any, message: dict[str, Any]) -> None:
    stream.write(json.dumps(message).encode() + b"\n")


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m analysis.build.kernel_zygote FD MODULE...``: serve kernels on socket FD."""
    global _template_dir
    args = list(sys.argv[1:] if argv is None else argv)
    _template_dir = sys.path[0] if sys.path else ""
    parent = os.environ.pop(PARENT_ENV, "")
    # a worker killed while the template started takes it along all the same
    die_with_parent(int(parent) if parent.isdigit() else None)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the build decides, as for its workers
    sock = socket.socket(fileno=int(args[0]))
    serve(sock, args[1:])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
