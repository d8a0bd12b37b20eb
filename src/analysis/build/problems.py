"""What stops reports from being built, found before any kernel starts, said once each.

Two kinds of problem stop a build: a params file's own (a key, a parameter, a notebook), said
per params file; and a problem in the data a report reads (its ``data_path``: a registry, or a
sources YAML listing several, or the default registry when ``data_path`` is empty), said once
per data file however many reports read it, in ``coopreport validate``'s words
(``file:line: column: value: reason``), followed by the reports it stops::

    data/cooperation_events.csv:80: date: '2026-10-41': impossible date ...
    data/cooperation_events.csv:81: partners: 'Wrold Bank': unknown partner ...
    8 report(s) not built because of it: aze-profile, uzb-profile, ...

:class:`DataChecks` reads each data file once per build (a registry named by eight params
files is validated once); :class:`ReportsNotBuilt` carries both kinds and words them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from analysis.core.errors import DataValidationError, ParameterError
from analysis.core.paths import display_path

# data file (as validate names it) → its problems, one line each, as validate prints them
FileProblems = dict[str, tuple[str, ...]]


def read_problems(path: Path) -> FileProblems:
    """The problems of the data at ``path`` (a registry CSV with its commitments, or a sources
    YAML and every registry it lists), grouped by the file each is in; ``{}`` when it loads.

    A sources YAML that cannot be read is one problem of the YAML itself.
    """
    from analysis.data.registry import load_registry

    try:
        load_registry(path)
    except DataValidationError as exc:
        grouped: dict[str, list[str]] = {}
        for problem in exc.problems:  # sorted by file, line, column: validate's order
            grouped.setdefault(problem.file, []).append(str(problem))
        return {name: tuple(lines) for name, lines in grouped.items()}
    except ParameterError as exc:
        return {display_path(path): tuple(str(exc).splitlines())}
    return {}


@dataclass
class DataChecks:
    """Each data file's problems, read once however many reports name it (one per build)."""

    seen: dict[Path, FileProblems] = field(default_factory=dict)

    def problems(self, path: Path) -> FileProblems:
        """:func:`read_problems` of ``path``, read at the first call for it."""
        key = Path(path).absolute()
        if key not in self.seen:
            self.seen[key] = read_problems(key)
        return self.seen[key]


@dataclass(frozen=True)
class DataFileProblems:
    """A data file's problems and the reports they stop."""

    file: str  # as validate names it
    lines: tuple[str, ...]  # as validate prints them
    reports: tuple[str, ...]  # the names of the reports that read it, sorted

    def words(self, consequence: str = "not built because of it") -> list[str]:
        """The problems, then the line naming the reports not built because of them."""
        return [*self.lines,
                f"{len(self.reports)} report(s) {consequence}: {', '.join(self.reports)}"]


def group_by_file(read: Mapping[str, FileProblems]) -> list[DataFileProblems]:
    """Each data file's problems once, with every report that read it (report name → the
    problems of its data); files in name order."""
    lines: dict[str, list[str]] = {}
    readers: dict[str, set[str]] = {}
    for report, files in read.items():
        for name, found in files.items():
            # a file read alone and within a sources YAML (which may add a problem across
            # files, such as an id used in both): each problem once
            known = lines.setdefault(name, [])
            known += [line for line in found if line not in known]
            readers.setdefault(name, set()).add(report)
    return [DataFileProblems(name, tuple(lines[name]), tuple(sorted(readers[name])))
            for name in sorted(lines)]


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' if number != 1 else ''}"


class ReportsNotBuilt(ParameterError):
    """Reports refused before any kernel starts: their params files' problems (each message
    names its params file), and their data's problems once per data file (exit code 2)."""

    def __init__(self, params: Sequence[str], data: Sequence[DataFileProblems] = (),
                 count: bool = True) -> None:
        self.params = list(params)  # one message per params file, one line per problem
        self.data = list(data)
        self.count = count  # end with the line that counts the problems
        super().__init__("\n".join(self.words()))

    def words(self) -> list[str]:
        """Every line to print: the data files' problems, the params files', then a count."""
        lines = [line for group in self.data for line in group.words()]
        lines += self.params
        if not self.count:
            return lines
        counts = []
        if self.data:
            counts.append(f"{_count(sum(len(g.lines) for g in self.data), 'problem')} in "
                          f"{_count(len(self.data), 'data file')}")
        if self.params:
            counts.append(f"{_count(sum(len(p.splitlines()) for p in self.params), 'problem')} "
                          f"in {_count(len(self.params), 'params file')}")
        check = (" (coopreport validate FILE checks a data file alone)" if self.data else "")
        return [*lines, f"{' and '.join(counts)}; fix them{check} and run again (nothing was "
                        "built)"]
