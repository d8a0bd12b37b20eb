"""The portal page: reports grouped by country and type, language versions side by side,
key figures the reports recorded, parameters in words, dates in the reader's language."""

from __future__ import annotations

import json
import re

import nbformat

from analysis.render.portal import (
    Entry,
    Failure,
    collect_entries,
    group_entries,
    render_index,
    write_index,
)
from analysis.report.display import FACTS_MIMETYPE


def entry(name: str, notebook: str, lang: str = "en", facts: dict | None = None,
          **parameters: object) -> Entry:
    params = {"start_year": 2022, "end_year": 2026, "data_path": "data/x.csv", **parameters}
    if lang != "en":
        params["lang"] = lang
    return Entry(name, f"Title {name}", "", params, "2026-11-29T05:30:00Z", ("html", "pdf"),
                 notebook, facts or {})


ENTRIES = [
    entry("uzb-aze", "country_comparison", countries=["UZB", "AZE"]),
    entry("uzb-spcr-ru", "strategic_procurement", "ru", {"activities": 21, "partners": 5},
          country="UZB", peer="AZE"),
    entry("uzb-profile", "country_profile", country="UZB"),
    entry("uzb-spcr", "strategic_procurement", "en", {"activities": 21, "partners": 5},
          country="UZB", peer="AZE"),
    entry("aze-profile", "country_profile", country="AZE"),
    entry("uzb-spcr-kaz", "strategic_procurement", country="UZB", peer="KAZ"),
]


def test_reports_are_grouped_by_country_then_type_with_languages_together():
    groups = group_entries(ENTRIES)
    assert [g.countries for g in groups] == [("AZE",), ("UZB",), ("UZB", "AZE")]
    uzb = groups[1]
    # by type (English name), then parameters: a different peer is another report
    assert [(r.notebook, r.parameters.get("peer")) for r in uzb.reports] == [
        ("country_profile", None), ("strategic_procurement", "AZE"),
        ("strategic_procurement", "KAZ")]
    spcr = uzb.reports[1]
    assert {lang: e.name for lang, e in spcr.versions.items()} == {"en": "uzb-spcr",
                                                                   "ru": "uzb-spcr-ru"}


def test_page_shows_words_figures_and_links_not_raw_parameters():
    page = render_index(ENTRIES, [], written_at="2026-11-29T05:30:00Z")
    headings = re.findall(r"<h2>([^<]*)</h2>", page)
    # in every report language: English, Russian, Uzbek (Latin)
    assert headings == ["Azerbaijan · Азербайджан · Ozarbayjon",
                        "Uzbekistan · Узбекистан · Oʻzbekiston",
                        "Uzbekistan and Azerbaijan · Узбекистан и Азербайджан · "
                        "Oʻzbekiston va Ozarbayjon"]
    assert "<h3>Strategic Procurement Country Report · Страновой отчёт о стратегических " \
           "закупках · Strategik xaridlar boʻyicha mamlakat hisoboti</h3>" in page
    # the two language versions of one report side by side, English first
    spcr = page.index('href="uzb-spcr.html"')
    assert spcr < page.index('href="uzb-spcr-ru.html"') < page.index('href="uzb-spcr-kaz.html"')
    assert "Uzbekistan, 2022–2026, peer Azerbaijan" in page
    assert "Узбекистан, 2022–2026 гг., для сравнения: Азербайджан" in page
    assert "21 activities · 5 partners" in page and "21 мероприятие · 5 партнёров" in page
    assert "Built November 29, 2026" in page and "Подготовлен 29 ноября 2026" in page
    assert "6 reports · 6 отчётов" in page
    # no raw parameters, no figures a report did not record, nothing loaded
    assert "data_path" not in page and "start_year" not in page and "data/x.csv" not in page
    assert page.count('class="figures"') == 2
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)


def test_failed_reports_and_an_empty_folder():
    page = render_index([], [Failure("bad-report", "<b>boom</b>", "_failed/bad-report.html"),
                             Failure("dead", "kernel died"), Failure("mute", "")])
    assert "No reports built yet. · Отчёты ещё не собраны." in page
    assert ("<strong>bad-report</strong>: &lt;b&gt;boom&lt;/b&gt; "
            '(<a href="_failed/bad-report.html">what went wrong') in page
    # a report whose kernel died left no notebook: nothing is linked that is not there
    assert "<li><strong>dead</strong>: kernel died</li>" in page and "_failed/dead" not in page
    # never an empty reason
    assert "<li><strong>mute</strong>: no reason was recorded · причина не записана" in page


