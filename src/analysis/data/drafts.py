"""The drafts file: the registry's columns first, then the extras an analyst reviews.

``coopreport extract`` writes drafts (:mod:`analysis.extract.drafts`); this module owns their
format, so that ``coopreport validate`` can check them without the extraction libraries. A
drafts file is the registry's columns (:data:`analysis.data.registry_format.COLUMNS`, same
order) followed by :data:`EXTRAS`: ``title_ru``, the detected language (``uz-Cyrl``...), the
input file, the organisations proposed as partners that ``data/taxonomy/partners.csv`` does not
know (``partner_unknown``: the draft names them as found, so it does not validate until the
analyst adds them there or removes them), the counterpart found by its shape but not in
``data/extract/counterparts.csv`` (``counterpart_unknown``), and per field a ``confidence_*``
(0-1) and an ``evidence_*`` (the sentence the value came from). Its header holding
``detected_language`` is what marks it as drafts:
``validate`` checks such a file as a registry with the extras set aside (:func:`check_drafts`),
so a reviewed drafts file that validates can be appended as it is.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from pathlib import Path

from analysis.core import paths
from analysis.core.errors import Problem
from analysis.core.files import scratch_folder
from analysis.core.textsafety import check_characters, check_formula
from analysis.data.csvfile import CsvFile
from analysis.data.registry import read_activities
from analysis.data.registry_format import COLUMNS

FIELDS = ("date", "country", "partners", "counterpart", "activity_type", "themes")
MARKER = "detected_language"

EXTRAS: tuple[str, ...] = ("title_ru", MARKER, "input_file", "partner_unknown",
                           "counterpart_unknown",
                           *(f"confidence_{f}" for f in FIELDS),
                           *(f"evidence_{f}" for f in FIELDS))
DRAFT_COLUMNS: tuple[str, ...] = (*COLUMNS, "amount_kind", *EXTRAS)  # optional registry column


def is_drafts_file(path: Path) -> bool:
    """True when a CSV's header names :data:`MARKER` (a drafts file)."""
    try:
        with path.open("rb") as handle:
            first = handle.readline(8192).decode("utf-8", errors="replace")
    except OSError:
        return False
    return MARKER in {name.strip() for name in first.lstrip("\ufeff").split(",")}


def read_drafts(path: Path) -> tuple[list[tuple[int, dict[str, str]]], list[Problem]]:
    """The drafts' records (line, row) and their problems as a registry, extras set aside.

    The registry columns are checked exactly as ``coopreport validate`` checks a registry
    (same messages, same line numbers). The extras may be edited or emptied freely, but like
    every text the toolkit writes they may hold no invisible character and start with nothing
    a spreadsheet would run as a formula.
    """
    text = path.read_text(encoding="utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        rows = [(reader.line_num, fields) for fields in reader]
    except csv.Error as exc:
        return [], [Problem(paths.display_path(path), 1, "(csv)", "", f"not valid CSV ({exc})")]
    if not rows:
        return [], [Problem(paths.display_path(path), 1, "(file)", "", "the file is empty")]
    header = [h.strip() for h in rows[0][1]]
    keep = [i for i, name in enumerate(header) if name not in EXTRAS]
    # the registry part, each record on its own line number (blank lines are skipped by the
    # reader), so problems point at the drafts file's lines
    lines = [",".join(_quote(header[i]) for i in keep)]
    records: list[tuple[int, dict[str, str]]] = []
    problems: list[Problem] = []
    start = rows[0][0]
    for end, fields in rows[1:]:
        line = start + 1
        start = end
        if not any(f.strip() for f in fields):
            continue
        if len(fields) != len(header):
            problems.append(Problem(paths.display_path(path), line, "(row)", ",".join(fields),
                                    f"expected {len(header)} fields as in the header, found "
                                    f"{len(fields)}; a value that contains a comma must be in "
                                    "double quotes"))
            continue
        while len(lines) < line - 1:
            lines.append("")
        lines.append(",".join(_quote(fields[i]) if i < len(fields) else "" for i in keep))
        record = dict(zip(header, fields, strict=False))
        records.append((line, record))
        problems += _extras_problems(path, line, record)
    with scratch_folder("coopreport-drafts") as folder:
        registry_part = folder / path.name
        registry_part.write_text("\n".join(lines) + "\n", encoding="utf-8")
        _, checked = read_activities(registry_part)
    name = paths.display_path(path)
    return records, problems + [replace(p, file=name) for p in checked.problems]


def _extras_problems(path: Path, line: int, record: dict[str, str]) -> list[Problem]:
    """Invisible characters and formula-like starts in the review columns of one draft."""
    found = []
    for column in EXTRAS:
        value = record.get(column, "")
        reason = check_characters(value) or check_formula(value)
        if reason is not None:
            found.append(Problem(paths.display_path(path), line, column, value, reason))
    return found


def _quote(value: str) -> str:
    return '"' + value.replace('"', '""') + '"' if re.search(r'[",\n\r]', value) else value


def check_drafts(path: Path) -> list[Problem]:
    """Every problem of a drafts file as a registry (extras set aside); [] when valid."""
    return read_drafts(path)[1]


def drafts_report(path: Path) -> CsvFile:
    """A :class:`~analysis.data.csvfile.CsvFile` for ``coopreport validate``: records and
    problems."""
    records, problems = read_drafts(path)
    return CsvFile(path=path, name=paths.display_path(path), records=records, problems=problems)
