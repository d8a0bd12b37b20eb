"""From press files to drafts: HTML input, language, fields, the drafts CSV and the command."""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import sys
from pathlib import Path

import pytest

from analysis.cli import main
from analysis.core import paths
from analysis.core.errors import ExtractError
from analysis.data.drafts import DRAFT_COLUMNS, check_drafts
from analysis.extract.evaluate import score_field
from analysis.extract.language import detect_language
from analysis.extract.pipeline import extract_activities
from analysis.extract.source import read_press_text

PRESS = paths.press_fixtures()

HTML = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Seminar</title>
<meta property="og:url" content="https://example.uz/news/1">
<meta name="date" content="2023-12-15"></head><body><nav>Home | News | Contact us</nav>
<article><h1>Seminar on public procurement</h1>
<p>Tashkent, 15 December 2023 - Yesterday the Ministry of Finance of Uzbekistan and the World
Bank held a seminar on e-procurement for procurement officers of the regions.</p>
<p>Participants discussed the new electronic procurement portal and training needs.</p>
</article><footer>Copyright 2023, all rights reserved</footer></body></html>"""


def test_html_main_text_and_metadata(tmp_path: Path) -> None:
    page = tmp_path / "item.html"
    page.write_text(HTML, encoding="utf-8")
    press = read_press_text(page)
    assert press.published == dt.date(2023, 12, 15)
    assert press.url == "https://example.uz/news/1"
    assert press.title == "Seminar on public procurement"
    assert not any("Copyright" in p or "Contact" in p for p in press.paragraphs)
    [activity] = extract_activities(press)
    assert activity.date.date == dt.date(2023, 12, 14)  # "yesterday" from 15 December
    assert activity.partners.values == ("World Bank",)
    assert activity.country.values == ("UZB",)
    assert activity.activity_type.values == ("seminar",)
    assert set(activity.themes.values) >= {"public_procurement", "e_procurement"}
    assert activity.counterpart.name == "Ministry of Finance"


def test_source_url_option_wins(tmp_path: Path) -> None:
    page = tmp_path / "item.html"
    page.write_text(HTML, encoding="utf-8")
    press = read_press_text(page, "https://other.example/a")
    assert press.url == "https://other.example/a" and press.publisher == "other.example"


@pytest.mark.parametrize("address", ["http://[::1", "https://[x]/", "ftp://example.uz/a",
                                     "example.uz/news"])
def test_a_source_url_that_is_no_web_address_is_refused_before_anything_is_read(
        tmp_path: Path, capsys, address: str) -> None:
    """Red team (issue 21): --source-url http://[::1 ended in a traceback."""
    page = tmp_path / "item.html"
    page.write_text(HTML, encoding="utf-8")
    out = tmp_path / "drafts.csv"
    assert main(["extract", str(page), "--source-url", address, "--output", str(out)]) == 2
    assert f"--source-url {address!r}: not a web address" in capsys.readouterr().err
    assert not out.exists()


def test_a_text_whose_own_address_is_no_web_address_drafts_without_it(tmp_path: Path,
                                                                     caplog) -> None:
    """A press text's header may give its address (``URL: ...``); one that is no web address
    is left out with a warning, and the item is still drafted."""
    item = tmp_path / "item.txt"
    item.write_text("URL: http://[::1\nDate: 2023-12-15\n\nTashkent, 15 December 2023 - The "
                    "Ministry of Finance of Uzbekistan and the World Bank held a seminar on "
                    "e-procurement.\n", encoding="utf-8")
    with caplog.at_level("WARNING", logger="analysis.extract.source"):
        press = read_press_text(item)
    assert press.url == "" and press.publisher == ""
    assert "the page's own address 'http://[::1' is left out: not a web address" in caplog.text
    [activity] = extract_activities(press)
    assert activity.country.values == ("UZB",)


def test_unreadable_input_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("Caf\xe9".encode("latin-1"))
    with pytest.raises(ExtractError, match="latin1.txt: byte 4 is not UTF-8"):
        read_press_text(bad)


@pytest.mark.parametrize(("text", "language", "code"), [
    ("Министерство финансов и Всемирный банк провели семинар по закупкам.", "ru", "ru"),
    ("Молия вазирлиги ва Жаҳон банки семинар ўтказди.", "uz-Cyrl", "uz"),
    ("Moliya vazirligi va Jahon banki bilan seminar o'tkazildi.", "uz-Latn", "uz"),
    ("Maliyyə Nazirliyi və Dünya Bankı seminar keçirib.", "az", "az"),
    ("The Ministry of Finance and the World Bank held a seminar.", "en", "en"),
])
def test_language_and_script(text: str, language: str, code: str) -> None:
    detected = detect_language(text)
    assert (detected.language, detected.code) == (language, code)


