"""Reports as tasks on a Dask cluster (``coopreport build --executor dask``).

Each report is one task, :func:`run_report_task`: a Dask worker executes and renders the report
in a temporary folder of its own (:func:`analysis.build.runner.run_report`) and returns the
:class:`~analysis.build.records.ReportResult` with the finished files' **bytes**
(:class:`~analysis.build.records.StagedFiles`: executed notebook, HTML, PDF), because a worker
on another machine shares no disk with the output folder. The build process checks them, writes
them into its own work folder (:func:`receive_result`) and publishes them into the edition as a
local build does: the output folder stays on the machine that runs ``coopreport build``.

Without ``--scheduler`` the build starts a :class:`distributed.LocalCluster` on this machine
(:data:`LOCAL_WORKERS` worker processes, one thread each, no dashboard) and closes it after the
build. A stop signal cancels the reports not yet started, closes the client (and the local
cluster, which ends its workers and their kernels) and publishes the finished reports with an
``interrupted`` summary (:func:`analysis.build.builder.build_reports`). Reports already running on a
remote cluster's workers run to their end (a Dask task cannot be stopped from outside); their
results are dropped.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.build.layout import WORK_DIR
from analysis.build.params import Report
from analysis.build.records import BuildOptions, ReportResult, StagedFiles
from analysis.build.signals import BuildInterrupted, stop_signals_set
from analysis.core import paths
from analysis.core.errors import BuildError, CoopReportError, UnavailableError

if TYPE_CHECKING:
    from distributed import Client, Future

log = logging.getLogger(__name__)

INSTALL_HINT = "pip install 'coopreport[dask]'"
LOCAL_WORKERS = 2  # the LocalCluster's worker processes (one thread each)
CONNECT_TIMEOUT_SECONDS = 10  # how long to try to reach a --scheduler address
POLL_SECONDS = 0.2  # how often the build looks at its tasks and at stop signals


def require_distributed() -> None:
    """Check that Dask's ``distributed`` is installed.

    Raises
    ------
    UnavailableError
        When it is not, with the command that installs it (exit code 69).
    """
    if importlib.util.find_spec("distributed") is None:
        raise UnavailableError("--executor dask needs Dask's distributed package, which is not "
                         f"installed here; install it with: {INSTALL_HINT} (on the workers too)")


def connect(address: str | None, level: int = logging.INFO) -> tuple[Client, Any]:
    """A client of the scheduler at ``address``, or of a new LocalCluster when it is None.

    Returns ``(client, cluster)``; ``cluster`` is the LocalCluster made here (close it after
    the client), else None.

    Raises
    ------
    UnavailableError
        When the scheduler cannot be reached within :data:`CONNECT_TIMEOUT_SECONDS`.
    """
    require_distributed()
    from distributed import Client, LocalCluster

    # Dask's own INFO lines (scheduler and workers starting) would bury the build's log
    logging.getLogger("distributed").setLevel(max(level, logging.WARNING))
    if address is None:
        cluster = LocalCluster(n_workers=LOCAL_WORKERS, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
        client.run(_setup_local_worker, level)
        return client, cluster
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT_SECONDS)
    except (OSError, TimeoutError, ValueError) as exc:
        raise UnavailableError(f"cannot reach the Dask scheduler at {address} within "
                         f"{CONNECT_TIMEOUT_SECONDS} s ({exc}); start one there (dask scheduler) "
                         "or check the address, e.g. --scheduler tcp://host:8786") from exc
    return client, None


def check_scheduler(address: str) -> None:
    """Connect to the scheduler at ``address`` and disconnect: an UnavailableError before anything
    is built or written when it cannot be reached (see :func:`connect`)."""
    client, _ = connect(address)
    client.close()


def _setup_local_worker(level: int) -> None:
    """Set up a worker of the build's own LocalCluster (run in its event loop's thread, the
    main one): log to this terminal, and leave Ctrl-C and SIGHUP to the build, which stops the
    cluster (as :func:`analysis.build.runner.warm_worker` does for the local pool)."""
    import signal

    from analysis.core.logs import configure_logging

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
    configure_logging(level)


def run_report_task(report: Report, options: BuildOptions) -> ReportResult:
    """The Dask task: build one report in a temporary folder of this worker and return its
    result carrying the finished files (or the failed notebook) as bytes, nothing on disk."""
    from analysis.build.runner import run_report

    if options.project_root is not None:  # the build machine's project, at the same path here
        os.environ.setdefault(paths.ROOT_ENV, str(options.project_root))
    with tempfile.TemporaryDirectory(prefix="coopreport-") as root:
        result = run_report(report, options, work_root=Path(root))
        result.payload = StagedFiles.read(result.staged)
    result.workdir, result.staged = None, []
    return result


def receive_result(result: ReportResult, work: Path) -> ReportResult:
    """Write a task's files into a new work folder under ``work`` (on this machine), named in
    ``result.staged`` as :func:`analysis.build.publish.publish_result` expects.

    A payload that is refused (a foreign name, a damaged file) or cannot be written (a full
    disk) fails the report, which keeps its previous files.
    """
    payload, result.payload = result.payload, None
    if payload is None:
        return result
    folder = Path(tempfile.mkdtemp(prefix=f"{result.name}-", dir=work))
    result.workdir = str(folder)
    try:
        result.staged = [str(p) for p in payload.write(folder, result.name)]
    except (BuildError, OSError) as exc:
        shutil.rmtree(folder, ignore_errors=True)
        result.workdir, result.staged = None, []
        result.status = "failed"
        result.error = (str(exc) if isinstance(exc, BuildError) else
                        f"cannot store the report's files from its worker in {work} ({exc})")
        log.error("%s: %s", result.name, result.error)
    log.debug("%s: received %d file(s), %d bytes", result.name, len(result.staged),
              payload.size)
    return result


def run_on_dask(reports: Sequence[Report], options: BuildOptions,
                finished: Callable[[ReportResult], None]) -> None:
    """Build ``reports`` as tasks on the cluster of ``options.scheduler`` (a LocalCluster when
    None), calling ``finished`` with each result, in the build process, as it arrives.

    Raises
    ------
    BuildInterrupted
        After a stop signal: tasks not started are cancelled, the client (and the local
        cluster) closed; the reports already finished were passed to ``finished``.
    UnavailableError
        When the scheduler cannot be reached.
    """
    if not reports:
        return
    work = options.output_dir / WORK_DIR
    level = logging.getLogger("analysis").getEffectiveLevel()
    with stop_signals_set() as stop, _session(options.scheduler, level) as client:
        build_id = uuid.uuid4().hex[:8]
        futures: dict[Future, Report] = {
            client.submit(run_report_task, report, options, pure=False, retries=0,
                          key=f"coopreport-{report.name}-{build_id}"): report
            for report in reports}
        pending = set(futures)
        log.info("%d report(s) submitted to the Dask scheduler at %s", len(futures),
                 client.scheduler.address if client.scheduler else "?")
        while pending and not stop.is_set():
            for future in [f for f in pending if f.done()]:
                pending.discard(future)
                finished(receive_result(_outcome(future, futures[future]), work))
            if pending:
                stop.wait(POLL_SECONDS)
        if stop.is_set():
            log.warning("stopping: %d report(s) not finished are cancelled", len(pending))
            # the local cluster's workers are killed on purpose now: no warning for that
            logging.getLogger("distributed").setLevel(logging.ERROR)
            client.cancel(list(pending), force=True)
            raise BuildInterrupted(stop.signum)


def _outcome(future: Future, report: Report) -> ReportResult:
    """A finished task's result; a task that erred on its worker (a worker that died, a
    worker without coopreport) fails its report only."""
    from distributed.scheduler import KilledWorker

    try:
        result = future.result()
    except KilledWorker as exc:
        return _failed(report, f"the Dask worker running it died ({exc})")
    except (CoopReportError, ImportError, OSError, RuntimeError, ValueError, TypeError) as exc:
        return _failed(report, f"its Dask task failed on the worker: {type(exc).__name__}: "
                               f"{exc} (is the same coopreport installed on every worker? "
                               f"{INSTALL_HINT})")
    if not isinstance(result, ReportResult):
        return _failed(report, f"its Dask task returned {type(result).__name__}, not a result")
    return result


def _failed(report: Report, error: str) -> ReportResult:
    log.error("%s: FAILED: %s", report.name, error)
    return ReportResult(report.name, report.spec.title, "failed", 0.0, error=error)


@contextlib.contextmanager
def _session(address: str | None, level: int) -> Iterator[Client]:
    """A connected client for the build; closed afterwards, with the cluster made for it."""
    started = time.perf_counter()
    client, cluster = connect(address, level)
    log.debug("Dask client ready in %.1f s", time.perf_counter() - started)
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
