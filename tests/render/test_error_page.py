"""The page of a failed report (issue 28): readable in a browser, not a raw .ipynb."""

from __future__ import annotations

import nbformat

from analysis.render.error_page import write_error_page


def failed_notebook(path):
    """An executed notebook as papermill leaves it: injected parameters, then a cell that
    raised, its traceback in terminal colours."""
    nb = nbformat.v4.new_notebook()
    injected = nbformat.v4.new_code_cell("country = 'UZB'")
    injected.metadata["tags"] = ["injected-parameters"]
    first = nbformat.v4.new_code_cell("import analysis")
    broken = nbformat.v4.new_code_cell("total = 1 / 0  # <b>")
    broken.outputs = [nbformat.v4.new_output(
        "error", ename="ZeroDivisionError", evalue="division by zero",
        traceback=["\x1b[0;31m---------\x1b[0m", "\x1b[0;31mZeroDivisionError\x1b[0m: "
                   "division by zero"])]
    nb.cells = [nbformat.v4.new_markdown_cell("# Title"), injected, first, broken]
    nbformat.write(nb, path)
    return path


def test_the_page_says_the_reason_and_shows_the_cell_and_its_traceback(tmp_path):
    notebook = failed_notebook(tmp_path / "uzb-profile.ipynb")
    page = write_error_page(tmp_path, "uzb-profile", "Uzbekistan <profile>",
                            "ZeroDivisionError: division by zero", notebook
                            ).read_text(encoding="utf-8")
    assert "<h1>uzb-profile: not built in the last build · uzb-profile: не собран" in page
    assert "Uzbekistan &lt;profile&gt;" in page
    assert '<pre class="reason">ZeroDivisionError: division by zero</pre>' in page
    # the third cell as its author counts (the injected parameters are papermill's)
    assert "<h2>Cell 3 of the notebook and its traceback · Ячейка 3 блокнота" in page
    assert '<pre class="source">total = 1 / 0  # &lt;b&gt;</pre>' in page
    assert ('<pre class="traceback">---------\nZeroDivisionError: division by zero</pre>'
            in page)
    assert "\x1b" not in page
    assert '<a href="uzb-profile.ipynb">executed notebook' in page
    assert '<a href="../index.html">All reports' in page


def test_a_failure_without_a_notebook_still_has_its_page(tmp_path):
    page = write_error_page(tmp_path, "dead", "Dead", "", None).read_text(encoding="utf-8")
    assert '<pre class="reason">no reason was recorded · причина не записана' in page
    assert ".ipynb" not in page and "Cell" not in page
