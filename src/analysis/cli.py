"""The ``coopreport`` command (also ``python -m analysis``).

Exit codes: 0 success; 1 a report failed to build; 2 bad usage, bad data or bad parameters.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from analysis import __version__
from analysis.errors import CoopReportError
from analysis.paths import display_path

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
log = logging.getLogger("analysis")


def _setup_logging(verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s",
                                           "%Y-%m-%dT%H:%M:%S"))
    root = logging.getLogger("analysis")
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)


def cmd_validate(args: argparse.Namespace) -> int:
    from analysis.validate import summarise_registry, validate_files

    reports = validate_files([Path(p) for p in args.paths])
    problems = [p for report in reports for p in report.problems]
    for report in reports:
        name = display_path(report.path)
        if report.problems:
            continue
        noun = "activities" if report.kind == "registry" else "commitments"
        print(f"{name}: OK, {report.rows} {noun}")
        if report.activities is not None:
            for line in summarise_registry(report.activities):
                print(f"  {line}")
    if problems:
        for problem in sorted(problems):
            print(problem, file=sys.stderr)
        bad_files = sum(1 for r in reports if r.problems)
        print(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in {bad_files} "
              f"file{'s' if bad_files != 1 else ''}; fix them and run 'coopreport validate' "
              "again (no file was changed)", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _setup_logging(args.verbose)
    try:
        return int(args.func(args))
    except CoopReportError as exc:
        print(f"coopreport: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("coopreport: interrupted", file=sys.stderr)
        return 130
