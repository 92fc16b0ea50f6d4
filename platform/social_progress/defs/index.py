"""The stacked indicator marts and the index, as assets.

`marts/indicator_values`, `marts/indicator_comparators` and `marts/indicator_exclusions`
stack every indicator model the dbt manifest lists (social_progress.indicator_marts);
`marts/index_scores` scores them with social_progress.index for every LSOA, ward (both
vintages) and the borough, for every year the data supports, and also writes the index's
weights, diagnostics, exclusions, years, areas and Monte Carlo rank intervals, and the
audit (marts.index_audit_*, social_progress.index.audit) with its check `index_audit`:
blocking, like the marts' own checks, so a component that fails the audit stops the
release in the same run (`index.audit.mode: block`), or only reports it (`warn`).
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
    # the audit (social_progress.index.audit), published in the release's audit/
    "index_audit_components": "The audit of each component on the pooled data its weights are estimated on: number of "
                              "indicators, Cronbach's alpha, KMO, variance explained, smallest first-component "
                              "loading, weighting used, most correlated pair, the justification and the audit's "
                              "failures (check index_audit).",
    "index_audit_correlations": "Correlations of every pair of indicators (within and across components) and of "
                                "components (within and across dimensions), with the rows observed together.",
    "index_audit_weights": "Nominal and effective weights of each indicator: its weight and its share of the "
                           "variance of its component and of the index.",
    "index_audit_sensitivity": "The index rank of every area and year under each alternative choice of the method "
                               "(weights, imputation, aggregation, goalposts).",
    "index_audit_sensitivity_summary": "Each area's rank interval over the method's alternative choices (min, "
                                       "median, max) beside its Monte Carlo 5-95% interval.",
}
#: the audit's blocking check on marts/index_scores (index.audit.mode: block | warn)
AUDIT_CHECK = "index_audit"


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

    audit = area_config(settings).index.audit
    checks = [AssetCheckSpec(AUDIT_CHECK, asset=INDEX_KEY, blocking=True,
                             description=f"The index audit (catalogue/areas.yml index.audit, social_progress.index.audit), "
                                         f"on the pooled data the weights are estimated on: every component has at least "
                                         f"{audit.min_indicators} indicators, Cronbach's alpha >= {audit.alpha} "
                                         f"({audit.alpha_justified} with a written justification), KMO >= {audit.kmo}, "
                                         f"positive first-component loadings (no fallback to equal weights) and no two "
                                         f"indicators correlated above {audit.max_correlation}; each failure names the "
                                         f"component and the statistic. "
                                         + ("Blocks the release (mode: block)." if audit.mode == "block"
                                            else "Reported only (mode: warn)."))]

    @multi_asset(specs=specs, check_specs=checks, name="index", pool=WRITER_POOL,
                 op_tags={"social_progress/time_limit_s": str(INDEX_TIME_LIMIT_S)})
    def index(context: AssetExecutionContext, warehouse: WarehouseResource, platform: PlatformResource):
        """Score, weight and aggregate; write the index tables in one go."""
        from social_progress.index.audit import audit_messages
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
                                                      cfg.index.model_copy(update={"sensitivity_runs": 0, "audit": None}),
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
        audit_table = tables.get("index_audit_components")
        failures = audit_messages(audit_table)
        for m in failures:
            (context.log.error if cfg.index.audit.mode == "block" else context.log.warning)(f"index audit: {m}")
        yield _result(INDEX_KEY, s, {
            "audit_mode": MetadataValue.text(cfg.index.audit.mode),
            "audit_failures": MetadataValue.json(failures),
            "years": MetadataValue.text(", ".join(map(str, years))),
            "areas": MetadataValue.json(s.drop_duplicates(["boundary", "area_code"]).groupby("boundary").size().to_dict()),
            "borough_index": MetadataValue.json({str(k): float(v) for k, v in borough.items()}),
            "weighting": MetadataValue.text(cfg.index.weighting),
            "left_out_of_framework": MetadataValue.json(framework_exclusions(metadata)),
            "imputed_indicator_values": MetadataValue.int(
                int(s.loc[s["measure_type"] == "indicator", "imputed_share"].gt(0).sum())),
        })
        yield audit_check_result(audit_table, failures, cfg.index.audit)
        yield from _audit_results(tables)
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


def audit_check_result(components, failures: list[str], audit_config) -> AssetCheckResult:
    """The index_audit check: failed when a component breaks a threshold, with severity ERROR
    in mode `block` (a blocking check: the release and everything else downstream of
    marts/index_scores are skipped in this run, and the next refresh re-runs the index) and
    WARN in mode `warn` (the run goes on; the failures are reported). The description lists
    every failure, each naming the component and the statistic."""
    n = 0 if components is None else len(components)
    if components is None:
        description = "the audit did not run (no index.audit configuration)"
    elif failures:
        description = "; ".join(failures)[:3000]
    else:
        description = f"all {n} components meet the audit's thresholds"
    table = [] if components is None else (
        components.drop(columns=[c for c in ("justification",) if c in components.columns]).round(4)
        .astype(object).where(components.notna(), None).to_dict(orient="records"))
    return AssetCheckResult(
        asset_key=INDEX_KEY, check_name=AUDIT_CHECK, passed=components is not None and not failures,
        severity=AssetCheckSeverity.ERROR if audit_config.mode == "block" else AssetCheckSeverity.WARN,
        description=description,
        metadata={"mode": MetadataValue.text(audit_config.mode), "failures": MetadataValue.json(failures),
                  "thresholds": MetadataValue.json(audit_config.model_dump(exclude={"mode", "scenarios"})),
                  "components": MetadataValue.json(table)})


def _audit_results(tables: dict):
    """The audit tables' materializations, with their figures for the UI."""
    comp = tables.get("index_audit_components")
    yield _result(AssetKey(["marts", "index_audit_components"]), comp, {} if comp is None else {
        "failing_components": MetadataValue.json(sorted(comp.loc[~comp["passed"].astype(bool), "component"].astype(str)))})
    yield _result(AssetKey(["marts", "index_audit_correlations"]), tables.get("index_audit_correlations"), {})
    w = tables.get("index_audit_weights")
    yield _result(AssetKey(["marts", "index_audit_weights"]), w, {} if w is None else {
        "effective_weights": MetadataValue.json(
            w[["indicator_id", "index_weight", "index_effective_weight"]].round(4).astype(object)
            .where(w[["indicator_id", "index_weight", "index_effective_weight"]].notna(), None).to_dict(orient="records"))})
    ranks = tables.get("index_audit_sensitivity")
    yield _result(AssetKey(["marts", "index_audit_sensitivity"]), ranks, {} if ranks is None else {
        "scenarios": MetadataValue.json(sorted(ranks["scenario"].astype(str).unique().tolist()))})
    summ = tables.get("index_audit_sensitivity_summary")
    yield _result(AssetKey(["marts", "index_audit_sensitivity_summary"]), summ, {} if summ is None or summ.empty else {
        "largest_rank_shift": MetadataValue.float(float(summ["max_rank_shift"].fillna(0).max()))})


def _result(key: AssetKey, frame, extra: dict) -> MaterializeResult:
    meta = {"table": MetadataValue.text(f"marts.{key.path[-1]}")}
    if frame is not None:
        meta["dagster/row_count"] = MetadataValue.int(len(frame))
    return MaterializeResult(asset_key=key, metadata={**meta, **extra})
