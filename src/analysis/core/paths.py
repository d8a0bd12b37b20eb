"""Every path the toolkit uses, in one place, found when asked for.

A *project* is a folder with the layout the README describes (``data/``, ``params/``,
``notebooks/``, ``reports/``) whose ``pyproject.toml`` has a ``[tool.coopreport]`` table.
:func:`project_root` finds it the way git finds a repository: ``COOPREPORT_ROOT`` when it is
set; else the nearest such folder from the working folder up; else the source checkout this
package is installed from in development mode (``pip install -e .``, which ``make`` does).
Nothing is fixed at import: a test, a notebook or a long JupyterLab session that changes
``COOPREPORT_ROOT`` or its working folder gets the new project's paths at the next call. No
other module holds a path literal of the project.

A report notebook whose ``data_path`` parameter is empty (its default) reads
:func:`default_data_path`: the file named by ``COOPREPORT_DATA_PATH`` when set, else the shipped
registry. ``make test`` points it at the frozen test registry (:func:`test_registry`) so that
the notebooks' checked outputs never depend on the curated data.
"""

from __future__ import annotations

import functools
import os
import tomllib
from pathlib import Path

from analysis.core.errors import ProjectNotFoundError

ROOT_ENV = "COOPREPORT_ROOT"
DATA_PATH_ENV = "COOPREPORT_DATA_PATH"
# where Quarto renders (a folder whose path has no component starting with "." or "_");
# default: the system's temporary folder (analysis.render.quarto_cli.quarto_work_root)
QUARTO_TMP_ENV = "COOPREPORT_QUARTO_TMP"
# set to 1 to let params files run notebooks outside notebooks/ (the trust boundary: docs/params.md)
ALLOW_NOTEBOOK_OUTSIDE_ENV = "COOPREPORT_ALLOW_NOTEBOOK_OUTSIDE"
MARKER_TABLE = "[tool.coopreport]"  # in a project's pyproject.toml

# the package's own files travel with it, wherever it is installed
PACKAGE_DIR: Path = Path(__file__).resolve().parents[1]
ASSETS_DIR: Path = PACKAGE_DIR / "assets"

REGISTRY_NAME = "cooperation_events.csv"
COMMITMENTS_NAME = "commitments.csv"


def is_project(folder: Path) -> bool:
    """Whether ``folder`` is a coopreport project: its ``pyproject.toml`` has a
    ``[tool.coopreport]`` table (an unreadable or invalid file is no project)."""
    try:
        with (folder / "pyproject.toml").open("rb") as handle:
            config = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return False
    tool = config.get("tool")
    return isinstance(tool, dict) and "coopreport" in tool


def project_root() -> Path:
    """The project this process works on (see the module notes for how it is found).

    Raises
    ------
    ProjectNotFoundError
        When ``COOPREPORT_ROOT`` is not set and neither the working folder (or a folder above
        it) nor the package's source checkout is a project; the message says what to do.
    """
    return _find_root(os.environ.get(ROOT_ENV, ""), os.getcwd())


@functools.lru_cache(maxsize=16)
def _find_root(named: str, cwd: str) -> Path:
    if named.strip():
        return Path(named).expanduser().resolve()
    here = Path(cwd)
    for folder in (here, *here.parents):
        if is_project(folder):
            return folder
    checkout = PACKAGE_DIR.parents[1]  # src/analysis -> the checkout, in a development install
    if is_project(checkout):
        return checkout
    raise ProjectNotFoundError(
        f"no coopreport project in {cwd} or any folder above it (a project is a folder whose "
        f"pyproject.toml has a {MARKER_TABLE} table, with data/, params/ and notebooks/); run "
        f"coopreport inside your project, or set {ROOT_ENV}=/path/to/the/project")


def data_dir() -> Path:
    """``data/``: the curated inputs."""
    return project_root() / "data"


def taxonomy_dir() -> Path:
    """``data/taxonomy/``: the vocabularies (activity types, themes, partners, colours)."""
    return data_dir() / "taxonomy"


