"""Provenance of a built report: parameters, data checksums, package version, commit, time."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from analysis.core import paths
from analysis.core.clock import utc_now
from analysis.core.files import sha256_file
from analysis.core.version import DIRTY, __version__


def git_commit(root: Path | None = None) -> str | None:
    """The commit of the project's checkout, or None outside git.

    ``<sha>-dirty`` when any report input under git (:func:`analysis.core.paths.report_inputs`:
    data, params files, notebooks, the Quarto project, the package's code) differs from the
    commit: a change staged or not, a deleted file, or a new file git does not ignore. Changes
    elsewhere (the README, the tests) leave it clean: the reports are still those of the commit.
    """
    where = (root or paths.project_root()).resolve()

    def git(*arguments: str) -> str:
        return subprocess.run(["git", *arguments], cwd=where, capture_output=True, text=True,
                              timeout=10, check=True).stdout.strip()

    try:
        head = git("rev-parse", "HEAD")
        top = Path(git("rev-parse", "--show-toplevel")).resolve()
        # only what lies in this checkout: the package may be installed from elsewhere
        inputs = [str(p) for p in paths.report_inputs(where) if p.resolve().is_relative_to(top)]
        dirty = inputs and git("status", "--porcelain", "--untracked-files=normal", "--",
                               *inputs)
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{head}{DIRTY}" if dirty else head


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
        # here, not at the top: git_commit serves builds with nothing to do, which must not
        # import pandas (analysis.build.uptodate)
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


