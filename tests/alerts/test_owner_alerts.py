"""Owner alerts: one message per owner per run, by real SMTP and a real webhook; never breaks the run."""
import logging

import pandas as pd
import pytest

from social_progress.alerts import AlertSettings, dispatch_run_alerts
from social_progress.quality.mart_frames import index_frames
from social_progress.quality.runner import evaluate_mart, evaluate_source
from social_progress.quality import store
from social_progress.settings import get_settings
from social_progress.warehouse import replace_table

INDEX_OWNER = "insight@lbbd.example.gov.uk"


def steward(source_id: str) -> str:
    """The steward's email as the deployment's catalogue/areas.yml gives it (never the publisher)."""
    from social_progress.catalogue import load_catalogue, steward_for

    settings = get_settings()
    return steward_for(load_catalogue(settings.sources_path).get(source_id), settings).email


def recipients() -> set[str]:
    """Who hears of `failing_run`: the stewards of food_hygiene and fixmystreet, and the index owner."""
    return {steward("food_hygiene"), steward("fixmystreet"), INDEX_OWNER}


@pytest.fixture
def warehouse(tmp_path, monkeypatch):
    monkeypatch.setenv("SPI_WAREHOUSE_DIR", str(tmp_path / "wh"))
    monkeypatch.setenv("SPI_ALERT_BACKOFF_SECONDS", "0.01")
    for var in ("SPI_SMTP_HOST", "SPI_ALERT_WEBHOOK_URL", "SPI_ALERT_REDIRECT_TO"):
        monkeypatch.delenv(var, raising=False)
    return get_settings()


def _csv(settings, relative, **kw) -> pd.DataFrame:
    return pd.read_csv(settings.project_root / relative, dtype=str, keep_default_na=False, na_values=[""], **kw)


def failing_run(settings, run_id="run-1"):
    """A run in which three owners' data fails: FSA (personal data), mySociety, and the index owner."""
    fsa = _csv(settings, "data/records/fhrs_london_2020-07.csv")
    fsa.loc[[3, 7], "RatingDate"] = ["43997", "44012"]  # Excel serial dates
    fsa["_source_file"] = "data/records/fhrs_london_2020-07.csv"
    replace_table(settings.duckdb_path, "raw", "food_hygiene", fsa)
    fms = _csv(settings, "data/records/fixmystreet_lsoa_counts_bd_2010_2019.csv")
    fms.loc[5, "reports"] = "-4"
    fms["_source_file"] = "data/records/fixmystreet_lsoa_counts_bd_2010_2019.csv"
    replace_table(settings.duckdb_path, "raw", "fixmystreet", fms)
    reports = [evaluate_source("food_hygiene", settings, run_id), evaluate_source("fixmystreet", settings, run_id)]
    scores = pd.DataFrame([dict(area_code="E09000002", area_name="B&D", area_level="borough", boundary="lad", year=2021,
                                measure_type="index", measure="Social Progress Index", score=104.0, value=None)])
    areas = pd.DataFrame({"area_code": ["E09000002", "E01000006"], "area_level": ["borough", "lsoa"],
                          "boundary": ["lad", "lsoa11"], "area_name": ["B&D", "x"]})
    reports.append(evaluate_mart("index_scores_expectations", "marts/index_scores",
                                 settings.project_root / "expectations" / "index_scores.yml",
                                 index_frames(scores, areas, [2021]),
                                 {"scores": ["boundary", "area_code", "year"], "coverage": ["boundary", "area_code", "year"]},
                                 settings, run_id))
    return fsa, reports


