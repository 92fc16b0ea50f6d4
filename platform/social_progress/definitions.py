"""The one Dagster Definitions object: assets, checks, jobs, schedules and resources.

The yearly refresh is a single job from ingestion to publication, because blocking asset
checks only stop downstream assets within the same run: the index, its checks and the
release must run together. Runs execute in one process, one step at a time, because the
warehouse is a single DuckDB file with one writer at a time.
"""
from dagster import (AssetSelection, DefaultScheduleStatus, Definitions, ScheduleDefinition, define_asset_job,
                     in_process_executor)

from social_progress.alerts.sensors import build_alert_sensors
from social_progress.assets.checks import MART_CHECKS, build_source_checks
from social_progress.assets.geography import geography_assets
from social_progress.assets.index import index_scores, indicator_values
from social_progress.assets.ingest import build_ingest_assets, build_source_schedules
from social_progress.assets.publish import yearly_release
from social_progress.catalogue import load_catalogue
from social_progress.settings import get_settings
from social_progress.transform.assets import dbt_models
from social_progress.transform.project import dbt_resource

settings = get_settings()
catalogue = load_catalogue(settings.sources_path)
ingest_assets = build_ingest_assets(catalogue)
source_jobs, source_schedules = build_source_schedules(catalogue)

yearly_refresh = define_asset_job(
    "yearly_refresh",
    selection=AssetSelection.all(),
    description="The yearly refresh: ingest every source, rebuild geography, dbt models and the index, "
                "check the marts and publish the release if the checks pass.",
    executor_def=in_process_executor,
)

yearly_refresh_schedule = ScheduleDefinition(
    name="yearly_refresh_schedule", job=yearly_refresh, cron_schedule="0 6 1 6 *",
    description="Every 1 June at 06:00, after the spring publication of most sources.",
    default_status=DefaultScheduleStatus.STOPPED,
)

defs = Definitions(
    assets=[*ingest_assets, *geography_assets, dbt_models, indicator_values, index_scores, yearly_release],
    asset_checks=[*MART_CHECKS, *build_source_checks(catalogue)],
    jobs=[yearly_refresh, *source_jobs],
    schedules=[yearly_refresh_schedule, *source_schedules],
    sensors=build_alert_sensors([yearly_refresh]),
    resources={"dbt": dbt_resource(settings)},
    executor=in_process_executor,
)
