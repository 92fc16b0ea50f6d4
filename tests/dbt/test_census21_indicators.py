"""The Census 2021 indicators and patients per nearby practice, checked independently of
their SQL: the bundled files (read with pandas, never ../shared) give the same shares by
hand, and the shared refresh's warehouse holds those values.

Fast tests read only data/; the slow ones read the session's shared refresh (read only:
no copy, no second refresh)."""
from __future__ import annotations

import math
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from project_copy import shared_good_refresh
from social_progress.defs.dbt import FRAMEWORK_MACRO, PlatformTranslator

ROOT = Path(__file__).resolve().parents[2]
CENSUS = ROOT / "data" / "indicators" / "census2021"
BOROUGH = "E09000002"
HEALTH = ["General health: Total: All usual residents", "General health: Bad health", "General health: Very bad health"]
QUAL = ["Highest level of qualification: Total: All usual residents aged 16 years and over",
        "Highest level of qualification: No qualifications",
        "Highest level of qualification: Level 4 qualifications and above"]


def _long(name: str, category: str, chosen) -> pd.DataFrame:
    """numerator (households in the chosen categories) and denominator (all households) per LSOA."""
    df = pd.read_csv(CENSUS / name)
    df["pick"] = df[category].map(chosen)
    return df.groupby("lsoa21_code").apply(
        lambda g: pd.Series({"numerator": g.loc[g["pick"], "n"].sum(), "denominator": g["n"].sum(),
                             "total": g["total_households"].iloc[0]}), include_groups=False)


def expected_shares() -> dict[str, pd.DataFrame]:
    """indicator -> numerator, denominator by London LSOA 2021, from the bundled files."""
    health = pd.read_csv(CENSUS / "census2021_ts037_general_health_lsoa21_london.csv").set_index("geography code")
    qual = pd.read_csv(CENSUS / "census2021_ts067_highest_qualification_lsoa21_london.csv").set_index("geography code")
    return {
        "bad_health_share": pd.DataFrame({"numerator": health[HEALTH[1]] + health[HEALTH[2]], "denominator": health[HEALTH[0]]}),
        "no_qualifications_share": pd.DataFrame({"numerator": qual[QUAL[1]], "denominator": qual[QUAL[0]]}),
        "degree_level_share": pd.DataFrame({"numerator": qual[QUAL[2]], "denominator": qual[QUAL[0]]}),
        "overcrowded_bedrooms_share": _long("census2021_occupancy_rating_bedrooms_lsoa21_london.csv", "occupancy_rating",
                                            lambda r: r.startswith("-")),
        "social_rented_share": _long("census2021_tenure_lsoa21_london.csv", "tenure",
                                     lambda t: t.startswith("Social rented:")),
    }


def test_bundled_census_files_are_london_lsoa21_and_add_up():
    shares = expected_shares()
    for name, df in shares.items():
        assert len(df) == 4994 and df.index.str.match(r"^E01\d{6}$").all(), name
        assert (df["denominator"] > 0).all() and (df["numerator"] <= df["denominator"]).all(), name
    for name in ("overcrowded_bedrooms_share", "social_rented_share"):
        # the categories add up to the published household total: the denominator is all households
        assert (shares[name]["denominator"] == shares[name]["total"]).all(), name


def test_overcrowding_correlation_with_iod2025_rooms_is_below_the_context_threshold():
    """The figure in overcrowded_bedrooms_share's rationale: r = 0.87 over London LSOAs 2021
    with the IoD 2025 rooms measure (Census 2021 too), below 0.9, so the indicator is in the index."""
    ours = expected_shares()["overcrowded_bedrooms_share"]
    iod = pd.read_csv(ROOT / "data" / "indicators" / "imd" / "imd2025_england_lsoa21_indicators.csv",
                      usecols=["lsoa21_code", "household_overcrowding_indicator_rooms"]).set_index("lsoa21_code")
    joined = (ours["numerator"] / ours["denominator"]).to_frame("bedrooms").join(iod, how="inner")
    assert len(joined) == 4994
    r = joined["bedrooms"].corr(joined["household_overcrowding_indicator_rooms"])
    assert round(r, 2) == 0.87 and r < 0.9


def test_gp_list_sizes_are_the_london_practices_only():
    lists = pd.read_csv(ROOT / "data" / "records" / "gp_list_sizes_london_2021-01.csv", dtype=str)
    practices = pd.read_csv(ROOT / "data" / "records" / "gp_practices_epraccur_london_2023-12.csv", dtype=str)
    assert list(lists.columns) == ["EXTRACT_DATE", "CODE", "NUMBER_OF_PATIENTS"]
    assert lists["CODE"].is_unique and lists["CODE"].isin(practices["org_code"]).all()
    assert set(lists["EXTRACT_DATE"]) == {"01JAN2021"} and len(lists) == 1225


