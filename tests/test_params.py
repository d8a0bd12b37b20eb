"""Params files are checked before any kernel starts; each bad case names file and key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from analysis import paths
from analysis.errors import ParameterError
from analysis.params import (
    discover_params,
    load_report_spec,
    load_reports,
    matches_annotation,
    parameters_cell,
)

TINY = "tests/fixtures/notebooks/tiny.ipynb"


def write(tmp_path: Path, text: str, name: str = "report.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def good(**changes: str) -> str:
    fields = {"name": "tiny-report", "notebook": TINY, "title": "Tiny report",
              "formats": "[html, pdf]", "parameters": "\n  label: hello\n  value: 3"}
    fields.update(changes)
    return "".join(f"{k}: {v}\n" for k, v in fields.items() if v is not None)


def test_good_params_file(tmp_path):
    report = load_report_spec(write(tmp_path, good()))
    assert report.name == "tiny-report"
    assert report.notebook == (paths.PROJECT_ROOT / TINY).resolve()
    assert report.parameters == {"label": "hello", "value": 3}
    assert report.spec.formats == ["html", "pdf"]


def test_shipped_params_files_are_valid(monkeypatch):
    # the registry they name is checked by `coopreport validate` (its own step of make test),
    # so that a data edit never fails a test
    monkeypatch.setattr("analysis.params._data_problems", lambda path, mtime: ())
    reports = load_reports(discover_params())
    names = {r.name for r in reports}
    assert {"uzb-profile", "aze-profile", "uzb-aze-comparison", "uzb-strategic-procurement",
            "aze-strategic-procurement"} <= names


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (good(colour="blue"), "colour: unknown key"),
        (good(title=None), "title: required key is missing"),
        (good(name="../escape"), "name: '../escape' cannot be a report name"),
        (good(name="/etc/passwd"), "name: '/etc/passwd' cannot be a report name"),
        (good(name="a/b"), "cannot be a report name"),
        (good(formats="[docx]"), "formats.0"),
        (good(formats="[]"), "formats"),
        (good(notebook="missing.ipynb"), "notebook: 'missing.ipynb' not found"),
        (good(parameters="\n  value: three"), "parameters.value: 'three' is not of the declared "
                                               "type int"),
        (good(parameters="\n  value: true"), "parameters.value: True is not of the declared"),
        (good(parameters="\n  colour: red"), "parameters.colour: the notebook tiny.ipynb does "
                                             "not declare this parameter"),
        (good(parameters="\n  country: XXX"), "parameters.country: 'XXX' is not an ISO 3166-1"),
        (good(parameters="\n  country: uzb"), "parameters.country: 'uzb' is not an ISO 3166-1"),
        (good(parameters="\n  start_year: 2025\n  end_year: 2020"),
         "start_year 2025 is after end_year 2020"),
        (good(parameters="\n  lang: fr"), "parameters.lang: 'fr' is not a supported language"),
        (good(parameters="\n  data_path: data/nope.csv"), "parameters.data_path: no file at"),
        (good(title="[unclosed"), "invalid YAML"),
        ("name: a\nname: b\nnotebook: x\ntitle: t\n", "key 'name' appears twice"),
        ("- just\n- a list\n", "must be a YAML mapping"),
        ("", "must be a YAML mapping"),
        (good(title="123"), "title: Input should be a valid string"),
    ],
)
def test_each_bad_params_case(tmp_path, text, expected):
    path = write(tmp_path, text)
    with pytest.raises(ParameterError) as caught:
        load_report_spec(path)
    message = str(caught.value)
    assert str(path) in message
    assert expected in message


def test_yaml_error_names_the_line(tmp_path):
    path = write(tmp_path, good(title='"unclosed'))
    with pytest.raises(ParameterError, match=rf"{path}:\d+: invalid YAML"):
        load_report_spec(path)


@pytest.mark.parametrize(("fixture", "count"), [("no_parameters_cell", 0),
                                                ("two_parameters_cells", 2)])
def test_notebook_needs_exactly_one_parameters_cell(tmp_path, fixture, count):
    path = write(tmp_path, good(notebook=f"tests/fixtures/notebooks/{fixture}.ipynb",
                                parameters="\n  x: 1"))
    with pytest.raises(ParameterError, match=f"{count} cells tagged 'parameters'"):
        load_report_spec(path)


def test_duplicate_report_names_across_files(tmp_path):
    first = write(tmp_path, good(), "a.yaml")
    second = write(tmp_path, good(), "b.yaml")
    with pytest.raises(ParameterError, match="'tiny-report' is also the name in"):
        load_reports([first, second])


def test_all_bad_files_are_reported_together(tmp_path):
    first = write(tmp_path, good(colour="x"), "a.yaml")
    second = write(tmp_path, good(name="b", title=None), "b.yaml")
    with pytest.raises(ParameterError) as caught:
        load_reports([first, second])
    assert "a.yaml: colour" in str(caught.value) and "b.yaml: title" in str(caught.value)


def test_parameters_cell_reads_types_defaults_and_comments():
    declared = {d.name: d for d in parameters_cell(paths.PROJECT_ROOT / TINY)}
    assert declared["value"].annotation == "int" and declared["value"].default == 1
    assert declared["label"].comment == "text shown in the report"
    notebooks = {d.name for d in parameters_cell(paths.NOTEBOOKS_DIR / "country_comparison.ipynb")}
    assert {"countries", "start_year", "end_year", "data_path"} <= notebooks


@pytest.mark.parametrize(("value", "annotation", "ok"), [
    ("UZB", "str", True), (3, "str", False), (3, "int", True), (True, "int", False),
    (2.5, "float", True), (3, "float", True), (["A", "B"], "list[str]", True),
    (["A", 1], "list[str]", False), (None, "str | None", True), ("x", "str | None", True),
    (1, "str | None", False), ("anything", None, True),
])
def test_matches_annotation(value, annotation, ok):
    assert matches_annotation(value, annotation) is ok


def test_every_parameter_problem_is_reported(tmp_path):
    path = write(tmp_path, good(parameters="\n  value: three\n  label: 5\n  colour: red"))
    with pytest.raises(ParameterError) as caught:
        load_report_spec(path)
    message = str(caught.value)
    assert "parameters.value" in message and "parameters.label" in message
    assert "parameters.colour" in message


def test_peer_must_differ_from_the_country(tmp_path):
    path = write(tmp_path, "name: sp\nnotebook: strategic_procurement.ipynb\ntitle: SP\n"
                           "parameters:\n  country: UZB\n  peer: UZB\n")
    with pytest.raises(ParameterError, match="parameters.peer: the peer must be another"):
        load_report_spec(path)


def test_every_problem_of_a_params_file_is_reported_at_once(tmp_path):
    """Keys, parameter names, types and values are all checked, whichever fail (like validate)."""
    path = write(tmp_path, good(colour="blue", formats="[docx]",
                                parameters="\n  value: three\n  shade: red\n  country: XXX"
                                           "\n  start_year: 2025\n  end_year: 2020"))
    with pytest.raises(ParameterError) as caught:
        load_reports([path])
    lines = str(caught.value).splitlines()
    expected = [
        f"{path}: colour: unknown key",
        f"{path}: formats.0: ",
        f"{path}: parameters.value: 'three' is not of the declared type int; give a value of "
        "that type like the notebook's default 1",
        f"{path}: parameters.shade: the notebook tiny.ipynb does not declare this parameter; "
        "remove it or use one it declares: label, value,",
        f"{path}: parameters.country: 'XXX' is not an ISO 3166-1 alpha-3 country code",
        f"{path}: parameters: start_year 2025 is after end_year 2020",
    ]
    for start in expected:
        assert sum(line.startswith(start) for line in lines) == 1, (start, lines)
    assert lines[-1] == "6 problems in 1 params file; fix them and run again (nothing was built)"


def test_a_missing_notebook_does_not_hide_the_other_problems(tmp_path):
    path = write(tmp_path, good(notebook="missing.ipynb", parameters="\n  country: XXX"))
    with pytest.raises(ParameterError) as caught:
        load_report_spec(path)
    message = str(caught.value)
    assert "notebook: 'missing.ipynb' not found" in message
    assert "parameters.country: 'XXX' is not an ISO 3166-1" in message


@pytest.mark.parametrize("path", sorted(paths.NOTEBOOKS_DIR.glob("*.ipynb")),
                         ids=lambda p: p.name)
def test_papermill_reads_every_declared_parameter(path):
    """`papermill --help-notebook` lists each parameter with the type and comment we check."""
    import papermill

    seen = {p["name"]: p for p in papermill.inspect_notebook(str(path)).values()}
    declared = parameters_cell(path)
    assert set(seen) == {d.name for d in declared}
    for d in declared:
        assert seen[d.name]["inferred_type_name"] == d.annotation
        assert seen[d.name]["help"] == d.comment


@pytest.mark.parametrize(("line", "message"), [
    ('peer: str | None = "AZE"  # the peer', "papermill cannot read the annotation 'str | None'"),
    ('peer: str = "AZE"  # peer, e.g. x = 1', "papermill skips a parameters line with a second"),
])
def test_declarations_papermill_cannot_read_are_refused(tmp_path, line, message):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell(line, metadata={"tags": ["parameters"]}))
    notebook = tmp_path / "nb.ipynb"
    nbformat.write(nb, notebook)
    with pytest.raises(ParameterError, match=re.escape(message)):
        parameters_cell(notebook)
