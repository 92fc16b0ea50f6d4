"""The geography schema's tables, built by the library from the bundled boundaries."""
from __future__ import annotations

import json

import pandas as pd
import pytest
import shapely

from social_progress.geography.boundaries import BoundaryError
from social_progress.geography.lookup import COLUMNS, lsoa11_lookup
from social_progress.geography.points import assign_points
from social_progress.geography.tables import AREA_COLUMNS, BRIDGE_COLUMNS, areas_table, bridges_table, located_table

BD = "E09000002"


@pytest.fixture(scope="module")
def bd_layers(layers):
    return {k: g[g["lad_code"] == BD].reset_index(drop=True) for k, g in layers.items()}


@pytest.fixture(scope="module")
def lookup(bd_layers, ward19_lookup):
    return lsoa11_lookup(bd_layers["lsoa11"], ward19_lookup, bd_layers["ward22"])


def test_lsoa11_lookup_gives_every_lsoa_both_wards_and_a_centroid(lookup, bd_layers):
    assert list(lookup.columns) == COLUMNS
    assert len(lookup) == 110 and lookup["lsoa11_code"].is_unique
    assert lookup["lsoa11_code"].tolist() == sorted(lookup["lsoa11_code"])
    assert set(lookup["ward19_code"]) == set(bd_layers["ward19"]["ward19_code"])   # all 17 old wards
    assert set(lookup["ward22_code"]) <= set(bd_layers["ward22"]["ward22_code"])
    assert ((lookup["ward22_share"] > 0) & (lookup["ward22_share"] <= 1 + 1e-9)).all()
    assert (lookup["ward22_share"] < 0.99).any()                                    # the 2022 wards do not nest LSOAs
    assert ((lookup[["centroid_x", "centroid_y"]] * 10).round(6) % 1 == 0).all().all()  # to 0.1 m
    poly = bd_layers["lsoa11"].set_index("lsoa11_code").geometry
    inside = [poly[c].buffer(0.1).contains(shapely.Point(x, y)) for c, x, y in lookup[["lsoa11_code", "centroid_x", "centroid_y"]].itertuples(index=False)]
    assert all(inside)


def test_lsoa11_lookup_agrees_with_the_dissolved_old_wards(lookup, bd_layers):
    """Each LSOA's 2019 ward is the dissolved ward polygon that contains it."""
    wards = bd_layers["ward19"].set_index("ward19_code").geometry
    for code, ward, x, y in lookup[["lsoa11_code", "ward19_code", "centroid_x", "centroid_y"]].itertuples(index=False):
        assert wards[ward].buffer(0.1).contains(shapely.Point(x, y)), code


def test_lsoa11_lookup_refuses_an_lsoa_without_a_ward(bd_layers, ward19_lookup):
    first = sorted(bd_layers["lsoa11"]["lsoa11_code"])[0]
    with pytest.raises(BoundaryError, match=f"1 LSOA 2011 without a ward, e.g. {first}"):
        lsoa11_lookup(bd_layers["lsoa11"], ward19_lookup[ward19_lookup["LSOA11CD"] != first], bd_layers["ward22"])
    with pytest.raises(BoundaryError, match="without a ward"):
        lsoa11_lookup(bd_layers["lsoa11"], ward19_lookup, bd_layers["ward22"].iloc[:3])
    with pytest.raises(BoundaryError, match="lacks"):
        lsoa11_lookup(bd_layers["lsoa11"], ward19_lookup.drop(columns="WD19CD"), bd_layers["ward22"])


def test_areas_table_lists_every_reporting_area(bd_layers):
    a = areas_table(bd_layers)
    assert list(a.columns) == AREA_COLUMNS
    assert a.groupby("boundary").size().to_dict() == {"lad": 1, "lsoa11": 110, "lsoa21": 115, "ward19": 17, "ward22": 19}
    assert a.groupby("boundary")["area_level"].first().to_dict() == {
        "lad": "borough", "lsoa11": "lsoa", "lsoa21": "lsoa", "ward19": "ward", "ward22": "ward"}
    assert a.equals(a.sort_values(["boundary", "area_code"], ignore_index=True))
    assert (a["lad_code"] == BD).all() and a["area_name"].notna().all()
    assert a.loc[a["boundary"] == "lad", "area_name"].item() == "Barking and Dagenham"
    # layer order in the mapping does not matter
    pd.testing.assert_frame_equal(areas_table(dict(reversed(list(bd_layers.items())))), a)
    with pytest.raises(KeyError, match="missing"):
        areas_table({k: v for k, v in bd_layers.items() if k != "lad"})


def test_bridges_table_stacks_every_bridge_with_its_report(bridges):
    table, reports = bridges_table(bridges)
    assert list(table.columns) == BRIDGE_COLUMNS
    assert table.equals(table.sort_values(["bridge", "source_code", "target_code"], ignore_index=True))
    assert set(table["bridge"]) == set(bridges) and reports["bridge"].tolist() == list(bridges)
    best = table[table["bridge"] == "lsoa21->ward22:best_fit"]
    assert set(best["source_level"]) == {"lsoa21"} and set(best["target_level"]) == {"ward22"}
    for name, (frame, rep) in bridges.items():
        part = table[table["bridge"] == name]
        assert len(part) == len(frame) and set(part["method"]) == {rep.method}
        assert (part.groupby("source_code")["weight"].sum() - 1).abs().max() < 1e-12
    stored = dict(zip(reports["bridge"], reports["report"]))
    assert json.loads(stored["lsoa11->ward19"]) == json.loads(json.dumps(bridges["lsoa11->ward19"][1].to_dict()))
    assert stored["lsoa11->ward19"] == json.dumps(bridges["lsoa11->ward19"][1].to_dict(), sort_keys=True)


def test_located_table_keeps_the_key_the_layer_codes_and_the_placement(indexes):
    records = pd.DataFrame({"org_code": ["A1", "B2", "C3"], "LSOA code": ["x", "y", "z"],
                            "lon": [0.1300, 0.1500, 9.0], "lat": [51.5400, 51.5500, 9.0]})
    placed, _ = assign_points(records, "lon", "lat", "EPSG:4326", indexes, borough=BD, key_cols=["org_code"])
    out = located_table(placed, "org_code")
    assert list(out.columns) == ["record_key", "lsoa11_code", "lsoa21_code", "ward19_code", "ward22_code", "lad_code",
                                 *[c for c in ("x_27700", "y_27700", "geo_status", "geo_fix", "outside_borough") if c in placed.columns]]
    assert out["record_key"].tolist() == ["A1", "B2", "C3"]
    assert out.loc[2, "geo_status"] == "outside_boundaries" and pd.isna(out.loc[2, "lsoa11_code"])
    assert out.loc[0, "lad_code"] == BD


def test_located_table_drops_codes_that_are_not_layers():
    placed = pd.DataFrame({"org_code": ["A1"], "ward22_code": ["E05014053"], "other_code": ["q"], "lsoa11_code": ["E01000027"],
                           "geo_status": ["matched"], "postcode": ["RM10 7AB"]})
    out = located_table(placed, "org_code")
    assert list(out.columns) == ["record_key", "ward22_code", "lsoa11_code", "geo_status"]
