"""Marts the index is computed from, and the index itself.

`indicator_values` stacks every indicator model listed in the dbt manifest; `index_scores`
scores them with `social_progress.index` for every LSOA, ward (both vintages) and the
borough, for every year the data supports.
"""
import json

import pandas as pd
from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from social_progress.borough import IndexYears, load_area_config
from social_progress.index import Framework, IndexOptions, compute_index, sensitivity_analysis
from social_progress.index_years import carry_forward, supported_years
from social_progress.settings import get_settings
from social_progress.transform.assets import MANIFEST, translator
from social_progress.transform.project import indicator_models
from social_progress.warehouse import connect, read_table, replace_table

INDICATOR_KEYS = [translator.get_asset_key(n) for n in indicator_models(MANIFEST)]
VALUE_COLUMNS = ["indicator_id", "area_code", "area_level", "boundary", "year", "numerator", "denominator", "value", "unit",
                 "period", "quality_flag"]
INDEX_OWNER = load_area_config(get_settings().areas_path).index_owner.email


@asset(key=AssetKey(["marts", "indicator_values"]), deps=INDICATOR_KEYS, group_name="marts", owners=[INDEX_OWNER],
       pool="warehouse_writer",
       description="Every index indicator's values at every level and year, stacked. The indicators are the "
                   "models the dbt manifest tags `indicator`: adding a model adds it here.")
def indicator_values(context: AssetExecutionContext) -> MaterializeResult:
    names = [k.path[-1] for k in INDICATOR_KEYS]
    cols = ", ".join(VALUE_COLUMNS)
    union = " UNION ALL ".join(f'SELECT {cols} FROM indicators."{n}"' for n in names)
    with connect(get_settings().duckdb_path) as con:
        con.execute("CREATE SCHEMA IF NOT EXISTS marts")
        con.execute(f"CREATE OR REPLACE TABLE marts.indicator_values AS {union} ORDER BY indicator_id, area_level, boundary, area_code, year")
        counts = con.execute("SELECT indicator_id, count(*) FROM marts.indicator_values GROUP BY 1 ORDER BY 1").fetchall()
    total = sum(n for _, n in counts)
    context.log.info(f"{len(names)} indicators, {total} rows")
    return MaterializeResult(metadata={"indicators": MetadataValue.int(len(names)), "rows": MetadataValue.int(total),
                                       "rows_per_indicator": MetadataValue.json(dict(counts))})


def load_framework(metadata: pd.DataFrame, weighting: str, component_weighting: dict[str, str] | None = None) -> Framework:
    records = [dict(id=r.indicator_id, name=r.name, dimension=r.dimension, component=r.component, direction=r.direction,
                    worst=float(r.worst), best=float(r.best), transform=r.transform or "none")
               for r in metadata[metadata["in_index"]].itertuples()]
    return Framework.from_records(records, weighting=weighting, component_weighting=component_weighting)


def run_engine(engine_in: pd.DataFrame, metadata: pd.DataFrame, weighting: str, options: IndexOptions, log=print):
    """The index, with one rule on top of the engine: a component whose first principal
    component loads negatively on one of its indicators does not share one direction of
    progress, and PCA would give that indicator weight 0 (dropping it from the index
    unseen). Such a component falls back to equal weights; the diagnostics say so."""
    framework = load_framework(metadata, weighting)
    result = compute_index(engine_in, framework, options)
    if weighting != "pca":
        return framework, result, {}
    w = result.weights
    negative = w[w["loading"] < 0]
    if negative.empty:
        return framework, result, {}
    fallback = {c: "equal" for c in sorted(negative["component"].astype(str).unique())}
    for comp, ind in negative[["component", "indicator_id"]].astype(str).itertuples(index=False):
        log(f"{comp}: {ind} loads negatively on the first principal component; the component uses equal weights")
    framework = load_framework(metadata, weighting, fallback)
    return framework, compute_index(engine_in, framework, options), {
        c: sorted(negative.loc[negative["component"].astype(str) == c, "indicator_id"].astype(str)) for c in fallback}


