"""Counts, shares and comparisons of cooperation activities: DataFrame in, DataFrame out.

Every function takes the activities frame of :func:`analysis.data.registry.load_registry`
(``load_registry().activities``, one row per activity) and returns a new frame. Nothing here
reads files, prints, plots or keeps state.

**The counting rule** for the multi-valued (tuple) columns ``themes`` and ``partners``:

- by ``theme`` (or ``partner``): an activity counts **once under each of its themes**
  (partners). One tagged governance and procurement adds 1 to each, so per-theme counts can
  add up to **more** than the number of activities: a count means "activities that carry this
  theme". With both dimensions an activity counts once per (theme, partner) pair;
- by anything else: every activity counts **exactly once**;
- amounts are never split between co-partners (each gets an activity's full amount).

**Dimensions and the zero grid.** Breakdowns (``by``) use any of ``DIMENSIONS`` (``theme``
and ``partner`` read the tuple columns). Count results hold **every** combination of values,
with 0 where nothing happened, so a quiet year shows as 0 instead of vanishing from a chart:

- ``year``: every year of ``years`` (inclusive); default: first to last year of ``df``;
- ``country``: ``countries`` in the given order; default: the countries of ``df``, sorted;
- other dimensions: ``categories[dim]`` in the given order; default: the values in ``df``, sorted.

Defaults come from the frame passed in, not from the ``years``/``countries`` selection (call
:func:`filter_activities` first to narrow them); values outside the grid are not counted. Rows
are ordered by the ``by`` columns in the order of these values (years ascending).
"""

from __future__ import annotations

import itertools
import operator
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from analysis.core.errors import ParameterError

DIMENSIONS: tuple[str, ...] = ("country", "year", "activity_type", "theme", "partner")
_TUPLE_COLUMN: dict[str, str] = {"theme": "themes", "partner": "partners"}

Period = tuple[int, int]
Values = str | Iterable[str]


def filter_activities(df: pd.DataFrame, countries: Values | None = None,
                      years: Period | None = None, types: Values | None = None,
                      themes: Values | None = None, partners: Values | None = None
                      ) -> pd.DataFrame:
    """Keep the activities that match every given filter.

    Parameters
    ----------
    df
        Activities frame (``load_registry().activities``).
    countries, years, types
        ISO3 codes; an inclusive ``(start, end)`` range of ``year``; activity types.
    themes, partners
        Keep activities that carry **any** of these. Everywhere a single string is one value,
        ``None`` means no filter and an empty collection keeps nothing.

    Returns
    -------
    pandas.DataFrame
        A copy of the matching rows (same columns and index labels).

    Raises
    ------
    ParameterError
        When ``years`` is not two integers with start <= end.
    """
    mask = pd.Series(True, index=df.index, dtype=bool)
    if years is not None:
        start, end = _check_period(years, "years")
        mask &= df["year"].between(start, end)
    for column, wanted in (("country", countries), ("activity_type", types)):
        if wanted is not None:
            mask &= df[column].isin(_as_tuple(wanted))
    for column, wanted in (("themes", themes), ("partners", partners)):
        if wanted is not None:
            keep = set(_as_tuple(wanted))
            mask &= ~df[column].map(keep.isdisjoint).astype(bool)
    return df.loc[mask].copy()


def count_activities(df: pd.DataFrame, by: str | Sequence[str] = ("country", "year"),
                     years: Period | None = None, countries: Values | None = None,
                     categories: Mapping[str, Iterable[str]] | None = None) -> pd.DataFrame:
    """Count activities by any combination of dimensions, with explicit zero rows.

    Parameters
    ----------
    df
        Activities frame.
    by
        A dimension or a sequence of them, from ``DIMENSIONS`` (see the counting rule).
    years, countries
        Count only activities of this inclusive ``(start, end)`` range / these ISO3 codes, and
        give every year of the range / every country a row (the zero grid).
    categories
        Rows for the other dimensions of ``by``, e.g. ``{"theme": ["procurement", ...]}``.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, then ``activities`` (int64): one row per combination of values.

    Raises
    ------
    ParameterError
        For an unknown, repeated or missing dimension, a bad ``years`` range, or a
        ``categories`` key that is not in ``by`` or is year/country.
    """
    dims = _check_dimensions(by)
    levels = _levels(df, dims, years, countries, categories)
    return _tally(filter_activities(df, countries=countries, years=years), dims, levels)


