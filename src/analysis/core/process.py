"""Process plumbing shared by the build's worker processes and the kernel template."""

from __future__ import annotations

import logging
import signal
import sys

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
