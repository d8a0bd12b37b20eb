"""What each ``coopreport`` command does, once its arguments are parsed
(:mod:`analysis.cli.parser`). Each returns the exit code; errors are raised and turned into
their exit code by :func:`analysis.cli.main`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.core import paths
from analysis.core.errors import EXIT_FAILED, EXIT_OK, EXIT_USAGE, CoopReportError
from analysis.core.paths import display_path
from analysis.core.settings import MAX_TIMEOUT_SECONDS

if TYPE_CHECKING:
    from analysis.build.notify import Notifier
    from analysis.build.records import ReportResult

SHOWN_DUPLICATES = 20  # likely duplicate pairs `validate` prints; the rest are counted
log = logging.getLogger("analysis")


def cmd_validate(args: argparse.Namespace) -> int:
    from analysis.data.validate import summarise_registry, validate_files

    reports = validate_files([Path(p) for p in args.paths])
    problems = [p for report in reports for p in report.problems]
    for report in reports:
        name = display_path(report.path)
        if report.problems:
            continue
        noun = {"registry": "activities", "commitments": "commitments",
                "indicators": "indicator values", "milestones": "milestones",
                "guide": "indicators described", "system": "procurement-system facts",
                "drafts": "draft activities",
                "source_names": "sources with a Russian (and Uzbek) form"}[report.kind]
        print(f"{name}: OK, {report.rows} {noun}")
        if report.activities is not None:
            for line in summarise_registry(report.activities):
                print(f"  {line}")
    duplicates = next((r.duplicates for r in reports if r.duplicates is not None), None)
    if duplicates is not None and not duplicates.empty:
        print(f"likely duplicates across sources ({len(duplicates)}; check them, nothing was "
              "dropped):")
        for row in duplicates.head(SHOWN_DUPLICATES).itertuples():
            print(f"  {row.first} ({row.first_file}) ~ {row.second} ({row.second_file}): "
                  f"{row.days} days apart, title similarity {row.similarity:.2f}")
        if len(duplicates) > SHOWN_DUPLICATES:
            print(f"  ... and {len(duplicates) - SHOWN_DUPLICATES} more pairs (the first "
                  f"{SHOWN_DUPLICATES} are shown; resolve them, or use "
                  "analysis.data.sources.find_likely_duplicates for the full list)")
    if problems:
        for problem in sorted(problems):
            print(problem, file=sys.stderr)
        bad_files = sum(1 for r in reports if r.problems)
        print(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in {bad_files} "
              f"file{'s' if bad_files != 1 else ''}; fix them and run 'coopreport validate' "
              "again (no file was changed)", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


def cmd_new(args: argparse.Namespace) -> int:
    from analysis.cli.scaffold import new_project

    made = new_project(Path(args.folder), with_sample_data=args.with_sample_data)
    shown = display_path(made)
    data = "the sample data of the coopreport repository" if args.with_sample_data else \
        "an empty registry"
    print(f"coopreport new: made the project {shown} with {data}; next:\n"
          f"  cd {shown}\n"
          "  edit data/cooperation_events.csv (one row per activity), then: coopreport validate\n"
          "  edit params/uzb-profile.yaml (country, years), then: coopreport build --all\n"
          f"({shown}/README.md says more)")
    return EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    from analysis.build.last_build import NEVER_BUILT, last_builds
    from analysis.build.params import check_reports
    from analysis.build.problems import group_by_file

    sources = paths.params_files()
    if not sources:
        print("no params files in params/")
        return EXIT_OK
    checked = check_reports(sources)
    built = last_builds(Path(args.output_dir) if args.output_dir else paths.output_dir())
    valid = [c.report for c in checked if c.report is not None]
    name_width = max([len("REPORT"), *(len(r.name) for r in valid)])
    notebook_width = max([len("NOTEBOOK"), *(len(r.notebook.name) for r in valid)])
    print(f"{'REPORT':<{name_width}}  {'NOTEBOOK':<{notebook_width}}  LAST BUILD")
    for item in checked:
        if item.report is None:
            print(f"{display_path(item.source)}: INVALID: " + "\n".join(item.problems))
            continue
        last = built.get(item.report.name)
        print(f"{item.report.name:<{name_width}}  {item.report.notebook.name:<{notebook_width}}"
              f"  {last.words() if last else NEVER_BUILT}")
    for group in group_by_file({c.name: c.data for c in checked if c.data}):
        print("\n".join(group.words("cannot be built until it is fixed")))
    return EXIT_USAGE if any(c.problems or c.data for c in checked) else EXIT_OK


def cmd_build(args: argparse.Namespace, notify: Sequence[str] | None = None) -> int:
    """``coopreport build``; ``notify``: apprise URLs to send the build's message to, besides
    ``--notify``'s and ``COOPREPORT_NOTIFY``'s (:mod:`analysis.build.notify`); by default the
    project's ``notify:`` setting (:mod:`analysis.core.project`)."""
    from analysis.build.notify import Notifier, urls_from_environment

    if notify is None:
        notify = _project_setting("notify", ())
    urls = list(dict.fromkeys([*args.notify, *notify, *urls_from_environment()]))
    notifier = Notifier(urls, args.notify_on, args.portal_url).check() if urls else None
    if notifier is None:
        return _cmd_build(args, None)
    try:
        out: Path | None = (Path(args.output_dir) if args.output_dir
                            else paths.output_dir()).resolve()
    except CoopReportError:  # no project here: the build says so, the message has no link
        out = None
    try:
        code = _cmd_build(args, notifier)
    except CoopReportError as exc:  # the build could not run: say why, then exit as before
        notifier.after_error(str(exc), exc.exit_code, out)
        raise
    except KeyboardInterrupt as exc:  # stopped by a signal: finished reports were published
        signum = int(getattr(exc, "signum", signal.SIGINT))
        notifier.after_error(f"stopped by {signal.Signals(signum).name}; the reports that had "
                             "finished were published", 128 + signum, out)
        raise
    if not notifier.sent and code != EXIT_OK:  # refused before it began (its log says why)
        notifier.after_error("the build did not start: its command line was refused (the log "
                             "says why)", code, out)
    return code


