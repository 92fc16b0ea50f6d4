"""Download an http(s) source into a local cache, or fall back to a bundled copy.

Why: the platform must run without a network (CI, a laptop on a train, the default run)
and must not download the same file every night. So:

- a successful download is kept in Settings.http_cache_dir with its sha256 and the server's
  ETag / Last-Modified; the next run asks "changed since?" and a 304 answer reuses the copy;
- a declared `sha256` is checked before the download replaces the cached copy, so a
  tampered or truncated file never reaches the raw layer;
- when the URL cannot be fetched (no route, DNS, timeout, HTTP error) the declared local
  fallback is used and the result says so; with no fallback the error says what failed.

A server is not trusted to behave, so:

- redirects are followed here, one hop at a time, and every hop must pass the same rule as
  the first URL (http(s) only; off the machine only with SPI_ALLOW_DOWNLOADS=1): a local
  server cannot bounce an offline run to the internet. The cache metadata and the returned
  label name the final URL, where the bytes really came from;
- each download has an overall wall-clock deadline (connect, redirects and every read
  together; SPI_DOWNLOAD_DEADLINE_S, by default ten times the reader's timeout and at least
  two minutes), because a per-read timeout never fires for a server sending a byte at a time;
- each download has a size limit (SPI_DOWNLOAD_MAX_BYTES, 2 GB by default), checked against
  Content-Length before the body is read and against the bytes actually received;
- a download that fails any of these never replaces the cached copy, and its partial file is
  removed; messages never show a URL's user name or password.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator, TypeVar
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
import urllib3

from social_progress.catalogue import HttpReader

from .errors import IngestError
from .landing import file_sha256

_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
_REDIRECT_STATUSES = {301, 302, 303, 307, 308}
MAX_REDIRECTS = 10
DEFAULT_MAX_BYTES = 2 * 1024**3
MIN_DEADLINE_S = 120.0
DEADLINE_PER_TIMEOUT = 10   # the deadline is at least this many reader timeouts
_CHUNK = 1 << 16

T = TypeVar("T")


@dataclass(frozen=True)
class Fetched:
    path: Path
    label: str                 # the final URL (after redirects), or the fallback's path when the fallback was used
    origin: str                # "download", "cache" (server said 304) or "fallback"
    note: str | None = None


class DeadlinePassed(requests.Timeout):
    """The whole download took longer than its deadline (a timeout, so a fallback may be used)."""


def downloads_allowed(url: str) -> bool:
    """Remote downloads happen only when SPI_ALLOW_DOWNLOADS=1: the default run, CI and the
    tests use bundled files and never reach outside the machine. Loopback is always allowed."""
    return urlsplit(url).hostname in _LOOPBACK or os.environ.get("SPI_ALLOW_DOWNLOADS") == "1"


def public_url(url: str) -> str:
    """The URL without its user name and password, for messages, metadata and provenance."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def fetch(source_id: str, reader: HttpReader, cache_dir: Path, project_root: Path) -> Fetched:
    url = reader.url
    shown = public_url(url)
    if not downloads_allowed(url):
        if reader.fallback:
            return Fetched(project_root / reader.fallback, reader.fallback, "fallback",
                           f"downloads are off (set SPI_ALLOW_DOWNLOADS=1 to fetch {shown}); used local fallback {reader.fallback}")
        raise IngestError(source_id, shown, "downloads are off (set SPI_ALLOW_DOWNLOADS=1) and no local fallback is declared")
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
    download = _Download(source_id, reader, headers, meta is not None, folder, body, meta_path,
                         _Deadline(_deadline_seconds(source_id, reader)), _max_bytes(source_id, reader))
    try:
        final, sha = _within(download.deadline, download.run)
    except requests.RequestException as exc:
        reason = _reason(exc)
    else:
        where, hops = public_url(final), download.redirects
        via = f" (after {hops} redirect{'s' * (hops > 1)} from {shown})" if hops else ""
        if sha is None:
            return Fetched(body, where, "cache", f"{where}{via} not modified; used cached copy (sha256 {meta['sha256'][:12]})")
        return Fetched(body, where, "download", f"downloaded {where}{via} (sha256 {sha[:12]})")
    if reader.fallback:
        note = f"{shown} unreachable ({reason}); used local fallback {reader.fallback}"
        return Fetched(project_root / reader.fallback, reader.fallback, "fallback", note)
    raise IngestError(source_id, shown, f"cannot download: {reason}; and no local fallback is declared")


