"""Alerts: after a refresh, each recipient with problems gets one message per run.

`dispatch_run_alerts(run_id, settings, instance)` gathers the run's problems: what its checks
recorded (quality.check_failures) and what its Dagster events show (failed steps of any kind,
failed asset checks; a warehouse that cannot be read). Each goes to the steward of the failing
source, or to the index owner (marts, geography, other steps, the warehouse). Problems are
worded for people (`wording`), acknowledged ones are not re-sent (`known_issues`), and the
message carries the check's Data Docs page and the quarantined rows (`attachments`). Sent by
email (SMTP) and webhook (JSON POST); settings from the environment (`AlertSettings`).
Deliveries are retried with backoff, logged without secrets, recorded in
quality.alert_deliveries (a second dispatch for the same run sends nothing twice) and never
raise. `preview_alerts` builds the same messages without sending them.
"""
from social_progress.alerts.dispatch import Delivery, build_alerts, dispatch_run_alerts, preview_alerts
from social_progress.alerts.message import OwnerAlert
from social_progress.alerts.settings import AlertSettings

__all__ = ["AlertSettings", "Delivery", "OwnerAlert", "build_alerts", "dispatch_run_alerts", "preview_alerts"]
