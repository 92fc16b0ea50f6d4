"""Boundaries of each vintage, in EPSG:27700, with GSS codes named by vintage.

Why: every later join (points to LSOA, LSOA to ward, release GeoJSON) needs the same
polygons with the same column names whatever file they came from. Boundary files are
checked where they are loaded, because a wrong CRS or a broken ring does not fail there:
it fails later, far from the file (zero-area polygons, a TypeError in the bridges, an
invalid polygon in the published GeoJSON). So:

* a file without a CRS, whose coordinates do not fit its declared CRS in London (British
  National Grid numbers labelled CRS84), that mixes degrees and metres, or one of a set
  of files whose CRS differs from the others', is refused with a `BoundaryError` naming
  the file(s), the CRS and the features;
* invalid polygons (self-intersecting rings, bow-ties) are repaired once, here, keeping
  only their polygonal parts, so the bridges and the published areas use the same
  geometry; a polygon whose repair leaves no area stops the load, naming its code.
"""
from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path
from typing import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

BNG = "EPSG:27700"
WGS84 = "EPSG:4326"
log = logging.getLogger(__name__)

#: Where London's boundaries can lie (minx, miny, maxx, maxy): the bundled London-wide
#: files span easting 503,574-561,957 and northing 155,851-200,934 (lon -0.51..0.33, lat
#: 51.29..51.69); these boxes add 6-14 km (0.3-0.5 degree) all round. The two boxes are
#: far apart, so a feature's raw coordinates tell which of the two CRS they are in.
LONDON_EXTENT = {
    BNG: (490_000.0, 150_000.0, 570_000.0, 210_000.0),
    WGS84: (-1.0, 51.0, 0.8, 52.0),
}
_LOOKS = {BNG: "British National Grid metres (EPSG:27700)", WGS84: "longitude/latitude degrees (EPSG:4326)",
          "swapped": "latitude/longitude degrees with the axes swapped"}
_POLYGONAL = ("Polygon", "MultiPolygon")


class BoundaryError(ValueError):
    """A boundary file that cannot be used: names the file and the problem."""


def _crs_name(crs) -> str:
    """A CRS as people write it (EPSG:27700, OGC:CRS84), or its name when it has no code."""
    crs = pyproj.CRS.from_user_input(crs)
    auth = crs.to_authority()
    return f"{auth[0]}:{auth[1]}" if auth else crs.name


def _examples(labels, n: int = 5) -> str:
    labels = [str(v) for v in labels]
    more = f" and {len(labels) - n} more" if len(labels) > n else ""
    return ", ".join(labels[:n]) + more


def _labels(gdf: gpd.GeoDataFrame, code_col: str | None) -> np.ndarray:
    """How a feature is named in messages: its area code, else its row number in the file."""
    if code_col and code_col in gdf.columns:
        codes = gdf[code_col].astype(object).to_numpy()
        rows = np.array([f"row {i + 1}" for i in range(len(gdf))], dtype=object)
        return np.where(pd.isna(codes), rows, codes)
    return np.array([f"row {i + 1}" for i in range(len(gdf))], dtype=object)


