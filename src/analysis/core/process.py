"""Process plumbing: dying with the parent, and running a command within time and memory
bounds, its whole process group killed at the time limit."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence

log = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1  # linux/prctl.h
PR_SET_CHILD_SUBREAPER = 36
PR_GET_CHILD_SUBREAPER = 37
LINUX = sys.platform.startswith("linux")


def _prctl(option: int, value: int) -> bool:
    if not LINUX:
        return False
    import ctypes

    try:
        return ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0) == 0
    except (OSError, AttributeError) as exc:
        log.debug("prctl(%d) is not available here: %s", option, exc)
        return False


def die_with_parent(parent: int | None = None) -> bool:
    """Ask Linux to kill this process when its parent dies, however it dies (even by SIGKILL).

    The build's workers and the kernel template call it, so that nothing lives on to publish
    without the lock or to hold a kernel after a killed build. The request only covers a
    death after it is made: when ``parent`` (the process that started this one) is given and
    is already gone, this process exits at once, so a build killed while its workers were
    still starting leaves none behind. Elsewhere (macOS, Windows) it does nothing and the
    build stops its workers itself. Returns whether the request took effect.
    """
    done = _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if parent is not None and os.getppid() != parent:
        os._exit(1)  # orphaned before the request: nobody is left to take this work
    return done


def adopt_orphans(on: bool = True) -> bool:
    """Make this process adopt the orphaned processes of its descendants (Linux's child
    subreaper), so that a child that escaped with setsid() and a double fork is still found
    by :func:`descendants` and can be stopped. Returns whether it took effect."""
    return _prctl(PR_SET_CHILD_SUBREAPER, 1 if on else 0)


def adopting() -> bool:
    """Whether this process adopts its descendants' orphans already (:func:`adopt_orphans`)."""
    if not LINUX:
        return False
    import ctypes

    flag = ctypes.c_int(0)
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_GET_CHILD_SUBREAPER, ctypes.byref(flag), 0, 0, 0) == 0 and \
            bool(flag.value)
    except (OSError, AttributeError):
        return False


def descendants(pid: int | None = None, zombies: bool = False) -> list[int]:
    """The processes below ``pid`` (default: this one), children first; [] where ``/proc``
    is missing. Zombies (dead, not yet reaped) are left out unless ``zombies``; the search
    goes through them all the same, since a process that exits while ``/proc`` is read may
    have been read with its children still below it."""
    root = os.getpid() if pid is None else pid
    children: dict[int, list[int]] = {}
    dead: set[int] = set()
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8", errors="replace") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            state, parent = fields[0], int(fields[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry))
        if state in ("Z", "X"):
            dead.add(int(entry))
    found: list[int] = []
    queue, seen = list(children.get(root, [])), {root}
    while queue:
        child = queue.pop(0)
        if child in seen:
            continue
        seen.add(child)
        if zombies or child not in dead:
            found.append(child)
        queue.extend(children.get(child, []))
    return found


def stop_processes(pids: Sequence[int], grace: float = 3.0) -> list[int]:
    """Stop ``pids``: SIGTERM, then SIGKILL for those alive after ``grace`` seconds (a process
    that ignores SIGTERM); returns once they have ended (children of this process are reaped),
    or after a further bound of ``grace`` + 5 s. Returns the pids signalled."""
    signalled = []
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
            signalled.append(pid)
        except (ProcessLookupError, PermissionError):
            continue
    alive = _wait_ended(signalled, grace)
    for pid in alive:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            continue
    left = _wait_ended(alive, grace + 5.0)
    if left:
        log.warning("process(es) %s did not end after SIGKILL", ", ".join(map(str, left)))
    return signalled


def _wait_ended(pids: Sequence[int], seconds: float) -> list[int]:
    """Wait up to ``seconds`` for ``pids`` to end; those still alive."""
    deadline = time.monotonic() + seconds
    alive = [pid for pid in pids if _alive(pid)]
    while alive and time.monotonic() < deadline:
        time.sleep(0.02)  # a polling interval
        alive = [pid for pid in alive if _alive(pid)]
    return alive


def _alive(pid: int) -> bool:
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            return False
    except ChildProcessError:
        pass  # not our child: ask the system
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True


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
