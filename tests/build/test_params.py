"""Params files are checked before any kernel starts; each bad case names file and key."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from analysis.build.params import (
    discover_params,
    load_report_spec,
    load_reports,
    matches_annotation,
    parameters_cell,
    read_yaml,
    reserved_names,
    show_value,
)
from analysis.cli import main
from analysis.core import paths
from analysis.core.errors import ParameterError

# a test-only notebook outside notebooks/: tests opt in with allow_notebook_outside=True
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
    report = load_report_spec(write(tmp_path, good()), allow_notebook_outside=True)
    assert report.name == "tiny-report"
    assert report.notebook == (paths.project_root() / TINY).resolve()
    assert report.parameters == {"label": "hello", "value": 3}
    assert report.spec.formats == ["html", "pdf"]


def test_shipped_params_files_are_valid(monkeypatch):
    # the registry they name is checked by `coopreport validate` (its own step of make test),
    # so that a data edit never fails a test
    monkeypatch.setattr("analysis.build.problems.read_problems", lambda path: {})
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
        load_report_spec(path, allow_notebook_outside=True)
    message = str(caught.value)
    assert str(path) in message
    assert expected in message


def test_yaml_error_names_the_line(tmp_path):
    path = write(tmp_path, good(title='"unclosed'))
    with pytest.raises(ParameterError, match=rf"{path}:\d+: invalid YAML"):
        load_report_spec(path, allow_notebook_outside=True)


@pytest.mark.parametrize(("fixture", "count"), [("no_parameters_cell", 0),
                                                ("two_parameters_cells", 2)])
def test_notebook_needs_exactly_one_parameters_cell(tmp_path, fixture, count):
    path = write(tmp_path, good(notebook=f"tests/fixtures/notebooks/{fixture}.ipynb",
                                parameters="\n  x: 1"))
    with pytest.raises(ParameterError, match=f"{count} cells tagged 'parameters'"):
        load_report_spec(path, allow_notebook_outside=True)


def test_duplicate_report_names_across_files(tmp_path):
    first = write(tmp_path, good(), "a.yaml")
    second = write(tmp_path, good(), "b.yaml")
    with pytest.raises(ParameterError, match="'tiny-report' is also the name in"):
        load_reports([first, second], allow_notebook_outside=True)


def test_all_bad_files_are_reported_together(tmp_path):
    first = write(tmp_path, good(colour="x"), "a.yaml")
    second = write(tmp_path, good(name="b", title=None), "b.yaml")
    with pytest.raises(ParameterError) as caught:
        load_reports([first, second], allow_notebook_outside=True)
    assert "a.yaml: colour" in str(caught.value) and "b.yaml: title" in str(caught.value)


def test_parameters_cell_reads_types_defaults_and_comments():
    declared = {d.name: d for d in parameters_cell(paths.project_root() / TINY)}
    assert declared["value"].annotation == "int" and declared["value"].default == 1
    assert declared["label"].comment == "text shown in the report"
    comparison = paths.notebooks_dir() / "country_comparison.ipynb"
    notebooks = {d.name for d in parameters_cell(comparison)}
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
        load_report_spec(path, allow_notebook_outside=True)
    message = str(caught.value)
    assert "parameters.value" in message and "parameters.label" in message
    assert "parameters.colour" in message


def test_peer_must_differ_from_the_country(tmp_path):
    path = write(tmp_path, "name: sp\nnotebook: strategic_procurement.ipynb\ntitle: SP\n"
                           "parameters:\n  country: UZB\n  peer: UZB\n")
    with pytest.raises(ParameterError, match="parameters.peer: the peer must be another"):
        load_report_spec(path, allow_notebook_outside=True)


def test_expected_warnings_name_known_warnings(tmp_path):
    report = load_report_spec(write(tmp_path, good(expected_warnings="[empty-peer]")),
                              allow_notebook_outside=True)
    assert report.spec.expected_warnings == ["empty-peer"]
    assert load_report_spec(write(tmp_path, good()),
                            allow_notebook_outside=True).spec.expected_warnings == []


def test_an_unknown_expected_warning_is_a_params_error(tmp_path):
    path = write(tmp_path, good(expected_warnings="[empty-peer, empty-pier, no-data]"))
    with pytest.raises(ParameterError) as caught:
        load_report_spec(path, allow_notebook_outside=True)
    lines = str(caught.value).splitlines()
    assert lines == [
        f"{path}: expected_warnings: 'empty-pier' is not a warning a report raises; did you "
        "mean 'empty-peer'? the known ones are empty-country, empty-peer (or remove the key)",
        f"{path}: expected_warnings: 'no-data' is not a warning a report raises; the known "
        "ones are empty-country, empty-peer (or remove the key)"]
    with pytest.raises(ParameterError, match=r"expected_warnings: Input should be a valid list"):
        load_report_spec(write(tmp_path, good(expected_warnings="empty-peer")),
                         allow_notebook_outside=True)


# --- bounded YAML: aliases refused, size and depth limited, values in messages cut short ---

def _bomb(levels: int = 9) -> str:
    """A "billion laughs" document: 9 levels of 9 aliases expand to 9**9 (387 million) items."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        refs = ", ".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{refs}]")
    return "\n".join(lines)


