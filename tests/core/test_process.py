"""Process plumbing: finding a process's descendants, stopping those that ignore SIGTERM,
adopting orphans that escaped into a session of their own, and dying with the parent even
when the parent died first (issue 21: workers that outlived a killed build, a notebook's
child that ignored SIGTERM).

Each test starts its own small processes and waits on them with a bound, never a fixed sleep.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from analysis.core import process

LINUX = sys.platform.startswith("linux")
BOUND = 60.0  # seconds; far beyond what a Python start needs on a busy machine

# a Python process that ignores SIGTERM, says so on stdout, then sleeps
STUBBORN = ("import signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
            "print('ready', flush=True); time.sleep(600)")


def exists(pid: int) -> bool:
    """Whether ``pid`` is a process that has not ended (a zombie has ended)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


def gone_within(pid: int, seconds: float = BOUND) -> bool:
    deadline = time.monotonic() + seconds
    while exists(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)  # a polling interval
    return True


def python(code: str, **kwargs) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)],
                            stdout=subprocess.PIPE, text=True, **kwargs)


pytestmark = pytest.mark.skipif(not LINUX, reason="process tracking reads Linux's /proc")


def test_descendants_are_children_then_grandchildren_and_nothing_else():
    other = python("import time; print('ready', flush=True); time.sleep(600)")
    parent = python("""
        import subprocess, sys, time
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
        print(child.pid, flush=True)
        time.sleep(600)
    """)
    grandchild = 0
    try:
        grandchild = int(parent.stdout.readline())
        other.stdout.readline()
        below = process.descendants()
        assert parent.pid in below and grandchild in below
        assert below.index(parent.pid) < below.index(grandchild)
        assert process.descendants(parent.pid) == [grandchild]
        assert process.descendants(grandchild) == []
        assert other.pid not in process.descendants(parent.pid)
    finally:
        for p in (parent, other):
            p.kill()
            p.wait()
        if grandchild:
            os.kill(grandchild, signal.SIGKILL)


def test_a_process_that_ignores_sigterm_gets_sigkill_after_the_grace_period():
    stubborn = python(STUBBORN)
    polite = python("import time; print('ready', flush=True); time.sleep(600)")
    for p in (stubborn, polite):
        assert p.stdout.readline().strip() == "ready"
    started = time.monotonic()
    assert process.stop_processes([stubborn.pid, polite.pid], grace=0.5) == [stubborn.pid,
                                                                             polite.pid]
    assert time.monotonic() - started >= 0.5  # the stubborn one had its grace period
    assert not exists(stubborn.pid) and not exists(polite.pid)  # both ended and reaped


def test_stopping_a_process_that_has_ended_already_is_no_error():
    done = python("pass")
    done.wait()
    assert process.stop_processes([done.pid], grace=0.1) == []


def test_an_orphan_that_left_the_session_is_adopted_found_and_stopped():
    """setsid and a double fork (a daemon) escape a process group kill; the subreaper still
    has them below it."""
    launcher = ("import subprocess, sys; "
                "p = subprocess.Popen([sys.executable, '-c', sys.argv[1]], "
                "start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, "
                "text=True); "
                "p.stdout.readline(); print(p.pid)")
    script = f"""
        import json, subprocess, sys
        from analysis.core import process
        adopted = process.adopt_orphans()
        # a child starts a SIGTERM-ignoring grandchild in a session of its own, and exits
        daemon = subprocess.run([sys.executable, "-c", {launcher!r}, {STUBBORN!r}],
                                capture_output=True, text=True, check=True)
        pid = int(daemon.stdout)
        found = pid in process.descendants()
        stopped = process.stop_processes([pid], grace=0.3)
        print(json.dumps({{"adopted": adopted, "found": found, "stopped": stopped,
                          "pid": pid}}))
    """
    run = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], capture_output=True,
                         text=True, timeout=BOUND)
    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout)
    if not seen["adopted"]:
        pytest.skip("this kernel refuses PR_SET_CHILD_SUBREAPER; orphans go to init here")
    assert seen["found"] and seen["stopped"] == [seen["pid"]]
    assert gone_within(seen["pid"])


def test_adopting_can_be_turned_off_again():
    script = """
        from analysis.core import process
        before = process.adopting()
        on = process.adopt_orphans() and process.adopting()
        process.adopt_orphans(False)
        print(before, on, process.adopting())
    """
    run = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], capture_output=True,
                         text=True, timeout=BOUND, check=True)
    assert run.stdout.split() == ["False", "True", "False"]


@pytest.mark.parametrize(("parent", "lives"), [("mine", True), ("gone", False)])
def test_a_process_whose_parent_is_gone_before_it_asks_exits_at_once(parent, lives):
    """The parent-death signal covers only deaths after it is asked for; a worker whose build
    died while it was starting must not go on (issue 21: an early SIGKILL)."""
    script = """
        import os, sys
        from analysis.core.process import die_with_parent
        expected = os.getppid() if sys.argv[1] == "mine" else os.getppid() + 1
        die_with_parent(expected)
        print("went on")
    """
    run = subprocess.run([sys.executable, "-c", textwrap.dedent(script), parent],
                         capture_output=True, text=True, timeout=BOUND)
    assert (run.returncode, run.stdout.strip()) == ((0, "went on") if lives else (1, ""))


def test_a_process_dies_with_its_parent_even_when_the_parent_is_killed():
    middle = python("""
        import os, subprocess, sys, time
        code = ("import os, sys, time; from analysis.core.process import die_with_parent; "
                "die_with_parent({}); print('ready', flush=True); time.sleep(600)"
                .format(os.getpid()))
        child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                                 text=True)
        child.stdout.readline()
        print(child.pid, flush=True)
        time.sleep(600)
    """)
    child = int(middle.stdout.readline())
    middle.kill()  # SIGKILL: no handler of the middle process runs
    middle.wait()
    assert gone_within(child)
