"""Quality gates run as Dagster asset checks: one per source, and on the marts.

Every check is blocking. A failed expectation of severity `error` fails the check with
severity ERROR, which stops everything downstream in the same run: a source check stops
the dbt build (one multi-asset step) and so the index and the release; a mart check stops
the release. `warning` failures are reported (check severity WARN, the owner is alerted)
and the run goes ahead.

Each evaluation is written to quality.check_results (with its Data Docs page), failed
expectations to quality.check_failures (for the owner alerts, see social_progress.alerts)
and rows that broke a row-level expectation to quality.quarantine.
"""

from pathlib import Path

import pandas as pd
from dagster import (AssetCheckExecutionContext, AssetCheckResult, AssetCheckSeverity, AssetKey, MetadataValue,
                     asset_check)

from social_progress.catalogue import Catalogue
from social_progress.quality.runner import CheckReport, check_name, evaluate_mart, evaluate_source, record_crash
from social_progress.quality.suites import source_suite_path
from social_progress.quality.validate import Failure, Outcome
from social_progress.settings import get_settings
from social_progress.warehouse import read_table

MART_SUITES = {
    "index_scores_expectations": "index_scores.yml",
    "index_stability_expectations": "index_stability.yml",
    "indicator_values_expectations": "indicator_values.yml",
}


def index_frames(scores: pd.DataFrame, areas: pd.DataFrame, years: list[int]) -> dict[str, pd.DataFrame]:
    """The mart itself, and its coverage: every expected area for every index year."""
    expected = areas[["area_code", "area_level", "boundary"]].merge(pd.DataFrame({"year": years}), how="cross")
    present = scores[scores["measure_type"] == "index"][["boundary", "area_code", "year"]].drop_duplicates().assign(present=True)
    coverage = expected.merge(present, on=["boundary", "area_code", "year"], how="left")
    coverage["present"] = coverage["present"].eq(True)
    return {"scores": scores, "coverage": coverage}


