"""What an alert carries (issue 15): plain titles, openable attachments or links, acknowledged
known problems, alerts for blocked runs that no check recorded, no secrets, and the preview."""
import base64
import csv
import io
import logging
import shutil

import pandas as pd
import pytest
import yaml

from social_progress.alerts import AlertSettings, dispatch_run_alerts
from social_progress.alerts.known_issues import KnownIssuesError, load_known_issues
from social_progress.alerts.wording import describe
from social_progress.quality import store
from social_progress.quality.runner import evaluate_source
from social_progress.settings import get_settings
from social_progress.warehouse import replace_table

from test_owner_alerts import INDEX_OWNER, failing_run, steward

WARD_PROFILES = "data/indicators/ward_profiles/ward-profiles-excel-version.csv"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One failing run (food hygiene, FixMyStreet, the index marts), built once and copied per test."""
    base = tmp_path_factory.mktemp("built")
    mp = pytest.MonkeyPatch()
    mp.setenv("SPI_WAREHOUSE_DIR", str(base / "wh"))
    fsa, _ = failing_run(get_settings())
    mp.undo()
    return base / "wh", fsa


@pytest.fixture
def env(tmp_path, monkeypatch, built):
    """Settings on a copy of the built warehouse and of the catalogue folder (known_issues.yml is per test)."""
    src, _ = built
    shutil.copytree(src, tmp_path / "wh", symlinks=True)
    root = get_settings().project_root
    shutil.copytree(root / "catalogue", tmp_path / "catalogue")
    (tmp_path / "catalogue" / "known_issues.yml").unlink(missing_ok=True)
    for var in ("SPI_SMTP_HOST", "SPI_ALERT_WEBHOOK_URL", "SPI_ALERT_REDIRECT_TO", "SPI_ALERT_BASE_URL",
                "SPI_SMTP_USER", "SPI_SMTP_PASSWORD"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("SPI_WAREHOUSE_DIR", str(tmp_path / "wh"))
    monkeypatch.setenv("SPI_CATALOGUE_DIR", str(tmp_path / "catalogue"))
    monkeypatch.setenv("SPI_ALERT_BACKOFF_SECONDS", "0.01")
    return get_settings()


def _terminal(monkeypatch):
    """The CLI prints to the terminal it found at import; here, to what capsys captures."""
    import sys

    from social_progress import cli

    monkeypatch.setattr(cli, "_STDOUT", sys.stdout)
    monkeypatch.setattr(cli, "_STDERR", sys.stderr)
    return cli


def _use(monkeypatch, *receivers):
    for r in receivers:
        for k, v in r.env().items():
            monkeypatch.setenv(k, v)


# ------------------------------------------------------------------------------ plain titles

@pytest.mark.parametrize("failure, kwargs, title", [
    (dict(expectation="expect_column_values_to_be_between", column="2019", batch="typed", unexpected_count=3),
     {"column": "2019", "min_value": 0}, "3 rows have negative values in column 2019"),
    (dict(expectation="expect_column_values_to_not_be_null", column="LSOA11CD", batch="rows", unexpected_count=12),
     {"column": "LSOA11CD"}, "12 rows have no LSOA code (column LSOA11CD)"),
    (dict(expectation="expect_table_columns_to_match_set", batch="rows", observed={"missing": ["LSOA11CD"]}),
     {"column_set": ["LSOA11CD", "2019"]}, "The file is missing column LSOA11CD"),
    (dict(expectation="expect_column_values_to_be_between", column="age_days", batch="freshness", unexpected_count=1,
          examples=[{"age_days": 1802, "latest_period": "2021", "max_age_days": 732}], cadence="yearly"),
     {"column": "age_days"}, "A newer edition is due (the publisher issues it every year; the copy here is from "
                             "2021, 1,802 days old)"),
    (dict(expectation="expect_column_values_to_be_between", column="age_days", batch="freshness", unexpected_count=1,
          examples=[{"age_days": 1406, "latest_period": "2023-01", "max_age_days": 93}], cadence="monthly"),
     {"column": "age_days"}, "A newer edition is due (the publisher issues it every month; the copy here is from "
                             "January 2023, 1,406 days old)"),
    (dict(expectation="expect_column_values_to_be_unique", column="New code", batch="rows", unexpected_count=2),
     {"column": "New code"}, "2 rows repeat a value of column New code that should appear once"),
    (dict(expectation="expect_table_row_count_to_be_between", batch="rows", observed=12),
     {"min_value": 330}, "The file has 12 rows; at least 330 are expected (a truncated or partial file?)"),
    (dict(expectation="expect_something_new", column="x", batch="rows", unexpected_count=4, element_count=10),
     {}, "4 of 10 rows in column x do not meet a check"),
])
def test_common_expectations_have_plain_titles(failure, kwargs, title):
    words = describe(failure, kwargs)
    assert words.title == title
    assert words.action and "expect_" not in words.title
    assert failure["expectation"] in words.detail


@pytest.mark.parametrize("event, title", [
    (dict(check_name="no_excluded_rows_food_hygiene_poor_rating_rate_", asset_key="indicators/food_hygiene_poor_rating_rate",
          message="failed", failed_rows=1),
     "1 source row could not be used for the indicator food_hygiene_poor_rating_rate (no area code or year, a code "
     "of another boundary vintage, or a duplicated area and year)"),
    (dict(check_name="index_audit", asset_key="marts/index_scores", message="Personal Rights: KMO 0.494 < 0.500",
          failed_rows=None),
     "Components of the index fail the audit: Personal Rights: KMO 0.494 < 0.500"),
])
def test_failed_model_checks_read_as_words(event, title):
    from social_progress.alerts.problems import step_problem
    from social_progress.catalogue.models import Owner

    p = step_problem({"kind": "check", "step": "dbt_models", "severity": "warning", **event},
                     Owner(name="Index owner", email="index.owner@example.gov.uk"))
    assert p.wording.title == title
    assert event["check_name"] in p.wording.detail and "Dagster UI" in p.wording.action


# ------------------------------------------------------------------------------ attachments

def test_email_and_webhook_carry_the_data_docs_page_and_the_quarantined_rows(env, built, smtp, webhook, monkeypatch):
    _, fsa = built
    _use(monkeypatch, smtp, webhook)
    dispatch_run_alerts("run-1", env)
    mail = next(m for m in smtp.messages if m["to"] == [steward("food_hygiene")])
    att = mail["attachments"]
    assert {"food_hygiene_expectations-rows.html", "food_hygiene_quarantined_rows.csv",
            "fixmystreet_quarantined_rows.csv"} <= set(att)
    page = att["food_hygiene_expectations-rows.html"]
    assert page["content_type"] == "text/html"
    html = page["data"].decode("utf-8")
    assert "<html" in html.lower() and "RatingDate" in html and "static/vendor" not in html  # opens on its own
    rows = list(csv.DictReader(io.StringIO(att["food_hygiene_quarantined_rows.csv"]["data"].decode("utf-8"))))
    # a personal-data source: its quarantine keeps the key fields only, with the rule each row broke
    assert {r["rule"] for r in rows} == {"expect_column_values_to_match_regex on RatingDate"}
    assert {r["FHRSID"] for r in rows} == {str(fsa.loc[3, "FHRSID"]), str(fsa.loc[7, "FHRSID"])}
    for personal in ("BusinessName", "AddressLine1", "PostCode"):
        assert personal not in rows[0], personal
    assert fsa.loc[3, "BusinessName"] not in att["food_hygiene_quarantined_rows.csv"]["data"].decode("utf-8")
    fms = list(csv.DictReader(io.StringIO(att["fixmystreet_quarantined_rows.csv"]["data"].decode("utf-8"))))
    assert any(r["reports"] == "-4" for r in fms)

    post = next(p["json"] for p in webhook.posts if p["json"]["owner"]["email"] == steward("food_hygiene"))
    by_name = {a["name"]: a for a in post["attachments"]}
    assert base64.b64decode(by_name["food_hygiene_expectations-rows.html"]["content_base64"]).decode() == html
    assert list(csv.DictReader(io.StringIO(by_name["food_hygiene_quarantined_rows.csv"]["text"]))) == rows
    assert str(env.warehouse_dir) not in mail["body"] and str(env.warehouse_dir) not in str(post)


def test_with_a_base_url_the_message_links_instead_of_attaching(env, smtp, webhook, monkeypatch):
    _use(monkeypatch, smtp, webhook)
    monkeypatch.setenv("SPI_ALERT_BASE_URL", "https://spi.example.org/warehouse/")
    dispatch_run_alerts("run-1", env)
    mail = next(m for m in smtp.messages if m["to"] == [steward("food_hygiene")])
    assert mail["attachments"] == {}
    link = "https://spi.example.org/warehouse/alerts/run-1/food_hygiene_quarantined_rows.csv"
    assert link in mail["body"] and "https://spi.example.org/warehouse/data_docs/run-1/food_hygiene_expectations/" in mail["body"]
    published = env.warehouse_dir / "alerts" / "run-1" / "food_hygiene_quarantined_rows.csv"
    assert len(pd.read_csv(published)) == 2   # the file behind the link exists
    post = next(p["json"] for p in webhook.posts if p["json"]["owner"]["email"] == steward("food_hygiene"))
    assert post["attachments"] == [] and link in [x["url"] for x in post["links"]]


# ------------------------------------------------------------------------------ known issues

def _ward_profiles_run(settings, run_id: str, extra_duplicates: int = 0):
    """The real GLA ward profiles file (it repeats its City of London row), checked in `run_id`."""
    raw = pd.read_csv(settings.project_root / WARD_PROFILES, dtype=str, keep_default_na=False, na_values=[""],
                      encoding="cp1252")
    if extra_duplicates:
        raw = pd.concat([raw, raw[raw["New code"] == "E09000001"].head(extra_duplicates)], ignore_index=True)
    raw["_source_file"] = WARD_PROFILES
    replace_table(settings.duckdb_path, "raw", "ward_profiles", raw)
    return evaluate_source("ward_profiles", settings, run_id)


def _acknowledge(settings, **entry):
    path = settings.catalogue_dir / "known_issues.yml"
    base = {"source": "ward_profiles", "check": "ward_profiles_expectations", "expectation":
            "expect_column_values_to_be_unique", "column": "New code", "reason": "the GLA file repeats the City row",
            "acknowledged_by": "Open data steward", "expires": "2099-12-31", "unexpected_count": 2}
    path.write_text(yaml.safe_dump({"known_issues": [{**base, **entry}]}), encoding="utf-8")


def test_the_seeded_known_issue_is_the_real_duplicate_city_of_london_row(env):
    report = _ward_profiles_run(env, "wp-seed")
    (dup,) = [f for f in report.outcome.failures if f.expectation == "expect_column_values_to_be_unique"]
    seeded = load_known_issues(get_settings().project_root / "catalogue" / "known_issues.yml")
    entry = next(e for e in seeded if e.source == "ward_profiles")
    assert (entry.check, entry.column, entry.unexpected_count) == (report.check_name, dup.column, dup.unexpected_count)


def test_an_acknowledged_problem_is_not_resent_but_shows_in_the_summary_and_in_dagster(env, smtp, monkeypatch, capsys):
    from social_progress.defs.quality import check_result

    _acknowledge(env)
    report = _ward_profiles_run(env, "wp-1")
    assert any(f.expectation == "expect_column_values_to_be_unique" and f.unexpected_count == 2
               for f in report.outcome.failures)
    _use(monkeypatch, smtp)
    deliveries = dispatch_run_alerts("wp-1", env)
    assert [(d.channel, d.status) for d in deliveries] == [("none", "acknowledged")]
    assert smtp.messages == []
    assert "acknowledged: the GLA file repeats the City row, until 2099-12-31" in deliveries[0].acknowledged[0]
    # Dagster: the check's metadata and description say so; the outcome is unchanged (a warning)
    result = check_result(report.outcome, report, env)
    assert result.metadata["known_issues"].value[0]["status"] == "acknowledged: the GLA file repeats the City row, until 2099-12-31"
    assert "[acknowledged: the GLA file repeats the City row, until 2099-12-31]" in result.description
    assert not result.passed
    # the run summary printed by the CLI
    _terminal(monkeypatch)._say_deliveries(deliveries)
    assert "acknowledged: the GLA file repeats the City row, until 2099-12-31" in capsys.readouterr().err


def test_an_expired_acknowledgement_is_sent_again_and_says_so(env, smtp, monkeypatch):
    _acknowledge(env, expires="2020-01-31")
    _ward_profiles_run(env, "wp-2")
    _use(monkeypatch, smtp)
    deliveries = dispatch_run_alerts("wp-2", env)
    assert {d.status for d in deliveries} == {"sent"}
    (mail,) = smtp.messages
    assert "2 rows repeat a value of column New code" in mail["body"] and "now expired" in mail["body"]


def test_changed_numbers_are_sent_again(env, smtp, monkeypatch):
    _acknowledge(env)
    _ward_profiles_run(env, "wp-3", extra_duplicates=1)   # three City rows now, two acknowledged
    _use(monkeypatch, smtp)
    dispatch_run_alerts("wp-3", env)
    (mail,) = smtp.messages
    assert "3 rows repeat a value of column New code" in mail["body"] and "the numbers have changed" in mail["body"]


@pytest.mark.parametrize("entry, message", [
    ({"expires": "next year"}, "entry 1 (ward_profiles / ward_profiles_expectations): field 'expires': 'next year' is not a date"),
    ({"reason": ""}, "field 'reason' is required"),
    ({"source": "no_such_source"}, "field 'source': 'no_such_source' is not a catalogue source id"),
    ({"owner": "x"}, "unknown field(s) owner"),
    ({"unexpected_count": "two"}, "field 'unexpected_count': 'two' is not a whole number"),
])
def test_a_malformed_known_issues_file_is_refused_naming_file_entry_and_rule(env, entry, message):
    from social_progress.catalogue import load_catalogue

    _acknowledge(env, **entry)
    path = env.catalogue_dir / "known_issues.yml"
    with pytest.raises(KnownIssuesError) as err:
        load_known_issues(path, set(load_catalogue(env.sources_path).ids))
    assert str(path) in str(err.value) and message in str(err.value)


def test_a_malformed_known_issues_file_acknowledges_nothing_and_tells_the_index_owner(env, smtp, monkeypatch):
    _acknowledge(env, expires="soon")
    _ward_profiles_run(env, "wp-4")
    _use(monkeypatch, smtp)
    dispatch_run_alerts("wp-4", env)
    by_to = {m["to"][0]: m["body"] for m in smtp.messages}
    assert "2 rows repeat a value of column New code" in by_to[steward("ward_profiles")]
    assert "known_issues.yml" in by_to[INDEX_OWNER] and "'expires'" in by_to[INDEX_OWNER]


# ------------------------------------------------------------------------------ blocked runs

def _run_failing_job(asset_fn, name):
    from dagster import DagsterInstance, Definitions, asset, define_asset_job

    a = asset(key=["geography", name])(asset_fn)
    job = define_asset_job("probe")
    instance = DagsterInstance.ephemeral()
    result = Definitions(assets=[a], jobs=[job]).resolve_job_def("probe").execute_in_process(
        instance=instance, raise_on_error=False)
    assert not result.success
    return result.run_id, instance


def test_a_geography_failure_alerts_the_index_owner(env, smtp, monkeypatch):
    """A mislabelled CRS (lon/lat coordinates declared as British National Grid) fails the real
    CRS check in a geography step; no check records it, the run's events do."""
    import geopandas as gpd
    from shapely.geometry import Point

    from social_progress.geography.boundaries import check_crs

    def lsoa11_boundaries():
        gdf = gpd.GeoDataFrame({"LSOA11CD": ["E01000006", "E01000007"]},
                               geometry=[Point(0.08, 51.54), Point(0.09, 51.55)], crs="EPSG:27700")
        check_crs(gdf, "lsoa11_boundaries.geojson", "LSOA11CD")

    run_id, instance = _run_failing_job(lsoa11_boundaries, "lsoa11_boundaries")
    _use(monkeypatch, smtp)
    deliveries = dispatch_run_alerts(run_id, env, instance=instance)
    assert [(d.owner_email, d.status) for d in deliveries] == [(INDEX_OWNER, "sent")]
    (mail,) = smtp.messages
    assert mail["to"] == [INDEX_OWNER] and "blocked the release" in mail["subject"]
    assert "The geography step lsoa11_boundaries failed" in mail["body"] and "do not fit the declared CRS" in mail["body"]


