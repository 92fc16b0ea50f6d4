"""The LSOA 2011 lookup: each LSOA 2011 with its pre-2022 ward, its current ward and a centroid.

Why: LSOA 2011 nest exactly in the 2019 wards, so the official ONS lookup gives the old
ward; the 2022 wards do not nest LSOAs, so the current ward is the best fit by area
(`ward22_share` says how much of the LSOA lies in it). The centroid is a point inside
the polygon (representative point), in EPSG:27700 to 0.1 m.
"""
from __future__ import annotations

import geopandas as gpd
import pandas as pd

from .boundaries import BoundaryError, best_fit

COLUMNS = ["lsoa11_code", "lsoa11_name", "lad_code", "ward19_code", "ward22_code", "ward22_share", "centroid_x", "centroid_y"]


def lsoa11_lookup(lsoa: gpd.GeoDataFrame, ward19_lookup: pd.DataFrame, ward22: gpd.GeoDataFrame) -> pd.DataFrame:
    """lsoa11_code, lsoa11_name, lad_code, ward19_code, ward22_code, ward22_share, centroid_x,
    centroid_y; one row per LSOA 2011 of `lsoa`, sorted by code.

    lsoa: LSOA 2011 polygons (lsoa11_code, lsoa11_name, lad_code) in EPSG:27700;
    ward19_lookup: the ONS LSOA11 -> ward 2019 lookup (LSOA11CD, WD19CD);
    ward22: the current wards (ward22_code) in EPSG:27700.
    An LSOA without either ward is a `BoundaryError`.
    """
    need = {"LSOA11CD", "WD19CD"}
    if not need <= set(ward19_lookup.columns):
        raise BoundaryError(f"LSOA11 -> ward 2019 lookup lacks {sorted(need - set(ward19_lookup.columns))}")
    lookup = ward19_lookup[["LSOA11CD", "WD19CD"]].rename(columns={"LSOA11CD": "lsoa11_code", "WD19CD": "ward19_code"})
    fit = best_fit(lsoa, "lsoa11_code", ward22, "ward22_code").rename(columns={"share": "ward22_share"})
    out = lsoa[["lsoa11_code", "lsoa11_name", "lad_code"]].merge(lookup, on="lsoa11_code", how="left").merge(fit, on="lsoa11_code", how="left")
    cent = lsoa.geometry.representative_point()
    out["centroid_x"], out["centroid_y"] = cent.x.round(1).to_numpy(), cent.y.round(1).to_numpy()
    missing = out[out["ward19_code"].isna() | out["ward22_code"].isna()]
    if len(missing):
        raise BoundaryError(f"{len(missing)} LSOA 2011 without a ward, e.g. {missing['lsoa11_code'].iloc[0]}")
    return out.sort_values("lsoa11_code", ignore_index=True)
