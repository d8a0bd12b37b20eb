"""What a build would do, without doing it: ``coopreport build --dry-run`` (alias
``--explain``).

For each report: ``rebuild`` and the inputs that changed since its last successful build, in
words (:func:`analysis.build.incremental.describe_changes`), or ``skip`` and the build it is
unchanged since. It reads the published edition's manifest and summary and hashes the
inputs, as a build does before it starts anything: it writes nothing, takes no lock and
starts no kernel.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.build import editions, incremental
from analysis.build.params import Report
from analysis.build.records import BuildOptions, summary_reports
from analysis.build.runner import report_inputs
from analysis.core.paths import display_path


@dataclass(frozen=True)
class Planned:
    """What a build would do with one report, and why."""

    name: str
    action: str  # "rebuild" or "skip"
    reason: str

    def __str__(self) -> str:
        return f"{self.name}: {self.action}: {self.reason}"


def plan_build(reports: Sequence[Report], options: BuildOptions) -> list[Planned]:
    """What :func:`analysis.build.builder.build_reports` would do with ``reports``."""
    out = options.output_dir
    edition = (editions.current_edition(out)
               if out.is_dir() and editions.is_ours(out) else None)
    manifest = incremental.load_manifest(edition)
    last = summary_reports(edition)
    incremental.forget_hashes()
    planned = []
    for report in reports:
        record = manifest.get(report.name)
        now = report_inputs(report, options, (record or {}).get("inputs"))
        if options.force:
            planned.append(Planned(report.name, "rebuild", "--force"))
        elif record is not None and edition is not None and incremental.is_current(
                record, now, edition):
            planned.append(Planned(report.name, "skip", "unchanged since the build of "
                                   f"{record.get('built_at', '?')}"))
        elif record is not None and edition is not None and incremental.compared(
                record.get("inputs")) == incremental.compared(now):
            missing = [f for f in record.get("files", []) if not (edition / f).is_file()]
            planned.append(Planned(report.name, "rebuild", "its published files are missing ("
                                   f"{', '.join(missing)})"))
        elif record is None:
            planned.append(Planned(report.name, "rebuild", _unrecorded(
                report.name, last, out, edition)))
        else:
            planned.append(Planned(report.name, "rebuild", incremental.describe_changes(
                record.get("inputs"), now)))
    return planned


def _unrecorded(name: str, last: dict[str, dict[str, Any]], out: Path,
                edition: Path | None) -> str:
    if edition is None:
        return f"first build (no earlier build in {display_path(out)})"
    status = last.get(name, {}).get("status")
    if status == "failed":
        return "its last build failed"
    if status == "warning":
        return "its last build had warnings (a report with warnings is built every time)"
    return "first build (no earlier record)"
