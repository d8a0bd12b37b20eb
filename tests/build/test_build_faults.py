"""Unattended builds under faults: SIGTERM and SIGHUP, hung notebooks, a dead kernel, a lock
left by a killed build, an output folder that is not coopreport's, a full disk while publishing.

Each test waits on events (files the fixture notebook creates, process state) with generous
bounds, never on fixed sleeps, and checks that no process of the build outlives it.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import time

import psutil
import pytest

from analysis.build import editions
from analysis.build.layout import LOCK_NAME, WORK_DIR
from analysis.core.errors import EXIT_IO
from analysis.render import portal
from tests.build.test_build import EVENT_TIMEOUT, _cli, build, params_file, wait_for

pytestmark = pytest.mark.slow


def descendants(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def assert_all_gone(processes: list[psutil.Process]) -> None:
    """Every process of the build (workers, kernels) ends; wait for it with a generous bound."""
    _, alive = psutil.wait_procs(processes, timeout=EVENT_TIMEOUT)
    survivors = [f"{p.pid} {' '.join(p.cmdline()[:4])}" for p in alive if p.is_running()]
    for process in alive:
        process.kill()
    assert survivors == [], "processes outlived the build"


def assert_consistent(out) -> dict:
    """The summary and the index describe exactly the files that are published."""
    summary = json.loads((out / "build-summary.json").read_text(encoding="utf-8"))
    index = (out / "index.html").read_text(encoding="utf-8")
    for report in summary["reports"]:
        for output in report["outputs"]:
            assert os.path.exists(output), output
        if report["failed_notebook"]:
            assert os.path.exists(report["failed_notebook"])
    for link in ("_failed/",):
        for name in [r["name"] for r in summary["reports"] if r["status"] != "ok"]:
            if not (out / link / f"{name}.ipynb").exists():
                assert f'href="{link}{name}.ipynb"' not in index
    return summary


@pytest.mark.parametrize(("jobs", "stop"), [("2", signal.SIGTERM), ("1", signal.SIGTERM),
                                            ("2", signal.SIGHUP)])
def test_sigterm_and_sighup_stop_the_build_like_ctrl_c_and_leave_no_process(tmp_path, jobs,
                                                                            stop):
    out = tmp_path / "out"
    markers = [tmp_path / f"slow{i}.started" for i in range(3)]
    specs = [params_file(tmp_path, f"slow{i}", label=f"v{i}", pause=600,
                         started_marker=str(markers[i])) for i in range(3)]
    process = _cli("build", *map(str, specs), "--output-dir", str(out), "--jobs", jobs,
                   start_new_session=True)
    running = int(jobs)
    wait_for(lambda: sum(m.exists() for m in markers) >= running, process,
             f"{running} report(s) were running")
    family = descendants(process.pid)  # workers and kernels
    assert family, "the build has started its kernels"
    process.send_signal(stop)  # what cron, systemd and CI send: to the build process only
    _, stderr = process.communicate(timeout=EVENT_TIMEOUT)
    assert process.returncode == 128 + stop, stderr
    assert f"interrupted ({signal.Signals(stop).name})" in stderr
    assert "Traceback" not in stderr
    assert_all_gone(family)
    assert sum(m.exists() for m in markers) == running  # no report started after the signal
    summary = assert_consistent(out)
    assert summary["status"] == "interrupted" and summary["reports"] == []
    assert not list(out.glob("slow*.html")) and not (out / WORK_DIR).exists()


def test_a_killed_build_process_takes_its_workers_and_kernels_with_it(tmp_path):
    out = tmp_path / "out"
    markers = [tmp_path / f"slow{i}.started" for i in range(2)]
    specs = [params_file(tmp_path, f"slow{i}", pause=600, started_marker=str(markers[i]))
             for i in range(2)]
    process = _cli("build", *map(str, specs), "--output-dir", str(out), "--jobs", "2",
                   start_new_session=True)
    wait_for(lambda: all(m.exists() for m in markers), process, "both reports were running")
    family = descendants(process.pid)
    process.kill()  # SIGKILL to the build process alone: no handler runs
    process.communicate(timeout=EVENT_TIMEOUT)
    assert_all_gone(family)  # Linux kills the workers (parent-death signal); kernels follow
    assert not (out / "slow0.html").exists()


@pytest.mark.parametrize("how", ["cli", "params"])
def test_a_notebook_that_hangs_fails_at_its_time_limit_naming_the_cell(tmp_path, how, capsys):
    """Stopped at its limit (--timeout, or its params file's timeout: 1, which a report in the
    same build with the default limit does not share); nothing of it is published, the other
    report is, and the build exits 1 with a message naming the report, limit and remedy."""
    out = tmp_path / "out"
    spec = params_file(tmp_path, "hangs", pause=3600)
    others = []
    if how == "params":
        spec.write_text(spec.read_text(encoding="utf-8") + "timeout: 1\n", encoding="utf-8")
        others = [str(params_file(tmp_path, "within", label="on time"))]
    started = time.monotonic()
    args = ["--timeout", "5"] if how == "cli" else []
    assert build(str(spec), *others, "--output-dir", str(out), "--jobs", "1", *args) == 1
    assert time.monotonic() - started < EVENT_TIMEOUT  # stopped, not waited out
    summary = assert_consistent(out)
    by_name = {r["name"]: r for r in summary["reports"]}
    report = by_name["hangs"]
    limit, remedy = (("5", "raise it with --timeout SECONDS (at most 86400)") if how == "cli"
                     else ("1", f"raise it with timeout: SECONDS in {spec}, or --timeout"))
    assert report["status"] == "failed" and report["outputs"] == []
    assert report["error"].startswith(
        f"timed out: report hangs ran longer than its limit of {limit} s for the whole notebook "
        "and was stopped (its kernel killed, nothing new published for it; " + remedy)
    assert report["error"].endswith("it had reached cell 3 of tiny.ipynb (import os ...)")
    assert "hangs failed: timed out: report hangs" in capsys.readouterr().out
    assert not list(out.glob("hangs.*"))
    if others:
        assert by_name["within"]["status"] == "ok"
        assert "label=on time" in (out / "within.html").read_text(encoding="utf-8")
    # the folder is usable at once: the next build publishes
    params_file(tmp_path, "hangs", label="fixed")
    assert build(str(spec), "--output-dir", str(out), "--jobs", "1") == 0
    assert "label=fixed" in (out / "hangs.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("value", ["0", "86401", "-5"])
def test_a_timeout_out_of_range_is_refused_before_anything_runs(tmp_path, capsys, value):
    out = tmp_path / "out"
    assert build(str(params_file(tmp_path, "a")), "--output-dir", str(out),
                 "--timeout", value) == 2
    assert "--timeout takes 1 to 86400 seconds" in capsys.readouterr().err
    assert not out.exists()


def test_a_dead_kernel_fails_its_report_and_the_index_links_nothing_missing(tmp_path):
    out = tmp_path / "out"
    good = params_file(tmp_path, "good")
    dies = params_file(tmp_path, "dies", die=True)
    assert build(str(good), str(dies), "--output-dir", str(out), "--jobs", "1") == 1
    summary = assert_consistent(out)
    by_name = {r["name"]: r for r in summary["reports"]}
    assert by_name["good"]["status"] == "ok" and by_name["dies"]["status"] == "failed"
    assert "dead" in by_name["dies"]["error"].lower() or "died" in by_name["dies"]["error"]


def test_a_lock_left_by_a_killed_build_is_taken_over_with_a_warning(tmp_path, caplog):
    out = tmp_path / "out"
    assert build(str(params_file(tmp_path, "a")), "--output-dir", str(out)) == 0
    gone = subprocess.Popen(["true"])
    gone.wait()  # a process id that no longer runs
    (out / LOCK_NAME).write_text(str(gone.pid), encoding="utf-8")
    assert build(str(params_file(tmp_path, "a")), "--output-dir", str(out)) == 0
    assert f"from build process {gone.pid}, which is gone" in caplog.text
    assert (out / LOCK_NAME).read_text(encoding="utf-8") == ""  # a clean end names no holder


def test_an_output_folder_that_is_not_coopreports_is_refused_with_exit_2(tmp_path, capsys):
    spec = str(params_file(tmp_path, "a"))
    afile = tmp_path / "file"
    afile.write_text("x", encoding="utf-8")
    assert build(spec, "--output-dir", str(afile)) == 2
    assert "is a file, not a folder" in capsys.readouterr().err
    theirs = tmp_path / "site"
    theirs.mkdir()
    (theirs / "index.html").write_text("<p>our team page</p>", encoding="utf-8")
    (theirs / ".build").mkdir()
    assert build(spec, "--output-dir", str(theirs)) == 2
    assert "holds files coopreport did not make (.build, index.html)" in capsys.readouterr().err
    assert (theirs / "index.html").read_text(encoding="utf-8") == "<p>our team page</p>"
    assert (theirs / ".build").is_dir()


def test_a_full_disk_while_publishing_keeps_the_previous_edition(tmp_path, capsys,
                                                                  monkeypatch):
    out = tmp_path / "out"
    spec = params_file(tmp_path, "a", label="first")
    assert build(str(spec), "--output-dir", str(out)) == 0
    before = editions.current_edition(out)

    def full(folder):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(portal, "write_index", full)
    params_file(tmp_path, "a", label="second")
    assert build(str(spec), "--output-dir", str(out)) == EXIT_IO
    err = capsys.readouterr().err
    assert "cannot write the build summary or index" in err and "No space left" in err
    assert editions.current_edition(out) == before
    assert "label=first" in (out / "a.html").read_text(encoding="utf-8")
    assert_consistent(out)
    # nothing of the failed attempt is left: no temporary file, no unpublished edition
    assert sorted(p.name for p in (out / editions.EDITIONS).iterdir()) == [before.name]
    assert not list(out.rglob("*.tmp")) and not list(out.rglob(".tmp-*"))
    monkeypatch.undo()
    assert build(str(spec), "--output-dir", str(out)) == 0  # and the folder stays usable
    assert "label=second" in (out / "a.html").read_text(encoding="utf-8")


# --- processes a report leaves behind, and a build killed while it starts (issue 21) ---------

RUN_MARK = "COOPREPORT_TEST_RUN"  # set in a test build's environment, found in its processes


def marked(tag: str) -> list[int]:
    """The processes whose environment carries ``RUN_MARK=tag``: the build, its workers, kernel
    templates, kernels and the resource tracker all inherit it."""
    found, needle = [], f"{RUN_MARK}={tag}".encode()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as environ:
                if needle in environ.read().split(b"\0"):
                    found.append(int(entry))
        except OSError:
            continue
    return [pid for pid in found if psutil.pid_exists(pid)
            and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE]


def gone_within(pids: list[int], seconds: float) -> list[int]:
    """Those of ``pids`` still running after ``seconds`` (polled, not slept)."""
    deadline = time.monotonic() + seconds
    alive = list(pids)
    while alive:
        alive = [p for p in alive if psutil.pid_exists(p)
                 and psutil.Process(p).status() != psutil.STATUS_ZOMBIE]
        if not alive or time.monotonic() > deadline:
            break
        time.sleep(0.05)  # a polling interval
    return alive


def kill_all(pids: list[int]) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


@pytest.mark.parametrize("moment", ["a first child exists", "a kernel template exists"])
def test_a_build_killed_while_its_workers_start_leaves_no_process(tmp_path, moment):
    """SIGKILL to the build process alone, at the moment its --jobs 2 workers are being
    started, before they could have asked to die with it (issue 21: 2 of 6 such kills left
    workers, templates and the resource tracker building for 90 s without the lock)."""
    tag = f"{os.getpid()}-{tmp_path.name}"
    specs = [params_file(tmp_path, f"r{i}") for i in range(2)]
    process = _cli("build", *map(str, specs), "--output-dir", str(tmp_path / "out"),
                   "--jobs", "2", start_new_session=True, env={**os.environ, RUN_MARK: tag})
    depth = 1 if moment == "a first child exists" else 2

    def reached() -> bool:
        return any(_depth_below(p, process.pid) >= depth for p in descendants(process.pid))

    wait_for(reached, process, moment)
    process.kill()  # SIGKILL to the build process alone: no handler runs
    process.wait(timeout=EVENT_TIMEOUT)  # not communicate(): a survivor holds the pipes open
    left = gone_within(marked(tag), 30.0)
    kill_all(left)
    process.communicate(timeout=EVENT_TIMEOUT)
    assert left == [], "processes of the killed build lived on"
    assert not (tmp_path / "out" / "r0.html").exists()


def _depth_below(child: psutil.Process, root: int) -> int:
    """How many levels ``child`` is below ``root`` (0 when it has gone meanwhile)."""
    depth, current = 0, child
    try:
        while current is not None and current.pid != root:
            depth += 1
            current = current.parent()
    except psutil.NoSuchProcess:
        return 0
    return depth if current is not None else 0


def stray_report(tmp_path, kind: str, **parameters: object):
    pid_file = tmp_path / f"stray-{kind}.pid"
    spec = params_file(tmp_path, f"stray-{kind}", stray=kind, stray_pid_file=str(pid_file),
                       **parameters)
    return spec, pid_file


def assert_stray_stopped(pid_file) -> None:
    pid = int(pid_file.read_text(encoding="utf-8"))
    left = gone_within([pid], 0.0)  # stopped before the build ended: no waiting
    kill_all(left)
    assert left == [], f"the report's child {pid} (ignoring SIGTERM) outlived the build"


@pytest.mark.parametrize("kind", ["plain", "session", "daemon"])
def test_a_child_that_ignores_sigterm_is_stopped_when_its_report_ends(tmp_path, kind):
    """In the kernel's process group, in a session of its own, or orphaned by a double fork:
    the report's child is stopped (SIGTERM, then SIGKILL after a grace period) when the report
    ends, and the report is built."""
    spec, pid_file = stray_report(tmp_path, kind)
    process = _cli("build", str(spec), "--output-dir", str(tmp_path / "out"))
    _, stderr = process.communicate(timeout=EVENT_TIMEOUT)
    assert process.returncode == 0, stderr
    assert "the report left running" in stderr
    assert_stray_stopped(pid_file)


@pytest.mark.parametrize("kind", ["session", "daemon"])
def test_a_child_that_ignores_sigterm_is_stopped_when_its_report_times_out(tmp_path, kind):
    spec, pid_file = stray_report(tmp_path, kind, pause=3600)
    process = _cli("build", str(spec), "--output-dir", str(tmp_path / "out"), "--timeout", "5")
    stdout, stderr = process.communicate(timeout=EVENT_TIMEOUT)
    assert process.returncode == 1 and "timed out" in stdout, stderr
    assert_stray_stopped(pid_file)


@pytest.mark.parametrize(("kind", "jobs"), [("plain", "1"), ("session", "2"), ("daemon", "1")])
def test_a_child_that_ignores_sigterm_is_stopped_when_the_build_is_stopped(tmp_path, kind,
                                                                           jobs):
    marker = tmp_path / "started"
    spec, pid_file = stray_report(tmp_path, kind, pause=3600, started_marker=str(marker))
    process = _cli("build", str(spec), "--output-dir", str(tmp_path / "out"), "--jobs", jobs,
                   start_new_session=True)
    wait_for(marker.exists, process, "the report's child was started")
    process.send_signal(signal.SIGTERM)  # to the build process alone, as cron and CI do
    _, stderr = process.communicate(timeout=EVENT_TIMEOUT)
    assert process.returncode == 128 + signal.SIGTERM, stderr
    assert_stray_stopped(pid_file)
