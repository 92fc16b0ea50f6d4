"""Boundary vintages: every indicator, whatever areas it was published on, on every level.

Why: the index compares years. Indicators before 2021 are on LSOA 2011, the census and
IMD 2025 on LSOA 2021; wards changed in May 2022 (in Barking and Dagenham, 17 -> 19).
This module builds one bridge from each published level straight to each reporting
level (direct bridges lose less than chains) and reports an indicator on all of them:
the old wards for past years, the current wards for every year (backdated), and
LSOA 2011 <-> 2021 both ways.

Bridges used (see `bridges` for the methods):

    lsoa11 -> ward19   official ONS lookup (LSOA 2011 nest in the 2019 wards)
    lsoa11 -> ward22   apportionment (population points, else area)
    lsoa21 -> ward22   apportionment; also a best fit variant ("lsoa21->ward22:best_fit")
    lsoa21 -> ward19   apportionment
    lsoa11 <-> lsoa21  apportionment (most LSOAs are unchanged: weight 1)
    ward19 <-> ward22  apportionment (for data published on wards)
    every level -> lad lookup from the layer's own lad_code (areas nest in boroughs)
"""
from __future__ import annotations

from typing import Any, Mapping

import geopandas as gpd
import pandas as pd

from .aggregation import aggregate
from .bridges import BridgeReport, apportionment_bridge, best_fit_bridge, lookup_bridge
from .match_report import MatchReport

LEVELS = ("lsoa11", "lsoa21", "ward19", "ward22", "lad")


def population_points_from_codepoint(codepoint: pd.DataFrame) -> gpd.GeoDataFrame:
    """Postcode centroids as population points (one unit per postcode).

    Why postcodes: they follow where people live (a park or a reservoir has none),
    which is what population-weighted apportionment needs below LSOA level; the
    bundled Code-Point Open file is the only sub-LSOA source the platform holds.
    Postcodes with an approximate position (positional quality 50+) are left out.
    """
    cp = codepoint
    if "positional_quality" in cp.columns:
        cp = cp[pd.to_numeric(cp["positional_quality"], errors="coerce") < 50]
    cp = cp.dropna(subset=["easting", "northing"])
    return gpd.GeoDataFrame({"population": 1.0}, index=range(len(cp)),
                             geometry=gpd.points_from_xy(cp["easting"], cp["northing"]), crs="EPSG:27700")


def build_bridges(
    layers: Mapping[str, gpd.GeoDataFrame],
    lookup_df: pd.DataFrame,
    population_points: gpd.GeoDataFrame | None = None,
    weights: str | None = None,
) -> dict[str, tuple[pd.DataFrame, BridgeReport]]:
    """All bridges between the standard levels, keyed "source->target".

    layers: as from `boundaries.standard_layers` (lsoa11, lsoa21, ward19, ward22, lad).
    lookup_df: the ONS LSOA11 -> ward 2019 lookup (LSOA11CD, WD19CD).
    weights: 'population' (default when population points are given) or 'area'.
    """
    weights = weights or ("population" if population_points is not None else "area")
    pop = population_points
    L = layers
    out: dict[str, tuple[pd.DataFrame, BridgeReport]] = {}
    lk = lookup_df[lookup_df["LSOA11CD"].isin(L["lsoa11"]["lsoa11_code"])]
    out["lsoa11->ward19"] = lookup_bridge(lk, "LSOA11CD", "WD19CD", name="lsoa11->ward19",
                                          source_gdf=L["lsoa11"], source_code="lsoa11_code")

    def app(s, t):
        return apportionment_bridge(L[s], f"{s}_code", L[t], f"{t}_code", weights=weights, population=pop, name=f"{s}->{t}")

    out["lsoa11->ward22"] = app("lsoa11", "ward22")
    out["lsoa21->ward22"] = app("lsoa21", "ward22")
    out["lsoa21->ward22:best_fit"] = best_fit_bridge(L["lsoa21"], "lsoa21_code", L["ward22"], "ward22_code",
                                                     population=pop, name="lsoa21->ward22:best_fit")
    out["lsoa21->ward19"] = app("lsoa21", "ward19")
    out["lsoa11->lsoa21"] = app("lsoa11", "lsoa21")
    out["lsoa21->lsoa11"] = app("lsoa21", "lsoa11")
    out["ward19->ward22"] = app("ward19", "ward22")
    out["ward22->ward19"] = app("ward22", "ward19")
    for level in ("lsoa11", "lsoa21", "ward19", "ward22"):
        g = L[level]
        out[f"{level}->lad"] = lookup_bridge(g, f"{level}_code", "lad_code", name=f"{level}->lad",
                                             source_gdf=g, source_code=f"{level}_code")
    return dict(sorted(out.items()))


def identity_bridge(codes) -> pd.DataFrame:
    c = sorted(pd.unique(pd.Series(list(codes), dtype=str)))
    return pd.DataFrame({"source_code": c, "target_code": c, "weight": 1.0})


def report_on_all_levels(
    values_df: pd.DataFrame,
    level: str,
    rule: str,
    bridges: Mapping[str, tuple[pd.DataFrame, Any]],
    layers: Mapping[str, gpd.GeoDataFrame] | None = None,
    targets: tuple[str, ...] = LEVELS,
    **kwargs,
) -> tuple[pd.DataFrame, dict[str, MatchReport]]:
    """An indicator published on `level`, reported on every level in `targets`.

    Returns a long DataFrame [geography, *by, code, values..., n_sources, coverage]
    sorted by geography then code, and one MatchReport per target level. The source
    level itself passes through an identity mapping, so it gets the same checks.
    kwargs go to `aggregation.aggregate` (code_col, value_col, by, multiplier...).
    """
    frames, reports = [], {}
    for t in targets:
        if t == level:
            codes = layers[level][f"{level}_code"] if layers is not None else values_df[kwargs.get("code_col", "code")]
            mapping = identity_bridge(codes)
        else:
            key = f"{level}->{t}"
            if key not in bridges:
                continue
            mapping = bridges[key][0]
        res, rep = aggregate(values_df, mapping, rule, step=f"{level}->{t}", **kwargs)
        res.insert(0, "geography", t)
        frames.append(res)
        reports[t] = rep
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    sort = ["geography", *kwargs.get("by", []), "code"]
    return out.sort_values(sort, ignore_index=True), reports
