"""The publish asset: the yearly release, written only when the marts' checks passed.

It runs in the same job as the index and its blocking checks, so a failed check skips it
and the previous release stays as it was. What goes into the release is built by
`social_progress.publish.build` (tables as CSV and Parquet, boundaries as GeoJSON, the
explorer web page, the data dictionary and metadata); `publish.release` writes it.
"""
from pathlib import Path

from dagster import AssetCheckKey, AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from social_progress.borough import load_area_config
from social_progress.publish.build import build_release, read_warehouse
from social_progress.publish.code_version import code_version
from social_progress.publish.release import publish
from social_progress.settings import get_settings

GATES = [AssetCheckKey(AssetKey(["marts", "index_scores"]), "index_scores_expectations")]
# Marts the release reads besides the index (when the dbt project has them): the release
# must run after them in the same job, or it would publish without them.
OPTIONAL_MARTS = ("indicator_comparators",)


def _release_deps() -> list[AssetKey]:
    import json

    from social_progress.transform.assets import MANIFEST, translator

    deps = [AssetKey(["marts", "index_scores"])]
    nodes = json.loads(Path(MANIFEST).read_text())["nodes"].values()
    for node in sorted((n for n in nodes if n.get("resource_type") == "model" and n.get("name") in OPTIONAL_MARTS),
                       key=lambda n: n["name"]):
        deps.append(translator.get_asset_key(node))
    return deps


def targets_path(settings):
    return settings.catalogue_dir / "targets.yml"


def build_from_settings(settings=None, data_docs: dict[str, str] | None = None) -> tuple[int, dict[str, bytes]]:
    """The release files for the warehouse and catalogue `settings` point at."""
    settings = settings or get_settings()
    cfg = load_area_config(settings.areas_path)
    wh = read_warehouse(settings.duckdb_path)
    return build_release(wh, borough=cfg.borough.model_dump(), sources_path=settings.sources_path,
                         targets_path=targets_path(settings), code_version=code_version(settings.project_root),
                         data_docs=data_docs)


def run_data_docs(settings, run_id: str) -> tuple[dict[str, str], dict[str, bytes]]:
    """This run's GX Data Docs: links for the release metadata (check -> path inside the
    release, no run id in it) and the files to carry under quality/data_docs/<check>/."""
    from social_progress.warehouse import read_table

    try:
        rows = read_table(settings.duckdb_path, "SELECT check_name, data_docs FROM quality.check_results "
                                                "WHERE run_id = ? AND data_docs IS NOT NULL ORDER BY check_name", [run_id])
    except Exception:  # no quality schema yet: a release without Data Docs says so by an empty mapping
        return {}, {}
    links, records = {}, {}
    for check, index in rows.itertuples(index=False):
        site = (settings.warehouse_dir / index).parent
        if not site.is_dir():
            continue
        for f in sorted(p for p in site.rglob("*") if p.is_file()):
            records[f"quality/data_docs/{check}/{f.relative_to(site).as_posix()}"] = f.read_bytes()
        links[check] = f"quality/data_docs/{check}/{Path(index).name}"
    return links, records


@asset(key=AssetKey(["release", "yearly_release"]), deps=_release_deps(), group_name="publish",
       owners=[load_area_config(get_settings().areas_path).index_owner.email],
       description="releases/<year>/: scores, indicator values, progress ratings, targets, comparators (CSV and "
                   "Parquet), areas with scores (GeoJSON, WGS84), the explorer web page (index.html), a data "
                   "dictionary and metadata (inputs with content hashes, weights, diagnostics, checks); written "
                   "atomically, never overwrites a release.")
def yearly_release(context: AssetExecutionContext) -> MaterializeResult:
    settings = get_settings()
    links, docs = run_data_docs(settings, context.run_id)
    year, files = build_from_settings(settings, data_docs=links)
    result = publish(settings.releases_dir, year, files, run_records=docs)
    context.log.info(f"release {result.status}: {result.path}")
    return MaterializeResult(metadata={"path": MetadataValue.path(str(result.path)), "status": MetadataValue.text(result.status),
                                       "year": MetadataValue.int(year), "fingerprint": MetadataValue.text(result.fingerprint),
                                       "files": MetadataValue.json({n: len(b) for n, b in sorted(files.items())})})
