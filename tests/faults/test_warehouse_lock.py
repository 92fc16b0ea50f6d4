"""One locking rule for the warehouse file, tested with real processes.

Issue #10: two refreshes started together both failed with DuckDB lock errors; three
helpers had three rules. Now every access waits on `<db>.lock` (with a deadline) and a
kill -9 of the holder frees it at once.
"""
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from social_progress import warehouse as wh_mod
from social_progress.ingest import warehouse as ingest_wh
from social_progress.quality import store
from social_progress.warehouse import Warehouse, WarehouseBusy, connect, read_table, replace_table

PLATFORM = Path(__file__).resolve().parents[2] / "platform"


def _holder(db: Path, mode: str, seconds: float, ready: Path) -> subprocess.Popen:
    """A separate process that takes the lock (`write`, `read` or `exclusive`) and sleeps."""
    code = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(PLATFORM)!r})
        from pathlib import Path
        from social_progress.warehouse import Warehouse
        wh = Warehouse(Path({str(db)!r}), lock_timeout=30)
        cm = wh.exclusive("dbt build (test)") if {mode!r} == "exclusive" else getattr(wh, {mode!r})()
        with cm:
            Path({str(ready)!r}).write_text("ok")
            time.sleep({seconds})
    """)
    proc = subprocess.Popen([sys.executable, "-c", code])
    deadline = time.monotonic() + 30
    while not ready.exists():
        assert proc.poll() is None, "lock holder ended early"
        assert time.monotonic() < deadline, "lock holder never took the lock"
        time.sleep(0.02)
    return proc


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "wh" / "social_progress.duckdb"
    replace_table(path, "raw", "t", pd.DataFrame({"a": [1, 2, 3]}))
    return path


def test_second_writer_waits_then_writes(db, tmp_path):
    proc = _holder(db, "write", 1.5, tmp_path / "ready")
    started = time.monotonic()
    n = Warehouse(db, lock_timeout=30).replace_table("raw", "t", pd.DataFrame({"a": [9]}))
    waited = time.monotonic() - started
    proc.wait(10)
    assert n == 1 and waited > 0.5  # it waited for the holder instead of failing with a DuckDB IO error
    assert read_table(db, "SELECT a FROM raw.t")["a"].tolist() == [9]


def test_busy_names_the_file_the_wait_and_the_holder(db, tmp_path):
    proc = _holder(db, "exclusive", 30, tmp_path / "ready")
    try:
        with pytest.raises(WarehouseBusy) as err:
            with Warehouse(db, lock_timeout=0.5).write():
                pass
        msg = str(err.value)
        assert str(db) in msg and ("waited 0s" in msg or "waited 1s" in msg)
        assert f"pid {proc.pid}" in msg and "dbt build (test)" in msg
        assert isinstance(err.value, RuntimeError)
        with pytest.raises(WarehouseBusy):  # readers wait for a writer too
            Warehouse(db, lock_timeout=0.3).read_table("SELECT 1")
    finally:
        proc.kill()
        proc.wait()


def test_kill_9_of_the_holder_frees_the_lock_at_once(db, tmp_path):
    proc = _holder(db, "write", 60, tmp_path / "ready")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    started = time.monotonic()
    Warehouse(db, lock_timeout=5).replace_table("raw", "t", pd.DataFrame({"a": [4]}))
    assert time.monotonic() - started < 2
    assert read_table(db, "SELECT a FROM raw.t")["a"].tolist() == [4]


def test_readers_share_and_a_writer_waits_for_them(db, tmp_path):
    proc = _holder(db, "read", 1.5, tmp_path / "ready")
    try:
        started = time.monotonic()
        assert Warehouse(db, lock_timeout=5).read_table("SELECT count(*) AS n FROM raw.t")["n"][0] == 3
        assert time.monotonic() - started < 1  # a second reader does not wait
        with pytest.raises(WarehouseBusy) as err:
            Warehouse(db, lock_timeout=0.3).replace_table("raw", "t", pd.DataFrame({"a": [1]}))
        assert "readers" in str(err.value)
        Warehouse(db, lock_timeout=10).replace_table("raw", "t", pd.DataFrame({"a": [1]}))  # waits, then writes
    finally:
        proc.wait(10)


def test_nesting_in_one_thread_reuses_the_hold(db):
    with connect(db) as con:                              # write
        con.execute("CREATE OR REPLACE TABLE raw.u AS SELECT 1 AS x")
        assert read_table(db, "SELECT x FROM raw.u")["x"].tolist() == [1]   # read inside the write
        replace_table(db, "raw", "v", pd.DataFrame({"y": [2]}))             # write inside the write
        with connect(db, read_only=True) as inner:
            assert inner.execute("SELECT count(*) FROM raw.v").fetchone()[0] == 1
    with ingest_wh.writer_lock(db):                       # the ingest's hold, as in ingest/pipeline.py
        assert ingest_wh.last_ingest(db, "nothing") is None
        ingest_wh.write_raw_table(db, "s", pd.DataFrame({"z": ["a"]}), "hash", "landed")
        assert ingest_wh.last_ingest(db, "s").content_hash == "hash"
    with connect(db, read_only=True):
        assert read_table(db, "SELECT count(*) AS n FROM raw.t")["n"][0] == 3  # read inside a read
        with pytest.raises(RuntimeError, match="inside that read"):
            replace_table(db, "raw", "t", pd.DataFrame({"a": [1]}))  # would wait for itself: refused at once
    assert not wh_mod._holds()


def test_other_threads_queue_like_processes(db):
    order = []
    inside = threading.Event()

    def writer():
        with connect(db) as con:
            inside.set()
            time.sleep(0.5)
            con.execute("CREATE OR REPLACE TABLE raw.t AS SELECT 7 AS a")
            order.append("writer done")

    t = threading.Thread(target=writer)
    t.start()
    inside.wait(5)
    got = read_table(db, "SELECT a FROM raw.t")["a"].tolist()
    order.append("reader done")
    t.join()
    assert order == ["writer done", "reader done"] and got == [7]


def test_a_failed_replace_is_rolled_back_and_frees_the_lock(db):
    with pytest.raises(Exception):
        replace_table(db, "fresh", 'bad"name', pd.DataFrame({"a": [1]}))  # fails after CREATE SCHEMA
    assert read_table(db, "SELECT count(*) AS n FROM information_schema.schemata WHERE schema_name = 'fresh'")["n"][0] == 0
    assert not wh_mod._holds()
    Warehouse(db, lock_timeout=0.5).replace_table("raw", "t", pd.DataFrame({"a": [5]}))


def test_missing_warehouse_is_a_clear_error(tmp_path):
    missing = tmp_path / "none.duckdb"
    with pytest.raises(FileNotFoundError, match="does not exist yet"):
        read_table(missing, "SELECT 1")
    with pytest.raises(FileNotFoundError):
        with Warehouse(missing).read():
            pass


def test_quality_store_uses_the_same_lock(db, tmp_path):
    assert store.read(db, "SELECT count(*) AS n FROM quality.check_results")["n"][0] == 0  # created on first read
    proc = _holder(db, "exclusive", 30, tmp_path / "ready")
    try:
        os.environ[wh_mod.LOCK_TIMEOUT_ENV] = "0.3"
        with pytest.raises(WarehouseBusy):
            store.read(db, "SELECT 1")
        with pytest.raises(WarehouseBusy):
            store.write(db, {"quarantine": pd.DataFrame({"run_id": ["r"]})})
    finally:
        os.environ.pop(wh_mod.LOCK_TIMEOUT_ENV, None)
        proc.kill()
        proc.wait()
    store.write(db, {"quarantine": pd.DataFrame({"run_id": ["r"]})})
    assert store.read(db, "SELECT run_id FROM quality.quarantine")["run_id"].tolist() == ["r"]
    assert wh_mod.lock_path_for(db).name == "social_progress.duckdb.lock"
