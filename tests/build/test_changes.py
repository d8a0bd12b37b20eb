"""Each built report's record and "what changed" page in the edition (hand-made notebooks)."""

from __future__ import annotations

import json
from pathlib import Path

from analysis.build.changes import CHANGES_DIR, update_changes
from analysis.report.changes import RECORD_MIMETYPE


def notebook(edition: Path, name: str, record: object, built_at: str) -> None:
    outputs = [] if record is None else [
        {"output_type": "display_data", "metadata": {}, "data": {RECORD_MIMETYPE: record}}]
    nb = {"cells": [{"cell_type": "code", "source": "", "metadata": {}, "outputs": outputs,
                     "execution_count": 1}],
          "metadata": {"coopreport": {"title": "Report A", "provenance": {
              "built_at": built_at, "git_commit": "abc", "registry": "data/r.csv",
              "registry_sha256": "f" * 64, "parameters": {"lang": "en"}}}},
          "nbformat": 4, "nbformat_minor": 5}
    (edition / f"{name}.ipynb").write_text(json.dumps(nb), encoding="utf-8")


def test_the_record_is_kept_and_compared_at_the_next_build(tmp_path):
    first = {"activities": [{"id": "A1", "date": "2024", "precision": "year", "title": "T"}],
             "figures": [{"key": "activities", "country": "UZB", "value": 1}]}
    notebook(tmp_path, "a", first, "2026-12-01T00:00:00Z")
    page = update_changes(tmp_path, "a")
    assert page == tmp_path / CHANGES_DIR / "a.html"
    assert "This is the first edition" in page.read_text(encoding="utf-8")
    saved = json.loads((tmp_path / CHANGES_DIR / "a.json").read_text(encoding="utf-8"))
    assert saved["record"] == first and saved["registry_sha256"] == "f" * 64
    assert saved["edition"] == tmp_path.name and saved["built_at"] == "2026-12-01T00:00:00Z"

    second = {"activities": [*first["activities"],
                             {"id": "A2", "date": "2025", "precision": "year", "title": "U"}],
              "figures": [{"key": "activities", "country": "UZB", "value": 2}]}
    notebook(tmp_path, "a", second, "2026-12-08T00:00:00Z")
    text = update_changes(tmp_path, "a").read_text(encoding="utf-8")  # type: ignore[union-attr]
    assert "Activities added (1)" in text and '<td class="id">A2</td>' in text
    assert '<td class="num">1</td><td class="num">2</td>' in text


def test_a_notebook_that_records_nothing_leaves_no_page_that_would_be_wrong(tmp_path, caplog):
    notebook(tmp_path, "a", {"activities": []}, "2026-12-01T00:00:00Z")
    assert update_changes(tmp_path, "a") is not None
    notebook(tmp_path, "a", None, "2026-12-08T00:00:00Z")
    assert update_changes(tmp_path, "a") is None
    assert not list((tmp_path / CHANGES_DIR).iterdir())
    notebook(tmp_path, "a", {"figures": [{"key": "x"}]}, "2026-12-09T00:00:00Z")
    assert update_changes(tmp_path, "a") is None
    assert "a.ipynb: the record of what the report says is malformed (item 1 of figures " \
           "lacks one of key, country, value)" in caplog.text
