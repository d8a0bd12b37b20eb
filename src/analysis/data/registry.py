"""The activity registry: its public CSV format, validation, and loading into a DataFrame.

The format (one row per cooperation activity) is documented in docs/registry.md and in
``data/README.md``. :func:`load_registry` is the one way code reads it: it validates the file
(and the commitments file that belongs to it) and raises :class:`DataValidationError` listing
**every** problem as ``file:line: column: value: reason``; it never returns half-valid data.

The activities frame's columns are listed in :mod:`analysis.data.registry_format`.

A path ending in ``.yaml``/``.yml`` is a sources file listing several registry files
(:mod:`analysis.data.sources`): they are validated one by one and combined.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.core import paths
from analysis.core.errors import DataValidationError, Problem
from analysis.data.csvtable import CsvTable, read_csv_table
from analysis.data.registry_columns import check_activities
from analysis.data.registry_format import COLUMNS, KIND, OPTIONAL_COLUMNS, empty_activities
from analysis.data.sources import (
    SourceFile,
    combine,
    combined_sha256,
    find_likely_duplicates,
    is_sources_config,
    read_sources_config,
)
from analysis.data.taxonomy import Taxonomy, load_taxonomy


@dataclass(frozen=True)
class Registry:
    """A validated registry: activities, their commitments, and where they came from."""

    activities: pd.DataFrame
    commitments: pd.DataFrame
    path: Path
    sha256: str
    commitments_path: Path | None = None
    commitments_sha256: str | None = None
    sources: tuple[SourceFile, ...] = ()
    duplicates: pd.DataFrame | None = None


def read_activities(path: Path, taxonomy: Taxonomy | None = None
                    ) -> tuple[pd.DataFrame, CsvTable]:
    """Read and check one registry file. Problems are in the returned ``CsvTable``, not raised.

    The file is read as columns and the rules run on whole columns
    (:mod:`analysis.data.registry_columns`); the per-row reference
    (:func:`analysis.data.registry_rows.check_row`) writes the problems of the rows they flag.
    """
    vocab = taxonomy or load_taxonomy()
    table = read_csv_table(path, COLUMNS, KIND, optional=OPTIONAL_COLUMNS)
    if not table.readable:
        return empty_activities(), table
    if not table.rows:
        table.problem(1, "(file)", "", "the registry has a header but no activities; "
                      "add one row per activity")
    return check_activities(table, vocab), table


def commitments_path_for(registry_path: Path) -> Path | None:
    """The commitments file that belongs to a registry, or None.

    ``X.commitments.csv`` beside ``X.csv``; for a file named ``cooperation_events.csv`` (the
    shipped layout) also ``commitments.csv`` beside it.
    """
    own = registry_path.with_name(f"{registry_path.stem}.commitments.csv")
    if own.exists():
        return own
    if registry_path.name == paths.default_registry().name:
        shared = registry_path.with_name(paths.COMMITMENTS_NAME)
        if shared.exists():
            return shared
    return None


def load_registry(path: str | Path | None = None, commitments: str | Path | None = None,
                  taxonomy: Taxonomy | None = None) -> Registry:
    """Load and validate a registry (or a sources file of several) and its commitments.

    Parameters
    ----------
    path
        Registry CSV, or a sources YAML listing several; relative paths resolve from the
        project root. Default: the shipped registry.
    commitments
        Commitments CSV for a single registry; default: the file that belongs to it
        (:func:`commitments_path_for`), or none.
    taxonomy
        Vocabularies; default: ``data/taxonomy``.

    Raises
    ------
    DataValidationError
        With every problem in every registry and commitments file.
    ParameterError
        For an unreadable or invalid sources file.
    """
    registry_path = paths.resolve_data_path(path) if path is not None else paths.default_registry()
    vocab = taxonomy or load_taxonomy()
    if is_sources_config(registry_path):
        return _load_sources(registry_path, vocab)
    loaded = _load_file(registry_path, vocab, commitments)
    if loaded.problems:
        raise DataValidationError(loaded.problems)
    return Registry(loaded.activities, loaded.commitments, registry_path, loaded.sha256,
                    loaded.commitments_path, loaded.commitments_sha256,
                    (SourceFile(registry_path, loaded.sha256, len(loaded.activities)),))


@dataclass
class _Loaded:
    activities: pd.DataFrame
    commitments: pd.DataFrame
    problems: list[Problem]
    sha256: str
    commitments_path: Path | None
    commitments_sha256: str | None


def _load_file(registry_path: Path, vocab: Taxonomy, commitments: str | Path | None = None
               ) -> _Loaded:
    from analysis.data.commitments import empty_commitments, read_commitments

    activities, csv_file = read_activities(registry_path, vocab)
    problems: list[Problem] = list(csv_file.problems)
    commitments_path = (paths.resolve_data_path(commitments) if commitments is not None
                        else commitments_path_for(registry_path))
    commitment_frame, commitments_sha = empty_commitments(), None
    if commitments_path is not None:
        known = csv_file.ids()
        commitment_frame, commitments_file = read_commitments(commitments_path, known, vocab)
        problems += commitments_file.problems
        commitments_sha = commitments_file.sha256
    return _Loaded(activities, commitment_frame, problems, csv_file.sha256, commitments_path,
                   commitments_sha)


def _load_sources(config: Path, vocab: Taxonomy) -> Registry:
    files = read_sources_config(config)
    loaded = [(path, _load_file(path, vocab)) for path in files]
    problems = [p for _, item in loaded for p in item.problems]
    if problems:
        raise DataValidationError(problems)
    activities = combine([(path, item.activities) for path, item in loaded])
    frames = [item.commitments for _, item in loaded if not item.commitments.empty]
    commitments = pd.concat(frames, ignore_index=True) if frames else loaded[0][1].commitments
    sources = tuple(SourceFile(path, item.sha256, len(item.activities)) for path, item in loaded)
    return Registry(activities, commitments, config, combined_sha256(list(sources)),
                    sources=sources, duplicates=find_likely_duplicates(activities))
