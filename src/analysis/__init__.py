"""coopreport's analysis library, grouped by stage.

The stages, each a subpackage whose ``__init__`` says what it owns and may import, point one
way (``lint-imports`` checks it): :mod:`analysis.cli` → :mod:`analysis.build` →
:mod:`analysis.render` → :mod:`analysis.report` → :mod:`analysis.measures` →
:mod:`analysis.data` → :mod:`analysis.core`; :mod:`analysis.connectors` and
:mod:`analysis.extract` use only ``data`` and ``core``.

Report notebooks import :mod:`analysis.report`; code reads the registry with
``from analysis.data.registry import load_registry``.
"""

from analysis.core.moved import moved
from analysis.core.version import __version__

__all__ = ["__version__"]

# Modules that lived directly under ``analysis`` before the package was grouped by stage.
# ``from analysis import registry`` (the old notebooks' form) fails with an ImportError that
# names the new module. A dotted import (``import analysis.registry``) fails with Python's own
# "No module named"; catching it too would need an import hook installed at import time.
MOVED = {
    "errors": "analysis.core.errors",
    "paths": "analysis.core.paths",
    "settings": "analysis.core.settings",
    "logs": "analysis.core.logs",
    "textsafety": "analysis.core.textsafety",
    "formats": "analysis.core.formats",
    "taxonomy": "analysis.data.taxonomy",
    "colours": "analysis.data.colours",
    "fields": "analysis.data.fields",
    "csvfile": "analysis.data.csvfile",
    "csvtable": "analysis.data.csvtable",
    "registry": "analysis.data.registry",
    "registry_columns": "analysis.data.registry_columns",
    "commitments": "analysis.data.commitments",
    "sources": "analysis.data.sources",
    "reference": "analysis.data.reference",
    "validate": "analysis.data.validate",
    "metrics": "analysis.measures.metrics",
    "pillars": "analysis.measures.pillars",
    "coverage": "analysis.measures.coverage",
    "findings": "analysis.measures.findings",
    "summary": "analysis.measures.summary",
    "procurement": "analysis.report.procurement",
    "system": "analysis.report.system",
    "system_charts": "analysis.report.system_charts",
    "annex": "analysis.report.annex",
    "attachments": "analysis.report.attachments",
    "charts": "analysis.report.charts",
    "chart_scales": "analysis.report.chart_scales",
    "renderer": "analysis.report.chart_images",
    "display": "analysis.report.display",
    "i18n": "analysis.report.i18n",
    "ru_grammar": "analysis.report.ru_grammar",
    "report_warnings": "analysis.report.warnings",
    "render_html": "analysis.render.html",
    "render_pdf": "analysis.render.pdf",
    "render_quarto": "analysis.render.quarto",
    "quarto_cli": "analysis.render.quarto_cli",
    "quarto_prepare": "analysis.render.quarto_prepare",
    "sanitize": "analysis.render.sanitize",
    "report_meta": "analysis.render.meta",
    "portal": "analysis.render.portal",
    "params": "analysis.build.params",
    "build_records": "analysis.build.records",
    "editions": "analysis.build.editions",
    "incremental": "analysis.build.incremental",
    "provenance": "analysis.build.provenance",
    "kernels": "analysis.build.kernels",
    "kernel_zygote": "analysis.build.kernel_zygote",
    "dask_executor": "analysis.build.dask_executor",
    "papermill_engine": "analysis.build.papermill_engine",
    "runner_ui": "analysis.build.runner_ui",
    "nbtools": "analysis.build.nbtools",
}


def __getattr__(name: str) -> object:
    # ``from analysis import registry`` (the old notebooks' form)
    moved("analysis", name, MOVED, "docs/design.md ('Layout and layers') lists every module")