def default_registry() -> Path:
    """``data/cooperation_events.csv``: the shipped registry."""
    return data_dir() / REGISTRY_NAME


def default_commitments() -> Path:
    """``data/commitments.csv``: the shipped registry's commitments."""
    return data_dir() / COMMITMENTS_NAME


def default_sources() -> Path:
    """``data/sources.yaml``: the registry files read together."""
    return data_dir() / "sources.yaml"


def sources_dir() -> Path:
    """``data/sources/``: registry files written by the importers."""
    return data_dir() / "sources"


def mappings_dir() -> Path:
    """``data/mappings/``: partners' theme names and sector codes → themes."""
    return data_dir() / "mappings"


def reference_dir() -> Path:
    """``data/reference/``: indicators and reform milestones, with their sources."""
    return data_dir() / "reference"


def cache_dir() -> Path:
    """``data/cache/``: raw API responses (git-ignored, rebuildable)."""
    return data_dir() / "cache"


def extract_dir() -> Path:
    """``data/extract/``: ``coopreport extract``'s lexicons (keywords, months, counterparts)."""
    return data_dir() / "extract"


def notebooks_dir() -> Path:
    """``notebooks/``: the report notebooks (the only ones a params file may run)."""
    return project_root() / "notebooks"


def params_dir() -> Path:
    """``params/``: one YAML file per report variant."""
    return project_root() / "params"


def reports_dir() -> Path:
    """``reports/``: the Quarto project."""
    return project_root() / "reports"


def report_inputs(root: Path | None = None) -> list[Path]:
    """The folders whose files make a report, of the project at ``root`` (default: this one):
    ``data/``, ``params/``, ``notebooks/``, the Quarto project ``reports/``, and the package's
    own code. A build's commit is "-dirty" when any of them has uncommitted changes
    (:func:`analysis.build.provenance.git_commit`)."""
    where = root or project_root()
    return [where / "data", where / "params", where / "notebooks", where / "reports",
            PACKAGE_DIR]


def output_dir() -> Path:
    """``reports/_output/``: where reports are published by default (git-ignored)."""
    return reports_dir() / "_output"


def test_registry() -> Path:
    """A frozen copy of registry rows for tests and the notebooks under nbval (never edited
    with ``data/``)."""
    return project_root() / "tests" / "fixtures" / "registry" / REGISTRY_NAME


def press_fixtures() -> Path:
    """Synthetic press texts with hand-made expected rows, scored by ``make eval-extract``."""
    return project_root() / "tests" / "fixtures" / "press"


def default_data_path() -> Path:
    """The registry a report reads when its ``data_path`` is empty.

    ``COOPREPORT_DATA_PATH`` when it is set (relative paths start at the project root), else
    the shipped registry ``data/cooperation_events.csv``.
    """
    named = os.environ.get(DATA_PATH_ENV, "").strip()
    return resolve_data_path(named) if named else default_registry()


def params_files(directory: Path | None = None) -> list[Path]:
    """Every params file (``*.yaml``, ``*.yml``) in ``directory`` (default ``params/``), sorted."""
    folder = directory or params_dir()
    return sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])


def resolve_data_path(path: str | os.PathLike[str]) -> Path:
    """Resolve a user-given data path: absolute as given, relative from the project root.

    An empty path means the default registry (:func:`default_data_path`).
    """
    if not str(path).strip():
        return default_data_path()
    candidate = Path(path).expanduser()
    return candidate if candidate.is_absolute() else (project_root() / candidate)


def display_path(path: Path) -> str:
    """A path as users should read it: relative to the working directory when inside it."""
    # abspath, not resolve: a stable link (reports/_output/index.html) is named as it is, not
    # as the edition folder it currently points into
    try:
        return str(Path(os.path.abspath(path)).relative_to(Path.cwd()))
    except ValueError:
        try:
            return str(path.resolve().relative_to(Path.cwd().resolve()))
        except ValueError:
            return str(path)
