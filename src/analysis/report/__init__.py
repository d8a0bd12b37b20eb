"""The building blocks report notebooks call: a report's data and language (``context``),
its sections (``sections``, ``procurement``, ``system``, ``annex``), charts and their scales,
chart images, display objects (tables, headings, paragraphs), texts in each language
(``i18n``, ``ru_grammar``), the summary's sentences, warnings for the build, attachments.

Notebooks import this surface only, e.g.
``from analysis.report import annex as a, procurement as p, sections as r, system as s``.
May import :mod:`analysis.measures`, :mod:`analysis.data` and :mod:`analysis.core`; never the
build or the renderers.
"""


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
    ), "sections"),
    **dict.fromkeys(("Table", "Bullets", "Recorded", "Span"), "display"),
    **dict.fromkeys((
        "ReportData", "FALLBACK_MARK", "localized_text", "format_activity_date", "restrict"
    ), "context"),
    **dict.fromkeys(("ANNEX_WIDTHS", "source_label", "activity_annex"), "annex"),
    **dict.fromkeys(("COUNTED_KINDS", "APART_KINDS", "split_amounts"), "financing"),
}


def __getattr__(name: str) -> object:
    if name in _MOVED:
        module = f"analysis.report.{_MOVED[name]}"
        raise ImportError(f"analysis.report is a package since the package was grouped by stage: "
                          f"{name} is in {module} (a notebook imports "
                          "`from analysis.report import sections as r`)", name=module)
    raise AttributeError(f"module 'analysis.report' has no attribute {name!r}")
