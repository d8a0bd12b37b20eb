"""A notebook's declared parameters: its one cell tagged ``parameters``, read without running it.

A report notebook declares each parameter as ``name: type = literal  # what it means``, the
form papermill reads for ``--help-notebook`` and for injecting values. The build checks params
files against these declarations; the renderers read them for a notebook papermill ran alone.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.core.errors import ParameterError


@dataclass(frozen=True)
class Declared:
    """A parameter as declared in a notebook's ``parameters`` cell."""

    name: str
    annotation: str | None
    default: Any
    comment: str


def parameters_cell(notebook: Path) -> list[Declared]:
    """The parameters declared in a notebook's single cell tagged ``parameters``.

    Raises
    ------
    ParameterError
        When the notebook cannot be read, has no or several ``parameters`` cells, or the cell
        holds anything but simple ``name: type = literal  # comment`` assignments.
    """
    try:
        nb = _read_notebook(notebook)
    except (OSError, ValueError) as exc:
        raise ParameterError(f"{notebook}: cannot read the notebook ({exc})") from exc
    return declared_parameters(nb, notebook)


def _read_notebook(notebook: Path) -> Mapping[str, Any]:
    """A notebook's content: its JSON as it is when in format 4, the one report notebooks
    use, else read and converted by nbformat. (Importing nbformat takes over a second, for
    its JSON schema tools, which ``coopreport list`` and a build's checks never need.)"""
    data = json.loads(notebook.read_text(encoding="utf-8"))
    if isinstance(data, dict) and data.get("nbformat") == 4 and isinstance(data.get("cells"),
                                                                            list):
        return data
    import nbformat

    return nbformat.read(notebook, as_version=4)  # type: ignore[no-any-return]


def declared_parameters(nb: Mapping[str, Any], notebook: Path) -> list[Declared]:
    """:func:`parameters_cell` on a notebook already read (``notebook`` names it in errors)."""
    cells = [c for c in nb["cells"] if isinstance(c, Mapping)
             and "parameters" in (c.get("metadata") or {}).get("tags", [])]
    if len(cells) != 1:
        raise ParameterError(
            f"{notebook}: {len(cells)} cells tagged 'parameters'; a report notebook needs exactly "
            "one (without it papermill only warns and the notebook's defaults silently win)")
    raw = cells[0].get("source", "")
    source = "".join(raw) if isinstance(raw, list) else str(raw)
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ParameterError(f"{notebook}: the parameters cell is not valid Python ({exc})"
                             ) from exc
    lines = source.splitlines()
    declared: list[Declared] = []
    for stmt in tree.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value:
            name, annotation, value = stmt.target.id, ast.unparse(stmt.annotation), stmt.value
        elif (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
              and isinstance(stmt.targets[0], ast.Name)):
            name, annotation, value = stmt.targets[0].id, None, stmt.value
        else:
            raise ParameterError(f"{notebook}: parameters cell line {stmt.lineno}: only "
                                 "'name: type = value' assignments belong in the parameters cell")
        try:
            default = ast.literal_eval(value)
        except ValueError as exc:
            raise ParameterError(f"{notebook}: parameter '{name}': the default must be a literal"
                                 ) from exc
        line = lines[stmt.lineno - 1]
        _check_papermill_reads(notebook, name, annotation, lines[stmt.lineno - 1:stmt.end_lineno])
        comment = line.split("#", 1)[1].strip() if "#" in line else ""
        declared.append(Declared(name, annotation, default, comment))
    return declared


# papermill's PythonTranslator reads a parameter as ``name: annotation = value  # help`` where
# the annotation has only word characters, brackets, commas and spaces, and skips any line with
# a second "=". A parameter it cannot read is missing from ``papermill --help-notebook`` and
# injecting it warns "Passed unknown parameter": refuse such declarations here instead.
_PAPERMILL_ANNOTATION = re.compile(r"[A-Za-z_][\w\[\],\s]*")


def _check_papermill_reads(notebook: Path, name: str, annotation: str | None,
                           lines: list[str]) -> None:
    if annotation is not None and not _PAPERMILL_ANNOTATION.fullmatch(annotation):
        raise ParameterError(
            f"{notebook}: parameter '{name}': papermill cannot read the annotation "
            f"'{annotation}'; use a plain type such as str, int, float, bool or list[str] (for "
            "an optional value, a default meaning none, e.g. peer: str = \"\")")
    if any(line.count("=") > 1 for line in lines):
        raise ParameterError(
            f"{notebook}: parameter '{name}': papermill skips a parameters line with a second "
            "'=' (in the value or the comment); reword it")


def matches_annotation(value: Any, annotation: str | None) -> bool:
    """Whether a YAML value fits a simple annotation: str, int, float, bool, list[T], X | None."""
    if annotation is None:
        return True
    options = [a.strip() for a in annotation.split("|")]
    for option in options:
        if option == "None" and value is None:
            return True
        if option == "str" and isinstance(value, str):
            return True
        if option == "bool" and isinstance(value, bool):
            return True
        if option == "int" and isinstance(value, int) and not isinstance(value, bool):
            return True
        if option == "float" and isinstance(value, int | float) and not isinstance(value, bool):
            return True
        inner = re.fullmatch(r"list\[(.+)\]", option)
        if inner and isinstance(value, list):
            return all(matches_annotation(v, inner.group(1)) for v in value)
        if option not in ("None", "str", "bool", "int", "float") and not inner:
            return True  # an annotation this checker does not know: leave it to the notebook
    return False
