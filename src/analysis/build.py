"""The build runner: execute report notebooks with papermill, render them, publish atomically.

Every report runs in its own work folder under ``OUTPUT/.coopreport-work/``; workers only
execute and render there and never write to the output folder. The build process moves each
finished report into a new *edition* of the output folder (:mod:`analysis.editions`), writes
``build-summary.json`` and ``index.html`` there, and publishes the whole edition with one atomic
rename: a reader sees every report of the previous edition or of the new one, never a mix, and
an index and summary that describe exactly the files that are there — whatever moment the
build is killed at. A failed report keeps its previous files; its executed notebook (with the
traceback) is in ``OUTPUT/_failed/``. One build at a time may write to an output folder (a lock
file; a second build is refused), and only into a folder that is coopreport's own.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import json
import logging
import multiprocessing
import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import filelock

from analysis import editions, paths, provenance
from analysis.errors import BuildError, CoopReportError
from analysis.params import Report, parameters_cell
from analysis.portal import write_index
from analysis.report_warnings import collect_warnings

log = logging.getLogger(__name__)

WORK_DIR = ".coopreport-work"  # reports' work folders, inside the output folder
FAILED_DIR = "_failed"
LOCK_NAME = ".coopreport.lock"
SUMMARY_NAME = "build-summary.json"


@dataclass
class ReportResult:
    """The outcome of one report, as written to ``build-summary.json``."""

    name: str
    title: str
    status: str  # "ok", "warning" (built, but see warnings) or "failed"
    seconds: float
    outputs: list[str] = field(default_factory=list)
    error: str | None = None
    failed_notebook: str | None = None
    renderer: str | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # from the notebook (report_warnings)
    # where a worker left the report's files for the build process to publish (not in the
    # summary): the work folder, and the finished files or the failed notebook in it
    workdir: str | None = field(default=None, repr=False)
    staged: list[str] = field(default_factory=list, repr=False)


STAGING_FIELDS = ("workdir", "staged")
BUILT = ("ok", "warning")  # statuses of a report whose files were made


@dataclass(frozen=True)
class BuildOptions:
    output_dir: Path
    formats: tuple[str, ...] | None = None  # None: each report's own formats
    renderer: str = "builtin"  # resolved before the build starts: "builtin" or "quarto"
    jobs: int = 1
    commit: str | None = None
    built_at: str = ""


def kernel_manager_class() -> type:
    """A kernel manager on local IPC sockets that shuts finished kernels down without SIGINT.

    Kernels only ever talk to this machine's runner; IPC keeps them off the network and stops
    ipykernel's "running over TCP without encryption" warning from cluttering build logs.

    jupyter_client's ``shutdown_kernel`` interrupts the kernel before asking it to shut down.
    After the last cell the kernel is idle, so that SIGINT interrupts nothing and only makes
    ipykernel log ``ERROR | KeyboardInterrupt caught in kernel`` into the build's log. This
    manager skips the interrupt while shutting down; a kernel that is still busy is stopped by
    the shutdown request on its control channel, or killed when it does not answer in time.
    Interrupts at other times (nbclient's cell timeout) are unchanged.
    """
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    class IpcKernelManager(AsyncKernelManager):
        @default("transport")
        def _default_transport(self) -> str:
            return "ipc"

        async def _async_interrupt_kernel(self) -> None:
            if self.shutting_down:
                return
            await super()._async_interrupt_kernel()

    return IpcKernelManager


def full_parameters(report: Report) -> dict[str, Any]:
    """The notebook's declared defaults overridden by the params file: what the report ran with."""
    defaults = {d.name: d.default for d in parameters_cell(report.notebook)}
    return defaults | report.parameters


def run_report(report: Report, options: BuildOptions) -> ReportResult:
    """Execute and render one report in a new work folder. Never raises for a failing notebook.

    The finished files (or the failed notebook) stay in the work folder, named in
    ``result.staged``; :func:`publish_result` moves them into an edition in the build process.
    """
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from analysis.render import render_notebook

    started = time.perf_counter()
    out = options.output_dir
    workdir = Path(tempfile.mkdtemp(prefix=f"{report.name}-", dir=out / WORK_DIR))
    executed = workdir / f"{report.name}.ipynb"
    parameters = full_parameters(report)
    data_path = parameters.get("data_path")
    record = provenance.describe_build(
        parameters, paths.resolve_data_path(data_path) if isinstance(data_path, str) else None,
        commit=options.commit, built_at=options.built_at)
    result = ReportResult(report.name, report.spec.title, "failed", 0.0, parameters=parameters,
                          workdir=str(workdir))
    try:
        log.info("%s: executing %s", report.name, report.notebook.name)
        papermill.execute_notebook(
            str(report.notebook), str(executed), parameters=report.parameters,
            cwd=str(workdir), progress_bar=False, log_output=False,
            kernel_name="python3", request_save_on_cell_execute=False,
            kernel_manager_class=kernel_manager_class())
        nb = nbformat.read(executed, as_version=4)
        result.warnings = collect_warnings(nb)
        nb.metadata["coopreport"] = {
            "name": report.name, "title": report.spec.title, "subtitle": report.spec.subtitle,
            "provenance": record, "warnings": result.warnings,
        }
        nbformat.write(nb, executed)
        formats = list(options.formats or report.spec.formats)
        log.info("%s: rendering %s with the %s renderer", report.name, "+".join(formats),
                 options.renderer)
        rendered = render_notebook(executed, workdir, formats, options.renderer)
        result.renderer = options.renderer
        result.staged = [str(p) for p in (executed, *rendered)]
        result.status = "warning" if result.warnings else "ok"
    except PapermillExecutionError as exc:
        result.error = f"{exc.ename}: {exc.evalue}".strip()
        result.staged = [str(executed)] if executed.exists() else []
    except (CoopReportError, OSError, ValueError, RuntimeError) as exc:
        # ValueError/RuntimeError: nbclient's kernel errors (dead kernel, timeout) and
        # nbformat validation; the report fails, the build goes on with the others.
        result.error = f"{type(exc).__name__}: {exc}"
        result.staged = [str(executed)] if executed.exists() else []
    finally:
        result.seconds = round(time.perf_counter() - started, 2)
    if result.status in BUILT:
        log.info("%s: built in %.1f s", report.name, result.seconds)
        for warning in result.warnings:
            log.warning("%s: %s", report.name, warning)
    else:
        log.error("%s: FAILED after %.1f s: %s", report.name, result.seconds, result.error)
    return result


def publish_result(result: ReportResult, edition: Path, out: Path) -> ReportResult:
    """Move a report's staged files into ``edition`` (not yet visible to readers).

    A built report replaces all of its files from the previous edition (a format it no longer
    has is dropped) and its old failed notebook; a failed report keeps its previous files and
    gains ``_failed/NAME.ipynb``. Paths in the result are where readers find the files once
    the edition is published (``OUT/NAME.html``).
    """
    staged = [Path(p) for p in result.staged]
    failed = edition / FAILED_DIR / f"{result.name}.ipynb"
    if result.status in BUILT:
        for old in edition.glob(f"{result.name}.*"):
            if old.suffix in (".ipynb", ".html", ".pdf") and old.stem == result.name:
                old.unlink()
        failed.unlink(missing_ok=True)
        for source in staged:
            os.replace(source, edition / source.name)
        result.outputs = [str(out / source.name) for source in staged]
    elif staged:
        failed.parent.mkdir(exist_ok=True)
        os.replace(staged[0], failed)
        result.failed_notebook = str(out / FAILED_DIR / failed.name)
    if result.workdir:
        shutil.rmtree(result.workdir, ignore_errors=True)
    result.workdir, result.staged = None, []
    return result


def _warm_worker(level: int) -> None:
    """Set up a worker: logging, Ctrl-C left to the runner, heavy imports once per worker."""
    from analysis.logs import configure_logging

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    configure_logging(level)
    import nbconvert  # noqa: F401
    import papermill  # noqa: F401

    import analysis.render  # noqa: F401


def build_reports(reports: Sequence[Report], options: BuildOptions,
                  on_done: Callable[[ReportResult], None] | None = None) -> list[ReportResult]:
    """Build every report (in parallel processes when ``options.jobs > 1``) and publish them,
    with the summary and the index, as one new edition of the output folder.

    Raises
    ------
    BuildError
        When another build holds the output folder's lock, or the output folder is not
        coopreport's (a file, not writable, or holding files coopreport did not make).
    """
    out = options.output_dir
    editions.claim(out, own_names=frozenset({LOCK_NAME}))
    lock = filelock.FileLock(str(out / LOCK_NAME))
    try:
        lock.acquire(timeout=0)
    except filelock.Timeout as exc:
        raise BuildError(f"another coopreport build is writing to {out} (lock {lock.lock_file}); "
                         "wait for it to finish, or build into another --output-dir") from exc
    results: dict[str, ReportResult] = {}
    work = out / WORK_DIR
    try:
        shutil.rmtree(work, ignore_errors=True)  # leftovers of a killed build (ours by name)
        work.mkdir()
        edition = editions.begin(out)

        def done(result: ReportResult) -> None:
            publish_result(result, edition, out)
            if on_done:
                on_done(result)

        try:
            _run_all(reports, options, done, results)
        except KeyboardInterrupt:
            # no report starts after Ctrl-C; finished ones are published, the rest untouched
            _publish_edition(out, edition, options, list(results.values()), "interrupted")
            raise
        ordered = [results[r.name] for r in reports]
        _publish_edition(out, edition, options, ordered)
        return ordered
    finally:
        shutil.rmtree(work, ignore_errors=True)
        lock.release()


def _publish_edition(out: Path, edition: Path, options: BuildOptions,
                     results: Sequence[ReportResult], status: str | None = None) -> None:
    """Write the summary and the index into ``edition``, then publish it (one rename)."""
    write_summary(edition, options, results, status=status)
    write_index(edition)
    editions.publish(out, edition)


def _run_all(reports: Sequence[Report], options: BuildOptions,
             on_done: Callable[[ReportResult], None] | None,
             results: dict[str, ReportResult]) -> None:
    """Build the reports, filling ``results`` as each finishes (so an interruption keeps them)."""
    def finished(result: ReportResult) -> None:
        results[result.name] = result
        if on_done:
            on_done(result)

    if options.jobs <= 1 or len(reports) <= 1:
        for report in reports:
            finished(run_report(report, options))
        return
    context = multiprocessing.get_context("spawn")
    workers = min(options.jobs, len(reports))
    level = logging.getLogger("analysis").getEffectiveLevel()
    pool = cf.ProcessPoolExecutor(workers, mp_context=context, initializer=_warm_worker,
                                  initargs=(level,))
    with _ctrl_c_sets() as stop:
        futures = {pool.submit(run_report, r, options): r for r in reports}
        pending = set(futures)
        while pending and not stop.is_set():
            done, pending = cf.wait(pending, timeout=0.2, return_when=cf.FIRST_COMPLETED)
            for future in done:
                try:
                    finished(future.result())
                except cf.process.BrokenProcessPool as exc:
                    report = futures[future]
                    finished(ReportResult(report.name, report.spec.title, "failed", 0.0,
                                          error=f"the worker process died: {exc}"))
        if stop.is_set():
            _stop_pool(pool)
            raise KeyboardInterrupt
    pool.shutdown(wait=True)


@contextlib.contextmanager
def _ctrl_c_sets() -> Iterator[threading.Event]:
    """An event that Ctrl-C (SIGINT) sets, instead of raising KeyboardInterrupt anywhere.

    The parallel build waits on its workers in short steps and checks the event between them,
    so Ctrl-C is handled in this module's code, never inside the executor's locks and queues.
    Outside the main thread (where Python allows no signal handler) Ctrl-C is left as it is.
    """
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    previous = signal.signal(signal.SIGINT, lambda signum, frame: stop.set())
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, previous)


