"""How a build stops: Ctrl-C, ``SIGTERM`` (cron, systemd, CI) and ``SIGHUP`` all end it the
same way, and never in the middle of publishing.

Three tools, for every kind of build alike (local workers, one or many; Dask):

- :func:`stop_signals_raise`: around the whole build, SIGTERM and SIGHUP raise
  :class:`BuildInterrupted` where the build is, as Ctrl-C raises KeyboardInterrupt;
- :func:`stop_signals_set`: while reports run, a stop signal sets an event that the build
  checks between steps (it waits on its workers in short steps), so the stop is handled in
  the build's own code, never inside an executor's locks and queues, and never in the middle
  of moving a report's files; the build then raises :class:`BuildInterrupted`;
- :func:`stop_signals_deferred`: signals wait while a report's files move into the edition
  and while the edition is published, then act.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

# what stops a build like Ctrl-C: cron, systemd and CI send SIGTERM; a closed terminal SIGHUP
STOP_SIGNALS = tuple(s for s in (getattr(signal, n, None) for n in ("SIGINT", "SIGTERM",
                                                                     "SIGHUP")) if s is not None)


class BuildInterrupted(KeyboardInterrupt):
    """The build was stopped by a signal (Ctrl-C, SIGTERM, SIGHUP); ``signum`` says which."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _raise(signum: int, frame: object) -> None:
    raise BuildInterrupted(signum)


@contextlib.contextmanager
def stop_signals_raise() -> Iterator[None]:
    """SIGTERM and SIGHUP raise :class:`BuildInterrupted` (a KeyboardInterrupt that names the
    signal) where the build is, as Ctrl-C raises KeyboardInterrupt; the handlers that were
    there come back afterwards. Only in the main thread (Python allows signal handlers
    nowhere else)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, _raise) for s in STOP_SIGNALS if s != signal.SIGINT}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


@contextlib.contextmanager
def stop_signals_deferred() -> Iterator[None]:
    """Hold stop signals back while files move into an edition or it is published; a stop that
    came meanwhile acts right after the block, as it would have without it.

    Two layers, because a signal sent to the process may be delivered to any of its threads
    and Python runs its handler in the main thread whichever took it: the calling thread
    blocks the signals (``pthread_sigmask``), and in the main thread a handler that only notes
    the signal stands in for the usual one. At the end the usual handlers come back and the
    first signal noted is raised again, so the build reacts to it as it always does (an event
    set, KeyboardInterrupt, or the default action).
    """
    main = threading.current_thread() is threading.main_thread()
    noted: list[int] = []
    previous = {}
    if main:
        previous = {s: signal.signal(s, lambda signum, frame: noted.append(signum))
                    for s in STOP_SIGNALS}
    masked = hasattr(signal, "pthread_sigmask")
    if masked:
        held = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        if masked:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)  # a held signal is noted now
        for number, handler in previous.items():
            signal.signal(number, handler)
    if noted:
        signal.raise_signal(noted[0])


class StopEvent(threading.Event):
    """Set by a stop signal; remembers the first signal's number."""

    signum: int = signal.SIGINT


@contextlib.contextmanager
def stop_signals_set() -> Iterator[StopEvent]:
    """An event that a stop signal (Ctrl-C, SIGTERM, SIGHUP) sets, instead of raising
    KeyboardInterrupt anywhere.

    The parallel build waits on its workers in short steps and checks the event between them,
    so a stop is handled in this module's code, never inside the executor's locks and queues.
    Outside the main thread (where Python allows no signal handler) signals are left as they
    are.
    """
    stop = StopEvent()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def note(signum: int, frame: object) -> None:
        if not stop.is_set():
            stop.signum = signum
        stop.set()

    previous = {s: signal.signal(s, note) for s in STOP_SIGNALS}
    try:
        yield stop
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
