"""Boundary files with a wrong, missing or mixed CRS are refused where they are loaded,
naming the file and the CRS; invalid polygons are repaired there, once, so the bridges
and the published areas use the same valid geometry.

Every file here is built in tmp_path: three 1 km squares in Newham/Tower Hamlets, in
British National Grid or WGS84. Both loading paths are exercised: files read directly
(`read_boundaries`) and files landed by the ingest reader (`landed_boundaries`, what the
Dagster assets call).
"""
from __future__ import annotations

import json
import logging

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from social_progress.geography.boundaries import (BoundaryError, geometry_wkt, landed_boundaries,
                                                  read_boundaries)
from social_progress.geography.bridges import apportionment_bridge
from social_progress.ingest.readers import read_spatial
from social_progress.publish.contents import scores_geojson

COLUMNS = {"CODE": "lsoa21_code", "NAME": "lsoa21_name"}
CODES = ["E01000001", "E01000002", "E01000003"]
#: a bow-tie whose two triangles (meeting at 531000, 181000) have 1,000,000 m² each
BOWTIE = shapely.Polygon([(530000, 180000), (532000, 182000), (532000, 180000), (530000, 182000), (530000, 180000)])


def squares(crs: str | None = "EPSG:27700", geoms=None) -> gpd.GeoDataFrame:
    """Three 1 km squares in east London, in metres (labelled `crs`, whatever that is)."""
    geoms = geoms or [shapely.box(535000 + 1000 * i, 182000, 536000 + 1000 * i, 183000) for i in range(3)]
    return gpd.GeoDataFrame({"CODE": CODES[:len(geoms)], "NAME": ["a", "b", "c"][:len(geoms)]}, geometry=geoms, crs=crs)


def write(gdf: gpd.GeoDataFrame, path) -> str:
    gdf.to_file(path, driver="GeoJSON" if str(path).endswith(".geojson") else None)
    return str(path)


def land(*paths) -> pd.DataFrame:
    """What ingest lands in raw.<table>: attributes, geometry_wkt, _crs, _source_file."""
    frames = [read_spatial(p, "shapefile" if p.suffix == ".shp" else "geojson", "utf-8").assign(_source_file=p.name)
              for p in paths]
    return pd.concat(frames, ignore_index=True)


# --------------------------------------------------------------------------- CRS

def test_correct_bng_and_wgs84_files_both_load_to_the_same_squares(tmp_path):
    bng = write(squares(), tmp_path / "bng.gpkg")
    wgs = write(squares().to_crs("EPSG:4326"), tmp_path / "wgs.geojson")
    a, b = read_boundaries(bng, COLUMNS), read_boundaries(wgs, COLUMNS)
    assert a.crs.to_epsg() == b.crs.to_epsg() == 27700
    assert list(a["lsoa21_code"]) == list(b["lsoa21_code"]) == CODES
    assert a.geometry.area.tolist() == pytest.approx([1e6] * 3)
    assert b.geometry.area.tolist() == pytest.approx([1e6] * 3, rel=1e-6)
    landed, repaired = landed_boundaries(land(tmp_path / "wgs.geojson"), "lsoa21_boundaries", COLUMNS)
    assert repaired == [] and landed.geometry.area.tolist() == pytest.approx([1e6] * 3, rel=1e-6)


@pytest.mark.parametrize("label", ["OGC:CRS84", "EPSG:4326"])
def test_bng_numbers_labelled_as_degrees_are_refused_naming_file_and_both_crs(tmp_path, label):
    path = tmp_path / "lsoa_mislabelled.geojson"
    squares().set_crs(label, allow_override=True).to_file(path, driver="GeoJSON")
    for load in (lambda: read_boundaries(path, COLUMNS),
                 lambda: landed_boundaries(land(path), "lsoa21_boundaries", COLUMNS)):
        with pytest.raises(BoundaryError) as err:
            load()
        msg = str(err.value)
        assert "lsoa_mislabelled.geojson" in msg
        assert "declared CRS OGC:CRS84" in msg or "declared CRS EPSG:4326" in msg
        assert "British National Grid metres (EPSG:27700)" in msg
        assert "3 of 3 feature(s) (E01000001, E01000002, E01000003)" in msg


