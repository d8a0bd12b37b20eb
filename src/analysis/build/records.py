"""What a build records: its options, each report's result (and, from a Dask worker, the
report's files as bytes), and the summary and manifest it publishes.

Kept light (no pandas, nbformat or papermill), so that a build with nothing to do
(:mod:`analysis.build.uptodate`) can record its run in a fraction of a second.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from analysis.build import incremental
from analysis.build.editions import DEFAULT_KEEP
from analysis.build.layout import SUMMARY_NAME
from analysis.core.errors import BuildError
from analysis.core.files import atomic_write


@dataclass
class ReportResult:
    """The outcome of one report, as written to ``build-summary.json``."""

    name: str
    title: str
    status: str  # "ok"; "warning" (built, but see warnings); "failed"; or "skipped" (its
    # inputs had not changed since a build that succeeded: see reason)
    seconds: float
    outputs: list[str] = field(default_factory=list)
    error: str | None = None
    failed_notebook: str | None = None
    renderer: str | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None  # why it was built or skipped (analysis.build.incremental)
    warnings: list[str] = field(default_factory=list)  # from the notebook (report_warnings)
    # warnings the params file accepts (expected_warnings): recorded, but the status stays ok
    expected_warnings: list[str] = field(default_factory=list)
    # where a worker left the report's files for the build process to publish (not in the
    # summary): the work folder, and the finished files or the failed notebook in it
    workdir: str | None = field(default=None, repr=False)
    staged: list[str] = field(default_factory=list, repr=False)
    # the same files as bytes, from a worker that shares no disk with the build (Dask executor)
    payload: StagedFiles | None = field(default=None, repr=False)


STAGING_FIELDS = ("workdir", "staged", "payload")
STAGED_SUFFIXES = (".ipynb", ".html", ".pdf")  # what a report's worker may hand back


@dataclass(frozen=True)
class StagedFiles:
    """A report's staged files as bytes: how a worker on another machine hands them back.

    ``files`` holds ``(name, content, sha256)`` in the order of ``ReportResult.staged`` (the
    executed notebook first). The build process checks each name and checksum before it
    writes a file (:meth:`write`), so a truncated or foreign payload is refused, never
    published.
    """

    files: tuple[tuple[str, bytes, str], ...]

    @classmethod
    def read(cls, staged: Sequence[str]) -> StagedFiles:
        """Read the files named in ``staged`` (a worker's work folder) into a payload."""
        files = []
        for path in map(Path, staged):
            content = path.read_bytes()
            files.append((path.name, content, hashlib.sha256(content).hexdigest()))
        return cls(tuple(files))

    @property
    def size(self) -> int:
        """Bytes of content carried."""
        return sum(len(content) for _, content, _ in self.files)

    def write(self, folder: Path, report: str) -> list[Path]:
        """Write the files into ``folder`` and return their paths, in order.

        Raises
        ------
        BuildError
            When a name is not ``REPORT.ipynb``/``.html``/``.pdf`` of ``report`` or an
            attachment published beside them (``REPORT-activities.zip``), or a file's
            content does not match its checksum (nothing is written then).
        """
        from analysis.report.attachments import is_published_name

        for name, content, digest in self.files:
            own = Path(name).stem == report and Path(name).suffix in STAGED_SUFFIXES
            if Path(name).name != name or not (own or is_published_name(name, report)):
                raise BuildError(f"report {report}: its worker returned a file named {name!r}, "
                                 f"not {report}.ipynb, .html, .pdf or a file published beside "
                                 f"them ({report}-activities.zip); nothing of it is "
                                 "published (is every worker running this coopreport?)")
            if hashlib.sha256(content).hexdigest() != digest:
                raise BuildError(f"report {report}: {name} arrived damaged from its worker "
                                 f"({len(content)} bytes whose SHA-256 does not match); "
                                 "nothing of it is published: build again")
        written = []
        for name, content, _ in self.files:
            target = folder / name
            target.write_bytes(content)
            written.append(target)
        return written


BUILT = ("ok", "warning")  # statuses of a report whose files were made
DONE = (*BUILT, "skipped")  # statuses of a report whose files are there and current


@dataclass(frozen=True)
class BuildOptions:
    output_dir: Path
    formats: tuple[str, ...] | None = None  # None: each report's own formats
    renderer: str = "builtin"  # resolved before the build starts: "builtin" or "quarto"
    jobs: int = 1
    commit: str | None = None
    built_at: str = ""
    timeout: int | None = None  # seconds per report; None: the params file's, or the default
    force: bool = False  # rebuild every report even when its inputs have not changed
    executor: str = "local"  # "local": worker processes here; "dask": tasks on a Dask cluster
    scheduler: str | None = None  # the Dask scheduler's address; None: a LocalCluster here
    # the project the reports are built from; workers and kernels are given it, so that they
    # use it whatever their working folder (None: each finds it, analysis.core.paths)
    project_root: Path | None = None
    # published editions kept in the output folder (--keep-editions; the one published just
    # before the new one always stays, for its readers): analysis.build.editions.prune
    keep_editions: int = DEFAULT_KEEP


def write_manifest(edition: Path, manifest: dict[str, Any]) -> None:
    """Record each built report's inputs in the edition (:mod:`analysis.build.incremental`)."""
    atomic_write(edition / incremental.MANIFEST_NAME,
                 json.dumps(manifest, indent=1, ensure_ascii=False, sort_keys=True))


def build_status(results: Sequence[ReportResult]) -> str:
    """``failed`` when a report failed, else ``warning`` when one has warnings, else ``ok``."""
    return ("failed" if any(r.status not in DONE for r in results) else
            "warning" if any(r.status == "warning" for r in results) else "ok")


def write_summary(out: Path, options: BuildOptions, results: Sequence[ReportResult],
                  status: str | None = None) -> Path:
    """Write ``build-summary.json`` atomically: what a scheduler reads after the build.

    ``status`` is ``ok`` when every report was built (or is up to date), ``warning`` when all
    were but one has warnings (a country with no activities), ``failed`` when one failed, and
    ``interrupted`` when the build was stopped (only finished reports are listed then).
    """
    summary = {
        "built_at": options.built_at,
        "git_commit": options.commit,
        "renderer": options.renderer,
        "status": status or build_status(results),
        "reports": [{k: v for k, v in asdict(r).items() if k not in STAGING_FIELDS}
                    for r in results],
    }
    return atomic_write(out / SUMMARY_NAME,
                        json.dumps(summary, indent=2, ensure_ascii=False, default=str))


def read_summary(folder: Path | None) -> dict[str, Any]:
    """The ``build-summary.json`` in ``folder`` (an edition), or ``{}`` when there is none or it
    cannot be read as a mapping."""
    if folder is None:
        return {}
    try:
        data = json.loads((folder / SUMMARY_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def summary_reports(folder: Path | None) -> dict[str, dict[str, Any]]:
    """The reports of ``folder``'s summary by name (``{}`` when it has none)."""
    reports = read_summary(folder).get("reports")
    return {str(r.get("name")): r for r in reports if isinstance(r, dict)} \
        if isinstance(reports, list) else {}
