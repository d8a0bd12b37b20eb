"""Committed notebooks: one typed parameters cell, thin code, outputs only where nbval checks."""

from __future__ import annotations

import ast

import nbformat
import pytest

from analysis.build.nbtools import is_checked, stripped
from analysis.build.params import parameters_cell
from analysis.core import paths

NOTEBOOKS = sorted(paths.notebooks_dir().glob("*.ipynb"))
REQUIRED = {
    "country_profile.ipynb": {"country", "start_year", "end_year", "data_path"},
    "country_comparison.ipynb": {"countries", "start_year", "end_year", "data_path"},
    "strategic_procurement.ipynb": {"country", "start_year", "end_year", "data_path"},
}


def test_the_three_report_notebooks_exist():
    assert {p.name for p in NOTEBOOKS} >= set(REQUIRED)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_exactly_one_typed_commented_parameters_cell(path):
    declared = parameters_cell(path)  # raises unless exactly one cell is tagged
    names = {d.name for d in declared}
    assert REQUIRED.get(path.name, set()) <= names
    for d in declared:
        assert d.annotation, f"{path.name}: parameter {d.name} has no type annotation"
        assert d.comment, f"{path.name}: parameter {d.name} has no comment"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_outputs_only_in_checked_cells(path):
    nb = nbformat.read(path, as_version=4)
    loose = [i for i, c in enumerate(nb.cells)
             if c.cell_type == "code" and c.get("outputs") and not is_checked(c)]
    assert loose == [], f"{path.name}: outputs in unchecked cells {loose}; run `make notebooks`"
    checked = [c for c in nb.cells if is_checked(c)]
    assert checked and all(c.get("outputs") for c in checked), (
        f"{path.name}: needs a '# NBVAL_CHECK_OUTPUT' key-figures cell with its outputs")
    assert stripped(nb) == nb, f"{path.name}: not in stripped form; run `make notebooks`"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_stay_thin(path):
    """Logic lives in src/analysis: no functions, classes or loops in report notebooks."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            assert not isinstance(node, ast.FunctionDef | ast.ClassDef | ast.For | ast.While), (
                f"{path.name}: move this logic into src/analysis/:\n{cell.source}")


def imported_names(path) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """A notebook's ``from analysis... import M as alias`` aliases, and every ``alias.name`` its
    code uses."""
    nb = nbformat.read(path, as_version=4)
    aliases: dict[str, str] = {}
    used: list[tuple[str, str]] = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("analysis"):
                aliases |= {a.asname or a.name: f"{node.module}.{a.name}" for a in node.names}
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                used.append((node.value.id, node.attr))
    return aliases, [(alias, attr) for alias, attr in used if alias in aliases]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_everything_a_notebook_calls_exists(path):
    """Each ``r.name``, ``s.name``... the notebook uses is in the module it imports: a name
    that moved fails here, not only in the slow end-to-end run."""
    import importlib

    aliases, used = imported_names(path)
    assert used, path.name
    missing = [f"{alias}.{attr} ({aliases[alias]})" for alias, attr in used
               if not hasattr(importlib.import_module(aliases[alias]), attr)]
    assert missing == [], f"{path.name} calls what its modules do not have: {missing}"


def test_checks_catch_a_notebook_saved_with_outputs(tmp_path):
    nb = nbformat.read(paths.notebooks_dir() / "country_profile.ipynb", as_version=4)
    unchecked = next(c for c in nb.cells if c.cell_type == "code" and not is_checked(c))
    unchecked.outputs = [nbformat.v4.new_output("stream", name="stdout", text="leftover\n")]
    assert stripped(nb) != nb