def theme_shares(df: pd.DataFrame, countries: Values | None = None,
                 categories: Iterable[str] | Mapping[str, Iterable[str]] | None = None,
                 years: Period | None = None) -> pd.DataFrame:
    """How often each theme occurs in each country's activities.

    Parameters
    ----------
    df
        Activities frame.
    countries, years
        As for :func:`count_activities`; a country without activities gets zero rows.
    categories
        Themes to list (or ``{"theme": [...]}``); default: the themes in ``df``.

    Returns
    -------
    pandas.DataFrame
        ``country``, ``theme``, ``activities`` (int64, activities carrying the theme),
        ``share`` (activities / the country's number of activities; as an activity may carry
        several themes, shares can sum to **more than 1**) and ``mix`` (activities / the
        country's mentions of all themes; sums to 1 per country when all its themes are
        listed). Both are 0.0 for a country without activities.

    Raises
    ------
    ParameterError
        For a bad ``years`` range.
    """
    themes = categories.get("theme") if isinstance(categories, Mapping) else categories
    cats = None if themes is None else {"theme": themes}
    counts = count_activities(df, ("country", "theme"), years, countries, cats)
    totals = count_activities(df, "country", years, countries).set_index("country")
    mentions = count_activities(df, ("country", "theme"), years, countries)
    per_country = mentions.groupby("country")["activities"].sum()
    n_activities = counts["country"].map(totals["activities"])
    counts["share"] = _divide(counts["activities"], n_activities).fillna(0.0)
    counts["mix"] = _divide(counts["activities"], counts["country"].map(per_country)).fillna(0.0)
    return counts


def summarise_partners(df: pd.DataFrame, kinds: Mapping[str, str] | None = None
                       ) -> pd.DataFrame:
    """One row per partner: how many activities, where, when, on what and for how much.

    Parameters
    ----------
    df
        Activities frame.
    kinds
        Partner -> kind, e.g. ``{p.name: p.kind for p in load_taxonomy().partners.values()}``.

    Returns
    -------
    pandas.DataFrame
        ``partner``, ``kind`` ('' when not in ``kinds``), ``activities`` (activities listing
        the partner), ``countries`` (sorted tuple), ``first_year``, ``last_year``, ``themes``
        (tuple, most frequent first, ties by name), ``amount_usd`` (sum of the stated amounts
        of the activities listing the partner, 0.0 when none; **not split** between
        co-partners, so partner amounts can add up to more than the total) and
        ``with_amount`` (activities with a stated amount). Sorted by activities descending,
        then partner.
    """
    rows = df.explode("partners", ignore_index=True).dropna(subset=["partners"])
    records: list[dict[str, Any]] = []
    for partner, group in rows.groupby("partners", sort=False):
        theme_counts = Counter(t for themes in group["themes"] for t in themes)
        amounts = group["amount_usd"].astype("float64")
        records.append({
            "partner": str(partner), "kind": (kinds or {}).get(str(partner), ""),
            "activities": len(group), "countries": tuple(sorted(set(group["country"]))),
            "first_year": int(group["year"].min()), "last_year": int(group["year"].max()),
            "themes": tuple(sorted(theme_counts, key=lambda t: (-theme_counts[t], t))),
            "amount_usd": float(amounts.sum()), "with_amount": int(amounts.notna().sum()),
        })
    columns = {"partner": "str", "kind": "str", "activities": "int64", "countries": "object",
               "first_year": "int64", "last_year": "int64", "themes": "object",
               "amount_usd": "float64", "with_amount": "int64"}
    result = pd.DataFrame.from_records(records, columns=list(columns)).astype(columns)
    result = result.sort_values(["activities", "partner"], ascending=[False, True])
    return result.reset_index(drop=True)


def compare_periods(df: pd.DataFrame, before: Period, after: Period,
                    by: str | Sequence[str] = "country", countries: Values | None = None,
                    categories: Mapping[str, Iterable[str]] | None = None) -> pd.DataFrame:
    """Count activities in two periods side by side.

    Parameters
    ----------
    df
        Activities frame.
    before, after
        Inclusive ``(start, end)`` year ranges (they may overlap).
    by, countries, categories
        As for :func:`count_activities`; with ``by="year"`` the rows are both periods' years.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``before``, ``after`` (int64, 0 when absent), ``difference``
        (after - before) and ``ratio`` (after / before; NaN, never inf, when before is 0).

    Raises
    ------
    ParameterError
        For a period with start > end, or a bad ``by`` or ``categories``.
    """
    dims = _check_dimensions(by)
    periods = [_check_period(before, "before"), _check_period(after, "after")]
    levels = _levels(df, dims, None, countries, categories)
    if "year" in dims:
        levels[dims.index("year")] = sorted({y for a, b in periods for y in range(a, b + 1)})
    counts = [_tally(filter_activities(df, countries=countries, years=p), dims, levels)
              for p in periods]
    result = counts[0].rename(columns={"activities": "before"})
    result["after"] = counts[1]["activities"]
    result["difference"] = result["after"] - result["before"]
    result["ratio"] = _divide(result["after"], result["before"])
    return result


