"""Read a large CSV file as columns, keeping each record's line number (the registry's reader).

:func:`read_csv_table` gives the same records, line numbers and problems as
:func:`analysis.data.csvfile.read_csv_file`, but as pyarrow string columns instead of one Python
dict per record, so that a registry of a million rows is read in seconds and in a few hundred
MB, and its rules can run on whole columns (:mod:`analysis.data.registry_columns`).

**Why pyarrow** (not polars or duckdb): pandas 3 already stores its ``str`` columns in pyarrow
when it is installed, so the validated frame wraps the parsed buffers without a copy and the
rest of the toolkit keeps working on plain pandas; ``pyarrow.compute`` has what the rules need
(RE2 regexes on whole columns, ``is_in``, string slicing and casts); its streaming CSV reader
reads a file block by block; and it adds one library, not a second DataFrame API.

**Exactly the csv module's records.** The fast path is taken only when it cannot differ from
Python's ``csv`` module (``strict=True``), which stays the reference: one pass over the raw
bytes hashes them, counts line breaks and checks the file against the CSV grammar (RE2, block
by block); a record's line is the header's line plus the line breaks before it, and the total
must equal the file's line breaks, so a skipped blank line is noticed. Anything unusual — not
UTF-8, UTF-16, a NUL byte, broken quoting, a row with the wrong number of fields, blank lines,
an empty file — goes through :func:`~analysis.data.csvfile.read_csv_file` itself, whose records are
then turned into columns (that path holds the whole file in memory; such files are small or
broken).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from analysis.core.errors import Problem
from analysis.core.paths import display_path
from analysis.data.csvfile import CsvFile, check_header, read_csv_file

BLOCK = 16 << 20  # bytes read (and checked against the grammar) at a time
_FIELD = rb'(?:"(?:[^"]|"")*"|[^,\r\n"][^,\r\n]*|)'
_RECORD = _FIELD + rb"(?:," + _FIELD + rb")*"
# a whole CSV text the csv module reads without error (strict: nothing after a closing quote)
GRAMMAR = (rb"^(?:" + _RECORD + rb"(?:\r\n|\r|\n))*" + _RECORD + rb"$").decode("latin-1")
# what str.strip() removes: every character for which str.isspace() is true
WHITESPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace())
_BLANK = "^[" + "".join(f"\\x{{{ord(c):x}}}" for c in WHITESPACE) + "]*$"
_MAX_COLUMNS = 512


@dataclass
class CsvTable:
    """What was read from one CSV file: its columns (raw text), their lines, and problems."""

    path: Path
    name: str
    sha256: str = ""
    header: list[str] = field(default_factory=list)
    lines: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    columns: dict[str, pa.ChunkedArray] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    readable: bool = True

    def problem(self, line: int, column: str, value: str, reason: str) -> None:
        self.problems.append(Problem(self.name, line, column, value, reason))

    @property
    def rows(self) -> int:
        """Number of records (rows with at least one value; the header is not one)."""
        return len(self.lines)

    def column(self, name: str) -> pa.ChunkedArray:
        """The column's values (spaces trimmed); all empty when the file has no such column."""
        if name in self.columns:
            return self.columns[name]
        return pa.chunked_array([pa.array([""] * self.rows, pa.string())])

    def records_at(self, indices: np.ndarray) -> list[tuple[int, dict[str, str]]]:
        """``(line, {column: value})`` of the records at these positions, as the csv reader
        gives them (for the few rows whose problems are written out one by one)."""
        if len(indices) == 0:
            return []
        take = pa.array(indices, pa.int64())
        values = {name: column.take(take).to_pylist() for name, column in self.columns.items()}
        return [(int(self.lines[i]), {name: values[name][k] for name in values})
                for k, i in enumerate(indices)]

    @property
    def records(self) -> list[tuple[int, dict[str, str]]]:
        """Every record as ``(line, {column: value})``; for small files and old callers."""
        return self.records_at(np.arange(self.rows))

    def ids(self, column: str = "activity_id") -> set[str]:
        """The distinct values of a column (for checking references such as commitments)."""
        return set(pc.unique(self.column(column)).to_pylist())


def read_csv_table(path: Path, columns: Sequence[str], kind: str,
                   optional: Sequence[str] = ()) -> CsvTable:
    """Read ``path`` as :func:`~analysis.data.csvfile.read_csv_file` does, into columns.

    Never raises for bad content; problems are in the result, ``readable`` as there.
    """
    scan = _scan(path)
    table = None if scan is None else _read_fast(path, scan)
    if table is None:
        return _from_csv_file(read_csv_file(path, columns, kind, optional))
    if not check_header(table, 1, columns, kind, optional):
        table.readable = False  # as read_csv_file: no records from a file in another format
        table.lines, table.columns = table.lines[:0], {}
    return table