def test_a_corrupt_warehouse_alerts_the_index_owner(env, smtp, monkeypatch):
    env.duckdb_path.write_bytes(b"this is not a DuckDB file" * 100)

    def lsoa11_lookup():
        store.read(env.duckdb_path, "SELECT 1")

    run_id, instance = _run_failing_job(lsoa11_lookup, "lsoa11_lookup")
    _use(monkeypatch, smtp)
    deliveries = dispatch_run_alerts(run_id, env, instance=instance)
    assert [(d.owner_email, d.status) for d in deliveries] == [(INDEX_OWNER, "sent")]
    (mail,) = smtp.messages
    assert "The warehouse could not be read, so publication stopped" in mail["body"]
    assert "nothing was published" in mail["body"] and "The geography step lsoa11_lookup failed" in mail["body"]
    # without the run's events (e.g. a preview with no instance) the warehouse alone still alerts
    smtp.messages.clear()
    assert [d.status for d in dispatch_run_alerts("any-run", env)] == ["sent"]
    assert "The warehouse could not be read" in smtp.messages[0]["body"]


# ------------------------------------------------------------------------------ secrets

SECRET_HOOK_PW, SECRET_TOKEN, SMTP_USER, SMTP_PW = "HookPw5ecret", "S3cretTok", "alerts-user-x1", "SmtpPa55word"