def _inside(bounds: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
    x0, y0, x1, y1 = box
    with np.errstate(invalid="ignore"):
        return (bounds[:, 0] >= x0) & (bounds[:, 1] >= y0) & (bounds[:, 2] <= x1) & (bounds[:, 3] <= y1)


def _looks_like(bounds: np.ndarray) -> np.ndarray:
    """Per feature, which CRS its raw coordinates look like in London: BNG, WGS84, "swapped" or ""."""
    out = np.full(len(bounds), "", dtype=object)
    out[_inside(bounds, LONDON_EXTENT[BNG])] = BNG
    out[_inside(bounds, LONDON_EXTENT[WGS84])] = WGS84
    out[_inside(bounds[:, [1, 0, 3, 2]], LONDON_EXTENT[WGS84])] = "swapped"
    return out


def check_crs(gdf: gpd.GeoDataFrame, source: str, code_col: str | None = None) -> None:
    """Refuse a boundary file whose CRS is missing, wrong or mixed, naming `source`.

    Why refuse rather than guess: a wrong guess moves every area, and the damage shows up
    steps later without the file's name. The declared CRS must put every feature inside
    London (LONDON_EXTENT, in EPSG:27700); the message says which CRS the raw coordinates
    look like. One file holding some features in degrees and others in metres is refused
    whatever it declares.
    """
    if gdf.crs is None:
        raise BoundaryError(f"{source}: no coordinate reference system declared; refused rather than guessed "
                            f"(a wrong guess moves every area)")
    declared = _crs_name(gdf.crs)
    labels = _labels(gdf, code_col)
    raw = gdf.geometry.bounds.to_numpy(float)
    looks = _looks_like(raw)
    degrees, metres = np.isin(looks, (WGS84, "swapped")), looks == BNG
    if degrees.any() and metres.any():
        raise BoundaryError(
            f"{source}: mixed coordinate systems under one declared CRS {declared}: {int(degrees.sum())} feature(s) "
            f"in degrees ({_examples(labels[degrees])}) and {int(metres.sum())} in metres "
            f"({_examples(labels[metres])}); give each CRS its own file")
    with np.errstate(all="ignore"):
        projected = gdf.geometry.to_crs(BNG).bounds.to_numpy(float)
    fits = _inside(projected, LONDON_EXTENT[BNG]) & np.isfinite(projected).all(axis=1)
    if fits.all():
        return
    bad = ~fits
    seen = Counter(v for v in looks[bad] if v)
    like = (f"their coordinates look like {_LOOKS[seen.most_common(1)[0][0]]}" if seen else
            "their coordinates are in London neither as British National Grid (EPSG:27700) nor as "
            "longitude/latitude (EPSG:4326)")
    raise BoundaryError(
        f"{source}: coordinates do not fit the declared CRS {declared}: {int(bad.sum())} of {len(gdf)} feature(s) "
        f"({_examples(labels[bad])}) do not fall in London when read in {declared}; {like}. "
        f"Refused: correct the file's CRS rather than move the areas")


def _check_same_crs(frames: list[tuple[str, gpd.GeoDataFrame]], what: str) -> None:
    """Files of one boundary set must share one CRS: a different one means another edition or source."""
    groups: list[tuple[pyproj.CRS, list[str]]] = []
    for source, gdf in frames:
        crs = pyproj.CRS.from_user_input(gdf.crs)
        for known, names in groups:
            if known.equals(crs, ignore_axis_order=True):
                names.append(source)
                break
        else:
            groups.append((crs, [source]))
    if len(groups) > 1:
        listing = "; ".join(f"{_crs_name(crs)}: {_examples(names, 3)}" for crs, names in groups)
        raise BoundaryError(f"{what}: the files of one boundary set are in different CRS ({listing}); "
                            f"refused rather than concatenated")


def repair_polygons(gdf: gpd.GeoDataFrame, code_col: str, source: str) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Make every geometry a valid (Multi)Polygon; returns the frame and the codes repaired.

    Why here, once: the bridges and the published GeoJSON must use the same polygon, and a
    self-intersecting ring (a bow-tie) is valid input for neither. `make_valid` keeps the
    area (a bow-tie becomes a MultiPolygon of its two triangles); lines or points it leaves
    are dropped. A geometry with no polygonal part after repair stops the load, naming
    the area and `source`.
    """
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    labels = _labels(gdf, code_col)
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        geoms = geoms.copy()
        geoms[invalid] = [_polygonal(g) for g in shapely.make_valid(geoms[invalid])]
    kinds = shapely.get_type_id(geoms)
    unusable = ~np.isin(kinds, (3, 6)) | shapely.is_empty(geoms) | ~(shapely.area(geoms) > 0)
    if unusable.any():
        after = " after repairing their invalid geometry" if invalid[unusable].any() else ""
        raise BoundaryError(f"{source}: area(s) {_examples(labels[unusable])} have no polygonal part{after} "
                            f"(only lines, points or nothing); fix the boundary file")
    still = ~shapely.is_valid(geoms)
    if still.any():  # make_valid's polygonal parts are valid; kept as a guard
        raise BoundaryError(f"{source}: area(s) {_examples(labels[still])} are still invalid after repair")
    repaired = [str(v) for v in labels[invalid]]
    if repaired:
        log.warning("%s: repaired %d invalid polygon(s): %s", source, len(repaired), _examples(repaired, 20))
    out = gdf.copy()
    out[out.geometry.name] = gpd.GeoSeries(geoms, index=gdf.index, crs=gdf.crs)
    return out, repaired


def _polygonal(geom):
    """The polygonal parts of a repaired geometry (collections from make_valid can hold lines)."""
    if shapely.get_type_id(geom) in (3, 6):
        return geom
    parts = [p for p in shapely.get_parts(geom) if shapely.get_type_id(p) in (3, 6)]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def _checked(frames: list[tuple[str, gpd.GeoDataFrame]], code_col: str, what: str) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Check each file's geometry and CRS and the set's CRS, then project, repair and concatenate.

    Returns the areas sorted by code and the codes whose polygons were repaired.
    """
    for source, gdf in frames:
        empty = (gdf.geometry.isna() | gdf.geometry.is_empty).to_numpy()
        if empty.any():
            raise BoundaryError(f"{source}: {int(empty.sum())} empty geometries "
                                f"({_examples(_labels(gdf, code_col)[empty])})")
        check_crs(gdf, source, code_col)
    _check_same_crs(frames, what)
    parts, repaired = [], []
    for source, gdf in frames:
        g, fixed = repair_polygons(gdf.to_crs(BNG), code_col, source)  # in metres, as every later step works
        parts.append(g)
        repaired += fixed
    out = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs=BNG)
    return out.sort_values(code_col, ignore_index=True), sorted(repaired)