def test_each_recipient_gets_one_email_and_one_webhook_post(warehouse, smtp, webhook, monkeypatch):
    fsa, reports = failing_run(warehouse)
    assert [r.passed for r in reports] == [False, False, False]
    for k, v in {**smtp.env(), **webhook.env()}.items():
        monkeypatch.setenv(k, v)
    deliveries = dispatch_run_alerts("run-1", warehouse)
    assert sorted((d.owner_email, d.channel, d.status) for d in deliveries) == sorted(
        [(o, c, "sent") for o in recipients() for c in ("email", "webhook")])
    by_to = {m["to"][0]: m for m in smtp.messages}
    assert set(by_to) == recipients() and len(smtp.messages) == len(recipients())

    body = by_to[steward("food_hygiene")]["body"]
    # plain words with the numbers; the expectation only as a detail line; no developer notes
    assert "2 rows have a date (column RatingDate) that is not in the expected form" in body
    assert "2 of 68,836 checked" in body  # the London-wide 2020-07 extract: 68,836 businesses
    assert "expect_column_values_to_match_regex on column 'RatingDate'" in body
    assert "43997" in body and f"FHRSID: {fsa.loc[3, 'FHRSID']}" in body
    assert "What to do:" in body and "Why it matters" not in body
    assert "nothing was published" in body
    for personal in ("BusinessName", "AddressLine1", fsa.loc[3, "BusinessName"], fsa.loc[7, "BusinessName"], fsa.loc[3, "PostCode"]):
        assert personal not in body, personal
    assert "blocked the release" in by_to[steward("food_hygiene")]["subject"]
    # the fixmystreet count of -4 (typed batch): a negative count, in words
    assert "1 row has negative values in column reports" in body and "reports: -4" in body
    index_mail = by_to[INDEX_OWNER]["body"]
    assert "1 row has values in column score outside 0 to 100" in index_mail and "E09000002" in index_mail
    assert "1 of 2 area and period combinations have no data" in index_mail and "E01000006" in index_mail
    # no server path, no SQL table for the recipient to open
    for text in (body, index_mail):
        assert str(warehouse.warehouse_dir) not in text and "quality.quarantine" not in text

    posts = {p["json"]["owner"]["email"]: p for p in webhook.posts}
    assert set(posts) == recipients()
    assert posts[steward("food_hygiene")]["content_type"] == "application/json"
    failure = next(f for f in posts[steward("food_hygiene")]["json"]["failures"] if f["column"] == "RatingDate")
    assert failure["unexpected_count"] == 2 and failure["severity"] == "error" and failure["examples"]
    assert failure["title"] == "2 rows have a date (column RatingDate) that is not in the expected form"
    assert fsa.loc[3, "BusinessName"] not in str(posts[steward("food_hygiene")]["json"])

    # quarantine: the offending rows with the rule; FSA is personal data, so key fields only
    q = store.read(warehouse.duckdb_path, "SELECT * FROM quality.quarantine WHERE run_id = 'run-1' ORDER BY source_id, row_json")
    fsa_q = q[q["source_id"] == "food_hygiene"]
    assert len(fsa_q) == 2 and set(fsa_q["rule"]) == {"rows.expect_column_values_to_match_regex(RatingDate)"}
    assert all("BusinessName" not in r and "FHRSID" in r for r in fsa_q["row_json"])
    fms_q = q[q["source_id"] == "fixmystreet"]
    assert any('"reports": "-4"' in r for r in fms_q["row_json"])  # not personal: the whole row


def test_a_run_is_alerted_once_even_if_dispatched_twice(warehouse, smtp, monkeypatch):
    failing_run(warehouse)
    for k, v in smtp.env().items():
        monkeypatch.setenv(k, v)
    first = dispatch_run_alerts("run-1", warehouse)
    second = dispatch_run_alerts("run-1", warehouse)
    assert {d.status for d in first} == {"sent"} and {d.status for d in second} == {"already_sent"}
    assert len(smtp.messages) == len(recipients())


def test_a_failed_webhook_is_retried_then_delivered(warehouse, monkeypatch, caplog):
    from receivers import WebhookReceiver

    failing_run(warehouse)
    hook = WebhookReceiver(fail_first=2).start()
    try:
        monkeypatch.setenv("SPI_ALERT_WEBHOOK_URL", hook.url)
        with caplog.at_level(logging.WARNING, logger="social_progress.alerts"):
            deliveries = dispatch_run_alerts("run-1", warehouse)
    finally:
        hook.stop()
    first = min(deliveries, key=lambda d: d.owner_email)
    assert first.status == "sent" and first.attempts == 3
    assert {d.status for d in deliveries} == {"sent"} and len(hook.posts) == len(recipients())
    assert "attempt 1 of 3" in caplog.text and "503" in caplog.text


