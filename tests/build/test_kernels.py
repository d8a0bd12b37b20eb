"""Report kernels forked from a warm template (analysis.build.kernels,
analysis.build.kernel_zygote).

The unit tests check what decides whether a template can stand in for a kernel; the slow ones
start real templates and kernels and check that a forked kernel is what a new kernel would be:
its own process, folder, environment and namespace, interruptible, and ended cleanly.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

import pytest

from analysis.build import kernel_template, kernels

FORKABLE = pytest.mark.skipif(not sys.platform.startswith("linux"),
                              reason="kernels are forked on Linux only; elsewhere they start "
                                     "the usual way")


def notebook(tmp_path: Path, *cells: tuple[str, str], name: str = "nb.ipynb") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({
        "cells": [{"cell_type": kind, "metadata": {}, "source": source,
                   **({"outputs": [], "execution_count": None} if kind == "code" else {})}
                  for kind, source in cells],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5}), encoding="utf-8")
    return path


def test_notebook_imports_are_the_top_level_imports_of_code_cells(tmp_path):
    first = notebook(
        tmp_path,
        ("markdown", "import os  # prose, not code"),
        ("code", "%matplotlib inline\nimport json, csv as c\n!ls\n"
                 "from analysis.report import sections as r"),
        ("code", "def f():\n    import textwrap\n"),  # not at top level: not run at import
        ("code", "from . import sibling\nfrom analysis.data.reference import *"),
        ("code", "this is not python"),
    )
    second = notebook(tmp_path, ("code", ["import json\n", "import decimal"]), name="b.ipynb")
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{not json", encoding="utf-8")
    found = kernel_template.notebook_imports([first, second, broken, tmp_path / "missing.ipynb"])
    assert found == [
        "json", "csv", "analysis.report", "analysis.report.sections", "analysis.data.reference",
        "decimal"]


def test_only_this_pythons_ipykernel_launch_is_forked():
    python = [sys.executable, "-Xfrozen_modules=off"]
    cmd = [*python, "-m", "ipykernel_launcher", "-f", "/tmp/k.json"]
    assert kernels.launcher_arguments(cmd, python) == ["-f", "/tmp/k.json"]
    assert kernels.launcher_arguments(cmd, [sys.executable]) is None  # other interpreter flags
    assert kernels.launcher_arguments(["/opt/R", "--slave", "-f", "x"], python) is None
    assert kernels.launcher_arguments([*python, "-m", "other_launcher", "-f", "x"],
                                      python) is None


@pytest.mark.parametrize(("argv", "expected"), [
    (["{python}", "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "{{connection_file}}"],
     ["{python}", "-Xfrozen_modules=off"]),
    (["{python}", "-m", "ipykernel_launcher", "-f", "{{connection_file}}"], ["{python}"]),
    (["/usr/bin/another-python", "-m", "ipykernel_launcher", "-f", "{{connection_file}}"], None),
    (["{python}", "-c", "code", "-m", "ipykernel_launcher"], None),
    (["{python}", "-m", "some_other_kernel", "-f", "{{connection_file}}"], None),
])
def test_the_template_runs_the_kernels_own_interpreter_and_flags(tmp_path, monkeypatch, argv,
                                                                 expected):
    spec = tmp_path / "kernels" / "coopreport-test-kernel" / "kernel.json"
    spec.parent.mkdir(parents=True)
    argv = [a.format(python=sys.executable) for a in argv]
    spec.write_text(json.dumps({"argv": argv, "display_name": "t", "language": "python"}),
                    encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    if expected is not None:
        expected = [a.format(python=sys.executable) for a in expected]
    assert kernel_template.kernel_interpreter("coopreport-test-kernel") == expected
    assert kernel_template.kernel_interpreter("no-such-kernel-anywhere") is None


def test_forking_can_be_turned_off(monkeypatch, tmp_path):
    monkeypatch.setenv(kernel_template.FORK_ENV, "0")
    assert not kernel_template.fork_supported()
    kernel_template.start([], tmp_path)
    assert kernel_template.current() is None


# --------------------------------------------------------------------------------------------
# real templates and kernels


@pytest.fixture
def template(tmp_path):
    """A kernel template for this test, warm with pandas; stopped afterwards."""
    kernel_template.stop()
    kernel_template.start([notebook(tmp_path, ("code", "import pandas as pd"))], tmp_path)
    assert kernel_template.current() is not None, "the template did not come up"
    yield kernel_template.current()
    kernel_template.stop()


PROBE = """
import json, os, sys
print(json.dumps({"cwd": os.getcwd(), "mark": os.environ.get("COOPREPORT_TEST_MARK"),
                  "pid": os.getpid(), "ppid": os.getppid(), "path": sys.path,
                  "pandas_loaded": "pandas" in sys.modules,
                  "left_over": "LEFT_OVER" in globals()}))
