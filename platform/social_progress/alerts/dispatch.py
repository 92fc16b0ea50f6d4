"""Build one message per owner for a run, and deliver it (email, webhook)."""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field

import pandas as pd

from social_progress.alerts.delivery import post_webhook, send_email, with_retries
from social_progress.alerts.settings import AlertSettings
from social_progress.borough import area_config
from social_progress.catalogue import load_catalogue
from social_progress.quality import store
from social_progress.settings import Settings, get_settings

log = logging.getLogger("social_progress.alerts")


@dataclass
class OwnerAlert:
    run_id: str
    owner_name: str
    owner_email: str
    failures: list[dict] = field(default_factory=list)         # failed expectations (quality.check_failures)
    ingest_failures: list[dict] = field(default_factory=list)  # sources that could not be read at all
    run_blocked: bool = False                                  # an error-level failure stopped publication

    @property
    def blocking(self) -> bool:
        return bool(self.ingest_failures) or any(f["severity"] == "error" for f in self.failures)

    @property
    def n_failures(self) -> int:
        return len(self.failures) + len(self.ingest_failures)

    def subject(self, borough: str) -> str:
        what = "your data blocked the release" if self.blocking else "warnings only, your data did not block the release"
        return (f"[Social Progress Index] {self.n_failures} data problem(s): {what} - "
                f"{borough} refresh {self.run_id[:8]}")

    def payload(self, borough: str) -> dict:
        return {"run_id": self.run_id, "borough": borough, "owner": {"name": self.owner_name, "email": self.owner_email},
                "blocking": self.blocking, "release_blocked": self.run_blocked, "subject": self.subject(borough),
                "failures": self.failures, "ingest_failures": self.ingest_failures}

    def text(self, borough: str, settings: Settings, n_examples: int = 3) -> str:
        lines = [f"Hello {self.owner_name},", "",
                 f"The yearly refresh of the Social Progress Index for {borough} (run {self.run_id}) checked the data you "
                 f"own and found {self.n_failures} problem(s).", ""]
        if self.run_blocked:
            lines += ["OUTCOME: nothing was published in this run. The previous release is unchanged.",
                      "Problems marked [error] block publication until they are fixed at source; [warning] ones do not."]
        else:
            lines += ["OUTCOME: the release went ahead. The problems below are warnings: please review them."]
        lines.append("")
        n = 0
        for f in self.ingest_failures:
            n += 1
            lines += [f"{n}. [error] source '{f['source_id']}' could not be ingested (step {f['step']}).",
                      f"   Problem: {f['message']}",
                      "   Nothing from this source reached the checks: fix the file (or its catalogue entry) and re-run.", ""]
        by_check: dict[str, list[dict]] = {}
        for f in self.failures:
            by_check.setdefault(f["check_name"], []).append(f)
        for check, items in by_check.items():
            first = items[0]
            where = f"source '{first['source_id']}'" if first.get("source_id") else f"mart {first['asset_key']}"
            lines.append(f"Check {check} on {where} (suite {first['suite']}):")
            for f in sorted(items, key=lambda x: (x["severity"] != "error", x["batch"])):
                n += 1
                col = f" on column '{f['column']}'" if f.get("column") else ""
                count = f"{f['unexpected_count']} of {f['element_count']} rows failed" if f.get("element_count") else "failed"
                lines.append(f"{n}. [{f['severity']}] {f['expectation']}{col} ({f['batch']}): {count}.")
                if f.get("why"):
                    lines.append(f"   Why it matters: {f['why']}")
                if f.get("observed") not in (None, "null") and not f.get("examples"):
                    lines.append(f"   Observed: {str(f['observed'])[:300]}")
                for e in (f.get("examples") or [])[:n_examples]:
                    lines.append(f"   e.g. {_example(e)}")
            if first.get("data_docs"):
                lines.append(f"   Full report (Data Docs): {settings.warehouse_dir / first['data_docs']}")
            if first.get("quarantined"):
                lines.append(f"   {first['quarantined']} row(s) quarantined: quality.quarantine where run_id = '{self.run_id}'")
            lines.append("")
        lines += ["How to read this: each numbered item is one expectation your data did not meet, with how many rows",
                  "failed and up to a few example rows (key fields and the failing value only; never personal data).",
                  "Fix the data at source and send a corrected file; the next refresh picks it up.",
                  "", "-- Social Progress Index data platform (automatic message)"]
        return "\n".join(lines)


@dataclass
class Delivery:
    run_id: str
    owner_email: str
    channel: str            # email | webhook | none
    status: str             # sent | failed | skipped | already_sent
    attempts: int = 0
    error: str | None = None
    recipient: str | None = None


