"""The publication date of a press item: the formats pages print, a date line under the title,
and --published; fictional texts written for the test (issue 27 names the real patterns)."""

from __future__ import annotations

import datetime as dt

import pytest

from analysis.cli import main
from analysis.extract.pipeline import extract_activities
from analysis.extract.source import read_press_text

BODY = ("The Ministry of Finance of Uzbekistan and the World Bank held a seminar on "
        "e-procurement for procurement officers of the regions on Tuesday.")


@pytest.mark.parametrize(("lines", "expected"), [
    (["22/02/2022"], dt.date(2022, 2, 22)),
    (["21-09-2017"], dt.date(2017, 9, 21)),
    # under the title and a byline, labelled, with a time before the date
    (["Seminar on e-procurement", "By our correspondent", "Дата: 14:33, 21-09-2017."],
     dt.date(2017, 9, 21)),
    (["Xaridlar boʻyicha seminar", "17 sen 2022, 10:45"], dt.date(2022, 9, 17)),
    (["5 December 2023"], dt.date(2023, 12, 5)),
])
def test_a_date_line_on_the_first_screen_is_the_publication_date(tmp_path, lines, expected):
    path = tmp_path / "item.txt"
    path.write_text("\n".join([*lines, BODY]) + "\n", encoding="utf-8")
    press = read_press_text(path)
    assert press.published == expected
    # the date line is the page's, not the item's text
    assert all(line not in press.paragraphs for line in lines[-1:])


def test_a_date_in_the_body_is_not_the_publication_date(tmp_path):
    path = tmp_path / "item.txt"
    path.write_text("A title\n" + BODY + " The strategy runs until 5 December 2030.\n",
                    encoding="utf-8")
    assert read_press_text(path).published is None


def test_a_date_line_below_the_first_screen_is_body_text(tmp_path):
    path = tmp_path / "item.txt"
    lines = ["A title of words", "The second line here", "The third line here",
             "The fourth line here", "The fifth line here", "The sixth line here",
             "22/02/2022", BODY]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert read_press_text(path).published is None


def test_widget_lines_do_not_push_the_date_line_off_the_first_screen(tmp_path):
    """A currency widget and a weather line above the title (a real Uzbek page's pattern,
    written here in our own words) are not lines of text: the date line under the title is
    still read, with its time and section name."""
    path = tmp_path / "item.txt"
    widget = ["$", "12000.00 UZS", "-6.88", "150.00 UZS", "1.38", "14000.00 UZS", "-40.31",
              "31° Kechasi 18°"]
    lines = [*widget, "", "Bank kredit ajratadi", "", "10:49 / 16.12.2021", "", BODY]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert read_press_text(path).published == dt.date(2021, 12, 16)
    path.write_text("Sarlavha shu yerda\n2024-11-12 17:00:00 / Yangiliklar\n" + BODY + "\n",
                    encoding="utf-8")
    assert read_press_text(path).published == dt.date(2024, 11, 12)


def test_an_address_carries_the_publication_date_when_the_page_does_not(tmp_path):
    """htmldate reads /2023/09/30/ and /2025-12-20-...; the rules read Sputnik's /20251128/.
    A date in the text or metadata wins over the address; a future date is no date."""
    path = tmp_path / "item.txt"
    path.write_text("Seminar\n" + BODY + "\n", encoding="utf-8")
    for url, date in (("https://example.uz/uz/item/2023/09/30/seminar", dt.date(2023, 9, 30)),
                      ("https://example.kz/2025-12-20-seminar", dt.date(2025, 12, 20)),
                      ("https://uz.example.ru/20251128/seminar-53805543.html",
                       dt.date(2025, 11, 28)),
                      ("https://example.az/business/4081089.html", None),
                      ("https://uz.example.ru/20991128/seminar.html", None)):
        assert read_press_text(path, url).published == date, url
    path.write_text("Seminar\nDate: 2024-01-05\n\n" + BODY + "\n", encoding="utf-8")
    assert read_press_text(path, "https://example.uz/2023/09/30/x").published == \
        dt.date(2024, 1, 5)


def test_published_on_the_command_line_anchors_yearless_and_weekday_dates(tmp_path):
    """"On Tuesday" in an item published on Thursday 10 July 2025 is 8 July 2025; without a
    publication date the item has no anchor for it."""
    path = tmp_path / "item.txt"
    path.write_text("Seminar\n" + BODY + "\n", encoding="utf-8")
    [activity] = extract_activities(read_press_text(path, published=dt.date(2025, 7, 10)))
    assert activity.date.date == dt.date(2025, 7, 8)
    out = tmp_path / "drafts.csv"
    assert main(["extract", str(path), "--published", "2025-07-10", "--output", str(out)]) == 0
    assert ",2025-07-08," in out.read_text(encoding="utf-8")


def test_a_published_date_that_is_no_date_is_a_usage_error(tmp_path, capsys):
    path = tmp_path / "item.txt"
    path.write_text("Seminar\n" + BODY + "\n", encoding="utf-8")
    assert main(["extract", str(path), "--published", "10.07.2025", "--output",
                 str(tmp_path / "d.csv")]) == 2
    assert "--published '10.07.2025' is not a date; write YYYY-MM-DD" in capsys.readouterr().err
    assert not (tmp_path / "d.csv").exists()
