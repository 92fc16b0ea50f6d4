"""The frames the mart suites validate: each mart as read, plus its coverage tables.

Why separate frames: an expectation such as "every area of every boundary has a score for
every index year" is a row-level test on a coverage table (expected areas left-joined to
the present ones), which Great Expectations can then report area by area.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from social_progress.warehouse import read_table


def index_frames(scores: pd.DataFrame, areas: pd.DataFrame, years: list[int],
                 declared: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """The mart itself, and its coverage: every expected area for every index year, except
    the area-years index_exclusions says were not scored because a source declares it does
    not cover their borough (`declared`: boundary, area_code, year)."""
    expected = areas[["area_code", "area_level", "boundary"]].merge(pd.DataFrame({"year": years}), how="cross")
    if declared is not None and len(declared):
        gone = expected.merge(declared.assign(_gap=True), on=["boundary", "area_code", "year"], how="left")["_gap"].eq(True)
        expected = expected[~gone.to_numpy()]
    present = scores[scores["measure_type"] == "index"][["boundary", "area_code", "year"]].drop_duplicates().assign(present=True)
    coverage = expected.merge(present, on=["boundary", "area_code", "year"], how="left")
    coverage["present"] = coverage["present"].eq(True)
    return {"scores": scores, "coverage": coverage}


def stability_frames(scores: pd.DataFrame, weights: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Year-on-year change and imputed share per row, and the weights summed per component."""
    sums = weights.groupby("component", as_index=False)["weight"].sum().rename(columns={"weight": "weight_sum"})
    return {"scores": scores, "weights": weights, "weight_sums": sums}


def indicator_value_frames(values: pd.DataFrame, areas: pd.DataFrame, index_ids: list[str] | None = None) -> dict[str, pd.DataFrame]:
    """The stacked values of the index indicators on the published boundaries, and their coverage:
    for each indicator, year and boundary it is reported on, every area of that boundary."""
    boundaries = set(areas["boundary"])
    values = values[values["boundary"].isin(boundaries)]
    if index_ids is not None:
        values = values[values["indicator_id"].isin(index_ids)]
    have = values[["indicator_id", "year", "boundary"]].drop_duplicates()
    expected = have.merge(areas[["area_code", "area_level", "boundary"]], on="boundary")
    present = values[["indicator_id", "year", "boundary", "area_code"]].drop_duplicates().assign(present=True)
    coverage = expected.merge(present, on=["indicator_id", "year", "boundary", "area_code"], how="left")
    coverage["present"] = coverage["present"].eq(True)
    borough = values[values["boundary"] == "lad"][["indicator_id"]].drop_duplicates().assign(has_borough=True)
    ids = pd.DataFrame({"indicator_id": sorted(index_ids if index_ids is not None else values["indicator_id"].unique())})
    levels = ids.merge(borough, on="indicator_id", how="left")
    levels["has_borough"] = levels["has_borough"].eq(True)
    return {"values": values.reset_index(drop=True), "coverage": coverage, "indicators": levels}



# ------------------------------------------------------------------ read from the warehouse
# Each returns (frames, id columns per frame) for quality.runner.evaluate_mart.

def read_index_frames(db: Path):
    scores = read_table(db, "SELECT * FROM marts.index_scores")
    areas = read_table(db, "SELECT * FROM geography.areas WHERE boundary <> 'lsoa21'")
    years = read_table(db, "SELECT year FROM marts.index_years")["year"].tolist()
    declared = read_table(db, "SELECT DISTINCT area_level AS boundary, area_code, year FROM marts.index_exclusions "
                              "WHERE CAST(measure_type AS VARCHAR) = 'index' AND CAST(reason AS VARCHAR) LIKE 'not scored: %'")
    return index_frames(scores, areas, years, declared), {"scores": ["boundary", "area_code", "year", "measure"],
                                                "coverage": ["boundary", "area_code", "year"]}


def read_stability_frames(db: Path):
    scores = read_table(db, "SELECT * FROM marts.index_scores")
    weights = read_table(db, "SELECT * FROM marts.index_weights")
    return stability_frames(scores, weights), {"scores": ["boundary", "area_code", "year", "measure"],
                                               "weights": ["component", "indicator_id"], "weight_sums": ["component"]}


def read_value_frames(db: Path):
    values = read_table(db, "SELECT * FROM marts.indicator_values")
    areas = read_table(db, "SELECT * FROM geography.areas WHERE boundary <> 'lsoa21'")
    meta = read_table(db, "SELECT * FROM marts.indicator_metadata")
    index_ids = meta.loc[meta["in_index"].astype(bool), "indicator_id"].tolist() if "in_index" in meta.columns else None
    return indicator_value_frames(values, areas, index_ids), {
        "values": ["indicator_id", "boundary", "area_code", "year"],
        "coverage": ["indicator_id", "boundary", "area_code", "year"], "indicators": ["indicator_id"]}
