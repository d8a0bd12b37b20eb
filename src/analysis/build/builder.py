"""The build: check the output folder, take its lock, decide what to build, run the reports
(in worker processes, as many as --jobs, or on Dask) and publish them as one new edition.

Every report runs in its own work folder under ``OUTPUT/.coopreport-work/``
(:mod:`analysis.build.runner`); workers only execute and render there and never write to the
output folder. This process moves each finished report into a new *edition* of the output
folder and publishes the whole edition with one atomic rename (:mod:`analysis.build.publish`,
:mod:`analysis.build.editions`): a reader sees every report of the previous edition or of the
new one, never a mix, and an index and summary that describe exactly the files that are
there — whatever moment the build is killed at. A failed report keeps its previous files; its
executed notebook (with the traceback) is in ``OUTPUT/_failed/``. One build at a time may write
to an output folder (:mod:`analysis.build.lock`), and only into a folder that is coopreport's
own.
"""

from __future__ import annotations

import concurrent.futures as cf
import logging
import multiprocessing
import os
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from analysis.build import editions, incremental
from analysis.build.layout import LOCK_NAME, WORK_DIR
from analysis.build.lock import release_lock, take_lock
from analysis.build.params import Report
from analysis.build.publish import publish_edition, publish_result
from analysis.build.records import BUILT, BuildOptions, ReportResult
from analysis.build.runner import full_parameters, report_inputs, run_report, warm_worker
from analysis.build.signals import (
    BuildInterrupted,
    stop_signals_deferred,
    stop_signals_raise,
    stop_signals_set,
)
from analysis.core.process import adopt_orphans, adopting, descendants, stop_processes
from analysis.report.attachments import embed_limit
from analysis.report.output_budget import output_limit

log = logging.getLogger(__name__)


def build_reports(reports: Sequence[Report], options: BuildOptions,
                  on_done: Callable[[ReportResult], None] | None = None) -> list[ReportResult]:
    """Build every report (in worker processes, ``options.jobs`` of them at most) and publish
    them, with the summary and the index, as one new edition of the output folder.

    A stop signal (Ctrl-C, SIGTERM, SIGHUP) ends the build with :class:`BuildInterrupted`
    after publishing the reports that finished; processes the build started and that are
    still running at its end (a notebook's child that ignores SIGTERM) are stopped.

    Raises
    ------
    BuildLockedError
        When another build holds the output folder's lock.
    OutputFolderError
        When the output folder is not coopreport's (a file, or holding files it did not make).
    StorageError
        When the output folder cannot be written (permissions, a full disk); nothing is
        published then.
    """
    with stop_signals_raise():  # SIGTERM, SIGHUP: as Ctrl-C, wherever the build is
        out = options.output_dir
        embed_limit()  # a wrong COOPREPORT_EMBED_LIMIT stops the build before anything runs
        output_limit()  # and so does a wrong COOPREPORT_OUTPUT_LIMIT
        editions.claim(out, own_names=frozenset({LOCK_NAME}))
        lock = take_lock(out)
        results: dict[str, ReportResult] = {}
        # processes of the build's own that outlive it are stopped at its end: orphans of the
        # workers' descendants (a notebook's child in a session of its own) are adopted by this
        # process meanwhile, where Linux allows it
        before = set(descendants(zombies=True))
        adopting_already = adopting()
        adopt_orphans()
        work = out / WORK_DIR
        try:
            shutil.rmtree(work, ignore_errors=True)  # leftovers of a killed build (ours by name)
            work.mkdir()
            edition = editions.begin(out)
            manifest = incremental.load_manifest(edition)
            to_build, reasons, pending = [], {}, {}
            incremental.forget_hashes()
            for report in reports:
                record = manifest.get(report.name)
                now = report_inputs(report, options, (record or {}).get("inputs"))
                if record is not None and not options.force and incremental.is_current(
                        record, now, edition):
                    record["inputs"] = now  # the same inputs; the tables' hashes of today
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
                _run_all(to_build, options, done, results)
            except KeyboardInterrupt:
                # no report starts after a stop signal; finished ones are published, the rest
                # untouched
                publish_edition(out, edition, options, list(results.values()), manifest,
                                "interrupted")
                raise
            ordered = [results[r.name] for r in reports]
            publish_edition(out, edition, options, ordered, manifest)
            return ordered
        finally:
            with stop_signals_deferred():  # a stop now waits for the cleanup, then acts
                shutil.rmtree(work, ignore_errors=True)
                release_lock(lock)
                _stop_leftovers(before)
                if not adopting_already:
                    adopt_orphans(False)


def _spec(reports: Sequence[Report], name: str) -> Any:
    return next(r.spec for r in reports if r.name == name)


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
    if not reports:
        return
    # one path for every local build, one report or many: worker processes (as many as
    # --jobs, at most one per report), each with its kernel template, stopped the same way
    notebooks = sorted({r.notebook for r in reports})
    context = multiprocessing.get_context("spawn")
    workers = max(1, min(options.jobs, len(reports)))
    level = logging.getLogger("analysis").getEffectiveLevel()
    pool = cf.ProcessPoolExecutor(workers, mp_context=context, initializer=warm_worker,
                                  initargs=(level, notebooks, options.output_dir / WORK_DIR,
                                            os.getpid()))
    with stop_signals_set() as stop:
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


def _stop_pool(pool: cf.ProcessPoolExecutor) -> None:
    """Stop the running reports: no queued report starts, the workers are terminated.

    Workers ignore Ctrl-C (see :func:`analysis.build.runner.warm_worker`) so that it reaches only
    this process; the pool has no public way to stop running work before Python 3.14. A terminated
    worker's kernel (in its own session) exits when it sees its parent gone.
    """
    running = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in running:
        process.terminate()
    for process in running:
        process.join(timeout=30)


def _stop_leftovers(before: set[int]) -> None:
    """Stop the processes below this one that the build started and left running (SIGTERM,
    then SIGKILL after a grace period); what ran before the build is left alone."""
    from multiprocessing import resource_tracker

    tracker = getattr(getattr(resource_tracker, "_resource_tracker", None), "_pid", None)
    left = [pid for pid in descendants() if pid not in before and pid != tracker]
    if left:
        log.info("stopping %d process(es) the build left running: %s", len(left),
                 ", ".join(map(str, left)))
        stop_processes(left)
