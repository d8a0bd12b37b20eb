"""Display objects' attachments: the download link is built only from a checked payload, and
every text in it is escaped. Expectations written by hand."""

from __future__ import annotations

import pytest

from analysis.report.display import (
    ATTACHMENT_MIMETYPE,
    Attachment,
    attachment_filename,
    attachment_html,
    check_attachment,
)

CSV = b"a,b\r\n"  # base64: YSxiDQo=


def attachment(**overrides: object) -> Attachment:
    values: dict[str, object] = {"content": CSV, "suffix": "activities.csv",
                                 "mediatype": "text/csv", "label": "<b>List</b> & more",
                                 "note": "Attached to the *HTML* edition."}
    values.update(overrides)
    return Attachment(**values)  # type: ignore[arg-type]


def test_html_form_is_an_escaped_offline_download_link():
    assert attachment().html("uzb-spcr") == (
        '<p class="attachment"><a href="data:text/csv;base64,YSxiDQo=" '
        'download="uzb-spcr-activities.csv" type="text/csv">'
        "&lt;b&gt;List&lt;/b&gt; &amp; more</a></p>")


def test_markdown_form_is_the_escaped_note():
    assert attachment()._repr_markdown_() == "Attached to the \\*HTML\\* edition\\."


def test_bundle_keeps_the_content_once_and_no_html():
    bundle = attachment()._repr_mimebundle_()
    assert set(bundle) == {ATTACHMENT_MIMETYPE, "text/markdown", "text/plain"}
    assert bundle[ATTACHMENT_MIMETYPE] == {"suffix": "activities.csv", "mediatype": "text/csv",
                                           "label": "<b>List</b> & more", "base64": "YSxiDQo="}
    assert bundle["text/plain"] == "<b>List</b> & more (activities.csv, 5 bytes)"


@pytest.mark.parametrize("name, expected", [
    ("uzb-strategic-procurement", "uzb-strategic-procurement-activities.csv"),
    ('../x y"', "x-y-activities.csv"),
    ("", "report-activities.csv"),
])
def test_file_name_is_plain(name, expected):
    assert attachment_filename(name, "activities.csv") == expected


@pytest.mark.parametrize("payload, reason", [
    ([], "not an object"),
    ({"suffix": "a.csv", "mediatype": "text/html", "base64": "", "label": ""}, "media type"),
    ({"suffix": "../a.csv", "mediatype": "text/csv", "base64": "", "label": ""}, "suffix"),
    ({"suffix": "a.zip", "mediatype": "text/csv", "base64": "", "label": ""}, "suffix"),
    ({"suffix": "a.csv", "mediatype": "text/csv", "base64": 'YQ=="><script>', "label": ""},
     "base64"),
    ({"suffix": "a.csv", "mediatype": "text/csv", "base64": "YQ=", "label": ""}, "base64"),
    ({"suffix": "a.csv", "mediatype": "text/csv", "base64": "YQ==", "label": 1}, "label"),
])
def test_bad_payloads_are_refused(payload, reason):
    assert reason in (check_attachment(payload) or "")
    with pytest.raises(ValueError, match="not a report attachment"):
        attachment_html(payload, "x")


def test_zip_attachment_is_valid_and_bad_suffix_refused():
    assert check_attachment(attachment(suffix="activities.zip",
                                       mediatype="application/zip").payload()) is None
    with pytest.raises(ValueError, match="suffix"):
        attachment(suffix="activities.exe")