def _project_setting(key: str, default: Any) -> Any:
    """A setting of the project's ``coopreport.yaml`` (or ``[tool.coopreport]``); ``default``
    outside any project (the command then says there is none). A bad setting is an error."""
    from analysis.core.errors import ProjectNotFoundError
    from analysis.core.project import project_config

    try:
        return getattr(project_config(), key)
    except ProjectNotFoundError:
        return default


def _cmd_build(args: argparse.Namespace, notifier: Notifier | None) -> int:
    import os

    from analysis.build.provenance import git_commit
    from analysis.core.clock import utc_now
    from analysis.render.quarto_cli import choose_renderer

    if args.all == bool(args.params):
        print("coopreport build: give report names or params files, or --all (not both)",
              file=sys.stderr)
        return EXIT_USAGE
    if args.all:
        sources = paths.params_files()
    else:
        from analysis.build.targets import resolve_targets

        sources = resolve_targets(args.params)  # names → params/ files (a file wins)
    if not sources:
        print("coopreport build: no params files found in params/", file=sys.stderr)
        return EXIT_USAGE
    if args.jobs < 0:
        print(f"coopreport build: --jobs must be 1 or more (0 = one per core), not {args.jobs}",
              file=sys.stderr)
        return EXIT_USAGE
    formats = None if args.formats is None else tuple(
        f.strip() for f in args.formats.split(",") if f.strip())
    if formats is not None and (not formats or not set(formats) <= {"html", "pdf"}):
        print(f"coopreport build: --formats takes html, pdf or html,pdf, not {args.formats}",
              file=sys.stderr)
        return EXIT_USAGE
    if args.timeout is not None and not 1 <= args.timeout <= MAX_TIMEOUT_SECONDS:
        print(f"coopreport build: --timeout takes 1 to {MAX_TIMEOUT_SECONDS} seconds, not "
              f"{args.timeout}", file=sys.stderr)
        return EXIT_USAGE
    if args.keep_editions is not None and args.keep_editions < 1:
        print(f"coopreport build: --keep-editions takes 1 or more (1 = only the current "
              f"edition), not {args.keep_editions}", file=sys.stderr)
        return EXIT_USAGE
    # editions kept: the option, else the project's keep_editions setting, else the default
    from analysis.build.editions import DEFAULT_KEEP

    keep = (args.keep_editions if args.keep_editions is not None
            else _project_setting("keep_editions", DEFAULT_KEEP))
    if args.scheduler is not None and args.executor != "dask":
        print("coopreport build: --scheduler needs --executor dask", file=sys.stderr)
        return EXIT_USAGE
    if args.executor == "dask":
        from analysis.build.dask_executor import require_distributed

        require_distributed()  # an UnavailableError (exit 69) with the install hint
    renderer = choose_renderer(args.renderer)
    out = (Path(args.output_dir) if args.output_dir else paths.output_dir()).resolve()
    if args.dry_run:
        return _dry_run(args, sources, out, renderer, formats)
    if not args.force:
        from analysis.build.uptodate import nothing_to_do

        commit, built_at = git_commit(), utc_now()
        done = nothing_to_do(sources, out, renderer, formats, commit, built_at, keep)
        if done is not None:
            print(done)
            if notifier is not None:
                notifier.after_build(_up_to_date(sources), EXIT_OK, out, built_at, commit)
            return EXIT_OK
    return _build(args, sources, out, renderer, formats, os.cpu_count() or 1, notifier, keep)


