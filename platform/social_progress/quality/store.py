"""The `quality` schema of the warehouse: what every check of a run found.

  quality.check_results     one row per check evaluation (the release reads it; contract)
  quality.check_failures    one row per failed expectation, with counts and a few examples
                            (never personal data): what the alerts are built from. owner_name
                            and owner_email are the person alerted: the source's steward (from
                            the deployment's catalogue/areas.yml, never the publisher) or the
                            index owner; a freshness failure also has edition_date (end of the
                            newest period held), cadence and fetch_url (where the new edition is)
  quality.quarantine        rows that broke a row-level expectation, with the rule
  quality.alert_deliveries  each alert sent (or not) per owner, channel and run

Written through the warehouse's one lock (`social_progress.warehouse`), one short
transaction per check; reads take the shared lock and a read-only connection (the tables
are created, under the exclusive lock, only when a reader finds them missing).
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from social_progress.warehouse import Warehouse, default_lock_timeout

DDL = [
    "CREATE SCHEMA IF NOT EXISTS quality",
    """CREATE TABLE IF NOT EXISTS quality.check_results (
        run_id VARCHAR, check_name VARCHAR, asset_key VARCHAR, suite VARCHAR, passed BOOLEAN, severity VARCHAR,
        n_failed_expectations INTEGER, data_docs VARCHAR, evaluated_at TIMESTAMP)""",
    """CREATE TABLE IF NOT EXISTS quality.check_failures (
        run_id VARCHAR, check_name VARCHAR, asset_key VARCHAR, suite VARCHAR, source_id VARCHAR,
        owner_name VARCHAR, owner_email VARCHAR, batch VARCHAR, expectation VARCHAR, column_name VARCHAR,
        severity VARCHAR, why VARCHAR, unexpected_count BIGINT, element_count BIGINT, examples_json VARCHAR,
        observed_json VARCHAR, data_docs VARCHAR, detected_at TIMESTAMP, edition_date VARCHAR, cadence VARCHAR,
        fetch_url VARCHAR)""",
    # a warehouse from before the freshness fields gets them (its earlier rows hold null)
    "ALTER TABLE quality.check_failures ADD COLUMN IF NOT EXISTS edition_date VARCHAR",
    "ALTER TABLE quality.check_failures ADD COLUMN IF NOT EXISTS cadence VARCHAR",
    "ALTER TABLE quality.check_failures ADD COLUMN IF NOT EXISTS fetch_url VARCHAR",
    """CREATE TABLE IF NOT EXISTS quality.quarantine (
        run_id VARCHAR, source_id VARCHAR, rule VARCHAR, row_json VARCHAR, detected_at TIMESTAMP)""",
    """CREATE TABLE IF NOT EXISTS quality.alert_deliveries (
        run_id VARCHAR, owner_email VARCHAR, channel VARCHAR, status VARCHAR, attempts INTEGER, error VARCHAR,
        n_failures INTEGER, delivered_at TIMESTAMP)""",
]


FAILURE_COLUMNS = ["run_id", "check_name", "asset_key", "suite", "source_id", "owner_name", "owner_email", "batch",
                   "expectation", "column_name", "severity", "why", "unexpected_count", "element_count",
                   "examples_json", "observed_json", "data_docs", "detected_at", "edition_date", "cadence",
                   "fetch_url"]


def now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def ensure_schema(con) -> None:
    for stmt in DDL:
        con.execute(stmt)


def write(db: Path, inserts: dict[str, pd.DataFrame]) -> None:
    """Append frames to quality.<table> in one transaction."""
    db = Path(db)
    with _warehouse(db).write("quality checks: recording results") as con:
        con.execute("BEGIN")
        try:
            ensure_schema(con)
            for table, frame in inserts.items():
                if frame is None or frame.empty:
                    continue
                con.register("_q", frame)
                cols = ", ".join(f'"{c}"' for c in frame.columns)
                con.execute(f'INSERT INTO quality."{table}" ({cols}) SELECT {cols} FROM _q')
                con.unregister("_q")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise


def read(db: Path, query: str, params: list | None = None) -> pd.DataFrame:
    db = Path(db)
    if not db.exists():
        return pd.DataFrame()
    wh = _warehouse(db)
    with wh.read() as con:
        if _has_schema(con):
            return con.execute(query, params or []).df()
    with wh.write("quality checks: creating the quality tables") as con:
        ensure_schema(con)
        return con.execute(query, params or []).df()


TABLES = ("check_results", "check_failures", "quarantine", "alert_deliveries")


def _has_schema(con) -> bool:
    found = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'quality' "
                        f"AND table_name IN ({', '.join('?' for _ in TABLES)})", list(TABLES)).fetchone()[0]
    if found != len(TABLES):
        return False
    # and the latest columns (an older warehouse is brought up to date by ensure_schema)
    return bool(con.execute("SELECT count(*) FROM information_schema.columns WHERE table_schema = 'quality' "
                            "AND table_name = 'check_failures' AND column_name = 'fetch_url'").fetchone()[0])


def _warehouse(db: Path) -> Warehouse:
    return Warehouse(db, default_lock_timeout())


def dumps(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
