"""Turn an executed report notebook into HTML and PDF: with Quarto, or the built-in renderer.

``auto`` uses Quarto when ``quarto`` is on PATH or ``QUARTO_PATH`` names it, and the built-in
renderer (nbconvert for HTML; pandoc + Typst for PDF) otherwise. Quarto renders the executed
notebook as it is (never re-executing it) inside a copy of the ``reports/`` Quarto project, so
every report shares ``reports/_quarto.yml`` and its styles.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from analysis import paths
from analysis.errors import ParameterError, RenderError
from analysis.report_meta import read_meta

log = logging.getLogger(__name__)
RENDERERS = ("auto", "builtin", "quarto")
QUARTO_INSTALL_HINT = (
    "install Quarto (https://quarto.org/docs/get-started/, or `conda install -c conda-forge "
    "quarto`, or `pip install quarto-cli` with internet access), or set QUARTO_PATH to the "
    "quarto executable, or use --renderer builtin"
)


def find_quarto() -> str | None:
    """Path of the quarto executable: ``QUARTO_PATH`` if it names one, else ``quarto`` on PATH."""
    named = os.environ.get("QUARTO_PATH")
    if named and Path(named).is_file() and os.access(named, os.X_OK):
        return named
    return shutil.which("quarto")


def choose_renderer(requested: str) -> str:
    """Resolve ``auto``/``builtin``/``quarto`` to the renderer to use, before any work starts.

    Raises
    ------
    ParameterError
        For an unknown renderer, or ``quarto`` when Quarto is not installed.
    """
    if requested not in RENDERERS:
        raise ParameterError(f"unknown renderer '{requested}'; use one of {', '.join(RENDERERS)}")
    quarto = find_quarto()
    if requested == "quarto" and quarto is None:
        raise ParameterError(f"--renderer quarto: Quarto was not found; {QUARTO_INSTALL_HINT}")
    if requested == "auto":
        return "quarto" if quarto else "builtin"
    return requested


def render_notebook(executed: Path, workdir: Path, formats: Sequence[str],
                    renderer: str) -> list[Path]:
    """Render ``executed`` into ``workdir`` as ``NAME.html`` / ``NAME.pdf``; return the files."""
    if renderer == "quarto":
        return render_with_quarto(executed, workdir, formats)
    from analysis.render_html import render_html
    from analysis.render_pdf import render_pdf

    meta = read_meta(executed)
    outputs = []
    if "html" in formats:
        outputs.append(render_html(executed, workdir / f"{executed.stem}.html", meta))
    if "pdf" in formats:
        outputs.append(render_pdf(executed, workdir / f"{executed.stem}.pdf", meta, workdir))
    return outputs


def render_with_quarto(executed: Path, workdir: Path, formats: Sequence[str]) -> list[Path]:
    """Render with Quarto inside a copy of the ``reports/`` project (no execution).

    Raises
    ------
    RenderError
        When Quarto is missing or fails; the message carries Quarto's own output.
    """
    quarto = find_quarto()
    if quarto is None:
        raise RenderError(f"Quarto was not found; {QUARTO_INSTALL_HINT}")
    project = workdir / "quarto"
    shutil.copytree(paths.REPORTS_DIR, project,
                    ignore=shutil.ignore_patterns("_output", "_build", ".quarto", "*.ipynb"))
    shutil.copytree(paths.ASSETS_DIR / "fonts", project / "fonts", dirs_exist_ok=True)
    shutil.copy2(executed, project / executed.name)
    _quarto_metadata(executed, project)
    outputs = []
    for fmt in formats:
        quarto_format = {"html": "html", "pdf": "typst"}[fmt]
        command = [quarto, "render", executed.name, "--to", quarto_format, "--no-execute"]
        log.debug("running %s in %s", " ".join(command), project)
        try:
            subprocess.run(command, cwd=project, check=True, capture_output=True, text=True,
                           timeout=600)
        except subprocess.CalledProcessError as exc:
            raise RenderError(f"{executed.name}: quarto render --to {quarto_format} failed:\n"
                              f"{(exc.stderr or exc.stdout).strip()}") from exc
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise RenderError(f"{executed.name}: cannot run quarto ({exc})") from exc
        produced = project / "_build" / f"{executed.stem}.{fmt}"
        if not produced.exists():
            raise RenderError(f"{executed.name}: quarto did not write {produced.name}")
        target = workdir / produced.name
        shutil.move(str(produced), target)
        outputs.append(target)
    return outputs


def _quarto_metadata(executed: Path, project: Path) -> None:
    """Put the title block into the copied notebook as Quarto front matter (a raw cell)."""
    import nbformat
    import yaml

    meta = read_meta(executed)
    front = {
        "title": meta.title, "subtitle": meta.subtitle or None, "date": meta.date,
        "lang": meta.lang, "coopreport-kicker": meta.kicker,
        "coopreport-provenance": meta.provenance,
    }
    target = project / executed.name
    nb = nbformat.read(target, as_version=4)
    text = yaml.safe_dump({k: v for k, v in front.items() if v}, allow_unicode=True)
    nb.cells.insert(0, nbformat.v4.new_raw_cell(f"---\n{text}---"))
    nbformat.write(nb, target)
