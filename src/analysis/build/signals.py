"""How a build stops: Ctrl-C, ``SIGTERM`` (cron, systemd, CI) and ``SIGHUP`` all end it the
same way, and never in the middle of publishing.

Three tools, each for one part of the build:

- :func:`stop_signals_set`: a stop signal sets an event that the build checks between steps
  (parallel and Dask builds wait on their workers in short steps), so the stop is handled in
  the build's own code, never inside an executor's locks and queues;
- :func:`stop_signals_interrupt`: ``SIGTERM`` and ``SIGHUP`` raise :class:`BuildInterrupted`
  as Ctrl-C raises KeyboardInterrupt (a sequential build, whose only long step is a report);
- :func:`stop_signals_deferred`: signals wait while an edition is published, then act.
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


@contextlib.contextmanager
def stop_signals_interrupt() -> Iterator[None]:
    """SIGTERM and SIGHUP stop the build as Ctrl-C does (KeyboardInterrupt in this process).

    Only in the main thread (Python allows signal handlers nowhere else); the previous
    handlers come back afterwards.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise BuildInterrupted(signum)

    previous = {s: signal.signal(s, interrupt) for s in STOP_SIGNALS if s != signal.SIGINT}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


@contextlib.contextmanager
def stop_signals_deferred() -> Iterator[None]:
    """Hold stop signals back while an edition is published; they act right after it."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)


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