def test_degrees_labelled_as_bng_are_refused(tmp_path):
    path = write(squares().to_crs("EPSG:4326").set_crs("EPSG:27700", allow_override=True), tmp_path / "deg.gpkg")
    with pytest.raises(BoundaryError, match=r"deg\.gpkg: coordinates do not fit the declared CRS EPSG:27700.*"
                                            r"longitude/latitude degrees \(EPSG:4326\)"):
        read_boundaries(path, COLUMNS)


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_a_file_without_crs_is_refused_naming_it(tmp_path):
    path = tmp_path / "nocrs.shp"
    squares(crs=None).to_file(path)
    assert not path.with_suffix(".prj").exists()
    with pytest.raises(BoundaryError, match=r"nocrs\.shp: no coordinate reference system declared"):
        read_boundaries(path, COLUMNS)
    with pytest.raises(BoundaryError, match=r"nocrs\.shp: no coordinate reference system declared"):
        landed_boundaries(land(path), "lsoa21_boundaries", COLUMNS)


def test_degrees_and_metres_in_one_file_are_refused_naming_the_features(tmp_path):
    geoms = list(squares().geometry)
    geoms[2] = squares().to_crs("EPSG:4326").geometry.iloc[2]  # one feature in degrees
    path = write(squares("EPSG:27700", geoms), tmp_path / "mixed.gpkg")
    with pytest.raises(BoundaryError) as err:
        read_boundaries(path, COLUMNS)
    msg = str(err.value)
    assert "mixed.gpkg: mixed coordinate systems under one declared CRS EPSG:27700" in msg
    assert "1 feature(s) in degrees (E01000003)" in msg and "2 in metres (E01000001, E01000002)" in msg


def test_files_of_one_set_in_different_crs_are_refused_naming_them(tmp_path):
    one = squares().iloc[:2]
    two = squares().iloc[2:].to_crs("EPSG:4326")
    paths = [tmp_path / "a.geojson", tmp_path / "b.geojson"]
    one.to_crs("EPSG:3857").to_file(paths[0], driver="GeoJSON")  # valid on its own: web mercator in London
    two.to_file(paths[1], driver="GeoJSON")
    assert len(read_boundaries(paths[1], COLUMNS)) == 1 and len(read_boundaries(paths[0], COLUMNS)) == 2
    with pytest.raises(BoundaryError, match=r"different CRS \(EPSG:3857: .*a\.geojson; EPSG:4326: .*b\.geojson\)"):
        read_boundaries(paths, COLUMNS)
    with pytest.raises(BoundaryError, match=r"raw\.ward22_boundaries \(2 files\).*EPSG:3857: a\.geojson; EPSG:4326: b\.geojson"):
        landed_boundaries(land(*paths), "ward22_boundaries", COLUMNS)


def test_bridges_refuse_layers_with_lost_coordinates_rather_than_bridging_points():
    lost = squares().set_crs("OGC:CRS84", allow_override=True).to_crs("EPSG:27700")  # what the old loader made
    target = gpd.GeoDataFrame({"t": ["T"]}, geometry=[shapely.box(535000, 182000, 538000, 183000)], crs="EPSG:27700")
    with pytest.raises(BoundaryError, match=r"CODE: 3 area\(s\) \(E01000001, E01000002, E01000003\) have non-finite"):
        apportionment_bridge(lost, "CODE", target, "t")


# --------------------------------------------------------------------------- repair

