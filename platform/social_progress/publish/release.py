"""Write a release folder atomically and never overwrite one.

Why: residents and councillors cite a release; it must never change under them, and a
failed or half-finished refresh must never be visible. Files are written into a hidden
temporary folder beside the releases, then the folder is renamed into place (a rename
within one file system is atomic). An identical release (same files, byte for byte) is
not written twice; a different one for the same year becomes a revision (2021-r2) and
`latest` points at the newest.

A publish killed half-way leaves its hidden temporary folder behind (a kill -9 runs no
clean-up). Temporary folders are named `.tmp-<pid>-<year>-<random>` after the process
writing them, and every publish first removes those whose process is no longer running
(and folders of the older `.tmp-<year>-<random>` naming more than an hour old), so they
never pile up; a publish still running in another process is left alone.

An identical re-run writes nothing at all when `latest` already points at the release (no
temporary folder, no new `latest` link), so it succeeds even when the releases folder is
read-only (e.g. mounted read-only for the web server). A publish that has to write and may
not raises ReleaseFolderNotWritable, naming the folder; the releases already there are left
as they were.
"""
from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from social_progress.warehouse import pid_alive

TEMP_PREFIX = ".tmp-"
_TEMP = re.compile(r"^\.tmp-(?P<pid>\d+)-(?P<year>\d{4})-[^/]+$")
_LEGACY_TEMP = re.compile(r"^\.tmp-\d{4}-[A-Za-z0-9_]{8}$")     # before pids were in the name
_LATEST_TEMP = re.compile(r"^\.latest-(?P<pid>\d+)$")
LEGACY_STALE_AFTER_S = 3600


# Files a release carries that document the run which built it (GX Data Docs hold its run
# id and time). They are written with the release but left out of its fingerprint, so a
# re-run with the same inputs and code is still recognised as the same release, which
# keeps the Data Docs of the run that first published it.
RUN_RECORD_PREFIXES = ("quality/data_docs/",)


def _is_run_record(name: str) -> bool:
    return name.startswith(RUN_RECORD_PREFIXES)


class ReleaseFolderNotWritable(PermissionError):
    """The releases folder may not be written (permissions or a read-only file system)."""


# errors that mean "this folder may not be written", as opposed to e.g. a full disk
_NOT_WRITABLE = (errno.EACCES, errno.EPERM, errno.EROFS)


@dataclass(frozen=True)
class Published:
    path: Path
    status: str          # "published" or "unchanged"
    fingerprint: str


def fingerprint(files: dict[str, bytes]) -> str:
    h = hashlib.sha256()
    for name in sorted(n for n in files if not _is_run_record(n)):
        h.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return h.hexdigest()


def folder_fingerprint(folder: Path) -> str:
    files = {name: p.read_bytes() for p in sorted(folder.rglob("*"))
             if p.is_file() and not _is_run_record(name := p.relative_to(folder).as_posix())}
    return fingerprint(files)


def _candidates(releases: Path, year: int):
    yield releases / str(year)
    n = 2
    while True:
        yield releases / f"{year}-r{n}"
        n += 1


def publish(releases: Path, year: int, files: dict[str, bytes], run_records: dict[str, bytes] | None = None) -> Published:
    """Publish `files` (relative path -> bytes) as the release for `year`, with `run_records`
    (under quality/data_docs/) written alongside but not part of what makes it the same release.

    Only reads when the release is already there and `latest` points at it; raises
    ReleaseFolderNotWritable (naming the folder) when it must write and may not."""
    releases = Path(releases)
    run_records = dict(run_records or {})
    bad = [n for n in run_records if not _is_run_record(n)]
    if bad:
        raise ValueError(f"run records must be under {RUN_RECORD_PREFIXES}: {bad[:3]}")
    remove_stale_temp(releases)
    fp = fingerprint(files)
    for target in _candidates(releases, year):
        if not target.exists():
            break
        if folder_fingerprint(target) == fp:
            if not _latest_is(releases, target):
                with _writing(releases, year):
                    _point_latest(releases, target)
            return Published(target, "unchanged", fp)
    with _writing(releases, year):
        releases.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-{year}-", dir=releases))
        try:
            for name, data in {**files, **run_records}.items():
                dest = tmp / name
                dest.parent.mkdir(parents=True, exist_ok=True)
                with open(dest, "wb") as fh:
                    fh.write(data)
                    fh.flush()
                    os.fsync(fh.fileno())
            os.chmod(tmp, 0o755)
            os.rename(tmp, target)  # atomic; fails rather than replace if target appeared meanwhile
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        _point_latest(releases, target)
    return Published(target, "published", fp)


@contextmanager
def _writing(releases: Path, year: int):
    """Turn "may not write here" into an error that names the releases folder, not a traceback
    about a temporary file the reader never asked for."""
    try:
        yield
    except OSError as exc:
        if exc.errno not in _NOT_WRITABLE or isinstance(exc, ReleaseFolderNotWritable):
            raise
        raise ReleaseFolderNotWritable(
            f"cannot write the {year} release into the releases folder {releases}: {exc.strerror or exc} "
            f"({exc.filename or releases}). The releases already in it are unchanged; make the folder "
            f"writable for this user (uid {os.geteuid()}) or set SPI_RELEASES_DIR to one it can write.") from exc


def _latest_is(releases: Path, target: Path) -> bool:
    """Whether `latest` is already a link to `target` (so nothing needs writing)."""
    try:
        return os.readlink(releases / "latest") == target.name
    except OSError:   # missing, or not a link
        return False


def remove_stale_temp(releases: Path) -> list[Path]:
    """Remove the temporary folders (and `latest` links being made) that a killed publish
    left in `releases`: those whose writing process is no longer running. Returns them.

    Writes only when there is something to remove, and leaves what it may not remove."""
    removed = []
    now = time.time()
    try:
        entries = list(Path(releases).iterdir())
    except FileNotFoundError:
        return removed
    for entry in entries:
        name = entry.name
        if not name.startswith((TEMP_PREFIX, ".latest-")):
            continue
        m = _TEMP.match(name) or _LATEST_TEMP.match(name)
        if m:
            pid = int(m.group("pid"))
            if pid == os.getpid() or pid_alive(pid):
                continue
        elif _LEGACY_TEMP.match(name):
            try:
                if now - entry.lstat().st_mtime < LEGACY_STALE_AFTER_S:
                    continue
            except FileNotFoundError:
                continue
        else:
            continue
        try:
            if entry.is_symlink() or entry.is_file():
                entry.unlink(missing_ok=True)
            else:
                shutil.rmtree(entry, ignore_errors=True)
        except OSError:   # e.g. a read-only releases folder: left for a publish that can write
            continue
        if not os.path.lexists(entry):
            removed.append(entry)
    return removed


def _point_latest(releases: Path, target: Path) -> None:
    """Repoint `latest` at `target` atomically (a new symlink renamed over the old one)."""
    link = releases / "latest"
    tmp = releases / f".latest-{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(target.name, tmp)
    os.replace(tmp, link)


def dumps_json(obj) -> bytes:
    """Deterministic JSON: sorted keys, fixed separators, trailing newline."""
    return (json.dumps(obj, sort_keys=True, indent=2, ensure_ascii=False, default=str) + "\n").encode("utf-8")
