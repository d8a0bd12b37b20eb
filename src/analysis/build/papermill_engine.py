"""A papermill engine that runs kernels as the build runner does: ``papermill --engine coopreport``.

papermill's default engine starts kernels on TCP, so ipykernel warns "Kernel is running over TCP
without encryption", and shuts them down with an interrupt that ipykernel logs as an error.
This engine (registered under the ``papermill.engine`` entry point ``coopreport``, and here on
import) uses the runner's kernel manager (:func:`analysis.build.kernels.kernel_manager_class`):
local IPC sockets and a shutdown without SIGINT, so a report run from papermill's command line
logs no warning.

It also bounds the output a report may carry (:mod:`analysis.report.output_budget`): each
output is weighed as the kernel sends it, and what does not fit is never kept, so a cell that
prints 200 MB neither makes a 200 MB report nor holds it in memory through the build.

And it bounds the time the notebook's cells may run in all (``notebook_timeout``, counted from
the first cell; starting the kernel has papermill's ``start_timeout``): each cell may use what
is left of it and no more, with no minimum per cell, a cell does not start once it is spent,
and the kernel of a notebook out of time is killed, not asked to finish its cell.
"""

from __future__ import annotations

import time
from typing import Any

import nbformat
from nbclient.exceptions import CellTimeoutError
from nbclient.util import run_sync
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines

from analysis.report.output_budget import OutputBudget, describe_cell, output_limit, output_size

ENGINE_NAME = "coopreport"
# what a cell started just before the notebook's deadline may wait for its reply; nbclient
# reads a timeout of 0 as "no limit", so the wait left is never less than this
LAST_WAIT_SECONDS = 0.001


class BoundedClient(PapermillNotebookClient):  # type: ignore[misc]
    """papermill's notebook client, keeping only the output that fits the report's budget and,
    given ``notebook_timeout`` (seconds), running the notebook's cells within that time in all.
    """

    def __init__(self, nb_man: Any, budget: OutputBudget,
                 notebook_timeout: float | None = None, **kwargs: Any) -> None:
        super().__init__(nb_man, **kwargs)
        self.budget = budget
        self.notebook_timeout = notebook_timeout
        self.deadline: float | None = None
        if notebook_timeout is not None:
            self.timeout_func = self.time_left

    def papermill_execute_cells(self) -> None:
        if self.notebook_timeout is not None:  # the kernel is up: the notebook's time starts
            self.deadline = time.monotonic() + self.notebook_timeout
        super().papermill_execute_cells()

    def time_left(self, cell: Any) -> float:
        """A cell's timeout: what is left of the notebook's (nbclient's ``timeout_func``)."""
        if self.deadline is None:  # a cell run outside papermill_execute_cells: all of it
            return max(float(self.notebook_timeout or 0), LAST_WAIT_SECONDS)
        return max(self.deadline - time.monotonic(), LAST_WAIT_SECONDS)

    async def async_execute_cell(self, cell: Any, cell_index: int,
                                 execution_count: int | None = None,
                                 store_history: bool = True) -> Any:
        if (self.deadline is not None and time.monotonic() >= self.deadline
                and cell.cell_type == "code" and cell.source.strip()):
            # out of time before this cell: it does not start
            self.shutdown_kernel = "immediate"
            raise CellTimeoutError.error_from_timeout_and_cell(
                "Cell execution timed out", int(self.notebook_timeout or 0), cell)
        return await super().async_execute_cell(cell, cell_index, execution_count,
                                                store_history)

    # nbclient binds the synchronous form to its own coroutine; this one is the one to run
    execute_cell = run_sync(async_execute_cell)

    async def _async_handle_timeout(self, timeout: int,
                                    cell: Any = None) -> dict[str, Any] | None:
        # a kernel out of time is killed at once: asked to shut down, a kernel busy in its cell
        # would be waited for (nbclient's graceful shutdown) before being killed
        self.shutdown_kernel = "immediate"
        return await super()._async_handle_timeout(timeout, cell)

    def output(self, outs: list[Any], msg: dict[str, Any], display_id: str | None,
               cell_index: int) -> Any:
        if self.clear_before_next_output:
            self.budget.cleared(cell_index)  # the outputs go before this one comes in
        before = len(outs)
        out = super().output(outs, msg, display_id, cell_index)
        if out is None or len(outs) != before + 1:
            return out  # an output widget took it, or nothing was added
        admitted = self.budget.admit(out, cell_index,
                                     lambda: describe_cell(self.nb.cells, cell_index))
        if len(admitted) == 1 and admitted[0] is out:
            return out
        del outs[before:]
        if display_id:  # what was left out cannot be updated later
            self._display_id_map.get(display_id, {}).pop(cell_index, None)
        outs.extend(nbformat.from_dict(o) for o in admitted)
        return outs[before] if len(outs) > before else None

    def clear_output(self, outs: list[Any], msg: dict[str, Any], cell_index: int) -> None:
        super().clear_output(outs, msg, cell_index)
        if not outs:
            self.budget.cleared(cell_index)

    def _update_display_id(self, display_id: str, msg: dict[str, Any]) -> None:
        data = msg.get("content", {}).get("data", {})
        size = output_size({"output_type": "display_data", "data": data})
        if size > self.budget.limit - self.budget.used:
            self.log.warning("a display update of %d bytes is left out: over the report's "
                             "output limit", size)
            return
        super()._update_display_id(display_id, msg)


class CoopreportEngine(NBClientEngine):  # type: ignore[misc]
    """papermill's nbclient engine with the build runner's kernel manager and output bound.

    Extra keyword arguments: ``output_limit`` (bytes; default :func:`output_limit`),
    ``output_lang`` (the language of the note where output is cut; default English) and
    ``notebook_timeout`` (seconds the notebook's cells may run in all; default: no bound but
    papermill's per-cell ``execution_timeout``).
    """

    @classmethod
    def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, log_output: bool = False,
                                 stdout_file: Any = None, stderr_file: Any = None,
                                 start_timeout: int = 60, execution_timeout: Any = None,
                                 **kwargs: Any) -> Any:
        from papermill.log import logger
        from papermill.utils import merge_kwargs, remove_args

        from analysis.build.kernels import kernel_manager_class

        kwargs.setdefault("kernel_manager_class", kernel_manager_class())
        limit = kwargs.pop("output_limit", None)
        budget = OutputBudget(output_limit() if limit is None else int(limit),
                              str(kwargs.pop("output_lang", None) or "en"))
        notebook_timeout = kwargs.pop("notebook_timeout", None)
        # as NBClientEngine.execute_managed_notebook does, with the bounded client
        kwargs = remove_args(["input_path"], **kwargs)
        safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
        final_kwargs = merge_kwargs(
            safe_kwargs, timeout=execution_timeout if execution_timeout else kwargs.get("timeout"),
            startup_timeout=start_timeout, kernel_name=kernel_name, log=logger,
            log_output=log_output, stdout_file=stdout_file, stderr_file=stderr_file)
        return BoundedClient(nb_man, budget, notebook_timeout=notebook_timeout,
                             **final_kwargs).execute()


papermill_engines.register(ENGINE_NAME, CoopreportEngine)
