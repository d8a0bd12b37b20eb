"""How much output a report may carry, and what is left out when it carries more.

A notebook cell can print a whole table or a runaway loop: 200 MB of output used to be
published as it was, with a 2 GB memory peak while the report was written, read back and
rendered. A report now carries at most :func:`output_limit` bytes of output in all
(``COOPREPORT_OUTPUT_LIMIT``, default 25 MB; the shipped reports carry well under 1 MB), and
one cell at most a fifth of that, so that one runaway cell leaves room for the rest.

:class:`OutputBudget` decides, output by output, what goes in: the build runner's notebook
client asks it for each output as the kernel sends it (so the rest is never kept), and
``coopreport render`` applies it to a notebook from elsewhere (:func:`bound_outputs`). Past the
limit a text stream keeps what fits; any other output is left out. The first cut in a cell adds
a note there, in the report's language, and a warning for the build (the report's status is
then ``warning``; ``--strict`` fails the build). Attachments (:mod:`analysis.report.attachments`
moves large ones beside the report), the report's warnings and its record for the "what changed"
page (:mod:`analysis.report.edition_record`) are not counted.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from analysis.core.settings import bytes_from_environment
from analysis.report.attachments import file_size
from analysis.report.changes import RECORD_MIMETYPE
from analysis.report.display import ATTACHMENT_MIMETYPE
from analysis.report.i18n import translate
from analysis.report.warnings import MIMETYPE as WARNINGS_MIMETYPE

OUTPUT_LIMIT_ENV = "COOPREPORT_OUTPUT_LIMIT"  # bytes of output a report may carry in all
DEFAULT_OUTPUT_LIMIT = 25_000_000
CELL_SHARE = 5  # one cell may carry a fifth of the report's limit
INJECTED_TAG = "injected-parameters"  # papermill's cell of parameters, not in the notebook
# the report's record for the "what changed" page is not shown and not counted either
NOT_COUNTED = frozenset({ATTACHMENT_MIMETYPE, WARNINGS_MIMETYPE, RECORD_MIMETYPE})
NOTE_FLAG = "coopreport_output_cut"  # in the metadata of the note where output was cut
NOTE_MAX = 2_000  # bytes; a note is short (a bigger output with the flag counts in full)


def output_limit() -> int:
    """Bytes of output a report may carry: ``COOPREPORT_OUTPUT_LIMIT`` when set (a whole
    number of bytes), else :data:`DEFAULT_OUTPUT_LIMIT`."""
    return bytes_from_environment(OUTPUT_LIMIT_ENV, DEFAULT_OUTPUT_LIMIT, "25000000")


def _length(value: Any) -> int:
    if isinstance(value, str):
        return len(value.encode("utf-8", "surrogatepass"))
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return sum(_length(v) for v in value)
    return len(json.dumps(value, ensure_ascii=False, default=str).encode("utf-8",
                                                                         "surrogatepass"))


def output_size(output: Mapping[str, Any]) -> int:
    """The bytes an output adds to a report (UTF-8 text; a chart spec as JSON); attachments
    and warnings count nothing."""
    kind = output.get("output_type")
    if kind == "stream":
        return _length(output.get("text", ""))
    if kind == "error":
        return (_length(output.get("traceback", [])) + _length(str(output.get("ename", "")))
                + _length(str(output.get("evalue", ""))))
    data = output.get("data")
    if not isinstance(data, Mapping):
        return 0
    size = sum(_length(value) for mimetype, value in data.items() if mimetype not in NOT_COUNTED)
    metadata = output.get("metadata")
    if isinstance(metadata, Mapping) and metadata.get(NOTE_FLAG) is True and size <= NOTE_MAX:
        return 0  # the note of an earlier cut (rendering a built report cuts nothing more)
    return size


def _cut_text(text: Any, size: int) -> str:
    """The first ``size`` bytes of ``text`` (whole characters)."""
    joined = "".join(text) if isinstance(text, list) else str(text)
    return joined.encode("utf-8", "surrogatepass")[:size].decode("utf-8", "ignore")


class OutputBudget:
    """The output a report has taken so far, cell by cell, against its limit."""

    def __init__(self, limit: int, lang: str = "en") -> None:
        self.limit = limit
        self.cell_limit = limit // CELL_SHARE
        self.lang = lang
        self.by_cell: dict[int, int] = {}
        self.cut: list[int] = []  # cells whose output was cut, in order

    @property
    def used(self) -> int:
        return sum(self.by_cell.values())

    def cleared(self, cell: int) -> None:
        """The cell's outputs were cleared (``clear_output``): what they took is free again."""
        self.by_cell[cell] = 0

    def admit(self, output: dict[str, Any], cell: int,
              where: Callable[[], str] | None = None) -> list[dict[str, Any]]:
        """What of ``output`` goes into cell number ``cell`` (0-based; ``where()`` names it for
        the warning): the output itself when it fits; past a limit the start of a text
        stream, and on the cell's first cut a note and a warning; otherwise nothing."""
        size = output_size(output)
        report_left = self.limit - self.used
        cell_left = self.cell_limit - self.by_cell.get(cell, 0)
        remaining = min(report_left, cell_left)
        if size <= remaining:
            self.by_cell[cell] = self.by_cell.get(cell, 0) + size
            return [output]
        kept: list[dict[str, Any]] = []
        if output.get("output_type") == "stream" and remaining > 0:
            kept.append({**output, "text": _cut_text(output.get("text", ""), remaining)})
            self.by_cell[cell] = self.by_cell.get(cell, 0) + remaining
        if cell not in self.cut:
            self.cut.append(cell)
            kept.extend(self.notes(where() if where else f"cell {cell + 1}",
                                   whole_report=report_left <= cell_left))
        return kept

    def notes(self, where: str, whole_report: bool) -> list[dict[str, Any]]:
        """The note a reader sees where a cell's output was cut, and the build's warning;
        ``whole_report``: the report's limit was reached (else the cell's)."""
        size = self.limit if whole_report else self.cell_limit
        text = translate("output.cut_report" if whole_report else "output.cut_part", self.lang,
                         size=file_size(size, self.lang))
        reason = (f"the report reached its output limit of {self.limit:,} bytes" if whole_report
                  else f"one cell may carry {self.cell_limit:,} bytes, 1/{CELL_SHARE} of the "
                  "report's output limit")
        warning = (f"the output of {where} was cut: {reason} (set {OUTPUT_LIMIT_ENV} to "
                   "change it)")
        return [
            {"output_type": "display_data", "metadata": {NOTE_FLAG: True},
             "data": {"text/markdown": f"*{text}*", "text/plain": text}},
            {"output_type": "display_data", "metadata": {},
             "data": {WARNINGS_MIMETYPE: {"warnings": [warning]}}},
        ]