def test_a_bow_tie_is_repaired_once_and_published_valid(tmp_path, caplog):
    path = tmp_path / "bowtie.gpkg"
    gdf = squares(geoms=[BOWTIE, shapely.box(535000, 182000, 536000, 183000)])
    gdf.to_file(path)
    assert not gpd.read_file(path).geometry.iloc[0].is_valid
    with caplog.at_level(logging.WARNING, logger="social_progress.geography.boundaries"):
        g = read_boundaries(path, COLUMNS)
    assert "repaired 1 invalid polygon(s): E01000001" in caplog.text
    bowtie = g.set_index("lsoa21_code").geometry["E01000001"]
    assert bowtie.is_valid and bowtie.geom_type == "MultiPolygon" and len(bowtie.geoms) == 2
    assert bowtie.area == pytest.approx(2e6)  # the two triangles, 1 km² each
    assert g.geometry.is_valid.all()

    landed, repaired = landed_boundaries(land(path), "lsoa21_boundaries", COLUMNS)
    assert repaired == ["E01000001"]
    # the bridge sees the repaired polygon: all of its area lies in the target covering it
    target = gpd.GeoDataFrame({"t": ["T"]}, geometry=[shapely.box(529000, 179000, 537000, 184000)], crs="EPSG:27700")
    bridge, rep = apportionment_bridge(landed, "lsoa21_code", target, "t")
    assert rep.share_area_assigned == pytest.approx(1.0)
    # what the warehouse stores (geometry_wkt) and the release publishes (areas.geojson) is valid
    stored = shapely.from_wkt(geometry_wkt(landed, "lsoa21_code"))
    assert shapely.is_valid(stored).all() and shapely.area(stored[0]) == pytest.approx(2e6)
    published = gpd.GeoDataFrame(
        {"area_code": landed["lsoa21_code"], "area_name": landed["lsoa21_name"], "area_level": "lsoa", "boundary": "lsoa21"},
        geometry=gpd.GeoSeries.from_wkt(geometry_wkt(landed, "lsoa21_code")), crs="EPSG:27700")
    scores = pd.DataFrame({"year": [2025], "measure_type": ["index"], "measure": ["spi"], "boundary": ["lsoa21"],
                           "area_code": ["E01000001"], "score": [55.0]})
    features = json.loads(scores_geojson(published, scores, 2025))["features"]
    shapes = {f["properties"]["area_code"]: shapely.geometry.shape(f["geometry"]) for f in features}
    assert shapes["E01000001"].geom_type == "MultiPolygon"
    assert all(s.is_valid for s in shapes.values())


def test_rounding_for_storage_keeps_a_repaired_polygon_valid():
    # a 10 m square with a slot 3 mm high cut into it: valid, but rounded to 1 cm the slot's
    # two edges fall on one line and the ring touches itself along it
    x, y = 530000, 180000
    neck = shapely.Polygon([(x, y), (x + 10, y), (x + 10, y + 5.001), (x + 1, y + 5.001), (x + 1, y + 5.004),
                            (x + 10, y + 5.004), (x + 10, y + 10), (x, y + 10), (x, y)])
    gdf = gpd.GeoDataFrame({"lsoa21_code": ["E01000009"]}, geometry=[neck], crs="EPSG:27700")
    assert neck.is_valid
    plain = shapely.from_wkt(shapely.to_wkt(neck, rounding_precision=2))
    stored = shapely.from_wkt(geometry_wkt(gdf, "lsoa21_code").iloc[0])
    assert stored.is_valid and stored.area == pytest.approx(neck.area, abs=1.0)
    assert not plain.is_valid  # the case the snapping is for


def test_a_polygon_with_nothing_polygonal_after_repair_stops_naming_its_area(tmp_path):
    flat = shapely.Polygon([(535000, 182000), (536000, 183000), (537000, 184000), (535000, 182000)])  # collinear
    path = tmp_path / "flat.gpkg"
    squares(geoms=[shapely.box(535000, 182000, 536000, 183000), flat]).to_file(path)
    with pytest.raises(BoundaryError, match=r"flat\.gpkg: area\(s\) E01000002 have no polygonal part after repairing"):
        read_boundaries(path, COLUMNS)
    with pytest.raises(BoundaryError, match=r"flat\.gpkg: area\(s\) E01000002 have no polygonal part"):
        landed_boundaries(land(path), "lsoa21_boundaries", COLUMNS)
