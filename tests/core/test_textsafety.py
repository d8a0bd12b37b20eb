"""Unsafe characters and formula cells: the rules validate applies and importers clean by.

Also: every text column of the registry and of commitments rejects them in `validate`, each
reported as file:line: column: value: reason with the character escaped, never raw.
"""

from __future__ import annotations

import pytest

from analysis.cli import main
from analysis.core.textsafety import (
    check_characters,
    check_formula,
    clean_text,
    describe_character,
    neutralise_formula,
    unsafe_kind,
)
from analysis.data.commitments import COLUMNS as COMMITMENT_COLUMNS
from analysis.data.registry import read_activities
from analysis.data.registry_format import COLUMNS
from tests.helpers import GOOD_ROW, make_row, registry_text

# one of each class: C0 controls (form feed from a PDF, escape, DEL), a C1 control, the
# noncharacters, the bidi controls, and tab / line feed / CR (never allowed in the registry)
UNSAFE = {
    "\x0c": "U+000C", "\x1b": "U+001B", "\x7f": "U+007F", "\x85": "U+0085", "\x9b": "U+009B",
    "\ufffe": "U+FFFE", "\uffff": "U+FFFF", "\ufdd0": "U+FDD0", "\ufdef": "U+FDEF",
    "\U0001fffe": "U+1FFFE", "\U0010ffff": "U+10FFFF", "\u202a": "U+202A", "\u202e": "U+202E",
    "\u2066": "U+2066", "\u2067": "U+2067", "\u2069": "U+2069", "\u200e": "U+200E",
    "\u200f": "U+200F", "\u061c": "U+061C", "\t": "U+0009", "\n": "U+000A", "\r": "U+000D",
}
# neighbours of the ranges that are ordinary text
SAFE = ["a", " ", "\xa0", "\xa1", "\ufdcf", "\ufdf0", "\ufffd", "\u2029", "\u202f", "\u2065",
        "\u206a", "\u200d", "Ў", "ё", "\U0001f600"]


@pytest.mark.parametrize("ch", list(UNSAFE))
def test_each_unsafe_class_is_named_by_code_point(ch):
    assert unsafe_kind(ch) is not None
    assert describe_character(ch).startswith(UNSAFE[ch] + " (")
    reason = check_characters(f"ab{ch}c")
    assert reason is not None and f"{UNSAFE[ch]} " in reason and "at position 3" in reason
    assert ch not in reason  # the reason never carries the raw character


@pytest.mark.parametrize("ch", SAFE)
def test_ordinary_characters_pass(ch):
    assert unsafe_kind(ch) is None and check_characters(f"a{ch}b") is None


def test_multiline_columns_allow_tab_and_line_breaks_only():
    allowed = frozenset("\t\n\r")
    assert check_characters("line one\r\nline\ttwo", allowed) is None
    assert "U+000C" in (check_characters("page\x0cbreak", allowed) or "")


def test_many_characters_are_counted_not_all_listed():
    reason = check_characters("\x0c\x0c\x0c\x0c\x0c") or ""
    assert "5 characters" in reason and "and 2 more" in reason


@pytest.mark.parametrize("text", ["=1+1", "+7 days", "-5 percent", "@SUM(A1)", "\t=1", "\r=1"])
def test_formula_starts_are_reported(text):
    assert check_formula(text) is not None
    assert neutralise_formula(text) == "'" + text


@pytest.mark.parametrize("text", ["Loan of 5", "'=1+1", "E=mc2", "a-b", "", "1 + 1"])
def test_other_starts_are_text(text):
    assert check_formula(text) is None and neutralise_formula(text) == text


def test_clean_text_removes_controls_and_keeps_words_apart():
    cleaned, removed = clean_text("Budget\x0creport\u202e on\tprocurement\ufffe")
    assert cleaned == "Budgetreport on procurement"
    assert [r.split(" ")[0] for r in removed] == ["U+000C", "U+202E", "U+0009", "U+FFFE"]


# -- validate: every column of the registry -----------------------------------------------------

def with_character(column: str, ch: str) -> dict[str, str]:
    value = GOOD_ROW[column] or "100"  # amount_usd is empty in GOOD_ROW
    return make_row(**{column: value[:2] + ch + value[2:]})


@pytest.mark.parametrize("column", COLUMNS)
@pytest.mark.parametrize("ch", ["\x0c", "\x1b", "\x85", "\ufffe", "\u202e", "\u2067", "\t",
                                "\n"])
