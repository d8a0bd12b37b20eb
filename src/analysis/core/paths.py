"""Every path the toolkit uses, in one place, found when asked for.

A *project* is a folder with the layout the README describes (``data/``, ``params/``,
``notebooks/``, ``reports/``) marked by a ``coopreport.yaml`` file (what ``coopreport new``
writes, as Quarto's ``_quarto.yml`` marks a Quarto project) or by a ``[tool.coopreport]`` table
in its ``pyproject.toml`` (this repository). :func:`project_root` finds it the way git finds a
repository: ``COOPREPORT_ROOT`` when it is set, else the nearest marked folder from the working
folder up. There is no other fallback: a folder outside every project never reads some other
project's data (not even the source checkout of a development install); the error says how to
start a project or where to go. Nothing is fixed at import: a test, a notebook or a long
JupyterLab session that changes ``COOPREPORT_ROOT`` or its working folder gets the new project's
paths at the next call. No other module holds a path literal of the project.

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
CONFIG_NAME = "coopreport.yaml"  # or this file at the project's top (``coopreport new``)

# the package's own files travel with it, wherever it is installed
PACKAGE_DIR: Path = Path(__file__).resolve().parents[1]
ASSETS_DIR: Path = PACKAGE_DIR / "assets"
# what `coopreport new` writes besides copies: the marker, a README, a .gitignore
NEW_PROJECT_DIR: Path = ASSETS_DIR / "new_project"
# in a wheel: this repository's project files (data/, params/, notebooks/, reports/), copied in
# when the wheel is built (setup.py); a development install reads its checkout instead
SAMPLE_PROJECT_DIR: Path = ASSETS_DIR / "sample_project"

REGISTRY_NAME = "cooperation_events.csv"
COMMITMENTS_NAME = "commitments.csv"


def pyproject_table(folder: Path) -> dict[str, object] | None:
    """The ``[tool.coopreport]`` table of ``folder/pyproject.toml``; None when there is no such
    file or table (an unreadable or invalid file has none)."""
    try:
        with (folder / "pyproject.toml").open("rb") as handle:
            config = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return None
    tool = config.get("tool")
    table = tool.get("coopreport") if isinstance(tool, dict) else None
    return table if isinstance(table, dict) else None


def is_project(folder: Path) -> bool:
    """Whether ``folder`` is a coopreport project: it holds a ``coopreport.yaml`` file, or its
    ``pyproject.toml`` has a ``[tool.coopreport]`` table."""
    return (folder / CONFIG_NAME).is_file() or pyproject_table(folder) is not None


def project_root() -> Path:
    """The project this process works on (see the module notes for how it is found).

    Raises
    ------
    ProjectNotFoundError
        When ``COOPREPORT_ROOT`` is not set and neither the working folder nor a folder above
        it is a project; the message says what to do.
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
    hint = (f"; this coopreport runs from its source checkout {checkout}, itself a project: "
            f"cd there to work on its data" if is_project(checkout) else "")
    raise ProjectNotFoundError(
        f"no coopreport project in {cwd} or any folder above it (a project is a folder with "
        f"a {CONFIG_NAME} file, or a pyproject.toml with a {MARKER_TABLE} table, holding "
        f"data/, params/ and notebooks/); start one with `coopreport new FOLDER`, run "
        f"coopreport inside your project, or set {ROOT_ENV}=/path/to/the/project{hint}")


def data_dir(root: Path | None = None) -> Path:
    """``data/``: the curated inputs (of the project at ``root``, default this one; so for every
    folder function below)."""
    return (root or project_root()) / "data"


def taxonomy_dir(root: Path | None = None) -> Path:
    """``data/taxonomy/``: the vocabularies (activity types, themes, partners, colours)."""
    return data_dir(root) / "taxonomy"


def default_registry(root: Path | None = None) -> Path:
    """``data/cooperation_events.csv``: the shipped registry."""
    return data_dir(root) / REGISTRY_NAME


def default_commitments(root: Path | None = None) -> Path:
    """``data/commitments.csv``: the shipped registry's commitments."""
    return data_dir(root) / COMMITMENTS_NAME


def default_sources(root: Path | None = None) -> Path:
    """``data/sources.yaml``: the registry files read together."""
    return data_dir(root) / "sources.yaml"


def sources_dir(root: Path | None = None) -> Path:
    """``data/sources/``: registry files written by the importers."""
    return data_dir(root) / "sources"


def mappings_dir(root: Path | None = None) -> Path:
    """``data/mappings/``: partners' theme names and sector codes → themes."""
    return data_dir(root) / "mappings"


def reference_dir(root: Path | None = None) -> Path:
    """``data/reference/``: indicators and reform milestones, with their sources."""
    return data_dir(root) / "reference"


def cache_dir(root: Path | None = None) -> Path:
    """``data/cache/``: raw API responses (git-ignored, rebuildable)."""
    return data_dir(root) / "cache"


def extract_dir(root: Path | None = None) -> Path:
    """``data/extract/``: ``coopreport extract``'s lexicons (keywords, months, counterparts)."""
    return data_dir(root) / "extract"


def notebooks_dir(root: Path | None = None) -> Path:
    """``notebooks/``: the report notebooks (the only ones a params file may run)."""
    return (root or project_root()) / "notebooks"


def params_dir(root: Path | None = None) -> Path:
    """``params/``: one YAML file per report variant."""
    return (root or project_root()) / "params"


def reports_dir(root: Path | None = None) -> Path:
    """``reports/``: the Quarto project."""
    return (root or project_root()) / "reports"


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
