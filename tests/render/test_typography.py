"""Typography rules of both renderers: words never break (only addresses and ids wrap), table
captions stay with their table, chart captions add to the chart's title."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pypandoc
import pytest
from pypdf import PdfReader

from analysis.core import paths
from analysis.render.pdf import LITERAL_FILTER, RANGES_FILTER, TEMPLATE, TYPST_MODULE
from analysis.report.chart_images import chart_caption
from analysis.report.display import Span, Table

# the one style sheet of both renderers (Quarto's project gets a copy of it)
CSS = [paths.PACKAGE_DIR / "render/templates/coopreport_html/report.css"]


def css_rules(text: str) -> dict[str, str]:
    """Selector (one per comma-separated part) -> declarations, outside @media blocks too."""
    rules: dict[str, str] = {}
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", re.sub(r"/\*.*?\*/", "", text,
                                                                      flags=re.S)):
        for selector in selectors.split(","):
            rules[" ".join(selector.split())] = rules.get(" ".join(selector.split()), "") + body
    return rules


@pytest.mark.parametrize("css", CSS, ids=["report.css"])
def test_html_text_never_breaks_inside_a_word(css):
    text = css.read_text(encoding="utf-8")
    assert "break-all" not in text
    rules = css_rules(text)
    for selector in ("body", "td", "caption", ".title-block"):
        assert "overflow-wrap: normal" in rules[selector], selector
        assert "word-break: normal" in rules[selector], selector
        assert "hyphens: manual" in rules[selector], selector
    # "anywhere" only for addresses, code, ids and printed program output
    anywhere = {s for s, body in rules.items() if "overflow-wrap: anywhere" in body}
    assert anywhere == {".url", "code", ".id", "a.url", "main.report pre"}


def typst_of(markdown: str) -> str:
    return str(pypandoc.convert_text(markdown, "typst", format="markdown",
                                     extra_args=["--lua-filter", str(LITERAL_FILTER)]))


def test_typst_breaks_only_addresses_and_ids():
    words = ["Donaudampfschifffahrtsgesellschaftskapitänswitwe", "Многосторонний",
             "Внешнеэкономическаядеятельностьреспублики", "Uzbekistan", "In progress",
             "procurement-related"]
    out = typst_of(" ".join(words) + " https://www.example.org/reports/2024/annual-review.pdf "
                   "UZB-2025-08-15-wb-procurement-meeting documents1.worldbank.org")
    for word in words:
        assert word in out  # whole: no break point inside
    # break points are the edges of inline boxes, after each separator: no character is added
    assert "#box[https:]#box[/]#box[/]#box[www.]" in out and "#box[reports/]" in out
    assert "#box[UZB-]#box[2025-]#box[08-]" in out
    assert "#box[documents1.]#box[worldbank.]#box[org]" in out
    assert "\u200b" not in out and "200b" not in out
    # the boxes, removed, give back the text as written
    assert "https://www.example.org/reports/2024/annual-review.pdf" in re.sub(
        r"#box\[([^\]]*)\]", r"\1", out)


def test_pdf_text_layer_has_ids_and_addresses_as_written(tmp_path):
    """An id too long for its column wraps at a break point, and the PDF's text holds it with
    no zero-width or other invisible character: copying or searching it finds it."""
    long_id = "AZE-2023-07-strategic-procurement-report"
    url = "https://documents.worldbank.org/en/publication/documents-reports/123"
    frame = pd.DataFrame({"No.": ["1"], "Id": [long_id], "Source": [url],
                          "Title": ["A title " * 30]})
    table = Table(frame, "Ids", widths=(1, 2, 2, 8))._repr_markdown_()
    text = "".join(pdf_pages_of(table, tmp_path))
    assert not re.search("[\u200b\u200c\u200d\u2060\ufeff\u00ad]", text)
    joined = re.sub(r"\s+", "", text)
    assert long_id in joined and url in joined
    assert long_id not in text.replace("\n", " ")  # it did wrap: the test is about wrapping


def test_table_widths_and_class_reach_html_typst_and_quarto():
    frame = pd.DataFrame({"Date": ["2024"], "Title": ["A long title"],
                          "Source": [Span("gov.uz", href="https://gov.uz/a", address=True)]})
    table = Table(frame, "Annex", widths=(1, 3, 1), classes=("compact",))
    assert '<table class="report-table compact">' in table._repr_html_()
    assert ('<colgroup><col style="width: 20.0%"><col style="width: 60.0%">'
            '<col style="width: 20.0%"></colgroup>') in table._repr_html_()
    assert '<a class="url" href="https://gov.uz/a">gov.uz</a>' in table._repr_html_()
    markdown = table._repr_markdown_()
    assert markdown.endswith(": Annex {.compact tbl-colwidths=\"[20,60,20]\"}\n")
    out = typst_of(markdown)
    assert "columns: (20%, 60%, 20%)" in out
    assert "#show table: set text(size: 7.5pt)" in out  # the compact class: smaller type
    with pytest.raises(ValueError, match="2 widths for 3 columns"):
        Table(frame, "Annex", widths=(1, 2))


def pdf_pages_of(markdown: str, folder: Path, ranges: bool = True) -> list[str]:
    """Render Markdown with the built-in PDF template and filters (``ranges``: with
    typst-ranges.lua); the text of each page."""
    import typst

    (folder / "body.md").write_text(markdown, encoding="utf-8")
    (folder / "meta.yaml").write_text("title: T\nkicker: K\nlang: en\n", encoding="utf-8")
    shutil.copyfile(TYPST_MODULE, folder / TYPST_MODULE.name)
    subprocess.run([pypandoc.get_pandoc_path(), "body.md", "--to", "typst", "--template",
                    str(TEMPLATE), "--metadata-file", "meta.yaml", "--lua-filter",
                    str(LITERAL_FILTER),
                    *(["--lua-filter", str(RANGES_FILTER)] if ranges else []),
                    "--columns", "100000", "--output", "report.typ"],
                   cwd=folder, check=True, capture_output=True)
    typst.compile(str(folder / "report.typ"), output=str(folder / "report.pdf"),
                  root=str(folder), font_paths=[str(paths.ASSETS_DIR / "fonts")],
                  pdf_tags=False)
    return [page.extract_text() for page in PdfReader(folder / "report.pdf").pages]


def test_pdf_table_caption_never_stays_alone_at_the_foot_of_a_page(tmp_path):
    """However much text comes before it, a table's caption is on the page of its first row,
    and its header row repeats on every page the table runs over."""
    frame = pd.DataFrame({"Year": [str(2000 + i) for i in range(60)],
                          "Count": [str(i) for i in range(60)]})
    table = Table(frame, "Captioned table")._repr_markdown_()
    placed = set()
    for filler in range(30, 52, 3):  # the caption lands at every height of the second page
        pages = pdf_pages_of("\n\n".join(["Filler line."] * filler) + "\n\n" + table, tmp_path)
        caption = next(i for i, p in enumerate(pages) if "Captioned table" in p)
        first_row = next(i for i, p in enumerate(pages) if re.search(r"\b2000\b", p))
        assert caption == first_row, f"{filler} lines before: caption p.{caption + 1}, " \
                                     f"first row p.{first_row + 1}"
        placed.add(caption)
        last_row = next(i for i, p in enumerate(pages) if re.search(r"\b2059\b", p))
        assert all("Year" in pages[i] for i in range(first_row, last_row + 1))
    assert len(placed) > 1  # some filler pushed caption and table to the next page together


def test_chart_caption_is_the_description_else_the_title():
    assert chart_caption({"title": {"text": "Partners"}, "description": "Each  activity\n"
                          "counts once."}) == "Each activity counts once."
    assert chart_caption({"title": "Partners"}) == "Partners"
    assert chart_caption({}) == ""


def test_html_print_rules_keep_captions_with_tables_and_charts():
    rules = css_rules(CSS[0].read_text(encoding="utf-8"))
    assert "caption-side: top" in rules["table.report-table caption"]
    assert "break-after: avoid" in rules["table.report-table caption"]
    assert "display: table-header-group" in rules["table.report-table thead"]
    assert "break-inside: avoid" in rules["figure.chart"]


def test_column_widths_are_whole_percentages_adding_up_to_100():
    """Quarto reads tbl-colwidths as percentages: relative widths are scaled to 100, and the
    rounding goes to the largest remainders (1/3 each: 33.3 → 34, 33, 33)."""
    from analysis.report.display import percent_widths

    assert percent_widths((1, 1, 1)) == [34, 33, 33]
    assert percent_widths((8, 2, 8, 3, 7)) == [29, 7, 28, 11, 25]  # 28.57, 7.14, 28.57, …
    assert percent_widths((1, 3, 1)) == [20, 60, 20]


def test_a_short_table_is_never_split_across_pages(tmp_path):
    """A table of at most ten rows stays on one page with its caption, wherever it lands."""
    frame = pd.DataFrame({"Year": [str(2000 + i) for i in range(8)],
                          "Count": [str(i) for i in range(8)]})
    table = Table(frame, "Short table")._repr_markdown_()
    for filler in range(30, 52, 2):  # the table starts at every height of the second page
        pages = pdf_pages_of("\n\n".join(["Filler line."] * filler) + "\n\n" + table, tmp_path)
        holding = [i for i, p in enumerate(pages)
                   if "Short table" in p or re.search(r"\b200[0-7]\b", p)]
        assert len(set(holding)) == 1, f"{filler} lines before: table on pages {holding}"


def test_a_russian_pdf_names_figures_as_the_html_and_quarto_do(tmp_path):
    """"Рисунок 1." in the built-in PDF too (Typst's own Russian word is "Рис.")."""
    import typst

    (tmp_path / "a.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" '
                                    'height="10"><rect width="10" height="10"/></svg>',
                                    encoding="utf-8")
    shutil.copyfile(TYPST_MODULE, tmp_path / TYPST_MODULE.name)
    for lang, word in (("ru", "Рисунок 1."), ("en", "Figure 1:")):
        (tmp_path / "t.typ").write_text(
            '#import "coopreport.typ": coopreport-page\n'
            f'#show: doc => coopreport-page(lang: "{lang}", doc)\n'
            '#figure(image("a.svg", width: 1cm), caption: [Caption])\n', encoding="utf-8")
        typst.compile(str(tmp_path / "t.typ"), output=str(tmp_path / "t.pdf"),
                      root=str(tmp_path), font_paths=[str(paths.ASSETS_DIR / "fonts")],
                      pdf_tags=False)
        text = " ".join(page.extract_text() for page in PdfReader(tmp_path / "t.pdf").pages)
        assert f"{word} Caption" in text.replace("\xa0", " "), text


def test_a_row_of_a_long_table_is_never_split_across_pages(tmp_path):
    """A table too long to keep together runs over pages, but each row stays on one page."""
    tall = "Alphastart " + " ".join(["words"] * 120) + " Omegaend"
    frame = pd.DataFrame({"Year": [str(2000 + i) for i in range(14)],
                          "Text": [tall if i == 1 else "short" for i in range(14)]})
    table = Table(frame, "Long table", widths=(1, 4))._repr_markdown_()
    for filler in range(20, 80, 2):  # the tall row meets the foot of each page
        pages = pdf_pages_of("\n\n".join(["Filler line."] * filler) + "\n\n" + table, tmp_path)
        start = next(i for i, p in enumerate(pages) if "Alphastart" in p)
        end = next(i for i, p in enumerate(pages) if "Omegaend" in p)
        assert start == end, f"{filler} lines before: the row runs from p.{start + 1} to {end + 1}"


@pytest.mark.parametrize("ranges", [True, False], ids=["with the filter", "without it"])
def test_a_number_range_never_breaks_at_its_dash(tmp_path, ranges):
    """"2017–2025" and "(ИВК, 0–100)" stay on one line in a narrow column (typst-ranges.lua
    puts them in an inline box), with no invisible character in the text layer; without the
    filter Typst breaks after the dash, so the test can fail."""
    # words of growing length before each range, so that some range falls at a line's end
    cell = " ".join(f"{'ж' * k} 2017–2025 (ИВК, 0–100)" for k in range(1, 16))
    frame = pd.DataFrame({"No.": ["1"], "Text": [cell], "Wide": ["x " * 200]})
    table = Table(frame, "Ranges", widths=(1, 2, 9))._repr_markdown_()
    text = "\n".join(pdf_pages_of(table, tmp_path, ranges=ranges))
    split = re.search(r"\d–\s*\n\s*\d", text)
    assert (split is None) == ranges
    if ranges:
        assert not re.search("[\u200b\u200c\u200d\u2060\ufeff\u00ad]", text)
        assert text.count("2017–2025") == 15 and text.count("0–100") == 15


def pdf_fonts(pdf: Path) -> set[str]:
    """The base names of the fonts a PDF embeds ("NotoSans-Regular", without the subset tag)."""
    names = set()
    for page in PdfReader(pdf).pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for font in fonts.values():
            names.add(str(font.get_object()["/BaseFont"]).lstrip("/").split("+")[-1])
    return names


def test_a_minus_sign_is_set_in_the_reports_sans_serif(tmp_path):
    """Noto Sans has no U+2212: the minus comes from Coopreport Minus, never from the serif
    fallback (a serif minus in "−1,19" stood out in every Russian table)."""
    pdf_pages_of("Оценка: −1,19 и −0,60.", tmp_path)
    fonts = pdf_fonts(tmp_path / "report.pdf")
    assert any(name.startswith("CoopreportMinus") for name in fonts), fonts
    assert not any("Libertinus" in name for name in fonts), fonts


def test_uzbek_letters_survive_in_the_pdf_text_layer(tmp_path):
    """oʻ and gʻ (U+02BB) and the tutuq belgisi (U+02BC) are set in Noto Sans and read back
    from the text layer as written, so searching or copying "Oʻzbekiston" finds it."""
    text = "".join(pdf_pages_of("Oʻzbekiston Respublikasi, gʻoya, taʼlim.", tmp_path))
    assert "Oʻzbekiston" in text and "gʻoya" in text and "taʼlim" in text
    assert not any("Libertinus" in name for name in pdf_fonts(tmp_path / "report.pdf"))
