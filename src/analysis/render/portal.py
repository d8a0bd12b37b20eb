"""The report portal: ``index.html`` in each edition folder, a page for readers.

One self-contained page (no network, no script, works from the file system), in English and
Russian side by side. Reports are grouped by country (or set of countries), then by report
type; the language versions of one report (same notebook, same parameters but ``lang``) sit
side by side, each with its title, what it covers in words ("Uzbekistan, 2022–2026, peer
Azerbaijan"), its key figures and links to its HTML and PDF. The key figures are those the
report recorded itself (:func:`analysis.report.sections.report_facts`, stored in the executed
notebook under :data:`analysis.report.display.FACTS_MIMETYPE`); a report that recorded none shows
none. A report built with a warning (a peer with no activity) is a card like the others, with the
warning in the card's language; a warning its params file expects is shown as expected. Reports
whose last build *failed* are listed at the end, each with its reason and a link to its error page
(``_failed/NAME.html``, :mod:`analysis.render.error_page`). Each card links the report's "what
changed since the previous edition" page (``_changes/NAME.html``,
:mod:`analysis.render.changes_page`) when it has one, and the page links the history of
editions (``history.html``, :mod:`analysis.render.history`). Parameters are never shown raw.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

import nbformat
from babel.lists import format_list

from analysis.core.clock import utc_now
from analysis.core.files import atomic_write
from analysis.core.formats import long_date
from analysis.core.version import __version__
from analysis.data.taxonomy import LANGUAGES, country_name, language_tag
from analysis.render.history import CHANGES_DIR, HISTORY_PAGE
from analysis.report.display import FACTS_MIMETYPE
from analysis.report.i18n import MESSAGES, plural, translate
from analysis.report.warnings import ReportWarning

INDEX_NAME = "index.html"
HIDDEN_PARAMETERS = ("lang", "data_path")  # not what a report is about


@dataclass(frozen=True)
class Entry:
    """One published report: what its executed notebook says about it."""

    name: str
    title: str
    subtitle: str
    parameters: dict[str, Any]
    built_at: str
    formats: tuple[str, ...]
    notebook: str = ""  # the notebook's name without .ipynb: the report type
    facts: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[ReportWarning, ...] = ()  # raised by its last build
    expected: tuple[ReportWarning, ...] = ()  # raised, and accepted by its params file
    changes: bool = False  # it has a "what changed" page (_changes/NAME.html)

    @property
    def lang(self) -> str:
        lang = str(self.parameters.get("lang") or "en")
        return lang if lang in LANGUAGES else "en"

    @property
    def countries(self) -> tuple[str, ...]:
        """The countries the report is about: ``country`` or ``countries``."""
        many = self.parameters.get("countries")
        if isinstance(many, list | tuple) and many:
            return tuple(str(c) for c in many)
        one = self.parameters.get("country")
        return (str(one),) if one else ()


@dataclass
class ReportGroup:
    """The language versions of one report: same notebook and parameters but the language."""

    notebook: str
    parameters: dict[str, Any]
    versions: dict[str, Entry] = field(default_factory=dict)


@dataclass
class CountryGroup:
    """Every report about one country (or one set of compared countries)."""

    countries: tuple[str, ...]
    reports: list[ReportGroup] = field(default_factory=list)


def _facts(nb: nbformat.NotebookNode) -> dict[str, Any]:
    """The key figures the report recorded (the last record wins), or ``{}``."""
    found: dict[str, Any] = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            value = output.get("data", {}).get(FACTS_MIMETYPE)
            if isinstance(value, dict):
                found = dict(value)
    return found


def collect_entries(out: Path) -> list[Entry]:
    """Every published report in ``out``: its executed notebook's metadata and its files."""
    entries = []
    for notebook in sorted(out.glob("*.ipynb")):
        try:
            nb = nbformat.read(notebook, as_version=4)
        except (OSError, ValueError):
            continue
        meta = nb.metadata.get("coopreport", {})
        if not meta:
            continue
        record = meta.get("provenance", {})
        source = str(nb.metadata.get("papermill", {}).get("input_path") or "")
        formats = tuple(f for f in ("html", "pdf") if (out / f"{notebook.stem}.{f}").exists())
        entries.append(Entry(notebook.stem, str(meta.get("title") or notebook.stem),
                             str(meta.get("subtitle") or ""), dict(record.get("parameters", {})),
                             str(record.get("built_at", "")), formats,
                             PurePath(source).stem if source else "", _facts(nb),
                             _warnings(meta.get("warnings")),
                             _warnings(meta.get("expected_warnings")),
                             (out / CHANGES_DIR / f"{notebook.stem}.html").is_file()))
    return entries


