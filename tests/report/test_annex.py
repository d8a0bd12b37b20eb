"""The annex: at most ``limit`` activities listed, a sentence saying how many of how many, and
the full list as a CSV attachment (zipped when large); formula cells neutralised.

Registries are hand-made (fictional rows); every expectation is computed by hand.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import zipfile
from dataclasses import replace

import pytest

from analysis.report import annex
from analysis.report import procurement as p
from analysis.report import sections as r
from analysis.report.display import Attachment, Paragraph, Table
from tests.helpers import make_row, registry_text

AS_OF = dt.date(2026, 11, 30)

# Uzbekistan 2023, five activities; P = procurement-related (public_procurement), G = governance
# only. Newest first: G5 (Nov), P4 (Sep), G3 (Jul), P2 (May), G1 (Feb).
ROWS = [
    make_row(activity_id="G1", date="2023-02-01", themes="governance", title="Talks one",
             title_ru="Переговоры один"),
    make_row(activity_id="P2", date="2023-05-01", themes="public_procurement",
             title="Seminar two"),
    make_row(activity_id="G3", date="2023-07-01", themes="governance", title="Talks three",
             partners="World Bank;UNDP"),
    make_row(activity_id="P4", date="2023-09-01", themes="public_procurement",
             title="Seminar four", amount_usd="1500000", amount_kind="committed"),
    make_row(activity_id="G5", date="2023-11-01", themes="governance", title="Talks five"),
]


def prepared(tmp_path, lang="en", rows=ROWS):
    path = tmp_path / "reg.csv"
    path.write_text(registry_text(rows), encoding="utf-8")
    return r.prepare_report(path, ["UZB"], 2023, 2023, lang, as_of=AS_OF)


def csv_rows(attachment: Attachment) -> list[list[str]]:
    """The CSV rows of an attachment (unzipped when it is a ZIP)."""
    content = attachment.content
    if attachment.mediatype == "application/zip":
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            assert zf.namelist() == ["activities.csv"]
            content = zf.read("activities.csv")
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for spreadsheets
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def ids(frame):
    return sorted(frame["activity_id"])


def test_select_listed_keeps_all_up_to_the_limit(tmp_path):
    acts = prepared(tmp_path).activities
    assert ids(annex.select_listed(acts, 5)) == ["G1", "G3", "G5", "P2", "P4"]


def test_select_listed_takes_the_most_recent(tmp_path):
    acts = prepared(tmp_path).activities
    assert ids(annex.select_listed(acts, 3)) == ["G3", "G5", "P4"]


def test_select_listed_takes_first_themes_first(tmp_path):
    acts = prepared(tmp_path).activities
    assert ids(annex.select_listed(acts, 3, ["public_procurement"])) == ["G5", "P2", "P4"]
    assert ids(annex.select_listed(acts, 1, ["public_procurement"])) == ["P4"]


def test_select_listed_breaks_date_ties_by_id(tmp_path):
    rows = [make_row(activity_id=i, date="2023-05-01") for i in ("A", "C", "B")]
    acts = prepared(tmp_path, rows=rows).activities
    assert ids(annex.select_listed(acts, 2)) == ["B", "C"]


def test_select_listed_refuses_a_limit_below_one(tmp_path):
    with pytest.raises(ValueError, match="at least 1"):
        annex.select_listed(prepared(tmp_path).activities, 0)


def test_capped_annex_says_how_many_of_how_many(tmp_path):
    note, table, attachment = annex.annex_view(prepared(tmp_path), limit=2)
    assert isinstance(note, Paragraph) and isinstance(table, Table)
    assert repr(note) == ("The annex lists 2 of the report's 5 activities: the most recent. "
                          "The full list is attached to this report as a CSV file.")
    assert table.caption == "The report's activities with their sources: 2 of 5 listed"
    assert table.frame["Title"].tolist() == ["Seminar four", "Talks five"]  # date order
    assert attachment.label == "Download the full list: 5 activities, CSV file"
    assert attachment.note == ("The full list (5 activities) is attached to the HTML edition "
                               "of this report as a CSV file.")


def test_capped_annex_in_russian(tmp_path):
    note, table, attachment = annex.annex_view(prepared(tmp_path, "ru"), limit=2)
    assert repr(note) == ("В приложении приведены 2 из 5 мероприятий отчёта: самые последние "
                          "по дате. Полный список приложен к отчёту в виде файла CSV.")
    assert table.caption == ("Мероприятия, включённые в отчёт, и их источники "
                             "(приведены 2 из 5)")
    assert attachment.label == "Скачать полный список: 5 мероприятий, файл CSV"
    assert attachment.note == ("Перечень мероприятий в формате CSV приложен к электронной "
                               "(HTML) версии отчёта.")


def test_russian_total_after_iz_is_genitive(tmp_path):
    rows = [make_row(activity_id=f"A{i:02d}", date=f"2023-01-{i:02d}") for i in range(1, 22)]
    note, *_ = annex.annex_view(prepared(tmp_path, "ru", rows=rows), limit=2)
    assert "приведены 2 из 21 мероприятия отчёта" in repr(note)


def test_procurement_report_lists_procurement_related_first(tmp_path):
    # 5 activities, under the limit: the table and the list, no note
    assert [type(x) for x in p.annex_view(prepared(tmp_path))] == [Table, Attachment]
    data = prepared(tmp_path)
    shown = annex.annex_view(data, limit=3, first_themes=data.taxonomy.procurement_themes())
    assert repr(shown[0]).endswith(": procurement-related activities first, then the most "
                                   "recent. The full list is attached to this report as a "
                                   "CSV file.")
    assert shown[1].frame["Title"].tolist() == ["Seminar two", "Seminar four", "Talks five"]


def test_uncapped_annex_has_no_note(tmp_path):
    table, attachment = annex.annex_view(prepared(tmp_path))
    assert table.caption == "The report's activities with their sources (5)"
    assert len(csv_rows(attachment)) == 6


def test_csv_holds_every_activity_with_formulas_neutralised(tmp_path):
    data = prepared(tmp_path)
    # validate refuses formula-like text; the CSV neutralises it anyway (defence in depth)
    acts = data.activities.copy()
    acts.loc[acts["activity_id"] == "P2", "title"] = "=HYPERLINK(\"http://x\")"
    acts.loc[acts["activity_id"] == "G5", "title"] = "@Talks five"
    acts.loc[acts["activity_id"] == "G1", "source"] = "-2+3"
    acts.loc[acts["activity_id"] == "G3", "source"] = "+cmd"
    attachment = annex.activity_list(replace(data, activities=acts))
    assert (attachment.suffix, attachment.mediatype) == ("activities.csv", "text/csv")
    header, *rows = csv_rows(attachment)
    assert header == list(annex.CSV_COLUMNS)
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert list(by_id) == ["G1", "P2", "G3", "P4", "G5"]  # date order
    assert by_id["P2"]["title"] == "'=HYPERLINK(\"http://x\")"
    assert by_id["G5"]["title"] == "'@Talks five"
    assert by_id["G1"]["source"] == "'-2+3"
    assert by_id["G3"]["source"] == "'+cmd"
    assert by_id["P4"]["source"] == "example.org"
    assert by_id["G3"]["partners"] == "World Bank;UNDP"
    assert by_id["P4"]["amount_usd"] == "1500000"
    assert by_id["P4"]["amount_kind"] == "committed"
    assert by_id["G1"]["date"] == "2023-02-01"
    assert by_id["G1"]["source_url"] == "https://example.org/news/1"


def russian_rows(attachment: Attachment) -> list[list[str]]:
    """The rows of a Russian CSV: ";" between cells, as Excel in a Russian locale reads it."""
    content = attachment.content
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def test_csv_title_in_the_report_language(tmp_path):
    header, *rows = russian_rows(annex.activity_list(prepared(tmp_path, "ru")))
    titles = {row[0]: row[header.index("Название")] for row in rows}
    assert titles["G1"] == "Переговоры один"
    assert titles["G3"] == "Talks three (англ.)"


def test_a_russian_csv_has_russian_headers_and_labels_and_semicolons(tmp_path):
    attachment = annex.activity_list(prepared(tmp_path, "ru"))
    assert b";" in attachment.content.splitlines()[0]
    header, *rows = russian_rows(attachment)
    assert header == ["Идентификатор", "Дата", "Страна", "Партнёры", "Форма сотрудничества", "Темы",
                      "Название", "Сумма, долл. США", "Статус суммы", "Источник",
                      "Адрес источника"]
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert by_id["G3"]["Страна"] == "Узбекистан"
    assert by_id["G3"]["Партнёры"] == "Всемирный банк; ПРООН"
    assert by_id["P4"]["Темы"] == "Государственные закупки"
    assert by_id["P4"]["Статус суммы"] == "принятое обязательство"
    assert by_id["P4"]["Сумма, долл. США"] == "1500000"  # a number a spreadsheet reads
    assert by_id["G1"]["Дата"] == "2023-02-01"


def test_large_csv_is_zipped(tmp_path):
    data = prepared(tmp_path)
    plain = annex.activity_list(data)
    zipped = annex.activity_list(data, plain_limit=100)
    assert (zipped.suffix, zipped.mediatype) == ("activities.zip", "application/zip")
    assert zipped.label == "Download the full list: 5 activities, CSV file in a ZIP archive"
    assert csv_rows(zipped) == csv_rows(plain)
    # the same activities give the same bytes (a fixed date inside the archive)
    assert annex.activity_list(data, plain_limit=100).content == zipped.content


def test_attachment_payload_decodes_to_the_csv(tmp_path):
    attachment = annex.activity_list(prepared(tmp_path))
    payload = attachment._repr_mimebundle_()["application/vnd.coopreport.attachment+json"]
    assert base64.b64decode(payload["base64"]) == attachment.content


@pytest.mark.slow
def test_a_report_of_6000_activities_builds_with_a_capped_annex(tmp_path):
    """A Strategic Procurement Country Report of 6,000 activities (the frozen test registry's
    Uzbek rows resampled, ids made unique) builds; its annex lists 200 with the note, and the
    attached list decodes to all 6,000."""
    import re

    from pypdf import PdfReader

    from analysis.cli import main
    from tests.helpers import resampled_registry

    registry, rows = resampled_registry(tmp_path, 6000, seed=6000)
    spec = tmp_path / "large.yaml"
    spec.write_text("name: uzb-large\nnotebook: strategic_procurement.ipynb\n"
                    "title: Large\nformats: [html, pdf]\nparameters:\n  country: UZB\n"
                    "  peer: \"\"\n  start_year: 2017\n  end_year: 2026\n"
                    f"  data_path: {registry}\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", str(spec), "--output-dir", str(out), "--renderer", "builtin"]) == 0

    html = (out / "uzb-large.html").read_text(encoding="utf-8")
    assert ("The annex lists 200 of the report's 6,000 activities: procurement-related "
            "activities first, then the most recent.") in html
    assert "The report's activities with their sources: 200 of 6,000 listed" in html
    [link] = re.findall(r'<p class="attachment"><a [^>]+>', html)
    [name] = re.findall(r'download="([^"]+)"', link)
    [mediatype, data] = re.findall(r'href="data:([a-z/]+);base64,([A-Za-z0-9+/=]+)"', link)[0]
    extension = {"text/csv": "csv", "application/zip": "zip"}[mediatype]
    assert name == f"uzb-large-activities.{extension}"
    listed = Attachment(base64.b64decode(data), f"activities.{extension}", mediatype, "", "")
    header_row, *listed_rows = csv_rows(listed)
    assert len(listed_rows) == 6000
    assert {row[0] for row in listed_rows} == {row["activity_id"] for row in rows}
    annex_table = html.split("200 of 6,000 listed")[1].split("</table>")[0]
    assert len(re.findall(r"<tr>", annex_table)) == 201  # the header and 200 activities
    pdf = " ".join(" ".join(p.extract_text() for p in PdfReader(out / "uzb-large.pdf").pages)
                   .split())
    assert "The full list (6,000 activities) is attached to the HTML edition" in pdf


def test_a_russian_annex_reads_english_dates_in_a_source_as_russian(tmp_path):
    rows = [*ROWS[:4], make_row(activity_id="G5", date="2023-11-01", themes="governance",
                                title="Talks five", source="Sputnik, 28 November 2025")]
    russian = annex.activity_annex(prepared(tmp_path, "ru", rows=rows))
    sources = {span.text for span in russian.frame["Источник"]}
    assert "Sputnik, 28 ноября 2025\xa0г." in sources
    english = annex.activity_annex(prepared(tmp_path, "en", rows=rows))
    assert "Sputnik, 28 November 2025" in {span.text for span in english.frame["Source"]}
