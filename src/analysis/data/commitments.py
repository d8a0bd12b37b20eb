"""Commitments: planned outputs announced at activities, and the evidence of their progress.

Format (``commitments.csv``): ``commitment_id, activity_id, commitment, due, status,
evidence_activity_ids, note``, and optionally ``commitment_ru`` (the commitment in
Russian, shown by Russian reports) and ``part_of`` (the ``commitment_id`` of the programme the
commitment belongs to: when the programme's due date has passed, an undated commitment of it
with no evidence is stale, :func:`analysis.measures.findings.find_stale`). ``due`` is ``YYYY``,
``YYYY-MM``, ``YYYY-MM-DD`` or empty;
``status`` comes from ``data/taxonomy/commitment_statuses.csv``; ``activity_id`` and every
``;``-separated evidence id must name an activity of the registry.
"""

from __future__ import annotations

import csv
from collections.abc import Collection
from pathlib import Path

import pandas as pd

from analysis.core import paths
from analysis.data import fields
from analysis.data.csvfile import CsvFile, check_text_fields, keep_first_problems, read_csv_file
from analysis.data.taxonomy import Taxonomy, suggest

COLUMNS: tuple[str, ...] = (
    "commitment_id", "activity_id", "commitment", "due", "status", "evidence_activity_ids", "note",
)
OPTIONAL_COLUMNS: tuple[str, ...] = ("commitment_ru", "commitment_uz", "part_of")
REQUIRED = ("commitment_id", "activity_id", "commitment", "status")
FREE_TEXT = frozenset({"commitment", "commitment_ru", "commitment_uz", "note"})
MULTILINE = frozenset({"note"})  # the one column where tabs and line breaks are allowed
FRAME_COLUMNS: tuple[str, ...] = (
    "commitment_id", "activity_id", "commitment", "due", "due_end", "status",
    "evidence_activity_ids", "note", "line", "commitment_ru", "part_of", "commitment_uz",
)
KIND = "commitments file"


def load_statuses(directory: Path | None = None) -> dict[str, dict[str, str]]:
    """Commitment statuses with their labels: ``{status: {"en": ..., "ru": ..., "uz": ...}}``
    (an Uzbek label missing: the Russian one)."""
    path = (directory or paths.taxonomy_dir()) / "commitment_statuses.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return {r["status"]: {"en": r["label_en"], "ru": r["label_ru"],
                              "uz": r.get("label_uz") or r["label_ru"]}
                for r in csv.DictReader(handle)}


def empty_commitments() -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series(dtype=object) for column in FRAME_COLUMNS})


def read_commitments(path: Path, activity_ids: Collection[str], taxonomy: Taxonomy | None = None,
                     ) -> tuple[pd.DataFrame, CsvFile]:
    """Read and check a commitments file against the registry's activity ids."""
    statuses = load_statuses()
    csv_file = read_csv_file(path, COLUMNS, KIND, optional=OPTIONAL_COLUMNS)
    if not csv_file.readable:
        return empty_commitments(), csv_file
    rows: list[dict[str, object]] = []
    first_line_of: dict[str, int] = {}
    for line, rec in csv_file.records:
        before = len(csv_file.problems)
        flagged = check_text_fields(csv_file, line, rec, FREE_TEXT, MULTILINE)
        checked = len(csv_file.problems)
        for column in REQUIRED:
            if column in rec and rec[column] == "":
                csv_file.problem(line, column, "", "required field is empty")
        cid = rec.get("commitment_id", "")
        if cid in first_line_of:
            csv_file.problem(line, "commitment_id", cid, "duplicate id: already used on line "
                             f"{first_line_of[cid]}")
        elif cid:
            first_line_of[cid] = line
            reason = fields.check_identifier(cid)
            if reason:
                csv_file.problem(line, "commitment_id", cid, reason)
        if rec.get("activity_id") and rec["activity_id"] not in activity_ids:
            csv_file.problem(line, "activity_id", rec["activity_id"],
                             _unknown_activity(rec["activity_id"], activity_ids))
        evidence: list[str] = []
        for item in fields.split_list(rec.get("evidence_activity_ids", "")):
            if item == "":
                csv_file.problem(line, "evidence_activity_ids", rec["evidence_activity_ids"],
                                 "empty item between ';' separators")
                continue
            if item not in activity_ids:
                csv_file.problem(line, "evidence_activity_ids", item,
                                 _unknown_activity(item, activity_ids))
            evidence.append(item)
        due_end: pd.Timestamp | None = None
        if rec.get("due"):
            span, reason = fields.check_date(rec["due"])
            if reason:
                csv_file.problem(line, "due", rec["due"], reason)
            else:
                assert span is not None
                due_end = span[1]
        if rec.get("status") and rec["status"] not in statuses:
            guess = suggest(rec["status"], statuses)
            hint = f"did you mean '{guess}'? " if guess else ""
            csv_file.problem(line, "status", rec["status"], f"unknown status; {hint}use one of "
                             f"{', '.join(statuses)}")
        keep_first_problems(csv_file, checked, flagged)
        if len(csv_file.problems) == before and all(c in rec for c in COLUMNS):
            rows.append({
                "commitment_id": cid, "activity_id": rec["activity_id"],
                "commitment": rec["commitment"], "due": rec["due"],
                "due_end": due_end if due_end is not None else pd.NaT,
                "status": rec["status"], "evidence_activity_ids": tuple(evidence),
                "note": rec["note"], "line": line,
                "commitment_ru": rec.get("commitment_ru", ""),
                "commitment_uz": rec.get("commitment_uz", ""),
                "part_of": rec.get("part_of", ""),
            })
    for row in rows:
        programme = str(row["part_of"])
        if programme and (programme not in first_line_of or programme == row["commitment_id"]):
            guess = suggest(programme, first_line_of)
            hint = f"; did you mean '{guess}'?" if guess else ""
            csv_file.problem(int(str(row["line"])), "part_of", programme,
                             "no other commitment has this id in this file: part_of names the "
                             f"commitment_id of the programme the commitment belongs to{hint}")
    rows = [r for r in rows if not r["part_of"] or (r["part_of"] in first_line_of
                                                   and r["part_of"] != r["commitment_id"])]
    frame = pd.DataFrame(rows, columns=list(FRAME_COLUMNS)) if rows else empty_commitments()
    return frame, csv_file


def _unknown_activity(value: str, activity_ids: Collection[str]) -> str:
    guess = suggest(value, activity_ids)
    hint = f"; did you mean '{guess}'?" if guess else ""
    return f"no activity with this id in the registry{hint}"
