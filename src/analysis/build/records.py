"""What a build records, kept light: its options, each report's result, the summary and the
manifest it publishes, and the output folder's lock.

Split from :mod:`analysis.build.runner` so that a build with nothing to do (:mod:`analysis.build.incremental`)
can record its run without importing pandas, nbformat or papermill.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import filelock

from analysis.build import incremental
from analysis.core.errors import BuildError

log = logging.getLogger("analysis.build.runner")

FAILED_DIR = "_failed"
LOCK_NAME = ".coopreport.lock"
SUMMARY_NAME = "build-summary.json"


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


def take_lock(out: Path) -> filelock.BaseFileLock:
    """The output folder's lock, or a BuildError while another build holds it.

    The lock is the operating system's (released when its holder dies, even by SIGKILL); the
    lock file also names the holder's process, so a build that takes over from one that died
    says so.
    """
    path = out / LOCK_NAME
    try:
        last_holder = path.read_text(encoding="utf-8").strip()
    except OSError:
        last_holder = ""
    lock = filelock.FileLock(str(path))
    try:
        lock.acquire(timeout=0)
    except filelock.Timeout as exc:
        raise BuildError(f"another coopreport build is writing to {out} (lock {path}"
                         f"{', process ' + last_holder if last_holder else ''}); wait for it "
                         "to finish, or build into another --output-dir") from exc
    if last_holder.isdigit() and int(last_holder) != os.getpid():
        log.warning("took over the lock of %s from build process %s, which is gone (killed?); "
                    "its unfinished edition is discarded", out, last_holder)
    try:
        path.write_text(str(os.getpid()), encoding="utf-8")
    except OSError as exc:
        log.debug("could not record this process in %s: %s", path, exc)
    return lock


def release_lock(lock: filelock.BaseFileLock) -> None:
    try:
        Path(lock.lock_file).write_text("", encoding="utf-8")  # a clean end: no holder
    except OSError as exc:
        log.debug("could not clear %s: %s", lock.lock_file, exc)
    lock.release()


def write_manifest(edition: Path, manifest: dict[str, Any]) -> None:
    """Record each built report's inputs in the edition (:mod:`analysis.build.incremental`)."""
    target = edition / incremental.MANIFEST_NAME
    handle = tempfile.NamedTemporaryFile("w", dir=edition, suffix=".tmp", delete=False,
                                         encoding="utf-8")
    with handle:
        json.dump(manifest, handle, indent=1, ensure_ascii=False, sort_keys=True)
    os.replace(handle.name, target)


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
        "status": status or ("failed" if any(r.status not in DONE for r in results) else
                             "warning" if any(r.status == "warning" for r in results) else "ok"),
        "reports": [{k: v for k, v in asdict(r).items() if k not in STAGING_FIELDS}
                    for r in results],
    }
    target = out / SUMMARY_NAME
    handle = tempfile.NamedTemporaryFile("w", dir=out, suffix=".tmp", delete=False,
                                         encoding="utf-8")
    with handle:
        json.dump(summary, handle, indent=2, ensure_ascii=False, default=str)
    os.chmod(handle.name, 0o644)
    os.replace(handle.name, target)
    return target


def nothing_to_do(sources: list[Path], out: Path, renderer: str,
                  formats: Sequence[str] | None, commit: str | None, built_at: str) -> str | None:
    """A build of ``sources`` in which every report is up to date: record it and say so.

    When every report was last built, successfully, from exactly the inputs it has now
    (:func:`analysis.build.incremental.all_up_to_date`), a new edition is published whose summary
    lists each report as skipped, with the build it is unchanged since; reports, index and
    manifest are carried over. Returns the message for the user, or None when anything needs
    building (or the folder is busy or not coopreport's: the full build says why).
    """
    from analysis.build import editions

    if not out.is_dir() or not editions.is_ours(out):
        return None
    current = incremental.all_up_to_date(sources, editions.current_edition(out), renderer,
                                         formats)
    if current is None:
        return None
    try:
        lock = take_lock(out)
    except BuildError:
        return None
    try:
        edition = editions.begin(out)
        try:
            earlier = json.loads((edition / SUMMARY_NAME).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            earlier = {}
        known = {r.get("name"): r for r in earlier.get("reports", []) if isinstance(r, dict)}
        manifest = incremental.load_manifest(edition)
        results = [
            ReportResult(name, str(known.get(name, {}).get("title", name)), "skipped", 0.0,
                         outputs=[str(out / f) for f in manifest[name]["files"]],
                         renderer=renderer,
                         parameters=dict(known.get(name, {}).get("parameters", {})),
                         reason=f"unchanged since the build of {since}")
            for name, since in current.items()]
        options = BuildOptions(output_dir=out, formats=tuple(formats) if formats else None,
                               renderer=renderer, commit=commit, built_at=built_at)
        try:
            write_summary(edition, options, results)
        except OSError as exc:
            import shutil

            shutil.rmtree(edition, ignore_errors=True)
            raise BuildError(f"cannot write the build summary in {out} ({exc}); free disk "
                             "space and build again") from exc
        editions.publish(out, edition)
    finally:
        release_lock(lock)
    return (f"{len(results)} report(s) up to date: nothing they are made from (params, "
            "notebook, data, code, renderer) changed since their last build; summary in "
            f"{out / SUMMARY_NAME} (--force rebuilds them)")
