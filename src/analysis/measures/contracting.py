"""Indicators from contracting data: the Parquet file of ``coopreport import ocds`` (one row per
contracting process, :data:`analysis.connectors.ocds.COLUMNS`), per buyer country and year.

Computed with DuckDB over the Parquet file, so a national file is aggregated without loading it
into pandas. Every indicator is a share, mean or median with the number of processes (or
awards) it rests on (``n``); a country-year with no process that qualifies has no row, never a
zero. Definitions and the OCDS fields read (through the importer's columns):

==================  ========================================================================
indicator           definition (OCDS fields)
==================  ========================================================================
``method_share``    processes with each ``tender.procurementMethod`` (open, selective,
                    limited, direct) / processes with a method; one row per method
                    (``detail``)
``method_value``    the same, weighted by ``tender.value.amount``, over the processes with a
                    value in the country-year's most frequent ``tender.value.currency``
``single_bidder``   competitive processes (open, selective) with exactly one tenderer /
                    competitive processes whose number of tenderers is known
                    (``tender.numberOfTenderers``, else ``bids.details``, else
                    ``tender.tenderers``)
``mean_bids``       mean number of tenderers over those same processes
``decision_days``   median days from ``tender.tenderPeriod.endDate`` to the first
                    ``awards.date`` (processes with both, award not before tender end)
``top10_share``     the 10 suppliers with the most awarded value / all awarded value
                    (``awards.value.amount``, an award's value split equally among its
                    ``suppliers``; cancelled and unsuccessful awards left out), in the
                    country-year's most frequent award currency
``hhi``             Herfindahl–Hirschman index of the suppliers' shares of that value
                    (sum of squared percentage shares: 0–10,000)
``award_published`` processes with at least one award / all processes
``contract_published`` processes with at least one contract / all processes
``sme_value_share`` awarded value to suppliers whose party has ``details.scale`` micro or sme
                    / awarded value, where any supplier of the country-year carries a scale
==================  ========================================================================
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

INDICATORS: tuple[str, ...] = (
    "method_share", "method_value", "single_bidder", "mean_bids", "decision_days",
    "top10_share", "hhi", "award_published", "contract_published", "sme_value_share")
COMPETITIVE = ("open", "selective")

_SQL = """
WITH p AS (SELECT * REPLACE ({year} AS year) FROM read_parquet($path)
           WHERE buyer_country IS NOT NULL AND year IS NOT NULL),
method_counts AS (
  SELECT buyer_country AS country, year, procurement_method AS detail, count(*) AS k
  FROM p WHERE procurement_method IS NOT NULL GROUP BY ALL),
method AS (
  SELECT country, year, 'method_share' AS indicator, detail,
         k / sum(k) OVER (PARTITION BY country, year) AS value,
         sum(k) OVER (PARTITION BY country, year) AS n
  FROM method_counts),
main_currency AS (
  SELECT country, year, currency FROM (
    SELECT buyer_country AS country, year, tender_currency AS currency, count(*) AS k
    FROM p WHERE tender_value IS NOT NULL AND tender_currency IS NOT NULL
    GROUP BY buyer_country, year, tender_currency)
  QUALIFY row_number() OVER (PARTITION BY country, year ORDER BY k DESC, currency) = 1),
method_values AS (
  SELECT p.buyer_country AS country, p.year, procurement_method AS detail,
         sum(tender_value) AS v, count(*) AS k
  FROM p JOIN main_currency m ON p.buyer_country = m.country AND p.year = m.year
       AND p.tender_currency = m.currency
  WHERE procurement_method IS NOT NULL AND tender_value IS NOT NULL GROUP BY ALL),
method_value AS (
  SELECT country, year, 'method_value' AS indicator, detail,
         v / sum(v) OVER (PARTITION BY country, year) AS value,
         sum(k) OVER (PARTITION BY country, year) AS n
  FROM method_values QUALIFY sum(v) OVER (PARTITION BY country, year) > 0),
competitive AS (
  SELECT buyer_country AS country, year, number_of_tenderers AS bids FROM p
  WHERE procurement_method IN ('open', 'selective') AND number_of_tenderers IS NOT NULL),
bidders AS (
  SELECT country, year, 'single_bidder' AS indicator, NULL AS detail,
         avg(CASE WHEN bids = 1 THEN 1.0 ELSE 0.0 END) AS value, count(*) AS n
  FROM competitive GROUP BY ALL
  UNION ALL
  SELECT country, year, 'mean_bids', NULL, avg(bids), count(*) FROM competitive GROUP BY ALL),
decision AS (
  SELECT buyer_country AS country, year, 'decision_days' AS indicator, NULL AS detail,
         median(date_diff('day', tender_end, award_date)) AS value, count(*) AS n
  FROM p WHERE tender_end IS NOT NULL AND award_date IS NOT NULL AND award_date >= tender_end
  GROUP BY ALL),
