"""Geography reference assets: the borough's boundaries of each vintage and its lookups.

Why: every indicator is reported on LSOAs, on the 17 pre-2022 wards, on the 19 current
wards and on the borough. These assets build those areas once, from the landed boundary
files, in EPSG:27700, and write them to the warehouse's `geography` schema where dbt and
the publish step read them. The spatial logic lives in `social_progress.geography`.
"""

import json
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from social_progress.borough import load_area_config
from social_progress.geography import boundaries
from social_progress.settings import get_settings
from social_progress.warehouse import read_table, replace_table

GROUP = "geography"
OWNER = ["insight@lbbd.example.gov.uk"]


def _raw_geoframe(table: str) -> gpd.GeoDataFrame:
    """A landed boundary table (geometry as WKT plus its CRS) back as a GeoDataFrame."""
    df = read_table(get_settings().duckdb_path, f'SELECT * FROM raw."{table}"')
    crs = df["_crs"].dropna().unique()
    if len(crs) != 1:
        raise boundaries.BoundaryError(f"raw.{table}: expected one CRS, found {list(crs)}")
    geom = gpd.GeoSeries.from_wkt(df.pop("geometry_wkt"), crs=crs[0])
    return gpd.GeoDataFrame(df.drop(columns=["_crs"]), geometry=geom, crs=crs[0]).to_crs(boundaries.BNG)


def _frame_columns(gdf: gpd.GeoDataFrame, columns: dict[str, str]) -> gpd.GeoDataFrame:
    missing = [c for c in columns if c not in gdf.columns]
    if missing:
        raise boundaries.BoundaryError(f"boundary table lacks column(s) {missing}")
    return gdf[[*columns, "geometry"]].rename(columns=columns)


def _store(name: str, gdf: gpd.GeoDataFrame) -> int:
    out = pd.DataFrame(gdf.drop(columns="geometry"))
    out["geometry_wkt"] = gdf.geometry.to_wkt(rounding_precision=2)  # 1 cm in EPSG:27700
    return replace_table(get_settings().duckdb_path, "geography", name, out)


def _load(name: str) -> gpd.GeoDataFrame:
    df = read_table(get_settings().duckdb_path, f'SELECT * FROM geography."{name}"')
    return gpd.GeoDataFrame(df.drop(columns="geometry_wkt"), geometry=gpd.GeoSeries.from_wkt(df["geometry_wkt"]), crs=boundaries.BNG)


def _borough_code() -> str:
    return load_area_config(get_settings().areas_path).borough.code


def _result(name: str, gdf: pd.DataFrame, **extra) -> MaterializeResult:
    meta = {"rows": MetadataValue.int(len(gdf)), "table": MetadataValue.text(f"geography.{name}")}
    if isinstance(gdf, gpd.GeoDataFrame):
        meta["area_km2"] = MetadataValue.float(round(float(gdf.geometry.area.sum()) / 1e6, 3))
    meta.update({k: (MetadataValue.int(v) if isinstance(v, int) else MetadataValue.text(str(v))) for k, v in extra.items()})
    return MaterializeResult(metadata=meta)


def _borough_cut_asset(name: str, columns: dict[str, str], description: str):
    """A boundary layer landed as a raw table, renamed to our column names and cut to the borough."""
    code = list(columns.values())[0]

    @asset(key=AssetKey(["geography", name]), deps=[AssetKey(["raw", name])], group_name=GROUP, owners=OWNER,
           description=description)
    def _cut() -> MaterializeResult:
        g = _frame_columns(_raw_geoframe(name), columns)
        g = g[g["lad_code"] == _borough_code()].sort_values(code, ignore_index=True)
        _store(name, g)
        return _result(name, g)

    return _cut


lsoa11_boundaries = _borough_cut_asset("lsoa11_boundaries", {"LSOA11CD": "lsoa11_code", "LSOA11NM": "lsoa11_name", "LAD11CD": "lad_code"},
                                       "LSOA 2011 polygons of the borough (EPSG:27700).")
lsoa21_boundaries = _borough_cut_asset("lsoa21_boundaries", {"LSOA21CD": "lsoa21_code", "LSOA21NM": "lsoa21_name", "LAD22CD": "lad_code"},
                                       "LSOA 2021 polygons of the borough (EPSG:27700).")
