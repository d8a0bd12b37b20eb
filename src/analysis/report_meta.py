"""What a report's title block shows, taken from the executed notebook's metadata."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
from babel.dates import format_date

from analysis import provenance
from analysis.i18n import translate


@dataclass(frozen=True)
class ReportMeta:
    name: str
    title: str
    subtitle: str | None
    lang: str
    date: str
    kicker: str
    provenance: str
    record: dict[str, Any]


def read_meta(executed: Path) -> ReportMeta:
    """Title, subtitle, language, date and provenance line of an executed report notebook."""
    nb = nbformat.read(executed, as_version=4)
    meta = nb.metadata.get("coopreport", {})
    record = meta.get("provenance", {})
    params = record.get("parameters", {})
    lang = params.get("lang", "en") if params.get("lang") in ("en", "ru") else "en"
    built = str(record.get("built_at", provenance.utc_now()))
    import datetime as dt

    day = dt.date.fromisoformat(built[:10])
    return ReportMeta(
        name=meta.get("name", executed.stem), title=meta.get("title", executed.stem),
        subtitle=meta.get("subtitle"), lang=lang,
        date=format_date(day, format="long", locale=lang),
        kicker=translate("report_kicker", lang),
        provenance=provenance.provenance_line(record, lang),
        record=record,
    )
