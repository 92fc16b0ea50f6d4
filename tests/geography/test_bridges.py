"""Area-to-area bridges on the bundled boundaries: weights, quality reports, exact totals."""
from __future__ import annotations

import json
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from social_progress.geography.bridges import (
    apply_bridge, apportionment_bridge, best_fit_bridge, exact_unit_weights, lookup_bridge,
)

BD = "E09000002"


def _weights_exact(bridge: pd.DataFrame) -> None:
    assert (bridge["weight"] >= 0).all()
    s = bridge.groupby("source_code")["weight"].sum()
    assert (s == 1.0).all(), s[s != 1.0]
    assert all(math.fsum(g) == 1.0 or abs(math.fsum(g) - 1.0) < 1e-15 for _, g in bridge.groupby("source_code")["weight"])
    assert bridge.equals(bridge.sort_values(["source_code", "target_code"], ignore_index=True))


def test_lookup_bridge_lsoa11_to_ward19(ward19_lookup, layers):
    bd = ward19_lookup[ward19_lookup["LAD19CD"] == BD]
    bridge, rep = lookup_bridge(bd, "LSOA11CD", "WD19CD", source_gdf=layers["lsoa11"][layers["lsoa11"]["lad_code"] == BD],
                                source_code="lsoa11_code")
    _weights_exact(bridge)
    assert rep.n_sources == 110 and rep.n_targets == 17
    assert rep.n_split_sources == 0 and rep.share_area_assigned == 1.0
    json.dumps(rep.to_dict())


def test_best_fit_lsoa21_to_ward22(bridges):
    bridge, rep = bridges["lsoa21->ward22:best_fit"]
    _weights_exact(bridge)
    assert (bridge["weight"] == 1.0).all() and bridge["source_code"].is_unique
    assert rep.n_sources == 617 and rep.n_targets == 85
    # 2022 wards do not nest LSOAs: a best fit loses something, and says how much
    assert 0.85 < rep.share_area_assigned < 1.0
    assert 0.85 < rep.share_population_assigned < 1.0
    assert rep.n_split_sources > 0 and 0 < rep.largest_split["main_share"] < 1


@pytest.mark.parametrize("weights", ["area", "population"])
def test_apportionment_lsoa21_to_ward22(layers, population_points, weights):
    l21 = layers["lsoa21"][layers["lsoa21"]["lad_code"] == BD]
    w22 = layers["ward22"][layers["ward22"]["lad_code"] == BD]
    bridge, rep = apportionment_bridge(l21, "lsoa21_code", w22, "ward22_code", weights=weights, population=population_points)
    _weights_exact(bridge)
    assert rep.n_sources == 115 and rep.n_targets == 19
    # population weights send no weight to pieces where nobody lives (parks, marshes),
    # so they "assign" a little less area and all the population
    assert rep.share_area_assigned > (0.99 if weights == "area" else 0.95)
    assert rep.share_population_assigned > 0.99
    assert rep.n_split_sources >= 1
    assert set(rep.largest_split) == {"source_code", "main_target", "main_share", "n_targets"}
    best, brep = best_fit_bridge(l21, "lsoa21_code", w22, "ward22_code", population=population_points)
    assert rep.share_population_assigned >= brep.share_population_assigned
    json.dumps(rep.to_dict())


def test_apportionment_keeps_totals_exactly(bridges, data_dir):
    census = pd.read_csv(data_dir / "indicators" / "census" / "census21_pop_lsoa21_age6.csv")
    pop = census.groupby("lsoa21_code", as_index=False)["usual_residents"].sum()
    bridge = bridges["lsoa21->ward22"][0]
    pop = pop[pop["lsoa21_code"].isin(bridge["source_code"])].rename(columns={"lsoa21_code": "code", "usual_residents": "value"})
    out, rep = apply_bridge(pop, bridge, "count")
    assert out["value"].sum() == pop["value"].sum()
    assert (out["value"] == np.round(out["value"])).all()  # whole people stay whole
    assert rep.matched == len(pop) and rep.unknown_codes == 0
    # float values are kept exactly too (to the last bit of the grand total)
    pop["value"] = pop["value"] / 7.0
    out2, _ = apply_bridge(pop, bridge, "count")
    assert math.isclose(math.fsum(out2["value"]), math.fsum(pop["value"]), rel_tol=0, abs_tol=1e-6)


def test_unknown_codes_reported_not_fatal(bridges):
    bridge = bridges["lsoa11->ward19"][0]
    df = pd.DataFrame({"code": ["E01000027", "E99999999", "garbage", "E01000028"], "value": [1, 2, 3, np.nan]})
    out, rep = apply_bridge(df, bridge, "count")
    assert rep.unknown_codes == 2 and rep.invalid == 1 and rep.matched == 1
    rep.check()
    assert {e["code"] for e in rep.examples["unknown_codes"]} == {"E99999999", "garbage"}
    assert out["value"].sum() == 1
    assert out["coverage"].max() < 1.0  # the ward was built from part of its LSOAs


def test_exact_unit_weights_on_awkward_fractions():
    df = pd.DataFrame({"source_code": ["a"] * 7 + ["b"] * 3, "target_code": list("ABCDEFG") + list("ABC"),
                       "weight": [1 / 3, 1 / 7, 0.1, 0.2, 0.3, 1e-9, 2.5] + [0.0, 0.0, 0.0]})
    out = exact_unit_weights(df)
    assert (out.groupby("source_code")["weight"].sum() == 1.0).all()
    assert np.allclose(out.loc[out.source_code == "b", "weight"], 1 / 3)


def test_bridge_with_invalid_and_empty_geometry():
    src = gpd.GeoDataFrame({"s": ["S1", "S2", "S3"]}, geometry=[
        shapely.Polygon([(0, 0), (10, 10), (10, 0), (0, 10), (0, 0)]), shapely.box(0, 20, 10, 30), shapely.Polygon()],
        crs="EPSG:27700")
    tgt = gpd.GeoDataFrame({"t": ["T1", "T2"]}, geometry=[shapely.box(0, 0, 5, 40), shapely.box(5, 0, 10, 40)], crs="EPSG:27700")
    bridge, rep = apportionment_bridge(src, "s", tgt, "t")
    _weights_exact(bridge)
    assert set(bridge["source_code"]) == {"S1", "S2"}
    assert rep.n_split_sources == 2
