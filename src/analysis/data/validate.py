"""Validate registry, commitments and reference files as ``coopreport validate`` does.

A file whose header names ``indicator`` and ``value`` is a reference indicators file, one whose
header names ``milestone`` a reference milestones file (:mod:`analysis.data.reference`); without
arguments the shipped reference files are checked with the shipped registry.

A file whose header has ``commitment_id`` is a commitments file; anything else is read as an
activity registry. A registry's own commitments file (see
:func:`analysis.data.registry.commitments_path_for`) is validated with it, exactly as
:func:`analysis.data.registry.load_registry` would, so a file that validates also loads. A
commitments file given on its own is checked against the registries given in the same call, or
else the ``cooperation_events.csv`` beside it, or else the shipped registry.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.core import paths
from analysis.core.errors import DataValidationError, Problem
from analysis.core.paths import display_path
from analysis.data.commitments import read_commitments
from analysis.data.csvtable import CsvTable
from analysis.data.drafts import drafts_report, is_drafts_file
from analysis.data.registry import commitments_path_for, read_activities
from analysis.data.sources import (
    combine,
    find_likely_duplicates,
    is_sources_config,
    read_sources_config,
)
from analysis.data.taxonomy import load_taxonomy

log = logging.getLogger(__name__)


@dataclass
class FileReport:
    """The outcome for one file: its kind, row count, problems, and (registries) the frame."""

    path: Path
    kind: str
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    activities: pd.DataFrame | None = None
    duplicates: pd.DataFrame | None = None


def _is_commitments(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            first = handle.readline(4096)
    except OSError:
        return False
    return b"commitment_id" in first


def _reference_kind(path: Path) -> str | None:
    try:
        with path.open("rb") as handle:
            first = handle.readline(4096)
    except OSError:
        return None
    names = {n.strip() for n in first.decode("utf-8", errors="replace").lstrip("\ufeff")
             .split(",")}
    if {"indicator", "value"} <= names:
        return "indicators"
    if {"indicator", "context", "rationale"} <= names:
        return "guide"
    if {"fact", "value", "maps_pillar"} <= names:
        return "system"
    if "milestone" in names:
        return "milestones"
    if {"source", "source_ru"} <= names <= {"source", "source_ru", "source_uz"}:
        return "source_names"
    return None


def _validate_reference(path: Path, kind: str) -> FileReport:
    from analysis.data.reference import (
        read_guide,
        read_indicators,
        read_milestones,
        read_source_names,
        read_system,
    )

    read = {"indicators": read_indicators, "guide": read_guide, "system": read_system,
            "source_names": read_source_names}.get(kind, read_milestones)
    _, csv_file = read(path)
    return FileReport(path, kind, len(csv_file.records), csv_file.problems)


def validate_files(files: Sequence[Path]) -> list[FileReport]:
    """Validate each file (default: the shipped registry and reference data); return one
    report per file checked."""
    from analysis.data.reference import (
        GUIDE_NAME,
        INDICATORS_NAME,
        MILESTONES_NAME,
        SOURCE_NAMES_NAME,
        SYSTEM_NAME,
    )

    if not files:
        extra = [paths.reference_dir() / n
                 for n in (INDICATORS_NAME, MILESTONES_NAME, GUIDE_NAME, SYSTEM_NAME,
                           SOURCE_NAMES_NAME)
                 if (paths.reference_dir() / n).exists()]
        return _validate(files) + [_validate_reference(p, _reference_kind(p) or "indicators")
                                   for p in extra]
    return _validate(files)


def _validate(files: Sequence[Path]) -> list[FileReport]:
    taxonomy = load_taxonomy()
    sources = paths.default_sources()
    default = sources if sources.exists() else paths.default_registry()
    # paths given on the command line are relative to the working directory
    requested = [Path(f).expanduser().resolve() for f in files] or [default]
    targets: list[Path] = []
    configs: list[Path] = []
    for path in requested:
        if is_sources_config(path):  # a sources file: check every registry it lists
            configs.append(path)
            targets += [p for p in read_sources_config(path) if p not in targets]
        elif path not in targets:
            targets.append(path)
    reports: list[FileReport] = []
    tables: list[CsvTable] = []  # the registries read; their ids are collected only if needed
    commitment_files: list[Path] = []
    for path in targets:
        kind = _reference_kind(path)
        if kind is not None:
            reports.append(_validate_reference(path, kind))
            continue
        if _is_commitments(path):
            commitment_files.append(path)
            continue
        if is_drafts_file(path):  # `coopreport extract` drafts: the registry part is checked
            drafts = drafts_report(path)
            reports.append(FileReport(path, "drafts", len(drafts.records), drafts.problems))
            continue
        frame, csv_file = read_activities(path, taxonomy)
        tables.append(csv_file)
        reports.append(FileReport(path, "registry", csv_file.rows, csv_file.problems,
                                  frame))
        own = commitments_path_for(path)
        if own is not None and own not in targets:
            _, cfile = read_commitments(own, csv_file.ids(), taxonomy)
            reports.append(FileReport(own, "commitments", len(cfile.records), cfile.problems))
    for path in commitment_files:
        ids = set().union(*(t.ids() for t in tables)) or _ids_for_lone_commitments(path)
        _, cfile = read_commitments(path, ids, taxonomy)
        reports.append(FileReport(path, "commitments", len(cfile.records), cfile.problems))
    if len(reports) > 1 or configs:
        _check_across_files(reports)
    return reports


def _check_across_files(reports: list[FileReport]) -> None:
    """Ids unique across registries (a problem); likely duplicates (a warning to resolve)."""
    frames = [(r.path, r.activities) for r in reports
              if r.kind == "registry" and r.activities is not None and not r.problems]
    if len(frames) < 2:
        return
    try:
        combined = combine(frames)
    except DataValidationError as exc:
        by_file = {display_path(r.path): r for r in reports}
        for problem in exc.problems:
            by_file[problem.file].problems.append(problem)
        return
    duplicates = find_likely_duplicates(combined)
    for report in reports:
        if report.kind == "registry":
            report.duplicates = duplicates


def registry_for_commitments(path: Path) -> Path:
    """The registry a commitments file belongs to: ``X.csv`` for ``X.commitments.csv``,
    ``cooperation_events.csv`` beside ``commitments.csv``, else the shipped registry."""
    if path.name.endswith(".commitments.csv"):
        own = path.with_name(path.name.removesuffix(".commitments.csv") + ".csv")
        if own.exists():
            return own
    beside = path.with_name(paths.default_registry().name)
    return beside if beside.exists() else paths.default_registry()


def _ids_for_lone_commitments(path: Path) -> set[str]:
    registry = registry_for_commitments(path)
    log.info("checking %s against the registry %s", display_path(path), display_path(registry))
    _, csv_file = read_activities(registry)
    return csv_file.ids()


def summarise_registry(frame: pd.DataFrame) -> list[str]:
    """A few lines describing a valid registry: countries, years, activity types."""
    if frame.empty:
        return []
    # counted by pandas, not in Python: a registry may have a million rows
    countries = Counter(frame["country"].value_counts(sort=False).to_dict())
    years = Counter({int(y): int(n) for y, n in  # type: ignore[call-overload]
                     frame["year"].value_counts(sort=False).items()})
    types = Counter(frame["activity_type"].value_counts(sort=False).to_dict())
    first, last = min(years), max(years)
    per_year = ", ".join(f"{y}: {years.get(y, 0)}" for y in range(first, last + 1))
    return [
        "countries: " + ", ".join(f"{c} {n}" for c, n in countries.most_common()),
        f"years:     {first}-{last} ({per_year})",
        "types:     " + ", ".join(f"{t} {n}" for t, n in types.most_common()),
        f"amounts:   {int(frame['amount_usd'].notna().sum())} activities state a USD amount",
    ]
