"""The real data that shapes the synthetic borough: LSOAs, deprivation, people, postcodes.

Why: synthetic records are only useful for testing an index if the geography of need in
them is the real one. Everything spatial is read from the bundled open data:

- IoD 2019 per LSOA 2011 (`imd2019_england_lsoa11.csv`). That file holds the national
  IMD *rank* (1 = most deprived of 32,844), not the score, so deprivation is the rank
  turned into a standard normal score (z = -Phi^-1(rank / 32,845)), then standardised
  within the borough (population-weighted mean 0, SD 1). It is monotone in the score.
- ONS mid-2019 LSOA populations by sex and broad age (`london-mid2019-pop.csv`).
- Code-Point Open postcode centroids of the borough, each placed in its LSOA 2011 by a
  point-in-polygon join (nearest polygon for the odd centroid just outside), and the
  postcodes of neighbouring boroughs for out-of-borough addresses.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import norm

from ..settings import get_settings

BOROUGH = "E09000002"
NEIGHBOURS = {"E09000026": "Redbridge", "E09000016": "Havering", "E09000025": "Newham"}
N_LSOA_ENGLAND = 32_844
BANDS = ("0-15", "16-29", "30-44", "45-64", "65+")
BAND_AGES = {"0-15": (0, 15), "16-29": (16, 29), "30-44": (30, 44), "45-64": (45, 64), "65+": (65, 99)}

#: post towns / localities used in synthetic address lines, by postcode district
TOWNS = {
    "IG11": "Barking", "RM8": "Dagenham", "RM9": "Dagenham", "RM10": "Dagenham",
    "RM6": "Chadwell Heath", "RM7": "Romford", "RM5": "Romford",
}
OUTSIDE_TOWNS = {
    "IG1": "Ilford", "IG2": "Ilford", "IG3": "Ilford", "IG4": "Ilford", "IG5": "Ilford",
    "IG6": "Ilford", "IG7": "Chigwell", "IG8": "Woodford Green", "E11": "London",
    "E18": "London", "E12": "London", "E6": "London", "E7": "London", "E13": "London",
    "E15": "London", "E16": "London", "E20": "London", "RM1": "Romford", "RM2": "Romford",
    "RM3": "Romford", "RM4": "Romford", "RM5": "Romford", "RM6": "Romford", "RM7": "Romford",
    "RM11": "Hornchurch", "RM12": "Hornchurch", "RM13": "Rainham", "RM14": "Upminster",
}


@dataclass
class Areas:
    lsoa: pd.DataFrame       # one row per LSOA: code, pop columns, imd_rank, z
    postcodes: pd.DataFrame  # borough postcodes: postcode, easting, northing, lsoa (index), district, town
    outside: pd.DataFrame    # neighbouring boroughs' postcodes: postcode, easting, northing, lad_code, town

    @property
    def z(self) -> np.ndarray:
        return self.lsoa["z"].to_numpy()


def load_areas(data_dir: Path | None = None) -> Areas:
    data = Path(data_dir) if data_dir else get_settings().data_dir
    pop = pd.read_csv(data / "indicators/population/london-mid2019-pop.csv")
    pop = pop[pop["LAD11CD"] == BOROUGH].sort_values("LSOA11CD").reset_index(drop=True)
    imd = pd.read_csv(data / "indicators/imd/imd2019_england_lsoa11.csv",
                      usecols=["lsoa11_code", "IMD_rank", "IMD_decile"])
    lsoa = pop.merge(imd, left_on="LSOA11CD", right_on="lsoa11_code", how="left", validate="1:1")
    if lsoa["IMD_rank"].isna().any():
        raise ValueError("an LSOA of the borough has no IoD 2019 rank")
    d = -norm.ppf(lsoa["IMD_rank"].to_numpy() / (N_LSOA_ENGLAND + 1))
    w = lsoa["Persons_All-Ages"].to_numpy(dtype=float)
    mean = np.average(d, weights=w)
    sd = np.sqrt(np.average((d - mean) ** 2, weights=w))
    lsoa["z"] = (d - mean) / sd
    lsoa = lsoa.rename(columns={"LSOA11CD": "code"}).drop(columns=["lsoa11_code"])

    postcodes = _borough_postcodes(data, lsoa)
    outside = []
    for code in NEIGHBOURS:
        o = pd.read_csv(data / f"records/codepoint_2025_4/{code}.csv")
        o = o[o["lad_code"] == code]
        o["district"] = o["postcode"].str.split().str[0]
        o = o[o["district"].isin(OUTSIDE_TOWNS)]
        o["town"] = o["district"].map(OUTSIDE_TOWNS)
        outside.append(o[["postcode", "easting", "northing", "lad_code", "town"]])
    outside_df = pd.concat(outside).sort_values("postcode").reset_index(drop=True)
    return Areas(lsoa=lsoa, postcodes=postcodes, outside=outside_df)


def _borough_postcodes(data: Path, lsoa: pd.DataFrame) -> pd.DataFrame:
    import geopandas as gpd

    cp = pd.read_csv(data / f"records/codepoint_2025_4/{BOROUGH}.csv")
    cp = cp[(cp["lad_code"] == BOROUGH) & cp["easting"].notna()].copy()
    cp["district"] = cp["postcode"].str.split().str[0]
    cp = cp[cp["district"].isin(TOWNS)].sort_values("postcode").reset_index(drop=True)
    polys = gpd.read_file(data / "geography/lsoa11_gen20.shp", where=f"LAD11CD='{BOROUGH}'")
    polys = polys[["LSOA11CD", "geometry"]]
    pts = gpd.GeoDataFrame(cp, geometry=gpd.points_from_xy(cp["easting"], cp["northing"]),
                           crs=polys.crs)
    inside = gpd.sjoin(pts, polys, how="left", predicate="within")
    inside = inside[~inside.index.duplicated(keep="first")]
    missing = inside["LSOA11CD"].isna()
    if missing.any():
        near = gpd.sjoin_nearest(pts[missing.to_numpy()], polys, how="left")
        near = near[~near.index.duplicated(keep="first")]
        inside.loc[near.index, "LSOA11CD"] = near["LSOA11CD"]
    code_to_idx = {c: i for i, c in enumerate(lsoa["code"])}
    cp["lsoa"] = inside["LSOA11CD"].map(code_to_idx).to_numpy()
    cp = cp[cp["lsoa"].notna()].copy()
    cp["lsoa"] = cp["lsoa"].astype(int)
    cp["town"] = cp["district"].map(TOWNS)
    return cp[["postcode", "easting", "northing", "lsoa", "district", "town"]].reset_index(drop=True)
