"""The PDF's title block comes from the build alone, and each step of the PDF is bounded in
time and memory: no notebook can rename a report, reach Typst code, or hang the build."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from pypdf import PdfReader

from analysis.core.errors import RenderError
from analysis.core.process import run_bounded
from analysis.render import pdf
from analysis.render.meta import read_meta
from analysis.render.sanitize import inert_markdown

YAML_BLOCK = ('---\ntitle: "Pwned title"\nlang: "en\\")#panic(\\"x\\")"\n'
              'subtitle: Not ours\n---\n')


def executed(tmp_path: Path, markdown: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(markdown),
                nbformat.v4.new_code_cell("1", outputs=[nbformat.v4.new_output(
                    "display_data", data={"text/plain": "one output"})])]
    nb.metadata["coopreport"] = {"name": "r", "title": "The build's own title",
                                 "provenance": {"parameters": {"lang": "en"},
                                                "built_at": "2026-12-06T10:00:00Z"}}
    path = tmp_path / "r.ipynb"
    nbformat.write(nb, path)
    return path


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


@pytest.mark.parametrize("markdown", [
    YAML_BLOCK + "Body text.",
    "Some text.\n\n" + YAML_BLOCK + "Body text.",
    "% Pwned title\n% Not ours\n\nBody text.",
])
def test_markdown_cells_never_set_the_title_or_language(tmp_path, markdown):
    notebook = executed(tmp_path, markdown)
    target = pdf.render_pdf(notebook, tmp_path / "r.pdf", read_meta(notebook), tmp_path)
    text = pdf_text(target)
    first_page = PdfReader(target).pages[0].extract_text()
    assert "The build's own title" in first_page and "Pwned title" not in first_page
    assert "Body text." in text


def test_inert_markdown_keeps_headings_and_rules():
    assert inert_markdown("Heading\n---\n\ntext") == "Heading\n---\n\ntext"  # setext heading
    assert inert_markdown("a\n\n---\n\nb") == "a\n\n---\n\nb"  # a rule between blank lines
    assert inert_markdown("---\nx: 1\n...\n") == "***\nx: 1\n...\n"
    assert inert_markdown("% a\n% b") == "\\% a\n% b"


def test_a_command_over_its_time_is_stopped_with_its_whole_group(tmp_path):
    marker = tmp_path / "grandchild.pid"
    script = ("import subprocess, sys, time\n"
              "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
              f"open({str(marker)!r}, 'w').write(str(child.pid))\n"
              "time.sleep(60)\n")
    started = time.monotonic()
    with pytest.raises(subprocess.TimeoutExpired):
        run_bounded([sys.executable, "-c", script], timeout=2)
    assert time.monotonic() - started < 20
    grandchild = int(marker.read_text())
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and Path(f"/proc/{grandchild}").exists():
        time.sleep(0.05)  # killed: gone once its parent (init) reaps it
    assert not Path(f"/proc/{grandchild}").exists() or _zombie(grandchild)


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z"
    except OSError:
        return True


def test_a_command_over_its_memory_fails():
    with pytest.raises(subprocess.CalledProcessError) as caught:
        run_bounded([sys.executable, "-c", "x = bytearray(3 << 30)"], timeout=60,
                    memory=1 << 30)
    assert "MemoryError" in caught.value.stderr


def test_a_typst_step_that_does_not_end_is_a_render_error(tmp_path, monkeypatch):
    monkeypatch.setattr(pdf, "TYPST_CHILD", "import time; time.sleep(60)")
    monkeypatch.setattr(pdf, "PDF_TIMEOUT", 2)
    notebook = executed(tmp_path, "Text.")
    started = time.monotonic()
    with pytest.raises(RenderError, match="Typst did not finish in 2 s"):
        pdf.render_pdf(notebook, tmp_path / "r.pdf", read_meta(notebook), tmp_path)
    assert time.monotonic() - started < 30
    assert not (tmp_path / "r.pdf").exists()


def test_typst_runs_within_the_memory_bound(tmp_path, monkeypatch):
    """The bound is applied to Typst's process: a bound too small to start makes it fail."""
    monkeypatch.setattr(pdf, "PDF_MEMORY", 64 << 20)
    notebook = executed(tmp_path, "Text.")
    with pytest.raises(RenderError, match="Typst failed"):
        pdf.render_pdf(notebook, tmp_path / "r.pdf", read_meta(notebook), tmp_path)
