"""``coopreport render`` takes notebooks from anywhere: metadata of the wrong type, a time that
is no time, a chart spec that is a JSON string: each gives a report or a clean error, never a
traceback."""

from __future__ import annotations

import json

import nbformat
import pytest

from analysis.cli import main
from analysis.render.meta import read_meta

BASE_SPEC = {"$schema": "https://vega.github.io/schema/vega-lite/v6.4.1.json",
             "data": {"values": [{"a": 1}]}, "mark": "bar",
             "encoding": {"x": {"field": "a", "type": "quantitative"}}}
SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>'


def notebook(tmp_path, metadata, chart=BASE_SPEC):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x", outputs=[nbformat.v4.new_output(
        "display_data", data={"application/vnd.vegalite.v6+json": chart,
                              "image/svg+xml": SVG, "text/plain": "chart"})])]
    nb.metadata.update(metadata)
    path = tmp_path / "odd.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")  # as found: not checked by nbformat
    return path


@pytest.mark.parametrize("metadata", [
    {"papermill": {}, "coopreport": {"provenance": {"built_at": "not a date"}}},
    {"papermill": {}, "coopreport": {"provenance": {"built_at": 20261206}}},
    {"papermill": {}, "coopreport": "a string"},
    {"papermill": {}, "coopreport": {"title": ["a", "list"], "name": 3,
                                     "provenance": {"parameters": "not a mapping"}}},
    {"papermill": {"end_time": "yesterday", "parameters": ["x"]}},
    {"papermill": "a string"},
])
def test_odd_metadata_gives_a_report(tmp_path, metadata):
    path = notebook(tmp_path, metadata)
    meta = read_meta(path)
    assert meta.title and meta.date and "coopreport" in meta.provenance
    if "built_at" in json.dumps(metadata):
        assert "Built not recorded." in meta.provenance
    out = tmp_path / "out"
    assert main(["render", str(path), "--output-dir", str(out), "--renderer", "builtin"]) == 0
    assert (out / "odd.html").is_file() and (out / "odd.pdf").is_file()


@pytest.mark.parametrize("chart", [json.dumps(BASE_SPEC), "not json", 7, None])
def test_a_chart_spec_that_is_not_an_object_is_shown_as_its_image(tmp_path, chart):
    path = notebook(tmp_path, {"papermill": {}}, chart)
    out = tmp_path / "out"
    assert main(["render", str(path), "--output-dir", str(out), "--renderer", "builtin",
                 "--formats", "html"]) == 0
    page = (out / "odd.html").read_text(encoding="utf-8")
    assert "data:image/svg+xml" in page and "vegalite.v6+json" not in page


def test_render_never_writes_into_a_builds_output_folder(tmp_path, capsys):
    """A file rendered there would hide the stable link readers open (code review, 3.5)."""
    from analysis.build import editions

    out = tmp_path / "out"
    editions.claim(out)
    edition = editions.begin(out)
    (edition / "odd.html").write_text("published", encoding="utf-8")
    editions.publish(out, edition)
    path = notebook(tmp_path, {"papermill": {}})
    assert main(["render", str(path), "--output-dir", str(out), "--renderer", "builtin"]) == 2
    assert "is a coopreport build's output folder" in capsys.readouterr().err
    assert (out / "odd.html").is_symlink()
    assert (out / "odd.html").read_text(encoding="utf-8") == "published"


@pytest.mark.parametrize("formats", ["docx", "html,docx", ",", "HTML"])
def test_render_refuses_a_format_it_cannot_make(tmp_path, capsys, formats):
    path = notebook(tmp_path, {"papermill": {}})
    out = tmp_path / "out"
    assert main(["render", str(path), "--output-dir", str(out), "--formats", formats]) == 2
    assert "--formats takes html, pdf or html,pdf" in capsys.readouterr().err
    assert not out.exists()


def test_render_never_replaces_a_link_or_a_folder(tmp_path, capsys):
    path = notebook(tmp_path, {"papermill": {}})
    out = tmp_path / "out"
    out.mkdir()
    elsewhere = tmp_path / "elsewhere.html"
    elsewhere.write_text("keep", encoding="utf-8")
    (out / "odd.html").symlink_to(elsewhere)
    assert main(["render", str(path), "--output-dir", str(out), "--renderer", "builtin"]) == 2
    assert "symbolic link" in capsys.readouterr().err
    assert elsewhere.read_text(encoding="utf-8") == "keep" and (out / "odd.html").is_symlink()
