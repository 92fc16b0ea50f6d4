"""The stacked indicator marts and the index, as assets.

`marts/indicator_values`, `marts/indicator_comparators` and `marts/indicator_exclusions`
stack every indicator model the dbt manifest lists (social_progress.indicator_marts);
`marts/index_scores` scores them with social_progress.index for every LSOA, ward (both
vintages) and the borough, for every year the data supports, and also writes the index's
weights, diagnostics, exclusions, years, areas and Monte Carlo rank intervals.
"""

import hashlib
import warnings

from dagster import (AssetCheckKey, AssetCheckResult, AssetCheckSeverity, AssetCheckSpec, AssetExecutionContext, AssetKey,
                     AssetSpec, MaterializeResult, MetadataValue, multi_asset)

from social_progress.borough import area_config, area_config_version
from social_progress.defs.resources import WRITER_POOL, PlatformResource, WarehouseResource
from social_progress.defs.versions import code_version
from social_progress.indicator_marts import CHECKS, MARTS, build_stacked_mart, check_stacked_mart, protect_personal_values
from social_progress.settings import Settings

INDEX_TIME_LIMIT_S = 1800
STACK_TIME_LIMIT_S = 600
INDEX_KEY = AssetKey(["marts", "index_scores"])
# the other tables the index asset writes (marts.<name>), each an asset of its own
INDEX_TABLES = {
    "index_weights": "Principal-component (or equal) weights of each indicator within its component, with loadings.",
    "index_diagnostics": "Each component's Cronbach's alpha, KMO, variance explained by the first component, "
                         "weighting used and warnings (e.g. an equal-weights fallback).",
    "index_uncertainty": "Monte Carlo rank intervals: each area's median rank and 90% interval over weights, "
                         "aggregation and imputation choices, with a flag for a wide interval.",
    "index_scores_common": "The London common framework: the same areas and years scored on the open indicators "
                           "alone (no council system), with the common London weights and goalposts, comparable "
                           "with every other borough (the Borough Data Explorer layer). index_scores is the "
                           "borough's own index: the common indicators plus its council indicators.",
}


def council_indicators(settings: Settings, metadata) -> frozenset[str]:
    """Indicators built on a council system (catalogue origin: council): the borough's own."""
    from social_progress.catalogue import indicators_on_sources, load_catalogue

    sources = load_catalogue(settings.sources_path, settings.project_root).sources
    return indicators_on_sources(metadata, [s.id for s in sources if s.origin == "council"])


def build_index_assets(settings: Settings, indicator_keys: list[AssetKey], index_owner: str) -> list:
    return [_stacked_marts(settings, indicator_keys, index_owner), _index_asset(settings, index_owner)]


def personal_indicators(settings: Settings) -> list[str]:
    """Indicators whose YAML says personal_data: true (they pass disclosure control), unless
    it also says disclosure_control: false (the food hygiene counts: businesses whose every
    rating the FSA publishes by name)."""
    from social_progress.dbt_project import indicator_models, load_manifest

    try:
        models = indicator_models(load_manifest(settings))
    except Exception:  # no manifest yet: the definitions still load (make prepares it)
        return []
    out = []
    for m in models:
        meta = m.get("config", {}).get("meta", {}).get("indicator") or m.get("meta", {}).get("indicator") or {}
        # an indicator may opt out with its reason (counts of public records, not of people)
        if meta.get("personal_data") and meta.get("disclosure_control", True):
            out.append(m["name"])
    return sorted(out)


