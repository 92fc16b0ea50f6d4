"""Build one message per recipient for a run, and deliver it (email, webhook).

Recipients are the stewards of the failing sources and the index owner (marts, geography,
any other failed step, a warehouse that cannot be read). Problems come from the warehouse
(quality.check_failures) and from the run's own Dagster events (`problems`), are worded for
people (`wording`), checked against the acknowledged ones (`known_issues`) and carry the
check's Data Docs page and the quarantined rows (`attachments`).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace

import pandas as pd

from social_progress.alerts import problems as pr
from social_progress.alerts.attachments import (Attachment, data_docs_pages, link_for, publish_link, quarantine_csv,
                                                standalone_html)
from social_progress.alerts.delivery import post_webhook, send_email, with_retries
from social_progress.alerts.known_issues import KnownIssuesError, known_issues_path, load_known_issues, match
from social_progress.alerts.message import OwnerAlert
from social_progress.alerts.settings import AlertSettings
from social_progress.borough import area_config
from social_progress.catalogue import load_catalogue, steward_for
from social_progress.quality import store
from social_progress.redaction import host_of, redact
from social_progress.settings import Settings, get_settings

log = logging.getLogger("social_progress.alerts")

__all__ = ["Delivery", "OwnerAlert", "build_alerts", "dispatch_run_alerts", "ingest_failures"]


@dataclass
class Delivery:
    run_id: str
    owner_email: str
    channel: str            # email | webhook | none
    status: str             # sent | failed | skipped | already_sent | acknowledged
    attempts: int = 0
    error: str | None = None        # redacted
    recipient: str | None = None    # an email address, or the webhook's host (never its URL)
    acknowledged: list[str] = field(default_factory=list)  # problems not re-sent: "title (acknowledged: ...)"


def build_alerts(run_id: str, settings: Settings | None = None, instance=None,
                 alert_settings: AlertSettings | None = None, write_links: bool = True) -> list[OwnerAlert]:
    """One OwnerAlert per recipient with at least one problem in the run (sent or acknowledged)."""
    settings = settings or get_settings()
    cfg = alert_settings or AlertSettings.from_env()
    index_owner = area_config(settings).index_owner
    catalogue = _catalogue(settings)
    problems: list[pr.Problem] = []
    recorded: set[str] = set()
    warehouse_ok = True
    try:
        failures = _read(settings, "SELECT * FROM quality.check_failures WHERE run_id = ? ORDER BY check_name, batch",
                         [run_id])
        checked = _read(settings, "SELECT DISTINCT check_name FROM quality.check_results WHERE run_id = ?", [run_id])
        recorded = set(checked.get("check_name", [])) | set(failures.get("check_name", []))
        problems += pr.from_check_failures(failures, lambda r: _kwargs(settings, r),
                                           lambda s: _hidden(settings, catalogue, s), max(cfg.examples, 1))
    except pr.WarehouseUnreadable as exc:
        warehouse_ok = False
        problems.append(pr.warehouse_problem(index_owner, str(exc)))
    events = pr.run_events(run_id, instance)
    try:
        ingest = ingest_failures(run_id, settings, instance, events)
    except Exception as exc:  # noqa: BLE001 - an unreadable catalogue: every failed step goes to the index owner
        log.warning("alerts: failed ingest steps could not be matched to their stewards: %s", exc)
        ingest = []
    handled = {f["step"] for f in ingest}
    for f in ingest:
        problems.append(pr.step_problem(f["event"], _Person(f["owner_name"], f["owner_email"])))
    for ev in events:
        if ev["kind"] == "step" and ev["step"] not in handled:
            problems.append(pr.step_problem(ev, index_owner))
        elif ev["kind"] == "check" and ev["check_name"] not in recorded and ev["step"] not in handled:
            problems.append(pr.step_problem(ev, _check_owner(ev, settings, catalogue, index_owner)))
    try:
        entries = load_known_issues(known_issues_path(settings), set(catalogue.ids) if catalogue else None)
    except KnownIssuesError as exc:
        entries = []
        problems.append(pr.known_issues_problem(index_owner, str(exc)))
    for p in problems:
        if p.kind == "check":
            p.known = match(p.record, entries)
    alerts: dict[str, OwnerAlert] = {}
    for p in problems:
        alerts.setdefault(p.owner_email, OwnerAlert(run_id, p.owner_name, p.owner_email)).problems.append(p)
    blocked = any(p.severity == "error" for p in problems)
    for a in alerts.values():
        a.run_blocked = blocked
        if warehouse_ok and a.to_send:
            a.attachments = _attachments(a, settings, catalogue, cfg, write_links)
    return sorted(alerts.values(), key=lambda a: a.owner_email)


def ingest_failures(run_id: str, settings: Settings, instance, events: list[dict] | None = None) -> list[dict]:
    """Raw assets whose step failed in the run (bad file, renamed required column, empty
    file), with the steward of the source; other failed steps are the index owner's."""
    events = pr.run_events(run_id, instance) if events is None else events
    if not events:
        return []
    catalogue = load_catalogue(settings.sources_path)
    out = []
    for event in events:
        step = event["step"]
        if event["kind"] != "step" or not step.startswith("raw__"):
            continue
        source_id = step[len("raw__"):]
        try:
            owner = steward_for(catalogue.get(source_id), settings)
        except KeyError:
            continue
        out.append({"source_id": source_id, "step": step, "message": event["message"], "owner_name": owner.name,
                    "owner_email": owner.email, "event": event})
    return out