def notebook_record(folder, name, notebook, parameters, **meta):
    """A published report as the build leaves it: its executed notebook and its HTML."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["coopreport"] = {"title": f"Title {name}", "provenance": {
        "parameters": parameters, "built_at": "2026-12-01T00:00:00Z"}, **meta}
    nb.metadata["papermill"] = {"input_path": f"/x/notebooks/{notebook}.ipynb"}
    nbformat.write(nb, folder / f"{name}.ipynb")
    (folder / f"{name}.html").write_text("x", encoding="utf-8")


def test_the_portal_keeps_failures_apart_from_warnings(tmp_path):
    """Issue 28: a `warning` report was listed under "Failed in the last build" with an empty
    reason, and as a card. From hand-made build records (notebooks + summary): the ok and the
    warning report are cards, the warning's text on its card in the card's language; only the
    failed one is under Failed, with its reason and a link to its error page."""
    peer_warning = {"text": "no activities for the peer country KAZ in 2019–2023: its figures "
                            "in the report are all zero", "kind": "empty-peer",
                    "message": "warning.empty_peer",
                    "values": {"country": "KAZ", "start": 2019, "end": 2023}}
    notebook_record(tmp_path, "uzb-profile", "country_profile", {"country": "UZB"})
    notebook_record(tmp_path, "uzb-kaz", "country_comparison",
                    {"countries": ["UZB", "KAZ"], "start_year": 2019, "end_year": 2023},
                    warnings=[peer_warning])
    notebook_record(tmp_path, "uzb-kaz-ru", "country_comparison",
                    {"countries": ["UZB", "KAZ"], "start_year": 2019, "end_year": 2023,
                     "lang": "ru"}, warnings=[peer_warning])
    notebook_record(tmp_path, "uzb-spcr", "strategic_procurement",
                    {"country": "UZB", "peer": "KAZ", "start_year": 2019, "end_year": 2023},
                    expected_warnings=[peer_warning])
    (tmp_path / "_failed").mkdir()
    (tmp_path / "_failed" / "aze-profile.html").write_text("page", encoding="utf-8")
    (tmp_path / "build-summary.json").write_text(json.dumps({"reports": [
        {"name": "uzb-profile", "status": "ok"},
        {"name": "uzb-kaz", "status": "warning", "warnings": [peer_warning["text"]]},
        {"name": "uzb-kaz-ru", "status": "skipped"},
        {"name": "uzb-spcr", "status": "ok"},
        {"name": "aze-profile", "status": "failed",
         "error": "ZeroDivisionError: division by zero"}]}), encoding="utf-8")
    page = write_index(tmp_path).read_text(encoding="utf-8")
    cards, failed = page.split('<section class="failed">')
    assert re.findall(r"<li>.*?</li>", failed) == [
        '<li><strong>aze-profile</strong>: ZeroDivisionError: division by zero (<a '
        'href="_failed/aze-profile.html">what went wrong · описание ошибки · xato tavsifi</a>)'
        "</li>"]
    assert "uzb-kaz" not in failed and "uzb-spcr" not in failed
    for name in ("uzb-profile", "uzb-kaz", "uzb-kaz-ru", "uzb-spcr"):
        assert f'href="{name}.html"' in cards
    # each card (one language version) with the warnings of its own report, in its language
    versions = {re.search(r'href="([^"]+)\.html"', card).group(1):
                re.findall(r'<p class="(warning[^"]*)">([^<]*)</p>', card)
                for card in cards.split('<div class="version"')[1:]}
    english = ("no activities for the peer country Kazakhstan in 2019–2023: its figures in the "
               "report are all zero")
    assert versions == {
        "uzb-profile": [],
        "uzb-spcr": [("warning expected", f"Expected warning: {english}")],
        "uzb-kaz": [("warning", f"Warning: {english}")],
        "uzb-kaz-ru": [("warning", "Предупреждение: по Казахстану, стране для сравнения, за "
                                   "2019–2023 гг. нет мероприятий: её показатели в отчёте "
                                   "нулевые")]}


def test_a_warning_recorded_as_text_by_an_earlier_version_is_shown_as_it_is(tmp_path):
    notebook_record(tmp_path, "kaz", "country_profile", {"country": "KAZ"},
                    warnings=["no activities for KAZ in 2017–2026: the report shows only zeros"])
    [entry] = collect_entries(tmp_path)
    page = render_index([entry], [])
    assert ('<p class="warning">Warning: no activities for KAZ in 2017–2026: the report shows '
            "only zeros</p>") in page
    assert '<section class="failed">' not in page


def test_collect_reads_the_recorded_facts_and_the_report_type(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.metadata["coopreport"] = {"title": "T", "provenance": {
        "parameters": {"country": "UZB", "lang": "ru"}, "built_at": "2026-01-02T00:00:00Z"}}
    nb.metadata["papermill"] = {"input_path": "/x/notebooks/country_profile.ipynb"}
    cell = nbformat.v4.new_code_cell("r.data_note(data)")
    cell.outputs = [nbformat.v4.new_output("display_data", data={
        FACTS_MIMETYPE: {"activities": 3, "partners": 2}, "text/plain": "note"})]
    nb.cells = [cell]
    nbformat.write(nb, tmp_path / "uzb-ru.ipynb")
    (tmp_path / "uzb-ru.html").write_text("x", encoding="utf-8")
    [found] = collect_entries(tmp_path)
    assert (found.name, found.notebook, found.lang, found.formats, found.facts) == (
        "uzb-ru", "country_profile", "ru", ("html",), {"activities": 3, "partners": 2})
