"""The runner's account of a report that ran out of time (no kernel is started here; the
deadline itself is tested on real kernels in ``test_papermill_engine.py``)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient.exceptions import CellTimeoutError

from analysis.build.params import load_report_spec
from analysis.build.records import BuildOptions
from analysis.build.runner import report_timeout, timeout_message

TINY = "tests/fixtures/notebooks/tiny.ipynb"


def report_with(tmp_path: Path, timeout: str = ""):
    path = tmp_path / "slow-one.yaml"
    path.write_text(f"name: slow-one\nnotebook: {TINY}\ntitle: Slow\nformats: [html]\n"
                    f"{timeout}parameters:\n  label: x\n", encoding="utf-8")
    return load_report_spec(path, allow_notebook_outside=True)


def nbclient_detail(report, number: int) -> str:
    """nbclient's own message for a timeout in cell ``number`` of the report's notebook."""
    cells = nbformat.read(report.notebook, as_version=4).cells
    return str(CellTimeoutError.error_from_timeout_and_cell(
        "Cell execution timed out", 0.001, cells[number - 1]))


@pytest.mark.parametrize(("cli", "params", "limit", "how"), [
    (3, "", 3, "raise it with --timeout SECONDS (at most 86400)"),
    (3, "timeout: 40\n", 3, "raise it with --timeout SECONDS (at most 86400)"),
    (None, "timeout: 40\n", 40,
     "raise it with timeout: SECONDS in {params}, or --timeout SECONDS (at most 86400)"),
    (None, "", 900, "the limit is the default; raise it with timeout: SECONDS in {params}, "
                    "or --timeout SECONDS (at most 86400)"),
])
def test_a_timeout_names_the_report_its_limit_and_the_way_to_raise_it(tmp_path, cli, params,
                                                                      limit, how):
    report = report_with(tmp_path, params)
    options = BuildOptions(output_dir=tmp_path / "out", timeout=cli)
    assert report_timeout(report, options) == limit
    message = timeout_message(report, options, nbclient_detail(report, 3))
    assert message == (
        f"timed out: report slow-one ran longer than its limit of {limit} s for the whole "
        "notebook and was stopped (its kernel killed, nothing new published for it; "
        + how.format(params=tmp_path / "slow-one.yaml")
        + "); it had reached cell 3 of tiny.ipynb (import os ...)")


def test_a_short_cell_is_found_too_and_an_unknown_one_is_said_to_be_unknown(tmp_path):
    report = report_with(tmp_path)
    options = BuildOptions(output_dir=tmp_path / "out", timeout=1)
    assert timeout_message(report, options, nbclient_detail(report, 4)).endswith(
        "it had reached cell 4 of tiny.ipynb (Paragraph(f'value={value}; "
        "activities={len(registry.activities)}; label={label}') ...)")
    assert timeout_message(report, options, "no preview here").endswith(
        "it had reached a cell that could not be identified")
