"""Turn an executed report notebook into HTML and PDF: with Quarto, or the built-in renderer.

``auto`` uses Quarto when ``quarto`` is on PATH or ``QUARTO_PATH`` names it, and the built-in
renderer (nbconvert for HTML; pandoc + Typst for PDF) otherwise. Quarto renders the executed
notebook as it is (never re-executing it) inside a copy of the ``reports/`` Quarto project, so
every report shares ``reports/_quarto.yml``, its styles and templates
(:mod:`analysis.render.quarto`); the built-in renderer is :mod:`analysis.render.html` and
:mod:`analysis.render.pdf`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from analysis.render.quarto_cli import RENDERERS, choose_renderer  # noqa: F401  (public here too)


def render_notebook(executed: Path, workdir: Path, formats: Sequence[str],
                    renderer: str) -> list[Path]:
    """Render ``executed`` into ``workdir`` as ``NAME.html`` / ``NAME.pdf``; return the files.

    Raises
    ------
    RenderError
        When the renderer fails (Quarto missing or failing, pandoc or Typst failing).
    """
    if renderer == "quarto":
        from analysis.render.quarto import render_with_quarto

        return render_with_quarto(executed, workdir, formats)
    from analysis.render.html import render_html
    from analysis.render.meta import read_meta
    from analysis.render.pdf import render_pdf

    meta = read_meta(executed)
    outputs = []
    if "html" in formats:
        outputs.append(render_html(executed, workdir / f"{executed.stem}.html", meta))
    if "pdf" in formats:
        outputs.append(render_pdf(executed, workdir / f"{executed.stem}.pdf", meta, workdir))
    return outputs