def compute_index_tables(values: pd.DataFrame, metadata: pd.DataFrame, areas: pd.DataFrame, index: IndexYears,
                         log=print) -> dict[str, pd.DataFrame]:
    """The index for every area and supported year, as tables for the warehouse.

    Every boundary the indicators are reported on is scored (LSOA 2011, and 2021 where
    the indicators provide it, both ward sets, the borough); ranks are within a boundary
    and year. Weights and imputation regressions are estimated on LSOA 2011 rows.
    """
    ids = load_framework(metadata, index.weighting).indicator_ids
    values = values[values["indicator_id"].isin(ids)]
    candidates = list(range(index.first_year, index.last_year + 1))
    carried = carry_forward(values, candidates, index.max_carry_forward_years)
    years = supported_years(carried, ids, candidates, min_coverage=index.min_indicator_coverage)
    if not years:
        raise ValueError(f"no year in {index.first_year}-{index.last_year} has at least {index.min_indicator_coverage:.0%} "
                         f"of the index indicators for the borough (indicators: {', '.join(ids)})")
    panel = carried[carried["index_year"].isin(years)]
    engine_in = pd.DataFrame({"area_code": panel["area_code"], "area_level": panel["boundary"], "year": panel["index_year"],
                              "indicator_id": panel["indicator_id"], "value": panel["value"]})
    # every area of a scored boundary takes part, even one with no data at all (it is
    # then reported as unscored rather than silently missing)
    scored = areas[areas["boundary"].isin(panel["boundary"].unique())]
    frame = scored[["area_code", "boundary"]].merge(pd.DataFrame({"year": years}), how="cross").merge(
        pd.DataFrame({"indicator_id": ids}), how="cross").rename(columns={"boundary": "area_level"})
    engine_in = frame.merge(engine_in, on=["area_code", "area_level", "year", "indicator_id"], how="left")
    options = IndexOptions(weight_level="lsoa11")
    framework, result, fallback = run_engine(engine_in, metadata, index.weighting, options, log)
    scores = _with_areas(result.scores.rename(columns={"area_level": "boundary"}), areas)
    provenance = panel[["indicator_id", "boundary", "area_code", "index_year", "value", "data_year", "period"]].rename(
        columns={"indicator_id": "measure", "index_year": "year"})
    scores = scores.merge(provenance.assign(measure_type="indicator"), on=["measure_type", "measure", "boundary", "area_code", "year"], how="left")
    order = ["boundary", "area_code", "year", "measure_type", "measure"]
    tables = {"index_scores": scores.sort_values(order, ignore_index=True),
              "index_weights": result.weights, "index_diagnostics": _note_fallback(result.diagnostics, fallback),
              "index_exclusions": result.exclusions,
              "index_years": pd.DataFrame({"year": years}),
              "index_areas": scored[["boundary", "area_code", "area_name", "area_level"]].sort_values(["boundary", "area_code"], ignore_index=True)}
    if index.sensitivity_runs:
        log(f"sensitivity analysis: {index.sensitivity_runs} Monte Carlo runs over weights, aggregation and imputation")
        unc = sensitivity_analysis(engine_in, framework, options, n_runs=index.sensitivity_runs, seed=0)
        tables["index_uncertainty"] = _with_areas(unc.rename(columns={"area_level": "boundary"}), areas).sort_values(
            ["boundary", "area_code", "year"], ignore_index=True)
    return {k: _plain_columns(v) for k, v in tables.items()}


def _note_fallback(diagnostics: pd.DataFrame, fallback: dict[str, list[str]]) -> pd.DataFrame:
    d = diagnostics.copy()
    d["component"] = d["component"].astype(str)
    d["weighting"] = d["component"].map(lambda c: "equal (negative PCA loading)" if c in fallback else "pca")
    note = d["component"].map(lambda c: f"negative loading: {', '.join(fallback[c])}; equal weights used" if c in fallback else "")
    d["warnings"] = [("; ".join(x for x in (str(w or ""), n) if x)) for w, n in zip(d["warnings"], note)]
    return d


def _with_areas(frame: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame["boundary"] = frame["boundary"].astype(str)
    frame["area_code"] = frame["area_code"].astype(str)
    level_of = areas.drop_duplicates("boundary").set_index("boundary")["area_level"]
    names = areas.set_index(["boundary", "area_code"])["area_name"]
    frame.insert(1, "area_level", frame["boundary"].map(level_of))
    frame.insert(1, "area_name", [names.get((b, c)) for b, c in zip(frame["boundary"], frame["area_code"])])
    return frame


def _plain_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Categoricals to text, so DuckDB stores plain VARCHAR columns."""
    frame = frame.copy()
    for col in frame.columns:
        if isinstance(frame[col].dtype, pd.CategoricalDtype):
            frame[col] = frame[col].astype(str)
    return frame


@asset(key=AssetKey(["marts", "index_scores"]),
       deps=[AssetKey(["marts", "indicator_values"]), AssetKey(["marts", "indicator_metadata"]), AssetKey(["geography", "areas"])],
       group_name="index", owners=[INDEX_OWNER], pool="warehouse_writer",
       description="The Social Progress Index: indicator scores (0-100), the 12 components, 3 dimensions and the index "
                   "for every LSOA, ward (17 pre-2022 and 19 current) and the borough, for every year the data supports.")
def index_scores(context: AssetExecutionContext) -> MaterializeResult:
    settings = get_settings()
    cfg = load_area_config(settings.areas_path)
    db = settings.duckdb_path
    values = read_table(db, "SELECT * FROM marts.indicator_values")
    metadata = read_table(db, "SELECT * FROM marts.indicator_metadata")
    areas = read_table(db, "SELECT * FROM geography.areas")
    tables = compute_index_tables(values, metadata, areas, cfg.index, log=context.log.info)
    for name, frame in tables.items():
        replace_table(db, "marts", name, frame)
    s = tables["index_scores"]
    years = tables["index_years"]["year"].tolist()
    borough = s[(s["area_level"] == "borough") & (s["measure_type"] == "index")].set_index("year")["score"].round(2)
    context.log.info(f"index for years {years}: borough {borough.to_dict()}")
    return MaterializeResult(metadata={
        "years": MetadataValue.text(", ".join(map(str, years))),
        "rows": MetadataValue.int(len(s)),
        "areas": MetadataValue.json(s.drop_duplicates(["boundary", "area_code"]).groupby("boundary").size().to_dict()),
        "borough_index": MetadataValue.json({str(k): float(v) for k, v in borough.items()}),
        "weighting": MetadataValue.text(cfg.index.weighting),
        "imputed_indicator_values": MetadataValue.int(int(s.loc[s["measure_type"] == "indicator", "imputed_share"].gt(0).sum())),
        "weights": MetadataValue.json(tables["index_weights"].round(4).to_dict(orient="records")),
        "diagnostics": MetadataValue.json(tables["index_diagnostics"].round(4).astype(object).where(
            tables["index_diagnostics"].notna(), None).to_dict(orient="records")),
        "wide_rank_intervals": MetadataValue.int(int(tables["index_uncertainty"]["wide_interval"].sum()))
        if "index_uncertainty" in tables else MetadataValue.text("sensitivity analysis off"),
    })
