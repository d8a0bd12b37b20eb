"""Every path the toolkit uses, in one place.

The project root is the checkout that holds ``pyproject.toml`` (the package is installed
editable from ``src/``). Set ``COOPREPORT_ROOT`` to point the toolkit at another project folder,
for example a copy with its own ``data/`` and ``params/``. No other module holds a path literal.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


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
NOTEBOOKS_DIR: Path = PROJECT_ROOT / "notebooks"
PARAMS_DIR: Path = PROJECT_ROOT / "params"
REPORTS_DIR: Path = PROJECT_ROOT / "reports"
OUTPUT_DIR: Path = REPORTS_DIR / "_output"
ASSETS_DIR: Path = _PACKAGE_DIR / "assets"
# where Quarto renders (a folder whose path has no component starting with "." or "_");
# default: the system's temporary folder (analysis.quarto_cli.quarto_work_root)
QUARTO_TMP_ENV = "COOPREPORT_QUARTO_TMP"
# set to 1 to let params files run notebooks outside NOTEBOOKS_DIR (the trust boundary: README)
ALLOW_NOTEBOOK_OUTSIDE_ENV = "COOPREPORT_ALLOW_NOTEBOOK_OUTSIDE"


def resolve_data_path(path: str | os.PathLike[str]) -> Path:
    """Resolve a user-given data path: absolute as given, relative from the project root."""
    candidate = Path(path).expanduser()
    return candidate if candidate.is_absolute() else (PROJECT_ROOT / candidate)


def display_path(path: Path) -> str:
    """A path as users should read it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
