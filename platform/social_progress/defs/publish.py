"""The release marts and the publish asset.

Every table a release shows (indicator values with intervals, progress ratings, similar
wards, strengths and weaknesses, targets, comparisons) is a mart asset of its own,
computed by `social_progress.publish.marts` and checked for unique keys; the release asset
only writes files from them. It runs in the same job as the index and its blocking checks,
so a failed check skips it and the previous release stays as it was.
"""


from dagster import (AssetCheckResult, AssetCheckSeverity, AssetCheckSpec, AssetExecutionContext, AssetKey,
                     MaterializeResult, MetadataValue, asset, multi_asset)

from social_progress.borough import area_config, area_config_version
from social_progress.defs.resources import WRITER_POOL, PlatformResource, ReleaseResource, WarehouseResource
from social_progress.defs.versions import code_version
from social_progress.publish.assemble import targets_path
from social_progress.settings import Settings

RELEASE_KEY = AssetKey(["release", "yearly_release"])
PUBLISH_TIME_LIMIT_S = 900


def _table_key(name: str) -> AssetKey:
    schema, table = name.split(".", 1)
    return AssetKey([schema, table])


def build_release_mart_assets(settings: Settings, owner: str) -> tuple[list, list[AssetKey]]:
    """The derived release marts (social_progress.publish.marts.DERIVED_MARTS): one asset
    each, computed in one subsettable step (in dependency order; they share their inputs),
    each with a blocking check that its key is unique and complete."""
    from dagster import AssetSpec

    from social_progress.publish.marts import DERIVED_MARTS

    keys = {name: _table_key(spec.table) for name, spec in DERIVED_MARTS.items()}
    specs, checks = [], []
    for name, spec in DERIVED_MARTS.items():
        files = tuple(settings.project_root / f for f in spec.files)
        specs.append(AssetSpec(keys[name], deps=[_table_key(t) for t in spec.deps], group_name="release_marts",
                               owners=[owner], kinds={"python", "duckdb"}, skippable=True,
                               code_version=code_version("publish", files=files, extra=area_config_version(settings)),
                               description=f"{spec.description} Table {spec.table}; in the release as "
                                           f"{spec.release_file}."))
        checks.append(AssetCheckSpec(f"{name}_keys", asset=keys[name], blocking=True,
                                     description=f"{spec.table}: every row has a {', '.join(spec.key)} and no two "
                                                 f"rows share one; all columns present (blocks the release)."))

    @multi_asset(specs=specs, check_specs=checks, name="release_marts", can_subset=True, pool=WRITER_POOL,
                 op_tags={"social_progress/time_limit_s": str(PUBLISH_TIME_LIMIT_S)})
    def release_marts(context: AssetExecutionContext, warehouse: WarehouseResource, platform: PlatformResource):
        from social_progress.processes import step_deadline
        from social_progress.publish.marts import MartContext, check_mart, read_inputs, status_of, write_mart

        s = platform.settings
        cfg = area_config(s)
        ctx = MartContext(borough=cfg.borough.model_dump(), targets_path=targets_path(s))
        for name, spec in DERIVED_MARTS.items():
            if keys[name] not in context.selected_asset_keys:
                continue
            with step_deadline(PUBLISH_TIME_LIMIT_S, spec.table), warehouse.session(f"release mart {spec.table}"):
                with warehouse.read() as con:
                    tables = read_inputs(con, spec)
                frame = spec.compute(tables, ctx)
                problems = check_mart(spec, frame)
                write_mart(s.duckdb_path, spec, frame)
            status = status_of(frame)
            yield MaterializeResult(asset_key=keys[name], metadata={
                "table": MetadataValue.text(spec.table), "dagster/row_count": MetadataValue.int(len(frame)),
                "available": MetadataValue.bool(bool(status.get("available"))),
                **({"note": MetadataValue.text(status["note"])} if status.get("note") else {})})
            yield AssetCheckResult(asset_key=keys[name], check_name=f"{name}_keys", passed=not problems,
                                   severity=AssetCheckSeverity.ERROR,
                                   description="; ".join(problems) if problems
                                   else f"{len(frame)} rows, keys unique and complete")

    return [release_marts], list(keys.values())


def build_release_asset(settings: Settings, owner: str, mart_keys: list[AssetKey]):
    from social_progress.publish.london_comparison import layer_version

    # the London layer (releases/E12000007/latest, published by `social-progress london`) is
    # read when the release is built: its fingerprint is part of the code version, so a newly
    # published layer makes the release stale ("none" when there is no layer)
    version = code_version("publish", "explorer", files=(settings.sources_path, targets_path(settings)),
                           extra=area_config_version(settings) + "london-layer:" + layer_version(settings))
    deps = [AssetKey(["marts", "index_scores"]), AssetKey(["marts", "indicator_comparators"]),
            AssetKey(["marts", "indicator_metadata"]), AssetKey(["geography", "areas"]), *mart_keys]

    @asset(key=RELEASE_KEY, deps=deps, group_name="publish", owners=[owner], kinds={"python", "parquet", "html"},
           code_version=version, op_tags={"social_progress/time_limit_s": str(PUBLISH_TIME_LIMIT_S)},
           description="releases/<year>/: scores, indicator values, progress ratings, targets, comparators (CSV and "
                       "Parquet), areas with scores (GeoJSON, WGS84), the explorer web page (index.html), a data "
                       "dictionary and metadata (inputs with content hashes, weights, diagnostics, checks); written "
                       "atomically, never overwrites a release. Only writes files from the marts.")
    def yearly_release(context: AssetExecutionContext, platform: PlatformResource,
                       release_target: ReleaseResource) -> MaterializeResult:
        from social_progress.processes import step_deadline
        from social_progress.publish.assemble import build_from_settings, run_data_docs
        from social_progress.publish.release import publish

        s = platform.settings
        with step_deadline(PUBLISH_TIME_LIMIT_S, "publish"):
            links, docs = run_data_docs(s)
            year, files = build_from_settings(s, data_docs=links, require_marts=True)
            result = publish(release_target.target_dir, year, files, run_records=docs)
        context.log.info(f"release {result.status}: {result.path}")
        return MaterializeResult(metadata={
            "path": MetadataValue.path(str(result.path)), "status": MetadataValue.text(result.status),
            "year": MetadataValue.int(year), "fingerprint": MetadataValue.text(result.fingerprint),
            "draft": MetadataValue.bool(release_target.draft),
            "files": MetadataValue.json({n: len(b) for n, b in sorted(files.items())})})

    return yearly_release
