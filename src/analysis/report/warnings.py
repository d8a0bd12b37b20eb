"""Warnings a report raises about itself, carried from the kernel to the build runner.

A report can build and still deserve attention: a country with no activity at all builds a
report of zeros. The notebook (through :func:`analysis.report.sections.prepare_report`) emits its
warnings as one display output of the private mimetype :data:`MIMETYPE`; after execution the
runner calls :func:`collect_warnings`, which removes those outputs (readers never see them),
and records the warnings in the notebook's ``metadata.coopreport.warnings`` and as the report's
``warning`` status in ``build-summary.json`` (``coopreport build --strict`` then exits 1).
"""

from __future__ import annotations

from typing import Any

MIMETYPE = "application/vnd.coopreport.warnings+json"


def emit_warnings(warnings: list[str]) -> None:
    """Send ``warnings`` to the runner when running in a kernel; do nothing otherwise."""
    if not warnings:
        return
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython comes with ipykernel
        return
    if get_ipython() is None:
        return
    display({MIMETYPE: {"warnings": list(warnings)}}, raw=True)


def collect_warnings(notebook: Any) -> list[str]:
    """Remove the warning outputs from an executed notebook and return their warnings.

    Parameters
    ----------
    notebook
        An ``nbformat`` notebook node; changed in place.
    """
    found: list[str] = []
    for cell in notebook.get("cells", []):
        outputs = cell.get("outputs")
        if not outputs:
            continue
        kept = []
        for output in outputs:
            data = output.get("data", {}) if isinstance(output, dict) else {}
            if MIMETYPE in data:
                found.extend(str(w) for w in data[MIMETYPE].get("warnings", []))
            else:
                kept.append(output)
        cell["outputs"] = kept
    return found
