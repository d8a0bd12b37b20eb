"""Incremental builds: a report is rebuilt only when something it is made from has changed.

A report is made from its params file, its notebook, the data (every file under ``data/``
— registry, commitments, taxonomy, reference data, mappings, imported sources — and a
registry outside it that ``data_path`` names), the package code (``src/analysis``, templates
and assets included), the Quarto project (``reports/``, for the Quarto renderer), the renderer
and the formats. Each build records, per report, the SHA-256 of each of those inputs in
``build-manifest.json`` inside the edition it publishes (:mod:`analysis.build.editions`). The next
build compares: a report whose inputs are all unchanged, whose last build succeeded and whose
files are all there is *skipped*, and the summary says so; otherwise it is rebuilt, and the
summary says which inputs changed. ``--force`` rebuilds everything.

The check needs no parsing: the manifest names every input file, so a build with nothing to do
hashes a few hundred kilobytes and stops before importing pandas, nbformat or papermill
(:func:`all_up_to_date`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from analysis.core import paths
from analysis.core.files import sha256_file

MANIFEST_NAME = "build-manifest.json"
CODE_DIR: Path = paths.PACKAGE_DIR  # the package: code, templates and assets
SKIPPED_DIRS = {"__pycache__", "cache", ".ipynb_checkpoints", "_output", "_build", ".quarto"}
GROUPS = ("params", "notebook", "data", "code", "renderer")


def _files_under(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not d.startswith("."))
        found += [Path(root) / f for f in sorted(files) if not f.endswith((".pyc", ".tmp"))]
    return found


def _hashes(files: Iterable[Path]) -> dict[str, str]:
    """``{path: sha256}``; a missing file hashes as ``"missing"`` (so it counts as a change)."""
    result = {}
    for path in files:
        try:
            result[str(path)] = sha256_file(path)
        except OSError:
            result[str(path)] = "missing"
    return dict(sorted(result.items()))


def inputs(params_file: Path, notebook: Path, data_files: Iterable[Path], renderer: str,
           formats: Iterable[str]) -> dict[str, Any]:
    """The inputs a report is made from, grouped as the summary names them, with their hashes.

    ``data_files`` are the registry files the report reads beyond ``data/`` (its ``data_path``
    and a sources file's entries); everything under ``data/`` is always included.
    """
    data = {*_files_under(paths.data_dir()), *(Path(p).resolve() for p in data_files)}
    code = _files_under(CODE_DIR)
    if renderer == "quarto":
        code += _files_under(paths.reports_dir())
    return {
        "params": _hashes([params_file.resolve()]),
        "notebook": _hashes([notebook.resolve()]),
        "data": _hashes(sorted(data)),
        "code": _hashes(code),
        "renderer": {"renderer": renderer, "formats": ",".join(formats),
                     "default data": str(paths.default_data_path())},
    }


def changed_groups(before: Mapping[str, Any] | None, now: Mapping[str, Any]) -> list[str]:
    """The input groups that differ (all of them when there is no earlier record)."""
    if not before:
        return list(GROUPS)
    return [group for group in GROUPS if before.get(group) != now.get(group)]


def changed_files(before: Mapping[str, Any] | None, now: Mapping[str, Any],
                  group: str) -> list[str]:
    """Which files of ``group`` were added, removed or changed."""
    old, new = dict((before or {}).get(group, {})), dict(now.get(group, {}))
    return sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))


def describe_changes(before: Mapping[str, Any] | None, now: Mapping[str, Any]) -> str:
    """Why a report is rebuilt, in words: ``data changed (data/x.csv)``, ``first build``."""
    if not before:
        return "first build (no earlier record)"
    parts = []
    for group in changed_groups(before, now):
        if group == "renderer":
            parts.append("renderer, formats or default registry changed")
            continue
        files = changed_files(before, now, group)
        shown = ", ".join(paths.display_path(Path(f)) for f in files[:3])
        more = f" and {len(files) - 3} more" if len(files) > 3 else ""
        parts.append(f"{group} changed ({shown}{more})")
    return "; ".join(parts) or "unchanged"


def load_manifest(edition: Path | None) -> dict[str, Any]:
    """The manifest of an edition (report name → record), or ``{}``."""
    if edition is None:
        return {}
    try:
        data = json.loads((edition / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def is_current(record: Mapping[str, Any] | None, now: Mapping[str, Any], edition: Path) -> bool:
    """True when the last build of this report succeeded with the same inputs and every file
    it published is still in ``edition``."""
    if not record:
        return False
    return record.get("inputs") == now and all(
        (edition / name).is_file() for name in record.get("files", []))


def recorded_inputs(record: Mapping[str, Any], renderer: str,
                    formats: Iterable[str] | None) -> dict[str, Any] | None:
    """The inputs of a recorded report, hashed again from the files the record names (no
    params file or notebook is parsed). None when the record is incomplete."""
    try:
        params_file = Path(next(iter(record["inputs"]["params"])))
        notebook = Path(next(iter(record["inputs"]["notebook"])))
        extra = [Path(p) for p in record["inputs"]["data"]
                 if not Path(p).is_relative_to(paths.data_dir())]
        chosen = formats if formats is not None else record["formats"]
    except (KeyError, TypeError, StopIteration):
        return None
    return inputs(params_file, notebook, extra, renderer, chosen)


def all_up_to_date(sources: list[Path], edition: Path | None, renderer: str,
                   formats: Iterable[str] | None) -> dict[str, str] | None:
    """When every params file in ``sources`` was built before from the same inputs: report
    name → the build time it is up to date with. None when any report needs building.

    This is the whole check for a build with nothing to do: hashes only, no parsing.
    """
    if edition is None:
        return None
    manifest = load_manifest(edition)
    by_params = {str(Path(next(iter(r.get("inputs", {}).get("params", {"": ""})))).resolve()):
                 (name, r) for name, r in manifest.items() if isinstance(r, dict)}
    current = {}
    for source in sources:
        found = by_params.get(str(source.resolve()))
        if found is None:
            return None
        name, record = found
        now = recorded_inputs(record, renderer, formats)
        if now is None or not is_current(record, now, edition):
            return None
        current[name] = str(record.get("built_at", ""))
    return current