def _up_to_date(sources: list[Path]) -> list[ReportResult]:
    """The results of a build with nothing to do, as its message counts them."""
    from analysis.build.records import ReportResult

    return [ReportResult(p.stem, p.stem, "skipped", 0.0) for p in sources]


def _dry_run(args: argparse.Namespace, sources: list[Path], out: Path, renderer: str,
             formats: tuple[str, ...] | None) -> int:
    """``build --dry-run``: per report, whether a build would rebuild it and why; nothing is
    written, no lock taken, no kernel started (:mod:`analysis.build.plan`)."""
    from analysis.build.params import load_reports
    from analysis.build.plan import plan_build
    from analysis.build.problems import ReportsNotBuilt
    from analysis.build.records import BuildOptions

    try:
        reports = load_reports(sources,
                               allow_notebook_outside=args.allow_notebook_outside or None)
    except ReportsNotBuilt as exc:  # as a build would say it
        print(exc, file=sys.stderr)
        return exc.exit_code
    options = BuildOptions(output_dir=out, formats=formats, renderer=renderer, force=args.force)
    planned = plan_build(reports, options)
    for item in planned:
        print(item)
    rebuilt = sum(p.action == "rebuild" for p in planned)
    print(f"dry run: {rebuilt} of {len(planned)} report(s) would be built, "
          f"{len(planned) - rebuilt} skipped; nothing was written to {display_path(out)}")
    return EXIT_OK


def _build(args: argparse.Namespace, sources: list[Path], out: Path, renderer: str,
           formats: tuple[str, ...] | None, cores: int, notifier: Notifier | None,
           keep: int) -> int:
    from analysis.build.builder import build_reports
    from analysis.build.params import load_reports
    from analysis.build.problems import ReportsNotBuilt
    from analysis.build.provenance import git_commit
    from analysis.build.records import BuildOptions
    from analysis.build.runner_ui import BuildDisplay, print_summary
    from analysis.core.clock import utc_now

    # every check before any kernel starts or file is written
    try:
        reports = load_reports(sources,
                               allow_notebook_outside=args.allow_notebook_outside or None)
    except ReportsNotBuilt as exc:  # a data file's problems once, as validate prints them
        print(exc, file=sys.stderr)
        return exc.exit_code
    jobs = args.jobs or cores
    options = BuildOptions(output_dir=out, formats=formats, renderer=renderer, jobs=jobs,
                           commit=git_commit(), built_at=utc_now(), timeout=args.timeout,
                           force=args.force, executor=args.executor, scheduler=args.scheduler,
                           project_root=paths.project_root(), keep_editions=keep)
    if args.executor == "dask":
        from analysis.build.dask_executor import LOCAL_WORKERS, check_scheduler

        if args.scheduler is not None:
            check_scheduler(args.scheduler)  # unreachable: exit 69 before anything is written
        log.info("building %d report(s) into %s with the %s renderer, on Dask (%s)",
                 len(reports), display_path(options.output_dir), renderer,
                 args.scheduler or f"a local cluster of {LOCAL_WORKERS} worker processes")
    else:
        log.info("building %d report(s) into %s with the %s renderer, %d job(s)",
                 len(reports), display_path(options.output_dir), renderer, jobs)
    with BuildDisplay(reports) as display:
        results = build_reports(reports, options, on_done=display.done)
    print_summary(results, options.output_dir)
    code = EXIT_OK
    if any(r.status not in ("ok", "warning", "skipped") for r in results):
        code = EXIT_FAILED
    elif args.strict and any(r.status == "warning" for r in results):
        log.error("--strict: %d report(s) built with warnings",
                  sum(r.status == "warning" for r in results))
        code = EXIT_FAILED
    if notifier is not None:
        notifier.after_build(results, code, options.output_dir, options.built_at,
                             options.commit)
    return code


