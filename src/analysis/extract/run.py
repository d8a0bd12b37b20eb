"""What ``coopreport extract`` does: press files (or reviewed drafts) → drafts → registry."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from analysis.core.errors import DataValidationError, ExtractError
from analysis.data.drafts import is_drafts_file, read_drafts
from analysis.data.fields import check_url
from analysis.extract.append import AppendResult, append_drafts
from analysis.extract.counterpart import counterparts_csv_line
from analysis.extract.drafts import check_drafts_output, compose_row, write_drafts
from analysis.extract.organisations import partners_csv_line
from analysis.extract.pipeline import extract_activities
from analysis.extract.source import read_press_text

log = logging.getLogger(__name__)


@dataclass
class ExtractResult:
    """Draft rows made, files that gave none, the lines proposed for the vocabularies, and
    the append outcome (when asked)."""

    rows: list[Mapping[str, str]] = field(default_factory=list)
    empty: list[Path] = field(default_factory=list)
    proposals: list[tuple[Path, str, str]] = field(default_factory=list)  # file, CSV, line
    appended: AppendResult | None = None


def extract_files(files: Sequence[Path], source_url: str = "",
                  published: dt.date | None = None) -> ExtractResult:
    """Draft rows for press files; a drafts CSV among them is taken as reviewed drafts.

    Raises
    ------
    ExtractError
        When a file cannot be read (the message names it), or ``source_url`` is no web
        address or is given with several press files.
    DataValidationError
        When a reviewed drafts file given as input does not validate.
    """
    press_files = [f for f in files if not is_drafts_file(f)]
    if source_url and check_url(source_url):
        raise ExtractError(f"--source-url {source_url[:80]!r}: {check_url(source_url)}")
    if source_url and len(press_files) > 1:
        raise ExtractError("--source-url names the address of one press item; give one file "
                           "with it, or run the command once per file")
    result = ExtractResult()
    taken: set[str] = set()
    for path in files:
        if is_drafts_file(path):
            records, problems = read_drafts(path)
            if problems:
                raise DataValidationError(problems)
            for _, row in records:
                taken.add(row.get("activity_id", ""))
                result.rows.append(row)
            continue
        press = read_press_text(path, source_url, published)
        activities = extract_activities(press)
        if not activities:
            result.empty.append(path)
        for activity in activities:
            result.rows.append(compose_row(activity, press, taken))
            language = activity.language.language
            for organisation in activity.unknown_partners:
                result.proposals.append((path, "data/taxonomy/partners.csv",
                                         partners_csv_line(organisation, language)))
            if activity.counterpart.unknown:
                result.proposals.append((path, "data/extract/counterparts.csv",
                                         counterparts_csv_line(activity.counterpart.name,
                                                               activity.country.values[0],
                                                               language)))
        log.info("%s: %d draft row(s)", path, len(activities))
    return result


def run_extract(files: Sequence[Path], source_url: str = "", output: Path | None = None,
                append_to: Path | None = None, include_duplicates: bool = False,
                published: dt.date | None = None) -> ExtractResult:
    """Extract, write the drafts to ``output`` (when given), append to ``append_to`` (when
    given). See :func:`extract_files` and :func:`analysis.extract.append.append_drafts`."""
    if output is not None:
        check_drafts_output(output)  # before any work: a refused --output costs nothing
    result = extract_files(files, source_url, published)
    if output is not None and result.rows:  # no rows: no file (a header alone is no registry)
        write_drafts(result.rows, output, origin=", ".join(map(str, files)))
    if append_to is not None:
        result.appended = append_drafts(result.rows, append_to,
                                        include_duplicates=include_duplicates)
    return result
