"""Incremental builds: a report is rebuilt only when something it is made from has changed.

A report is made from (each a *group* of its inputs, named so in the build's reasons):

- ``params``, ``notebook``: its params file and notebook;
- ``rows``: the rows it selects from the per-country tables — the activity registry (the
  default one, its ``data_path``, or each file a sources YAML names), their commitments, and
  for the notebooks that read them the indicators, milestones and procurement-system facts —
  for its countries (country, peer, countries, benchmarks) and, in the registry, the years it
  reads; plus the span (first and last record, any year) of each country whose coverage it
  prints (its own countries and an SPCR's peer). Each is fingerprinted in a stable order,
  so reordering rows or editing another country's rows changes nothing
  (:mod:`analysis.build.selection`, :mod:`analysis.build.rows`);
- ``data``: the other files under ``data/`` it reads, hashed whole (taxonomy, indicator
  guide, source names, mappings...; documentation and what no report reads are left out);
- ``code``: the package (``src/analysis``, templates and assets), and for the Quarto
  renderer the Quarto project (``reports/``);
- ``renderer``: the renderer, the formats and the default registry;
- ``as_of``: the day it is written as of (its ``as_of`` parameter, else the build day: a
  commitment that falls due overnight is in the next day's build);
- ``versions``, ``environment``: the versions of the tools that shape it and the environment
  variables that change it (:mod:`analysis.build.environment`).

Each build records, per report, those inputs in ``build-manifest.json`` inside the edition it
publishes (:mod:`analysis.build.editions`), with the selection and each per-country table's
file hash. The next build compares: a report whose inputs are all unchanged, whose last build
succeeded and whose files are all there is *skipped*; otherwise it is rebuilt, and the summary
says which inputs changed, in words (:func:`describe_changes`). ``--force`` rebuilds
everything; ``coopreport build --dry-run`` says what a build would do (:mod:`analysis.build.plan`).

The check needs no parsing: the manifest names every input file and the selection, so a build
with nothing to do hashes files and stops before importing pandas, nbformat or papermill
(:func:`all_up_to_date`); it reads a per-country table with :mod:`csv` only when the table's
file changed since the build recorded.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from analysis.build import environment, selection
from analysis.core import paths
from analysis.core.files import sha256_file

MANIFEST_NAME = "build-manifest.json"
CODE_DIR: Path = paths.PACKAGE_DIR  # the package: code, templates and assets
SKIPPED_DIRS = {"__pycache__", "cache", ".ipynb_checkpoints", "_output", "_build", ".quarto"}
GROUPS = ("params", "notebook", "selection", "rows", "data", "code", "renderer", "as_of",
          "versions", "environment")
TABLES = "tables"  # recorded beside the groups, not compared: the per-country files' hashes


def _files_under(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not d.startswith("."))
        found += [Path(root) / f for f in sorted(files) if not f.endswith((".pyc", ".tmp"))]
    return found


_MEMO: dict[str, str] = {}  # within one check of a build: a file shared by reports, hashed once


def forget_hashes() -> None:
    """Start a new build's check: files are hashed again."""
    _MEMO.clear()


def _hashes(files: Iterable[Path]) -> dict[str, str]:
    """``{path: sha256}``; a missing file hashes as ``"missing"`` (so it counts as a change)."""
    result = {}
    for path in files:
        key = str(path)
        if key not in _MEMO:
            try:
                _MEMO[key] = sha256_file(path)
            except OSError:
                _MEMO[key] = selection.MISSING
        result[key] = _MEMO[key]
    return dict(sorted(result.items()))


