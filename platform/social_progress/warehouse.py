"""The one way into the platform's DuckDB warehouse file, with one locking rule.

Why: DuckDB allows one writing process per file and refuses a second one with an IO error
instead of waiting; it also refuses a read-only process while a writer has the file open.
Dagster steps, `dbt build`, the CLI and the tests all use the same file, so every access
goes through an inter-process lock beside the database (`<db>.lock`, fcntl.flock):

  write()            exclusive lock, then a read-write connection (closed on exit)
  read()             shared lock (readers run together), then a read-only connection
  session(holder)    write() held around a step's many reads and writes: one connection
  exclusive(holder)  the exclusive lock alone, for a writer that is not this process
                     (a `dbt build` subprocess run while it is held)

A lock that is not free is waited for up to `lock_timeout` seconds (env
SPI_WAREHOUSE_LOCK_TIMEOUT for the module functions, default 600), then `WarehouseBusy`
says which file, how long it waited and who holds it (the exclusive holder writes its pid,
host, description and start time into the lock file). flock locks belong to the open
file: a process killed with -9 releases its lock at once, nothing stale is left.

Nesting in one thread is safe: inside an exclusive hold (write() or exclusive()) a nested
write(), read() or the module functions reuse the hold (and, inside a read() or write(),
its connection, through a cursor of their own), and a nested read gets a read-write connection (DuckDB refuses a read-only connection next to a read-write one in
the same process). A read() nested in a read() reuses the shared hold. A write nested in
a read() of the same thread cannot be granted (it would wait for itself) and raises
RuntimeError at once. Other threads queue on the lock like other processes.
"""
from __future__ import annotations

import errno
import fcntl
import os
import socket
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import duckdb
import pandas as pd

DEFAULT_LOCK_TIMEOUT = 600.0
LOCK_TIMEOUT_ENV = "SPI_WAREHOUSE_LOCK_TIMEOUT"
_POLL_S = (0.02, 0.5)  # first and largest pause between attempts


class WarehouseBusy(RuntimeError):
    """The warehouse lock (or DuckDB's own file lock) was not free within the deadline."""


def default_lock_timeout() -> float:
    value = os.environ.get(LOCK_TIMEOUT_ENV)
    try:
        return float(value) if value else DEFAULT_LOCK_TIMEOUT
    except ValueError:
        raise ValueError(f"{LOCK_TIMEOUT_ENV}={value!r} is not a number of seconds") from None


def lock_path_for(db_path: Path) -> Path:
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".lock")


@dataclass
class _Hold:
    mode: str          # "shared" or "exclusive"
    fd: int
    depth: int = 1
    con: duckdb.DuckDBPyConnection | None = None   # the outermost read()/write() connection of the hold


_local = threading.local()


def _holds() -> dict[str, _Hold]:
    if not hasattr(_local, "holds"):
        _local.holds = {}
    return _local.holds


def _key(db_path: Path) -> str:
    return os.path.abspath(db_path)


def _describe_holder(lock_path: Path) -> str:
    """Who holds the lock, from what the exclusive holder wrote (readers write nothing)."""
    try:
        text = lock_path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        text = ""
    info = dict(part.split("=", 1) for part in text.split("\n") if "=" in part)
    pid = info.get("pid", "")
    if pid.isdigit() and info.get("host") in (None, socket.gethostname()) and not pid_alive(int(pid)):
        info = {}  # a writer that has gone: its note is stale, the holder is a reader
    if not info:
        return "one or more readers (shared lock; readers do not record themselves)"
    return (f"pid {info.get('pid', '?')} on {info.get('host', '?')} ({info.get('holder', '?')}, "
            f"since {info.get('since', '?')})")


