"""Keep committed notebooks clean: outputs only in cells marked ``# NBVAL_CHECK_OUTPUT``.

``python -m analysis.build.nbtools notebooks/*.ipynb`` (``make notebooks``) runs each notebook with
its default parameters on the frozen test registry (``COOPREPORT_DATA_PATH``, default
:data:`analysis.core.paths.test_registry()`, the registry ``make test`` gives nbval), copies the
outputs of the checked cells into the committed notebook and
strips everything else with nbstripout (checked cells carry ``keep_output: true`` metadata,
which nbstripout honours). ``tests/test_notebooks.py`` fails when a notebook is not in this
state, so a notebook saved from JupyterLab with outputs is caught.
"""

from __future__ import annotations

import copy
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import nbformat
from nbstripout import strip_output

from analysis.build.kernels import kernel_manager_class
from analysis.core.files import atomic_write

CHECK_MARK = "# NBVAL_CHECK_OUTPUT"


def is_checked(cell: nbformat.NotebookNode) -> bool:
    return cell.get("cell_type") == "code" and CHECK_MARK in "".join(cell.get("source", ""))


def stripped(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook as it should be committed: no outputs outside checked cells, no counts."""
    clean = copy.deepcopy(nb)
    for cell in clean.cells:
        if is_checked(cell):
            cell.metadata["keep_output"] = True
        else:
            cell.metadata.pop("keep_output", None)
    clean = strip_output(clean, keep_output=False, keep_count=False, keep_id=True)
    # nbval skips the comparison for a cell without an execution count ("unrun reference
    # cell"), so checked cells get stable counts 1, 2, ... and all other cells none.
    count = 0
    for cell in clean.cells:
        if cell.get("cell_type") != "code":
            continue
        number = None
        if is_checked(cell) and cell.get("outputs"):
            count += 1
            number = count
        cell["execution_count"] = number
        for output in cell.get("outputs", []):
            if "execution_count" in output:
                output["execution_count"] = number
    return clean


def refresh(path: Path) -> None:
    """Re-run ``path`` with its defaults and commit only its checked outputs."""
    import os

    import papermill

    from analysis.core import paths

    # checked outputs come from the frozen test registry, the one nbval runs against
    os.environ.setdefault(paths.DATA_PATH_ENV, str(paths.test_registry()))
    source = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory() as folder:
        executed_path = Path(folder) / path.name
        papermill.execute_notebook(str(path), str(executed_path), cwd=folder,
                                   progress_bar=False, kernel_name="python3",
                                   kernel_manager_class=kernel_manager_class())
        executed = nbformat.read(executed_path, as_version=4)
    outputs = {c.get("id"): c.get("outputs", []) for c in executed.cells if is_checked(c)}
    for cell in source.cells:
        if is_checked(cell):
            cell.outputs = outputs.get(cell.get("id"), [])
    text = nbformat.writes(stripped(source))
    atomic_write(path, text if text.endswith("\n") else text + "\n")  # as nbformat.write


def main(argv: Sequence[str]) -> int:
    for name in argv:
        refresh(Path(name))
        print(f"refreshed {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
