"""Warnings a report raises about itself, carried from the kernel to the build runner.

A report can build and still deserve attention: a country with no activity at all builds a
report of zeros. The notebook (through :func:`analysis.report.sections.prepare_report`) emits its
warnings as one display output of the private mimetype :data:`MIMETYPE`; after execution the
runner calls :func:`collect_warnings`, which removes those outputs (readers never see them),
and records the warnings in the notebook's ``metadata.coopreport.warnings`` and as the report's
``warning`` status in ``build-summary.json`` (``coopreport build --strict`` then exits 1).

Some warnings have a *kind* (:data:`WARNING_KINDS`), a name a params file may list under
``expected_warnings`` to accept the warning: a comparison with a peer that has, legitimately, no
activity yet. An accepted warning is still recorded and shown on the portal, but the report's
status stays ``ok`` (``--strict`` passes, an incremental build skips it while nothing changes).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

MIMETYPE = "application/vnd.coopreport.warnings+json"

# the warnings a params file may accept (expected_warnings), with what each means
WARNING_KINDS: dict[str, str] = {
    "empty-country": "the report's own country has no activity in the period",
    "empty-peer": "a peer country (an SPCR's peer, a comparison's second or later country) "
                  "has no activity in the period",
}


@dataclass(frozen=True)
class ReportWarning:
    """One warning: its English text (build log, summary), and, when it has them, its kind
    (:data:`WARNING_KINDS`) and the message id and values that say it in a reader's language."""

    text: str
    kind: str = ""
    message: str = ""
    values: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "kind": self.kind, "message": self.message,
                "values": dict(self.values)}

    @classmethod
    def from_json(cls, value: object) -> ReportWarning:
        """A warning as carried or recorded: a mapping (this version) or a text (earlier
        versions, and warnings without a kind such as an output cut)."""
        if isinstance(value, Mapping):
            values = value.get("values")
            return cls(str(value.get("text", "")), str(value.get("kind") or ""),
                       str(value.get("message") or ""),
                       dict(values) if isinstance(values, Mapping) else {})
        return cls(str(value))

    def say(self, lang: str) -> str:
        """The warning in ``lang`` (a country named as that language names it); its English
        text when it has no message in the catalogue."""
        from analysis.core.errors import ParameterError
        from analysis.data.taxonomy import country_name, is_country
        from analysis.report.i18n import MESSAGES, translate

        if not self.message or self.message not in MESSAGES:
            return self.text
        values = {k: country_name(v, lang) if k == "country" and isinstance(v, str)
                  and is_country(v) else v for k, v in self.values.items()}
        try:
            return translate(self.message, lang, **values)
        except ParameterError:  # a value the message needs is missing
            return self.text


def emit_warnings(warnings: Iterable[ReportWarning | str]) -> None:
    """Send ``warnings`` to the runner when running in a kernel; do nothing otherwise."""
    carried = [w.to_json() if isinstance(w, ReportWarning) else str(w) for w in warnings]
    if not carried:
        return
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython comes with ipykernel
        return
    if get_ipython() is None:
        return
    display({MIMETYPE: {"warnings": carried}}, raw=True)


def collect_warnings(notebook: Any) -> list[ReportWarning]:
    """Remove the warning outputs from an executed notebook and return their warnings.

    Parameters
    ----------
    notebook
        An ``nbformat`` notebook node; changed in place.
    """
    found: list[ReportWarning] = []
    for cell in notebook.get("cells", []):
        outputs = cell.get("outputs")
        if not outputs:
            continue
        kept = []
        for output in outputs:
            data = output.get("data", {}) if isinstance(output, dict) else {}
            if MIMETYPE in data:
                found.extend(ReportWarning.from_json(w)
                             for w in data[MIMETYPE].get("warnings", []))
            else:
                kept.append(output)
        cell["outputs"] = kept
    return found


def split_expected(warnings: Iterable[ReportWarning], expected: Iterable[str]
                   ) -> tuple[list[ReportWarning], list[ReportWarning]]:
    """``(open, accepted)``: the warnings whose kind a params file lists in
    ``expected_warnings`` are accepted, every other one stays open."""
    accepted_kinds = set(expected)
    warnings = list(warnings)
    return ([w for w in warnings if w.kind not in accepted_kinds],
            [w for w in warnings if w.kind and w.kind in accepted_kinds])
