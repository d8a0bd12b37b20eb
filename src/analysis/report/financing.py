"""The financing section: committed money per year, partner and theme, with announced and
indicative amounts shown apart and never added to it.
"""

from __future__ import annotations

import pandas as pd

from analysis.measures import metrics
from analysis.report.context import ReportData
from analysis.report.display import Heading, Paragraph, Table
from analysis.report.i18n import plural

COUNTED_KINDS: tuple[str, ...] = ("committed", "disbursed")  # money, counted by default
APART_KINDS: tuple[str, ...] = ("announced", "indicative")    # shown apart, never added


def split_amounts(activities: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The activities twice: with only committed (or disbursed) amounts kept, and with only
    announced or indicative ones kept (the other amounts set to NaN, "not stated"). An amount
    another row of the same operation carries is left out of both
    (:func:`analysis.measures.metrics.superseded_amounts`): one operation, one amount."""
    kind = activities.get("amount_kind", pd.Series("", index=activities.index))
    kept = ~metrics.superseded_amounts(activities, COUNTED_KINDS, APART_KINDS)
    counted = activities.copy()
    counted["amount_usd"] = activities["amount_usd"].where(kind.isin(COUNTED_KINDS) & kept)
    apart = activities.copy()
    apart["amount_usd"] = activities["amount_usd"].where(kind.isin(APART_KINDS) & kept)
    return counted, apart


def _cell(data: ReportData, value: float) -> str:
    """A table cell of money: the amount, or "—" where none is stated (never "$0")."""
    return "—" if pd.isna(value) or value == 0 else data.money(value)


def financing_view(data: ReportData, scope: str | None = None) -> list[object]:
    """Financing per year and country, by partner and by theme: committed money apart from
    announced and indicative amounts.

    Shown only when the selection has financing rows (type ``financing``, or any stated USD
    amount); otherwise an empty list, so the report has no empty section. Only amounts of kind
    ``committed`` or ``disbursed`` are counted as financing; ``announced`` and ``indicative``
    ones (memoranda, visits, plans) are shown in their own column and never added to them. An
    amount belongs to its activity: it is not split between co-partners or themes, so the
    partner and theme tables may add up to more than the total. ``scope`` (e.g.
    "procurement-related activities") is added to every caption when the selection is a subset.
    """
    def caption(key: str) -> str:
        return f"{data.t(key)} — {scope}" if scope else data.t(key)

    acts = data.activities
    financing = acts[(acts["activity_type"] == "financing") | acts["amount_usd"].notna()]
    if financing.empty:
        return []
    counted, apart = split_amounts(financing)
    countries = list(data.countries)
    years = metrics.amounts_by_year(counted, years=data.years, countries=countries).merge(
        metrics.amounts_by_year(apart, years=data.years, countries=countries),
        on=["country", "year"], suffixes=("", "_apart"), validate="one_to_one")
    committed_col, apart_col = data.t("fin.committed"), data.t("fin.apart")
    table = pd.DataFrame({
        data.t("field.year"): [data.year_label(y) for y in years["year"]],
        data.t("field.country"): [data.country(c) for c in years["country"]],
        data.t("fin.activities"): years["activities"],
        committed_col: [_cell(data, v) for v in years["amount_usd"]],
        apart_col: [_cell(data, v) for v in years["amount_usd_apart"]],
    })
    by_partner = metrics.summarise_partners(counted).merge(
        metrics.summarise_partners(apart)[["partner", "amount_usd"]], on="partner",
        suffixes=("", "_apart"), validate="one_to_one")
    partners = pd.DataFrame({
        data.t("field.partner"): [data.taxonomy.partner_label(p, data.lang)
                                  for p in by_partner["partner"]],
        data.t("fin.activities"): by_partner["activities"],
        committed_col: [_cell(data, v) for v in by_partner["amount_usd"]],
        apart_col: [_cell(data, v) for v in by_partner["amount_usd_apart"]],
    })
    themes = pd.DataFrame({
        "theme": [t for ts in financing["themes"] for t in ts],
        "committed": [v for v, ts in zip(counted["amount_usd"], financing["themes"], strict=True)
                      for _ in ts],
        "apart": [v for v, ts in zip(apart["amount_usd"], financing["themes"], strict=True)
                  for _ in ts],
    }).groupby("theme", sort=False).agg(size=("theme", "size"), committed=("committed", "sum"),
                                        apart=("apart", "sum")).reset_index()
    themes = themes.sort_values(["committed", "apart", "theme"], ascending=[False, False, True])
    theme_table = pd.DataFrame({
        data.t("field.theme"): [data.taxonomy.theme_label(t, data.lang) for t in themes["theme"]],
        data.t("fin.activities"): themes["size"].astype(int),
        committed_col: [_cell(data, v) for v in themes["committed"]],
        apart_col: [_cell(data, v) for v in themes["apart"]],
    })
    numeric = (data.t("fin.activities"), committed_col, apart_col)
    n_counted = int(counted["amount_usd"].notna().sum())
    n_apart = int(apart["amount_usd"].notna().sum())
    totals = data.t("fin.totals", start=data.start_year, end=data.end_year,
                    committed=data.money(counted["amount_usd"].sum()),
                    committed_n=plural("activity_with_amount", n_counted, data.lang),
                    apart=data.money(apart["amount_usd"].sum()),
                    apart_n=plural("activity_with_amount", n_apart, data.lang))
    return [
        Heading(data.t("section.financing")),
        Paragraph(data.t("fin.note") + " " + totals),
        Table(table, caption("fin.caption_years"), numeric=numeric),
        Table(partners, caption("fin.caption_partners"), numeric=numeric),
        Table(theme_table, caption("fin.caption_themes"), numeric=numeric),
    ]
