"""Procurement-specific measures and sections: MAPS pillars, procurement share, commitments.

An activity is *procurement-related* when at least one of its themes is flagged
``procurement: yes`` in ``data/taxonomy/themes.csv``. An activity bears on a MAPS pillar when at
least one of its themes maps to that pillar; it counts once per pillar it bears on (so pillar
counts may add up to more than the number of activities), and never twice for the same pillar.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from analysis import metrics
from analysis.display import Bullets, Paragraph, Table
from analysis.report import ReportData
from analysis.taxonomy import PILLARS


def is_procurement(themes: Iterable[str], procurement_themes: Iterable[str]) -> bool:
    return bool(set(themes) & set(procurement_themes))


def procurement_activities(df: pd.DataFrame, procurement_themes: Sequence[str]) -> pd.DataFrame:
    """The activities with at least one procurement theme (a copy)."""
    mask = df["themes"].map(lambda ts: is_procurement(ts, procurement_themes))
    return df[mask.astype(bool)].copy()


def count_by_pillar(df: pd.DataFrame, pillar_of: Mapping[str, str | None],
                    years: tuple[int, int], pillars: Sequence[str] = PILLARS) -> pd.DataFrame:
    """Activities per MAPS pillar and year, with explicit zero rows.

    Parameters
    ----------
    df
        Activities frame.
    pillar_of
        Theme id → pillar (None for themes that bear on no pillar).
    years
        Inclusive (first, last) year range of the grid.
    pillars
        The pillars to show, in order.

    Returns
    -------
    DataFrame with columns ``pillar``, ``year``, ``activities``: one row per pillar and year.
    """
    rows = []
    for _, activity in df.iterrows():
        touched = {pillar_of.get(t) for t in activity["themes"]} - {None}
        rows += [{"pillar": p, "year": int(activity["year"])} for p in touched]
    counted = pd.DataFrame(rows, columns=["pillar", "year"])
    grid = pd.MultiIndex.from_product([list(pillars), range(years[0], years[1] + 1)],
                                      names=["pillar", "year"])
    sizes = counted.groupby(["pillar", "year"]).size() if rows else pd.Series(dtype="int64")
    result = sizes.reindex(grid, fill_value=0).rename("activities").reset_index()
    result["activities"] = result["activities"].astype("int64")
    return result


def _pillar_of(data: ReportData) -> dict[str, str | None]:
    return {k: t.pillar for k, t in data.taxonomy.themes.items()}


def procurement_summary(data: ReportData) -> Paragraph:
    """How many activities are procurement-related, and their share of all cooperation."""
    themes = data.taxonomy.procurement_themes()
    parts: list[str] = []
    for code in data.countries:
        own = data.activities[data.activities["country"] == code]
        proc = procurement_activities(own, themes)
        if own.empty:
            parts.append(data.t("proc.none_at_all", country=data.country(code),
                                start=data.start_year, end=data.end_year))
            continue
        share = len(proc) / len(own)
        parts.append(data.t("proc.summary", country=data.country(code), count=len(proc),
                            total=len(own), share=f"{share:.0%}" if data.lang == "en"
                            else f"{share * 100:.0f} %", start=data.start_year,
                            end=data.end_year))
    return Paragraph(" ".join(parts))


def pillar_table(data: ReportData) -> Table:
    """Procurement-related activity per MAPS pillar and year for the report's countries."""
    counts = count_by_pillar(data.activities, _pillar_of(data), data.years)
    wide = counts.pivot(index="pillar", columns="year", values="activities").reindex(PILLARS)
    wide[data.t("field.total")] = wide.sum(axis=1)
    wide.insert(0, data.t("field.pillar"),
                [f"{p}. {data.taxonomy.pillar_label(p, data.lang)}" for p in wide.index])
    wide.columns = [str(c) for c in wide.columns]
    return Table(wide.reset_index(drop=True), data.t("pillars.caption"),
                 numeric=tuple(wide.columns[1:]))


def pillar_gaps(data: ReportData) -> Paragraph:
    """Call out the pillars with no recorded cooperation in the period."""
    counts = count_by_pillar(data.activities, _pillar_of(data), data.years)
    totals = counts.groupby("pillar")["activities"].sum()
    gaps = [p for p in PILLARS if totals.get(p, 0) == 0]
    if not gaps:
        return Paragraph(data.t("pillars.no_gaps"))
    names = "; ".join(f"{p}. {data.taxonomy.pillar_label(p, data.lang)}" for p in gaps)
    return Paragraph(data.t("pillars.gaps", count=len(gaps), pillars=names))


def procurement_partner_table(data: ReportData) -> Table:
    proc = procurement_activities(data.activities, data.taxonomy.procurement_themes())
    summary = metrics.summarise_partners(proc)
    frame = pd.DataFrame({
        data.t("field.partner"): summary["partner"],
        data.t("field.activities"): summary["activities"],
        data.t("partners.years"): [f"{a}–{b}" for a, b in
                                   zip(summary["first_year"], summary["last_year"], strict=True)],
    })
    return Table(frame, data.t("proc.partners_caption"), numeric=(data.t("field.activities"),))


def commitments_list(data: ReportData) -> Bullets | Paragraph:
    """Commitments announced at the report's activities, with status and evidence."""
    from analysis.commitments import load_statuses

    statuses = load_statuses()
    ids = set(data.activities["activity_id"])
    own = data.registry.commitments[data.registry.commitments["activity_id"].isin(ids)]
    if own.empty:
        return Paragraph(data.t("commitments.none"))
    items = []
    for _, c in own.iterrows():
        status = statuses.get(c["status"], {}).get(data.lang, c["status"])
        due = c["due"] or data.t("commitments.no_due")
        evidence = len(c["evidence_activity_ids"])
        items.append((data.t("commitments.item", text=c["commitment"], status=status, due=due,
                             evidence=evidence),))
    return Bullets(tuple(items))
