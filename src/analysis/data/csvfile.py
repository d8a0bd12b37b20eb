"""Read a CSV file into records that remember their line numbers, reporting file-level problems.

The registry's files are small hand-edited CSVs. This module turns raw bytes into
``(line, {column: value})`` records and reports, with file and line, everything that stops a
file from being read as the expected CSV: an empty file, binary content, bytes that are not
UTF-8, broken quoting, a header with missing, unknown or repeated columns, and rows with the
wrong number of fields. Field-level rules live with each file type (``registry``, ``commitments``).
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from analysis.core.errors import Problem
from analysis.core.paths import display_path
from analysis.core.textsafety import MULTILINE, check_characters, check_formula, check_uzbek
from analysis.data.taxonomy import suggest


class ReadFile(Protocol):
    """What the checks here need of a file read: its header and a place for its problems
    (:class:`CsvFile` here, :class:`analysis.data.csvtable.CsvTable` for large files)."""

    header: list[str]
    problems: list[Problem]

    def problem(self, line: int, column: str, value: str, reason: str) -> None: ...


@dataclass
class CsvFile:
    """What was read from one CSV file: its records, their lines, and the problems found."""

    path: Path
    name: str
    sha256: str = ""
    header: list[str] = field(default_factory=list)
    records: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    readable: bool = True

    def problem(self, line: int, column: str, value: str, reason: str) -> None:
        self.problems.append(Problem(self.name, line, column, value, reason))


def _decode(raw: bytes, result: CsvFile, columns: Sequence[str]) -> str | None:
    """Decode UTF-8 (with or without BOM); report every line that is not UTF-8.

    A line is quoted in the report only when the file's first line holds one of ``columns``:
    a file that is not in the format may be anything (a key, a password file) and is never
    echoed into a log.
    """
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    first = raw.split(b"\n", 1)[0].decode("utf-8", errors="replace").lstrip("\ufeff")
    ours = bool({name.strip() for name in first.split(",")} & set(columns))
    for number, line in enumerate(raw.split(b"\n"), start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad = line[exc.start : exc.start + 1]
            result.problem(
                number,
                "(encoding)",
                line.decode("utf-8", errors="replace").strip() if ours else "",
                f"not UTF-8 (byte 0x{bad.hex().upper()} at position {exc.start + 1}); "
                "save the file as UTF-8 (in Excel: 'CSV UTF-8 (Comma delimited)')",
            )
    return None


def read_csv_file(path: Path, columns: Sequence[str], kind: str,
                  optional: Sequence[str] = ()) -> CsvFile:
    """Read ``path`` expecting exactly ``columns`` (any order), plus any of the ``optional``
    columns. Never raises for bad content.

    Problems are collected in the result; ``readable`` is False when the records cannot be
    trusted at all (empty, binary, not UTF-8, broken CSV, or a header with none of the columns).
    """
    result = CsvFile(path=path, name=display_path(path))
    try:
        raw = path.read_bytes()
    except OSError as exc:
        result.problem(1, "(file)", str(path), f"cannot read the file: {exc.strerror or exc}")
        result.readable = False
        return result
    result.sha256 = hashlib.sha256(raw).hexdigest()
    expected = ",".join(columns)
    if not raw.strip():
        result.problem(1, "(file)", "", f"the file is empty; it should start with the header "
                       f"line {expected}")
        result.readable = False
        return result
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        result.problem(1, "(encoding)", "", "the file is UTF-16; save it as UTF-8 (in Excel: "
                       "'CSV UTF-8 (Comma delimited)')")
        result.readable = False
        return result
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        result.problem(line, "(file)", "", f"binary content (NUL byte): this is not a CSV text "
                       f"file; export the {kind} as CSV UTF-8")
        result.readable = False
        return result
    text = _decode(raw, result, columns)
    if text is None:
        result.readable = False
        return result
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))  # long notes are fine
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, list[str]]] = []
    next_line = 1
    try:
        for fields in reader:
            rows.append((next_line, fields))
            next_line = reader.line_num + 1
    except csv.Error as exc:
        result.problem(next_line, "(csv)", "", f"not valid CSV ({exc}); put values that contain "
                       "commas, quotes or line breaks in double quotes and double any quote inside")
        result.readable = False
        return result
    rows = [(line, fields) for line, fields in rows if any(f.strip() for f in fields)]
    if not rows:
        result.problem(1, "(file)", "", "the file has no values; it should start with the "
                       f"header line {expected}")
        result.readable = False
        return result
    header_line, header = rows[0]
    result.header = [h.strip() for h in header]
    if not check_header(result, header_line, columns, kind, optional):
        result.readable = False
        return result
    width = len(result.header)
    for line, fields in rows[1:]:
        if len(fields) != width:
            result.problem(line, "(row)", ",".join(fields), f"expected {width} fields as in the "
                           f"header, found {len(fields)}; a value that contains a comma must be "
                           "in double quotes")
            continue
        # only spaces are trimmed: tabs, line breaks and other invisible characters stay for
        # check_text_fields to report
        record = {name: value.strip(" ") for name, value in zip(result.header, fields,
                                                                strict=True)}
        result.records.append((line, record))
    return result


def check_text_fields(csv_file: ReadFile, line: int, record: dict[str, str],
                      free_text: Collection[str], multiline: Collection[str] = ()) -> set[str]:
    """Report unsafe characters in every field and formula-like starts of free-text fields.

    Tabs and line breaks are allowed only in the ``multiline`` columns. Returns the columns
    reported, so that the caller can skip its own checks of values already known to be bad.
    """
    flagged: set[str] = set()
    for column, value in record.items():
        reason = check_characters(value, MULTILINE if column in multiline else frozenset())
        if reason is None and column in free_text:
            reason = check_formula(value)
        if reason is None and column.endswith("_uz"):
            reason = check_uzbek(value)
        if reason is not None:
            csv_file.problem(line, column, value, reason)
            flagged.add(column)
    return flagged


def keep_first_problems(csv_file: ReadFile, start: int, columns: set[str]) -> None:
    """Drop problems from ``start`` on that concern ``columns`` (already reported once)."""
    if columns:
        csv_file.problems[start:] = [p for p in csv_file.problems[start:]
                                     if p.column not in columns]


def check_header(result: ReadFile, line: int, columns: Sequence[str], kind: str,
                  optional: Sequence[str] = ()) -> bool:
    """Report missing, unknown and repeated columns (an ``optional`` column may be absent).
    False when no expected column is present."""
    header = result.header
    if not set(header) & set(columns):
        # the file may be anything (a key, a password file): say what is wrong without
        # quoting it, so that nothing of it reaches a log
        hint = ""
        if len(header) == 1 and any(name in header[0] for name in columns) and (
                ";" in header[0] or "\t" in header[0]):
            hint = "; the file seems to use ';' or tabs between values: save it with commas"
        fields = f"{len(header)} field{'s' if len(header) != 1 else ''}"
        result.problem(line, "(header)", "", f"not in the {kind} format: its first line has "
                       f"{fields} and none of the format's columns (its content is not shown); "
                       f"the first line must be the header {','.join(columns)}{hint}")
        return False
    seen: set[str] = set()
    for name in header:
        if name in seen:
            result.problem(line, name, name, "column appears twice in the header; keep one")
        seen.add(name)
        if name not in columns and name not in optional:
            known = [*columns, *optional]
            guess = suggest(name, known)
            hint = f"did you mean '{guess}'?" if guess else f"the columns are {','.join(known)}"
            result.problem(line, name, name, f"unknown column; {hint}")
    for name in columns:
        if name not in header:
            result.problem(line, name, "", f"missing column; add '{name}' to the header "
                           "(values may be empty where the column is optional)")
    return True
