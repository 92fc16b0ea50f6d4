"""Points to areas on real data, and every kind of bad coordinate counted, never fatal."""
from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from social_progress.geography.points import agreement_report, assign_points

from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "data"
BD = "E09000002"

LEVEL_COLS = ["lsoa11_code", "lsoa21_code", "ward19_code", "ward22_code", "lad_code"]


@pytest.fixture(scope="module")
def police():
    return pd.read_csv(DATA / "records" / "police_uk_2023-01_metropolitan_street_sample.csv")


@pytest.fixture(scope="module")
def police_assigned(police, indexes):
    return assign_points(police, "Longitude", "Latitude", "EPSG:4326", indexes,
                         borough=BD, key_cols=["Crime ID", "LSOA code"], source="police.uk 2023-01")


def test_police_records_land_in_the_lsoa_police_uk_assigned(police_assigned):
    out, rep = police_assigned
    bd = out[out["LSOA name"].str.startswith("Barking and Dagenham")]
    assert len(bd) == 2002
    agree = (bd["lsoa11_code"] == bd["LSOA code"]).fillna(False)
    share = agree.mean()
    assert share >= 0.93, share
    # the rest are listed, with the LSOA each side chose (generalised boundaries)
    disagree = bd.loc[~agree, ["Crime ID", "LSOA code", "lsoa11_code"]]
    assert len(disagree) == len(bd) - agree.sum()
    assert disagree["lsoa11_code"].notna().all()  # near a boundary, not lost
    rep = agreement_report(bd, "LSOA code", "lsoa11_code", key_cols=["Crime ID"], source="police.uk")
    assert rep.matched == agree.sum() and rep.unmatched == len(disagree) and rep.invalid == 0
    assert rep.to_dict()["examples"]["unmatched"][0].keys() == {"row", "Crime ID", "LSOA code", "lsoa11_code"}


def test_police_points_outside_the_boundaries_are_counted_and_listed(police_assigned):
    out, rep = police_assigned
    rep.check()
    not_bundled = ~out["LSOA name"].str.startswith(("Barking and Dagenham",))
    # the sample also holds Barnet and some places outside London: all outside our four boroughs
    assert rep.outside_boundaries == int((out["geo_status"] == "outside_boundaries").sum()) == int(not_bundled.sum())
    assert rep.matched == 2002 and rep.invalid == 0
    ex = rep.to_dict()["examples"]["outside_boundaries"]
    assert 0 < len(ex) <= 5
    assert set(ex[0]) == {"row", "Crime ID", "LSOA code", "Longitude", "Latitude", "x_27700", "y_27700"}
    json.dumps(rep.to_dict())  # metadata-ready


def test_every_layer_gets_one_code_and_borough_flag(police_assigned):
    out, _ = police_assigned
    m = out[out["geo_status"] == "matched"]
    assert m[LEVEL_COLS].notna().all().all()
    assert (m["lad_code"] == BD).all()
    # layers come from different generalised files, so a point a few metres from the
    # borough edge can fall in a neighbour's ward: rare, and visible here
    in22 = m["ward22_code"].isin({f"E050{n}" for n in range(14053, 14072)})
    in19 = m["ward19_code"].isin({f"E0500{n:04d}" for n in range(26, 43)})
    assert in22.mean() >= 0.995 and in19.mean() >= 0.995, (m.loc[~in22, "ward22_code"].tolist())
    assert not out["outside_borough"].any()


def test_bad_coordinates_are_counted_not_fatal(indexes):
    # Barking town hall-ish: lon 0.0806, lat 51.5386
    df = pd.DataFrame({
        "id": ["ok", "swapped", "nan", "text", "inf", "sea", "far", "latrange"],
        "lon": [0.0806, 51.5386, np.nan, "abc", np.inf, 0.12, 120.0, 0.08],
        "lat": [51.5386, 0.0806, 51.5, "51.5", 51.5, 51.503, 45.0, 95.0],
    })
    out, rep = assign_points(df, "lon", "lat", "EPSG:4326", indexes, borough=BD, key_cols=["id"])
    st = dict(zip(out["id"], out["geo_status"]))
    assert st == {"ok": "matched", "swapped": "matched", "nan": "invalid", "text": "invalid", "inf": "invalid",
                  "sea": "outside_boundaries", "far": "outside_boundaries", "latrange": "invalid"}
    assert out.loc[0, "lsoa21_code"] == out.loc[1, "lsoa21_code"]
    assert rep.swapped_coordinates == 1 and rep.fixed == 1
    assert rep.invalid == 4 and rep.outside_boundaries == 2 and rep.matched == 2
    rep.check()
    assert {e["id"] for e in rep.examples["invalid"]} == {"nan", "text", "inf", "latrange"}


