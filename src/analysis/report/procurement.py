"""Sections of the Strategic Procurement Country Report (MAPS pillars, commitments, peer).

An activity is *procurement-related* when at least one of its themes is flagged
``procurement: yes`` in ``data/taxonomy/themes.csv``. Only procurement-related activities are
placed on MAPS pillars, by the rules of :mod:`analysis.measures.pillars` (explicit ``maps_pillars``
column, else the themes' pillars).
"""

from __future__ import annotations

from dataclasses import replace

import altair as alt
import pandas as pd
from babel import Locale

from analysis.core.errors import ParameterError
from analysis.data.fields import date_precision_of
from analysis.data.taxonomy import PILLARS, is_country
from analysis.measures import metrics
from analysis.measures.pillars import (
    count_by_pillar,
    pillar_totals,
    place_on_pillars,
    procurement_activities,
    rule_counts,
)
from analysis.measures.summary import summary_facts
from analysis.report import chart_theme, charts
from analysis.report import sections as report
from analysis.report.context import ReportData, restrict
from analysis.report.display import Bullets, Heading, Paragraph, Table
from analysis.report.financing import financing_view as financing_section
from analysis.report.i18n import in_sentence, plural, sentence_start
from analysis.report.ru_grammar import languages_phrase
from analysis.report.summary import summary_sentences


def check_peer(country: str, peer: str | None) -> str | None:
    """Validate the optional peer country (an ISO code other than the report's country)."""
    if peer is None or peer == "":
        return None
    if not is_country(peer):
        raise ParameterError(f"peer: '{peer}' is not an ISO 3166-1 alpha-3 country code")
    if peer == country:
        raise ParameterError(f"peer: the peer must differ from the country ({country})")
    return peer


def _pillar_of(data: ReportData) -> dict[str, str | None]:
    return {k: t.pillar for k, t in data.taxonomy.themes.items()}


def placed_on_pillars(data: ReportData, activities: pd.DataFrame | None = None) -> pd.DataFrame:
    """The report's procurement-related activities placed on MAPS pillars
    (:mod:`analysis.measures.pillars`)."""
    acts = data.activities if activities is None else activities
    return place_on_pillars(acts, _pillar_of(data), data.taxonomy.procurement_themes())


def _pillar_labels(data: ReportData) -> dict[str, str]:
    return {p: f"{p}. {data.taxonomy.pillar_label(p, data.lang)}" for p in PILLARS}


def executive_summary(data: ReportData, peer: str | None = None) -> Paragraph:
    """Section 0: four to six sentences computed from the registry (analysis.measures.summary,
    analysis.report.summary)."""
    facts = summary_facts(data.registry.activities, data.taxonomy, data.countries[0],
                          data.years, peer=check_peer(data.countries[0], peer))
    sentences = summary_sentences(facts, data.taxonomy, data.lang)
    # the fall is the country's own: its previous period against its own first record
    cov = data.coverage.get(data.countries[0])
    if cov is not None and cov.years_before(*facts.previous_years):
        start, end = facts.previous_years
        sentences.insert(2, data.t("coverage.previous_before", start=start, end=end,
                                   country=data.country(data.countries[0]),
                                   first_year=cov.first_year))
    # The unfinished current year is flagged in section 1 and on the charts, not here: this
    # paragraph is the notebook's checked output and must not change with the build day.
    return Paragraph(" ".join(sentences))


