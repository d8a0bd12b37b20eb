"""Bounded parsing in the connectors (issue 11): numbers, JSON nesting and XML nesting that
would hang, overflow or recurse end in an error naming the file and the field, exit 1.

Every input here is written by the test.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from analysis.cli import main
from analysis.connectors import worldbank_projects as wbp
from analysis.connectors.iati import read_iati
from analysis.connectors.limits import (
    MAX_JSON_DEPTH,
    bounded_amount,
    bounded_count,
    check_json_depth,
    parse_json,
)
from analysis.core.errors import ConnectorError

PROJECT = {"id": "P900001", "countrycode": "UZ", "boardapprovaldate": "2021-03-04T00:00:00Z",
           "project_name": "Test project"}


def import_json(tmp_path, text: str, capsys) -> tuple[int, str]:
    source = tmp_path / "page.json"
    source.write_text(text, encoding="utf-8")
    code = main(["import", "worldbank", str(source), "--output", str(tmp_path / "out.csv")])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert not (tmp_path / "out.csv").exists()
    return code, err


@pytest.mark.parametrize("total", ['"1e999999999"', '"1e9"', '"-1"', '"12.5"', "1e999999999",
                                   '"NaN"', "NaN", '"' + "9" * 60 + '"', "[1]"])
def test_an_implausible_total_is_refused_at_once(tmp_path, capsys, total):
    code, err = import_json(tmp_path, f'{{"total": {total}, "projects": {{}}}}', capsys)
    assert code == 1
    assert "page.json: total: " in err


@pytest.mark.parametrize("amount", ['"nan"', '"NaN"', '"inf"', '"-Infinity"', "Infinity",
                                    '"1e30"', "1e30", '"1e999999999"', "1e999999999", "-5",
                                    "10000000000001", "1" + "0" * 60, '"' + "1" * 50 + '"'])
def test_an_implausible_amount_is_refused(tmp_path, capsys, amount):
    text = json.dumps([PROJECT]).replace('"project_name"', f'"totalcommamt": {amount}, '
                                         '"project_name"')
    code, err = import_json(tmp_path, text, capsys)
    assert code == 1
    assert "page.json: project P900001: totalcommamt: " in err


@pytest.mark.parametrize(("value", "expected"), [
    ("1,500,000.50", Decimal("1500000.50")), (12700000, Decimal(12700000)),
    (Decimal("1E+7"), Decimal("1E+7")), ("10000000000000", Decimal("10000000000000")),
    ("", None), (None, None), ("n/a", None),
])
def test_plausible_amounts_pass(value, expected):
    assert bounded_amount(value, "f.json", "totalamt") == expected


def test_counts_are_whole_and_bounded():
    assert bounded_count("1,234", "f.json", "total") == 1234
    assert bounded_count(1_000_000, "f.json", "total") == 1_000_000
    with pytest.raises(ConnectorError, match=r"f\.json: total: '1000001' is not a plausible"):
        bounded_count("1000001", "f.json", "total")


def test_a_bad_total_in_an_api_answer_names_the_url():
    """fetch reads every page through parse_page: a bad answer stops it before any loop."""
    with pytest.raises(ConnectorError, match=r"https://api\.example/p\?os=0: total: "):
        wbp.parse_page({"total": "1e999999999", "projects": []}, "https://api.example/p?os=0")


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 100_000])
def test_deep_json_is_refused_before_parsing(tmp_path, capsys, depth):
    code, err = import_json(tmp_path, "[" * depth + "]" * depth, capsys)
    assert code == 1
    assert "page.json: JSON nested deeper than 32 levels" in err


def test_json_depth_counts_brackets_outside_strings_only():
    at_limit = ("[" * 31 + '{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\"[[["}' + "]" * 31)
    check_json_depth(at_limit.encode(), "f.json")  # 32 levels: fine
    assert parse_json(b'{"a": 1.5, "b": NaN}', "f.json") == {"a": Decimal("1.5"), "b": "NaN"}
    with pytest.raises(ConnectorError, match="nested deeper"):
        check_json_depth(("[" * 33 + "]" * 33).encode(), "f.json")


# -- IATI ---------------------------------------------------------------------------------------

def iati_file(tmp_path, inner: str = "", value: str = "1000", percentage: str = "100"):
    path = tmp_path / "bad.xml"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="2.03">\n'
        '<iati-activity xml:lang="en" default-currency="USD">\n'
        "<iati-identifier>XM-TEST-7</iati-identifier>\n"
        '<reporting-org ref="44000"><narrative>The World Bank</narrative></reporting-org>\n'
        "<title><narrative>Roads</narrative></title>\n"
        '<activity-date iso-date="2020-01-01" type="2"/>\n'
        f'<recipient-country code="UZ" percentage="{percentage}"/>\n'
        f'<transaction><transaction-type code="2"/><value>{value}</value></transaction>\n'
        f"{inner}</iati-activity>\n</iati-activities>\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("value", ["1e30", "1E5", "NaN", "inf", "-Infinity", "-5",
                                   "10000000000001", "1" * 50, "0." + "0" * 60 + "1"])
def test_an_implausible_iati_value_names_file_activity_and_field(tmp_path, value):
    with pytest.raises(ConnectorError, match=r"bad\.xml: activity XM-TEST-7: transaction/value: "):
        read_iati(iati_file(tmp_path, value=value))


@pytest.mark.parametrize("percentage", ["1e30", "150", "-1", "nan"])
def test_an_implausible_percentage_is_refused(tmp_path, percentage):
    with pytest.raises(ConnectorError, match=r"recipient-country/@percentage: "):
        read_iati(iati_file(tmp_path, percentage=percentage))


def test_plausible_iati_values_still_import(tmp_path):
    [row] = read_iati(iati_file(tmp_path, value="2500000.40", percentage="100"))
    assert row["amount_usd"] == "2500000"


def test_deep_iati_xml_is_refused(tmp_path, capsys):
    source = iati_file(tmp_path, inner="<x>" * 100 + "</x>" * 100)
    assert main(["import", "iati", str(source), "--output", str(tmp_path / "o.csv")]) == 1
    err = capsys.readouterr().err
    assert "bad.xml: activity 1: <x> is nested 65 elements deep (at most 64)" in err
    assert "Traceback" not in err


def test_an_iati_cli_error_exits_1_without_traceback(tmp_path, capsys):
    source = iati_file(tmp_path, value="1e30")
    assert main(["import", "iati", str(source), "--output", str(tmp_path / "o.csv")]) == 1
    err = capsys.readouterr().err
    assert "transaction/value: '1e30'" in err and "Traceback" not in err


def test_a_negative_zero_from_a_source_is_zero():

    from analysis.connectors.limits import bounded_amount

    for text in ("-0", "-0.00", -0.0):
        amount = bounded_amount(text, "test.json", "totalamt")
        assert amount == 0 and str(amount) == "0"
