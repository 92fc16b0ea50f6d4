"""The yearly refresh job, its executor and its schedule.

One job from ingestion to publication, because blocking asset checks only stop
downstream assets within the same run. Steps run in parallel in separate processes (the
multiprocess executor, forked from a server that has the definitions loaded, so a step
starts in a fraction of a second); the steps that write the warehouse share the
`warehouse_writer` concurrency pool (limit 1 in dagster.yaml), so writes stay single while
checks, the Monte Carlo analysis and release building run beside them. Short writes
(landing a raw table, a geography layer) are serialised by the warehouse lock alone: a
step blocked on a Dagster pool backs off for up to 15 s, far longer than such a write.

The schedule does what `social-progress refresh` does: it observes the inputs and asks for
a run of only what is stale (defs/refresh_plan.py), or skips with the reason.
"""
from __future__ import annotations

from dagster import (AssetSelection, DefaultScheduleStatus, RunRequest, ScheduleEvaluationContext, SkipReason,
                     define_asset_job, multi_or_in_process_executor, schedule)

TIMEZONE = "Europe/London"
MAX_CONCURRENT = 2
# Loaded once in the forkserver, so a step process starts with them imported (GX alone
# takes ~5 s to import).
PRELOAD = ["social_progress.definitions", "social_progress.quality.runner", "great_expectations",
           "social_progress.index.tables", "social_progress.publish.marts", "geopandas"]


def executor_config() -> dict:
    """Run config for the multiprocess executor: a forkserver that preloads the definitions."""
    return {"max_concurrent": MAX_CONCURRENT, "start_method": {"forkserver": {"preload_modules": PRELOAD}}}


def run_execution_config(parallel: bool) -> dict:
    """The `execution` run config: the multiprocess executor (steps in parallel, forked from
    a preloaded server), or every step in the launching process."""
    if parallel:
        return {"config": {"multiprocess": executor_config()}}
    return {"config": {"in_process": {}}}


def build_yearly_job():
    return define_asset_job(
        "yearly_refresh",
        selection=AssetSelection.all() - AssetSelection.key_prefixes("inputs"),
        description="The yearly refresh: ingest every source, rebuild geography, dbt models and the index, check the "
                    "marts and publish the release if the checks pass. `social-progress refresh` and the schedule "
                    "run only the stale part of it.",
        executor_def=multi_or_in_process_executor,
        tags={"social_progress/kind": "yearly_refresh"},
    )


def build_yearly_schedule(job, plan_fn):
    """1 June 06:00 London time, after the spring publication of most sources."""

    @schedule(name="yearly_refresh_schedule", job=job, cron_schedule="0 6 1 6 *", execution_timezone=TIMEZONE,
              default_status=DefaultScheduleStatus.STOPPED,
              description="Every 1 June at 06:00 (Europe/London): observe every input and refresh what changed "
                          "(nothing runs when nothing changed).")
    def yearly_refresh_schedule(context: ScheduleEvaluationContext):
        plan = plan_fn(context.instance)
        if plan.empty:
            return SkipReason("nothing changed since the last refresh: every asset is up to date")
        return RunRequest(asset_selection=plan.selection, tags={"social_progress/plan": plan.summary()[:200]})

    return yearly_refresh_schedule