def read_boundaries(path: Path | str | Iterable[Path], columns: dict[str, str]) -> gpd.GeoDataFrame:
    """Read one or more boundary files, rename `columns` (source -> ours), project to 27700.

    The first of `columns` is the area code. Files with a missing, wrong or mixed CRS are
    refused and invalid polygons repaired (see the module docstring).
    """
    paths = [Path(path)] if isinstance(path, (str, Path)) else [Path(p) for p in path]
    if not paths:
        raise BoundaryError("no boundary files given")
    frames = []
    for p in paths:
        if not p.exists():
            raise BoundaryError(f"{p}: boundary file not found")
        gdf = gpd.read_file(p)
        missing = [c for c in columns if c not in gdf.columns]
        if missing:
            raise BoundaryError(f"{p}: missing column(s) {missing}; found {list(gdf.columns)}")
        frames.append((str(p), gdf[[*columns, "geometry"]].rename(columns=columns)))
    what = str(paths[0]) if len(paths) == 1 else f"{len(paths)} files ({_examples(paths, 3)})"
    out, _ = _checked(frames, list(columns.values())[0], what)
    return out


def landed_boundaries(df: pd.DataFrame, table: str, columns: dict[str, str]) -> tuple[gpd.GeoDataFrame, list[str]]:
    """A landed boundary table (raw.<table>: geometry_wkt, _crs and _source_file per row) as
    areas in EPSG:27700 with `columns` renamed (source -> ours; the first is the area code).

    Why: the Dagster assets read boundaries from the raw layer, not the files; the same
    checks and repair apply, and messages name the landed file each row came from.
    Returns the areas and the codes whose polygons were repaired.
    """
    missing = [c for c in [*columns, "geometry_wkt", "_crs"] if c not in df.columns]
    if missing:
        raise BoundaryError(f"raw.{table}: boundary table lacks column(s) {missing}")
    files = df["_source_file"].fillna(f"raw.{table}") if "_source_file" in df.columns else pd.Series(f"raw.{table}", index=df.index)
    frames = []
    for source, part in df.groupby(files, sort=True):
        declared = part["_crs"].dropna().unique()
        if len(declared) != 1:  # one file has one CRS; none means the file declared none
            raise BoundaryError(f"{source}: no coordinate reference system declared; refused rather than guessed"
                                if not len(declared) else f"{source}: several CRS {sorted(declared)} in one file")
        geometry = gpd.GeoSeries.from_wkt(part["geometry_wkt"], crs=declared[0])
        frames.append((str(source), gpd.GeoDataFrame(part[list(columns)].rename(columns=columns),
                                                     geometry=geometry, crs=declared[0])))
    if not frames:
        raise BoundaryError(f"raw.{table}: no boundaries landed")
    what = frames[0][0] if len(frames) == 1 else f"raw.{table} ({len(frames)} files)"
    return _checked(frames, list(columns.values())[0], what)


