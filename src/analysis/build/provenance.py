"""Provenance of a built report: parameters, data checksums, package version, commit, time."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path
from typing import Any

from analysis.core.version import __version__
from analysis.core import paths


def git_commit(root: Path | None = None) -> str | None:
    """The checkout's commit (``<sha>-dirty`` with uncommitted changes), or None outside git."""
    where = root or paths.PROJECT_ROOT
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=where, capture_output=True,
                              text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=where, capture_output=True, text=True, timeout=10,
                               check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{head}-dirty" if dirty else head


def utc_now() -> str:
    """The current time, UTC, ISO 8601 to the second."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def describe_build(parameters: dict[str, Any], data_path: Path | None,
                   commit: str | None = None, built_at: str | None = None) -> dict[str, Any]:
    """The provenance record stored in each executed notebook and shown in each report.

    Parameters
    ----------
    parameters
        The parameters the report was run with (defaults included).
    data_path
        The registry file the report reads; its SHA-256 is recorded.
    commit, built_at
        Pass them to share one value across a build; computed when None.
    """
    record: dict[str, Any] = {
        "parameters": parameters,
        "package_version": __version__,
        "git_commit": commit if commit is not None else git_commit(),
        "built_at": built_at or utc_now(),
    }
    if data_path is not None:
        record["registry"] = paths.display_path(data_path)
        # here, not at the top: git_commit and utc_now serve builds with nothing to do, which
        # must not import pandas (analysis.build.incremental)
        from analysis.data.csvfile import sha256_file
        from analysis.data.sources import (
            SourceFile,
            combined_sha256,
            is_sources_config,
            read_sources_config,
        )

        record["registry_sha256"] = sha256_file(data_path) if data_path.is_file() else None
        if data_path.is_file() and is_sources_config(data_path):
            files = [SourceFile(f, sha256_file(f), 0) for f in read_sources_config(data_path)]
            record["sources"] = [{"file": paths.display_path(f.path), "sha256": f.sha256}
                                 for f in files]
            record["registry_sha256"] = combined_sha256(files)
    return record


def provenance_line(record: dict[str, Any], lang: str = "en") -> str:
    """One line for a report's title block, in the report language.

    What the record does not hold (a notebook run outside the build runner) reads
    "not recorded", never a placeholder.
    """
    from analysis.report.i18n import translate

    def t(key: str, **values: object) -> str:
        return translate(f"provenance.{key}", lang, **values)

    unknown = t("not_recorded")
    parts = [f"coopreport {record.get('package_version') or unknown}"]
    if "git_commit" not in record:  # not run by the build runner (e.g. papermill's CLI)
        parts.append(t("commit", commit=unknown))
    elif record["git_commit"]:  # None: built outside a git checkout
        parts.append(t("commit", commit=str(record["git_commit"])[:12]))
    if record.get("registry_sha256"):
        parts.append(t("data", file=record.get("registry", ""),
                       sha=record["registry_sha256"][:12]))
    elif "registry_sha256" not in record:
        parts.append(t("data_not_recorded"))
    parts.append(t("built", time=record.get("built_at") or unknown))
    parameters = record.get("parameters") or {}
    if parameters:
        shown = ", ".join(f"{k}={plain_value(v)}" for k, v in parameters.items())
        parts.append(t("parameters", values=shown))
    return " · ".join(parts)


def plain_value(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "[" + ", ".join(map(str, value)) + "]"
    return str(value)
