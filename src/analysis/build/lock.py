"""One build at a time per output folder: the lock.

The lock is the operating system's (``flock`` through :mod:`filelock`), so it is released when
its holder dies, even by ``kill -9``; the lock file also names the holder's process, so a build
that takes over from one that died says so.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import filelock

from analysis.build.layout import LOCK_NAME
from analysis.core.errors import BuildLockedError, StorageError

log = logging.getLogger(__name__)


def take_lock(out: Path) -> filelock.BaseFileLock:
    """The output folder's lock, or a BuildLockedError while another build holds it.

    The lock is the operating system's (released when its holder dies, even by SIGKILL); the
    lock file also names the holder's process, so a build that takes over from one that died
    says so.
    """
    path = out / LOCK_NAME
    try:
        last_holder = path.read_text(encoding="utf-8").strip()
    except OSError:
        last_holder = ""
    lock = filelock.FileLock(str(path))
    try:
        lock.acquire(timeout=0)
    except filelock.Timeout as exc:
        raise BuildLockedError(f"another coopreport build is writing to {out} (lock {path}"
                         f"{', process ' + last_holder if last_holder else ''}); wait for it "
                         "to finish, or build into another --output-dir") from exc
    except OSError as exc:  # a read-only folder, a full disk: the lock file cannot be made
        raise StorageError(f"cannot take the output folder's lock {path} "
                           f"({exc.strerror or exc}); the folder must be writable") from exc
    if last_holder.isdigit() and int(last_holder) != os.getpid():
        log.warning("took over the lock of %s from build process %s, which is gone (killed?); "
                    "its unfinished edition is discarded", out, last_holder)
    try:
        path.write_text(str(os.getpid()), encoding="utf-8")
    except OSError as exc:
        log.debug("could not record this process in %s: %s", path, exc)
    return lock

def release_lock(lock: filelock.BaseFileLock) -> None:
    try:
        Path(lock.lock_file).write_text("", encoding="utf-8")  # a clean end: no holder
    except OSError as exc:
        log.debug("could not clear %s: %s", lock.lock_file, exc)
    lock.release()
