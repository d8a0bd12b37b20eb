"""The ``coopreport`` command line: its commands, options and help texts."""

from __future__ import annotations

import argparse

from analysis.build.editions import DEFAULT_KEEP
from analysis.build.notify import DEFAULT_NOTIFY_ON, NOTIFY_ON
from analysis.cli import commands
from analysis.core import paths
from analysis.core.settings import DEFAULT_TIMEOUT_SECONDS
from analysis.core.version import __version__
from analysis.render.quarto_cli import RENDERERS

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
    validate.set_defaults(func=commands.cmd_validate)

    new = sub.add_parser(
        "new", help="start a project folder of your own",
        description="Make a new project in FOLDER: coopreport.yaml (the marker and settings), "
                    "an empty registry with its header, the vocabularies, the notebooks, one "
                    "params file and a README with the next steps. FOLDER must be new or "
                    "empty: nothing is overwritten. Exit 0 when made, 2 otherwise.")
    new.add_argument("folder", metavar="FOLDER", help="the new project's folder")
    new.add_argument("--with-sample-data", action="store_true",
                     help="also copy the coopreport repository's curated data (Uzbekistan and "
                          "Azerbaijan activities, indicators, milestones) and all its params "
                          "files, to try the reports at once")
    new.set_defaults(func=commands.cmd_new)

    listing = sub.add_parser(
        "list", help="list the reports in params/ and how their last build went",
        description="List every report in params/: its name (what coopreport build NAME "
                    "takes), its notebook, and its last build as the output folder records it "
                    "(ok, skipped or warning with the build time and the warnings; failed "
                    "with its error; or never built). An invalid params file is shown with "
                    "every problem, and a data file's problems once, with the reports they "
                    "stop. No report is run. Exit 0 when all are valid, 2 otherwise.")
    listing.add_argument("--output-dir", metavar="DIR",
                         help="the output folder whose builds are read (default: "
                              "reports/_output)")
    listing.set_defaults(func=commands.cmd_list)

    build = sub.add_parser(
        "build", help="execute and render reports",
        description="Execute report notebooks with papermill and render them to HTML and PDF. "
                    "Exit 0 when every report was built, 1 when some failed, 2 for bad usage, "
                    "bad params or bad data (then nothing is written: each problem of a data "
                    "file is printed once, as coopreport validate does, with the reports it "
                    "stops).")
    build.add_argument("params", nargs="*", metavar="REPORT",
                       help="reports to build: a report's name (the name: in a params file in "
                            "params/; coopreport list shows them) or a params file's path; a "
                            "path to an existing file wins over a name")
    build.add_argument("--all", action="store_true", help="build every params file in params/")
    build.add_argument("--jobs", "-j", type=int, default=0, metavar="N",
                       help="reports built in parallel processes (default 0: one per core)")
    build.add_argument("--output-dir", metavar="DIR",
                       help="where reports are published (default: reports/_output)")
    build.add_argument("--renderer", choices=RENDERERS, default="auto",
                       help="auto: Quarto when installed, else the built-in renderer")
    build.add_argument("--formats", metavar="LIST",
                       help="html, pdf or html,pdf (default: each params file's formats)")
    build.add_argument("--force", action="store_true",
                       help="rebuild every report, even those whose params, notebook, data, "
                            "code and renderer have not changed since their last build")
    build.add_argument("--dry-run", "--explain", dest="dry_run", action="store_true",
                       help="list, per report, whether a build would rebuild it and which "
                            "inputs changed (rows of which country, data files, code, day, "
                            "versions, environment), or skip it; writes nothing, starts no "
                            "kernel, exits 0")
    build.add_argument("--executor", choices=("local", "dask"), default="local",
                       help="local: worker processes on this machine (default); dask: each "
                            "report a task on a Dask cluster (needs coopreport[dask]; files "
                            "come back as bytes, the output folder stays here; --jobs does "
                            "not apply)")
    build.add_argument("--scheduler", metavar="ADDRESS",
                       help="with --executor dask: the Dask scheduler, e.g. tcp://host:8786 "
                            "(default: a local cluster of 2 worker processes)")
    build.add_argument("--timeout", type=int, metavar="SECONDS",
                       help="stop a report whose notebook runs longer than this, all its cells "
                            "together, and mark it failed (default: the params file's "
                            "timeout, else "
                            f"{DEFAULT_TIMEOUT_SECONDS} s)")
    build.add_argument("--keep-editions", type=int, default=None, metavar="N",
                       help="published editions kept in the output folder, browsable from its "
                            "history page (default: the project's keep_editions setting, else "
                            f"{DEFAULT_KEEP}; 1 = only the current one; "
                            "the one published just before always stays until the next build, "
                            "for readers who have it open)")
    build.add_argument("--strict", action="store_true",
                       help="exit 1 when a report built with warnings (e.g. a country with no "
                            "activities); scheduled runs use it")
    build.add_argument("--notify", action="append", default=[], metavar="URL",
                       help="send one message at the end of the build (counts, failures, "
                            "warnings, the portal's address) to this apprise URL: mailto://, "
                            "slack://, msteams://, tgram://, matrix://, json:// (a webhook)... "
                            "Repeatable; more in COOPREPORT_NOTIFY (space-separated), which "
                            "keeps their secrets off the command line. Needs "
                            "coopreport[notify]. A message that cannot be sent is logged and "
                            "never fails the build")
    build.add_argument("--notify-on", choices=NOTIFY_ON, default=DEFAULT_NOTIFY_ON,
                       help="when --notify sends: changes (default): a report was built or "
                            "failed, or the build could not run; failure: only when the build "
                            "exits non-zero; always: every build, one with nothing to do too")
    build.add_argument("--portal-url", metavar="URL",
                       help="the address readers open the output folder at, for the links in "
                            "--notify messages (default: the folder's path on this machine)")
    build.add_argument("--allow-notebook-outside", action="store_true",
                       help="let params files run notebooks outside notebooks/ (only for "
                            f"params files you trust; also {paths.ALLOW_NOTEBOOK_OUTSIDE_ENV}=1)")
    build.set_defaults(func=commands.cmd_build)

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
    render.set_defaults(func=commands.cmd_render)

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
    fetch_wb.set_defaults(func=commands.cmd_fetch_worldbank)

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
    import_wb.set_defaults(func=commands.cmd_import_worldbank)
    import_iati = import_sources.add_parser("iati", help="an IATI activity file (2.0x)")
    import_iati.add_argument("file", metavar="FILE.xml", help="an IATI activity file (XML)")
    import_iati.add_argument("--country", metavar="ISO3", help="keep this recipient country")
    import_iati.add_argument("--output", metavar="FILE", help="registry CSV to write")
    import_iati.add_argument("--force", action="store_true", help=FORCE_HELP)
    import_iati.set_defaults(func=commands.cmd_import_iati)
    import_ocds = import_sources.add_parser(
        "ocds", help="contracting data (OCDS) into one Parquet row per contracting process",
        description="Compile OCDS releases (release or record packages, releases, JSON Lines; "
                    ".gz too; streamed) into one row per contracting process (ocdsmerge) and "
                    "write them to a Parquet file with a provenance sidecar.")
    import_ocds.add_argument("files", nargs="+", metavar="FILE",
                             help="OCDS files: .json, .jsonl, either gzip-compressed")
    import_ocds.add_argument("--output", required=True, metavar="PATH.parquet",
                             help="the Parquet file to write (never replaced without --force)")
    import_ocds.add_argument("--country", metavar="ISO3",
                             help="the buyers' country where the data names none")
    import_ocds.add_argument("--force", action="store_true",
                             help="replace --output if it exists (never a folder or a link)")
    import_ocds.add_argument("--schema", action="store_true",
                             help="also validate every release against the OCDS 1.1 release "
                                  "schema (slower; for small files)")
    import_ocds.set_defaults(func=commands.cmd_import_ocds)

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
    extract.add_argument("--published", metavar="YYYY-MM-DD",
                         help="the press item's publication date, when the page does not say "
                              "it (dates without a year and weekdays are read against it)")
    extract.add_argument("--output", metavar="drafts.csv", help="drafts CSV to write")
    extract.add_argument("--append-to", metavar="REGISTRY.csv",
                         help="append the valid drafts to this registry (explicit; e.g. "
                              "data/cooperation_events.csv)")
    extract.add_argument("--include-duplicates", action="store_true",
                         help="append likely duplicates of existing rows too")
    extract.set_defaults(func=commands.cmd_extract)
    return parser
