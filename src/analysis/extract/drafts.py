"""Draft rows from extracted activities, and writing the drafts CSV.

Each activity the pipeline found becomes one row: the registry's columns composed from its
fields (an English title, a Russian one for Russian texts), then the review extras of the
drafts format (:mod:`analysis.data.drafts`: confidence and evidence per field). The file is
written only when it validates as a registry (extras set aside), atomically.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path

from analysis.core import paths
from analysis.core.clock import utc_now
from analysis.core.errors import ExtractError, ParameterError, Problem
from analysis.core.version import __version__
from analysis.data.cleaning import clean_rows, clean_value
from analysis.data.drafts import DRAFT_COLUMNS, EXTRAS, MARKER, check_drafts
from analysis.data.outputs import (
    NOTHING_WRITTEN,
    absolute,
    check_plain_output,
    is_curated,
    sidecar_problem,
    write_with_sidecar,
)
from analysis.data.taxonomy import load_taxonomy
from analysis.extract.pipeline import Activity
from analysis.extract.source import PressText

log = logging.getLogger(__name__)

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
    day = activity.date.text if activity.date is not None else "undated"
    base = f"{country}-{day}-{_slug(activity.partners.values[0])}-{kind}"
    activity_id, number = base, 2
    while activity_id in taken:
        activity_id, number = f"{base}-{number}", number + 1
    taken.add(activity_id)
    source = press.publisher or f"{press.path.name} (publisher to confirm)"
    row = {
        "activity_id": activity_id, "date": activity.date.text if activity.date else "",
        "date_precision": activity.date.precision if activity.date else "", "country": country,
        "partners": ";".join(activity.partners.values),
        "counterpart": activity.counterpart.name, "activity_type": kind,
        "themes": ";".join(activity.themes.values), "title": english, "amount_usd": "",
        "source": source, "source_url": press.url, "source_language": activity.language.code,
        "title_ru": russian, MARKER: activity.language.language,
        "input_file": paths.display_path(press.path),
        "partner_unknown": ";".join(o.name for o in activity.unknown_partners),
        "counterpart_unknown": activity.counterpart.name if activity.counterpart.unknown else "",
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


def check_drafts_output(output: Path) -> None:
    """Refuse an ``--output`` the extractor may not write (:mod:`analysis.data.outputs`): not
    a plain file or a new name, curated data, or a file it did not write (or that was edited
    since: a reviewed drafts file keeps its edits).

    Raises
    ------
    ParameterError
        Naming the file and what to do (exit 2); nothing is written.
    """
    output = absolute(output)
    check_plain_output(output)
    if not output.exists():
        return
    shown = paths.display_path(output)
    if is_curated(output):
        raise ParameterError(f"--output {shown}: is curated data; drafts go to a file of their "
                             "own (e.g. --output drafts.csv), and reach the registry only "
                             "with --append-to" + NOTHING_WRITTEN)
    problem = sidecar_problem(output)
    if problem is not None:
        raise ParameterError(f"--output {shown}: the file exists and {problem}; choose another "
                             "--output, or move that file away" + NOTHING_WRITTEN)


def to_review(problem: Problem, rows: list[Mapping[str, str]]) -> bool:
    """True for a problem the analyst is told to fix in the draft itself: an empty date (no
    date was found, confidence 0) or a proposed partner not yet in ``partners.csv``. Drafts
    with such problems are written, so the analyst sees them; ``validate`` and ``--append-to``
    keep refusing them until they are fixed."""
    index = problem.line - 2  # the header is line 1; drafts hold one line per row
    if not 0 <= index < len(rows):
        return False
    row = rows[index]
    if problem.column in ("date", "date_precision") and not row.get("date"):
        return True
    unknown = set(filter(None, str(row.get("partner_unknown", "")).split(";")))
    return problem.column == "partners" and bool(unknown) and any(
        name in problem.value or name in problem.reason for name in unknown)


def write_drafts(rows: list[Mapping[str, str]], output: Path, origin: str = "") -> None:
    """Write drafts atomically, with their sidecar, once they check as a registry.

    Every value is cleaned as importers clean theirs (:mod:`analysis.data.cleaning`: no
    invisible characters, an apostrophe before a formula-like start), the review columns too.

    Raises
    ------
    ParameterError
        When ``output`` may not be written (:func:`check_drafts_output`).
    ExtractError
        When the drafts would not validate for any reason but those left to the analyst
        (:func:`to_review`): a bug or a bad lexicon entry; the message lists the problems and
        nothing is written.
    """
    output = absolute(output)
    check_drafts_output(output)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(DRAFT_COLUMNS), lineterminator="\n")
    writer.writeheader()
    where = paths.display_path(output)
    for row, clean in zip(rows, clean_rows(rows, where), strict=True):
        extras = {c: clean_value(" ".join(str(row.get(c, "")).split()), where,
                                 str(row.get("activity_id", "")), c) for c in EXTRAS}
        writer.writerow({**clean, **extras})
    output.parent.mkdir(parents=True, exist_ok=True)

    def check(temporary: Path) -> None:
        problems = [p for p in check_drafts(temporary) if not to_review(p, rows)]
        if problems:
            shown = "\n".join(str(replace(p, file=str(output))) for p in problems)
            raise ExtractError(f"{output}: the drafts would not validate (not written):\n{shown}")

    write_with_sidecar(output, buffer.getvalue(), {
        "written_by": f"coopreport {__version__}", "command": "extract", "input": origin,
        "written_at": utc_now(), "rows": len(rows)}, before_replace=check)