def test_every_registry_column_rejects_unsafe_characters(write_registry, column, ch):
    path = write_registry([make_row(activity_id="A1"), with_character(column, ch)])
    _, csv_file = read_activities(path)
    assert len(csv_file.problems) == 1, [str(p) for p in csv_file.problems]
    problem = csv_file.problems[0]
    assert (problem.line, problem.column) == (3, column)
    assert UNSAFE[ch] in problem.reason and "at position 3" in problem.reason
    shown = str(problem)
    assert ch not in shown and repr(ch)[1:-1] in shown  # escaped, e.g. \x0c or \u202e
    assert problem.file.endswith("registry.csv")
    assert shown.startswith(f"{problem.file}:3: {column}: ")


def test_a_form_feed_at_the_end_of_a_title_is_not_trimmed_away(write_registry):
    """Only spaces around values are trimmed; a trailing form feed or tab is reported."""
    path = write_registry([make_row(title="Procurement seminar\x0c"),
                           make_row(activity_id="A2", title="  Spaces around are fine  ")])
    _, csv_file = read_activities(path)
    assert [(p.line, p.column) for p in csv_file.problems] == [(2, "title")]


@pytest.mark.parametrize("column", ["title", "counterpart", "source"])
@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_formula_like_free_text_is_rejected_with_a_hint(write_registry, column, start):
    path = write_registry([make_row(**{column: f"{start}HYPERLINK(\"http://x\")"})])
    _, csv_file = read_activities(path)
    [problem] = csv_file.problems
    assert (problem.line, problem.column) == (2, column)
    assert f"starts with '{start}'" in problem.reason and "apostrophe" in problem.reason


def test_an_apostrophe_or_a_sign_inside_is_fine(write_registry):
    path = write_registry([make_row(title="'=1+1 stays text", counterpart="Ministry (+ agencies)",
                                    source="e-gov.uz")])
    _, csv_file = read_activities(path)
    assert csv_file.problems == []


def test_validate_prints_the_escape_and_exits_2(write_registry, capsys):
    path = write_registry([make_row(title="Budget\x0creport", source_url="https://ex\u202eample.org/")])
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert (f"{path.name}:2: title: Budget\\x0creport: invisible character not allowed: "
            "U+000C ") in err
    assert f"{path.name}:2: source_url: https://ex\\u202eample.org/: " in err and "U+202E" in err
    assert "\x0c" not in err and "\u202e" not in err


# -- validate: every column of the commitments file ---------------------------------------------

def write_commitments(tmp_path, record: dict[str, str]):
    registry = tmp_path / "reg.csv"
    registry.write_text(registry_text([make_row(activity_id="A1"), make_row(activity_id="A2")]),
                        encoding="utf-8")
    rows = [dict(zip(COMMITMENT_COLUMNS, ("C1", "A1", "Publish a report", "2024-06", "planned",
                                          "A2", "a note"), strict=True)) | record]
    (tmp_path / "reg.commitments.csv").write_text(
        registry_text(rows, header=list(COMMITMENT_COLUMNS)), encoding="utf-8")
    return tmp_path / "reg.commitments.csv"


@pytest.mark.parametrize("column", COMMITMENT_COLUMNS)
@pytest.mark.parametrize("ch", ["\x0c", "\x9b", "\uffff", "\u200f"])
def test_every_commitments_column_rejects_unsafe_characters(tmp_path, column, ch):
    from analysis.data.commitments import read_commitments

    values = {"commitment_id": "C1", "activity_id": "A1", "commitment": "Publish a report",
              "due": "2024-06", "status": "planned", "evidence_activity_ids": "A2",
              "note": "a note"}
    path = write_commitments(tmp_path, {column: values[column][:1] + ch + values[column][1:]})
    _, csv_file = read_commitments(path, {"A1", "A2"})
    [problem] = csv_file.problems
    assert (problem.line, problem.column) == (2, column) and UNSAFE[ch] in problem.reason


def test_a_note_may_hold_tabs_and_line_breaks_a_commitment_may_not(tmp_path):
    from analysis.data.commitments import read_commitments

    path = write_commitments(tmp_path, {"note": "first line\r\nsecond\tline",
                                        "commitment": "Publish\na report"})
    frame, csv_file = read_commitments(path, {"A1", "A2"})
    [problem] = csv_file.problems
    assert problem.column == "commitment" and "U+000A" in problem.reason
    assert "one line" in problem.reason


@pytest.mark.parametrize("column", ["commitment", "note"])
def test_formula_like_commitment_text_is_rejected(tmp_path, column):
    from analysis.data.commitments import read_commitments

    path = write_commitments(tmp_path, {column: "=cmd|' /C calc'!A0"})
    _, csv_file = read_commitments(path, {"A1", "A2"})
    [problem] = csv_file.problems
    assert problem.column == column and "starts with '='" in problem.reason
