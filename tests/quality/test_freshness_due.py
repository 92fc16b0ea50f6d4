"""A stale source tells its steward what to do: a newer edition is due, from where.

The copy in the warehouse is the council's own; the publisher has done nothing wrong, so the
failure is worded for the steward who fetches the data (never "send a corrected file") and
carries the edition date, cadence and fetch URL for the alert to render. Real bundled data:
the police.uk sample of January 2023 (monthly) and mySociety's FixMyStreet counts to 2019.
"""
from __future__ import annotations

import pandas as pd
import pytest
import yaml

from social_progress.catalogue import load_catalogue
from social_progress.quality import frames as qf
from social_progress.quality.freshness import edition_due
from social_progress.quality.suites import load_suite, source_suite_path
from social_progress.settings import PROJECT_ROOT, get_settings

CATALOGUE = load_catalogue(PROJECT_ROOT / "catalogue" / "sources.yml", PROJECT_ROOT)
DEVELOPER_NOTES = ("SPI_AS_OF", "historic", "corrected", "default today")


@pytest.fixture()
def police_raw(tmp_path, monkeypatch):
    """raw.police_uk landed in a throw-away warehouse from the bundled sample (no download)."""
    from social_progress.ingest import ingest_source

    for var in ("SPI_ALLOW_DOWNLOADS", "SPI_BOROUGH", "SPI_CATALOGUE_DIR", "SPI_AS_OF"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("SPI_PROJECT_ROOT", str(PROJECT_ROOT))
    monkeypatch.setenv("SPI_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    settings = get_settings()
    result = ingest_source(CATALOGUE.get("police_uk"), settings)
    assert result.origin == "fallback" and result.rows == 4000
    return settings


def _failures(settings, run_id: str) -> pd.DataFrame:
    from social_progress.quality import store

    return store.read(settings.duckdb_path, "SELECT * FROM quality.check_failures WHERE run_id = ?", [run_id])


def test_a_stale_source_is_recorded_as_a_due_edition_for_its_steward(police_raw, monkeypatch):
    from social_progress.quality.runner import evaluate_source

    settings = police_raw
    open_data = yaml.safe_load((PROJECT_ROOT / "catalogue" / "areas.yml").read_text())["stewards"]["public_data"]
    monkeypatch.setenv("SPI_AS_OF", "2024-06-30")       # 17 months after the January 2023 file
    evaluate_source("police_uk", settings, "stale-run")
    failures = _failures(settings, "stale-run")
    fresh = failures[failures["batch"] == "freshness"]
    assert len(fresh) == 1
    row = fresh.iloc[0]
    assert row["why"] == ("a newer edition is due (the publisher issues it every month; the copy here is from "
                          "January 2023): fetch it from https://data.police.uk/data/")
    assert (row["edition_date"], row["cadence"], row["fetch_url"]) == ("2023-01-31", "monthly", "https://data.police.uk/data/")
    # to the council's open-data steward, not police.uk's inbox
    assert (row["owner_name"], row["owner_email"]) == (open_data["name"], open_data["email"])
    assert row["owner_email"] != "data@police.uk"
    assert not [note for note in DEVELOPER_NOTES if note in row["why"]]
    # other failures (if any) keep their suite's wording and carry no edition fields
    others = failures[failures["batch"] != "freshness"]
    assert others["fetch_url"].isna().all() and others["edition_date"].isna().all()

    monkeypatch.setenv("SPI_AS_OF", "2023-02-20")        # within a month and its publication lag: fresh
    evaluate_source("police_uk", settings, "fresh-run")
    assert (_failures(settings, "fresh-run")["batch"] != "freshness").all()


def test_the_wording_follows_the_cadence_the_period_and_a_missing_address(monkeypatch):
    monkeypatch.setenv("SPI_AS_OF", "2026-01-01")
    source = CATALOGUE.get("fixmystreet")
    suite = load_suite(source_suite_path(PROJECT_ROOT, "fixmystreet"))
    raw = pd.read_csv(PROJECT_ROOT / "data/records/fixmystreet_lsoa_counts_bd_2010_2019.csv", dtype=str)
    frame, bound = qf.freshness_frame(qf.rows_frame(raw), suite, source.cadence)
    assert frame.iloc[0]["age_days"] > bound                   # stale on 2026-01-01
    due = edition_due(source, frame)
    assert due.message == ("a newer edition is due (the publisher issues it every year; the copy here is from 2019): "
                           "fetch it from https://github.com/mysociety/fms_geographic_data")
    assert due.record_fields() == {"edition_date": "2019-12-31", "cadence": "yearly",
                                   "fetch_url": "https://github.com/mysociety/fms_geographic_data"}
    # a publisher whose download page is not recorded: the steward is pointed at the publisher by name
    unknown = source.model_copy(update={"publisher": source.publisher.model_copy(update={"url": None})})
    assert edition_due(unknown, frame).message.endswith(
        "fetch it from mySociety (the catalogue records no address for the latest edition)")
    # a daily-dated feed names the day
    fsa = CATALOGUE.get("food_hygiene")
    dated = pd.DataFrame([{"latest_period": "2020-07-21", "period_end": "2020-07-21"}])
    assert edition_due(fsa, dated).message == (
        "a newer edition is due (the publisher issues it every week; the copy here is from 21 July 2020): "
        "fetch it from https://ratings.food.gov.uk/open-data")
    # no dated period in the data: nothing to say
    assert edition_due(fsa, pd.DataFrame([{"latest_period": None, "period_end": None}])) is None


def test_no_suite_explains_itself_with_developer_notes():
    """A suite's `why` reaches the steward (alerts, Data Docs): no environment variables or notes
    about the bundled data there (they belong in the README)."""
    found = []
    for path in sorted((PROJECT_ROOT / "expectations").rglob("*.yml")):
        doc = yaml.safe_load(path.read_text())
        for batch in (doc.get("batches") or {}).values():
            for exp in batch.get("expectations", []):
                found += [f"{path.name}: {note}" for note in DEVELOPER_NOTES if note in str(exp.get("why", ""))]
    assert found == []
