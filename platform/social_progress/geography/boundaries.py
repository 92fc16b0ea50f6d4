"""Boundaries of each vintage, in EPSG:27700, with GSS codes named by vintage.

Why: every later join (points to LSOA, LSOA to ward, release GeoJSON) needs the same
polygons with the same column names whatever file they came from.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

import geopandas as gpd
import pandas as pd

BNG = "EPSG:27700"


class BoundaryError(ValueError):
    """A boundary file that cannot be used: names the file and the problem."""


def read_boundaries(path: Path | str | Iterable[Path], columns: dict[str, str]) -> gpd.GeoDataFrame:
    """Read one or more boundary files, rename `columns` (source -> ours), project to 27700.

    A file without a CRS is refused rather than guessed: a wrong guess moves every point.
    """
    paths = [Path(path)] if isinstance(path, (str, Path)) else [Path(p) for p in path]
    if not paths:
        raise BoundaryError("no boundary files given")
    frames = []
    for p in paths:
        if not p.exists():
            raise BoundaryError(f"{p}: boundary file not found")
        gdf = gpd.read_file(p)
        if gdf.crs is None:
            raise BoundaryError(f"{p}: no coordinate reference system declared")
        missing = [c for c in columns if c not in gdf.columns]
        if missing:
            raise BoundaryError(f"{p}: missing column(s) {missing}; found {list(gdf.columns)}")
        frames.append(gdf[[*columns, "geometry"]].rename(columns=columns).to_crs(BNG))
    out = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=BNG)
    empty = out.geometry.is_empty | out.geometry.isna()
    if empty.any():
        raise BoundaryError(f"{paths[0]}: {int(empty.sum())} empty geometries, e.g. {out.loc[empty].iloc[0, 0]}")
    invalid = ~out.geometry.is_valid
    if invalid.any():
        out.loc[invalid, "geometry"] = out.loc[invalid, "geometry"].make_valid()
    return out.sort_values(list(columns.values())[0], ignore_index=True)


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
