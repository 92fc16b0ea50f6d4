"""Rebuild the bundled data in data/ from the shared open-data folder.

Why: the project must run on its own clone, so it carries a small, attributed subset of
the real open data: Barking and Dagenham, its neighbours (Havering, Redbridge, Newham)
for comparison, and London-wide tables where they are already London-only and small.
Run once by a maintainer (``python scripts/bundle_data.py ../shared/data``); the default
run and the tests read only data/.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd

BOROUGH = "E09000002"
NEIGHBOURS = ["E09000016", "E09000026", "E09000025"]  # Havering, Redbridge, Newham
AREA = [BOROUGH, *NEIGHBOURS]
LONDON_PREFIX = "E09"


def main(shared: Path, out: Path) -> None:
    geo, ind, rec = shared / "geography", shared / "indicators", shared / "records"
    (out / "geography").mkdir(parents=True, exist_ok=True)

    # LSOA boundaries of both vintages, borough and neighbours, kept as shapefiles.
    lsoa11 = gpd.read_file(geo / "london-2011-lsoa-gen20.shp")
    lsoa11[lsoa11["LAD11CD"].isin(AREA)].to_file(out / "geography" / "lsoa11_gen20.shp")
    lsoa21 = gpd.read_file(geo / "london-2021-lsoa-gen20.shp")
    lad_col = [c for c in lsoa21.columns if c.startswith("LAD")][0]
    lsoa21[lsoa21[lad_col].isin(AREA)].to_file(out / "geography" / "lsoa21_gen20.shp")
    lad = gpd.read_file(geo / "london-2021-lad22-gen20.shp")
    lad.to_file(out / "geography" / "london_lad22_gen20.geojson", driver="GeoJSON")
    (out / "geography" / "wards22").mkdir(exist_ok=True)
    for code in AREA:
        shutil.copy(geo / "wards_2025_london" / f"{code}.geojson", out / "geography" / "wards22" / f"{code}.geojson")
    lookup = pd.read_csv(geo / "lookup_lsoa11_ward19_lad19.csv", dtype=str)
    lookup[lookup["LAD19CD"].str.startswith(LONDON_PREFIX)].to_csv(
        out / "geography" / "lookup_lsoa11_ward19_lad19_london.csv", index=False)
    wards = pd.read_csv(geo / "ward_all_codes.csv", dtype=str)
    wards[wards["LADCD"].isin(AREA)].to_csv(out / "geography" / "ward_codes_bd_neighbours.csv", index=False)

    # Indicator tables: London rows only (England files are cut to London LSOAs).
    london_lsoa11 = set(lookup.loc[lookup["LAD19CD"].str.startswith(LONDON_PREFIX), "LSOA11CD"])
    london_lsoa21 = set(lsoa21["LSOA21CD"]) if "LSOA21CD" in lsoa21 else set()
    london_lsoa21 = set(gpd.read_file(geo / "london-2021-lsoa-gen20.shp", columns=["LSOA21CD"])["LSOA21CD"])
    for sub in ["imd", "census", "crime", "air_quality", "energy", "population", "ward_profiles", "income"]:
        (out / "indicators" / sub).mkdir(parents=True, exist_ok=True)
        for f in sorted((ind / sub).iterdir()):
            target = out / "indicators" / sub / f.name
            if sub == "income" and "mean" in f.name:
                continue
            if sub in ("imd", "census"):
                df = pd.read_csv(f, dtype=str)
                key = df.columns[0]
                keep = london_lsoa11 if key.startswith("lsoa11") else london_lsoa21
                df[df[key].isin(keep)].to_csv(target, index=False)
            elif sub == "air_quality" and f.name.startswith("lsoa21"):
                continue  # the LSOA11 and LAD series are enough; LSOA21 comes through the bridges
            else:
                shutil.copy(f, target)

    (out / "records").mkdir(exist_ok=True)
    cp = pd.read_csv(rec / "codepoint_open_2025_4_london_postcodes.csv", dtype=str)
    cp[cp["lad_code"].isin(AREA)].to_csv(out / "records" / "codepoint_open_2025_4_bd_neighbours.csv", index=False)
    gias = pd.read_csv(rec / "gias_schools_london_open_2025-05.csv", dtype=str)
    gias.to_csv(out / "records" / "gias_schools_london_open_2025-05.csv", index=False)
    for name in ["fhrs_barking_dagenham_2020-06-16.csv", "gp_practices_epraccur_bd.csv",
                 "fixmystreet_lsoa_counts_bd_2010_2019.csv", "police_uk_2023-01_metropolitan_street_sample.csv"]:
        shutil.copy(rec / name, out / "records" / name)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data"), Path("data"))