def _stop_pool(pool: cf.ProcessPoolExecutor) -> None:
    """Stop the running reports: no queued report starts, the workers are terminated.

    Workers ignore Ctrl-C (see :func:`_warm_worker`) so that it reaches only this process; the
    pool has no public way to stop running work before Python 3.14. A terminated worker's
    kernel (in its own session) exits when it sees its parent gone.
    """
    running = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in running:
        process.terminate()
    for process in running:
        process.join(timeout=30)


def write_summary(out: Path, options: BuildOptions, results: Sequence[ReportResult],
                  status: str | None = None) -> Path:
    """Write ``build-summary.json`` atomically: what a scheduler reads after the build.

    ``status`` is ``ok`` when every report was built, ``warning`` when all were built but one
    has warnings (a country with no activities), ``failed`` when one failed, and
    ``interrupted`` when the build was stopped (only finished reports are listed then).
    """
    summary = {
        "built_at": options.built_at,
        "git_commit": options.commit,
        "renderer": options.renderer,
        "status": status or ("failed" if any(r.status not in BUILT for r in results) else
                             "warning" if any(r.status == "warning" for r in results) else "ok"),
        "reports": [{k: v for k, v in asdict(r).items() if k not in STAGING_FIELDS}
                    for r in results],
    }
    target = out / SUMMARY_NAME
    handle = tempfile.NamedTemporaryFile("w", dir=out, suffix=".tmp", delete=False,
                                         encoding="utf-8")
    with handle:
        json.dump(summary, handle, indent=2, ensure_ascii=False, default=str)
    os.chmod(handle.name, 0o644)
    os.replace(handle.name, target)
    return target