class _Deadline:
    """The wall-clock limit of one download, shared by the caller and the worker thread.

    Why: the caller stops waiting when the time is up, but the worker may still be blocked in a
    read. It checks `left()` between reads and replaces the cached copy only inside `commit()`,
    which refuses once the caller has given up: an abandoned download never lands."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self._end = time.monotonic() + seconds
        self._lock = threading.Lock()
        self._abandoned = self._committed = False

    def remaining(self) -> float:
        return max(0.0, self._end - time.monotonic())

    def left(self) -> float:
        """Seconds left; raises DeadlinePassed when none are (or the caller gave up)."""
        left = self.remaining()
        if left <= 0 or self._abandoned:
            raise self.passed()
        return left

    def passed(self) -> DeadlinePassed:
        return DeadlinePassed(f"no complete answer within the {self.seconds:g} s download deadline "
                              "(SPI_DOWNLOAD_DEADLINE_S)")

    def abandon(self) -> bool:
        """Called by the caller at the deadline; False if the worker had already committed."""
        with self._lock:
            self._abandoned = not self._committed
            return self._abandoned

    @contextmanager
    def commit(self) -> Iterator[None]:
        with self._lock:
            self.left()
            yield
            self._committed = True


def _within(deadline: _Deadline, work: Callable[[], T]) -> T:
    """Run `work` in a thread and stop waiting for it at the deadline.

    Why a thread: socket timeouts count per read, and the status line and headers are read
    inside requests, where a server dribbling bytes cannot be interrupted from the same thread."""
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:  # handed to the caller below
            outcome["error"] = exc

    worker = threading.Thread(target=run, name="spi-download", daemon=True)
    worker.start()
    worker.join(deadline.remaining())
    if worker.is_alive():
        if deadline.abandon():
            raise deadline.passed()
        worker.join()  # it had committed the file; only the return is left
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


@dataclass
class _Download:
    """One download: follows redirects hop by hop and streams the body into the cache."""

    source_id: str
    reader: HttpReader
    headers: dict
    has_cache: bool
    folder: Path
    body: Path
    meta_path: Path
    deadline: _Deadline
    max_bytes: int
    redirects: int = 0

    def run(self) -> tuple[str, str | None]:
        """(final URL, sha256 of the download), or sha256 None when the cached copy is current."""
        url = self.reader.url
        for hop in range(MAX_REDIRECTS + 1):
            if hop:
                self._check_hop(hop, url)
            timeout = min(self.reader.timeout, self.deadline.left())
            with requests.get(url, headers=self.headers, timeout=timeout, stream=True,
                              allow_redirects=False, proxies=_proxies(url)) as response:
                location = response.headers.get("Location")
                if response.status_code in _REDIRECT_STATUSES and location:
                    url, self.redirects = urljoin(url, location), hop + 1
                    continue
                if response.status_code == 304 and self.has_cache:
                    return url, None
                response.raise_for_status()
                self._check_announced_size(response)
                self.folder.mkdir(parents=True, exist_ok=True)
                return url, self._save(response, url)
        raise requests.TooManyRedirects(f"more than {MAX_REDIRECTS} redirects (stopped before {public_url(url)})")

    def _refuse(self, problem: str) -> IngestError:
        return IngestError(self.source_id, public_url(self.reader.url), problem)

    def _check_hop(self, hop: int, url: str) -> None:
        """A redirect must pass the rule the first URL passed."""
        if urlsplit(url).scheme not in ("http", "https"):
            raise self._refuse(f"redirect hop {hop} to {public_url(url)} refused: only http(s) URLs are downloaded")
        if not downloads_allowed(url):
            raise self._refuse(f"redirect hop {hop} to {public_url(url)} refused: it leaves this machine and "
                               "downloads are off (set SPI_ALLOW_DOWNLOADS=1)")

    def _check_announced_size(self, response: requests.Response) -> None:
        announced = response.headers.get("Content-Length", "")
        if announced.isdigit() and int(announced) > self.max_bytes:
            raise self._refuse(f"download refused: the server announces {int(announced)} bytes, more than the "
                               f"limit of {self.max_bytes} bytes (SPI_DOWNLOAD_MAX_BYTES)")

    def _save(self, response: requests.Response, url: str) -> str:
        """Stream the body to a temporary file; replace the cached copy only if it is complete,
        within the limits and matches the declared checksum."""
        digest, size = hashlib.sha256(), 0
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".download-")
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := _read_some(response):
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise self._refuse(f"download stopped: more than the limit of {self.max_bytes} bytes "
                                           "(SPI_DOWNLOAD_MAX_BYTES)")
                    self.deadline.left()
                    digest.update(chunk)
                    out.write(chunk)
            sha = digest.hexdigest()
            if self.reader.sha256 and sha != self.reader.sha256:
                raise self._refuse(f"checksum mismatch: declared sha256 {self.reader.sha256} but the download has {sha}")
            with self.deadline.commit():
                os.replace(tmp, self.body)
                _write_meta(self.meta_path, self.reader.url, url, sha, response)
            return sha
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)


def _read_some(response: requests.Response) -> bytes:
    """What one socket read brings (b"" at the end), so the deadline is checked between
    reads; a filling read would wait for a whole chunk from a server sending a byte at a time."""
    try:
        return response.raw.read1(_CHUNK, decode_content=True)
    except urllib3.exceptions.ReadTimeoutError as exc:
        raise requests.ReadTimeout(exc) from exc
    except urllib3.exceptions.HTTPError as exc:
        raise requests.ConnectionError(exc) from exc


def _env_limit(source_id: str, reader: HttpReader, name: str, default: float) -> float:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise IngestError(source_id, public_url(reader.url), f"{name} must be a positive number, not {text!r}")
    return value


def _deadline_seconds(source_id: str, reader: HttpReader) -> float:
    default = max(MIN_DEADLINE_S, reader.timeout * DEADLINE_PER_TIMEOUT)
    return _env_limit(source_id, reader, "SPI_DOWNLOAD_DEADLINE_S", default)


def _max_bytes(source_id: str, reader: HttpReader) -> int:
    return int(_env_limit(source_id, reader, "SPI_DOWNLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def _read_meta(meta_path: Path, body: Path) -> dict | None:
    """The cached copy's metadata, or None if the copy is missing or no longer matches it."""
    if not (meta_path.is_file() and body.is_file()):
        return None
    try:
        meta = json.loads(meta_path.read_text())
    except (OSError, ValueError):
        return None
    return meta if meta.get("sha256") == file_sha256(body) else None


def _write_meta(meta_path: Path, requested: str, final: str, sha: str, response: requests.Response) -> None:
    """`url` stays the URL the catalogue asked for; `final_url` is where the bytes came from."""
    meta = {
        "url": public_url(requested),
        "final_url": public_url(final),
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
    if isinstance(exc, (DeadlinePassed, requests.TooManyRedirects)):
        return str(exc)
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
