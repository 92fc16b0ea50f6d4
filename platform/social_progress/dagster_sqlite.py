"""Dagster's SQLite event log, with one connection pool per database file.

Why: Dagster's `SqliteEventLogStorage` builds a new SQLAlchemy engine, opens a connection,
commits and disposes of the engine for every event it stores (and again for the cross-run
index of every asset event). A cold refresh stores ~1,300 events; at 10-17 ms each that
was 15-20 s of a 90 s budget (issue #10). This class is Dagster's own storage, the same
files and schema under $DAGSTER_HOME/history/runs, plugged in through dagster.yaml
(`event_log_storage`, Dagster's documented extension point); it only keeps each file's
engine and a small pool of connections: ~3 ms per event. Only the index and the most
recent run files keep a pool (MAX_RUN_POOLS), so a long-lived webserver that reads many
runs does not hold a file open for each. Several processes may still
share the files (SQLite locks each write, pooled connections hold no lock between
transactions). PostgreSQL (dagster-postgres) replaces it when SPI_DAGSTER_POSTGRES_URL is set.
"""
from __future__ import annotations

import os
from collections import OrderedDict
from contextlib import contextmanager
from typing import Iterator

from dagster import StringSource
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    INDEX_SHARD_NAME,
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SqliteEventLogStorage,
)
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import QueuePool

MAX_RUN_POOLS = 4


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """`base_dir` is the instance's home: events live in base_dir/history/runs, where
    Dagster's default SQLite storage keeps them (an existing instance keeps its history)."""

    def __init__(self, base_dir: str, inst_data=None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._home = base_dir
        super().__init__(os.path.join(base_dir, "history", "runs"), inst_data=inst_data)

    @classmethod
    def config_type(cls):
        return {"base_dir": StringSource}

    @classmethod
    def from_config_value(cls, inst_data, config_value) -> "PooledSqliteEventLogStorage":
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> Engine:
        engine = self._engines.get(shard)
        if engine is None:
            engine = create_engine(self.conn_string_for_shard(shard), poolclass=QueuePool, pool_size=2, max_overflow=4,
                                   connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False})
            self._engines[shard] = engine
            runs = [s for s in self._engines if s != INDEX_SHARD_NAME]
            for old in runs[:-MAX_RUN_POOLS]:
                self._engines.pop(old).dispose()   # idle: _db_lock is held, so no connection is out
        self._engines.move_to_end(shard)
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:  # the same contract as Dagster's
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn:
                with conn.begin():
                    yield conn

    def _dispose_engines(self) -> None:
        for engine in self._engines.values():
            engine.dispose()
        self._engines.clear()

    def wipe(self) -> None:
        with self._db_lock:
            self._dispose_engines()   # no pooled connection may outlive a deleted file
        super().wipe()

    def delete_events(self, run_id: str) -> None:
        super().delete_events(run_id)
        with self._db_lock:
            engine = self._engines.pop(run_id, None)
        if engine is not None:
            engine.dispose()

    def dispose(self) -> None:
        super().dispose()
        with self._db_lock:
            self._dispose_engines()
