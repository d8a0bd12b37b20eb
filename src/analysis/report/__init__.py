"""The building blocks report notebooks call: a report's data and language (``context``),
its sections (``sections``, ``procurement``, ``system``, ``annex``), charts and their scales,
chart images, display objects (tables, headings, paragraphs), texts in each language
(``i18n``, ``ru_grammar``), the summary's sentences, warnings for the build, attachments.

Notebooks import this surface only, e.g.
``from analysis.report import annex as a, procurement as p, sections as r, system as s``.
May import :mod:`analysis.measures`, :mod:`analysis.data` and :mod:`analysis.core`; never the
build or the renderers.
"""

_MOVED_FROM_OLD_REPORT = {
    "prepare_report": "context", "ReportData": "context", "restrict": "context",
    "localized_text": "context", "format_activity_date": "context",
}


def __getattr__(name: str) -> object:
    # `from analysis import report as r` named a module before 0.2; now it is this package
    module = _MOVED_FROM_OLD_REPORT.get(name, "sections")
    if name.startswith("__"):
        raise AttributeError(name)
    raise AttributeError(
        f"analysis.report is a package since the package regrouping: {name} is not here; "
        f"report sections are in analysis.report.sections (and {module}): write "
        "'from analysis.report import sections as r' instead of 'from analysis import report "
        "as r' (the README's 'Notebooks' section lists the surface)")
