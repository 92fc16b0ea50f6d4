"""Geography reference assets: the borough's boundaries of each vintage, its lookups and bridges.

Why: every indicator is reported on LSOAs, on the pre-2022 wards, on the current wards and
on the borough. These assets build those areas once, from the landed boundary files, in
EPSG:27700, and write them to the warehouse's `geography` schema where dbt and the publish
step read them. The spatial logic lives in `social_progress.geography`; these functions
only read their inputs, call it and write the result.
"""

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from social_progress.borough import area_config, area_config_version
from social_progress.defs.resources import PlatformResource, WarehouseResource
from social_progress.defs.versions import code_version
from social_progress.geography import boundaries
from social_progress.geography.lookup import lsoa11_lookup as derive_lsoa11_lookup
from social_progress.geography.tables import areas_table, bridges_table, located_table
from social_progress.settings import Settings

GROUP = "geography"
KINDS = {"geopandas", "duckdb"}
GEOGRAPHY_TIME_LIMIT_S = 900


def time_limited(fn):
    """The asset body under the step's time limit, in one warehouse session (one connection
    for its many reads and writes); the signature is kept for Dagster."""
    import contextlib
    import functools

    @functools.wraps(fn)
    def _limited(*args, **kwargs):
        from social_progress.processes import step_deadline

        wh = kwargs.get("warehouse")
        session = wh.session(f"geography asset {fn.__name__}") if wh is not None else contextlib.nullcontext()
        with step_deadline(GEOGRAPHY_TIME_LIMIT_S, f"geography asset {fn.__name__}"), session:
            return fn(*args, **kwargs)

    return _limited


def _raw_boundaries(context: AssetExecutionContext, wh: WarehouseResource, table: str,
                    columns: dict[str, str]) -> tuple[gpd.GeoDataFrame, list[str]]:
    """A landed boundary table, checked (CRS, geometry), in EPSG:27700 with our column names."""
    g, repaired = boundaries.landed_boundaries(wh.read_table(f'SELECT * FROM raw."{table}"'), table, columns)
    if repaired:
        context.log.warning(f"raw.{table}: repaired {len(repaired)} invalid polygon(s): {', '.join(repaired[:20])}")
    return g, repaired


def _store(wh: WarehouseResource, name: str, gdf: gpd.GeoDataFrame) -> int:
    out = pd.DataFrame(gdf.drop(columns="geometry"))
    out["geometry_wkt"] = boundaries.geometry_wkt(gdf, next((c for c in gdf.columns if c.endswith("_code")), None))
    return wh.replace_table("geography", name, out)


def _load(wh: WarehouseResource, name: str) -> gpd.GeoDataFrame:
    df = wh.read_table(f'SELECT * FROM geography."{name}"')
    return gpd.GeoDataFrame(df.drop(columns="geometry_wkt"), geometry=gpd.GeoSeries.from_wkt(df["geometry_wkt"]), crs=boundaries.BNG)


def _boroughs(platform: PlatformResource) -> list[str]:
    """The boroughs whose areas are reported: the deployed borough, or all 33 for London."""
    return area_config(platform.settings).boroughs


def _result(name: str, gdf: pd.DataFrame, **extra) -> MaterializeResult:
    meta = {"dagster/row_count": MetadataValue.int(len(gdf)), "table": MetadataValue.text(f"geography.{name}")}
    if isinstance(gdf, gpd.GeoDataFrame):
        meta["area_km2"] = MetadataValue.float(round(float(gdf.geometry.area.sum()) / 1e6, 3))
    meta.update({k: (MetadataValue.int(v) if isinstance(v, int) else MetadataValue.text(str(v))) for k, v in extra.items()})
    return MaterializeResult(metadata=meta)


LAYER_TABLES = {"lsoa11": "lsoa11_boundaries", "lsoa21": "lsoa21_boundaries", "ward19": "ward19_boundaries",
                "ward22": "ward22_boundaries", "lad": "borough_boundary"}
BOROUGH_CUTS = {
    "lsoa11_boundaries": ({"LSOA11CD": "lsoa11_code", "LSOA11NM": "lsoa11_name", "LAD11CD": "lad_code"},
                          "LSOA 2011 polygons of the borough (EPSG:27700)."),
    "lsoa21_boundaries": ({"LSOA21CD": "lsoa21_code", "LSOA21NM": "lsoa21_name", "LAD22CD": "lad_code"},
                          "LSOA 2021 polygons of the borough (EPSG:27700)."),
    "ward22_boundaries": ({"WD25CD": "ward22_code", "WD25NM": "ward22_name", "LAD25CD": "lad_code"},
                          "The borough's current wards (boundaries from May 2022; ONS WD25 codes, unchanged since)."),
}


def _layers(wh: WarehouseResource) -> dict[str, gpd.GeoDataFrame]:
    """The five layers of the borough (codes named <layer>_code) from the warehouse."""
    return {name: _load(wh, table) for name, table in LAYER_TABLES.items()}


def _key(name: str) -> AssetKey:
    return AssetKey(["geography", name])


