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
from analysis.core.errors import ExtractError
from analysis.core.files import atomic_write
from analysis.data.cleaning import clean_rows
from analysis.data.drafts import DRAFT_COLUMNS, EXTRAS, MARKER, check_drafts
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
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(DRAFT_COLUMNS), lineterminator="\n")
    writer.writeheader()
    for row, clean in zip(rows, clean_rows(rows, str(output)), strict=True):
        extras = {c: " ".join(str(row.get(c, "")).split()) for c in EXTRAS}
        writer.writerow({**clean, **extras})
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)

    def check(temporary: Path) -> None:
        problems = check_drafts(temporary)
        if problems:
            shown = "\n".join(str(replace(p, file=str(output))) for p in problems)
            raise ExtractError(f"{output}: the drafts would not validate (not written):\n{shown}")

    atomic_write(output, buffer.getvalue(), before_replace=check)


