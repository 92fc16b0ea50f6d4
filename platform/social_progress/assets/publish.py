"""The publish asset: the yearly release, written only when the marts' checks passed.

It runs in the same job as the index and its blocking checks, so a failed check skips it
and the previous release stays as it was.
"""
import geopandas as gpd
import pandas as pd
from dagster import AssetCheckKey, AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from social_progress.borough import load_area_config
from social_progress.catalogue import load_catalogue
from social_progress.publish.code_version import code_version
from social_progress.publish.contents import metadata_json, scores_csv, scores_geojson
from social_progress.publish.release import publish
from social_progress.settings import get_settings
from social_progress.warehouse import read_table

GATES = [AssetCheckKey(AssetKey(["marts", "index_scores"]), "index_scores_expectations")]
BOUNDARY_TABLES = {"lsoa11": "lsoa11_boundaries", "ward19": "ward19_boundaries", "ward22": "ward22_boundaries", "lad": "borough_boundary"}


def release_inputs(db, sources_path) -> list[dict]:
    """Every landed input with its content hash, joined to its catalogue entry."""
    log = read_table(db, """SELECT source_id, content_hash, "rows" FROM raw._ingest_log
                            QUALIFY row_number() OVER (PARTITION BY source_id ORDER BY ingested_at DESC) = 1""")
    catalogue = load_catalogue(sources_path)
    out = []
    for r in log.itertuples():
        try:
            s = catalogue.get(r.source_id)
        except KeyError:
            continue
        out.append({"source_id": r.source_id, "title": s.title, "publisher": s.publisher, "licence": s.licence.name,
                    "attribution": s.licence.attribution, "content_hash": r.content_hash, "rows": int(r.rows)})
    return out


def boundaries_frame(db, areas: pd.DataFrame) -> gpd.GeoDataFrame:
    frames = []
    for boundary, table in BOUNDARY_TABLES.items():
        df = read_table(db, f'SELECT * FROM geography."{table}"')
        code = [c for c in df.columns if c.endswith("_code") and c != "lad_code"] or ["lad_code"]
        frames.append(pd.DataFrame({"area_code": df[code[0]], "boundary": boundary, "geometry_wkt": df["geometry_wkt"]}))
    g = pd.concat(frames, ignore_index=True).merge(areas[["area_code", "boundary", "area_name", "area_level"]], on=["area_code", "boundary"])
    return gpd.GeoDataFrame(g.drop(columns="geometry_wkt"), geometry=gpd.GeoSeries.from_wkt(g["geometry_wkt"]), crs="EPSG:27700")


@asset(key=AssetKey(["release", "yearly_release"]), deps=[AssetKey(["marts", "index_scores"])], group_name="publish",
       owners=[load_area_config(get_settings().areas_path).index_owner.email],
       description="releases/<year>/: scores (CSV), areas with scores (GeoJSON, WGS84) and metadata (every input with "
                   "its content hash, weights, checks), written atomically; never overwrites a release.")
def yearly_release(context: AssetExecutionContext) -> MaterializeResult:
    settings = get_settings()
    cfg = load_area_config(settings.areas_path)
    db = settings.duckdb_path
    scores = read_table(db, "SELECT * FROM marts.index_scores")
    years = read_table(db, "SELECT year FROM marts.index_years ORDER BY year")["year"].tolist()
    weights = read_table(db, "SELECT * FROM marts.index_weights")
    areas = read_table(db, "SELECT * FROM geography.areas WHERE boundary <> 'lsoa21'")
    year = max(years)
    files = {"scores.csv": scores_csv(scores), "areas.geojson": scores_geojson(boundaries_frame(db, areas), scores, year)}
    checks = [{"check": k.to_user_string(), "status": "passed", "blocking": True} for k in GATES]
    files["metadata.json"] = metadata_json(
        borough=cfg.borough.model_dump(), year=year, years=years, inputs=release_inputs(db, settings.sources_path),
        weights=weights, checks=checks, files=dict(files), code_version=code_version(settings.project_root))
    result = publish(settings.releases_dir, year, files)
    context.log.info(f"release {result.status}: {result.path}")
    return MaterializeResult(metadata={"path": MetadataValue.path(str(result.path)), "status": MetadataValue.text(result.status),
                                       "year": MetadataValue.int(year), "fingerprint": MetadataValue.text(result.fingerprint),
                                       "files": MetadataValue.json({n: len(b) for n, b in files.items()})})