def _warnings(recorded: object) -> tuple[ReportWarning, ...]:
    """Warnings as a notebook's metadata records them (texts, from earlier versions, or
    mappings)."""
    if not isinstance(recorded, list):
        return ()
    return tuple(ReportWarning.from_json(w) for w in recorded)


def group_entries(entries: list[Entry]) -> list[CountryGroup]:
    """Reports by country (groups in order of the countries' English names, a single country
    before the comparisons that start with it), then by report type and parameters; each
    report's language versions together (one per language, the last built kept)."""
    groups: dict[tuple[str, ...], CountryGroup] = {}
    for entry in entries:
        group = groups.setdefault(entry.countries, CountryGroup(entry.countries))
        about = {k: v for k, v in entry.parameters.items()
                 if k not in HIDDEN_PARAMETERS and k not in ("country", "countries")}
        report = next((r for r in group.reports
                       if r.notebook == entry.notebook and r.parameters == about), None)
        if report is None:
            report = ReportGroup(entry.notebook, about)
            group.reports.append(report)
        kept = report.versions.get(entry.lang)
        if kept is None or entry.built_at >= kept.built_at:
            report.versions[entry.lang] = entry
    for group in groups.values():
        group.reports.sort(key=lambda r: (_type_name(r.notebook, "en"),
                                          json.dumps(r.parameters, sort_keys=True, default=str)))

    def order(countries: tuple[str, ...]) -> tuple[int, list[str], int]:
        names = [country_name(c, "en") for c in countries]
        return (0 if countries else 1, names, len(countries))

    return [groups[k] for k in sorted(groups, key=order)]


def _type_name(notebook: str, lang: str) -> str:
    key = f"portal.type.{notebook}"
    if key in MESSAGES:
        return translate(key, lang)
    return notebook.replace("_", " ").capitalize() if notebook else translate("portal.other",
                                                                              lang)


def _date(stamp: str, lang: str) -> str:
    """An ISO timestamp's day in the reader's language ("30 November 2026", "30 ноября
    2026 г."); the text as it is when it is no date."""
    try:
        day = dt.date.fromisoformat(stamp[:10])
    except ValueError:
        return stamp
    return long_date(day, lang)


def describe(entry: Entry, lang: str) -> str:
    """What a report covers, in words: "Uzbekistan, 2022–2026, peer Azerbaijan"."""
    params = entry.parameters
    parts = []
    if entry.countries:
        parts.append(format_list([country_name(c, lang) for c in entry.countries], locale=lang))
    start, end = params.get("start_year"), params.get("end_year")
    if start and end:
        parts.append(translate("portal.period", lang, start=start, end=end))
    if params.get("peer"):
        parts.append(translate("portal.peer", lang, peer=country_name(str(params["peer"]),
                                                                        lang)))
    return ", ".join(parts)


