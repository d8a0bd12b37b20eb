"""Report kernels as the build starts them: on local IPC sockets, forked from the warm
template where there is one (:mod:`analysis.build.kernel_template`), ready as soon as they
answer, and shut down without a spurious interrupt.

:func:`kernel_manager_class` is what the runner and ``papermill --engine coopreport`` give
papermill. It overrides a few private methods of jupyter_client's asynchronous kernel
manager and client (see each class); jupyter_client is pinned to the tested major version in
``pyproject.toml``.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping, Sequence
from typing import Any

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.connect import KernelConnectionInfo
from jupyter_client.provisioning import LocalProvisioner

from analysis.build.kernel_template import LAUNCHER, LISTEN_TIMEOUT, ForkedKernel, current

log = logging.getLogger(__name__)


def launcher_arguments(cmd: Sequence[str], interpreter: Sequence[str]) -> list[str] | None:
    """The arguments after ``INTERPRETER -m ipykernel_launcher`` in ``cmd`` when that is how
    ``cmd`` starts (the only kernel a template started with ``interpreter`` can stand in for),
    else None."""
    head = [*interpreter, "-m", LAUNCHER]
    if list(cmd[:len(head)]) == head:
        return list(cmd[len(head):])
    return None


class ForkProvisioner(LocalProvisioner):  # type: ignore[misc]
    """jupyter_client's local provisioner, launching ipykernel by a fork of this process's
    kernel template when there is one, and the usual way otherwise."""

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> KernelConnectionInfo:
        zygote = current()
        argv = None if zygote is None else launcher_arguments(cmd, zygote.interpreter)
        if zygote is None or argv is None:
            return await super().launch_kernel(cmd, **kwargs)
        env = {str(k): str(v) for k, v in (kwargs.get("env") or os.environ).items()}
        cwd = str(kwargs.get("cwd") or os.getcwd())
        started = time.perf_counter()
        try:
            kernel = zygote.fork_kernel(argv, cwd, env)
        except OSError as exc:
            log.warning("the kernel template could not start a kernel (%s); starting it the "
                        "usual way", exc)
            return await super().launch_kernel(cmd, **kwargs)
        self.process = kernel  # type: ignore[assignment]  # has what it needs of a Popen
        self.pid = self.pgid = kernel.pid  # the kernel leads its own process group
        self.cwd = cwd
        forked = time.perf_counter()
        await kernel.listening(timeout=LISTEN_TIMEOUT)
        log.debug("kernel %d forked in %.3f s, listening %.3f s later", self.pid,
                  forked - started, time.perf_counter() - forked)
        return self.connection_info

    async def wait(self) -> int | None:
        """Wait for the kernel to end: woken by its pidfd the moment it does, where the local
        provisioner polls every 0.1 s."""
        kernel = self.process
        if not isinstance(kernel, ForkedKernel):
            return await super().wait()
        started = time.perf_counter()
        code = await kernel.exited()
        log.debug("kernel %d ended with code %s after %.3f s", kernel.pid, code,
                  time.perf_counter() - started)
        self.process = None
        return code


class PromptKernelClient(AsyncKernelClient):  # type: ignore[misc]
    """jupyter_client's asynchronous client, ready as soon as the kernel has answered.

    ``wait_for_ready`` ends by reading IOPub until it has been silent for 0.2 s: a fixed 0.2 s
    of every report. Here it reads what has arrived and stops; a status message of the
    ``kernel_info`` request that arrives later is ignored by nbclient, which only reads
    messages that answer the cell it is running.
    """

    async def _async_wait_for_ready(self, timeout: float | None = None) -> None:
        from queue import Empty

        deadline = time.time() + (float("inf") if timeout is None else timeout)
        while True:  # as jupyter_client: a kernel_info reply, then any IOPub message
            self.kernel_info()
            try:
                msg = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                pass
            else:
                if msg["msg_type"] == "kernel_info_reply":
                    try:
                        await self.iopub_channel.get_msg(timeout=0.2)
                    except Empty:
                        pass
                    else:
                        self._handle_kernel_info_reply(msg)
                        break
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.time() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")
        while True:  # what has already arrived, without waiting for silence
            try:
                await self.iopub_channel.get_msg(timeout=0)
            except Empty:
                break

    wait_for_ready = _async_wait_for_ready


def kernel_manager_class(images_later: bool = False,
                         env: Mapping[str, str] | None = None) -> type:
    """A kernel manager on local IPC sockets that shuts finished kernels down without SIGINT.

    Kernels only ever talk to this machine's runner; IPC keeps them off the network and stops
    ipykernel's "running over TCP without encryption" warning from cluttering build logs.

    jupyter_client's ``shutdown_kernel`` interrupts the kernel before asking it to shut down.
    After the last cell the kernel is idle, so that SIGINT interrupts nothing and only makes
    ipykernel log ``ERROR | KeyboardInterrupt caught in kernel`` into the build's log. This
    manager skips the interrupt while shutting down; a kernel that is still busy is stopped by
    the shutdown request on its control channel, or killed when it does not answer in time.
    Interrupts at other times (nbclient's cell timeout) are unchanged.

    ``images_later`` tells the kernel to leave the charts' images to the runner
    (:func:`analysis.report.chart_images.fill_chart_images`); ``env`` adds variables to the
    kernel's environment (the build's project root).
    """
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    class IpcKernelManager(AsyncKernelManager):
        @default("transport")
        def _default_transport(self) -> str:
            return "ipc"

        @default("ip")
        def _default_ip(self) -> str:
            # IPC socket files are named from this, relative to the folder the kernel and its
            # client run in (papermill changes into it), which keeps the path short whatever
            # the output folder; jupyter_client's own default, "kernel-ipc", is the same for
            # every kernel, so two runs in one folder would talk to each other's kernels
            import uuid

            return f"kernel-{uuid.uuid4().hex[:12]}-ipc"

        @default("client_factory")
        def _default_client_factory(self) -> type:
            return PromptKernelClient

        async def _async_pre_start_kernel(self, **kw: Any) -> tuple[list[str], dict[str, Any]]:
            if self.provisioner is None and current() is not None:
                import uuid

                self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
                self.provisioner = ForkProvisioner(
                    kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self)
            command, launch = await super()._async_pre_start_kernel(**kw)
            extra = dict(env or {})
            if images_later:  # charts drawn by the runner afterwards (fill_chart_images)
                from analysis.report.chart_images import IMAGES_LATER_ENV

                extra[IMAGES_LATER_ENV] = "1"
            if extra:
                launch["env"] = {**(launch.get("env") or os.environ), **extra}
            return command, launch

        async def _async_wait(self, pollinterval: float = 0.1) -> None:
            process = getattr(self.provisioner, "process", None)
            if isinstance(process, ForkedKernel):
                await process.exited()  # woken when it ends, not polled every 0.1 s
                return
            await super()._async_wait(pollinterval)

        async def _async_interrupt_kernel(self) -> None:
            if self.shutting_down:
                return
            await super()._async_interrupt_kernel()

    return IpcKernelManager