def dispatch_run_alerts(run_id: str, settings: Settings | None = None, instance=None,
                        alert_settings: AlertSettings | None = None) -> list[Delivery]:
    """Send each recipient with problems in `run_id` one message per channel; never raises."""
    cfg = alert_settings or AlertSettings.from_env()
    try:
        return _dispatch(run_id, settings or get_settings(), instance, cfg)
    except Exception as exc:  # noqa: BLE001 - alerts must never break the run
        log.error("alerts for run %s failed: %s", run_id, redact(f"{type(exc).__name__}: {exc}", cfg.secrets()))
        return []


def _dispatch(run_id: str, settings: Settings, instance, cfg: AlertSettings) -> list[Delivery]:
    alerts = build_alerts(run_id, settings, instance, cfg)
    if not alerts:
        log.info("run %s: no problem, no alert", run_id)
        return []
    borough = area_config(settings).borough.name
    try:
        done = _read(settings, "SELECT owner_email, channel FROM quality.alert_deliveries WHERE run_id = ? "
                               "AND status = 'sent'", [run_id])
    except pr.WarehouseUnreadable:
        done = pd.DataFrame()
    sent_before = set(zip(done.get("owner_email", []), done.get("channel", [])))
    deliveries: list[Delivery] = []
    for alert in alerts:
        acked = [f"{p.wording.title} ({p.known.label()})" for p in alert.acknowledged]
        if not alert.to_send:
            deliveries.append(Delivery(run_id, alert.owner_email, "none", "acknowledged", acknowledged=acked))
            continue
        channels = []
        if cfg.smtp_host:
            to = cfg.redirect_to or alert.owner_email
            channels.append(("email", to, lambda a=alert, to=to: send_email(
                cfg, to, a.subject(borough), a.text(borough, cfg.examples), a.attachments)))
        if cfg.webhook_url:
            channels.append(("webhook", host_of(cfg.webhook_url), lambda a=alert: post_webhook(cfg, a.payload(borough))))
        if not channels:
            log.warning("run %s: %d problem(s) for %s but no alert channel is configured (SPI_SMTP_HOST, "
                        "SPI_ALERT_WEBHOOK_URL)", run_id, alert.n_failures, alert.owner_email)
            deliveries.append(Delivery(run_id, alert.owner_email, "none", "skipped", acknowledged=acked))
            continue
        for channel, recipient, send in channels:
            if (alert.owner_email, channel) in sent_before:
                deliveries.append(Delivery(run_id, alert.owner_email, channel, "already_sent", recipient=recipient,
                                           acknowledged=acked))
                continue
            ok, attempts, error = with_retries(send, cfg, f"{channel} to {recipient} for {alert.owner_email}")
            deliveries.append(Delivery(run_id, alert.owner_email, channel, "sent" if ok else "failed", attempts,
                                       error, recipient, acked))
    _record(settings, deliveries, {a.owner_email: a.n_failures for a in alerts})
    return deliveries


def _record(settings: Settings, deliveries: list[Delivery], counts: dict) -> None:
    rows = [{"run_id": d.run_id, "owner_email": d.owner_email, "channel": d.channel, "status": d.status,
             "attempts": d.attempts, "error": d.error, "n_failures": counts.get(d.owner_email, 0),
             "delivered_at": store.now()} for d in deliveries if d.status not in ("already_sent", "acknowledged")]
    try:
        store.write(settings.duckdb_path, {"alert_deliveries": pd.DataFrame(rows)})
    except Exception as exc:  # noqa: BLE001 - a broken warehouse must not stop the alert that says so
        log.warning("could not record alert deliveries: %s", type(exc).__name__)


# ------------------------------------------------------------------------------------ helpers

@dataclass(frozen=True)
class _Person:
    name: str
    email: str


def _read(settings: Settings, query: str, params: list) -> pd.DataFrame:
    """store.read, with any failure to open or read the warehouse as WarehouseUnreadable."""
    try:
        return store.read(settings.duckdb_path, query, params)
    except Exception as exc:  # noqa: BLE001 - corrupt file, lock held, I/O error: all mean "cannot read"
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
        raise pr.WarehouseUnreadable(f"{type(exc).__name__}: {first}") from exc


