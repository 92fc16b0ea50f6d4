"""Dagster run and event storage on PostgreSQL when SPI_DAGSTER_POSTGRES_URL names a database.

The services test runs a real asset job against a fresh database on the local
PostgreSQL (127.0.0.1:5432, user postgres; skipped when it is not reachable), reads the
rows back with psycopg2 and drops the database. The same job on the default instance
shows SQLite storage. Each Dagster instance is loaded in its own process
(DagsterInstance.get() keeps global state).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import yaml

from social_progress.instance import POSTGRES_URL_VAR, ensure_instance_home, instance_yaml, render

PG = dict(host="127.0.0.1", port=5432, user="postgres")

# A tiny job: an asset writing the warehouse (pool-limited, like every warehouse writer)
# with metadata, and one downstream. Prints what the instance is and what it stored.
RUN = r'''
import json, sys
from dagster import AssetExecutionContext, DagsterInstance, MaterializeResult, MetadataValue, asset, materialize

@asset(pool="warehouse_writer")
def counted(context: AssetExecutionContext) -> MaterializeResult:
    return MaterializeResult(metadata={"rows": MetadataValue.int(42), "table": MetadataValue.text("marts.counted")})

@asset(deps=[counted])
def summarised() -> MaterializeResult:
    return MaterializeResult(metadata={"ok": MetadataValue.bool(True)})

instance = DagsterInstance.get()
result = materialize([counted, summarised], instance=instance)
pools = instance.get_concurrency_config().pool_config
print(json.dumps({
    "success": result.success, "run_id": result.run_id,
    "run_storage": type(instance.run_storage).__name__,
    "event_log_storage": type(instance.event_log_storage).__name__,
    "schedule_storage": type(instance.schedule_storage).__name__,
    "pool_default_limit": pools.default_pool_limit,
    "telemetry": instance.telemetry_enabled,
    "stored_runs": len(instance.get_runs()),
}))
'''


def run_in_own_process(home: Path, env_extra: dict[str, str]) -> dict:
    env = {k: v for k, v in os.environ.items() if k != POSTGRES_URL_VAR}
    env.update(DAGSTER_HOME=str(home), **env_extra)
    proc = subprocess.run([sys.executable, "-c", RUN], env=env, cwd=home, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ---- unit: the YAML ---------------------------------------------------------------------

def test_default_instance_keeps_sqlite_with_one_writer_and_no_telemetry():
    cfg = instance_yaml({})
    assert cfg == {"concurrency": {"pools": {"default_limit": 1}}, "telemetry": {"enabled": False}}
    assert "storage" not in instance_yaml({POSTGRES_URL_VAR: "  "})   # empty means unset


def test_the_pooled_sqlite_event_log_names_its_home_absolutely(tmp_path, monkeypatch):
    """Any process loading the file finds the events, whatever its own DAGSTER_HOME."""
    monkeypatch.chdir(tmp_path)
    cfg = instance_yaml({}, Path("dagster_home"))
    assert cfg["event_log_storage"] == {"module": "social_progress.dagster_sqlite", "class": "PooledSqliteEventLogStorage",
                                        "config": {"base_dir": str(tmp_path / "dagster_home")}}
    assert "event_log_storage" not in instance_yaml({POSTGRES_URL_VAR: "postgresql+psycopg2://h/x"}, tmp_path)


def test_the_same_pool_limit_and_telemetry_as_the_repository_dagster_yaml():
    repo = yaml.safe_load((Path(__file__).resolve().parents[2] / "dagster.yaml").read_text())
    assert instance_yaml({}) == repo


def test_postgres_url_names_the_variable_not_its_value():
    url = "postgresql+psycopg2://postgres:secret@db.example:5432/spi_dagster"
    cfg = instance_yaml({POSTGRES_URL_VAR: url})
    assert cfg["storage"] == {"postgres": {"postgres_url": {"env": "SPI_DAGSTER_POSTGRES_URL"}}}
    assert "event_log_storage" not in cfg                       # PostgreSQL holds the events
    assert cfg["concurrency"] == {"pools": {"default_limit": 1}} and cfg["telemetry"] == {"enabled": False}
    assert "secret" not in render({POSTGRES_URL_VAR: url})


@pytest.mark.parametrize("url", ["postgresql://postgres:secret@127.0.0.1:5432/spi", "postgres://postgres:secret@h/spi",
                                 "mysql+pymysql://root:secret@h/spi", "127.0.0.1:5432/spi"])
def test_a_url_without_the_driver_is_refused_without_repeating_it(url):
    """SQLAlchemy 2.1 reads a bare postgresql:// as psycopg 3, which is not installed."""
    with pytest.raises(ValueError, match="naming its driver") as err:
        instance_yaml({POSTGRES_URL_VAR: url})
    assert "secret" not in str(err.value)
    if url.startswith("postgresql://"):
        assert "write postgresql+psycopg2:// in place of postgresql://" in str(err.value)


