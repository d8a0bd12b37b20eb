"""A stop signal never leaves a report half-moved into an edition (code review, 3.1).

While reports run, a stop signal sets an event that the build checks between steps; around the
rest of the build it raises BuildInterrupted where the build is. Either way the moves of one
report's files into the edition hold it back until they are all done. Deterministic: the signal
is sent from inside the first move.
"""

from __future__ import annotations

import os
import signal
import threading

import pytest

from analysis.build import publish
from analysis.build.records import ReportResult
from analysis.build.signals import (
    BuildInterrupted,
    stop_signals_deferred,
    stop_signals_raise,
    stop_signals_set,
)
from tests.render.test_error_page import failed_notebook


def staged_report(tmp_path):
    edition = tmp_path / "edition"
    edition.mkdir()
    for suffix in (".ipynb", ".html", ".pdf"):
        (edition / f"r{suffix}").write_text("old", encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    staged = []
    for suffix in (".ipynb", ".html", ".pdf"):
        (work / f"r{suffix}").write_text("new", encoding="utf-8")
        staged.append(str(work / f"r{suffix}"))
    result = ReportResult("r", "R", "ok", 1.0, staged=staged, workdir=str(work))
    return edition, result


def move_then_stop(monkeypatch, signum, seen=lambda: None):
    """os.replace in publish, the first call of which sends ``signum`` to this process; each
    call notes ``seen()`` (what the stop had done by then)."""
    replace = os.replace
    calls = []

    def replace_then_stop(source, target):
        if not calls:
            os.kill(os.getpid(), signum)  # the build is told to stop mid-move
        calls.append(seen())
        replace(source, target)

    monkeypatch.setattr(publish.os, "replace", replace_then_stop)
    return calls


def assert_all_new(edition):
    assert {p.name: p.read_text(encoding="utf-8") for p in edition.iterdir()} == {
        "r.ipynb": "new", "r.html": "new", "r.pdf": "new"}


def test_a_stop_raised_where_the_build_is_waits_until_every_file_is_in(tmp_path, monkeypatch):
    edition, result = staged_report(tmp_path)
    calls = move_then_stop(monkeypatch, signal.SIGTERM)
    with pytest.raises(BuildInterrupted) as caught, stop_signals_raise():
        publish.publish_result(result, edition, tmp_path / "out")
    assert len(calls) == 3  # the stop waited for the three moves
    assert caught.value.signum == signal.SIGTERM
    assert_all_new(edition)


def test_a_stop_while_reports_run_is_noted_once_every_file_is_in(tmp_path, monkeypatch):
    edition, result = staged_report(tmp_path)
    with stop_signals_set() as stop:
        calls = move_then_stop(monkeypatch, signal.SIGHUP, stop.is_set)
        publish.publish_result(result, edition, tmp_path / "out")
        assert calls == [False, False, False]  # not noted during any of the moves
        assert stop.is_set() and stop.signum == signal.SIGHUP  # but right after them
    assert_all_new(edition)


def test_a_stop_delivered_to_another_thread_also_waits_for_the_moves(tmp_path, monkeypatch):
    """A signal sent to the process may be taken by any thread that does not block it; Python
    then runs the handler in the main thread. The deferral must hold it back all the same."""
    edition, result = staged_report(tmp_path)
    replace = os.replace
    calls = []

    go, sent = threading.Event(), threading.Event()

    def take_signal():  # started before the deferral, so SIGTERM is not blocked here
        go.wait()
        signal.pthread_kill(threading.get_ident(), signal.SIGTERM)  # its C handler runs now
        sent.set()

    taker = threading.Thread(target=take_signal, daemon=True)
    taker.start()

    def replace_then_stop(source, target):
        if not calls:
            go.set()
            sent.wait()
        calls.append(stop.is_set())
        replace(source, target)

    monkeypatch.setattr(publish.os, "replace", replace_then_stop)
    with stop_signals_set() as stop:
        publish.publish_result(result, edition, tmp_path / "out")
        assert calls == [False, False, False]
        assert stop.signum == signal.SIGTERM
    assert_all_new(edition)


def test_the_handlers_in_place_before_come_back_after_a_deferral():
    before = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)}
    with stop_signals_deferred():
        assert signal.getsignal(signal.SIGTERM) is not before[signal.SIGTERM]
    assert {s: signal.getsignal(s) for s in before} == before
    assert signal.SIGTERM not in signal.pthread_sigmask(signal.SIG_BLOCK, [])


