"""Council records placed by UPRN, postcode or coordinates, with every failure counted.

Real boundaries and Code-Point postcodes of Barking and Dagenham and Redbridge (bundled);
a small gazetteer of two UPRNs at real Barking postcode points.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from social_progress.council import place_records
from social_progress.geography.boundaries import standard_layers

ROOT = Path(__file__).resolve().parents[2]
BOROUGH = "E09000002"


@pytest.fixture(scope="module")
def layers():
    return standard_layers(ROOT / "data", boroughs=[BOROUGH, "E09000026"])


@pytest.fixture(scope="module")
def postcodes():
    frames = [pd.read_csv(ROOT / "data/records/codepoint_2025_4" / f"{b}.csv", dtype=str) for b in (BOROUGH, "E09000026")]
    return pd.concat(frames)[["postcode", "easting", "northing"]].astype({"easting": float, "northing": float})


def test_each_record_is_placed_by_the_best_it_has_or_counted_under_why_not(layers, postcodes):
    gazetteer = pd.DataFrame({"uprn": ["100000000001", "100000000002"], "easting": [544414.0, 544756.0],
                              "northing": [183631.0, 183470.0]})
    records = pd.DataFrame({
        "record_key": ["a", "b", "c", "d", "e", "f", "g", "h"],
        "uprn": ["100000000001", "999", None, None, None, None, None, "100000000002.0"],
        "postcode": [None, "ig117ab", "IG11 7AB", "IG11 7A8", "RM9 9ZZ", "E11 1PB", None, "E11 1PB"],
        "easting": [None, None, None, None, None, None, "544464", None],
        "northing": [None, None, None, None, None, None, "183670", None],
    })
    out = place_records(records, gazetteer, postcodes, layers, BOROUGH)
    p = out.placed.set_index("record_key")
    assert p.loc["a", "placed_by"] == "uprn" and p.loc["h", "placed_by"] == "uprn"  # "…002.0" as written by a spreadsheet
    assert p.loc["b", "placed_by"] == "postcode"          # unknown UPRN, then its (untidy) postcode
    assert p.loc["c", "placed_by"] == "postcode"
    assert p.loc["d", "unplaced_reason"] == "invalid_postcode"
    assert p.loc["e", "unplaced_reason"] == "unknown_postcode"
    assert p.loc["f", "unplaced_reason"] == "outside_borough"   # a real Redbridge postcode
    assert p.loc["g", "placed_by"] == "coordinates"
    placed = p[p["in_borough"]]
    assert set(placed.index) == {"a", "b", "c", "g", "h"}
    assert placed["lsoa11_code"].str.startswith("E01").all() and placed["ward22_code"].str.startswith("E05").all()
    assert (placed["lad_code"] == BOROUGH).all()
    # nothing placed outside the borough is counted in any area, and nothing is dropped
    assert p.loc[~p["in_borough"], ["lsoa11_code", "ward22_code"]].isna().all().all()
    assert len(out.placed) == len(records)
    meta = out.as_metadata()
    assert meta["records"] == 8 and meta["placed"] == 5
    assert meta["unplaced_invalid_postcode"] == 1 and meta["unplaced_unknown_postcode"] == 1
    assert meta["unplaced_outside_borough"] == 1 and meta["placed_by_uprn"] == 2
    # the result holds no location text: only codes and reasons
    assert not {"postcode", "uprn", "easting", "northing"} & set(out.placed.columns)
