"""The restricted layer: the only place where names, dates of birth and addresses are kept.

Why its own file: the warehouse is read by dbt, Dagster, GX and every analyst; the
restricted store is read only by ingest (which writes identifiers) and the linkage and
placing step (which turns them into pseudonymous resident keys and areas). It is a DuckDB
database encrypted at rest (AES-GCM, DuckDB's own database encryption, with OpenSSL from
the httpfs extension package: DuckDB refuses to write encrypted files with its fallback
cipher), its key from `SPI_RESTRICTED_DB_KEY` (`keys`). Its WAL and temporary files are
encrypted too. A wrong key fails with DuckDB's "Wrong encryption key" error, reported
with the file named.

Besides the identifier tables (`<source_id>`) it keeps each personal source's landed
input (`_landed`: the bytes as read, under their content hash), so a release can still be
reproduced from its exact inputs without an unencrypted copy on disk, and `_meta`, which
records whether any non-synthetic source has been written (the built-in key is then
refused for the whole file).

One writer at a time: an exclusive `flock` on `<file>.lock`, waited for with a deadline.
"""
from __future__ import annotations

import contextlib
import fcntl
import importlib
import pathlib
import time
from pathlib import Path
from typing import Iterator

import duckdb
import pandas as pd

from .keys import KeyError_

ALIAS = "restricted"
FILE_NAME = "restricted.duckdb"
LOCK_TIMEOUT_S = 600.0


def restricted_path(warehouse_dir: Path) -> Path:
    """Beside the warehouse, never inside a release or the landing area."""
    return Path(warehouse_dir) / "restricted" / FILE_NAME


def _load_openssl(con: duckdb.DuckDBPyConnection) -> None:
    """Load httpfs (for OpenSSL) from the PyPI package, offline; DuckDB writes encrypted files only with it."""
    try:
        con.execute("LOAD httpfs")
        return
    except duckdb.Error:
        pass
    module = importlib.import_module("duckdb_extension_httpfs")
    version = con.execute("PRAGMA version").fetchone()[0]
    path = pathlib.Path(str(importlib.resources.files(module))) / "extensions" / version / "httpfs.duckdb_extension"
    con.execute(f"LOAD '{path}'")


class RestrictedStore:
    """Open with `with store.connect() as con:`; tables are `restricted."<name>"`."""

    def __init__(self, path: Path, key: str, *, built_in_key: bool = False, timeout: float = LOCK_TIMEOUT_S):
        self.path = Path(path)
        self._key = key
        self.built_in_key = built_in_key
        self.timeout = timeout

    def __repr__(self) -> str:  # never show the key
        return f"RestrictedStore({str(self.path)!r})"

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.path.with_suffix(".lock")
        with open(lock_path, "a+") as fh:
            deadline = time.monotonic() + self.timeout
            while True:
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"the restricted store {self.path} is busy (waited {self.timeout:.0f} s)")
                    time.sleep(0.2)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    @contextlib.contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """An in-memory DuckDB connection with the encrypted file attached as `restricted`."""
        with self._lock():
            con = duckdb.connect(config={"threads": 2})
            try:
                _load_openssl(con)
                escaped_key = self._key.replace("'", "''")
                try:
                    con.execute(f"ATTACH '{self.path}' AS {ALIAS} (ENCRYPTION_KEY '{escaped_key}')")
                except duckdb.Error as exc:
                    message = str(exc).replace(self._key, "***")
                    raise KeyError_(f"cannot open the restricted store {self.path}: {message.splitlines()[0]}") from None
                con.execute(f"CREATE TABLE IF NOT EXISTS {ALIAS}._meta (name VARCHAR PRIMARY KEY, value VARCHAR)")
                con.execute(f"CREATE TABLE IF NOT EXISTS {ALIAS}._landed (source_id VARCHAR, content_hash VARCHAR, "
                            "label VARCHAR, content BLOB, landed_at TIMESTAMP DEFAULT current_timestamp)")
                if self.built_in_key and self._holds_real_data(con):
                    raise KeyError_(f"the restricted store {self.path} holds data of non-synthetic sources: "
                                    "set SPI_RESTRICTED_DB_KEY (the built-in key is for synthetic data only)")
                yield con
            finally:
                con.close()

    @staticmethod
    def _holds_real_data(con: duckdb.DuckDBPyConnection) -> bool:
        row = con.execute(f"SELECT value FROM {ALIAS}._meta WHERE name = 'holds_real_data'").fetchone()
        return bool(row and row[0] == "true")

    # ------------------------------------------------------------------ tables
    def write_table(self, name: str, frame: pd.DataFrame, *, synthetic: bool) -> None:
        """Replace restricted.<name> with `frame` (one transaction)."""
        with self.connect() as con:
            if not synthetic and self.built_in_key:
                raise KeyError_("the built-in restricted-store key cannot hold real personal data: set SPI_RESTRICTED_DB_KEY")
            con.register("_incoming", frame)
            con.execute("BEGIN TRANSACTION")
            con.execute(f'CREATE OR REPLACE TABLE {ALIAS}."{name}" AS SELECT * FROM _incoming')
            if not synthetic:
                con.execute(f"INSERT OR REPLACE INTO {ALIAS}._meta VALUES ('holds_real_data', 'true')")
            con.execute("COMMIT")
            con.unregister("_incoming")

    def read_table(self, name: str) -> pd.DataFrame | None:
        with self.connect() as con:
            if not self._exists(con, name):
                return None
            return con.execute(f'SELECT * FROM {ALIAS}."{name}"').df()

    def tables(self) -> list[str]:
        with self.connect() as con:
            rows = con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = ? "
                               "AND NOT starts_with(table_name, '_') ORDER BY 1", [ALIAS]).fetchall()
        return [r[0] for r in rows]

    def store_landed(self, source_id: str, content_hash: str, label: str, content: bytes) -> str:
        """Keep a personal source's input bytes encrypted; returns the landed reference."""
        with self.connect() as con:
            exists = con.execute(f"SELECT count(*) FROM {ALIAS}._landed WHERE source_id = ? AND content_hash = ?",
                                 [source_id, content_hash]).fetchone()[0]
            if not exists:
                con.execute(f"INSERT INTO {ALIAS}._landed (source_id, content_hash, label, content) VALUES (?, ?, ?, ?)",
                            [source_id, content_hash, label, content])
        return f"restricted:{source_id}/{content_hash}"

    @staticmethod
    def _exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
        return con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = ? AND table_name = ?",
                           [ALIAS, name]).fetchone()[0] > 0
