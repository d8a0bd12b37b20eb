"""Placing procurement-related activities on the four MAPS pillars.

MAPS (Methodology for Assessing Procurement Systems, 2018) organises a procurement system in four
pillars: I legal, regulatory and policy framework; II institutional framework and management
capacity; III public procurement operations and market practices; IV accountability, integrity
and transparency of the public procurement system.

Rules, in order (the report's method section says how many activities each one placed):

1. Only **procurement-related** activities are placed: at least one theme is flagged
   ``procurement: yes`` in ``data/taxonomy/themes.csv``. Other activities bear on no pillar,
   whatever their themes (an SME-resilience meeting is not Pillar III).
2. **explicit**: an activity whose optional registry column ``maps_pillars`` is filled
   (e.g. ``II;IV``) is placed on exactly those pillars.
3. **themes**: otherwise on the pillars its themes map to (``maps_pillar`` in ``themes.csv``).
   A theme's pillar therefore only counts alongside a procurement theme.
4. **none**: a procurement-related activity that neither rule places (for example one tagged
   only ``public_procurement``, which names no pillar) is counted as not placed.

An activity counts once under each pillar it is placed on, never twice for one pillar, so
pillar counts may add up to more than the number of activities.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from analysis.data.taxonomy import PILLARS

RULE_EXPLICIT, RULE_THEMES, RULE_NONE = "explicit", "themes", "none"
RULES = (RULE_EXPLICIT, RULE_THEMES, RULE_NONE)


def is_procurement(themes: Iterable[str], procurement_themes: Iterable[str]) -> bool:
    """True when any of ``themes`` is a procurement theme."""
    return bool(set(themes) & set(procurement_themes))


def procurement_activities(df: pd.DataFrame, procurement_themes: Sequence[str]) -> pd.DataFrame:
    """The activities with at least one procurement theme (a copy)."""
    mask = df["themes"].map(lambda ts: is_procurement(ts, procurement_themes))
    return df[mask.astype(bool)].copy()


def _explicit(value: object) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, (tuple, list)) else ()


def place_on_pillars(df: pd.DataFrame, pillar_of: Mapping[str, str | None],
                     procurement_themes: Sequence[str]) -> pd.DataFrame:
    """Place each procurement-related activity on MAPS pillars (see the module rules).

    Parameters
    ----------
    df
        Activities frame (``activity_id``, ``year``, ``themes``; ``maps_pillars`` optional).
    pillar_of
        Theme id → pillar, None for themes that name no pillar.
    procurement_themes
        Theme ids that make an activity procurement-related.

    Returns
    -------
    DataFrame with one row per procurement-related activity: ``activity_id``, ``year``,
    ``rule`` (explicit, themes or none) and ``pillars`` (tuple in I–IV order, empty for none).
    """
    rows = []
    proc = procurement_activities(df, procurement_themes)
    explicit = proc["maps_pillars"] if "maps_pillars" in proc else pd.Series(
        [()] * len(proc), index=proc.index, dtype=object)
    for activity_id, year, themes, chosen in zip(proc["activity_id"], proc["year"],
                                                 proc["themes"], explicit, strict=True):
        given = _explicit(chosen)
        if given:
            pillars, rule = set(given), RULE_EXPLICIT
        else:
            pillars = {p for t in themes if (p := pillar_of.get(t)) is not None}
            rule = RULE_THEMES if pillars else RULE_NONE
        rows.append({"activity_id": activity_id, "year": int(year), "rule": rule,
                     "pillars": tuple(p for p in PILLARS if p in pillars)})
    return pd.DataFrame(rows, columns=["activity_id", "year", "rule", "pillars"])


def count_by_pillar(placed: pd.DataFrame, years: tuple[int, int],
                    pillars: Sequence[str] = PILLARS) -> pd.DataFrame:
    """Placed activities per MAPS pillar and year, with explicit zero rows.

    Parameters
    ----------
    placed
        The frame :func:`place_on_pillars` returns.
    years
        Inclusive (first, last) year range of the grid.
    pillars
        The pillars to show, in order.

    Returns
    -------
    DataFrame with columns ``pillar``, ``year``, ``activities``: one row per pillar and year.
    """
    rows = [{"pillar": p, "year": int(y)}
            for ps, y in zip(placed["pillars"], placed["year"], strict=True) for p in ps]
    counted = pd.DataFrame(rows, columns=["pillar", "year"])
    grid = pd.MultiIndex.from_product([list(pillars), range(years[0], years[1] + 1)],
                                      names=["pillar", "year"])
    sizes = counted.groupby(["pillar", "year"]).size() if rows else pd.Series(dtype="int64")
    result = sizes.reindex(grid, fill_value=0).rename("activities").reset_index()
    result["activities"] = result["activities"].astype("int64")
    return result


def pillar_totals(placed: pd.DataFrame, pillars: Sequence[str] = PILLARS) -> dict[str, int]:
    """Placed activities per pillar over the whole frame, every pillar present (0 if none)."""
    totals = dict.fromkeys(pillars, 0)
    for ps in placed["pillars"]:
        for p in ps:
            if p in totals:
                totals[p] += 1
    return totals


def activities_on_pillar(placed: pd.DataFrame, pillar: str) -> list[str]:
    """Ids of the activities placed on ``pillar``, in the frame's order."""
    return [a for a, ps in zip(placed["activity_id"], placed["pillars"], strict=True)
            if pillar in ps]


def rule_counts(placed: pd.DataFrame) -> dict[str, int]:
    """How many activities each rule placed: ``{explicit: n, themes: n, none: n}``."""
    counts = placed["rule"].value_counts()
    return {rule: int(counts.get(rule, 0)) for rule in RULES}
