"""The one Dagster Definitions object: it merges the builders in `social_progress.defs`.

Settings are read here once and passed to every builder and resource; nothing below reads
the environment. Building the definitions never runs dbt: the manifest is prepared by
`make` (or `social-progress prepare`).

Owners come from the deployment (catalogue/areas.yml), never from code: a source's assets
belong to its steward (`catalogue.steward_for`), the geography, council, index, mart and
release assets to the index owner. The catalogue's steward roles are checked against the
deployment's stewards first, so a role nobody holds stops the load with its name.
"""
from __future__ import annotations

from dagster import Definitions

from social_progress.borough import area_config
from social_progress.catalogue import check_stewards, load_catalogue, steward_for
from social_progress.defs.alerts import build_alert_sensors
from social_progress.defs.council import build_council_assets
from social_progress.defs.dbt import build_dbt_assets
from social_progress.defs.geography import build_geography_assets
from social_progress.defs.index import build_index_assets
from social_progress.defs.ingest import build_ingest_assets, build_source_schedules
from social_progress.defs.jobs import build_yearly_job, build_yearly_schedule
from social_progress.defs.publish import build_release_asset, build_release_mart_assets
from social_progress.defs.quality import MART_CHECKS, build_source_checks
from social_progress.defs.resources import resources_for
from social_progress.settings import Settings, get_settings


def build_definitions(settings: Settings) -> Definitions:
    catalogue = load_catalogue(settings.sources_path, settings.project_root)
    check_stewards(catalogue, settings)
    owner = area_config(settings).index_owner.email
    source_owners = {s.id: steward_for(s, settings).email for s in catalogue.sources}
    dbt_models, indicator_keys = build_dbt_assets(settings, owner, source_owners)
    mart_assets, mart_keys = build_release_mart_assets(settings, owner)
    yearly = build_yearly_job()
    source_jobs, source_schedules = build_source_schedules(catalogue)

    def plan(instance):
        from social_progress.defs.refresh_plan import plan_refresh

        return plan_refresh(defs, instance, catalogue, settings)

    defs = Definitions(
        assets=[*build_ingest_assets(catalogue, settings), *build_geography_assets(settings, owner),
                *build_council_assets(catalogue, settings, owner), dbt_models,
                *build_index_assets(settings, indicator_keys, owner), *mart_assets,
                build_release_asset(settings, owner, mart_keys)],
        asset_checks=[*MART_CHECKS, *build_source_checks(catalogue, settings)],
        jobs=[yearly, *source_jobs],
        schedules=[build_yearly_schedule(yearly, plan), *source_schedules],
        sensors=build_alert_sensors([yearly], settings),
        resources=resources_for(settings),
    )
    return defs


settings = get_settings()
defs = build_definitions(settings)


def yearly_refresh_job():
    """The yearly job, reconstructable by module and function name (for the multiprocess executor)."""
    return defs.resolve_job_def("yearly_refresh")
