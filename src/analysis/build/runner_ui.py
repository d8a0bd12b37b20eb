"""What the build runner shows a person: a progress display on a terminal, a summary table.

The progress display appears only when stderr is a terminal; scheduled runs get timestamped
log lines on stderr and the summary table on stdout.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from analysis.build.layout import FAILED_DIR, SUMMARY_NAME
from analysis.build.params import Report
from analysis.build.records import ReportResult
from analysis.core.paths import display_path


class BuildDisplay:
    """A progress bar over the reports of a build (a no-op when stderr is not a terminal)."""

    def __init__(self, reports: Sequence[Report]):
        self.total = len(reports)
        self.progress: Progress | None = None
        if sys.stderr.isatty():
            self.progress = Progress(TextColumn("[bold]building reports"), BarColumn(),
                                     TextColumn("{task.completed}/{task.total}"),
                                     TextColumn("{task.description}"), TimeElapsedColumn(),
                                     console=Console(stderr=True), transient=True)
        self.task: TaskID | None = None

    def __enter__(self) -> BuildDisplay:
        if self.progress is not None:
            self.progress.start()
            self.task = self.progress.add_task("", total=self.total)
        return self

    def done(self, result: ReportResult) -> None:
        if self.progress is not None and self.task is not None:
            self.progress.update(self.task, advance=1,
                                 description=f"{result.name}: {result.status}")

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        if self.progress is not None:
            self.progress.stop()


def print_summary(results: Sequence[ReportResult], output_dir: Path) -> None:
    """The end-of-build table: report, status, seconds, outputs; then where failures are."""
    console = Console(soft_wrap=True, highlight=False)
    table = Table(title=f"coopreport build → {display_path(output_dir)}", title_justify="left")
    for column in ("report", "status", "seconds", "outputs"):
        table.add_column(column, justify="right" if column == "seconds" else "left")
    for r in results:
        outputs = ", ".join(Path(o).suffix.lstrip(".") for o in r.outputs) or "-"
        status = {"ok": "ok", "skipped": "skipped", "warning": "[yellow]warning[/yellow]"}.get(
            r.status, "[red]FAILED[/red]")
        table.add_row(r.name, status, f"{r.seconds:.1f}", outputs)
    console.print(table)
    for r in results:
        for warning in r.warnings:
            console.print(f"[yellow]{r.name} warning:[/yellow] {escape(warning)}", markup=True)
        for warning in r.expected_warnings:
            console.print(f"{r.name} expected warning (its params file accepts it): "
                          f"{escape(warning)}", markup=True)
        if r.status not in ("ok", "warning", "skipped"):
            console.print(f"[red]{r.name} failed:[/red] {r.error}", markup=True)
            if r.failed_notebook:
                console.print(f"  executed notebook with the traceback: {r.failed_notebook}")
            console.print("  what went wrong, readable in a browser: "
                          f"{display_path(output_dir / FAILED_DIR / (r.name + '.html'))}")
    ok = sum(r.status in ("ok", "warning") for r in results)
    skipped = sum(r.status == "skipped" for r in results)
    console.print(f"{ok} of {len(results)} report(s) built"
                  + (f", {skipped} up to date (unchanged; --force rebuilds them)" if skipped
                     else "")
                  + f"; summary in {display_path(output_dir / SUMMARY_NAME)}"
                  + ("" if ok + skipped == len(results) else
                     f"; previous outputs of failed reports kept, see {FAILED_DIR}/"))