@pytest.mark.parametrize(("text", "line"), [
    # the bomb in title (the reported case): a0 on line 3, its first use on line 4
    ("name: r\nnotebook: x.ipynb\n" + _bomb().replace("a8: &a8", "title:"), 4),
    # inside parameters: a0 on line 5, its first use on line 6
    ("name: r\nnotebook: x.ipynb\ntitle: t\nparameters:\n  " + _bomb().replace("\n", "\n  "),
     6),
])
def test_alias_bomb_is_refused_without_expanding(tmp_path, text, line):
    path = write(tmp_path, text)
    started = time.perf_counter()
    with pytest.raises(ParameterError) as caught:
        read_yaml(path)
    assert time.perf_counter() - started < 2
    message = str(caught.value)
    assert message.startswith(f"{path}:{line}: invalid YAML: alias *a0: coopreport's YAML files "
                              "(params files, data/sources.yaml) may not use aliases")
    assert len(message) < len(str(path)) + 200


@pytest.mark.parametrize(("text", "line"), [
    ("name: &n r\nnotebook: x.ipynb\ntitle: *n\n", 3),   # a single harmless-looking alias
    ("base: &b {country: UZB}\nparameters:\n  <<: *b\n", 3),  # a merge key needs an alias
])
def test_any_alias_is_refused_with_its_line(tmp_path, text, line):
    path = write(tmp_path, text)
    with pytest.raises(ParameterError, match=rf"^{re.escape(str(path))}:{line}: invalid YAML: "
                                             "alias \\*[nb]: coopreport's YAML files "
                                             r"\(params files, data/sources\.yaml\) may not use"):
        read_yaml(path)


def test_an_anchor_without_alias_is_harmless(tmp_path):
    assert read_yaml(write(tmp_path, "name: &n r\ntitle: t\n")) == {"name": "r", "title": "t"}


def test_deep_nesting_is_refused(tmp_path):
    deep = "[" * 10_000 + "]" * 10_000  # would overflow the composer's recursion
    path = write(tmp_path, f"name: r\ntitle: {deep}\n")
    with pytest.raises(ParameterError, match=rf"^{re.escape(str(path))}:2: invalid YAML: nested "
                                             "more than 20 levels deep"):
        read_yaml(path)


def test_twenty_levels_are_still_read(tmp_path):
    # collections count: the document mapping is level 1 and "title:" holds levels 2..20
    value = "[" * 19 + "1" + "]" * 19
    data = read_yaml(write(tmp_path, f"title: {value}\n"))
    inner = data["title"]
    for _ in range(18):
        inner = inner[0]
    assert inner == [1]


def test_oversized_file_is_refused_before_parsing(tmp_path):
    path = write(tmp_path, "name: r\ntitle: t\n# " + "x" * (256 * 1024) + "\n")
    with pytest.raises(ParameterError, match=rf"^{re.escape(str(path))}: the params file is "
                                             "larger than 256 KiB"):
        read_yaml(path)


def test_a_number_too_long_to_read_is_a_parameter_error(tmp_path):
    # Python refuses int() on more than 4300 digits with ValueError, which is not a YAMLError
    path = write(tmp_path, good(title="1" * 5000))
    with pytest.raises(ParameterError, match=rf"^{re.escape(str(path))}: invalid YAML: a value "
                                             "cannot be read"):
        load_report_spec(path, allow_notebook_outside=True)


