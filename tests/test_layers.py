"""The package's stages are a contract (docs/design.md, "Layout and layers"): imports point one
way, and no module takes part in an import circle. ``make test`` runs ``lint-imports`` on the
package; these tests show that the contract catches a wrong import, and look for circles among
all modules."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

import analysis
from analysis.core import paths

PACKAGE = Path(analysis.__file__).parent
STAGES = ("core", "data", "measures", "report", "render", "build", "cli", "connectors", "extract")


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm: the groups of modules that import each other, in a circle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph.get(node, ()):
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_tarjan_finds_a_circle_and_only_it():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}
    assert strongly_connected(graph) == [["a", "b", "c"], ["e"]]


def test_no_module_of_the_package_is_in_an_import_circle():
    """Every import counts, also those inside functions and for type checking only."""
    built = grimp.build_graph("analysis", exclude_type_checking_imports=False)
    graph = {m: set(built.find_modules_directly_imported_by(m)) for m in built.modules}
    assert strongly_connected(graph) == []


def test_every_stage_says_what_it_owns_and_may_import():
    for stage in STAGES:
        init = PACKAGE / stage / "__init__.py"
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        assert len(doc.split()) >= 25, f"{init}: a paragraph on what it owns and may import"
        assert "may import" in doc.lower(), f"{init}: the docstring says what it may import"


def lint_imports(folder: Path, **additions: str) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` with the project's contracts on a copy of the package in ``folder``,
    with one more line at the end of each module named in ``additions`` (``core/errors.py``
    written as ``core__errors``)."""
    copy = folder / "src" / "analysis"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    for module, line in additions.items():
        target = copy / (module.replace("__", "/") + ".py")
        target.write_text(target.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")
    shutil.copy(paths.project_root() / "pyproject.toml", folder / "pyproject.toml")
    command = Path(sys.executable).with_name("lint-imports")
    return subprocess.run([str(command), "--config", "pyproject.toml", "--no-cache"],
                          cwd=folder, capture_output=True, text=True, timeout=300,
                          env={"PATH": str(command.parent), "PYTHONPATH": str(copy.parent)})


@pytest.mark.slow
def test_lint_imports_keeps_the_package_as_it_is(tmp_path):
    result = lint_imports(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "5 kept, 0 broken" in result.stdout


@pytest.mark.slow
def test_lint_imports_fails_on_an_import_that_climbs_a_layer(tmp_path):
    result = lint_imports(tmp_path, core__errors="from analysis.build import builder  # noqa")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Stages point one way" in result.stdout and "BROKEN" in result.stdout
    assert "analysis.core.errors -> analysis.build.builder" in result.stdout


@pytest.mark.slow
def test_lint_imports_fails_when_an_importer_uses_the_report_stage(tmp_path):
    result = lint_imports(tmp_path, connectors__iati="from analysis.report import i18n  # noqa")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "The importers and the extractor use only data and core BROKEN" in result.stdout
    assert "analysis.connectors.iati -> analysis.report.i18n" in result.stdout


@pytest.mark.slow
def test_lint_imports_fails_on_an_import_circle(tmp_path):
    result = lint_imports(tmp_path, core__textsafety="from analysis.core import errors  # noqa")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "No import circle among the modules of any package BROKEN" in result.stdout


# the import cells of the notebooks before the package was grouped by stage, as users may
# still have them in notebooks of their own
OLD_IMPORTS = [
    ("from analysis import report as r\nr.prepare_report", "analysis.report.sections"),
    ("from analysis import annex as a", "analysis.report.annex"),
    ("from analysis import procurement as p", "analysis.report.procurement"),
    ("from analysis import system as s", "analysis.report.system"),
    ("from analysis import reference", "analysis.data.reference"),
    ("from analysis import display", "analysis.report.display"),
    ("from analysis import registry", "analysis.data.registry"),
    ("from analysis.build import build_reports", "analysis.build.builder"),
    ("from analysis.render import render_notebook", "analysis.render.notebook"),
    ("from analysis.report import ReportData", "analysis.report.context"),
]


@pytest.mark.parametrize(("code", "new"), OLD_IMPORTS)
def test_code_written_for_the_old_names_fails_naming_the_new_module(code, new):
    with pytest.raises(ImportError, match=new.replace(".", r"\.")):
        exec(code, {})  # noqa: S102  (the statements above, nothing else)


def test_a_dotted_import_of_an_old_module_fails_as_python_says():
    """No import hook is installed to word it better: importing analysis has no side effect."""
    import sys

    before = list(sys.meta_path)
    with pytest.raises(ModuleNotFoundError, match="No module named 'analysis.display'"):
        exec("from analysis.display import Heading", {})  # noqa: S102
    assert sys.meta_path == before


def test_names_that_never_existed_fail_as_usual():
    with pytest.raises(ModuleNotFoundError, match="No module named 'analysis.nothing'"):
        exec("import analysis.nothing", {})  # noqa: S102
    with pytest.raises(AttributeError):
        exec("import analysis.report\nanalysis.report.nothing", {})  # noqa: S102


def test_the_notebooks_import_only_the_report_surface():
    """Notebooks stay thin: they call analysis.report (README, "Notebooks"), nothing deeper."""
    from analysis.build.kernel_template import notebook_imports

    for notebook in sorted(paths.notebooks_dir().glob("*.ipynb")):
        imported = [m for m in notebook_imports([notebook]) if m.startswith("analysis")]
        assert imported, notebook
        assert all(m == "analysis.report" or m.startswith("analysis.report.")
                   for m in imported), (notebook.name, imported)