def build_alerts(run_id: str, settings: Settings | None = None, instance=None) -> list[OwnerAlert]:
    """One OwnerAlert per owner with at least one failure in the run."""
    settings = settings or get_settings()
    db = settings.duckdb_path
    failures = store.read(db, "SELECT * FROM quality.check_failures WHERE run_id = ? ORDER BY check_name, batch", [run_id])
    quarantined = store.read(db, """SELECT source_id, count(*) AS n FROM quality.quarantine WHERE run_id = ?
                                    GROUP BY 1""", [run_id])
    qcount = dict(zip(quarantined.get("source_id", []), quarantined.get("n", [])))
    alerts: dict[str, OwnerAlert] = {}
    for r in failures.to_dict("records") if not failures.empty else []:
        a = alerts.setdefault(r["owner_email"], OwnerAlert(run_id, r["owner_name"], r["owner_email"]))
        a.failures.append({
            "check_name": r["check_name"], "asset_key": r["asset_key"], "suite": r["suite"], "source_id": r["source_id"],
            "batch": r["batch"], "expectation": r["expectation"], "column": r["column_name"] or None,
            "severity": r["severity"], "why": r["why"], "unexpected_count": _int(r["unexpected_count"]),
            "element_count": _int(r["element_count"]), "examples": json.loads(r["examples_json"] or "[]"),
            "observed": json.loads(r["observed_json"]) if r.get("observed_json") else None,
            "data_docs": r["data_docs"], "quarantined": int(qcount.get(r["source_id"], 0)) if r["source_id"] else 0})
    for f in ingest_failures(run_id, settings, instance):
        a = alerts.setdefault(f["owner_email"], OwnerAlert(run_id, f["owner_name"], f["owner_email"]))
        a.ingest_failures.append({k: f[k] for k in ("source_id", "step", "message")})
    blocked = any(a.blocking for a in alerts.values())
    for a in alerts.values():
        a.run_blocked = blocked
    return sorted(alerts.values(), key=lambda a: a.owner_email)


def ingest_failures(run_id: str, settings: Settings, instance) -> list[dict]:
    """Raw assets whose step failed in the run (bad file, renamed required column, empty file)."""
    if instance is None:
        return []
    try:
        from dagster import DagsterEventType

        records = instance.all_logs(run_id, of_type=DagsterEventType.STEP_FAILURE)
    except Exception as exc:  # noqa: BLE001
        log.warning("could not read the step failures of run %s: %s", run_id, exc)
        return []
    catalogue = load_catalogue(settings.sources_path)
    out = []
    for rec in records:
        event = rec.dagster_event
        step = event.step_key or ""
        if not step.startswith("raw__"):
            continue
        source_id = step[len("raw__"):]
        try:
            owner = catalogue.get(source_id).owner
        except KeyError:
            continue
        err = getattr(event.event_specific_data, "error", None)
        message = (err.message.strip() if err else "step failed").splitlines()[0][:600]
        out.append({"source_id": source_id, "step": step, "message": message, "owner_name": owner.name,
                    "owner_email": owner.email})
    return out


def dispatch_run_alerts(run_id: str, settings: Settings | None = None, instance=None,
                        alert_settings: AlertSettings | None = None) -> list[Delivery]:
    """Send each owner with failures in `run_id` one message per channel; never raises."""
    try:
        return _dispatch(run_id, settings or get_settings(), instance, alert_settings or AlertSettings.from_env())
    except Exception as exc:  # noqa: BLE001 - alerts must never break the run
        log.exception("owner alerts for run %s failed: %s", run_id, exc)
        return []


def _dispatch(run_id: str, settings: Settings, instance, cfg: AlertSettings) -> list[Delivery]:
    alerts = build_alerts(run_id, settings, instance)
    if not alerts:
        log.info("run %s: no failed checks, no alert", run_id)
        return []
    borough = area_config(settings).borough.name
    done = store.read(settings.duckdb_path, """SELECT owner_email, channel FROM quality.alert_deliveries
                                               WHERE run_id = ? AND status = 'sent'""", [run_id])
    sent_before = set(zip(done.get("owner_email", []), done.get("channel", [])))
    deliveries: list[Delivery] = []
    for alert in alerts:
        channels = []
        if cfg.smtp_host:
            to = cfg.redirect_to or alert.owner_email
            channels.append(("email", to, lambda a=alert, to=to: send_email(
                cfg, to, a.subject(borough), a.text(borough, settings, cfg.examples))))
        if cfg.webhook_url:
            channels.append(("webhook", cfg.webhook_url, lambda a=alert: post_webhook(cfg, a.payload(borough))))
        if not channels:
            log.warning("run %s: %d problem(s) for %s but no alert channel is configured (SPI_SMTP_HOST, "
                        "SPI_ALERT_WEBHOOK_URL)", run_id, alert.n_failures, alert.owner_email)
            deliveries.append(Delivery(run_id, alert.owner_email, "none", "skipped"))
            continue
        for channel, recipient, send in channels:
            if (alert.owner_email, channel) in sent_before:
                deliveries.append(Delivery(run_id, alert.owner_email, channel, "already_sent", recipient=recipient))
                continue
            ok, attempts, error = with_retries(send, cfg, f"{channel} to {recipient} for {alert.owner_email}")
            deliveries.append(Delivery(run_id, alert.owner_email, channel, "sent" if ok else "failed", attempts, error, recipient))
    _record(settings, deliveries, {a.owner_email: a.n_failures for a in alerts})
    return deliveries


def _record(settings: Settings, deliveries: list[Delivery], counts: dict) -> None:
    rows = [{"run_id": d.run_id, "owner_email": d.owner_email, "channel": d.channel, "status": d.status,
             "attempts": d.attempts, "error": d.error, "n_failures": counts.get(d.owner_email, 0),
             "delivered_at": store.now()} for d in deliveries if d.status != "already_sent"]
    try:
        store.write(settings.duckdb_path, {"alert_deliveries": pd.DataFrame(rows)})
    except Exception as exc:  # noqa: BLE001
        log.warning("could not record alert deliveries: %s", exc)


def _example(e) -> str:
    if isinstance(e, dict):
        return ", ".join(f"{k}={v}" for k, v in e.items())
    return str(e)


def _int(v) -> int:
    try:
        return int(v)
    except (TypeError, ValueError):
        return 0