LEFT_OVER = 1
"""


async def _run(km: Any, code: str) -> tuple[str, dict[str, Any]]:
    """Execute ``code`` in the manager's kernel; its standard output and the reply content."""
    kc = km.client()
    kc.start_channels()
    try:
        await kc.wait_for_ready(timeout=60)
        printed: list[str] = []

        def collect(msg: dict[str, Any]) -> None:
            if msg["msg_type"] == "stream":
                printed.append(msg["content"]["text"])

        reply = await kc.execute_interactive(code, output_hook=collect, timeout=60)
        return "".join(printed), reply["content"]
    finally:
        kc.stop_channels()


def _start(km: Any, cwd: Path, **env: str) -> Any:
    """Start the kernel in ``cwd``. The client must run there too, as papermill does (it
    changes folder around the run): the runner's kernels use IPC sockets named relative to
    the folder, which keeps them short whatever the output folder's path."""
    os.chdir(cwd)
    return km.start_kernel(cwd=str(cwd), env={**os.environ, **env})


@pytest.fixture(autouse=True)
def _back_to_the_start_folder(monkeypatch):
    monkeypatch.chdir(os.getcwd())


@FORKABLE
@pytest.mark.slow
def test_a_forked_kernel_is_a_new_kernel_in_its_own_folder(template, tmp_path):
    """Each kernel is a new process, the template's child, in the folder and with the
    environment it was started with; it starts with the notebook's imports done, with nothing
    another kernel did, and with the module path a kernel started the usual way has; it ends
    with exit code 0 (no hang at shutdown)."""
    manager = kernels.kernel_manager_class()

    async def one(folder: Path, mark: str) -> tuple[dict[str, Any], Any]:
        folder.mkdir()
        km = manager(kernel_name="python3")
        await _start(km, folder, COOPREPORT_TEST_MARK=mark)
        process = km.provisioner.process
        try:
            printed, reply = await _run(km, PROBE)
        finally:
            await km.shutdown_kernel()
        assert reply["status"] == "ok", reply
        return json.loads(printed), process

    async def three() -> list[tuple[dict[str, Any], Any]]:
        forked = [await one(tmp_path / "a", "first"), await one(tmp_path / "b", "second")]
        kernel_template.stop()  # the third starts the usual way, for comparison
        return [*forked, await one(tmp_path / "c", "usual")]

    (first, p1), (second, p2), (usual, p3) = asyncio.run(three())
    for seen, folder, mark, process in ((first, "a", "first", p1), (second, "b", "second", p2)):
        assert isinstance(process, kernel_template.ForkedKernel)
        assert seen["cwd"] == str(tmp_path / folder)
        assert seen["mark"] == mark
        assert seen["ppid"] == template.process.pid
        assert seen["pid"] == process.pid
        assert seen["path"] == usual["path"]  # not the template's folder: "" where IPython puts it
        assert seen["pandas_loaded"] is True
        assert seen["left_over"] is False
        assert process.returncode == 0
    assert first["pid"] != second["pid"]
    assert not isinstance(p3, kernel_template.ForkedKernel)
    assert usual["pandas_loaded"] is False and usual["ppid"] == os.getpid()


@FORKABLE
@pytest.mark.slow
def test_a_forked_kernel_can_be_interrupted_and_killed(template, tmp_path):
    """nbclient's cell timeout interrupts the kernel (SIGINT to its process group); a kernel
    killed from outside is seen as dead, with the signal as its exit code."""
    manager = kernels.kernel_manager_class()

    async def scenario() -> tuple[dict[str, Any], bool, int | None]:
        km = manager(kernel_name="python3")
        await _start(km, tmp_path)
        kc = km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=60)
            msg_id = kc.execute("import time\nprint('running', flush=True)\n"
                                "for _ in range(600): time.sleep(0.1)")
            while True:  # interrupt once the cell's code runs (not at execute_input, before
                # ipykernel has put its interrupt handler in place)
                msg = await kc.get_iopub_msg(timeout=30)
                if (msg["parent_header"].get("msg_id") == msg_id
                        and msg["msg_type"] == "stream"):
                    break
            await km.interrupt_kernel()
            reply = await kc._async_recv_reply(msg_id, timeout=30)
            os.kill(km.provisioner.process.pid, signal.SIGKILL)
            await asyncio.wait_for(km.provisioner.process.exited(), 30)
            return reply["content"], await km.is_alive(), km.provisioner.process.returncode
        finally:
            kc.stop_channels()
            await km.shutdown_kernel(now=True)

    content, alive, code = asyncio.run(scenario())
    assert content["status"] == "error" and content["ename"] == "KeyboardInterrupt"
    assert alive is False
    assert code == -signal.SIGKILL