def key_figures(entry: Entry, lang: str) -> str:
    """The figures the report recorded, in words ("27 activities · 11 partners"), or ``""``."""
    facts = entry.facts
    shown = [plural(noun, int(facts[key]), lang)
             for key, noun in (("activities", "activity"), ("partners", "partner"))
             if isinstance(facts.get(key), int)]
    return " · ".join(shown)


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _warning(warning: ReportWarning, key: str, kind: str, lang: str) -> str:
    """A warning on a card, in the card's language: "Warning: …", "Expected warning: …"."""
    return f'<p class="{kind}">{_e(translate(key, lang, text=warning.say(lang)))}</p>'


def _version(entry: Entry) -> str:
    lang = entry.lang
    links = " · ".join(f'<a href="{_e(entry.name)}.{fmt}">{fmt.upper()}</a>'
                       for fmt in entry.formats) or "—"
    figures = key_figures(entry, lang)
    built = translate("portal.built", lang, date=_date(entry.built_at, lang))
    return (f'<div class="version" lang="{language_tag(lang)}">'
            f'<span class="lang">{lang.upper()}</span>'
            f'<h4>{_e(entry.title)}</h4><p class="about">{_e(describe(entry, lang))}</p>'
            + (f'<p class="figures">{_e(figures)}</p>' if figures else "")
            + "".join(_warning(w, "portal.warning", "warning", lang) for w in entry.warnings)
            + "".join(_warning(w, "portal.warning_expected", "warning expected", lang)
                      for w in entry.expected)
            + f'<p class="links">{links}</p>'
            + (f'<p class="changes"><a href="{CHANGES_DIR}/{_e(entry.name)}.html">'
               f'{_e(translate("portal.changes", lang))}</a></p>' if entry.changes else "")
            + f'<p class="built">{_e(built)}</p></div>')


def _both(key: str, **values: object) -> str:
    """A heading in English and Russian: "English · Русский" (one text when they agree)."""
    texts = list(dict.fromkeys(translate(key, lang, **values) for lang in LANGUAGES))
    return " · ".join(texts)


def render_index(entries: list[Entry], failed: list[Failure],
                 written_at: str | None = None, history: bool = False) -> str:
    """The portal page as HTML text; every value is escaped.

    ``failed``: the reports that failed in the last build (:func:`failed_reports`); a report
    built with warnings is never among them (its card shows the warnings). ``history``: link
    the history of editions (``history.html``, :mod:`analysis.render.history`)."""
    written = written_at or utc_now()
    sections = []
    for group in group_entries(entries):
        names = list(dict.fromkeys(
            format_list([country_name(c, lang) for c in group.countries], locale=lang)
            for lang in LANGUAGES)) if group.countries else [_both("portal.other")]
        cards = []
        for report in group.reports:
            versions = "".join(_version(report.versions[lang])
                               for lang in (*LANGUAGES, *sorted(set(report.versions)
                                                                - set(LANGUAGES)))
                               if lang in report.versions)
            kind = " · ".join(dict.fromkeys(_type_name(report.notebook, lang)
                                            for lang in LANGUAGES))
            cards.append(f'<article class="report"><h3>{_e(kind)}</h3>'
                         f'<div class="versions">{versions}</div></article>')
        sections.append(f'<section class="country"><h2>{_e(" · ".join(names))}</h2>'
                        + "".join(cards) + "</section>")
    failures = ""
    if failed:
        items = "".join(
            f"<li><strong>{_e(f.name)}</strong>: {_e(f.error or _both('portal.no_reason'))}"
            + (f' (<a href="{_e(f.page)}">{_e(_both("portal.error_page"))}</a>)' if f.page
               else "") + "</li>" for f in failed)
        failures = (f'<section class="failed"><h2>{_e(_both("portal.failed"))}</h2>'
                    f"<ul>{items}</ul><p>{_e(_both('portal.failed_note'))}</p></section>")
    body = "".join(sections) or f'<p class="none">{_e(_both("portal.none"))}</p>'
    counts = " · ".join(plural("report", len(entries), lang) for lang in LANGUAGES)
    when = " · ".join(translate("portal.written", lang, date=_date(written, lang))
                      for lang in LANGUAGES)
    history_link = (f'<p><a href="{HISTORY_PAGE}">{_e(_both("portal.history"))}</a></p>'
                    if history else "")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="coopreport {_e(__version__)}">