def test_secrets_never_appear_in_output_logs_records_or_metadata(env, webhook, smtp, monkeypatch, capsys, caplog):
    cli = _terminal(monkeypatch)
    port = webhook.url.split(":")[2].split("/")[0]
    hook = f"http://hookuser:{SECRET_HOOK_PW}@127.0.0.1:{port}/services/T0/B0/{SECRET_TOKEN}"
    _use(monkeypatch, smtp)
    monkeypatch.setenv("SPI_ALERT_WEBHOOK_URL", hook)
    monkeypatch.setenv("SPI_SMTP_USER", SMTP_USER)        # aiosmtpd offers no AUTH: the login fails, and says so
    monkeypatch.setenv("SPI_SMTP_PASSWORD", SMTP_PW)
    monkeypatch.setenv("SPI_ALERT_ATTEMPTS", "2")
    monkeypatch.setenv("DAGSTER_HOME", str(env.warehouse_dir.parent / "no_dagster"))
    webhook.fail_first = 1                                  # one failed POST: its error is logged
    with caplog.at_level(logging.DEBUG):
        assert cli.main(["alerts", "--run", "run-1"]) == 0
        assert cli.main(["alerts", "--preview", "--run", "run-1"]) == 0
        deliveries = dispatch_run_alerts("run-1", env)
    out = capsys.readouterr()
    assert len(webhook.posts) == len({steward("food_hygiene"), steward("fixmystreet"), INDEX_OWNER})
    assert "webhook to 127.0.0.1: sent" in out.err and "email to" in out.err and "failed" in out.err
    records = store.read(env.duckdb_path, "SELECT * FROM quality.alert_deliveries")
    texts = {"stdout": out.out, "stderr": out.err, "logs": caplog.text, "records": records.to_string(),
             "deliveries": repr(deliveries), "settings": repr(AlertSettings.from_env()),
             "payloads": repr([p["json"] for p in webhook.posts]), "mails": repr([m["body"] for m in smtp.messages])}
    assert "503" in caplog.text and "SMTP AUTH" in caplog.text  # the errors are there, redacted
    for where, text in texts.items():
        for secret in (SECRET_HOOK_PW, SECRET_TOKEN, SMTP_USER, SMTP_PW, "/services/T0/B0"):
            assert secret not in text, (where, secret)


