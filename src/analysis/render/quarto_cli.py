"""Finding the Quarto executable, and where Quarto may work.

Kept apart from :mod:`analysis.render.notebook` (which chooses a renderer) and
:mod:`analysis.render.quarto` (which drives Quarto) so that neither imports the other.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from analysis.core import paths
from analysis.core.errors import ParameterError, UnavailableError

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


def hidden_components(path: Path) -> list[str]:
    """The components of ``path`` (made absolute) that begin with ``.`` or ``_``.

    Quarto treats a file under such a folder as outside any project: it ignores ``_quarto.yml`` and
    renders a standalone document (seen with Quarto 1.10). A work folder for Quarto must have none.
    """
    return [part for part in Path(os.path.abspath(path)).parts[1:]
            if part.startswith((".", "_"))]


def quarto_work_root() -> Path:
    """The folder under which each Quarto render gets its own work folder.

    ``COOPREPORT_QUARTO_TMP`` when set, else the system's temporary folder. Never the output
    folder: the default ``reports/_output`` (and a build's ``.build`` folder) would hide the
    project from Quarto.
    """
    return Path(os.environ.get(paths.QUARTO_TMP_ENV) or tempfile.gettempdir())


RENDERERS = ("auto", "builtin", "quarto")


def choose_renderer(requested: str) -> str:
    """Resolve ``auto``/``builtin``/``quarto`` to the renderer to use, before any work starts.

    Raises
    ------
    ParameterError
        For an unknown renderer.
    UnavailableError
        For ``quarto`` when Quarto is not installed (exit code 69).
    """
    if requested not in RENDERERS:
        raise ParameterError(f"unknown renderer '{requested}'; use one of {', '.join(RENDERERS)}")
    quarto = find_quarto()
    if requested == "quarto" and quarto is None:
        raise UnavailableError(f"--renderer quarto: Quarto was not found; {QUARTO_INSTALL_HINT}")
    if requested == "auto":
        return "quarto" if quarto else "builtin"
    return requested
