"""Titles and subtitles that follow the parameters: placeholders filled, bad ones named."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest

from analysis.build.params import discover_params, load_report_spec, read_params_yaml
from analysis.build.titles import fill_titles, title_values, year_problems
from analysis.cli import main
from analysis.core.errors import ParameterError
from tests.helpers import FIXTURE_REGISTRY

SOURCE = Path("params/x.yaml")
TINY = "tests/fixtures/notebooks/tiny.ipynb"


def filled(title: str, **parameters: object) -> str:
    texts, problems = fill_titles(SOURCE, {"title": title}, dict(parameters))
    assert problems == []
    return texts["title"]


def problems_of(title: str, key: str = "title", **parameters: object) -> str:
    texts, problems = fill_titles(SOURCE, {key: title}, dict(parameters))
    assert texts == {} and problems
    return "\n".join(problems)


def test_placeholders_take_the_parameters_and_the_country_names_in_the_report_language():
    assert filled("{country_name}: {start_year}–{end_year}", country="AZE", start_year=2019,
                  end_year=2023) == "Azerbaijan: 2019–2023"
    assert filled("{country} vs {peer_name}", country="AZE", peer="UZB", lang="ru") == \
        "AZE vs Узбекистан"
    assert filled("{country_names}", countries=["UZB", "AZE"], lang="uz") == \
        "Oʻzbekiston va Ozarbayjon"
    assert filled("{benchmark_names}; {benchmarks}", benchmarks=["GEO", "KAZ"]) == \
        "Georgia and Kazakhstan; GEO, KAZ"
    # a parameter named lang is a placeholder like any other
    assert filled("[{lang}]", lang="ru") == "[ru]"
    assert filled("{{draft}} {country}", country="UZB") == "{draft} UZB"  # literal braces


def test_a_russian_or_uzbek_title_asks_for_a_case():
    assert filled("Сотрудничество {country_names:gent}", countries=["UZB", "KAZ"],
                  lang="ru") == "Сотрудничество Узбекистана и Казахстана"
    assert filled("{peer_name:с+ablt}", peer="AZE", lang="ru") == "с Азербайджаном"
    assert filled("{peer_name:loct}", peer="AZE", lang="uz") == "Ozarbayjonda"


def test_a_one_year_period_reads_as_that_year():
    assert filled("за {start_year}–{end_year} гг.", start_year=2021, end_year=2021,
                  lang="ru") == "за 2021 г."


def test_an_unknown_placeholder_names_the_file_the_key_and_the_closest_one():
    message = problems_of("{contry_name}: profile", country="UZB", start_year=2019)
    assert message.startswith("params/x.yaml: title: unknown placeholder {contry_name}; "
                              "did you mean {country_name}?")
    assert "{start_year}" in message  # the ones there are
    # a report without a peer has no {peer_name}
    assert "unknown placeholder {peer_name}" in problems_of("{peer_name}", key="subtitle",
                                                            country="UZB")


@pytest.mark.parametrize(("title", "expected"), [
    ("{country", "expected '}' before end of string"),
    ("country}", "Single '}' encountered"),
    ("{}: profile", "an empty placeholder {}"),
    ("{country!r}", "{country!r}: a placeholder takes no conversion; write {country}"),
    ("{start_year:zz}", "cannot fill '{start_year:zz}'"),
])
def test_malformed_placeholders_are_named(title, expected):
    message = problems_of(title, country="UZB", start_year=2019)
    assert message.startswith("params/x.yaml: title: ") and expected in message


def test_a_placeholder_whose_parameter_is_empty_is_refused():
    message = problems_of("{country_name} and {peer_name}", country="UZB", peer="")
    assert message == ("params/x.yaml: title: the placeholder {peer_name} would be empty "
                       "because parameters.peer is empty; give it a value or take the "
                       "placeholder out")


def test_a_year_range_that_is_not_the_reports_years_is_refused():
    message = problems_of("Activities, 2022–2026", key="subtitle", start_year=2019,
                          end_year=2023)
    assert message == ("params/x.yaml: subtitle: the years '2022–2026' are not the report's "
                       "start_year 2019 and end_year 2023; write {start_year}–{end_year} "
                       "instead, so the text follows the parameters (or correct "
                       "start_year/end_year)")
    # half a placeholder still contradicts
    assert "'2019–2026'" in problems_of("{start_year}–2026", start_year=2019, end_year=2023)


@pytest.mark.parametrize(("text", "found"), [
    ("2019–2023", []), ("2019-2023", []), ("2019 — 2023", []), ("2019–23", []),
    ("2018–2023", ["2018–2023"]), ("2019-22", ["2019-22"]), ("2019–2023, 2010–2012",
                                                              ["2010–2012"]),
    ("as of 2026-12-01", []), ("2026-12", []), ("Agenda 2030", []), ("12019–2023", []),
])
def test_which_year_ranges_are_checked(text, found):
    problems = year_problems("f: title", text, {"start_year": 2019, "end_year": 2023})
    assert [re.search(r"'([^']*)'", p)[1] for p in problems] == found  # type: ignore[index]


def test_no_years_no_check():
    assert year_problems("f: title", "2010–2012", {"country": "UZB"}) == []


def test_values_are_those_of_the_parameters_the_report_has():
    assert title_values({"country": "UZB", "start_year": 2019}) == {
        "country": "UZB", "start_year": 2019, "country_name": "Uzbekistan"}


def tiny_params(tmp_path: Path, title: str, subtitle: str) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(f'name: tiny\nnotebook: {TINY}\ntitle: "{title}"\nsubtitle: "{subtitle}"\n'
                    "parameters:\n  country: KAZ\n  start_year: 2019\n", encoding="utf-8")
    return path


def test_the_loaded_report_holds_the_filled_texts_with_the_notebooks_defaults(tmp_path):
    # end_year is not given: the tiny notebook's default (2026) fills it
    report = load_report_spec(tiny_params(tmp_path, "{country_name}", "{start_year}–{end_year}"),
                              allow_notebook_outside=True)
    assert (report.spec.title, report.spec.subtitle) == ("Kazakhstan", "2019–2026")


def test_every_title_problem_is_reported_at_once(tmp_path):
    path = tiny_params(tmp_path, "{peer_name}", "2017–2026")
    with pytest.raises(ParameterError) as caught:
        load_report_spec(path, allow_notebook_outside=True)
    lines = str(caught.value).splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{path}: title: unknown placeholder {{peer_name}}")
    assert lines[1].startswith(f"{path}: subtitle: the years '2017–2026' are not the report's "
                               "start_year 2019 and end_year 2026")


def copy_with_years(source: Path, folder: Path, start: int, end: int) -> Path:
    """``source`` copied as a user would: same text, other years (and a name of its own)."""
    text = source.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^(\s+start_year:) \d+", rf"\1 {start}", text)
    text = re.sub(r"(?m)^(\s+end_year:) \d+", rf"\1 {end}", text)
    text = re.sub(r"(?m)^name: (\S+)", r"name: \1-copy", text)
    copy = folder / f"copy-{source.name}"
    copy.write_text(text, encoding="utf-8")
    return copy


def years_of(source: Path) -> tuple[int, int]:
    parameters = read_params_yaml(source)["parameters"]
    return parameters["start_year"], parameters["end_year"]


@pytest.mark.parametrize("source", discover_params(), ids=lambda p: p.stem)
def test_a_copied_shipped_params_file_with_new_years_shows_the_new_years(
        source, tmp_path, monkeypatch):
    """Issue 28: copy a params file, change the years: the header says the new ones."""
    monkeypatch.setattr("analysis.build.problems.read_problems", lambda path: {})
    old = years_of(source)
    new = (old[0] - 3, old[1] - 2)
    report = load_report_spec(copy_with_years(source, tmp_path, *new))
    header = f"{report.spec.title}\n{report.spec.subtitle or ''}"
    assert f"{new[0]}–{new[1]}" in header
    assert f"{old[0]}–{old[1]}" not in header


@pytest.mark.slow
def test_the_built_report_header_shows_the_copied_files_new_years(tmp_path):
    """The same, end to end: the built HTML's title block has the new years, not the old."""
    source = next(p for p in discover_params() if p.stem == "uzb-profile")
    old = years_of(source)
    new = (old[0] + 1, old[1] - 1)
    copy = copy_with_years(source, tmp_path, *new)
    copy.write_text(re.sub(r"(?m)^(\s+data_path:) .*$", rf"\1 {FIXTURE_REGISTRY}",
                           copy.read_text(encoding="utf-8")), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", str(copy), "--output-dir", str(out), "--renderer", "builtin",
                 "--formats", "html", "--jobs", "1"]) == 0
    page = unescape((out / "uzb-profile-copy.html").read_text(encoding="utf-8"))
    header = page[page.index('<header class="title-block">'):page.index("</header>")]
    assert f"{new[0]}–{new[1]}" in header
    assert f"{old[0]}–{old[1]}" not in header