def scope_and_method(data: ReportData) -> Bullets:
    """Section 1: sources, coverage, date precision, what counts as procurement, limits."""
    acts = data.activities
    precision = acts["date_precision"].value_counts()
    themes = ", ".join(in_sentence(data.taxonomy.theme_label(t, data.lang))
                       for t in data.taxonomy.procurement_themes())
    names = Locale.parse(data.lang).languages
    listed = sorted({names.get(code, code) for code in acts["source_language"] if code})
    languages = ", ".join(listed)
    return Bullets((
        (data.t("method.sources", activities=plural("activity", len(acts), data.lang),
                activities_loct=plural("activity_loct", len(acts), data.lang),
                sources_gent=plural("publishers_gent", int(acts["source"].nunique()),
                                    data.lang),
                sources=acts["source"].nunique(),
                publishers=plural("publishers", int(acts["source"].nunique()), data.lang),
                linked=int((acts["source_url"] != "").sum()), languages=languages or "—",
                linked_of=_linked_of(data, int((acts["source_url"] != "").sum()), len(acts)),
                languages_on=languages_phrase(listed) if data.lang == "ru" else ""),),
        (data.t("method.precision", day=int(precision.get("day", 0)),
                month=int(precision.get("month", 0)), year=int(precision.get("year", 0)),
                **{f"{p}_for": plural("for_activities", int(precision.get(p, 0)), data.lang)
                   for p in ("day", "month", "year")}),),
        (data.t("method.procurement", themes=themes),),
        (data.t("method.pillars", **_rule_texts(data)),),
        (data.t("method.limits"),),
        (data.t("method.findings", multi=plural("multi_in_period", int(
            (acts.get("scope", pd.Series("", index=acts.index)) == "multi-country").sum()),
            data.lang), as_of=data.date(data.as_of.isoformat(), "day")),),
        (data.t("method.coverage", sentences=" ".join(report.coverage_sentences(data))),),
        *([(data.t("method.abbreviations", items=items),)] if (items := _abbreviations(data))
          else []),
    ))


def _linked_of(data: ReportData, linked: int, total: int) -> str:
    """"for 26 of 27 activities" (the total's noun agreeing), "for each activity" when every
    one has an address."""
    if linked == total and total:
        return data.t("method.linked_all")
    return plural("linked_of", linked, data.lang,
                  total=plural("activity_gent", total, data.lang))


def _titled(data: ReportData, scope: str) -> str:
    """How the report language joins a title and a scope (``scope.<scope>_title``, with
    ``{title}`` and ``{scope}`` left for :func:`chart_theme.with_scope`)."""
    return data.t(f"scope.{scope}_title", title="{title}", scope="{scope}")


# the list lives in sections (the profile and the comparison close with it too)
_abbreviations = report.abbreviations


def _rule_texts(data: ReportData) -> dict[str, str]:
    counts = rule_counts(placed_on_pillars(data))
    clauses = [plural("placed_by_theme", counts["themes"], data.lang),
               plural("placed_by_hand", counts["explicit"], data.lang),
               plural("not_placed", counts["none"], data.lang)]
    return {"rules": sentence_start("; ".join(clauses))}


def coverage_table(data: ReportData) -> Table:
    """Activities per year: all cooperation and the procurement-related part, zeros included."""
    grid = metrics.count_activities(data.activities, by="year", years=data.years)
    proc = procurement_activities(data.activities, data.taxonomy.procurement_themes())
    proc_grid = metrics.count_activities(proc, by="year", years=data.years)
    frame = pd.DataFrame({
        data.t("field.year"): [data.year_label(y) for y in grid["year"]],
        data.t("field.activities"): grid["activities"],
        data.t("kf.procurement"): proc_grid["activities"].to_numpy(),
    })
    return Table(frame, data.t("coverage.caption"), numeric=tuple(frame.columns[1:]))


def instrument_table(data: ReportData) -> Table:
    """Section 2: activity types (instruments), all cooperation and procurement-related."""
    types = list(data.taxonomy.activity_types)
    proc = procurement_activities(data.activities, data.taxonomy.procurement_themes())
    counts = data.activities["activity_type"].value_counts().reindex(types, fill_value=0)
    proc_counts = proc["activity_type"].value_counts().reindex(types, fill_value=0)
    keep = counts > 0
    frame = pd.DataFrame({
        data.t("field.activity_type"): [data.taxonomy.type_label(t, data.lang)
                                        for t in counts[keep].index],
        data.t("field.activities"): counts[keep].to_numpy(),
        data.t("kf.procurement"): proc_counts[keep].to_numpy(),
    })
    return Table(frame, data.t("instruments.caption"), numeric=tuple(frame.columns[1:]))


def procurement_only(data: ReportData) -> ReportData:
    """The report's selection limited to procurement-related activities."""
    return restrict(data, data.taxonomy.procurement_themes())


