"""Process plumbing: dying with the parent, and running a command within time and memory
bounds, its whole process group killed at the time limit."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
from collections.abc import Sequence

log = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent() -> bool:
    """Ask Linux to kill this process when its parent dies, however it dies (even by SIGKILL).

    The build's workers and the kernel template call it, so that nothing lives on to publish
    without the lock or to hold a kernel after a killed build. Elsewhere (macOS, Windows)
    it does nothing and the build stops its workers itself. Returns whether it took effect.
    """
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError) as exc:
        log.debug("no parent-death signal for this process: %s", exc)
        return False


def run_bounded(command: Sequence[str], *, timeout: float, memory: int | None = None,
                cwd: str | os.PathLike[str] | None = None,
                env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``command`` to its end within ``timeout`` seconds and, where the system allows it,
    ``memory`` bytes of address space; its output is captured as text.

    The command runs in a process group of its own: at the time limit the whole group is
    killed, so no child of it (a renderer's own helpers) outlives the limit.

    Raises
    ------
    subprocess.TimeoutExpired
        At the time limit (the group is gone by then).
    subprocess.CalledProcessError
        When the command exits with an error (over its memory it fails to allocate and exits).
    OSError
        When the command cannot be started.
    """
    def limit_memory() -> None:  # in the child, before exec
        if memory is not None:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    process = subprocess.Popen(
        list(command), cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, start_new_session=True,
        preexec_fn=limit_memory if memory is not None and sys.platform != "win32" else None)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        stdout, stderr = process.communicate()
        raise subprocess.TimeoutExpired(process.args, timeout, stdout, stderr) from None
    except BaseException:
        _kill_group(process)
        process.wait()
        raise
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, process.args, stdout, stderr)
    return subprocess.CompletedProcess(process.args, 0, stdout, stderr)


def _kill_group(process: subprocess.Popen[str]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, AttributeError):
        process.kill()