def pid_alive(pid: int) -> bool:
    """True if a process with this pid exists on this machine (zombies count as ended)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            state = fh.read().rsplit(b")", 1)[1].split()[0]
        return state not in (b"Z", b"X")
    except (OSError, IndexError):
        return True


@contextmanager
def _lock(db_path: Path, mode: str, holder: str, timeout: float) -> Iterator[_Hold]:
    """Take (or re-enter, in this thread) the warehouse lock of db_path in `mode`."""
    key = _key(db_path)
    holds = _holds()
    held = holds.get(key)
    if held is not None:
        if held.mode == "shared" and mode == "exclusive":
            raise RuntimeError(
                f"{db_path}: this thread is reading the warehouse and asked to write it inside that read; "
                "finish the read first (the write would wait for the read forever)")
        held.depth += 1
        try:
            yield held
        finally:
            held.depth -= 1
        return

    lock_path = lock_path_for(db_path)
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
    try:
        started = time.monotonic()
        deadline = started + timeout
        pause = _POLL_S[0]
        op = fcntl.LOCK_EX if mode == "exclusive" else fcntl.LOCK_SH
        while True:
            try:
                fcntl.flock(fd, op | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise
            now = time.monotonic()
            if now >= deadline:
                raise WarehouseBusy(
                    f"{db_path}: waited {now - started:.0f}s for the warehouse lock ({lock_path.name}) to "
                    f"{'write' if mode == 'exclusive' else 'read'}; it is held by {_describe_holder(lock_path)}. "
                    f"Wait for it to finish (or stop it) and try again; {LOCK_TIMEOUT_ENV} sets how long to wait.")
            time.sleep(min(pause, max(deadline - now, 0.001)))
            pause = min(pause * 2, _POLL_S[1])
        if mode == "exclusive":
            note = (f"pid={os.getpid()}\nhost={socket.gethostname()}\nholder={holder}\n"
                    f"since={datetime.now(timezone.utc).isoformat(timespec='seconds')}\n")
            os.ftruncate(fd, 0)
            os.pwrite(fd, note.encode("utf-8", "replace"), 0)
        hold = _Hold(mode, fd)
        holds[key] = hold
        try:
            yield hold
        finally:
            del holds[key]
            if mode == "exclusive":
                try:
                    os.ftruncate(fd, 0)
                except OSError:
                    pass
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextmanager
def _connection(hold: _Hold, db_path: Path, read_only: bool, deadline: float, started: float) -> Iterator[duckdb.DuckDBPyConnection]:
    """The hold's connection: opened by the outermost read()/write() of the hold, and closed
    when it ends; a nested one gets its own cursor (a connection of its own to the same
    database, with its own transactions, that costs nothing to open)."""
    if hold.con is not None:
        cur = hold.con.cursor()
        try:
            yield cur
        finally:
            cur.close()
        return
    con = _open_duckdb(db_path, read_only, deadline, started)
    hold.con = con
    try:
        yield con
    finally:
        hold.con = None
        con.close()


def _default_holder(what: str) -> str:
    prog = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python"
    return f"{prog} {what}"


def _open_duckdb(db_path: Path, read_only: bool, deadline: float, started: float) -> duckdb.DuckDBPyConnection:
    """DuckDB's own file lock may still be held by a program that does not use ours: wait for it."""
    pause = _POLL_S[0]
    while True:
        try:
            return duckdb.connect(str(db_path), read_only=read_only)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise
            now = time.monotonic()
            if now >= deadline:
                raise WarehouseBusy(
                    f"{db_path}: waited {now - started:.0f}s for DuckDB's own lock on the file, held by a program "
                    f"that does not use the warehouse lock: {exc}") from exc
            time.sleep(min(pause, max(deadline - now, 0.001)))
            pause = min(pause * 2, _POLL_S[1])


class Warehouse:
    """The warehouse DuckDB file at `path`; see the module docstring for the locking rule."""

    def __init__(self, path: Path, lock_timeout: float = DEFAULT_LOCK_TIMEOUT):
        self.path = Path(path)
        self.lock_timeout = float(lock_timeout)

    @property
    def lock_path(self) -> Path:
        return lock_path_for(self.path)

    def __repr__(self) -> str:
        return f"Warehouse({str(self.path)!r}, lock_timeout={self.lock_timeout})"

    @contextmanager
    def exclusive(self, holder: str) -> Iterator[None]:
        """Hold the exclusive lock without a connection: for an external writer (a `dbt build`
        subprocess) that the caller runs meanwhile. `holder` is shown to whoever waits."""
        with _lock(self.path, "exclusive", holder, self.lock_timeout):
            yield

    @contextmanager
    def write(self, holder: str | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
        """Exclusive lock and a read-write connection, closed on exit."""
        started = time.monotonic()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with _lock(self.path, "exclusive", holder or _default_holder("writing"), self.lock_timeout) as hold:
            with _connection(hold, self.path, False, started + self.lock_timeout, started) as con:
                yield con

    @contextmanager
    def read(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Shared lock and a read-only connection (read-write inside this thread's own write)."""
        if not self.path.exists():
            raise FileNotFoundError(f"{self.path}: the warehouse does not exist yet; run the ingest assets first")
        started = time.monotonic()
        with _lock(self.path, "shared", "", self.lock_timeout) as hold:
            with _connection(hold, self.path, hold.mode == "shared", started + self.lock_timeout, started) as con:
                yield con

    @contextmanager
    def session(self, holder: str) -> Iterator[None]:
        """One exclusive hold and one open connection for a step that reads and writes many
        tables: every read(), write(), read_table() and replace_table() inside it uses a
        cursor of that connection. Opening the file costs ~70 ms (DuckDB loads the catalog
        of ~250 tables); a geography step opened it 30 times."""
        with self.write(holder):
            yield

    def replace_table(self, schema: str, table: str, frame: pd.DataFrame) -> int:
        """Write `frame` as schema.table in one transaction: all of it or nothing."""
        with self.write(_default_holder(f"replacing {schema}.{table}")) as con:
            con.execute("BEGIN")
            try:
                con.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
                con.register("_frame", frame)
                con.execute(f'CREATE OR REPLACE TABLE "{schema}"."{table}" AS SELECT * FROM _frame')
                con.unregister("_frame")
                con.execute("COMMIT")
            except BaseException:
                try:
                    con.execute("ROLLBACK")
                except duckdb.Error:
                    pass
                raise
        return len(frame)

    def read_table(self, query: str, params: list | None = None) -> pd.DataFrame:
        with self.read() as con:
            return con.execute(query, params or []).df()


# ------------------------------------------------------------------ module functions (call sites)

def _warehouse(path: Path) -> Warehouse:
    return Warehouse(Path(path), default_lock_timeout())


@contextmanager
def connect(path: Path, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    wh = _warehouse(path)
    with (wh.read() if read_only else wh.write()) as con:
        yield con


def replace_table(path: Path, schema: str, table: str, frame: pd.DataFrame) -> int:
    """Write `frame` as schema.table in one transaction: all of it or nothing."""
    return _warehouse(path).replace_table(schema, table, frame)


def read_table(path: Path, query: str, params: list | None = None) -> pd.DataFrame:
    return _warehouse(path).read_table(query, params)