def partner_chart(data: ReportData) -> alt.TopLevelMixin:
    """Section 2: partners by number of procurement-related activities (scope in the title)."""
    return chart_theme.with_scope(report.partner_chart(procurement_only(data)),
                                  data.t("scope.procurement"), _titled(data, "procurement"))


def partner_table(data: ReportData) -> Table:
    """Section 2: partners of procurement-related activities (scope in the caption)."""
    table = report.partner_table(procurement_only(data))
    return replace(table, caption=_titled(data, "procurement").format(
        title=table.caption, scope=data.t("scope.procurement")))


def timeline_chart(data: ReportData) -> alt.TopLevelMixin:
    """Section 2: every activity of the period on a time axis (scope: all activities)."""
    return chart_theme.with_scope(report.timeline_chart(data), data.t("scope.all"),
                                  _titled(data, "all"))


def financing_view(data: ReportData) -> list[object]:
    """Financing of procurement-related activities (the shared financing section on that
    subset); when the period records none, one sentence says so plainly (the report must not
    leave the reader to infer it from a missing section)."""
    shown = financing_section(procurement_only(data), scope=data.t("scope.procurement"))
    if shown:
        return shown
    return [Heading(data.t("section.financing")),
            Paragraph(data.t("fin.no_procurement", country=data.country(data.countries[0]),
                             start=data.start_year, end=data.end_year))]


def pillar_table(data: ReportData) -> Table:
    """Section 3: procurement-related activities per MAPS pillar and year."""
    counts = count_by_pillar(placed_on_pillars(data), data.years)
    wide = counts.pivot(index="pillar", columns="year", values="activities").reindex(PILLARS)
    wide[data.t("field.total")] = wide.sum(axis=1)
    wide.insert(0, data.t("field.pillar"), [_pillar_labels(data)[p] for p in wide.index])
    wide.columns = [str(c) for c in wide.columns]
    return Table(wide.reset_index(drop=True), data.t("pillars.caption"),
                 numeric=tuple(wide.columns[1:]))


def pillar_chart(data: ReportData) -> alt.TopLevelMixin:
    """Section 3: heatmap of procurement-related activities per MAPS pillar and year."""
    counts = count_by_pillar(placed_on_pillars(data), data.years)
    chart = charts.pillar_heatmap(counts, lang=data.lang, labels=_pillar_labels(data))
    return chart_theme.with_caption(
        report.with_coverage_note(data, chart_theme.with_scope(
            chart, data.t("scope.procurement"), _titled(data, "procurement"))),
        data.caption("pillar_heatmap"))


def pillar_gaps(data: ReportData) -> Paragraph:
    """Call out the pillars with no procurement-related cooperation in the period."""
    totals = pillar_totals(placed_on_pillars(data))
    gaps = [p for p in PILLARS if totals[p] == 0]
    if not gaps:
        return Paragraph(data.t("pillars.no_gaps"))
    if data.lang == "ru":  # «компоненту IV MAPS «Подотчётность…»», as Russian names a pillar
        names = "; ".join(f"{p} MAPS «{data.taxonomy.pillar_label(p, data.lang)}»"
                          for p in gaps)
    else:
        names = "; ".join(_pillar_labels(data)[p] for p in gaps)
    key = "pillars.gaps_one" if len(gaps) == 1 else "pillars.gaps"
    return Paragraph(data.t(key, count=len(gaps), pillars=names))


