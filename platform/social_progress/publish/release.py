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
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import time
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
    (under quality/data_docs/) written alongside but not part of what makes it the same release."""
    releases = Path(releases)
    run_records = dict(run_records or {})
    bad = [n for n in run_records if not _is_run_record(n)]
    if bad:
        raise ValueError(f"run records must be under {RUN_RECORD_PREFIXES}: {bad[:3]}")
    releases.mkdir(parents=True, exist_ok=True)
    remove_stale_temp(releases)
    fp = fingerprint(files)
    for target in _candidates(releases, year):
        if not target.exists():
            break
        if folder_fingerprint(target) == fp:
            _point_latest(releases, target)
            return Published(target, "unchanged", fp)
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


def remove_stale_temp(releases: Path) -> list[Path]:
    """Remove the temporary folders (and `latest` links being made) that a killed publish
    left in `releases`: those whose writing process is no longer running. Returns them."""
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
        if entry.is_symlink() or entry.is_file():
            entry.unlink(missing_ok=True)
        else:
            shutil.rmtree(entry, ignore_errors=True)
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
