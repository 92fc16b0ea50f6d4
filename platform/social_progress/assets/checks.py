"""Blocking quality gates on the marts, run as Dagster asset checks.

A failed check with severity `error` stops publication in the same run (blocking=True);
`warning` failures are reported in the check's metadata and publication goes ahead.
"""
import pandas as pd
from dagster import AssetCheckExecutionContext, AssetCheckResult, AssetCheckSeverity, AssetKey, MetadataValue, asset_check

from social_progress.quality.suites import load_suite
from social_progress.quality.validate import Outcome, run_suite
from social_progress.settings import get_settings
from social_progress.warehouse import read_table


def index_frames(scores: pd.DataFrame, areas: pd.DataFrame, years: list[int]) -> dict[str, pd.DataFrame]:
    """The mart itself, and its coverage: every expected area for every index year."""
    expected = areas[["area_code", "area_level", "boundary"]].merge(pd.DataFrame({"year": years}), how="cross")
    present = scores[scores["measure_type"] == "index"][["boundary", "area_code", "year"]].drop_duplicates().assign(present=True)
    coverage = expected.merge(present, on=["boundary", "area_code", "year"], how="left")
    coverage["present"] = coverage["present"].eq(True)
    return {"scores": scores, "coverage": coverage}


def check_result(outcome: Outcome) -> AssetCheckResult:
    failed = outcome.errors or outcome.warnings
    return AssetCheckResult(
        passed=not failed,
        severity=AssetCheckSeverity.ERROR if outcome.errors else AssetCheckSeverity.WARN,
        description="; ".join(f.describe() for f in failed)[:2000] if failed else f"{outcome.evaluated} expectations met",
        metadata={
            "suite": MetadataValue.text(outcome.suite),
            "expectations_evaluated": MetadataValue.int(outcome.evaluated),
            "errors": MetadataValue.int(len(outcome.errors)),
            "warnings": MetadataValue.int(len(outcome.warnings)),
            "failures": MetadataValue.json([f.__dict__ for f in outcome.failures]),
        },
    )


@asset_check(asset=AssetKey(["marts", "index_scores"]), name="index_scores_expectations", blocking=True,
             description="Great Expectations suite expectations/index_scores.yml: every area present for each year, "
                         "scores within 0-100, no nulls where data exists.")
def index_scores_expectations(context: AssetCheckExecutionContext) -> AssetCheckResult:
    settings = get_settings()
    suite = load_suite(settings.project_root / "expectations" / "index_scores.yml")
    db = settings.duckdb_path
    scores = read_table(db, "SELECT * FROM marts.index_scores")
    areas = read_table(db, "SELECT * FROM geography.areas WHERE boundary <> 'lsoa21'")
    years = read_table(db, "SELECT year FROM marts.index_years")["year"].tolist()
    outcome = run_suite(suite, index_frames(scores, areas, years),
                        id_columns={"scores": ["boundary", "area_code", "year", "measure"], "coverage": ["boundary", "area_code", "year"]})
    for f in outcome.failures:
        context.log.warning(f.describe())
    return check_result(outcome)