def test_an_unreachable_smtp_server_is_logged_and_never_raises(warehouse, caplog):
    from receivers import free_port

    failing_run(warehouse)
    cfg = AlertSettings(smtp_host="127.0.0.1", smtp_port=free_port(), attempts=2, backoff_seconds=0.01, smtp_timeout=2)
    with caplog.at_level(logging.WARNING, logger="social_progress.alerts"):
        deliveries = dispatch_run_alerts("run-1", warehouse, alert_settings=cfg)
    assert {d.status for d in deliveries} == {"failed"} and all(d.attempts == 2 for d in deliveries)
    assert "alert not delivered after 2 attempts" in caplog.text
    rec = store.read(warehouse.duckdb_path, "SELECT status, attempts FROM quality.alert_deliveries WHERE run_id = 'run-1'")
    assert set(rec["status"]) == {"failed"}


def test_dispatch_survives_a_missing_warehouse(tmp_path):
    from dataclasses import replace

    settings = replace(get_settings(), warehouse_dir=tmp_path / "nowhere")
    assert dispatch_run_alerts("no-such-run", settings, alert_settings=AlertSettings(smtp_host="127.0.0.1")) == []


def test_no_failure_no_message(warehouse, smtp, monkeypatch):
    for k, v in smtp.env().items():
        monkeypatch.setenv(k, v)
    assert dispatch_run_alerts("clean-run", warehouse) == []
    assert smtp.messages == []


def test_settings_come_from_the_environment_and_hide_the_password():
    cfg = AlertSettings.from_env({"SPI_SMTP_HOST": "mail.example", "SPI_SMTP_PORT": "587", "SPI_SMTP_USER": "u",
                                  "SPI_SMTP_PASSWORD": "s3cret", "SPI_SMTP_STARTTLS": "1",
                                  "SPI_ALERT_WEBHOOK_URL": "https://hooks.example/x"})
    assert (cfg.smtp_host, cfg.smtp_port, cfg.smtp_starttls, cfg.smtp_password) == ("mail.example", 587, True, "s3cret")
    assert "s3cret" not in repr(cfg) and "hooks.example" in repr(cfg) and "/x" not in repr(cfg)
    assert AlertSettings.from_env({}).smtp_host is None  # nothing configured: alerts are logged, not sent


def test_alert_sensors_watch_the_yearly_refresh():
    from social_progress.definitions import defs

    sensors = {s.name: s for s in defs.sensors}
    assert {"quality_alerts_on_success", "quality_alerts_on_failure"} <= set(sensors)


def test_a_check_that_cannot_run_is_a_failed_error_check_and_alerts_the_owner(warehouse, smtp, monkeypatch):
    from social_progress.defs.quality import _crashed
    from social_progress.quality.runner import record_crash

    outcome = _crashed("fixmystreet", RuntimeError("Catalog Error: Table with name fixmystreet does not exist!"))
    record_crash(warehouse, "run-2", "fixmystreet_expectations", "raw/fixmystreet", outcome, source_id="fixmystreet")
    res = store.read(warehouse.duckdb_path, "SELECT passed, severity FROM quality.check_results WHERE run_id = 'run-2'")
    assert res.values.tolist() == [[False, "error"]]
    for k, v in smtp.env().items():
        monkeypatch.setenv(k, v)
    dispatch_run_alerts("run-2", warehouse)
    (mail,) = smtp.messages
    assert mail["to"] == [steward("fixmystreet")] and "check_could_run" in mail["body"] and "does not exist" in mail["body"]
    assert "The checks could not run on this data" in mail["body"]
