"""What a report records about its content for the "what changed" page of the next edition.

A report's notebook ends with one call, :func:`record_edition`, which sends a compact record of
what the report says to the build runner as one display output of the private mimetype
:data:`RECORD_MIMETYPE` (the renderers never show that type: it is not on
:mod:`analysis.render.sanitize`'s allow-list). The record holds, computed from the report's
own selection and reference data (never from its HTML):

- ``activities``: the selected activities, each with its id, date (and its precision) and its
  title in the report's language;
- ``figures``: the headline counts and totals per country (activities, partners, themes,
  procurement-related activities, committed financing in USD when any is stated), each as
  ``{"key", "country", "value"}``;
- ``findings``: each finding's identifier (its kind and what it is about, never its numbers)
  and its sentence in the report's language;
- ``references``: the indicator values the report reads (its countries and peers, from
  ``CONTEXT_YEARS`` before the period to its end), each as ``{"indicator", "country",
  "year", "value"}``.

The build keeps each report's record in the edition and compares it with the one of the
report's previous build (:mod:`analysis.report.changes`, :mod:`analysis.build.changes`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from analysis.report.changes import FIGURES as FIGURES
from analysis.report.changes import RECORD_MIMETYPE as RECORD_MIMETYPE
from analysis.report.context import ReportData

RECORD_VERSION = 1
# the values that say what a finding is about (its numbers may change, it stays the same one)
FINDING_SUBJECT = ("pillar", "indicator", "country", "peer", "partner", "date", "milestone")


def finding_id(kind: str, values: dict[str, object]) -> str:
    """A finding's identifier: its kind and the values that say what it is about, such as
    ``pillar_gap pillar=II`` or ``behind indicator=cpi_score peer=AZE``; ``overdue`` alone
    (its count may change, it is the same finding)."""
    subject = [f"{k}={values[k]}" for k in FINDING_SUBJECT if values.get(k) not in (None, "")]
    return " ".join([kind, *subject])


def _figures(data: ReportData) -> list[dict[str, Any]]:
    from analysis.report.financing import split_amounts

    procurement = set(data.taxonomy.procurement_themes())
    found: list[dict[str, Any]] = []
    for code in data.countries:
        own = data.activities[data.activities["country"] == code]
        values: dict[str, Any] = {
            "activities": len(own),
            "partners": len({p for ps in own["partners"] for p in ps}),
            "themes": len({t for ts in own["themes"] for t in ts}),
            "procurement": int(own["themes"].map(lambda ts: bool(procurement & set(ts))).sum()),
        }
        if "amount_usd" in own and len(own):
            committed = split_amounts(own)[0]["amount_usd"].dropna()
            if len(committed):
                values["financing"] = round(float(committed.sum()), 2)
        found += [{"key": key, "country": code, "value": value} for key, value in values.items()]
    return found


def _references(data: ReportData, ref: Any, peers: Sequence[str | None]) -> list[dict[str, Any]]:
    from analysis.report.system import _countries, _indicator_rows

    rows = _indicator_rows(data, ref, _countries(data, peers))
    found = []
    for indicator, country, year, value in zip(rows["indicator"], rows["country"], rows["year"],
                                               rows["value"], strict=True):
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        found.append({"indicator": str(indicator), "country": str(country), "year": int(year),
                      "value": float(value)})
    return sorted(found, key=lambda r: (r["indicator"], r["country"], r["year"]))


def report_record(data: ReportData, ref: Any = None, findings: Sequence[Any] | None = None,
                  peers: Sequence[str | None] = ()) -> dict[str, Any]:
    """The record of a report: its activities, key figures, findings and reference values.

    Parameters
    ----------
    data
        The report's selection.
    ref
        The reference data the report reads (:func:`analysis.report.system.load_reference`);
        None for a report that shows no indicators.
    findings
        The report's findings (:func:`analysis.report.system.compute_findings`), if it has any.
    peers
        Further countries whose indicators the report shows (the peer, the benchmarks).
    """
    acts = data.activities.sort_values("activity_id")
    activities = [{"id": str(i), "date": str(d), "precision": str(p), "title": t}
                  for i, d, p, t in zip(acts["activity_id"], acts["date"],
                                        acts["date_precision"], data.titles(acts), strict=True)]
    record: dict[str, Any] = {"version": RECORD_VERSION, "lang": data.lang,
                              "activities": activities, "figures": _figures(data),
                              "findings": [], "references": []}
    if findings:
        from analysis.report.system import finding_sentence

        record["findings"] = [{"id": finding_id(f.kind, dict(f.values)),
                               "text": finding_sentence(data, f)} for f in findings]
    if ref is not None:
        record["references"] = _references(data, ref, peers)
    return record


def record_edition(data: ReportData, ref: Any = None, findings: Sequence[Any] | None = None,
                   peers: Sequence[str | None] = ()) -> None:
    """Send the report's record (:func:`report_record`) to the build runner when running in
    a kernel; nothing is shown in the report, and outside a kernel nothing happens."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython comes with ipykernel
        return
    if get_ipython() is None:
        return
    display({RECORD_MIMETYPE: report_record(data, ref, findings, peers)}, raw=True)