def test_missing_crs_is_inferred_and_counted(indexes):
    df = pd.DataFrame({"x": [0.0806, 545000.0], "y": [51.5386, 184000.0]})
    out, rep = assign_points(df, "x", "y", None, indexes)
    assert (out["geo_status"] == "matched").all()
    assert rep.crs_assumed == 2 and rep.fixed == 0
    assert any("no CRS" in n for n in rep.notes)


def test_wrong_crs_is_corrected_and_counted(indexes):
    # lon/lat declared as British National Grid
    df = pd.DataFrame({"x": [0.0806], "y": [51.5386]})
    out, rep = assign_points(df, "x", "y", "EPSG:27700", indexes)
    assert out.loc[0, "geo_status"] == "matched"
    assert out.loc[0, "geo_fix"] == "crs" and rep.crs_assumed == 1 and rep.fixed == 1
    # and easting/northing swapped
    df = pd.DataFrame({"e": [184000.0], "n": [545000.0]})
    out2, rep2 = assign_points(df, "e", "n", "EPSG:27700", indexes)
    assert out2.loc[0, "geo_status"] == "matched" and rep2.swapped_coordinates == 1


def test_geodataframe_with_empty_and_non_point_geometries(indexes):
    g = gpd.GeoDataFrame({"id": [1, 2, 3, 4]}, geometry=[shapely.Point(545000, 184000), shapely.Point(),
                                                         None, shapely.box(0, 0, 1, 1)], crs="EPSG:27700")
    out, rep = assign_points(g, None, None, None, indexes, key_cols=["id"])
    assert list(out["geo_status"]) == ["matched", "invalid", "invalid", "invalid"]
    assert rep.invalid == 3 and rep.matched == 1


def test_empty_input(indexes):
    out, rep = assign_points(pd.DataFrame({"x": [], "y": []}), "x", "y", "EPSG:27700", indexes)
    assert len(out) == 0 and rep.total == 0 and rep.match_rate == 1.0


def test_point_outside_borough_is_flagged(indexes):
    # a point in Newham (E09000025)
    df = pd.DataFrame({"x": [540500.0], "y": [184000.0]})
    out, rep = assign_points(df, "x", "y", "EPSG:27700", indexes, borough=BD)
    assert out.loc[0, "lad_code"] != BD and out.loc[0, "geo_status"] == "matched"
    assert rep.outside_borough == 1 and bool(out.loc[0, "outside_borough"])


def test_result_independent_of_row_order(indexes, codepoint):
    sample = codepoint.sample(2000, random_state=0)
    a, _ = assign_points(sample, "easting", "northing", "EPSG:27700", indexes)
    b, _ = assign_points(sample.iloc[::-1], "easting", "northing", "EPSG:27700", indexes)
    pd.testing.assert_frame_equal(a, b.loc[a.index])


def test_layer_without_crs_and_with_bad_polygons_is_noted(layers):
    lsoa = layers["lsoa21"].copy()
    lsoa.loc[0, "geometry"] = shapely.Polygon()                     # empty
    lsoa.loc[1, "geometry"] = shapely.Polygon([(545000, 184000), (546000, 185000), (546000, 184000),
                                               (545000, 185000), (545000, 184000)])  # bow-tie
    lsoa = lsoa.set_crs(None, allow_override=True)
    df = pd.DataFrame({"x": [545000.0], "y": [184000.0]})
    out, rep = assign_points(df, "x", "y", "EPSG:27700", {"lsoa21": lsoa})
    text = " ".join(rep.notes)
    assert "no CRS" in text and "empty dropped" in text and "invalid repaired" in text
    assert rep.total == 1


def test_layer_in_wgs84_is_projected(layers):
    wards = layers["ward22"].to_crs("EPSG:4326")
    df = pd.DataFrame({"x": [548000.0], "y": [185000.0]})
    a, _ = assign_points(df, "x", "y", "EPSG:27700", {"ward22": wards})
    b, _ = assign_points(df, "x", "y", "EPSG:27700", {"ward22": layers["ward22"]})
    assert a.loc[0, "ward22_code"] == b.loc[0, "ward22_code"]


def test_point_on_a_real_shared_vertex_goes_to_the_lowest_code(layers, indexes):
    g = layers["lsoa21"]
    a, b = g.iloc[0], None
    touching = g[g.geometry.touches(a.geometry) & (g.index != 0)]
    b = touching.iloc[0]
    shared = shapely.get_coordinates(shapely.intersection(a.geometry.boundary, b.geometry.boundary))
    px, py = shared[0]
    covering = sorted(g.loc[g.geometry.intersects(shapely.Point(px, py)), "lsoa21_code"])
    assert len(covering) >= 2
    df = pd.DataFrame({"x": [px] * 3, "y": [py] * 3})
    out, _ = assign_points(df, "x", "y", "EPSG:27700", indexes)
    assert (out["lsoa21_code"] == covering[0]).all()
