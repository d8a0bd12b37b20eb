"""``coopreport new FOLDER``: a new project folder, ready for its first activities.

What a new project holds, and where it comes from:

- written from the package (:data:`analysis.core.paths.NEW_PROJECT_DIR`): the marker and
  settings file ``coopreport.yaml`` (its keys commented), a README with the next steps, a
  ``.gitignore``;
- written from the code's schema, so they never drift from what ``validate`` expects: an empty
  registry and commitments file with their headers (:mod:`analysis.data.registry_format`,
  :mod:`analysis.data.commitments`), and empty country indicators and milestones files
  (:mod:`analysis.data.reference`), with which every shipped notebook runs;
- copied from this repository's project (:func:`sample_root`): the notebooks, the Quarto
  project ``reports/``, the vocabularies (``data/taxonomy/``), the importers' and the
  extractor's lists (``data/mappings/``, ``data/extract/``), ``data/sources.yaml``, the
  indicator guide and the sources' Russian names, and one params file
  (:data:`EXAMPLE_PARAMS`). No curated country data unless ``--with-sample-data``, which copies
  the whole ``data/`` and every params file.

The repository's files are the single source of truth: a wheel carries a copy of them made when
it is built (``setup.py`` copies ``data/``, ``params/``, ``notebooks/`` and ``reports/`` into
``analysis/assets/sample_project/``; ``MANIFEST.in`` puts them in the sdist); a development
install reads its checkout. Nothing is written into a folder that is not empty, and a new
project appears whole or not at all (it is made beside the folder, then renamed into place).
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from analysis.core import paths
from analysis.core.errors import ParameterError, UnavailableError
from analysis.data import commitments, reference, registry_format

EXAMPLE_PARAMS = "uzb-profile.yaml"  # the one params file of a new project
# the reference files that are vocabularies, not country data
REFERENCE_COPIED = (reference.GUIDE_NAME, reference.SOURCE_NAMES_NAME)
# what is never copied from a project: built reports, caches, editors' files
SKIPPED = frozenset({"_output", "_build", ".quarto", "cache", "__pycache__",
                     ".ipynb_checkpoints"})


def sample_root() -> Path:
    """The project whose files a new project copies: the wheel's copy of this repository's
    project, else (a development install) the source checkout.

    Raises
    ------
    UnavailableError
        When this installation has neither (a package built without ``setup.py``'s copy).
    """
    if paths.notebooks_dir(paths.SAMPLE_PROJECT_DIR).is_dir():
        return paths.SAMPLE_PROJECT_DIR
    checkout = paths.PACKAGE_DIR.parents[1]  # src/analysis -> the checkout
    if paths.notebooks_dir(checkout).is_dir() and paths.is_project(checkout):
        return checkout
    raise UnavailableError(
        f"this coopreport installation lacks the project files `coopreport new` copies "
        f"(expected in {paths.SAMPLE_PROJECT_DIR}); reinstall coopreport from its wheel or "
        "source distribution (pip install coopreport), which carry them")


def csv_header(columns: Iterable[str]) -> str:
    """A CSV file with only a header row of ``columns``."""
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerow(list(columns))
    return text.getvalue()


def written_files() -> dict[Path, str]:
    """The files a new project gets from the code's schema (path relative to the project →
    text): empty registry, commitments, indicators and milestones files with their headers."""
    root = Path()
    return {
        paths.default_registry(root): csv_header(
            [*registry_format.COLUMNS, *registry_format.OPTIONAL_COLUMNS]),
        paths.default_commitments(root): csv_header(
            [*commitments.COLUMNS, *commitments.OPTIONAL_COLUMNS]),
        paths.reference_dir(root) / reference.INDICATORS_NAME: csv_header(
            [*reference.INDICATOR_COLUMNS, *reference.OPTIONAL_INDICATOR_COLUMNS]),
        paths.reference_dir(root) / reference.MILESTONES_NAME: csv_header(
            [*reference.MILESTONE_COLUMNS, *reference.OPTIONAL_MILESTONE_COLUMNS]),
    }


def copied_paths(with_sample_data: bool) -> list[Path]:
    """The files and folders a new project copies from :func:`sample_root` (relative)."""
    root = Path()
    common = [paths.notebooks_dir(root), paths.reports_dir(root)]
    if with_sample_data:
        return [*common, paths.data_dir(root), paths.params_dir(root)]
    return [*common, paths.taxonomy_dir(root), paths.mappings_dir(root),
            paths.extract_dir(root), paths.default_sources(root),
            *(paths.reference_dir(root) / name for name in REFERENCE_COPIED),
            paths.params_dir(root) / EXAMPLE_PARAMS]


def _copy(source: Path, target: Path) -> None:
    if source.is_dir():
        shutil.copytree(source, target, ignore=lambda _folder, names: [
            n for n in names if n in SKIPPED or n.startswith(".")])
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)


def check_target(folder: Path) -> None:
    """Refuse a target that is a file or a folder with anything in it.

    Raises
    ------
    ParameterError
        Naming the folder and what to do.
    """
    if folder.exists() and not folder.is_dir():
        raise ParameterError(f"{folder} is a file, not a folder; give the "
                             "path of a new (or empty) folder")
    if folder.is_dir() and any(folder.iterdir()):
        raise ParameterError(f"{folder} is not empty; nothing was written. "
                             "Give a new or empty folder (an existing project keeps its "
                             "files: coopreport new never overwrites)")


def new_project(folder: Path, with_sample_data: bool = False) -> Path:
    """Make a new project in ``folder`` (created; it may exist if empty) and return its path.

    Raises
    ------
    ParameterError
        When ``folder`` is a file or a folder that is not empty (nothing is written).
    UnavailableError
        When the project files to copy are missing from this installation.
    """
    target = folder.expanduser().absolute()
    check_target(target)
    source = sample_root()
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    try:
        for relative in copied_paths(with_sample_data):
            _copy(source / relative, work / relative)
        if not with_sample_data:
            for relative, text in written_files().items():
                (work / relative).parent.mkdir(parents=True, exist_ok=True)
                (work / relative).write_text(text, encoding="utf-8")
        for name, written_as in ((paths.CONFIG_NAME, paths.CONFIG_NAME),
                                 ("README.md", "README.md"), ("gitignore", ".gitignore")):
            shutil.copyfile(paths.NEW_PROJECT_DIR / name, work / written_as)
        work.chmod(0o777 & ~_umask())
        check_target(target)  # still empty: nothing appeared meanwhile
        if target.is_dir():
            target.rmdir()
        os.replace(work, target)
    finally:
        if work.exists():
            shutil.rmtree(work)
    return target


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
