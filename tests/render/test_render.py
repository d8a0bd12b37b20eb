"""The built-in renderer end to end: offline HTML, PDF text layer, Cyrillic, escaping, portal.

One report is built (module fixture) from a small fictional registry whose titles carry
Cyrillic (Russian and Uzbek letters) and text that is hostile to HTML, Markdown and Typst.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from analysis.cli import main
from analysis.core import paths
from tests.helpers import make_row, registry_text

pytestmark = pytest.mark.slow

HOSTILE = ["<script>alert(1)</script>", "<img src=x onerror=alert(2)>", "#let x = $a*b_c@d <e>"]
CYRILLIC = "Семинар по закупкам Ўў Ққ Ғғ Ҳҳ"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("render")
    rows = [
        make_row(activity_id="KGZ-1", country="KGZ", date="2021-03-01", title=CYRILLIC,
                 themes="public_procurement;e_procurement", partners="ADB"),
        make_row(activity_id="KGZ-2", country="KGZ", date="2021-06", date_precision="month",
                 title=HOSTILE[0], themes="governance", partners="World Bank;EU"),
        make_row(activity_id="KGZ-3", country="KGZ", date="2023", date_precision="year",
                 title=HOSTILE[1], themes="anti_corruption", partners="UNDP"),
        make_row(activity_id="KGZ-4", country="KGZ", date="2023-09-12", title=HOSTILE[2],
                 themes="public_procurement", partners="World Bank", source_url=""),
    ]
    registry = folder / "kgz.csv"
    registry.write_text(registry_text(rows), encoding="utf-8")
    spec = folder / "kgz.yaml"
    spec.write_text(
        "name: kgz-profile\nnotebook: country_profile.ipynb\n"
        "title: \"Kyrgyzstan: profile — Кыргызстан\"\n"
        "publisher: \"Test Ministry of Examples\"\nformats: [html, pdf]\nparameters:\n"
        f"  country: KGZ\n  start_year: 2020\n  end_year: 2024\n  data_path: {registry}\n",
        encoding="utf-8")
    out = folder / "out"
    assert main(["build", str(spec), "--output-dir", str(out), "--renderer", "builtin"]) == 0
    return out


@pytest.fixture(scope="module")
def html(built: Path) -> str:
    return (built / "kgz-profile.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def pdf_text(built: Path) -> str:
    reader = PdfReader(built / "kgz-profile.pdf")
    return "\n".join(page.extract_text() for page in reader.pages)


def squash(text: str) -> str:
    """Text without whitespace (where lines were laid out)."""
    return re.sub(r"\s+", "", text)


def actual_texts(path: Path) -> list[str]:
    """The /ActualText strings of every page: text a PDF reader copies instead of the glyphs
    (Typst writes one for glyphless characters such as a word joiner); pypdf's extract_text
    does not read them, poppler's pdftotext does."""
    texts = []
    for page in PdfReader(path).pages:
        content = page.get_contents()
        data = content.get_data() if content is not None else b""
        for hexed, literal in re.findall(rb"/ActualText\s*(?:<([0-9A-Fa-f\s]*)>|\((.*?)\))",
                                         data, flags=re.S):
            raw = bytes.fromhex(hexed.decode()) if hexed else literal
            texts.append(raw[2:].decode("utf-16-be") if raw.startswith(b"\xfe\xff")
                         else raw.decode("latin-1"))
    return texts


def invisible(text: str) -> set[str]:
    import unicodedata

    return {f"U+{ord(c):04X}" for c in text if unicodedata.category(c) == "Cf"}


def test_pdf_text_layer_has_no_invisible_characters(built, pdf_text):
    """No zero-width space, word joiner, soft hyphen or other format character anywhere in the
    PDF's text, glyphs or /ActualText (the contents page included): ids and addresses copy and
    search as written."""
    assert invisible(pdf_text) == set()
    assert invisible("".join(actual_texts(built / "kgz-profile.pdf"))) == set()


def test_actual_text_is_read_as_a_pdf_reader_copies_it(tmp_path):
    """The check above can fail: Typst's own outline writes a word joiner as /ActualText."""
    import typst

    (tmp_path / "o.typ").write_text("#outline()\n= One\ntext\n", encoding="utf-8")
    typst.compile(str(tmp_path / "o.typ"), output=str(tmp_path / "o.pdf"), pdf_tags=False)
    assert "U+2060" in invisible("".join(actual_texts(tmp_path / "o.pdf")))


