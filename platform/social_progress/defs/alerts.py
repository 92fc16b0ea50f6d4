"""Run-status sensors: alert the owners when a refresh launched from the UI or a schedule ends.

A failed asset check does not fail the run, so run-failure sensors alone would miss it:
these sensors fire on success and on failure and send the run's problems: what
quality.check_failures holds for it and what its own events show (failed steps of any kind,
failed asset checks, a warehouse that cannot be read: social_progress.alerts.problems). They run under the Dagster daemon;
`social-progress refresh` runs in-process and calls `dispatch_run_alerts` itself. A run
alerted twice sends nothing twice (quality.alert_deliveries).
"""
from __future__ import annotations

from dagster import DagsterRunStatus, DefaultSensorStatus, RunStatusSensorContext, run_status_sensor

from social_progress.alerts.dispatch import dispatch_run_alerts
from social_progress.settings import Settings


def build_alert_sensors(monitored_jobs: list, settings: Settings) -> list:
    def _alert(context: RunStatusSensorContext) -> None:
        run_id = context.dagster_run.run_id
        deliveries = dispatch_run_alerts(run_id, settings, instance=context.instance)
        for d in deliveries:
            context.log.info(f"alert {d.channel} for {d.owner_email}: {d.status} after {d.attempts} attempt(s)"
                             + (f" ({d.error})" if d.error else ""))
            for label in d.acknowledged:
                context.log.info(f"alert not re-sent to {d.owner_email}: {label}")

    on_success = run_status_sensor(
        run_status=DagsterRunStatus.SUCCESS, monitored_jobs=monitored_jobs, name="quality_alerts_on_success",
        default_status=DefaultSensorStatus.RUNNING,
        description="After a refresh succeeds (checks may still have failed or warned): alert the data owners.")(_alert)
    on_failure = run_status_sensor(
        run_status=DagsterRunStatus.FAILURE, monitored_jobs=monitored_jobs, name="quality_alerts_on_failure",
        default_status=DefaultSensorStatus.RUNNING,
        description="After a refresh fails (e.g. a source could not be ingested): alert the data owners.")(_alert)
    return [on_success, on_failure]
