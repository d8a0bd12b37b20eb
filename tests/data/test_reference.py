"""Reference data (indicators, milestones): validation with file:line: column: value: reason,
and the gap-preserving indicator series. Fixture rows are fictional."""

from __future__ import annotations

import math

import pytest

from analysis.cli import main
from analysis.core.errors import DataValidationError
from analysis.data.reference import indicator_series, load_reference

IND_HEADER = "country,year,indicator,value,unit,source,source_url,note\n"
MIL_HEADER = "country,date,milestone,kind,source,source_url\n"
GOOD_IND = "UZB,2020,cpi_score,26,score 0-100,Example,https://example.org/a,\n"
GOOD_MIL = "UZB,2021-04-22,New procurement law,law,Example,https://example.org/b\n"


def write(tmp_path, indicators=GOOD_IND, milestones=GOOD_MIL):
    (tmp_path / "country_indicators.csv").write_text(IND_HEADER + indicators, encoding="utf-8")
    (tmp_path / "procurement_milestones.csv").write_text(MIL_HEADER + milestones,
                                                         encoding="utf-8")
    return tmp_path


def test_good_files_load(tmp_path):
    ref = load_reference(write(tmp_path, GOOD_IND + "UZB,2022,cpi_score,31,score 0-100,Ex,"
                               "https://example.org/c,\n"))
    assert ref.indicators["value"].tolist() == [26.0, 31.0]
    assert ref.milestones["start"].dt.strftime("%Y-%m-%d").tolist() == ["2021-04-22"]


@pytest.mark.parametrize(("row", "column", "value", "reason"), [
    ("XXZ,2020,cpi_score,26,u,S,https://e.org/a,\n", "country", "XXZ", "unknown country code"),
    ("UZB,20x0,cpi_score,26,u,S,https://e.org/a,\n", "year", "20x0", "not a year"),
    ("UZB,2021,cpi_score,about 26,u,S,https://e.org/a,\n", "value", "about 26", "not a number"),
    ("UZB,2021,cpi_score,26,u,S,www.e.org/a,\n", "source_url", "www.e.org/a",
     "not a web address"),
    ("UZB,2020,cpi_score,26,u,S,https://e.org/a,\n", "indicator", "cpi_score",
     "already has this indicator on line 2"),
])
def test_broken_indicator_rows(tmp_path, row, column, value, reason):
    with pytest.raises(DataValidationError) as info:
        load_reference(write(tmp_path, GOOD_IND + row))
    [problem] = info.value.problems
    assert (problem.line, problem.column, problem.value) == (3, column, value)
    assert str(problem).startswith(f"{problem.file}:3: {column}: {value}: ")
    assert reason in problem.reason


@pytest.mark.parametrize(("row", "column", "value", "reason"), [
    ("UZB,2021-02-30,Law,law,S,https://e.org/b\n", "date", "2021-02-30", "impossible date"),
    ("UZB,2021-04-22,Law,statute,S,https://e.org/b\n", "kind", "statute",
     "unknown milestone kind"),
    ("UZB,2021-04-22,Law,egp,S,https://e.org/b\n", "kind", "egp", "did you mean 'e_gp'?"),
    ("AZR,2021,Law,law,S,https://e.org/b\n", "country", "AZR", "unknown country code"),
])
def test_broken_milestone_rows(tmp_path, row, column, value, reason):
    with pytest.raises(DataValidationError) as info:
        load_reference(write(tmp_path, milestones=GOOD_MIL + row))
    [problem] = info.value.problems
    assert (problem.line, problem.column, problem.value) == (3, column, value)
    assert reason in problem.reason


def test_validate_command_reports_reference_problems(tmp_path, capsys):
    folder = write(tmp_path, milestones=GOOD_MIL + "UZB,2021,Law,statute,S,https://e.org/b\n")
    code = main(["validate", str(folder / "procurement_milestones.csv"),
                 str(folder / "country_indicators.csv")])
    out = capsys.readouterr()
    assert code == 2
    assert "procurement_milestones.csv:3: kind: statute: unknown milestone kind" in out.err
    assert "country_indicators.csv: OK, 1 indicator values" in out.out


def test_series_keeps_missing_years_as_gaps(tmp_path):
    ref = load_reference(write(tmp_path, GOOD_IND + "AZE,2022,cpi_score,23,u,S,"
                               "https://e.org/x,\n"))
    series = indicator_series(ref.indicators, ["UZB", "AZE"], "cpi_score", (2020, 2022))
    values = {(c, y): v for c, y, v in zip(series["country"], series["year"], series["value"],
                                           strict=True)}
    assert len(series) == 6 and values[("UZB", 2020)] == 26 and values[("AZE", 2022)] == 23
    assert math.isnan(values[("UZB", 2021)]) and math.isnan(values[("AZE", 2020)])


def test_milestone_ru_is_optional_and_checked_like_other_text(tmp_path):
    header = "country,date,milestone,milestone_ru,kind,source,source_url\n"
    (tmp_path / "country_indicators.csv").write_text(IND_HEADER + GOOD_IND, encoding="utf-8")
    milestones = tmp_path / "procurement_milestones.csv"
    milestones.write_text(header + "UZB,2021-04-22,New law,Новый закон,law,S,https://e.org/b\n"
                          "UZB,2021-05-01,Other,,law,S,https://e.org/c\n", encoding="utf-8")
    loaded = load_reference(tmp_path).milestones
    assert loaded["milestone_ru"].tolist() == ["Новый закон", ""]
    milestones.write_text(header + "UZB,2021-04-22,New law,Новый\x0cзакон,law,S,https://e.org/b\n",
                          encoding="utf-8")
    with pytest.raises(DataValidationError) as info:
        load_reference(tmp_path)
    [problem] = info.value.problems
    assert (problem.line, problem.column) == (2, "milestone_ru")
    assert "U+000C" in problem.reason


def test_source_names_give_each_source_its_russian_form(tmp_path):
    from analysis.data.reference import read_source_names, source_names

    (tmp_path / "source_names.csv").write_text(
        'source,source_ru\n"World Bank, WGI","Всемирный банк, WGI"\nWTO,ВТО\n', encoding="utf-8")
    assert source_names(tmp_path) == {"World Bank, WGI": "Всемирный банк, WGI", "WTO": "ВТО"}
    assert source_names(tmp_path / "elsewhere") == {}  # no file: every source as written
    (tmp_path / "source_names.csv").write_text(
        "source,source_ru\nWTO,ВТО\nWTO,Всемирная торговая организация\nIMF,\n",
        encoding="utf-8")
    _, csv_file = read_source_names(tmp_path / "source_names.csv")
    problems = [str(p) for p in csv_file.problems]
    assert len(problems) == 2
    assert problems[0].endswith("source_names.csv:3: source: WTO: this source already has a "
                                "Russian form on line 2; keep one row per source")
    assert "source_names.csv:4: source_ru" in problems[1]
    with pytest.raises(DataValidationError):
        source_names(tmp_path)


def test_a_milestones_file_with_only_its_header_has_dates(tmp_path):
    """A new project's empty milestones file: the reports filter its dates with .dt."""
    from analysis.data.reference import MILESTONE_COLUMNS, read_milestones

    path = tmp_path / "procurement_milestones.csv"
    path.write_text(",".join(MILESTONE_COLUMNS) + "\n", encoding="utf-8")
    frame, csv_file = read_milestones(path)
    assert csv_file.problems == [] and frame.empty
    assert frame["start"].dt.year.between(2020, 2024).sum() == 0