def commitments_table(data: ReportData, as_of: pd.Timestamp | None = None) -> Table | Paragraph:
    """Section 4: commitments announced at the report's procurement-related activities, their
    status and evidence. The follow-up column uses the findings' rules on the report's date
    (``as_of``, default ``data.as_of``): past due with no evidence of delivery recorded
    (:func:`~analysis.measures.findings.find_overdue`), or stale
    (:func:`~analysis.measures.findings.find_stale`)."""
    from analysis.data.commitments import load_statuses
    from analysis.measures import findings

    today = (as_of if as_of is not None else pd.Timestamp(data.as_of)).normalize()
    statuses = load_statuses()
    acts = data.registry.activities.set_index("activity_id")
    related = procurement_activities(data.activities, data.taxonomy.procurement_themes())
    own = data.registry.commitments[
        data.registry.commitments["activity_id"].isin(set(related["activity_id"]))]
    if own.empty:
        return Paragraph(data.t("commitments.none"))
    ids = set(related["activity_id"])
    made = dict(zip(data.registry.activities["activity_id"], data.registry.activities["end"],
                    strict=True))
    flagged = {kind: {c for x in found for c in x.evidence}
               for kind, found in (
                   ("overdue", findings.find_overdue(data.registry.commitments, ids, today)),
                   ("stale", findings.find_stale(data.registry.commitments, ids, made, today)))}
    rows = []
    for _, c in own.iterrows():
        origin = acts.loc[c["activity_id"]]
        evidence = [data.date(acts.loc[e, "date"], acts.loc[e, "date_precision"])
                    for e in c["evidence_activity_ids"]]
        follow_up = next((data.t(f"commitments.{kind}") for kind in ("overdue", "stale")
                          if c["commitment_id"] in flagged[kind]), "")
        rows.append({
            data.t("field.commitment"): data.text(c["commitment"], c.get("commitment_ru", ""),
                                                 c.get("commitment_uz", "")),
            data.t("field.announced"): data.date(origin["date"], origin["date_precision"]),
            data.t("field.due"): (data.date(c["due"], date_precision_of(c["due"]) or "year")
                                  if c["due"] else "—"),
            data.t("field.status"): statuses.get(c["status"], {}).get(data.lang, c["status"]),
            data.t("field.evidence"): "; ".join(evidence) or "—",
            data.t("field.overdue"): follow_up,
        })
    frame = pd.DataFrame(rows)
    caption = data.t("commitments.caption", date=data.date(today.date().isoformat(), "day"),
                     overdue=len(flagged["overdue"]), stale=len(flagged["stale"]))
    return Table(frame, caption)


def _bilateral(activities: pd.DataFrame) -> pd.DataFrame:
    """The activities that are not multi-country events (forums, conferences many countries
    attend): partner claims leave those out (data/README.md, "Multi-country events")."""
    if "scope" not in activities:
        return activities
    return activities[activities["scope"] != "multi-country"]


def peer_table(data: ReportData, peer: str | None) -> Table | Paragraph:
    """Section 5: the same measures for the country and its peer, side by side; the partners
    of procurement-related activities are counted without multi-country events."""
    country = data.countries[0]
    peer = check_peer(country, peer)
    if peer is None:
        return Paragraph(data.t("peer.none"))
    procurement = data.taxonomy.procurement_themes()
    columns = {}
    for code in (country, peer):
        own = metrics.filter_activities(data.registry.activities, countries=[code],
                                        years=data.years)
        proc = procurement_activities(own, procurement)
        covered = pillar_totals(placed_on_pillars(data, own))
        columns[data.country(code)] = [
            data.number(len(own)), data.number(len(proc)),
            data.percent(len(proc) / len(own)) if len(own) else "—",
            data.number(len({p for ps in own["partners"] for p in ps})),
            data.number(len({p for ps in _bilateral(proc)["partners"] for p in ps})),
            ", ".join(p for p in PILLARS if covered.get(p, 0) > 0) or "—",
        ]
    measures = [data.t(k) for k in ("kf.activities", "kf.procurement", "peer.share",
                                    "kf.partners", "peer.proc_partners", "peer.pillars")]
    frame = pd.DataFrame({data.t("field.measure"): measures, **columns})
    return Table(frame, data.t("peer.caption", a=data.country(country), b=data.country(peer),
                               start=data.start_year, end=data.end_year),
                 numeric=tuple(frame.columns[1:]))


def annex_view(data: ReportData) -> list[object]:
    """The annex: at most :data:`analysis.report.annex.ANNEX_LIMIT` activities listed, the
    procurement-related ones first, then the most recent, each marked with its MAPS pillar
    tags when procurement-related; the full list attached."""
    from analysis.report.annex import annex_view as view
    from analysis.report.annex import procurement_marks

    return view(data, first_themes=data.taxonomy.procurement_themes(),
                marks=procurement_marks(data, placed_on_pillars(data)))