def stability_frames(scores: pd.DataFrame, weights: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Year-on-year change and imputed share per row, and the weights summed per component."""
    sums = weights.groupby("component", as_index=False)["weight"].sum().rename(columns={"weight": "weight_sum"})
    return {"scores": scores, "weights": weights, "weight_sums": sums}


def indicator_value_frames(values: pd.DataFrame, areas: pd.DataFrame, index_ids: list[str] | None = None) -> dict[str, pd.DataFrame]:
    """The stacked values of the index indicators on the published boundaries, and their coverage:
    for each indicator, year and boundary it is reported on, every area of that boundary."""
    boundaries = set(areas["boundary"])
    values = values[values["boundary"].isin(boundaries)]
    if index_ids is not None:
        values = values[values["indicator_id"].isin(index_ids)]
    have = values[["indicator_id", "year", "boundary"]].drop_duplicates()
    expected = have.merge(areas[["area_code", "area_level", "boundary"]], on="boundary")
    present = values[["indicator_id", "year", "boundary", "area_code"]].drop_duplicates().assign(present=True)
    coverage = expected.merge(present, on=["indicator_id", "year", "boundary", "area_code"], how="left")
    coverage["present"] = coverage["present"].eq(True)
    borough = values[values["boundary"] == "lad"][["indicator_id"]].drop_duplicates().assign(has_borough=True)
    ids = pd.DataFrame({"indicator_id": sorted(index_ids if index_ids is not None else values["indicator_id"].unique())})
    levels = ids.merge(borough, on="indicator_id", how="left")
    levels["has_borough"] = levels["has_borough"].eq(True)
    return {"values": values.reset_index(drop=True), "coverage": coverage, "indicators": levels}


def check_result(outcome: Outcome, report: CheckReport | None = None) -> AssetCheckResult:
    failed = outcome.errors or outcome.warnings
    metadata = {
        "suite": MetadataValue.text(outcome.suite),
        "expectations_evaluated": MetadataValue.int(outcome.evaluated),
        "errors": MetadataValue.int(len(outcome.errors)),
        "warnings": MetadataValue.int(len(outcome.warnings)),
        "failures": MetadataValue.json([f.to_dict() for f in outcome.failures]),
    }
    if report is not None:
        metadata["owner"] = MetadataValue.text(f"{report.owner.name} <{report.owner.email}>")
        metadata["quarantined_rows"] = MetadataValue.int(report.quarantined)
        if outcome.docs_index is not None:
            metadata["data_docs"] = MetadataValue.path(str(outcome.docs_index))
            metadata["data_docs_url"] = MetadataValue.url(Path(outcome.docs_index).resolve().as_uri())
    if outcome.failures:
        shown = outcome.errors + outcome.warnings
        description = "; ".join(f.describe() for f in shown)[:2000]
    else:
        description = f"{outcome.evaluated} expectations met"
    return AssetCheckResult(
        passed=not failed,
        severity=AssetCheckSeverity.ERROR if outcome.errors else AssetCheckSeverity.WARN,
        description=description,
        metadata=metadata,
    )


def _crashed(suite: str, exc: Exception) -> Outcome:
    """A check that could not run is a failed error check: better no release than an unchecked one."""
    return Outcome(suite=suite, evaluated=0, failures=[Failure(
        batch="(check)", expectation="check_could_run", kwargs={}, severity="error",
        why="The suite could not be evaluated, so the data cannot be trusted.", unexpected_count=1, element_count=1,
        examples=[f"{type(exc).__name__}: {str(exc)[:300]}"])])


# ------------------------------------------------------------------------------------ marts

def _mart_check(context, name: str, asset_key: str, build) -> AssetCheckResult:
    settings = get_settings()
    try:
        frames, ids = build(settings.duckdb_path)
        report = evaluate_mart(name, asset_key, settings.project_root / "expectations" / MART_SUITES[name], frames, ids,
                               settings, context.run.run_id)
    except Exception as exc:  # noqa: BLE001 - reported as a failed error check
        context.log.error(f"{name} could not run: {exc}")
        outcome = _crashed(name, exc)
        record_crash(settings, context.run.run_id, name, asset_key, outcome)
        return check_result(outcome)
    for f in report.outcome.failures:
        context.log.warning(f.describe())
    return check_result(report.outcome, report)


def _index_frames(db):
    scores = read_table(db, "SELECT * FROM marts.index_scores")
    areas = read_table(db, "SELECT * FROM geography.areas WHERE boundary <> 'lsoa21'")
    years = read_table(db, "SELECT year FROM marts.index_years")["year"].tolist()
    return index_frames(scores, areas, years), {"scores": ["boundary", "area_code", "year", "measure"],
                                                "coverage": ["boundary", "area_code", "year"]}


def _stability_frames(db):
    scores = read_table(db, "SELECT * FROM marts.index_scores")
    weights = read_table(db, "SELECT * FROM marts.index_weights")
    return stability_frames(scores, weights), {"scores": ["boundary", "area_code", "year", "measure"],
                                               "weights": ["component", "indicator_id"], "weight_sums": ["component"]}


def _values_frames(db):
    values = read_table(db, "SELECT * FROM marts.indicator_values")
    areas = read_table(db, "SELECT * FROM geography.areas WHERE boundary <> 'lsoa21'")
    meta = read_table(db, "SELECT * FROM marts.indicator_metadata")
    index_ids = meta.loc[meta["in_index"].astype(bool), "indicator_id"].tolist() if "in_index" in meta.columns else None
    return indicator_value_frames(values, areas, index_ids), {
        "values": ["indicator_id", "boundary", "area_code", "year"],
        "coverage": ["indicator_id", "boundary", "area_code", "year"], "indicators": ["indicator_id"]}


@asset_check(asset=AssetKey(["marts", "index_scores"]), name="index_scores_expectations", blocking=True,
             description="Great Expectations suite expectations/index_scores.yml: every area present for each year, "
                         "scores within 0-100, no nulls where data exists.")
def index_scores_expectations(context: AssetCheckExecutionContext) -> AssetCheckResult:
    return _mart_check(context, "index_scores_expectations", "marts/index_scores", _index_frames)


@asset_check(asset=AssetKey(["marts", "index_scores"]), name="index_stability_expectations", blocking=True,
             description="Great Expectations suite expectations/index_stability.yml: no year-on-year jump beyond the "
                         "configured bound, imputed share below its bound, weights summing to 1 in each component.")
def index_stability_expectations(context: AssetCheckExecutionContext) -> AssetCheckResult:
    return _mart_check(context, "index_stability_expectations", "marts/index_scores", _stability_frames)


@asset_check(asset=AssetKey(["marts", "indicator_values"]), name="indicator_values_expectations", blocking=True,
             description="Great Expectations suite expectations/indicator_values.yml: every area of every level for each "
                         "indicator and year, one row per key, non-negative numerators, positive denominators.")
def indicator_values_expectations(context: AssetCheckExecutionContext) -> AssetCheckResult:
    return _mart_check(context, "indicator_values_expectations", "marts/indicator_values", _values_frames)


MART_CHECKS = [index_scores_expectations, index_stability_expectations, indicator_values_expectations]


# ------------------------------------------------------------------------------------ sources

def build_source_checks(catalogue: Catalogue) -> list:
    """One blocking check per catalogue source that has a suite in expectations/sources/."""
    root = get_settings().project_root
    return [_source_check(s) for s in catalogue.sources if source_suite_path(root, s.id).exists()]


def _source_check(source):
    name = check_name(source.id)

    @asset_check(asset=AssetKey(["raw", source.id]), name=name, blocking=True,
                 description=f"Great Expectations suite expectations/sources/{source.id}.yml on raw.{source.id}: schema, "
                             f"types, GSS codes of the declared vintage and borough, ranges, unique keys, completeness "
                             f"and freshness. Owner: {source.owner.name} <{source.owner.email}>.")
    def _check(context: AssetCheckExecutionContext) -> AssetCheckResult:
        settings = get_settings()
        try:
            report = evaluate_source(source.id, settings, context.run.run_id)
        except Exception as exc:  # noqa: BLE001 - reported as a failed error check
            context.log.error(f"{name} could not run: {exc}")
            outcome = _crashed(source.id, exc)
            record_crash(settings, context.run.run_id, name, f"raw/{source.id}", outcome, source_id=source.id)
            return check_result(outcome)
        for f in report.outcome.failures:
            context.log.warning(f.describe())
        if report.quarantined:
            context.log.warning(f"{report.quarantined} row(s) of raw.{source.id} quarantined in quality.quarantine")
        return check_result(report.outcome, report)

    return _check