def test_two_dated_activities_give_two_drafts() -> None:
    activities = extract_activities(read_press_text(PRESS / "en-05.txt"))
    assert [(a.date.text, a.partners.values) for a in activities] == [
        ("2018-11-20", ("OSCE",)), ("2018-11-21", ("ADB",))]


def test_no_partner_no_draft(tmp_path: Path) -> None:
    item = tmp_path / "none.txt"
    item.write_text("Date: 2023-01-05\nThe ministry held a meeting in Tashkent on 4 January "
                    "2023.\n", encoding="utf-8")
    assert extract_activities(read_press_text(item)) == []


def test_every_fixture_gives_drafts_that_validate(tmp_path: Path, capsys) -> None:
    files = sorted(str(p) for p in PRESS.iterdir() if p.suffix in (".txt", ".html"))
    drafts = tmp_path / "drafts.csv"
    assert main(["extract", *files, "--output", str(drafts)]) == 0
    with drafts.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
    assert tuple(reader.fieldnames or ()) == DRAFT_COLUMNS
    assert len(rows) == 30  # 29 texts, one with two activities
    assert check_drafts(drafts) == []
    assert main(["validate", str(drafts)]) == 0
    assert "30 draft activities" in capsys.readouterr().out
    ru = next(r for r in rows if r["input_file"].endswith("ru-01.txt"))
    assert ru["title"] == ("Seminar with World Bank on public procurement, e-procurement and "
                           "capacity building (Ministry of Economy and Finance)")
    assert ru["title_ru"].startswith("Семинар: Всемирный банк — государственные закупки")
    assert ru["detected_language"] == "ru" and ru["source_language"] == "ru"
    assert float(ru["confidence_date"]) >= 0.8 and "В среду" in ru["evidence_date"]


def test_validate_reports_a_broken_draft_at_its_line(tmp_path: Path, capsys) -> None:
    drafts = tmp_path / "drafts.csv"
    assert main(["extract", str(PRESS / "az-01.txt"), "--output", str(drafts)]) == 0
    lines = drafts.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace(",seminar,", ",semnar,", 1)
    drafts.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["validate", str(drafts)]) == 2
    assert "drafts.csv:2: activity_type: semnar: unknown activity type; did you mean " \
           "'seminar'?" in capsys.readouterr().err


def test_extract_then_append_reviewed_drafts(tmp_path: Path, write_registry) -> None:
    from tests.helpers import GOOD_ROW

    registry = write_registry([GOOD_ROW])
    before = registry.read_bytes()
    drafts = tmp_path / "drafts.csv"
    assert main(["extract", str(PRESS / "uzl-03.txt"), "--output", str(drafts)]) == 0
    assert main(["extract", str(drafts), "--append-to", str(registry)]) == 0
    after = registry.read_bytes()
    assert after.startswith(before)
    assert after[len(before):].decode().startswith("UZB-2024-02-07-world-bank-conference,")


def test_extract_needs_an_output_or_append_target(capsys) -> None:
    assert main(["extract", str(PRESS / "az-01.txt")]) == 2
    assert "--output" in capsys.readouterr().err


@pytest.mark.parametrize(("field", "expected", "found", "score"), [
    ("themes", "a;b;c", "a;b;d", 0.5),  # 2 shared of 4
    ("partners", "UNDP;World Bank", "World Bank;UNDP", 1.0),
    ("date", "2023-12-14", "2023-12-15", 0.0),
    ("date", "2023-12-14", None, 0.0),
])
def test_scores(field: str, expected: str, found: str | None, score: float) -> None:
    assert score_field(field, expected, found) == score


def test_extract_without_its_libraries_says_how_to_install_them(tmp_path, monkeypatch, capsys):
    find_spec = importlib.util.find_spec  # as if the extra's lingua were not installed
    monkeypatch.setitem(sys.modules, "lingua", None)
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *args: None if name == "lingua" else find_spec(name, *args))
    assert main(["extract", str(PRESS / "az-01.txt"), "--output", str(tmp_path / "d.csv")]) == 69
    err = capsys.readouterr().err
    assert "needs the text-extraction libraries, and lingua is not installed" in err
    assert "pip install 'coopreport[extract]'" in err
    assert not (tmp_path / "d.csv").exists()