def _stacked_marts(settings: Settings, indicator_keys: list[AssetKey], owner: str):
    """The three stacks, one subsettable step: each reads the same indicator tables."""
    names = [k.path[-1] for k in indicator_keys]
    personal = personal_indicators(settings)
    cfg = area_config(settings)
    borough = cfg.borough.code
    disclosure_policy = {"threshold": cfg.disclosure.threshold, "rounding_base": cfg.disclosure.rounding_base}
    version = code_version("indicator_marts.py", "disclosure", extra=",".join(sorted(names)) + "|" + ",".join(personal)
                           + f"|{disclosure_policy}|{borough}")
    specs = []
    for mart, text in MARTS.items():
        deps = list(indicator_keys)
        if mart == "indicator_comparators":
            deps.append(AssetKey(["intermediate", "int_comparator_areas"]))
        specs.append(AssetSpec(AssetKey(["marts", mart]), deps=deps, group_name="marts", owners=[owner],
                               kinds={"duckdb", "python"}, code_version=version, skippable=True,
                               description=f"{text} The indicators are the models the dbt manifest tags "
                                           f"`indicator`: adding a model adds it here. Table marts.{mart}."))

    checks = [AssetCheckSpec(f"{mart}_contents", asset=AssetKey(["marts", mart]), blocking=True,
                             description=f"marts.{mart}: {text} (blocks the release)")
              for mart, text in CHECKS.items()]

    @multi_asset(specs=specs, check_specs=checks, name="indicator_marts", can_subset=True, pool=WRITER_POOL,
                 op_tags={"social_progress/time_limit_s": str(STACK_TIME_LIMIT_S)})
    def indicator_marts(context: AssetExecutionContext, warehouse: WarehouseResource):
        from social_progress.processes import step_deadline

        for mart in MARTS:
            key = AssetKey(["marts", mart])
            if key not in context.selected_asset_keys:
                continue
            disclosure = None
            with step_deadline(STACK_TIME_LIMIT_S, f"marts/{mart}"), warehouse.write() as con:
                counts = build_stacked_mart(con, mart, names)
                if mart == "indicator_values":
                    disclosure = protect_personal_values(con, personal, borough, **disclosure_policy)
                problems = check_stacked_mart(con, mart) if mart in CHECKS else None
            total = sum(n for _, n in counts)
            context.log.info(f"marts.{mart}: {len(counts)} indicators, {total} rows")
            extra = {"disclosure_control": MetadataValue.json(disclosure)} if disclosure else {}
            yield MaterializeResult(asset_key=key, metadata={
                "dagster/row_count": MetadataValue.int(total), "indicators": MetadataValue.int(len(counts)),
                "rows_per_indicator": MetadataValue.json(dict(counts)), "table": MetadataValue.text(f"marts.{mart}"),
                **extra})
            if problems is not None and AssetCheckKey(key, f"{mart}_contents") in context.selected_asset_check_keys:
                yield AssetCheckResult(asset_key=key, check_name=f"{mart}_contents", passed=not problems,
                                       severity=AssetCheckSeverity.ERROR,
                                       description="; ".join(problems) or f"{total} rows as expected")

    return indicator_marts


def common_weights_for(settings: Settings, cfg):
    """The common London weights when the deployment scores with them (index.weighting
    london), else None. The London-wide run itself estimates them (principal components)."""
    from social_progress.index.london_weights import load_common_weights

    if cfg.index.weighting != "london" or cfg.is_london:
        return None
    return load_common_weights(settings.catalogue_dir / "london_weights.yml")


def declared_gaps(settings: Settings, cfg, metadata) -> dict[str, str]:
    """A London-wide run: {borough: why} for the boroughs a source of an index indicator
    declares it does not cover (catalogue `coverage`); {} for a borough deployment."""
    from social_progress.borough import coverage_gaps
    from social_progress.catalogue import load_catalogue

    if not cfg.is_london:
        return {}
    used = {s.strip() for v in metadata.loc[metadata["in_index"], "sources"].dropna() for s in str(v).split(",")}
    sources = {s.id: s for s in load_catalogue(settings.sources_path, settings.project_root).sources}
    out: dict[str, list[str]] = {}
    for sid, boroughs in coverage_gaps(sources.values(), cfg).items():
        if sid in used:
            for b in boroughs:
                out.setdefault(b, []).append(f"{sid} does not cover it ({sources[sid].coverage.note or 'catalogue coverage'})")
    return {b: "; ".join(v) for b, v in out.items()}


def _weights_file_version(settings: Settings) -> str:
    path = settings.catalogue_dir / "london_weights.yml"
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12] if path.is_file() else "none"