def describe_cell(cells: Any, index: int) -> str:
    """Cell ``index`` of an executed notebook as its author finds it: its number in the
    notebook (papermill's injected parameters not counted) and its first line."""
    number = 1 + sum(1 for cell in list(cells)[:index]
                     if INJECTED_TAG not in (cell.get("metadata", {}).get("tags") or []))
    source = cells[index].get("source", "")
    source = "".join(source) if isinstance(source, list) else str(source)
    first = next((line.strip() for line in source.splitlines() if line.strip()), "")
    return f"cell {number} ({first[:60]} ...)" if first else f"cell {number}"


def bound_outputs(nb: Any, limit: int | None = None, lang: str = "en") -> list[int]:
    """Cut the outputs of notebook ``nb`` (changed in place) to what a report may carry;
    returns the numbers (0-based) of the cells whose output was cut."""
    import nbformat

    budget = OutputBudget(output_limit() if limit is None else limit, lang)
    for index, cell in enumerate(nb.get("cells", [])):
        outputs = cell.get("outputs")
        if not outputs:
            continue
        kept: list[Any] = []
        for output in outputs:
            if not isinstance(output, dict):
                continue
            admitted = budget.admit(output, index,
                                    lambda: describe_cell(nb["cells"], index))  # noqa: B023
            kept.extend(o if o is output else nbformat.from_dict(o) for o in admitted)
        cell["outputs"] = kept
    return budget.cut
