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
