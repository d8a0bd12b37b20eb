"""The build runner: execute report notebooks with papermill, render them, publish atomically.

Every report runs in its own work folder under ``OUTPUT/.coopreport-work/``; workers only
execute and render there and never write to the output folder. The build process moves each
finished report into a new *edition* of the output folder (:mod:`analysis.build.editions`), writes
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
import logging
import multiprocessing
import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from analysis.build import editions
from analysis.build import incremental
from analysis.build import kernels
from analysis.core import paths
from analysis.build import provenance
from analysis.report.attachments import embed_limit, published_files
from analysis.build.records import (  # noqa: F401  (part of this module's interface)
    BUILT,
    FAILED_DIR,
    LOCK_NAME,
    STAGING_FIELDS,
    SUMMARY_NAME,
    BuildOptions,
    ReportResult,
    release_lock,
    take_lock,
    write_manifest,
    write_summary,
)
from analysis.core.errors import BuildError, CoopReportError
from analysis.build.kernels import kernel_manager_class  # noqa: F401  (part of this module's interface)
from analysis.build.params import Report, parameters_cell
from analysis.render.portal import write_index
from analysis.report.warnings import collect_warnings
from analysis.core.settings import DEFAULT_TIMEOUT_SECONDS

log = logging.getLogger(__name__)

WORK_DIR = ".coopreport-work"  # reports' work folders, inside the output folder




# what stops a build like Ctrl-C: cron, systemd and CI send SIGTERM; a closed terminal SIGHUP
STOP_SIGNALS = tuple(s for s in (getattr(signal, n, None) for n in ("SIGINT", "SIGTERM",
                                                                     "SIGHUP")) if s is not None)


class BuildInterrupted(KeyboardInterrupt):
    """The build was stopped by a signal (Ctrl-C, SIGTERM, SIGHUP); ``signum`` says which."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def report_timeout(report: Report, options: BuildOptions) -> int:
    """Seconds the report may run: ``--timeout``, else the params file's ``timeout``, else
    :data:`analysis.build.params.DEFAULT_TIMEOUT_SECONDS`."""
    return options.timeout or report.spec.timeout or DEFAULT_TIMEOUT_SECONDS


def report_inputs(report: Report, options: BuildOptions) -> dict[str, Any]:
    """What the report is made from, hashed (:func:`analysis.build.incremental.inputs`)."""
    data_path = full_parameters(report).get("data_path")
    registry = (paths.resolve_data_path(data_path) if isinstance(data_path, str) and data_path
                else paths.default_data_path())
    data_files = [registry]
    if registry.suffix in (".yaml", ".yml") and registry.is_file():
        from analysis.data.sources import read_sources_config

        try:
            data_files += read_sources_config(registry)
        except CoopReportError:
            pass  # the params check already refused an invalid sources file
    formats = list(options.formats or report.spec.formats)
    return incremental.inputs(report.source, report.notebook, data_files, options.renderer,
                              formats)


def full_parameters(report: Report) -> dict[str, Any]:
    """The notebook's declared defaults overridden by the params file: what the report ran with."""
    defaults = {d.name: d.default for d in parameters_cell(report.notebook)}
    return defaults | report.parameters


def run_report(report: Report, options: BuildOptions,
               work_root: Path | None = None) -> ReportResult:
    """Execute and render one report in a new work folder. Never raises for a failing notebook.

    The finished files (or the failed notebook) stay in the work folder, named in
    ``result.staged``; :func:`publish_result` moves them into an edition in the build process.
    The work folder is made under ``work_root``, by default ``OUTPUT/.coopreport-work/`` (a
    Dask worker on another machine passes a folder of its own: :mod:`analysis.build.dask_executor`).
    """
    import nbformat
    import papermill
    from nbclient.exceptions import CellTimeoutError
    from papermill.exceptions import PapermillExecutionError

    from analysis.report.attachments import externalise
    from analysis.render.notebook import render_notebook
    from analysis.report.chart_images import fill_chart_images

    started = time.perf_counter()
    out = options.output_dir
    workdir = Path(tempfile.mkdtemp(prefix=f"{report.name}-", dir=work_root or out / WORK_DIR))
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
        budget = report_timeout(report, options)
        deadline = time.monotonic() + budget
        papermill.execute_notebook(
            str(report.notebook), str(executed), parameters=report.parameters,
            cwd=str(workdir), progress_bar=False, log_output=False,
            kernel_name="python3", request_save_on_cell_execute=False,
            kernel_manager_class=kernel_manager_class(images_later=True),
            # one budget for the whole notebook: each cell may use what is left of it
            timeout_func=lambda cell: max(1, int(deadline - time.monotonic())))
        nb = nbformat.read(executed, as_version=4)
        fill_chart_images(nb)  # the kernel left the charts' SVG to this warm process
        # an attachment too large to go inside the report is published beside it
        beside = externalise(nb, workdir, report.name, str(parameters.get("lang") or "en"))
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
        result.staged = [str(p) for p in (executed, *rendered, *beside)]
        result.status = "warning" if result.warnings else "ok"
    except PapermillExecutionError as exc:
        result.error = f"{exc.ename}: {exc.evalue}".strip()
        result.staged = [str(executed)] if executed.exists() else []
    except CellTimeoutError as exc:
        result.error = timeout_message(report_timeout(report, options), str(exc),
                                       report.notebook)
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


