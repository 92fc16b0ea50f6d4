"""Rebuild the bundled data in data/ from the shared open-data folder.

Why: the project must run on its own clone, so it carries an attributed subset of the
real open data (data/NOTICE.md). The platform runs for any London borough by
configuration (catalogue/areas.yml), so everything a borough's refresh reads is bundled
for all of London: the LSOA 2011 and 2021 boundaries, the 2022 ward boundaries of the 33
boroughs, every ward code since 2015, the LSOA -> ward 2019 lookup, Code-Point Open
postcodes, GP practices (epraccur), food hygiene ratings, schools and the indicator
tables (England files cut to London LSOAs). Only two feeds stay Barking and Dagenham
samples, because the shared folder has nothing wider: FixMyStreet counts and the police.uk
street-crime sample (the latter is fetched live when the network is there).

To stay small, record files keep only the columns the platform reads:
- Code-Point Open: postcode, positional quality, easting/northing, district and ward codes
  (the country, NHS region/health authority and county codes are never read), for every
  live London postcode, one file per borough (records/codepoint_2025_4/<E09 code>.csv): the geography weights LSOA -> ward bridges by postcode centroids
  (population points), so a subset would change the bridges;
- epraccur: the header-less NHS ODS file gets the header and the eleven columns of the
  earlier B&D extract (code, name, address lines 1-3, postcode, open/close date, status,
  commissioner, prescribing setting), for every organisation, open or closed and of any
  prescribing setting, whose postcode is a London postcode in Code-Point Open (staging
  keeps the GP practices, prescribing setting 4, and the indicators their open dates);
- FHRS: the eight columns the platform reads (id, name, postcode, rating and its
  date, the structural sub-score, longitude/latitude; not the business type, address lines
  or the other sub-scores), for all 33
  London authorities, coordinates written without trailing zeros (the same numbers); the
  33 extracts were taken between 16 June and 21 July 2020 and the period the platform
  reports is read from RatingDate, so no extract-date column is needed;
- GP list sizes (NHS Digital, 1 January 2021): the practices of the bundled London
  epraccur (by practice code), with the extract date, code and number of patients only;
- Census 2021 general health (TS037), highest qualification (TS067), occupancy rating by
  bedrooms and tenure (data/indicators/census2021/): London LSOA 2021 rows, the columns the
  staging models read (the date, code, total and the categories counted; the long tables
  keep every category, without the `prop` column).

Fuel poverty, PTAL, the LSOA 2011 population-weighted centroids and the two library lists
are bundled by `bundle_london_access` (London rows, the columns read; see its docstring).

Run once by a maintainer from the project root (``python scripts/bundle_data.py
../shared/data``); the default run and the tests read only data/. Files this script used
to write under older names (the B&D and four-borough cuts) are removed.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd

LONDON_PREFIX = "E09"

#: Code-Point Open columns the platform reads (catalogue `postcodes`, stg_postcodes, geography)
POSTCODE_COLUMNS = ["postcode", "positional_quality", "easting", "northing", "lad_code", "ward_code"]
#: epraccur has no header row: our column name -> its position in the NHS ODS specification
EPRACCUR_COLUMNS = {"org_code": 0, "name": 1, "addr1": 4, "addr2": 5, "addr3": 6, "postcode": 9,
                    "open_date": 10, "close_date": 11, "status": 12, "commissioner": 14,
                    "prescribing_setting": 25}
#: DESNZ fuel poverty: the columns the platform reads (names, LA codes, region, the rounded % and
#: the source sheet are left out: the share is recomputed from the two counts)
FUEL_POVERTY_COLUMNS = ["year", "metric", "lsoa_vintage", "lsoa_code", "households", "fuel_poor_households"]
#: DCMS Libraries Taskforce list: the columns the library sets are built from
LIBRARY_TASKFORCE_COLUMNS = ["id", "authority_id", "name", "postcode", "statutory2010", "statutory2016",
                             "closed", "closed_year", "opened_year"]
FHRS_COLUMNS = ["FHRSID", "BusinessName", "PostCode", "RatingValue", "RatingDate", "Structural", "Longitude", "Latitude"]
#: the broad age bands of the ONS mid-year files (london-midYYYY-pop.csv): name -> ages
AGE_BANDS = {"Persons_0-15": range(0, 16), "Persons_16-29": range(16, 30), "Persons_30-44": range(30, 45),
             "Persons_45-64": range(45, 65), "Persons_65+": None}
#: earlier bundles' file names, removed when the bundle is rebuilt
#: Census 2021 tables (data/indicators/census2021/): source file -> (bundled file, the columns read)
CENSUS2021_TABLES = {
    "census2021_ts037_general_health_lsoa21_london.csv": (
        "census2021_ts037_general_health_lsoa21_london.csv",
        ["date", "geography code", "General health: Total: All usual residents",
         "General health: Bad health", "General health: Very bad health"]),
    "census2021_ts067_highest_qualification_lsoa21_london.csv": (
        "census2021_ts067_highest_qualification_lsoa21_london.csv",
        ["date", "geography code", "Highest level of qualification: Total: All usual residents aged 16 years and over",
         "Highest level of qualification: No qualifications",
         "Highest level of qualification: Level 4 qualifications and above"]),
    "census2021_household_overcrowding21_lsoa21_london.csv": (
        "census2021_occupancy_rating_bedrooms_lsoa21_london.csv",
        ["lsoa21_code", "total_households", "occupancy_rating", "n"]),
    "census2021_household_tenure21_lsoa21_london.csv": (
        "census2021_tenure_lsoa21_london.csv",
        ["lsoa21_code", "total_households", "tenure", "n"]),
}
#: NHS Digital patients registered at each GP practice (all ages, all sexes): the columns read
GP_LIST_COLUMNS = ["EXTRACT_DATE", "CODE", "NUMBER_OF_PATIENTS"]
SUPERSEDED = ["records/codepoint_open_2025_4_london.csv",
              "geography/ward_codes_bd_neighbours.csv", "records/codepoint_open_2025_4_bd_neighbours.csv",
              "records/gp_practices_epraccur_bd.csv", "records/fhrs_barking_dagenham_2020-06-16.csv"]


def _postcode_key(s: pd.Series) -> pd.Series:
    return s.str.replace(" ", "", regex=False).str.upper()


def _mid2017_population(syoa_file: Path, out_dir: Path) -> None:
    """The mid-2017 small-area estimates (persons by single year of age) written in the shape
    of the other mid-year files, so the `population` source reads three editions alike: the
    broad age bands are sums of single years (checked against the published total); the
    names come from the mid-2019 file (same LSOA 2011 codes); the sexes are not published
    at this detail and stay empty."""
    syoa = pd.read_csv(syoa_file, dtype={"lsoa11_code": str})
    ages = {int(c): c for c in syoa.columns if c.isdigit()}
    bands = pd.DataFrame({"LSOA11CD": syoa["lsoa11_code"]})
    for band, years in AGE_BANDS.items():
        cols = [ages[a] for a in years] if years is not None else [c for a, c in ages.items() if a >= 65] + ["90+"]
        bands[band] = syoa[cols].sum(axis=1).round().astype(int)
    bands["Persons_All-Ages"] = bands[list(AGE_BANDS)].sum(axis=1)
    if not (bands["Persons_All-Ages"] == syoa["total_population"].round().astype(int)).all():
        raise SystemExit(f"{syoa_file}: single years of age do not add up to total_population")
    template = pd.read_csv(out_dir / "london-mid2019-pop.csv", dtype=str, nrows=0).columns
    names = pd.read_csv(out_dir / "london-mid2019-pop.csv", dtype=str,
                        usecols=["LSOA11CD", "LSOA11NM", "MSOA11CD", "MSOA11NM", "LAD11CD", "LAD11NM"])
    frame = names.merge(bands, on="LSOA11CD", how="right", validate="one_to_one")
    frame.reindex(columns=template).to_csv(out_dir / "london-mid2017-pop.csv", index=False)


def bundle_census2021(ind: Path, out: Path, london_lsoa21: set[str]) -> None:
    """Census 2021 general health (TS037), highest qualification (TS067), occupancy rating
    by bedrooms and tenure: London LSOA 2021 rows, only the columns the staging models read
    (values unchanged), in data/indicators/census2021/."""
    target = out / "indicators" / "census2021"
    target.mkdir(parents=True, exist_ok=True)
    for source, (name, columns) in CENSUS2021_TABLES.items():
        df = pd.read_csv(ind / "census2021_more" / source, dtype=str, keep_default_na=False)
        key = "geography code" if "geography code" in df.columns else "lsoa21_code"
        df[df[key].isin(london_lsoa21)][columns].to_csv(target / name, index=False)


def bundle_gp_list_sizes(rec: Path, out: Path, london_practices: set[str]) -> None:
    """NHS Digital patients registered at each GP practice, 1 January 2021: the rows of the
    practices in the bundled London epraccur (by practice code), all ages and sexes, with
    the extract date, practice code and list size only."""
    lists = pd.read_csv(rec / "london" / "gp-reg-pat-prac-all_england_2021-01.csv", dtype=str, keep_default_na=False)
    lists = lists[lists["CODE"].isin(london_practices) & (lists["SEX"] == "ALL") & (lists["AGE"] == "ALL")]
    lists[GP_LIST_COLUMNS].to_csv(out / "records" / "gp_list_sizes_london_2021-01.csv", index=False)


def main(shared: Path, out: Path) -> None:
    geo, ind, rec = shared / "geography", shared / "indicators", shared / "records"
    (out / "geography").mkdir(parents=True, exist_ok=True)

    # LSOA boundaries of both vintages, all of London, kept as shapefiles.
    lsoa11 = gpd.read_file(geo / "london-2011-lsoa-gen20.shp")
    lsoa11[lsoa11["LAD11CD"].str.startswith(LONDON_PREFIX)].to_file(out / "geography" / "lsoa11_gen20.shp")
    lsoa21 = gpd.read_file(geo / "london-2021-lsoa-gen20.shp")
    lsoa21[lsoa21["LAD22CD"].str.startswith(LONDON_PREFIX)].to_file(out / "geography" / "lsoa21_gen20.shp")
    lad = gpd.read_file(geo / "london-2021-lad22-gen20.shp")
    lad.to_file(out / "geography" / "london_lad22_gen20.geojson", driver="GeoJSON")
    (out / "geography" / "wards22").mkdir(exist_ok=True)
    for f in sorted((geo / "wards_2025_london").glob(f"{LONDON_PREFIX}*.geojson")):
        shutil.copy(f, out / "geography" / "wards22" / f.name)
    lookup = pd.read_csv(geo / "lookup_lsoa11_ward19_lad19.csv", dtype=str)
    lookup[lookup["LAD19CD"].str.startswith(LONDON_PREFIX)].to_csv(
        out / "geography" / "lookup_lsoa11_ward19_lad19_london.csv", index=False)
    wards = pd.read_csv(geo / "ward_all_codes.csv", dtype=str)
    wards[wards["LADCD"].str.startswith(LONDON_PREFIX, na=False)].to_csv(
        out / "geography" / "ward_codes_london.csv", index=False)

    # Indicator tables: London rows only (England files are cut to London LSOAs).
    london_lsoa11 = set(lookup.loc[lookup["LAD19CD"].str.startswith(LONDON_PREFIX), "LSOA11CD"])
    london_lsoa21 = set(lsoa21["LSOA21CD"])
    for sub in ["imd", "census", "crime", "air_quality", "energy", "population", "ward_profiles", "income"]:
        (out / "indicators" / sub).mkdir(parents=True, exist_ok=True)
        for f in sorted((ind / sub).iterdir()):
            target = out / "indicators" / sub / f.name
            if sub == "income" and "mean" in f.name:
                continue
            if sub == "population" and not f.name.endswith("-pop.csv"):
                continue  # the mid-year estimates by broad age (2019, 2020) are the ones read
            if sub in ("imd", "census"):
                df = pd.read_csv(f, dtype=str)
                key = df.columns[0]
                keep = london_lsoa11 if key.startswith("lsoa11") else london_lsoa21
                df[df[key].isin(keep)].to_csv(target, index=False)
            elif sub == "air_quality" and f.name.startswith("lsoa21"):
                continue  # the LSOA11 and LAD series are enough; LSOA21 comes through the bridges
            else:
                shutil.copy(f, target)
    bundle_census2021(ind, out, london_lsoa21)

    _mid2017_population(ind / "population" / "ons_mye_mid2017_lsoa11_syoa_persons_london.csv",
                        out / "indicators" / "population")

    # Record feeds.
    (out / "records").mkdir(exist_ok=True)
    cp = pd.read_csv(rec / "codepoint_open_2025_4_london_postcodes.csv", dtype=str, keep_default_na=False)
    cp = cp[cp["lad_code"].str.startswith(LONDON_PREFIX)][POSTCODE_COLUMNS]
    # one file per borough (data/ keeps every file under 5 MB); the source reads them as a glob
    (out / "records" / "codepoint_2025_4").mkdir(exist_ok=True)
    for lad, part in cp.groupby("lad_code", sort=True):
        part.to_csv(out / "records" / "codepoint_2025_4" / f"{lad}.csv", index=False)
    london_postcodes = set(_postcode_key(cp["postcode"]))

    gp = pd.read_csv(rec / "london" / "epraccur_england_2023-12.csv", dtype=str, header=None, keep_default_na=False)
    gp = gp[list(EPRACCUR_COLUMNS.values())].set_axis(list(EPRACCUR_COLUMNS), axis=1)
    gp = gp[_postcode_key(gp["postcode"]).isin(london_postcodes)]
    gp.to_csv(out / "records" / "gp_practices_epraccur_london_2023-12.csv", index=False)
    bundle_gp_list_sizes(rec, out, set(gp["org_code"]))

    fhrs = pd.read_csv(rec / "london" / "fhrs_london_33boroughs_2020-07.csv", dtype=str, keep_default_na=False)
    fhrs = fhrs[FHRS_COLUMNS].copy()
    for col in ("Longitude", "Latitude"):   # "0.16007800000000" -> "0.160078": the same number, fewer bytes
        fhrs[col] = fhrs[col].str.replace(r"(\.\d*?)0+$", r"\1", regex=True).str.replace(r"\.$", "", regex=True)
    fhrs.to_csv(out / "records" / "fhrs_london_2020-07.csv", index=False)


    gias = pd.read_csv(rec / "gias_schools_london_open_2025-05.csv", dtype=str)
    gias.to_csv(out / "records" / "gias_schools_london_open_2025-05.csv", index=False)
    for name in ["fixmystreet_lsoa_counts_bd_2010_2019.csv", "police_uk_2023-01_metropolitan_street_sample.csv"]:
        shutil.copy(rec / name, out / "records" / name)

    bundle_london_access(shared, out, lsoa11_london=london_lsoa11, london_postcodes=london_postcodes,
                         london_names=set(lad["LAD22NM"].str.lower()))

    for name in SUPERSEDED:
        (out / name).unlink(missing_ok=True)


def bundle_london_access(shared: Path, out: Path, lsoa11_london: set[str], london_postcodes: set[str],
                         london_names: set[str]) -> None:
    """Fuel poverty, PTAL, LSOA 2011 population-weighted centroids and public libraries, London only.

    - DESNZ sub-regional fuel poverty (already London rows, 2011-2022): the six columns read;
      every row kept (the 2011 LSOA 2001 rows too: staging decides which of them are usable).
    - TfL PTAL 2015: LSOA code and average PTAI (the PTAL band and the high/low PTAI are not read).
    - ONS LSOA 2011 population-weighted centroids (drkane/geo-lookups lsoa_latlong.csv): London
      LSOA 2011 rows, WGS84 latitude/longitude converted to British National Grid (EPSG:27700,
      to 0.1 m) with pyproj, so that distances to Code-Point postcodes are in metres.
    - Libraries: the Arts Council England list (Dec 2022) rows of the 33 London authorities;
      the DCMS Libraries Taskforce list (2016-17) rows of the London library authorities (an
      authority most of whose libraries have a London Code-Point postcode), nine columns.
    """
    fp = pd.read_csv(shared / "indicators" / "fuel_poverty" / "desnz_subregional_fuel_poverty_lsoa_london_2011-2022.csv",
                     dtype=str, keep_default_na=False)
    (out / "indicators" / "fuel_poverty").mkdir(parents=True, exist_ok=True)
    fp[FUEL_POVERTY_COLUMNS].to_csv(out / "indicators" / "fuel_poverty" / "desnz_fuel_poverty_lsoa_london_2011-2022.csv",
                                    index=False)

    ptal = pd.read_csv(shared / "indicators" / "ptal" / "ptal_lsoa2011_london_2015.csv", dtype=str, keep_default_na=False)
    (out / "indicators" / "ptal").mkdir(parents=True, exist_ok=True)
    ptal[["geography code", "AvPTAI2015"]].to_csv(out / "indicators" / "ptal" / "ptal_lsoa2011_london_2015.csv", index=False)

    cent = pd.read_csv(shared / "geography" / "lsoa_latlong.csv", dtype=str)
    cent = cent[cent["lsoa11cd"].isin(lsoa11_london)].sort_values("lsoa11cd")
    pts = gpd.points_from_xy(cent["longitude"].astype(float), cent["latitude"].astype(float), crs="EPSG:4326").to_crs(27700)
    pd.DataFrame({"lsoa11cd": cent["lsoa11cd"].to_numpy(), "easting": pts.x.round(1), "northing": pts.y.round(1)}).to_csv(
        out / "geography" / "lsoa11_population_weighted_centroids_london.csv", index=False)

    lib = shared / "records" / "london"
    ace = pd.read_csv(lib / "ace_basic_libraries_england_static_statutory_open_2022-12.csv", dtype=str,
                      encoding="utf-8-sig", keep_default_na=False)
    ace[ace["Local authority"].str.lower().isin(london_names)].to_csv(
        out / "records" / "ace_libraries_london_2022-12.csv", index=False)
    tf = pd.read_csv(lib / "librarieshacked_libraries_england_taskforce_2016-17.csv", dtype=str, keep_default_na=False)
    in_london = _postcode_key(tf["postcode"]).isin(london_postcodes)
    authorities = in_london.groupby(tf["authority_id"]).mean()
    tf = tf[tf["authority_id"].isin(authorities[authorities > 0.5].index)]
    tf[LIBRARY_TASKFORCE_COLUMNS].to_csv(out / "records" / "libraries_taskforce_london_2016-17.csv", index=False)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data"), Path("data"))
