"""Attachments too large for the report are published beside it (analysis.report.attachments)."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest

from analysis.build.records import StagedFiles
from analysis.core.errors import BuildError, ParameterError
from analysis.report import attachments
from analysis.report.display import ATTACHMENT_MIMETYPE, attachment_html, check_attachment
from tests.helpers import resampled_registry


def attachment_output(content: bytes, suffix: str = "activities.zip",
                      mediatype: str = "application/zip") -> dict:
    return {"output_type": "display_data", "metadata": {}, "data": {
        ATTACHMENT_MIMETYPE: {"suffix": suffix, "mediatype": mediatype, "label": "Download",
                              "base64": base64.b64encode(content).decode("ascii")},
        "text/markdown": "attached to the HTML edition", "text/plain": "Download"}}


def notebook_with(*outputs: dict) -> dict:
    return {"cells": [{"cell_type": "code", "source": "", "metadata": {}, "execution_count": 1,
                       "outputs": list(outputs)}], "metadata": {}, "nbformat": 4,
            "nbformat_minor": 5}


def test_a_large_attachment_moves_into_a_file_beside_the_report(tmp_path):
    big, small = b"x" * 1_234_567, b"y" * 10
    nb = notebook_with(attachment_output(big),
                       attachment_output(small, "small.csv", "text/csv"))
    written = attachments.externalise(nb, tmp_path, "uzb-profile", "ru", limit=1000)
    assert written == [tmp_path / "uzb-profile-activities.zip"]
    assert written[0].read_bytes() == big
    moved, kept = (cell_output["data"] for cell_output in nb["cells"][0]["outputs"])
    assert moved[ATTACHMENT_MIMETYPE] == {
        "suffix": "activities.zip", "mediatype": "application/zip",
        "label": "Download (1,2\u00a0МБ, отдельный файл рядом с этой страницей)",
        "file": "uzb-profile-activities.zip", "bytes": 1_234_567}
    assert check_attachment(moved[ATTACHMENT_MIMETYPE]) is None
    # 1,234,567 bytes are 1.2 MB, with a Russian decimal comma
    # Markdown-escaped for the PDF, like every note
    assert re.sub(r"\\(.)", r"\1", moved["text/markdown"]) == (
        "Полный список — в файле uzb-profile-activities.zip (1,2\u00a0МБ), опубликованном рядом "
        "с отчётом: он слишком велик, чтобы входить в сам отчёт.")
    assert base64.b64decode(kept[ATTACHMENT_MIMETYPE]["base64"]) == small  # small stays inside
    assert attachments.published_files(_write(tmp_path / "nb.ipynb", nb), "uzb-profile") == [
        "uzb-profile-activities.zip"]
    # another report's notebook naming this report's file is not believed
    assert attachments.published_files(tmp_path / "nb.ipynb", "uzb") == []


@pytest.mark.parametrize(("size", "lang", "expected"), [
    (1_234_567, "en", "1.2 MB"), (1_234_567, "ru", "1,2 МБ"), (12_345_678, "en", "12.3 MB"),
    (217_400, "ru", "217 КБ"), (80, "en", "1 KB"), (999_499, "en", "999 KB"),
    (1_000_000, "en", "1.0 MB")])
def test_file_sizes_read_in_the_readers_language(size, lang, expected):
    assert attachments.file_size(size, lang) == expected.replace(" ", "\u00a0")


def test_the_link_to_a_file_beside_the_report_is_relative_and_escaped():
    payload = {"suffix": "activities.zip", "mediatype": "application/zip",
               "label": "Full list <all>", "file": "r-activities.zip", "bytes": 5}
    assert attachment_html(payload, "ignored") == (
        '<p class="attachment"><a href="r-activities.zip" download="r-activities.zip" '
        'type="application/zip">Full list &lt;all&gt;</a></p>')


@pytest.mark.parametrize(("change", "reason"), [
    ({"file": "../r-activities.zip"}, "plain name"),
    ({"file": "https://e.invalid/r-activities.zip"}, "plain name"),
    ({"file": "r-other.zip"}, "plain name"),
    ({"file": "r-activities.zip", "base64": "YQ=="}, "plain name"),
    ({"bytes": -1}, "whole number"),
    ({"bytes": "5"}, "whole number"),
    ({"bytes": True}, "whole number"),
])
def test_a_bad_file_attachment_is_refused(change, reason):
    payload = {"suffix": "activities.zip", "mediatype": "application/zip", "label": "x",
               "file": "r-activities.zip", "bytes": 5} | change
    assert reason in (check_attachment(payload) or "")


@pytest.mark.parametrize(("value", "expected"), [("", 2_500_000), ("0", 0), (" 1000 ", 1000)])
def test_the_embed_limit_comes_from_the_environment(monkeypatch, value, expected):
    monkeypatch.setenv(attachments.EMBED_LIMIT_ENV, value)
    assert attachments.embed_limit() == expected


@pytest.mark.parametrize("value", ["2.5MB", "-1", "lots"])
def test_a_bad_embed_limit_says_which_variable_and_what_to_give(monkeypatch, value):
    monkeypatch.setenv(attachments.EMBED_LIMIT_ENV, value)
    with pytest.raises(ParameterError, match=rf"COOPREPORT_EMBED_LIMIT='{re.escape(value)}'.*"
                                             "whole number of bytes"):
        attachments.embed_limit()


def test_a_worker_may_return_the_file_beside_the_report_and_nothing_else(tmp_path):
    ok = StagedFiles.read([str(_write_bytes(tmp_path / "r-activities.zip", b"z"))])
    (tmp_path / "ok").mkdir()
    assert ok.write(tmp_path / "ok", "r") == [tmp_path / "ok" / "r-activities.zip"]
    assert (tmp_path / "ok" / "r-activities.zip").read_bytes() == b"z"
    with pytest.raises(BuildError, match="returned a file named 'r-notes.txt'"):
        StagedFiles.read([str(_write_bytes(tmp_path / "r-notes.txt", b"z"))]).write(
            tmp_path / "ok", "r")


def _write(path: Path, nb: dict) -> Path:
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


def _write_bytes(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


@pytest.mark.slow
def test_a_report_whose_list_is_too_large_publishes_it_beside_and_takes_it_back(tmp_path,
                                                                               monkeypatch):
    """With a small embed limit the activity list is a file beside the report: the HTML links
    it, the notebook does not hold it, the PDF names it. Built again with the default limit,
    the list goes back inside and the file is gone from the output folder."""
    from pypdf import PdfReader

    from analysis.cli import main

    registry, _ = resampled_registry(tmp_path, 600, seed=600)
    spec = tmp_path / "large.yaml"
    spec.write_text("name: uzb-large\nnotebook: country_profile.ipynb\n"
                    "title: Large\nformats: [html, pdf]\nparameters:\n  country: UZB\n"
                    "  start_year: 2017\n  end_year: 2026\n"
                    f"  data_path: {registry}\n", encoding="utf-8")
    out = tmp_path / "out"
    beside = out / "uzb-large-activities.csv"  # 600 activities: a CSV small enough not to zip

    monkeypatch.setenv(attachments.EMBED_LIMIT_ENV, "1000")
    assert main(["build", str(spec), "--output-dir", str(out), "--renderer", "builtin"]) == 0
    html = (out / "uzb-large.html").read_text(encoding="utf-8")
    [link] = re.findall(r'<p class="attachment"><a [^>]+>', html)
    assert 'href="uzb-large-activities.csv"' in link and "data:" not in link
    listed = beside.read_bytes().decode("utf-8-sig").splitlines()
    assert len(listed) == 601  # the header and every activity
    assert "base64" not in json.dumps(json.loads((out / "uzb-large.ipynb").read_text(
        encoding="utf-8"))).split(ATTACHMENT_MIMETYPE)[1][:400]
    pdf = " ".join(" ".join(p.extract_text() for p in PdfReader(out / "uzb-large.pdf").pages)
                   .split())
    assert "The full list is in the file uzb-large-activities.csv" in pdf
    summary = json.loads((out / "build-summary.json").read_text(encoding="utf-8"))
    assert str(beside) in summary["reports"][0]["outputs"]

    monkeypatch.delenv(attachments.EMBED_LIMIT_ENV)
    assert main(["build", str(spec), "--output-dir", str(out), "--renderer", "builtin",
                 "--force"]) == 0
    html = (out / "uzb-large.html").read_text(encoding="utf-8")
    assert 'href="data:text/csv;base64,' in html
    assert not beside.exists() and not (out / "current" / beside.name).exists()
