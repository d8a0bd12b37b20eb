"""A report's "what changed since the previous edition" page: ``_changes/NAME.html``.

In the report's language, self-contained like the portal (no script, nothing loaded, every
value escaped): which builds are compared, then the activities added and removed (id, date,
title), the key figures that changed (old → new), the findings that appeared or disappeared,
and the reference values revised, published or withdrawn. The first edition of a report says
that there is nothing to compare it with. Made by :mod:`analysis.build.changes` from the
records of :mod:`analysis.report.edition_record`, compared by :mod:`analysis.report.changes`.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping, Sequence
from typing import Any

from analysis.core.formats import format_number, format_usd, long_date, ru_typography
from analysis.core.version import __version__
from analysis.data.taxonomy import LANGUAGES, country_name, is_country, language_tag
from analysis.report.changes import Changes, compare_records
from analysis.report.i18n import MESSAGES, translate

# a page shared with the history page (analysis.render.history)
PAGE_STYLE = """
body { font-family: "Noto Sans", "DejaVu Sans", Arial, sans-serif; color: #1d2733; margin: 0;
       line-height: 1.45; }
header { background: #1f5f8b; color: #fff; padding: 1.4rem max(1.5rem, calc(50% - 34rem)); }
header h1 { margin: 0; font-size: 1.5rem; } header p { margin: .3rem 0 0; opacity: .9; }
header a { color: #fff; }
main { max-width: 68rem; margin: 0 auto; padding: 1rem 1.5rem 2rem; }
h2 { font-size: 1.2rem; border-bottom: 2px solid #1f5f8b; padding-bottom: .2rem;
     margin: 1.8rem 0 .7rem; }
table { border-collapse: collapse; width: 100%; font-size: .95rem; }
th, td { text-align: left; vertical-align: top; padding: .3rem .5rem;
         border-bottom: 1px solid #d5dbe3; }
th { background: #eef2f6; } td.num { text-align: right; white-space: nowrap; }
.id { font-family: "DejaVu Sans Mono", monospace; font-size: .85rem; overflow-wrap: anywhere; }
.none, .muted { color: #5b6675; }
a { color: #1f5f8b; }
ul { padding-left: 1.2rem; } li { margin: .2rem 0; }
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _day(stamp: str, lang: str) -> str:
    """An ISO timestamp as a day in ``lang`` ("7 December 2026"); as it is when it is none."""
    try:
        return long_date(dt.date.fromisoformat(stamp[:10]), lang)
    except ValueError:
        return stamp


def _say(key: str, lang: str, **values: object) -> str:
    """A message in ``lang``; Russian with its no-break spaces ("в отчёте", "2026 г."), as the
    reports write it."""
    text = translate(key, lang, **values)
    return ru_typography(text) if lang == "ru" else text


def _when(stamp: str, lang: str, seconds: bool = False) -> str:
    """An ISO timestamp as the reader names an edition: its day and its time in UTC ("7
    December 2026, 15:07 UTC"); to the second when two editions share the minute."""
    time = stamp[11:19] if seconds else stamp[11:16]
    valid = len(time) == (8 if seconds else 5) and time.replace(":", "").isdigit()
    return f"{_day(stamp, lang)}, {time} UTC" if valid else _day(stamp, lang)


def _country(code: str, lang: str) -> str:
    return country_name(code, lang) if code and is_country(code) else code


def _activity_date(item: Mapping[str, Any], lang: str) -> str:
    from analysis.report.context import format_activity_date

    try:
        return format_activity_date(str(item.get("date", "")), str(item.get("precision", "")),
                                    lang)
    except ValueError:
        return str(item.get("date", ""))


def figure_label(key: str, lang: str) -> str:
    """A key figure's name in ``lang``: the key figures table's column names."""
    message = "fin.committed" if key == "financing" else f"kf.{key}"
    return translate(message, lang) if message in MESSAGES else key


def figure_value(key: str, value: float | None, lang: str) -> str:
    """A figure as the report writes it ("—" where the build had none)."""
    if value is None:
        return "—"
    if key == "financing":
        return format_usd(value, lang)
    return format_number(value, lang, 0 if float(value).is_integer() else None)


def indicator_label(indicator: str, lang: str) -> str:
    key = f"indicator.{indicator}"
    return translate(key, lang) if key in MESSAGES else indicator


def _value(value: float | None, lang: str) -> str:
    return "—" if value is None else format_number(value, lang)


def _table(head: Sequence[str], rows: list[list[tuple[str, str]]]) -> str:
    """A table: ``rows`` of ``(text, class)`` cells; every text escaped."""
    header = "".join(f"<th>{_e(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f'<td class="{c}">{_e(t)}</td>' if c else f"<td>{_e(t)}</td>"
                                    for t, c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>"


def _sections(changes: Changes, lang: str) -> str:
    t = lambda key: _say(key, lang)  # noqa: E731
    parts = []
    for key, items in (("changes.added", changes.added), ("changes.removed", changes.removed)):
        if items:
            rows = [[(str(a.get("id", "")), "id"), (_activity_date(a, lang), ""),
                     (str(a.get("title", "")), "")] for a in items]
            parts.append(f"<section><h2>{_e(t(key))} ({len(items)})</h2>"
                         + _table([t("changes.id"), t("field.date"), t("field.title")], rows)
                         + "</section>")
    if changes.figures:
        rows = [[(figure_label(f.key, lang), ""), (_country(f.country, lang), ""),
                 (figure_value(f.key, f.old, lang), "num"),
                 (figure_value(f.key, f.new, lang), "num")] for f in changes.figures]
        parts.append(f"<section><h2>{_e(t('changes.figures'))}</h2>"
                     + _table([t("changes.figure"), t("field.country"), t("changes.before"),
                               t("changes.now")], rows) + "</section>")
    for key, found in (("changes.appeared", changes.appeared),
                       ("changes.disappeared", changes.disappeared)):
        if found:
            # the finding's identifier is for machines (its record), never for the reader
            listed = "".join(f'<li data-finding="{_e(f.get("id", ""))}">'
                             f"{_e(f.get('text', ''))}</li>" for f in found)
            parts.append(f"<section><h2>{_e(t(key))}</h2><ul>{listed}</ul></section>")
    if changes.references:
        rows = [[(indicator_label(v.indicator, lang), ""), (_country(v.country, lang), ""),
                 (str(v.year), "num"), (_value(v.old, lang), "num"), (_value(v.new, lang), "num")]
                for v in changes.references]
        parts.append(f"<section><h2>{_e(t('changes.references'))}</h2>"
                     + _table([t("field.indicator"), t("field.country"), t("field.year"),
                               t("changes.before"), t("changes.now")], rows) + "</section>")
    return "".join(parts) or f'<p class="none">{_e(t("changes.nothing"))}</p>'


def render_changes(now: Mapping[str, Any], before: Mapping[str, Any] | None) -> str:
    """The page for the report build ``now`` compared with ``before`` (None: the first).

    Both are saved records (:func:`analysis.build.changes.update_changes`): ``name``,
    ``title``, ``lang``, ``built_at``, ``record``.
    """
    lang = str(now.get("lang") or "en")
    lang = lang if lang in LANGUAGES else "en"
    name = str(now.get("name", ""))
    if before is None:
        lead = _say("changes.first", lang)
        body = ""
    else:
        stamps = str(now.get("built_at", "")), str(before.get("built_at", ""))
        # two editions built in the same minute are told apart by their seconds
        seconds = stamps[0][:16] == stamps[1][:16]
        lead = _say("changes.compared", lang, now=_when(stamps[0], lang, seconds),
                         before=_when(stamps[1], lang, seconds))
        body = _sections(compare_records(before["record"], now["record"]), lang)
    links = " · ".join(f'<a href="{href}">{_e(_say(key, lang))}</a>'
                       for href, key in ((f"../{_e(name)}.html", "changes.report"),
                                         ("../index.html", "changes.portal"),
                                         ("../history.html", "changes.history")))
    title = _say("changes.title", lang, title=str(now.get("title", name)))
    return standalone_page(language_tag(lang), title, f"<p>{_e(lead)}</p><p>{links}</p>", body)


def standalone_page(lang_tag: str, title: str, header: str, main: str) -> str:
    """A page of the output folder beside the reports (a "what changed" page, the history):
    self-contained, offline, in :data:`PAGE_STYLE`. ``title`` is text; ``header`` (below the
    title) and ``main`` are HTML the caller escaped."""
    return f"""<!DOCTYPE html>
<html lang="{_e(lang_tag)}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="coopreport {_e(__version__)}">
<title>{_e(title)}</title>
<style>{PAGE_STYLE}</style></head>
<body><header><h1>{_e(title)}</h1>{header}</header>
<main>{main}</main></body></html>
"""
