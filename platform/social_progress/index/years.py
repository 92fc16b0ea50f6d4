"""Which years the data supports, and which period of each indicator feeds each year.

Why: sources are published on different calendars (crime every year, the IoD every four
to six years, air quality every three). An index year uses, for each indicator, the
latest value on or before that year, no older than `max_age` years; the period used is
kept so the release says where every number came from. A year is supported when every
indicator has such a value for the borough.
"""
from __future__ import annotations

from typing import Mapping

import pandas as pd

KEY = ["indicator_id", "area_level", "boundary", "area_code"]


def carry_forward(values: pd.DataFrame, years: list[int], max_age: int,
                  max_age_of: Mapping[str, int] | None = None) -> pd.DataFrame:
    """For each indicator, area and index year: the latest value with year <= index year.

    `values` has KEY + year, value (+ any other columns, carried along). Returns KEY +
    index_year, data_year and the carried columns; rows older than `max_age` are dropped,
    or older than `max_age_of[indicator_id]` for an indicator that has its own limit (a
    Census measure stands until the next Census, ten years on).
    """
    v = values[values["value"].notna()].copy()
    v["year"] = v["year"].astype(int)
    grid = pd.DataFrame({"index_year": sorted(years)})
    v = v.sort_values("year")
    out = pd.merge_asof(grid.assign(_k=1).merge(v[KEY].drop_duplicates().assign(_k=1), on="_k").drop(columns="_k")
                        .sort_values("index_year"),
                        v.rename(columns={"year": "data_year"}), left_on="index_year", right_on="data_year",
                        by=KEY, direction="backward")
    limit = out["indicator_id"].map(dict(max_age_of or {})).fillna(max_age) if max_age_of else max_age
    out = out[out["data_year"].notna() & (out["index_year"] - out["data_year"] <= limit)]
    out["data_year"] = out["data_year"].astype(int)
    return out.sort_values([*KEY, "index_year"], ignore_index=True)


def supported_years(carried: pd.DataFrame, indicator_ids: list[str], candidate_years: list[int],
                    level: str = "borough", min_coverage: float = 1.0) -> list[int]:
    """Years in which at least `min_coverage` of the indicators have a (carried) value for
    the borough. The rest are imputed by the index engine from the area's own other years
    (held at the ends) or by regression, and flagged as imputed in the release."""
    at_level = carried[carried["area_level"] == level]
    have = at_level.groupby("index_year")["indicator_id"].nunique()
    need = min_coverage * len(indicator_ids) - 1e-9
    return [y for y in sorted(candidate_years) if have.get(y, 0) >= need]
