"""The explorer's data for its way in: where each ward's name goes on the map, and the
borough's postcodes (from the warehouse's Code-Point Open table) to the LSOA and ward holding
each, written as a part loaded only by the postcode search."""
import json

import duckdb
import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, Polygon

from fixture_warehouse import BOROUGH, make_warehouse
from social_progress.publish import explorer

ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]
BOROUGH_DICT = {"code": BOROUGH[0], "name": BOROUGH[1]}

# Code-Point Open rows as staging.stg_postcodes holds them (the fixture's LSOAs are 1 km boxes
# from 544000 184000; ward E05010001 is the southern half, E05010002 the northern)
POSTCODES = pd.DataFrame([
    ("RM10 7AB", 544500.0, 184500.0, BOROUGH[0]),   # LSOA E01000001, ward E05010001
    ("rm95as", 545500.0, 185500.0, BOROUGH[0]),     # typed loosely: read as "RM9 5AS"; E01000004, E05010002
    ("IG11 0AB", 544500.0, 184600.0, "E09000003"),  # another borough's postcode: left out
    ("RM10 9ZZ", 560000.0, 190000.0, BOROUGH[0]),   # outside every boundary: left out
    ("not a postcode", 544500.0, 184500.0, BOROUGH[0]),
    ("RM10 8AA", None, None, BOROUGH[0]),           # no centroid: left out
], columns=["postcode", "easting", "northing", "lad_code"])


def script(data: bytes, prefix: str):
    text = data.decode("utf-8")
    assert text.startswith(prefix) and text.endswith(";\n"), text[:60]
    body = text[len(prefix):-2]
    return json.loads(body[:-1] if prefix.endswith("(") else body)


def build_with(tmp_path, postcodes: pd.DataFrame | None):
    """A release of the fixture warehouse, with staging.stg_postcodes when given (as a refresh)."""
    from social_progress.publish.build import build_release, read_warehouse
    from social_progress.publish.marts import write_derived_marts

    db = make_warehouse(tmp_path / "wh" / "social_progress.duckdb")
    if postcodes is not None:
        with duckdb.connect(str(db)) as con:
            con.execute("CREATE SCHEMA IF NOT EXISTS staging")
            con.register("_p", postcodes.assign(ward22_code=None))
            con.execute("CREATE TABLE staging.stg_postcodes AS SELECT * FROM _p")
    write_derived_marts(db, BOROUGH_DICT, None)
    _, files = build_release(read_warehouse(db, require_marts=True), borough=BOROUGH_DICT,
                             sources_path=ROOT / "catalogue" / "sources.yml", targets_path=None, code_version="test")
    return files


def test_the_postcode_part_maps_the_boroughs_postcodes_to_their_lsoa_and_ward(tmp_path):
    files = build_with(tmp_path, POSTCODES)
    data = script(files["explorer/data.js"], "window.SPI_DATA = ")
    assert data["postcode_file"] == "explorer/postcodes.js"
    assert "explorer/postcodes.js" not in data["parts"].values()          # not a part of any view: the search loads it
    p = script(files["explorer/postcodes.js"], "window.SPI_POSTCODES(")
    assert p["boundaries"] == ["lsoa11", "ward22"]
    found = {pc: {b: p["codes"][b][i] for b, i in zip(p["boundaries"], where) if i >= 0} for pc, where in p["postcodes"].items()}
    assert found == {"RM10 7AB": {"lsoa11": "E01000001", "ward22": "E05010001"},
                     "RM9 5AS": {"lsoa11": "E01000004", "ward22": "E05010002"}}
    # the page's normaliser gets the real postcode areas from the same list as geography/postcodes.py
    from social_progress.geography.postcodes import AREAS_1, AREAS_2
    assert set(p["areas_1"]) == AREAS_1 and set(p["areas_2"]) == AREAS_2
    # the area codes are the release's own
    s = pd.read_csv(__import__("io").BytesIO(files["scores.csv"]), dtype={"area_code": str})
    for b in p["boundaries"]:
        assert set(p["codes"][b]) <= set(s[s["boundary"] == b]["area_code"])


def test_without_postcodes_there_is_no_postcode_part(build):
    _, files = build()
    data = script(files["explorer/data.js"], "window.SPI_DATA = ")
    assert data["postcode_file"] is None and "explorer/postcodes.js" not in files


def test_a_postcode_on_a_shared_edge_is_in_one_area_only():
    boundaries = gpd.GeoDataFrame(
        {"boundary": ["lsoa11", "lsoa11"], "area_code": ["A", "B"]},
        geometry=[Polygon([(0, 0), (10, 0), (10, 10), (0, 10)]), Polygon([(10, 0), (20, 0), (20, 10), (10, 10)])],
        crs="EPSG:27700")
    lookup = explorer.postcode_lookup(pd.DataFrame([("RM10 7AB", 10.0, 5.0, "X")], columns=POSTCODES.columns), boundaries, "X")
    assert lookup["boundaries"] == ["lsoa11"] and len(lookup["codes"]["lsoa11"]) == 1
    assert lookup["postcodes"] == {"RM10 7AB": [0]}
    assert explorer.postcode_lookup(POSTCODES.iloc[:0], boundaries, "X") is None


def test_every_ward_has_a_label_point_inside_it_in_the_maps_coordinates(build):
    _, files = build()
    data = script(files["explorer/data.js"], "window.SPI_DATA = ")
    labels = data["labels"]
    assert set(labels) == {"ward19", "ward22"}                     # not LSOAs: too many to name on the map
    for b in labels:
        assert set(labels[b]) == {c for c, _ in data["areas"][b]}
    # the fixture's borough is 2 km square (a 1000-unit view box): the wards are its two halves
    assert data["labels"]["ward22"] == {"E05010001": [500.0, 750.0], "E05010002": [500.0, 250.0]}
    assert script(files["explorer/geo.js"], "window.SPI_GEO = ")["viewBox"] == "0 0 1000 1000.0"


def test_a_crescent_shaped_wards_label_is_inside_it():
    u_shape = Polygon([(0, 0), (30, 0), (30, 30), (20, 30), (20, 10), (10, 10), (10, 30), (0, 30)])   # centroid in the gap
    assert not u_shape.contains(u_shape.centroid)
    boundaries = gpd.GeoDataFrame({"boundary": ["ward22", "lsoa11"], "area_code": ["U", "L"]},
                                  geometry=[u_shape, Polygon([(0, 0), (30, 0), (30, 30), (0, 30)])], crs="EPSG:27700")
    x, y = explorer.label_points(boundaries)["ward22"]["U"]
    k = explorer.VIEW_WIDTH / 30
    assert u_shape.contains(Point(x / k, 30 - y / k))
    assert "lsoa11" not in explorer.label_points(boundaries)


def test_the_comparators_say_which_is_london(build):
    _, files = build(comparators=True)
    data = script(files["explorer/data.js"], "window.SPI_DATA = ")
    roles = data["comparators"]["roles"]
    assert roles[BOROUGH[0]] == "borough" and list(roles.values()).count("london") == 1