def test_html_holds_the_key_figures(html):
    # 4 activities; partners ADB, World Bank, European Union, UNDP = 4; themes: 4 distinct;
    # procurement-related: KGZ-1 and KGZ-4 = 2; years without activity in 2020-2024: 2020,
    # 2022, 2024
    row = re.search(r"<td>Kyrgyzstan</td>(.*?)</tr>", html).group(1)
    assert re.findall(r'<td class="num">(\d+)</td>', row) == ["4", "4", "4", "2"]
    assert "2020, 2022, 2024" in row


def test_html_makes_no_network_request(html):
    assert not re.search(r"""\ssrc\s*=\s*["']?\s*(https?:)?//""", html)
    assert not re.search(r"""<link[^>]+href\s*=\s*["']?\s*(https?:)?//""", html)
    assert "cdn." not in html.lower() and "require.js" not in html
    assert html.count("window.vegaEmbed=") == 1  # the Vega bundle, inlined once
    charts = html.count('<figure class="chart">')
    assert charts == 4 and html.count('class="vega-fallback"') == charts


def test_html_shows_hostile_text_literally(html):
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    # inside the embedded chart specs, '<' is escaped so no </script> can close the block
    for spec in re.findall(r'<script type="application/json" class="vega-spec">(.*?)</script>',
                           html, flags=re.S):
        assert "<" not in spec


def test_html_has_title_block_and_cyrillic(html):
    assert "Kyrgyzstan: profile — Кыргызстан" in html
    assert CYRILLIC in html
    assert '<html lang="en">' in html


def test_pdf_text_layer_holds_numbers_cyrillic_and_literal_specials(pdf_text):
    flat = squash(pdf_text)
    assert squash(CYRILLIC) in flat
    assert "Кыргызстан" in pdf_text
    for text in HOSTILE:
        assert squash(text) in flat, text
    assert squash("Years with no activity") in flat and "2020,2022,2024" in flat


def test_pdf_uses_the_shipped_font_and_vector_charts(built):
    reader = PdfReader(built / "kgz-profile.pdf")
    fonts, images = set(), 0
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            fonts.add(str(font.get_object().get("/BaseFont")))
        for obj in (resources.get("/XObject") or {}).values():
            images += obj.get_object().get("/Subtype") == "/Image"
    assert any("NotoSans" in f for f in fonts), fonts
    assert images == 0  # charts are SVG drawn as vectors, not raster images