def _catalogue(settings: Settings):
    try:
        return load_catalogue(settings.sources_path)
    except Exception as exc:  # noqa: BLE001 - the alert still goes, without catalogue details
        log.warning("alerts: the catalogue could not be read: %s", exc)
        return None


def _kwargs(settings: Settings, row: dict) -> dict:
    """The failed expectation's arguments, from its suite file (empty when not found)."""
    from social_progress.quality.suites import load_suite, source_suite_path, suites_dir

    source_id = row.get("source_id") if isinstance(row.get("source_id"), str) else None
    path = source_suite_path(settings.project_root, source_id) if source_id else \
        suites_dir(settings.project_root) / f"{row.get('suite')}.yml"
    try:
        suite = load_suite(path)
    except Exception:  # noqa: BLE001 - a crashed check has no suite entry; words without bounds
        return {}
    for spec in suite.batches.get(row.get("batch"), []):
        if spec.type == row.get("expectation") and (spec.column or "") == (row.get("column_name") or ""):
            return dict(spec.kwargs)
    return {}


def _hidden(settings: Settings, catalogue, source_id: str | None) -> set[str]:
    """Columns never shown for a source: the suite's personal columns and the catalogue's
    restricted ones (identifiers, places, free text)."""
    if not source_id:
        return set()
    from social_progress.quality.suites import load_suite, source_suite_path

    hidden: set[str] = set()
    try:
        hidden |= set(load_suite(source_suite_path(settings.project_root, source_id)).personal_columns)
    except Exception:  # noqa: BLE001
        pass
    if catalogue is not None:
        try:
            source = catalogue.get(source_id)
        except KeyError:
            return hidden
        if source.personal is not None:
            hidden |= set(source.personal.restricted_columns())
    return hidden


def _check_owner(ev: dict, settings: Settings, catalogue, index_owner):
    """A failed check found only in the run's events: the source's steward for raw/<id>, else the index owner."""
    key = ev.get("asset_key") or ""
    if key.startswith("raw/") and catalogue is not None:
        found = ingest_failures("", settings, None, [dict(ev, kind="step", step="raw__" + key[len("raw/"):])])
        if found:
            return _Person(found[0]["owner_name"], found[0]["owner_email"])
    return index_owner


def _attachments(alert: OwnerAlert, settings: Settings, catalogue, cfg: AlertSettings,
                 write_links: bool) -> list[Attachment]:
    """The Data Docs page of each failed batch and the quarantined rows of each source, attached
    (or, with SPI_ALERT_BASE_URL, published under the warehouse's alerts/ folder and linked)."""
    out: list[Attachment] = []
    by_docs: dict[str, list[str]] = {}
    sources: list[str] = []
    for p in alert.to_send:
        if p.data_docs:
            by_docs.setdefault(p.data_docs, []).append(p.batch or "")
        if p.source_id and p.kind == "check" and p.source_id not in sources:
            sources.append(p.source_id)
    wh = settings.warehouse_dir
    for docs, batches in by_docs.items():
        for name, page in data_docs_pages(wh, docs, batches):
            try:
                data = standalone_html(page)
            except OSError as exc:
                log.warning("alerts: Data Docs page %s unreadable: %s", name, exc)
                continue
            desc = f"the check's full report (Data Docs), {name.rsplit('.', 1)[0]}"
            url = None
            if cfg.base_url:
                url = link_for(cfg.base_url, page.relative_to(wh).as_posix())
            out.append(Attachment(name, "text/html", data, url, desc))
    for source_id in sources:
        try:
            found = quarantine_csv(settings.duckdb_path, alert.run_id, source_id, _hidden(settings, catalogue, source_id))
        except Exception as exc:  # noqa: BLE001
            log.warning("alerts: quarantined rows of %s unreadable: %s", source_id, type(exc).__name__)
            continue
        if found is None:
            continue
        data, n = found
        name = f"{source_id}_quarantined_rows.csv"
        desc = f"the {n} row(s) of {source_id} set aside by the checks (non-personal fields)"
        url = None
        if cfg.base_url:
            relative = f"alerts/{alert.run_id}/{name}"
            publish_link(wh, relative, data, write_links)
            url = link_for(cfg.base_url, relative)
        out.append(Attachment(name, "text/csv", data, url, desc))
    return out


def preview_alerts(run_id: str, settings: Settings | None = None, instance=None,
                   alert_settings: AlertSettings | None = None) -> list[OwnerAlert]:
    """The messages `dispatch_run_alerts` would send for `run_id`, without sending or writing anything."""
    settings = settings or get_settings()
    cfg = alert_settings or AlertSettings.from_env()
    return build_alerts(run_id, settings, instance, replace(cfg), write_links=False)
