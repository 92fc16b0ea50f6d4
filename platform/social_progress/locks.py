"""One yearly refresh at a time per warehouse.

Why: two refreshes started together (a schedule and a person, two terminals) used to race
for the warehouse, both fail on DuckDB's file lock and tell every owner their data had
blocked the release. A refresh now takes `refresh_lock` first: a second refresh either
waits for the first (up to `wait` seconds) and then runs, or refuses at once with a
message saying who holds it and what to do. Nothing is alerted for a refused refresh.

The lock is an fcntl.flock on `<warehouse db>.refresh.lock`: it belongs to the holding
process, so a refresh killed with -9 frees it at once; the pid, host, start time and
command line written into the file are only there to say who holds it.

    with refresh_lock(settings.duckdb_path, wait=args.wait):   # wait=None: refuse if busy
        run_the_refresh()
"""
from __future__ import annotations

import errno
import fcntl
import os
import shlex
import socket
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from social_progress.warehouse import pid_alive


class RefreshBusy(RuntimeError):
    """Another refresh of the same warehouse is running."""

    def __init__(self, message: str, holder: "RefreshHolder | None" = None):
        super().__init__(message)
        self.holder = holder


@dataclass(frozen=True)
class RefreshHolder:
    pid: int | None
    host: str
    started_at: str
    command: str

    @classmethod
    def parse(cls, text: str) -> "RefreshHolder | None":
        info = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
        if not info:
            return None
        pid = info.get("pid", "")
        return cls(int(pid) if pid.isdigit() else None, info.get("host", "?"), info.get("started_at", "?"),
                   info.get("command", "?"))

    def describe(self) -> str:
        return f"pid {self.pid if self.pid is not None else '?'} on {self.host}, started {self.started_at} ({self.command})"


def refresh_lock_path(path: Path) -> Path:
    """The lock file of the warehouse at `path` (the DuckDB file; a directory gets a file inside it)."""
    path = Path(path)
    if path.is_dir():
        return path / "refresh.lock"
    return path.with_name(path.name + ".refresh.lock")


def current_holder(path: Path) -> RefreshHolder | None:
    """Who holds the refresh lock of this warehouse now (None if nobody)."""
    lock = refresh_lock_path(path)
    if not lock.exists():
        return None
    fd = os.open(lock, os.O_RDWR | os.O_CLOEXEC)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return _read_holder(fd) or RefreshHolder(None, "?", "?", "?")
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


@contextmanager
def refresh_lock(path: Path, wait: float | None = None) -> Iterator[RefreshHolder]:
    """Hold the one-refresh-at-a-time lock of the warehouse at `path` for the block.

    wait=None or 0: refuse at once with RefreshBusy if another refresh holds it;
    wait=N: wait up to N seconds for it, then refuse. Yields what was recorded for this
    refresh (pid, host, start time, command)."""
    lock = refresh_lock_path(path)
    lock.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
    try:
        started = time.monotonic()
        limit = float(wait or 0)
        pause = 0.05
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise
            waited = time.monotonic() - started
            if waited >= limit:
                holder = _read_holder(fd)
                who = holder.describe() if holder else "another process (it has not recorded itself yet)"
                how = (f"waited {waited:.0f}s for it" if limit else "did not wait")
                hint = ("If that process is stuck, stop it (kill <pid>); a killed refresh frees this lock at once. "
                        if holder and holder.pid and holder.host == socket.gethostname() and pid_alive(holder.pid)
                        else "")
                raise RefreshBusy(
                    f"another refresh of this warehouse is running: {who}; this refresh {how} and did not start "
                    f"(nothing was changed and no owner was alerted). Let it finish and run again, or start this one "
                    f"with a wait (e.g. --wait 3600) to queue behind it. {hint}Lock file: {lock}", holder)
            time.sleep(min(pause, max(limit - waited, 0.001)))
            pause = min(pause * 2, 1.0)
        me = RefreshHolder(os.getpid(), socket.gethostname(),
                           datetime.now(timezone.utc).isoformat(timespec="seconds"),
                           shlex.join(sys.argv) if sys.argv else "python")
        os.ftruncate(fd, 0)
        os.pwrite(fd, (f"pid={me.pid}\nhost={me.host}\nstarted_at={me.started_at}\n"
                       f"command={me.command.replace(chr(10), ' ')}\n").encode("utf-8", "replace"), 0)
        try:
            yield me
        finally:
            try:
                os.ftruncate(fd, 0)
            except OSError:
                pass
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _read_holder(fd: int) -> RefreshHolder | None:
    try:
        text = os.pread(fd, 4096, 0).decode("utf-8", "replace")
    except OSError:
        return None
    return RefreshHolder.parse(text)