def timeout_message(seconds: int, detail: str, notebook: Path) -> str:
    """A timed-out report's error: the limit, how to change it, and the cell that was running,
    found in ``notebook`` from the preview of its source that nbclient's message carries."""
    import ast

    import nbformat

    marker = "preview of the cell contents:"
    preview = detail.split(marker, 1)[1] if marker in detail else ""
    lines = [line for line in preview.splitlines() if line.strip().strip("-")]
    if lines and lines[0].startswith("["):  # a long cell: its first lines as a Python list
        try:
            shown = ast.literal_eval(lines[0])
            lines = [str(line) for line in shown if str(line).strip()]
        except (ValueError, SyntaxError):
            pass
    where = "a cell that could not be identified"
    if lines:
        start = "\n".join(lines[:3]).strip()
        try:
            cells = nbformat.read(notebook, as_version=4).cells
        except (OSError, ValueError):
            cells = []
        number = next((i for i, cell in enumerate(cells, start=1)
                       if cell.cell_type == "code" and cell.source.strip().startswith(start)),
                      None)
        first = lines[0].strip()
        where = (f"cell {number} of {notebook.name} ({first} ...)" if number
                 else f"the cell beginning {first!r}")
    return (f"timed out: the report ran longer than its limit of {seconds} s and was stopped "
            f"(raise it with --timeout or the params key timeout); the cell running was "
            f"{where}")


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
        # the files the previous build published beside its notebook go with it
        for beside in published_files(edition / f"{result.name}.ipynb", result.name):
            (edition / beside).unlink(missing_ok=True)
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


def _warm_worker(level: int, notebooks: Sequence[Path], work: Path) -> None:
    """Set up a worker: logging, Ctrl-C left to the runner, heavy imports once per worker, and
    a kernel template that imports the notebooks' modules meanwhile
    (:mod:`analysis.build.kernels`)."""
    from analysis.core.logs import configure_logging

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, signal.SIG_IGN)  # the build decides, as for Ctrl-C
    _die_with_parent()
    configure_logging(level)
    kernels.start(notebooks, work)
    import nbconvert  # noqa: F401
    import papermill  # noqa: F401

    import analysis.render.notebook  # noqa: F401
    from analysis.report.chart_images import chart_images

    chart_images({"mark": "point", "data": {"values": [{}]}})  # start vl-convert once, here


def _die_with_parent() -> None:
    """Ask Linux to kill this worker when the build process dies, however it dies (even by
    SIGKILL), so no worker lives on to publish without the lock. Its kernel follows: ipykernel
    exits when it sees its parent gone. Elsewhere the build stops its workers itself."""
    import ctypes
    import sys

    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError) as exc:
        log.debug("no parent-death signal for this worker: %s", exc)


