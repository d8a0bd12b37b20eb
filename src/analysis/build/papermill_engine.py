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
"""

from __future__ import annotations

from typing import Any

import nbformat
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines

from analysis.report.output_budget import OutputBudget, describe_cell, output_limit, output_size

ENGINE_NAME = "coopreport"


class BoundedClient(PapermillNotebookClient):  # type: ignore[misc]
    """papermill's notebook client, keeping only the output that fits the report's budget."""

    def __init__(self, nb_man: Any, budget: OutputBudget, **kwargs: Any) -> None:
        super().__init__(nb_man, **kwargs)
        self.budget = budget

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

    Extra keyword arguments: ``output_limit`` (bytes; default :func:`output_limit`) and
    ``output_lang`` (the language of the note where output is cut; default English).
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
        # as NBClientEngine.execute_managed_notebook does, with the bounded client
        kwargs = remove_args(["input_path"], **kwargs)
        safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
        final_kwargs = merge_kwargs(
            safe_kwargs, timeout=execution_timeout if execution_timeout else kwargs.get("timeout"),
            startup_timeout=start_timeout, kernel_name=kernel_name, log=logger,
            log_output=log_output, stdout_file=stdout_file, stderr_file=stderr_file)
        return BoundedClient(nb_man, budget, **final_kwargs).execute()


papermill_engines.register(ENGINE_NAME, CoopreportEngine)