<title>{_e(_both("portal.title"))}</title>
<style>
body {{ font-family: "Noto Sans", "DejaVu Sans", Arial, sans-serif; color: #1d2733; margin: 0;
       line-height: 1.45; overflow-wrap: normal; word-break: normal; hyphens: manual; }}
header {{ background: #1f5f8b; color: #fff; padding: 1.6rem max(1.5rem, calc(50% - 34rem)); }}
header h1 {{ margin: 0; font-size: 1.6rem; }} header p {{ margin: .3rem 0 0; opacity: .85; }}
main {{ max-width: 68rem; margin: 0 auto; padding: 1rem 1.5rem 2rem; }}
h2 {{ font-size: 1.3rem; border-bottom: 2px solid #1f5f8b; padding-bottom: .2rem;
      margin: 2rem 0 .8rem; }}
h3 {{ font-size: 1rem; color: #1f5f8b; margin: 1.2rem 0 .5rem; }}
.versions {{ display: grid; grid-template-columns: repeat(auto-fit, minmax(18rem, 1fr));
             gap: .8rem; }}
.version {{ border: 1px solid #d5dbe3; border-radius: 4px; padding: .7rem .9rem; }}
.version h4 {{ margin: .2rem 0 .3rem; font-size: 1rem; }}
.version p {{ margin: .2rem 0; }}
.lang {{ font-size: .75rem; letter-spacing: .06em; color: #5b6675; font-weight: 600; }}
.about {{ color: #1d2733; }} .figures {{ font-weight: 600; }}
.built {{ color: #5b6675; font-size: .85rem; }}
a {{ color: #1f5f8b; }}
.failed {{ margin-top: 2rem; border-left: 4px solid #b3261e; padding-left: 1rem; }}
.failed h2 {{ border: 0; }}
.warning {{ border-left: 3px solid #b26a00; padding-left: .5rem; font-size: .9rem; }}
.warning.expected {{ border-color: #8a96a3; color: #5b6675; }}
header a {{ color: #fff; }} .changes {{ font-size: .9rem; }}
</style></head>
<body><header><h1>{_e(_both("portal.title"))}</h1>
<p>{_e(counts)} · {_e(when)}</p>{history_link}
</header><main>
{body}{failures}
</main></body></html>
"""


@dataclass(frozen=True)
class Failure:
    """A report that failed in the last build: its name, the reason the build recorded, and
    the page that says what went wrong (relative to the portal; "" when there is none)."""

    name: str
    error: str
    page: str = ""


FINE = ("ok", "warning", "skipped")  # statuses of a report that did not fail


def failed_reports(out: Path) -> list[Failure]:
    """Reports that failed in the last build (never one built with warnings), each linked to
    its error page, else to its executed notebook (an edition written before the pages
    existed), else to nothing (a kernel that died may have left none)."""
    summary = out / "build-summary.json"
    if not summary.exists():
        return []
    data = json.loads(summary.read_text(encoding="utf-8"))
    found = []
    for report in data.get("reports", []):
        if not isinstance(report, dict) or report.get("status") in FINE:
            continue
        name = str(report.get("name", ""))
        page = next((f"_failed/{name}.{ext}" for ext in ("html", "ipynb")
                     if (out / "_failed" / f"{name}.{ext}").is_file()), "")
        found.append(Failure(name, str(report.get("error") or ""), page))
    return found


def write_index(out: Path) -> Path:
    """(Re)write ``out/index.html`` atomically from the reports the folder holds."""
    return atomic_write(out / INDEX_NAME, render_index(collect_entries(out), failed_reports(out),
                                                       history=(out / HISTORY_PAGE).is_file()))
