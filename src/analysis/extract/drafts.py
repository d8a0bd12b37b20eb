"""The drafts CSV: registry columns first, then the extras an analyst reviews.

A drafts file is the registry's columns (:data:`analysis.data.registry.COLUMNS`, same order) followed
by :data:`EXTRAS`: ``title_ru``, the detected language (``uz-Cyrl``...), the input file, and per
field a ``confidence_*`` (0-1) and an ``evidence_*`` (the sentence the value came from). Its
header holding ``detected_language`` is what marks it as drafts: ``coopreport validate``
checks such a file as a registry with the extras set aside (:func:`check_drafts`), so a
reviewed drafts file that validates can be appended as it is.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path

from analysis.core import paths
from analysis.core.errors import ExtractError, Problem
from analysis.data.csvfile import CsvFile
from analysis.data.registry import COLUMNS, read_activities
from analysis.data.taxonomy import load_taxonomy
from analysis.extract.pipeline import Activity
from analysis.extract.source import PressText

log = logging.getLogger(__name__)

FIELDS = ("date", "country", "partners", "counterpart", "activity_type", "themes")
MARKER = "detected_language"
EXTRAS: tuple[str, ...] = ("title_ru", MARKER, "input_file",
                           *(f"confidence_{f}" for f in FIELDS),
                           *(f"evidence_{f}" for f in FIELDS))
DRAFT_COLUMNS: tuple[str, ...] = (*COLUMNS, "amount_kind", *EXTRAS)  # optional registry column
MAX_EVIDENCE = 300


def _join(items: Iterable[str], last: str) -> str:
    words = list(items)
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + f" {last} " + words[-1]


def compose_titles(activity: Activity) -> tuple[str, str]:
    """An English title and a Russian one, from the fields (Russian only for Russian text)."""
    vocab = load_taxonomy()
    kind = activity.activity_type.values[0]
    partners = activity.partners.values
    themes = activity.themes.values
    english = (f"{vocab.type_label(kind)} with {_join(partners, 'and')} on "
               f"{_join((vocab.theme_label(t).lower() for t in themes), 'and')}")
    if activity.counterpart.confidence >= 0.5:
        english += f" ({activity.counterpart.name})"
    russian = ""
    if activity.language.language == "ru":
        theme_words = [vocab.theme_label(t, "ru") for t in themes]
        theme_words = [w[:1].lower() + w[1:] for w in theme_words]
        russian = (f"{vocab.type_label(kind, 'ru')}: "
                   f"{', '.join(vocab.partner_label(p, 'ru') for p in partners)} — "
                   f"{', '.join(theme_words)}")
        if activity.counterpart.confidence >= 0.5 and activity.counterpart.name_ru:
            russian += f" ({activity.counterpart.name_ru})"
    return english, russian


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:30] or "partner"


def compose_row(activity: Activity, press: PressText, taken: set[str]) -> dict[str, str]:
    """A draft row for an activity; ``taken`` holds ids already used (updated here)."""
    english, russian = compose_titles(activity)
    country = activity.country.values[0]
    kind = activity.activity_type.values[0]
    base = f"{country}-{activity.date.text}-{_slug(activity.partners.values[0])}-{kind}"
    activity_id, number = base, 2
    while activity_id in taken:
        activity_id, number = f"{base}-{number}", number + 1
    taken.add(activity_id)
    source = press.publisher or f"{press.path.name} (publisher to confirm)"
    row = {
        "activity_id": activity_id, "date": activity.date.text,
        "date_precision": activity.date.precision, "country": country,
        "partners": ";".join(activity.partners.values),
        "counterpart": activity.counterpart.name, "activity_type": kind,
        "themes": ";".join(activity.themes.values), "title": english, "amount_usd": "",
        "source": source, "source_url": press.url, "source_language": activity.language.code,
        "title_ru": russian, MARKER: activity.language.language,
        "input_file": paths.display_path(press.path),
    }
    values = {"date": (activity.date_confidence, activity.date_evidence),
              "country": (activity.country.confidence, activity.country.evidence),
              "partners": (activity.partners.confidence, activity.partners.evidence),
              "counterpart": (activity.counterpart.confidence, activity.counterpart.evidence),
              "activity_type": (activity.activity_type.confidence,
                                activity.activity_type.evidence),
              "themes": (activity.themes.confidence, activity.themes.evidence)}
    for field, (confidence, evidence) in values.items():
        row[f"confidence_{field}"] = f"{confidence:.2f}"
        row[f"evidence_{field}"] = evidence[:MAX_EVIDENCE]
    return row


def write_drafts(rows: list[Mapping[str, str]], output: Path) -> None:
    """Write drafts (cleaned like importers' rows) atomically, then check them as a registry.

    Raises
    ------
    ExtractError
        When the drafts would not validate (a bug or a bad lexicon entry: the message lists
        the problems); nothing is written then.
    """
    from analysis.connectors.output import clean_rows

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(DRAFT_COLUMNS), lineterminator="\n")
    writer.writeheader()
    for row, clean in zip(rows, clean_rows(rows, str(output)), strict=True):
        extras = {c: " ".join(str(row.get(c, "")).split()) for c in EXTRAS}
        writer.writerow({**clean, **extras})
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=output.parent, prefix=f".{output.stem}-", suffix=".csv")
    temporary = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(buffer.getvalue())
        problems = check_drafts(temporary)
        if problems:
            shown = "\n".join(str(replace(p, file=str(output))) for p in problems)
            raise ExtractError(f"{output}: the drafts would not validate (not written):\n{shown}")
        os.chmod(temporary, 0o644)
        os.replace(temporary, output)
    finally:
        temporary.unlink(missing_ok=True)


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
    (same messages, same line numbers); the extras may be edited or emptied freely.
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
        records.append((line, dict(zip(header, fields, strict=False))))
    with tempfile.TemporaryDirectory(prefix="coopreport-drafts-") as folder:
        registry_part = Path(folder) / path.name
        registry_part.write_text("\n".join(lines) + "\n", encoding="utf-8")
        _, checked = read_activities(registry_part)
    name = paths.display_path(path)
    return records, problems + [replace(p, file=name) for p in checked.problems]


def _quote(value: str) -> str:
    return '"' + value.replace('"', '""') + '"' if re.search(r'[",\n\r]', value) else value


def check_drafts(path: Path) -> list[Problem]:
    """Every problem of a drafts file as a registry (extras set aside); [] when valid."""
    return read_drafts(path)[1]


def drafts_report(path: Path) -> CsvFile:
    """A :class:`~analysis.data.csvfile.CsvFile` for ``coopreport validate``: records and problems."""
    records, problems = read_drafts(path)
    return CsvFile(path=path, name=paths.display_path(path), records=records, problems=problems)
