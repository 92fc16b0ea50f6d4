"""Benchmark: 1,000,000 synthetic points into London's 4,994 LSOA 2021 polygons.

Compares, in one run and on the same points, the platform's method
(`social_progress.geography.locator.PolygonIndex`: raster grid + GEOS on boundary cells)
with a plain `geopandas.sjoin` and with DuckDB spatial (SPATIAL_JOIN operator). Each
method runs in its own child process so that `peak_rss_mb` is its own; each is timed
from the raw x/y arrays and polygons to one code per point, best of --repeat runs. The
platform's headline figure INCLUDES building its index from the polygons; the figure
with a prebuilt (cached) index is printed as well.

Usage:  .venv/bin/python bench/geography.py [--data ../shared/data] [--n 1000000]
Reads   <data>/geography/london-2021-lsoa-gen20.shp (default: ../shared/data relative
to the project root). Tests never read /work/shared; only this benchmark does.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = (ROOT / ".." / "shared" / "data").resolve()
LSOA_FILE = Path("geography") / "london-2021-lsoa-gen20.shp"
CODE = "LSOA21CD"


def load_polygons(data: Path):
    import geopandas as gpd

    g = gpd.read_file(data / LSOA_FILE)
    if g.crs is None or g.crs.to_epsg() != 27700:
        g = g.to_crs(27700)
    return g.sort_values(CODE, ignore_index=True)


def synthetic_points(g, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """n points uniformly inside the polygons: polygon drawn by area, then rejection in its box."""
    import shapely

    rng = np.random.default_rng(seed)
    geoms = g.geometry.values
    shapely.prepare(geoms)
    area = shapely.area(geoms)
    b = shapely.bounds(geoms)
    xs, ys, have = [], [], 0
    while have < n:
        k = int((n - have) * 1.6) + 1000
        i = rng.choice(len(geoms), size=k, p=area / area.sum())
        x = rng.uniform(b[i, 0], b[i, 2])
        y = rng.uniform(b[i, 1], b[i, 3])
        ok = shapely.contains_xy(geoms[i], x, y)
        xs.append(x[ok])
        ys.append(y[ok])
        have += int(ok.sum())
    x, y = np.concatenate(xs)[:n], np.concatenate(ys)[:n]
    perm = rng.permutation(n)  # no spatial order to help any method
    return x[perm], y[perm]


# --------------------------------------------------------------------------- methods
def run_platform(g, x, y, threads: int):
    sys.path.insert(0, str(ROOT / "platform"))
    from social_progress.geography.locator import PolygonIndex

    t0 = time.perf_counter()
    idx = PolygonIndex(g.geometry.values, g[CODE].values)
    t1 = time.perf_counter()
    pos = idx.locate(x, y, threads=threads)
    t2 = time.perf_counter()
    codes = idx.codes_of(pos)
    t3 = time.perf_counter()
    return codes, t3 - t0, {"index_build_s": t1 - t0, "locate_s": t3 - t1,
                            "cell_size_m": idx.cs, "grid_cells": idx.nx * idx.ny,
                            "boundary_cells": idx.n_special_cells}


def run_geopandas(g, x, y, threads: int):
    import geopandas as gpd

    t0 = time.perf_counter()
    pts = gpd.GeoDataFrame({"pid": np.arange(len(x))}, geometry=gpd.points_from_xy(x, y), crs=g.crs)
    j = gpd.sjoin(pts, g[[CODE, "geometry"]], how="left", predicate="intersects")
    # a point on a shared boundary matches twice: keep the lowest code, as the platform does
    j = j.sort_values(["pid", CODE]).drop_duplicates("pid")
    codes = j[CODE].to_numpy(dtype=object)
    t1 = time.perf_counter()
    return codes, t1 - t0, {}


def run_duckdb(g, x, y, threads: int):
    import duckdb
    import duckdb_extension_spatial
    import pyarrow as pa
    import shapely

    ext = Path(duckdb_extension_spatial.__file__).parent / "extensions" / f"v{duckdb.__version__}" / "spatial.duckdb_extension"
    t0 = time.perf_counter()
    con = duckdb.connect()
    con.execute(f"LOAD '{ext}'")
    con.execute(f"SET threads = {threads}")
    con.register("polys_in", pa.table({"code": g[CODE].to_numpy(dtype=str), "wkb": shapely.to_wkb(g.geometry.values)}))
    con.register("pts_in", pa.table({"id": np.arange(len(x)), "x": x, "y": y}))
    con.execute("CREATE TABLE polys AS SELECT code, ST_GeomFromWKB(wkb) AS geom FROM polys_in")
    con.execute("CREATE TABLE pts AS SELECT id, ST_Point(x, y) AS geom FROM pts_in")
    res = con.execute(
        "SELECT p.id, min(l.code) AS code FROM pts p JOIN polys l ON ST_Intersects(p.geom, l.geom) GROUP BY p.id"
    ).to_arrow_table()
    codes = np.full(len(x), None, dtype=object)
    codes[res.column("id").to_numpy()] = res.column("code").to_numpy(zero_copy_only=False)
    t1 = time.perf_counter()
    con.close()
    return codes, t1 - t0, {}


METHODS = {"platform": run_platform, "geopandas_sjoin": run_geopandas, "duckdb_spatial": run_duckdb}


def worker(method: str, data: Path, pts_file: Path, out_file: Path, repeat: int, threads: int) -> None:
    """One method in this process: best of `repeat` runs, own peak RSS, codes saved for comparison."""
    g = load_polygons(data)
    xy = np.load(pts_file)
    x, y = np.ascontiguousarray(xy[0]), np.ascontiguousarray(xy[1])
    best, extra, codes = float("inf"), {}, None
    for _ in range(repeat):
        codes, secs, info = METHODS[method](g, x, y, threads)
        if secs < best:
            best, extra = secs, info
    if method == "platform":  # the same index reused: what a cached index gives every later source
        sys.path.insert(0, str(ROOT / "platform"))
        from social_progress.geography.locator import PolygonIndex

        idx = PolygonIndex(g.geometry.values, g[CODE].values)
        q = float("inf")
        for _ in range(repeat):
            t0 = time.perf_counter()
            idx.codes_of(idx.locate(x, y, threads=threads))
            q = min(q, time.perf_counter() - t0)
        extra["locate_prebuilt_s"] = q
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    np.save(out_file, np.where(codes == None, "", codes).astype("U9"))  # noqa: E711
    json.dump({"seconds": best, "peak_rss_mb": rss_mb, **extra}, open(str(out_file) + ".json", "w"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=2023)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--worker", choices=list(METHODS))
    ap.add_argument("--pts", type=Path)
    ap.add_argument("--out", type=Path)
    a = ap.parse_args()
    if a.worker:
        worker(a.worker, a.data, a.pts, a.out, a.repeat, a.threads)
        return

    g = load_polygons(a.data)
    print(f"polygons: {len(g)}  points: {a.n}  threads: {a.threads}  repeat: {a.repeat} (best kept)")
    x, y = synthetic_points(g, a.n, a.seed)
    res: dict[str, dict] = {}
    codes: dict[str, np.ndarray] = {}
    with tempfile.TemporaryDirectory() as tmp:
        pts = Path(tmp) / "points.npy"
        np.save(pts, np.vstack([x, y]))
        for m in METHODS:
            out = Path(tmp) / f"{m}.npy"
            subprocess.run([sys.executable, __file__, "--worker", m, "--data", str(a.data), "--pts", str(pts),
                            "--out", str(out), "--repeat", str(a.repeat), "--threads", str(a.threads)], check=True)
            res[m] = json.load(open(str(out) + ".json"))
            codes[m] = np.load(out)
    for m, r in res.items():
        print(f"[{m}]")
        print(f"  points_per_second: {a.n / r['seconds']:.0f}")
        print(f"  peak_rss_mb: {r['peak_rss_mb']:.0f}")
        print(f"  seconds: {r['seconds']:.3f}")
        if m == "platform":
            print(f"  index_build_seconds: {r['index_build_s']:.3f}  (included above)")
            print(f"  points_per_second_prebuilt_index: {a.n / r['locate_prebuilt_s']:.0f}")
            print(f"  grid: {r['grid_cells']} cells of {r['cell_size_m']:.1f} m, {r['boundary_cells']} boundary cells")
    for m in ("geopandas_sjoin", "duckdb_spatial"):
        agree = int((codes["platform"] == codes[m]).sum())
        print(f"agreement_platform_vs_{m}: {agree} / {a.n}")
    print(f"unassigned_points (platform): {int((codes['platform'] == '').sum())}")
    best = min(res["geopandas_sjoin"]["seconds"], res["duckdb_spatial"]["seconds"])
    print(f"speedup_vs_best_baseline: {best / res['platform']['seconds']:.2f}")
    print(f"speedup_vs_best_baseline_prebuilt_index: {best / res['platform']['locate_prebuilt_s']:.2f}")


if __name__ == "__main__":
    main()
