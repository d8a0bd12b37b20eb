"""One report, start to finish, in a work folder of its own: execute the notebook with
papermill in a new kernel, draw its charts, put aside an attachment too large for the page,
record provenance and warnings, render HTML and PDF. Never raises for a failing notebook: the
result says what happened (:mod:`analysis.build.builder` publishes it).

Also what a build worker process does once, before its first report (:func:`warm_worker`).
"""

from __future__ import annotations

import logging
import signal
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from analysis.build import incremental, kernel_template, provenance, selection
from analysis.build.kernels import kernel_manager_class
from analysis.build.layout import WORK_DIR
from analysis.build.params import Report
from analysis.build.records import BUILT, BuildOptions, ReportResult
from analysis.core import paths
from analysis.core.errors import CoopReportError
from analysis.core.notebook_params import parameters_cell
from analysis.core.process import adopt_orphans, descendants, die_with_parent, stop_processes
from analysis.core.settings import DEFAULT_TIMEOUT_SECONDS, MAX_TIMEOUT_SECONDS
from analysis.report.output_budget import output_limit
from analysis.report.warnings import ReportWarning, collect_warnings, split_expected

log = logging.getLogger(__name__)

# set in a build worker, which runs one report at a time: whatever a report's kernel left
# running below the worker (a child in a session of its own that ignores SIGTERM) is stopped
# when the report ends, so it cannot hold files or memory into the next one
ONE_REPORT_AT_A_TIME = False


def report_timeout(report: Report, options: BuildOptions) -> int:
    """Seconds the report may run: ``--timeout``, else the params file's ``timeout``, else
    :data:`analysis.core.settings.DEFAULT_TIMEOUT_SECONDS`."""
    return options.timeout or report.spec.timeout or DEFAULT_TIMEOUT_SECONDS


def report_inputs(report: Report, options: BuildOptions,
                  known: dict[str, Any] | None = None) -> dict[str, Any]:
    """What the report is made from, hashed (:func:`analysis.build.incremental.inputs`):
    ``known`` is the inputs recorded at its last build (its rows are reused while the
    per-country tables it reads are unchanged)."""
    from analysis.data.registry import commitments_path_for

    parameters = full_parameters(report)
    data_path = parameters.get("data_path")
    registry = (paths.resolve_data_path(data_path) if isinstance(data_path, str) and data_path
                else paths.default_data_path())
    registries, config = [registry], None
    if registry.suffix in (".yaml", ".yml") and registry.is_file():
        config = registry
        from analysis.data.sources import read_sources_config

        try:
            registries = read_sources_config(registry)
        except CoopReportError:
            registries = []  # the params check already refused an invalid sources file
    commitments = [c for c in map(commitments_path_for, registries) if c is not None]
    spec = selection.selection(parameters, report.notebook, registries, commitments, config)
    formats = list(options.formats or report.spec.formats)
    return incremental.inputs(report.source, report.notebook, spec, options.renderer,
                              formats, known=known)


def full_parameters(report: Report) -> dict[str, Any]:
    """The notebook's declared defaults overridden by the params file: what the report ran with."""
    defaults = {d.name: d.default for d in parameters_cell(report.notebook)}
    return defaults | report.parameters