def geometry_wkt(gdf: gpd.GeoDataFrame, code_col: str | None = None) -> pd.Series:
    """Geometry as WKT to 1 cm (EPSG:27700), as the warehouse stores and the release publishes it.

    Why: rounding a valid polygon can make it invalid again (a narrow neck collapses);
    those few are snapped to the 1 cm grid by GEOS, which keeps them valid.
    """
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    wkt = shapely.to_wkt(geoms, rounding_precision=2)
    broken = ~shapely.is_valid(shapely.from_wkt(wkt))
    if broken.any():
        wkt[broken] = shapely.to_wkt(shapely.set_precision(geoms[broken], 0.01), rounding_precision=2)
        still = ~shapely.is_valid(shapely.from_wkt(wkt))
        if still.any():
            raise BoundaryError(f"area(s) {_examples(_labels(gdf, code_col)[still])} are invalid at 1 cm precision")
    return pd.Series(wkt, index=gdf.index, dtype=object)


def load_lsoa11(path: Path, boroughs: list[str] | None = None) -> gpd.GeoDataFrame:
    g = read_boundaries(path, {"LSOA11CD": "lsoa11_code", "LSOA11NM": "lsoa11_name", "LAD11CD": "lad_code"})
    return g[g["lad_code"].isin(boroughs)].reset_index(drop=True) if boroughs else g


def load_lsoa21(path: Path, boroughs: list[str] | None = None) -> gpd.GeoDataFrame:
    g = read_boundaries(path, {"LSOA21CD": "lsoa21_code", "LSOA21NM": "lsoa21_name", "LAD22CD": "lad_code"})
    return g[g["lad_code"].isin(boroughs)].reset_index(drop=True) if boroughs else g


def load_wards22(paths: Iterable[Path], boroughs: list[str] | None = None) -> gpd.GeoDataFrame:
    g = read_boundaries(list(paths), {"WD25CD": "ward22_code", "WD25NM": "ward22_name", "LAD25CD": "lad_code"})
    return g[g["lad_code"].isin(boroughs)].reset_index(drop=True) if boroughs else g


def load_boroughs(path: Path, boroughs: list[str] | None = None) -> gpd.GeoDataFrame:
    g = read_boundaries(path, {"LAD22CD": "lad_code", "LAD22NM": "lad_name"})
    return g[g["lad_code"].isin(boroughs)].reset_index(drop=True) if boroughs else g