ward22_boundaries = _borough_cut_asset("ward22_boundaries", {"WD25CD": "ward22_code", "WD25NM": "ward22_name", "LAD25CD": "lad_code"},
                                       "The borough's current wards (boundaries from May 2022; ONS WD25 codes, unchanged since).")


@asset(key=AssetKey(["geography", "ward19_boundaries"]),
       deps=[AssetKey(["geography", "lsoa11_boundaries"]), AssetKey(["raw", "lsoa11_ward19_lookup"])], group_name=GROUP, owners=OWNER,
       description="The borough's pre-2022 wards, dissolved from LSOA 2011 polygons by the official ONS LSOA11 -> ward 2019 lookup.")
def ward19_boundaries() -> MaterializeResult:
    lookup = read_table(get_settings().duckdb_path, 'SELECT * FROM raw."lsoa11_ward19_lookup"')
    g = boundaries.build_wards19(_load("lsoa11_boundaries"), lookup)
    _store("ward19_boundaries", g)
    return _result("ward19_boundaries", g)


@asset(key=AssetKey(["geography", "borough_boundary"]), deps=[AssetKey(["raw", "borough_boundaries"])], group_name=GROUP, owners=OWNER,
       description="The borough's outline.")
def borough_boundary() -> MaterializeResult:
    g = _frame_columns(_raw_geoframe("borough_boundaries"), {"LAD22CD": "lad_code", "LAD22NM": "lad_name"})
    g = g[g["lad_code"] == _borough_code()].reset_index(drop=True)
    if len(g) != 1:
        raise boundaries.BoundaryError(f"borough {_borough_code()} not found in raw.borough_boundaries")
    _store("borough_boundary", g)
    return _result("borough_boundary", g)


@asset(key=AssetKey(["geography", "lsoa11_lookup"]),
       deps=[AssetKey(["geography", n]) for n in ("lsoa11_boundaries", "ward19_boundaries", "ward22_boundaries")] + [AssetKey(["raw", "lsoa11_ward19_lookup"])],
       group_name=GROUP, owners=OWNER,
       description="Each LSOA 2011 with its pre-2022 ward (official lookup), its current ward (best fit by area: "
                   "the 2022 wards do not nest LSOAs) and its centroid in EPSG:27700.")
def lsoa11_lookup(context: AssetExecutionContext) -> MaterializeResult:
    lsoa = _load("lsoa11_boundaries")
    lookup = read_table(get_settings().duckdb_path, 'SELECT "LSOA11CD" AS lsoa11_code, "WD19CD" AS ward19_code FROM raw."lsoa11_ward19_lookup"')
    fit = boundaries.best_fit(lsoa, "lsoa11_code", _load("ward22_boundaries"), "ward22_code").rename(columns={"share": "ward22_share"})
    out = lsoa[["lsoa11_code", "lsoa11_name", "lad_code"]].merge(lookup, on="lsoa11_code", how="left").merge(fit, on="lsoa11_code", how="left")
    cent = lsoa.geometry.representative_point()
    out["centroid_x"], out["centroid_y"] = cent.x.round(1).to_numpy(), cent.y.round(1).to_numpy()
    missing = out[out["ward19_code"].isna() | out["ward22_code"].isna()]
    if len(missing):
        raise boundaries.BoundaryError(f"{len(missing)} LSOA 2011 without a ward, e.g. {missing['lsoa11_code'].iloc[0]}")
    replace_table(get_settings().duckdb_path, "geography", "lsoa11_lookup", out.sort_values("lsoa11_code", ignore_index=True))
    split = int((out["ward22_share"] < 0.99).sum())
    context.log.info(f"{len(out)} LSOA 2011; {split} straddle a 2022 ward boundary (best fit share < 99%)")
    return _result("lsoa11_lookup", out, lsoas_split_between_wards=split,
                   smallest_best_fit_share=f"{out['ward22_share'].min():.3f}")


@asset(key=AssetKey(["geography", "areas"]),
       deps=[AssetKey(["geography", n]) for n in ("lsoa11_boundaries", "lsoa21_boundaries", "ward19_boundaries", "ward22_boundaries", "borough_boundary")],
       group_name=GROUP, owners=OWNER,
       description="Every reporting area: code, name, level (lsoa / ward / borough) and boundary vintage.")
