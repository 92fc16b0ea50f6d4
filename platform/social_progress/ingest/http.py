"""Download an http(s) source into a local cache, or fall back to a bundled copy.

Why: the platform must run without a network (CI, a laptop on a train, the default run)
and must not download the same file every night. So:

- a successful download is kept in Settings.http_cache_dir with its sha256 and the server's
  ETag / Last-Modified; the next run asks "changed since?" and a 304 answer reuses the copy;
- a declared `sha256` is checked before the download replaces the cached copy, so a
  tampered or truncated file never reaches the raw layer;
- when the URL cannot be fetched (no route, DNS, timeout, HTTP error) the declared local
  fallback is used and the result says so; with no fallback the error says what failed.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

import requests

from social_progress.catalogue import HttpReader

from .errors import IngestError
from .landing import file_sha256

_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass(frozen=True)
class Fetched:
    path: Path
    label: str                 # the URL, or the fallback's path when the fallback was used
    origin: str                # "download", "cache" (server said 304) or "fallback"
    note: str | None = None


def downloads_allowed(url: str) -> bool:
    """Remote downloads happen only when SPI_ALLOW_DOWNLOADS=1: the default run, CI and the
    tests use bundled files and never reach outside the machine. Loopback is always allowed."""
    return urlsplit(url).hostname in _LOOPBACK or os.environ.get("SPI_ALLOW_DOWNLOADS") == "1"


def fetch(source_id: str, reader: HttpReader, cache_dir: Path, project_root: Path) -> Fetched:
    url = reader.url
    if not downloads_allowed(url):
        if reader.fallback:
            return Fetched(project_root / reader.fallback, reader.fallback, "fallback",
                           f"downloads are off (set SPI_ALLOW_DOWNLOADS=1 to fetch {url}); used local fallback {reader.fallback}")
        raise IngestError(source_id, url, "downloads are off (set SPI_ALLOW_DOWNLOADS=1) and no local fallback is declared")
    folder = cache_dir / source_id / hashlib.sha256(url.encode()).hexdigest()[:16]
    # The body keeps the format's extension so readers and the landed copy are named right.
    body, meta_path = folder / f"body.{reader.format}", folder / "meta.json"
    meta = _read_meta(meta_path, body)

    headers = {}
    if meta:
        if meta.get("etag"):
            headers["If-None-Match"] = meta["etag"]
        if meta.get("last_modified"):
            headers["If-Modified-Since"] = meta["last_modified"]
    try:
        with requests.get(url, headers=headers, timeout=reader.timeout, stream=True,
                          proxies=_proxies(url)) as response:
            if response.status_code == 304 and meta:
                return Fetched(body, url, "cache", f"{url} not modified; used cached copy (sha256 {meta['sha256'][:12]})")
            response.raise_for_status()
            folder.mkdir(parents=True, exist_ok=True)
            sha = _download(response, folder, body, source_id, reader)
            _write_meta(meta_path, url, sha, response)
            return Fetched(body, url, "download", f"downloaded {url} (sha256 {sha[:12]})")
    except requests.RequestException as exc:
        reason = _reason(exc)
    if reader.fallback:
        note = f"{url} unreachable ({reason}); used local fallback {reader.fallback}"
        return Fetched(project_root / reader.fallback, reader.fallback, "fallback", note)
    raise IngestError(source_id, url, f"cannot download: {reason}; and no local fallback is declared")


def _download(response: requests.Response, folder: Path, body: Path, source_id: str, reader: HttpReader) -> str:
    digest = hashlib.sha256()
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".download-")
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in response.iter_content(chunk_size=1 << 20):
                digest.update(chunk)
                out.write(chunk)
        sha = digest.hexdigest()
        if reader.sha256 and sha != reader.sha256:
            raise IngestError(source_id, reader.url,
                              f"checksum mismatch: declared sha256 {reader.sha256} but the download has {sha}")
        os.replace(tmp, body)
        return sha
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _read_meta(meta_path: Path, body: Path) -> dict | None:
    """The cached copy's metadata, or None if the copy is missing or no longer matches it."""
    if not (meta_path.is_file() and body.is_file()):
        return None
    try:
        meta = json.loads(meta_path.read_text())
    except (OSError, ValueError):
        return None
    return meta if meta.get("sha256") == file_sha256(body) else None


def _write_meta(meta_path: Path, url: str, sha: str, response: requests.Response) -> None:
    meta = {
        "url": url,
        "sha256": sha,
        "etag": response.headers.get("ETag"),
        "last_modified": response.headers.get("Last-Modified"),
        "fetched_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    tmp = meta_path.with_suffix(".tmp")
    tmp.write_text(json.dumps(meta, indent=2))
    os.replace(tmp, meta_path)


def _proxies(url: str) -> dict | None:
    # A proxy configured for the internet must not intercept a local server.
    return {"http": None, "https": None} if urlsplit(url).hostname in _LOOPBACK else None


def _reason(exc: requests.RequestException) -> str:
    if isinstance(exc, requests.HTTPError) and exc.response is not None:
        return f"HTTP {exc.response.status_code} {exc.response.reason}"
    if isinstance(exc, requests.Timeout):
        return f"timed out: {type(exc).__name__}"
    text = str(exc)
    for marker in ("Connection refused", "Name or service not known", "Temporary failure in name resolution",
                   "No route to host", "Network is unreachable", "nodename nor servname"):
        if marker in text:
            return f"connection failed: {marker}"
    return f"{type(exc).__name__}: {text[:200]}"