@pytest.mark.parametrize(("changes", "key"), [
    ({"title": "[" + ", ".join(["123456789"] * 2000) + "]"}, "title"),
    ({"name": "x" * 5000}, "name"),
    ({"name": "../" + "x" * 5000}, "name"),
    ({"notebook": "n" * 5000 + ".ipynb"}, "notebook"),
    ({"parameters": "\n  value: " + "v" * 5000}, "parameters.value"),
    ({"parameters": "\n  lang: " + "l" * 5000}, "parameters.lang"),
    ({"parameters": "\n  country: " + "C" * 5000}, "parameters.country"),
    ({"parameters": "\n  data_path: " + "d" * 5000}, "parameters.data_path"),
    ({"parameters": "\n  start_year: " + "9" * 4000}, "parameters.start_year"),
])
def test_values_quoted_in_messages_are_cut_to_80_characters(tmp_path, changes, key):
    path = write(tmp_path, good(**changes))
    with pytest.raises(ParameterError) as caught:
        load_report_spec(path, allow_notebook_outside=True)
    message = str(caught.value)
    assert f"{path}: {key}" in message
    # no line carries more than the path, the key, an 80-character value and the explanation
    assert max(len(line) for line in message.splitlines()) < len(str(path)) + 400


@pytest.mark.parametrize(("value", "shown"), [
    ("short", "'short'"),
    ("x" * 100, "'" + "x" * 78 + "…"),  # 1 quote + 78 characters + the ellipsis = 80
    ("line\nbreak", "'line\\nbreak'"),
    (12, "12"),
    (["a"] * 10, "['a', 'a', 'a', 'a', 'a', 'a', ...]"),
    (10 ** 5000, "<a number of 16610 bits>"),  # 5000 * log2(10) = 16609.6
], ids=["short", "long", "newline", "int", "list", "huge-int"])
def test_show_value(value, shown):
    assert show_value(value) == shown
    assert len(show_value(value)) <= 80


def test_show_value_of_a_huge_nested_value_is_quick():
    shared = ["lol"] * 9
    for _ in range(12):  # 9**13 items if expanded
        shared = [shared] * 9
    started = time.perf_counter()
    assert len(show_value(shared)) <= 80
    assert time.perf_counter() - started < 1


# --- reserved report names: the build's own files in the output folder ---

@pytest.mark.parametrize("name", ["index", "INDEX", "Index", "build-summary", "Build-Summary",
                                  "index.html", "INDEX.HTML", "build-summary.json"])
def test_names_the_build_uses_are_reserved(tmp_path, name):
    path = write(tmp_path, good(name=name))
    with pytest.raises(ParameterError) as caught:
        load_report_spec(path, allow_notebook_outside=True)
    message = str(caught.value)
    assert message.startswith(f"{path}: name: '{name}' is reserved: the build writes")
    assert "choose another name" in message


@pytest.mark.parametrize("name", ["con", "CON", "nul.report", "Lpt1", "com9"])
def test_windows_device_names_are_refused(tmp_path, name):
    path = write(tmp_path, good(name=name))
    with pytest.raises(ParameterError, match=rf"name: '{name}' is a reserved device name"):
        load_report_spec(path, allow_notebook_outside=True)


@pytest.mark.parametrize("name", ["index-2024", "indexes", "summary", "build", "failed",
                                  "console", "com10", "lock"])
def test_names_close_to_reserved_ones_are_fine(tmp_path, name):
    path = write(tmp_path, good(name=name))
    assert load_report_spec(path, allow_notebook_outside=True).name == name


@pytest.mark.parametrize(("made", "stem"), [("index.html", "index"),
                                            ("build-summary.json", "build-summary"),
                                            ("_failed", "_failed"),
                                            (".coopreport-work", ".coopreport-work"),
                                            (".coopreport.lock", ".coopreport"),
                                            ("current", "current"),
                                            (".editions", ".editions")])
def test_reserved_names_follow_what_the_build_writes(made, stem):
    assert {made, stem} <= reserved_names()


def test_the_portal_page_reserved_is_the_one_the_portal_writes():
    from analysis.build.layout import PORTAL_NAME
    from analysis.render.portal import INDEX_NAME

    assert PORTAL_NAME == INDEX_NAME


def test_the_history_page_reserved_is_the_one_the_build_writes():
    from analysis.build.layout import CHANGES_DIR, HISTORY_PAGE
    from analysis.render.history import CHANGES_DIR as LINKED
    from analysis.render.history import HISTORY_PAGE as WRITTEN

    assert (HISTORY_PAGE, CHANGES_DIR) == (WRITTEN, LINKED)
    assert {"history.html", "history", "_changes"} <= reserved_names()


# --- notebook: confined to notebooks/ unless the build opts in ---

def _outside_notebook(folder: Path) -> Path:
    copy = folder / "elsewhere" / "tiny.ipynb"
    copy.parent.mkdir()
    copy.write_bytes((paths.project_root() / TINY).read_bytes())
    return copy