def areas() -> MaterializeResult:
    parts = [
        (_load("lsoa11_boundaries"), "lsoa11_code", "lsoa11_name", "lsoa", "lsoa11"),
        (_load("lsoa21_boundaries"), "lsoa21_code", "lsoa21_name", "lsoa", "lsoa21"),
        (_load("ward19_boundaries"), "ward19_code", "ward19_name", "ward", "ward19"),
        (_load("ward22_boundaries"), "ward22_code", "ward22_name", "ward", "ward22"),
        (_load("borough_boundary"), "lad_code", "lad_name", "borough", "lad"),
    ]
    frames = [pd.DataFrame({"area_code": g[c], "area_name": g[n], "area_level": lvl, "boundary": b, "lad_code": g["lad_code"]})
              for g, c, n, lvl, b in parts]
    out = pd.concat(frames, ignore_index=True).sort_values(["boundary", "area_code"], ignore_index=True)
    replace_table(get_settings().duckdb_path, "geography", "areas", out)
    counts = out.groupby("boundary").size().to_dict()
    return _result("areas", out, **{f"n_{k}": int(v) for k, v in counts.items()})


geography_assets = [lsoa11_boundaries, lsoa21_boundaries, ward22_boundaries, ward19_boundaries, borough_boundary, lsoa11_lookup, areas]


# --- Bridges between vintages and levels --------------------------------------------------

LAYER_TABLES = {"lsoa11": "lsoa11_boundaries", "lsoa21": "lsoa21_boundaries", "ward19": "ward19_boundaries",
                "ward22": "ward22_boundaries", "lad": "borough_boundary"}


def _layers() -> dict[str, gpd.GeoDataFrame]:
    """The five layers of the borough (codes named <layer>_code) from the warehouse."""
    return {name: _load(table) for name, table in LAYER_TABLES.items()}


def _postcode_points() -> gpd.GeoDataFrame:
    from social_progress.geography.vintages import population_points_from_codepoint

    cp = read_table(get_settings().duckdb_path, 'SELECT positional_quality, easting, northing FROM raw."postcodes"')
    cp[["easting", "northing"]] = cp[["easting", "northing"]].apply(pd.to_numeric, errors="coerce")
    return population_points_from_codepoint(cp)


@asset(key=AssetKey(["geography", "bridges"]),
       deps=[AssetKey(["geography", t]) for t in LAYER_TABLES.values()] + [AssetKey(["raw", "postcodes"]), AssetKey(["raw", "lsoa11_ward19_lookup"])],
       group_name=GROUP, owners=OWNER,
       description="Bridges between every level and vintage (geography.bridges: bridge, source_code, target_code, weight): "
                   "the official lookup where areas nest (LSOA11 -> 2019 wards, anything -> borough), apportionment "
                   "weighted by postcode centroids where they do not (LSOA21 -> 2022 wards, LSOA11 <-> LSOA21, old <-> new "
                   "wards), and a best-fit variant. Weights sum to 1 for each source area.")
def bridges(context: AssetExecutionContext) -> MaterializeResult:
    from social_progress.geography.vintages import build_bridges

    lookup = read_table(get_settings().duckdb_path, 'SELECT * FROM raw."lsoa11_ward19_lookup"')
    built = build_bridges(_layers(), lookup, _postcode_points())
    frames, reports = [], {}
    for name, (frame, report) in built.items():
        source, target = name.split(":")[0].split("->")
        frames.append(frame[["source_code", "target_code", "weight"]].assign(
            bridge=name, source_level=source, target_level=target, method=report.method))
        reports[name] = report.to_dict()
        context.log.info(f"{name}: {report.method}, {report.n_split_sources} split sources, "
                         f"area assigned {report.share_area_assigned}, population assigned {report.share_population_assigned}")
    table = pd.concat(frames, ignore_index=True)[["bridge", "source_level", "target_level", "method", "source_code", "target_code", "weight"]]
    replace_table(get_settings().duckdb_path, "geography", "bridges", table.sort_values(["bridge", "source_code", "target_code"], ignore_index=True))
    replace_table(get_settings().duckdb_path, "geography", "bridge_reports",
                  pd.DataFrame({"bridge": list(reports), "report": [json.dumps(r, sort_keys=True) for r in reports.values()]}))
    return MaterializeResult(metadata={
        "bridges": MetadataValue.int(len(reports)), "rows": MetadataValue.int(len(table)),
        "quality": MetadataValue.json({k: {f: v[f] for f in ("method", "share_area_assigned", "share_population_assigned",
                                                             "n_split_sources", "largest_split")} for k, v in reports.items()}),
    })


