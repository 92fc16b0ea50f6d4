"""Which run `social-progress alerts` means when none is given: the latest one.

Why both places: the Dagster instance knows every run, including one that stopped before any
check could write to the warehouse (a corrupt or locked warehouse); the warehouse alone knows
the runs whose checks ran, when the instance is elsewhere (another machine, a copied
warehouse)."""
from __future__ import annotations

import logging

from social_progress.quality import store

log = logging.getLogger("social_progress.alerts")


def latest_run(settings, instance=None) -> str | None:
    if instance is not None:
        try:
            runs = instance.get_runs(limit=1)
            if runs:
                return runs[0].run_id
        except Exception as exc:  # noqa: BLE001
            log.warning("the Dagster instance's runs could not be read: %s", type(exc).__name__)
    try:
        latest = store.read(settings.duckdb_path, "SELECT run_id FROM quality.check_results "
                                                  "ORDER BY evaluated_at DESC LIMIT 1")
    except Exception as exc:  # noqa: BLE001
        log.warning("the warehouse's runs could not be read: %s", type(exc).__name__)
        return None
    return None if latest.empty else str(latest["run_id"].iloc[0])