published AS (
  SELECT buyer_country AS country, year, 'award_published' AS indicator, NULL AS detail,
         avg(CASE WHEN awards > 0 THEN 1.0 ELSE 0.0 END) AS value, count(*) AS n
  FROM p GROUP BY ALL
  UNION ALL
  SELECT buyer_country, year, 'contract_published', NULL,
         avg(CASE WHEN contracts > 0 THEN 1.0 ELSE 0.0 END), count(*) FROM p GROUP BY ALL),
supplied AS (
  SELECT buyer_country AS country, year, s.id, s.value, s.currency, s.sme
  FROM p, unnest(suppliers) AS u(s) WHERE s.value IS NOT NULL AND s.value >= 0),
award_currency AS (
  SELECT country, year, currency FROM (
    SELECT country, year, currency, count(*) AS k FROM supplied
    WHERE currency IS NOT NULL GROUP BY country, year, currency)
  QUALIFY row_number() OVER (PARTITION BY country, year ORDER BY k DESC, currency) = 1),
per_supplier AS (
  SELECT s.country, s.year, s.id, sum(s.value) AS value, bool_or(s.sme) AS sme
  FROM supplied s JOIN award_currency c USING (country, year, currency) GROUP BY ALL),
shares AS (
  SELECT country, year, value / sum(value) OVER (PARTITION BY country, year) AS share,
         row_number() OVER (PARTITION BY country, year ORDER BY value DESC, id) AS rank,
         sme, count(*) OVER (PARTITION BY country, year) AS suppliers
  FROM per_supplier QUALIFY sum(value) OVER (PARTITION BY country, year) > 0),
concentration AS (
  SELECT country, year, 'top10_share' AS indicator, NULL AS detail,
         sum(CASE WHEN rank <= 10 THEN share ELSE 0 END) AS value, any_value(suppliers) AS n
  FROM shares GROUP BY ALL
  UNION ALL
  SELECT country, year, 'hhi', NULL, sum((share * 100) ^ 2), any_value(suppliers)
  FROM shares GROUP BY ALL),
sme AS (
  SELECT country, year, 'sme_value_share' AS indicator, NULL AS detail,
         sum(CASE WHEN sme THEN share ELSE 0 END) AS value, any_value(suppliers) AS n
  FROM shares GROUP BY ALL HAVING bool_or(sme))
SELECT * FROM method UNION ALL SELECT * FROM method_value UNION ALL SELECT * FROM bidders
UNION ALL SELECT * FROM decision UNION ALL SELECT * FROM published
UNION ALL SELECT * FROM concentration UNION ALL SELECT * FROM sme
"""


def contracting_indicators(path: str | Path, countries: list[str] | None = None,
                           years: tuple[int, int] | None = None,
                           pooled: bool = False) -> pd.DataFrame:
    """The indicators of the module's table for each buyer country and year of the Parquet
    file at ``path`` (optionally only ``countries`` and ``years``); ``pooled``: one value per
    country over all the ``years`` together (``year`` is then the last of them).

    Returns
    -------
    DataFrame with ``country``, ``year`` (int), ``indicator``, ``detail`` (the method for the
    method indicators, else None), ``value`` (float: a share 0–1, a mean, days or an HHI) and
    ``n`` (int: the processes, or suppliers for concentration, it rests on), sorted by country,
    year, indicator and detail.
    """
    import duckdb

    first, last = years if years is not None else (-(10**6), 10**6)
    year = str(last) if pooled and years is not None else "0" if pooled else "year"
    sql = _SQL.replace("{year}", year).replace(
        "WHERE buyer_country IS NOT NULL AND year IS NOT NULL",
        f"WHERE buyer_country IS NOT NULL AND year BETWEEN {int(first)} AND {int(last)}")
    # the progress bar is left as it is: in a kernel DuckDB refuses any change to it
    con = duckdb.connect()
    try:
        frame: pd.DataFrame = con.execute(sql, {"path": str(path)}).df()
    finally:
        con.close()
    if countries is not None:
        frame = frame[frame["country"].isin(countries)]
    order: dict[str, Any] = {k: i for i, k in enumerate(INDICATORS)}
    frame = frame.assign(year=frame["year"].astype(int), n=frame["n"].astype(int),
                         value=frame["value"].astype(float),
                         detail=frame["detail"].astype(object).where(frame["detail"].notna(),
                                                                     None),
                         _order=frame["indicator"].map(order))
    return (frame.sort_values(["country", "year", "_order", "detail"], na_position="first")
            .drop(columns="_order").reset_index(drop=True))