@dataclass
class _Scan:
    sha256: str
    breaks: int  # line breaks (\r\n, \r or \n) in the file
    ends_with_break: bool


def _scan(path: Path) -> _Scan | None:
    """Hash the bytes and check the CSV grammar; None when the file needs the exact path."""
    digest = hashlib.sha256()
    pending, breaks, last, seen_text = b"", 0, b"", False
    try:
        with path.open("rb") as handle:
            first = handle.read(4)
            if first[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16: named by the exact path
                return None
            handle.seek(0)
            while True:
                block = handle.read(BLOCK)
                digest.update(block)
                if b"\x00" in block:
                    return None
                seen_text = seen_text or bool(block.strip())
                # \r\n split across two blocks is counted once
                returns = block.count(b"\r")
                breaks += block.count(b"\n") + returns - (block.count(b"\r\n") if returns else 0)
                if last == b"\r" and block.startswith(b"\n"):
                    breaks -= 1
                last = block[-1:] if block else last
                pending += block
                cut = max(pending.rfind(b"\n"), pending.rfind(b"\r")) + 1 if block else len(
                    pending)
                if cut and pending.count(b'"', 0, cut) % 2 == 0:
                    part, pending = pending[:cut], pending[cut:]
                    if not _grammatical(part):
                        return None
                if not block:
                    break
    except OSError:
        return None
    if not seen_text:
        return None
    return _Scan(digest.hexdigest(), breaks, last in (b"\n", b"\r"))


def _grammatical(part: bytes) -> bool:
    matched = pc.match_substring_regex(pa.array([part], pa.large_binary()), GRAMMAR)
    return bool(matched[0].as_py())


def _read_fast(path: Path, scan: _Scan) -> CsvTable | None:
    """Parse with pyarrow's streaming reader; None when its records could differ."""
    options = pcsv.ConvertOptions(
        column_types={f"f{i}": pa.string() for i in range(_MAX_COLUMNS)},
        strings_can_be_null=False, quoted_strings_can_be_null=False)
    chunks: list[list[pa.Array]] = []
    try:
        reader = pcsv.open_csv(
            path, read_options=pcsv.ReadOptions(autogenerate_column_names=True, block_size=8 << 20),
            parse_options=pcsv.ParseOptions(newlines_in_values=True), convert_options=options)
        for batch in reader:
            if any(not pa.types.is_string(c.type) for c in batch.columns):
                return None
            if not chunks:
                chunks = [[] for _ in batch.columns]
            for store, array in zip(chunks, batch.columns, strict=True):
                store.append(array)
    except (pa.ArrowInvalid, OSError):
        return None
    raw = [pa.chunked_array(store, pa.string()) for store in chunks]
    if not raw:
        return None
    count = len(raw[0])
    breaks = np.zeros(count, dtype=np.int64)  # line breaks inside each row's values
    if scan.breaks != count - (0 if scan.ends_with_break else 1):  # else there are none
        for column in raw:
            if pc.any(pc.match_substring_regex(column, r"[\r\n]")).as_py():
                breaks += pc.count_substring_regex(column, r"\r\n|\r|\n").to_numpy()
    spans = breaks + 1
    if int(spans.sum()) - (0 if scan.ends_with_break else 1) != scan.breaks:
        return None  # lines the reader skipped (blank lines): the exact path counts them
    lines = np.concatenate([[1], 1 + np.cumsum(spans[:-1])])
    blank = pc.match_substring_regex(raw[0], _BLANK).to_numpy(zero_copy_only=False)
    for column in raw[1:] if blank.any() else ():  # only rows whose first value is blank
        blank &= pc.match_substring_regex(column, _BLANK).to_numpy(zero_copy_only=False)
    if blank[0]:
        return None  # the header is not on line 1
    header = [str(v).strip() for v in (c[0].as_py() for c in raw)]
    keep = pa.array(~blank[1:])
    table = CsvTable(path, display_path(path), scan.sha256, header, lines[1:][~blank[1:]])
    for name, column in zip(header, raw, strict=True):  # a repeated name: the last one wins
        values = column.slice(1)
        if blank[1:].any():
            values = values.filter(keep)
        if pc.any(pc.or_(pc.starts_with(values, " "), pc.ends_with(values, " "))).as_py():
            values = pc.utf8_trim(values, " ")
        table.columns[name] = values
    return table


def _from_csv_file(csv_file: CsvFile) -> CsvTable:
    table = CsvTable(csv_file.path, csv_file.name, csv_file.sha256, csv_file.header,
                     np.array([line for line, _ in csv_file.records], dtype=np.int64),
                     problems=csv_file.problems, readable=csv_file.readable)
    for name in dict.fromkeys(csv_file.header):
        table.columns[name] = pa.chunked_array(
            [pa.array([rec[name] for _, rec in csv_file.records], pa.string())])
    return table
