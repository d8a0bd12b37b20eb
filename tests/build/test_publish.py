"""A stop signal never leaves a report half-moved into an edition (code review, 3.1).

The sequential build turns SIGTERM into an exception raised wherever the build is; the moves of
one report's files into the edition hold it back until they are all done. Deterministic: the
signal is sent from inside the first move.
"""

from __future__ import annotations

import os
import signal

import pytest

from analysis.build import publish
from analysis.build.records import ReportResult
from analysis.build.signals import BuildInterrupted, stop_signals_interrupt


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


def test_a_stop_signal_during_the_moves_waits_until_every_file_is_in(tmp_path, monkeypatch):
    edition, result = staged_report(tmp_path)
    replace = os.replace
    calls = []

    def replace_then_stop(source, target):
        if not calls:
            os.kill(os.getpid(), signal.SIGTERM)  # the build is told to stop mid-move
        calls.append(target)
        replace(source, target)

    monkeypatch.setattr(publish.os, "replace", replace_then_stop)
    with pytest.raises(BuildInterrupted), stop_signals_interrupt():
        publish.publish_result(result, edition, tmp_path / "out")
    assert len(calls) == 3  # the stop waited for the three moves
    assert {p.name: p.read_text(encoding="utf-8") for p in edition.iterdir()} == {
        "r.ipynb": "new", "r.html": "new", "r.pdf": "new"}


def test_without_a_signal_the_report_replaces_its_files(tmp_path):
    edition, result = staged_report(tmp_path)
    (edition / "r.pdf").unlink()  # a format the new build makes again
    (edition / "other.html").write_text("someone else's report", encoding="utf-8")
    done = publish.publish_result(result, edition, tmp_path / "out")
    assert sorted(p.name for p in edition.iterdir()) == ["other.html", "r.html", "r.ipynb",
                                                         "r.pdf"]
    assert done.outputs == [str(tmp_path / "out" / n) for n in ("r.ipynb", "r.html", "r.pdf")]
    assert done.staged == [] and not (tmp_path / "work").exists()


def test_a_stop_held_back_by_nested_deferrals_acts_once_after_the_outer_one(monkeypatch):
    from analysis.build.signals import stop_signals_deferred

    reached = []
    with pytest.raises(BuildInterrupted) as caught, stop_signals_interrupt():
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
