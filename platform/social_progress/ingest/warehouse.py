"""The raw layer in DuckDB: `raw.<source_id>` tables and the `raw._ingest_log`.

Why: DuckDB allows one writer per database file, and dbt, Dagster runs and the CLI all use
the same file. So the connection is opened only for the moment of a read or a write and
closed at once, through the platform's one warehouse lock (`social_progress.warehouse`:
writers queue on `<db>.lock`, a busy lock is waited for up to a deadline, then
`WarehouseBusy` names its holder). `writer_lock` is that lock's exclusive hold; reads and
writes nested in it reuse it.

A raw table is replaced and its log row added in one transaction: either both happen or
neither, so a failed ingest leaves the previous table and log exactly as they were.
"""
from __future__ import annotations

import contextlib
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import duckdb
import pandas as pd

from social_progress.warehouse import Warehouse, WarehouseBusy, default_lock_timeout  # noqa: F401 (re-exported)

SCHEMA = "raw"
LOG_TABLE = f"{SCHEMA}._ingest_log"
LOG_DDL = f"""
CREATE TABLE IF NOT EXISTS {LOG_TABLE} (
    source_id    VARCHAR NOT NULL,
    content_hash VARCHAR NOT NULL,
    "rows"       BIGINT NOT NULL,
    "columns"    INTEGER NOT NULL,
    landed_path  VARCHAR NOT NULL,
    ingested_at  TIMESTAMP NOT NULL  -- UTC
)
"""


@dataclass(frozen=True)
class LogEntry:
    source_id: str
    content_hash: str
    rows: int
    columns: int
    landed_path: str
    ingested_at: datetime
    column_names: tuple[str, ...] = ()


def table_name(source_id: str) -> str:
    return f'{SCHEMA}."{source_id}"'


@contextlib.contextmanager
def writer_lock(db_path: Path, timeout: float | None = None) -> Iterator[None]:
    """Hold the warehouse's exclusive lock (Dagster runs steps in parallel); nested connects reuse it."""
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with Warehouse(db_path, _timeout(timeout)).exclusive(f"ingest ({Path(sys.argv[0]).name if sys.argv else 'python'})"):
        yield


@contextlib.contextmanager
def connect(db_path: Path, read_only: bool = False, timeout: float | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open DuckDB under the warehouse lock, waiting (with a deadline) while it is held; always close it."""
    wh = Warehouse(Path(db_path), _timeout(timeout))
    with (wh.read() if read_only else wh.write()) as con:
        yield con


def _timeout(timeout: float | None) -> float:
    return default_lock_timeout() if timeout is None else float(timeout)


def last_ingest(db_path: Path, source_id: str) -> LogEntry | None:
    """The latest log entry of a source whose raw table still exists, else None."""
    if not db_path.exists():
        return None
    with connect(db_path, read_only=True) as con:
        if not _table_exists(con, SCHEMA, "_ingest_log") or not _table_exists(con, SCHEMA, source_id):
            return None
        row = con.execute(
            f'SELECT source_id, content_hash, "rows", "columns", landed_path, ingested_at '
            f"FROM {LOG_TABLE} WHERE source_id = ? ORDER BY ingested_at DESC LIMIT 1",
            [source_id],
        ).fetchone()
        if row is None:
            return None
        names = tuple(r[0] for r in con.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
            [SCHEMA, source_id],
        ).fetchall())
    return LogEntry(*row, column_names=names)


def write_raw_table(db_path: Path, source_id: str, frame: pd.DataFrame, content_hash: str, landed_path: str) -> LogEntry:
    """Replace raw.<source_id> with `frame` and log it, in one transaction."""
    entry = LogEntry(source_id, content_hash, len(frame), len(frame.columns), landed_path,
                     datetime.now(timezone.utc).replace(tzinfo=None), tuple(map(str, frame.columns)))
    with connect(db_path) as con:
        con.register("_incoming", frame)
        try:
            con.execute("BEGIN TRANSACTION")
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
            con.execute(LOG_DDL)
            con.execute(f"CREATE OR REPLACE TABLE {table_name(source_id)} AS SELECT * FROM _incoming")
            con.execute(f"INSERT INTO {LOG_TABLE} VALUES (?, ?, ?, ?, ?, ?)",
                        [entry.source_id, entry.content_hash, entry.rows, entry.columns,
                         entry.landed_path, entry.ingested_at])
            con.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(duckdb.Error):
                con.execute("ROLLBACK")
            raise
        finally:
            con.unregister("_incoming")
    return entry


WATERMARK_TABLE = f"{SCHEMA}._watermarks"


def write_watermark(db_path: Path, source_id: str, column: str, value: str | None, rows: int) -> None:
    """Record how far an incremental source has been read (one row per source)."""
    with connect(db_path) as con:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
        con.execute(f"CREATE TABLE IF NOT EXISTS {WATERMARK_TABLE} (source_id VARCHAR PRIMARY KEY, "
                    "watermark_column VARCHAR, watermark VARCHAR, \"rows\" BIGINT, loaded_at TIMESTAMP)")
        con.execute(f"INSERT OR REPLACE INTO {WATERMARK_TABLE} VALUES (?, ?, ?, ?, ?)",
                    [source_id, column, value, rows, datetime.now(timezone.utc).replace(tzinfo=None)])


def last_watermark(db_path: Path, source_id: str) -> tuple[str, str | None] | None:
    """(column, watermark) of the source's last load, or None."""
    if not db_path.exists():
        return None
    with connect(db_path, read_only=True) as con:
        if not _table_exists(con, SCHEMA, "_watermarks"):
            return None
        row = con.execute(f"SELECT watermark_column, watermark FROM {WATERMARK_TABLE} WHERE source_id = ?",
                          [source_id]).fetchone()
    return None if row is None else (row[0], row[1])


def _table_exists(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    return con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
        [schema, name],
    ).fetchone()[0] > 0
