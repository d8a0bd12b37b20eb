"""What changed in a report between two of its builds, from their records.

A record (:mod:`analysis.report.edition_record`) lists a report's activities, key figures,
findings and reference values. :func:`compare_records` compares the record of the report's
previous build with the new one: activities added or removed (by id), key figures whose value
changed (old → new), findings that appeared or disappeared (by identifier), reference values
revised, newly published or withdrawn. Pure and light (no pandas): the build calls it for every
report it publishes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

RecordItem = dict[str, Any]
# the private output type a notebook sends its record in (analysis.report.edition_record)
RECORD_MIMETYPE = "application/vnd.coopreport.record+json"
# the key figures a record gives per country, in the order a page lists them
FIGURES = ("activities", "partners", "themes", "procurement", "financing")


@dataclass(frozen=True)
class FigureChange:
    """A key figure of one country that changed; ``old`` or ``new`` is None when the figure
    was absent in that build (no financing stated, a country added to the report)."""

    key: str
    country: str
    old: float | None
    new: float | None


@dataclass(frozen=True)
class ValueChange:
    """An indicator value of a country and year: revised (both), published (no ``old``) or
    withdrawn (no ``new``)."""

    indicator: str
    country: str
    year: int
    old: float | None
    new: float | None


@dataclass(frozen=True)
class Changes:
    """The differences between two records of one report, each list in a stable order."""

    added: tuple[RecordItem, ...] = ()  # activities, by id
    removed: tuple[RecordItem, ...] = ()
    figures: tuple[FigureChange, ...] = ()
    appeared: tuple[RecordItem, ...] = ()  # findings, by identifier
    disappeared: tuple[RecordItem, ...] = ()
    references: tuple[ValueChange, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.figures or self.appeared
                    or self.disappeared or self.references)


def record_problem(record: object) -> str | None:
    """Why ``record`` is not a report record this version reads, or None when it is. A record
    comes from an executed notebook or a file in the output folder: its shape is checked
    before anything is compared."""
    if not isinstance(record, Mapping):
        return "not an object"
    for part, keys in (("activities", ("id",)), ("figures", ("key", "country", "value")),
                       ("findings", ("id", "text")),
                       ("references", ("indicator", "country", "year", "value"))):
        items = record.get(part, [])
        if not isinstance(items, list):
            return f"{part} is not a list"
        for number, item in enumerate(items, start=1):
            if not isinstance(item, Mapping) or not all(k in item for k in keys):
                return f"item {number} of {part} lacks one of {', '.join(keys)}"
    return None


def _by(items: list[RecordItem], *keys: str) -> dict[tuple[Any, ...], RecordItem]:
    return {tuple(item[k] for k in keys): item for item in items}


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) \
        else None


def compare_records(old: Mapping[str, Any], new: Mapping[str, Any]) -> Changes:
    """What changed from the record ``old`` (the report's previous build) to ``new``.

    Activities are matched by id, key figures by key and country, findings by identifier and
    reference values by indicator, country and year. A figure or value counts as changed
    when the numbers differ; findings whose identifier stays are the same finding (its
    sentence may give new numbers).
    """
    old_acts = _by(list(old.get("activities", [])), "id")
    new_acts = _by(list(new.get("activities", [])), "id")
    old_figs = _by(list(old.get("figures", [])), "key", "country")
    new_figs = _by(list(new.get("figures", [])), "key", "country")
    figures = []
    for key in sorted(old_figs.keys() | new_figs.keys(), key=_figure_order(new, old)):
        before = _number(old_figs[key]["value"]) if key in old_figs else None
        after = _number(new_figs[key]["value"]) if key in new_figs else None
        if before != after:
            figures.append(FigureChange(str(key[0]), str(key[1]), before, after))
    old_found = _by(list(old.get("findings", [])), "id")
    new_found = _by(list(new.get("findings", [])), "id")
    old_refs = _by(list(old.get("references", [])), "indicator", "country", "year")
    new_refs = _by(list(new.get("references", [])), "indicator", "country", "year")
    references = []
    for key in sorted(old_refs.keys() | new_refs.keys(), key=lambda k: (str(k[0]), str(k[1]),
                                                                          int(k[2]))):
        before = _number(old_refs[key]["value"]) if key in old_refs else None
        after = _number(new_refs[key]["value"]) if key in new_refs else None
        if before != after:
            references.append(ValueChange(str(key[0]), str(key[1]), int(key[2]), before, after))
    return Changes(
        added=tuple(new_acts[k] for k in sorted(new_acts.keys() - old_acts.keys())),
        removed=tuple(old_acts[k] for k in sorted(old_acts.keys() - new_acts.keys())),
        figures=tuple(figures),
        # in the order the report gives them (most severe first)
        appeared=tuple(f for k, f in new_found.items() if k not in old_found),
        disappeared=tuple(f for k, f in old_found.items() if k not in new_found),
        references=tuple(references))


def _figure_order(*records: Mapping[str, Any]) -> Any:
    """Figures in the order the report lists them: by country as the records have them, then
    by kind (activities, partners, themes, procurement-related, financing)."""
    countries: list[str] = []
    for record in records:
        for item in record.get("figures", []):
            if item["country"] not in countries:
                countries.append(item["country"])

    def order(key: tuple[Any, ...]) -> tuple[int, int, str]:
        kind, country = str(key[0]), key[1]
        return (countries.index(country) if country in countries else len(countries),
                FIGURES.index(kind) if kind in FIGURES else len(FIGURES), kind)

    return order