def test_without_a_signal_the_report_replaces_its_files(tmp_path):
    edition, result = staged_report(tmp_path)
    (edition / "r.pdf").unlink()  # a format the new build makes again
    (edition / "other.html").write_text("someone else's report", encoding="utf-8")
    done = publish.publish_result(result, edition, tmp_path / "out")
    assert sorted(p.name for p in edition.iterdir()) == ["other.html", "r.html", "r.ipynb",
                                                         "r.pdf"]
    assert done.outputs == [str(tmp_path / "out" / n) for n in ("r.ipynb", "r.html", "r.pdf")]
    assert done.staged == [] and not (tmp_path / "work").exists()


def test_a_stop_held_back_by_nested_deferrals_acts_once_after_the_outer_one():
    reached = []
    with pytest.raises(BuildInterrupted) as caught, stop_signals_raise():
        with stop_signals_deferred():
            with stop_signals_deferred():
                os.kill(os.getpid(), signal.SIGHUP)
                reached.append("inner")
            reached.append("outer")  # the inner end does not act: the outer one still holds
        reached.append("after")
    assert reached == ["inner", "outer"]
    assert caught.value.signum == signal.SIGHUP


def test_a_lock_file_that_cannot_be_made_is_a_storage_error(tmp_path, monkeypatch):
    """A read-only output folder, a full disk: exit 74 with the folder named, not filelock's
    traceback (seen when nothing needed rebuilding)."""
    import filelock

    from analysis.build.lock import take_lock
    from analysis.core.errors import StorageError

    def refused(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(tmp_path / ".coopreport.lock"))

    monkeypatch.setattr(filelock.FileLock, "acquire", refused)
    with pytest.raises(StorageError, match="cannot take the output folder's lock") as caught:
        take_lock(tmp_path)
    assert caught.value.exit_code == 74 and "Permission denied" in str(caught.value)


def test_publishing_a_failure_writes_its_page_and_a_later_success_removes_it(tmp_path):
    edition, out = tmp_path / "edition", tmp_path / "out"
    edition.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    staged = failed_notebook(work / "r.ipynb")
    failed = ReportResult("r", "R", "failed", 1.0, error="ZeroDivisionError: division by zero",
                          staged=[str(staged)], workdir=str(work))
    publish.publish_result(failed, edition, out)
    assert sorted(p.name for p in (edition / "_failed").iterdir()) == ["r.html", "r.ipynb"]
    assert "Cell 3 of the notebook" in (edition / "_failed" / "r.html").read_text(
        encoding="utf-8")
    # a second failure with no notebook (its kernel died): the old traceback goes
    publish.publish_result(ReportResult("r", "R", "failed", 1.0, error="kernel died"),
                           edition, out)
    assert sorted(p.name for p in (edition / "_failed").iterdir()) == ["r.html"]
    assert "kernel died" in (edition / "_failed" / "r.html").read_text(encoding="utf-8")
    work.mkdir(exist_ok=True)
    (work / "r.html").write_text("report", encoding="utf-8")
    publish.publish_result(ReportResult("r", "R", "ok", 1.0, staged=[str(work / "r.html")],
                                        workdir=str(work)), edition, out)
    assert list((edition / "_failed").iterdir()) == []
    assert (edition / "r.html").read_text(encoding="utf-8") == "report"
