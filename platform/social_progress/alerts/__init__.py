"""Owner alerts: after a refresh, each data owner whose checks failed gets one message.

`dispatch_run_alerts(run_id, settings)` reads what the run's checks found
(quality.check_failures) and which ingests failed (the Dagster run's step failures, when
an instance is given), groups them by owner (the catalogue owner of a source; the index
owner of catalogue/areas.yml for the marts) and sends one message per owner per run by
email (SMTP) and webhook (JSON POST). Settings come from the environment (see
`AlertSettings`). Deliveries are retried with backoff, logged, recorded in
quality.alert_deliveries (so a second dispatch for the same run sends nothing twice) and
never raise.
"""
from social_progress.alerts.dispatch import Delivery, OwnerAlert, build_alerts, dispatch_run_alerts
from social_progress.alerts.settings import AlertSettings

__all__ = ["AlertSettings", "Delivery", "OwnerAlert", "build_alerts", "dispatch_run_alerts"]