@pytest.mark.parametrize("how", ["absolute", "dotdot", "project-relative", "fixture"])
def test_notebook_outside_notebooks_is_refused(tmp_path, how, monkeypatch):
    monkeypatch.delenv(paths.ALLOW_NOTEBOOK_OUTSIDE_ENV, raising=False)
    outside = _outside_notebook(tmp_path)
    notebook = {
        "absolute": str(outside),
        "dotdot": "../" * len(paths.notebooks_dir().parts) + str(outside).lstrip("/"),
        "project-relative": TINY,
        "fixture": "../" + TINY,  # from notebooks/: one level up, then the fixture
    }[how]
    path = write(tmp_path, good(notebook=notebook))
    with pytest.raises(ParameterError) as caught:
        load_report_spec(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: notebook: ")
    assert f"outside {paths.notebooks_dir()}; report notebooks must live in notebooks/" in message
    assert "--allow-notebook-outside" in message


def test_symlink_in_notebooks_pointing_outside_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv(paths.ALLOW_NOTEBOOK_OUTSIDE_ENV, raising=False)
    folder = tmp_path / "notebooks"
    folder.mkdir()
    (folder / "inside.ipynb").write_bytes((paths.project_root() / TINY).read_bytes())
    (folder / "link.ipynb").symlink_to(_outside_notebook(tmp_path))
    (folder / "inner-link.ipynb").symlink_to(folder / "inside.ipynb")
    monkeypatch.setattr(paths, "notebooks_dir", lambda: folder)
    path = write(tmp_path, good(notebook="link.ipynb"))
    with pytest.raises(ParameterError, match="is '.*elsewhere/tiny.ipynb', outside"):
        load_report_spec(path)
    # a link that stays inside notebooks/ is fine; so is a plain notebook there
    for name in ("inner-link.ipynb", "inside.ipynb"):
        report = load_report_spec(write(tmp_path, good(notebook=name)))
        assert report.notebook == folder / "inside.ipynb"


def test_notebook_in_notebooks_is_accepted_both_ways(tmp_path, monkeypatch):
    monkeypatch.delenv(paths.ALLOW_NOTEBOOK_OUTSIDE_ENV, raising=False)
    for notebook in ("country_profile.ipynb", "notebooks/country_profile.ipynb"):
        report = load_report_spec(write(tmp_path, f"name: p\nnotebook: {notebook}\ntitle: P\n"))
        assert report.notebook == paths.notebooks_dir() / "country_profile.ipynb"


@pytest.mark.parametrize("value", ["1", "true", "yes"])
def test_environment_variable_opts_in(tmp_path, monkeypatch, value):
    monkeypatch.setenv(paths.ALLOW_NOTEBOOK_OUTSIDE_ENV, value)
    outside = _outside_notebook(tmp_path)
    assert load_report_spec(write(tmp_path, good(notebook=str(outside)))).notebook == outside


def test_build_command_refuses_then_accepts_with_the_flag(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv(paths.ALLOW_NOTEBOOK_OUTSIDE_ENV, raising=False)
    path = write(tmp_path, good())
    out = tmp_path / "out"
    assert main(["build", str(path), "--output-dir", str(out)]) == 2
    assert "outside" in capsys.readouterr().err and not out.exists()
    # with the flag the params file passes every check; --formats docx then stops the build
    # before any kernel starts, which is all this fast test needs
    assert main(["build", str(path), "--output-dir", str(out), "--allow-notebook-outside",
                 "--formats", "docx"]) == 2
    assert "--formats takes html, pdf" in capsys.readouterr().err and not out.exists()


def test_every_problem_of_a_params_file_is_reported_at_once(tmp_path):
    """Keys, parameter names, types and values are all checked, whichever fail (like validate)."""
    path = write(tmp_path, good(colour="blue", formats="[docx]",
                                parameters="\n  value: three\n  shade: red\n  country: XXX"
                                           "\n  start_year: 2025\n  end_year: 2020"))
    with pytest.raises(ParameterError) as caught:
        load_reports([path], allow_notebook_outside=True)
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
        load_report_spec(path, allow_notebook_outside=True)
    message = str(caught.value)
    assert "notebook: 'missing.ipynb' not found" in message
    assert "parameters.country: 'XXX' is not an ISO 3166-1" in message


@pytest.mark.parametrize("path", sorted(paths.notebooks_dir().glob("*.ipynb")),
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
