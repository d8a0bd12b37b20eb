"""The columnar reader gives exactly the csv module's records, lines and problems."""

from __future__ import annotations

import pytest

from analysis.data import csvtable
from analysis.data.csvfile import read_csv_file
from analysis.data.csvtable import read_csv_table

COLUMNS = ("a", "b")


def _same_as_reference(path) -> csvtable.CsvTable:
    table = read_csv_table(path, COLUMNS, "test file")
    reference = read_csv_file(path, COLUMNS, "test file")
    assert table.records == reference.records
    assert table.problems == reference.problems
    assert (table.header, table.readable, table.sha256) == (
        reference.header, reference.readable, reference.sha256)
    return table


@pytest.mark.parametrize("raw", [
    b"a,b\n1,2\n3,4\n",                       # plain
    b"a,b\n1,2\n3,4",                         # no line break at the end
    b"a,b\r\n1,2\r\n3,4\r\n",                 # Windows line breaks
    b"a,b\r1,2\r3,4\r",                       # old Mac line breaks
    b'a,b\n"x\ny",2\n3,4\n',                  # a quoted line break: record b starts on line 4
    b'a,b\r\n"x\r\n\r\ny",2\r\n3,4\r\n',      # two quoted Windows line breaks
    b'a,b\n"say ""hi""",2\n',                 # doubled quotes
    b'a,b\nx"y,2\n',                          # a quote inside an unquoted value
    b"a,b\n1,2\n\n\n3,4\n",                   # blank lines are skipped but counted
    b"\na,b\n1,2\n",                          # a blank line before the header
    b"a,b\n1,2\n,\n3,4\n",                    # a row of empty values is skipped
    b"a,b\n1,2\n  \n3,4\n",                   # a line of spaces is skipped
    b"a,b\n  1 , 2  \n",                      # spaces trimmed, nothing else
    b"a,b\n\t1,2\x0c\n",                      # tabs and form feeds stay for the checks
    b'a,b\n"x"y,2\n',                         # text after a closing quote: not valid CSV
    b'a,b\n"x" ,2\n',                         # a space after a closing quote: not valid CSV
    b'a,b\n"unterminated,2\n',                # an unterminated quote
    b"a,b\n1,2,3\n4\n5,6\n",                  # rows with the wrong number of fields
    b"\xef\xbb\xbfa,b\n1,2\n",                # UTF-8 with BOM
    b"a,b\n1,caf\xe9\n",                      # not UTF-8
    b"a,b\n1,\x00\n",                         # a NUL byte
    "a,b\n1,2\n".encode("utf-16"),            # UTF-16
    b"",                                      # empty
    b"  \n\n",                                # only white space
    b"x,y\n1,2\n",                            # another format
    b"a,b,b,c\n1,2,3,4\n",                    # repeated and unknown columns: the last one wins
    "a,b\nСеминар,Ўў Ққ\n".encode(),          # Cyrillic
])
def test_records_lines_and_problems_match_the_csv_module(tmp_path, raw):
    path = tmp_path / "file.csv"
    path.write_bytes(raw)
    _same_as_reference(path)


def test_a_file_larger_than_a_block_keeps_its_lines(tmp_path, monkeypatch):
    monkeypatch.setattr(csvtable, "BLOCK", 64)  # many blocks, quoted line breaks across them
    rows = [f'{i},"line one\nline two {i}"' if i % 7 == 0 else f"{i},v{i}" for i in range(500)]
    path = tmp_path / "file.csv"
    path.write_text("a,b\n" + "\n".join(rows) + "\n", encoding="utf-8")
    table = _same_as_reference(path)
    assert table.rows == 500
    assert table.lines[:9].tolist() == [2, 4, 5, 6, 7, 8, 9, 10, 12]


def test_a_missing_file_is_a_problem(tmp_path):
    table = read_csv_table(tmp_path / "nope.csv", COLUMNS, "test file")
    assert not table.readable and "cannot read the file" in table.problems[0].reason


def test_a_plain_file_takes_the_columnar_path(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the exact path was taken")

    path = tmp_path / "file.csv"
    path.write_bytes(b'a,b\n"x\ny",2\n3,4\n')
    monkeypatch.setattr(csvtable, "read_csv_file", refuse)
    table = read_csv_table(path, COLUMNS, "test file")
    assert table.lines.tolist() == [2, 4] and table.column("a").to_pylist() == ["x\ny", "3"]
