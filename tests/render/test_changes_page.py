"""The "what changed" page and the history page: hand-made records and histories."""

from __future__ import annotations

import re
from html import unescape

from analysis.render.changes_page import render_changes
from analysis.render.history import render_history


def shown(page: str) -> str:
    body = page.split("<body>", 1)[1]
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", body)).replace("\xa0", " "))


def saved(lang: str, built_at: str, record: dict[str, object]) -> dict[str, object]:
    return {"name": "uzb", "title": "Profile <b>", "lang": lang, "built_at": built_at,
            "record": record}


BEFORE = {"activities": [{"id": "U1", "date": "2023-05", "precision": "month", "title": "Old"}],
          "figures": [{"key": "activities", "country": "UZB", "value": 1},
                      {"key": "financing", "country": "UZB", "value": 1_500_000}],
          "findings": [], "references": [{"indicator": "cpi_score", "country": "UZB",
                                           "year": 2023, "value": 33}]}
AFTER = {"activities": [{"id": "U1", "date": "2023-05", "precision": "month", "title": "Old"},
                        {"id": "U<2>", "date": "2024-09-05", "precision": "day",
                         "title": "New <script>"}],
         "figures": [{"key": "activities", "country": "UZB", "value": 2},
                     {"key": "financing", "country": "UZB", "value": 1_500_000}],
         "findings": [{"id": "overdue", "text": "Two commitments are past due."}],
         "references": [{"indicator": "cpi_score", "country": "UZB", "year": 2023,
                         "value": 34.5}]}


def test_the_page_lists_each_change_in_english_escaped():
    page = render_changes(saved("en", "2026-12-07T10:00:00Z", AFTER),
                          saved("en", "2026-11-30T10:00:00Z", BEFORE))
    assert "<script>" not in page and "&lt;script&gt;" in page
    text = shown(page)
    assert text.startswith(" What changed: Profile <b> This edition (December 7, 2026, 10:00 "
                           "UTC) is compared with the report's previous edition (November 30, "
                           "2026, 10:00 UTC).")
    assert "Activities added (1) Identifier Date Title U<2> September 5, 2024 New <script>" in text
    assert "Key figures that changed Figure Country Previous edition This edition " \
           "Activities Uzbekistan 1 2 " in text
    assert "Committed" not in text  # the financing total did not change
    # the finding's identifier is kept for machines, never shown to the reader
    assert "New findings Two commitments are past due. Values of indices" in text
    assert "(overdue)" not in text and '<li data-finding="overdue">' in page
    assert "Indicator Country Year Previous edition This edition" in text
    assert re.search(r"Uzbekistan 2023 33 34\.5", text)
    assert 'href="../uzb.html"' in page and 'href="../history.html"' in page


def test_the_page_in_russian_and_uzbek():
    text = shown(render_changes(saved("ru", "2026-12-07T10:00:00Z", AFTER),
                                saved("ru", "2026-11-30T10:00:00Z", BEFORE)))
    assert "Изменения в отчёте «Profile <b>»" in text
    assert ("Этот выпуск (7 декабря 2026 г., 10:00 UTC) сравнивается с предыдущим выпуском "
            "отчёта (30 ноября 2026 г., 10:00 UTC).") in text
    # Russian keeps its no-break spaces, as the reports do: "в отчёте", "2026 г."
    page = render_changes(saved("ru", "2026-12-07T10:00:00Z", AFTER),
                          saved("ru", "2026-11-30T10:00:00Z", BEFORE))
    assert "Изменения в\xa0отчёте" in page and "2026\u202fг." in page
    assert "Добавленные мероприятия (1)" in text and "5 сентября 2024 г." in text
    assert "Мероприятия Узбекистан 1 2" in text and "Узбекистан 2023 33 34,5" in text
    uzbek = shown(render_changes(saved("uz", "2026-12-07T10:00:00Z", AFTER), None))
    assert "Bu hisobotning birinchi nashri" in uzbek


def test_two_editions_of_the_same_minute_are_told_apart_by_their_seconds():
    text = shown(render_changes(saved("uz", "2026-12-07T15:07:48Z", AFTER),
                                saved("uz", "2026-12-07T15:07:06Z", BEFORE)))
    assert ("Ushbu nashr (2026-yil 7-dekabr, 15:07:48 UTC) hisobotning oldingi nashri "
            "(2026-yil 7-dekabr, 15:07:06 UTC) bilan taqqoslangan.") in text


def test_the_first_edition_and_an_unchanged_one_say_so():
    first = shown(render_changes(saved("en", "2026-12-07", AFTER), None))
    assert "This is the first edition of the report: there is no previous edition to " \
           "compare it with." in first
    assert "Activities added" not in first
    same = shown(render_changes(saved("en", "2026-12-07", AFTER), saved("en", "2026-12-01",
                                                                         AFTER)))
    assert "Since the previous edition, no activity was added or removed" in same


def test_the_history_lists_editions_newest_first_and_links_only_kept_ones(tmp_path):
    editions = tmp_path / ".editions"
    for name in ("e-1", "e-2", "e-3"):
        (editions / name / "_changes").mkdir(parents=True)
        (editions / name / "a.html").write_text("a", encoding="utf-8")
        (editions / name / "_changes" / "a.html").write_text("c", encoding="utf-8")
    (editions / "e-3" / "_failed").mkdir()
    (editions / "e-3" / "_failed" / "b.html").write_text("x", encoding="utf-8")
    entries = [
        {"edition": "e-1", "built_at": "2026-12-01T08:00:00Z", "commit": "a" * 40,
         "data": [{"registry": "data/r.csv", "sha256": "f" * 64}],
         "reports": [{"name": "a", "status": "ok", "lang": "ru"}]},
        {"edition": "e-2", "built_at": "2026-12-02T08:00:00Z", "commit": "b" * 40 + "-dirty",
         "data": [], "reports": [{"name": "a", "status": "ok", "lang": "ru"}]},
        {"edition": "e-3", "built_at": "2026-12-03T08:00:00Z", "commit": None, "data": [],
         "reports": [{"name": "a", "status": "warning"}, {"name": "b", "status": "failed"}]},
    ]
    page = render_history(entries, editions / "e-3", kept={"e-2", "e-3"})
    rows = re.findall(r"<tr><td>(.*?)</tr>", page)
    assert [r[:16] for r in rows] == ["2026-12-03 08:00", "2026-12-02 08:00", "2026-12-01 08:00"]
    # this edition: links beside the page; a kept one: through .editions; a removed one: none
    assert 'href="a.html"' in rows[0] and 'href="_changes/a.html"' in rows[0]
    # the link to what changed in the report's language (every language when not recorded)
    assert "what changed · что изменилось · nima oʻzgardi" in rows[0]
    assert 'href="_failed/b.html"' in rows[0]
    assert 'href=".editions/e-2/a.html"' in rows[1]
    assert '<a href=".editions/e-2/_changes/a.html">что изменилось</a>' in rows[1]
    assert "e-1/" not in rows[2] and "aaaaaaaaaaaa" in rows[2] and "ffffffffffff" in rows[2]
    assert "bbbbbbbbbbbb-dirty" in rows[1]
    text = shown(page)
    assert "current edition" in text and "no longer kept" in text
    assert "История выпусков" in text and "Nashrlar tarixi" in text
