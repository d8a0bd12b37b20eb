"""Every path the toolkit uses, in one place.

The project root is the checkout that holds ``pyproject.toml`` (the package is installed
editable from ``src/``). Set ``COOPREPORT_ROOT`` to point the toolkit at another project folder,
for example a copy with its own ``data/`` and ``params/``. No other module holds a path literal.

A report notebook whose ``data_path`` parameter is empty (its default) reads
:func:`default_data_path`: the file named by ``COOPREPORT_DATA_PATH`` when set, else the shipped
registry. ``make test`` points it at the frozen test registry (:data:`TEST_REGISTRY`) so that
the notebooks' checked outputs never depend on the curated data.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parents[1]


def _find_root() -> Path:
    env = os.environ.get("COOPREPORT_ROOT")
    if env:
        return Path(env).expanduser().resolve()
    return _PACKAGE_DIR.parents[1]


PROJECT_ROOT: Path = _find_root()
DATA_DIR: Path = PROJECT_ROOT / "data"
TAXONOMY_DIR: Path = DATA_DIR / "taxonomy"
DEFAULT_REGISTRY: Path = DATA_DIR / "cooperation_events.csv"
COMMITMENTS_NAME = "commitments.csv"
DEFAULT_COMMITMENTS: Path = DATA_DIR / COMMITMENTS_NAME
DEFAULT_SOURCES: Path = DATA_DIR / "sources.yaml"
SOURCES_DIR: Path = DATA_DIR / "sources"
MAPPINGS_DIR: Path = DATA_DIR / "mappings"
REFERENCE_DIR: Path = DATA_DIR / "reference"
CACHE_DIR: Path = DATA_DIR / "cache"
# `coopreport extract`: multilingual lexicons (keywords, month names, countries, counterparts)
EXTRACT_DIR: Path = DATA_DIR / "extract"
NOTEBOOKS_DIR: Path = PROJECT_ROOT / "notebooks"
PARAMS_DIR: Path = PROJECT_ROOT / "params"
REPORTS_DIR: Path = PROJECT_ROOT / "reports"
OUTPUT_DIR: Path = REPORTS_DIR / "_output"
ASSETS_DIR: Path = _PACKAGE_DIR / "assets"
# where Quarto renders (a folder whose path has no component starting with "." or "_");
# default: the system's temporary folder (analysis.render.quarto_cli.quarto_work_root)
QUARTO_TMP_ENV = "COOPREPORT_QUARTO_TMP"
# set to 1 to let params files run notebooks outside NOTEBOOKS_DIR (the trust boundary: README)
ALLOW_NOTEBOOK_OUTSIDE_ENV = "COOPREPORT_ALLOW_NOTEBOOK_OUTSIDE"
DATA_PATH_ENV = "COOPREPORT_DATA_PATH"
# A frozen copy of registry rows for tests and the notebooks under nbval (never edited with data/)
TEST_REGISTRY: Path = PROJECT_ROOT / "tests" / "fixtures" / "registry" / "cooperation_events.csv"
# Synthetic press texts with hand-made expected rows, scored by `make eval-extract`
PRESS_FIXTURES: Path = PROJECT_ROOT / "tests" / "fixtures" / "press"


def default_data_path() -> Path:
    """The registry a report reads when its ``data_path`` is empty.

    ``COOPREPORT_DATA_PATH`` when it is set (relative paths start at the project root), else
    the shipped registry ``data/cooperation_events.csv``.
    """
    named = os.environ.get(DATA_PATH_ENV, "").strip()
    return resolve_data_path(named) if named else DEFAULT_REGISTRY


def params_files(directory: Path | None = None) -> list[Path]:
    """Every params file (``*.yaml``, ``*.yml``) in ``directory`` (default ``params/``), sorted."""
    folder = directory or PARAMS_DIR
    return sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])


def resolve_data_path(path: str | os.PathLike[str]) -> Path:
    """Resolve a user-given data path: absolute as given, relative from the project root.

    An empty path means the default registry (:func:`default_data_path`).
    """
    if not str(path).strip():
        return default_data_path()
    candidate = Path(path).expanduser()
    return candidate if candidate.is_absolute() else (PROJECT_ROOT / candidate)


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