@FORKABLE
@pytest.mark.slow
def test_kernels_start_the_usual_way_when_the_template_is_gone(template, tmp_path):
    template.process.kill()
    template.process.wait()
    assert kernel_template.current() is None
    manager = kernels.kernel_manager_class()

    async def scenario() -> tuple[str, Any]:
        km = manager(kernel_name="python3")
        await _start(km, tmp_path)
        process = km.provisioner.process
        try:
            printed, _ = await _run(km, "print(6 * 7)")
        finally:
            await km.shutdown_kernel()
        return printed, process

    printed, process = asyncio.run(scenario())
    assert printed.strip() == "42"
    assert not isinstance(process, kernel_template.ForkedKernel)


@FORKABLE
@pytest.mark.slow
def test_a_template_with_a_thread_refuses_to_fork(tmp_path, monkeypatch):
    """Forking a process with more than one thread is unsafe: the template counts its threads
    after the imports and refuses; kernels then start the usual way."""
    (tmp_path / "starts_a_thread.py").write_text(
        "import threading, time\n"
        "threading.Thread(target=time.sleep, args=(60,), daemon=True).start()\n",
        encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    kernel_template.stop()
    try:
        kernel_template.start([notebook(tmp_path, ("code", "import starts_a_thread"))], tmp_path)
        assert kernel_template.current() is None
        assert kernel_template._zygote is not None
        assert "2 threads" in kernel_template._zygote.reason
    finally:
        kernel_template.stop()


@pytest.mark.slow
def test_two_kernels_started_in_one_folder_keep_to_themselves(tmp_path):
    """IPC socket files are named relative to the folder; two runs there (two papermill
    commands in one folder) must not share them and talk to each other's kernels."""
    manager = kernels.kernel_manager_class()

    async def scenario() -> list[str]:
        kms = [manager(kernel_name="python3") for _ in range(2)]
        assert kms[0].ip != kms[1].ip
        for number, km in enumerate(kms):
            await _start(km, tmp_path, COOPREPORT_TEST_MARK=f"kernel {number}")
        try:
            return [(await _run(km, "import os; print(os.environ['COOPREPORT_TEST_MARK'])"))[0]
                    for km in kms]
        finally:
            for km in kms:
                await km.shutdown_kernel()

    assert [text.strip() for text in asyncio.run(scenario())] == ["kernel 0", "kernel 1"]


@FORKABLE
@pytest.mark.slow
def test_a_forked_kernel_holds_none_of_the_templates_sockets(template, tmp_path):
    """The kernel closes the template's end of the socket pair it asks for kernels on, so
    report code cannot write into that channel, and the worker sees it close when the template
    goes (code review, 3.4)."""
    template_fds = {}
    for fd in os.listdir(f"/proc/{template.process.pid}/fd"):
        try:
            target = os.readlink(f"/proc/{template.process.pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:"):
            template_fds[fd] = target
    assert template_fds, "the template holds its control socket"
    manager = kernels.kernel_manager_class()

    async def scenario() -> str:
        (tmp_path / "k").mkdir()
        km = manager(kernel_name="python3")
        await _start(km, tmp_path / "k")
        try:
            printed, _ = await _run(km, (
                "import os\nseen = []\nfor fd in os.listdir('/proc/self/fd'):\n"
                "    try:\n        seen.append(os.readlink(f'/proc/self/fd/{fd}'))\n"
                "    except OSError:\n        pass\nprint('\\n'.join(seen))"))
        finally:
            await km.shutdown_kernel()
        return printed

    held = set(asyncio.run(scenario()).split("\n"))
    assert not set(template_fds.values()) & held