def inputs(params_file: Path, notebook: Path, spec: Mapping[str, Any], renderer: str,
           formats: Iterable[str], known: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The inputs a report is made from, grouped as the reasons name them (see the module
    notes), with the per-country tables' file hashes under :data:`TABLES`.

    ``spec`` is the report's selection (:func:`analysis.build.selection.selection`);
    ``known`` the inputs recorded at its last build: while its selection and tables are the
    same, the rows it selected are too, and no table is read.
    """
    tables = {path: _hashes([Path(path)])[path] for path in selection.table_paths(spec)}
    if known and known.get("selection") == spec and known.get(TABLES) == tables:
        chosen = known["rows"]
    else:
        chosen = selection.selected_rows(spec, tables)
    code = _files_under(CODE_DIR)
    if renderer == "quarto":
        code += _files_under(paths.reports_dir())
    return {
        "params": _hashes([params_file.resolve()]),
        "notebook": _hashes([notebook.resolve()]),
        "selection": dict(spec),
        "rows": chosen,
        "data": _hashes(selection.whole_files(spec)),
        "code": _hashes(code),
        "renderer": {"renderer": renderer, "formats": ",".join(formats),
                     "default data": str(paths.default_data_path())},
        "as_of": environment.effective_as_of(spec.get("as_of")),
        "versions": environment.versions(renderer),
        "environment": environment.environment(),
        TABLES: tables,
    }


def compared(found: Mapping[str, Any] | None) -> dict[str, Any]:
    """The groups that decide whether a report is current (the tables' hashes do not)."""
    return {group: (found or {}).get(group) for group in GROUPS}


def changed_groups(before: Mapping[str, Any] | None, now: Mapping[str, Any]) -> list[str]:
    """The input groups that differ (all of them when there is no earlier record)."""
    if not before:
        return list(GROUPS)
    return [group for group in GROUPS if before.get(group) != now.get(group)]


def changed_files(before: Mapping[str, Any] | None, now: Mapping[str, Any],
                  group: str) -> list[str]:
    """Which files of ``group`` were added, removed or changed."""
    old, new = dict((before or {}).get(group) or {}), dict(now.get(group) or {})
    return sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))


def describe_changes(before: Mapping[str, Any] | None, now: Mapping[str, Any]) -> str:
    """Why a report is rebuilt, in words: ``registry rows for AZE changed (37 rows, was
    36); as_of 2026-12-07 (was 2026-12-06)``, ``first build``."""
    if not before:
        return "first build (no earlier record)"
    if "selection" not in before:
        return "its last build recorded its inputs in an older form"
    parts: list[str] = []
    for group in changed_groups(before, now):
        if group == "renderer":
            parts.append("renderer, formats or default registry changed")
        elif group == "selection":
            parts.append("selection changed (countries, years, registry files or as_of "
                         "parameter)")
        elif group == "rows":
            parts += selection.describe_rows(before.get("rows") or {}, now["rows"])
        elif group == "as_of":
            parts.append(f"as_of {now['as_of']} (was {before.get('as_of')})")
        elif group in ("versions", "environment"):
            changes = environment.describe(group, before.get(group) or {}, now[group])
            parts.append(f"{'versions' if group == 'versions' else 'environment'} changed: "
                         + ", ".join(changes))
        else:
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
    return compared(record.get("inputs")) == compared(now) and all(
        (edition / name).is_file() for name in record.get("files", []))


def recorded_inputs(record: Mapping[str, Any], renderer: str,
                    formats: Iterable[str] | None) -> dict[str, Any] | None:
    """The inputs of a recorded report, found again from the files and the selection the
    record names (no params file or notebook is parsed). None when the record is incomplete
    or of an older form."""
    try:
        recorded = record["inputs"]
        params_file = Path(next(iter(recorded["params"])))
        notebook = Path(next(iter(recorded["notebook"])))
        spec = recorded["selection"]
        chosen = formats if formats is not None else record["formats"]
    except (KeyError, TypeError, StopIteration):
        return None
    if not isinstance(spec, dict):
        return None
    return inputs(params_file, notebook, spec, renderer, chosen, known=recorded)


def all_up_to_date(sources: list[Path], edition: Path | None, renderer: str,
                   formats: Iterable[str] | None) -> dict[str, tuple[str, dict[str, Any]]] | None:
    """When every params file in ``sources`` was built before from the same inputs: report
    name → (the build time it is up to date with, its inputs now). None when any report
    needs building.

    This is the whole check for a build with nothing to do: hashes only, no parsing.
    """
    if edition is None:
        return None
    forget_hashes()
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
        current[name] = (str(record.get("built_at", "")), now)
    return current
