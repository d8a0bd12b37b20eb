"""The registry's rules, one row at a time: the reference for every rule and message.

:func:`check_row` checks one record of a registry file and returns the parsed row, or None with
the problems written to the file's list. :mod:`analysis.data.registry_columns` runs the same
rules on whole columns for speed and calls :func:`check_row` for every row it flags, so the
messages always come from here; a property test checks that the column rules flag every row
this reference rejects (``tests/data/test_registry_rules_agree.py``).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from analysis.data import fields
from analysis.data.csvfile import CsvFile, check_text_fields, keep_first_problems
from analysis.data.csvtable import CsvTable
from analysis.data.registry_format import AMOUNT_KINDS, COLUMNS, FREE_TEXT, REQUIRED, SCOPES
from analysis.data.taxonomy import PILLARS, Taxonomy, suggest


def check_row(csv_file: CsvFile | CsvTable, line: int, rec: dict[str, str], vocab: Taxonomy
               ) -> dict[str, object] | None:
    """Check one record; return the parsed row, or None when any field has a problem.

    The reference for every rule and message; :func:`read_activities` runs it only on the rows
    that the column rules flag.
    """
    before = len(csv_file.problems)
    flagged = check_text_fields(csv_file, line, rec, FREE_TEXT)  # no column allows line breaks
    checked = len(csv_file.problems)

    def bad(column: str, reason: str) -> None:
        csv_file.problem(line, column, rec.get(column, ""), reason)

    for column in sorted(REQUIRED & rec.keys(), key=COLUMNS.index):
        if rec[column] == "":
            bad(column, "required field is empty")
    if "activity_id" in rec and rec["activity_id"]:
        reason = fields.check_identifier(rec["activity_id"])
        if reason:
            bad("activity_id", reason)
    span = None
    if rec.get("date"):
        span, reason = fields.check_date(rec["date"])
        if reason:
            bad("date", reason)
    if rec.get("date_precision"):
        reason = fields.check_precision(rec["date_precision"], rec.get("date", ""))
        if reason:
            bad("date_precision", reason)
    if rec.get("country"):
        _, reason = fields.check_country(rec["country"])
        if reason:
            bad("country", reason)
    if rec.get("activity_type") and rec["activity_type"] not in vocab.activity_types:
        bad("activity_type", _unknown("activity type", rec["activity_type"],
                                      vocab.activity_types, "activity_types.csv"))
    themes = _check_list(rec, "themes", line, csv_file, lambda t: t if t in vocab.themes else None,
                         lambda t: _unknown("theme", t, vocab.themes, "themes.csv"))
    partners = _check_list(rec, "partners", line, csv_file, vocab.resolve_partner,
                           lambda p: _unknown("partner", p, vocab.partners, "partners.csv"))
    pillars = _check_list(rec, "maps_pillars", line, csv_file,
                          lambda p: p if p in PILLARS else None, _unknown_pillar)
    amount, reason = fields.check_amount(rec.get("amount_usd", ""))
    if reason:
        bad("amount_usd", reason)
    reason = _check_amount_kind(rec.get("amount_usd", ""), rec.get("amount_kind", ""),
                                amount_ok=amount is not None or not rec.get("amount_usd"))
    if reason:
        bad("amount_kind", reason)
    if "source" in rec and "source_url" in rec and not rec["source"] and not rec["source_url"]:
        bad("source", "no source: name the publisher in 'source' and, where known, the "
            "address in 'source_url'; every activity must be traceable")
    if rec.get("source_url"):
        reason = fields.check_url(rec["source_url"])
        if reason:
            bad("source_url", reason)
    reason = fields.check_language(rec.get("source_language", ""))
    if reason:
        bad("source_language", reason)
    scope = rec.get("scope", "")
    if scope and scope not in SCOPES:
        guess = suggest(scope, SCOPES)
        hint = f"did you mean '{guess}'? " if guess else ""
        bad("scope", f"unknown scope; {hint}use bilateral or multi-country (a forum or conference "
            "many countries attend), or leave it empty")
    _check_list(rec, "operation_id", line, csv_file,
                lambda op: None if fields.check_identifier(op) else op,
                lambda op: ("not an operation id: letters, digits and . _ : - only (no spaces), "
                            "e.g. P123456 (a World Bank project id); several separated by ';'"))
    keep_first_problems(csv_file, checked, flagged)
    if len(csv_file.problems) > before or span is None or any(c not in rec for c in COLUMNS):
        return None
    start, end = span
    return {
        "activity_id": rec["activity_id"], "date": rec["date"],
        "date_precision": rec["date_precision"], "start": start, "end": end, "year": start.year,
        "country": rec["country"], "partners": partners, "counterpart": rec["counterpart"],
        "activity_type": rec["activity_type"], "themes": themes, "title": rec["title"],
        "amount_usd": amount if amount is not None else math.nan, "source": rec["source"],
        "source_url": rec["source_url"], "source_language": rec["source_language"], "line": line,
        "source_file": csv_file.name, "maps_pillars": pillars,
        "title_ru": rec.get("title_ru", ""), "title_uz": rec.get("title_uz", ""),
        "amount_kind": rec.get("amount_kind", ""),
        "scope": scope, "operation_id": rec.get("operation_id", ""),  # ';'-separated ids
    }


def _check_amount_kind(amount: str, kind: str, amount_ok: bool = True) -> str | None:
    """Why ``amount_kind`` is wrong for this row, or None: required with an amount, one of
    :data:`AMOUNT_KINDS`, and meaningless without an amount. An invalid amount (``amount_ok``
    false) is reported once, on ``amount_usd``, not again here."""
    kinds = ", ".join(AMOUNT_KINDS)
    if kind and kind not in AMOUNT_KINDS:
        guess = suggest(kind, AMOUNT_KINDS)
        hint = f"did you mean '{guess}'? " if guess else ""
        return f"unknown amount kind; {hint}use one of {kinds} (data/README.md)"
    if not amount_ok:
        return None
    if amount and not kind:
        return ("required when amount_usd is given: say what the amount is — committed (a "
                "loan or grant approved, a financing agreement signed), disbursed (paid out), "
                "announced (stated at a visit, in a memorandum or a plan; not yet committed) or "
                "indicative (a pipeline, envelope or budget estimate); the rule is in "
                "data/README.md")
    if kind and not amount:
        return "an amount kind without an amount_usd: give the amount or leave amount_kind empty"
    return None


def _check_list(rec: dict[str, str], column: str, line: int, csv_file: CsvFile | CsvTable,
                resolve: Callable[[str], str | None], explain: Callable[[str], str]
                ) -> tuple[str, ...]:
    """Check a ``;``-separated list field item by item; return the resolved items."""
    resolved: list[str] = []
    for item in fields.split_list(rec.get(column, "")):
        if item == "":
            csv_file.problem(line, column, rec[column], "empty item between ';' separators")
            continue
        name = resolve(item)
        if name is None:
            csv_file.problem(line, column, item, explain(item))
        elif name in resolved:
            csv_file.problem(line, column, item, f"'{name}' is listed twice; list it once")
        else:
            resolved.append(name)
    return tuple(resolved)


def _unknown(what: str, value: str, known: object, filename: str) -> str:
    guess = suggest(value, known)  # type: ignore[arg-type]
    hint = f"did you mean '{guess}'? " if guess else ""
    return f"unknown {what}; {hint}the list is in data/taxonomy/{filename} (add new ones there)"


def _unknown_pillar(value: str) -> str:
    hint = f"did you mean '{value.upper()}'? " if value.upper() in PILLARS else ""
    return (f"unknown MAPS pillar; {hint}use I, II, III or IV, several separated by ';' "
            "(e.g. II;IV), or leave the column empty to place the activity by its themes")