def _index_asset(settings: Settings, owner: str):
    version = code_version("index", extra=area_config_version(settings) + _weights_file_version(settings))
    specs = [AssetSpec(INDEX_KEY, group_name="index", owners=[owner], kinds={"python", "duckdb"}, code_version=version,
                       deps=[AssetKey(["marts", "indicator_values"]), AssetKey(["marts", "indicator_metadata"]),
                             AssetKey(["geography", "areas"])],
                       description="The Social Progress Index: indicator scores (0-100), the 12 components, 3 dimensions "
                                   "and the index for every LSOA, ward (pre-2022 and current) and the borough, for "
                                   "every year the data supports. Table marts.index_scores.")]
    specs += [AssetSpec(AssetKey(["marts", name]), group_name="index", owners=[owner], kinds={"python", "duckdb"},
                        code_version=version, deps=[INDEX_KEY], description=f"{text} Table marts.{name}.")
              for name, text in INDEX_TABLES.items()]

    @multi_asset(specs=specs, name="index", pool=WRITER_POOL,
                 op_tags={"social_progress/time_limit_s": str(INDEX_TIME_LIMIT_S)})
    def index(context: AssetExecutionContext, warehouse: WarehouseResource, platform: PlatformResource):
        """Score, weight and aggregate; write the index tables in one go."""
        from social_progress.index.tables import compute_index_tables, framework_exclusions
        from social_progress.processes import step_deadline

        cfg = area_config(platform.settings)
        with step_deadline(INDEX_TIME_LIMIT_S, "index"), warehouse.session("index"):
            values = warehouse.read_table("SELECT * FROM marts.indicator_values")
            metadata = warehouse.read_table("SELECT * FROM marts.indicator_metadata")
            areas = warehouse.read_table("SELECT * FROM geography.areas")
            own = council_indicators(platform.settings, metadata)
            common = common_weights_for(platform.settings, cfg)
            gaps = declared_gaps(platform.settings, cfg, metadata)
            with warnings.catch_warnings():
                # all-missing columns of an area-year (expected: they are imputed or left unscored)
                warnings.filterwarnings("ignore", "Mean of empty slice", RuntimeWarning)
                tables = compute_index_tables(values, metadata, areas, cfg.index, log=context.log.info,
                                              common_weights=common, declared_gaps=gaps, borough_estimated=own)
                # the London common framework: open indicators only, no Monte Carlo (the
                # borough's own index carries the rank intervals)
                in_common = metadata.assign(in_index=metadata["in_index"] & ~metadata["indicator_id"].isin(own))
                common_tables = (compute_index_tables(values, in_common, areas,
                                                      cfg.index.model_copy(update={"sensitivity_runs": 0}),
                                                      log=lambda m: None, common_weights=common, declared_gaps=gaps)
                                 if own else tables)
            tables["index_scores_common"] = common_tables["index_scores"]
            for name, frame in tables.items():
                warehouse.replace_table("marts", name, frame)
        s = tables["index_scores"]
        years = tables["index_years"]["year"].tolist()
        borough = s[(s["area_level"] == "borough") & (s["measure_type"] == "index")].set_index("year")["score"].round(2)
        context.log.info(f"index for years {years}: borough {borough.to_dict()}")
        diagnostics = tables["index_diagnostics"]
        yield _result(INDEX_KEY, s, {
            "years": MetadataValue.text(", ".join(map(str, years))),
            "areas": MetadataValue.json(s.drop_duplicates(["boundary", "area_code"]).groupby("boundary").size().to_dict()),
            "borough_index": MetadataValue.json({str(k): float(v) for k, v in borough.items()}),
            "weighting": MetadataValue.text(cfg.index.weighting),
            "left_out_of_framework": MetadataValue.json(framework_exclusions(metadata)),
            "imputed_indicator_values": MetadataValue.int(
                int(s.loc[s["measure_type"] == "indicator", "imputed_share"].gt(0).sum())),
        })
        yield _result(AssetKey(["marts", "index_weights"]), tables["index_weights"], {
            "weights": MetadataValue.json(tables["index_weights"].round(4).to_dict(orient="records"))})
        yield _result(AssetKey(["marts", "index_diagnostics"]), diagnostics, {
            "diagnostics": MetadataValue.json(diagnostics.round(4).astype(object).where(diagnostics.notna(), None)
                                              .to_dict(orient="records"))})
        unc = tables.get("index_uncertainty")
        yield _result(AssetKey(["marts", "index_scores_common"]), tables["index_scores_common"], {
            "framework": MetadataValue.text("London common framework: open indicators only"),
            "council_indicators_left_out": MetadataValue.int(len(own))})
        yield _result(AssetKey(["marts", "index_uncertainty"]), unc, {
            "wide_rank_intervals": MetadataValue.int(int(unc["wide_interval"].sum())) if unc is not None
            else MetadataValue.text("sensitivity analysis off (index.sensitivity_runs: 0)")})

    return index


def _result(key: AssetKey, frame, extra: dict) -> MaterializeResult:
    meta = {"table": MetadataValue.text(f"marts.{key.path[-1]}")}
    if frame is not None:
        meta["dagster/row_count"] = MetadataValue.int(len(frame))
    return MaterializeResult(asset_key=key, metadata={**meta, **extra})
