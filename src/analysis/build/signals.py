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


class _Deferral:
    """Whether stop signals are being held back in this process, and the first one that came
    meanwhile (the handler of :func:`stop_signals_interrupt` reads it)."""

    depth = 0
    pending: int | None = None


def _interrupt(signum: int, frame: object) -> None:
    if _Deferral.depth:
        _Deferral.pending = _Deferral.pending or signum  # acted on when the deferral ends
        return
    raise BuildInterrupted(signum)


@contextlib.contextmanager
def stop_signals_interrupt() -> Iterator[None]:
    """Ctrl-C, SIGTERM and SIGHUP stop the build with :class:`BuildInterrupted` (a
    KeyboardInterrupt that names the signal), raised where the build is, except inside
    :func:`stop_signals_deferred`, which holds them back.

    Only in the main thread (Python allows signal handlers nowhere else); the previous
    handlers come back afterwards.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, _interrupt) for s in STOP_SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


@contextlib.contextmanager
def stop_signals_deferred() -> Iterator[None]:
    """Hold stop signals back while files move into an edition or it is published; a stop that
    came meanwhile acts right after the block.

    Two layers, because a signal sent to the process may be delivered to any of its threads:
    the calling thread blocks the signals (``pthread_sigmask``), and the handler of
    :func:`stop_signals_interrupt`, which runs in the main thread whichever thread took the
    signal, only notes it while a deferral is on.
    """
    masked = hasattr(signal, "pthread_sigmask") and not _Deferral.depth  # the outermost one
    _Deferral.depth += 1
    if masked:
        signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    except BaseException:
        _Deferral.pending = None if _Deferral.depth == 1 else _Deferral.pending
        raise  # the block's own error wins; the build stops with it anyway
    finally:
        if masked:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)  # a blocked one runs now
        _Deferral.depth -= 1
    if not _Deferral.depth and _Deferral.pending is not None:
        signum, _Deferral.pending = _Deferral.pending, None
        raise BuildInterrupted(signum)


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
