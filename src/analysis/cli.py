"""The ``coopreport`` command (also ``python -m analysis``).

Exit codes: 0 success; 1 a report failed to build (or timed out), or a connector's source
failed (network, unreadable file); 2 bad usage, bad data, bad parameters or an output folder
that is not coopreport's; 128 + the signal's number when a build was stopped (130 Ctrl-C,
143 SIGTERM, 129 SIGHUP).
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from analysis.core import paths
from analysis.core.errors import ConnectorError, CoopReportError
from analysis.core.paths import display_path
from analysis.core.settings import DEFAULT_TIMEOUT_SECONDS, MAX_TIMEOUT_SECONDS
from analysis.core.version import __version__

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
SHOWN_DUPLICATES = 20  # likely duplicate pairs `validate` prints; the rest are counted
log = logging.getLogger("analysis")


def _setup_logging(verbose: bool) -> None:
    from analysis.core.logs import configure_logging

    configure_logging(logging.DEBUG if verbose else logging.INFO)


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
                "drafts": "draft activities"}[report.kind]
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


def cmd_list(args: argparse.Namespace) -> int:
    from analysis.build.params import discover_params, load_report_spec
    from analysis.core.errors import ParameterError

    sources = discover_params()
    if not sources:
        print("no params files in params/")
        return EXIT_OK
    status = EXIT_OK
    for source in sources:
        try:
            report = load_report_spec(source)
        except ParameterError as exc:
            print(f"{display_path(source)}: INVALID: {exc}")
            status = EXIT_USAGE
            continue
        values = ", ".join(f"{k}={v}" for k, v in report.parameters.items())
        print(f"{report.name:<32} {report.notebook.name:<28} {','.join(report.spec.formats):<9} "
              f"{report.spec.title}  [{values}]")
    return status


def cmd_build(args: argparse.Namespace) -> int:
    import os

    from analysis.build.provenance import git_commit, utc_now
    from analysis.render.quarto_cli import choose_renderer

    if args.all == bool(args.params):
        print("coopreport build: give params files or --all (not both)", file=sys.stderr)
        return EXIT_USAGE
    sources = paths.params_files() if args.all else [Path(p) for p in args.params]
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
    if args.scheduler is not None and args.executor != "dask":
        print("coopreport build: --scheduler needs --executor dask", file=sys.stderr)
        return EXIT_USAGE
    if args.executor == "dask":
        from analysis.build.dask_executor import require_distributed

        require_distributed()  # a BuildError (exit 2) with the install hint
    renderer = choose_renderer(args.renderer)
    out = Path(args.output_dir).resolve()
    if not args.force:
        from analysis.build.records import nothing_to_do

        done = nothing_to_do(sources, out, renderer, formats, git_commit(), utc_now())
        if done is not None:
            print(done)
            return EXIT_OK
    return _build(args, sources, out, renderer, formats, os.cpu_count() or 1)


def _build(args: argparse.Namespace, sources: list[Path], out: Path, renderer: str,
           formats: tuple[str, ...] | None, cores: int) -> int:
    from analysis.build.params import load_reports
    from analysis.build.provenance import git_commit, utc_now
    from analysis.build.runner import BuildOptions, build_reports
    from analysis.build.runner_ui import BuildDisplay, print_summary

    # every check before any kernel starts or file is written
    reports = load_reports(sources, allow_notebook_outside=args.allow_notebook_outside or None)
    jobs = args.jobs or cores
    options = BuildOptions(output_dir=out, formats=formats, renderer=renderer, jobs=jobs,
                           commit=git_commit(), built_at=utc_now(), timeout=args.timeout,
                           force=args.force, executor=args.executor, scheduler=args.scheduler)
    if args.executor == "dask":
        from analysis.build.dask_executor import LOCAL_WORKERS, check_scheduler

        if args.scheduler is not None:
            check_scheduler(args.scheduler)  # unreachable: exit 2 before anything is written
        log.info("building %d report(s) into %s with the %s renderer, on Dask (%s)",
                 len(reports), display_path(options.output_dir), renderer,
                 args.scheduler or f"a local cluster of {LOCAL_WORKERS} worker processes")
    else:
        log.info("building %d report(s) into %s with the %s renderer, %d job(s)",
                 len(reports), display_path(options.output_dir), renderer, jobs)
    with BuildDisplay(reports) as display:
        results = build_reports(reports, options, on_done=display.done)
    print_summary(results, options.output_dir)
    if any(r.status not in ("ok", "warning", "skipped") for r in results):
        return EXIT_FAILED
    if args.strict and any(r.status == "warning" for r in results):
        log.error("--strict: %d report(s) built with warnings",
                  sum(r.status == "warning" for r in results))
        return EXIT_FAILED
    return EXIT_OK


def cmd_render(args: argparse.Namespace) -> int:
    import shutil
    import tempfile

    import nbformat

    from analysis.core.errors import ParameterError
    from analysis.render.notebook import choose_renderer, render_notebook

    renderer = choose_renderer(args.renderer)
    executed = Path(args.notebook).resolve()
    try:
        nb = nbformat.read(executed, as_version=4)
    except (OSError, ValueError) as exc:
        raise ParameterError(f"{executed}: cannot read the notebook ({exc})") from exc
    if "papermill" not in nb.metadata or not any(c.get("outputs") for c in nb.cells):
        raise ParameterError(f"{executed}: not an executed report notebook; run it first "
                             "(coopreport build, or papermill) — render never executes code")
    out = Path(args.output_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    formats = args.formats.split(",")
    with tempfile.TemporaryDirectory(dir=out, prefix=".render-") as work:
        for produced in render_notebook(executed, Path(work), formats, renderer):
            target = out / produced.name
            shutil.move(str(produced), target)
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


def cmd_extract(args: argparse.Namespace) -> int:
    from analysis.extract.run import run_extract

    output = Path(args.output) if args.output else None
    append_to = Path(args.append_to) if args.append_to else None
    if output is None and append_to is None:
        print("coopreport extract: give --output drafts.csv (to review) and/or --append-to "
              "REGISTRY.csv", file=sys.stderr)
        return EXIT_USAGE
    result = run_extract([Path(f) for f in args.files], args.source_url or "", output,
                         append_to, args.include_duplicates)
    for path in result.empty:
        print(f"{display_path(path)}: no activity found (see the warnings above)")
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


FORCE_HELP = ("replace --output even if the importer did not write it (no FILE.provenance.json, "
              "edited since, or curated data); never a file that is not a registry CSV")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coopreport",
        description="Validate the cooperation activity registry and build analytical reports.",
    )
    parser.add_argument("--version", action="version", version=f"coopreport {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    validate = sub.add_parser(
        "validate", help="check registry and commitments files",
        description="Check registry (and commitments) files; list every problem as "
                    "file:line: column: value: reason. Exit 0 when valid, 2 otherwise.")
    validate.add_argument("paths", nargs="*", metavar="PATH",
                          help="CSV files to check (default: the shipped registry)")
    validate.set_defaults(func=cmd_validate)

    listing = sub.add_parser(
        "list", help="list the report definitions in params/",
        description="List every params file in params/ with its notebook, formats, title and "
                    "parameters; an invalid one is shown with every problem. Exit 0 when all "
                    "are valid, 2 otherwise.")
    listing.set_defaults(func=cmd_list)

    from analysis.core import paths
    from analysis.render.quarto_cli import RENDERERS

    build = sub.add_parser(
        "build", help="execute and render reports",
        description="Execute report notebooks with papermill and render them to HTML and PDF. "
                    "Exit 0 when every report was built, 1 when some failed, 2 for bad usage "
                    "or bad params (then nothing is written).")
    build.add_argument("params", nargs="*", metavar="PARAMS.yaml", help="params files to build")
    build.add_argument("--all", action="store_true", help="build every params file in params/")
    build.add_argument("--jobs", "-j", type=int, default=0, metavar="N",
                       help="reports built in parallel processes (default 0: one per core)")
    build.add_argument("--output-dir", default=str(paths.OUTPUT_DIR), metavar="DIR",
                       help="where reports are published (default: reports/_output)")
    build.add_argument("--renderer", choices=RENDERERS, default="auto",
                       help="auto: Quarto when installed, else the built-in renderer")
    build.add_argument("--formats", metavar="LIST",
                       help="html, pdf or html,pdf (default: each params file's formats)")
    build.add_argument("--force", action="store_true",
                       help="rebuild every report, even those whose params, notebook, data, "
                            "code and renderer have not changed since their last build")
    build.add_argument("--executor", choices=("local", "dask"), default="local",
                       help="local: worker processes on this machine (default); dask: each "
                            "report a task on a Dask cluster (needs coopreport[dask]; files "
                            "come back as bytes, the output folder stays here; --jobs does "
                            "not apply)")
    build.add_argument("--scheduler", metavar="ADDRESS",
                       help="with --executor dask: the Dask scheduler, e.g. tcp://host:8786 "
                            "(default: a local cluster of 2 worker processes)")
    build.add_argument("--timeout", type=int, metavar="SECONDS",
                       help="stop a report whose notebook runs longer than this and mark it "
                            "failed (default: the params file's timeout, else "
                            f"{DEFAULT_TIMEOUT_SECONDS} s)")
    build.add_argument("--strict", action="store_true",
                       help="exit 1 when a report built with warnings (e.g. a country with no "
                            "activities); scheduled runs use it")
    build.add_argument("--allow-notebook-outside", action="store_true",
                       help="let params files run notebooks outside notebooks/ (only for "
                            f"params files you trust; also {paths.ALLOW_NOTEBOOK_OUTSIDE_ENV}=1)")
    build.set_defaults(func=cmd_build)

    render = sub.add_parser("render", help="render one executed notebook to HTML/PDF",
                            description="Render a notebook that papermill already executed "
                                        "(it is not run again).")
    render.add_argument("notebook", metavar="EXECUTED.ipynb",
                        help="a notebook executed by coopreport build or papermill")
    render.add_argument("--output-dir", default=".", metavar="DIR",
                        help="where NAME.html / NAME.pdf are written (default: the current "
                             "folder)")
    render.add_argument("--renderer", choices=RENDERERS, default="auto",
                        help="auto: Quarto when installed, else the built-in renderer")
    render.add_argument("--formats", default="html,pdf", metavar="LIST",
                        help="html, pdf or html,pdf (default: html,pdf)")
    render.set_defaults(func=cmd_render)

    fetch = sub.add_parser("fetch", help="download partners' published data into the registry "
                                         "format")
    fetch_sources = fetch.add_subparsers(dest="source", metavar="SOURCE")
    fetch_sources.required = True
    fetch_wb = fetch_sources.add_parser(
        "worldbank", help="World Bank projects (Projects API v2, cached)",
        description="Query the World Bank Projects API for the countries' projects, cache the "
                    "raw pages under data/cache/worldbank/<date>/ and write registry rows.")
    fetch_wb.add_argument("--country", nargs="+", required=True, metavar="ISO3",
                          help="ISO 3166-1 alpha-3 codes of the countries, e.g. UZB AZE")
    fetch_wb.add_argument("--since", type=int, metavar="YEAR",
                          help="only projects approved in or after this year")
    fetch_wb.add_argument("--offline", action="store_true",
                          help="rebuild from the cached responses instead of the network")
    fetch_wb.add_argument("--output", metavar="FILE",
                          help="registry CSV to write (default data/sources/worldbank.csv)")
    fetch_wb.add_argument("--force", action="store_true", help=FORCE_HELP)
    fetch_wb.set_defaults(func=cmd_fetch_worldbank)

    importing = sub.add_parser("import", help="convert a saved file into the registry format")
    import_sources = importing.add_subparsers(dest="source", metavar="SOURCE")
    import_sources.required = True
    import_wb = import_sources.add_parser("worldbank",
                                          help="a saved World Bank API response or export")
    import_wb.add_argument("file", metavar="FILE.json",
                           help="a saved Projects API response or export (JSON)")
    import_wb.add_argument("--country", nargs="+", metavar="ISO3", help="keep these countries")
    import_wb.add_argument("--output", metavar="FILE", help="registry CSV to write")
    import_wb.add_argument("--force", action="store_true", help=FORCE_HELP)
    import_wb.set_defaults(func=cmd_import_worldbank)
    import_iati = import_sources.add_parser("iati", help="an IATI activity file (2.0x)")
    import_iati.add_argument("file", metavar="FILE.xml", help="an IATI activity file (XML)")
    import_iati.add_argument("--country", metavar="ISO3", help="keep this recipient country")
    import_iati.add_argument("--output", metavar="FILE", help="registry CSV to write")
    import_iati.add_argument("--force", action="store_true", help=FORCE_HELP)
    import_iati.set_defaults(func=cmd_import_iati)

    extract = sub.add_parser(
        "extract", help="press texts (txt/HTML) → draft registry rows to review",
        description="Read press items (plain text or saved HTML; ru, uz, az, en) and write one "
                    "draft registry row per activity, with confidence and evidence per field. "
                    "A drafts CSV given as FILE is taken as reviewed drafts. --append-to adds "
                    "only rows that validate and are not likely duplicates; existing rows are "
                    "never rewritten.")
    extract.add_argument("files", nargs="+", metavar="FILE",
                         help="press items (.txt, .html) or a reviewed drafts CSV")
    extract.add_argument("--source-url", metavar="URL", help="the address of the press item")
    extract.add_argument("--output", metavar="drafts.csv", help="drafts CSV to write")
    extract.add_argument("--append-to", metavar="REGISTRY.csv",
                         help="append the valid drafts to this registry (explicit; e.g. "
                              "data/cooperation_events.csv)")
    extract.add_argument("--include-duplicates", action="store_true",
                         help="append likely duplicates of existing rows too")
    extract.set_defaults(func=cmd_extract)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _setup_logging(args.verbose)
    try:
        return int(args.func(args))
    except ConnectorError as exc:  # the source failed (network, file): not a usage error
        print(f"coopreport: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except CoopReportError as exc:
        print(f"coopreport: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM/SIGHUP during a build
        signum = int(getattr(exc, "signum", signal.SIGINT))
        # a report stopped mid-cell leaves nbclient's cell task failed ("Kernel died"); asyncio
        # would print its traceback at exit, although the stop was ours and is reported here
        logging.getLogger("asyncio").setLevel(logging.CRITICAL)
        print(f"coopreport: interrupted ({signal.Signals(signum).name})", file=sys.stderr)
        return 128 + signum
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return EXIT_OK
