"""How much output a report may carry (issue 21: 200 MB of output was published as it was, with
a 2 GB memory peak). Expectations are computed by hand from small limits."""

from __future__ import annotations

import nbformat
import pytest

from analysis.core.errors import ParameterError
from analysis.report import output_budget as ob
from analysis.report.display import ATTACHMENT_MIMETYPE
from analysis.report.warnings import MIMETYPE as WARNINGS


def stream(text, name="stdout"):
    return {"output_type": "stream", "name": name, "text": text}


def display(data, metadata=None):
    return {"output_type": "display_data", "data": data, "metadata": metadata or {}}


@pytest.mark.parametrize(("output", "size"), [
    (stream("abc"), 3),
    (stream(["ab", "cd\n"]), 5),
    (stream("жж"), 4),  # bytes of UTF-8, not characters
    ({"output_type": "error", "ename": "E", "evalue": "bad", "traceback": ["12", "345"]}, 9),
    (display({"text/plain": "xy", "text/html": "<b>x</b>"}), 10),
    (display({"application/vnd.vegalite.v5+json": {"a": 1}}), 8),  # '{"a": 1}'
    (display({ATTACHMENT_MIMETYPE: {"base64": "A" * 999}, WARNINGS: {"warnings": ["w"]},
              "text/plain": "z"}), 1),  # attachments and warnings are not counted
    (display({"text/plain": "n" * 10}, {ob.NOTE_FLAG: True}), 0),  # an earlier cut's note
    (display({"text/plain": "n" * 3000}, {ob.NOTE_FLAG: True}), 3000),  # too big for a note
    ({"output_type": "display_data"}, 0),
])
def test_the_size_of_an_output(output, size):
    assert ob.output_size(output) == size


def test_an_output_that_fits_goes_in_as_it_is():
    budget = ob.OutputBudget(1000)  # 200 bytes a cell
    output = stream("a" * 20)
    assert budget.admit(output, 0) == [output]
    assert budget.admit(output, 0)[0] is output
    assert budget.used == 40 and budget.cut == []


def test_past_the_cells_share_a_stream_keeps_its_start_then_a_note_and_a_warning():
    budget = ob.OutputBudget(100)  # a cell may take 100 // 5 = 20 bytes
    assert budget.admit(stream("a" * 15), 2) == [stream("a" * 15)]
    kept = budget.admit(stream("b" * 30), 2, lambda: "cell 3 (print(b) ...)")
    assert kept[0] == stream("b" * 5)  # 20 - 15 bytes left in the cell
    note, warning = kept[1:]
    assert note["data"]["text/plain"] == ("Shortened here: this part of the report is larger "
                                          "than the 1\u00a0KB one part may take, so the rest of it "
                                          "is not shown.")
    assert note["metadata"] == {ob.NOTE_FLAG: True}
    assert warning["data"][WARNINGS]["warnings"] == [
        "the output of cell 3 (print(b) ...) was cut: one cell may carry 20 bytes, 1/5 of the "
        "report's output limit (set COOPREPORT_OUTPUT_LIMIT to change it)"]
    assert budget.admit(stream("c"), 2) == []  # the cell is full; its note was given once
    assert budget.cut == [2] and budget.used == 20
    assert budget.admit(stream("d" * 20), 3) == [stream("d" * 20)]  # the next cell has room


def test_past_the_reports_limit_other_outputs_are_left_out_with_a_note_in_the_readers_language():
    budget = ob.OutputBudget(50, lang="ru")  # 10 bytes a cell, 50 in all
    for cell in range(5):
        assert len(budget.admit(stream("x" * 10), cell)) == 1
    kept = budget.admit(display({"text/html": "<p>late</p>"}), 5)
    assert [o["data"].get("text/plain") for o in kept[:1]] == [
        "Здесь текст сокращён: отчёт достиг предельного объёма (1\u00a0КБ), поэтому остальная "
        "часть этого раздела не показана."]
    assert "the report reached its output limit of 50 bytes" in (
        kept[1]["data"][WARNINGS]["warnings"][0])
    assert "cell 6" in kept[1]["data"][WARNINGS]["warnings"][0]  # no name given: the number


def test_a_cut_never_splits_a_character():
    budget = ob.OutputBudget(25)  # 5 bytes a cell
    assert budget.admit(stream("жжжж"), 0)[0]["text"] == "жж"  # 4 of the 5 bytes


def test_cleared_output_frees_its_share():
    budget = ob.OutputBudget(100)
    budget.admit(stream("a" * 20), 0)
    budget.cleared(0)
    assert budget.admit(stream("b" * 20), 0) == [stream("b" * 20)]


def notebook(*cells):
    nb = nbformat.v4.new_notebook()
    for source, outputs, tags in cells:
        cell = nbformat.v4.new_code_cell(source)
        cell.metadata["tags"] = tags
        cell.outputs = [nbformat.from_dict(o) for o in outputs]
        nb.cells.append(cell)
    return nb


def test_a_notebook_is_cut_cell_by_cell_and_cells_are_named_as_in_the_notebook():
    nb = notebook(("x = 1", [], ["parameters"]),
                  ("x = 2", [], ["injected-parameters"]),  # papermill's: not the author's cell
                  ("\n\nprint(big)\nmore", [stream("a" * 25)], []),
                  ("print(small)", [stream("b" * 5)], []))
    assert ob.bound_outputs(nb, limit=100) == [2]
    assert nb.cells[2].outputs[0].text == "a" * 20
    warning = nb.cells[2].outputs[2]["data"][WARNINGS]["warnings"][0]
    assert warning.startswith("the output of cell 2 (print(big) ...) was cut")
    assert nb.cells[3].outputs == [stream("b" * 5)]


def test_a_notebook_already_cut_is_not_cut_again():
    nb = notebook(("print(big)", [stream("a" * 50)], []))
    ob.bound_outputs(nb, limit=100)
    once = nbformat.writes(nb)
    assert ob.bound_outputs(nb, limit=100) == []
    assert nbformat.writes(nb) == once


@pytest.mark.parametrize(("value", "expected"), [("", 25_000_000), ("1000", 1000), (" 7 ", 7)])
def test_the_limit_comes_from_the_environment(monkeypatch, value, expected):
    monkeypatch.setenv(ob.OUTPUT_LIMIT_ENV, value)
    assert ob.output_limit() == expected


@pytest.mark.parametrize("value", ["-1", "25MB", "1e6"])
def test_a_bad_limit_names_the_variable_and_what_to_give(monkeypatch, value):
    monkeypatch.setenv(ob.OUTPUT_LIMIT_ENV, value)
    with pytest.raises(ParameterError, match=f"COOPREPORT_OUTPUT_LIMIT='{value}' is not a whole "
                                             "number of bytes; unset it or give e.g. 25000000"):
        ob.output_limit()
