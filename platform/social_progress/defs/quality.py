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

from dagster import (AssetCheckExecutionContext, AssetCheckResult, AssetCheckSeverity, AssetKey, MetadataValue,
                     asset_check)

from social_progress.catalogue import Catalogue, steward_for
from social_progress.defs.resources import PlatformResource
from social_progress.quality.mart_frames import read_index_frames, read_stability_frames, read_value_frames
from social_progress.quality.suites import source_suite_path
from social_progress.settings import Settings

CHECK_TIME_LIMIT_S = 900

MART_SUITES = {
    "index_scores_expectations": "index_scores.yml",
    "index_stability_expectations": "index_stability.yml",
    "indicator_values_expectations": "indicator_values.yml",
}


def check_result(outcome, report=None, settings: Settings | None = None) -> AssetCheckResult:
    """`settings` given: failures acknowledged in catalogue/known_issues.yml are marked
    ("acknowledged: <reason>, until <date>"; expired or changed ones too) in the description and
    the `known_issues` metadata. Acknowledging never changes the outcome: an error still blocks."""
    failed = outcome.errors or outcome.warnings
    labels: dict[int, str] = {}
    if report is not None and settings is not None and outcome.failures:
        from social_progress.alerts.known_issues import failure_labels

        found = failure_labels(settings, report.check_name, report.suite.source, report.asset_key, outcome.failures)
        labels = {id(f): label for f, label in zip(outcome.failures, found) if label}
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
    if labels:
        metadata["known_issues"] = MetadataValue.json([
            {"expectation": f.expectation, "column": f.column, "batch": f.batch, "status": labels[id(f)]}
            for f in outcome.failures if id(f) in labels])
    if outcome.failures:
        shown = outcome.errors + outcome.warnings
        description = "; ".join(f.describe() + (f" [{labels[id(f)]}]" if id(f) in labels else "")
                                for f in shown)[:2000]
    else:
        description = f"{outcome.evaluated} expectations met"
    return AssetCheckResult(
        passed=not failed,
        severity=AssetCheckSeverity.ERROR if outcome.errors else AssetCheckSeverity.WARN,
        description=description,
        metadata=metadata,
    )


def _crashed(suite: str, exc: Exception):
    """A check that could not run is a failed error check: better no release than an unchecked one."""
    from social_progress.quality.validate import Failure, Outcome

    return Outcome(suite=suite, evaluated=0, failures=[Failure(
        batch="(check)", expectation="check_could_run", kwargs={}, severity="error",
        why="The suite could not be evaluated, so the data cannot be trusted.", unexpected_count=1, element_count=1,
        examples=[f"{type(exc).__name__}: {str(exc)[:300]}"])])


# ------------------------------------------------------------------------------------ marts

def _mart_check(context, settings: Settings, name: str, asset_key: str, build) -> AssetCheckResult:
    from social_progress.processes import step_deadline
    from social_progress.quality.runner import evaluate_mart, record_crash

    try:
        with step_deadline(CHECK_TIME_LIMIT_S, name):
            frames, ids = build(settings.duckdb_path)
            report = evaluate_mart(name, asset_key, settings.project_root / "expectations" / MART_SUITES[name], frames,
                                   ids, settings, context.run.run_id)
    except Exception as exc:  # noqa: BLE001 - reported as a failed error check
        context.log.error(f"{name} could not run: {exc}")
        outcome = _crashed(name, exc)
        record_crash(settings, context.run.run_id, name, asset_key, outcome)
        return check_result(outcome)
    for f in report.outcome.failures:
        context.log.warning(f.describe())
    return check_result(report.outcome, report, settings)


@asset_check(asset=AssetKey(["marts", "index_scores"]), name="index_scores_expectations", blocking=True,
             description="Great Expectations suite expectations/index_scores.yml: every area present for each year, "
                         "scores within 0-100, no nulls where data exists.")
def index_scores_expectations(context: AssetCheckExecutionContext, platform: PlatformResource) -> AssetCheckResult:
    return _mart_check(context, platform.settings, "index_scores_expectations", "marts/index_scores", read_index_frames)


@asset_check(asset=AssetKey(["marts", "index_scores"]), name="index_stability_expectations", blocking=True,
             description="Great Expectations suite expectations/index_stability.yml: no year-on-year jump beyond the "
                         "configured bound, imputed share below its bound, weights summing to 1 in each component.")
def index_stability_expectations(context: AssetCheckExecutionContext, platform: PlatformResource) -> AssetCheckResult:
    return _mart_check(context, platform.settings, "index_stability_expectations", "marts/index_scores", read_stability_frames)


@asset_check(asset=AssetKey(["marts", "indicator_values"]), name="indicator_values_expectations", blocking=True,
             description="Great Expectations suite expectations/indicator_values.yml: every area of every level for each "
                         "indicator and year, one row per key, non-negative numerators, positive denominators.")
def indicator_values_expectations(context: AssetCheckExecutionContext, platform: PlatformResource) -> AssetCheckResult:
    return _mart_check(context, platform.settings, "indicator_values_expectations", "marts/indicator_values", read_value_frames)


MART_CHECKS = [index_scores_expectations, index_stability_expectations, indicator_values_expectations]


# ------------------------------------------------------------------------------------ sources

def build_source_checks(catalogue: Catalogue, settings: Settings) -> list:
    """One blocking check per catalogue source that has a suite in expectations/sources/."""
    return [_source_check(s, steward_for(s, settings)) for s in catalogue.sources
            if source_suite_path(settings.project_root, s.id).exists()]


def _source_check(source, steward):
    name = f"{source.id}_expectations"

    @asset_check(asset=AssetKey(["raw", source.id]), name=name, blocking=True,
                 description=f"Great Expectations suite expectations/sources/{source.id}.yml on raw.{source.id}: schema, "
                             f"types, GSS codes of the declared vintage and borough, ranges, unique keys, completeness "
                             f"and freshness. Failures go to the steward ({source.steward}): "
                             f"{steward.name} <{steward.email}>.")
    def _check(context: AssetCheckExecutionContext, platform: PlatformResource) -> AssetCheckResult:
        from social_progress.processes import step_deadline
        from social_progress.quality.runner import evaluate_source, record_crash

        settings = platform.settings
        try:
            with step_deadline(CHECK_TIME_LIMIT_S, name):
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
        return check_result(report.outcome, report, settings)

    return _check