def build_wards19(lsoa11: gpd.GeoDataFrame, lookup: pd.DataFrame) -> gpd.GeoDataFrame:
    """The pre-2022 wards, dissolved from LSOA 2011 polygons by the official ONS lookup.

    LSOA 2011 nest exactly in the 2019 wards, so the union of a ward's LSOAs is the ward.
    `lookup` has LSOA11CD, WD19CD, WD19NM (the ONS column names).
    """
    need = {"LSOA11CD", "WD19CD", "WD19NM"}
    if not need <= set(lookup.columns):
        raise BoundaryError(f"LSOA11 -> ward 2019 lookup lacks {sorted(need - set(lookup.columns))}")
    joined = lsoa11.merge(lookup[["LSOA11CD", "WD19CD", "WD19NM"]], left_on="lsoa11_code", right_on="LSOA11CD", how="left")
    unmatched = joined["WD19CD"].isna()
    if unmatched.any():
        raise BoundaryError(f"{int(unmatched.sum())} LSOA 2011 not in the ward lookup, e.g. {joined.loc[unmatched, 'lsoa11_code'].iloc[0]}")
    wards = joined.dissolve(by=["WD19CD", "WD19NM", "lad_code"], as_index=False)[["WD19CD", "WD19NM", "lad_code", "geometry"]]
    return wards.rename(columns={"WD19CD": "ward19_code", "WD19NM": "ward19_name"}).sort_values("ward19_code", ignore_index=True)


def best_fit(source: gpd.GeoDataFrame, source_code: str, target: gpd.GeoDataFrame, target_code: str) -> pd.DataFrame:
    """Assign each source polygon to the target polygon holding the largest share of its area.

    Returns source_code, target_code, share (of the source's area in that target). Ties
    are broken by target code so the answer never depends on row order.
    """
    pieces = gpd.overlay(source[[source_code, "geometry"]], target[[target_code, "geometry"]], how="intersection", keep_geom_type=True)
    pieces["area"] = pieces.geometry.area
    totals = source.set_index(source_code).geometry.area
    pieces["share"] = pieces["area"] / pieces[source_code].map(totals)
    pieces = pieces.sort_values([source_code, "share", target_code], ascending=[True, False, True])
    best = pieces.drop_duplicates(source_code)[[source_code, target_code, "share"]]
    return best.reset_index(drop=True)


# --------------------------------------------------------------------------- bundled set

def bundled_paths(data_dir: Path | str | None = None) -> dict[str, Path]:
    """Where the bundled boundary files live under the data directory (default: settings)."""
    if data_dir is None:
        from social_progress.settings import get_settings

        data_dir = get_settings().data_dir
    geo = Path(data_dir) / "geography"
    return {
        "lsoa11": geo / "lsoa11_gen20.shp",
        "lsoa21": geo / "lsoa21_gen20.shp",
        "wards22": geo / "wards22",
        "lad": geo / "london_lad22_gen20.geojson",
        "lookup_ward19": geo / "lookup_lsoa11_ward19_lad19_london.csv",
    }


def standard_layers(data_dir: Path | str | None = None, boroughs: list[str] | None = None) -> dict[str, gpd.GeoDataFrame]:
    """The five layers every source is placed in: lsoa11, lsoa21, ward19, ward22, lad.

    Why one function: points, bridges and tests must all use the same polygons. All
    layers are cut to the same boroughs (default: those the LSOA 2021 file covers), so a
    point is either in all five or in none, apart from generalisation slivers.
    Each GeoDataFrame has f"{name}_code" and lad_code columns, in EPSG:27700.
    """
    p = bundled_paths(data_dir)
    lsoa21 = load_lsoa21(p["lsoa21"], boroughs)
    boroughs = boroughs or sorted(lsoa21["lad_code"].unique())
    lsoa11 = load_lsoa11(p["lsoa11"], boroughs)
    lookup = pd.read_csv(p["lookup_ward19"], dtype=str)
    wards19 = build_wards19(lsoa11, lookup)
    ward_files = sorted(p["wards22"].glob("*.geojson"))
    wards22 = load_wards22(ward_files, boroughs)
    lad = load_boroughs(p["lad"], boroughs)
    return {"lsoa11": lsoa11, "lsoa21": lsoa21, "ward19": wards19, "ward22": wards22, "lad": lad}