@contextlib.contextmanager
def _stop_signals_interrupt() -> Iterator[None]:
    """SIGTERM and SIGHUP stop the build as Ctrl-C does (KeyboardInterrupt in this process).

    Only in the main thread (Python allows signal handlers nowhere else); the previous
    handlers come back afterwards.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise BuildInterrupted(signum)

    previous = {s: signal.signal(s, interrupt) for s in STOP_SIGNALS if s != signal.SIGINT}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


@contextlib.contextmanager
def _stop_signals_deferred() -> Iterator[None]:
    """Hold stop signals back while an edition is published; they act right after it."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)


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
    embed_limit()  # a wrong COOPREPORT_EMBED_LIMIT stops the build before anything runs
    editions.claim(out, own_names=frozenset({LOCK_NAME}))
    lock = take_lock(out)
    results: dict[str, ReportResult] = {}
    work = out / WORK_DIR
    try:
        shutil.rmtree(work, ignore_errors=True)  # leftovers of a killed build (ours by name)
        work.mkdir()
        edition = editions.begin(out)
        manifest = incremental.load_manifest(edition)
        to_build, reasons, pending = [], {}, {}
        for report in reports:
            now = report_inputs(report, options)
            record = manifest.get(report.name)
            if record is not None and not options.force and incremental.is_current(
                    record, now, edition):
                skipped = ReportResult(
                    report.name, report.spec.title, "skipped", 0.0,
                    outputs=[str(out / name) for name in record["files"]],
                    parameters=full_parameters(report), renderer=options.renderer,
                    reason=f"unchanged since the build of {record.get('built_at', '?')}")
                results[report.name] = skipped
                if on_done:
                    on_done(skipped)
                continue
            to_build.append(report)
            reasons[report.name] = ("--force" if options.force
                                    else incremental.describe_changes(
                                        (record or {}).get("inputs"), now))
            pending[report.name] = now  # recorded in the manifest once the report is built

        def done(result: ReportResult) -> None:
            result.reason = reasons.get(result.name)
            files = [Path(p).name for p in result.staged] if result.status in BUILT else []
            publish_result(result, edition, out)
            if result.status == "ok":  # a report with warnings is built again next time
                manifest[result.name] = {
                    "inputs": pending[result.name], "files": files,
                    "formats": list(options.formats or _spec(reports, result.name).formats),
                    "built_at": options.built_at}
            if on_done:
                on_done(result)

        try:
            with _stop_signals_interrupt():
                _run_all(to_build, options, done, results)
        except KeyboardInterrupt:
            # no report starts after a stop signal; finished ones are published, the rest
            # untouched
            _publish_edition(out, edition, options, list(results.values()), manifest,
                             "interrupted")
            raise
        ordered = [results[r.name] for r in reports]
        _publish_edition(out, edition, options, ordered, manifest)
        return ordered
    finally:
        shutil.rmtree(work, ignore_errors=True)
        release_lock(lock)


def _spec(reports: Sequence[Report], name: str) -> Any:
    return next(r.spec for r in reports if r.name == name)


def _publish_edition(out: Path, edition: Path, options: BuildOptions,
                     results: Sequence[ReportResult], manifest: dict[str, Any],
                     status: str | None = None) -> None:
    """Write the summary and the index into ``edition``, then publish it (one rename).

    Stop signals wait until the edition is published. Raises BuildError when the summary or
    the index cannot be written (a full disk): the previous edition stays published.
    """
    with _stop_signals_deferred():
        try:
            write_summary(edition, options, results, status=status)
            write_manifest(edition, manifest)
            write_index(edition)
        except OSError as exc:
            shutil.rmtree(edition, ignore_errors=True)  # never published; nothing stays behind
            raise BuildError(f"cannot write the build summary or index in {out} "
                             f"({exc.strerror or exc}); nothing was published and the previous "
                             "reports stay as they were: free disk space and build again") from exc
        editions.publish(out, edition)


def _run_all(reports: Sequence[Report], options: BuildOptions,
             on_done: Callable[[ReportResult], None] | None,
             results: dict[str, ReportResult]) -> None:
    """Build the reports, filling ``results`` as each finishes (so an interruption keeps them)."""
    def finished(result: ReportResult) -> None:
        results[result.name] = result
        if on_done:
            on_done(result)

    if options.executor == "dask":
        from analysis.build.dask_executor import run_on_dask

        run_on_dask(reports, options, finished)
        return
    notebooks = sorted({r.notebook for r in reports})
    if options.jobs <= 1 or len(reports) <= 1:
        kernels.start(notebooks, options.output_dir / WORK_DIR)
        try:
            for report in reports:
                finished(run_report(report, options))
        finally:
            kernels.stop()
        return
    context = multiprocessing.get_context("spawn")
    workers = min(options.jobs, len(reports))
    level = logging.getLogger("analysis").getEffectiveLevel()
    pool = cf.ProcessPoolExecutor(workers, mp_context=context, initializer=_warm_worker,
                                  initargs=(level, notebooks, options.output_dir / WORK_DIR))
    with _stop_signals_set() as stop:
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
            raise BuildInterrupted(stop.signum)
    pool.shutdown(wait=True)


class _StopEvent(threading.Event):
    """Set by a stop signal; remembers the first signal's number."""

    signum: int = signal.SIGINT


@contextlib.contextmanager
def _stop_signals_set() -> Iterator[_StopEvent]:
    """An event that a stop signal (Ctrl-C, SIGTERM, SIGHUP) sets, instead of raising
    KeyboardInterrupt anywhere.

    The parallel build waits on its workers in short steps and checks the event between them,
    so a stop is handled in this module's code, never inside the executor's locks and queues.
    Outside the main thread (where Python allows no signal handler) signals are left as they
    are.
    """
    stop = _StopEvent()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def note(signum: int, frame: object) -> None:
        if not stop.is_set():
            stop.signum = signum
        stop.set()

    previous = {s: signal.signal(s, note) for s in STOP_SIGNALS}
    try:
        yield stop
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


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
