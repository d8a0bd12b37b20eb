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

import bisect
import difflib
import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.core import paths
from analysis.core.errors import DataValidationError, ParameterError, Problem
from analysis.core.paths import display_path

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
    from analysis.core.safe_yaml import read_yaml

    data = read_yaml(config, what="sources file")  # bounded: no aliases, size, nesting
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
    source = config or paths.default_sources()
    if not source.is_file():
        return []
    from analysis.core.safe_yaml import read_yaml

    try:
        data = read_yaml(source, what="sources file")
    except ParameterError as exc:
        log.warning("%s; only the default registry is treated as curated", exc)
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
    return difflib.SequenceMatcher(None, a, b).ratio()


MAX_CANDIDATES = 10  # per activity and other file: the nearest in date after exact titles


def find_likely_duplicates(df: pd.DataFrame, max_days: int = 31,
                           min_similarity: float = 0.5) -> pd.DataFrame:
    """Pairs of activities from different files that are probably the same activity.

    Two activities match when they come from different files, share the country and a
    partner, start at most ``max_days`` apart and have similar titles. Each activity is paired
    with at most one activity of each other file: the most similar title (then the nearest
    date). The work is near-linear: activities are blocked by country and partner and sorted
    by date; a same title is found by lookup, and otherwise only the :data:`MAX_CANDIDATES`
    nearest in date of each other file are compared (quick upper bounds first).

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
    DataFrame with columns ``first``, ``second`` (activity ids, ``first`` starting no later),
    ``first_file``, ``second_file``, ``days`` and ``similarity``, sorted by ``first``'s date;
    empty when nothing matches.
    """
    columns = ["first", "second", "first_file", "second_file", "days", "similarity"]
    if "source_file" not in df or df["source_file"].nunique() < 2:
        return pd.DataFrame([], columns=columns)
    ids = df["activity_id"].tolist()
    files = df["source_file"].tolist()
    starts = [int(t.value // 86_400_000_000_000) for t in df["start"]]  # days since 1970
    titles = [str(t).casefold() for t in df["title"]]
    # block -> file -> (sorted days, row numbers in that order); block -> file -> title -> rows
    blocks: dict[tuple[str, str], dict[str, list[int]]] = {}
    for row, (country, partners) in enumerate(zip(df["country"], df["partners"], strict=True)):
        for partner in set(partners):
            blocks.setdefault((country, partner), {}).setdefault(files[row], []).append(row)
    best: dict[tuple[int, str], tuple[float, int, int]] = {}  # (row, other file) -> match
    for by_file in blocks.values():
        if len(by_file) < 2:
            continue
        ordered = {f: sorted(rows, key=starts.__getitem__) for f, rows in by_file.items()}
        days_of = {f: [starts[r] for r in rows] for f, rows in ordered.items()}
        by_title = {f: _index_titles(rows, titles, starts) for f, rows in ordered.items()}
        for file, rows in ordered.items():
            for other in ordered:
                if other == file:
                    continue
                for row in rows:
                    found = _best_match(row, starts, titles, ordered[other], days_of[other],
                                        by_title[other], max_days, min_similarity)
                    if found is not None and found > best.get((row, other), (-1.0, 0, 0)):
                        best[(row, other)] = found
    pairs: dict[tuple[int, int], float] = {}
    for (row, _), (similarity, _, match) in best.items():
        a, b = sorted((row, match), key=lambda r: (starts[r], ids[r]))
        pairs[(a, b)] = similarity
    ordered_pairs = sorted(pairs.items(), key=lambda item: (starts[item[0][0]], ids[item[0][0]],
                                                            ids[item[0][1]]))
    return pd.DataFrame([[ids[a], ids[b], files[a], files[b], starts[b] - starts[a],
                          round(similarity, 2)] for (a, b), similarity in ordered_pairs],
                        columns=columns)


def _index_titles(rows: list[int], titles: list[str],
                  starts: list[int]) -> dict[str, tuple[list[int], list[int]]]:
    """title -> (days, rows) of the activities with that title, in date order."""
    index: dict[str, tuple[list[int], list[int]]] = {}
    for row in rows:  # rows are in date order, so each list is too
        days, same = index.setdefault(titles[row], ([], []))
        days.append(starts[row])
        same.append(row)
    return index


def _nearest_same_title(day: int, days: list[int], rows: list[int]) -> int | None:
    """The row nearest ``day`` among ``rows`` (dated ``days``, in order): the earlier on a tie,
    the first of several on the same day. A search, not a scan: thousands of activities may
    share one title (a recurring "Steering committee meeting")."""
    if not rows:
        return None
    right = bisect.bisect_left(days, day)
    if right == len(days):
        return rows[bisect.bisect_left(days, days[-1])]
    if right == 0 or days[right] - day < day - days[right - 1]:
        return rows[right]
    return rows[bisect.bisect_left(days, days[right - 1])]


def _best_match(row: int, starts: list[int], titles: list[str], others: list[int],
                other_days: list[int], by_title: dict[str, tuple[list[int], list[int]]],
                max_days: int, min_similarity: float) -> tuple[float, int, int] | None:
    """(similarity, -days apart, row) of ``row``'s best match among ``others``, or None."""
    day = starts[row]
    same = _nearest_same_title(day, *by_title.get(titles[row], ([], [])))
    if same is not None and abs(starts[same] - day) <= max_days:
        return 1.0, -abs(starts[same] - day), same
    # the MAX_CANDIDATES nearest in date within the window, walking out from the insertion point
    right = bisect.bisect_left(other_days, day)
    left = right - 1
    best: tuple[float, int, int] | None = None
    matcher = difflib.SequenceMatcher(None, b=titles[row])
    for _ in range(MAX_CANDIDATES):
        gap_left = day - other_days[left] if left >= 0 else max_days + 1
        gap_right = other_days[right] - day if right < len(others) else max_days + 1
        if min(gap_left, gap_right) > max_days:
            break
        if gap_left <= gap_right:
            candidate, gap, left = others[left], gap_left, left - 1
        else:
            candidate, gap, right = others[right], gap_right, right + 1
        matcher.set_seq1(titles[candidate])
        floor = max(min_similarity, best[0] if best else 0.0)
        if matcher.real_quick_ratio() < floor or matcher.quick_ratio() < floor:
            continue
        similarity = matcher.ratio()
        if similarity >= min_similarity and (best is None or (similarity, -gap) > best[:2]):
            best = (similarity, -gap, candidate)
    return best
