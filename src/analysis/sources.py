"""Several registry files read as one: the curated registry plus imported sources.

``data/sources.yaml`` lists the files (paths relative to the YAML file)::

    sources:
      - path: cooperation_events.csv      # the curated registry
      - path: sources/worldbank.csv       # written by `coopreport fetch worldbank`

An entry with ``curated: true`` is curated data that importers never replace
(:func:`curated_files`).

Every file is validated on its own (with its own commitments file); the combined activities
keep their file in the ``source_file`` column. An id used in two files is an error. The same
activity arriving from two sources is never dropped: :func:`find_likely_duplicates` flags pairs
from different files with the same country, a shared partner, start dates at most
``max_days`` apart and similar titles, for an analyst to resolve.
"""

from __future__ import annotations

import difflib
import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from analysis import paths
from analysis.errors import DataValidationError, ParameterError, Problem
from analysis.paths import display_path

log = logging.getLogger(__name__)

SOURCES_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class SourceFile:
    """One registry file of a combined registry."""

    path: Path
    sha256: str
    rows: int


def is_sources_config(path: Path) -> bool:
    return path.suffix.lower() in SOURCES_SUFFIXES


def read_sources_config(config: Path) -> list[Path]:
    """The registry files a sources YAML lists, resolved against the YAML's folder.

    Raises
    ------
    ParameterError
        For unreadable or invalid YAML, a missing ``sources`` list, or a listed file that
        does not exist.
    """
    try:
        data = yaml.safe_load(config.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ParameterError(f"{config}: cannot read the sources file ({exc})") from exc
    entries = data.get("sources") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise ParameterError(f"{config}: sources: expected a list of entries like "
                             "'- path: cooperation_events.csv'")
    files = []
    for number, entry in enumerate(entries, start=1):
        raw = entry.get("path") if isinstance(entry, dict) else entry
        if not isinstance(raw, str) or not raw:
            raise ParameterError(f"{config}: sources[{number}]: each entry needs a 'path'")
        path = (config.parent / raw).resolve()
        if not path.is_file():
            raise ParameterError(f"{config}: sources[{number}].path: no file at {path} "
                                 "(paths are relative to the sources file)")
        files.append(path)
    return files


def curated_files(config: Path | None = None) -> list[Path]:
    """The files a sources YAML (default ``data/sources.yaml``) marks ``curated: true``.

    Read leniently: a missing or unreadable file gives none (logged), since this only adds
    protection on top of the default registry and commitments paths.
    """
    source = config or paths.DEFAULT_SOURCES
    if not source.is_file():
        return []
    try:
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        log.warning("%s: cannot read the sources file (%s); only the default registry is "
                    "treated as curated", display_path(source), exc)
        return []
    entries = data.get("sources") if isinstance(data, dict) else None
    return [(source.parent / entry["path"]).resolve() for entry in entries or []
            if isinstance(entry, dict) and entry.get("curated") is True
            and isinstance(entry.get("path"), str)]


def combine(frames: list[tuple[Path, pd.DataFrame]]) -> pd.DataFrame:
    """Concatenate per-file activity frames; an id in two files is a validation problem."""
    seen: dict[str, tuple[Path, int]] = {}
    problems = []
    for path, frame in frames:
        for activity_id, line in zip(frame["activity_id"], frame["line"], strict=True):
            if activity_id in seen:
                other, other_line = seen[activity_id]
                problems.append(Problem(display_path(path), int(line), "activity_id",
                                        activity_id, f"id also used in {display_path(other)}:"
                                        f"{other_line}; ids must be unique across sources"))
            else:
                seen[activity_id] = (path, int(line))
    if problems:
        raise DataValidationError(problems)
    non_empty = [frame for _, frame in frames if not frame.empty]
    if not non_empty:
        return frames[0][1].iloc[:0]
    return pd.concat(non_empty, ignore_index=True)


def combined_sha256(files: list[SourceFile]) -> str:
    """One fingerprint for a combined registry: the SHA-256 of the files' SHA-256s in order."""
    return hashlib.sha256("\n".join(f.sha256 for f in files).encode()).hexdigest()


def _similar(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a.casefold(), b.casefold()).ratio()


def find_likely_duplicates(df: pd.DataFrame, max_days: int = 31,
                           min_similarity: float = 0.5) -> pd.DataFrame:
    """Pairs of activities from different files that are probably the same activity.

    Parameters
    ----------
    df
        Combined activities with a ``source_file`` column.
    max_days
        Largest gap between the two start dates.
    min_similarity
        Smallest title similarity (difflib ratio, 0-1, case-insensitive).

    Returns
    -------
    DataFrame with columns ``first``, ``second`` (activity ids), ``first_file``,
    ``second_file``, ``days`` and ``similarity``; empty when nothing matches.
    """
    columns = ["first", "second", "first_file", "second_file", "days", "similarity"]
    rows = []
    if "source_file" in df and df["source_file"].nunique() > 1:
        records = df.sort_values("start").to_dict("records")
        for i, a in enumerate(records):
            for b in records[i + 1:]:
                days = (b["start"] - a["start"]).days
                if days > max_days:
                    break
                if (a["source_file"] == b["source_file"] or a["country"] != b["country"]
                        or not set(a["partners"]) & set(b["partners"])):
                    continue
                similarity = _similar(a["title"], b["title"])
                if similarity >= min_similarity:
                    rows.append([a["activity_id"], b["activity_id"], a["source_file"],
                                 b["source_file"], days, round(similarity, 2)])
    return pd.DataFrame(rows, columns=columns)