# --- Record-level sources placed on every layer, with a match report ----------------------

@dataclass(frozen=True)
class Placement:
    source_id: str
    key: str
    postcode: str | None = None          # geocode by postcode, or
    x: str | None = None                 # by coordinates
    y: str | None = None
    crs: str | None = None


PLACEMENTS = [
    Placement("police_uk", key="Crime ID", x="Longitude", y="Latitude", crs="EPSG:4326"),
    Placement("schools", key="urn", x="easting", y="northing", crs="EPSG:27700"),
    Placement("gp_practices", key="org_code", postcode="postcode"),
    Placement("food_hygiene", key="FHRSID", postcode="PostCode"),
]


def _placement_asset(p: Placement):
    how = f"postcode column '{p.postcode}'" if p.postcode else f"coordinates {p.x}/{p.y} ({p.crs})"

    @asset(key=AssetKey(["geography", f"{p.source_id}_located"]),
           deps=[AssetKey(["raw", p.source_id]), AssetKey(["raw", "postcodes"])] + [AssetKey(["geography", t]) for t in LAYER_TABLES.values()],
           group_name=GROUP, owners=OWNER,
           description=f"Every {p.source_id} record placed on LSOA 2011/2021, both ward sets and the borough from its {how}; "
                       "unmatched, fixed and out-of-borough records are counted and listed in the match report.")
    def _located(context: AssetExecutionContext) -> MaterializeResult:  # one op per source (named by its key)
        from social_progress.geography.points import assign_points
        from social_progress.geography.postcodes import geocode_postcodes

        db = get_settings().duckdb_path
        records = read_table(db, f'SELECT * FROM raw."{p.source_id}"')
        layers, borough = _layers(), _borough_code()
        if p.postcode:
            lookup = read_table(db, 'SELECT postcode, easting, northing FROM raw."postcodes"')
            lookup[["easting", "northing"]] = lookup[["easting", "northing"]].apply(pd.to_numeric, errors="coerce")
            placed, report = geocode_postcodes(records, p.postcode, lookup, layers, borough=borough, key_cols=[p.key], source=p.source_id)
        else:
            placed, report = assign_points(records, p.x, p.y, p.crs, layers, borough=borough, key_cols=[p.key], source=p.source_id)
        codes = [c for c in placed.columns if c.endswith("_code") and c.split("_")[0] in LAYER_TABLES] + \
                [c for c in ("x_27700", "y_27700", "geo_status", "geo_fix", "outside_borough") if c in placed.columns]
        out = placed[[p.key, *dict.fromkeys(codes)]].rename(columns={p.key: "record_key"})
        replace_table(db, "geography", f"{p.source_id}_located", out)
        _store_match_report(p.source_id, report.to_dict())
        summary = report.to_dict()
        context.log.info(f"{p.source_id}: {report.summary() if hasattr(report, 'summary') else summary}")
        counts = {k: v for k, v in summary.items() if isinstance(v, int)}
        return MaterializeResult(metadata={
            **{k: MetadataValue.int(v) for k, v in counts.items()},
            "match_rate": MetadataValue.float(round(float(report.match_rate), 4)),
            "match_report": MetadataValue.json(summary),
        })

    return _located


def _store_match_report(source_id: str, report: dict) -> None:
    from social_progress.warehouse import connect

    with connect(get_settings().duckdb_path) as con:
        con.execute("BEGIN")
        con.execute("CREATE SCHEMA IF NOT EXISTS geography")
        con.execute("CREATE TABLE IF NOT EXISTS geography.match_reports (source_id VARCHAR PRIMARY KEY, report VARCHAR)")
        con.execute("DELETE FROM geography.match_reports WHERE source_id = ?", [source_id])
        con.execute("INSERT INTO geography.match_reports VALUES (?, ?)", [source_id, json.dumps(report, sort_keys=True, default=str)])
        con.execute("COMMIT")


placement_assets = [_placement_asset(p) for p in PLACEMENTS]
geography_assets = [*geography_assets, bridges, *placement_assets]