def compare_countries(df: pd.DataFrame, countries: tuple[str, str],
                      by: str | Sequence[str] = "year", years: Period | None = None,
                      categories: Mapping[str, Iterable[str]] | None = None) -> pd.DataFrame:
    """Count two countries' activities side by side.

    Parameters
    ----------
    df
        Activities frame.
    countries
        Two different ISO3 codes ``(first, second)``.
    by, years, categories
        As for :func:`count_activities`; ``by`` may not include ``country``.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, one int64 count column per country named by its code (zero grid),
        ``difference`` (first - second) and ``ratio`` (first / second; NaN when second is 0).

    Raises
    ------
    ParameterError
        When ``countries`` is not two different codes or ``by`` is bad or holds ``country``.
    """
    pair = tuple(countries)
    if len(pair) != 2 or pair[0] == pair[1] or not all(isinstance(c, str) for c in pair):
        raise ParameterError(f"compare_countries: countries must be two different ISO3 codes "
                             f"such as ('UZB', 'AZE'), not {countries!r}")
    dims = _check_dimensions(by)
    if "country" in dims:
        raise ParameterError("compare_countries: by cannot include 'country' (the countries "
                             f"are the columns); use any of {', '.join(DIMENSIONS[1:])}")
    counts = count_activities(df, ("country", *dims), years, pair, categories)
    first, second = (counts[counts["country"] == c].reset_index(drop=True) for c in pair)
    result = first[list(dims)].copy()
    result[pair[0]], result[pair[1]] = first["activities"], second["activities"]
    result["difference"] = result[pair[0]] - result[pair[1]]
    result["ratio"] = _divide(result[pair[0]], result[pair[1]])
    return result


def amounts_by_year(df: pd.DataFrame, years: Period | None = None,
                    countries: Values | None = None) -> pd.DataFrame:
    """Stated amounts per country and year, with explicit zero years.

    Parameters
    ----------
    df
        Activities frame.
    years, countries
        As for :func:`count_activities`.

    Returns
    -------
    pandas.DataFrame
        ``country``, ``year``, ``amount_usd`` (sum of stated amounts; 0.0 where none is
        stated, so read it with ``with_amount``), ``with_amount`` (activities with a stated
        amount) and ``activities`` (all activities, each counted once).

    Raises
    ------
    ParameterError
        For a bad ``years`` range.
    """
    dims = ("country", "year")
    levels = _levels(df, dims, years, countries, None)
    selected = filter_activities(df, countries=countries, years=years)
    amounts = selected.astype({"country": "str", "year": "int64", "amount_usd": "float64"})
    sums = amounts.groupby(list(dims))["amount_usd"].agg(["sum", "count"]).reset_index()
    result = _tally(selected, dims, levels).merge(sums, on=list(dims), how="left")
    result["amount_usd"] = result.pop("sum").fillna(0.0)
    result["with_amount"] = result.pop("count").fillna(0).astype("int64")
    return result[["country", "year", "amount_usd", "with_amount", "activities"]]


def previous_period(start_year: int, end_year: int) -> Period:
    """The period of equal length that ends the year before ``start_year``.

    Parameters
    ----------
    start_year, end_year
        An inclusive period, e.g. 2021, 2024.

    Returns
    -------
    tuple of int
        ``(start, end)`` of the previous period: ``(2017, 2020)`` for 2021-2024.

    Raises
    ------
    ParameterError
        When start_year > end_year or either is not an integer.
    """
    start, end = _check_period((start_year, end_year), "period")
    return start - (end - start + 1), start - 1


def _check_dimensions(by: str | Sequence[str]) -> tuple[str, ...]:
    """``by`` as a tuple of dimension names; ParameterError when empty, unknown or repeated."""
    dims = (by,) if isinstance(by, str) else tuple(by)
    unknown = [d for d in dims if d not in DIMENSIONS]
    if unknown or not dims or len(set(dims)) != len(dims):
        problem = f"unknown dimension(s) {unknown}" if unknown else f"got {list(dims)}"
        raise ParameterError(f"by: {problem}; use one or more different dimensions from "
                             f"{', '.join(DIMENSIONS)} (singular 'theme'/'partner')")
    return dims


def _check_period(period: Sequence[int], name: str = "years") -> Period:
    """An inclusive ``(start, end)`` as ints; ParameterError unless two ints, start <= end."""
    try:
        start, end = (operator.index(y) for y in period)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"{name}: expected (start_year, end_year) as two integers, "
                             f"got {period!r}") from exc
    if start > end:
        raise ParameterError(f"{name}: start year {start} is after end year {end}; give "
                             "(start, end) with start <= end")
    return start, end