def build_geography_assets(settings: Settings, owner: str) -> list:
    """Boundaries, lookup, areas, bridges and located records, all owned by the index owner
    (the council team that maintains the reference geography)."""
    version = code_version("geography", extra=area_config_version(settings))
    common = dict(group_name=GROUP, owners=[owner], kinds=KINDS, code_version=version,
                  op_tags={"social_progress/time_limit_s": str(GEOGRAPHY_TIME_LIMIT_S)})
    assets = [_borough_cut_asset(name, cols, text, common) for name, (cols, text) in BOROUGH_CUTS.items()]

    @asset(key=_key("ward19_boundaries"), deps=[_key("lsoa11_boundaries"), AssetKey(["raw", "lsoa11_ward19_lookup"])],
           description="The borough's pre-2022 wards, dissolved from LSOA 2011 polygons by the official ONS LSOA11 -> "
                       "ward 2019 lookup.", **common)
    @time_limited
    def ward19_boundaries(warehouse: WarehouseResource) -> MaterializeResult:
        lookup = warehouse.read_table('SELECT * FROM raw."lsoa11_ward19_lookup"')
        g = boundaries.build_wards19(_load(warehouse, "lsoa11_boundaries"), lookup)
        _store(warehouse, "ward19_boundaries", g)
        return _result("ward19_boundaries", g)

    @asset(key=_key("borough_boundary"), deps=[AssetKey(["raw", "borough_boundaries"])],
           description="The borough's outline.", **common)
    @time_limited
    def borough_boundary(context: AssetExecutionContext, warehouse: WarehouseResource,
                         platform: PlatformResource) -> MaterializeResult:
        g, repaired = _raw_boundaries(context, warehouse, "borough_boundaries", {"LAD22CD": "lad_code", "LAD22NM": "lad_name"})
        codes = _boroughs(platform)
        g = g[g["lad_code"].isin(codes)].sort_values("lad_code", ignore_index=True)
        if len(g) != len(codes):
            missing = sorted(set(codes) - set(g["lad_code"]))
            raise boundaries.BoundaryError(f"borough(s) {', '.join(missing)} not found in raw.borough_boundaries")
        _store(warehouse, "borough_boundary", g)
        return _result("borough_boundary", g, repaired_polygons=len(repaired))

    @asset(key=_key("lsoa11_lookup"),
           deps=[_key(n) for n in ("lsoa11_boundaries", "ward19_boundaries", "ward22_boundaries")]
           + [AssetKey(["raw", "lsoa11_ward19_lookup"])],
           description="Each LSOA 2011 with its pre-2022 ward (official lookup), its current ward (best fit by area: "
                       "the 2022 wards do not nest LSOAs) and its centroid in EPSG:27700.", **common)
    @time_limited
    def lsoa11_lookup(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
        out = derive_lsoa11_lookup(_load(warehouse, "lsoa11_boundaries"),
                                   warehouse.read_table('SELECT * FROM raw."lsoa11_ward19_lookup"'),
                                   _load(warehouse, "ward22_boundaries"))
        warehouse.replace_table("geography", "lsoa11_lookup", out)
        split = int((out["ward22_share"] < 0.99).sum())
        context.log.info(f"{len(out)} LSOA 2011; {split} straddle a 2022 ward boundary (best fit share < 99%)")
        return _result("lsoa11_lookup", out, lsoas_split_between_wards=split,
                       smallest_best_fit_share=f"{out['ward22_share'].min():.3f}")

    @asset(key=_key("areas"), deps=[_key(t) for t in LAYER_TABLES.values()],
           description="Every reporting area: code, name, level (lsoa / ward / borough) and boundary vintage.", **common)
    @time_limited
    def areas(warehouse: WarehouseResource) -> MaterializeResult:
        out = areas_table(_layers(warehouse))
        warehouse.replace_table("geography", "areas", out)
        counts = out.groupby("boundary").size().to_dict()
        return _result("areas", out, **{f"n_{k}": int(v) for k, v in counts.items()})

    @asset(key=_key("bridges"),
           deps=[_key(t) for t in LAYER_TABLES.values()] + [AssetKey(["raw", "postcodes"]),
                                                          AssetKey(["raw", "lsoa11_ward19_lookup"])],
           description="Bridges between every level and vintage (geography.bridges: bridge, source_code, target_code, "
                       "weight): the official lookup where areas nest (LSOA11 -> 2019 wards, anything -> borough), "
                       "apportionment weighted by postcode centroids where they do not (LSOA21 -> 2022 wards, LSOA11 "
                       "<-> LSOA21, old <-> new wards), and a best-fit variant. Weights sum to 1 for each source area.",
           **common)
    @time_limited
    def bridges(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
        from social_progress.geography.vintages import build_bridges, population_points_from_codepoint

        lookup = warehouse.read_table('SELECT * FROM raw."lsoa11_ward19_lookup"')
        cp = warehouse.read_table('SELECT positional_quality, easting, northing FROM raw."postcodes"')
        cp[["easting", "northing"]] = cp[["easting", "northing"]].apply(pd.to_numeric, errors="coerce")
        built = build_bridges(_layers(warehouse), lookup, population_points_from_codepoint(cp))
        for name, (_, report) in built.items():
            context.log.info(f"{name}: {report.method}, {report.n_split_sources} split sources, area assigned "
                             f"{report.share_area_assigned}, population assigned {report.share_population_assigned}")
        table, report_frame = bridges_table(built)
        warehouse.replace_table("geography", "bridges", table)
        warehouse.replace_table("geography", "bridge_reports", report_frame)
        reports = {name: report.to_dict() for name, (_, report) in built.items()}
        return MaterializeResult(metadata={
            "bridges": MetadataValue.int(len(reports)), "dagster/row_count": MetadataValue.int(len(table)),
            "quality": MetadataValue.json({k: {f: v[f] for f in ("method", "share_area_assigned",
                                                                 "share_population_assigned", "n_split_sources",
                                                                 "largest_split")} for k, v in reports.items()}),
        })

    assets += [ward19_boundaries, borough_boundary, lsoa11_lookup, areas, bridges]
    assets += [_placement_asset(p, common) for p in PLACEMENTS]
    return assets


def _borough_cut_asset(name: str, columns: dict[str, str], description: str, common: dict):
    """A boundary layer landed as a raw table, renamed to our column names and cut to the borough."""
    code = list(columns.values())[0]

    @asset(key=_key(name), deps=[AssetKey(["raw", name])], description=description, **common)
    @time_limited
    def _cut(context: AssetExecutionContext, warehouse: WarehouseResource, platform: PlatformResource) -> MaterializeResult:
        g, repaired = _raw_boundaries(context, warehouse, name, columns)
        g = g[g["lad_code"].isin(_boroughs(platform))].sort_values(code, ignore_index=True)
        _store(warehouse, name, g)
        return _result(name, g, repaired_polygons=len(repaired))

    return _cut


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


def _placement_asset(p: Placement, common: dict):
    how = f"postcode column '{p.postcode}'" if p.postcode else f"coordinates {p.x}/{p.y} ({p.crs})"

    @asset(key=_key(f"{p.source_id}_located"),
           deps=[AssetKey(["raw", p.source_id]), AssetKey(["raw", "postcodes"])] + [_key(t) for t in LAYER_TABLES.values()],
           description=f"Every {p.source_id} record placed on LSOA 2011/2021, both ward sets and the borough from its "
                       f"{how}; unmatched, fixed and out-of-borough records are counted and listed in the match report.",
           **common)
    @time_limited
    def _located(context: AssetExecutionContext, warehouse: WarehouseResource,
                 platform: PlatformResource) -> MaterializeResult:  # one op per source (named by its key)
        from social_progress.geography.points import assign_points
        from social_progress.geography.postcodes import geocode_postcodes

        records = warehouse.read_table(f'SELECT * FROM raw."{p.source_id}"')
        # one borough: records placed in another are flagged outside_borough; London: none is
        codes = _boroughs(platform)
        layers, borough = _layers(warehouse), (codes[0] if len(codes) == 1 else None)
        if p.postcode:
            lookup = warehouse.read_table('SELECT postcode, easting, northing FROM raw."postcodes"')
            lookup[["easting", "northing"]] = lookup[["easting", "northing"]].apply(pd.to_numeric, errors="coerce")
            placed, report = geocode_postcodes(records, p.postcode, lookup, layers, borough=borough, key_cols=[p.key], source=p.source_id)
        else:
            placed, report = assign_points(records, p.x, p.y, p.crs, layers, borough=borough, key_cols=[p.key], source=p.source_id)
        out = located_table(placed, p.key)
        warehouse.replace_table("geography", f"{p.source_id}_located", out)
        _store_match_report(warehouse, p.source_id, report.to_dict())
        summary = report.to_dict()
        context.log.info(f"{p.source_id}: {report.summary() if hasattr(report, 'summary') else summary}")
        counts = {k: v for k, v in summary.items() if isinstance(v, int)}
        return MaterializeResult(metadata={
            "dagster/row_count": MetadataValue.int(len(out)),
            **{k: MetadataValue.int(v) for k, v in counts.items()},
            "match_rate": MetadataValue.float(round(float(report.match_rate), 4)),
            "match_report": MetadataValue.json(summary),
        })

    return _located


def _store_match_report(wh: WarehouseResource, source_id: str, report: dict) -> None:
    import json

    with wh.write() as con:
        con.execute("BEGIN")
        con.execute("CREATE SCHEMA IF NOT EXISTS geography")
        con.execute("CREATE TABLE IF NOT EXISTS geography.match_reports (source_id VARCHAR PRIMARY KEY, report VARCHAR)")
        con.execute("DELETE FROM geography.match_reports WHERE source_id = ?", [source_id])
        con.execute("INSERT INTO geography.match_reports VALUES (?, ?)", [source_id, json.dumps(report, sort_keys=True, default=str)])
        con.execute("COMMIT")

