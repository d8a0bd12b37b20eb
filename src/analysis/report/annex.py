"""The report's annex: at most :data:`ANNEX_LIMIT` activities listed, the full list attached.

A selection of any size builds a report of bounded size: the annex table lists at most ``limit``
activities (the most recent; in the Strategic Procurement Country Report the procurement-related
ones first), a sentence says how many of how many and which, and the full list travels with the HTML
report as a CSV download (:class:`analysis.report.display.Attachment`, zipped when large, and
published beside the report by the build runner when too large to go inside it,
:mod:`analysis.report.attachments`; the PDF says where it is).

The CSV is meant for spreadsheets: UTF-8 with a byte-order mark (Excel reads Cyrillic), and
every cell that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``) gets
an apostrophe in front, the importers' rule (:func:`analysis.core.textsafety.neutralise_formula`).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence

import pandas as pd

from analysis.core.formats import russian_dates
from analysis.core.textsafety import neutralise_formula
from analysis.data.fields import url_host
from analysis.report.context import ReportData
from analysis.report.display import Attachment, Paragraph, Span, Table
from analysis.report.i18n import plural

ANNEX_LIMIT = 200  # activities listed in the annex at most
# a CSV larger than this is attached zipped (the HTML report carries it as base64, 4/3 of it)
PLAIN_CSV_LIMIT = 2 * 1024 * 1024
CSV_COLUMNS = ("activity_id", "date", "country", "partners", "activity_type", "themes",
               "title", "amount_usd", "amount_kind", "source", "source_url")
CSV_SUFFIX = "activities.csv"


# relative widths of the annex's columns: the title takes most; the others fit their longest
# word in Russian at the annex's type size ("Азербайджан", "Финансирование"), words never break
ANNEX_WIDTHS = {"date": 11, "country": 12, "partners": 15, "type": 15, "title": 34,
                "source": 14, "pillars": 14}


def source_label(source: str, url: str) -> str:
    """How a source is named in a table: its publisher, else the address's site.

    A publisher written as a web address (``www.worldbank.org``) and a bare address both show
    as the site without ``www.``: ``https://www.gov.uz/ru/news/1`` → ``gov.uz``.
    """
    text = source.strip() if source else ""
    if not text and url:
        text = url_host(url) or url
    return text[4:] if text.lower().startswith("www.") else text


def _looks_like_address(text: str) -> bool:
    return " " not in text and ("." in text or "/" in text)


def procurement_marks(data: ReportData, placed: pd.DataFrame) -> dict[str, str]:
    """What the SPCR annex says of each procurement-related activity (``placed``:
    :func:`analysis.report.procurement.placed_on_pillars`): its MAPS pillar tags ("I, II"),
    or that it is tagged to none; "(multi-country)" is added for a forum or conference many
    countries attend. Activities not in ``placed`` are not procurement-related ("—")."""
    scope = dict(zip(data.activities["activity_id"], data.activities.get(
        "scope", pd.Series("", index=data.activities.index)), strict=True))
    marks = {}
    for activity_id, pillars in zip(placed["activity_id"], placed["pillars"], strict=True):
        text = ", ".join(pillars) if pillars else data.t("annex.no_pillar")
        if scope.get(activity_id) == "multi-country":
            text = f"{text} {data.t('annex.multi_country')}"
        marks[activity_id] = text
    return marks


def activity_annex(data: ReportData, activities: pd.DataFrame | None = None,
                   marks: dict[str, str] | None = None) -> Table:
    """The report's activities with their sources: a compact table that serves the report.

    Columns: date, country (only when the report covers several), partners, type, title and
    source, the title taking most of the width. The source shows as its publisher or site,
    linked to the full address where it is known. ``activities`` (default: every activity of
    the report) are the rows listed, when the annex lists only some (:func:`annex_view`);
    the caption then says how many of all. ``marks`` (the SPCR's
    :func:`procurement_marks`) adds a column saying which activities are procurement-related
    and their MAPS pillar tags ("—" for the others).
    """
    listed = data.activities if activities is None else activities
    df = listed.sort_values(["country", "start", "activity_id"])
    sources: list[object] = []
    for source, url in zip(df["source"], df["source_url"], strict=True):
        # a source's Russian form (data/reference/source_names.csv), else its dates in Russian
        text = source_label(data.source(source), url)
        if data.lang == "ru":  # "28 November 2025" in a source's description: "28 ноября 2025 г."
            text = russian_dates(text)
        sources.append(Span(text, href=url or None, address=_looks_like_address(text)))
    columns: dict[str, list[object]] = {
        "date": [data.date(d, p) for d, p in zip(df["date"], df["date_precision"], strict=True)],
        "country": [data.country(c) for c in df["country"]],
        "partners": [data.partners(p) for p in df["partners"]],
        "type": [data.taxonomy.type_label(t, data.lang) for t in df["activity_type"]],
        "title": list(data.titles(df)),
        "source": sources,
    }
    if marks is not None:
        columns["pillars"] = [marks.get(a, "—") for a in df["activity_id"]]
    if len(data.countries) < 2:
        del columns["country"]
    names = {"date": "field.date", "country": "field.country", "partners": "field.partners",
             "type": "field.activity_type", "title": "field.title", "source": "field.source",
             "pillars": "field.procurement_pillars"}
    frame = pd.DataFrame({data.t(names[k]): v for k, v in columns.items()})
    caption = (data.t("annex.caption", count=data.number(len(df)))
               if len(df) == len(data.activities) else
               data.t("annex.caption_listed", shown=data.number(len(df)),
                      count=data.number(len(data.activities))))
    return Table(frame, caption,
                 widths=tuple(ANNEX_WIDTHS[k] for k in columns), classes=("compact",))


def select_listed(activities: pd.DataFrame, limit: int,
                  first_themes: Sequence[str] = ()) -> pd.DataFrame:
    """The activities the annex lists: all when they are at most ``limit``; otherwise the
    ``limit`` most recent, those with a theme of ``first_themes`` taken first.

    Ties in date are broken by ``activity_id`` (the greater first), so the choice does not
    depend on the registry's row order. The rows keep their order in ``activities``.

    Raises
    ------
    ValueError
        When ``limit`` is below 1.
    """
    if limit < 1:
        raise ValueError(f"annex limit must be at least 1, not {limit}")
    if len(activities) <= limit:
        return activities
    themes = set(first_themes)
    ranked = pd.DataFrame({
        "first": [bool(themes & set(ts)) for ts in activities["themes"]],
        "start": activities["start"].to_numpy(),
        "activity_id": activities["activity_id"].to_numpy(),
    }, index=activities.index)
    chosen = ranked.sort_values(["first", "start", "activity_id"],
                                ascending=[False, False, False], kind="stable").index[:limit]
    return activities.loc[activities.index.isin(chosen)]


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, tuple | list):
        return ";".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:.0f}" if value.is_integer() else repr(value)
    return str(value)


def _labelled(data: ReportData, column: str, value: object) -> str:
    """A coded value as a reader of the report's language reads it (a non-English CSV)."""
    text = _cell(value)
    if not text:
        return ""
    taxonomy = data.taxonomy
    if column == "country":
        return data.country(text)
    if column == "partners":
        return "; ".join(taxonomy.partner_label(p, data.lang) for p in text.split(";"))
    if column == "themes":
        return "; ".join(taxonomy.theme_label(t, data.lang) for t in text.split(";"))
    if column == "activity_type":
        return taxonomy.type_label(text, data.lang)
    if column == "amount_kind":
        return data.t(f"csv.kind.{text}")
    return text


