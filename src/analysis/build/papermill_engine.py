"""A papermill engine that runs kernels as the build runner does: ``papermill --engine coopreport``.

papermill's default engine starts kernels on TCP, so ipykernel warns "Kernel is running over TCP
without encryption", and shuts them down with an interrupt that ipykernel logs as an error.
This engine (registered under the ``papermill.engine`` entry point ``coopreport``) uses the
runner's kernel manager (:func:`analysis.build.kernels.kernel_manager_class`): local IPC sockets
and a shutdown without SIGINT, so a report run from papermill's command line logs no warning.
"""

from __future__ import annotations

from typing import Any

from papermill.engines import NBClientEngine


class CoopreportEngine(NBClientEngine):  # type: ignore[misc]
    """papermill's nbclient engine with the build runner's kernel manager."""

    @classmethod
    def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, **kwargs: Any) -> Any:
        from analysis.build.kernels import kernel_manager_class

        kwargs.setdefault("kernel_manager_class", kernel_manager_class())
        return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)