def test_ensure_instance_home_writes_only_when_the_content_changes(tmp_path):
    home = tmp_path / "dagster_home"
    path = ensure_instance_home(home, {})
    assert path == home / "dagster.yaml" and yaml.safe_load(path.read_text()) == instance_yaml({}, home)
    os.utime(path, (1_000_000, 1_000_000))
    assert ensure_instance_home(home, {"UNRELATED": "x"}) == path
    assert path.stat().st_mtime == 1_000_000                        # same content: not rewritten
    ensure_instance_home(home, {POSTGRES_URL_VAR: "postgresql+psycopg2://postgres@127.0.0.1:5432/x"})
    assert path.stat().st_mtime != 1_000_000
    assert yaml.safe_load(path.read_text())["storage"]["postgres"]["postgres_url"] == {"env": POSTGRES_URL_VAR}
    assert [p.name for p in home.iterdir()] == ["dagster.yaml"]     # no temporary file left behind
    path.write_text("telemetry: {enabled: true}\n")                 # a hand edit is put right
    ensure_instance_home(home, {})
    assert path.read_text() == render({}, home)


# ---- services: a real run on PostgreSQL ---------------------------------------------------

@pytest.fixture
def postgres_db():
    psycopg2 = pytest.importorskip("psycopg2")
    name = f"spi_dagster_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg2.connect(dbname="postgres", connect_timeout=5, **PG)
    except psycopg2.OperationalError as exc:
        pytest.skip(f"PostgreSQL not reachable on {PG['host']}:{PG['port']}: {exc}")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg2://{PG['user']}@{PG['host']}:{PG['port']}/{name}", name
    finally:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.mark.services
def test_runs_and_events_are_stored_in_postgres(tmp_path, postgres_db):
    import psycopg2

    url, name = postgres_db
    home = tmp_path / "dagster_home"
    ensure_instance_home(home, {POSTGRES_URL_VAR: url})
    out = run_in_own_process(home, {POSTGRES_URL_VAR: url})
    assert out["success"]
    assert (out["run_storage"], out["event_log_storage"], out["schedule_storage"]) == (
        "PostgresRunStorage", "PostgresEventLogStorage", "PostgresScheduleStorage")
    assert out["pool_default_limit"] == 1 and out["telemetry"] is False
    assert not (home / "history").exists() and not (home / "schedules").exists()   # nothing went to SQLite

    with psycopg2.connect(dbname=name, **PG) as con, con.cursor() as cur:
        cur.execute("SELECT run_id, status FROM runs")
        assert cur.fetchall() == [(out["run_id"], "SUCCESS")]
        cur.execute("SELECT dagster_event_type, asset_key FROM event_logs WHERE run_id = %s AND dagster_event_type = "
                    "'ASSET_MATERIALIZATION' ORDER BY asset_key", [out["run_id"]])
        rows = cur.fetchall()
        assert [json.loads(k) for _, k in rows] == [["counted"], ["summarised"]]
        cur.execute("SELECT event FROM event_logs WHERE run_id = %s AND dagster_event_type = 'ASSET_MATERIALIZATION' "
                    "AND asset_key LIKE %s", [out["run_id"], '%"counted"%'])
        event = cur.fetchone()[0]
        assert '"rows"' in event and "42" in event and "marts.counted" in event
        cur.execute("SELECT dagster_event_type, step_key FROM event_logs WHERE run_id = %s ORDER BY id", [out["run_id"]])
        events = cur.fetchall()
        assert events[-1] == ("PIPELINE_SUCCESS", None)           # RUN_SUCCESS, under its stored (legacy) name
        assert [k for t, k in events if t == "STEP_SUCCESS"] == ["counted", "summarised"]
        # the pool of the pool-limited step lives in PostgreSQL too (limit 1, from default_limit),
        # its one slot free again after the run
        cur.execute("SELECT concurrency_key, \"limit\", using_default_limit FROM concurrency_limits")
        assert cur.fetchall() == [("warehouse_writer", 1, True)]
        cur.execute("SELECT concurrency_key, run_id FROM concurrency_slots")
        assert cur.fetchall() == [("warehouse_writer", None)]


def test_without_the_variable_the_instance_uses_sqlite(tmp_path):
    home = tmp_path / "dagster_home"
    ensure_instance_home(home, {})
    out = run_in_own_process(home, {})
    assert out["success"] and out["stored_runs"] == 1
    assert (out["run_storage"], out["event_log_storage"], out["schedule_storage"]) == (
        "SqliteRunStorage", "PooledSqliteEventLogStorage", "SqliteScheduleStorage")
    assert out["pool_default_limit"] == 1 and out["telemetry"] is False
    assert (home / "history" / "runs.db").exists() and (home / "schedules" / "schedules.db").exists()
    # the events are where Dagster's own SQLite storage keeps them: one file per run and the index
    assert (home / "history" / "runs" / "index.db").exists() and len(list((home / "history" / "runs").glob("*.db"))) == 2
