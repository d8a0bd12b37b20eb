"""Registry validation: every bad case is reported with its file line, column and a reason."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from analysis.core import paths
from analysis.core.errors import DataValidationError, Problem
from analysis.data.registry import load_registry, read_activities
from tests.helpers import (
    FIXTURE_COMMITMENTS,
    FIXTURE_REGISTRY,
    GOOD_ROW,
    HEADER,
    make_row,
    registry_text,
)


def problems_of(path: Path) -> list[Problem]:
    _, csv_file = read_activities(path)
    return csv_file.problems


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def test_valid_file_loads_with_parsed_fields(write_registry):
    path = write_registry([
        make_row(),
        make_row(activity_id="AZE-2021-03-x", date="2021-03", date_precision="month",
                 country="AZE", partners="WB;EU", themes="governance", amount_usd="1500000.5",
                 amount_kind="committed"),
    ])
    reg = load_registry(path)
    df = reg.activities
    assert list(df["activity_id"]) == ["UZB-2023-05-17-test-seminar", "AZE-2021-03-x"]
    assert list(df["line"]) == [2, 3]
    # aliases resolve to canonical names; lists become tuples
    assert df.loc[1, "partners"] == ("World Bank", "European Union")
    assert df.loc[0, "themes"] == ("public_procurement", "capacity_building")
    # a month-precision date covers the whole month
    assert df.loc[1, "start"] == pd.Timestamp(2021, 3, 1)
    assert df.loc[1, "end"] == pd.Timestamp(2021, 3, 31)
    assert df.loc[1, "year"] == 2021
    assert df.loc[1, "amount_usd"] == 1500000.5
    assert math.isnan(df.loc[0, "amount_usd"])
    assert len(reg.sha256) == 64
    assert reg.commitments.empty


def test_fixture_registry_loads_with_its_commitments():
    reg = load_registry(FIXTURE_REGISTRY)
    assert len(reg.activities) == 78
    assert set(reg.activities["country"]) == {"UZB", "AZE"}
    assert len(reg.commitments) == 10
    assert reg.commitments_path == FIXTURE_COMMITMENTS


def test_error_format_is_file_line_column_value_reason(write_registry):
    path = write_registry([make_row(), make_row(activity_id="b", date="2023-02-30")])
    problem = only(problems_of(path))
    text = str(problem)
    assert text.startswith(f"{problem.file}:3: date: 2023-02-30: impossible date")
    assert "February 2023 has 28 days" in text


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("date", "2023-02-30", "impossible date"),
        ("date", "2023-13", "no month 13"),
        ("date", "17/05/2023", "not a date"),
        ("date", "1023-01-01", "outside 1900-2100"),
        ("date_precision", "month", "precision 'month' needs a date like YYYY-MM"),
        ("date_precision", "week", "unknown precision"),
        ("country", "XYZ", "unknown country code"),
        ("country", "uzb", "did you mean 'UZB'"),
        ("country", "UZ", "did you mean 'UZB'"),
        ("activity_type", "seminr", "did you mean 'seminar'"),
        ("themes", "public_procurment", "did you mean 'public_procurement'"),
        ("partners", "Wrld Bank", "did you mean 'World Bank'"),
        ("amount_usd", "-5", "negative amount"),
        ("amount_usd", "1,500,000", "not a number"),
        ("amount_usd", "USD 5m", "not a number"),
        ("amount_usd", "inf", "not a number"),
        ("source_url", "javascript:alert(1)", "not a web address"),
        ("source_language", "english", "unknown language"),
        ("activity_id", "has space", "letters, digits"),
        ("title", "", "required field is empty"),
        ("country", "", "required field is empty"),
        ("themes", "", "required field is empty"),
        ("partners", "World Bank;;EU", "empty item"),
        ("themes", "governance;governance", "listed twice"),
    ],
)
def test_each_bad_field_is_reported_on_its_line(write_registry, field, value, reason):
    bad = {"activity_id": "bad", field: value}
    path = write_registry([make_row(activity_id="ok"), make_row(**bad)])
    problem = only([p for p in problems_of(path) if p.column == field])
    assert problem.line == 3
    assert reason in problem.reason
    with pytest.raises(DataValidationError) as caught:
        load_registry(path)
    assert problem in caught.value.problems


def test_unknown_value_names_the_vocabulary_file(write_registry):
    path = write_registry([make_row(activity_type="webinar")])
    assert "data/taxonomy/activity_types.csv" in only(problems_of(path)).reason


def test_no_source_at_all(write_registry):
    path = write_registry([make_row(source="", source_url="")])
    problem = only(problems_of(path))
    assert (problem.line, problem.column) == (2, "source")
    assert "no source" in problem.reason


def test_source_without_url_is_fine(write_registry):
    assert problems_of(write_registry([make_row(source_url="")])) == []


def test_duplicate_ids_point_at_the_first_use(write_registry):
    path = write_registry([make_row(), make_row(title="other"), make_row(activity_id="z")])
    problem = only(problems_of(path))
    assert (problem.line, problem.column) == (3, "activity_id")
    assert "already used on line 2" in problem.reason


def test_line_numbers_count_quoted_line_breaks(write_registry):
    rows = [make_row(activity_id="a", title="first line\nsecond line"),
            make_row(activity_id="b", country="XXX")]
    # a line break is not allowed in a title (issue 11), but the quoted one still counts
    problems = problems_of(write_registry(rows))
    assert [(p.line, p.column) for p in problems] == [(2, "title"), (4, "country")]
    # header 1, record a on lines 2-3, record b on line 4


def test_every_problem_is_reported_not_just_the_first(write_registry):
    rows = [make_row(activity_id="a", date="2023-02-30", country="XXX"),
            make_row(activity_id="b", amount_usd="-1"),
            make_row(activity_id="c", themes="nope")]
    found = {(p.line, p.column) for p in problems_of(write_registry(rows))}
    assert found == {(2, "date"), (2, "country"), (3, "amount_usd"), (4, "themes")}


def test_missing_and_unknown_columns(write_registry):
    header = [c for c in HEADER if c != "title"] + ["titel"]
    row = make_row()
    row["titel"] = row.pop("title")
    problems = problems_of(write_registry(registry_text([row], header=header)))
    by_column = {p.column: p for p in problems}
    assert set(by_column) == {"title", "titel"}
    assert by_column["title"].line == 1 and "missing column" in by_column["title"].reason
    assert "did you mean 'title'" in by_column["titel"].reason


def test_repeated_column(write_registry):
    text = registry_text([make_row()]).replace("source_language", "source", 1)
    problems = problems_of(write_registry(text))
    assert any(p.column == "source" and "twice" in p.reason for p in problems)


def test_wrong_number_of_fields(write_registry):
    text = registry_text([make_row()]) + "only,three,fields\n"
    problem = only(problems_of(write_registry(text)))
    assert (problem.line, problem.column) == (3, "(row)")
    assert "expected 15 fields" in problem.reason  # 13 of the format + title_ru, amount_kind


def test_empty_file(write_registry):
    problem = only(problems_of(write_registry("")))
    assert (problem.line, problem.column) == (1, "(file)")
    assert "empty" in problem.reason


def test_header_only(write_registry):
    problem = only(problems_of(write_registry(registry_text([]))))
    assert "no activities" in problem.reason


def test_not_utf8_reports_each_bad_line(write_registry):
    text = registry_text([make_row(activity_id="a"), make_row(activity_id="b", title="Café")])
    path = write_registry(text.encode("cp1252"))
    problem = only(problems_of(path))
    assert (problem.line, problem.column) == (3, "(encoding)")
    assert "not UTF-8 (byte 0xE9" in problem.reason


def test_utf8_with_bom_and_cyrillic_is_fine(write_registry):
    text = registry_text([make_row(title="Семинар по закупкам: Ўў Ққ Ғғ Ҳҳ")])
    path = write_registry(b"\xef\xbb\xbf" + text.encode("utf-8"))
    reg = load_registry(path)
    assert reg.activities.loc[0, "title"] == "Семинар по закупкам: Ўў Ққ Ғғ Ҳҳ"


def test_binary_file_is_not_csv(write_registry):
    problem = only(problems_of(write_registry(b"PK\x03\x04\x00\x00binary zip")))
    assert "binary content" in problem.reason


def test_json_file_is_not_csv(write_registry):
    problem = only(problems_of(write_registry('{"activities": [1, 2]}\n')))
    assert problem.column == "(header)" and "not in the activity registry format" in problem.reason
    assert "first line must be the header activity_id,date" in problem.reason


def test_semicolon_separated_file_gets_a_hint(write_registry):
    text = registry_text([make_row()]).replace(",", ";")
    problem = only(problems_of(write_registry(text)))
    assert "use ';' or tabs" in problem.reason


def test_broken_quoting(write_registry):
    text = registry_text([make_row()]) + '"unterminated,2023,day\n'
    problem = only(problems_of(write_registry(text)))
    assert problem.column == "(csv)" and "not valid CSV" in problem.reason
    assert problem.line == 3


def test_missing_file_is_a_problem_not_a_crash(tmp_path):
    problem = only(problems_of(tmp_path / "nope.csv"))
    assert "cannot read the file" in problem.reason


def test_load_never_returns_half_valid_data(write_registry):
    path = write_registry([make_row(activity_id="a"), make_row(activity_id="b", country="XXX")])
    with pytest.raises(DataValidationError) as caught:
        load_registry(path)
    assert len(caught.value.problems) == 1
    assert "1 problem in the data" in str(caught.value)


def test_validation_leaves_the_file_untouched(write_registry):
    path = write_registry([make_row(date="2023-02-30")])
    before = path.read_bytes()
    with pytest.raises(DataValidationError):
        load_registry(path)
    assert path.read_bytes() == before


def test_relative_path_resolves_from_project_root():
    reg = load_registry("tests/fixtures/registry/cooperation_events.csv")
    assert reg.path.is_absolute() and len(reg.activities) == 78


def test_empty_path_reads_the_registry_named_by_the_environment(write_registry, monkeypatch):
    path = write_registry([make_row(activity_id="a"), make_row(activity_id="b")])
    monkeypatch.setenv(paths.DATA_PATH_ENV, str(path))
    assert paths.default_data_path() == path
    reg = load_registry("")
    assert reg.path == path and len(reg.activities) == 2
    monkeypatch.delenv(paths.DATA_PATH_ENV)
    assert paths.resolve_data_path("") == paths.default_registry()


def test_any_iso_country_is_accepted(write_registry):
    rows = [make_row(activity_id=f"{c}-1", country=c) for c in ("KAZ", "KGZ", "TJK", "GEO", "MNG")]
    assert set(load_registry(write_registry(rows)).activities["country"]) == {
        "KAZ", "KGZ", "TJK", "GEO", "MNG"}


@pytest.mark.parametrize(("value", "reason"), [
    ("１２３", "not a number"),          # full-width digits
    ("٣", "not a number"),               # Arabic-Indic digit
    ("1e3", "not a number"),
    ("+5", "not a number"),
    ("99999999999999999999999", "implausibly large amount"),
])
def test_amounts_are_plain_ascii_digits_within_reason(write_registry, value, reason):
    problem = only(problems_of(write_registry([make_row(amount_usd=value)])))
    assert (problem.column, problem.line) == ("amount_usd", 2) and reason in problem.reason


def test_non_ascii_digits_are_not_a_date(write_registry):
    problem = only(problems_of(write_registry([make_row(date="２０２３-０５-１７")])))
    assert problem.column == "date" and "not a date" in problem.reason


def test_utf16_file_is_named_as_such(write_registry):
    text = registry_text([make_row()])
    problem = only(problems_of(write_registry(text.encode("utf-16"))))
    assert "the file is UTF-16; save it as UTF-8" in problem.reason


def test_a_very_long_field_is_fine(write_registry):
    rows = [make_row(title="x" * 200_000)]
    assert problems_of(write_registry(rows)) == []


# -- amount_kind and title_ru (issue 13) ---------------------------------------------------------

def test_an_amount_needs_its_kind(write_registry):
    path = write_registry([make_row(amount_usd="300000000")])
    problem = only(problems_of(path))
    assert (problem.line, problem.column, problem.value) == (2, "amount_kind", "")
    assert problem.reason.startswith("required when amount_usd is given")
    assert "committed (a loan or grant approved" in problem.reason  # the fix is named
    assert str(problem).startswith(f"{path}:2: amount_kind: \"\": required")


@pytest.mark.parametrize(("amount", "kind", "reason"), [
    ("300000000", "comitted", "unknown amount kind; did you mean 'committed'?"),
    ("300000000", "pledged", "unknown amount kind; use one of committed, disbursed, announced"),
    ("", "announced", "an amount kind without an amount_usd"),
])
def test_amount_kind_problems(write_registry, amount, kind, reason):
    problem = only(problems_of(write_registry([make_row(amount_usd=amount, amount_kind=kind)])))
    assert (problem.column, problem.value) == ("amount_kind", kind)
    assert problem.reason.startswith(reason)


def test_a_bad_amount_is_reported_once_not_again_as_missing_kind(write_registry):
    problem = only(problems_of(write_registry([make_row(amount_usd="USD 5m")])))
    assert problem.column == "amount_usd"


def test_amount_kind_and_title_ru_are_read(write_registry):
    df = load_registry(write_registry([
        make_row(activity_id="A", amount_usd="14000000", amount_kind="announced",
                 title_ru="Визит с объявлением о средствах"),
        make_row(activity_id="B")])).activities
    assert list(df["amount_kind"]) == ["announced", ""]
    assert list(df["title_ru"]) == ["Визит с объявлением о средствах", ""]


def test_the_optional_columns_may_be_left_out(write_registry):
    header = [c for c in HEADER if c not in ("title_ru", "amount_kind")]
    df = load_registry(write_registry(registry_text([make_row()], header=header))).activities
    assert (df.loc[0, "title_ru"], df.loc[0, "amount_kind"]) == ("", "")


@pytest.mark.parametrize(("value", "reason"), [
    ("=HYPERLINK(1)", "as a formula"),
    ("Семинар\x0cпо закупкам", "invisible character"),
])
def test_title_ru_is_checked_like_the_title(write_registry, value, reason):
    problem = only(problems_of(write_registry([make_row(title_ru=value)])))
    assert problem.column == "title_ru" and reason in problem.reason


SECRET = "ghp_SECRETtoken0123456789"


@pytest.mark.parametrize("content", [
    f"token={SECRET}\nsecond line\n".encode(),
    f"root:x:0:0:{SECRET}:/root:/bin/bash\n".encode(),
    f"user,password\nadmin,{SECRET}\n".encode(),
    f"\xe9{SECRET} in Latin-1\n".encode("latin-1"),
    f"key;value\nk;{SECRET}\n".encode(),
])
def test_a_file_that_is_not_a_registry_is_never_quoted(tmp_path, content, capsys):
    """validate, and a params file's data_path, say what is wrong with any readable file
    without echoing its content (a credentials file must not reach a CI log)."""
    from analysis.cli import main

    path = tmp_path / "not-a-registry"
    path.write_bytes(content)
    assert main(["validate", str(path)]) == 2
    spec = tmp_path / "r.yaml"
    spec.write_text("name: r\nnotebook: country_profile.ipynb\ntitle: R\nparameters:\n"
                    f"  country: UZB\n  data_path: {path}\n", encoding="utf-8")
    assert main(["build", str(spec), "--output-dir", str(tmp_path / "out")]) == 2
    captured = capsys.readouterr()
    assert SECRET not in captured.out + captured.err
    assert "not-a-registry:1:" in captured.err and "(its content is not shown)" in captured.err \
        or "not UTF-8" in captured.err


def test_a_registry_with_a_bad_line_still_shows_that_line(write_registry):
    """Where the file is a registry (its header has the format's columns), a line that is not
    UTF-8 is quoted, so that it can be found and fixed."""
    path = write_registry(registry_text([GOOD_ROW]).encode() + "x,é\n".encode("latin-1"))
    _, table = read_activities(path)
    assert [p.value for p in table.problems if p.column == "(encoding)"] == ["x,\ufffd"]


@pytest.mark.parametrize("amount", ["-0", "-0.0", "-00"])
def test_a_signed_zero_is_refused_not_printed_as_minus_zero(write_registry, amount):
    _, table = read_activities(write_registry([make_row(amount_usd=amount,
                                                        amount_kind="committed")]))
    assert [(p.column, p.reason) for p in table.problems] == [
        ("amount_usd", "a minus sign before 0; write the amount without a sign")]