def activities_csv(data: ReportData, activities: pd.DataFrame | None = None) -> bytes:
    """The activities (default: the report's) as CSV bytes, in date order.

    English: columns :data:`CSV_COLUMNS` as named, the registry's ids and ``;``-separated
    lists, comma-separated. Any other language: the same columns with headers and coded values
    (country, partners, type, themes, amount status) in the report's words, separated by ``;``
    as a spreadsheet in that locale expects (Excel in a Russian locale splits on ``;``). The
    title is in the report's language (marked "(англ.)" where a Russian report has none).
    UTF-8 with a byte-order mark; formula-like cells neutralised (module docstring).
    """
    acts = data.activities if activities is None else activities
    acts = acts.sort_values(["country", "start", "activity_id"])
    titles = data.titles(acts)
    english = data.lang == "en"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", delimiter="," if english else ";")
    writer.writerow(CSV_COLUMNS if english else [data.t(f"csv.{c}") for c in CSV_COLUMNS])
    columns = {c: acts[c].tolist() if c in acts else [""] * len(acts)
               for c in CSV_COLUMNS if c != "title"}
    for i, title in enumerate(titles):
        writer.writerow([neutralise_formula(
            title if c == "title" else _cell(columns[c][i]) if english
            else _labelled(data, c, columns[c][i])) for c in CSV_COLUMNS])
    return buffer.getvalue().encode("utf-8-sig")


def activity_list(data: ReportData, plain_limit: int = PLAIN_CSV_LIMIT) -> Attachment:
    """Every activity of the report as a CSV download: ``NAME-activities.csv``, or
    ``NAME-activities.zip`` holding ``activities.csv`` when the CSV is larger than
    ``plain_limit`` bytes."""
    content = activities_csv(data)
    count = plural("activity", len(data.activities), data.lang)
    note = data.t("annex.csv_note", activities=count)
    if len(content) <= plain_limit:
        return Attachment(content, CSV_SUFFIX, "text/csv",
                          data.t("annex.csv_label", activities=count), note)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        # a fixed date: the same activities give the same bytes
        info = zipfile.ZipInfo(CSV_SUFFIX, date_time=(2000, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        zf.writestr(info, content, compresslevel=9)
    return Attachment(buffer.getvalue(), "activities.zip", "application/zip",
                      data.t("annex.zip_label", activities=count), note)


def annex_view(data: ReportData, limit: int = ANNEX_LIMIT,
               first_themes: Sequence[str] = (),
               marks: dict[str, str] | None = None) -> list[object]:
    """The annex in display order: when it lists only some activities, the sentence saying
    how many of how many and which; the table; the full list as a download.

    Parameters
    ----------
    data
        The report.
    limit
        Activities listed at most (:data:`ANNEX_LIMIT`).
    first_themes
        Activities with any of these themes are listed before the others (the SPCR passes
        the procurement themes); within each group the most recent are listed.
    marks
        Per activity id, what the procurement column says (:func:`procurement_marks`); no such
        column when None.
    """
    listed = select_listed(data.activities, limit, first_themes)
    shown: list[object] = []
    if len(listed) < len(data.activities):
        which = data.t("annex.procurement_first" if first_themes else "annex.most_recent")
        shown.append(Paragraph(data.t("annex.capped", shown=data.number(len(listed)),
                                      total=plural("of_activities", len(data.activities),
                                                   data.lang), which=which)))
    shown.append(activity_annex(data, listed, marks))
    if len(data.activities):
        shown.append(activity_list(data))
    return shown