def _as_tuple(values: Values) -> tuple[str, ...]:
    """A single string is one value, not a sequence of characters; drop repeats, keep order."""
    return (values,) if isinstance(values, str) else tuple(dict.fromkeys(values))


def _levels(df: pd.DataFrame, dims: tuple[str, ...], years: Period | None,
            countries: Values | None, categories: Mapping[str, Iterable[str]] | None
            ) -> list[list[Any]]:
    """The values each dimension takes in the zero grid (see the module docstring)."""
    extra = set(categories or {}) - (set(dims) - {"year", "country"})
    if extra:
        raise ParameterError(f"categories: keys {sorted(extra)} are not dimensions of by "
                             f"{list(dims)}; use years= and countries= for year and country")
    levels: list[list[Any]] = []
    for dim in dims:
        if dim == "year":
            start, end = (_check_period(years) if years is not None else
                          (int(df["year"].min()), int(df["year"].max())) if len(df) else (1, 0))
            levels.append(list(range(start, end + 1)))
        elif dim == "country" and countries is not None:
            levels.append(list(_as_tuple(countries)))
        elif categories is not None and dim in categories:
            levels.append(list(_as_tuple(categories[dim])))
        else:
            levels.append(sorted(set(_explode(df, (dim,))[dim])))
    return levels


def _explode(df: pd.DataFrame, dims: tuple[str, ...]) -> pd.DataFrame:
    """One row per activity and value of each multi-valued dimension; columns named ``dims``."""
    rows = df.rename(columns={v: k for k, v in _TUPLE_COLUMN.items() if k in dims})
    for dim in dims:
        if dim in _TUPLE_COLUMN:
            rows = rows.explode(dim, ignore_index=True).dropna(subset=[dim])
    return rows[list(dims)].astype({d: "int64" if d == "year" else "str" for d in dims})


def _tally(selected: pd.DataFrame, dims: tuple[str, ...], levels: list[list[Any]]
           ) -> pd.DataFrame:
    """Count ``selected`` on the full grid of ``levels``; 0 for combinations without activity."""
    dtypes = {d: "int64" if d == "year" else "str" for d in dims}
    grid = pd.DataFrame(list(itertools.product(*levels)), columns=list(dims)).astype(dtypes)
    counts = _explode(selected, dims).groupby(list(dims)).size().rename("found").reset_index()
    result = grid.merge(counts.astype(dtypes), on=list(dims), how="left")
    result["activities"] = result.pop("found").fillna(0).astype("int64")
    return result


def _divide(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """numerator / denominator as float64, NaN (never inf) where the denominator is 0."""
    return numerator.astype("float64") / denominator.astype("float64").where(denominator != 0)


def superseded_amounts(activities: pd.DataFrame, counted_kinds: Sequence[str],
                       apart_kinds: Sequence[str]) -> pd.Series:
    """Which rows' amounts another row of the same operation already carries: one operation,
    one amount.

    Rows share an operation when their ``operation_id`` (``;``-separated: a signing may cover
    two operations) has an id in common. Within the rows given, an operation's money is carried
    by its **latest** row with an amount of a ``counted_kinds`` kind (by ``start``, then
    registry ``line``): every earlier counted amount of the operation is superseded (a board
    approval, then the signing of the same loan, counts once, at signing). An amount of an
    ``apart_kinds`` kind (announced, indicative) is superseded once any row of its operation has
    a counted amount: the money is then committed and counted there. Rows without an
    ``operation_id`` are never superseded.

    Returns
    -------
    Boolean Series aligned with ``activities``: True where the row's amount must not be added.
    """
    result = pd.Series(False, index=activities.index)
    if "operation_id" not in activities or activities.empty:
        return result
    ops = activities["operation_id"].fillna("").map(
        lambda text: {item.strip() for item in str(text).split(";") if item.strip()})
    kind = activities["amount_kind"].fillna("")
    has_amount = activities["amount_usd"].notna()
    counted = has_amount & kind.isin(list(counted_kinds))
    apart = has_amount & kind.isin(list(apart_kinds))
    order = activities.sort_values(["start", "line"], kind="stable").index
    carrier: dict[str, object] = {}  # operation id -> index of its latest counted row
    for index in order:
        if counted[index]:
            for op in ops[index]:
                carrier[op] = index
    for index in activities.index:
        mine = ops[index]
        if not mine:
            continue
        if counted[index]:
            result[index] = any(carrier[op] != index for op in mine)
        elif apart[index]:
            result[index] = any(op in carrier for op in mine)
    return result