def test_html_attaches_the_full_list_as_csv(html):
    import base64
    import csv
    import io

    [link] = re.findall(r'<p class="attachment"><a [^>]+>', html)
    [name] = re.findall(r'download="([^"]+)"', link)
    [data] = re.findall(r'href="data:text/csv;base64,([A-Za-z0-9+/=]+)"', link)
    assert name == "kgz-profile-activities.csv"
    rows = list(csv.reader(io.StringIO(base64.b64decode(data).decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == ["KGZ-1", "KGZ-2", "KGZ-3", "KGZ-4"]
    assert rows[1][6] == CYRILLIC and rows[2][6] == HOSTILE[0]  # text kept as it is, in CSV
    assert "Download the full list: 4 activities, CSV file" in html


def test_pdf_says_where_the_full_list_is(pdf_text):
    flat = " ".join(pdf_text.split())
    assert "The full list (4 activities) is attached to the HTML edition of this report" in flat


def test_portal_lists_the_report(built):
    index = (built / "index.html").read_text(encoding="utf-8")
    assert "Kyrgyzstan: profile — Кыргызстан" in index
    assert 'href="kgz-profile.html"' in index and 'href="kgz-profile.pdf"' in index
    assert "Kyrgyzstan, 2020–2024" in index  # parameters in words, never raw
    assert "4 activities · 4 partners" in index  # the figures the report recorded
    assert not re.search(r"""\ssrc\s*=\s*["']?https?:""", index)


def test_papermill_command_line_then_render(tmp_path):
    """The papermill CLI is a supported way to run a report: no warning, and `coopreport
    render` gives the title, language and chrome a build gives, with what is not recorded."""
    import subprocess
    import sys

    from tests.helpers import FIXTURE_REGISTRY

    bin_dir = Path(sys.executable).parent
    executed = tmp_path / "aze.ipynb"
    command = [str(bin_dir / "papermill"), "notebooks/strategic_procurement.ipynb",
               str(executed), "-p", "country", "AZE", "-p", "peer", "UZB", "-p", "lang", "ru",
               "-p", "data_path", str(FIXTURE_REGISTRY), "--no-progress-bar"]
    root = paths.project_root()

    def papermill(*extra: str) -> str:
        run = subprocess.run([*command, *extra], cwd=root, capture_output=True, text=True,
                             timeout=600, check=False)
        assert run.returncode == 0, run.stderr
        return run.stderr

    # papermill's own engine: every parameter is known (its kernels on TCP make ipykernel warn
    # about encryption; that is papermill's default, not ours)
    assert "unknown parameter" not in papermill()
    # the project's engine (kernels as the runner starts them): no warning, no error at all
    stderr = papermill("--engine", "coopreport")
    assert not re.search(r"WARNING|ERROR|Warning|Traceback", stderr), stderr
    out = tmp_path / "out"
    assert main(["render", str(executed), "--output-dir", str(out), "--renderer", "builtin"]) == 0
    # read as the reader does: a Russian report keeps "о" with its word (a no-break space)
    html = (out / "aze.html").read_text(encoding="utf-8").replace("\xa0", " ")
    title = "Азербайджан: страновой отчёт о стратегических закупках"  # as the -ru params file
    assert f"<title>{title}</title>" in html and '<html lang="ru">' in html
    assert "Отчёт о сотрудничестве в целях развития" in html
    assert "версии coopreport и кода не записаны" in html and "?" not in html.split("</header>")[0]
    text = "\n".join(page.extract_text() for page in PdfReader(out / "aze.pdf").pages)
    assert "страновой отчёт о стратегических закупках" in text.replace("\xa0", " ")
    assert "Содержание" in text and "Contents" not in text and "Table 1" not in text


def test_builtin_html_numbers_sections_and_lists_them_as_the_pdf_and_quarto_do():
    from analysis.render.html import number_sections

    page = ('<header class="title-block"><h1 class="title">Report</h1></header>'
            '<main class="report">'
            '<h1 class="unnumbered">Executive summary</h1><h2>Inside the summary</h2>'
            '<h1>Volume &amp; methods</h1><h2>By year</h2><h2 id="mine">By partner'
            '<a class="anchor-link" href="#mine">¶</a></h2>'
            '<h1>Volume &amp; methods</h1>'
            '<h1 class="unnumbered">Annex</h1></main><footer></footer>')
    done = number_sections(page, "Contents")
    assert '<h1 class="title">Report</h1>' in done  # the title block is not a section
    assert '<h1 class="unnumbered" id="executive-summary">Executive summary</h1>' in done
    assert '<h2 id="inside-the-summary">Inside the summary</h2>' in done  # under an unnumbered
    assert ('<h1 id="volume-methods"><span class="header-section-number">1</span> '
            'Volume &amp; methods</h1>') in done
    assert '<h2 id="by-year"><span class="header-section-number">1.1</span> By year</h2>' in done
    assert '<h2 id="mine"><span class="header-section-number">1.2</span> By partner' in done
    assert ('<h1 id="volume-methods-2"><span class="header-section-number">2</span> ') in done
    nav = done[done.index('<nav id="TOC"'):done.index("</nav>")]
    assert done.index('<main class="report">') < done.index('<nav id="TOC"')
    assert '<h2 id="toc-title">Contents</h2>' in nav
    assert re.findall(r'<a href="#([^"]+)">', nav) == [
        "executive-summary", "inside-the-summary", "volume-methods", "by-year", "mine",
        "volume-methods-2", "annex"]
    assert "¶" not in nav and "anchor-link" not in nav
    assert ('<li class="toc-h2"><a href="#by-year"><span class="header-section-number">1.1'
            "</span> By year</a></li>") in nav


def test_a_page_without_sections_gets_no_contents():
    from analysis.render.html import number_sections

    page = '<main class="report"><p>Only text</p></main>'
    assert number_sections(page, "Contents") == page
    assert number_sections("<p>no main</p>", "Contents") == "<p>no main</p>"


def test_the_cover_carries_no_build_metadata_and_the_colophon_closes_the_report(built, html):
    """Commit, checksum and parameters are the colophon's, after the report (PDF and HTML)."""
    pages = [page.extract_text() for page in PdfReader(built / "kgz-profile.pdf").pages]
    assert "code version" not in pages[0] and "SHA-256" not in pages[0]
    assert "About this edition" in pages[-1] and "SHA-256" in pages[-1]
    # the cover: title, date and the publisher (params key publisher); contents on page 2
    assert "Test Ministry of Examples" in pages[0] and "Contents" not in pages[0]
    assert "Contents" in pages[1]
    head = html[:html.index('<main class="report">')]
    assert "SHA-256" not in head and "code version" not in head
    assert '<p class="publisher">Test Ministry of Examples</p>' in head
    footer = html[html.index('<footer class="report-footer">'):]
    assert '<p class="colophon-title">About this edition</p>' in footer and "SHA-256" in footer