def test_indicator_metadata_is_stale_when_the_framework_changes():
    """indicator_metadata reads every indicator from dbt's graph, with no ref to them: its
    code version must still change when an indicator is added or its goalposts change."""
    def manifest(worst):
        ind = {"resource_type": "model", "name": "x", "tags": ["indicator"], "original_file_path": "x.sql",
               "config": {"meta": {"indicator": {"worst": worst}}}}
        return {"macros": {FRAMEWORK_MACRO: {"macro_sql": "...", "depends_on": {"macros": []}}}, "nodes": {"model.x": ind}}
    meta_props = {"raw_code": "select 1", "config": {}, "depends_on": {"macros": [FRAMEWORK_MACRO]}}
    other_props = {"raw_code": "select 2", "config": {}, "depends_on": {"macros": []}}
    a, b = (PlatformTranslator(manifest(w), "o@x.org", {}, "v") for w in (1, 2))
    assert a.get_code_version(meta_props) != b.get_code_version(meta_props)
    assert a.get_code_version(other_props) == b.get_code_version(other_props)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    db = shared_good_refresh(tmp_path_factory) / "warehouse" / "social_progress.duckdb"
    con = duckdb.connect(str(db), read_only=True)
    yield con
    con.close()


@pytest.mark.slow
@pytest.mark.xdist_group("end_to_end")
@pytest.mark.parametrize("indicator", ["bad_health_share", "no_qualifications_share", "degree_level_share",
                                       "overcrowded_bedrooms_share", "social_rented_share"])
def test_census_shares_match_the_bundled_file_by_hand(warehouse, indicator):
    exp = expected_shares()[indicator]
    rows = warehouse.execute(
        "select area_code, boundary, year, numerator, denominator, value, quality_flag from indicators." + indicator
        + " where boundary in ('lsoa21', 'lad')").df()
    assert set(rows["year"]) == {2021} and rows["quality_flag"].isna().all()
    lsoa = rows[rows["boundary"] == "lsoa21"].set_index("area_code")
    assert len(lsoa) == 115
    one = "E01000027"   # a Barking and Dagenham LSOA 2021, by hand
    n, d = exp.loc[one, "numerator"], exp.loc[one, "denominator"]
    assert (lsoa.loc[one, "numerator"], lsoa.loc[one, "denominator"]) == (n, d)
    assert math.isclose(lsoa.loc[one, "value"], n / d, rel_tol=1e-12)
    assert np.allclose(lsoa["value"], exp.loc[lsoa.index, "numerator"] / exp.loc[lsoa.index, "denominator"], rtol=1e-12)
    # the borough: summed numerators over summed denominators of its LSOAs, never a mean of shares
    borough = rows[rows["boundary"] == "lad"].iloc[0]
    mine = exp.loc[lsoa.index]
    assert borough["area_code"] == BOROUGH
    assert math.isclose(borough["value"], mine["numerator"].sum() / mine["denominator"].sum(), rel_tol=1e-9)


@pytest.mark.slow
@pytest.mark.xdist_group("end_to_end")
def test_new_indicators_are_in_the_framework_and_the_index(warehouse):
    meta = warehouse.execute("select indicator_id, in_index, worst, best from marts.indicator_metadata").df().set_index("indicator_id")
    expected = {"bad_health_share": True, "no_qualifications_share": True, "degree_level_share": True,
                "overcrowded_bedrooms_share": True, "social_rented_share": False, "patients_per_nearby_practice": False}
    assert meta.loc[list(expected), "in_index"].to_dict() == expected
    weighted = set(warehouse.execute("select distinct indicator_id from marts.index_weights").df()["indicator_id"])
    assert {k for k, v in expected.items() if v} <= weighted
    assert not ({k for k, v in expected.items() if not v} & weighted)


@pytest.mark.slow
@pytest.mark.xdist_group("end_to_end")
def test_patients_per_nearby_practice_by_hand(warehouse):
    """One LSOA's mean list size of the practices within 1 km of its point, from the bundled
    list sizes and the warehouse's practice locations and LSOA points; no practice nearby
    is missing, never zero."""
    points = warehouse.execute("select lsoa11_code, centroid_x, centroid_y from geography.lsoa11_lookup").df()
    practices = warehouse.execute("select org_code, easting, northing from intermediate.int_gp_practice_locations").df()
    lists = pd.read_csv(ROOT / "data" / "records" / "gp_list_sizes_london_2021-01.csv")
    practices = practices.merge(lists, left_on="org_code", right_on="CODE")
    rows = warehouse.execute("select area_code, year, value, quality_flag from indicators.patients_per_nearby_practice "
                             "where boundary = 'lsoa11'").df().set_index("area_code")
    assert set(rows["year"]) == {2021} and len(rows) == 110
    for _, p in points.iterrows():
        dist = np.hypot(practices["easting"] - p["centroid_x"], practices["northing"] - p["centroid_y"])
        near = practices.loc[dist <= 1000, "NUMBER_OF_PATIENTS"]
        got = rows.loc[p["lsoa11_code"]]
        if len(near):
            assert math.isclose(got["value"], near.mean(), rel_tol=1e-9), p["lsoa11_code"]
        else:
            assert pd.isna(got["value"]) and got["quality_flag"] == "zero_denominator", p["lsoa11_code"]
    assert rows["value"].isna().sum() == 2