def run_report(report: Report, options: BuildOptions,
               work_root: Path | None = None) -> ReportResult:
    """Execute and render one report in a new work folder. Never raises for a failing notebook.

    The finished files (or the failed notebook) stay in the work folder, named in
    ``result.staged``; :func:`analysis.build.publish.publish_result` moves them into an edition
    in the build process.
    The work folder is made under ``work_root``, by default ``OUTPUT/.coopreport-work/`` (a
    Dask worker on another machine passes a folder of its own: :mod:`analysis.build.dask_executor`).
    """
    import nbformat
    import papermill
    from nbclient.exceptions import CellTimeoutError
    from papermill.exceptions import PapermillExecutionError

    from analysis.build.papermill_engine import ENGINE_NAME  # registers the engine
    from analysis.render.notebook import render_notebook
    from analysis.report.attachments import externalise
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
    accepted: list[ReportWarning] = []
    try:
        log.info("%s: executing %s", report.name, report.notebook.name)
        papermill.execute_notebook(
            str(report.notebook), str(executed), parameters=report.parameters,
            cwd=str(workdir), progress_bar=False, log_output=False,
            kernel_name="python3", request_save_on_cell_execute=False,
            engine_name=ENGINE_NAME, output_limit=output_limit(),
            output_lang=str(parameters.get("lang") or "en"),
            kernel_manager_class=kernel_manager_class(
                images_later=True, env={paths.ROOT_ENV: str(options.project_root
                                                              or paths.project_root())}),
            # one limit for the whole notebook, no minimum per cell: each cell may use what is
            # left of it, and the kernel of a notebook out of time is killed
            notebook_timeout=report_timeout(report, options))
        nb = nbformat.read(executed, as_version=4)
        fill_chart_images(nb)  # the kernel left the charts' SVG to this warm process
        # an attachment too large to go inside the report is published beside it
        beside = externalise(nb, workdir, report.name, str(parameters.get("lang") or "en"))
        # a warning the params file expects (expected_warnings) is recorded, not flagged
        raised, accepted = split_expected(collect_warnings(nb), report.spec.expected_warnings)
        result.warnings = [w.text for w in raised]
        result.expected_warnings = [w.text for w in accepted]
        nb.metadata["coopreport"] = {
            "name": report.name, "title": report.spec.title, "subtitle": report.spec.subtitle,
            "publisher": report.spec.publisher, "provenance": record,
            "warnings": [w.to_json() for w in raised],
            "expected_warnings": [w.to_json() for w in accepted],
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
        result.error = timeout_message(report, options, str(exc))
        result.staged = [str(executed)] if executed.exists() else []
    except (CoopReportError, OSError, ValueError, RuntimeError) as exc:
        # ValueError/RuntimeError: nbclient's kernel errors (dead kernel, timeout) and
        # nbformat validation; the report fails, the build goes on with the others.
        result.error = f"{type(exc).__name__}: {exc}"
        result.staged = [str(executed)] if executed.exists() else []
    finally:
        if ONE_REPORT_AT_A_TIME:
            _stop_strays(report.name)
        result.seconds = round(time.perf_counter() - started, 2)
    if result.status in BUILT:
        log.info("%s: built in %.1f s", report.name, result.seconds)
        for warning in result.warnings:
            log.warning("%s: %s", report.name, warning)
        for warning in result.expected_warnings:
            log.info("%s: %s (expected: accepted by its params file)", report.name, warning)
        unseen = set(report.spec.expected_warnings) - {w.kind for w in accepted}
        if unseen:
            log.info("%s: expected_warnings lists %s, which this build did not raise; remove "
                     "it from %s if it no longer applies", report.name,
                     ", ".join(sorted(unseen)), paths.display_path(report.source))
    else:
        log.error("%s: FAILED after %.1f s: %s", report.name, result.seconds, result.error)
    return result


def timeout_message(report: Report, options: BuildOptions, detail: str) -> str:
    """A timed-out report's error: which report, its limit, where the limit comes from and how
    to raise it, and the cell it had reached, found in the report's notebook from the preview
    of its source that nbclient's message (``detail``) carries."""
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
    notebook = report.notebook
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
    seconds = report_timeout(report, options)
    params = paths.display_path(report.source)
    longest = f"--timeout SECONDS (at most {MAX_TIMEOUT_SECONDS})"
    if options.timeout:
        raise_it = f"raise it with {longest}"
    elif report.spec.timeout:
        raise_it = f"raise it with timeout: SECONDS in {params}, or {longest}"
    else:
        raise_it = (f"the limit is the default; raise it with timeout: SECONDS in {params}, "
                    f"or {longest}")
    return (f"timed out: report {report.name} ran longer than its limit of {seconds} s for the "
            f"whole notebook and was stopped (its kernel killed, nothing new published for it; "
            f"{raise_it}); it had reached {where}")


def _stop_strays(name: str) -> None:
    """Stop the processes below this worker that outlived the report's kernel; the kernel
    template (which forks the next report's kernel) stays."""
    template = kernel_template.template_pid()
    keep = {template} if template is not None else set()
    strays = [pid for pid in descendants() if pid not in keep]
    if strays:
        log.warning("%s: stopping %d process(es) the report left running (pid %s)", name,
                    len(strays), ", ".join(map(str, strays)))
        stop_processes(strays)


def warm_worker(level: int, notebooks: Sequence[Path], work: Path,
                build: int | None = None) -> None:
    """Set up a build worker process: logging, Ctrl-C left to the build, death with the build
    (:func:`~analysis.core.process.die_with_parent`: no worker lives on to publish without
    the lock, and its kernels follow), heavy imports once per worker, and a kernel template
    that imports the notebooks' modules meanwhile (:mod:`analysis.build.kernel_template`)."""
    from analysis.core.logs import configure_logging

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, signal.SIG_IGN)  # the build decides, as for Ctrl-C
    die_with_parent(build)  # before anything else: a build killed while we start takes us
    adopt_orphans()  # a notebook's child that escapes its kernel stays ours to stop
    global ONE_REPORT_AT_A_TIME
    ONE_REPORT_AT_A_TIME = True
    configure_logging(level)
    kernel_template.start(notebooks, work)
    import nbconvert  # noqa: F401
    import papermill  # noqa: F401

    import analysis.render.notebook  # noqa: F401
    from analysis.report.chart_images import chart_images

    chart_images({"mark": "point", "data": {"values": [{}]}})  # start vl-convert once, here


