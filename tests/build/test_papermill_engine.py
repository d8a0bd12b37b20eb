"""The coopreport papermill engine's bound on a notebook's time as a whole: each cell may use
only what is left of it, with no minimum per cell, a cell does not start past it, and a
notebook out of time has its kernel killed. The tests that start real kernels are marked slow;
each asserts on outcomes (which cells ran, what was raised), never on how long anything took.
"""

from __future__ import annotations

import time
from pathlib import Path
from types import SimpleNamespace

import nbformat
import papermill
import psutil
import pytest
from nbclient.exceptions import CellTimeoutError

from analysis.build.papermill_engine import ENGINE_NAME, LAST_WAIT_SECONDS, BoundedClient
from analysis.report.output_budget import OutputBudget


def notebook(folder: Path, *sources: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    path = folder / "source.ipynb"
    nbformat.write(nb, path)
    return path


def run(source: Path, limit: float) -> Path:
    executed = source.with_name("executed.ipynb")
    papermill.execute_notebook(str(source), str(executed), engine_name=ENGINE_NAME,
                               notebook_timeout=limit, progress_bar=False,
                               kernel_name="python3", cwd=str(source.parent))
    return executed


def ran(executed: Path) -> list[int]:
    """The cells (from 1) that ran to their end, by what each printed."""
    nb = nbformat.read(executed, as_version=4)
    return [int(o.text) for c in nb.cells for o in c.outputs if o.output_type == "stream"]


def client(limit: float) -> BoundedClient:
    """A client for a one-cell notebook, with no kernel: enough to ask it about time."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(1)")])
    return BoundedClient(SimpleNamespace(nb=nb), OutputBudget(10_000, "en"),
                         notebook_timeout=limit)


def test_a_cell_may_wait_for_what_is_left_of_the_notebooks_time_and_never_for_nothing():
    bounded = client(10)
    bounded.deadline = time.monotonic() + 10
    assert 0 < bounded._get_timeout(bounded.nb.cells[0]) <= 10
    bounded.deadline = time.monotonic() - 1  # past: the least wait, not 0 (nbclient: no limit)
    assert bounded._get_timeout(bounded.nb.cells[0]) == LAST_WAIT_SECONDS


def test_a_cell_does_not_start_once_the_notebooks_time_is_up():
    bounded = client(10)
    bounded.deadline = time.monotonic() - 1
    # no kernel: a cell that started would fail on that, not time out
    with pytest.raises(CellTimeoutError, match="print"):
        bounded.execute_cell(bounded.nb.cells[0], 0)
    assert bounded.shutdown_kernel == "immediate"


@pytest.mark.slow
def test_cells_each_shorter_than_the_limit_are_stopped_when_together_they_exceed_it(tmp_path):
    """Five cells of 0.5 s under a 1 s limit: each would fit a limit per cell (what a per-cell
    minimum of 1 s allowed), but the second cannot end within what the first left of the
    second, so the notebook is stopped there (or in the first on a very busy machine)."""
    source = notebook(tmp_path, *(f"import time\ntime.sleep(0.5)\nprint({i})"
                                  for i in range(1, 6)))
    with pytest.raises(CellTimeoutError, match="Cell execution timed out"):
        run(source, 1)
    assert ran(tmp_path / "executed.ipynb") in ([], [1])


@pytest.mark.slow
def test_a_notebook_within_its_limit_runs_to_its_end(tmp_path):
    source = notebook(tmp_path, *(f"print({i})" for i in range(1, 4)))
    assert ran(run(source, 120)) == [1, 2, 3]


@pytest.mark.slow
def test_the_kernel_of_a_notebook_out_of_time_is_killed_not_asked_to_stop(tmp_path):
    """A kernel that ignores interrupts and would note being asked to stop (SIGTERM, which a
    graceful shutdown sends a busy kernel after waiting for it): killed outright, so it has
    noted nothing, and gone by the time papermill returns."""
    source = notebook(
        tmp_path,
        "import os, signal\n"
        "open('kernel.pid', 'w').write(str(os.getpid()))\n"
        "signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
        "signal.signal(signal.SIGTERM, lambda *_: open('asked-to-stop', 'w').close())",
        "import time\ntime.sleep(3600)",
        "print(3)")
    with pytest.raises(CellTimeoutError, match="time.sleep"):  # the cell that was running
        run(source, 1)
    kernel = int((tmp_path / "kernel.pid").read_text(encoding="utf-8"))
    assert not psutil.pid_exists(kernel) or psutil.Process(kernel).status() == "zombie"
    assert not (tmp_path / "asked-to-stop").exists()
    assert ran(tmp_path / "executed.ipynb") == []