def cmd_render(args: argparse.Namespace) -> int:
    import os
    import tempfile

    import nbformat

    from analysis.build import editions
    from analysis.core.errors import ParameterError
    from analysis.data.outputs import check_plain_output
    from analysis.render.notebook import choose_renderer, render_notebook

    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    if not formats or not set(formats) <= {"html", "pdf"}:
        print(f"coopreport render: --formats takes html, pdf or html,pdf, not {args.formats}",
              file=sys.stderr)
        return EXIT_USAGE
    out = Path(args.output_dir).resolve()
    if out.is_dir() and editions.is_ours(out):
        raise ParameterError(
            f"--output-dir {display_path(out)}: is a coopreport build's output folder, whose "
            "files are published by builds alone (a file written there would hide the stable "
            "link readers open); render into another folder, or build the report with "
            "coopreport build")
    renderer = choose_renderer(args.renderer)
    executed = Path(args.notebook).resolve()
    try:
        nb = nbformat.read(executed, as_version=4)
    except (OSError, ValueError) as exc:
        raise ParameterError(f"{executed}: cannot read the notebook ({exc})") from exc
    if "papermill" not in nb.metadata or not any(c.get("outputs") for c in nb.cells):
        raise ParameterError(f"{executed}: not an executed report notebook; run it first "
                             "(coopreport build, or papermill) — render never executes code")
    for fmt in formats:  # a link, folder or device there is never replaced
        check_plain_output(out / f"{executed.stem}.{fmt}", "--output-dir", sidecar=False)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out, prefix=".render-") as work:
        for produced in render_notebook(executed, Path(work), formats, renderer):
            target = out / produced.name
            os.replace(produced, target)  # one rename: the old file, or the new one
            print(display_path(target))
    return EXIT_OK


def cmd_fetch_worldbank(args: argparse.Namespace) -> int:
    from analysis.connectors import worldbank

    path, rows = worldbank.run_fetch(args.country, args.since, _output(args), args.offline,
                                     force=args.force)
    print(f"{display_path(path)}: {rows} World Bank project row(s) written; add it to "
          "data/sources.yaml to include it in reports")
    return EXIT_OK


def cmd_import_worldbank(args: argparse.Namespace) -> int:
    from analysis.connectors import worldbank

    path, rows = worldbank.run_import(Path(args.file), args.country or None, _output(args),
                                      force=args.force)
    print(f"{display_path(path)}: {rows} World Bank project row(s) written")
    return EXIT_OK


def cmd_import_iati(args: argparse.Namespace) -> int:
    from analysis.connectors import iati

    path, rows = iati.run_import(Path(args.file), args.country, _output(args), force=args.force)
    print(f"{display_path(path)}: {rows} IATI activity row(s) written")
    return EXIT_OK


def cmd_import_ocds(args: argparse.Namespace) -> int:
    from analysis.connectors.ocds import import_ocds
    from analysis.data.fields import check_country

    if args.country:
        _, reason = check_country(args.country)
        if reason:
            print(f"coopreport import ocds: --country {args.country!r}: {reason}",
                  file=sys.stderr)
            return EXIT_USAGE
    output = Path(args.output)
    result = import_ocds([Path(f) for f in args.files], output, country=args.country,
                         force=args.force, schema_check=args.schema)
    print(f"{display_path(output)}: {result.processes} contracting process(es) from "
          f"{result.releases} release(s) ({result.compiled} compiled from several); "
          f"{result.problem_count} field problem(s) left empty (see the warnings above)")
    return EXIT_OK


def cmd_extract(args: argparse.Namespace) -> int:
    from analysis.extract import require_libraries

    require_libraries()  # the extract extra: an UnavailableError (exit 69) saying how to get it
    from analysis.extract.run import run_extract

    output = Path(args.output) if args.output else None
    append_to = Path(args.append_to) if args.append_to else None
    if output is None and append_to is None:
        print("coopreport extract: give --output drafts.csv (to review) and/or --append-to "
              "REGISTRY.csv", file=sys.stderr)
        return EXIT_USAGE
    published = None
    if args.published:
        try:
            published = dt.date.fromisoformat(args.published)
        except ValueError:
            print(f"coopreport extract: --published {args.published!r} is not a date; write "
                  "YYYY-MM-DD, e.g. --published 2025-11-28", file=sys.stderr)
            return EXIT_USAGE
    result = run_extract([Path(f) for f in args.files], args.source_url or "", output,
                         append_to, args.include_duplicates, published)
    for path in result.empty:
        print(f"{display_path(path)}: no activity found (see the warnings above)")
    for path, vocabulary, line in result.proposals:
        print(f"{display_path(path)}: not in {vocabulary}; if it is right, add (names in "
              f"English first):\n  {line}")
    if output is not None and not result.rows:
        print(f"{display_path(output)}: not written, since no file gave a draft row",
              file=sys.stderr)
        return EXIT_FAILED
    if output is not None:
        print(f"{display_path(output)}: {len(result.rows)} draft row(s); review them, then "
              f"'coopreport validate {display_path(output)}'")
    if result.appended is not None and append_to is not None:
        for activity_id, reason in result.appended.skipped:
            print(f"skipped {activity_id}: {reason}")
        print(f"{display_path(append_to)}: {len(result.appended.appended)} row(s) appended, "
              f"{len(result.appended.skipped)} skipped")
    return EXIT_OK


def _output(args: argparse.Namespace) -> Path | None:
    return Path(args.output) if args.output else None


