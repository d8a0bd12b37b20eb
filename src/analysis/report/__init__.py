"""The building blocks report notebooks call: a report's data and language (``context``),
its sections (``sections``, ``procurement``, ``system``, ``annex``), charts and their scales,
chart images, display objects (tables, headings, paragraphs), texts in each language
(``i18n``, ``ru_grammar``), the summary's sentences, warnings for the build, attachments.

Notebooks import this surface only, e.g.
``from analysis.report import annex as a, procurement as p, sections as r, system as s``.
May import :mod:`analysis.measures`, :mod:`analysis.data` and :mod:`analysis.core`; never the
build or the renderers.
"""

from analysis.core.moved import moved

# Names of the module analysis.report before the package was grouped by stage (it is this
# package now): each is in the submodule named here. Code written for the old module fails
# with an ImportError that names it.
_MOVED = {
    **dict.fromkeys((
        "Heading", "Paragraph", "prepare_report", "count_grid", "key_figures", "activity_chart",
        "coverage_sentences", "partial_year_note", "with_coverage_note", "gaps_sentence",
        "comparison_table", "small_multiples_chart", "theme_mix_table", "partner_overlap",
        "theme_chart", "theme_table", "partner_summary", "partner_chart", "partner_table",
        "timeline_chart", "financing_view", "report_facts", "data_note"
    ), "analysis.report.sections"),
    **dict.fromkeys(("Table", "Bullets", "Recorded", "Span"), "analysis.report.display"),
    **dict.fromkeys((
        "ReportData", "FALLBACK_MARK", "localized_text", "format_activity_date", "restrict"
    ), "analysis.report.context"),
    **dict.fromkeys(("ANNEX_WIDTHS", "source_label", "activity_annex"), "analysis.report.annex"),
    **dict.fromkeys(("COUNTED_KINDS", "APART_KINDS", "split_amounts"), "analysis.report.financing"),
}


def __getattr__(name: str) -> object:
    moved("analysis.report", name, _MOVED,
          "a notebook imports `from analysis.report import sections as r`")
