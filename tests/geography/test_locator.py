"""The grid-accelerated locator gives exactly the brute-force GEOS answer."""
from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from social_progress.geography.locator import PolygonIndex


def test_exact_against_brute_force_on_random_points(layers):
    g = layers["lsoa21"]
    idx = PolygonIndex(g.geometry.values, g["lsoa21_code"].values)
    rng = np.random.default_rng(42)
    minx, miny, maxx, maxy = g.total_bounds
    x = rng.uniform(minx - 500, maxx + 500, 200_000)
    y = rng.uniform(miny - 500, maxy + 500, 200_000)
    assert np.array_equal(idx.locate(x, y), idx.locate_brute(x, y))


def test_exact_on_vertices_and_edge_midpoints(layers):
    """Points exactly on boundaries are the hard case: all vertices and edge midpoints."""
    g = layers["ward22"]
    idx = PolygonIndex(g.geometry.values, g["ward22_code"].values)
    xy = shapely.get_coordinates(g.geometry.values)
    mid = (xy[:-1] + xy[1:]) / 2
    pts = np.vstack([xy, mid])
    got = idx.locate(pts[:, 0], pts[:, 1])
    assert np.array_equal(got, idx.locate_brute(pts[:, 0], pts[:, 1]))
    assert (got[: len(xy)] >= 0).all()  # a vertex is always covered by its own polygon


def test_shared_boundary_goes_to_lowest_code_whatever_the_order():
    a = shapely.box(0, 0, 10, 10)
    b = shapely.box(10, 0, 20, 10)
    for geoms, codes in (([a, b], ["A", "B"]), ([b, a], ["B", "A"])):
        idx = PolygonIndex(geoms, codes, cell_size=1.0)
        got = idx.codes_of(idx.locate(np.array([10.0, 10.0, 5.0, 15.0, 25.0]), np.array([5.0, 0.0, 5.0, 5.0, 5.0])))
        assert list(got) == ["A", "A", "A", "B", None]


def test_invalid_and_empty_polygons_are_repaired_or_dropped_and_logged():
    bowtie = shapely.Polygon([(0, 0), (10, 10), (10, 0), (0, 10), (0, 0)])  # self-intersecting
    idx = PolygonIndex([bowtie, shapely.Polygon(), None, shapely.box(20, 0, 30, 10)], ["BOW", "EMPTY", "NONE", "OK"])
    assert idx.cleaning.invalid_repaired == ["BOW"]
    assert set(idx.cleaning.empty_dropped) == {"EMPTY", "NONE"}
    got = idx.codes_of(idx.locate(np.array([2.0, 8.0, 25.0, 15.0]), np.array([5.0, 5.0, 5.0, 5.0])))
    assert list(got) == ["BOW", "BOW", "OK", None]


def test_overlapping_polygons_resolved_exactly():
    big = shapely.box(0, 0, 100, 100)
    small = shapely.box(40, 40, 60, 60)
    idx = PolygonIndex([big, small], ["Z_BIG", "A_SMALL"], cell_size=7.0)
    rng = np.random.default_rng(1)
    x, y = rng.uniform(-10, 110, 20_000), rng.uniform(-10, 110, 20_000)
    assert np.array_equal(idx.locate(x, y), idx.locate_brute(x, y))
    assert idx.codes_of(idx.locate(np.array([50.0]), np.array([50.0])))[0] == "A_SMALL"


def test_threads_give_the_same_answer(layers):
    g = layers["lsoa11"]
    idx = PolygonIndex(g.geometry.values, g["lsoa11_code"].values)
    rng = np.random.default_rng(3)
    minx, miny, maxx, maxy = g.total_bounds
    x, y = rng.uniform(minx, maxx, 300_000), rng.uniform(miny, maxy, 300_000)
    assert np.array_equal(idx.locate(x, y, threads=1), idx.locate(x, y, threads=2))


def test_nan_and_far_points_get_no_polygon():
    idx = PolygonIndex([shapely.box(0, 0, 1, 1)], ["A"])
    got = idx.locate(np.array([np.nan, 0.5, 1e12, -np.inf]), np.array([0.5, np.nan, 0.5, 0.5]))
    assert list(got) == [-1, -1, -1, -1]
    assert pd.isna(idx.codes_of(got)).all()


def test_polygons_without_a_code_are_dropped_and_counted():
    idx = PolygonIndex([shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1), shapely.box(2, 0, 3, 1)], ["A", None, ""])
    assert list(idx.codes) == ["A"] and idx.cleaning.missing_code == 2


def test_edges_on_grid_lines_and_points_on_edges():
    """Edges lying exactly on grid lines and points exactly on them: the floating-point worst case."""
    boxes = [shapely.box(i, j, i + 1, j + 1) for i in range(6) for j in range(6)]
    codes = [f"C{i:02d}" for i in range(36)][::-1]  # code order differs from position order
    donut = shapely.box(10, 0, 16, 6).difference(shapely.box(12, 2, 14, 4))
    hole_fill = shapely.box(12, 2, 14, 4)
    idx = PolygonIndex(boxes + [donut, hole_fill], codes + ["D1", "H1"], cell_size=1.0)
    g = np.arange(-1, 17.01, 0.25)
    x, y = np.meshgrid(g, np.arange(-1, 7.01, 0.25))
    x, y = x.ravel(), y.ravel()
    assert np.array_equal(idx.locate(x, y), idx.locate_brute(x, y))


def test_random_partition_with_holes_matches_brute_force():
    rng = np.random.default_rng(7)
    seeds = shapely.MultiPoint(rng.uniform(0, 1000, (300, 2)))
    cells = shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=shapely.box(0, 0, 1000, 1000)))
    cells = shapely.intersection(cells, shapely.box(0, 0, 1000, 1000))
    # punch holes in some cells, and make a multipolygon of two others
    holes = shapely.buffer(shapely.points(rng.uniform(100, 900, (20, 2))), 8)
    cells = np.array([shapely.difference(c, shapely.union_all(holes)) if k % 3 == 0 else c for k, c in enumerate(cells)])
    codes = [f"P{k:04d}" for k in rng.permutation(len(cells))]
    for cs in (3.0, 17.0, None):
        idx = PolygonIndex(cells, codes, cell_size=cs)
        x, y = rng.uniform(-20, 1020, 100_000), rng.uniform(-20, 1020, 100_000)
        verts = shapely.get_coordinates(cells)
        x, y = np.concatenate([x, verts[:, 0]]), np.concatenate([y, verts[:, 1]])
        assert np.array_equal(idx.locate(x, y), idx.locate_brute(x, y)), cs


def test_threads_use_their_own_prepared_polygons(layers):
    """GEOS builds a prepared polygon's index lazily on first query; threads sharing one
    prepared geometry raced and corrupted the heap. Each thread has its own copy, and a
    fresh index queried at once from two threads, many times, gives the exact answer."""
    g = layers["lsoa21"]
    rng = np.random.default_rng(7)
    x0, y0, x1, y1 = g.total_bounds
    x, y = rng.uniform(x0, x1, 400_000), rng.uniform(y0, y1, 400_000)
    expected = None
    for _ in range(4):
        idx = PolygonIndex(g.geometry.values, g["lsoa21_code"].values, target_cells=20_000)  # many boundary cells
        got = idx.locate(x, y, threads=2)
        if expected is None:
            expected = idx.locate_brute(x, y)
        assert np.array_equal(got, expected)
        copies = idx._thread_geoms(2)
        assert copies[0] is idx.geoms and copies[1] is not idx.geoms and len(copies[1]) == len(idx.geoms)