def test_a_sql_source_url_password_is_not_in_its_error(monkeypatch, tmp_path):
    from social_progress.catalogue import SqlReader
    from social_progress.ingest.sql import run_query

    monkeypatch.setenv("SPI_TEST_DB_URL", f"postgresql://dbuser:{SMTP_PW}@127.0.0.1:1/db?sslpassword={SECRET_TOKEN}")
    reader = SqlReader(kind="sql", url_env="SPI_TEST_DB_URL", query="SELECT 1 AS x")
    with pytest.raises(Exception) as err:   # nothing listens on port 1: the connection fails
        run_query("probe", reader, tmp_path)
    assert SMTP_PW not in str(err.value) and SECRET_TOKEN not in str(err.value)


# ------------------------------------------------------------------------------ preview

def test_preview_prints_each_message_and_sends_nothing(env, smtp, monkeypatch, capsys):
    cli = _terminal(monkeypatch)
    _use(monkeypatch, smtp)
    monkeypatch.setenv("DAGSTER_HOME", str(env.warehouse_dir.parent / "no_dagster"))
    assert cli.main(["alerts", "--preview"]) == 0      # the latest run in the warehouse: run-1
    out = capsys.readouterr().out
    assert "Preview of the alerts of run run-1 (nothing is sent)" in out
    for who in (steward("food_hygiene"), INDEX_OWNER):
        assert f"<{who}>" in out
    assert out.count("Subject: [Social Progress Index]") == len({steward("food_hygiene"), steward("fixmystreet"), INDEX_OWNER})
    assert "2 rows have a date (column RatingDate) that is not in the expected form" in out
    assert "Attachment: food_hygiene_quarantined_rows.csv (text/csv, " in out
    assert "Attachment: food_hygiene_expectations-rows.html (text/html, " in out
    assert smtp.messages == []
    assert store.read(env.duckdb_path, "SELECT * FROM quality.alert_deliveries").empty
